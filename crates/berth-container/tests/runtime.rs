//! Containers on the real runtimes (`runc` and `crun`) with a tiny busybox image built here.
//!
//! Needs root, `runc`, `crun` and a static busybox (`apt-get install -y runc crun busybox-static`).
//! Without them the tests report what is missing and pass, except under `CI`, where they fail.
//!
//! This binary has its own `main` (no libtest harness) because it doubles as the helper processes a
//! detached container needs: `__monitor ROOT ID` is the monitor berth re-executes, and
//! `__detach ROOT RUNTIME IMAGE ARGS...` starts a detached container and exits at once, so the test can
//! check what is recorded after the starting process is gone.

// A test runner of its own reports on the terminal, as libtest does.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::{
    ffi::OsString,
    io::{Read, Write},
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};

use berth_container::{
    AttachIo, ChangeKind, CommitOptions, Container, Containers, CreateOptions, HostConfig,
    MonitorCommand, RootfsKind, Status,
};
use berth_digest::Digest;
use berth_manifest::media_type;
use berth_reference::Reference;
use berth_store::{IndexEntry, Store};

const BUSYBOX: &str = "/bin/busybox";
const APPLETS: &[&str] = &[
    "sh", "echo", "cat", "ls", "id", "sleep", "pwd", "mkdir", "rm", "touch", "test", "true",
    "false", "hostname", "ln", "env",
];
const IMAGE: &str = "berth-test/busybox:latest";

type Test = (&'static str, fn(&Env));

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("__monitor") => {
            let store = Store::open(Path::new(&args[2])).expect("open store");
            let containers = Containers::open(&store).expect("open containers");
            let code = containers.monitor(&args[3]).unwrap_or_else(|e| {
                eprintln!("monitor: {e}");
                125
            });
            std::process::exit(code);
        }
        Some("__detach") => {
            let store = Store::open(Path::new(&args[2])).expect("open store");
            let env = Env {
                root: PathBuf::from(&args[2]),
                runtime: args[3].clone(),
                _dir: None,
            };
            let containers = Containers::open(&store).expect("open containers");
            let mut container = env.create(&containers, &args[4..]);
            containers
                .start_detached(&mut container, &env.monitor())
                .expect("start detached");
            println!("{}", container.id());
            return;
        }
        _ => {}
    }
    let filter: Vec<&String> = args[1..].iter().filter(|a| !a.starts_with('-')).collect();
    let mut missing = Vec::new();
    if !rustix::process::geteuid().is_root() {
        missing.push("root".to_owned());
    }
    if !Path::new(BUSYBOX).is_file() {
        missing.push(format!("{BUSYBOX} (Debian package busybox-static)"));
    }
    let runtimes: Vec<&str> = ["runc", "crun"]
        .into_iter()
        .filter(|name| {
            let found = berth_container::Runtime::find(name, Path::new("/nonexistent")).is_ok();
            if !found {
                missing.push(format!("{name} (Debian package {name})"));
            }
            found
        })
        .collect();
    if !missing.is_empty() {
        let message = format!("runtime tests need: {}", missing.join(", "));
        if std::env::var_os("CI").is_some() {
            eprintln!("error: {message}");
            std::process::exit(1);
        }
        eprintln!("skipping: {message} (set CI to make this an error)");
        if missing
            .iter()
            .any(|m| m == "root" || m.starts_with(BUSYBOX))
            || runtimes.is_empty()
        {
            return;
        }
    }
    let tests: &[Test] = &[
        ("run_echo", run_echo),
        ("exit_status", exit_status),
        ("env_workdir_user", env_workdir_user),
        ("detached_exit_recorded_after_starter_exits", detached),
        ("stop_and_rm", stop_and_rm),
        ("commit_layer_has_changes_and_whiteouts", commit),
        ("export_and_network_none", export_and_network_none),
        ("copy_fallback_diff_and_commit", copy_fallback),
        ("root_opaque_whiteout_same_in_both_modes", root_opaque),
    ];
    let mut failed = Vec::new();
    let mut count = 0;
    for runtime in &runtimes {
        for (name, test) in tests {
            let full = format!("{runtime}::{name}");
            if !filter.is_empty() && !filter.iter().any(|f| full.contains(f.as_str())) {
                continue;
            }
            count += 1;
            let env = Env::new(runtime);
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| test(&env)));
            env.cleanup();
            match result {
                Ok(()) => eprintln!("test {full} ... ok"),
                Err(_) => {
                    eprintln!("test {full} ... FAILED");
                    failed.push(full);
                }
            }
        }
    }
    eprintln!(
        "\ntest result: {}. {} passed; {} failed",
        if failed.is_empty() { "ok" } else { "FAILED" },
        count - failed.len(),
        failed.len()
    );
    if !failed.is_empty() {
        eprintln!("failures: {failed:?}");
        std::process::exit(1);
    }
}

struct Env {
    root: PathBuf,
    runtime: String,
    _dir: Option<tempfile::TempDir>,
}

impl Env {
    fn new(runtime: &str) -> Env {
        let dir = tempfile::Builder::new()
            .prefix("berth-rt-")
            .tempdir()
            .unwrap();
        let root = dir.path().join("store");
        let store = Store::open(&root).unwrap();
        add_busybox_image(&store);
        Env {
            root,
            runtime: runtime.to_owned(),
            _dir: Some(dir),
        }
    }

    fn store(&self) -> Store {
        Store::open(&self.root).unwrap()
    }

    fn monitor(&self) -> MonitorCommand {
        MonitorCommand {
            program: std::env::current_exe().unwrap(),
            args: vec![
                OsString::from("__monitor"),
                self.root.clone().into_os_string(),
            ],
        }
    }

    fn create(&self, containers: &Containers<'_>, cmd: &[String]) -> Container {
        self.create_with(containers, IMAGE, cmd, |_| {})
    }

    fn create_with(
        &self,
        containers: &Containers<'_>,
        image: &str,
        cmd: &[String],
        adjust: impl FnOnce(&mut CreateOptions),
    ) -> Container {
        let image = containers.store().resolve(image).unwrap();
        let mut options = CreateOptions {
            image_name: IMAGE.to_owned(),
            cmd: cmd.to_vec(),
            host: HostConfig {
                runtime: self.runtime.clone(),
                ..HostConfig::default()
            },
            ..CreateOptions::default()
        };
        adjust(&mut options);
        containers.create(&image, &options).unwrap()
    }

    /// Removes every container (unmounting their root filesystems) so the temp dir can go.
    fn cleanup(&self) {
        let store = self.store();
        let containers = Containers::open(&store).unwrap();
        for mut container in containers.list().unwrap_or_default() {
            let _ = containers.remove(&mut container, true);
        }
    }
}

fn args(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Runs a container attached; returns exit code, stdout, stderr.
fn run(
    env: &Env,
    cmd: &[&str],
    adjust: impl FnOnce(&mut CreateOptions),
) -> (i32, String, String, Container) {
    let store = env.store();
    let containers = Containers::open(&store).unwrap();
    let mut container = env.create_with(&containers, IMAGE, &args(cmd), adjust);
    let (out, err) = (Buffer::default(), Buffer::default());
    let code = containers
        .run_attached(
            &mut container,
            AttachIo {
                stdin: false,
                stdout: Box::new(out.clone()),
                stderr: Box::new(err.clone()),
            },
        )
        .unwrap();
    (code, out.text(), err.text(), container)
}

fn run_echo(env: &Env) {
    let (code, out, err, container) = run(env, &["echo", "hello! I am here!"], |_| {});
    assert_eq!(
        (code, out.as_str()),
        (0, "hello! I am here!\n"),
        "stderr: {err}"
    );
    let store = env.store();
    let containers = Containers::open(&store).unwrap();
    let listed = containers.list().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].state.status, Status::Exited);
    assert_eq!(listed[0].state.exit_code, Some(0));
    assert_eq!(listed[0].command(), "echo 'hello! I am here!'");
    let (logs, _) = berth_container::read_logs(&container.log_path(), 0).unwrap();
    assert_eq!(logs[0].log, "hello! I am here!\n");
    assert_eq!(logs[0].stream, "stdout");
}

fn exit_status(env: &Env) {
    let (code, _, _, _) = run(env, &["sh", "-c", "echo oops >&2; exit 3"], |_| {});
    assert_eq!(code, 3);
    let (code, out, err, _) = run(env, &["sh", "-c", "echo oops >&2; exit 255"], |_| {});
    assert_eq!((code, out.as_str(), err.as_str()), (255, "", "oops\n"));
    // (Killed by a signal, 128 + n, is covered by `stop_and_rm`: PID 1 cannot be killed from inside.)
}

fn env_workdir_user(env: &Env) {
    let (code, out, err, _) = run(
        env,
        &[
            "sh",
            "-c",
            "echo $FOO $(pwd) $(id -u):$(id -g) $HOME $(hostname)",
        ],
        |o| {
            o.env = vec!["FOO=bar".to_owned()];
            o.working_dir = Some("/tmp".to_owned());
            o.user = Some("app".to_owned());
            "box".clone_into(&mut o.host.hostname);
        },
    );
    assert_eq!(
        (code, out.as_str()),
        (0, "bar /tmp 1000:1000 /home/app box\n"),
        "{err}"
    );
    // A bind mount, read-only.
    let host_dir = env.root.parent().unwrap().join("shared");
    std::fs::create_dir_all(&host_dir).unwrap();
    std::fs::write(host_dir.join("f"), "from host").unwrap();
    let spec = format!("{}:/mnt/shared:ro", host_dir.display());
    let (code, out, err, _) = run(
        env,
        &[
            "sh",
            "-c",
            "cat /mnt/shared/f; touch /mnt/shared/g 2>/dev/null || echo ' read-only'",
        ],
        |o| o.host.binds = vec![berth_container::Bind::parse(&spec).unwrap()],
    );
    assert_eq!((code, out.as_str()), (0, "from host read-only\n"), "{err}");
}

fn wait_exited(containers: &Containers<'_>, id: &str) -> Container {
    let mut container = containers.get(id).unwrap();
    assert!(containers
        .wait_stopped(&mut container, Duration::from_secs(20))
        .unwrap());
    container
}

fn detached(env: &Env) {
    // The starter is another process that exits right after the start.
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("__detach")
        .arg(&env.root)
        .arg(&env.runtime)
        .args([
            "sh",
            "-c",
            "echo started; echo problem >&2; sleep 1; echo done; exit 7",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let id = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    assert_eq!(id.len(), 64);
    let store = env.store();
    let containers = Containers::open(&store).unwrap();
    assert!(containers.get(&id).unwrap().is_running());
    let container = wait_exited(&containers, &id);
    assert_eq!(container.state.status, Status::Exited);
    assert_eq!(container.state.exit_code, Some(7));
    let (logs, _) = berth_container::read_logs(&container.log_path(), 0).unwrap();
    let mut lines: Vec<(String, String)> = logs.into_iter().map(|e| (e.stream, e.log)).collect();
    lines.sort();
    assert_eq!(
        lines,
        [
            ("stderr".to_owned(), "problem\n".to_owned()),
            ("stdout".to_owned(), "done\n".to_owned()),
            ("stdout".to_owned(), "started\n".to_owned()),
        ]
    );
}

fn stop_and_rm(env: &Env) {
    let store = env.store();
    let containers = Containers::open(&store).unwrap();
    let mut container = env.create(&containers, &args(&["sleep", "100"]));
    containers
        .start_detached(&mut container, &env.monitor())
        .unwrap();
    let error = containers.remove(&mut container, false).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "cannot remove container \"/{}\": container is running: stop the container before removing or force remove",
            container.name()
        )
    );
    // PID 1 ignores SIGTERM it has no handler for: stop falls back to SIGKILL.
    containers
        .stop(&mut container, Duration::from_secs(1))
        .unwrap();
    let container = wait_exited(&containers, container.id());
    assert_eq!(container.state.exit_code, Some(137));
    let mut running = env.create(&containers, &args(&["sleep", "100"]));
    containers
        .start_detached(&mut running, &env.monitor())
        .unwrap();
    containers.remove(&mut running, true).unwrap();
    let mut stopped = containers.get(container.id()).unwrap();
    containers.remove(&mut stopped, false).unwrap();
    assert!(containers.list().unwrap().is_empty());
}

fn commit(env: &Env) {
    let script = "echo new > /etc/newfile && rm /etc/motd && rm -r /opt/dir && mkdir /opt/dir \
                  && touch /opt/dir/b && ln -s /etc/shadow /link";
    let (code, _, err, mut container) = run(env, &["sh", "-c", script], |_| {});
    assert_eq!(code, 0, "{err}");
    let store = env.store();
    let containers = Containers::open(&store).unwrap();
    let changes: Vec<String> = containers
        .changes(&container)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        changes,
        [
            "C /etc",
            "D /etc/motd",
            "A /etc/newfile",
            "A /link",
            "C /opt",
            "C /opt/dir",
            "A /opt/dir/b",
        ],
        "{changes:?}"
    );
    let reference = Reference::parse_normalized("test:0.1")
        .unwrap()
        .with_default_tag();
    let committed = containers
        .commit(
            &mut container,
            &CommitOptions {
                author: "Docker Newbee",
                message: "Added a new file",
                changes: &["CMD [\"cat\", \"/etc/newfile\"]".to_owned()],
                pause: true,
                reference: Some(&reference),
                progress: None,
            },
        )
        .unwrap();
    // The layer: the new file, whiteouts, the opaque directory, the symlink as a symlink.
    let blob = committed.layer.clone().unwrap();
    let mut entries = Vec::new();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(
        store.open_blob(&blob).unwrap(),
    ));
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = String::from_utf8_lossy(&entry.path_bytes())
            .trim_end_matches('/')
            .to_owned();
        let kind = entry.header().entry_type();
        let mut content = String::new();
        if kind.is_file() {
            entry.read_to_string(&mut content).unwrap();
        }
        let link = entry
            .link_name()
            .unwrap()
            .map(|l| l.to_string_lossy().into_owned());
        let has_trusted = entry
            .pax_extensions()
            .unwrap()
            .is_some_and(|mut p| p.any(|e| e.unwrap().key().unwrap().contains("trusted.")));
        assert!(!has_trusted, "{path} leaks a trusted.* xattr");
        let mode = entry.header().mode().unwrap();
        entries.push((path, kind, content, link, mode));
    }
    let find = |p: &str| {
        entries
            .iter()
            .find(|e| e.0 == p)
            .unwrap_or_else(|| panic!("{p} not in {entries:?}"))
    };
    assert_eq!(find("etc/newfile").2, "new\n");
    // Whiteouts as moby writes them: empty regular files, mode 0600 (security checklist 33).
    for whiteout in ["etc/.wh.motd", "opt/dir/.wh..wh..opq"] {
        let (_, kind, content, _, mode) = find(whiteout);
        assert!(kind.is_file(), "{whiteout}");
        assert_eq!((content.as_str(), *mode), ("", 0o600), "{whiteout}");
    }
    assert_eq!(find("link").1, tar::EntryType::Symlink);
    assert_eq!(find("link").3.as_deref(), Some("/etc/shadow"));
    for absent in [
        "proc",
        "sys",
        "dev",
        "etc/hosts",
        "etc/resolv.conf",
        "etc/hostname",
    ] {
        assert!(
            !entries.iter().any(|e| e.0 == absent),
            "{absent} leaked into the layer: {entries:?}"
        );
    }
    // The image: named, with the commit's history entry, and the change visible to a new container.
    let image = store.resolve("test:0.1").unwrap();
    assert_eq!(image.id, committed.id);
    let config = berth_manifest::parse_config(&image.config).unwrap();
    let history = config.history.last().unwrap();
    assert_eq!(history.author.as_deref(), Some("Docker Newbee"));
    assert_eq!(history.comment.as_deref(), Some("Added a new file"));
    assert_eq!(
        history.created_by.as_deref(),
        Some(format!("sh -c {script}").as_str())
    );
    assert_eq!(config.config.unwrap().cmd, ["cat", "/etc/newfile"]);
    let mut child = env.create_with(&containers, "test:0.1", &[], |_| {});
    let out = Buffer::default();
    let code = containers
        .run_attached(
            &mut child,
            AttachIo {
                stdin: false,
                stdout: Box::new(out.clone()),
                stderr: Box::new(std::io::sink()),
            },
        )
        .unwrap();
    assert_eq!((code, out.text().as_str()), (0, "new\n"));
    let (code, out, _, _) = run_image(
        env,
        "test:0.1",
        &["sh", "-c", "ls /opt/dir; test -e /etc/motd || echo gone"],
    );
    assert_eq!((code, out.as_str()), (0, "b\ngone\n"));
    // Containers keep their images alive through garbage collection.
    let roots = containers.image_roots().unwrap();
    store.untag(&reference).unwrap();
    store.gc(&roots).unwrap();
    assert!(store.has_blob(&blob));
}

/// The copied rootfs (no overlayfs): the same changes, found by comparing with the image.
fn copy_fallback(env: &Env) {
    let script =
        "echo new > /etc/newfile && rm /etc/motd && rm -r /opt/dir && ln -s /etc/shadow /link";
    let (code, _, err, mut container) = run(env, &["sh", "-c", script], |o| {
        o.rootfs = Some(RootfsKind::Copy);
    });
    assert_eq!(code, 0, "{err}");
    assert_eq!(container.record.rootfs, RootfsKind::Copy);
    let store = env.store();
    let containers = Containers::open(&store).unwrap();
    let changes: Vec<String> = containers
        .changes(&container)
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        changes,
        [
            "C /etc",
            "D /etc/motd",
            "A /etc/newfile",
            "A /link",
            "C /opt",
            "D /opt/dir"
        ],
        "{changes:?}"
    );
    let reference = Reference::parse_normalized("copied:1")
        .unwrap()
        .with_default_tag();
    containers
        .commit(
            &mut container,
            &CommitOptions {
                reference: Some(&reference),
                ..CommitOptions::default()
            },
        )
        .unwrap();
    let (code, out, err, _) = run_image(
        env,
        "copied:1",
        &[
            "sh",
            "-c",
            "cat /etc/newfile; ls /opt; test -e /etc/motd || echo gone; ls -l /link",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("new\ngone\n"), "{out}");
    assert!(out.contains("/link -> /etc/shadow"), "{out}");
}

/// A layer whose tar has `.wh..wh..opq` at its root hides every layer below it (issue #13 item 5):
/// overlayfs ignores the opaque mark on a layer's root directory, so the overlay once showed the
/// lower layers' files that the copied rootfs (the layers applied) had hidden.
fn root_opaque(env: &Env) {
    const OPAQUE_IMAGE: &str = "berth-test/root-opaque:latest";
    let base = with_files(busybox_layer(), &[("base-only", b"hidden\n")]);
    // The top layer brings its own busybox: nothing of the base shows through.
    let top = with_files(busybox_layer(), &[(".wh..wh..opq", b""), ("top", b"top\n")]);
    add_image(&env.store(), OPAQUE_IMAGE, &[base, top]);
    let store = env.store();
    let containers = Containers::open(&store).unwrap();
    let mut listings = Vec::new();
    for kind in [RootfsKind::Overlay, RootfsKind::Copy] {
        let mut container = env.create_with(
            &containers,
            OPAQUE_IMAGE,
            &args(&["sh", "-c", "ls -a / /etc /opt"]),
            |o| o.rootfs = Some(kind),
        );
        assert_eq!(container.record.rootfs, kind);
        let (out, err) = (Buffer::default(), Buffer::default());
        let code = containers
            .run_attached(
                &mut container,
                AttachIo {
                    stdin: false,
                    stdout: Box::new(out.clone()),
                    stderr: Box::new(err.clone()),
                },
            )
            .unwrap();
        assert_eq!(code, 0, "{kind:?}: {}", err.text());
        listings.push(out.text());
    }
    assert_eq!(listings[0], listings[1], "overlay, then copy");
    assert!(listings[0].contains("\ntop\n"), "{}", listings[0]);
    assert!(!listings[0].contains("base-only"), "{}", listings[0]);
}

/// A layer tar with regular files appended.
fn with_files(mut tar: Vec<u8>, files: &[(&str, &[u8])]) -> Vec<u8> {
    tar.truncate(tar.len() - 1024); // the end-of-archive blocks
    let mut builder = tar::Builder::new(tar);
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o644);
        header.set_size(content.len() as u64);
        builder.append_data(&mut header, path, *content).unwrap();
    }
    builder.into_inner().unwrap()
}

fn run_image(env: &Env, image: &str, cmd: &[&str]) -> (i32, String, String, Container) {
    let store = env.store();
    let containers = Containers::open(&store).unwrap();
    let mut container = env.create_with(&containers, image, &args(cmd), |_| {});
    let (out, err) = (Buffer::default(), Buffer::default());
    let code = containers
        .run_attached(
            &mut container,
            AttachIo {
                stdin: false,
                stdout: Box::new(out.clone()),
                stderr: Box::new(err.clone()),
            },
        )
        .unwrap();
    (code, out.text(), err.text(), container)
}

fn export_and_network_none(env: &Env) {
    let (code, out, err, container) = run(env, &["sh", "-c", "ls /sys/class/net"], |o| {
        o.host.network = berth_container::Network::None;
    });
    assert_eq!((code, out.as_str()), (0, "lo\n"), "{err}");
    let store = env.store();
    let containers = Containers::open(&store).unwrap();
    let tar = containers.export(&container, Vec::new()).unwrap();
    let mut archive = tar::Archive::new(tar.as_slice());
    let names: Vec<String> = archive
        .entries()
        .unwrap()
        .map(|e| String::from_utf8_lossy(&e.unwrap().path_bytes()).into_owned())
        .collect();
    assert!(names.iter().any(|n| n == "bin/busybox"), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("etc/passwd")));
    let changes = containers.changes(&container).unwrap();
    assert!(
        changes.iter().all(|c| c.kind != ChangeKind::Deleted),
        "{changes:?}"
    );
}

/// A one-layer image: a static busybox with applet symlinks, passwd/group, and a few files to change.
fn add_busybox_image(store: &Store) {
    add_image(store, IMAGE, &[busybox_layer()]);
}

/// The busybox image's layer.
fn busybox_layer() -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let dir = |builder: &mut tar::Builder<Vec<u8>>, path: &str, mode: u32| {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Directory);
        header.set_mode(mode);
        header.set_mtime(1_600_000_000);
        header.set_size(0);
        builder
            .append_data(&mut header, path, std::io::empty())
            .unwrap();
    };
    for (path, mode) in [
        ("bin", 0o755),
        ("etc", 0o755),
        ("tmp", 0o1777),
        ("root", 0o700),
        ("home", 0o755),
        ("home/app", 0o755),
        ("opt", 0o755),
        ("opt/dir", 0o755),
    ] {
        dir(&mut builder, path, mode);
    }
    let file = |builder: &mut tar::Builder<Vec<u8>>, path: &str, mode: u32, data: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(mode);
        header.set_mtime(1_600_000_000);
        header.set_size(data.len() as u64);
        builder.append_data(&mut header, path, data).unwrap();
    };
    file(
        &mut builder,
        "bin/busybox",
        0o755,
        &std::fs::read(BUSYBOX).unwrap(),
    );
    file(
        &mut builder,
        "etc/passwd",
        0o644,
        b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
    );
    file(
        &mut builder,
        "etc/group",
        0o644,
        b"root:x:0:\napp:x:1000:\n",
    );
    file(&mut builder, "etc/motd", 0o644, b"welcome\n");
    file(&mut builder, "opt/dir/a", 0o644, b"a\n");
    for applet in APPLETS {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Symlink);
        header.set_mode(0o777);
        header.set_mtime(1_600_000_000);
        header.set_size(0);
        builder
            .append_link(&mut header, format!("bin/{applet}"), "busybox")
            .unwrap();
    }
    builder.into_inner().unwrap()
}

/// Adds an image of `tars` (base first, gzipped here) named `reference` to the store.
fn add_image(store: &Store, reference: &str, tars: &[Vec<u8>]) {
    let mut diff_ids = Vec::new();
    let mut descriptors = Vec::new();
    for tar in tars {
        diff_ids.push(format!("\"{}\"", Digest::sha256(tar)));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(tar).unwrap();
        let layer = gz.finish().unwrap();
        let layer_digest = store.write_blob(&layer).unwrap();
        descriptors.push(berth_manifest::descriptor(
            media_type::OCI_LAYER_TAR_GZIP,
            &layer_digest,
            layer.len() as u64,
        ));
    }
    let config = format!(
        r#"{{"architecture":"amd64","os":"linux","config":{{"Cmd":["sh"],"Env":["PATH=/bin"]}},"rootfs":{{"type":"layers","diff_ids":[{}]}},"history":[{{"created_by":"berth test"}}]}}"#,
        diff_ids.join(",")
    );
    let config_digest = store.write_blob(config.as_bytes()).unwrap();
    let manifest = berth_manifest::image_manifest(
        berth_manifest::descriptor(media_type::OCI_CONFIG, &config_digest, config.len() as u64),
        descriptors,
    );
    let bytes = berth_manifest::manifest_bytes(&manifest);
    let digest = store.write_blob(&bytes).unwrap();
    let name = Reference::parse_normalized(reference).unwrap();
    store
        .add_image(
            &IndexEntry::new(media_type::OCI_MANIFEST, digest, bytes.len() as u64),
            &[name],
            &[],
        )
        .unwrap();
}
