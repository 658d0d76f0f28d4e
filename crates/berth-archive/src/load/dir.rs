//! `load` of an OCI image layout directory (or an unpacked docker-archive): the directory is
//! streamed as a tar through the very same reader as an archive file, so every check of `load`
//! (digests, diff_ids, path and symlink rules, size caps) applies unchanged.
//!
//! The tar is written on a helper thread with `follow_symlinks(false)`: a symlink in the directory
//! travels as a symlink and is judged by the archive rules (inside the archive, at most one hop),
//! never followed on the host.

use std::{io, path::Path};

use berth_store::Store;

use super::{load, LoadOptions, Loaded};
use crate::{
    error::{Error, Result},
    pipeline,
};

/// Loads every image of an OCI layout (or docker-archive) directory into the store.
pub fn load_dir(store: &Store, dir: &Path, options: &LoadOptions) -> Result<Vec<Loaded>> {
    let metadata =
        std::fs::symlink_metadata(dir).map_err(Error::io(format!("open {}", dir.display())))?;
    if !metadata.is_dir() {
        return Err(Error::InvalidArchive(format!(
            "{} is not a directory",
            dir.display()
        )));
    }
    let (writer, reader) = pipeline::writer_channel();
    std::thread::scope(|scope| {
        let producer = scope.spawn(move || tar_directory(dir, writer));
        let loaded = load(store, reader, options);
        let produced = producer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the directory reader panicked")));
        match (loaded, produced) {
            (Ok(loaded), Ok(())) => Ok(loaded),
            // A read error in the directory explains a truncated stream better than the tar error.
            (_, Err(e)) if e.kind() != io::ErrorKind::BrokenPipe => {
                Err(Error::io(format!("read {}", dir.display()))(e))
            }
            (Err(e), _) => Err(e),
            (Ok(_), Err(e)) => Err(Error::io(format!("read {}", dir.display()))(e)),
        }
    })
}

fn tar_directory(dir: &Path, writer: pipeline::ChannelWriter) -> io::Result<()> {
    let mut builder = tar::Builder::new(writer);
    builder.follow_symlinks(false);
    builder.mode(tar::HeaderMode::Deterministic);
    builder.append_dir_all(".", dir)?;
    builder.into_inner()?.finish();
    Ok(())
}
