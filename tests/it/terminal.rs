//! berth on a terminal (issue #16): run in a pseudo-terminal (`portable-pty`), its output fed to a
//! screen model (`vt100`), the screen pinned with insta at chosen moments: mid-transfer (through the
//! throttling proxy), after success, after an error, after Ctrl-C, at 80 and 200 columns. stdout goes
//! to a file, so the screen is stderr alone and stdout is checked to be data only.
//!
//! Screens that depend on timing are pinned with their numbers normalized (sizes, bars, times left)
//! and taken at moments a condition on the screen defines; the final screens are exact.

use std::{
    fmt::Write as _,
    io::{Read, Write},
    net::TcpStream,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    thread::JoinHandle,
    time::{Duration, Instant},
};

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};

use crate::{
    common::{fixture, private_dockerd, require, Dockerd, Env, Registry},
    crash::Proxy,
};

mod archive;
mod push;

/// How long a screen condition may take to come true on two loaded cores.
const PATIENCE: Duration = Duration::from_secs(120);
pub(crate) const ROWS: u16 = 24;

/// berth running in a pseudo-terminal of `cols` columns.
pub(crate) struct Terminal {
    child: Box<dyn Child + Send + Sync>,
    /// Kept open: the terminal lives as long as its master side.
    _master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    parser: Arc<Mutex<vt100::Parser>>,
    reader: Option<JoinHandle<()>>,
    stdout: PathBuf,
}

impl Terminal {
    pub(crate) fn spawn(
        env: &Env,
        cols: u16,
        args: &[&str],
        extra_env: &[(&str, &str)],
    ) -> Terminal {
        let stdout = env.path(&format!("stdout-{}", args.join("-").replace('/', "_")));
        Terminal::spawn_redirected(env, cols, args, extra_env, None, stdout)
    }

    /// berth with stdout to `stdout` and, when given, stdin from `stdin` (FIFOs the test drains or
    /// feeds at its own pace, or files).
    fn spawn_redirected(
        env: &Env,
        cols: u16,
        args: &[&str],
        extra_env: &[(&str, &str)],
        stdin: Option<&Path>,
        stdout: PathBuf,
    ) -> Terminal {
        // stdin (unless redirected) and stderr on the terminal, stdout to a file: `exec` keeps
        // berth the process the terminal's Ctrl-C reaches.
        let mut cmd = CommandBuilder::new("/bin/sh");
        cmd.arg("-c");
        cmd.arg(
            "in=$1; out=$2; shift 2; if [ -n \"$in\" ]; then exec <\"$in\"; fi; exec \"$@\" >\"$out\"",
        );
        cmd.arg("sh");
        cmd.arg(stdin.map_or_else(std::ffi::OsString::new, |path| path.as_os_str().to_owned()));
        cmd.arg(&stdout);
        cmd.arg(env!("CARGO_BIN_EXE_berth"));
        cmd.arg("--root");
        cmd.arg(env.root());
        cmd.args(args);
        cmd.env_clear();
        cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default());
        cmd.env("HOME", env.dir.path());
        cmd.env("DOCKER_CONFIG", env.dir.path().join("docker-config"));
        cmd.env("TERM", "xterm-256color");
        for (key, value) in extra_env {
            cmd.env(key, value);
        }
        cmd.cwd(env.dir.path());
        Terminal::spawn_command(cmd, cols, stdout)
    }

    /// Any program on the terminal, stdout included (the docker CLI).
    pub(crate) fn spawn_all(
        program: &std::process::Command,
        cols: u16,
        stdout: PathBuf,
    ) -> Terminal {
        let mut cmd = CommandBuilder::new(program.get_program());
        cmd.args(program.get_args());
        cmd.env_clear();
        cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default());
        cmd.env("TERM", "xterm-256color");
        for (key, value) in program.get_envs() {
            if let Some(value) = value {
                cmd.env(key, value);
            }
        }
        Terminal::spawn_command(cmd, cols, stdout)
    }

    fn spawn_command(cmd: CommandBuilder, cols: u16, stdout: PathBuf) -> Terminal {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pseudo-terminal");
        let child = pty.slave.spawn_command(cmd).expect("spawn berth");
        drop(pty.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            nonzero(ROWS),
            nonzero(cols),
            0,
        )));
        let mut source = pty.master.try_clone_reader().expect("pty reader");
        let reader = {
            let parser = Arc::clone(&parser);
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                // EIO once berth and every copy of the terminal's other side are gone.
                while let Ok(n) = source.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    parser.lock().unwrap().process(&buf[..n]);
                }
            })
        };
        let writer = pty.master.take_writer().expect("pty writer");
        Terminal {
            child,
            _master: pty.master,
            writer,
            parser,
            reader: Some(reader),
            stdout,
        }
    }

    /// The screen as text, trailing blanks cut, and where the cursor is.
    pub(crate) fn screen(&self) -> String {
        let parser = self.parser.lock().unwrap();
        let screen = parser.screen();
        let (_, cols) = screen.size();
        let (row, col) = screen.cursor_position();
        // Row by row: indicatif fills each line to the last column, which a terminal shows as
        // separate rows however it records the wrap.
        let lines: Vec<String> = screen
            .rows(0, cols.get())
            .map(|line| line.trim_end().to_owned())
            .collect();
        let mut text = lines.join("\n").trim_end().to_owned();
        let _ = write!(text, "\n[cursor at row {row}, column {col}]");
        text
    }

    /// Waits until the screen satisfies `ready`; panics with the screen after [`PATIENCE`].
    pub(crate) fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        let mut seen: Vec<String> = Vec::new();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            if seen.last() != Some(&screen) {
                seen.push(screen.clone());
            }
            assert!(
                Instant::now() < deadline,
                "the screen never showed {what}; it showed:\n{}",
                seen.join("\n----------\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub(crate) fn ctrl_c(&mut self) {
        self.writer.write_all(b"\x03").expect("type Ctrl-C");
        self.writer.flush().unwrap();
    }

    /// Waits for berth to exit and for its last bytes to reach the screen; its exit code.
    pub(crate) fn wait(&mut self) -> u32 {
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for berth") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "berth did not exit:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        status.exit_code()
    }

    pub(crate) fn stdout(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("a terminal has rows and columns")
}

/// Insta settings for screens: the registry's port, digests, and (for `timing`) the numbers that
/// depend on speed.
fn screen_settings(host: &str, timing: bool) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&host.replace('.', r"\."), "[REGISTRY]");
    settings.add_filter("sha256:[0-9a-f]{64}", "sha256:[DIGEST]");
    if timing {
        settings.add_filter(r"\[=*>? *\]", "[BAR]");
        settings.add_filter(r"\d+(\.\d+)?(B|kB|MB|GB)\b", "[SIZE]");
        settings.add_filter(r"\b(\d+h)?(\d+m)?\d+s\b", "[TIME]");
        settings.add_filter(r"\(\d+%\)", "([PERCENT])");
        // Columns move with the width of the numbers.
        settings.add_filter(r" {2,}", " ");
    }
    settings
}

/// A registry with the fixture's two-layer `fixture/busybox:1` as `term/pull:1`, and its one-layer
/// `fixture/busybox:base` as `term/pull:base` (one layer: the order of the plain form's lines is
/// fixed).
fn registry_with_image() -> Option<Registry> {
    let registry = Registry::start()?;
    let env = Env::new();
    env.load_fixture();
    for tag in ["1", "base"] {
        let name = format!("{}/term/pull:{tag}", registry.host());
        env.ok(&["tag", &format!("fixture/busybox:{tag}"), &name]);
        env.ok(&["push", "-q", &name]);
    }
    Some(registry)
}

/// The two layers of the fixture as berth pushes them (gzip-compressed), big one first.
const BIG_LAYER: &str = "5fb4757f5ebe";
const SMALL_LAYER: &str = "7d011eb562b7";

/// Bytes per second through the proxy while the mid-transfer screen is taken: the 2.1 MB layer
/// takes about 16 s, so the moment lasts.
const SLOW: u64 = 128 * 1024;

/// The moment a pull's screen is pinned at: the big layer downloading, with its time left; the
/// small one done; the whole-image line with its rate and time left.
fn downloading(screen: &str) -> bool {
    screen.lines().any(|line| {
        line.starts_with(&format!("{BIG_LAYER}: Downloading"))
            && line.contains("B/")
            && line.ends_with('s')
    }) && screen
        .lines()
        .any(|line| line.starts_with(&format!("{SMALL_LAYER}: Pull complete")))
        && screen.lines().any(|line| {
            line.starts_with("Downloaded ") && line.contains("/s, ") && line.contains(" left; ")
        })
}

fn pull_on_a_terminal(cols: u16) {
    let Some(registry) = registry_with_image() else {
        return;
    };
    let proxy = Proxy::start(registry.port, SLOW);
    let env = Env::new();
    let name = format!("{}/term/pull:1", proxy.host());
    let mut term = Terminal::spawn(&env, cols, &["pull", &name], &[]);
    let middle = term.wait_for("a layer downloading", downloading);
    proxy.set_rate(0);
    assert_eq!(term.wait(), 0, "{}", term.screen());
    let done = term.screen();
    assert_eq!(term.stdout(), format!("{name}\n"), "stdout is data only");
    screen_settings(&proxy.host(), true).bind(|| {
        insta::assert_snapshot!(format!("pull_middle_{cols}"), middle);
    });
    screen_settings(&proxy.host(), false).bind(|| {
        insta::assert_snapshot!(format!("pull_done_{cols}"), done);
    });
}

#[test]
fn pull_on_a_terminal_80() {
    pull_on_a_terminal(80);
}

#[test]
fn pull_on_a_terminal_200() {
    pull_on_a_terminal(200);
}

/// Ctrl-C mid-transfer: berth exits 130, each layer line in the state it had, no half-drawn
/// whole-image line, the cursor at the start of a line of its own.
fn pull_interrupted(cols: u16) {
    let Some(registry) = registry_with_image() else {
        return;
    };
    let proxy = Proxy::start(registry.port, SLOW / 4);
    let env = Env::new();
    let name = format!("{}/term/pull:1", proxy.host());
    let mut term = Terminal::spawn(&env, cols, &["pull", &name], &[]);
    term.wait_for("a layer downloading", downloading);
    term.ctrl_c();
    assert_eq!(term.wait(), 130, "{}", term.screen());
    let screen = term.screen();
    assert_eq!(term.stdout(), "");
    assert!(!screen.contains("Downloaded "), "{screen}");
    screen_settings(&proxy.host(), true).bind(|| {
        insta::assert_snapshot!(format!("pull_interrupted_{cols}"), screen);
    });
}

#[test]
fn pull_interrupted_on_a_terminal_80() {
    pull_interrupted(80);
}

#[test]
fn pull_interrupted_on_a_terminal_200() {
    pull_interrupted(200);
}

/// The registry lost a layer: the error comes after each layer line's last state.
#[test]
fn pull_error_on_a_terminal() {
    let Some(registry) = registry_with_image() else {
        return;
    };
    let manifest = get(
        &registry.host(),
        "/v2/term/pull/manifests/1",
        "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json",
    );
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let big = manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|layer| layer["digest"].as_str())
        .find(|digest| digest.contains(BIG_LAYER))
        .expect("the big layer")
        .to_owned();
    delete_blob(&registry.host(), "term/pull", &big);
    let env = Env::new();
    let name = format!("{}/term/pull:1", registry.host());
    for cols in [80, 200] {
        // One download at a time: the small layer is still waiting when the big one fails.
        let mut term = Terminal::spawn(
            &env,
            cols,
            &["pull", "--max-concurrent-downloads", "1", &name],
            &[],
        );
        assert_eq!(term.wait(), 1, "{}", term.screen());
        let screen = term.screen();
        assert_eq!(term.stdout(), "");
        screen_settings(&registry.host(), false).bind(|| {
            insta::assert_snapshot!(format!("pull_error_{cols}"), screen);
        });
    }
}

/// The body of a GET on the registry.
fn get(host: &str, path: &str, accept: &str) -> String {
    let mut stream = TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default()
}

/// `DELETE /v2/<name>/blobs/<digest>`, which the test registry allows.
fn delete_blob(host: &str, name: &str, digest: &str) {
    let mut stream = TcpStream::connect(host).unwrap();
    write!(
        stream,
        "DELETE /v2/{name}/blobs/{digest} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 202"), "{response}");
}

/// `load` on a terminal: Docker's `Loading layer` line per layer file, left full.
#[test]
fn load_on_a_terminal() {
    let archive = fixture("docker-20.10-save.tar");
    for cols in [80, 200] {
        let env = Env::new();
        let mut term = Terminal::spawn(&env, cols, &["load", "-i", archive.to_str().unwrap()], &[]);
        assert_eq!(term.wait(), 0, "{}", term.screen());
        let screen = term.screen();
        assert_eq!(
            term.stdout(),
            "Loaded image: fixture/busybox:1\nLoaded image: fixture/busybox:latest\nLoaded image: fixture/busybox:base\n"
        );
        screen_settings("unused", false).bind(|| {
            insta::assert_snapshot!(format!("load_{cols}"), screen);
        });
    }
}

/// `-q` on a terminal prints what Docker prints with `-q`: the name on stdout, nothing on the screen.
#[test]
fn quiet_pull_on_a_terminal() {
    let Some(registry) = registry_with_image() else {
        return;
    };
    let env = Env::new();
    let name = format!("{}/term/pull:1", registry.host());
    let mut term = Terminal::spawn(&env, 80, &["pull", "-q", &name], &[]);
    assert_eq!(term.wait(), 0, "{}", term.screen());
    assert_eq!(term.screen(), "\n[cursor at row 0, column 0]");
    assert_eq!(term.stdout(), format!("{name}\n"));
}

/// `TERM=dumb`: the plain form on a terminal too, one line per state change.
#[test]
fn dumb_terminal_gets_the_plain_form() {
    let Some(registry) = registry_with_image() else {
        return;
    };
    let env = Env::new();
    let name = format!("{}/term/pull:base", registry.host());
    let mut term = Terminal::spawn(&env, 80, &["pull", &name], &[("TERM", "dumb")]);
    assert_eq!(term.wait(), 0, "{}", term.screen());
    let screen = term.screen();
    assert!(!screen.contains("Downloading"), "{screen}");
    screen_settings(&registry.host(), false).bind(|| {
        insta::assert_snapshot!("pull_dumb", screen);
    });
}

/// stderr a pipe: Docker's plain form, no escape sequence, no byte counts.
#[test]
fn plain_form_when_stderr_is_a_pipe() {
    let Some(registry) = registry_with_image() else {
        return;
    };
    let proxy = Proxy::start(registry.port, 0);
    let env = Env::new();
    let name = format!("{}/term/pull:base", proxy.host());
    let pull = env.berth().args(["pull", &name]).output().unwrap();
    assert!(pull.status.success());
    let stderr = String::from_utf8(pull.stderr).unwrap();
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
    let load = env
        .berth()
        .args([
            "load",
            "-i",
            fixture("docker-20.10-save.tar").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(load.status.success());
    let load_stderr = String::from_utf8(load.stderr).unwrap();
    // The other long commands off a terminal: push's lines (on stdout, as Docker's), and nothing
    // on stderr from save, import and commit.
    let pushed = format!("{}/term/plain:1", proxy.host());
    env.ok(&["tag", "fixture/busybox:1", &pushed]);
    let push = env.berth().args(["push", &pushed]).output().unwrap();
    assert!(push.status.success(), "{}", crate::common::render(&push));
    // Layers push side by side: their lines' order varies, so they are pinned sorted.
    let mut push_lines: Vec<String> = String::from_utf8_lossy(&push.stderr)
        .lines()
        .map(|line| format!("{line}\n"))
        .collect();
    push_lines.sort();
    let push_lines = push_lines.concat();
    let saved = env.path("plain.tar");
    let mut quiet = Vec::new();
    for args in [
        vec!["save", "-o", saved.to_str().unwrap(), "fixture/busybox:1"],
        vec!["import", saved.to_str().unwrap(), "term/imported:1"],
    ] {
        let out = env.berth().args(&args).output().unwrap();
        assert!(out.status.success(), "{}", crate::common::render(&out));
        quiet.push(format!(
            "$ berth {} (stderr)\n{}",
            args[0],
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    screen_settings(&proxy.host(), false).bind(|| {
        insta::assert_snapshot!(
            "plain",
            format!(
                "$ berth pull\n{stderr}$ berth load\n{load_stderr}$ berth push (stdout, stderr)\n{}{}{}",
                String::from_utf8_lossy(&push.stdout),
                push_lines,
                quiet.concat()
            )
        );
    });
}

/// `push` on a terminal: each layer's line ends in its final state (`Pushed`, then on a second push
/// `Layer already exists`), the whole-image line is gone, and the digest lines are on stdout.
#[test]
fn push_on_a_terminal() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let env = Env::new();
    env.load_fixture();
    let name = format!("{}/term/push:1", registry.host());
    env.ok(&["tag", "fixture/busybox:1", &name]);
    let mut screens = Vec::new();
    for _ in 0..2 {
        let mut term = Terminal::spawn(&env, 80, &["push", &name], &[]);
        assert_eq!(term.wait(), 0, "{}", term.screen());
        assert!(
            term.stdout().starts_with("1: digest: sha256:"),
            "{}",
            term.stdout()
        );
        screens.push(term.screen());
    }
    screen_settings(&registry.host(), false).bind(|| {
        insta::assert_snapshot!("push", screens.join("\n----------\n"));
    });
}

/// `save`, `import` (a file and stdin) and `commit`'s whole-operation line is gone when they end:
/// the screen is as empty as Docker's, and stdout carries the data alone.
#[test]
fn archive_commands_leave_a_clean_screen() {
    let env = Env::new();
    env.load_fixture();
    let saved = env.path("saved.tar");
    let rootfs = env.path("rootfs.tar");
    let mut runs: Vec<(Vec<String>, String)> = Vec::new();
    let save = ["save", "-o", saved.to_str().unwrap(), "fixture/busybox:1"];
    let mut term = Terminal::spawn(&env, 80, &save, &[]);
    assert_eq!(term.wait(), 0, "{}", term.screen());
    runs.push((vec!["save".to_owned()], term.screen()));
    assert_eq!(term.stdout(), "");
    std::fs::copy(fixture("docker-20.10-save.tar"), &rootfs).unwrap();
    let import = ["import", rootfs.to_str().unwrap(), "term/imported:1"];
    let mut term = Terminal::spawn(&env, 80, &import, &[]);
    assert_eq!(term.wait(), 0, "{}", term.screen());
    runs.push((vec!["import".to_owned()], term.screen()));
    assert!(term.stdout().starts_with("sha256:"), "{}", term.stdout());
    env.ok(&["create", "--name", "term-commit", "fixture/busybox:1"]);
    let commit = ["commit", "term-commit", "term/committed:1"];
    let mut term = Terminal::spawn(&env, 80, &commit, &[]);
    assert_eq!(term.wait(), 0, "{}", term.screen());
    runs.push((vec!["commit".to_owned()], term.screen()));
    assert!(term.stdout().starts_with("sha256:"), "{}", term.stdout());
    for (what, screen) in &runs {
        assert_eq!(screen, "\n[cursor at row 0, column 0]", "{what:?}");
    }
}

/// The oracle: Docker 20.10's CLI pulling the same image on the same terminal ends on the same
/// screen, once berth's stdout line (its own, off the screen) is put back under it.
#[test]
fn pull_screen_matches_docker() {
    let Some(registry) = registry_with_image() else {
        return;
    };
    // An engine of its own: on the shared one, another image holding the same layer makes
    // Docker print `Already exists` instead of the download this compares.
    let docker = &private_dockerd("terminal");
    let name = format!("{}/term/pull:1", registry.host());
    for cols in [80, 200] {
        let env = Env::new();
        let _ = docker.docker().args(["rmi", &name]).output();
        let mut pull = docker.docker();
        pull.args(["pull", &name]);
        let mut theirs = Terminal::spawn_all(&pull, cols, env.path("unused"));
        assert_eq!(theirs.wait(), 0, "{}", theirs.screen());
        let theirs = theirs.screen();
        assert!(
            theirs.contains(&format!("{BIG_LAYER}: Pull complete")),
            "{theirs}"
        );
        let mut ours = Terminal::spawn(&env, cols, &["pull", &name], &[]);
        assert_eq!(ours.wait(), 0, "{}", ours.screen());
        let (text, cursor) = ours
            .screen()
            .rsplit_once('\n')
            .map(|(t, c)| (t.to_owned(), c.to_owned()))
            .unwrap();
        let ours = format!("{text}\n{}{cursor}", ours.stdout());
        // Docker's last line is its stdout's: the cursor is below it, as below berth's.
        let theirs_text = theirs.rsplit_once('\n').unwrap().0;
        let ours_text = ours.rsplit_once('\n').unwrap().0;
        assert_eq!(
            ours_text.trim_end(),
            theirs_text.trim_end(),
            "at {cols} columns"
        );
    }
    let _ = docker.docker().args(["rmi", &name]).output();
}

/// The oracle for `load`: Docker 20.10's CLI loading the same archive on the same terminal (stdout
/// and stderr both on it, as a user sees them) ends on the same screen as berth, at 80 and 200
/// columns: one `Loading layer` line per layer, named after its diff_id, in Docker's order, none
/// for a layer whose chain is loaded already (the base image's, on the first load; every one, on a
/// second load of the same archive), for Docker's own archive, skopeo's `docker-archive:` and
/// berth's own `save` (gzip layers under `blobs/sha256/`, whose names are not their diff_ids), and
/// Docker's archive gzipped whole (indexed in a first decompressing pass).
#[test]
fn load_screen_matches_docker() {
    if !require("skopeo") {
        return;
    }
    let docker = &private_dockerd("load");
    let scratch = Env::new();
    let docker_made = fixture("docker-20.10-save.tar");
    let skopeo_made = scratch.path("skopeo.tar");
    let status = std::process::Command::new("skopeo")
        .args(["copy", "-q"])
        .arg(format!(
            "docker-archive:{}:fixture/busybox:1",
            docker_made.display()
        ))
        .arg(format!(
            "docker-archive:{}:term/skopeo:1",
            skopeo_made.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    scratch.load_fixture();
    let berth_made = scratch.path("berth.tar");
    scratch.ok(&[
        "save",
        "-o",
        berth_made.to_str().unwrap(),
        "fixture/busybox:1",
    ]);
    // A compressed archive (`docker save | gzip`), which Docker's engine unpacks before it loads.
    let gzipped = scratch.path("docker.tar.gz");
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "gzip -c '{}' > '{}'",
            docker_made.display(),
            gzipped.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    for cols in [80, 200] {
        for (made_by, archive) in [
            ("docker", &docker_made),
            ("skopeo", &skopeo_made),
            ("berth", &berth_made),
            ("gzip of docker", &gzipped),
        ] {
            remove_every_image(docker);
            let env = Env::new();
            let archive = archive.to_str().unwrap();
            for round in ["first", "second"] {
                let what = format!("{round} load of {made_by}'s archive at {cols} columns");
                let mut load = docker.docker();
                load.args(["load", "-i", archive]);
                let mut theirs = Terminal::spawn_all(&load, cols, env.path("unused"));
                assert_eq!(theirs.wait(), 0, "{what}: {}", theirs.screen());
                let theirs = theirs.screen();
                let mut load = env.berth();
                load.args(["load", "-i", archive]);
                let mut ours = Terminal::spawn_all(&load, cols, env.path("unused"));
                assert_eq!(ours.wait(), 0, "{what}: {}", ours.screen());
                let ours = ours.screen();
                assert_eq!(ours, theirs, "{what}");
                let lines = ours.matches(": Loading layer").count();
                assert_eq!(
                    lines,
                    if round == "first" { 2 } else { 0 },
                    "{what}: {ours}"
                );
                if made_by == "docker" {
                    insta::assert_snapshot!(format!("load_docker_{round}_{cols}"), ours);
                }
            }
        }
    }
    // From a pipe (`cat x.tar | docker load`): Docker's engine unpacks the stream, then draws its
    // lines; berth draws Docker's lines, complete, once the stream is read. Same final screens.
    let piped = |load: std::process::Command, archive: &str| {
        let mut sh = std::process::Command::new("sh");
        sh.args(["-c", "a=$1; shift; cat \"$a\" | \"$@\"", "sh", archive])
            .arg(load.get_program())
            .args(load.get_args());
        for (key, value) in load.get_envs() {
            if let Some(value) = value {
                sh.env(key, value);
            }
        }
        sh
    };
    for cols in [80, 200] {
        remove_every_image(docker);
        let env = Env::new();
        for (round, lines) in [("first", 2), ("second", 0)] {
            let what = format!("{round} piped load at {cols} columns");
            let mut load = docker.docker();
            load.arg("load");
            let archive = docker_made.to_str().unwrap();
            let mut theirs = Terminal::spawn_all(&piped(load, archive), cols, env.path("unused"));
            assert_eq!(theirs.wait(), 0, "{what}: {}", theirs.screen());
            let mut load = env.berth();
            load.arg("load");
            let mut ours = Terminal::spawn_all(&piped(load, archive), cols, env.path("unused"));
            assert_eq!(ours.wait(), 0, "{what}: {}", ours.screen());
            let (theirs, ours) = (theirs.screen(), ours.screen());
            assert_eq!(ours, theirs, "{what}");
            assert_eq!(
                ours.matches(": Loading layer").count(),
                lines,
                "{what}: {ours}"
            );
        }
    }

    // Off a terminal (stdout and stderr pipes), Docker's CLI asks for a quiet load: the names alone.
    remove_every_image(docker);
    let env = Env::new();
    let archive = docker_made.to_str().unwrap();
    let theirs = docker
        .docker()
        .args(["load", "-i", archive])
        .output()
        .unwrap();
    let ours = env.berth().args(["load", "-i", archive]).output().unwrap();
    assert!(theirs.status.success() && ours.status.success());
    assert_eq!(
        (
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&ours.stderr)
        ),
        (
            String::from_utf8_lossy(&theirs.stdout),
            String::from_utf8_lossy(&theirs.stderr)
        ),
    );
    assert!(ours
        .stdout
        .starts_with(b"Loaded image: fixture/busybox:1\n"));
    remove_every_image(docker);
}

/// Every image of the engine removed, and with them every layer: the next load finds none. A parent
/// goes only once its children are gone, so children first, as often as it takes.
fn remove_every_image(docker: &Dockerd) {
    for _ in 0..4 {
        let listed = docker
            .docker()
            .args(["image", "ls", "-aq"])
            .output()
            .unwrap();
        let ids: Vec<String> = String::from_utf8(listed.stdout)
            .unwrap()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        if ids.is_empty() {
            return;
        }
        let _ = docker.docker().args(["rmi", "-f"]).args(&ids).output();
    }
    panic!("the engine kept images after four rounds of rmi -f");
}

/// Off a terminal, a long transfer gets one whole-image line every 5 seconds at most, and at least
/// one when it lasts longer than that; the layer lines are Docker's, without byte counts.
#[test]
fn plain_form_reports_a_long_transfer_every_few_seconds() {
    let Some(registry) = registry_with_image() else {
        return;
    };
    // About 8 s for the 1.06 MB layer.
    let proxy = Proxy::start(registry.port, SLOW);
    let env = Env::new();
    let name = format!("{}/term/pull:1", proxy.host());
    let started = Instant::now();
    let pull = env.berth().args(["pull", &name]).output().unwrap();
    let elapsed = started.elapsed().as_secs();
    assert!(pull.status.success());
    let stderr = String::from_utf8(pull.stderr).unwrap();
    let progress = stderr
        .lines()
        .filter(|line| line.starts_with("Downloaded "))
        .count();
    assert!(elapsed >= 5, "the throttle did not hold: {elapsed} s");
    assert!(
        progress >= 1 && progress <= usize::try_from(elapsed / 5 + 1).unwrap(),
        "{progress} progress lines in {elapsed} s:\n{stderr}"
    );
    assert!(
        !stderr.contains('\x1b') && !stderr.contains("Downloading"),
        "{stderr}"
    );
}
