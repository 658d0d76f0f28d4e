//! COPY/ADD on real files: a temporary directory as the context, another as the rootfs.
//! Expected behaviour checked against Docker 20.10's BuildKit (see docs/build.md).

use std::{
    fs,
    io::Write as _,
    os::{
        fd::{AsFd, OwnedFd},
        unix::fs::{symlink, MetadataExt, PermissionsExt},
    },
    path::Path,
};

use berth_container::unpack::open_root;
use berth_dockerfile::SourceContent;

use super::*;
use crate::context::{Context, ContextSource};

/// A context and a rootfs in one temporary directory.
struct Fixture {
    dir: tempfile::TempDir,
    context: Context,
    rootfs: OwnedFd,
}

fn write(path: &Path, data: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, data).unwrap();
}

fn set_mtime(path: &Path, secs: i64) {
    let time = rustix::fs::Timespec {
        tv_sec: secs,
        tv_nsec: 0,
    };
    rustix::fs::utimensat(
        rustix::fs::CWD,
        path,
        &rustix::fs::Timestamps {
            last_access: time,
            last_modification: time,
        },
        rustix::fs::AtFlags::SYMLINK_NOFOLLOW,
    )
    .unwrap();
}

/// The context of the engine checks: a.txt, b.txt, d/{c,sub/s,out -> ../../etc/passwd},
/// e/ (empty), link -> a.txt, hard.txt (a hard link of b.txt).
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("ctx");
    write(&ctx.join("a.txt"), "a\n");
    write(&ctx.join("b.txt"), "b\n");
    write(&ctx.join("d/c"), "c\n");
    write(&ctx.join("d/sub/s"), "s\n");
    fs::create_dir_all(ctx.join("e")).unwrap();
    symlink("../../etc/passwd", ctx.join("d/out")).unwrap();
    symlink("a.txt", ctx.join("link")).unwrap();
    fs::hard_link(ctx.join("b.txt"), ctx.join("hard.txt")).unwrap();
    fs::set_permissions(ctx.join("d/sub"), fs::Permissions::from_mode(0o751)).unwrap();
    fs::set_permissions(ctx.join("d/c"), fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::chown(ctx.join("a.txt"), Some(1234), Some(4321)).unwrap();
    set_mtime(&ctx.join("a.txt"), 978_307_200);
    set_mtime(&ctx.join("e"), 978_307_200);
    set_mtime(&ctx.join("d"), 978_307_200);
    let context = Context::open(ContextSource::Dir(ctx), &dir.path().join("scratch")).unwrap();
    let rootfs = open_root(&dir.path().join("rootfs")).unwrap();
    Fixture {
        dir,
        context,
        rootfs,
    }
}

impl Fixture {
    fn root(&self) -> std::path::PathBuf {
        self.dir.path().join("rootfs")
    }

    fn ctx(&self) -> std::path::PathBuf {
        self.dir.path().join("ctx")
    }

    fn run(&self, sources: &[&str], dest: &str, workdir: &str) -> Result<()> {
        let sources: Vec<String> = sources.iter().map(|s| (*s).to_owned()).collect();
        copy(
            &SourceRoot::Context(&self.context),
            self.rootfs.as_fd(),
            &request(&sources, dest, workdir),
        )
    }

    /// Every path under the rootfs with its kind, sorted: `f path content`, `d path`, `l path -> target`.
    fn listing(&self) -> Vec<String> {
        let mut out = Vec::new();
        list(&self.root(), &self.root(), &mut out);
        out.sort();
        out
    }
}

fn request<'a>(sources: &'a [String], dest: &'a str, workdir: &'a str) -> CopyRequest<'a> {
    CopyRequest {
        sources,
        contents: &[],
        dest,
        workdir,
        chown: None,
        chmod: None,
        exclude: &[],
        parents: false,
        kind: CopyKind::Copy,
    }
}

fn list(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let rel = path.strip_prefix(root).unwrap().display().to_string();
        let meta = fs::symlink_metadata(&path).unwrap();
        if meta.file_type().is_symlink() {
            out.push(format!(
                "l {rel} -> {}",
                fs::read_link(&path).unwrap().display()
            ));
        } else if meta.is_dir() {
            out.push(format!("d {rel}"));
            list(root, &path, out);
        } else {
            out.push(format!(
                "f {rel} {}",
                fs::read_to_string(&path).unwrap().trim_end()
            ));
        }
    }
}

/// Sources, dest, workdir, a directory made first, the expected listing.
type DestinationCase<'a> = (
    &'a [&'a str],
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a [&'a str],
);

#[test]
fn destinations_as_buildkit() {
    let cases: &[DestinationCase<'_>] = &[
        (&["a.txt"], "/x", "/", None, &["f x a"]),
        (&["a.txt"], "/dir/", "/", None, &["d dir", "f dir/a.txt a"]),
        (
            &["a.txt"],
            "/exists",
            "/",
            Some("exists"),
            &["d exists", "f exists/a.txt a"],
        ),
        (
            &["d"],
            "/dd",
            "/",
            None,
            &[
                "d dd",
                "d dd/sub",
                "f dd/c c",
                "f dd/sub/s s",
                "l dd/out -> ../../etc/passwd",
            ],
        ),
        (
            &["*.txt"],
            "/w/",
            "/",
            None,
            &["d w", "f w/a.txt a", "f w/b.txt b", "f w/hard.txt b"],
        ),
        // BuildKit has no "more than one source" error: the last source wins (engine 20.10 checked).
        (&["a.txt", "b.txt"], "/x", "/", None, &["f x b"]),
        (&["*.txt"], "/x", "/", None, &["f x b"]),
        (&["a.txt"], "rel", "/wd", None, &["d wd", "f wd/rel a"]),
        (
            &["*.txt"],
            ".",
            "/wd",
            None,
            &["d wd", "f wd/a.txt a", "f wd/b.txt b", "f wd/hard.txt b"],
        ),
        (&["a.txt"], "", "/wd/", None, &["d wd", "f wd/a.txt a"]),
        // `..` is cleaned inside the context, as BuildKit.
        (&["../a.txt"], "/x", "/", None, &["f x a"]),
        (&["../../d/../a.txt"], "../../x", "/wd", None, &["f x a"]),
        // A wildcard that matches nothing copies nothing, without an error.
        (&["nomatch*"], "/x/", "/", None, &[]),
        // The source path's symlink is followed; the file is copied under the link's name.
        (&["link"], "/l", "/", None, &["f l a"]),
        (&["link"], "/ld/", "/", None, &["d ld", "f ld/link a"]),
        (&["d/s*/s"], "/m/", "/", None, &["d m", "f m/s s"]),
        (
            &["[ab].txt"],
            "/m/",
            "/",
            None,
            &["d m", "f m/a.txt a", "f m/b.txt b"],
        ),
        (&["e"], "/e2", "/", None, &["d e2"]),
    ];
    for (sources, dest, workdir, existing, expected) in cases {
        let fx = fixture();
        if let Some(existing) = existing {
            fs::create_dir_all(fx.root().join(existing)).unwrap();
        }
        fx.run(sources, dest, workdir)
            .unwrap_or_else(|e| panic!("{sources:?} {dest}: {e}"));
        assert_eq!(
            fx.listing(),
            *expected,
            "{sources:?} -> {dest} in {workdir}"
        );
    }
}

#[test]
fn errors_in_buildkit_words() {
    let cases: &[(&[&str], &str, Option<&str>, &str)] = &[
        (
            &["nope"],
            "/x",
            None,
            r#"failed to compute cache key: "/nope" not found: not found"#,
        ),
        (
            &["d/nope/x"],
            "/x",
            None,
            r#"failed to compute cache key: "/d/nope/x" not found: not found"#,
        ),
        (&["d"], "/f", Some("f"), "cannot copy to non-directory: /f"),
        (
            &["d"],
            "/dd",
            Some("dd/c/"),
            "cannot replace to directory /dd/c with file",
        ),
    ];
    for (sources, dest, existing, message) in cases {
        let fx = fixture();
        if let Some(existing) = existing {
            if let Some(dir) = existing.strip_suffix('/') {
                fs::create_dir_all(fx.root().join(dir)).unwrap();
            } else {
                write(&fx.root().join(existing), "old");
            }
        }
        let error = fx.run(sources, dest, "/").unwrap_err();
        assert_eq!(error.to_string(), *message, "{sources:?} {dest}");
    }
    let fx = fixture();
    let sources = vec!["a.txt".to_owned()];
    for (chmod, ok) in [
        ("0700", true),
        ("7777", true),
        ("999", false),
        ("17777", false),
        ("u+x", false),
    ] {
        let result = copy(
            &SourceRoot::Context(&fx.context),
            fx.rootfs.as_fd(),
            &CopyRequest {
                chmod: Some(chmod),
                ..request(&sources, "/x", "/")
            },
        );
        match result {
            Ok(()) => assert!(ok, "{chmod}"),
            Err(e) => {
                assert!(!ok, "{chmod}: {e}");
                assert_eq!(e.to_string(), format!("invalid chmod parameter: '{chmod}'. it should be octal string and between 0 and 07777"));
            }
        }
    }
}

fn owner_mode(path: &Path) -> (u32, u32, u32) {
    let meta = fs::symlink_metadata(path).unwrap();
    (meta.uid(), meta.gid(), meta.mode() & 0o7777)
}

#[test]
fn owners_modes_and_times() {
    let fx = fixture();
    fx.run(&["a.txt", "d", "e"], "/all/", "/").unwrap();
    let root = fx.root();
    // The context's owners are not kept (0:0, as the CLI sends them); modes and file times are.
    assert_eq!(owner_mode(&root.join("all/a.txt")), (0, 0, 0o644));
    assert_eq!(
        fs::metadata(root.join("all/a.txt")).unwrap().mtime(),
        978_307_200
    );
    assert_eq!(owner_mode(&root.join("all/sub")), (0, 0, 0o751));
    assert_eq!(owner_mode(&root.join("all/c")), (0, 0, 0o755));
    // An empty directory keeps its time; one with entries has the copy's (BuildKit's context).
    let fx2 = fixture();
    fx2.run(&["."], "/all/", "/").unwrap();
    assert_eq!(
        fs::metadata(fx2.root().join("all/e")).unwrap().mtime(),
        978_307_200
    );
    assert_ne!(
        fs::metadata(fx2.root().join("all/d")).unwrap().mtime(),
        978_307_200
    );
    // Hard links inside one source stay linked.
    let all = fx2.root().join("all");
    assert_eq!(
        fs::metadata(all.join("b.txt")).unwrap().ino(),
        fs::metadata(all.join("hard.txt")).unwrap().ino()
    );

    // --chown: every entry and the parents COPY creates; --chmod: files and directories.
    let fx = fixture();
    let sources = vec!["d".to_owned(), "a.txt".to_owned()];
    copy(
        &SourceRoot::Context(&fx.context),
        fx.rootfs.as_fd(),
        &CopyRequest {
            chown: Some("5:6"),
            chmod: Some("0700"),
            ..request(&sources, "/p/q/", "/")
        },
    )
    .unwrap();
    let root = fx.root();
    assert_eq!(owner_mode(&root.join("p")), (5, 6, 0o755));
    assert_eq!(owner_mode(&root.join("p/q")), (5, 6, 0o755));
    assert_eq!(owner_mode(&root.join("p/q/a.txt")), (5, 6, 0o700));
    assert_eq!(owner_mode(&root.join("p/q/sub")), (5, 6, 0o700));
    assert_eq!(owner_mode(&root.join("p/q/sub/s")), (5, 6, 0o700));
    let link = fs::symlink_metadata(root.join("p/q/out")).unwrap();
    assert_eq!((link.uid(), link.gid()), (5, 6));
}

#[test]
fn chown_names_from_the_destination() {
    // (chown, expected uid:gid) against the rootfs's /etc/passwd and /etc/group; BuildKit
    // leaves 0 (or the user's group) for a name it does not find, without an error.
    let cases = [
        ("app", (1000, 1000)),
        ("app:staff", (1000, 50)),
        ("5:staff", (5, 50)),
        ("5", (5, 5)),
        ("5:7", (5, 7)),
        ("nobody", (0, 0)),
        ("app:nogroup", (1000, 1000)),
        (":staff", (0, 50)),
    ];
    for (chown, expected) in cases {
        let fx = fixture();
        write(
            &fx.root().join("etc/passwd"),
            "root:x:0:0::/:/bin/sh\napp:x:1000:1000::/:/bin/sh\n",
        );
        write(
            &fx.root().join("etc/group"),
            "root:x:0:\napp:x:1000:\nstaff:x:50:\n",
        );
        let sources = vec!["a.txt".to_owned()];
        copy(
            &SourceRoot::Context(&fx.context),
            fx.rootfs.as_fd(),
            &CopyRequest {
                chown: Some(chown),
                ..request(&sources, "/x", "/")
            },
        )
        .unwrap();
        let (uid, gid, _) = owner_mode(&fx.root().join("x"));
        assert_eq!((uid, gid), expected, "{chown}");
    }
    // No database at all (FROM scratch): 0 as well.
    let fx = fixture();
    let sources = vec!["a.txt".to_owned()];
    copy(
        &SourceRoot::Context(&fx.context),
        fx.rootfs.as_fd(),
        &CopyRequest {
            chown: Some("app"),
            ..request(&sources, "/x", "/")
        },
    )
    .unwrap();
    assert_eq!(owner_mode(&fx.root().join("x")).0, 0);
}

#[test]
fn from_a_rootfs_keeps_owners_and_times() {
    let fx = fixture();
    let other = fx.dir.path().join("other");
    write(&other.join("srv/app/bin"), "bin");
    std::os::unix::fs::chown(other.join("srv/app/bin"), Some(7), Some(8)).unwrap();
    set_mtime(&other.join("srv/app"), 1_000_000_000);
    symlink("/srv/app", other.join("current")).unwrap();
    // xattrs are copied, file capabilities (cap_net_raw, as ping has) included.
    let capability: [u8; 20] = [
        1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    let bin = other.join("srv/app/bin");
    rustix::fs::setxattr(
        &bin,
        "user.origin",
        b"test",
        rustix::fs::XattrFlags::empty(),
    )
    .unwrap();
    rustix::fs::setxattr(
        &bin,
        "security.capability",
        &capability,
        rustix::fs::XattrFlags::empty(),
    )
    .unwrap();
    let other_fd = open_root(&other).unwrap();
    let sources = vec!["current".to_owned()];
    copy(
        &SourceRoot::Rootfs(other_fd.as_fd()),
        fx.rootfs.as_fd(),
        &request(&sources, "/copy/", "/"),
    )
    .unwrap();
    // The absolute symlink of the source is followed inside the source rootfs.
    assert_eq!(owner_mode(&fx.root().join("copy/bin")), (7, 8, 0o644));
    let copied = fx.root().join("copy/bin");
    let mut value = [0u8; 64];
    let n = rustix::fs::getxattr(&copied, "user.origin", &mut value).unwrap();
    assert_eq!(&value[..n], b"test");
    let n = rustix::fs::getxattr(&copied, "security.capability", &mut value).unwrap();
    assert_eq!(&value[..n], &capability);
    let sources = vec!["srv".to_owned()];
    copy(
        &SourceRoot::Rootfs(other_fd.as_fd()),
        fx.rootfs.as_fd(),
        &request(&sources, "/s", "/"),
    )
    .unwrap();
    assert_eq!(
        fs::metadata(fx.root().join("s/app")).unwrap().mtime(),
        1_000_000_000
    );
}

#[test]
fn exclude_parents_and_heredocs() {
    let fx = fixture();
    let sources = vec![".".to_owned()];
    let exclude = vec!["*.txt".to_owned(), "d/sub".to_owned()];
    copy(
        &SourceRoot::Context(&fx.context),
        fx.rootfs.as_fd(),
        &CopyRequest {
            exclude: &exclude,
            ..request(&sources, "/x/", "/")
        },
    )
    .unwrap();
    let listing = fx.listing();
    assert!(
        !listing
            .iter()
            .any(|l| l.starts_with("f x/a.txt") || l.contains("sub")),
        "{listing:?}"
    );
    assert!(listing.contains(&"f x/d/c c".to_owned()), "{listing:?}");

    let fx = fixture();
    let sources = vec![
        "d/sub/s".to_owned(),
        "d/./sub".to_owned(),
        "[ab].txt".to_owned(),
    ];
    copy(
        &SourceRoot::Context(&fx.context),
        fx.rootfs.as_fd(),
        &CopyRequest {
            parents: true,
            ..request(&sources, "/p/", "/")
        },
    )
    .unwrap();
    assert_eq!(
        fx.listing(),
        [
            "d p",
            "d p/d",
            "d p/d/sub",
            "d p/sub",
            "f p/a.txt a",
            "f p/b.txt b",
            "f p/d/sub/s s",
            "f p/sub/s s"
        ]
    );

    let fx = fixture();
    let contents = vec![SourceContent {
        path: "EOF".to_owned(),
        data: "hi\n".to_owned(),
        expand: true,
    }];
    copy(
        &SourceRoot::Context(&fx.context),
        fx.rootfs.as_fd(),
        &CopyRequest {
            contents: &contents,
            ..request(&[], "/h", "/")
        },
    )
    .unwrap();
    assert_eq!(fs::read_to_string(fx.root().join("h")).unwrap(), "hi\n");
    assert_eq!(owner_mode(&fx.root().join("h")), (0, 0, 0o644));
    copy(
        &SourceRoot::Context(&fx.context),
        fx.rootfs.as_fd(),
        &CopyRequest {
            contents: &contents,
            ..request(&[], "/hd/", "/")
        },
    )
    .unwrap();
    assert_eq!(
        fs::read_to_string(fx.root().join("hd/EOF")).unwrap(),
        "hi\n"
    );
}

/// A rootfs whose `/etc` is a symlink to `/` (and `/abs` to the host directory next to it):
/// COPY writes inside the rootfs, never on the host.
#[test]
fn hostile_rootfs_symlinks_stay_inside() {
    let fx = fixture();
    let outside = fx.dir.path().join("outside");
    fs::create_dir_all(&outside).unwrap();
    symlink("/", fx.root().join("etc")).unwrap();
    symlink(&outside, fx.root().join("abs")).unwrap();
    symlink("../../../../../../outside", fx.root().join("rel")).unwrap();
    symlink(outside.join("target"), fx.root().join("file")).unwrap();
    for dest in ["/etc/x", "/abs/x", "/rel/x", "/etc/sub/", "/abs/sub/dir/"] {
        fx.run(&["a.txt", "d"], dest, "/").ok();
        fx.run(&["a.txt"], dest, "/").unwrap();
    }
    // A file destination that is a symlink out is replaced, not written through.
    fx.run(&["a.txt"], "/file", "/").unwrap();
    assert!(
        fs::read_dir(&outside).unwrap().next().is_none(),
        "something was written outside"
    );
    assert!(!Path::new("/x").exists() && !Path::new("/sub").exists());
    assert_eq!(fs::read_to_string(fx.root().join("x")).unwrap(), "a\n"); // /etc/x -> /x in the root
    assert!(fs::symlink_metadata(fx.root().join("file"))
        .unwrap()
        .is_file());
}

/// Context symlinks are copied as symlinks and never followed out of the context, even as a
/// source path.
#[test]
fn context_symlinks_never_leave_the_context() {
    let fx = fixture();
    let secret = fx.dir.path().join("secret");
    write(&secret, "secret");
    symlink(&secret, fx.ctx().join("abs")).unwrap();
    symlink("../secret", fx.ctx().join("up")).unwrap();
    for source in ["abs", "up"] {
        let error = fx.run(&[source], "/x", "/").unwrap_err();
        assert!(error.to_string().contains("not found"), "{source}: {error}");
    }
    fx.run(&["."], "/all/", "/").unwrap();
    assert!(fs::symlink_metadata(fx.root().join("all/abs"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(!fx
        .listing()
        .iter()
        .any(|l| l.contains("secret") && l.starts_with('f')));
}

fn tar_of(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    // `tar -C dir -c .` writes the root first: it must not change the destination's owner or mode.
    let mut root = tar::Header::new_gnu();
    root.set_size(0);
    root.set_mode(0o777);
    root.set_uid(99);
    root.set_gid(99);
    root.set_entry_type(tar::EntryType::Directory);
    root.as_gnu_mut().unwrap().name[..2].copy_from_slice(b"./");
    root.set_cksum();
    builder.append(&root, &[][..]).unwrap();
    for (name, data) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o640);
        header.set_uid(1234);
        header.set_gid(4321);
        header.set_mtime(1_012_608_000);
        header.set_entry_type(tar::EntryType::Regular);
        header.as_gnu_mut().unwrap().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_cksum();
        builder.append(&header, data.as_bytes()).unwrap();
    }
    builder.into_inner().unwrap()
}

fn compressed(kind: &str, data: &[u8]) -> Vec<u8> {
    match kind {
        "gz" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        "bz2" => {
            let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        "xz" => {
            let mut e = liblzma::write::XzEncoder::new(Vec::new(), 6);
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        "zst" => zstd::encode_all(data, 3).unwrap(),
        _ => data.to_vec(),
    }
}

struct NoFetch;
impl Fetch for NoFetch {
    fn fetch(&self, url: &str) -> std::io::Result<(Box<dyn std::io::Read + Send>, Option<i64>)> {
        Err(std::io::Error::other(format!(
            "no network in this test: {url}"
        )))
    }
}

#[test]
fn add_extracts_local_archives() {
    let tar = tar_of(&[("t/f", "t\n")]);
    // (file, extracted?) — the 20.10 engine extracts plain, gzip, bzip2 and xz tars, not zstd.
    let cases = [
        ("plain.tar", "", true),
        ("g.tar.gz", "gz", true),
        ("b.tbz", "bz2", true),
        ("x.txz", "xz", true),
        ("z.tar.zst", "zst", false),
    ];
    for (name, kind, extracted) in cases {
        let fx = fixture();
        fs::write(fx.ctx().join(name), compressed(kind, &tar)).unwrap();
        fs::write(fx.ctx().join("a.gz"), compressed("gz", b"not a tar")).unwrap();
        let sources = vec![name.to_owned(), "a.gz".to_owned()];
        let kind = CopyKind::Add {
            checksum: None,
            unpack: None,
            fetch: &NoFetch,
        };
        copy(
            &SourceRoot::Context(&fx.context),
            fx.rootfs.as_fd(),
            &CopyRequest {
                kind,
                chown: Some("7:7"),
                ..request(&sources, "/out/", "/")
            },
        )
        .unwrap();
        let root = fx.root();
        assert!(
            root.join("out/a.gz").is_file(),
            "a gzip file that is no tar is copied"
        );
        assert_eq!(root.join("out/t/f").is_file(), extracted, "{name}");
        assert_eq!(root.join("out").join(name).is_file(), !extracted, "{name}");
        if extracted {
            // The archive's owners, modes and times are kept; --chown only makes the directory.
            let meta = fs::metadata(root.join("out/t/f")).unwrap();
            assert_eq!(
                (meta.uid(), meta.gid(), meta.mode() & 0o7777, meta.mtime()),
                (1234, 4321, 0o640, 1_012_608_000)
            );
            assert_eq!(owner_mode(&root.join("out")), (7, 7, 0o755));
        }
        // --unpack=false copies the archive as a file.
        let kind = CopyKind::Add {
            checksum: None,
            unpack: Some(false),
            fetch: &NoFetch,
        };
        copy(
            &SourceRoot::Context(&fx.context),
            fx.rootfs.as_fd(),
            &CopyRequest {
                kind,
                ..request(&sources[..1], "/raw/", "/")
            },
        )
        .unwrap();
        assert!(root.join("raw").join(name).is_file());
    }
    // A hostile archive is refused and writes nothing outside.
    let fx = fixture();
    let mut evil = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(1);
    header.set_entry_type(tar::EntryType::Regular);
    header.as_gnu_mut().unwrap().name[..12].copy_from_slice(b"../../escape");
    header.set_cksum();
    evil.append(&header, &b"x"[..]).unwrap();
    fs::write(fx.ctx().join("evil.tar"), evil.into_inner().unwrap()).unwrap();
    let sources = vec!["evil.tar".to_owned()];
    let kind = CopyKind::Add {
        checksum: None,
        unpack: None,
        fetch: &NoFetch,
    };
    assert!(copy(
        &SourceRoot::Context(&fx.context),
        fx.rootfs.as_fd(),
        &CopyRequest {
            kind,
            ..request(&sources, "/out/", "/")
        }
    )
    .is_err());
    assert!(!fx.dir.path().join("escape").exists() && !fx.root().join("escape").exists());
}

/// An HTTP body served by the test (the CLI's `Fetch` talks HTTP; this one hands back bytes).
struct Body(Vec<u8>, Option<i64>);
impl Fetch for Body {
    fn fetch(&self, _url: &str) -> std::io::Result<(Box<dyn std::io::Read + Send>, Option<i64>)> {
        Ok((Box::new(std::io::Cursor::new(self.0.clone())), self.1))
    }
}

#[test]
fn add_urls() {
    let body = Body(b"hello\n".to_vec(), Some(1_600_000_000));
    let digest = berth_digest::Digest::sha256(b"hello\n").to_string();
    // (url, dest, path written)
    let cases = [
        ("http://127.0.0.1:1/dir/file.txt?x=1", "/d/", "d/file.txt"),
        ("https://127.0.0.1:1/", "/d/", "d/__unnamed__"),
        ("http://127.0.0.1:1/a/b", "/named", "named"),
    ];
    for (url, dest, path) in cases {
        let fx = fixture();
        let sources = vec![url.to_owned()];
        let kind = CopyKind::Add {
            checksum: Some(&digest),
            unpack: None,
            fetch: &body,
        };
        copy(
            &SourceRoot::Context(&fx.context),
            fx.rootfs.as_fd(),
            &CopyRequest {
                kind,
                ..request(&sources, dest, "/")
            },
        )
        .unwrap();
        let meta = fs::metadata(fx.root().join(path)).unwrap();
        assert_eq!(
            (meta.mode() & 0o7777, meta.mtime()),
            (0o600, 1_600_000_000),
            "{url}"
        );
        let checksum = sources_checksum(
            &SourceRoot::Context(&fx.context),
            &CopyRequest {
                kind: CopyKind::Add {
                    checksum: None,
                    unpack: None,
                    fetch: &body,
                },
                ..request(&sources, dest, "/")
            },
        )
        .unwrap();
        assert_ne!(checksum.to_string(), "");
    }
    let fx = fixture();
    let sources = vec!["http://127.0.0.1:1/f".to_owned()];
    let wrong = berth_digest::Digest::sha256(b"other").to_string();
    let kind = CopyKind::Add {
        checksum: Some(&wrong),
        unpack: None,
        fetch: &body,
    };
    let error = copy(
        &SourceRoot::Context(&fx.context),
        fx.rootfs.as_fd(),
        &CopyRequest {
            kind,
            ..request(&sources, "/x", "/")
        },
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("digest mismatch for http://127.0.0.1:1/f: {digest} (expected: {wrong})")
    );
    assert!(!fx.root().join("x").exists());
    let sources = vec!["a.txt".to_owned()];
    let kind = CopyKind::Add {
        checksum: Some(&wrong),
        unpack: None,
        fetch: &body,
    };
    let error = copy(
        &SourceRoot::Context(&fx.context),
        fx.rootfs.as_fd(),
        &CopyRequest {
            kind,
            ..request(&sources, "/x", "/")
        },
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "checksum requires HTTP(S) or Git sources"
    );
}

#[test]
fn checksum_follows_content_not_mtime() {
    let fx = fixture();
    let sources = vec![".".to_owned()];
    let sum = |fx: &Fixture| {
        sources_checksum(
            &SourceRoot::Context(&fx.context),
            &request(&sources, "/", "/"),
        )
        .unwrap()
    };
    let first = sum(&fx);
    assert_eq!(sum(&fx), first, "same sources, same digest");
    set_mtime(&fx.ctx().join("d/c"), 5);
    set_mtime(&fx.ctx().join("d"), 5);
    assert_eq!(sum(&fx), first, "an mtime is not part of it");
    fs::write(fx.ctx().join("d/c"), "C\n").unwrap();
    let changed = sum(&fx);
    assert_ne!(changed, first, "one file's bytes");
    fs::set_permissions(fx.ctx().join("d/c"), fs::Permissions::from_mode(0o700)).unwrap();
    let chmodded = sum(&fx);
    assert_ne!(chmodded, changed, "a mode");
    fs::remove_file(fx.ctx().join("link")).unwrap();
    symlink("b.txt", fx.ctx().join("link")).unwrap();
    assert_ne!(sum(&fx), chmodded, "a link target");
    // A single-file source: only that file counts.
    let one = vec!["a.txt".to_owned()];
    let a = sources_checksum(&SourceRoot::Context(&fx.context), &request(&one, "/", "/")).unwrap();
    fs::write(fx.ctx().join("b.txt"), "changed").unwrap();
    assert_eq!(
        sources_checksum(&SourceRoot::Context(&fx.context), &request(&one, "/", "/")).unwrap(),
        a
    );
}

/// The checksum records a path and a digest in parts; the bytes hashed are those of the joined
/// value, so cache keys did not change when it stopped joining them.
#[test]
fn record_parts_hashes_as_record_of_the_joined_value() {
    let cases: [(&[&str], &str); 4] = [
        (&["a"], "/"),
        (&["usr", "lib", "small"], "/"),
        (&["sha256", "ab12"], ":"),
        (&["", ""], "/"),
    ];
    for (parts, separator) in cases {
        let mut by_parts = berth_digest::Hasher::sha256();
        super::record_parts(&mut by_parts, b"tag", parts, separator.as_bytes());
        let mut joined = berth_digest::Hasher::sha256();
        super::record(&mut joined, b"tag", parts.join(separator).as_bytes());
        assert_eq!(by_parts.finish(), joined.finish(), "{parts:?}");
    }
}
