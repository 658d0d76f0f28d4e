//! Saving into a regular file: blob bytes move inside the kernel while both cores check digests.
//!
//! Streaming `save` reads every blob into memory and writes it out again (two copies), and its
//! one hashing thread is what bounds it: sha256 runs at about 1.7 GB/s per core here, a copy at
//! several times that. When the archive is a regular file, `copy_file_range(2)` moves the bytes
//! (one copy in the kernel, or none on a filesystem with reflinks) and the digests are checked
//! separately, one blob per core at a time, largest first. A blob that does not match its digest
//! still fails the save; the caller removes the partial archive.

use std::{
    fs::File,
    io::{self, Read},
    sync::{
        atomic::{AtomicBool, Ordering},
        Mutex,
    },
};

use berth_digest::{Digest, Expected, Hasher};
use berth_store::Store;

use crate::error::{Error, Result};

/// Bytes per `copy_file_range` call: well under the kernel's cap (about 2 GiB), so that a large layer's progress moves (one call per 64 MiB costs
/// nothing measurable).
const COPY_STEP: u64 = 64 << 20;
/// Buffer for hashing a blob, and for the plain copy when the kernel cannot do it.
const READ_BUFFER: usize = 1 << 20;

/// Copies exactly `size` bytes from `source`'s start to `out`'s current position, telling `copied`
/// the bytes of each step.
pub(crate) fn copy_exact(
    mut source: File,
    out: &File,
    size: u64,
    what: &str,
    copied: &dyn Fn(u64),
) -> Result<()> {
    let mut done = 0u64;
    while done < size {
        match rustix::fs::copy_file_range(
            &source,
            None,
            out,
            None,
            (size - done).min(COPY_STEP) as usize,
        ) {
            Ok(0) => {
                return Err(Error::InvalidArchive(format!(
                    "{what}: expected {size} bytes, read {done}"
                )))
            }
            Ok(n) => {
                done += n as u64;
                copied(n as u64);
            }
            Err(rustix::io::Errno::INTR) => {}
            // Filesystems or file kinds the kernel cannot copy between (or an `O_APPEND` output):
            // copy through memory from where the kernel stopped.
            Err(
                rustix::io::Errno::XDEV
                | rustix::io::Errno::NOSYS
                | rustix::io::Errno::OPNOTSUPP
                | rustix::io::Errno::INVAL
                | rustix::io::Errno::BADF,
            ) => {
                copy_through_memory(&mut source, out, size - done, size, what)?;
                copied(size - done);
                return Ok(());
            }
            Err(e) => return Err(Error::io(format!("copy {what} into the archive"))(e.into())),
        }
    }
    Ok(())
}

fn copy_through_memory(
    source: &mut File,
    mut out: &File,
    remaining: u64,
    size: u64,
    what: &str,
) -> Result<()> {
    let mut buffer = vec![0u8; READ_BUFFER];
    let mut left = remaining;
    while left > 0 {
        let want = buffer
            .len()
            .min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = match source.read(&mut buffer[..want]) {
            Ok(0) => {
                return Err(Error::InvalidArchive(format!(
                    "{what}: expected {size} bytes, read {}",
                    size - left
                )))
            }
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(format!("read {what}"))(e)),
        };
        io::Write::write_all(&mut out, &buffer[..n]).map_err(Error::io("write the archive"))?;
        left -= n as u64;
    }
    Ok(())
}

/// Blobs whose digests are checked by every thread that calls [`Verifier::work`].
pub(crate) struct Verifier<'a> {
    store: &'a Store,
    /// Smallest first, so `pop` hands out the largest blob left.
    queue: Mutex<Vec<(Digest, u64)>>,
    failure: Mutex<Option<Error>>,
    failed: AtomicBool,
}

impl<'a> Verifier<'a> {
    pub(crate) fn new(store: &'a Store, mut blobs: Vec<(Digest, u64)>) -> Verifier<'a> {
        blobs.sort_by_key(|(_, size)| *size);
        Verifier {
            store,
            queue: Mutex::new(blobs),
            failure: Mutex::new(None),
            failed: AtomicBool::new(false),
        }
    }

    /// Checks blobs until none are left or one failed.
    pub(crate) fn work(&self) {
        let mut buffer = vec![0u8; READ_BUFFER];
        while !self.failed.load(Ordering::Relaxed) {
            let next = self.queue.lock().map_or(None, |mut queue| queue.pop());
            let Some((digest, size)) = next else { return };
            if let Err(error) = self.check(&digest, size, &mut buffer) {
                self.failed.store(true, Ordering::Relaxed);
                if let Ok(mut failure) = self.failure.lock() {
                    failure.get_or_insert(error);
                }
            }
        }
    }

    /// Stops every thread after the blob it is checking (the archive failed anyway).
    pub(crate) fn abandon(&self) {
        self.failed.store(true, Ordering::Relaxed);
    }

    /// The first failure, once every thread has stopped working.
    pub(crate) fn finish(self) -> Result<()> {
        match self.failure.into_inner() {
            Ok(Some(error)) => Err(error),
            Ok(None) => Ok(()),
            Err(_) => Err(Error::io("verify blobs")(io::Error::other(
                "a verifying thread panicked",
            ))),
        }
    }

    fn check(&self, digest: &Digest, size: u64, buffer: &mut [u8]) -> Result<()> {
        let mut file = self.store.open_blob(digest)?;
        let mut hasher = Hasher::new(digest.algorithm());
        let mut count = 0u64;
        loop {
            let n = match file.read(buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(format!("read blob {digest}"))(e)),
            };
            hasher.update(&buffer[..n]);
            count += n as u64;
            if self.failed.load(Ordering::Relaxed) {
                return Ok(());
            }
        }
        Expected::new(digest.clone(), Some(size))
            .check(&hasher.finish(), count)
            .map_err(|source| Error::BlobMismatch {
                expected: digest.clone(),
                source,
            })
    }
}
