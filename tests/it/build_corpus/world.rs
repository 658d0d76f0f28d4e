//! What every corpus build needs, set up once per test run: the loopback registry holding the
//! corpus's base images (made here from busybox-static, no internet), a loopback HTTP server for
//! `ADD URL`, and the cases read from tests/build-corpus.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};

use crate::common::{require, Registry};

pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/build-corpus");

/// One Dockerfile of the corpus: `tests/build-corpus/NN-name/` with its context, and its
/// `corpus.case` (not part of the context): `args:` build flags (`@CTX@` is the context's path),
/// `error:` the key message of a build that must fail (parts separated by ` | `, each must appear),
/// `twin:` BuildKit 20.10's refusal of the Dockerfile (or `not run: why`), the oracles then build
/// `Dockerfile.twin`, the same image written without the feature they lack.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub dir: PathBuf,
    pub args: Vec<String>,
    pub error: Option<String>,
    pub twin: Option<String>,
}

pub fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = std::fs::read_dir(CORPUS)
        .expect("tests/build-corpus")
        .flatten()
        .filter(|e| e.path().join("Dockerfile").is_file())
        .map(|e| read_case(&e.path()))
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

fn read_case(dir: &Path) -> Case {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let meta = std::fs::read_to_string(dir.join("corpus.case")).unwrap_or_default();
    let mut case = Case {
        name,
        dir: dir.to_path_buf(),
        args: Vec::new(),
        error: None,
        twin: None,
    };
    for line in meta.lines().filter(|l| !l.trim().is_empty()) {
        let (key, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{}/corpus.case: bad line {line:?}", dir.display()));
        let value = value.trim().to_owned();
        match key {
            "args" => case
                .args
                .extend(value.split_whitespace().map(str::to_owned)),
            "error" => case.error = Some(value),
            "twin" => case.twin = Some(value),
            _ => panic!("{}/corpus.case: unknown key {key:?}", dir.display()),
        }
    }
    if case.twin.is_some() {
        assert!(
            dir.join("Dockerfile.twin").is_file(),
            "{}: twin without Dockerfile.twin",
            case.name
        );
    }
    case
}

/// The registry, the HTTP server and the placeholders the Dockerfiles use.
pub struct World {
    _registry: Registry,
    pub http_port: u16,
    pub base: String,
    pub data: String,
    pub dir: tempfile::TempDir,
    /// `overlay`, or `vfs` where buildah cannot mount overlay.
    pub buildah_driver: &'static str,
    /// The world lives in a `static`, which is never dropped: when the test process ends, however
    /// it ends, this pipe closes and the watchdog stops the registry, unmounts what buildah left
    /// mounted and removes the directory.
    _watchdog: ChildStdin,
}

/// Arguments: the registry's pid, the world's directory.
const WATCHDOG: &str = r#"
trap '' INT TERM HUP
read -r _
kill "$1" 2>/dev/null
awk -v dir="$2/" 'index($2, dir) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
rm -rf "$2"
"#;

impl World {
    pub fn start() -> Option<World> {
        if !(require("busybox") && require("buildah")) {
            return None;
        }
        let registry = Registry::start()?;
        let dir = tempfile::tempdir().expect("temp dir");
        let watchdog = Command::new("sh")
            .arg("-c")
            .arg(WATCHDOG)
            .arg("berth-corpus-watchdog")
            .arg(registry.pid().to_string())
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the corpus watchdog")
            .stdin
            .take()
            .expect("piped stdin");
        let base = format!("{}/corpus/busybox:1", registry.host());
        let data = format!("{}/corpus/data:1", registry.host());
        make_base(dir.path(), &base);
        make_data(dir.path(), &data);
        let http_port = serve_http(Path::new(CORPUS).join("http"));
        let buildah_driver = buildah_driver(dir.path());
        Some(World {
            _registry: registry,
            http_port,
            base,
            data,
            dir,
            buildah_driver,
            _watchdog: watchdog,
        })
    }

    /// The Dockerfile's text with the placeholders replaced.
    pub fn substitute(&self, text: &str) -> String {
        text.replace("@BASE@", &self.base)
            .replace("@DATA@", &self.data)
            .replace("@HTTP@", &format!("http://127.0.0.1:{}", self.http_port))
    }

    /// The case's flags for a context at `context`.
    pub fn args(case: &Case, context: &Path) -> Vec<String> {
        let context = context.display().to_string();
        case.args
            .iter()
            .map(|a| a.replace("@CTX@", &context))
            .collect()
    }

    /// A copy of the case's context under `into` (modes and symlinks kept, `corpus.case` left out,
    /// placeholders replaced in the Dockerfiles).
    pub fn context(&self, case: &Case, into: &Path) -> PathBuf {
        let out = into.join(&case.name);
        let _ = std::fs::remove_dir_all(&out);
        copy_tree(&case.dir, &out, &|name| name == "corpus.case");
        for entry in std::fs::read_dir(&out).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.contains("Dockerfile") && !name.ends_with(".dockerignore") {
                let text = std::fs::read_to_string(entry.path()).unwrap();
                std::fs::write(entry.path(), self.substitute(&text)).unwrap();
            }
        }
        out
    }
}

fn copy_tree(from: &Path, to: &Path, skip: &dyn Fn(&str) -> bool) {
    std::fs::create_dir_all(to).unwrap();
    let mode = std::fs::metadata(from).unwrap().permissions();
    std::fs::set_permissions(to, mode).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if skip(&name) {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else if kind.is_dir() {
            copy_tree(&src, &dst, &|_| false);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// overlay when buildah can mount it here (twice as fast as vfs), else vfs.
fn buildah_driver(dir: &Path) -> &'static str {
    let probe = dir.join("buildah-probe");
    let buildah = |args: &[&str]| {
        Command::new("buildah")
            .arg("--root")
            .arg(probe.join("storage"))
            .arg("--runroot")
            .arg(probe.join("run"))
            .args(["--storage-driver", "overlay"])
            .args(args)
            .output()
            .expect("run buildah")
    };
    let from = buildah(&["from", "scratch"]);
    let container = String::from_utf8_lossy(&from.stdout).trim().to_owned();
    let mounted = from.status.success() && buildah(&["mount", &container]).status.success();
    if from.status.success() {
        let _ = buildah(&["rm", &container]);
    }
    if mounted {
        "overlay"
    } else {
        "vfs"
    }
}

fn run_ok(cmd: &mut Command) {
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        crate::common::render(&out)
    );
}

/// Tars `tree` (sorted, mtime 0, owners as they are on disk), imports it into the run's dockerd
/// with `changes` and pushes it as `reference`.
fn import_and_push(tree: &Path, reference: &str, changes: &[&str]) {
    let tarball = tree.with_extension("tar");
    run_ok(
        Command::new("tar")
            .args(["--sort=name", "--mtime=@0", "--numeric-owner", "-cf"])
            .arg(&tarball)
            .arg("-C")
            .arg(tree)
            .arg("."),
    );
    let docker = super::corpus_dockerd();
    let mut import = docker.docker();
    import.arg("import");
    for change in changes {
        import.args(["--change", change]);
    }
    run_ok(import.arg(&tarball).arg(reference));
    run_ok(docker.docker().args(["push", reference]));
}

/// The corpus's base: busybox-static with every applet, /etc/passwd and /etc/group with names
/// for `--chown` and USER, and the directories a Debian image has.
fn make_base(dir: &Path, reference: &str) {
    let tree = dir.join("base");
    for sub in [
        "bin",
        "etc",
        "tmp",
        "root",
        "home/app",
        "dev",
        "proc",
        "sys",
        "var/empty",
    ] {
        std::fs::create_dir_all(tree.join(sub)).unwrap();
    }
    let busybox = Command::new("sh")
        .args(["-c", "command -v busybox"])
        .output()
        .expect("sh");
    let busybox = String::from_utf8(busybox.stdout).unwrap();
    std::fs::copy(busybox.trim(), tree.join("bin/busybox")).unwrap();
    let list = Command::new(busybox.trim())
        .arg("--list")
        .output()
        .expect("busybox --list");
    for applet in String::from_utf8(list.stdout).unwrap().split_whitespace() {
        if applet != "busybox" {
            std::os::unix::fs::symlink("busybox", tree.join("bin").join(applet)).unwrap();
        }
    }
    std::fs::write(
        tree.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n\
         daemon:x:2:2:daemon:/:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
    )
    .unwrap();
    std::fs::write(
        tree.join("etc/group"),
        "root:x:0:\ndaemon:x:2:\nstaff:x:50:app\napp:x:1000:\nnogroup:x:65534:\n",
    )
    .unwrap();
    set_mode(&tree.join("tmp"), 0o1777);
    run_ok(
        Command::new("chown")
            .arg("1000:1000")
            .arg(tree.join("home/app")),
    );
    import_and_push(
        &tree,
        reference,
        &[
            "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "CMD [\"sh\"]",
        ],
    );
}

/// A second image for `COPY --from=IMAGE`: files with owners, modes and a symlink, and a config
/// with ONBUILD triggers, a user and a working directory that COPY --from must not take.
fn make_data(dir: &Path, reference: &str) {
    let tree = dir.join("data");
    std::fs::create_dir_all(tree.join("opt/data/sub")).unwrap();
    std::fs::write(tree.join("opt/data/a.txt"), "a\n").unwrap();
    std::fs::write(tree.join("opt/data/sub/b.txt"), "bb\n").unwrap();
    std::fs::write(tree.join("opt/data/run.sh"), "#!/bin/sh\necho run\n").unwrap();
    set_mode(&tree.join("opt/data/run.sh"), 0o755);
    std::fs::write(tree.join("opt/data/secret"), "s\n").unwrap();
    set_mode(&tree.join("opt/data/secret"), 0o600);
    std::os::unix::fs::symlink("a.txt", tree.join("opt/data/link")).unwrap();
    run_ok(
        Command::new("chown")
            .arg("1000:50")
            .arg(tree.join("opt/data/sub/b.txt")),
    );
    run_ok(
        Command::new("chown")
            .arg("2:2")
            .arg(tree.join("opt/data/secret")),
    );
    import_and_push(&tree, reference, &["USER 1000", "WORKDIR /opt/data"]);
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Serves the files under `root` over plain HTTP on a loopback port, for `ADD URL`, until the
/// test process ends. A fixed Last-Modified, so that every builder sees the same file.
fn serve_http(root: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(&stream);
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).map_or(true, |n| n == 0) || header == "\r\n" {
                        break;
                    }
                }
                let mut parts = request.split_whitespace();
                let method = parts.next().unwrap_or_default();
                let path = parts.next().unwrap_or("/").split('?').next().unwrap_or("/");
                let file = root.join(path.trim_start_matches('/'));
                let body = if path.contains("..") {
                    None
                } else {
                    std::fs::read(&file).ok()
                };
                let mut stream = &stream;
                let _ = match body {
                    Some(body) => {
                        let head = format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nLast-Modified: Tue, 01 Jan 2002 00:00:00 GMT\r\nConnection: close\r\n\r\n",
                            body.len()
                        );
                        stream.write_all(head.as_bytes()).and_then(|()| {
                            if method == "HEAD" {
                                Ok(())
                            } else {
                                stream.write_all(&body)
                            }
                        })
                    }
                    None => stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    ),
                };
            });
        }
    });
    port
}
