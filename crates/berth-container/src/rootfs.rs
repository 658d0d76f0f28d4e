//! A container's root filesystem: an overlay of layer snapshots, or a private copy where overlayfs
//! cannot be mounted (no privileges, no overlay support, an unsuitable filesystem).

use std::{
    os::fd::{AsFd, OwnedFd},
    path::{Path, PathBuf},
};

use berth_digest::Digest;
use berth_store::Store;
use rustix::mount::UnmountFlags;
use serde::{Deserialize, Serialize};

use crate::{
    error::{Error, Result},
    unpack::{self, UnpackOptions, Whiteouts},
};

mod overlay;
pub use overlay::Upper;

/// How a container's root filesystem is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RootfsKind {
    /// overlayfs: the snapshots as `lowerdir`, the container's `upper/` and `work/`.
    Overlay,
    /// The layers applied into the container's own `rootfs/` directory.
    Copy,
}

/// The directories of one container's root filesystem.
#[derive(Debug, Clone)]
pub struct RootfsPaths {
    /// Where the root filesystem appears (the bundle's `rootfs`).
    pub target: PathBuf,
    pub upper: PathBuf,
    pub work: PathBuf,
    /// Used as the single lower directory of an image without layers.
    pub empty: PathBuf,
}

impl RootfsPaths {
    pub fn new(container_dir: &Path) -> RootfsPaths {
        RootfsPaths {
            target: container_dir.join("bundle").join("rootfs"),
            upper: container_dir.join("upper"),
            work: container_dir.join("work"),
            empty: container_dir.join("empty"),
        }
    }
}

/// The container's init layer, the top `lowerdir`: the mount points the runtime needs, so that it
/// does not create them in the container's upper directory and a commit does not pick them up
/// (Docker's `-init` layer).
pub const INIT_DIR: &str = "init";
/// Directories and empty files of the init layer (also left out of a copied rootfs's commit).
pub const INIT_DIRS: &[&str] = &["dev", "proc", "sys", "etc"];
pub const INIT_FILES: &[&str] = &["etc/hosts", "etc/hostname", "etc/resolv.conf"];

/// Creates (once) the init layer of a container and returns its path.
pub fn make_init_layer(container_dir: &Path) -> Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let init = container_dir.join(INIT_DIR);
    for dir in INIT_DIRS {
        let path = init.join(dir);
        std::fs::create_dir_all(&path).map_err(Error::io(format!("create {}", path.display())))?;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755));
    }
    for file in INIT_FILES {
        let path = init.join(file);
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(Error::io(format!("create {}", path.display())))?;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644));
    }
    Ok(init)
}

/// The `lowerdir`s of an overlay of `lowers` (base first): top first, the empty directory if none.
fn lowerdirs(lowers: &[PathBuf], paths: &RootfsPaths) -> Vec<String> {
    let mut lowerdir: Vec<String> = lowers
        .iter()
        .rev()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if lowerdir.is_empty() {
        lowerdir.push(paths.empty.to_string_lossy().into_owned());
    }
    lowerdir
}

/// Mounts the overlay of `lowers` (base first) at `paths.target`.
pub fn mount_overlay(lowers: &[PathBuf], paths: &RootfsPaths, kind: overlay::Upper) -> Result<()> {
    for dir in [&paths.target, &paths.upper, &paths.work, &paths.empty] {
        std::fs::create_dir_all(dir).map_err(Error::io(format!("create {}", dir.display())))?;
    }
    if is_mounted(&paths.target) {
        return Ok(());
    }
    overlay::mount(
        &lowerdirs(lowers, paths),
        &paths.upper.to_string_lossy(),
        &paths.work.to_string_lossy(),
        &paths.target,
        kind,
    )
}

/// Mounts the overlay of a container that is not running where only the caller sees it: in the
/// mount namespace of a short-lived thread, whose root directory is opened before the thread ends.
/// The mount lives as long as the returned descriptor and never appears on the host, so a command
/// killed while reading it (`export` of a stopped container) leaves nothing mounted.
pub fn mount_private(lowers: &[PathBuf], paths: &RootfsPaths) -> Result<OwnedFd> {
    for dir in [&paths.target, &paths.upper, &paths.work, &paths.empty] {
        std::fs::create_dir_all(dir).map_err(Error::io(format!("create {}", dir.display())))?;
    }
    let lowerdir = lowerdirs(lowers, paths);
    let (upper, work) = (
        paths.upper.to_string_lossy().into_owned(),
        paths.work.to_string_lossy().into_owned(),
    );
    let private = || -> Result<OwnedFd> {
        let at = |e: rustix::io::Errno| Error::io("enter a private mount namespace")(e.into());
        // SAFETY: NEWNS alone (with the CLONE_FS it implies) gives this thread its own mount
        // namespace and filesystem attributes; the file descriptor table stays shared, so every
        // descriptor remains valid on every thread.
        unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWNS) }
            .map_err(at)?;
        rustix::mount::mount_change(
            c"/",
            rustix::mount::MountPropagationFlags::REC
                | rustix::mount::MountPropagationFlags::PRIVATE,
        )
        .map_err(at)?;
        overlay::mount(
            &lowerdir,
            &upper,
            &work,
            &paths.target,
            overlay::Upper::Synced,
        )?;
        unpack::open_root(&paths.target)
    };
    std::thread::scope(|scope| {
        scope.spawn(private).join().unwrap_or_else(|_| {
            Err(Error::io("mount the root filesystem")(
                std::io::Error::other("the mounting thread panicked"),
            ))
        })
    })
}

/// Whether something is mounted at `path` (its device differs from its parent's, or mountinfo lists it).
pub fn is_mounted(path: &Path) -> bool {
    let Ok(mountinfo) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return false;
    };
    let wanted = path.to_string_lossy();
    mountinfo.lines().any(|line| {
        line.split(' ')
            .nth(4)
            .is_some_and(|mount_point| unescape_mountinfo(mount_point) == wanted)
    })
}

fn unescape_mountinfo(field: &str) -> String {
    field
        .replace("\\040", " ")
        .replace("\\011", "\t")
        .replace("\\012", "\n")
        .replace("\\134", "\\")
}

/// Unmounts the root filesystem if mounted (lazily, so a straggling process does not block `rm`),
/// every mount stacked there: a berth that compared a symlinked root with mountinfo mounted twice.
pub fn unmount(path: &Path) -> Result<()> {
    while is_mounted(path) {
        rustix::mount::unmount(path, UnmountFlags::DETACH)
            .map_err(|e| Error::io(format!("unmount {}", path.display()))(e.into()))?;
    }
    Ok(())
}

/// The mount points below `dir` (which must be canonical, as mountinfo lists them); `dir` itself
/// may be a mount point (a store on its own filesystem).
pub fn mounts_under(dir: &Path) -> Vec<PathBuf> {
    let Ok(mountinfo) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return Vec::new();
    };
    mountinfo
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(|point| PathBuf::from(unescape_mountinfo(point)))
        .filter(|point| point.starts_with(dir) && point != dir)
        .collect()
}

/// The copy fallback: every layer applied, in order, into `target`.
pub fn copy_layers(store: &Store, layers: &[(Digest, Digest)], target: &Path) -> Result<()> {
    let root = unpack::open_root(target)?;
    let options = UnpackOptions::new(Whiteouts::Apply);
    for (blob, diff_id) in layers {
        let reader = unpack::decompress(store.open_blob(blob)?)?;
        unpack::unpack_layer(root.as_fd(), reader, Some(diff_id), &options)?;
    }
    Ok(())
}
