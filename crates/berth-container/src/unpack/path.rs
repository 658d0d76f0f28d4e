//! Names from a layer tar, cleaned lexically before anything touches the disk.

use std::{ffi::OsStr, os::unix::ffi::OsStrExt};

use crate::error::{Error, Result};

/// The whiteout prefix of the OCI image spec (from AUFS).
pub const WHITEOUT_PREFIX: &[u8] = b".wh.";
/// The opaque-directory marker: hides every lower child of its directory.
pub const OPAQUE_WHITEOUT: &[u8] = b".wh..wh..opq";
/// AUFS metadata (`.wh..wh.plnk`, `.wh..wh.aufs`): never part of a filesystem, skipped like Docker does.
const AUFS_META_PREFIX: &[u8] = b".wh..wh.";

/// A path inside the root: its components, none empty, `.` or `..`. No components = the root itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RootPath(pub Vec<Vec<u8>>);

impl RootPath {
    /// Cleans `name` like Go's `path.Clean` applied under `/`: a leading `/` is dropped, `.` and empty
    /// components vanish, `..` removes the previous component. A `..` that would leave the root, or a NUL
    /// byte, is an error: such an entry is rejected, never silently skipped or clamped.
    pub fn clean(name: &[u8]) -> Result<RootPath> {
        if name.contains(&0) {
            return Err(Error::invalid(name, "name contains a NUL byte"));
        }
        let mut components: Vec<Vec<u8>> = Vec::new();
        for component in name.split(|&b| b == b'/') {
            match component {
                b"" | b"." => {}
                b".." => {
                    if components.pop().is_none() {
                        return Err(Error::invalid(name, "path leaves the root"));
                    }
                }
                _ => components.push(component.to_vec()),
            }
        }
        Ok(RootPath(components))
    }

    /// Like [`RootPath::clean`], but `..` at the root stays at the root, as the kernel resolves a symlink
    /// target in a chroot. For symlink targets only, never for entry names.
    pub fn clean_clamped(name: &[u8]) -> RootPath {
        let mut components: Vec<Vec<u8>> = Vec::new();
        for component in name.split(|&b| b == b'/') {
            match component {
                b"" | b"." => {}
                b".." => {
                    components.pop();
                }
                _ => components.push(component.to_vec()),
            }
        }
        RootPath(components)
    }

    /// The parent and the last component; `None` for the root.
    pub fn split_last(&self) -> Option<(RootPath, &[u8])> {
        let (last, parent) = self.0.split_last()?;
        Some((RootPath(parent.to_vec()), last.as_slice()))
    }

    #[must_use]
    pub fn join(&self, name: &[u8]) -> RootPath {
        let mut components = self.0.clone();
        components.push(name.to_vec());
        RootPath(components)
    }

    /// `a/b/c` (or `.` for the root), for `openat2` relative to the root fd.
    pub fn to_relative(&self) -> Vec<u8> {
        if self.0.is_empty() {
            return b".".to_vec();
        }
        self.0.join(&b'/')
    }

    /// `/a/b/c`, for messages and `diff`.
    pub fn to_absolute(&self) -> String {
        let mut out = String::new();
        for component in &self.0 {
            out.push('/');
            out.push_str(&String::from_utf8_lossy(component));
        }
        if out.is_empty() {
            out.push('/');
        }
        out
    }

    /// Whether `self` is `other` or lies below it.
    pub fn starts_with(&self, other: &RootPath) -> bool {
        self.0.starts_with(&other.0)
    }
}

pub fn os(bytes: &[u8]) -> &OsStr {
    OsStr::from_bytes(bytes)
}

/// What the last component of an entry name means.
#[derive(Debug, PartialEq, Eq)]
pub enum Kind<'a> {
    /// A file, directory, link or device to create.
    Plain,
    /// `.wh..wh..opq`: the directory's lower children are hidden.
    Opaque,
    /// `.wh.<name>`: `<name>` from lower layers is deleted.
    Whiteout(&'a [u8]),
    /// `.wh..wh.*` AUFS metadata: ignored.
    AufsMeta,
}

/// Classifies a last component. `.wh.` alone, `.wh..` and `.wh...` would whiteout nothing, the directory
/// itself or its parent: they are rejected (containerd's `validateWhiteout`).
pub fn classify<'a>(name: &'a [u8], full_name: &[u8]) -> Result<Kind<'a>> {
    if name == OPAQUE_WHITEOUT {
        return Ok(Kind::Opaque);
    }
    if name.starts_with(AUFS_META_PREFIX) {
        return Ok(Kind::AufsMeta);
    }
    match name.strip_prefix(WHITEOUT_PREFIX) {
        Some(b"" | b"." | b"..") => Err(Error::invalid(full_name, "invalid whiteout name")),
        Some(target) => Ok(Kind::Whiteout(target)),
        None => Ok(Kind::Plain),
    }
}
