//! Replacing a file all at once or not at all: the one atomic write of every crate (the store's
//! `index.json` and layer records, `save -o`, Docker's config.json, the registry client's hints,
//! container records and bundle files).
//!
//! A fresh temporary file is created beside the target with `O_CREAT | O_EXCL | O_NOFOLLOW` (so it is
//! never an existing file or a symlink someone planted), written, `fsync`ed, renamed over the target
//! (a rename replaces a symlink at the target, it never writes through one) and the directory is
//! `fsync`ed so the rename survives a crash. Names are single path components: opened relative to a
//! directory fd they cannot leave it, which keeps the store's rule that nothing beneath its root is
//! reached through a symlink (the directory fd itself comes from `openat2(RESOLVE_BENEATH)`). While it
//! exists the temporary file is registered for removal if the command is interrupted (`cleanup.rs`);
//! dropped without [`AtomicFile::commit`], it is removed and the target is untouched.

use std::{
    ffi::{OsStr, OsString},
    fs::File,
    io,
    os::{
        fd::{AsFd, OwnedFd},
        unix::ffi::OsStrExt,
    },
    path::Path,
};

use rustix::{
    fs::{AtFlags, Mode, OFlags, CWD},
    io::Errno,
};

use crate::cleanup::Registration;

/// How many fresh temporary names are tried when one is taken (by a leftover or a planted file).
const NAME_ATTEMPTS: u32 = 100;

/// The permission bits of a file written by [`AtomicFile`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permissions {
    /// The mode handed to `open(2)`, less the process umask: what a new file of this kind would get
    /// (`0o600` for berth's own state, `0o666` for files a container reads as any user).
    Create(u32),
    /// Exactly this mode whatever the umask: a rewritten credentials file keeps the mode it had.
    Exact(u32),
}

/// A temporary file that replaces `dir/name` when committed; dropped uncommitted, it is removed.
#[derive(Debug)]
pub struct AtomicFile {
    file: File,
    dir: OwnedFd,
    name: OsString,
    temp: OsString,
    /// Set once the temporary name is gone (renamed or removed).
    done: bool,
    _registration: Option<Registration>,
}

impl AtomicFile {
    /// Creates the temporary file for replacing `dir/name` (a single path component).
    pub fn create(
        dir: impl AsFd,
        name: impl AsRef<OsStr>,
        permissions: Permissions,
    ) -> io::Result<AtomicFile> {
        let name = name.as_ref();
        check_name(name)?;
        let dir = dir.as_fd().try_clone_to_owned()?;
        let (create_mode, exact) = match permissions {
            Permissions::Create(mode) => (mode, None),
            Permissions::Exact(mode) => (0o600, Some(mode)),
        };
        let mut attempt = 0;
        let (file, temp, registration) = loop {
            // `.<name>.tmp-<pid>-<nanos>-<counter>`: hidden, and swept by `gc.rs` if a crash leaves it.
            let mut temp = OsString::from(".");
            temp.push(name);
            temp.push(super::unique_name(".tmp"));
            let created = crate::cleanup::create_registered(&dir, &temp, || {
                Ok(rustix::fs::openat(
                    &dir,
                    temp.as_os_str(),
                    OFlags::WRONLY
                        | OFlags::CREATE
                        | OFlags::EXCL
                        | OFlags::NOFOLLOW
                        | OFlags::CLOEXEC,
                    Mode::from_raw_mode(create_mode),
                )?)
            });
            match created {
                Ok((fd, registration)) => break (File::from(fd), temp, registration),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < NAME_ATTEMPTS => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        };
        let atomic = AtomicFile {
            file,
            dir,
            name: name.to_owned(),
            temp,
            done: false,
            _registration: registration,
        };
        if let Some(mode) = exact {
            // Dropping `atomic` on failure removes the temporary file.
            rustix::fs::fchmod(&atomic.file, Mode::from_raw_mode(mode))?;
        }
        Ok(atomic)
    }

    /// Creates the temporary file for replacing the file at `path`. Symlinks in the directory part
    /// are followed (it is a path a user gave); the file name itself is never followed.
    pub fn create_path(path: &Path, permissions: Permissions) -> io::Result<AtomicFile> {
        let (dir, name) = split_path(path)?;
        let dir = rustix::fs::openat(
            CWD,
            dir,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        AtomicFile::create(&dir, name, permissions)
    }

    /// The temporary file, to write the new contents into.
    pub fn file_mut(&mut self) -> &mut File {
        &mut self.file
    }

    /// Syncs the new contents, renames them over the target and syncs the directory.
    pub fn commit(mut self) -> io::Result<()> {
        self.file.sync_all()?;
        rustix::fs::renameat(
            &self.dir,
            self.temp.as_os_str(),
            &self.dir,
            self.name.as_os_str(),
        )?;
        self.done = true;
        match rustix::fs::fsync(&self.dir) {
            // A file system that cannot sync a directory has nothing more to make durable.
            Ok(()) | Err(Errno::INVAL) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

impl io::Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = rustix::fs::unlinkat(&self.dir, self.temp.as_os_str(), AtFlags::empty());
        }
    }
}

/// Replaces `dir/name` with `contents` (see [`AtomicFile`]).
pub fn write_atomic(
    dir: impl AsFd,
    name: impl AsRef<OsStr>,
    contents: &[u8],
    permissions: Permissions,
) -> io::Result<()> {
    let mut file = AtomicFile::create(dir, name, permissions)?;
    io::Write::write_all(&mut file, contents)?;
    file.commit()
}

/// Replaces the file at `path` with `contents` (see [`AtomicFile::create_path`]).
pub fn write_atomic_path(path: &Path, contents: &[u8], permissions: Permissions) -> io::Result<()> {
    let mut file = AtomicFile::create_path(path, permissions)?;
    io::Write::write_all(&mut file, contents)?;
    file.commit()
}

/// `path` as its directory (`.` when it has none) and its file name, which must be a plain name.
fn split_path(path: &Path) -> io::Result<(&Path, &OsStr)> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a file path: {}", path.display()),
        )
    })?;
    check_name(name)?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    Ok((dir, name))
}

/// A single path component: not empty, `.`, `..`, and without `/` or NUL.
fn check_name(name: &OsStr) -> io::Result<()> {
    let bytes = name.as_bytes();
    if bytes.is_empty()
        || bytes == b"."
        || bytes == b".."
        || bytes.contains(&b'/')
        || bytes.contains(&0)
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a file name: {}", name.to_string_lossy()),
        ));
    }
    Ok(())
}
