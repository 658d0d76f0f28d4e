//! Whiteouts at scale (issue #13 item 6): a layer with thousands of whiteouts and opaque markers,
//! applied and kept in overlay form, gives exactly the tree the image spec describes. How long it
//! takes is measured by `cargo xtask bench` (the whiteout row), never asserted here.

use std::{collections::BTreeSet, fs, os::unix::fs::FileTypeExt, path::Path};

use super::*;

/// Lower files per directory, and how many directories (`d0`, `d1`, ...).
const FILES: usize = 4_000;
const DIRS: usize = 3;

fn regular(builder: &mut tar::Builder<Vec<u8>>, name: &str, content: &[u8]) {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_mode(0o644);
    header.set_mtime(1_600_000_000);
    header.set_size(content.len() as u64);
    builder
        .append_data(&mut header, name, content)
        .expect("append");
}

fn directory(builder: &mut tar::Builder<Vec<u8>>, name: &str) {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Directory);
    header.set_mode(0o755);
    header.set_mtime(1_600_000_000);
    header.set_size(0);
    builder
        .append_data(&mut header, name, io::empty())
        .expect("append");
}

/// `d<k>/f<i>` for every directory and file.
fn lower() -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for dir in 0..DIRS {
        directory(&mut builder, &format!("d{dir}"));
        for file in 0..FILES {
            regular(&mut builder, &format!("d{dir}/f{file}"), b"lower");
        }
    }
    builder.into_inner().expect("tar")
}

/// The upper layer, in the order that made the old scan slowest (new files before the whiteouts):
/// - `d0`: every even lower file whited out; the odd ones stay; `new<i>` added;
///   `f1` is re-created by this layer and whited out after it (its own file stays);
/// - `d1`: opaque (marker last): only this layer's `new<i>` remain;
/// - `d2`: one whiteout per lower file, and the directory itself survives empty.
fn upper() -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for dir in 0..2 {
        for file in 0..FILES {
            regular(&mut builder, &format!("d{dir}/new{file}"), b"upper");
        }
    }
    regular(&mut builder, "d0/f1", b"upper");
    for file in (0..FILES).step_by(2) {
        regular(&mut builder, &format!("d0/.wh.f{file}"), b"");
    }
    regular(&mut builder, "d0/.wh.f1", b"");
    regular(&mut builder, "d1/.wh..wh..opq", b"");
    for file in 0..FILES {
        regular(&mut builder, &format!("d2/.wh.f{file}"), b"");
    }
    builder.into_inner().expect("tar")
}

fn names(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn unpack(root: &Path, layer: &[u8], whiteouts: Whiteouts) {
    let fd = open_root(root).unwrap();
    let options = UnpackOptions {
        whiteouts,
        privileged: true,
    };
    unpack_layer(fd.as_fd(), layer, None, &options).unwrap();
}

#[test]
fn thousands_of_whiteouts_apply_exactly() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    unpack(root, &lower(), Whiteouts::Apply);
    unpack(root, &upper(), Whiteouts::Apply);

    let new: BTreeSet<String> = (0..FILES).map(|i| format!("new{i}")).collect();
    let mut d0 = new.clone();
    d0.extend((1..FILES).step_by(2).map(|i| format!("f{i}")));
    assert_eq!(names(&root.join("d0")), d0, "d0");
    assert_eq!(fs::read(root.join("d0/f1")).unwrap(), b"upper", "d0/f1");
    assert_eq!(fs::read(root.join("d0/f3")).unwrap(), b"lower", "d0/f3");
    assert_eq!(names(&root.join("d1")), new, "d1");
    assert_eq!(names(&root.join("d2")), BTreeSet::new(), "d2");
}

#[test]
fn thousands_of_whiteouts_kept_for_overlay() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path();
    // The upper layer alone, as a snapshot that becomes an overlay lowerdir.
    unpack(root, &upper(), Whiteouts::Overlay);

    let is_whiteout =
        |path: &Path| fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_char_device());
    // A whiteout of a name this layer created keeps the layer's own file.
    assert_eq!(fs::read(root.join("d0/f1")).unwrap(), b"upper");
    for file in (0..FILES).step_by(2) {
        assert!(is_whiteout(&root.join(format!("d0/f{file}"))), "d0/f{file}");
    }
    for file in 0..FILES {
        assert!(is_whiteout(&root.join(format!("d2/f{file}"))), "d2/f{file}");
        assert_eq!(
            fs::read(root.join(format!("d1/new{file}"))).unwrap(),
            b"upper"
        );
    }
    let opaque = rustix::fs::lgetxattr(root.join("d1"), OVERLAY_OPAQUE_XATTR, &mut [0u8; 8][..]);
    assert_eq!(opaque.unwrap(), 1, "d1 is opaque");
    assert_eq!(names(&root.join("d0")).len(), FILES + FILES / 2 + 1);
}
