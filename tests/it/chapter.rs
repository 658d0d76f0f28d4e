//! Docker's image chapter walked side by side with a Docker 20.10 engine (issue #12, item 3): for
//! each step both tools run the same command on the same images, and what they print (stdout,
//! stderr, exit status) must agree; berth's transcript is pinned with insta. The engine is the
//! shared `common::dockerd`, so every image here is named `berth-it/chapter-*` and holds a marker
//! of its own test.

use std::path::PathBuf;
use std::process::{Command, Output};

use crate::common::{dockerd, render, settings, Dockerd, Env};

/// A busybox root file system holding `marker`, as a tarball.
fn busybox_tarball(env: &Env, marker: &str) -> PathBuf {
    let tree = crate::common::busybox_tree(env, &format!("{marker}-tree"), &["sh", "echo", "cat"]);
    std::fs::write(tree.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    std::fs::write(tree.join("etc/berth-test"), format!("{marker}\n")).unwrap();
    let out = env.path(&format!("{marker}.tar"));
    crate::common::tar_tree(&tree, &out, "");
    out
}

/// `image`, made by Docker from [`busybox_tarball`] and loaded by berth from `docker save`, so that
/// both sides hold the same image (same ID) under the same name. False without the container peers.
fn on_both(docker: &Dockerd, env: &Env, marker: &str, image: &str) -> bool {
    if !(crate::common::require("busybox")
        && crate::common::require("runc")
        && crate::common::require("crun"))
    {
        return false;
    }
    docker.ok(&["import", path(&busybox_tarball(env, marker)), image]);
    let saved = env.path(&format!("{marker}-saved.tar"));
    docker.ok(&["save", "-o", path(&saved), image]);
    env.ok(&["load", "-i", path(&saved)]);
    true
}

fn path(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

/// What a command printed, and how it ended.
#[derive(Debug, PartialEq)]
struct Outcome {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn outcome(out: &Output) -> Outcome {
    Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

/// Runs `args` with both tools (stdin not a terminal), asserts that they print the same and end the
/// same, and returns berth's transcript for a snapshot.
fn same(env: &Env, docker: &Dockerd, args: &[&str]) -> String {
    same_with(env, docker, args, |_| {}, 1)
}

/// [`same`] with `extra` applied to berth's command. Docker gets `docker_tries` tries to print
/// what berth printed on its one: for a container with a terminal, Docker's client now and then
/// loses the tail of a fast container's output (as others have seen with `docker exec -t`).
fn same_with(
    env: &Env,
    docker: &Dockerd,
    args: &[&str],
    extra: impl Fn(&mut Command),
    docker_tries: u32,
) -> String {
    let mut ours = env.berth();
    extra(ours.args(args));
    let ours = ours.output().expect("run berth");
    let mut theirs = docker.docker().args(args).output().expect("run docker");
    for attempt in 2..=docker_tries {
        if outcome(&theirs) == outcome(&ours) {
            break;
        }
        eprintln!("docker {args:?} differed from berth; try {attempt}");
        theirs = docker.docker().args(args).output().expect("run docker");
    }
    assert_eq!(
        outcome(&ours),
        outcome(&theirs),
        "berth {args:?} (left) and docker {} (right)",
        docker.version
    );
    format!("$ berth {}\n{}", args.join(" "), render(&ours))
}

/// `run -t` with no terminal on stdin: the container gets a pty all the same, and its output comes
/// with the terminal's `\r\n`, under runc and crun; `-it` refuses before creating anything.
#[test]
fn run_with_a_tty_but_no_terminal_matches_docker() {
    let docker = dockerd();
    let env = Env::new();
    let image = "berth-it/chapter-tty:1";
    if !on_both(docker, &env, "chapter-tty", image) {
        return;
    }
    let script = "echo out; echo err >&2; exit 3";
    let mut transcript = Vec::new();
    for runtime in ["runc", "crun"] {
        let args = [
            "run",
            "--rm",
            "--network",
            "none",
            "-t",
            image,
            "sh",
            "-c",
            script,
        ];
        let said = same_with(
            &env,
            docker,
            &args,
            |cmd| {
                cmd.env("BERTH_RUNTIME", runtime);
            },
            3,
        );
        transcript.push(format!("BERTH_RUNTIME={runtime} {said}"));
    }
    assert!(
        transcript[0].contains("out\r\nerr\r\n"),
        "{}",
        transcript[0]
    );
    transcript.push(same(
        &env,
        docker,
        &[
            "run",
            "--rm",
            "--network",
            "none",
            "-it",
            image,
            "echo",
            "hi",
        ],
    ));
    transcript.push(same(
        &env,
        docker,
        &["run", "--network", "none", "-i", "-t", image, "echo", "hi"],
    ));
    // Refused before the container was created.
    assert_eq!(env.ok(&["ps", "-aq"]), "");
    settings(&env).bind(|| insta::assert_snapshot!("run_tty_no_terminal", transcript.join("\n")));
    docker.ok(&["rmi", image]);
}

/// `load` prints what it loaded with or without `-q` (which only hides progress bars), and a name
/// that pointed at another image is reported as Docker's `setLoadedTag` does, on stdout, before the
/// name's `Loaded image:` line.
#[test]
fn load_reports_like_docker() {
    let docker = dockerd();
    let env = Env::new();
    let image = "berth-it/chapter-load:1";
    let mut archives = Vec::new();
    let mut ids = Vec::new();
    for marker in ["chapter-load-a", "chapter-load-b"] {
        let tree = env.path(&format!("{marker}-tree"));
        std::fs::create_dir_all(tree.join("etc")).unwrap();
        std::fs::write(tree.join("etc/berth-test"), format!("{marker}\n")).unwrap();
        let tarball = env.path(&format!("{marker}.tar"));
        crate::common::tar_tree(&tree, &tarball, "");
        ids.push(
            docker
                .ok(&["import", path(&tarball), image])
                .trim()
                .to_owned(),
        );
        let saved = env.path(&format!("{marker}-saved.tar"));
        docker.ok(&["save", "-o", path(&saved), image]);
        docker.ok(&["rmi", image]);
        archives.push(saved);
    }
    let (first, second) = (path(&archives[0]), path(&archives[1]));
    let transcript = [
        same(&env, docker, &["load", "-i", first]),
        same(&env, docker, &["load", "-i", second]),
        same(&env, docker, &["load", "-q", "-i", first]),
        same(&env, docker, &["load", "-q", "-i", first]),
    ];
    assert!(
        transcript[1].contains("already exists, renaming the old one"),
        "{}",
        transcript[1]
    );
    let mut settings = settings(&env);
    // `docker import` stamps the images with the time of the run.
    settings.add_filter("sha256:[0-9a-f]{64}", "sha256:[ID]");
    settings.bind(|| insta::assert_snapshot!("load_renames", transcript.join("\n")));
    env.ok(&["system", "check"]);
    for id in &ids {
        docker.ok(&["rmi", "-f", id]);
    }
}

/// `logs --tail`, `--since` and `--until` pick the lines Docker picks: the tail first, then the
/// time window; relative durations, Unix timestamps and dates; Docker's errors for bad values.
#[test]
fn logs_since_until_and_tail_match_docker() {
    let docker = dockerd();
    let env = Env::new();
    let image = "berth-it/chapter-logs:1";
    if !on_both(docker, &env, "chapter-logs", image) {
        return;
    }
    let name = "berth-it-chapter-logs";
    let script = "echo a; sleep 1.1; echo b >&2; sleep 1.1; echo c";
    let run = [
        "run",
        "--network",
        "none",
        "--name",
        name,
        image,
        "sh",
        "-c",
        script,
    ];
    same(&env, docker, &run);
    let mut transcript = Vec::new();
    let fixed: &[&[&str]] = &[
        &["logs", name],
        &["logs", "--tail", "1", name],
        &["logs", "-n", "2", name],
        &["logs", "--tail", "0", name],
        &["logs", "--tail", "-1", name],
        &["logs", "--tail", "abc", name],
        &["logs", "--since", "1h", name],
        &["logs", "--since", "-1h", name],
        &["logs", "--until", "1h", name],
        &["logs", "--until", "-1h", "--tail", "2", name],
        &["logs", "--since", "0", "--until", "0", name],
        &["logs", "--since", "1500000000", name],
        &[
            "logs",
            "--since",
            "2017-07-14T02:40:00Z",
            "--until",
            "2200-01-02",
            name,
        ],
        &["logs", "--until", "1500000000.5", name],
        &["logs", "--since", "abc", name],
        &["logs", "--until", "10M", name],
        &["logs", "--since", "2026-13-01", name],
        &["logs", "--since", "2026-12-05T23:16:34+0100", name],
        &["logs", "--since", "abc", "berth-it-no-such-container"],
    ];
    for args in fixed {
        transcript.push(same(&env, docker, args));
    }
    // Each side's own time of its second line, as `logs -t` shows it.
    let second_time = |out: String| {
        out.lines()
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_owned()
    };
    let ours = second_time(render_all(env.berth().args(["logs", "-t", name])));
    let theirs = second_time(render_all(docker.docker().args(["logs", "-t", name])));
    for flags in [["--since"], ["--until"]] {
        let mine = env
            .berth()
            .args(["logs"])
            .args(flags)
            .arg(&ours)
            .arg(name)
            .output()
            .unwrap();
        let other = docker
            .docker()
            .args(["logs"])
            .args(flags)
            .arg(&theirs)
            .arg(name)
            .output()
            .unwrap();
        assert_eq!(
            outcome(&mine),
            outcome(&other),
            "logs {flags:?} the second line's time"
        );
    }
    let tail_then_window = ["logs", "--tail", "1", "--until"];
    let mine = env
        .berth()
        .args(tail_then_window)
        .arg(&ours)
        .arg(name)
        .output()
        .unwrap();
    let other = docker
        .docker()
        .args(tail_then_window)
        .arg(&theirs)
        .arg(name)
        .output()
        .unwrap();
    assert_eq!(outcome(&mine), outcome(&other), "the tail, then the window");
    settings(&env).bind(|| insta::assert_snapshot!("logs_window", transcript.join("\n")));
    docker.ok(&["rm", name]);
    docker.ok(&["rmi", image]);
}

/// stdout and stderr of a command, one after the other (`logs -t` writes each stream to its own).
fn render_all(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run the command");
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .chain(String::from_utf8_lossy(&out.stderr).lines())
        .map(str::to_owned)
        .collect();
    lines.sort();
    lines.join("\n")
}

/// Lines of a `system df -v` (or any) output split into blank-line separated blocks; in each, the
/// first line as it is and the others sorted (rows of images created within the same second come
/// in either order), with cells split on runs of spaces, 12-hex IDs and ages blanked.
fn df_blocks(out: &str) -> Vec<Vec<Vec<String>>> {
    let cell = |cell: &str| -> String {
        if cell.len() == 12 && cell.bytes().all(|b| b.is_ascii_hexdigit()) {
            "[ID]".to_owned()
        } else if cell.ends_with(" ago") {
            match cell.find(") ") {
                Some(end) => format!("{} [AGE]", &cell[..=end]),
                None => "[AGE]".to_owned(),
            }
        } else {
            cell.to_owned()
        }
    };
    out.split("\n\n")
        .map(|block| {
            let mut rows: Vec<Vec<String>> = block
                .lines()
                .map(|line| {
                    line.split("  ")
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(cell)
                        .collect()
                })
                .collect();
            if rows.len() > 1 {
                rows[1..].sort();
            }
            rows
        })
        .collect()
}

/// `system df`, `-v` and `--format` on the same images and containers as a Docker engine of this
/// test's own (the shared one holds other tests' images): ACTIVE counts the images containers use,
/// SIZE is every layer's content once, RECLAIMABLE what the active images do not hold alone, and
/// `-v` lists shared and unique sizes per image and what each container wrote.
#[test]
fn system_df_matches_docker() {
    let docker = crate::common::private_dockerd("df");
    let env = Env::new();
    let base = "berth-it/chapter-df:1";
    if !on_both(&docker, &env, "chapter-df", base) {
        return;
    }
    // A small image, and a dangling one whose tag moved on to it.
    let small = "berth-it/chapter-df:small";
    let mut small_ids = Vec::new();
    for marker in ["chapter-df-old", "chapter-df-new"] {
        let tree = env.path(&format!("{marker}-tree"));
        std::fs::create_dir_all(tree.join("etc")).unwrap();
        std::fs::write(tree.join("etc/berth-test"), format!("{marker}\n")).unwrap();
        let tarball = env.path(&format!("{marker}.tar"));
        crate::common::tar_tree(&tree, &tarball, "");
        small_ids.push(
            docker
                .ok(&["import", path(&tarball), small])
                .trim()
                .to_owned(),
        );
    }
    let saved = env.path("chapter-df-small.tar");
    docker.ok(&["save", "-o", path(&saved), small, &small_ids[0]]);
    env.ok(&["load", "-i", path(&saved)]);

    let empty_df = same(&env, &docker, &["system", "df"]);
    let script = "echo hi > /f";
    let first = [
        "run",
        "--network",
        "none",
        "--name",
        "dfc",
        base,
        "sh",
        "-c",
        script,
    ];
    same(&env, &docker, &first);
    let committed = "berth-it/chapter-df:c";
    env.ok(&["commit", "dfc", committed]);
    docker.ok(&["commit", "dfc", committed]);
    env.ok(&[
        "create",
        "--network",
        "none",
        "--name",
        "dfc2",
        committed,
        "true",
    ]);
    docker.ok(&[
        "create",
        "--network",
        "none",
        "--name",
        "dfc2",
        committed,
        "true",
    ]);

    let mut transcript = vec![
        empty_df,
        same(&env, &docker, &["system", "df"]),
        same(&env, &docker, &["system", "df", "--format", "{{json .}}"]),
        same(
            &env,
            &docker,
            &["system", "df", "--format", "table {{.Type}}\t{{.Active}}"],
        ),
    ];
    let ours = env.ok(&["system", "df", "-v"]);
    let theirs = docker.ok(&["system", "df", "-v"]);
    assert_eq!(
        df_blocks(&ours),
        df_blocks(&theirs),
        "berth:\n{ours}\ndocker:\n{theirs}"
    );
    // Rows of images made within the same second come in either order: pinned sorted.
    let sorted: Vec<String> = df_blocks(&ours)
        .iter()
        .map(|block| {
            block
                .iter()
                .map(|row| row.join("  "))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    transcript.push(format!(
        "$ berth system df -v (rows sorted)\n{}",
        sorted.join("\n\n")
    ));
    let mut settings = settings(&env);
    settings.add_filter(r"\b[0-9a-f]{12}\b", "[ID]");
    settings.add_filter(r"\b\d+(\.\d+)?[kMG]?B\b", "[SIZE]");
    settings.bind(|| insta::assert_snapshot!("system_df", transcript.join("\n")));
}

/// What a pull printed, as one text: Docker's client prints the daemon's messages on stdout; berth
/// prints its messages on stderr and the pulled reference, last, on stdout.
fn pull_text(out: &Output, berth: bool) -> String {
    if berth {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        )
    } else {
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// `pull -a` prints each tag's `TAG: Pulling from REPO` and `Digest:`, an image already here (by ID)
/// shows no layer at all (no `Already exists`), a pull by digest is headed by the whole digest
/// reference, and a tag that does not exist fails without a `Pulling from` line; both tools pull
/// the same repository from the same loopback registry.
#[test]
fn pull_reports_like_docker() {
    let docker = dockerd();
    let Some(registry) = crate::common::Registry::start() else {
        return;
    };
    let maker = Env::new();
    let repository = format!("{}/berth-it/chapter-pull", registry.host());
    let tarball = busybox_tarball(&maker, "chapter-pull");
    maker.ok(&["import", path(&tarball), &format!("{repository}:one")]);
    let small = maker.path("chapter-pull-small");
    std::fs::create_dir_all(small.join("etc")).unwrap();
    std::fs::write(small.join("etc/berth-test"), "chapter-pull-small\n").unwrap();
    let small_tar = maker.path("chapter-pull-small.tar");
    crate::common::tar_tree(&small, &small_tar, "");
    maker.ok(&["import", path(&small_tar), &format!("{repository}:two")]);
    for tag in ["one", "two"] {
        maker.ok(&["push", "-q", &format!("{repository}:{tag}")]);
    }
    let env = Env::new();
    let mut transcript = Vec::new();
    let mut both = |args: &[&str]| {
        let ours = env.berth().args(args).output().unwrap();
        let theirs = docker.docker().args(args).output().unwrap();
        let (berth_text, docker_text) = (pull_text(&ours, true), pull_text(&theirs, false));
        // The daemon coalesces a layer's progress messages when its reader lags, so Docker may
        // skip one (`Verifying Checksum`): its layer lines must come in berth's, in order; every
        // other line is the same.
        let is_layer = |line: &&str| line.as_bytes().get(12) == Some(&b':');
        let others = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| !is_layer(l))
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(
            (others(&berth_text), ours.status.code()),
            (others(&docker_text), theirs.status.code()),
            "berth {args:?} (left) and docker (right): {}",
            String::from_utf8_lossy(&theirs.stderr)
        );
        let mut berth_layers = berth_text.lines().filter(is_layer);
        for line in docker_text.lines().filter(is_layer) {
            assert!(
                berth_layers.any(|ours| ours == line),
                "berth {args:?} lacks docker's {line:?} (in order):\n{berth_text}"
            );
        }
        transcript.push(format!("$ berth {}\n{}", args.join(" "), render(&ours)));
    };
    both(&["pull", "-a", &repository]);
    both(&["pull", "-a", &repository]);
    let digest = env
        .ok(&[
            "inspect",
            "-f",
            "{{index .RepoDigests 0}}",
            &format!("{repository}:two"),
        ])
        .trim()
        .to_owned();
    // By digest: after the tag is gone, then again when it is up to date.
    let two = format!("{repository}:two");
    env.ok(&["rmi", &two]);
    docker.ok(&["rmi", &two]);
    both(&["pull", &digest]);
    both(&["pull", &digest]);
    both(&["pull", &two]);

    let missing = format!("{repository}:nope");
    let ours = env.berth().args(["pull", &missing]).output().unwrap();
    let theirs = docker.docker().args(["pull", &missing]).output().unwrap();
    assert_eq!(ours.status.code(), theirs.status.code());
    assert!(!pull_text(&theirs, false).contains("Pulling from"));
    assert!(
        !pull_text(&ours, true).contains("Pulling from"),
        "{}",
        render(&ours)
    );
    transcript.push(format!("$ berth pull {missing}\n{}", render(&ours)));

    let mut settings = settings(&env);
    settings.add_filter(&registry.host(), "[REGISTRY]");
    settings.add_filter("sha256:[0-9a-f]{64}", "sha256:[DIGEST]");
    settings.add_filter(r"\b[0-9a-f]{12}:", "[LAYER]:");
    settings.bind(|| insta::assert_snapshot!("pull", transcript.join("\n")));
    for reference in [format!("{repository}:one"), two, digest] {
        let _ = docker.docker().args(["rmi", &reference]).output();
    }
}

/// The plain `inspect` output with what differs between two engines blanked: digests and IDs
/// (images made at different times), times, the committing container's ID and host name.
fn inspect_shape(json: &str) -> String {
    let volatile = [
        "\"Created\": ",
        "\"LastTagTime\": ",
        "\"Container\": ",
        "\"Hostname\": ",
        "\"DockerVersion\": ",
    ];
    json.lines()
        .map(|line| {
            let line = match volatile
                .iter()
                .find(|key| line.trim_start().starts_with(*key))
            {
                Some(key) => {
                    let indent = &line[..line.len() - line.trim_start().len()];
                    let comma = if line.ends_with(',') { "," } else { "" };
                    format!("{indent}{key}[BLANK]{comma}")
                }
                None => line.to_owned(),
            };
            blank_digests(&line)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `sha256:<64 hex>` as `sha256:[DIGEST]`.
fn blank_digests(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("sha256:") {
        let hex = &rest[at + 7..];
        let len = hex.bytes().take_while(u8::is_ascii_hexdigit).count();
        out.push_str(&rest[..at + 7]);
        if len == 64 {
            out.push_str("[DIGEST]");
            rest = &hex[64..];
        } else {
            rest = hex;
        }
    }
    out.push_str(rest);
    out
}

/// `inspect` of an imported, a pulled, a committed and a loaded image prints Docker 20.10's
/// `types.ImageInspect`: every key, in its order, with the same values where the images are the
/// same; a committed image records its container (`Container`, `ContainerConfig`) as `docker
/// commit` does. Both tools make each kind of image the same way.
#[test]
fn inspect_of_every_image_kind_matches_docker() {
    let docker = dockerd();
    let Some(registry) = crate::common::Registry::start() else {
        return;
    };
    let env = Env::new();
    let loaded = "berth-it/chapter-inspect:loaded";
    if !on_both(docker, &env, "chapter-inspect", loaded) {
        return;
    }
    // Imported: the same tarball and message on both sides.
    let imported = "berth-it/chapter-inspect:imported";
    let tree = env.path("chapter-inspect-imported");
    std::fs::create_dir_all(tree.join("etc")).unwrap();
    std::fs::write(tree.join("etc/berth-test"), "chapter-inspect-imported\n").unwrap();
    let tarball = env.path("chapter-inspect-imported.tar");
    crate::common::tar_tree(&tree, &tarball, "");
    env.ok(&["import", "-m", "imported", path(&tarball), imported]);
    docker.ok(&["import", "-m", "imported", path(&tarball), imported]);
    // Pulled: one image in the registry, pulled by both.
    let pulled = format!("{}/berth-it/chapter-inspect:pulled", registry.host());
    let maker = Env::new();
    maker.ok(&["import", "-m", "pushed", path(&tarball), &pulled]);
    maker.ok(&["push", "-q", &pulled]);
    env.ok(&["pull", "-q", &pulled]);
    docker.ok(&["pull", "-q", &pulled]);
    // Committed: a container of the loaded image on each side.
    let committed = "berth-it/chapter-inspect:committed";
    let run = [
        "run",
        "--network",
        "none",
        "--name",
        "chapter-inspect",
        loaded,
        "sh",
        "-c",
        "echo hi > /f",
    ];
    env.ok(&run);
    docker.ok(&run);
    env.ok(&["commit", "chapter-inspect", committed]);
    docker.ok(&["commit", "chapter-inspect", committed]);
    let container_id = |out: String| out.trim().to_owned();
    let ours_container = container_id(env.ok(&[
        "ps",
        "-aq",
        "--no-trunc",
        "--filter",
        "name=chapter-inspect",
    ]));
    let theirs_container = container_id(docker.ok(&[
        "ps",
        "-aq",
        "--no-trunc",
        "--filter",
        "name=chapter-inspect",
    ]));
    docker.ok(&["rm", "chapter-inspect"]);
    // Committed from a detached container: nothing was attached.
    let detached = "berth-it/chapter-inspect:detached";
    let run_detached = [
        "run",
        "-d",
        "--network",
        "none",
        "--name",
        "chapter-inspect-d",
        loaded,
        "echo",
        "hi",
    ];
    env.ok(&run_detached);
    docker.ok(&run_detached);
    env.ok(&["commit", "chapter-inspect-d", detached]);
    docker.ok(&["commit", "chapter-inspect-d", detached]);
    docker.ok(&["rm", "-f", "chapter-inspect-d"]);
    let template = "{{json .ContainerConfig}}";
    let blank_host = |out: String| -> String {
        let mut value: serde_json::Value = serde_json::from_str(&out).unwrap();
        value["Hostname"] = "[HOSTNAME]".into();
        value.to_string()
    };
    assert_eq!(
        blank_host(env.ok(&["inspect", "-f", template, detached])),
        blank_host(docker.ok(&["image", "inspect", "-f", template, detached])),
        "{template} of an image committed from a detached container"
    );
    assert_eq!(
        inspect_shape(&env.ok(&["inspect", detached])),
        inspect_shape(&crate::docker::without_graph_driver(
            &docker.ok(&["image", "inspect", detached])
        )),
        "inspect of an image committed from a detached container"
    );

    let mut settings = settings(&env);
    settings.add_filter("sha256:[0-9a-f]{64}", "sha256:[DIGEST]");
    settings.add_filter(&ours_container, "[CONTAINER]");
    settings.add_filter(&ours_container[..12], "[HOSTNAME]");
    settings.add_filter(&registry.host(), "[REGISTRY]");
    for (kind, image) in [
        ("imported", imported),
        ("pulled", pulled.as_str()),
        ("committed", committed),
        ("loaded", loaded),
    ] {
        let ours = env.ok(&["inspect", image]);
        let theirs = crate::docker::without_graph_driver(&docker.ok(&["image", "inspect", image]));
        assert_eq!(
            inspect_shape(&ours),
            inspect_shape(&theirs),
            "inspect of the {kind} image: berth, then docker"
        );
        let template = "{{.Container}}|{{.ContainerConfig.Hostname}}|{{.ContainerConfig.Image}}";
        let said = |out: String, container: &str| out.trim().replace(container, "[CONTAINER]");
        assert_eq!(
            said(env.ok(&["inspect", "-f", template, image]), &ours_container),
            said(
                docker.ok(&["image", "inspect", "-f", template, image]),
                &theirs_container
            )
            .replace(&theirs_container[..12], &ours_container[..12]),
            "{template} of the {kind} image"
        );
        settings.bind(|| insta::assert_snapshot!(format!("inspect_{kind}"), ours));
    }
    for image in [imported, pulled.as_str(), committed, detached, loaded] {
        let _ = docker.docker().args(["rmi", image]).output();
    }
}
