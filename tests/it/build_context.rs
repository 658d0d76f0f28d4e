//! `berth build` of a directory context: COPY is cached on the bytes of what it copies, and
//! the digests berth remembers between builds never hide a change (same size, same mtime, new
//! bytes), while an untouched context is not read again.

use std::{os::unix::fs::MetadataExt, path::Path, time::Duration};

use crate::common::{render, Env};

fn build(env: &Env, context: &Path) -> String {
    build_with(env, context, &[])
}

fn build_with(env: &Env, context: &Path, flags: &[&str]) -> String {
    let out = env
        .berth()
        .args(["build", "--progress", "plain", "-t", "ctx:1"])
        .args(flags)
        .arg(context)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", render(&out));
    String::from_utf8(out.stderr).unwrap()
}

fn copy_cached(progress: &str) -> bool {
    // The step's own lines, up to the blank line that ends them.
    let after = progress.split("COPY app /app\n").nth(1).unwrap_or_default();
    after
        .lines()
        .take_while(|line| !line.is_empty())
        .any(|line| line.ends_with(" CACHED"))
}

#[test]
fn copy_is_cached_on_the_bytes_it_copies() {
    let env = Env::new();
    let context = env.path("context");
    std::fs::create_dir_all(context.join("app")).unwrap();
    std::fs::write(context.join("Dockerfile"), "FROM scratch\nCOPY app /app\n").unwrap();
    let file = context.join("app/data");
    std::fs::write(&file, b"first").unwrap();
    for n in 0..50 {
        std::fs::write(context.join(format!("app/f{n}")), n.to_string()).unwrap();
    }
    // Let the files settle: one changed within 2 s of being hashed is hashed again next time.
    std::thread::sleep(Duration::from_millis(2100));

    let first = build(&env, &context);
    assert!(!copy_cached(&first), "{first}");
    let again = build(&env, &context);
    assert!(copy_cached(&again), "{again}");
    let memo_dir = env.root().join("berth/build-context");
    assert_eq!(std::fs::read_dir(&memo_dir).unwrap().count(), 1);

    let layers_before = env.ok(&[
        "image",
        "inspect",
        "--format",
        "{{json .RootFS.Layers}}",
        "ctx:1",
    ]);
    // New bytes of the same size, the modification time put back: COPY runs again.
    let before = std::fs::metadata(&file).unwrap();
    std::fs::write(&file, b"again").unwrap();
    let mtime = filetime_of(&before);
    set_mtime(&file, mtime);
    assert_eq!(std::fs::metadata(&file).unwrap().mtime(), before.mtime());
    let changed = build(&env, &context);
    assert!(
        !copy_cached(&changed),
        "a same-size, same-mtime change was missed:\n{changed}"
    );
    let layers_after = env.ok(&[
        "image",
        "inspect",
        "--format",
        "{{json .RootFS.Layers}}",
        "ctx:1",
    ]);
    assert_ne!(layers_after, layers_before, "the image holds the new bytes");

    // `builder prune` forgets the remembered digests with the records.
    env.ok(&["builder", "prune", "-f"]);
    assert_eq!(std::fs::read_dir(&memo_dir).unwrap().count(), 0);
}

/// The notes the cache keeps of the COPYs it has recorded (`*.copies`, beside the records).
fn copy_notes(env: &Env) -> Vec<std::path::PathBuf> {
    let Ok(dir) = std::fs::read_dir(env.root().join("berth/build-cache")) else {
        return Vec::new();
    };
    dir.flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "copies"))
        .collect()
}

/// A COPY no record can match (a first build, `--no-cache`) is copied while its sources are
/// hashed. Its record is still written and found; when a record exists without the cache's note
/// of it (a store from before the notes), the copy made meanwhile is dropped and the step is
/// `CACHED`, the same image; `builder prune` takes the notes with the records. (A rebuild without
/// the cache gives another layer: the context's directories with entries get the copy's time.)
#[test]
fn a_copy_made_while_its_sources_are_hashed_is_recorded() {
    let env = Env::new();
    let context = env.path("context");
    std::fs::create_dir_all(context.join("app/sub")).unwrap();
    std::fs::write(context.join("Dockerfile"), "FROM scratch\nCOPY app /app\n").unwrap();
    for n in 0..200 {
        std::fs::write(context.join(format!("app/sub/f{n}")), n.to_string()).unwrap();
    }
    let id = |env: &Env| env.ok(&["image", "inspect", "--format", "{{.Id}}", "ctx:1"]);

    let first = build_with(&env, &context, &["--no-cache"]);
    assert!(!copy_cached(&first), "{first}");
    assert_eq!(copy_notes(&env).len(), 1);
    let built = id(&env);
    let again = build(&env, &context);
    assert!(copy_cached(&again), "{again}");
    assert_eq!(id(&env), built);

    for note in copy_notes(&env) {
        std::fs::remove_file(note).unwrap();
    }
    let without_note = build(&env, &context);
    assert!(copy_cached(&without_note), "{without_note}");
    assert_eq!(id(&env), built);
    assert_eq!(copy_notes(&env).len(), 1, "the note is written again");
    crate::build::no_step_left(&env);
    let check = env.ok(&["system", "check"]);
    assert!(check.is_empty(), "{check}");

    env.ok(&["builder", "prune", "-f"]);
    assert!(copy_notes(&env).is_empty());
    let after_prune = build(&env, &context);
    assert!(!copy_cached(&after_prune), "{after_prune}");
    assert_eq!(copy_notes(&env).len(), 1);
}

fn filetime_of(meta: &std::fs::Metadata) -> (i64, i64) {
    (meta.mtime(), meta.mtime_nsec())
}

fn set_mtime(path: &Path, (secs, nanos): (i64, i64)) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    let time = std::time::UNIX_EPOCH
        + Duration::new(u64::try_from(secs).unwrap(), u32::try_from(nanos).unwrap());
    file.set_modified(time).unwrap();
}

/// `berth build` with `args` and `stdin` on its standard input; its stdout.
fn build_from_stdin(env: &Env, args: &[&str], stdin: &[u8]) -> String {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = env
        .berth()
        .arg("build")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "berth build {args:?}:\n{}",
        render(&out)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The context as a tar stream on stdin (plain, gzip, bzip2, xz, zstd) and as an http URL of a
/// tarball, as docker/cli takes them: the same files as the directory gives (its `.dockerignore`
/// applied inside the stream, the Dockerfile and the ignore file copied by `COPY .`), the
/// Dockerfile found in the stream or named by `-f`.
#[test]
fn contexts_from_a_tar_on_stdin_and_from_a_url() {
    let env = Env::new();
    if !crate::common::import_busybox(&env, "ctx-base:1", &["sh", "cat", "find", "sort"], &[]) {
        return;
    }
    let context = env.path("tar-context");
    std::fs::create_dir_all(context.join("sub")).unwrap();
    let files = [
        (
            "Dockerfile",
            "FROM ctx-base:1\nCOPY . /ctx/\nRUN cd /ctx && find . | sort > /listing\nCMD [\"cat\", \"/listing\"]\n",
        ),
        (
            "other.Dockerfile",
            "FROM ctx-base:1\nCOPY sub /sub/\nCMD [\"cat\", \"/sub/b.txt\"]\n",
        ),
        (".dockerignore", "ignored.txt\n"),
        ("a.txt", "a\n"),
        ("sub/b.txt", "b\n"),
        ("ignored.txt", "never copied\n"),
    ];
    for (path, text) in files {
        std::fs::write(context.join(path), text).unwrap();
    }
    let run = |image: &str| crate::build::run_offline(&env, image, &[]);
    env.ok(&["build", "-q", "-t", "ctx-dir:1", context.to_str().unwrap()]);
    let listing = run("ctx-dir:1");
    assert_eq!(
        listing,
        ".\n./.dockerignore\n./Dockerfile\n./a.txt\n./other.Dockerfile\n./sub\n./sub/b.txt\n"
    );

    let tar = env.path("context.tar");
    let status = std::process::Command::new("tar")
        .arg("-cf")
        .arg(&tar)
        .arg("-C")
        .arg(&context)
        .arg(".")
        .status()
        .unwrap();
    assert!(status.success());
    let tar_bytes = std::fs::read(&tar).unwrap();
    for compressor in ["plain", "gzip", "bzip2", "xz", "zstd"] {
        let stream = if compressor == "plain" {
            tar_bytes.clone()
        } else {
            let compressed = std::process::Command::new(compressor)
                .arg("-c")
                .arg(&tar)
                .output()
                .unwrap();
            assert!(compressed.status.success(), "{compressor}");
            compressed.stdout
        };
        let tag = format!("ctx-tar-{compressor}:1");
        build_from_stdin(&env, &["-q", "-t", &tag, "-"], &stream);
        assert_eq!(run(&tag), listing, "a tar context through {compressor}");
    }
    build_from_stdin(
        &env,
        &["-q", "-t", "ctx-other:1", "-f", "other.Dockerfile", "-"],
        &tar_bytes,
    );
    assert_eq!(run("ctx-other:1"), "b\n");

    let gzipped = std::process::Command::new("gzip")
        .arg("-c")
        .arg(&tar)
        .output()
        .unwrap()
        .stdout;
    let url = crate::common::serve_once(gzipped, "context.tar.gz");
    env.ok(&["build", "-q", "-t", "ctx-url:1", &url]);
    assert_eq!(run("ctx-url:1"), listing, "a context from {url}");
    let check = env.ok(&["system", "check"]);
    assert!(check.is_empty(), "{check}");
}
