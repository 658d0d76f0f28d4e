//! File descriptor-relative operations that never leave a root directory.
//!
//! Every parent directory is resolved with `openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)`: the kernel
//! treats the root fd as `/`, so an absolute symlink in the image (`var/run -> /run`) or a `..` chain is
//! resolved inside the rootfs, atomically, with no path-string check to race (CVE-2018-15664). The last
//! component of an entry is then handled relative to its parent fd and never followed.

use std::{
    io,
    os::fd::{AsFd, BorrowedFd, OwnedFd},
};

use rustix::{
    fs::{AtFlags, FileType, Mode, OFlags, ResolveFlags},
    io::Errno,
};

use super::path::{os, RootPath};
use crate::error::{Error, Result};

/// How often `openat2` is retried when the kernel reports a concurrent rename (`EAGAIN`).
const OPENAT2_RETRIES: usize = 16;

/// Opens `path` inside `root`, resolving symlinks as if `root` were `/`.
pub fn open_in_root(root: BorrowedFd<'_>, path: &RootPath, flags: OFlags) -> io::Result<OwnedFd> {
    let relative = path.to_relative();
    let resolve = ResolveFlags::IN_ROOT | ResolveFlags::NO_MAGICLINKS;
    let mut attempts = 0;
    loop {
        match rustix::fs::openat2(
            root,
            os(&relative),
            flags | OFlags::CLOEXEC,
            Mode::empty(),
            resolve,
        ) {
            Err(Errno::AGAIN) if attempts < OPENAT2_RETRIES => attempts += 1,
            other => return other.map_err(io::Error::from),
        }
    }
}

/// Opens a directory inside `root` (following in-root symlinks on the way), for use as a parent fd.
pub fn open_dir_in_root(root: BorrowedFd<'_>, path: &RootPath) -> io::Result<OwnedFd> {
    open_in_root(root, path, OFlags::PATH | OFlags::DIRECTORY)
}

/// Most symlinks followed while creating one directory path (as Linux's `MAXSYMLINKS` and containerd).
const MAX_SYMLINKS: usize = 40;

/// `mkdir -p` inside `root`: each missing component is created with `mkdirat` in its already-resolved
/// parent; a dangling symlink on the way is followed inside the root and its target created (as Docker's
/// `MkdirAll` in the root does). Returns the innermost directory.
pub fn mkdir_all_in_root(root: BorrowedFd<'_>, path: &RootPath) -> Result<OwnedFd> {
    mkdir_all_following(root, path, 0)
}

fn mkdir_all_following(root: BorrowedFd<'_>, path: &RootPath, links: usize) -> Result<OwnedFd> {
    match open_dir_in_root(root, path) {
        Ok(fd) => return Ok(fd),
        Err(e) if e.raw_os_error() == Some(Errno::NOSYS.raw_os_error()) => {
            return Err(Error::NoOpenat2)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(format!("open {}", path.to_absolute()))(e)),
    }
    let mut dir = open_dir_in_root(root, &RootPath(Vec::new()))
        .map_err(Error::io("open the root directory"))?;
    for (i, component) in path.0.iter().enumerate() {
        let prefix = RootPath(path.0[..=i].to_vec());
        let open_error = || Error::io(format!("open {}", prefix.to_absolute()));
        match open_dir_in_root(root, &prefix) {
            Ok(fd) => dir = fd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let is_symlink = lstat_at(dir.as_fd(), component)
                    .map_err(open_error())?
                    .is_some_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Symlink);
                if is_symlink {
                    if links >= MAX_SYMLINKS {
                        return Err(open_error()(Errno::LOOP.into()));
                    }
                    let target = rustix::fs::readlinkat(&dir, os(component), Vec::new())
                        .map_err(|e| open_error()(e.into()))?;
                    let target = target.as_bytes();
                    let mut joined = if target.starts_with(b"/") {
                        Vec::new()
                    } else {
                        RootPath(path.0[..i].to_vec()).to_relative()
                    };
                    joined.push(b'/');
                    joined.extend_from_slice(target);
                    let mut resolved = RootPath::clean_clamped(&joined);
                    resolved.0.extend_from_slice(&path.0[i + 1..]);
                    return mkdir_all_following(root, &resolved, links + 1);
                }
                match rustix::fs::mkdirat(&dir, os(component), Mode::from_raw_mode(0o755)) {
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => {
                        return Err(Error::io(format!("create {}", prefix.to_absolute()))(
                            e.into(),
                        ))
                    }
                }
                dir = open_dir_in_root(root, &prefix).map_err(open_error())?;
            }
            Err(e) => return Err(open_error()(e)),
        }
    }
    Ok(dir)
}

/// `lstat` of `name` in `dir`; `None` if it does not exist.
pub fn lstat_at(dir: BorrowedFd<'_>, name: &[u8]) -> io::Result<Option<rustix::fs::Stat>> {
    match rustix::fs::statat(dir, os(name), AtFlags::SYMLINK_NOFOLLOW) {
        Ok(stat) => Ok(Some(stat)),
        Err(Errno::NOENT) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Removes `name` from `dir`, recursively for a directory, without following any symlink
/// (std's `remove_dir_all` had a symlink race, CVE-2022-21658; this walks fds only).
pub fn remove_all_at(dir: BorrowedFd<'_>, name: &[u8]) -> io::Result<()> {
    let Some(stat) = lstat_at(dir, name)? else {
        return Ok(());
    };
    if FileType::from_raw_mode(stat.st_mode) == FileType::Directory {
        let child = rustix::fs::openat(
            dir,
            os(name),
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        clear_dir(child.as_fd(), |_| false)?;
        rustix::fs::unlinkat(dir, os(name), AtFlags::REMOVEDIR)?;
    } else {
        rustix::fs::unlinkat(dir, os(name), AtFlags::empty())?;
    }
    Ok(())
}

/// Removes every child of `dir` for which `keep` is false.
pub fn clear_dir(dir: BorrowedFd<'_>, keep: impl Fn(&[u8]) -> bool) -> io::Result<()> {
    for name in list_dir(dir)? {
        if !keep(&name) {
            remove_all_at(dir, &name)?;
        }
    }
    Ok(())
}

/// The names in a directory, without `.` and `..`, sorted (so archives and diffs are reproducible).
pub fn list_dir(dir: BorrowedFd<'_>) -> io::Result<Vec<Vec<u8>>> {
    let mut names = Vec::new();
    for entry in rustix::fs::Dir::read_from(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_bytes();
        if name != b"." && name != b".." {
            names.push(name.to_vec());
        }
    }
    names.sort();
    Ok(names)
}

/// Opens `name` in `dir` without following a symlink there.
pub fn open_nofollow(dir: impl AsFd, name: &[u8], flags: OFlags) -> io::Result<OwnedFd> {
    rustix::fs::openat(
        dir,
        os(name),
        flags | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(io::Error::from)
}

/// The extended attributes of an open file whose names `keep` accepts, sorted by name; none where
/// the file system has none. A file without any costs one `flistxattr` into a small buffer on the
/// stack (a layer's files mostly have none, and a zeroed 64 KiB buffer per file was a commit's
/// largest `memset`); Linux's limits (64 KiB of names, 64 KiB a value) only when needed.
pub fn read_xattrs(fd: BorrowedFd<'_>, keep: impl Fn(&str) -> bool) -> Vec<(String, Vec<u8>)> {
    const LIMIT: usize = 64 * 1024;
    let mut small = [0u8; 512];
    let mut large = Vec::new();
    let names: &[u8] = match rustix::fs::flistxattr(fd, &mut small[..]) {
        Ok(len) => &small[..len],
        Err(Errno::RANGE) => {
            large.resize(LIMIT, 0);
            match rustix::fs::flistxattr(fd, &mut large[..]) {
                Ok(len) => &large[..len],
                Err(_) => return Vec::new(),
            }
        }
        Err(_) => return Vec::new(),
    };
    let mut out = Vec::new();
    for name in names.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let Ok(name) = std::str::from_utf8(name) else {
            continue;
        };
        if !keep(name) {
            continue;
        }
        let mut value = vec![0u8; 4096];
        let read = match rustix::fs::fgetxattr(fd, name, &mut value[..]) {
            Err(Errno::RANGE) => {
                value.resize(LIMIT, 0);
                rustix::fs::fgetxattr(fd, name, &mut value[..])
            }
            read => read,
        };
        // A value that went away in between is left out.
        if let Ok(n) = read {
            value.truncate(n);
            out.push((name.to_owned(), value));
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    type Xattrs = Vec<(String, Vec<u8>)>;

    /// Files with no attributes, a few, more names than the first buffer holds, a value larger
    /// than the first buffer; each read back whole, sorted, with the names `keep` refuses left
    /// out. On tmpfs: ext4 holds at most a block of attributes per file.
    #[test]
    fn read_xattrs_reads_every_size() {
        let dir = tempfile::tempdir_in("/dev/shm").unwrap();
        let many: Xattrs = (0..40)
            .map(|i| (format!("user.attribute-number-{i:02}"), vec![b'v'; i]))
            .collect();
        let cases: [(&str, Xattrs); 4] = [
            ("none", vec![]),
            (
                "few",
                vec![
                    ("user.b".into(), b"2".to_vec()),
                    ("user.a".into(), b"1".to_vec()),
                ],
            ),
            ("many", many),
            ("large", vec![("user.big".into(), vec![7u8; 10_000])]),
        ];
        for (name, attributes) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, b"").unwrap();
            for (key, value) in &attributes {
                rustix::fs::setxattr(&path, key.as_str(), value, rustix::fs::XattrFlags::empty())
                    .unwrap();
            }
            let file = std::fs::File::open(&path).unwrap();
            let mut expected = attributes.clone();
            expected.sort();
            assert_eq!(read_xattrs(file.as_fd(), |_| true), expected, "{name}");
            expected.retain(|(key, _)| !key.ends_with('1') && key != "user.big");
            let kept = read_xattrs(file.as_fd(), |key| !key.ends_with('1') && key != "user.big");
            assert_eq!(kept, expected, "{name}, filtered");
        }
    }
}
