//! `berth build` against Docker 20.10's BuildKit: the same Dockerfile on the same base image
//! gives the same config and history; failures leave nothing behind.

use std::process::{Command, Output, Stdio};

use crate::common::{busybox_tree, private_dockerd, render, require, tar_tree, Dockerd, Env};

/// The build tests' own dockerd: on the shared engine, another test removing an image with the same
/// busybox layers can take BuildKit's cached FROM snapshot from under a build (seen in CI).
static BUILD_DOCKERD: std::sync::OnceLock<Dockerd> = std::sync::OnceLock::new();

pub(crate) fn build_dockerd() -> &'static Dockerd {
    BUILD_DOCKERD.get_or_init(|| private_dockerd("build"))
}

const APPLETS: &[&str] = &[
    "sh", "echo", "mkdir", "id", "pwd", "cat", "env", "false", "true", "rm", "touch",
];

/// A busybox image with users, made by Docker (`import`) once per engine and loaded by berth from
/// its `docker save`, so both builders start from the same image under the same name. Once: two
/// tests importing the same layers into one engine at once can leave BuildKit a FROM snapshot
/// without its files (seen as `stat /bin/sh: no such file or directory`).
pub(crate) fn base_on_both(docker: &Dockerd, env: &Env, image: &str) {
    static SAVED: std::sync::Mutex<Vec<(String, Vec<u8>)>> = std::sync::Mutex::new(Vec::new());
    let archive = {
        let mut saved = SAVED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match saved.iter().find(|(name, _)| name == image) {
            Some((_, archive)) => archive.clone(),
            None => {
                let archive = import_base(docker, image);
                saved.push((image.to_owned(), archive.clone()));
                archive
            }
        }
    };
    let path = env.path("build-base-saved.tar");
    std::fs::write(&path, archive).unwrap();
    env.ok(&["load", "-i", path.to_str().unwrap()]);
}

/// Imports the base image into Docker; returns its `docker save` archive.
fn import_base(docker: &Dockerd, image: &str) -> Vec<u8> {
    let env = Env::new();
    let env = &env;
    let tree = busybox_tree(env, "build-base", APPLETS);
    std::fs::write(
        tree.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
    )
    .unwrap();
    std::fs::write(tree.join("etc/group"), "root:x:0:\napp:x:1000:\n").unwrap();
    std::fs::set_permissions(
        tree.join("tmp"),
        std::os::unix::fs::PermissionsExt::from_mode(0o1777),
    )
    .unwrap();
    // The mount points of a build container: Docker 20.10's BuildKit leaves those the runtime
    // creates in the RUN's layer (berth's never do, as newer BuildKit removes them).
    for dir in ["dev", "proc", "sys"] {
        std::fs::create_dir_all(tree.join(dir)).unwrap();
    }
    for file in ["etc/hosts", "etc/resolv.conf"] {
        std::fs::write(tree.join(file), "").unwrap();
    }
    std::fs::create_dir_all(tree.join("gone")).unwrap();
    std::fs::write(tree.join("gone/file"), "x").unwrap();
    let tarball = env.path("build-base.tar");
    tar_tree(&tree, &tarball, "");
    docker.ok(&["import", tarball.to_str().unwrap(), image]);
    let saved = env.path("build-base-saved.tar");
    docker.ok(&["save", "-o", saved.to_str().unwrap(), image]);
    std::fs::read(saved).unwrap()
}

/// A store holding busybox (the build tests' applets) as `image`; `None` (the test skipped) where
/// busybox or the runtimes are missing, which fails the test in CI.
fn busybox_store(image: &str) -> Option<Env> {
    let env = Env::new();
    crate::common::import_busybox(&env, image, APPLETS, &[]).then_some(env)
}

fn with_stdin(mut command: Command, stdin: &str) -> Output {
    use std::io::Write;
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("spawn");
    let mut input = child.stdin.take().unwrap();
    // A command that refuses its flags exits without reading: a broken pipe is its answer.
    if let Err(e) = input.write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    drop(input);
    child.wait_with_output().unwrap()
}

pub(crate) fn docker_build(docker: &Dockerd, tag: &str, dockerfile: &str) {
    let out = docker_build_output(docker, tag, dockerfile);
    assert!(out.status.success(), "docker build:\n{}", render(&out));
}

/// `docker build` with BuildKit of a Dockerfile on stdin, as it ended.
pub(crate) fn docker_build_output(docker: &Dockerd, tag: &str, dockerfile: &str) -> Output {
    let mut command = docker.docker();
    command
        .env("DOCKER_BUILDKIT", "1")
        .args(["build", "--network", "host", "-t", tag, "-"]);
    with_stdin(command, dockerfile)
}

pub(crate) fn berth_build(env: &Env, args: &[&str], dockerfile: &str) -> Output {
    let mut command = env.berth();
    command.arg("build").args(args).arg("-");
    with_stdin(command, dockerfile)
}

/// What both sides must agree on: the config as `inspect` shows it, the layer count, and every
/// history entry's `created_by`, comment and whether it is an empty layer.
pub(crate) fn facts(
    inspect: impl Fn(&[&str]) -> String,
    image: &str,
) -> (String, String, Vec<String>) {
    let config = inspect(&["image", "inspect", "--format", "{{json .Config}}", image]);
    let layers = inspect(&[
        "image",
        "inspect",
        "--format",
        "{{len .RootFS.Layers}}",
        image,
    ]);
    let history = inspect(&[
        "history",
        "--no-trunc",
        "--format",
        "{{.CreatedBy}}|{{.Comment}}|{{if eq .Size \"0B\"}}empty{{else}}layer{{end}}",
        image,
    ]);
    (
        config.trim().to_owned(),
        layers.trim().to_owned(),
        history.lines().map(str::to_owned).collect(),
    )
}

const METADATA: &str = r#"FROM bb-build:1
ARG X=1
ARG Y
ENV A=b C="d e"
LABEL l1=v1 "l 2"=v2
RUN echo hello $X $A > /hello && rm -r /gone
RUN true
WORKDIR /w
WORKDIR x/y
WORKDIR /
USER app
RUN id && pwd && touch /tmp/t
EXPOSE 80 53/udp
VOLUME /data
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5m --timeout=3s --retries=3 CMD cat /hello
SHELL ["/bin/sh", "-ec"]
CMD echo run
ENTRYPOINT ["/bin/sh", "-c"]
ONBUILD RUN echo triggered
MAINTAINER someone
"#;

#[test]
fn build_gives_buildkits_config_and_history() {
    if !(require("busybox") && require("runc")) {
        return;
    }
    let docker = build_dockerd();
    let env = Env::new();
    base_on_both(docker, &env, "bb-build:1");
    docker_build(docker, "built-meta:1", METADATA);
    let out = berth_build(
        &env,
        &["-t", "built-meta:1", "--progress", "plain"],
        METADATA,
    );
    assert!(out.status.success(), "berth build:\n{}", render(&out));
    let theirs = facts(|args| docker.ok(args), "built-meta:1");
    let ours = facts(|args| env.ok(args), "built-meta:1");
    assert_eq!(ours, theirs);

    // The files: the RUN's file is there, the removed directory is gone (a whiteout), the
    // WORKDIRs exist.
    let listing = env.ok(&[
        "run",
        "--rm",
        "--entrypoint",
        "sh",
        "built-meta:1",
        "-c",
        "cat /hello; ls -d /w/x/y; ls /gone 2>&1 || true",
    ]);
    assert!(listing.contains("hello 1 b"), "{listing}");
    assert!(listing.contains("/w/x/y"), "{listing}");
    assert!(listing.contains("/gone: No such file"), "{listing}");

    // The image berth built loads into Docker and runs there.
    env.ok(&["tag", "built-meta:1", "berth-built:1"]);
    let saved = env.path("berth-built.tar");
    env.ok(&["save", "-o", saved.to_str().unwrap(), "berth-built:1"]);
    docker.ok(&["load", "-i", saved.to_str().unwrap()]);
    let ran = docker.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--entrypoint",
        "cat",
        "berth-built:1",
        "/hello",
    ]);
    assert_eq!(ran, "hello 1 b\n");

    // A child of the built image runs its ONBUILD trigger, and clears it.
    let child = "FROM built-meta:1\nRUN echo child\n";
    docker_build(docker, "built-child:1", child);
    let out = berth_build(&env, &["-t", "built-child:1"], child);
    assert!(out.status.success(), "berth build:\n{}", render(&out));
    assert_eq!(
        facts(|args| env.ok(args), "built-child:1"),
        facts(|args| docker.ok(args), "built-child:1")
    );
}

#[test]
fn multi_stage_builds_what_the_target_needs() {
    if !(require("busybox") && require("runc")) {
        return;
    }
    let docker = build_dockerd();
    let env = Env::new();
    base_on_both(docker, &env, "bb-build:1");
    let dockerfile = "FROM bb-build:1 AS base\nARG V=1\nRUN echo $V > /v\nFROM base AS second\nRUN cat /v > /w\nFROM bb-build:1 AS unused\nRUN false\nFROM second\nENV Z=1\n";
    docker_build(docker, "built-multi:1", dockerfile);
    let out = berth_build(
        &env,
        &["-t", "built-multi:1", "--progress", "plain"],
        dockerfile,
    );
    assert!(out.status.success(), "berth build:\n{}", render(&out));
    let progress = String::from_utf8_lossy(&out.stderr);
    assert!(
        progress.contains("[base 2/2] RUN echo 1 > /v"),
        "{progress}"
    );
    assert!(!progress.contains("RUN false"), "{progress}");
    assert_eq!(
        facts(|args| env.ok(args), "built-multi:1"),
        facts(|args| docker.ok(args), "built-multi:1")
    );
    assert_eq!(
        env.ok(&["run", "--rm", "built-multi:1", "cat", "/w"]),
        "1\n"
    );

    // --target stops at a stage; -q prints the ID alone; --iidfile writes it.
    let iid = env.path("iid");
    let out = berth_build(
        &env,
        &[
            "-q",
            "--target",
            "base",
            "--iidfile",
            iid.to_str().unwrap(),
            "-t",
            "built-base:1",
        ],
        dockerfile,
    );
    assert!(out.status.success(), "{}", render(&out));
    let id = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(id.starts_with("sha256:") && id.trim().len() == 71, "{id}");
    assert!(out.stderr.is_empty(), "{}", render(&out));
    assert_eq!(std::fs::read_to_string(&iid).unwrap(), id.trim());
    let image_id = env.ok(&["image", "inspect", "--format", "{{.Id}}", "built-base:1"]);
    assert_eq!(image_id.trim(), id.trim());
}

#[test]
fn a_failed_build_leaves_nothing_behind() {
    let Some(env) = busybox_store("bb-fail:1") else {
        return;
    };
    let before = env.store_state();
    let dockerfile = "FROM bb-fail:1\nRUN echo one > /one\nRUN echo out && false\nENV A=b\n";
    let out = berth_build(&env, &["-t", "failed:1", "--progress", "plain"], dockerfile);
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("#6 ERROR: process \"/bin/sh -c echo out && false\" did not complete successfully: exit code: 1"), "{stderr}");
    assert!(stderr.contains("out\n"), "{stderr}");
    assert!(
        stderr.contains(
            "Dockerfile:3\n--------------------\n   1 |     FROM bb-fail:1\n   2 |     RUN echo one > /one\n   3 | >>> RUN echo out && false\n   4 |     ENV A=b\n   5 |     \n--------------------\nERROR: failed to solve: process \"/bin/sh -c echo out && false\" did not complete successfully: exit code: 1\n"
        ),
        "{stderr}"
    );
    // No image, no tag, no step directory, no mount.
    assert!(env
        .fails(&["image", "inspect", "failed:1"])
        .contains("No such image"));
    // index.json is untouched (the completed step's layer stays as an unreferenced blob, as
    // BuildKit keeps completed steps, until GC).
    assert_eq!(env.store_state().0, before.0);
    no_step_left(&env);

    // Quiet, a failed build shows the progress it kept (docker/cli does), then the error.
    let out = berth_build(&env, &["-q"], dockerfile);
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert!(out.stdout.is_empty(), "{}", render(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("[3/3] RUN echo out && false\n"), "{stderr}");
    assert!(stderr.contains(" out\n#6 ERROR: process"), "{stderr}");
    assert!(
        stderr.ends_with("did not complete successfully: exit code: 1\n"),
        "{stderr}"
    );

    // A Dockerfile error names its line; an unknown base image is an error before anything runs.
    let out = berth_build(&env, &[], "FROM bb-fail:1\nRUNN x\n");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(">>> RUNN x"), "{stderr}");
    assert!(stderr.contains("unknown instruction: RUNN"), "{stderr}");
}

/// `berth build ARGS -` started with `dockerfile` written to its stdin (then closed).
pub(crate) fn spawn_build(env: &Env, args: &[&str], dockerfile: &str) -> std::process::Child {
    use std::io::Write;
    let mut child = env
        .berth()
        .arg("build")
        .args(args)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(dockerfile.as_bytes()).unwrap();
    child
}

/// Busybox with `sleep` (for a RUN that takes its time) as `image`.
fn import_busybox_with_sleep(env: &Env, image: &str) {
    let mut applets = APPLETS.to_vec();
    applets.push("sleep");
    assert!(crate::common::import_busybox(env, image, &applets, &[]));
}

/// `berth build ARGS -` of `dockerfile`, returned once one of its RUNs runs (its step directory
/// has the runtime's log).
fn spawn_build_until_run(env: &Env, args: &[&str], dockerfile: &str) -> std::process::Child {
    let child = spawn_build(env, args, dockerfile);
    let steps = env.root().join("berth/containers/steps");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let running = || {
        std::fs::read_dir(&steps)
            .is_ok_and(|d| d.flatten().any(|e| e.path().join("runtime.log").exists()))
    };
    while !running() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(running(), "the RUN never started");
    child
}

/// An interrupted build (SIGTERM while a RUN runs) kills the RUN, unmounts its root filesystem,
/// removes its directories and names nothing; the step before it, whose layer is committed while
/// the RUN runs on its upper directory, goes too.
#[test]
fn an_interrupted_build_leaves_nothing_behind() {
    if !(require("busybox") && require("runc")) {
        return;
    }
    let env = Env::new();
    import_busybox_with_sleep(&env, "bb-int:1");
    let child = spawn_build_until_run(
        &env,
        &["-t", "interrupted:1", "--progress", "plain"],
        "FROM bb-int:1\nWORKDIR /w\nRUN echo started && sleep 60\n",
    );
    let steps = env.root().join("berth/containers/steps");
    std::thread::sleep(std::time::Duration::from_millis(300));
    // The WORKDIR's step lives until the RUN's layer goes on top of its own.
    let live = std::fs::read_dir(&steps).unwrap().count();
    assert_eq!(live, 2, "the WORKDIR step and the RUN step");
    // The RUN is on the default network: its helpers must go with the build.
    let helpers = crate::build_network::helpers_of(child.id());
    assert_eq!(helpers.len(), 2, "{helpers:?}");
    let started = std::time::Instant::now();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(143), "{}", render(&out));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    for (pid, comm) in helpers {
        assert!(
            crate::build_network::gone(pid),
            "{comm} ({pid}) outlived the interrupted build"
        );
    }
    no_step_left(&env);
    let ps = Command::new("sh")
        .args(["-c", "ps -eo args | grep '[s]leep 60' || true"])
        .output()
        .unwrap();
    assert!(
        ps.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&ps.stdout)
    );
    assert!(env
        .fails(&["image", "inspect", "interrupted:1"])
        .contains("No such image"));
    let build_dir: Vec<_> = std::fs::read_dir(env.root().join("berth/build"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(build_dir.is_empty(), "{build_dir:?}");
}

/// A rebuild with nothing changed runs nothing (`CACHED`), writes no layer and gives the same
/// image; `--no-cache` runs every step again; a changed step reruns it and those after it only;
/// `builder prune` drops the cache, and image GC keeps the layers the cache names.
#[test]
fn rebuilds_come_from_the_cache() {
    let Some(env) = busybox_store("bb-cache:1") else {
        return;
    };
    let dockerfile = |x: &str| {
        format!("FROM bb-cache:1\nRUN echo one > /one\nARG X={x}\nRUN echo $X > /x\nWORKDIR /w\n")
    };
    let build = |text: &str, extra: &[&str]| {
        let mut args = vec!["-t", "cached:1", "--progress", "plain"];
        args.extend_from_slice(extra);
        let out = berth_build(&env, &args, text);
        assert!(out.status.success(), "{}", render(&out));
        let id = env.ok(&["image", "inspect", "--format", "{{.Id}}", "cached:1"]);
        (String::from_utf8(out.stderr).unwrap(), id)
    };
    let (first, id) = build(&dockerfile("1"), &[]);
    assert!(!first.contains("CACHED"), "{first}");
    let blobs = env.store_state().1;
    let (again, same) = build(&dockerfile("1"), &[]);
    assert_eq!(same, id);
    assert_eq!(again.matches("CACHED").count(), 3, "{again}");
    assert_eq!(env.store_state().1, blobs, "a cached rebuild wrote a blob");
    // A change reruns that step and what follows, not what comes before.
    let (changed, other) = build(&dockerfile("2"), &[]);
    assert_ne!(other, id);
    let after_first_run = changed
        .split("[2/4] RUN echo one > /one\n")
        .nth(1)
        .unwrap_or_default();
    let first_status = after_first_run.lines().nth(1).unwrap_or_default();
    assert!(first_status.ends_with(" CACHED"), "{changed}");
    assert_eq!(changed.matches("CACHED").count(), 1, "{changed}");
    assert_eq!(env.ok(&["run", "--rm", "cached:1", "cat", "/x"]), "2\n");
    let (uncached, _) = build(&dockerfile("2"), &["--no-cache"]);
    assert!(!uncached.contains("CACHED"), "{uncached}");
    // GC (rmi) keeps what the cache names; `builder prune` lets it go.
    env.ok(&["rmi", "cached:1"]);
    let (after_rmi, _) = build(&dockerfile("2"), &[]);
    assert_eq!(after_rmi.matches("CACHED").count(), 3, "{after_rmi}");
    let df = env.ok(&["system", "df", "--format", "{{.Type}} {{.TotalCount}}"]);
    assert!(df.contains("Build Cache 5\n"), "{df}");
    let pruned = env.ok(&["builder", "prune", "-f"]);
    assert!(pruned.starts_with("Total reclaimed space: "), "{pruned}");
    let df = env.ok(&["system", "df", "--format", "{{.Type}} {{.TotalCount}}"]);
    assert!(df.contains("Build Cache 0\n"), "{df}");
    let (after_prune, _) = build(&dockerfile("2"), &[]);
    assert!(!after_prune.contains("CACHED"), "{after_prune}");
}

/// `berth build`'s plain progress and failure output, pinned (times and IDs filtered).
#[test]
fn build_output_pinned() {
    let Some(env) = busybox_store("bb-out:1") else {
        return;
    };
    // Not the shared table filters: the excerpt's spacing is part of what is pinned.
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"(#\d+) \d+\.\d{3} ", "$1 [T] ");
    settings.add_filter(r"(?m)^\d+\.\d{3} ", "[T] ");
    settings.add_filter(r"DONE \d+\.\ds", "DONE [T]s");
    settings.add_filter(r" \d+\.\ds done", " [T]s done");
    settings.add_filter(r"sha256:[0-9a-f]{64}", "sha256:[ID]");
    let cases = [
        (
            "build_plain",
            "FROM bb-out:1\nARG X=1\nENV A=b\nRUN echo hello $X $A\nWORKDIR /w\nCMD [\"sh\"]\n",
        ),
        (
            "build_run_fails",
            "FROM bb-out:1\nRUN echo out && false\nENV A=b\n",
        ),
        ("build_parse_error", "FROM bb-out:1\nRUNN x\n"),
        (
            "build_run_heredoc",
            "FROM bb-out:1\nRUN <<EOF\necho from a heredoc\necho second line\nEOF\n",
        ),
        (
            "build_run_heredoc_script",
            "FROM bb-out:1\nRUN <<EOF\n#!/bin/sh\necho running $0\nEOF\n",
        ),
        ("build_no_base", "FROM scratch\nRUN true\n"),
    ];
    for (name, dockerfile) in cases {
        let out = berth_build(&env, &["-t", "out:1", "--progress", "plain"], dockerfile);
        let rendered = format!(
            "$ berth build -t out:1 --progress plain - <<EOF\n{dockerfile}EOF\n{}",
            render(&out)
        );
        settings.bind(|| insta::assert_snapshot!(name, rendered));
    }
}

/// `-f` of a directory context is a path from the current directory (docker/cli), absolute or
/// relative, inside the context or outside it; a missing one is refused in Docker's words.
#[test]
fn dockerfile_paths_inside_and_outside_the_context() {
    let env = Env::new();
    let context = env.path("ctx");
    std::fs::create_dir_all(context.join("sub")).unwrap();
    std::fs::write(context.join("a.txt"), "a\n").unwrap();
    std::fs::write(
        context.join("sub/in.Dockerfile"),
        "FROM scratch\nCOPY a.txt /in\n",
    )
    .unwrap();
    std::fs::create_dir_all(env.path("elsewhere")).unwrap();
    std::fs::write(
        env.path("elsewhere/out.Dockerfile"),
        "FROM scratch\nCOPY a.txt /out\n",
    )
    .unwrap();
    let build = |file: &str, tag: &str| {
        env.berth()
            .current_dir(env.path(""))
            .args(["build", "-q", "-t", tag, "-f", file, "ctx"])
            .output()
            .unwrap()
    };
    let history = |tag: &str| env.ok(&["history", "--no-trunc", "--format", "{{.CreatedBy}}", tag]);
    let inside = env.path("ctx/sub/in.Dockerfile");
    for (file, tag) in [
        (inside.to_str().unwrap(), "f-abs-in:1"),
        ("ctx/sub/in.Dockerfile", "f-rel-in:1"),
    ] {
        let out = build(file, tag);
        assert!(out.status.success(), "{file}: {}", render(&out));
        assert!(history(tag).contains("COPY a.txt /in # buildkit"), "{file}");
    }
    let outside = env.path("elsewhere/out.Dockerfile");
    for (file, tag) in [
        (outside.to_str().unwrap(), "f-abs-out:1"),
        ("elsewhere/out.Dockerfile", "f-rel-out:1"),
    ] {
        let out = build(file, tag);
        assert!(out.status.success(), "{file}: {}", render(&out));
        assert!(
            history(tag).contains("COPY a.txt /out # buildkit"),
            "{file}"
        );
    }
    let out = build("ctx/missing.Dockerfile", "f-missing:1");
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat {}: no such file or directory",
            env.path("ctx/missing.Dockerfile").display()
        )),
        "{stderr}"
    );
}

/// GC while a build runs takes nothing the build needs: `rmi` of its base, `builder prune`,
/// `image prune` and `system prune` (which removes unused snapshots), started while a RUN runs,
/// wait for the build or leave its layers and snapshots alone; the image it names has every
/// layer, and runs.
#[test]
fn prunes_during_a_build_leave_it_whole() {
    if !(require("busybox") && require("runc")) {
        return;
    }
    let env = Env::new();
    import_busybox_with_sleep(&env, "bb-gc:1");
    // A cached step from an earlier build, then a build that reuses it and runs a slow RUN.
    let first = "FROM bb-gc:1\nRUN echo one > /one\n";
    let out = berth_build(&env, &["-t", "gc-first:1"], first);
    assert!(out.status.success(), "{}", render(&out));
    env.ok(&["rmi", "gc-first:1"]);
    let build = spawn_build_until_run(
        &env,
        &["-t", "gc-built:1", "--network", "none"],
        "FROM bb-gc:1\nRUN echo one > /one\nRUN sleep 3 && cat /one > /two\nCOPY <<EOF /three\nthree\nEOF\n",
    );
    let prunes: Vec<_> = [
        &["rmi", "bb-gc:1"][..],
        &["builder", "prune", "-f"],
        &["image", "prune", "-f"],
        &["system", "prune", "-f"],
    ]
    .into_iter()
    .map(|args| {
        env.berth()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    })
    .collect();
    let built = build.wait_with_output().unwrap();
    assert!(built.status.success(), "{}", render(&built));
    for prune in prunes {
        let out = prune.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", render(&out));
    }
    // The RUN's `cat` ran after the prunes began: its binary and /one come from the snapshots.
    // Whatever the prunes took, the built image is whole: every layer's blob is there, and the
    // files of the cached step, the RUN and the COPY are in it.
    let check = env.ok(&["system", "check"]);
    assert!(check.is_empty(), "{check}");
    let listing = run_offline(&env, "gc-built:1", &["cat", "/one", "/two", "/three"]);
    assert_eq!(listing, "one\none\nthree\n");
}

/// Two builds of the same context at once in one store: their COPY layers are the same bytes, so
/// both commit the same blob and reach for the same snapshot while the RUN above each stacks its
/// own still-uncommitted upper directory. Both succeed, each image runs with every file, the store
/// checks clean, and no step directory or mount is left.
#[test]
fn two_builds_of_one_context_at_once() {
    let Some(env) = busybox_store("bb-race:1") else {
        return;
    };
    let context = env.path("race-ctx");
    std::fs::create_dir_all(context.join("dir")).unwrap();
    std::fs::write(context.join("a.txt"), "a\n").unwrap();
    for i in 0..300 {
        std::fs::write(context.join(format!("dir/f{i}")), format!("f{i}\n")).unwrap();
    }
    std::fs::write(
        context.join("Dockerfile"),
        "FROM bb-race:1\nCOPY a.txt /a.txt\nCOPY dir/ /d/\nRUN cat /a.txt /d/f7 /d/f299 > /both\nCOPY a.txt /again.txt\n",
    )
    .unwrap();
    let builds: Vec<_> = ["race:1", "race:2"]
        .into_iter()
        .map(|tag| {
            env.berth()
                .args(["build", "-q", "--network", "none", "-t", tag])
                .arg(&context)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for build in builds {
        let out = build.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", render(&out));
    }
    for tag in ["race:1", "race:2"] {
        let listing = run_offline(&env, tag, &["cat", "/both", "/again.txt", "/d/f0"]);
        assert_eq!(listing, "a\nf7\nf299\na\nf0\n", "{tag}");
    }
    let check = env.ok(&["system", "check"]);
    assert!(check.is_empty(), "{check}");
    no_step_left(&env);
}

/// No build step directory and no mount of the store are left.
pub(crate) fn no_step_left(env: &Env) {
    let steps = env.root().join("berth/containers/steps");
    let left: Vec<_> = std::fs::read_dir(&steps)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mounts.contains(env.root().to_str().unwrap()), "{mounts}");
}

/// `berth run --rm` of a stored image, no pull, no network; its stdout.
pub(crate) fn run_offline(env: &Env, image: &str, command: &[&str]) -> String {
    let run = ["run", "--rm", "--pull", "never", "--network", "none", image];
    env.ok(&[&run[..], command].concat())
}

/// Images cross between the builders and the registry: an image BuildKit built, `docker save`d and
/// loaded into berth, is a FROM for berth; what berth builds on it goes through the registry
/// (`berth push`, then `berth pull` into another store and `docker pull`) and runs in both.
#[test]
fn buildkit_images_are_bases_and_berth_images_travel() {
    if !(require("busybox") && require("runc")) {
        return;
    }
    let Some(registry) = crate::common::Registry::start() else {
        return;
    };
    let docker = build_dockerd();
    let env = Env::new();
    base_on_both(docker, &env, "bb-build:1");
    docker_build(
        docker,
        "bk-made:1",
        "FROM bb-build:1\nRUN echo from-buildkit > /bk\nENV MADE_BY=buildkit\n",
    );
    let saved = env.path("bk-made.tar");
    docker.ok(&["save", "-o", saved.to_str().unwrap(), "bk-made:1"]);
    env.ok(&["load", "-i", saved.to_str().unwrap()]);

    let remote = format!("{}/berth-it/built-on-buildkit:1", registry.host());
    let out = berth_build(
        &env,
        &["-t", &remote],
        "FROM bk-made:1\nRUN cat /bk > /copy && echo $MADE_BY >> /copy\nCMD [\"cat\", \"/copy\"]\n",
    );
    assert!(out.status.success(), "{}", render(&out));
    let expected = "from-buildkit\nbuildkit\n";
    assert_eq!(run_offline(&env, &remote, &[]), expected);
    env.ok(&["push", "-q", &remote]);

    let other = Env::new();
    other.ok(&["pull", "-q", &remote]);
    assert_eq!(run_offline(&other, &remote, &[]), expected);
    assert_eq!(
        other.ok(&["image", "inspect", "--format", "{{.Id}}", &remote]),
        env.ok(&["image", "inspect", "--format", "{{.Id}}", &remote])
    );
    docker.ok(&["pull", "-q", &remote]);
    assert_eq!(
        docker.ok(&["run", "--rm", "--network", "none", &remote]),
        expected
    );
    assert_eq!(
        docker.ok(&["image", "inspect", "--format", "{{.Id}}", &remote]),
        env.ok(&["image", "inspect", "--format", "{{.Id}}", &remote])
    );
}
