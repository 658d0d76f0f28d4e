//! Layer unpack (`berth_container::unpack::unpack_layer`) of any tar stream never panics, and whatever
//! it answers, nothing outside the target root changes (the oracle).
//!
//! The sandbox, one per process: a parent directory holding the root (recreated for every input) and,
//! beside it, an `outside/` tree with a canary file, a directory, symlinks, plus an `escape -> outside`
//! symlink. After each input the parent minus the root must match the snapshot taken at start: the same
//! paths, types, modes, owners, sizes, link counts, inode numbers, change times, symlink targets,
//! contents and xattrs. A hard link from the root to the canary would raise its link count.
//!
//! Input: the first byte holds options, the rest is the layer.
//! - bit 0: gzip the layer (it goes through `unpack::decompress` either way, as a layer blob does);
//! - bit 1: overlay whiteouts (0:0 character devices, opaque xattr) instead of applying them;
//! - bit 2: unprivileged (no chown, no device nodes) even when running as root;
//! - bit 3: apply the layer twice, so the second pass meets what the first left (an existing symlink,
//!   whiteouts that delete).
//!
//! The sandbox lives in `/dev/shm` when it exists (see `sandbox`). Seeds: `fuzz/seeds/unpack/` (`gen_unpack.py` writes them).
#![no_main]

use std::{
    collections::BTreeMap,
    fs,
    io::Write,
    os::{
        fd::AsFd,
        unix::fs::{MetadataExt, PermissionsExt},
    },
    path::{Path, PathBuf},
    sync::OnceLock,
};

use berth_container::unpack::{self, UnpackOptions, Whiteouts};
use libfuzzer_sys::fuzz_target;

const GZIP: u8 = 1;
const OVERLAY: u8 = 1 << 1;
const UNPRIVILEGED: u8 = 1 << 2;
const TWICE: u8 = 1 << 3;

/// Everything that could show a change to one path outside the root.
#[derive(Debug, PartialEq, Eq)]
struct Node {
    mode: u32,
    uid: u32,
    gid: u32,
    size: u64,
    nlink: u64,
    ino: u64,
    ctime: (i64, i64),
    mtime: (i64, i64),
    /// File content or symlink target.
    content: Vec<u8>,
    xattrs: Vec<(Vec<u8>, Vec<u8>)>,
}

type Snapshot = BTreeMap<PathBuf, Node>;

struct Sandbox {
    parent: PathBuf,
    root: PathBuf,
    canary: PathBuf,
    before: Snapshot,
}

static SANDBOX: OnceLock<Sandbox> = OnceLock::new();

extern "C" fn remove_sandbox() {
    if let Some(sandbox) = SANDBOX.get() {
        remove_tree(&sandbox.root);
        let _ = fs::remove_dir_all(&sandbox.parent);
    }
}

fn sandbox() -> &'static Sandbox {
    SANDBOX.get_or_init(|| {
        // tmpfs when there is one: on a busy disk, ext4's mkdir and unlink make runs 4-8 times slower.
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let parent = tempfile::Builder::new()
            .prefix("berth-fuzz-unpack-")
            .tempdir_in(base)
            .expect("temp dir")
            .keep();
        let outside = parent.join("outside");
        fs::create_dir_all(outside.join("dir")).expect("outside dir");
        let canary = outside.join("canary");
        fs::write(&canary, "canary").expect("canary");
        fs::write(outside.join("dir/file"), "inside a directory outside").expect("file");
        fs::set_permissions(&canary, fs::Permissions::from_mode(0o644)).expect("chmod");
        std::os::unix::fs::symlink("canary", outside.join("link")).expect("symlink");
        std::os::unix::fs::symlink("..", outside.join("up")).expect("symlink");
        std::os::unix::fs::symlink("outside", parent.join("escape")).expect("symlink");
        let root = parent.join("root");
        let before = snapshot(&parent, &root);
        // libFuzzer ends a run with exit(); a static is never dropped, so remove the sandbox then.
        // SAFETY: registering a plain `extern "C"` function with no captured state.
        unsafe { libc::atexit(remove_sandbox) };
        Sandbox {
            parent,
            root,
            canary,
            before,
        }
    })
}

/// The tree under `dir`, without `skip` and what is under it; symlinks are not followed.
fn snapshot(dir: &Path, skip: &Path) -> Snapshot {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = fs::symlink_metadata(&path).expect("lstat outside the root");
        if meta.is_dir() {
            for child in fs::read_dir(&path).expect("read_dir outside the root") {
                let child = child.expect("read_dir entry").path();
                if child != skip {
                    stack.push(child);
                }
            }
        }
        if path == dir {
            continue; // the parent itself changes whenever the root is recreated
        }
        let content = if meta.is_file() {
            fs::read(&path).expect("read outside the root")
        } else if meta.is_symlink() {
            fs::read_link(&path)
                .expect("readlink")
                .into_os_string()
                .into_encoded_bytes()
        } else {
            Vec::new()
        };
        let node = Node {
            mode: meta.mode(),
            uid: meta.uid(),
            gid: meta.gid(),
            size: meta.size(),
            nlink: meta.nlink(),
            ino: meta.ino(),
            ctime: (meta.ctime(), meta.ctime_nsec()),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            content,
            xattrs: xattrs(&path),
        };
        out.insert(path, node);
    }
    out
}

fn xattrs(path: &Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut names = [0u8; 4096];
    let Ok(len) = rustix::fs::llistxattr(path, &mut names[..]) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for name in names[..len].split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let mut value = [0u8; 4096];
        let name_str = std::str::from_utf8(name).expect("xattr names are ASCII here");
        let value = match rustix::fs::lgetxattr(path, name_str, &mut value[..]) {
            Ok(len) => value[..len].to_vec(),
            Err(e) => format!("error {e}").into_bytes(),
        };
        out.push((name.to_vec(), value));
    }
    out
}

/// Removes what an input left in the root, even directories it made unreadable.
fn remove_tree(root: &Path) {
    if fs::remove_dir_all(root).is_ok() || !root.exists() {
        return;
    }
    let mut stack = vec![root.to_path_buf()];
    while let Some(path) = stack.pop() {
        if fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            let _ = fs::set_permissions(&path, fs::Permissions::from_mode(0o700));
            if let Ok(children) = fs::read_dir(&path) {
                stack.extend(children.filter_map(|c| c.ok().map(|c| c.path())));
            }
        }
    }
    fs::remove_dir_all(root).expect("remove the previous root");
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).expect("gzip");
    encoder.finish().expect("gzip")
}

fn unpack_once(root: &Path, layer: &[u8], options: UnpackOptions) {
    let root_fd = unpack::open_root(root).expect("open the root");
    let Ok(reader) = unpack::decompress(layer) else {
        return;
    };
    let _ = unpack::unpack_layer(root_fd.as_fd(), reader, None, &options);
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, tar)) = data.split_first() else {
        return;
    };
    let sandbox = sandbox();
    remove_tree(&sandbox.root);
    fs::create_dir(&sandbox.root).expect("create the root");

    let layer = if flags & GZIP != 0 {
        gzip(tar)
    } else {
        tar.to_vec()
    };
    let options = UnpackOptions {
        whiteouts: if flags & OVERLAY != 0 {
            Whiteouts::Overlay
        } else {
            Whiteouts::Apply
        },
        privileged: flags & UNPRIVILEGED == 0 && rustix::process::geteuid().is_root(),
    };
    let passes = if flags & TWICE != 0 { 2 } else { 1 };
    for _ in 0..passes {
        unpack_once(&sandbox.root, &layer, options);
    }

    let canary = fs::symlink_metadata(&sandbox.canary).expect("the canary is gone");
    assert_eq!(canary.nlink(), 1, "a hard link to the canary was made");
    let after = snapshot(&sandbox.parent, &sandbox.root);
    if after != sandbox.before {
        for (path, node) in &after {
            match sandbox.before.get(path) {
                None => eprintln!("appeared: {} {node:?}", path.display()),
                Some(old) if old != node => {
                    eprintln!(
                        "changed: {}\n  before {old:?}\n  after  {node:?}",
                        path.display()
                    );
                }
                Some(_) => {}
            }
        }
        for path in sandbox.before.keys().filter(|p| !after.contains_key(*p)) {
            eprintln!("disappeared: {}", path.display());
        }
        panic!("unpacking changed something outside the root");
    }
});
