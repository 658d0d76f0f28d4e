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

mod compression;
mod entry;
mod error;
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

pub use atomic::write_atomically;
pub use check::check_layers;
pub use compression::{decompressing_reader, Compression};
pub use digester::{Entries, LayerDigester, LayerDigests, Limits};
pub use entry::{clean_path, MAX_NAME_LEN};
pub use error::{Error, Result};
pub use import::{import, ImportOptions};
pub use layer::{check_layer, ingest_layer, IngestedLayer};
pub use load::{
    load, load_dir, load_file, LoadOptions, Loaded, MAX_ARCHIVE_MANIFEST_BYTES, MAX_DOCUMENT_BYTES,
    MAX_ENTRIES,
};
pub use save::{resolve_for_save, save, save_to_file, SaveFormat, SaveImage, SaveOptions};

#[cfg(test)]
mod tests;
