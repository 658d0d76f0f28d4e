//! The build context: a directory read in place, a tar stream unpacked safely into the build's
//! scratch directory, or nothing (`docker build - < Dockerfile`), with `.dockerignore` applied as
//! BuildKit applies it.
//!
//! Everything is read through the context's directory fd: sources are resolved inside it
//! (`openat2(RESOLVE_IN_ROOT)`) and walked with `O_NOFOLLOW`, so a symlink in the context is copied
//! as a symlink and never followed out of the context.

use std::{
    io::Read,
    os::fd::{AsFd, BorrowedFd, OwnedFd},
    path::{Path, PathBuf},
};

use berth_container::unpack::{self, fs::open_in_root, path::RootPath, UnpackOptions, Whiteouts};
use berth_dockerfile::ignore::{ignore_file_for, read_patterns, Matcher};
use rustix::fs::OFlags;

use crate::error::{Error, Result};

mod digests;

pub(crate) use digests::{FileDigests, FileFacts};

/// Largest Dockerfile or ignore file read (BuildKit refuses larger Dockerfiles too).
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Where the build context comes from (the CLI turns `PATH | URL | -` into one of these;
/// a URL tarball is downloaded by the CLI and given as `Tar`).
pub enum ContextSource {
    /// A directory on disk, read in place (never written), symlinks never followed out of it.
    Dir(PathBuf),
    /// A tar stream (plain, gzip, bzip2, xz, zstd: detected by magic bytes) — `docker build - < ctx.tar`
    /// or a downloaded URL. Unpacked safely (berth-container's fd-relative unpacker) into `scratch`.
    Tar(Box<dyn Read + Send>),
    /// `docker build - < Dockerfile`: the Dockerfile alone, an empty context.
    Empty,
}

/// An opened build context.
pub struct Context {
    root: OwnedFd,
    ignore: Option<Matcher>,
    /// A directory context's remembered file digests ([`Context::remember_digests`]).
    digests: Option<FileDigests>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("ignore", &self.ignore.is_some())
            .finish_non_exhaustive()
    }
}

impl Context {
    /// Opens the context. `scratch` is a private directory the build owns (under the store's tmp);
    /// a Tar context is unpacked there and removed with it.
    pub fn open(source: ContextSource, scratch: &Path) -> Result<Context> {
        let root = match source {
            ContextSource::Dir(dir) => {
                let root = rustix::fs::open(
                    &dir,
                    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                    rustix::fs::Mode::empty(),
                )
                .map_err(|e| {
                    Error::io(format!(
                        "unable to prepare context: path {:?} not found",
                        dir.display().to_string()
                    ))(e.into())
                })?;
                root
            }
            ContextSource::Tar(reader) => {
                let root = unpack::open_root(&scratch.join("context"))?;
                let layer = unpack::decompress(reader)?;
                unpack::unpack_layer(
                    root.as_fd(),
                    layer,
                    None,
                    &UnpackOptions::new(Whiteouts::Apply),
                )?;
                root
            }
            ContextSource::Empty => unpack::open_root(&scratch.join("context"))?,
        };
        Ok(Context {
            root,
            ignore: None,
            digests: None,
        })
    }

    /// The Dockerfile's text: `name` is the `-f` path inside the context (default `Dockerfile`);
    /// as the CLI does, `dockerfile` (lower case) is read when `Dockerfile` is missing. The
    /// Dockerfile is read even when `.dockerignore` excludes it (BuildKit reads it apart from
    /// the files COPY sees).
    pub fn dockerfile(&self, name: &str) -> Result<String> {
        match self.read_file(name)? {
            Some(text) => Ok(text),
            None if name == "Dockerfile" => self
                .read_file("dockerfile")?
                .ok_or_else(|| Error::NoDockerfile(name.to_owned())),
            None => Err(Error::NoDockerfile(name.to_owned())),
        }
    }

    /// Reads `NAME.dockerignore` or `.dockerignore` (berth_dockerfile's `ignore_file_for`) and
    /// applies it: afterwards ignored paths are invisible to COPY and ADD. As BuildKit, the
    /// Dockerfile and the ignore file themselves are ignored too when a pattern says so.
    pub fn apply_ignore(&mut self, dockerfile_name: &str) -> Result<()> {
        let name = berth_dockerfile::ignore::clean(dockerfile_name);
        let name = name.trim_start_matches('/');
        let exists = |path: &str| matches!(self.read_file(path), Ok(Some(_)));
        let Some(file) = ignore_file_for(name, &exists) else {
            return Ok(());
        };
        let text = self.read_file(&file)?.unwrap_or_default();
        let patterns = read_patterns(&text);
        self.ignore = Some(Matcher::new(&patterns)?);
        Ok(())
    }

    /// Remembers the digests of a directory context's files in `memo_dir` between builds (one
    /// file per context directory), so a rebuild reads only what changed. Saved by
    /// [`Context::save_digests`].
    pub fn remember_digests(&mut self, memo_dir: &Path, context_dir: &Path) {
        self.digests = Some(FileDigests::load(
            memo_dir.join(digests::memo_name(context_dir)),
        ));
    }

    /// Writes the digests this build used (see [`Context::remember_digests`]).
    pub fn save_digests(&self) {
        if let Some(digests) = &self.digests {
            digests.save();
        }
    }

    /// The remembered digests, for the checksum of COPY/ADD sources.
    pub(crate) fn digests(&self) -> Option<&FileDigests> {
        self.digests.as_ref()
    }

    /// The context's directory.
    pub(crate) fn root(&self) -> BorrowedFd<'_> {
        self.root.as_fd()
    }

    /// Whether `path` (relative, `/`-separated, clean) is excluded by `.dockerignore`.
    pub(crate) fn is_ignored(&self, path: &str) -> Result<bool> {
        match &self.ignore {
            Some(matcher) if !path.is_empty() => Ok(matcher.matches(path)?),
            _ => Ok(false),
        }
    }

    /// Whether a `.dockerignore` applies at all.
    pub(crate) fn has_ignore_rules(&self) -> bool {
        self.ignore.is_some()
    }

    /// Whether an ignored directory must still be walked (an exception may re-include a child).
    pub(crate) fn walk_ignored_dirs(&self) -> bool {
        self.ignore.as_ref().is_some_and(Matcher::has_exclusions)
    }

    /// A regular file of the context (resolved inside it); `None` when missing or not a file.
    fn read_file(&self, name: &str) -> Result<Option<String>> {
        let Ok(path) = RootPath::clean(name.as_bytes()) else {
            return Ok(None);
        };
        let fd = match open_in_root(self.root.as_fd(), &path, OFlags::RDONLY) {
            Ok(fd) => fd,
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound
                    || e.raw_os_error() == Some(rustix::io::Errno::NOTDIR.raw_os_error()) =>
            {
                return Ok(None)
            }
            Err(e) => return Err(Error::io(format!("open {name}"))(e)),
        };
        let file = std::fs::File::from(fd);
        if !file.metadata().is_ok_and(|m| m.is_file()) {
            return Ok(None);
        }
        let bytes = berth_store::fs::read_file_bounded(&file, MAX_FILE_BYTES)
            .map_err(Error::io(format!("read {name}")))?;
        Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
    }
}

#[cfg(test)]
mod tests;
