//! Hostile and broken registries (small fake servers on loopback): wrong digests, oversized
//! documents, type confusion, redirects to other hosts, forbidden token realms, flaky answers.
//! In every failing case nothing is stored.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use base64::Engine as _;
use berth_digest::Digest;
use berth_reference::Reference;
use berth_registry::{Error, PullOptions};
use berth_store::Store;

use crate::{
    client_in,
    fake::{Reply, Request, Server},
    image, store_in,
};

/// An image held in memory by a fake registry.
#[derive(Clone)]
struct Served {
    layer: Vec<u8>,
    layer_digest: Digest,
    config: Vec<u8>,
    config_digest: Digest,
    manifest: Vec<u8>,
    manifest_digest: Digest,
}

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

fn served(diff_id_override: Option<&Digest>) -> Served {
    let tar = image::tar_of(&[("file", image::noise(3, 50_000))]);
    let diff_id = diff_id_override
        .cloned()
        .unwrap_or_else(|| Digest::sha256(&tar));
    let layer = image::gzip(&tar);
    let layer_digest = Digest::sha256(&layer);
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": image::host_arch(), "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [diff_id.to_string()]},
    }))
    .unwrap();
    let config_digest = Digest::sha256(&config);
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest.to_string(), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": layer_digest.to_string(), "size": layer.len()}],
    }))
    .unwrap();
    let manifest_digest = Digest::sha256(&manifest);
    Served {
        layer,
        layer_digest,
        config,
        config_digest,
        manifest,
        manifest_digest,
    }
}

/// The honest answers of a registry serving `image` as `repo:tag`.
fn honest(request: &Request, image: &Served) -> Reply {
    let path = request.path();
    if path == "/v2/" {
        return Reply::status(200);
    }
    if path.contains("/manifests/") {
        return Reply::with(
            200,
            &[
                ("Content-Type", OCI_MANIFEST),
                ("Docker-Content-Digest", &image.manifest_digest.to_string()),
            ],
            image.manifest.clone(),
        );
    }
    if path.ends_with(&image.config_digest.to_string()) {
        return Reply::with(200, &[], image.config.clone());
    }
    if path.ends_with(&image.layer_digest.to_string()) {
        return Reply::with(200, &[], image.layer.clone());
    }
    Reply::status(404)
}

fn assert_nothing_stored(store: &Store, image: &Served) {
    assert!(store.images().unwrap().is_empty(), "no image recorded");
    assert!(!store.has_blob(&image.layer_digest));
    assert!(!store.has_blob(&image.manifest_digest));
    let ingest = store.root().join("berth/ingest");
    let leftovers: Vec<_> = std::fs::read_dir(&ingest)
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "ingest area is clean: {leftovers:?}");
}

fn reference(server: &Server, rest: &str) -> Reference {
    Reference::parse_normalized(&format!("{}/{rest}", server.host())).unwrap()
}

async fn pull(dir: &std::path::Path, store: &Store, reference: &Reference) -> Result<(), Error> {
    client_in(dir)
        .pull(store, reference, &PullOptions::default(), |_| {})
        .await
        .map(drop)
}

#[tokio::test]
async fn a_blob_with_the_wrong_content_is_rejected_and_nothing_stored() {
    let image = served(None);
    let server = {
        let image = image.clone();
        Server::start(move |request| {
            if request.path().ends_with(&image.layer_digest.to_string()) {
                // Same size, different bytes.
                let mut evil = image.layer.clone();
                let last = evil.len() - 1;
                evil[last] ^= 0xff;
                return Reply::with(200, &[], evil);
            }
            honest(request, &image)
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), "store");
    let error = pull(dir.path(), &store, &reference(&server, "evil/blob:1"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::BlobVerification { .. }),
        "{error}: {:?}",
        std::error::Error::source(&error)
    );
    assert_nothing_stored(&store, &image);
}

#[tokio::test]
async fn a_blob_longer_than_its_descriptor_is_cut_off() {
    let image = served(None);
    let server = {
        let image = image.clone();
        Server::start(move |request| {
            if request.path().ends_with(&image.layer_digest.to_string()) {
                let mut longer = image.layer.clone();
                longer.extend_from_slice(&[0; 4096]);
                return Reply::with(200, &[], longer);
            }
            honest(request, &image)
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), "store");
    let error = pull(dir.path(), &store, &reference(&server, "evil/long:1"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::BlobVerification { .. }), "{error}");
    assert_nothing_stored(&store, &image);
}

#[tokio::test]
async fn a_layer_that_does_not_match_its_diff_id_is_rejected() {
    let wrong = Digest::sha256(b"not the layer");
    let image = served(Some(&wrong));
    let server = {
        let image = image.clone();
        Server::start(move |request| honest(request, &image))
    };
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), "store");
    let error = pull(dir.path(), &store, &reference(&server, "evil/diffid:1"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::DiffIdMismatch { .. }), "{error}");
    assert_nothing_stored(&store, &image);
}

#[tokio::test]
async fn manifests_that_do_not_hash_to_their_digest_are_rejected() {
    let image = served(None);
    // The header lies about the digest.
    let server = {
        let image = image.clone();
        Server::start(move |request| {
            if request.path().contains("/manifests/") {
                return Reply::with(
                    200,
                    &[
                        ("Content-Type", OCI_MANIFEST),
                        (
                            "Docker-Content-Digest",
                            &Digest::sha256(b"other").to_string(),
                        ),
                    ],
                    image.manifest.clone(),
                );
            }
            honest(request, &image)
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), "store");
    let error = pull(dir.path(), &store, &reference(&server, "evil/header:1"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::ManifestDigestMismatch { .. }),
        "{error}"
    );
    // Asked by digest, served something else.
    let by_digest = reference(
        &server,
        &format!("evil/header@{}", Digest::sha256(b"wanted")),
    );
    let error = pull(dir.path(), &store, &by_digest).await.unwrap_err();
    assert!(
        matches!(error, Error::ManifestDigestMismatch { .. }),
        "{error}"
    );
    assert_nothing_stored(&store, &image);
}

#[tokio::test]
async fn oversized_and_confused_manifests_are_rejected() {
    let image = served(None);
    let mut huge = image.manifest.clone();
    huge.pop();
    huge.extend_from_slice(br#","annotations":{"pad":""#);
    huge.extend(std::iter::repeat_n(b'a', 4 * 1024 * 1024));
    huge.extend_from_slice(b"\"}}");
    let index_typed = image.manifest.clone();
    let server = {
        let image = image.clone();
        Server::start(move |request| {
            if request.path().contains("/manifests/huge") {
                return Reply::with(200, &[("Content-Type", OCI_MANIFEST)], huge.clone());
            }
            if request.path().contains("/manifests/confused") {
                return Reply::with(
                    200,
                    &[("Content-Type", "application/vnd.oci.image.index.v1+json")],
                    index_typed.clone(),
                );
            }
            honest(request, &image)
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), "store");
    let error = pull(dir.path(), &store, &reference(&server, "evil/doc:huge"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::BodyTooLarge {
                limit: 4_194_304,
                ..
            }
        ),
        "{error}"
    );
    let error = pull(dir.path(), &store, &reference(&server, "evil/doc:confused"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &error,
            Error::Manifest {
                source: berth_manifest::Error::ContentTypeMismatch { .. },
                ..
            }
        ),
        "{error}"
    );
    assert_nothing_stored(&store, &image);
}

/// The Basic credentials the auth tests store and expect: `Basic base64(user:secret)`.
fn basic_credentials() -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("user:secret")
    )
}

/// A 401 with a Basic challenge, unless `request` carries `expected`.
fn challenge_unless(request: &Request, expected: &str) -> Option<Reply> {
    (request.header("authorization") != Some(expected)).then(|| {
        Reply::with(
            401,
            &[("WWW-Authenticate", r#"Basic realm="test""#)],
            Vec::new(),
        )
    })
}

/// A Docker client config under `dir/docker` holding the Basic login for `host`.
fn write_basic_login(dir: &std::path::Path, host: &str) {
    let docker = dir.join("docker");
    std::fs::create_dir_all(&docker).unwrap();
    std::fs::write(
        docker.join("config.json"),
        serde_json::to_vec(&serde_json::json!({"auths": {host: {
            "auth": base64::engine::general_purpose::STANDARD.encode("user:secret")}}}))
        .unwrap(),
    )
    .unwrap();
}

/// Registry A wants Basic auth and redirects blobs to B (another origin), which records what it
/// is sent. B must never see the credentials.
#[tokio::test]
async fn redirects_to_another_host_carry_no_authorization() {
    let image = served(None);
    let storage = {
        let image = image.clone();
        Server::start(move |request| honest(request, &image))
    };
    let storage_url = storage.url();
    let expected = basic_credentials();
    let registry = {
        let image = image.clone();
        let expected = expected.clone();
        Server::start(move |request| {
            if let Some(challenge) = challenge_unless(request, &expected) {
                return challenge;
            }
            if request.path().contains("/blobs/") {
                let location = format!("{storage_url}/storage{}?sig=abc", request.path());
                return Reply::with(307, &[("Location", &location)], Vec::new());
            }
            honest(request, &image)
        })
    };
    let dir = tempfile::tempdir().unwrap();
    write_basic_login(dir.path(), &registry.host());
    let store = store_in(dir.path(), "store");
    pull(dir.path(), &store, &reference(&registry, "redirect/app:1"))
        .await
        .expect("pull through redirects");
    assert!(store.has_blob(&image.layer_digest));
    let at_storage = storage.requests();
    assert!(at_storage.len() >= 2, "config and layer came from storage");
    for request in &at_storage {
        assert!(
            request.header("authorization").is_none(),
            "credentials leaked to {}",
            request.target
        );
        assert!(request.target.starts_with("/storage/"));
    }
    assert!(registry
        .requests()
        .iter()
        .any(|r| r.header("authorization") == Some(expected.as_str())));
}

#[tokio::test]
async fn redirect_loops_end() {
    let server = Server::start(|request| {
        if request.path() == "/v2/" {
            return Reply::status(200);
        }
        Reply::with(307, &[("Location", request.target.as_str())], Vec::new())
    });
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), "store");
    let error = pull(dir.path(), &store, &reference(&server, "loop/app:1"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::TooManyRedirects(10)), "{error}");
}

/// Realms a registry may not send credentials to; the realm server must see nothing.
#[tokio::test]
async fn forbidden_token_realms_are_rejected_before_any_credential_is_sent() {
    let realm_server = Server::start(|_| Reply::json(200, &serde_json::json!({"token": "t"})));
    let dir = tempfile::tempdir().unwrap();
    let docker = dir.path().join("docker");
    std::fs::create_dir_all(&docker).unwrap();
    for realm in [
        "http://169.254.169.254/latest/meta-data".to_owned(),
        "http://0.0.0.0:1/token".to_owned(),
        format!("ftp://127.0.0.1:{}/token", realm_server.port),
        format!("http://user:pw@127.0.0.1:{}/token", realm_server.port),
    ] {
        let challenge = format!(r#"Bearer realm="{realm}",service="svc""#);
        let registry = Server::start(move |_| {
            Reply::with(401, &[("WWW-Authenticate", challenge.as_str())], Vec::new())
        });
        std::fs::write(
            docker.join("config.json"),
            serde_json::to_vec(&serde_json::json!({"auths": {registry.host(): {
                "auth": base64::engine::general_purpose::STANDARD.encode("user:secret")}}}))
            .unwrap(),
        )
        .unwrap();
        let store = store_in(dir.path(), "store");
        let error = pull(dir.path(), &store, &reference(&registry, "realm/app:1"))
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::RealmRejected { .. }),
            "{realm}: {error}"
        );
    }
    assert!(
        realm_server.requests().is_empty(),
        "no token request was made"
    );
}

#[tokio::test]
async fn oversized_token_responses_are_rejected() {
    let realm_server = Server::start(|_| {
        let mut body = br#"{"token":""#.to_vec();
        body.extend(std::iter::repeat_n(b'a', 1024 * 1024 + 10));
        body.extend_from_slice(b"\"}");
        Reply::with(200, &[("Content-Type", "application/json")], body)
    });
    let challenge = format!(
        r#"Bearer realm="{}/token",service="svc""#,
        realm_server.url()
    );
    let registry = Server::start(move |_| {
        Reply::with(401, &[("WWW-Authenticate", challenge.as_str())], Vec::new())
    });
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), "store");
    let error = pull(dir.path(), &store, &reference(&registry, "token/big:1"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::BodyTooLarge {
                limit: 1_048_576,
                ..
            }
        ),
        "{error}"
    );
}

#[tokio::test]
async fn transient_failures_are_retried_with_bounds() {
    let image = served(None);
    let failures = Arc::new(AtomicUsize::new(0));
    let server = {
        let image = image.clone();
        let failures = failures.clone();
        Server::start(move |request| {
            if request.path().contains("/manifests/") && failures.fetch_add(1, Ordering::SeqCst) < 2
            {
                return Reply::status(503);
            }
            if request.path().ends_with(&image.config_digest.to_string())
                && failures.fetch_add(1, Ordering::SeqCst) < 4
            {
                return Reply::with(429, &[("Retry-After", "0")], Vec::new());
            }
            honest(request, &image)
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), "store");
    pull(dir.path(), &store, &reference(&server, "flaky/app:1"))
        .await
        .expect("pull after retries");
    assert!(store.has_blob(&image.layer_digest));

    let always = Server::start(|request| {
        if request.path() == "/v2/" {
            return Reply::status(200);
        }
        Reply::status(500)
    });
    let error = pull(dir.path(), &store, &reference(&always, "down/app:1"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Status { status: 500, .. }),
        "{error}"
    );
    let attempts = always
        .requests()
        .iter()
        .filter(|r| r.path().contains("/manifests/"))
        .count();
    assert_eq!(attempts, 5, "bounded by max_attempts");
}

/// An index whose entry for this platform is another index is named for what it is (issue #13
/// item 11: it was reported as an "unsupported layer media type"), and nothing is stored.
#[tokio::test]
async fn a_nested_index_is_named_as_such() {
    const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    let image = served(None);
    let inner = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": OCI_INDEX,
        "manifests": [{"mediaType": OCI_MANIFEST, "digest": image.manifest_digest.to_string(),
                       "size": image.manifest.len(),
                       "platform": {"architecture": image::host_arch(), "os": "linux"}}],
    }))
    .unwrap();
    let inner_digest = Digest::sha256(&inner);
    let outer = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": OCI_INDEX,
        "manifests": [{"mediaType": OCI_INDEX, "digest": inner_digest.to_string(),
                       "size": inner.len(),
                       "platform": {"architecture": image::host_arch(), "os": "linux"}}],
    }))
    .unwrap();
    let server = {
        let image = image.clone();
        let inner_digest = inner_digest.to_string();
        Server::start(move |request| {
            let path = request.path();
            if path.ends_with("/manifests/nested") {
                return Reply::with(200, &[("Content-Type", OCI_INDEX)], outer.clone());
            }
            if path.ends_with(&format!("/manifests/{inner_digest}")) {
                return Reply::with(200, &[("Content-Type", OCI_INDEX)], inner.clone());
            }
            honest(request, &image)
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), "store");
    let error = pull(
        dir.path(),
        &store,
        &reference(&server, "evil/nested:nested"),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, Error::NestedIndex { .. }), "{error:?}");
    assert!(error.to_string().contains("nested index"), "{error}");
    assert_nothing_stored(&store, &image);
}

/// A foreign layer's `urls` point at another host, which answers 401 with a challenge of its own
/// (CVE-2020-15157, security checklist 11): the registry's credentials never go there, and the
/// pull fails without storing anything.
#[tokio::test]
async fn foreign_layer_hosts_never_get_the_registrys_credentials() {
    let image = served(None);
    let foreign = Server::start(|_| {
        Reply::with(
            401,
            &[("WWW-Authenticate", r#"Basic realm="give me your password""#)],
            Vec::new(),
        )
    });
    let foreign_url = format!("{}/layers/{}", foreign.url(), image.layer_digest);
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                   "digest": image.config_digest.to_string(), "size": image.config.len()},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                    "digest": image.layer_digest.to_string(), "size": image.layer.len(),
                    "urls": [foreign_url]}],
    }))
    .unwrap();
    let expected = basic_credentials();
    let registry = {
        let image = image.clone();
        let expected = expected.clone();
        Server::start(move |request| {
            if let Some(challenge) = challenge_unless(request, &expected) {
                return challenge;
            }
            if request.path().contains("/manifests/") {
                return Reply::with(
                    200,
                    &[(
                        "Content-Type",
                        "application/vnd.docker.distribution.manifest.v2+json",
                    )],
                    manifest.clone(),
                );
            }
            if request.path().contains("/blobs/")
                && !request.path().ends_with(&image.config_digest.to_string())
            {
                // The foreign layer is not the registry's to serve.
                return Reply::status(404);
            }
            honest(request, &image)
        })
    };
    let dir = tempfile::tempdir().unwrap();
    write_basic_login(dir.path(), &registry.host());
    let store = store_in(dir.path(), "store");
    let error = pull(dir.path(), &store, &reference(&registry, "foreign/app:1"))
        .await
        .unwrap_err();
    let asked = foreign.requests();
    assert!(!asked.is_empty(), "the foreign URL was tried: {error}");
    for request in &asked {
        assert!(
            request.header("authorization").is_none(),
            "credentials sent to the foreign host {}",
            request.target
        );
    }
    assert!(registry
        .requests()
        .iter()
        .any(|r| r.header("authorization") == Some(expected.as_str())));
    assert_nothing_stored(&store, &image);
}

/// A redirect to `file:` is refused, never read (security checklist 9; https to http is refused by
/// the same rule, unit-tested in `client.rs`).
#[tokio::test]
async fn redirects_to_other_schemes_are_refused() {
    let server = Server::start(|request| {
        if request.path() == "/v2/" {
            return Reply::status(200);
        }
        Reply::with(307, &[("Location", "file:///etc/passwd")], Vec::new())
    });
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path(), "store");
    let error = pull(dir.path(), &store, &reference(&server, "scheme/app:1"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::RedirectRejected {
                reason: "unsupported scheme",
                ..
            }
        ),
        "{error}"
    );
}
