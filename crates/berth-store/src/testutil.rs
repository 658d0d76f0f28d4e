//! Test images for the store's unit tests.

use berth_digest::Digest;
use berth_reference::Reference;

use crate::{IndexEntry, Store};

const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";

/// Stores an image named `name` whose config holds `seed` (so that its ID is its own) and lists
/// `diff_ids` (no layer blobs: the store's image logic reads only the config); returns its manifest
/// descriptor and its ID.
pub(crate) fn named_image(
    store: &Store,
    name: &str,
    seed: &str,
    diff_ids: &[Digest],
) -> (IndexEntry, Digest) {
    let diff_ids: Vec<String> = diff_ids.iter().map(ToString::to_string).collect();
    let config = serde_json::to_vec(&serde_json::json!({"architecture": "amd64", "os": "linux",
        "config": {"Env": [seed]}, "rootfs": {"type": "layers", "diff_ids": diff_ids}}))
    .unwrap();
    let id = store.write_blob(&config).unwrap();
    let manifest = serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": id.to_string(), "size": config.len()},
        "layers": []}))
    .unwrap();
    let digest = store.write_blob(&manifest).unwrap();
    let entry = IndexEntry::new(MANIFEST_TYPE, digest, manifest.len() as u64);
    let reference = Reference::parse_normalized(name)
        .unwrap()
        .with_default_tag();
    store.add_image(&entry, &[reference], &[]).unwrap();
    (entry, id)
}
