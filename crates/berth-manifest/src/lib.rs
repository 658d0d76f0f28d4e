//! berth-manifest: what an image *is*, as data.
//!
//! An image is a handful of small JSON documents (an index, a manifest, a config) that
//! point at layer blobs by digest. Every one of them arrives from somewhere berth does not
//! trust: a registry, a tar file, a container. This crate turns their bytes into types and
//! back, and nothing else: it never opens a file or a socket; it parses `&[u8]`.
//!
//! Reading is strict. Documents are capped in size before they are parsed, schema1 is refused
//! with a clear message, a document that could be read as both a manifest and an index is
//! refused (CVE-2021-41190), and every digest must be one berth can verify and use as a file
//! name. Writing is canonical: the same input gives the same bytes, so the same digest.
//!
//! The manifest types are oci-spec's. The image config is berth's own [`ImageConfig`], because
//! Docker configs carry keys OCI does not know (`Healthcheck`, `OnBuild`, ...) that must
//! survive a round trip, and because oci-spec's hash maps would make image IDs unstable.
//!
//! On top sit the things the commands need: platform matching (like containerd), Dockerfile
//! `--change` instructions (like the Docker daemon), the configs of `import` and `commit`, and
//! the data behind `image inspect` and `history` in Docker's exact shape.
//!
//! ```
//! use berth_digest::Digest;
//! use berth_manifest::{chain_ids, parse_document, Document};
//!
//! let config = Digest::sha256(b"{}");
//! let manifest = format!(
//!     r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
//!         "config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":2}},
//!         "layers":[]}}"#
//! );
//! assert!(matches!(parse_document(manifest.as_bytes(), None), Ok(Document::Manifest(_))));
//! // A document that is both a manifest and an index (CVE-2021-41190) is refused.
//! let confused = manifest.replace(r#""layers":[]"#, r#""layers":[],"manifests":[]"#);
//! assert!(parse_document(confused.as_bytes(), None).is_err());
//! // The chain ID of a one-layer stack is its diff_id.
//! let diff_id = Digest::sha256(b"layer");
//! assert_eq!(chain_ids(&[diff_id.clone()]), vec![diff_id]);
//! ```

// Reading untrusted bytes.
mod error;
pub mod media_type;
mod parse;

mod archive_manifest;

// The image config, lossless, and its layers' chain IDs.
mod chain;
mod config;
mod labels;

// Choosing an image from an index.
mod platform;

// Dockerfile `--change` instructions.
mod change;
mod duration;
mod words;

// Writing new documents.
mod build;
pub mod timefmt;

// What `inspect` and `history` show.
pub mod view;

pub use archive_manifest::{
    archive_parent_links, is_valid_parent, parse_docker_archive_manifest,
    serialize_docker_archive_manifest, ArchiveManifestEntry, MAX_ARCHIVE_MANIFEST_BYTES,
};
pub use build::{
    commit_config, descriptor, descriptor_for, image_manifest, import_config, index_bytes,
    manifest_bytes, CommitOptions, ImportOptions, EMPTY_TAR_DIFF_ID,
};
pub use chain::chain_ids;
pub use change::{apply_change, apply_changes};
pub use config::{ContainerConfig, Healthcheck, History, ImageConfig, RootFs, ROOTFS_TYPE_LAYERS};
pub use duration::parse_go_duration;
pub use error::Error;
pub use labels::LabelFilter;
pub use media_type::Compression;
pub use parse::{
    check_descriptor, parse_config, parse_document, parse_oci_config, Document, MAX_CONFIG_BYTES,
    MAX_MANIFEST_BYTES,
};
pub use platform::{
    host_platform, is_attestation, select_manifest, Platform, ATTESTATION_MANIFEST,
    REFERENCE_TYPE_ANNOTATION,
};
pub use view::history::{fill_ancestor_ids, history_rows, HistoryRow};
pub use view::inspect::{ImageFacts, InspectView};
pub use words::clean_path;

#[cfg(test)]
mod tests;
