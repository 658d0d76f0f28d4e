//! Property-based fuzzing of layer unpacking with an oracle (issue 8, security checklist 20-25): random
//! sequences of tar entries built from hostile pieces (`..`, absolute paths, symlinks to `/`, to `..` and
//! to a canary directory outside the root, hardlinks to canary files, whiteouts, mode changes through
//! links) are applied, in several layers, with both whiteout modes. Whatever `unpack_layer` answers, it
//! never panics and nothing outside the root changes (the canary tree: paths, types, modes, link counts,
//! contents). More cases: `PROPTEST_CASES=20000 cargo test -p berth-container --test unpack_fuzz`.

use std::{
    collections::BTreeMap,
    fs,
    os::{fd::AsFd, unix::fs::MetadataExt},
    path::{Path, PathBuf},
};

use berth_container::unpack::{open_root, unpack_layer, UnpackOptions, Whiteouts};
use proptest::prelude::*;

/// Path pieces; `{canary}` becomes the canary directory's absolute path.
const NAME_PARTS: &[&str] = &[
    "a",
    "b",
    "etc",
    "..",
    ".",
    "",
    "/",
    "{canary}",
    ".wh.a",
    ".wh..wh..opq",
    ".wh..",
    "l",
];
const LINK_TARGETS: &[&str] = &[
    "/",
    "..",
    "../..",
    "../../..",
    "{canary}",
    "{canary}/file",
    "../canary/file",
    "a",
    "/a/../..",
    "l",
    "/etc/passwd",
    "l/..",
];

#[derive(Debug, Clone)]
enum Entry {
    File(String, u32),
    Dir(String, u32),
    Symlink(String, String),
    Hardlink(String, String),
}

fn path() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(NAME_PARTS), 1..4).prop_map(|parts| parts.join("/"))
}

fn entry() -> impl Strategy<Value = Entry> {
    let mode = prop::sample::select(&[0o644_u32, 0o777, 0o4755, 0o000][..]);
    let target = prop::sample::select(LINK_TARGETS).prop_map(str::to_owned);
    prop_oneof![
        (path(), mode.clone()).prop_map(|(p, m)| Entry::File(p, m)),
        (path(), mode).prop_map(|(p, m)| Entry::Dir(p, m)),
        (path(), target.clone()).prop_map(|(p, t)| Entry::Symlink(p, t)),
        (path(), target).prop_map(|(p, t)| Entry::Hardlink(p, t)),
    ]
}

fn tar(entries: &[Entry], canary: &Path) -> Vec<u8> {
    let expand = |s: &str| {
        s.replace("{canary}", &canary.to_string_lossy())
            .into_bytes()
    };
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = tar::Header::new_gnu();
        header.set_mtime(0);
        let (name, data): (&str, &[u8]) = match entry {
            Entry::File(name, mode) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(*mode);
                (name, b"pwned")
            }
            Entry::Dir(name, mode) => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(*mode);
                (name, b"")
            }
            Entry::Symlink(name, target) | Entry::Hardlink(name, target) => {
                header.set_entry_type(if matches!(entry, Entry::Symlink(..)) {
                    tar::EntryType::Symlink
                } else {
                    tar::EntryType::Link
                });
                header.set_mode(0o777);
                let target = expand(target);
                header.as_old_mut().linkname[..target.len().min(100)]
                    .copy_from_slice(&target[..target.len().min(100)]);
                (name, b"")
            }
        };
        // Raw bytes: `Header::set_path` refuses `..`, which is exactly what is being fuzzed.
        let name = expand(name);
        let len = name.len().min(100);
        header.as_old_mut().name[..len].copy_from_slice(&name[..len]);
        header.set_size(data.len() as u64);
        header.set_cksum();
        builder.append(&header, data).unwrap();
    }
    builder.into_inner().unwrap()
}

/// Paths, modes, link counts and contents of a tree (symlinks not followed).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u32, u64, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = fs::symlink_metadata(&path).unwrap();
        let content = if meta.is_file() {
            fs::read(&path).unwrap()
        } else if meta.is_symlink() {
            fs::read_link(&path)
                .unwrap()
                .into_os_string()
                .into_encoded_bytes()
        } else {
            Vec::new()
        };
        if meta.is_dir() {
            for child in fs::read_dir(&path).unwrap() {
                stack.push(child.unwrap().path());
            }
        }
        out.insert(path, (meta.mode(), meta.nlink(), content));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn nothing_outside_the_root_changes(
        layers in prop::collection::vec(prop::collection::vec(entry(), 1..8), 1..3),
        overlay in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let canary = dir.path().join("canary");
        fs::create_dir_all(canary.join("dir")).unwrap();
        fs::write(canary.join("file"), "canary").unwrap();
        let root = dir.path().join("root");
        let root_fd = open_root(&root).unwrap();
        let before = snapshot(&canary);
        let siblings_before: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        let options = UnpackOptions::new(if overlay { Whiteouts::Overlay } else { Whiteouts::Apply });
        for layer in &layers {
            let _ = unpack_layer(root_fd.as_fd(), &tar(layer, &canary)[..], None, &options);
        }
        prop_assert_eq!(snapshot(&canary), before, "the canary changed: {:?}", layers);
        let siblings: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        prop_assert_eq!(siblings, siblings_before, "something appeared beside the root: {:?}", layers);
        prop_assert!(!Path::new("/a").exists() && !Path::new("/b").exists());
    }
}
