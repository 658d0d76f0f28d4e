//! Layers written by `umoci insert` (umoci 0.4.7) end right after the last file's data: no padding to
//! 512 bytes, no end-of-archive blocks. Go's archive/tar (so Docker) reads that as the end of the
//! archive, and so must every berth command (issue #12: `run` exited 125, `load` refused berth's own
//! `save`, SIZE counted the tar's length). The image goes the whole chapter's way here, with the
//! Docker engine pulling and loading the same image beside berth.

use std::path::Path;
use std::process::Command;

use crate::common::{busybox_tree, dockerd, import_busybox, render, require, Env, Registry};

/// An OCI layout holding `umoci:t`: a busybox layer and a second small one, each made by
/// `umoci insert` and so each ending without padding (checked here, so the test cannot pass on
/// padded layers).
fn umoci_image(env: &Env) -> std::path::PathBuf {
    let base = busybox_tree(env, "umoci-base", &["sh", "cat", "echo", "ls"]);
    std::fs::write(base.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    // Sorted last, and not a multiple of 512 bytes: the stream ends inside its padding.
    std::fs::write(base.join("zz-last"), "hello").unwrap();
    let layout = umoci_layout(env, &base);
    let unpadded = unpadded_layers(&layout);
    assert_eq!(unpadded, 2, "umoci no longer writes unpadded layers");
    layout
}

/// An OCI layout holding `umoci:t`, made by `umoci insert` of `base` and then of a `/data/note`
/// that says "from umoci", with `cat /zz-last` as its command.
pub(crate) fn umoci_layout(env: &Env, base: &Path) -> std::path::PathBuf {
    let layout = env.path("umoci-layout");
    let umoci = |args: &[&str]| {
        let out = Command::new("umoci")
            .args(args)
            .output()
            .expect("run umoci");
        assert!(out.status.success(), "umoci {args:?}:\n{}", render(&out));
    };
    let image = format!("{}:t", layout.display());
    umoci(&["init", "--layout", layout.to_str().unwrap()]);
    umoci(&["new", "--image", &image]);
    umoci(&["insert", "--image", &image, base.to_str().unwrap(), "/"]);
    let top = env.path("umoci-top");
    std::fs::create_dir_all(top.join("data")).unwrap();
    std::fs::write(top.join("data/note"), "from umoci\n").unwrap();
    umoci(&["insert", "--image", &image, top.to_str().unwrap(), "/"]);
    umoci(&[
        "config",
        "--image",
        &image,
        "--config.cmd",
        "cat",
        "--config.cmd",
        "/zz-last",
    ]);
    layout
}

/// How many gzip layers of the layout end off a 512-byte boundary.
fn unpadded_layers(layout: &Path) -> usize {
    let mut count = 0;
    for blob in std::fs::read_dir(layout.join("blobs/sha256")).unwrap() {
        let bytes = std::fs::read(blob.unwrap().path()).unwrap();
        if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut plain = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut plain)
                .unwrap();
            if plain.len() % 512 != 0 {
                count += 1;
            }
        }
    }
    count
}

#[test]
fn umoci_layers_go_through_the_chapter_as_docker_takes_them() {
    if !(require("umoci") && require("skopeo") && require("busybox") && require("runc")) {
        return;
    }
    let Some(registry) = Registry::start() else {
        return;
    };
    let docker = dockerd();
    let env = Env::new();
    let layout = umoci_image(&env);
    let reference = format!("{}/berth-it/umoci-chapter:t", registry.host());
    let copy = Command::new("skopeo")
        .args(["copy", "--dest-tls-verify=false"])
        .arg(format!("oci:{}:t", layout.display()))
        .arg(format!("docker://{reference}"))
        .output()
        .unwrap();
    assert!(copy.status.success(), "skopeo copy:\n{}", render(&copy));

    // pull: the same ID and SIZE as Docker's, and a store that checks out.
    env.ok(&["pull", "-q", &reference]);
    docker.ok(&["pull", "-q", &reference]);
    let images = "{{.ID}} {{.Size}}";
    let ours = env.ok(&["images", "--format", images, &reference]);
    assert_eq!(
        ours,
        docker.ok(&["images", "--format", images, &reference]),
        "images: berth (left), docker (right)"
    );
    let history = "{{.Size}}";
    assert_eq!(
        env.ok(&["history", "--format", history, &reference]),
        docker.ok(&["history", "--format", history, &reference]),
        "history sizes: berth (left), docker (right)"
    );
    env.ok(&["system", "check"]);

    // run: the unpadded layer unpacks whole.
    assert_eq!(env.ok(&["run", "--rm", &reference]), "hello");
    assert_eq!(
        env.ok(&["run", "--rm", &reference, "cat", "/data/note"]),
        "from umoci\n"
    );

    // save -> load into a fresh store, and into Docker.
    let archive = env.path("umoci.tar");
    env.ok(&["save", "-o", archive.to_str().unwrap(), &reference]);
    let fresh = Env::new();
    fresh.ok(&["load", "-i", archive.to_str().unwrap()]);
    assert_eq!(fresh.ok(&["images", "--format", images, &reference]), ours);
    assert_eq!(fresh.ok(&["run", "--rm", &reference]), "hello");
    docker.ok(&["rmi", &reference]);
    docker.ok(&["load", "-i", archive.to_str().unwrap()]);
    assert_eq!(docker.ok(&["images", "--format", images, &reference]), ours);

    // Docker's own save of it loads into berth.
    let docker_archive = env.path("docker-umoci.tar");
    docker.ok(&["save", "-o", docker_archive.to_str().unwrap(), &reference]);
    let from_docker = Env::new();
    from_docker.ok(&["load", "-i", docker_archive.to_str().unwrap()]);
    assert_eq!(
        from_docker.ok(&["images", "--format", images, &reference]),
        ours
    );
    from_docker.ok(&["system", "check"]);
    docker.ok(&["rmi", &reference]);
}

/// A layer cut inside a file's data is refused by every path, as Docker refuses it: `pull` fails
/// and stores nothing, `load` and `import` fail and leave the store as it was, and `system check`
/// reports a store that holds one (here planted by hand, as a disk fault would).
#[test]
fn a_layer_cut_inside_its_data_is_refused_everywhere() {
    let env = Env::new();
    if !import_busybox(&env, "berth-it/cut:base", &["sh"], &[]) {
        return;
    }
    // A plain tar of one 700-byte file, cut inside the data.
    let mut layer = Vec::new();
    {
        let mut builder = tar::Builder::new(&mut layer);
        let mut header = tar::Header::new_gnu();
        header.set_size(700);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, "f", &[b'x'; 700][..])
            .unwrap();
        builder.finish().unwrap();
    }
    let cut = &layer[..1000];
    let before = env.store_state();
    let out = env.with_stdin(&["import", "-", "berth-it/cut:imported"], cut);
    assert!(
        !out.status.success(),
        "import accepted a cut layer:\n{}",
        render(&out)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("truncated"),
        "{}",
        render(&out)
    );
    assert_eq!(env.store_state(), before);
    // Umoci's shape (the same layer cut right after the data) imports.
    let out = env.with_stdin(&["import", "-", "berth-it/cut:umoci"], &layer[..1212]);
    assert!(out.status.success(), "{}", render(&out));
    env.ok(&["system", "check"]);
}

/// An OCI layout (`oci:DIR:t`) of one image whose only layer is `layer` (plain tar), written by hand.
fn layout_with_layer(dir: &Path, layer: &[u8]) {
    let sha = |bytes: &[u8]| {
        use sha2::Digest as _;
        format!("{:x}", sha2::Sha256::digest(bytes))
    };
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let put = |bytes: &[u8]| {
        let hex = sha(bytes);
        std::fs::write(blobs.join(&hex), bytes).unwrap();
        (format!("sha256:{hex}"), bytes.len())
    };
    let (layer_digest, layer_size) = put(layer);
    let config = format!(
        r#"{{"architecture":"amd64","os":"linux","config":{{}},"rootfs":{{"type":"layers","diff_ids":["{layer_digest}"]}},"history":[{{"created_by":"by hand"}}]}}"#
    );
    let (config_digest, config_size) = put(config.as_bytes());
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config_digest}","size":{config_size}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{layer_digest}","size":{layer_size}}}]}}"#
    );
    let (manifest_digest, manifest_size) = put(manifest.as_bytes());
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    std::fs::write(
        dir.join("index.json"),
        format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{manifest_digest}","size":{manifest_size},"annotations":{{"org.opencontainers.image.ref.name":"t"}}}}]}}"#
        ),
    )
    .unwrap();
}

/// A registry serving an image whose layer is cut inside a file's data: `pull` refuses it (Docker's
/// pull fails to extract it) and stores no image; the same image put into the store by another tool
/// (skopeo writes the OCI layout directly) is reported by `system check`, and `run` refuses it.
#[test]
fn a_cut_layer_from_a_registry_or_another_tool_is_caught() {
    if !(require("skopeo") && require("runc")) {
        return;
    }
    let Some(registry) = Registry::start() else {
        return;
    };
    let env = Env::new();
    let mut layer = Vec::new();
    {
        let mut builder = tar::Builder::new(&mut layer);
        let mut header = tar::Header::new_gnu();
        header.set_size(700);
        header.set_mode(0o755);
        header.set_cksum();
        builder
            .append_data(&mut header, "f", &[b'x'; 700][..])
            .unwrap();
        builder.finish().unwrap();
    }
    let layout = env.path("cut-layout");
    layout_with_layer(&layout, &layer[..1000]);
    let reference = format!("{}/berth-it/cut-layer:t", registry.host());
    let skopeo = |dest: String| {
        let out = Command::new("skopeo")
            .args(["copy", "--dest-tls-verify=false"])
            .arg(format!("oci:{}:t", layout.display()))
            .arg(dest)
            .output()
            .unwrap();
        assert!(out.status.success(), "skopeo copy:\n{}", render(&out));
    };
    skopeo(format!("docker://{reference}"));
    env.ok(&["images"]);
    let before = env.store_state();
    let failed = env.fails(&["pull", &reference]);
    assert!(failed.contains("truncated"), "{failed}");
    assert_eq!(
        env.store_state(),
        before,
        "a refused pull changed the store"
    );

    skopeo(format!(
        "oci:{}:docker.io/berth-it/planted:t",
        env.root().display()
    ));
    let report = env.fails(&["system", "check"]);
    assert!(
        report.contains("is unreadable: truncated tar archive"),
        "{report}"
    );
    let run = env.fails(&["run", "--rm", "berth-it/planted:t", "/f"]);
    assert!(run.contains("truncated tar archive"), "{run}");
}
