//! Interop with the real skopeo: it reads the archives berth saves (as `docker-archive:` and
//! `oci-archive:`), and berth loads what skopeo writes from them, with digests compared.
//! Without skopeo the tests pass with a note, except in CI (`CI` set), where they fail.

use std::{path::Path, process::Command};

use berth_archive::{
    load, resolve_for_save, save_to_file, write_atomically, LoadOptions, SaveFormat, SaveOptions,
};
use berth_digest::Digest;
use berth_store::Store;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/docker-20.10-save.tar"
);
const SKOPEO: &str = "skopeo";

fn skopeo_available() -> bool {
    let found = Command::new(SKOPEO)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "skopeo is required in CI but was not found"
        );
        #[allow(clippy::print_stderr)] // a test's note to the developer, not library output
        {
            eprintln!("skopeo not found: skipping the interop test");
        }
    }
    found
}

fn skopeo(args: &[&str]) -> Vec<u8> {
    let output = Command::new(SKOPEO)
        .arg("--insecure-policy")
        .args(args)
        .output()
        .expect("run skopeo");
    assert!(
        output.status.success(),
        "skopeo {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn store_with_fixture(dir: &Path) -> Store {
    let store = Store::open(&dir.join("store")).unwrap();
    let archive = std::fs::read(FIXTURE).unwrap();
    load(&store, &archive[..], &LoadOptions::default()).unwrap();
    store
}

fn save_to(store: &Store, path: &Path, options: &SaveOptions) {
    let images = resolve_for_save(store, &["fixture/busybox:1", "fixture/busybox:base"]).unwrap();
    write_atomically(path, |out| save_to_file(store, &images, options, out)).unwrap();
}

#[test]
fn skopeo_reads_saved_archives_in_every_format() {
    if !skopeo_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_fixture(dir.path());
    let image = store.resolve("fixture/busybox:1").unwrap();
    for (format, uncompressed) in [
        (SaveFormat::Hybrid, false),
        (SaveFormat::Hybrid, true),
        (SaveFormat::Docker, false),
        (SaveFormat::Oci, false),
    ] {
        let path = dir.path().join(format!("{format:?}-{uncompressed}.tar"));
        save_to(
            &store,
            &path,
            &SaveOptions {
                format,
                uncompressed,
                ..SaveOptions::default()
            },
        );
        let path = path.to_str().unwrap();
        if format != SaveFormat::Oci {
            let config = skopeo(&[
                "inspect",
                "--config",
                "--raw",
                &format!("docker-archive:{path}:fixture/busybox:1"),
            ]);
            assert_eq!(Digest::sha256(&config), image.id, "{format:?}");
        }
        if format != SaveFormat::Docker {
            let manifest = skopeo(&["inspect", "--raw", &format!("oci-archive:{path}:1")]);
            if !uncompressed {
                assert_eq!(
                    Digest::sha256(&manifest),
                    image.manifest_digest,
                    "{format:?}"
                );
            }
            let config = skopeo(&[
                "inspect",
                "--config",
                "--raw",
                &format!("oci-archive:{path}:1"),
            ]);
            assert_eq!(Digest::sha256(&config), image.id, "{format:?}");
        }
    }
}

#[test]
fn berth_loads_what_skopeo_copies_from_its_archives() {
    if !skopeo_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_fixture(dir.path());
    let image = store.resolve("fixture/busybox:1").unwrap();
    let saved = dir.path().join("saved.tar");
    save_to(&store, &saved, &SaveOptions::default());
    let saved = saved.to_str().unwrap();

    // OCI to OCI: skopeo keeps the config (it gzips the uncompressed layers, so the manifest changes;
    // berth checks the new layers against the config's diff_ids).
    let copied = dir.path().join("copied-oci.tar");
    skopeo(&[
        "copy",
        &format!("oci-archive:{saved}:1"),
        &format!("oci-archive:{}:fixture/copy:1", copied.display()),
    ]);
    let other = Store::open(&dir.path().join("other")).unwrap();
    let archive = std::fs::read(&copied).unwrap();
    load(&other, &archive[..], &LoadOptions::default()).unwrap();
    let loaded = other.resolve("fixture/copy:1").unwrap();
    assert_eq!(loaded.id, image.id);

    // docker-archive to docker-archive: skopeo writes its own manifest.json; the config (and so the
    // image ID) stays.
    let copied = dir.path().join("copied-docker.tar");
    skopeo(&[
        "copy",
        &format!("docker-archive:{saved}:fixture/busybox:1"),
        &format!("docker-archive:{}:fixture/copy:2", copied.display()),
    ]);
    let archive = std::fs::read(&copied).unwrap();
    load(&other, &archive[..], &LoadOptions::default()).unwrap();
    assert_eq!(other.resolve("fixture/copy:2").unwrap().id, image.id);
}
