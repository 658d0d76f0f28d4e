//! The store is private to its owner (CVE-2021-41091): unpacked layers and container upper
//! directories hold whatever an image or a container put there (setuid-root programs, files with
//! capabilities, world-writable device nodes), so no other user may walk into the store.
//!
//! berth creates the store root and every directory of its own `0700` (Docker keeps `/var/lib/docker`
//! `0710` and its `overlay2` directories `0710`, root's group only). A store made by an older berth
//! (`0755`) is repaired when its owner or root opens it; `system check` reports what is still open.
//! Root reads the layout whatever its mode, so skopeo and umoci run as root still read it.

use std::{io, os::fd::AsFd, path::Path};

use rustix::fs::Mode;

use crate::fs;

/// The mode of the store root and of berth's directories: the owner only.
pub(crate) const PRIVATE_MODE: u32 = 0o700;
/// Permission bits that let another user in.
const OPEN_BITS: u32 = 0o077;

/// The mode of `dir` if it lets users other than its owner in.
pub(crate) fn open_mode(dir: impl AsFd) -> io::Result<Option<u32>> {
    let stat = rustix::fs::fstat(dir)?;
    let mode = stat.st_mode & 0o7777;
    Ok((mode & OPEN_BITS != 0).then_some(mode))
}

/// Makes `dir` `0700` if it is open to others and this process may change it (root or its owner).
pub(crate) fn make_private(dir: impl AsFd) -> io::Result<()> {
    let stat = rustix::fs::fstat(&dir)?;
    if stat.st_mode & OPEN_BITS == 0 {
        return Ok(());
    }
    let euid = rustix::process::geteuid();
    if !euid.is_root() && euid.as_raw() != stat.st_uid {
        return Ok(());
    }
    tracing::debug!(
        mode = format_args!("{:04o}", stat.st_mode & 0o7777),
        "making a store directory private"
    );
    rustix::fs::fchmod(dir, Mode::from_raw_mode(PRIVATE_MODE))?;
    Ok(())
}

/// Creates the store root `0700` if it is missing (its parents as usual).
pub(crate) fn create_root(root: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if let Some(parent) = root.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    match std::fs::DirBuilder::new().mode(PRIVATE_MODE).create(root) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        other => other,
    }
}

/// The directories that must stay private, relative to the root: the root itself (`.`), `berth/`
/// and every directory directly in `berth/` (`containers/` with the snapshots and upper directories,
/// `layers/`, `ingest/`...).
pub(crate) fn private_dirs(berth: impl AsFd) -> io::Result<Vec<String>> {
    let mut names = vec![".".to_owned(), crate::layout::BERTH_DIR.to_owned()];
    let dir = fs::open_dir(berth, ".")?;
    let entries = rustix::fs::Dir::read_from(&dir)?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "." || name == ".." || entry.file_type() != rustix::fs::FileType::Directory {
            continue;
        }
        found.push(format!("{}/{name}", crate::layout::BERTH_DIR));
    }
    found.sort();
    names.extend(found);
    Ok(names)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use crate::{Problem, Store};

    fn mode(path: &std::path::Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn a_new_store_is_private_and_an_open_one_is_reported_then_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("parent/store");
        let store = Store::open(&root).unwrap();
        store.state_dir("containers").unwrap();
        for dir in [
            "",
            "berth",
            "berth/containers",
            "berth/ingest",
            "blobs/sha256",
        ] {
            assert_eq!(mode(&root.join(dir)), 0o700, "{dir:?}");
        }
        // Parents are made as usual, not private.
        assert_eq!(mode(&dir.path().join("parent")) & 0o700, 0o700);
        assert!(store.check().unwrap().problems.is_empty());

        for (dir, open) in [("", 0o755), ("berth", 0o750), ("berth/containers", 0o701)] {
            std::fs::set_permissions(root.join(dir), std::fs::Permissions::from_mode(open))
                .unwrap();
        }
        let found = Store::open_as_found(&root).unwrap();
        let problems: Vec<(String, u32)> = found
            .check()
            .unwrap()
            .problems
            .into_iter()
            .filter_map(|p| match p {
                Problem::OpenToOthers { path, mode } => Some((
                    path.strip_prefix(&root).unwrap().display().to_string(),
                    mode,
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            problems,
            [
                (String::new(), 0o755),
                ("berth".to_owned(), 0o750),
                ("berth/containers".to_owned(), 0o701)
            ]
        );
        assert_eq!(mode(&root), 0o755, "open_as_found changes nothing");

        Store::open(&root).unwrap();
        for dir in ["", "berth", "berth/containers"] {
            assert_eq!(mode(&root.join(dir)), 0o700, "{dir:?}");
        }
    }
}
