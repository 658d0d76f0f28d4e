//! Safe layer unpacking: a tar stream applied to a directory with fd-relative operations only.
//!
//! The `tar` crate is used as a parser and nothing more (its `unpack` resolves in-image symlinks on the
//! host, see the security checklist). Each entry is cleaned lexically (`RootPath::clean`), its parent is
//! resolved inside the root by the kernel, and its last component is created with `mkdirat`, `openat`
//! (`O_EXCL | O_NOFOLLOW`), `symlinkat`, `linkat` or `mknodat` relative to that parent, so nothing the
//! layer contains can make berth write outside the root. Whiteouts are applied (deletions) or kept in
//! overlayfs form (a 0:0 character device, `trusted.overlay.opaque=y`) for layer snapshots that become
//! overlay `lowerdir`s. The stream is read to its end and its digest compared with the layer's `diff_id`.

pub mod fs;
mod header;
pub mod path;

use std::{
    collections::HashSet,
    io::{self, Read},
    os::fd::{AsFd, BorrowedFd, OwnedFd},
};

use berth_digest::Digest;
use berth_store::LayerInfo;
use rustix::{
    fs::{AtFlags, FileType, Mode, OFlags, Timespec, Timestamps, XattrFlags},
    io::Errno,
};

use crate::error::{Error, Result};
use path::{classify, os, Kind, RootPath};

/// The xattr that marks an opaque directory in an overlayfs upper or lower directory.
pub const OVERLAY_OPAQUE_XATTR: &str = "trusted.overlay.opaque";
/// PAX records that carry extended attributes (as GNU tar and Docker write them).
const PAX_XATTR_PREFIX: &str = "SCHILY.xattr.";

/// What to do with the whiteouts of a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whiteouts {
    /// Delete what they name: the target is the merged tree of all layers so far.
    Apply,
    /// Keep them as overlayfs does (0:0 character devices, opaque xattr): the target holds one layer.
    Overlay,
}

#[derive(Debug, Clone, Copy)]
pub struct UnpackOptions {
    pub whiteouts: Whiteouts,
    /// Whether ownership is applied and device nodes are created (only root can do either).
    pub privileged: bool,
}

impl UnpackOptions {
    /// Options for the current process: privileged when running as root.
    pub fn new(whiteouts: Whiteouts) -> UnpackOptions {
        UnpackOptions {
            whiteouts,
            privileged: rustix::process::geteuid().is_root(),
        }
    }
}

/// Wraps a (possibly compressed) layer blob in the matching decompressor, chosen by its magic bytes
/// (berth-archive's detection: gzip with every member, zstd, bzip2, xz, or plain tar).
pub fn decompress<'a, R: Read + 'a>(reader: R) -> Result<Box<dyn Read + 'a>> {
    match berth_archive::decompressing_reader(reader, None) {
        Ok(Some((_, reader))) => Ok(reader),
        Ok(None) => Ok(Box::new(io::empty())),
        Err(e) => Err(Error::Tar(io::Error::other(e))),
    }
}

/// Applies an uncompressed layer tar to `root` and checks it against `expected_diff_id`; returns
/// what the walk learned of the layer (diff_id, uncompressed and content size).
/// On a mismatch the tree is left as it is; callers unpack into a scratch directory they throw away.
pub fn unpack_layer(
    root: BorrowedFd<'_>,
    layer: impl Read,
    expected_diff_id: Option<&Digest>,
    options: &UnpackOptions,
) -> Result<LayerInfo> {
    let mut applier = Applier {
        root,
        options: *options,
        unpacked: Created::default(),
        dir_times: Vec::new(),
        skipped_devices: 0,
    };
    // berth-archive's walk: the stream may end where Go's archive/tar lets it (docs/archives.md),
    // exactly as `load`, `pull` and `system check` decide. The diff_id covers the bytes as they are,
    // to the end of the stream (ggcr #2303), and the content size is counted as the digester does.
    let info = berth_archive::scan::walk_layer(layer, |entry| applier.apply(entry))?;
    applier.finish();
    if let Some(expected) = expected_diff_id {
        if *expected != info.diff_id {
            return Err(Error::DiffIdMismatch {
                expected: expected.clone(),
                actual: info.diff_id,
            });
        }
    }
    Ok(info)
}

/// One plain entry being created: its last component `name` in the open parent `dir`.
struct NewEntry<'a> {
    dir: BorrowedFd<'a>,
    name: &'a [u8],
    path: &'a RootPath,
    raw_name: &'a [u8],
    meta: &'a Meta,
}

/// The error of `action` (`create`, `write`, …) on `path`.
pub(crate) fn at(path: &RootPath, action: &str) -> impl FnOnce(io::Error) -> Error {
    Error::io(format!("{action} {}", path.to_absolute()))
}

/// The metadata of one entry that is applied after its content.
struct Meta {
    mode: u32,
    uid: u32,
    gid: u32,
    mtime: i64,
    xattrs: Vec<(String, Vec<u8>)>,
}

struct Applier<'r> {
    root: BorrowedFd<'r>,
    options: UnpackOptions,
    /// Paths this layer created: an opaque marker or whiteout later in the same layer keeps them.
    unpacked: Created,
    /// Directory times are set last, after their children stopped changing them.
    dir_times: Vec<(RootPath, i64)>,
    skipped_devices: usize,
}

impl Applier<'_> {
    fn apply<R: Read>(&mut self, entry: &mut tar::Entry<'_, R>) -> Result<()> {
        let raw_name = entry.path_bytes().into_owned();
        let path = RootPath::clean(&raw_name)?;
        let kind = entry.header().entry_type();
        let Some((parent, name)) = path.split_last() else {
            if kind.is_dir() {
                let meta = read_meta(entry, &raw_name)?;
                let fd = fs::open_in_root(self.root, &path, OFlags::RDONLY | OFlags::DIRECTORY)
                    .map_err(Error::io("open the root directory"))?;
                self.set_attributes(fd.as_fd(), &meta, &raw_name)?;
                self.dir_times.push((path, meta.mtime));
                return Ok(());
            }
            return Err(Error::invalid(
                &raw_name,
                "entry would replace the root directory",
            ));
        };
        let name = name.to_vec();
        match classify(&name, &raw_name)? {
            Kind::AufsMeta => Ok(()),
            Kind::Opaque => self.opaque(&parent, &raw_name),
            Kind::Whiteout(target) => self.whiteout(&parent, target, &raw_name),
            Kind::Plain => {
                self.create(entry, &path, &parent, &name, &raw_name)?;
                self.unpacked.insert(path);
                Ok(())
            }
        }
    }

    fn opaque(&mut self, parent: &RootPath, raw_name: &[u8]) -> Result<()> {
        match self.options.whiteouts {
            Whiteouts::Overlay => {
                fs::mkdir_all_in_root(self.root, parent)?;
                let dir = fs::open_in_root(self.root, parent, OFlags::RDONLY | OFlags::DIRECTORY)
                    .map_err(Error::io(format!("open {}", parent.to_absolute())))?;
                rustix::fs::fsetxattr(&dir, OVERLAY_OPAQUE_XATTR, b"y", XattrFlags::empty())
                    .map_err(|e| {
                        Error::io(format!("mark {} opaque", String::from_utf8_lossy(raw_name)))(
                            e.into(),
                        )
                    })
            }
            Whiteouts::Apply => {
                let dir =
                    match fs::open_in_root(self.root, parent, OFlags::RDONLY | OFlags::DIRECTORY) {
                        Ok(dir) => dir,
                        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
                        Err(e) => {
                            return Err(Error::io(format!("open {}", parent.to_absolute()))(e))
                        }
                    };
                // Children this layer already created stay: the marker hides lower layers only,
                // whatever its position in the tar (image-spec, "regardless of the ordering").
                let unpacked = &self.unpacked;
                fs::clear_dir(dir.as_fd(), |child| unpacked.holds(&parent.join(child)))
                    .map_err(Error::io(format!("clear opaque {}", parent.to_absolute())))
            }
        }
    }

    fn whiteout(&mut self, parent: &RootPath, target: &[u8], raw_name: &[u8]) -> Result<()> {
        let target_path = parent.join(target);
        if self.unpacked.holds(&target_path) {
            return Ok(()); // a whiteout hides lower layers, not its own
        }
        match self.options.whiteouts {
            Whiteouts::Apply => {
                let dir = match fs::open_dir_in_root(self.root, parent) {
                    Ok(dir) => dir,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
                    Err(e) if e.raw_os_error() == Some(Errno::NOTDIR.raw_os_error()) => {
                        return Ok(())
                    }
                    Err(e) => return Err(Error::io(format!("open {}", parent.to_absolute()))(e)),
                };
                fs::remove_all_at(dir.as_fd(), target)
                    .map_err(Error::io(format!("delete {}", target_path.to_absolute())))
            }
            Whiteouts::Overlay => {
                let dir = fs::mkdir_all_in_root(self.root, parent)?;
                fs::remove_all_at(dir.as_fd(), target)
                    .map_err(Error::io(format!("replace {}", target_path.to_absolute())))?;
                rustix::fs::mknodat(
                    &dir,
                    os(target),
                    FileType::CharacterDevice,
                    Mode::empty(),
                    0,
                )
                .map_err(|e| {
                    Error::io(format!(
                        "create whiteout {}",
                        String::from_utf8_lossy(raw_name)
                    ))(e.into())
                })
            }
        }
    }

    /// Creates one plain entry: the parent directories, then whatever the name held before
    /// replaced (never written through), then the entry by its kind.
    fn create<R: Read>(
        &mut self,
        entry: &mut tar::Entry<'_, R>,
        path: &RootPath,
        parent: &RootPath,
        name: &[u8],
        raw_name: &[u8],
    ) -> Result<()> {
        let kind = entry.header().entry_type();
        let meta = read_meta(entry, raw_name)?;
        let dir = fs::mkdir_all_in_root(self.root, parent)?;
        let existing = fs::lstat_at(dir.as_fd(), name).map_err(at(path, "stat"))?;
        let existing_is_dir =
            existing.is_some_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Directory);
        if kind.is_hard_link() {
            let target = Self::link_target(entry, raw_name)?;
            if target == *path {
                return Ok(()); // a link to itself: the file is already there
            }
        }
        if existing.is_some() && !(kind.is_dir() && existing_is_dir) {
            // Replace, never write through: a symlink left here by an earlier entry is removed,
            // not followed (RUSTSEC-2026-0067, CVE-2021-32760).
            fs::remove_all_at(dir.as_fd(), name).map_err(at(path, "replace"))?;
        }
        let new = NewEntry {
            dir: dir.as_fd(),
            name,
            path,
            raw_name,
            meta: &meta,
        };
        match kind {
            tar::EntryType::Directory => self.create_dir(&new, existing_is_dir),
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                self.create_file(&new, entry)
            }
            tar::EntryType::Symlink => self.create_symlink(&new, entry),
            tar::EntryType::Link => self.create_hard_link(&new, entry),
            tar::EntryType::Char | tar::EntryType::Block | tar::EntryType::Fifo => {
                self.create_node(&new, entry, kind)
            }
            other => {
                tracing::debug!(
                    name = %String::from_utf8_lossy(raw_name),
                    kind = ?other,
                    "skipping unsupported tar entry type"
                );
                Ok(())
            }
        }
    }

    fn create_dir(&mut self, new: &NewEntry<'_>, existing_is_dir: bool) -> Result<()> {
        if !existing_is_dir {
            rustix::fs::mkdirat(new.dir, os(new.name), Mode::from_raw_mode(0o700))
                .map_err(|e| at(new.path, "create")(e.into()))?;
        }
        let fd = fs::open_nofollow(new.dir, new.name, OFlags::RDONLY | OFlags::DIRECTORY)
            .map_err(at(new.path, "open"))?;
        self.set_attributes(fd.as_fd(), new.meta, new.raw_name)?;
        self.dir_times.push((new.path.clone(), new.meta.mtime));
        Ok(())
    }

    fn create_file<R: Read>(
        &self,
        new: &NewEntry<'_>,
        entry: &mut tar::Entry<'_, R>,
    ) -> Result<()> {
        let fd = rustix::fs::openat(
            new.dir,
            os(new.name),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o600),
        )
        .map_err(|e| at(new.path, "create")(e.into()))?;
        let mut file = std::fs::File::from(fd);
        copy_entry(entry, &mut file).map_err(|(side, e)| match side {
            // A full disk is not the layer's fault: say what could not be written.
            Side::Write => at(new.path, "write")(e),
            Side::Read => Error::Tar(e),
        })?;
        self.set_attributes(file.as_fd(), new.meta, new.raw_name)?;
        set_times(file.as_fd(), new.meta.mtime);
        Ok(())
    }

    fn create_symlink<R: Read>(&self, new: &NewEntry<'_>, entry: &tar::Entry<'_, R>) -> Result<()> {
        let target = entry
            .link_name_bytes()
            .ok_or_else(|| Error::invalid(new.raw_name, "symlink without a target"))?
            .into_owned();
        if target.is_empty() || target.contains(&0) {
            return Err(Error::invalid(new.raw_name, "invalid symlink target"));
        }
        // Stored verbatim: it is resolved later, inside the container's root.
        rustix::fs::symlinkat(os(&target), new.dir, os(new.name))
            .map_err(|e| at(new.path, "create symlink")(e.into()))?;
        self.chown_nofollow(new.dir, new.name, new.meta)?;
        let times = timestamps(new.meta.mtime);
        let _ = rustix::fs::utimensat(new.dir, os(new.name), &times, AtFlags::SYMLINK_NOFOLLOW);
        Ok(())
    }

    fn create_hard_link<R: Read>(
        &self,
        new: &NewEntry<'_>,
        entry: &tar::Entry<'_, R>,
    ) -> Result<()> {
        let target = Self::link_target(entry, new.raw_name)?;
        let Some((target_parent, target_name)) = target.split_last() else {
            return Err(Error::invalid(
                new.raw_name,
                "hard link to the root directory",
            ));
        };
        // The target's parent is resolved inside the root; its last component is linked
        // itself (no AT_SYMLINK_FOLLOW), so a link can only ever name a file of this tree.
        let target_dir = fs::open_dir_in_root(self.root, &target_parent)
            .map_err(Error::io(format!("open {}", target_parent.to_absolute())))?;
        rustix::fs::linkat(
            &target_dir,
            os(target_name),
            new.dir,
            os(new.name),
            AtFlags::empty(),
        )
        .map_err(|e| at(new.path, "create hard link")(e.into()))
    }

    /// A device node (only when privileged) or a FIFO.
    fn create_node<R: Read>(
        &mut self,
        new: &NewEntry<'_>,
        entry: &tar::Entry<'_, R>,
        kind: tar::EntryType,
    ) -> Result<()> {
        let file_type = match kind {
            tar::EntryType::Char => FileType::CharacterDevice,
            tar::EntryType::Block => FileType::BlockDevice,
            _ => FileType::Fifo,
        };
        if file_type != FileType::Fifo && !self.options.privileged {
            self.skipped_devices += 1;
            return Ok(()); // only root may create device nodes
        }
        let (major, minor) = header::device_numbers(entry.header(), new.raw_name)?;
        let mode = Mode::from_raw_mode(new.meta.mode & 0o7777);
        let dev = rustix::fs::makedev(major, minor);
        rustix::fs::mknodat(new.dir, os(new.name), file_type, mode, dev)
            .map_err(|e| at(new.path, "create device")(e.into()))?;
        self.chown_nofollow(new.dir, new.name, new.meta)?;
        // mknod applied the umask: set the mode through a path-less fd of the node itself.
        if let Ok(fd) = fs::open_nofollow(new.dir, new.name, OFlags::PATH) {
            let proc_path = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&fd));
            let _ = rustix::fs::chmod(proc_path.as_str(), mode);
        }
        Ok(())
    }

    fn link_target<R: Read>(entry: &tar::Entry<'_, R>, raw_name: &[u8]) -> Result<RootPath> {
        let target = entry
            .link_name_bytes()
            .ok_or_else(|| Error::invalid(raw_name, "hard link without a target"))?;
        RootPath::clean(&target)
            .map_err(|_| Error::invalid(raw_name, "hard link target leaves the root"))
    }

    fn set_attributes(&self, fd: BorrowedFd<'_>, meta: &Meta, raw_name: &[u8]) -> Result<()> {
        let at = || {
            Error::io(format!(
                "set attributes of {}",
                String::from_utf8_lossy(raw_name)
            ))
        };
        if self.options.privileged {
            rustix::fs::fchown(
                fd,
                Some(rustix::fs::Uid::from_raw(meta.uid)),
                Some(rustix::fs::Gid::from_raw(meta.gid)),
            )
            .map_err(|e| at()(e.into()))?;
        }
        let mut mode = meta.mode & 0o7777;
        if !self.options.privileged
            && rustix::fs::fstat(fd)
                .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Directory)
        {
            mode |= 0o700; // without CAP_DAC_OVERRIDE we must still be able to fill and delete it
        }
        // After chown, which clears set-user-ID bits.
        rustix::fs::fchmod(fd, Mode::from_raw_mode(mode)).map_err(|e| at()(e.into()))?;
        for (name, value) in &meta.xattrs {
            if name.starts_with("trusted.") {
                // Never: overlayfs and other kernel users trust these (containerd refuses them too).
                tracing::debug!(xattr = %name, "ignoring trusted.* xattr from a layer");
                continue;
            }
            match rustix::fs::fsetxattr(fd, name.as_str(), value, XattrFlags::empty()) {
                Ok(()) => {}
                Err(Errno::NOTSUP | Errno::PERM | Errno::ACCESS) => {
                    tracing::debug!(xattr = %name, "xattr not supported here; skipped");
                }
                Err(e) => return Err(at()(e.into())),
            }
        }
        Ok(())
    }

    fn chown_nofollow(&self, dir: BorrowedFd<'_>, name: &[u8], meta: &Meta) -> Result<()> {
        if !self.options.privileged {
            return Ok(());
        }
        rustix::fs::chownat(
            dir,
            os(name),
            Some(rustix::fs::Uid::from_raw(meta.uid)),
            Some(rustix::fs::Gid::from_raw(meta.gid)),
            AtFlags::SYMLINK_NOFOLLOW,
        )
        .map_err(|e| Error::io(format!("chown {}", String::from_utf8_lossy(name)))(e.into()))
    }

    fn finish(&mut self) {
        for (path, mtime) in self.dir_times.iter().rev() {
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW;
            if let Ok(fd) = fs::open_in_root(self.root, path, flags) {
                set_times(fd.as_fd(), *mtime);
            }
        }
        if self.skipped_devices > 0 {
            tracing::warn!(
                count = self.skipped_devices,
                "device nodes in the layer were skipped (only root can create them)"
            );
        }
    }
}

/// The paths a layer created so far, with every ancestor of each, so that "did this layer create
/// `path` or anything below it" is one hash lookup: a whiteout or opaque marker asks it once per
/// name, and a scan of the created paths there made a layer of 50,000 files and 50,000 whiteouts
/// take minutes (issue #13 item 6).
#[derive(Default)]
struct Created {
    paths_and_ancestors: HashSet<RootPath>,
}

impl Created {
    fn insert(&mut self, path: RootPath) {
        let mut path = path;
        // Deepest first: once a prefix is known, so are all of its own ancestors.
        while !path.0.is_empty() && self.paths_and_ancestors.insert(path.clone()) {
            path.0.pop();
        }
    }

    /// Whether `path`, or a path below it, was created by this layer.
    fn holds(&self, path: &RootPath) -> bool {
        self.paths_and_ancestors.contains(path)
    }
}

fn read_meta<R: Read>(entry: &mut tar::Entry<'_, R>, raw_name: &[u8]) -> Result<Meta> {
    let header = entry.header();
    let old = header.as_old();
    let mode = numeric(header.mode().map(u64::from), &old.mode)?;
    let mut uid = numeric(header.uid(), &old.uid)?;
    let mut gid = numeric(header.gid(), &old.gid)?;
    let mtime = numeric(header.mtime(), &old.mtime)?;
    let mode = u32::try_from(mode).unwrap_or(0);
    let mut xattrs = Vec::new();
    if let Some(extensions) = entry.pax_extensions().map_err(Error::Tar)? {
        for extension in extensions {
            let extension = extension.map_err(Error::Tar)?;
            let Ok(key) = extension.key() else { continue };
            if let Some(name) = key.strip_prefix(PAX_XATTR_PREFIX) {
                xattrs.push((name.to_owned(), extension.value_bytes().to_vec()));
            } else if key == "uid" || key == "gid" {
                let value = extension
                    .value()
                    .ok()
                    .and_then(|v| v.parse::<u64>().ok())
                    .ok_or_else(|| Error::invalid(raw_name, "invalid PAX uid or gid"))?;
                if key == "uid" {
                    uid = value;
                } else {
                    gid = value;
                }
            }
        }
    }
    // No truncation: an owner beyond 32 bits is an error, not some other user.
    let uid =
        u32::try_from(uid).map_err(|_| Error::invalid(raw_name, "uid does not fit in 32 bits"))?;
    let gid =
        u32::try_from(gid).map_err(|_| Error::invalid(raw_name, "gid does not fit in 32 bits"))?;
    Ok(Meta {
        mode,
        uid,
        gid,
        mtime: i64::try_from(mtime).unwrap_or(i64::MAX),
        xattrs,
    })
}

/// A numeric header field; an empty one (all NULs or spaces) is 0, as Go's `archive/tar` reads it.
fn numeric(parsed: io::Result<u64>, raw: &[u8]) -> Result<u64> {
    match parsed {
        Ok(value) => Ok(value),
        Err(_) if raw.iter().all(|&b| b == 0 || b == b' ') => Ok(0),
        Err(e) => Err(Error::Tar(e)),
    }
}

fn timestamps(mtime: i64) -> Timestamps {
    let time = Timespec {
        tv_sec: mtime,
        tv_nsec: 0,
    };
    Timestamps {
        last_access: time,
        last_modification: time,
    }
}

fn set_times(fd: BorrowedFd<'_>, mtime: i64) {
    let _ = rustix::fs::futimens(fd, &timestamps(mtime));
}

/// Creates (if needed) and opens a directory to unpack into.
pub fn open_root(path: &std::path::Path) -> Result<OwnedFd> {
    std::fs::create_dir_all(path).map_err(Error::io(format!("create {}", path.display())))?;
    rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| Error::io(format!("open {}", path.display()))(e.into()))
}

/// Which end of a copy failed.
enum Side {
    Read,
    Write,
}

/// Copies an entry's data into `file`, telling a failure to read the layer from one to write the file.
fn copy_entry(
    entry: &mut impl io::Read,
    file: &mut std::fs::File,
) -> Result<(), (Side, io::Error)> {
    use io::Write as _;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match entry.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err((Side::Read, e)),
        };
        file.write_all(&buf[..n]).map_err(|e| (Side::Write, e))?;
    }
}

#[cfg(test)]
mod tests;
