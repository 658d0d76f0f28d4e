//! Resumable partial downloads: one writer per file.
//!
//! A download keeps its bytes in `berth/ingest/partial-<alg>-<hex>` so that the next attempt can
//! continue where an interrupted one stopped. Two processes fetching the same blob at once must not
//! share that file: their writes would interleave, and the one that commits first would rename a
//! file that the other keeps writing into (a committed blob changed under its name), or leave the
//! other with nothing to rename. So the file belongs to whoever holds an exclusive `flock` on it,
//! from the moment it is opened until it is renamed into `blobs/` or removed; a writer that finds it
//! locked writes a private temporary file instead (not resumable, but its own).
//!
//! Only a lock holder renames or unlinks a partial file. A writer that opened the name just before
//! the holder renamed or removed it would lock the old inode (now a blob, or nothing) once the holder
//! lets go; it therefore checks, after locking, that the name still refers to the file it locked,
//! and starts again otherwise.

use std::{fs::File, io, os::fd::AsFd};

use berth_digest::Digest;
use rustix::{
    fs::{AtFlags, FlockOperation, OFlags},
    io::Errno,
};

use crate::fs;

/// Prefix of ingest files that survive a crash so a download can resume (`partial-sha256-<hex>`).
pub(crate) const PARTIAL_PREFIX: &str = "partial-";

/// How often a writer starts again when the partial file was renamed or removed under it. Each
/// retry means another writer committed or dropped the file in the meantime; past this many, the
/// caller writes a private file rather than wait.
const MAX_ATTEMPTS: usize = 8;

/// The ingest file name of `digest`'s partial download.
pub(crate) fn partial_name(digest: &Digest) -> String {
    format!(
        "{PARTIAL_PREFIX}{}-{}",
        digest.algorithm(),
        digest.encoded()
    )
}

/// Opens (creating it if missing) and exclusively locks the partial file `name` in `dir`.
/// `None` when another writer holds it.
pub(crate) fn lock_partial(dir: impl AsFd, name: &str) -> io::Result<Option<File>> {
    for _ in 0..MAX_ATTEMPTS {
        let fd = fs::open_beneath(&dir, name, OFlags::RDWR | OFlags::CREATE, 0o600)?;
        match rustix::fs::flock(&fd, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(Errno::WOULDBLOCK) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
        let locked = rustix::fs::fstat(&fd)?;
        match rustix::fs::statat(&dir, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(named) if (named.st_dev, named.st_ino) == (locked.st_dev, locked.st_ino) => {
                return Ok(Some(File::from(fd)));
            }
            // Committed or removed by the writer that held it before us: that inode is not ours.
            Ok(_) | Err(Errno::NOENT) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests;
