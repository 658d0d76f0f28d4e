use std::{
    fs::File,
    io::{self, Read, Write},
    os::unix::fs::PermissionsExt,
    path::Path,
};

use super::{
    exceeded_limit, read_bounded, read_file_bounded, write_atomic, write_atomic_path, AtomicFile,
    Permissions,
};

/// What is at the target name before the write.
#[derive(Debug, Clone, Copy)]
enum Before {
    Nothing,
    /// A regular file with this mode.
    File(u32),
    /// A symlink to a file outside the directory, which must keep its contents.
    SymlinkToFile,
    /// A symlink to a name that does not exist, which must not be created.
    DanglingSymlink,
    /// A directory: a rename cannot replace it.
    Directory,
}

/// The process umask, read without changing it (other tests run in parallel).
fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix("Umask:"))
        .unwrap();
    u32::from_str_radix(line.trim(), 8).unwrap()
}

fn mode_of(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o7777
}

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Writes `new` over a target prepared as `before`, with both entry points, and checks the
/// result: `Some(mode)` a regular file holding `new` with that mode, `None` an error that left
/// the target as it was. Either way no temporary file is left and nothing outside is touched.
fn check(before: Before, permissions: Permissions, expected: Option<u32>) {
    for by_path in [false, true] {
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim");
        std::fs::write(&victim, b"outside").unwrap();
        let dangling = outside.path().join("dangling");
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        match before {
            Before::Nothing => {}
            Before::File(mode) => {
                std::fs::write(&target, b"old").unwrap();
                std::fs::set_permissions(&target, std::fs::Permissions::from_mode(mode)).unwrap();
            }
            Before::SymlinkToFile => std::os::unix::fs::symlink(&victim, &target).unwrap(),
            Before::DanglingSymlink => std::os::unix::fs::symlink(&dangling, &target).unwrap(),
            Before::Directory => std::fs::create_dir(&target).unwrap(),
        }
        let result = if by_path {
            write_atomic_path(&target, b"new", permissions)
        } else {
            write_atomic(
                File::open(dir.path()).unwrap(),
                "target",
                b"new",
                permissions,
            )
        };
        let case = format!("{before:?} {permissions:?} by_path={by_path}");
        match expected {
            Some(mode) => {
                result.unwrap_or_else(|e| panic!("{case}: {e}"));
                assert!(
                    std::fs::symlink_metadata(&target).unwrap().is_file(),
                    "{case}"
                );
                assert_eq!(std::fs::read(&target).unwrap(), b"new", "{case}");
                assert_eq!(mode_of(&target), mode, "{case}");
            }
            None => {
                assert!(result.is_err(), "{case}");
                assert!(target.is_dir(), "{case}");
            }
        }
        assert_eq!(
            names(dir.path()),
            ["target"],
            "{case}: a temporary file was left"
        );
        assert_eq!(std::fs::read(&victim).unwrap(), b"outside", "{case}");
        assert!(!dangling.exists(), "{case}");
    }
}

#[test]
fn atomic_writes() {
    let umask = umask();
    let cases = [
        // berth's own state: 0600 (the umask can only narrow it).
        (
            Before::Nothing,
            Permissions::Create(0o600),
            Some(0o600 & !umask),
        ),
        // A container's /etc files (container/record.rs): readable by any user in the container.
        (
            Before::Nothing,
            Permissions::Create(0o666),
            Some(0o666 & !umask),
        ),
        // An existing file is replaced, its old mode not kept.
        (
            Before::File(0o644),
            Permissions::Create(0o600),
            Some(0o600 & !umask),
        ),
        // Docker's config.json (registry/config.rs): 0600 new, whatever the umask.
        (Before::Nothing, Permissions::Exact(0o600), Some(0o600)),
        // ... and the mode an existing one had.
        (Before::File(0o640), Permissions::Exact(0o640), Some(0o640)),
        (Before::File(0o600), Permissions::Exact(0o644), Some(0o644)),
        // A symlink at the target is replaced, never written through.
        (
            Before::SymlinkToFile,
            Permissions::Create(0o600),
            Some(0o600 & !umask),
        ),
        (
            Before::DanglingSymlink,
            Permissions::Exact(0o600),
            Some(0o600),
        ),
        // A directory cannot be replaced: an error, and the temporary file is gone.
        (Before::Directory, Permissions::Create(0o600), None),
    ];
    for (before, permissions, expected) in cases {
        check(before, permissions, expected);
    }
}

#[test]
fn atomic_writes_refuse_names_that_are_not_one_component() {
    let dir = tempfile::tempdir().unwrap();
    let fd = File::open(dir.path()).unwrap();
    for name in [
        "",
        ".",
        "..",
        "a/b",
        "../escape",
        "/etc/passwd",
        "nul\0byte",
    ] {
        let error = write_atomic(&fd, name, b"x", Permissions::Create(0o600)).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{name:?}");
    }
    for path in ["/", "..", "dir/.."] {
        let error =
            write_atomic_path(Path::new(path), b"x", Permissions::Create(0o600)).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "{path:?}");
    }
    assert!(names(dir.path()).is_empty());
    assert!(!dir.path().parent().unwrap().join("escape").exists());
}

#[test]
fn an_uncommitted_atomic_file_leaves_the_target_alone() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target");
    std::fs::write(&target, b"old").unwrap();
    let mut file = AtomicFile::create_path(&target, Permissions::Create(0o600)).unwrap();
    file.write_all(b"half").unwrap();
    assert_eq!(names(dir.path()).len(), 2);
    assert!(names(dir.path())[0].starts_with(".target.tmp-"));
    drop(file);
    assert_eq!(names(dir.path()), ["target"]);
    assert_eq!(std::fs::read(&target).unwrap(), b"old");
}

/// Yields `len` bytes a few at a time, as a pipe would.
struct Trickle {
    left: usize,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.left.min(buf.len()).min(3);
        buf[..n].fill(b'x');
        self.left -= n;
        Ok(n)
    }
}

#[test]
fn bounded_reads() {
    // (length, limit, whether it is read)
    let cases = [
        (0, 0, true),
        (1, 0, false),
        (10, 10, true),
        (11, 10, false),
        (9, 10, true),
        (5000, 4096, false),
        (4096, 4096, true),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (len, limit, fits) in cases {
        let contents = vec![b'x'; len];
        let path = dir.path().join(format!("{len}-{limit}"));
        std::fs::write(&path, &contents).unwrap();
        let results = [
            ("slice", read_bounded(contents.as_slice(), limit)),
            ("stream", read_bounded(Trickle { left: len }, limit)),
            (
                "file",
                read_file_bounded(&File::open(&path).unwrap(), limit),
            ),
            // A file read as a stream (no size known up front).
            (
                "file stream",
                read_bounded(File::open(&path).unwrap(), limit),
            ),
        ];
        for (how, result) in results {
            let case = format!("{how}: {len} bytes, limit {limit}");
            if fits {
                assert_eq!(result.unwrap(), contents, "{case}");
            } else {
                let error = result.unwrap_err();
                assert_eq!(error.kind(), io::ErrorKind::FileTooLarge, "{case}");
                assert_eq!(exceeded_limit(&error), Some(limit), "{case}");
                assert_eq!(
                    error.to_string(),
                    format!("file too large: more than {limit} bytes"),
                    "{case}"
                );
            }
        }
    }
}

#[test]
fn other_errors_are_not_taken_for_a_limit() {
    assert_eq!(exceeded_limit(&io::Error::other("disk on fire")), None);
    assert_eq!(exceeded_limit(&io::ErrorKind::FileTooLarge.into()), None);
}
