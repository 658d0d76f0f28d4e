//! Breakout cases of the security checklist (items 20-25, 30) and containerd's `TestBreakouts`, each with
//! canary files outside the root that must be unchanged afterwards.

use std::{
    collections::BTreeMap,
    fs,
    os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt},
    path::{Path, PathBuf},
};

use super::*;

/// One tar entry. Names and targets may contain `{canary}`: the absolute path of the canary directory.
#[derive(Clone)]
enum E {
    File(&'static str, &'static str),
    Dir(&'static str, u32),
    Symlink(&'static str, &'static str),
    Link(&'static str, &'static str),
    Char(&'static str, u32, u32),
    /// A file whose PAX header carries these records.
    Pax(&'static str, &'static [(&'static str, &'static [u8])]),
}

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    canary: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        let canary = dir.path().join("canary");
        fs::create_dir_all(&root).unwrap();
        fs::create_dir_all(canary.join("dir")).unwrap();
        fs::write(canary.join("file"), "canary").unwrap();
        fs::set_permissions(canary.join("file"), fs::Permissions::from_mode(0o644)).unwrap();
        fs::set_permissions(canary.join("dir"), fs::Permissions::from_mode(0o755)).unwrap();
        Fixture {
            _dir: dir,
            root,
            canary,
        }
    }

    fn expand(&self, s: &str) -> Vec<u8> {
        s.replace("{canary}", &self.canary.to_string_lossy())
            .into_bytes()
    }

    fn tar(&self, entries: &[E]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for entry in entries {
            let mut header = tar::Header::new_gnu();
            header.set_mtime(1_600_000_000);
            header.set_uid(0);
            header.set_gid(0);
            let (name, data): (&str, &[u8]) = match entry {
                E::File(name, content) => {
                    header.set_entry_type(tar::EntryType::Regular);
                    header.set_mode(0o644);
                    (name, content.as_bytes())
                }
                E::Dir(name, mode) => {
                    header.set_entry_type(tar::EntryType::Directory);
                    header.set_mode(*mode);
                    (name, b"")
                }
                E::Symlink(name, target) | E::Link(name, target) => {
                    header.set_entry_type(if matches!(entry, E::Symlink(..)) {
                        tar::EntryType::Symlink
                    } else {
                        tar::EntryType::Link
                    });
                    header.set_mode(0o777);
                    let target = self.expand(target);
                    header.as_old_mut().linkname[..target.len()].copy_from_slice(&target);
                    (name, b"")
                }
                E::Char(name, major, minor) => {
                    header.set_entry_type(tar::EntryType::Char);
                    header.set_mode(0o666);
                    header.set_device_major(*major).unwrap();
                    header.set_device_minor(*minor).unwrap();
                    (name, b"")
                }
                E::Pax(name, records) => {
                    builder
                        .append_pax_extensions(records.iter().map(|(k, v)| (*k, *v)))
                        .unwrap();
                    header.set_entry_type(tar::EntryType::Regular);
                    header.set_mode(0o644);
                    (name, b"pax")
                }
            };
            // Raw name bytes: `Header::set_path` refuses `..`, and these tests need exactly that.
            let name = self.expand(name);
            header.as_old_mut().name[..name.len()].copy_from_slice(&name);
            header.set_size(data.len() as u64);
            header.set_cksum();
            builder.append(&header, data).unwrap();
        }
        builder.into_inner().unwrap()
    }

    fn unpack(&self, entries: &[E], whiteouts: Whiteouts) -> Result<berth_store::LayerInfo> {
        let root = open_root(&self.root).unwrap();
        let options = UnpackOptions {
            whiteouts,
            privileged: true,
        };
        unpack_layer(root.as_fd(), self.tar(entries).as_slice(), None, &options)
    }

    fn path(&self, relative: &str) -> PathBuf {
        let relative = self.expand(relative);
        self.root
            .join(String::from_utf8(relative).unwrap().trim_start_matches('/'))
    }
}

/// Everything observable about a tree outside the root: paths, types, modes, link counts, contents.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u32, u64, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = fs::symlink_metadata(&path).unwrap();
        let content = if meta.is_file() {
            fs::read(&path).unwrap()
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

fn host_etc() -> (u32, u64, bool) {
    let passwd = fs::symlink_metadata("/etc/passwd").unwrap();
    let planted =
        Path::new("/etc/berth-canary").exists() || Path::new("/etc/berth-canary-dir").exists();
    (passwd.mode(), passwd.nlink(), planted)
}

type Check = fn(&Fixture);

/// Runs one case: `lower` layers first (which must apply), then `layer`; then checks that nothing outside
/// the root changed, and either that the layer was refused or `check` holds.
fn check(name: &str, whiteouts: Whiteouts, lower: &[&[E]], layer: &[E], expected: Option<Check>) {
    let fixture = Fixture::new();
    let canary_before = snapshot(&fixture.canary);
    let etc_before = host_etc();
    for entries in lower {
        fixture
            .unpack(entries, whiteouts)
            .unwrap_or_else(|e| panic!("{name}: lower layer failed: {e}"));
    }
    let result = fixture.unpack(layer, whiteouts);
    assert_eq!(
        snapshot(&fixture.canary),
        canary_before,
        "{name}: canary changed"
    );
    assert_eq!(host_etc(), etc_before, "{name}: host /etc changed");
    match (expected, result) {
        (Some(check), Ok(_)) => check(&fixture),
        (None, Err(_)) => {}
        (Some(_), Err(e)) => panic!("{name}: expected success, got {e:?}"),
        (None, Ok(_)) => panic!("{name}: expected the layer to be refused"),
    }
}

fn content(fixture: &Fixture, path: &str) -> String {
    fs::read_to_string(fixture.path(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn is_symlink(fixture: &Fixture, path: &str) -> bool {
    fs::symlink_metadata(fixture.path(path)).is_ok_and(|m| m.file_type().is_symlink())
}

fn missing(fixture: &Fixture, path: &str) -> bool {
    fs::symlink_metadata(fixture.path(path)).is_err()
}

#[test]
fn names_that_leave_the_root_are_refused() {
    let cases: &[(&str, &[E])] = &[
        ("dotdot", &[E::File("../x", "x")]),
        ("slash dotdot", &[E::File("/../x", "x")]),
        ("nested dotdot", &[E::File("a/../../x", "x")]),
        ("dotdot canary", &[E::File("../canary/file", "pwned")]),
        ("symlink named ..", &[E::Symlink("..", "/")]),
        ("root as symlink", &[E::Symlink(".", "{canary}")]),
        ("root as slash symlink", &[E::Symlink("/", "{canary}")]),
        ("root as file", &[E::File("./", "x")]),
        ("nul in pax path", &[E::Pax("x", &[("path", b"a\0b")])]),
        ("hard link dotdot", &[E::Link("h", "../../etc/passwd")]),
        ("hard link to root", &[E::Link("h", "/")]),
        (
            "uid beyond 32 bits",
            &[E::Pax("x", &[("uid", b"4294967296")])],
        ),
        ("empty symlink target", &[E::Symlink("s", "")]),
    ];
    for (name, entries) in cases {
        check(name, Whiteouts::Apply, &[], entries, None);
    }
}

#[test]
fn symlinks_are_resolved_inside_the_root() {
    let cases: &[(&str, &[E], Check)] = &[
        (
            "absolute symlink to /etc",
            &[
                E::Symlink("l", "/etc"),
                E::File("l/berth-canary", "in root"),
            ],
            |f| assert_eq!(content(f, "etc/berth-canary"), "in root"),
        ),
        (
            "absolute symlink to the canary",
            &[E::Symlink("l", "{canary}"), E::File("l/file", "in root")],
            |f| assert_eq!(content(f, "{canary}/file"), "in root"),
        ),
        (
            "relative symlink up and out",
            &[E::Symlink("l", "../.."), E::File("l/x", "in root")],
            |f| assert_eq!(content(f, "x"), "in root"),
        ),
        (
            "relative symlink to the canary",
            &[E::Symlink("l", "../canary"), E::File("l/file", "in root")],
            |f| assert_eq!(content(f, "canary/file"), "in root"),
        ),
        (
            "symlink chain",
            &[
                E::Symlink("a", "b"),
                E::Symlink("b", "../../../{canary}"),
                E::File("a/file", "in root"),
            ],
            |f| assert_eq!(content(f, "{canary}/file"), "in root"),
        ),
        (
            "symlink to / mid-archive",
            &[
                E::Dir("foo", 0o755),
                E::Symlink("foo", "/"),
                E::File("foo/etc/berth-canary", "in root"),
            ],
            |f| assert_eq!(content(f, "etc/berth-canary"), "in root"),
        ),
        (
            "symlink then same-name dir 0777",
            &[E::Symlink("d", "{canary}/dir"), E::Dir("d", 0o777)],
            |f| {
                let meta = fs::symlink_metadata(f.path("d")).unwrap();
                assert!(meta.is_dir());
                assert_eq!(meta.mode() & 0o7777, 0o777);
            },
        ),
        (
            "dir then same-name symlink then file",
            &[
                E::Dir("d", 0o755),
                E::Symlink("d", "{canary}/dir"),
                E::File("d/new", "in root"),
            ],
            |f| assert_eq!(content(f, "{canary}/dir/new"), "in root"),
        ),
        (
            "symlink then same-name file",
            &[E::Symlink("f", "{canary}/file"), E::File("f", "replaced")],
            |f| {
                assert!(!is_symlink(f, "f"));
                assert_eq!(content(f, "f"), "replaced");
            },
        ),
        (
            "symlink to /etc then dir below",
            &[E::Symlink("l", "/etc"), E::Dir("l/berth-canary-dir", 0o777)],
            |f| assert!(f.path("etc/berth-canary-dir").is_dir()),
        ),
    ];
    for (name, entries, expected) in cases {
        check(name, Whiteouts::Apply, &[], entries, Some(*expected));
    }
}

#[test]
fn hard_links_stay_inside_the_root() {
    let refused: &[(&str, &[E])] = &[
        ("absolute, missing in root", &[E::Link("h", "/etc/passwd")]),
        ("canary absolute", &[E::Link("h", "{canary}/file")]),
        (
            "via symlinked parent",
            &[E::Symlink("l", "{canary}"), E::Link("h", "l/file")],
        ),
        (
            "via relative symlinked parent",
            &[E::Symlink("l", "../canary"), E::Link("h", "l/file")],
        ),
        ("to a directory", &[E::Dir("d", 0o755), E::Link("h", "d")]),
    ];
    for (name, entries) in refused {
        check(name, Whiteouts::Apply, &[], entries, None);
    }
    let resolved: &[(&str, &[E], Check)] = &[
        (
            "absolute, present in root",
            &[
                E::File("etc/passwd", "root:x:0:0"),
                E::Link("h", "/etc/passwd"),
            ],
            |f| {
                assert_eq!(content(f, "h"), "root:x:0:0");
                assert_eq!(fs::metadata(f.path("h")).unwrap().nlink(), 2);
            },
        ),
        (
            "via symlinked parent, present in root",
            &[
                E::File("etc/passwd", "inside"),
                E::Symlink("l", "/etc"),
                E::Link("h", "l/passwd"),
            ],
            |f| assert_eq!(content(f, "h"), "inside"),
        ),
        (
            "hard link to a symlink, then chmod through it",
            &[
                E::Symlink("s", "{canary}/file"),
                E::Link("h", "s"),
                E::Dir("h", 0o777),
            ],
            |f| {
                assert!(is_symlink(f, "s"));
                assert!(fs::symlink_metadata(f.path("h")).unwrap().is_dir());
            },
        ),
        (
            "hard link to a symlink is the symlink",
            &[E::Symlink("s", "{canary}/file"), E::Link("h", "s")],
            |f| assert!(is_symlink(f, "h")),
        ),
        (
            "hard link to itself",
            &[E::File("a", "a"), E::Link("a", "a")],
            |f| assert_eq!(content(f, "a"), "a"),
        ),
    ];
    for (name, entries, expected) in resolved {
        check(name, Whiteouts::Apply, &[], entries, Some(*expected));
    }
}

#[test]
fn whiteouts() {
    let refused: &[(&str, &[E])] = &[
        (".wh.", &[E::File(".wh.", "")]),
        (".wh..", &[E::File(".wh..", "")]),
        (".wh...", &[E::File(".wh...", "")]),
        ("nested .wh..", &[E::File("a/.wh..", "")]),
    ];
    for (name, entries) in refused {
        check(name, Whiteouts::Apply, &[], entries, None);
        check(name, Whiteouts::Overlay, &[], entries, None);
    }
    let lower: &[E] = &[
        E::Dir("etc", 0o755),
        E::File("etc/passwd", "lower"),
        E::Dir("a", 0o755),
        E::File("a/old", "lower"),
        E::Symlink("link", "{canary}"),
    ];
    let applied: &[(&str, &[E], Check)] = &[
        (
            "relative whiteout path",
            &[E::File("dne/../.wh.etc", "")],
            |f| assert!(missing(f, "etc")),
        ),
        (
            "whiteout of a symlink removes the link only",
            &[E::File(".wh.link", "")],
            |f| assert!(missing(f, "link")),
        ),
        (
            "whiteout through a symlinked parent stays in the root",
            &[E::File("link/.wh.file", "")],
            |f| assert!(missing(f, "{canary}/file")),
        ),
        (
            "opaque after siblings keeps the siblings",
            &[
                E::Dir("a", 0o755),
                E::File("a/b", "new"),
                E::File("a/.wh..wh..opq", ""),
            ],
            |f| {
                assert_eq!(content(f, "a/b"), "new");
                assert!(missing(f, "a/old"));
            },
        ),
        (
            "opaque before siblings",
            &[E::File("a/.wh..wh..opq", ""), E::File("a/b", "new")],
            |f| {
                assert_eq!(content(f, "a/b"), "new");
                assert!(missing(f, "a/old"));
            },
        ),
        (
            "whiteout does not delete its own layer",
            &[E::File("etc/shadow", "x"), E::File("etc/.wh.shadow", "")],
            |f| assert_eq!(content(f, "etc/shadow"), "x"),
        ),
        (
            ".wh. prefix in a directory is a plain name",
            &[E::File(".wh.etc/file", "plain")],
            |f| {
                assert_eq!(content(f, ".wh.etc/file"), "plain");
                assert_eq!(content(f, "etc/passwd"), "lower");
            },
        ),
        (
            "whiteout of something missing",
            &[E::File("nothing/.wh.here", "")],
            |f| assert!(missing(f, "nothing/here")),
        ),
    ];
    for (name, entries, expected) in applied {
        check(name, Whiteouts::Apply, &[lower], entries, Some(*expected));
    }
    let overlay: &[(&str, &[E], Check)] = &[
        (
            "whiteout becomes a 0:0 char device",
            &[E::File("etc/.wh.passwd", "")],
            |f| {
                let meta = fs::symlink_metadata(f.path("etc/passwd")).unwrap();
                assert!(meta.file_type().is_char_device());
                assert_eq!(meta.rdev(), 0);
            },
        ),
        (
            "opaque becomes an xattr",
            &[E::Dir("a", 0o755), E::File("a/.wh..wh..opq", "")],
            |f| {
                let value =
                    rustix::fs::lgetxattr(f.path("a"), OVERLAY_OPAQUE_XATTR, &mut [0u8; 8][..]);
                assert_eq!(value.unwrap(), 1);
                assert!(missing(f, "a/.wh..wh..opq"));
            },
        ),
    ];
    for (name, entries, expected) in overlay {
        check(name, Whiteouts::Overlay, &[], entries, Some(*expected));
    }
}

#[test]
fn devices_xattrs_and_modes() {
    let cases: &[(&str, &[E], Check)] = &[
        ("char device as root", &[E::Char("dev/null", 1, 3)], |f| {
            let meta = fs::symlink_metadata(f.path("dev/null")).unwrap();
            assert!(meta.file_type().is_char_device());
            assert_eq!(meta.rdev(), rustix::fs::makedev(1, 3));
            assert_eq!(meta.mode() & 0o7777, 0o666);
        }),
        (
            "trusted xattrs are never applied",
            &[E::Pax(
                "x",
                &[
                    ("SCHILY.xattr.trusted.overlay.opaque", b"y"),
                    ("SCHILY.xattr.user.berth", b"ok"),
                ],
            )],
            |f| {
                let mut buf = [0u8; 8];
                assert!(
                    rustix::fs::lgetxattr(f.path("x"), "trusted.overlay.opaque", &mut buf[..])
                        .is_err()
                );
                // user.* needs filesystem support; where it exists it must have been applied.
                if let Ok(n) = rustix::fs::lgetxattr(f.path("x"), "user.berth", &mut buf[..]) {
                    assert_eq!(&buf[..n], b"ok");
                }
            },
        ),
        ("directory mode", &[E::Dir("d", 0o1777)], |f| {
            assert_eq!(fs::metadata(f.path("d")).unwrap().mode() & 0o7777, 0o1777);
        }),
    ];
    for (name, entries, expected) in cases {
        check(name, Whiteouts::Apply, &[], entries, Some(*expected));
    }
    // Unprivileged: device nodes are skipped, the rest of the layer applies.
    let fixture = Fixture::new();
    let root = open_root(&fixture.root).unwrap();
    let options = UnpackOptions {
        whiteouts: Whiteouts::Apply,
        privileged: false,
    };
    let tar = fixture.tar(&[E::Char("dev/null", 1, 3), E::File("f", "x")]);
    unpack_layer(root.as_fd(), tar.as_slice(), None, &options).unwrap();
    assert!(missing(&fixture, "dev/null"));
    assert_eq!(content(&fixture, "f"), "x");
}

#[test]
fn diff_id_covers_the_whole_stream() {
    let fixture = Fixture::new();
    let mut tar = fixture.tar(&[E::File("a", "a")]);
    tar.extend_from_slice(b"trailing bytes after the end-of-archive blocks");
    let root = open_root(&fixture.root).unwrap();
    let options = UnpackOptions::new(Whiteouts::Apply);
    let whole = Digest::sha256(&tar);
    let unpacked = unpack_layer(root.as_fd(), tar.as_slice(), Some(&whole), &options).unwrap();
    assert_eq!(unpacked.diff_id, whole);
    assert_eq!(unpacked.uncompressed_size, tar.len() as u64);
    assert_eq!(unpacked.content_size, Some(1));
    let wrong = Digest::sha256(b"something else");
    let error = unpack_layer(root.as_fd(), tar.as_slice(), Some(&wrong), &options).unwrap_err();
    assert!(matches!(error, Error::DiffIdMismatch { .. }), "{error:?}");
}

#[test]
fn compressed_layers_are_recognized() {
    use std::io::Write;
    let fixture = Fixture::new();
    let tar = fixture.tar(&[E::File("a", "gz")]);
    // Two gzip members: Go reads both, so must berth.
    let (first, second) = tar.split_at(512);
    let mut gz = Vec::new();
    for part in [first, second] {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(part).unwrap();
        gz.extend(encoder.finish().unwrap());
    }
    let root = open_root(&fixture.root).unwrap();
    let options = UnpackOptions::new(Whiteouts::Apply);
    let reader = decompress(gz.as_slice()).unwrap();
    let unpacked =
        unpack_layer(root.as_fd(), reader, Some(&Digest::sha256(&tar)), &options).unwrap();
    assert_eq!(unpacked.uncompressed_size, tar.len() as u64);
    assert_eq!(content(&fixture, "a"), "gz");
    let zst = zstd::encode_all(tar.as_slice(), 1).unwrap();
    let reader = decompress(zst.as_slice()).unwrap();
    unpack_layer(root.as_fd(), reader, Some(&Digest::sha256(&tar)), &options).unwrap();
}

/// A cut of a layer: its label, where the stream is cut, the files unpacked when it is complete.
type Cut<'a> = (&'a str, usize, Option<&'a [(&'a str, &'a str)]>);

/// Where a layer's tar stream may end is Go's archive/tar rule, tested cut by cut on the one walker
/// (berth-archive's `a_stream_may_end_where_go_lets_it_and_nowhere_else`). Here: the unpacker walks
/// with it, and applies what a stream it accepts holds. umoci 0.4.7 ends its layers right after the
/// last file's data (issue #12).
#[test]
fn a_layer_may_end_where_go_lets_it_and_nowhere_else() {
    let fixture = Fixture::new();
    let a: &'static str = "x".repeat(700).leak();
    let b: &'static str = "y".repeat(1000).leak();
    // a: header 0..512, data 512..1212, padding to 1536; b: header 1536..2048, data 2048..3048,
    // padding to 3072; the end-of-archive blocks (tar-rs writes two) from 3072.
    let whole = fixture.tar(&[E::File("a", a), E::File("b", b)]);
    let cases: [Cut<'_>; 4] = [
        ("inside the first entry's data", 1000, None),
        ("inside the first entry's padding", 1400, Some(&[("a", a)])),
        ("inside the second header", 1600, None),
        (
            "right after the last entry's data (umoci)",
            3048,
            Some(&[("a", a), ("b", b)]),
        ),
    ];
    let options = UnpackOptions::new(Whiteouts::Apply);
    for (label, at, expected) in cases {
        let layer = &whole[..at];
        let scratch = tempfile::tempdir().unwrap();
        let root = open_root(scratch.path()).unwrap();
        let result = unpack_layer(root.as_fd(), layer, Some(&Digest::sha256(layer)), &options);
        match expected {
            Some(files) => {
                let unpacked = result.unwrap_or_else(|e| panic!("{label}: refused: {e:?}"));
                // The diff_id is the digest of the bytes as they are, never of a repaired stream.
                assert_eq!(unpacked.uncompressed_size, at as u64, "{label}");
                for (name, content) in files {
                    let on_disk = fs::read_to_string(scratch.path().join(name)).unwrap();
                    assert_eq!(&on_disk, content, "{label}: {name}");
                }
            }
            None => assert!(result.is_err(), "{label}: accepted"),
        }
    }
}

/// Device fields as Go reads them (issue #13 item 10): Python's `tarfile` leaves a FIFO's device
/// fields all NULs (tar-rs calls that "not a number"; Go reads 0), and a major number the kernel
/// cannot hold is refused instead of being truncated into another device (4350 became 254:0).
#[test]
fn device_fields_are_read_as_go_reads_them() {
    let layer = |kind: tar::EntryType, major: &[u8], minor: &[u8]| {
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(kind);
        header.set_mode(0o644);
        header.set_size(0);
        header.as_ustar_mut().unwrap().name[..4].copy_from_slice(b"node");
        let ustar = header.as_ustar_mut().unwrap();
        ustar.dev_major.fill(0);
        ustar.dev_minor.fill(0);
        ustar.dev_major[..major.len()].copy_from_slice(major);
        ustar.dev_minor[..minor.len()].copy_from_slice(minor);
        header.set_cksum();
        let mut builder = tar::Builder::new(Vec::new());
        builder.append(&header, &[][..]).unwrap();
        builder.into_inner().unwrap()
    };
    let options = UnpackOptions {
        whiteouts: Whiteouts::Apply,
        privileged: true,
    };
    let unpack = |tar: Vec<u8>| {
        let scratch = tempfile::tempdir().unwrap();
        let root = open_root(scratch.path()).unwrap();
        let result = unpack_layer(root.as_fd(), tar.as_slice(), None, &options);
        let kind = fs::symlink_metadata(scratch.path().join("node")).ok();
        (result, kind.map(|m| (m.file_type(), m.rdev())))
    };
    let (result, node) = unpack(layer(tar::EntryType::Fifo, b"", b""));
    result.unwrap();
    assert!(node.unwrap().0.is_fifo());
    if rustix::process::geteuid().is_root() {
        let (result, node) = unpack(layer(tar::EntryType::Char, b"0000001", b"0000003"));
        result.unwrap();
        assert_eq!(node.unwrap().1, rustix::fs::makedev(1, 3));
    }
    let (result, node) = unpack(layer(tar::EntryType::Char, b"0010376", b"0000000"));
    let error = result.unwrap_err();
    assert!(
        error.to_string().contains("out of the kernel's range"),
        "{error}"
    );
    assert_eq!(node, None, "a refused device node was created");
}

mod scale;
