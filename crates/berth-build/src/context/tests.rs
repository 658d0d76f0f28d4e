//! The context's sources on real files.

use std::{fs, io::Write as _, os::fd::AsFd, path::Path};

use berth_container::unpack::open_root;

use super::*;
use crate::copy::{copy, sources_checksum, CopyKind, CopyRequest, SourceRoot};

fn write(path: &Path, data: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, data).unwrap();
}

fn copy_all(context: &Context, rootfs: &Path) -> Result<()> {
    let root = open_root(rootfs).unwrap();
    let sources = vec![".".to_owned()];
    copy(
        &SourceRoot::Context(context),
        root.as_fd(),
        &CopyRequest {
            sources: &sources,
            contents: &[],
            dest: "/",
            workdir: "/",
            chown: None,
            chmod: None,
            exclude: &[],
            parents: false,
            kind: CopyKind::Copy,
        },
    )
}

fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            out.push(path.strip_prefix(dir).unwrap().display().to_string());
            if fs::symlink_metadata(&path).unwrap().is_dir() {
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn dockerignore_as_buildkit() {
    // (ignore file name, its text, -f, what COPY . sees) — as the 20.10 engine's BuildKit: the
    // Dockerfile and the ignore file are ignored too when a pattern says so, and still read.
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            ".dockerignore",
            "Dockerfile*\n.dockerignore\nb.txt\nd/sub\n",
            "Dockerfile",
            &["a.txt", "d", "d/c"],
        ),
        (
            ".dockerignore",
            "*.txt\n!a.txt\n",
            "Dockerfile",
            &[
                ".dockerignore",
                "Dockerfile",
                "a.txt",
                "d",
                "d/c",
                "d/sub",
                "d/sub/s",
            ],
        ),
        (
            ".dockerignore",
            "d\n!d/sub/s\n",
            "Dockerfile",
            &[
                ".dockerignore",
                "Dockerfile",
                "a.txt",
                "b.txt",
                "d",
                "d/sub",
                "d/sub/s",
            ],
        ),
        // NAME.dockerignore wins over .dockerignore.
        (
            "build/Dockerfile.dev.dockerignore",
            "**\n!a.txt\n",
            "build/Dockerfile.dev",
            &["a.txt"],
        ),
    ];
    for (file, text, dockerfile, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let ctx = dir.path().join("ctx");
        write(&ctx.join("a.txt"), "a");
        write(&ctx.join("b.txt"), "b");
        write(&ctx.join("d/c"), "c");
        write(&ctx.join("d/sub/s"), "s");
        write(&ctx.join(dockerfile), "FROM scratch\n");
        if file.contains("build/") {
            write(&ctx.join(".dockerignore"), "a.txt\n");
        }
        write(&ctx.join(file), text);
        let before = listing(&ctx);
        let mut context =
            Context::open(ContextSource::Dir(ctx.clone()), &dir.path().join("scratch")).unwrap();
        context.apply_ignore(dockerfile).unwrap();
        assert_eq!(context.dockerfile(dockerfile).unwrap(), "FROM scratch\n");
        copy_all(&context, &dir.path().join("rootfs")).unwrap();
        assert_eq!(
            listing(&dir.path().join("rootfs")),
            *expected,
            "{file}: {text:?}"
        );
        assert_eq!(
            listing(&ctx),
            before,
            "the context directory is never written"
        );
    }
}

#[test]
fn dockerfile_names() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("ctx");
    write(&ctx.join("dockerfile"), "FROM lower\n");
    let context =
        Context::open(ContextSource::Dir(ctx.clone()), &dir.path().join("scratch")).unwrap();
    assert_eq!(context.dockerfile("Dockerfile").unwrap(), "FROM lower\n");
    assert_eq!(
        context.dockerfile("other").unwrap_err().to_string(),
        "failed to read dockerfile: open other: no such file or directory"
    );
    let missing = Context::open(
        ContextSource::Dir(dir.path().join("nope")),
        &dir.path().join("scratch"),
    );
    assert!(missing.unwrap_err().to_string().contains("not found"));
}

fn tar_bytes(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.as_gnu_mut().unwrap().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_cksum();
        builder.append(&header, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

#[test]
fn tar_contexts() {
    let tar = tar_bytes(&[
        ("Dockerfile", b"FROM scratch\n"),
        ("src/main.rs", b"fn main() {}\n"),
    ]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).unwrap();
    let gz = gz.finish().unwrap();
    let zst = zstd::encode_all(tar.as_slice(), 3).unwrap();
    for stream in [tar.clone(), gz, zst] {
        let dir = tempfile::tempdir().unwrap();
        let context = Context::open(
            ContextSource::Tar(Box::new(std::io::Cursor::new(stream))),
            dir.path(),
        )
        .unwrap();
        assert_eq!(context.dockerfile("Dockerfile").unwrap(), "FROM scratch\n");
        copy_all(&context, &dir.path().join("rootfs")).unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("rootfs/src/main.rs")).unwrap(),
            "fn main() {}\n"
        );
    }
    // Hostile tars are refused as `load` refuses them; nothing lands outside the scratch dir.
    let evil = tar_bytes(&[("../../evil", b"x")]);
    let dir = tempfile::tempdir().unwrap();
    let scratch = dir.path().join("a/b");
    let result = Context::open(
        ContextSource::Tar(Box::new(std::io::Cursor::new(evil))),
        &scratch,
    );
    assert!(result.is_err());
    assert!(!dir.path().join("evil").exists() && !dir.path().join("a/evil").exists());

    // `-` with a Dockerfile only: an empty context, every source missing.
    let dir = tempfile::tempdir().unwrap();
    let context = Context::open(ContextSource::Empty, dir.path()).unwrap();
    let sources = vec!["a".to_owned()];
    let error = sources_checksum(
        &SourceRoot::Context(&context),
        &CopyRequest {
            sources: &sources,
            contents: &[],
            dest: "/",
            workdir: "/",
            chown: None,
            chmod: None,
            exclude: &[],
            parents: false,
            kind: CopyKind::Copy,
        },
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"failed to compute cache key: "/a" not found: not found"#
    );
}
