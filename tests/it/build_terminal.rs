//! `berth build` on a terminal: BuildKit's live view, in a pseudo-terminal read through the vt100
//! screen model (`terminal::Terminal`). The last screen is compared with Docker 20.10's own CLI
//! building the same Dockerfile on the same base (`DOCKER_BUILDKIT=1`), at 80 and 200 columns;
//! a mid-build screen (a RUN that printed lines and waits for a file the test creates in its root)
//! and a failed build's screen are pinned with insta.

use std::time::{Duration, Instant};

use crate::{
    build::{base_on_both, build_dockerd},
    common::{import_busybox, Env},
    terminal::Terminal,
};

/// Times (`1.2s`, `12.34s`) with their digits masked, so columns stay where they were; digests cut
/// at any length (a narrow screen cuts them).
fn masked(screen: &str) -> String {
    let mut out = String::new();
    let mut rest = screen;
    while let Some(at) = rest.find("sha256:") {
        out += &rest[..at + 7];
        rest = rest[at + 7..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
        out += "[D]";
    }
    out += rest;
    // `N.Ns` and `N.NNNs` anywhere: each digit becomes `#`.
    let bytes: Vec<char> = out.chars().collect();
    let mut masked = bytes.clone();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i > start && i + 1 < bytes.len() && bytes[i] == '.' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            if j > i + 1 && j < bytes.len() && bytes[j] == 's' {
                for c in &mut masked[start..j] {
                    if c.is_ascii_digit() {
                        *c = '#';
                    }
                }
            }
            i = j;
        }
        if i == start {
            i += 1;
        }
    }
    let masked: String = masked.into_iter().collect();
    // Output lines' times (`#5 0.190 out`).
    let lines: Vec<String> = masked
        .split('\n')
        .map(|line| match line.split_once(' ') {
            Some((number, rest)) if number.starts_with('#') => match rest.split_once(' ') {
                Some((time, text))
                    if time.contains('.')
                        && time.chars().all(|c| c.is_ascii_digit() || c == '.') =>
                {
                    format!(
                        "{number} {} {text}",
                        time.replace(|c: char| c.is_ascii_digit(), "#")
                    )
                }
                _ => line.to_owned(),
            },
            _ => line.to_owned(),
        })
        .collect();
    lines.join("\n")
}

/// A context directory holding `dockerfile`.
fn context(env: &Env, name: &str, dockerfile: &str) -> String {
    let dir = env.path(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Dockerfile"), dockerfile).unwrap();
    dir.to_str().unwrap().to_owned()
}

/// The known differences from BuildKit's screen taken out (docs/build.md): BuildKit's
/// `.dockerignore` vertex reports its context transfer (` => => transferring context: 2B`), which
/// berth leaves out (as its plain form does); BuildKit's Dockerfile transfer counts the file
/// sync's packets (the file's stat and data, ~37 bytes more than the file), berth the file's bytes;
/// BuildKit shows a FROM `CACHED` once any build used an image with the same layers (the build
/// tests' bases share theirs), berth never does. The names keep their columns.
fn known_differences(screen: &str) -> String {
    let lines: Vec<String> = screen
        .lines()
        .filter(|line| !line.starts_with(" => => transferring context: "))
        .map(|line| {
            if line.starts_with(" => => transferring dockerfile: ") {
                " => => transferring dockerfile: [N]B".to_owned()
            } else if line.starts_with(" => CACHED [1/") && line.contains("] FROM ") {
                line.replacen("CACHED ", "", 1)
                    .replacen("  ", &" ".repeat(2 + "CACHED ".len()), 1)
            } else {
                line.to_owned()
            }
        })
        .collect();
    lines.join("\n")
}

/// What the screen shows, its cursor row put back at the text's end (a line taken out moves it).
fn without_cursor(screen: &str) -> &str {
    screen.rsplit_once('\n').map_or(screen, |(text, _)| text)
}

/// Docker 20.10's CLI and berth build one Dockerfile from one base on a terminal of `cols`
/// columns; their last screens are the same but for times and digests.
#[test]
fn build_screen_matches_docker() {
    let docker = build_dockerd();
    let dockerfile =
        "FROM bt-screen:1\nRUN echo one && echo two\nENV A=b\nWORKDIR /w\nCMD [\"sh\"]\n";
    for cols in [80, 200] {
        let env = Env::new();
        // A base of its own per build: BuildKit shows `CACHED` on a FROM it built from before,
        // berth never does (docs/build.md).
        let base = format!("bt-screen-{cols}:1");
        base_on_both(docker, &env, &base);
        let dir = context(&env, "ctx", &dockerfile.replace("bt-screen:1", &base));
        let mut build = docker.docker();
        build.env("DOCKER_BUILDKIT", "1").args([
            "build",
            "--no-cache",
            "--network",
            "host",
            "-t",
            "bt-screen-out:1",
            &dir,
        ]);
        let mut theirs = Terminal::spawn_all(&build, cols, env.path("docker-stdout"));
        assert_eq!(theirs.wait(), 0, "{}", theirs.screen());
        let theirs = known_differences(without_cursor(&masked(&theirs.screen())));
        let mut ours = Terminal::spawn(
            &env,
            cols,
            &[
                "build",
                "--no-cache",
                "--network",
                "host",
                "-t",
                "bt-screen-out:1",
                &dir,
            ],
            &[],
        );
        assert_eq!(ours.wait(), 0, "{}", ours.screen());
        assert_eq!(ours.stdout(), "");
        let ours = known_differences(without_cursor(&masked(&ours.screen())));
        assert!(ours.contains(" FINISHED"), "{ours}");
        assert_eq!(ours, theirs, "at {cols} columns");
    }
    let _ = docker.docker().args(["rmi", "bt-screen-out:1"]).output();
}

/// A failed RUN: both end on the same screen down to BuildKit's summary of the failed step (its
/// output lines included); what follows is each tool's error message.
#[test]
fn failed_build_screen_matches_docker() {
    let docker = build_dockerd();
    let env = Env::new();
    base_on_both(docker, &env, "bt-screen-fail:1");
    let dir = context(
        &env,
        "ctx",
        "FROM bt-screen-fail:1\nRUN echo out && echo more && false\nENV A=b\n",
    );
    let args = ["build", "--network", "host", "-t", "bt-screen-fail:1", &dir];
    let mut build = docker.docker();
    build.env("DOCKER_BUILDKIT", "1").args(args);
    let mut theirs = Terminal::spawn_all(&build, 80, env.path("docker-stdout"));
    assert_eq!(theirs.wait(), 1, "{}", theirs.screen());
    let mut ours = Terminal::spawn(&env, 80, &args, &[]);
    assert_eq!(ours.wait(), 1, "{}", ours.screen());
    let summary = |screen: &str| {
        let screen = known_differences(&masked(screen));
        let start = screen.find("\n > [").expect("the summary");
        let end = start + screen[start..].find("\n------").expect("its closing rule");
        // BuildKit numbers vertices as it first sees them, and its internal ones race (the RUN
        // was #4 in one Docker run, #5 in others): the output lines' vertex number is not compared.
        screen[..end]
            .split('\n')
            .map(|line| match line.strip_prefix('#') {
                Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => {
                    format!(
                        "#N{}",
                        rest.trim_start_matches(|c: char| c.is_ascii_digit())
                    )
                }
                _ => line.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let theirs = summary(&theirs.screen());
    assert!(theirs.contains("\n > [2/2] RUN echo out"), "{theirs}");
    assert_eq!(summary(&ours.screen()), theirs);
}

/// A base with `sleep`, for a RUN that waits.
fn waiting_base(env: &Env) -> bool {
    import_busybox(env, "bt-wait:1", &["sh", "echo", "sleep", "false"], &[])
}

/// The process whose command line holds `marker` (the RUN's shell).
fn process_with(marker: &str) -> Option<u32> {
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            String::from_utf8_lossy(&cmdline)
                .contains(marker)
                .then_some(pid)
        })
}

fn screen_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"/tmp/[^ ]*ctx", "[CTX]");
    settings
}

/// Mid-build: the running RUN shows its last output lines under it, the finished steps theirs
/// times; then the last screen.
#[test]
fn build_screen_while_a_step_runs() {
    let env = Env::new();
    if !waiting_base(&env) {
        return;
    }
    let dockerfile = "FROM bt-wait:1\nENV A=b\nRUN echo one; echo two; echo three; \
                      while [ ! -e /bt-go ]; do sleep 0.1; done; echo after\n";
    let dir = context(&env, "ctx", dockerfile);
    let mut ours = Terminal::spawn(
        &env,
        80,
        &["build", "--network", "host", "-t", "bt-wait-out:1", &dir],
        &[],
    );
    let screen = ours.wait_for("the RUN's three lines", |s| s.contains("=> => # three"));
    let mid = masked(&screen);
    let pid = {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(pid) = process_with("while [ ! -e /bt-go ]") {
                break pid;
            }
            assert!(Instant::now() < deadline, "no RUN process");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    std::fs::write(format!("/proc/{pid}/root/bt-go"), "").unwrap();
    assert_eq!(ours.wait(), 0, "{}", ours.screen());
    let last = masked(&ours.screen());
    screen_settings().bind(|| {
        insta::assert_snapshot!("build_screen_mid", mid);
        insta::assert_snapshot!("build_screen_mid_last", last);
    });
}

/// A failed RUN: the last screen with the step in error, BuildKit's summary with its output, the
/// Dockerfile excerpt and the error.
#[test]
fn build_screen_of_a_failed_build() {
    let env = Env::new();
    if !waiting_base(&env) {
        return;
    }
    let dir = context(
        &env,
        "ctx",
        "FROM bt-wait:1\nRUN echo out && echo more && false\nENV A=b\n",
    );
    let mut ours = Terminal::spawn(
        &env,
        80,
        &["build", "--network", "host", "-t", "bt-fail:1", &dir],
        &[],
    );
    assert_eq!(ours.wait(), 1, "{}", ours.screen());
    let last = masked(&ours.screen());
    screen_settings().bind(|| insta::assert_snapshot!("build_screen_failed", last));
}

/// `--progress tty` needs a terminal (buildx's words); `TERM=dumb` and `--progress plain` give the
/// plain form on one.
#[test]
fn build_progress_modes() {
    let env = Env::new();
    if !waiting_base(&env) {
        return;
    }
    let dir = context(&env, "ctx", "FROM bt-wait:1\nENV A=b\n");
    let out = env
        .berth()
        .args(["build", "--progress", "tty", &dir])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "failed to get console: provided file is not a console\n"
    );
    for (args, extra) in [
        (vec!["build", &dir], vec![("TERM", "dumb")]),
        (vec!["build", "--progress", "plain", &dir], vec![]),
    ] {
        let mut ours = Terminal::spawn(&env, 80, &args, &extra);
        assert_eq!(ours.wait(), 0, "{}", ours.screen());
        let screen = ours.screen();
        assert!(
            screen.contains("exporting to image\n#")
                && screen.contains(" DONE ")
                && !screen.contains("[+] Building"),
            "{screen}"
        );
    }
}

#[test]
fn masked_keeps_the_columns() {
    assert_eq!(
        masked(" => [2/2] RUN x   12.3s\n => => writing image sha256:0abc   0.0s\n#5 0.123 out 1.0\n[+] Building 1.25s"),
        " => [2/2] RUN x   ##.#s\n => => writing image sha256:[D]   #.#s\n#5 #.### out 1.0\n[+] Building #.##s"
    );
}

/// Ctrl-C while a RUN runs: the last screen shows it `CANCELED`, berth exits 130 and leaves no
/// image.
#[test]
fn build_screen_after_ctrl_c() {
    let env = Env::new();
    if !waiting_base(&env) {
        return;
    }
    let dockerfile =
        "FROM bt-wait:1\nRUN echo waiting; while [ ! -e /bt-never ]; do sleep 0.1; done\n";
    let dir = context(&env, "ctx", dockerfile);
    let mut ours = Terminal::spawn(
        &env,
        80,
        &["build", "--network", "host", "-t", "bt-cancel:1", &dir],
        &[],
    );
    ours.wait_for("the RUN's line", |s| s.contains("=> => # waiting"));
    ours.ctrl_c();
    assert_eq!(ours.wait(), 130, "{}", ours.screen());
    let last = masked(&ours.screen());
    screen_settings().bind(|| insta::assert_snapshot!("build_screen_canceled", last));
    assert!(env
        .berth()
        .args(["image", "inspect", "bt-cancel:1"])
        .output()
        .is_ok_and(|out| !out.status.success()));
}
