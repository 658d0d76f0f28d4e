//! Manifest, index, config and docker-archive manifest parsing never panics on any bytes, and a
//! document that parses serializes again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for content_type in [
        None,
        Some("application/vnd.oci.image.manifest.v1+json"),
        Some("application/vnd.oci.image.index.v1+json"),
    ] {
        if let Ok(document) = berth_manifest::parse_document(data, content_type) {
            match document {
                berth_manifest::Document::Manifest(manifest) => {
                    let _ = berth_manifest::manifest_bytes(&manifest);
                }
                berth_manifest::Document::Index(index) => {
                    let _ = berth_manifest::index_bytes(&index);
                }
            }
        }
    }
    if let Ok(config) = berth_manifest::parse_config(data) {
        let _ = config.to_bytes();
        let _ = berth_manifest::history_rows(
            &config,
            &berth_digest::Digest::sha256(data),
            &vec![0; config.rootfs.diff_ids.len()],
        );
    }
    let _ = berth_manifest::parse_docker_archive_manifest(data);
});
