//! What a container changed (Docker's `diff`): read from the overlay upper directory, or, for a copied
//! root filesystem, by comparing it with a fresh unpack of its image (moby's naive diff).

use std::{
    fmt,
    io::Write,
    os::fd::{AsFd, BorrowedFd, OwnedFd},
};

use rustix::fs::{FileType, OFlags, ResolveFlags, Stat};

use crate::{
    archive::{Source, TreeWriter},
    containers::Containers,
    error::{Error, Result},
    record::Container,
    rootfs::{RootfsKind, RootfsPaths, INIT_DIRS, INIT_FILES},
    snapshot,
    unpack::{
        self,
        fs::{list_dir, lstat_at, open_nofollow},
        path::{os, RootPath},
        UnpackOptions, Whiteouts, OVERLAY_OPAQUE_XATTR,
    },
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Changed,
    Deleted,
}

/// One line of `diff`: `A /path`, `C /path` or `D /path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    pub path: RootPath,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let letter = match self.kind {
            ChangeKind::Added => 'A',
            ChangeKind::Changed => 'C',
            ChangeKind::Deleted => 'D',
        };
        write!(f, "{letter} {}", self.path.to_absolute())
    }
}

impl Containers<'_> {
    /// The container's changes, sorted by path (Docker's `diff`).
    pub fn changes(&self, container: &Container) -> Result<Vec<Change>> {
        let paths = RootfsPaths::new(&container.dir);
        let mut changes = Vec::new();
        match container.record.rootfs {
            RootfsKind::Overlay => {
                let lowers: Vec<OwnedFd> = self
                    .lowers(container)?
                    .iter()
                    .rev()
                    .map(|dir| unpack::open_root(dir))
                    .collect::<Result<_>>()?;
                let upper = unpack::open_root(&paths.upper)?;
                overlay_changes(
                    upper.as_fd(),
                    &lowers,
                    &RootPath(Vec::new()),
                    false,
                    &mut changes,
                )?;
            }
            RootfsKind::Copy => {
                changes = self.copy_changes(container)?.0;
            }
        }
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(changes)
    }

    /// Compares a copied rootfs with a fresh unpack of its image; returns the changes and keeps the
    /// scratch tree alive while the caller needs it.
    fn copy_changes(&self, container: &Container) -> Result<(Vec<Change>, ScratchDir)> {
        let scratch = ScratchDir(container.dir.join("diff-base"));
        let _ = snapshot::remove_tree(&scratch.0);
        let layers = snapshot::manifest_layers(self.store, &container.record.image_manifest)?;
        let lower = unpack::open_root(&scratch.0)?;
        let options = UnpackOptions::new(Whiteouts::Apply);
        for (blob, diff_id) in &layers {
            let reader = unpack::decompress(self.store.open_blob(blob)?)?;
            unpack::unpack_layer(lower.as_fd(), reader, Some(diff_id), &options)?;
        }
        let upper = unpack::open_root(&RootfsPaths::new(&container.dir).target)?;
        let mut changes = Vec::new();
        naive_changes(
            Some(lower.as_fd()),
            upper.as_fd(),
            &RootPath(Vec::new()),
            &mut changes,
        )?;
        // The runtime's mount points, and bind mount targets, are not the container's doing.
        let mut ignored: Vec<RootPath> = INIT_DIRS
            .iter()
            .chain(INIT_FILES)
            .map(|p| RootPath::clean_clamped(p.as_bytes()))
            .collect();
        ignored.extend(
            container
                .record
                .host
                .binds
                .iter()
                .map(|b| RootPath::clean_clamped(b.destination.as_bytes())),
        );
        changes.retain(|c| !(c.kind == ChangeKind::Added && ignored.contains(&c.path)));
        changes.sort_by(|a, b| a.path.cmp(&b.path));
        Ok((changes, scratch))
    }
}

/// Removes the scratch tree of a naive diff when dropped.
struct ScratchDir(std::path::PathBuf);

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = snapshot::remove_tree(&self.0);
    }
}

/// Writes the changes of a copied rootfs as a layer: changed and added entries, whiteouts for deletions.
pub(crate) fn write_copy_changes<W: Write>(
    containers: &Containers<'_>,
    container: &Container,
    writer: W,
) -> Result<W> {
    let (changes, _scratch) = containers.copy_changes(container)?;
    let root = unpack::open_root(&RootfsPaths::new(&container.dir).target)?;
    let mut tree = TreeWriter::new(writer, Source::Plain);
    tree.recursive = false;
    for change in &changes {
        let Some((parent, name)) = change.path.split_last() else {
            continue;
        };
        match change.kind {
            ChangeKind::Deleted => tree.append_whiteout(&parent, name)?,
            ChangeKind::Added | ChangeKind::Changed => {
                let dir = unpack::fs::open_dir_in_root(root.as_fd(), &parent)
                    .map_err(Error::io(format!("open {}", parent.to_absolute())))?;
                tree.append_entry(dir.as_fd(), name, &change.path)?;
            }
        }
    }
    tree.finish()
}

fn is_whiteout(stat: &Stat) -> bool {
    FileType::from_raw_mode(stat.st_mode) == FileType::CharacterDevice && stat.st_rdev == 0
}

fn is_dir(stat: &Stat) -> bool {
    FileType::from_raw_mode(stat.st_mode) == FileType::Directory
}

/// Whether `path` exists in the lower layers (top first), honouring whiteouts and opaque directories.
fn exists_below(lowers: &[OwnedFd], path: &RootPath) -> bool {
    let Some((parent, name)) = path.split_last() else {
        return true;
    };
    for layer in lowers {
        // Parents are looked up without following symlinks: overlayfs merges real directories only.
        let Ok(dir) = rustix::fs::openat2(
            layer,
            os(&parent.to_relative()),
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            rustix::fs::Mode::empty(),
            ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS,
        ) else {
            continue;
        };
        if let Ok(Some(stat)) = lstat_at(dir.as_fd(), name) {
            return !is_whiteout(&stat);
        }
        let opaque = crate::archive::xattrs(dir.as_fd())
            .iter()
            .any(|(k, v)| k == OVERLAY_OPAQUE_XATTR && v.as_slice() == b"y");
        if opaque {
            return false;
        }
    }
    false
}

fn overlay_changes(
    dir: BorrowedFd<'_>,
    lowers: &[OwnedFd],
    prefix: &RootPath,
    hidden_below: bool,
    out: &mut Vec<Change>,
) -> Result<()> {
    for name in list_dir(dir).map_err(Error::io(format!("list {}", prefix.to_absolute())))? {
        let path = prefix.join(&name);
        let Some(stat) =
            lstat_at(dir, &name).map_err(Error::io(format!("stat {}", path.to_absolute())))?
        else {
            continue;
        };
        if is_whiteout(&stat) {
            out.push(Change {
                kind: ChangeKind::Deleted,
                path,
            });
            continue;
        }
        let existed = !hidden_below && exists_below(lowers, &path);
        out.push(Change {
            kind: if existed {
                ChangeKind::Changed
            } else {
                ChangeKind::Added
            },
            path: path.clone(),
        });
        if is_dir(&stat) {
            let child = open_nofollow(dir, &name, OFlags::RDONLY | OFlags::DIRECTORY)
                .map_err(Error::io(format!("open {}", path.to_absolute())))?;
            let opaque = crate::archive::xattrs(child.as_fd())
                .iter()
                .any(|(k, v)| k == OVERLAY_OPAQUE_XATTR && v.as_slice() == b"y");
            overlay_changes(
                child.as_fd(),
                lowers,
                &path,
                hidden_below || !existed || opaque,
                out,
            )?;
        }
    }
    Ok(())
}

fn differs(dir_a: BorrowedFd<'_>, a: &Stat, dir_b: BorrowedFd<'_>, b: &Stat, name: &[u8]) -> bool {
    if FileType::from_raw_mode(a.st_mode) != FileType::from_raw_mode(b.st_mode)
        || a.st_mode != b.st_mode
        || a.st_uid != b.st_uid
        || a.st_gid != b.st_gid
        || a.st_rdev != b.st_rdev
    {
        return true;
    }
    if is_dir(a) {
        return a.st_mtime != b.st_mtime;
    }
    if a.st_size != b.st_size || a.st_mtime != b.st_mtime || a.st_mtime_nsec != b.st_mtime_nsec {
        return true;
    }
    if FileType::from_raw_mode(a.st_mode) == FileType::Symlink {
        let read = |dir| rustix::fs::readlinkat(dir, os(name), Vec::new()).ok();
        return read(dir_a) != read(dir_b);
    }
    false
}

fn naive_changes(
    lower: Option<BorrowedFd<'_>>,
    upper: BorrowedFd<'_>,
    prefix: &RootPath,
    out: &mut Vec<Change>,
) -> Result<()> {
    let list = |dir| list_dir(dir).map_err(Error::io(format!("list {}", prefix.to_absolute())));
    let upper_names = list(upper)?;
    if let Some(lower) = lower {
        for name in list(lower)? {
            if !upper_names.contains(&name) {
                out.push(Change {
                    kind: ChangeKind::Deleted,
                    path: prefix.join(&name),
                });
            }
        }
    }
    for name in upper_names {
        let path = prefix.join(&name);
        let stat_error = || Error::io(format!("stat {}", path.to_absolute()));
        let Some(upper_stat) = lstat_at(upper, &name).map_err(stat_error())? else {
            continue;
        };
        let lower_stat = match lower {
            Some(lower) => lstat_at(lower, &name).map_err(stat_error())?,
            None => None,
        };
        let kind = match (&lower_stat, lower) {
            (None, _) | (_, None) => Some(ChangeKind::Added),
            (Some(lower_stat), Some(lower)) => {
                differs(upper, &upper_stat, lower, lower_stat, &name).then_some(ChangeKind::Changed)
            }
        };
        if let Some(kind) = kind {
            out.push(Change {
                kind,
                path: path.clone(),
            });
        }
        if is_dir(&upper_stat) {
            let open = |dir| open_nofollow(dir, &name, OFlags::RDONLY | OFlags::DIRECTORY);
            let upper_child =
                open(upper).map_err(Error::io(format!("open {}", path.to_absolute())))?;
            let lower_child = match (lower, &lower_stat) {
                (Some(lower), Some(stat)) if is_dir(stat) => open(lower).ok(),
                _ => None,
            };
            naive_changes(
                lower_child.as_ref().map(AsFd::as_fd),
                upper_child.as_fd(),
                &path,
                out,
            )?;
        }
    }
    Ok(())
}
