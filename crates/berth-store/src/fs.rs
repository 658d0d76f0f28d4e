//! File primitives: the one atomic write (`atomic.rs`) and the one bounded read (`bounded.rs`) of
//! every crate, and the store's own operations relative to directory fds, which never follow a
//! symlink inside the store.

mod atomic;
mod bounded;
#[cfg(test)]
mod tests;

pub use atomic::{write_atomic, write_atomic_path, AtomicFile, Permissions};
pub use bounded::{exceeded_limit, read_bounded, read_file_bounded};

use std::{
    fs::File,
    io,
    os::fd::{AsFd, OwnedFd},
    sync::atomic::{AtomicU64, Ordering},
};

use rustix::fs::{Mode, OFlags, ResolveFlags};

/// berth's own files in the store: readable by the owner only (the store is private, `private.rs`).
pub(crate) const PRIVATE_FILE: Permissions = Permissions::Create(0o600);

const RESOLVE: ResolveFlags = ResolveFlags::BENEATH
    .union(ResolveFlags::NO_SYMLINKS)
    .union(ResolveFlags::NO_MAGICLINKS);

/// Opens `path` beneath `dir`, refusing symlinks and `..` anywhere on the way.
pub(crate) fn open_beneath(
    dir: impl AsFd,
    path: &str,
    flags: OFlags,
    mode: u32,
) -> io::Result<OwnedFd> {
    Ok(rustix::fs::openat2(
        dir,
        path,
        flags | OFlags::CLOEXEC | OFlags::NOFOLLOW,
        Mode::from_raw_mode(mode),
        RESOLVE,
    )?)
}

pub(crate) fn open_dir(dir: impl AsFd, path: &str) -> io::Result<OwnedFd> {
    open_beneath(dir, path, OFlags::RDONLY | OFlags::DIRECTORY, 0)
}

/// Opens an existing regular file for reading; anything else (symlink, fifo, device) is refused.
pub(crate) fn open_file(dir: impl AsFd, path: &str) -> io::Result<File> {
    let fd = open_beneath(dir, path, OFlags::RDONLY, 0)?;
    let file = File::from(fd);
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{path} is not a regular file"),
        ));
    }
    Ok(file)
}

/// Creates `path` in `dir` if missing, private to the owner (`private.rs`; a symlink in its place is
/// an error).
pub(crate) fn ensure_dir(dir: impl AsFd, path: &str) -> io::Result<OwnedFd> {
    match rustix::fs::mkdirat(
        &dir,
        path,
        Mode::from_raw_mode(crate::private::PRIVATE_MODE),
    ) {
        Ok(()) | Err(rustix::io::Errno::EXIST) => {}
        Err(e) => return Err(e.into()),
    }
    open_dir(dir, path)
}

/// A name no other process or thread will pick: `prefix-<pid>-<nanos>-<counter>`.
pub(crate) fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{prefix}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Creates a new temporary file in `dir` (mode 0600), registered for removal if the command is interrupted (see
/// `cleanup.rs`); dropping the registration keeps the file.
pub(crate) fn create_temp(
    dir: impl AsFd,
    prefix: &str,
) -> io::Result<(File, String, Option<crate::cleanup::Registration>)> {
    let name = unique_name(prefix);
    let (fd, registration) = crate::cleanup::create_registered(&dir, &name, || {
        open_beneath(
            &dir,
            &name,
            OFlags::RDWR | OFlags::CREATE | OFlags::EXCL,
            0o600,
        )
    })?;
    Ok((File::from(fd), name, registration))
}

pub(crate) fn unlink(dir: impl AsFd, name: &str) -> io::Result<()> {
    Ok(rustix::fs::unlinkat(
        dir,
        name,
        rustix::fs::AtFlags::empty(),
    )?)
}

/// Names in a directory (without `.` and `..`).
pub(crate) fn list_dir(dir: impl AsFd) -> io::Result<Vec<String>> {
    let fd = rustix::fs::openat(
        &dir,
        ".",
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let mut names = Vec::new();
    for entry in rustix::fs::Dir::read_from(&fd)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy();
        if name != "." && name != ".." {
            names.push(name.into_owned());
        }
    }
    Ok(names)
}
