//! berth-archive: image content as tar streams, in and out.
//!
//! Layers and image archives are the bytes berth trusts least: they come from files, URLs and
//! other tools, and a tar archive can name anything. This crate reads them in one streaming pass
//! straight into the store's ingest area (archive paths never become host paths), checks what it
//! reads (entry names, hard links, whiteouts, digests and diff_ids, truncation, decompression
//! budgets), and commits blobs and references only when everything checked out. It writes image
//! archives the way Docker 25+ does, byte for byte reproducibly.
//!
//! Reading order: how compression is detected and removed; how a tar entry's name is judged; the
//! tar walk that decides where a stream may end (Go's rule, shared with the unpacker); the one layer digester
//! (one pass: compression, sizes, diff_id, content size), pushed or pulled; then the
//! operations: `import`, `load`, `save`.
//!
//! `tar` (tar-rs) is used only as a parser and as a header writer; unpacking a layer onto disk is
//! somebody else's job, with fd-relative operations.
//!
//! ```
//! use berth_archive::{import, load, resolve_for_save, save, ImportOptions, LoadOptions, Loaded};
//! use berth_archive::{SaveFormat, SaveOptions};
//! use berth_reference::Reference;
//! use berth_store::Store;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = Store::open(&dir.path().join("store")).unwrap();
//!
//! // A root file system tarball with one file...
//! let mut layer = tar::Builder::new(Vec::new());
//! let mut header = tar::Header::new_gnu();
//! header.set_size(6);
//! header.set_mode(0o644);
//! layer.append_data(&mut header, "etc/motd", &b"hello\n"[..]).unwrap();
//! let layer = layer.into_inner().unwrap();
//!
//! // ...ingested as a one-layer image (`berth import`): digest and diff_id in one pass, entries checked.
//! let name = Reference::parse("example.com/app:1.0").unwrap();
//! let options = ImportOptions { reference: Some(name.clone()), ..ImportOptions::default() };
//! let id = import(&store, &layer[..], &options).unwrap();
//! assert_eq!(store.resolve("example.com/app:1.0").unwrap().id, id);
//!
//! // `berth save --format docker`: a docker-archive (`manifest.json`, `repositories`, blobs).
//! let images = resolve_for_save(&store, &["example.com/app:1.0"]).unwrap();
//! let options = SaveOptions { format: SaveFormat::Docker, ..SaveOptions::default() };
//! let mut archive = Vec::new();
//! save(&store, &images, &options, &mut archive).unwrap();
//!
//! // `berth load` into another store gives the same image back, by the same ID.
//! let other = Store::open(&dir.path().join("other")).unwrap();
//! let loaded = load(&other, &archive[..], &LoadOptions::default()).unwrap();
//! assert_eq!(loaded, vec![Loaded::Tagged(name)]);
//! assert_eq!(other.resolve("example.com/app:1.0").unwrap().id, id);
//! ```

mod compression;
mod entry;
mod error;
mod pgzip;
pub mod scan;

mod digester;
mod layer;
mod pipeline;

mod check;

mod import;
mod load;

mod fileat;
mod filecopy;
mod save;
mod tarball;

mod atomic;
mod progress;

pub use atomic::write_atomically;
pub use check::check_layers;
pub use compression::{decompressing_reader, Compression};
pub use digester::{Entries, LayerDigester, LayerDigests, Limits, Threads};
pub use entry::{clean_path, MAX_NAME_LEN};
pub use error::{Error, Result};
pub use import::{import, ImportOptions};
pub use layer::{check_layer, ingest_layer, IngestedLayer};
pub use load::{
    load, load_dir, load_file, LoadOptions, Loaded, MAX_ARCHIVE_MANIFEST_BYTES, MAX_DOCUMENT_BYTES,
    MAX_ENTRIES,
};
pub use pgzip::ParallelGzEncoder;
pub use progress::{Progress, Reporter};
pub use save::{resolve_for_save, save, save_to_file, SaveFormat, SaveImage, SaveOptions};

#[cfg(test)]
mod tests;
