//! Blind SSRF (issue #13 item 7): no request to link-local or cloud metadata addresses, `urls` only
//! on foreign layers, and `import URL` with timeouts that names the redirect target in its errors.
//! The refused address is never contacted: berth refuses it by classifying the IP before connecting
//! (a test that saw a connection error instead of the refusal fails).

use std::sync::Arc;

use sha2::Digest as _;

use super::server::{Reply, Server};
use crate::common::Env;

const METADATA: &str = "http://169.254.169.254/latest/meta-data/iam";

fn digest(bytes: &[u8]) -> String {
    format!("sha256:{:x}", sha2::Sha256::digest(bytes))
}

/// A one-layer image: (manifest, config, layer), the layer an uncompressed tar.
pub fn tiny_image(layer_urls: Option<&str>) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(6);
    header.set_mode(0o644);
    header.set_cksum();
    builder
        .append_data(&mut header, "hello", &b"hello\n"[..])
        .unwrap();
    let layer = builder.into_inner().unwrap();
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {}, "rootfs": {"type": "layers", "diff_ids": [digest(&layer)]}
    })
    .to_string()
    .into_bytes();
    let mut layer_descriptor = serde_json::json!({
        "mediaType": "application/vnd.oci.image.layer.v1.tar",
        "digest": digest(&layer), "size": layer.len()
    });
    if let Some(url) = layer_urls {
        layer_descriptor["urls"] = serde_json::json!([url]);
    }
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": digest(&config), "size": config.len()},
        "layers": [layer_descriptor]
    })
    .to_string()
    .into_bytes();
    (manifest, config, layer)
}

/// A registry for `test/img:latest` whose layer blob is answered by `layer_reply`.
pub fn scripted_registry(
    image: (Vec<u8>, Vec<u8>, Vec<u8>),
    layer_reply: impl Fn() -> Reply + Send + Sync + 'static,
) -> Server {
    let (manifest, config, layer) = image;
    let (config_path, layer_path) = (
        format!("/v2/test/img/blobs/{}", digest(&config)),
        format!("/v2/test/img/blobs/{}", digest(&layer)),
    );
    let manifest_digest = digest(&manifest);
    let layer_reply = Arc::new(layer_reply);
    Server::start(move |_, path| match path {
        "/v2/" => Reply::ok("application/json", "{}"),
        "/v2/test/img/manifests/latest" => Reply::ok(
            "application/vnd.oci.image.manifest.v1+json",
            manifest.clone(),
        )
        .header("Docker-Content-Digest", &manifest_digest),
        p if p == config_path => Reply::ok("application/octet-stream", config.clone()),
        p if p == layer_path => layer_reply(),
        _ => Reply::status(
            404,
            "application/json",
            r#"{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}"#,
        ),
    })
}

/// A layer blob redirected to the cloud metadata address is refused before any connection.
#[test]
fn a_blob_redirect_to_the_metadata_address_is_refused() {
    let env = Env::new();
    let registry = scripted_registry(tiny_image(None), || Reply::redirect(METADATA));
    let reference = format!("{}/test/img:latest", registry.host());
    let out = env.fails(&["pull", &reference]);
    assert!(
        out.contains(&format!(
            "refusing to connect to {METADATA}: a link-local or cloud metadata address"
        )),
        "{out}"
    );
    assert!(env.ok(&["images", "-q"]).trim().is_empty());
}

/// `"allow-link-local": true` in registries.json lifts the refusal; the refusal names the option.
#[test]
fn registries_json_allow_link_local_is_parsed_and_named_in_the_refusal() {
    let env = Env::new();
    let config = env.dir.path().join("docker-config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("registries.json"),
        r#"{"allow-link-local": false}"#,
    )
    .unwrap();
    let registry = scripted_registry(tiny_image(None), || Reply::redirect(METADATA));
    let out = env.fails(&["pull", &format!("{}/test/img:latest", registry.host())]);
    assert!(
        out.contains(r#"(set "allow-link-local": true in registries.json to allow it)"#),
        "{out}"
    );
}

/// `urls` on an ordinary layer are ignored, as the image spec allows and Docker does: the blob
/// comes from the registry only, and the URL is never fetched.
#[test]
fn urls_on_an_ordinary_layer_are_ignored() {
    let env = Env::new();
    let (manifest, config, layer) = tiny_image(None);
    let served = layer.clone();
    let elsewhere =
        Server::start(move |_, _| Reply::ok("application/octet-stream", served.clone()));
    let image = tiny_image(Some(&format!("http://{}/layer", elsewhere.host())));
    assert_eq!((&image.1, &image.2), (&config, &layer));
    drop(manifest);

    // The registry lacks the blob: the pull fails rather than fetch it from the URL.
    let missing = scripted_registry(image.clone(), || {
        Reply::status(
            404,
            "application/json",
            r#"{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}"#,
        )
    });
    env.fails(&["pull", &format!("{}/test/img:latest", missing.host())]);
    assert_eq!(elsewhere.hits(), 0, "the layer's url was fetched");

    // The registry has it: the pull succeeds from the registry alone.
    let layer_bytes = layer.clone();
    let present = scripted_registry(image, move || {
        Reply::ok("application/octet-stream", layer_bytes.clone())
    });
    env.ok(&["pull", &format!("{}/test/img:latest", present.host())]);
    assert_eq!(elsewhere.hits(), 0, "the layer's url was fetched");
}

/// `import URL` follows a redirect only to an allowed address, and its error names the target.
#[test]
fn import_url_redirected_to_the_metadata_address_is_refused() {
    let env = Env::new();
    let target = format!("{METADATA}/rootfs.tar");
    let redirector = {
        let target = target.clone();
        Server::start(move |_, _| Reply::redirect(&target))
    };
    let source = format!("http://{}/rootfs.tar", redirector.host());
    let out = env.fails(&["import", &source, "imported:latest"]);
    assert!(
        out.contains(&format!("refusing to connect to {target}: a link-local")),
        "{out}"
    );
    assert!(env.ok(&["images", "-q"]).trim().is_empty());

    // A plain error status names the redirect target that answered.
    let missing = Server::start(|_, path| match path {
        "/start.tar" => Reply::redirect("/moved/rootfs.tar"),
        _ => Reply::status(404, "text/plain", "gone"),
    });
    let out = env.fails(&["import", &format!("http://{}/start.tar", missing.host())]);
    assert!(
        out.contains(&format!(
            "http://{}/moved/rootfs.tar returned 404",
            missing.host()
        )),
        "{out}"
    );

    // The URL itself may not name a refused address either.
    let out = env.fails(&["import", "http://[fd00:ec2::254]/rootfs.tar"]);
    assert!(
        out.contains("refusing to connect to http://[fd00:ec2::254]/rootfs.tar"),
        "{out}"
    );
}

/// A host name that resolves to the metadata address (here through a hosts file bind-mounted in a
/// private mount namespace) is refused by the resolver, at once and without retries.
#[test]
fn a_name_resolving_to_the_metadata_address_is_refused() {
    let root = std::process::Command::new("id").arg("-u").output().unwrap();
    if String::from_utf8_lossy(&root.stdout).trim() != "0" || !crate::common::require("unshare") {
        assert!(
            std::env::var_os("CI").is_none(),
            "needs root and unshare in CI"
        );
        return;
    }
    let env = Env::new();
    let hosts = env.path("hosts");
    std::fs::write(
        &hosts,
        "127.0.0.1 localhost\n169.254.169.254 metadata.berth-test\n",
    )
    .unwrap();
    let registry = scripted_registry(tiny_image(None), || {
        Reply::redirect("http://metadata.berth-test/latest/meta-data/iam")
    });
    let berth = env.berth();
    let script = format!("mount --bind {} /etc/hosts && exec \"$@\"", hosts.display());
    let mut cmd = std::process::Command::new("unshare");
    cmd.args(["-m", "sh", "-c", &script, "sh"])
        .arg(berth.get_program())
        .args(berth.get_args())
        .args(["pull", &format!("{}/test/img:latest", registry.host())]);
    for (key, value) in berth.get_envs() {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    let out = cmd.output().unwrap();
    let text = crate::common::render(&out);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("Error: refusing to connect to metadata.berth-test: a link-local or cloud metadata address"),
        "{text}"
    );
    assert!(!text.contains("Retrying"), "{text}");
}
