//! Test images built in a store: real tar layers (gzip or plain), a config with matching diff_ids,
//! and an OCI or Docker schema2 manifest.

use berth_digest::Digest;
use berth_reference::Reference;
use berth_store::{IndexEntry, Store};
use std::io::Write;

pub struct Built {
    pub manifest_digest: Digest,
    pub config_digest: Digest,
    pub layers: Vec<Digest>,
    pub manifest: Vec<u8>,
}

/// Pseudo-random, poorly compressible bytes (so gzip layers keep their size).
pub fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state.to_le_bytes()[5]
        })
        .collect()
}

pub fn tar_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_700_000_000);
        header.set_cksum();
        builder.append_data(&mut header, name, &data[..]).unwrap();
    }
    builder.into_inner().unwrap()
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// Layer contents for an image; `gzip` chooses the layer encoding.
pub struct Spec<'a> {
    pub layers: Vec<Vec<(&'a str, Vec<u8>)>>,
    pub gzip: bool,
    pub docker_media_types: bool,
    pub label: &'a str,
}

pub fn host_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// Builds the image into `store` and names it `names`.
pub fn build(store: &Store, spec: &Spec<'_>, names: &[&str]) -> Built {
    build_for(store, spec, names, host_arch())
}

/// Same, for another CPU architecture.
pub fn build_for(store: &Store, spec: &Spec<'_>, names: &[&str], architecture: &str) -> Built {
    let mut diff_ids = Vec::new();
    let mut layer_descriptors = Vec::new();
    let mut layers = Vec::new();
    for files in &spec.layers {
        let tar = tar_of(files);
        diff_ids.push(Digest::sha256(&tar).to_string());
        let blob = if spec.gzip { gzip(&tar) } else { tar };
        let digest = store.write_blob(&blob).unwrap();
        let media_type = match (spec.docker_media_types, spec.gzip) {
            (true, true) => "application/vnd.docker.image.rootfs.diff.tar.gzip",
            (true, false) => "application/vnd.docker.image.rootfs.diff.tar",
            (false, true) => "application/vnd.oci.image.layer.v1.tar+gzip",
            (false, false) => "application/vnd.oci.image.layer.v1.tar",
        };
        layer_descriptors.push(serde_json::json!({
            "mediaType": media_type,
            "digest": digest.to_string(),
            "size": blob.len(),
        }));
        layers.push(digest);
    }
    let config = serde_json::json!({
        "architecture": architecture,
        "os": "linux",
        "created": "2024-01-01T00:00:00Z",
        "config": {"Labels": {"test": spec.label}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "berth test"}],
    });
    let config_bytes = serde_json::to_vec(&config).unwrap();
    let config_digest = store.write_blob(&config_bytes).unwrap();
    let (manifest_type, config_type) = if spec.docker_media_types {
        (
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.container.image.v1+json",
        )
    } else {
        (
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.config.v1+json",
        )
    };
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": manifest_type,
        "config": {"mediaType": config_type, "digest": config_digest.to_string(), "size": config_bytes.len()},
        "layers": layer_descriptors,
    });
    let manifest_bytes = serde_json::to_vec(&manifest).unwrap();
    let manifest_digest = store.write_blob(&manifest_bytes).unwrap();
    let names: Vec<Reference> = names
        .iter()
        .map(|n| Reference::parse_normalized(n).unwrap())
        .collect();
    store
        .add_image(
            &IndexEntry::new(
                manifest_type,
                manifest_digest.clone(),
                manifest_bytes.len() as u64,
            ),
            &names,
            &[],
        )
        .unwrap();
    Built {
        manifest_digest,
        config_digest,
        layers,
        manifest: manifest_bytes,
    }
}

/// A small two-layer gzip image.
pub fn small(store: &Store, names: &[&str], label: &str) -> Built {
    build(
        store,
        &Spec {
            layers: vec![
                vec![("etc/hello", b"hello\n".to_vec())],
                vec![("bin/data", noise(7, 64 * 1024))],
            ],
            gzip: true,
            docker_media_types: false,
            label,
        },
        names,
    )
}
