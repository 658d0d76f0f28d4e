//! Directory trees to tar streams: a container's changes (its overlay upper directory) for `commit`,
//! and its whole root filesystem for `export`.
//!
//! The walk is fd-relative and never follows a symlink: a container's `x -> /etc/shadow` is archived as
//! a symlink, not as the host's file (the `tar` crate's `Builder` follows symlinks by default). Overlay
//! whiteouts (0:0 character devices) become `.wh.<name>` files and opaque directories a `.wh..wh..opq`
//! entry, as moby's `ConvertWrite` does; `trusted.overlay.*` attributes never leave the host.

use std::{
    collections::HashMap,
    io::{self, Write},
    os::fd::{AsFd, BorrowedFd},
    path::PathBuf,
};

use rustix::fs::{FileType, OFlags};

use crate::{
    error::{Error, Result},
    unpack::{
        at,
        fs::{list_dir, lstat_at, open_nofollow},
        path::{os, RootPath, OPAQUE_WHITEOUT, WHITEOUT_PREFIX},
        OVERLAY_OPAQUE_XATTR,
    },
};

/// Which tree is being archived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// An overlay upper directory: whiteouts and opaque markers are converted.
    OverlayUpper,
    /// A plain tree (a mounted or copied rootfs): archived as it is.
    Plain,
}

/// Writes tar entries for a tree; hard links are detected by inode.
pub struct TreeWriter<W: Write> {
    builder: tar::Builder<W>,
    source: Source,
    links: HashMap<(u64, u64), PathBuf>,
    /// Paths (relative, no leading `/`) left out, with everything below them.
    pub exclude: Vec<RootPath>,
    /// Whether a directory entry brings what is below it (off when the caller lists every path).
    pub recursive: bool,
}

impl<W: Write> TreeWriter<W> {
    pub fn new(writer: W, source: Source) -> TreeWriter<W> {
        let mut builder = tar::Builder::new(writer);
        builder.follow_symlinks(false);
        TreeWriter {
            builder,
            source,
            links: HashMap::new(),
            exclude: Vec::new(),
            recursive: true,
        }
    }

    /// A `.wh.<name>` entry in `parent`: `name` was deleted.
    pub fn append_whiteout(&mut self, parent: &RootPath, name: &[u8]) -> Result<()> {
        let mut whiteout = WHITEOUT_PREFIX.to_vec();
        whiteout.extend_from_slice(name);
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o600);
        header.set_size(0);
        self.builder
            .append_data(&mut header, relative(&parent.join(&whiteout)), io::empty())
            .map_err(Error::io(format!(
                "archive whiteout {}",
                parent.join(name).to_absolute()
            )))
    }

    /// Archives the children of `dir` (recursively) under `prefix`.
    pub fn append_tree(&mut self, dir: BorrowedFd<'_>, prefix: &RootPath) -> Result<()> {
        let names = list_dir(dir).map_err(Error::io(format!("list {}", prefix.to_absolute())))?;
        for name in names {
            let path = prefix.join(&name);
            if self.exclude.iter().any(|e| path.starts_with(e)) {
                continue;
            }
            self.append_entry(dir, &name, &path)?;
        }
        Ok(())
    }

    /// Archives one entry of `dir` (and, for a directory, what is below it).
    pub fn append_entry(
        &mut self,
        dir: BorrowedFd<'_>,
        name: &[u8],
        path: &RootPath,
    ) -> Result<()> {
        let Some(stat) = lstat_at(dir, name).map_err(at(path, "stat"))? else {
            return Ok(()); // removed while we walked
        };
        let file_type = FileType::from_raw_mode(stat.st_mode);
        let mut header = tar::Header::new_gnu();
        header.set_mode(stat.st_mode & 0o7777);
        header.set_uid(u64::from(stat.st_uid));
        header.set_gid(u64::from(stat.st_gid));
        header.set_mtime(u64::try_from(stat.st_mtime).unwrap_or(0));
        header.set_size(0);
        let found = Found {
            dir,
            name,
            path,
            stat: &stat,
        };
        match file_type {
            FileType::CharacterDevice
                if stat.st_rdev == 0 && self.source == Source::OverlayUpper =>
            {
                match path.split_last() {
                    Some((parent, target)) => self.append_whiteout(&parent, target),
                    None => Ok(()),
                }
            }
            FileType::Directory => self.append_dir(&found, header),
            FileType::RegularFile => self.append_file(&found, header),
            FileType::Symlink => {
                let target = rustix::fs::readlinkat(dir, os(name), Vec::new())
                    .map_err(|e| at(path, "read link")(e.into()))?;
                header.set_entry_type(tar::EntryType::Symlink);
                self.builder
                    .append_link(&mut header, relative(path), os(target.as_bytes()))
                    .map_err(at(path, "archive"))
            }
            FileType::CharacterDevice | FileType::BlockDevice | FileType::Fifo => {
                self.append_node(&found, header, file_type)
            }
            _ => Ok(()), // sockets and unknown types are not archived (as Docker)
        }
    }

    /// A directory, its opaque marker when overlayfs made it opaque, and (recursive) its tree.
    fn append_dir(&mut self, found: &Found<'_>, mut header: tar::Header) -> Result<()> {
        let path = found.path;
        let child = open_nofollow(found.dir, found.name, OFlags::RDONLY | OFlags::DIRECTORY)
            .map_err(at(path, "open"))?;
        header.set_entry_type(tar::EntryType::Directory);
        let xattrs = xattrs(child.as_fd());
        let opaque = self.source == Source::OverlayUpper
            && xattrs
                .iter()
                .any(|(k, v)| k == OVERLAY_OPAQUE_XATTR && v.as_slice() == b"y");
        self.append_pax(&xattrs)?;
        self.builder
            .append_data(&mut header, relative(path), io::empty())
            .map_err(at(path, "archive"))?;
        if opaque {
            let mut marker = tar::Header::new_gnu();
            marker.set_entry_type(tar::EntryType::Regular);
            marker.set_mode(0o600);
            marker.set_mtime(u64::try_from(found.stat.st_mtime).unwrap_or(0));
            marker.set_size(0);
            self.builder
                .append_data(
                    &mut marker,
                    relative(&path.join(OPAQUE_WHITEOUT)),
                    io::empty(),
                )
                .map_err(at(path, "archive"))?;
        }
        if self.recursive {
            self.append_tree(child.as_fd(), path)?;
        }
        Ok(())
    }

    /// A regular file, or a hard link to the first path of it this archive holds.
    fn append_file(&mut self, found: &Found<'_>, mut header: tar::Header) -> Result<()> {
        let (path, stat) = (found.path, found.stat);
        let tar_path = relative(path);
        if stat.st_nlink > 1 {
            let key = (stat.st_dev, stat.st_ino);
            if let Some(first) = self.links.get(&key) {
                header.set_entry_type(tar::EntryType::Link);
                let first = first.clone();
                return self
                    .builder
                    .append_link(&mut header, &tar_path, first)
                    .map_err(at(path, "archive"));
            }
            self.links.insert(key, tar_path.clone());
        }
        let file =
            open_nofollow(found.dir, found.name, OFlags::RDONLY).map_err(at(path, "open"))?;
        let xattrs = xattrs(file.as_fd());
        self.append_pax(&xattrs)?;
        let file = std::fs::File::from(file);
        let size = u64::try_from(stat.st_size).unwrap_or(0);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(size);
        // Exactly `size` bytes: a file that grows meanwhile is cut, one that shrinks padded,
        // so the archive stays well-formed (a paused container does not change it at all).
        let reader = io::Read::take(
            io::Read::chain(io::Read::take(file, size), io::repeat(0)),
            size,
        );
        self.builder
            .append_data(&mut header, &tar_path, reader)
            .map_err(at(path, "archive"))
    }

    /// A device node or a FIFO.
    fn append_node(
        &mut self,
        found: &Found<'_>,
        mut header: tar::Header,
        file_type: FileType,
    ) -> Result<()> {
        let path = found.path;
        header.set_entry_type(match file_type {
            FileType::CharacterDevice => tar::EntryType::Char,
            FileType::BlockDevice => tar::EntryType::Block,
            _ => tar::EntryType::Fifo,
        });
        if file_type != FileType::Fifo {
            header
                .set_device_major(rustix::fs::major(found.stat.st_rdev))
                .map_err(at(path, "archive"))?;
            header
                .set_device_minor(rustix::fs::minor(found.stat.st_rdev))
                .map_err(at(path, "archive"))?;
        }
        self.builder
            .append_data(&mut header, relative(path), io::empty())
            .map_err(at(path, "archive"))
    }

    fn append_pax(&mut self, xattrs: &[(String, Vec<u8>)]) -> Result<()> {
        let records: Vec<(String, &[u8])> = xattrs
            .iter()
            .filter(|(k, _)| !k.starts_with("trusted.overlay."))
            .map(|(k, v)| (format!("SCHILY.xattr.{k}"), v.as_slice()))
            .collect();
        if records.is_empty() {
            return Ok(());
        }
        self.builder
            .append_pax_extensions(records.iter().map(|(k, v)| (k.as_str(), *v)))
            .map_err(Error::io("archive extended attributes"))
    }

    /// Writes the end-of-archive blocks and returns the writer.
    pub fn finish(self) -> Result<W> {
        self.builder
            .into_inner()
            .map_err(Error::io("finish the archive"))
    }
}

/// One entry found in the tree: its last component `name` in the open directory `dir`.
struct Found<'a> {
    dir: BorrowedFd<'a>,
    name: &'a [u8],
    path: &'a RootPath,
    stat: &'a rustix::fs::Stat,
}

fn relative(path: &RootPath) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(&path.to_relative()))
}

/// The extended attributes of an open file (none where the filesystem has none).
pub(crate) fn xattrs(fd: BorrowedFd<'_>) -> Vec<(String, Vec<u8>)> {
    crate::unpack::fs::read_xattrs(fd, |_| true)
}
