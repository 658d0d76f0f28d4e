//! Content-addressed blobs: verified ingest, atomic commit, bounded reads.
//!
//! Every ingest file has one writer: a throwaway one is created exclusively under a unique name, a
//! resumable one is locked by its writer (`partial.rs`). So the bytes renamed into `blobs/` are the
//! bytes that were hashed, and nothing writes to a blob once it is committed. Two writers of the same
//! blob both succeed: the second rename replaces the name with another verified copy of the same
//! bytes (which also repairs a blob found corrupt).

use std::{
    fs::File,
    io::{self, Seek, Write},
    os::fd::OwnedFd,
};

use berth_digest::{Algorithm, Digest, Expected, Hasher};

use crate::{
    error::{Error, Result},
    fs, partial,
    writeback::Writeback,
    Store,
};

/// Prefix of ingest files that are thrown away when their writer goes.
const TEMP_PREFIX: &str = "tmp";

impl Store {
    pub fn has_blob(&self, digest: &Digest) -> bool {
        self.blob_size(digest).ok().flatten().is_some()
    }

    /// Size of a stored blob, or `None` if it is absent.
    pub fn blob_size(&self, digest: &Digest) -> Result<Option<u64>> {
        match self.open_blob(digest) {
            Ok(file) => Ok(Some(
                file.metadata()
                    .map_err(Error::io(format!("stat blob {digest}")))?
                    .len(),
            )),
            Err(Error::BlobNotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Opens a stored blob for reading. Only regular files directly under `blobs/<alg>/` are accepted.
    pub fn open_blob(&self, digest: &Digest) -> Result<File> {
        if digest.algorithm() != Algorithm::Sha256 {
            return Err(Error::BlobNotFound(digest.clone()));
        }
        match fs::open_file(&self.blobs_fd, digest.encoded()) {
            Ok(file) => Ok(file),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                Err(Error::BlobNotFound(digest.clone()))
            }
            Err(e) => Err(Error::Io {
                action: format!("open blob {digest}"),
                source: e,
            }),
        }
    }

    /// Path of a blob for tools that need one (e.g. to hand to another program); read it with `open_blob`.
    pub fn blob_path(&self, digest: &Digest) -> std::path::PathBuf {
        self.root()
            .join("blobs")
            .join(digest.algorithm().name())
            .join(digest.encoded())
    }

    /// Reads a whole blob of at most `max` bytes and checks its digest (documents are re-verified on every read).
    pub fn read_blob(&self, digest: &Digest, max: u64) -> Result<Vec<u8>> {
        let file = self.open_blob(digest)?;
        let size = file
            .metadata()
            .map_err(Error::io(format!("stat blob {digest}")))?
            .len();
        if size > max {
            return Err(Error::BlobTooLarge {
                digest: digest.clone(),
                size,
            });
        }
        let bytes =
            fs::read_file_bounded(&file, max).map_err(|e| match fs::exceeded_limit(&e) {
                // Grown since it was measured: no committed blob does that, and this one is refused.
                Some(limit) => Error::BlobTooLarge {
                    digest: digest.clone(),
                    size: limit + 1,
                },
                None => Error::io(format!("read blob {digest}"))(e),
            })?;
        digest.verify(&bytes).map_err(Error::Verify)?;
        Ok(bytes)
    }

    /// Stores a small in-memory blob (a manifest or config) and returns its digest. A stored copy
    /// is kept only if it still holds these bytes: a corrupt one is replaced.
    pub fn write_blob(&self, bytes: &[u8]) -> Result<Digest> {
        let digest = Digest::sha256(bytes);
        if self.read_blob(&digest, bytes.len() as u64).is_ok() {
            return Ok(digest);
        }
        let mut ingest = self.ingest()?;
        ingest.write_all(bytes).map_err(Error::io("write blob"))?;
        self.commit_blob(
            ingest.finish()?,
            Some(&Expected::new(digest.clone(), Some(bytes.len() as u64))),
        )
    }

    /// Starts writing a new blob into the ingest area. Nothing is visible until [`Store::commit_blob`].
    pub fn ingest(&self) -> Result<Ingest> {
        let dir = self
            .ingest_fd
            .try_clone()
            .map_err(Error::io("open ingest directory"))?;
        let (file, name, registration) =
            fs::create_temp(&dir, TEMP_PREFIX).map_err(Error::io("create ingest file"))?;
        Ok(Ingest {
            temp: TempFile {
                file,
                name,
                dir,
                on_drop: OnDrop::Remove,
                registration,
                writeback: Writeback::default(),
            },
            hasher: Hasher::sha256(),
            size: 0,
            digest_source: DigestSource::Hashing,
        })
    }

    /// Opens (or creates) the resumable ingest file for `digest` and locks it for this writer: what an
    /// earlier, interrupted writer left is re-hashed, and writing continues at its end. The file
    /// survives this process unless committed, discarded or still empty. When another writer holds
    /// it, this one gets a private throwaway ingest instead (see `partial.rs`).
    pub fn resume_ingest(&self, digest: &Digest) -> Result<Ingest> {
        let dir = self
            .ingest_fd
            .try_clone()
            .map_err(Error::io("open ingest directory"))?;
        let name = partial::partial_name(digest);
        let Some(mut file) =
            partial::lock_partial(&dir, &name).map_err(Error::io("open partial download"))?
        else {
            tracing::debug!(%digest, "another writer holds the partial download; writing a private copy");
            return self.ingest();
        };
        let mut hasher = Hasher::sha256();
        let size = io::copy(&mut (&mut file), &mut hasher)
            .map_err(Error::io("re-hash partial download"))?;
        file.seek(io::SeekFrom::End(0))
            .map_err(Error::io("seek partial download"))?;
        Ok(Ingest {
            temp: TempFile {
                file,
                name,
                dir,
                on_drop: OnDrop::KeepIfNotEmpty,
                registration: None,
                writeback: Writeback::default(),
            },
            hasher,
            size,
            digest_source: DigestSource::Hashing,
        })
    }

    /// Verifies a finished ingest against `expected` and moves it under `blobs/`. A blob of the
    /// same digest already there is replaced by this verified copy: the same bytes, or the right
    /// ones if it was corrupt. (A reader that opened the old file keeps reading it.)
    pub fn commit_blob(&self, pending: PendingBlob, expected: Option<&Expected>) -> Result<Digest> {
        if let Some(expected) = expected {
            if let Err(e) = expected.check(&pending.digest, pending.size) {
                pending.discard();
                return Err(Error::Verify(e));
            }
        }
        let PendingBlob {
            mut temp,
            digest,
            size,
        } = pending;
        temp.writeback
            .finish()
            .and_then(|()| temp.file.sync_all())
            .map_err(Error::io(format!("sync blob {digest}")))?;
        rustix::fs::renameat(
            &temp.dir,
            temp.name.as_str(),
            &self.blobs_fd,
            digest.encoded(),
        )
        .map_err(|e| Error::Io {
            action: format!("commit blob {digest}"),
            source: e.into(),
        })?;
        temp.on_drop = OnDrop::Committed;
        temp.registration = None;
        rustix::fs::fsync(&self.blobs_fd).map_err(|e| Error::Io {
            action: "sync blobs".into(),
            source: e.into(),
        })?;
        tracing::debug!(%digest, size, "committed blob");
        Ok(digest)
    }

    pub(crate) fn delete_blob(&self, digest: &Digest) -> Result<()> {
        fs::unlink(&self.blobs_fd, digest.encoded())
            .map_err(Error::io(format!("delete blob {digest}")))
    }

    /// Every blob under `blobs/sha256/`; names that are not digests are reported as `Err(name)`.
    pub fn list_blobs(&self) -> Result<Vec<Result<Digest, String>>> {
        let names = fs::list_dir(&self.blobs_fd).map_err(Error::io("list blobs"))?;
        Ok(names
            .into_iter()
            .map(|name| Digest::from_parts(Algorithm::Sha256, &name).map_err(|_| name))
            .collect())
    }

    pub(crate) fn list_ingest(&self) -> Result<Vec<String>> {
        fs::list_dir(&self.ingest_fd).map_err(Error::io("list ingest directory"))
    }

    pub(crate) fn remove_ingest(&self, name: &str) -> Result<()> {
        fs::unlink(&self.ingest_fd, name).map_err(Error::io(format!("remove ingest file {name}")))
    }

    pub(crate) fn is_temp_ingest(name: &str) -> bool {
        name.starts_with(TEMP_PREFIX)
    }

    /// Whether `name` is a partial download that holds no byte.
    pub(crate) fn is_empty_partial(&self, name: &str) -> bool {
        name.starts_with(partial::PARTIAL_PREFIX)
            && fs::open_file(&self.ingest_fd, name)
                .is_ok_and(|file| file.metadata().is_ok_and(|metadata| metadata.len() == 0))
    }
}

/// What becomes of an ingest file when its writer drops it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnDrop {
    /// A throwaway file (or a discarded one): removed.
    Remove,
    /// A resumable download, locked by this writer: kept for the next attempt if it holds a byte.
    KeepIfNotEmpty,
    /// Renamed into `blobs/`: its old name in the ingest area may be another writer's file now.
    Committed,
}

/// A file in the ingest area, with one writer; on drop it is removed, kept or left as committed.
struct TempFile {
    file: File,
    name: String,
    dir: OwnedFd,
    on_drop: OnDrop,
    /// Removal on SIGINT/SIGTERM, while the file is a throwaway one.
    registration: Option<crate::cleanup::Registration>,
    /// Disk writes started while the file is written (see `writeback.rs`).
    writeback: Writeback,
}

impl Drop for TempFile {
    /// Runs while the file (and its lock) is still open: only its writer touches its name.
    fn drop(&mut self) {
        let remove = match self.on_drop {
            OnDrop::Remove => true,
            // A download that failed before its first byte leaves nothing to resume.
            OnDrop::KeepIfNotEmpty => self.file.metadata().is_ok_and(|m| m.len() == 0),
            OnDrop::Committed => false,
        };
        if remove {
            let _ = fs::unlink(&self.dir, &self.name);
        }
    }
}

/// A blob being written. Hashes as it goes; dropped without commit, its temp file is removed
/// (a resumable one is kept for the next attempt).
pub struct Ingest {
    temp: TempFile,
    hasher: Hasher,
    size: u64,
    /// Where the blob's digest comes from.
    digest_source: DigestSource,
}

/// An ingest hashes what it writes, unless the caller computes the same digest elsewhere.
enum DigestSource {
    Hashing,
    /// [`Ingest::defer_digest`] was called; [`Ingest::set_digest`] fills this in.
    Deferred(Option<Digest>),
}

impl Ingest {
    /// Bytes written so far (for a resumed ingest, including what was there before).
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Stops hashing what is written, because the caller hashes the very same bytes on another thread
    /// (an uncompressed layer's digest is its diff_id); it then hands the digest over with
    /// [`Ingest::set_digest`] before [`Ingest::finish`]. Only possible before anything was written.
    pub fn defer_digest(&mut self) -> bool {
        if self.size == 0 && matches!(self.digest_source, DigestSource::Hashing) {
            self.digest_source = DigestSource::Deferred(None);
            true
        } else {
            false
        }
    }

    /// The digest of everything written, computed by the caller after [`Ingest::defer_digest`].
    pub fn set_digest(&mut self, digest: Digest) {
        if let DigestSource::Deferred(slot) = &mut self.digest_source {
            *slot = Some(digest);
        }
    }

    /// Ends writing; the blob still has to be committed.
    pub fn finish(mut self) -> Result<PendingBlob> {
        self.temp
            .file
            .flush()
            .map_err(Error::io("flush ingest file"))?;
        let digest = match std::mem::replace(&mut self.digest_source, DigestSource::Hashing) {
            DigestSource::Hashing => std::mem::replace(&mut self.hasher, Hasher::sha256()).finish(),
            DigestSource::Deferred(Some(digest)) => digest,
            DigestSource::Deferred(None) => {
                return Err(Error::Io {
                    action: "finish an ingest".into(),
                    source: io::Error::other("its digest was deferred but never provided"),
                })
            }
        };
        Ok(PendingBlob {
            digest,
            size: self.size,
            temp: self.temp,
        })
    }

    /// Throws the partial content away, even a resumable one.
    pub fn discard(mut self) {
        self.temp.on_drop = OnDrop::Remove;
    }

    /// Reads what was written so far, from the start, without moving the write position.
    /// (The ingest writes straight to its file, unbuffered.)
    pub fn contents(&self) -> impl io::Read + '_ {
        ReadAt {
            file: &self.temp.file,
            position: 0,
        }
    }
}

/// Positioned reads over a file that is still being written.
struct ReadAt<'a> {
    file: &'a File,
    position: u64,
}

impl io::Read for ReadAt<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = std::os::unix::fs::FileExt::read_at(self.file, buf, self.position)?;
        self.position += n as u64;
        Ok(n)
    }
}

impl Write for Ingest {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.temp.file.write(buf)?;
        self.temp.writeback.wrote(&self.temp.file, n as u64);
        if matches!(self.digest_source, DigestSource::Hashing) {
            self.hasher.update(&buf[..n]);
        }
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temp.file.flush()
    }
}

/// A fully written, not yet committed blob.
pub struct PendingBlob {
    temp: TempFile,
    digest: Digest,
    size: u64,
}

impl PendingBlob {
    pub fn digest(&self) -> &Digest {
        &self.digest
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Reads the pending content back from the start (e.g. to decompress and check a diff_id before commit).
    pub fn reader(&self) -> Result<File> {
        let mut file = self
            .temp
            .file
            .try_clone()
            .map_err(Error::io("reopen ingest file"))?;
        file.rewind().map_err(Error::io("rewind ingest file"))?;
        Ok(file)
    }

    /// Removes the content, even a resumable one.
    pub fn discard(mut self) {
        self.temp.on_drop = OnDrop::Remove;
    }
}
