//! Shared harness: a temporary store per test, a `berth` command builder, real peers on loopback.

use std::{
    io::Write,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures");
pub const FIXTURE_SAVE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/fixtures/docker-20.10-save.tar"
);

#[path = "../support/debian_minbase.rs"]
pub mod debian_minbase;

/// The Debian minbase (debootstrap from this machine's mirror, made once and cached in the target
/// directory) imported into `env`'s store as `reference`: the base image of the build tests. Docker
/// and buildah get it from there through the harness's registry (`berth push`). Panics when it
/// cannot be made (no debootstrap, no mirror): the tests that need it must not pass without it.
pub fn import_debian_minbase(env: &Env, reference: &str) -> debian_minbase::Minbase {
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .to_path_buf();
    let minbase = debian_minbase::minbase(&cache)
        .unwrap_or_else(|e| panic!("no Debian minbase (is the Debian mirror reachable?): {e}"));
    env.ok(&["import", minbase.tar.to_str().unwrap(), reference]);
    minbase
}

pub fn fixture(name: &str) -> PathBuf {
    let path = Path::new(FIXTURES).join(name);
    assert!(
        path.exists(),
        "fixture {} is missing (shared/ must sit beside the checkout)",
        path.display()
    );
    path
}

pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `berth --root <tmp>/root ...` with a clean environment.
    pub fn berth(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_berth"));
        cmd.arg("--root").arg(self.root());
        cmd.env_remove("BERTH_ROOT")
            .env_remove("BERTH_CONFIG")
            .env_remove("DOCKER_DEFAULT_PLATFORM");
        cmd.env("NO_COLOR", "1")
            .env("HOME", self.dir.path())
            .env("DOCKER_CONFIG", self.dir.path().join("docker-config"));
        cmd.stdin(Stdio::null());
        cmd
    }

    /// Runs berth with `args`, expecting success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.berth().args(args).output().expect("run berth");
        assert!(
            out.status.success(),
            "berth {args:?} failed:\n{}",
            render(&out)
        );
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Runs berth with `args`, expecting failure; returns the rendered output.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.berth().args(args).output().expect("run berth");
        assert!(
            !out.status.success(),
            "berth {args:?} should have failed:\n{}",
            render(&out)
        );
        render(&out)
    }

    /// Runs berth with `stdin` piped in.
    pub fn with_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = self
            .berth()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn berth");
        let mut input = child.stdin.take().expect("stdin");
        let data = stdin.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = input.write_all(&data);
        });
        let out = child.wait_with_output().expect("wait berth");
        writer.join().expect("stdin writer");
        out
    }

    /// Loads the Docker 20.10 fixture archive (three tags of two images).
    pub fn load_fixture(&self) {
        self.ok(&[
            "load",
            "-i",
            fixture("docker-20.10-save.tar").to_str().unwrap(),
        ]);
    }

    /// A snapshot of the store's visible state: index.json bytes and the blob list.
    pub fn store_state(&self) -> (Vec<u8>, Vec<String>) {
        let index = std::fs::read(self.root().join("index.json")).unwrap_or_default();
        let mut blobs: Vec<String> = std::fs::read_dir(self.root().join("blobs/sha256"))
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        blobs.sort();
        (index, blobs)
    }
}

impl Drop for Env {
    /// A container keeps its root filesystem mounted while it runs: remove every container, so
    /// that no test, passing or failing, leaves a mount or a process behind.
    fn drop(&mut self) {
        let has_containers = std::fs::read_dir(self.root().join("berth/containers"))
            .is_ok_and(|entries| entries.flatten().any(|e| e.file_name().len() == 64));
        if !has_containers {
            return;
        }
        let Ok(out) = self.berth().args(["ps", "-aq", "--no-trunc"]).output() else {
            return;
        };
        let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        if !ids.is_empty() {
            let _ = self.berth().args(["rm", "-f"]).args(&ids).output();
        }
    }
}

/// A table's rows as cells (split on runs of 2+ spaces), with the CREATED cell blanked:
/// compares tables whose age column differs in width.
pub fn cells(table: &str) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = table
        .lines()
        .map(|line| {
            line.split("  ")
                .map(str::trim)
                .filter(|cell| !cell.is_empty())
                .map(|cell| {
                    if cell.ends_with(" ago") {
                        "[AGE]".to_owned()
                    } else {
                        cell.to_owned()
                    }
                })
                .collect()
        })
        .collect();
    rows.sort();
    rows
}

/// Exit code, stdout and stderr together, for snapshots.
pub fn render(out: &Output) -> String {
    format!(
        "success: {}\nexit_code: {}\n----- stdout -----\n{}\n----- stderr -----\n{}",
        out.status.success(),
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn run(cmd: &mut Command) -> String {
    render(&cmd.output().expect("failed to run berth"))
}

/// Insta filters for what changes between runs: ages and temp paths.
pub fn settings(env: &Env) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    // Ages change from run to run, and so does the width of their column: tables are pinned with
    // their cells separated by two spaces (alignment itself is pinned against Docker's own tables).
    settings.add_filter(
        r"(About a minute|About an hour|Less than a second|\d+ (seconds?|minutes?|hours?|days?|weeks?|months?|years?)) ago",
        "[AGE]",
    );
    settings.add_filter(r"(\S) {2,}", "$1  ");
    settings.add_filter(&regex_escape(env!("CARGO_MANIFEST_DIR")), "[REPO]");
    settings.add_filter(
        &regex_escape(&env.dir.path().display().to_string()),
        "[TMP]",
    );
    settings.add_filter(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "[TIME]");
    settings
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '_' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

/// Fails the test in CI (where every peer must be installed) and skips it elsewhere.
pub fn require(program: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()));
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{program} is required in CI (cargo xtask test installs it)"
        );
        eprintln!("skipping: {program} is not installed");
    }
    found
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// The CNCF distribution registry on a loopback port, plain HTTP; killed on drop.
pub struct Registry {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Registry {
    pub fn start() -> Option<Registry> {
        Registry::start_with_htpasswd(None)
    }

    /// The registry with Basic authentication against `htpasswd` (bcrypt lines, as `htpasswd -B`
    /// writes them) when given.
    pub fn start_with_htpasswd(htpasswd: Option<&str>) -> Option<Registry> {
        if !require("docker-registry") {
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("data").display()
        );
        if let Some(htpasswd) = htpasswd {
            let file = dir.path().join("htpasswd");
            std::fs::write(&file, htpasswd).expect("write htpasswd");
            config += "auth:\n  htpasswd:\n    realm: berth-test\n    path: ";
            config += &file.display().to_string();
            config += "\n";
        }
        std::fs::write(dir.path().join("config.yml"), config).expect("write registry config");
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(dir.path().join("config.yml"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start docker-registry");
        let registry = Registry {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "docker-registry did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(registry)
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The registry's process id, for a watchdog that outlives a `static` holder.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Builds a small rootfs tarball with the system `tar` (compressed with `compression`: "", "z", "j", "J", "zstd").
pub fn rootfs_tar(env: &Env, name: &str, compression: &str) -> PathBuf {
    let tree = env.path(&format!("{name}-tree"));
    std::fs::create_dir_all(tree.join("etc")).unwrap();
    std::fs::create_dir_all(tree.join("bin")).unwrap();
    std::fs::write(tree.join("etc/os-release"), "NAME=berth-test\n").unwrap();
    std::fs::write(tree.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    std::fs::write(tree.join("bin/hello"), vec![b'x'; 5000]).unwrap();
    std::os::unix::fs::symlink("hello", tree.join("bin/hi")).unwrap();
    let out = env.path(name);
    tar_tree(&tree, &out, compression);
    out
}

/// The real Docker engine (Debian's `docker.io`, installed by `cargo xtask test`), as an oracle for
/// archives: ONE `dockerd` for the whole test run, on a unix socket in a temporary directory, with no
/// bridge, no iptables and no registry access (tests only `load`, `save`, `import`, `inspect`,
/// `history`, `images`, `tag` and `rmi`). Tests share it, so each one names its images uniquely.
pub struct Dockerd {
    client: PathBuf,
    socket: PathBuf,
    config: PathBuf,
    /// Where dockerd keeps its data (error messages name paths under it).
    pub data_root: PathBuf,
    /// `Server.Version`, e.g. `20.10.24+dfsg1`.
    pub version: String,
    /// `overlay2`, or `vfs` where overlay2 could not start.
    pub storage_driver: String,
    /// The write end of the watchdog's stdin: it closes when this process exits, however it exits,
    /// and the watchdog then stops dockerd (and its containerd) and removes the directory.
    _watchdog: std::process::ChildStdin,
}

static DOCKERD: std::sync::OnceLock<Result<Dockerd, String>> = std::sync::OnceLock::new();

/// The run's dockerd, started on first use; a test fails (it never skips) when it cannot start.
pub fn dockerd() -> &'static Dockerd {
    match DOCKERD.get_or_init(Dockerd::start) {
        Ok(dockerd) => dockerd,
        Err(message) => panic!("{message}"),
    }
}

/// How long dockerd may take to answer `docker version`.
const DOCKERD_START_TIMEOUT: Duration = Duration::from_secs(60);

/// Stops dockerd when the test process has gone (its stdin reaches EOF), then its containerd,
/// unmounts whatever is left under the directory and removes it. It ignores SIGINT/SIGTERM/SIGHUP,
/// so a Ctrl-C of the run still cleans up. Arguments: dockerd's pid, the directory.
const DOCKERD_WATCHDOG: &str = r#"
trap '' INT TERM HUP
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
stop() {
    kill -TERM "$1" 2>/dev/null
    i=0
    while alive "$1" && [ "$i" -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$1" 2>/dev/null
}
dockerd=$1 dir=$2
read -r _
containerd=$(cat "$dir/exec/containerd/containerd.pid" 2>/dev/null)
stop "$dockerd"
[ -n "$containerd" ] && alive "$containerd" && stop "$containerd"
awk -v dir="$dir/" 'index($2, dir) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
rm -rf "$dir"
"#;

/// A dockerd of the caller's own, for a test that compares the engine's whole state (`system df`),
/// which tests sharing [`dockerd`] would disturb; stopped and removed when it is dropped.
pub fn private_dockerd(name: &str) -> Dockerd {
    Dockerd::start_named(&format!("berth-dockerd-{}-{name}", std::process::id()))
        .unwrap_or_else(|message| panic!("{message}"))
}

impl Dockerd {
    fn start() -> Result<Dockerd, String> {
        Self::start_named(&format!("berth-dockerd-{}", std::process::id()))
    }

    fn start_named(name: &str) -> Result<Dockerd, String> {
        // PATH first, then where Debian's and Docker's packages put it (PATH may lack the sbin dirs).
        let Some(program) = std::env::var_os("PATH")
            .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
            .map(|dir| dir.join("dockerd"))
            .find(|path| path.is_file())
        else {
            return Err(
                "dockerd is not installed: the docker:: tests need the real Docker engine \
                 (`cargo xtask test` installs Debian's docker.io; or apt-get install docker.io)"
                    .to_owned(),
            );
        };
        // /proc/self belongs to the process's effective user.
        let euid = std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m));
        if euid.ok() != Some(0) {
            return Err("dockerd needs root: run the docker:: tests as root".to_owned());
        }
        // The client shipped with the engine speaks its API version; another `docker` on PATH
        // (a newer CLI) negotiates down to it.
        let client = if Path::new("/usr/bin/docker").is_file() {
            PathBuf::from("/usr/bin/docker")
        } else {
            PathBuf::from("docker")
        };
        let dir = std::env::temp_dir().join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("config"))
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        // dockerd resolves symlinks in its data root, and its error messages name the real path.
        let dir = dir
            .canonicalize()
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut failures = Vec::new();
        for storage_driver in ["overlay2", "vfs"] {
            match Self::start_with(&program, &client, &dir, storage_driver) {
                Ok(dockerd) => return Ok(dockerd),
                Err(message) => failures.push(format!("with {storage_driver}: {message}")),
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        Err(format!(
            "dockerd did not start for the docker:: tests\n{}",
            failures.join("\n")
        ))
    }

    fn start_with(
        program: &Path,
        client: &Path,
        dir: &Path,
        storage_driver: &str,
    ) -> Result<Dockerd, String> {
        let data_root = dir.join(format!("data-{storage_driver}"));
        let exec_root = dir.join("exec");
        let socket = dir.join("docker.sock");
        let log_path = dir.join(format!("dockerd-{storage_driver}.log"));
        let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
        let mut child = Command::new(program)
            .arg("--data-root")
            .arg(&data_root)
            .arg("--exec-root")
            .arg(&exec_root)
            .arg("--pidfile")
            .arg(dir.join("dockerd.pid"))
            .arg("-H")
            .arg(format!("unix://{}", socket.display()))
            .args(["--iptables=false", "--ip-masq=false", "--bridge=none"])
            .args(["--storage-driver", storage_driver])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("failed to start dockerd: {e}"))?;
        let tail = || {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            lines[lines.len().saturating_sub(15)..].join("\n")
        };
        let config = dir.join("config");
        let deadline = Instant::now() + DOCKERD_START_TIMEOUT;
        let version = loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "dockerd exited ({status}); its log ends:\n{}",
                    tail()
                ));
            }
            let out = docker_client(client, &socket, &config)
                .args(["version", "--format", "{{.Server.Version}}"])
                .output()
                .map_err(|e| format!("failed to run {}: {e}", client.display()))?;
            if out.status.success() {
                break String::from_utf8_lossy(&out.stdout).trim().to_owned();
            }
            if Instant::now() > deadline {
                stop_dockerd(&mut child);
                return Err(format!(
                    "dockerd did not answer `docker version` within {DOCKERD_START_TIMEOUT:?}; its log ends:\n{}",
                    tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let watchdog = Command::new("sh")
            .arg("-c")
            .arg(DOCKERD_WATCHDOG)
            .arg("berth-dockerd-watchdog")
            .arg(child.id().to_string())
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let watchdog = match watchdog {
            Ok(mut watchdog) => watchdog.stdin.take().expect("piped stdin"),
            Err(e) => {
                stop_dockerd(&mut child);
                return Err(format!("failed to start the dockerd watchdog: {e}"));
            }
        };
        eprintln!(
            "dockerd {version} ({storage_driver}) on {} for the docker:: tests",
            socket.display()
        );
        Ok(Dockerd {
            client: client.to_path_buf(),
            socket,
            config,
            data_root,
            version,
            storage_driver: storage_driver.to_owned(),
            _watchdog: watchdog,
        })
    }

    /// `docker -H unix://<socket> ...` with a private client config and no DOCKER_* overrides.
    pub fn docker(&self) -> Command {
        docker_client(&self.client, &self.socket, &self.config)
    }

    /// Another docker client (e.g. the Docker 28 CLI at /usr/local/bin/docker) on this daemon;
    /// `None` when it is not installed.
    pub fn docker_with(&self, client: &Path) -> Option<Command> {
        client
            .is_file()
            .then(|| docker_client(client, &self.socket, &self.config))
    }

    /// Runs docker with `args`, expecting success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.docker().args(args).output().expect("run docker");
        assert!(
            out.status.success(),
            "docker {args:?} failed (dockerd {}, {}):\n{}",
            self.version,
            self.storage_driver,
            render(&out)
        );
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Runs docker with `args`, expecting failure; returns its output.
    pub fn fails(&self, args: &[&str]) -> Output {
        let out = self.docker().args(args).output().expect("run docker");
        assert!(
            !out.status.success(),
            "docker {args:?} should have failed (dockerd {}, {}):\n{}",
            self.version,
            self.storage_driver,
            render(&out)
        );
        out
    }
}

fn docker_client(client: &Path, socket: &Path, config: &Path) -> Command {
    let mut cmd = Command::new(client);
    cmd.arg("-H").arg(format!("unix://{}", socket.display()));
    for var in [
        "DOCKER_HOST",
        "DOCKER_CONTEXT",
        "DOCKER_API_VERSION",
        "DOCKER_TLS_VERIFY",
        "DOCKER_CERT_PATH",
        "DOCKER_DEFAULT_PLATFORM",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("DOCKER_CONFIG", config).stdin(Stdio::null());
    cmd
}

/// SIGTERM, so that dockerd stops its containerd and unmounts its data root; SIGKILL after 15 s.
fn stop_dockerd(child: &mut Child) {
    let _ = Command::new("kill")
        .arg(child.id().to_string())
        .stderr(Stdio::null())
        .status();
    let deadline = Instant::now() + Duration::from_secs(15);
    while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Imports a busybox-static rootfs with `applets` (and `extra` files, path -> content) as
/// `reference`, for the container tests. False (the test is skipped; it fails in CI) without
/// busybox or the runtimes.
pub fn import_busybox(
    env: &Env,
    reference: &str,
    applets: &[&str],
    extra: &[(&str, &str)],
) -> bool {
    if !(require("busybox") && require("runc") && require("crun")) {
        return false;
    }
    let tree = busybox_tree(
        env,
        &format!("{}-tree", reference.replace(['/', ':'], "-")),
        applets,
    );
    std::fs::write(tree.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    for (path, content) in extra {
        std::fs::write(tree.join(path), content).unwrap();
    }
    let tarball = tree.with_extension("tar");
    tar_tree(&tree, &tarball, "");
    env.ok(&["import", tarball.to_str().unwrap(), reference]);
    true
}

/// A root file system under `env.path(name)` with busybox-static and a symlink per applet.
pub fn busybox_tree(env: &Env, name: &str, applets: &[&str]) -> PathBuf {
    let tree = env.path(name);
    for dir in ["bin", "etc", "tmp", "root"] {
        std::fs::create_dir_all(tree.join(dir)).unwrap();
    }
    let busybox = Command::new("sh")
        .args(["-c", "command -v busybox"])
        .output()
        .expect("run sh");
    let busybox = String::from_utf8(busybox.stdout).unwrap();
    assert!(!busybox.trim().is_empty(), "busybox is not installed");
    std::fs::copy(busybox.trim(), tree.join("bin/busybox")).unwrap();
    for applet in applets {
        std::os::unix::fs::symlink("busybox", tree.join("bin").join(applet)).unwrap();
    }
    tree
}

/// Archives the contents of `tree` into `out` with the system `tar`, reproducibly (sorted names,
/// mtime 0, owner 0), compressed with `compression`: "", "z", "j", "J" or "zstd".
pub fn tar_tree(tree: &Path, out: &Path, compression: &str) {
    let mut tar = Command::new("tar");
    tar.args([
        "--sort=name",
        "--mtime=@0",
        "--owner=0",
        "--group=0",
        "--numeric-owner",
    ]);
    match compression {
        "" => {}
        "zstd" => {
            tar.arg("--zstd");
        }
        flag => {
            tar.arg(format!("-{flag}"));
        }
    }
    let status = tar
        .arg("-cf")
        .arg(out)
        .arg("-C")
        .arg(tree)
        .arg(".")
        .status()
        .expect("run tar");
    assert!(status.success(), "tar failed");
}

/// Deterministic, incompressible bytes (xorshift), distinct per `seed`.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Serves `body` once on a loopback port; its URL (`name` as the path).
pub fn serve_once(body: Vec<u8>, name: &str) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let header = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(header.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    format!("http://127.0.0.1:{port}/{name}")
}
