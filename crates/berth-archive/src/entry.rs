//! What a tar entry may be called: lexical checks on names and link targets, before anyone uses them.
//!
//! Paths are cleaned the way Go's `path.Clean` would after stripping a leading `/` (so `/etc/x`,
//! `./etc/x` and `etc//x` are all `etc/x`), and refused when a `..` climbs above the root, when they
//! contain a NUL byte, or when they are longer than `PATH_MAX`. Nothing here touches the file system.

use std::io::Read;

use crate::error::{Error, Result};

/// Longest entry name accepted (Linux `PATH_MAX`); longer names cannot be created anyway.
pub const MAX_NAME_LEN: usize = 4096;

/// Prefix of an overlay/aufs whiteout file (`.wh.<name>` deletes `<name>` of a lower layer).
const WHITEOUT_PREFIX: &[u8] = b".wh.";

/// Cleans a path inside the archive: leading `/` stripped, `.` and empty components dropped, `..`
/// applied. Returns the components, or `None` when a `..` climbs above the root.
pub fn clean_components(path: &[u8]) -> Option<Vec<&[u8]>> {
    let mut components: Vec<&[u8]> = Vec::new();
    for component in path.split(|&b| b == b'/') {
        match component {
            b"" | b"." => {}
            b".." => {
                components.pop()?;
            }
            other => components.push(other),
        }
    }
    Some(components)
}

/// The cleaned path as a string (`""` for the root), or `None` if it escapes or is not UTF-8.
pub fn clean_path(path: &str) -> Option<String> {
    if path.contains('\0') {
        return None;
    }
    let components = clean_components(path.as_bytes())?;
    let joined = components.join(&b'/');
    String::from_utf8(joined).ok()
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Checks one entry of a layer tar: its name, its hard link target, and whiteout names.
///
/// Symlink targets are content, not paths of the archive: they are kept verbatim (an absolute
/// symlink is normal in a root file system) and resolved in the root only when unpacking.
pub fn check_layer_entry<R: Read>(entry: &tar::Entry<'_, R>) -> Result<()> {
    let name = entry.path_bytes();
    let components = check_name(&name)?;
    let entry_type = entry.header().entry_type();
    if components.is_empty() && !entry_type.is_dir() {
        return Err(Error::RootEntry(lossy(&name)));
    }
    if let Some(base) = components.last() {
        check_whiteout(base, &name)?;
    }
    if entry_type.is_hard_link() {
        let target = entry.link_name_bytes().unwrap_or_default();
        let unsafe_link = || Error::UnsafeHardlink {
            name: lossy(&name),
            target: lossy(&target),
        };
        if target.is_empty() || target.starts_with(b"/") || target.contains(&0) {
            return Err(unsafe_link());
        }
        match clean_components(&target) {
            Some(target) if !target.is_empty() => {}
            _ => return Err(unsafe_link()),
        }
    } else if entry_type.is_symlink() {
        let target = entry.link_name_bytes().unwrap_or_default();
        if target.contains(&0) {
            return Err(Error::UnsafePath(lossy(&target)));
        }
    }
    Ok(())
}

/// Checks an entry name and returns its cleaned components.
pub fn check_name(name: &[u8]) -> Result<Vec<&[u8]>> {
    if name.len() > MAX_NAME_LEN {
        return Err(Error::PathTooLong {
            len: name.len(),
            name: lossy(&name[..256]),
        });
    }
    if name.contains(&0) {
        return Err(Error::UnsafePath(lossy(name)));
    }
    clean_components(name).ok_or_else(|| Error::UnsafePath(lossy(name)))
}

/// `.wh.`, `.wh..` and `.wh...` would delete the directory itself or its parent (containerd's
/// `validateWhiteout`, moby's overlay converter): refused. `.wh..wh..opq` and `.wh.<name>` are fine.
fn check_whiteout(base: &[u8], name: &[u8]) -> Result<()> {
    if let Some(target) = base.strip_prefix(WHITEOUT_PREFIX) {
        if matches!(target, b"" | b"." | b"..") {
            return Err(Error::InvalidWhiteout(lossy(name)));
        }
    }
    Ok(())
}
