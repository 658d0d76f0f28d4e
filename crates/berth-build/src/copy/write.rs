//! Writing into the step's rootfs: every path resolved inside the rootfs fd
//! (`openat2(RESOLVE_IN_ROOT)`), every entry created relative to its parent fd with
//! `O_NOFOLLOW`/`O_EXCL`, so no symlink of the image can make a COPY write outside it.

use std::{
    collections::HashMap,
    io,
    os::fd::{AsFd, BorrowedFd, OwnedFd},
    sync::Arc,
};

use berth_container::unpack::{
    fs::{
        lstat_at, mkdir_all_in_root, open_dir_in_root, open_in_root, open_nofollow, remove_all_at,
    },
    path::{os, RootPath},
};
use rustix::fs::{
    AtFlags, FileType, Gid, Mode, OFlags, Stat, Timespec, Timestamps, Uid, XattrFlags,
};

use super::files::{FileJob, Files};
use super::source::{display, missing, Node, Visit};
use crate::error::{Error, Result};

/// Who owns what a COPY writes, and its mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Attributes {
    /// `--chown`, resolved; `None` keeps the source's owner (0:0 for the context).
    pub owner: Option<(u32, u32)>,
    /// `--chmod`: the permission bits of every file and directory copied.
    pub mode: Option<u32>,
    /// Whether the source is the build context: owners are 0:0 and a directory that has
    /// entries gets the time of the copy (BuildKit's context transfer sets it so).
    pub from_context: bool,
}

pub(crate) struct Writer<'r> {
    pub root: BorrowedFd<'r>,
    pub attributes: Attributes,
    /// Hard links within one source: the first destination of each source inode.
    links: HashMap<(u64, u64), RootPath>,
    /// The directories being written, outermost first (the walk's own nesting): their times
    /// are set when their children are done, and their children are made through their fds.
    open_dirs: Vec<OpenDir>,
    /// Directories whose times are set once the files in them are written ([`Writer::finish`]).
    dir_times: Vec<(RootPath, Timespec)>,
    /// The regular files, written on worker threads.
    files: Files,
    /// Directories handed files so far (the next one's slot).
    slots: usize,
}

/// A directory a COPY writes into.
struct OpenDir {
    path: RootPath,
    fd: Arc<OwnedFd>,
    /// The source directory's time.
    time: Timespec,
    /// Made by this copy: nothing inside it can exist yet, so no name needs looking up.
    fresh: bool,
    /// Its number: which worker writes its files.
    slot: usize,
}

pub(crate) fn at(path: &RootPath, action: &str) -> impl FnOnce(io::Error) -> Error {
    let what = format!("{action} {}", display(path));
    move |e| Error::io(what)(e)
}

fn errno(e: rustix::io::Errno) -> io::Error {
    e.into()
}

impl<'r> Writer<'r> {
    pub fn new(root: BorrowedFd<'r>, attributes: Attributes) -> Writer<'r> {
        Writer {
            root,
            attributes,
            links: HashMap::new(),
            open_dirs: Vec::new(),
            dir_times: Vec::new(),
            files: Files::default(),
            slots: 0,
        }
    }

    /// The owner of a new parent directory (fsutil's `MkdirAll` with the `--chown` user).
    fn dir_owner(&self) -> (u32, u32) {
        self.attributes.owner.unwrap_or((0, 0))
    }

    /// `mkdir -p` inside the root: missing directories created 0755 and owned by the
    /// `--chown` user (or 0:0), existing ones left as they are.
    pub fn mkdir_all(&self, path: &RootPath) -> Result<OwnedFd> {
        let mut dir =
            open_dir_in_root(self.root, &RootPath(Vec::new())).map_err(at(path, "open"))?;
        for (i, component) in path.0.iter().enumerate() {
            let prefix = RootPath(path.0[..=i].to_vec());
            match open_dir_in_root(self.root, &prefix) {
                Ok(fd) => {
                    dir = fd;
                    continue;
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) if e.raw_os_error() == Some(rustix::io::Errno::NOTDIR.raw_os_error()) => {
                    return Err(Error::NotADirectory(display(&prefix)));
                }
                Err(e) => return Err(at(&prefix, "open")(e)),
            }
            let existing = lstat_at(dir.as_fd(), component).map_err(at(&prefix, "stat"))?;
            if existing.is_some() {
                // A dangling symlink: followed inside the root as Docker's MkdirAll does.
                return Ok(mkdir_all_in_root(self.root, path)?);
            }
            rustix::fs::mkdirat(&dir, os(component), Mode::from_raw_mode(0o755))
                .map_err(|e| at(&prefix, "create")(errno(e)))?;
            let created = open_nofollow(&dir, component, OFlags::RDONLY | OFlags::DIRECTORY)
                .map_err(at(&prefix, "open"))?;
            let (uid, gid) = self.dir_owner();
            rustix::fs::fchown(&created, Some(Uid::from_raw(uid)), Some(Gid::from_raw(gid)))
                .map_err(|e| at(&prefix, "chown")(errno(e)))?;
            rustix::fs::fchmod(&created, Mode::from_raw_mode(0o755))
                .map_err(|e| at(&prefix, "chmod")(errno(e)))?;
            dir = created;
        }
        Ok(dir)
    }

    /// The `stat` of `path` followed inside the root; `None` when missing.
    pub fn stat(&self, path: &RootPath) -> Result<Option<Stat>> {
        match open_in_root(self.root, path, OFlags::PATH) {
            Ok(fd) => Ok(Some(
                rustix::fs::fstat(&fd).map_err(|e| at(path, "stat")(errno(e)))?,
            )),
            Err(e) if missing(&e) => Ok(None),
            Err(e) => Err(at(path, "stat")(e)),
        }
    }

    /// Writes one walked entry at `target` + its relative path. The top directory's own
    /// metadata is never taken from the source (fsutil copies a directory's contents into it).
    pub fn write(&mut self, target: &RootPath, visit: &Visit<'_>) -> Result<()> {
        let path = RootPath(target.0.iter().chain(visit.rel.iter()).cloned().collect());
        let top = visit.rel.is_empty();
        if let Node::Leave { empty } = visit.node {
            if self.open_dirs.last().is_some_and(|d| d.path == path) {
                let done = self.open_dirs.pop().expect("checked");
                if !self.attributes.from_context || empty {
                    self.dir_times.push((done.path, done.time));
                }
            }
            return Ok(());
        }
        let Some((parent, name)) = path.split_last() else {
            // The root itself: its contents are copied, nothing else.
            return Ok(());
        };
        let (dir, fresh_parent, slot) = match self.open_dirs.last() {
            Some(open) if !top && open.path == parent => {
                (Arc::clone(&open.fd), open.fresh, open.slot)
            }
            _ if top => (Arc::new(self.mkdir_all(&parent)?), false, self.next_slot()),
            _ => (
                Arc::new(open_dir_in_root(self.root, &parent).map_err(at(&parent, "open"))?),
                false,
                self.next_slot(),
            ),
        };
        let existing = if fresh_parent {
            None
        } else {
            lstat_at(dir.as_fd(), name).map_err(at(&path, "stat"))?
        };
        let existing_dir =
            existing.is_some_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Directory);
        if let Node::Dir = visit.node {
            if existing.is_some() && !existing_dir {
                return Err(Error::NotADirectory(display(&path)));
            }
            if !existing_dir {
                rustix::fs::mkdirat(&dir, os(name), Mode::from_raw_mode(0o700))
                    .map_err(|e| at(&path, "create")(errno(e)))?;
            } else if top {
                return Ok(()); // an existing destination keeps its metadata
            }
            let fd = open_nofollow(&dir, name, OFlags::RDONLY | OFlags::DIRECTORY)
                .map_err(at(&path, "open"))?;
            self.set_attributes(fd.as_fd(), &path, visit)?;
            let slot = self.next_slot();
            self.open_dirs.push(OpenDir {
                path,
                fd: Arc::new(fd),
                time: mtime(visit.stat),
                fresh: !existing_dir,
                slot,
            });
            return Ok(());
        }
        if existing_dir {
            return Err(Error::ReplaceDirectory(display(&path)));
        }
        let inode = (visit.stat.st_dev, visit.stat.st_ino);
        if visit.stat.st_nlink > 1 && self.links.get(&inode) == Some(&path) {
            return Ok(()); // the same file again (`*.txt` onto one name matched its link)
        }
        if existing.is_some() {
            remove_all_at(dir.as_fd(), name).map_err(at(&path, "replace"))?;
        }
        if visit.stat.st_nlink > 1 {
            if let Some(first) = self.links.get(&inode) {
                if let Some((first_parent, first_name)) = first.split_last() {
                    self.files.wait()?; // the first link may still be being written
                    let first_dir = open_dir_in_root(self.root, &first_parent)
                        .map_err(at(&first_parent, "open"))?;
                    rustix::fs::linkat(
                        &first_dir,
                        os(first_name),
                        &dir,
                        os(name),
                        AtFlags::empty(),
                    )
                    .map_err(|e| at(&path, "link")(errno(e)))?;
                    return Ok(());
                }
            }
            self.links.insert(inode, path.clone());
        }
        match &visit.node {
            Node::File(source) => {
                let job = FileJob {
                    source: source.open().map_err(at(&path, "read"))?,
                    owner: self.owner(visit.stat),
                    mode: self.attributes.mode.unwrap_or(visit.stat.st_mode & 0o7777),
                    mtime: mtime(visit.stat),
                    dir,
                    name: name.to_vec(),
                    path,
                };
                self.files.send(job, slot)?;
            }
            Node::Symlink(target) => {
                rustix::fs::symlinkat(os(target), &dir, os(name))
                    .map_err(|e| at(&path, "create symlink")(errno(e)))?;
                let (uid, gid) = self.owner(visit.stat);
                rustix::fs::chownat(
                    &dir,
                    os(name),
                    Some(Uid::from_raw(uid)),
                    Some(Gid::from_raw(gid)),
                    AtFlags::SYMLINK_NOFOLLOW,
                )
                .map_err(|e| at(&path, "chown")(errno(e)))?;
                let _ = rustix::fs::utimensat(
                    &dir,
                    os(name),
                    &times(mtime(visit.stat)),
                    AtFlags::SYMLINK_NOFOLLOW,
                );
            }
            Node::Special => {
                let file_type = FileType::from_raw_mode(visit.stat.st_mode);
                rustix::fs::mknodat(
                    &dir,
                    os(name),
                    file_type,
                    Mode::from_raw_mode(0o600),
                    visit.stat.st_rdev,
                )
                .map_err(|e| at(&path, "create")(errno(e)))?;
                let fd = open_nofollow(&dir, name, OFlags::PATH).map_err(at(&path, "open"))?;
                let (uid, gid) = self.owner(visit.stat);
                let proc = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&fd));
                let _ = rustix::fs::chown(
                    proc.as_str(),
                    Some(Uid::from_raw(uid)),
                    Some(Gid::from_raw(gid)),
                );
                let mode = self.attributes.mode.unwrap_or(visit.stat.st_mode & 0o7777);
                let _ = rustix::fs::chmod(proc.as_str(), Mode::from_raw_mode(mode));
            }
            Node::Dir | Node::Leave { .. } => unreachable!("handled above"),
        }
        Ok(())
    }

    fn next_slot(&mut self) -> usize {
        self.slots += 1;
        self.slots
    }

    /// Waits for the files written so far (before another match of the same pattern, which
    /// may write the same names).
    pub fn wait(&mut self) -> Result<()> {
        self.files.wait()
    }

    /// The walks are over: every file written, then the directories' times set.
    pub fn finish(mut self) -> Result<()> {
        self.files.wait()?;
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW;
        for (path, time) in &self.dir_times {
            if let Ok(fd) = open_in_root(self.root, path, flags) {
                let _ = rustix::fs::futimens(&fd, &times(*time));
            }
        }
        Ok(())
    }

    fn owner(&self, stat: &Stat) -> (u32, u32) {
        match self.attributes.owner {
            Some(owner) => owner,
            None if self.attributes.from_context => (0, 0),
            None => (stat.st_uid, stat.st_gid),
        }
    }

    /// Owner, mode (after chown, which clears set-user-ID bits) and xattrs of a new entry.
    fn set_attributes(&self, fd: BorrowedFd<'_>, path: &RootPath, visit: &Visit<'_>) -> Result<()> {
        let (uid, gid) = self.owner(visit.stat);
        rustix::fs::fchown(fd, Some(Uid::from_raw(uid)), Some(Gid::from_raw(gid)))
            .map_err(|e| at(path, "chown")(errno(e)))?;
        let mode = self.attributes.mode.unwrap_or(visit.stat.st_mode & 0o7777);
        rustix::fs::fchmod(fd, Mode::from_raw_mode(mode))
            .map_err(|e| at(path, "chmod")(errno(e)))?;
        for (name, value) in visit.xattrs().map_err(at(path, "read"))? {
            if let Err(e) = rustix::fs::fsetxattr(fd, name.as_str(), value, XattrFlags::empty()) {
                tracing::debug!(xattr = %name, error = %e, "xattr not copied");
            }
        }
        Ok(())
    }

    /// Writes a file from bytes (a heredoc or a download) at `path`, replacing a non-directory.
    pub fn write_bytes(
        &self,
        path: &RootPath,
        data: &mut dyn io::Read,
        mode: u32,
        mtime: Option<i64>,
    ) -> Result<()> {
        let Some((parent, name)) = path.split_last() else {
            return Err(Error::ReplaceDirectory("/".to_owned()));
        };
        let dir = self.mkdir_all(&parent)?;
        match lstat_at(dir.as_fd(), name).map_err(at(path, "stat"))? {
            Some(st) if FileType::from_raw_mode(st.st_mode) == FileType::Directory => {
                return Err(Error::ReplaceDirectory(display(path)))
            }
            Some(_) => remove_all_at(dir.as_fd(), name).map_err(at(path, "replace"))?,
            None => {}
        }
        let fd = rustix::fs::openat(
            &dir,
            os(name),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )
        .map_err(|e| at(path, "create")(errno(e)))?;
        let mut out = std::fs::File::from(fd);
        io::copy(data, &mut out).map_err(at(path, "write"))?;
        let (uid, gid) = self.dir_owner();
        rustix::fs::fchown(&out, Some(Uid::from_raw(uid)), Some(Gid::from_raw(gid)))
            .map_err(|e| at(path, "chown")(errno(e)))?;
        let mode = self.attributes.mode.unwrap_or(mode);
        rustix::fs::fchmod(&out, Mode::from_raw_mode(mode))
            .map_err(|e| at(path, "chmod")(errno(e)))?;
        if let Some(mtime) = mtime {
            let _ = rustix::fs::futimens(
                &out,
                &times(Timespec {
                    tv_sec: mtime,
                    tv_nsec: 0,
                }),
            );
        }
        Ok(())
    }
}

fn mtime(stat: &Stat) -> Timespec {
    Timespec {
        tv_sec: stat.st_mtime,
        tv_nsec: i64::try_from(stat.st_mtime_nsec).unwrap_or(0),
    }
}

fn times(time: Timespec) -> Timestamps {
    Timestamps {
        last_access: time,
        last_modification: time,
    }
}
