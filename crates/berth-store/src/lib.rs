//! The berth image store: an OCI image layout on disk, shared safely by concurrent berth processes.
//!
//! The store root *is* an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/<hex>`), so skopeo
//! (`oci:ROOT:REF`) and umoci read it as it is. `index.json` holds one descriptor per image name, annotated
//! with the full normalized reference; an image that lost its last name but was not removed (Docker's
//! "dangling" image) keeps a descriptor without a name. berth's own state lives under `berth/`, never
//! inside `blobs/`.
//!
//! Invariants, in the order a writer meets them:
//! - a blob appears under `blobs/` only after its size and digest were checked, by rename from `berth/ingest/`;
//! - every ingest file has one writer (a unique temporary name, or the flock of a resumable partial
//!   download), so what is renamed is what was hashed, and nothing writes to a committed blob;
//! - `index.json` is replaced whole (temp file, fsync, rename, fsync of the directory), after the blobs it names;
//! - writers that add content hold the content lock shared for their whole operation; garbage collection holds
//!   it exclusive, so it never deletes a blob an operation is about to reference;
//! - every path under the root is opened with `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)`: a symlink
//!   planted inside the store is never followed.
//!
//! ```
//! use berth_manifest::{descriptor_for, image_manifest, manifest_bytes, media_type};
//! use berth_reference::Reference;
//! use berth_store::{IndexEntry, Store, MAX_JSON_BYTES};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = Store::open(&dir.path().join("store")).unwrap();
//! assert!(store.images().unwrap().is_empty());
//!
//! // An image is blobs (here a config and a manifest without layers) and a name in `index.json`.
//! let config = br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
//! let image_id = store.write_blob(config).unwrap();
//! let manifest = image_manifest(descriptor_for(media_type::OCI_CONFIG, config), Vec::new());
//! let manifest = manifest_bytes(&manifest);
//! let manifest_digest = store.write_blob(&manifest).unwrap();
//! let entry = IndexEntry::new(media_type::OCI_MANIFEST, manifest_digest, manifest.len() as u64);
//! let name = Reference::parse("example.com/app:1.0").unwrap();
//! store.add_image(&entry, &[name], &[]).unwrap();
//!
//! // Listed and looked up as Docker does: by name, by ID, by a short ID prefix.
//! let images = store.images().unwrap();
//! assert_eq!(images.len(), 1);
//! assert_eq!(images[0].id, image_id);
//! assert_eq!(images[0].names[0].to_string(), "example.com/app:1.0");
//! let by_prefix = &image_id.encoded()[..12];
//! assert_eq!(store.resolve(by_prefix).unwrap().id, image_id);
//! assert_eq!(store.read_blob(&image_id, MAX_JSON_BYTES).unwrap(), config);
//! // The root is a plain OCI image layout that skopeo and umoci read as it is.
//! assert!(dir.path().join("store/oci-layout").is_file());
//! ```

mod blob;
mod check;
pub mod cleanup;
mod delete;
mod df;
mod error;
pub mod fs;
mod gc;
mod image;
mod index;
mod layer;
mod layout;
mod lock;
mod parent;
mod partial;
mod private;
mod prune;
mod release;
mod summary;
mod time;
mod writeback;

pub use blob::{Ingest, PendingBlob};
pub use check::{CheckReport, Problem};
pub use delete::{not_found_name, Conflict, DeleteOptions, ImageDeleter, ImageUser};
pub use df::{DiskUsage, ImageUsage};
pub use error::{error_chain, Error};
pub use gc::GcReport;
pub use image::{Image, ImageEntry, Removal, TagTime};
pub use index::{annotations, Index, IndexEntry};
pub use layer::LayerInfo;
pub use layout::Store;
pub use lock::ContentGuard;
pub use prune::PruneFilter;
pub use release::LayerHolders;
pub use summary::Summary;
pub use time::{format_rfc3339, now_rfc3339};
pub use writeback::Writeback;

pub use berth_digest::Digest;

/// Largest JSON document (manifest, index, config) the store reads into memory.
pub const MAX_JSON_BYTES: u64 = 4 * 1024 * 1024;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod testutil;
