//! Property-based fuzzing of `load` (issue 8; `cargo fuzz` needs a nightly toolchain, so this is the
//! archive target as a proptest property).
//!
//! Small valid archives (a docker-archive and an OCI layout, plain and compressed) are mutated: bytes
//! flipped anywhere (headers, JSON, layer data), bytes inserted, the archive cut short. Oracle: `load`
//! never panics; when it fails the store is exactly as before (`index.json`, blobs, ingest area, layer
//! records); when it succeeds the store passes its own check. Nothing is written outside the store.
//! More cases: `PROPTEST_CASES=20000 cargo test -p berth-archive fuzz`.

use berth_digest::Digest;
use proptest::prelude::*;

use super::*;
use crate::{load, LoadOptions};

fn docker_seed() -> Vec<u8> {
    let layer = rootfs();
    let config = config_for(&layer);
    tar(&[
        file("layer/layer.tar", &layer),
        file("config.json", &config),
        file(
            "manifest.json",
            br#"[{"Config":"config.json","RepoTags":["fuzz/docker:1"],"Layers":["layer/layer.tar"]}]"#,
        ),
    ])
}

fn oci_seed() -> Vec<u8> {
    let layer = gzip(&rootfs());
    let config = config_for(&rootfs());
    let descriptor = |media_type: &str, bytes: &[u8]| serde_json::json!({"mediaType": media_type, "digest": Digest::sha256(bytes).to_string(), "size": bytes.len()});
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": descriptor("application/vnd.oci.image.config.v1+json", &config),
        "layers": [descriptor("application/vnd.oci.image.layer.v1.tar+gzip", &layer)]
    }))
    .unwrap();
    let mut entry = descriptor("application/vnd.oci.image.manifest.v1+json", &manifest);
    entry["annotations"] = serde_json::json!({"io.containerd.image.name": "docker.io/fuzz/oci:1"});
    let index =
        serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "manifests": [entry]})).unwrap();
    let blob_name = |b: &[u8]| format!("blobs/sha256/{}", Digest::sha256(b).encoded());
    let (manifest_name, config_name, layer_name) =
        (blob_name(&manifest), blob_name(&config), blob_name(&layer));
    tar(&[
        file("oci-layout", br#"{"imageLayoutVersion": "1.0.0"}"#),
        file("index.json", &index),
        file(&manifest_name, &manifest),
        file(&config_name, &config),
        file(&layer_name, &layer),
    ])
}

fn config_for(layer: &[u8]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [Digest::sha256(layer).to_string()]}
    }))
    .unwrap()
}

/// The seeds: both layouts, plain and with whole-archive compression.
fn seeds() -> Vec<Vec<u8>> {
    let docker = docker_seed();
    let oci = oci_seed();
    vec![gzip(&docker), zstd(&oci), docker, oci]
}

/// A store that already holds an image, so "unchanged" means something.
fn populated_store() -> (tempfile::TempDir, Store) {
    let (dir, store) = store();
    load(&store, &docker_seed()[..], &LoadOptions::default()).unwrap();
    (dir, store)
}

fn check_load(archive: &[u8]) -> Result<(), TestCaseError> {
    let (dir, store) = populated_store();
    let before = snapshot(&store);
    let outside_before = list(dir.path());
    match load(&store, archive, &LoadOptions::default()) {
        Ok(_) => {
            let report = store.check().unwrap();
            prop_assert!(report.problems.is_empty(), "{:?}", report.problems);
        }
        Err(_) => prop_assert_eq!(&before, &snapshot(&store)),
    }
    prop_assert_eq!(
        outside_before,
        list(dir.path()),
        "something was written beside the store"
    );
    Ok(())
}

#[test]
fn seeds_load() {
    for (i, seed) in seeds().iter().enumerate() {
        let (_dir, store) = super::store();
        load(&store, &seed[..], &LoadOptions::default())
            .unwrap_or_else(|e| panic!("seed {i}: {e}"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn mutated_archives_never_panic_and_fail_cleanly(
        seed in 0usize..4,
        flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255), 1..6),
        insert in prop::collection::vec(any::<u8>(), 0..8),
        at in any::<prop::sample::Index>(),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let mut archive = seeds().swap_remove(seed);
        for (index, byte) in flips {
            let i = index.index(archive.len());
            archive[i] ^= byte;
        }
        let position = at.index(archive.len() + 1);
        archive.splice(position..position, insert);
        if let Some(cut) = cut {
            archive.truncate(cut.index(archive.len() + 1));
        }
        check_load(&archive)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check_load(&bytes)?;
    }
}
