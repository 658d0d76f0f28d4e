//! The chapter's container steps: `run`, `ps -a`, `commit -m -a`, `rm`, and `rmi` refusing an image in use.
//! Real runtimes (runc and crun) on a busybox image imported by the test.

use std::process::Command;

use crate::common::{require, Env};

/// Imports busybox-static with a few applets as `ubuntu:14.04`.
fn busybox_image(env: &Env) -> bool {
    crate::common::import_busybox(
        env,
        "ubuntu:14.04",
        &["sh", "echo", "cat", "rm", "mkdir", "sleep", "true"],
        &[("bin/vi", "not really vi\n")],
    )
}

#[test]
fn run_ps_commit_rm_like_the_chapter() {
    let env = Env::new();
    if !busybox_image(&env) {
        return;
    }
    for runtime in ["runc", "crun"] {
        let name = format!("hello-{runtime}");
        let out = env.ok(&[
            "run",
            "--runtime",
            runtime,
            "--name",
            &name,
            "ubuntu:14.04",
            "echo",
            "hello! I am here!",
        ]);
        assert_eq!(out, "hello! I am here!\n", "{runtime}");
    }
    let ps = env.ok(&[
        "ps",
        "-a",
        "--format",
        "{{.Image}}|{{.Command}}|{{.Status}}|{{.Names}}",
    ]);
    for runtime in ["runc", "crun"] {
        assert!(
            // Docker's listing quotes an argument that holds spaces.
            ps.contains("ubuntu:14.04|\"echo 'hello! I am h…\"|Exited (0) "),
            "{ps}"
        );
        assert!(ps.contains(&format!("|hello-{runtime}")), "{ps}");
    }
    let header = env.ok(&["ps", "-a"]);
    assert!(
        header.starts_with("CONTAINER ID   IMAGE          COMMAND                  CREATED"),
        "{header}"
    );

    // Exit status propagates, like `docker run`.
    let out = env
        .berth()
        .args([
            "run",
            "--name",
            "changer",
            "ubuntu:14.04",
            "sh",
            "-c",
            "echo hi > /hello.txt; rm /bin/vi; exit 3",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));

    let id = env.ok(&[
        "commit",
        "-m",
        "Added a new file",
        "-a",
        "Docker Newbee",
        "-c",
        "ENV GREETING=hello",
        "changer",
        "test:0.1",
    ]);
    assert!(id.starts_with("sha256:"), "{id}");
    assert_eq!(
        env.ok(&["inspect", "-f", "{{.Author}}|{{.Config.Env}}", "test:0.1"]),
        "Docker Newbee|[GREETING=hello]\n"
    );
    let history = env.ok(&[
        "history",
        "--no-trunc",
        "--format",
        "{{.CreatedBy}}|{{.Size}}|{{.Comment}}",
        "test:0.1",
    ]);
    assert!(
        history.starts_with("sh -c echo hi > /hello.txt; rm /bin/vi; exit 3|3B|Added a new file\n"),
        "{history}"
    );
    assert_eq!(
        env.ok(&["run", "--rm", "test:0.1", "cat", "/hello.txt"]),
        "hi\n"
    );
    let out = env
        .berth()
        .args(["run", "--rm", "test:0.1", "cat", "/bin/vi"])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "the committed whiteout hides /bin/vi"
    );

    // An image a container uses cannot lose its last name without force (Docker's words).
    let out = env.fails(&["rmi", "ubuntu:14.04"]);
    assert!(out.contains("conflict: unable to remove repository reference \"ubuntu:14.04\" (must force) - container"), "{out}");
    assert_eq!(
        env.ok(&["rm", "changer", "hello-runc", "hello-crun"]),
        "changer\nhello-runc\nhello-crun\n"
    );
    assert_eq!(env.ok(&["ps", "-a", "-q"]), "");
    env.ok(&["rmi", "ubuntu:14.04"]);
    env.ok(&["system", "check"]);
    assert_eq!(
        env.ok(&["run", "--rm", "test:0.1", "cat", "/hello.txt"]),
        "hi\n",
        "the committed image keeps its base layer"
    );
}

/// `berth COMMAND...`: its stdout; fails the test if it fails or prints a warning.
fn ok_quietly(env: &Env, args: &[&str]) -> String {
    let out = env.berth().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "berth {args:?} failed: {stderr}");
    assert_eq!(stderr, "", "berth {args:?} warned");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The STATUS of the container named `name`.
fn status_named(env: &Env, name: &str) -> String {
    env.ok(&["ps", "-a", "--format", "{{.Names}}|{{.Status}}"])
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name}|")).map(str::to_owned))
        .unwrap_or_default()
}

fn status_of(env: &Env, id: &str) -> String {
    env.ok(&["ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Status}}"])
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{id} ")).map(str::to_owned))
        .unwrap_or_default()
}

/// `run -d` and `start` return only once the runtime runs the container, as `docker run -d` does: a
/// `commit` right afterwards pauses it without warning that the runtime does not know it yet, and
/// `kill` and `stop` right afterwards reach it. Repeated, on runc and crun.
#[test]
fn detached_containers_run_when_run_d_and_start_return() {
    let env = Env::new();
    if !busybox_image(&env) {
        return;
    }
    for runtime in ["runc", "crun"] {
        for round in 0..3 {
            let context = format!("{runtime}, round {round}");
            let run_d = ["run", "-d", "--runtime", runtime, "ubuntu:14.04"];
            let id = ok_quietly(&env, &[&run_d[..], &["sleep", "300"]].concat());
            ok_quietly(&env, &["commit", &id, "quick:1"]);
            let status = status_of(&env, &id);
            assert!(
                status.starts_with("Up ") && !status.contains("Paused"),
                "{context}: {status:?}"
            );

            let created = ok_quietly(
                &env,
                &[
                    "create",
                    "--runtime",
                    runtime,
                    "ubuntu:14.04",
                    "sleep",
                    "300",
                ],
            );
            ok_quietly(&env, &["start", &created]);
            ok_quietly(&env, &["commit", &created, "quick:2"]);

            let killed = ok_quietly(&env, &[&run_d[..], &["sleep", "300"]].concat());
            ok_quietly(&env, &["kill", &killed]);
            let stopped = ok_quietly(&env, &[&run_d[..], &["sleep", "300"]].concat());
            ok_quietly(&env, &["stop", "-t", "0", &stopped]);
            for id in [&killed, &stopped] {
                assert!(
                    eventually(|| status_of(&env, id).starts_with("Exited (137)")),
                    "{context}: {:?}",
                    status_of(&env, id)
                );
            }

            // A container that is over before the runtime could be asked about it, and one that
            // `--rm` removed by then, do not make `run -d` fail.
            let exited = ok_quietly(&env, &[&run_d[..], &["sh", "-c", "exit 3"]].concat());
            ok_quietly(
                &env,
                &[
                    "run",
                    "-d",
                    "--rm",
                    "--runtime",
                    runtime,
                    "ubuntu:14.04",
                    "true",
                ],
            );
            env.ok(&["rm", "-f", &id, &created, &killed, &stopped, &exited]);
        }
    }
    // The `--rm` containers are removed by their monitors once they have exited.
    assert!(eventually(|| env.ok(&["ps", "-aq"]).is_empty()));
    env.ok(&["system", "check"]);
}

/// Whether `done` holds within 10 s.
fn eventually(mut done: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    false
}

#[test]
fn missing_image_and_missing_runtime_are_clear_errors() {
    let env = Env::new();
    if !busybox_image(&env) {
        return;
    }
    let out = env.fails(&[
        "run",
        "--runtime",
        "/nonexistent/runtime",
        "ubuntu:14.04",
        "true",
    ]);
    assert!(out.contains("runtime"), "{out}");
    let out = env.fails(&["run", "127.0.0.1:1/nosuch:latest", "true"]);
    assert!(
        out.contains("Unable to find image '127.0.0.1:1/nosuch:latest' locally"),
        "{out}"
    );
}

#[test]
fn interactive_session_through_a_real_terminal() {
    let env = Env::new();
    if !(busybox_image(&env) && require("script")) {
        return;
    }
    // The chapter's `run -it IMAGE /bin/sh`: type commands that change files, exit, commit, run the result.
    let berth = format!(
        "{} --root {}",
        env!("CARGO_BIN_EXE_berth"),
        env.root().display()
    );
    let mut child = Command::new("script")
        .args([
            "-qefc",
            &format!("{berth} run -it --name interactive ubuntu:14.04 /bin/sh"),
            "/dev/null",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, b"echo typed > /typed.txt; rm /bin/vi\nexit 0\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    env.ok(&["commit", "interactive", "typed:1"]);
    assert_eq!(
        env.ok(&["run", "--rm", "typed:1", "cat", "/typed.txt"]),
        "typed\n"
    );
    assert_eq!(
        env.ok(&["diff", "interactive"])
            .lines()
            .filter(|l| *l == "D /bin/vi" || *l == "A /typed.txt")
            .count(),
        2
    );
}

#[test]
fn a_commit_travels_through_skopeo_and_umoci_unchanged() {
    let env = Env::new();
    if !(busybox_image(&env) && require("skopeo") && require("umoci")) {
        return;
    }
    let Some(registry) = crate::common::Registry::start() else {
        return;
    };
    env.ok(&[
        "run",
        "--name",
        "maker",
        "ubuntu:14.04",
        "sh",
        "-c",
        "mkdir -p /data && echo x > /data/x && rm /bin/vi",
    ]);
    let id = env.ok(&["commit", "maker", "made:1"]);
    // umoci unpacks berth's commit from the store to the same tree berth's container has.
    let bundle = env.path("bundle");
    let status = Command::new("umoci")
        .args([
            "unpack",
            "--rootless",
            "--image",
            &format!("{}:docker.io/library/made:1", env.root().display()),
        ])
        .arg(&bundle)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        std::fs::read_to_string(bundle.join("rootfs/data/x")).unwrap(),
        "x\n"
    );
    assert!(!bundle.join("rootfs/bin/vi").exists() && bundle.join("rootfs/bin/busybox").exists());
    // skopeo pushes it to the real registry; berth pulls it back with the same image ID.
    let target = format!("{}/made/by-berth:1", registry.host());
    let status = Command::new("skopeo")
        .args(["copy", "-q", "--dest-tls-verify=false"])
        .arg(format!(
            "oci:{}:docker.io/library/made:1",
            env.root().display()
        ))
        .arg(format!("docker://{target}"))
        .status()
        .unwrap();
    assert!(status.success());
    let fresh = Env::new();
    fresh.ok(&["pull", "-q", &target]);
    assert_eq!(fresh.ok(&["inspect", "-f", "{{.Id}}", &target]), id);
}

/// `export -o` writes like `save -o`: mode 0600, a symlink at the target is replaced (never
/// followed), nothing is left beside the target, and the archive holds the container's files.
#[test]
fn export_to_a_file_is_atomic_and_never_follows_a_symlink() {
    let env = Env::new();
    if !busybox_image(&env) {
        return;
    }
    env.ok(&["create", "--name", "exported", "ubuntu:14.04", "true"]);
    let dir = env.path("export-out");
    std::fs::create_dir_all(&dir).unwrap();
    let victim = dir.join("victim");
    std::fs::write(&victim, "keep me").unwrap();
    let target = dir.join("out.tar");
    std::os::unix::fs::symlink(&victim, &target).unwrap();
    env.ok(&["export", "-o", target.to_str().unwrap(), "exported"]);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    let metadata = std::fs::symlink_metadata(&target).unwrap();
    assert!(metadata.is_file());
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&metadata.permissions()) & 0o777,
        0o600
    );
    let listing = Command::new("tar")
        .arg("-tf")
        .arg(&target)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&listing.stdout)
        .lines()
        .any(|line| line.trim_start_matches("./") == "etc/passwd"));
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    env.ok(&["rm", "exported"]);
}

/// A command the runtime cannot start fails `run` as it fails `docker run` (docker/cli's
/// `runStartContainerErr`): `berth: <the runtime's error>.`, exit 127 for a command not found, 126
/// for one that cannot be run; the container stays `Created` with nothing in its log, and `--rm`
/// removes it. The runtime's own echo of the error is not the container's output. `-d` prints the ID
/// first, as Docker does. On runc and crun.
#[test]
fn commands_that_cannot_start_fail_like_docker_run() {
    let env = Env::new();
    if !busybox_image(&env) {
        return;
    }
    // (command, exit status, words of runc's error, words of crun's error)
    let cases: &[(&[&str], i32, &str, &str)] = &[
        (
            &["/nonexistent"],
            127,
            "stat /nonexistent: no such file or directory",
            "not found",
        ),
        (
            &["nosuchcommand", "arg"],
            127,
            "executable file not found in $PATH",
            "not found",
        ),
        (
            &["/etc/passwd"],
            126,
            "permission denied",
            "Permission denied",
        ),
    ];
    for runtime in ["runc", "crun"] {
        for (command, status, runc_words, crun_words) in cases {
            let words = if runtime == "runc" {
                runc_words
            } else {
                crun_words
            };
            for detach in [false, true] {
                let name = format!(
                    "cannot-start-{runtime}-{}-{detach}",
                    command[0].replace('/', "")
                );
                let mut args = vec!["run", "--runtime", runtime, "--name", &name];
                if detach {
                    args.push("-d");
                }
                args.push("ubuntu:14.04");
                args.extend(command.iter());
                let out = env.berth().args(&args).output().unwrap();
                let stderr = String::from_utf8_lossy(&out.stderr);
                let stdout = String::from_utf8_lossy(&out.stdout);
                assert_eq!(out.status.code(), Some(*status), "{args:?}: {stderr}");
                assert!(
                    stderr.starts_with("berth: OCI runtime create failed: ")
                        && stderr.contains(words)
                        && stderr.ends_with(".\n")
                        && stderr.lines().count() == 1,
                    "{args:?}: {stderr}"
                );
                let id = env.ok(&[
                    "ps",
                    "-a",
                    "-q",
                    "--no-trunc",
                    "--filter",
                    &format!("name={name}"),
                ]);
                let id = id.trim();
                assert_eq!(
                    stdout,
                    if detach {
                        format!("{id}\n")
                    } else {
                        String::new()
                    },
                    "{args:?}"
                );
                assert_eq!(status_of(&env, id), "Created", "{args:?}");
                assert_eq!(
                    env.ok(&["logs", &name]),
                    "",
                    "{args:?}: the runtime's echo is not logged"
                );
                env.ok(&["rm", &name]);
            }
            for detach in [false, true] {
                let mut args = vec!["run", "--rm", "--runtime", runtime];
                if detach {
                    args.push("-d");
                }
                args.push("ubuntu:14.04");
                args.extend(command.iter());
                let out = env.berth().args(&args).output().unwrap();
                assert_eq!(out.status.code(), Some(*status), "{args:?}");
                let left = env.ok(&["ps", "-a", "--format", "{{.ID}} {{.Status}} {{.Command}}"]);
                assert_eq!(left, "", "{args:?}: --rm removes the container");
            }
        }
        // A container's own failure is its exit status, and its stderr is its own.
        let out = env
            .berth()
            .args([
                "run",
                "--rm",
                "--runtime",
                runtime,
                "ubuntu:14.04",
                "sh",
                "-c",
                "echo oops >&2; exit 3",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(String::from_utf8_lossy(&out.stderr), "oops\n");
    }
    // A container that ran, and then cannot start again (its command removed itself): it stays
    // exited, with the new exit code, as moby keeps it; a `start` reports the failure and the list.
    env.ok(&[
        "run",
        "--name",
        "self-removing",
        "ubuntu:14.04",
        "sh",
        "-c",
        "rm /bin/sh",
    ]);
    let out = env
        .berth()
        .args(["start", "self-removing"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("OCI runtime create failed: ")
            && stderr.ends_with("Error: failed to start containers: self-removing\n"),
        "{stderr}"
    );
    let status = status_named(&env, "self-removing");
    assert!(status.starts_with("Exited (127) "), "{status}");
    env.ok(&["rm", "self-removing"]);
    // Errors before the container exists: `run` exits 125 with a pointer to the help; `create`
    // reports the error as it is and exits 1 (docker/cli's `runRun` and `runCreate`).
    env.ok(&["create", "--name", "taken", "ubuntu:14.04", "true"]);
    let cases = [
        (
            "run",
            125,
            "berth: Conflict. The container name \"/taken\" is already in use",
            ".\nSee 'berth run --help'.\n",
        ),
        (
            "create",
            1,
            "Error: Conflict. The container name \"/taken\" is already in use",
            "to be able to reuse that name.\n",
        ),
    ];
    for (command, status, start, end) in cases {
        let out = env
            .berth()
            .args([command, "--name", "taken", "ubuntu:14.04", "true"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(status), "{command}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with(start) && stderr.ends_with(end),
            "{stderr}"
        );
    }
}

/// A container record whose ID is not its directory's (a corrupt or hand-edited `record.json`) is
/// skipped with a warning, never shortened into a panic (`ps` sliced the ID to 12 bytes).
#[test]
fn a_record_with_a_bad_id_is_skipped_not_a_panic() {
    let env = Env::new();
    if !crate::common::import_busybox(&env, "berth-it/bad-record:1", &["true"], &[]) {
        return;
    }
    let id = env
        .ok(&["create", "berth-it/bad-record:1", "true"])
        .trim()
        .to_owned();
    let record = env
        .root()
        .join("berth/containers")
        .join(&id)
        .join("record.json");
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
    value["id"] = serde_json::Value::from("x");
    std::fs::write(&record, serde_json::to_vec(&value).unwrap()).unwrap();
    let out = env.berth().args(["ps", "-a", "-q"]).output().unwrap();
    assert!(out.status.success(), "{}", crate::common::render(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `system prune --filter` with a filter that does not parse removes nothing: it removed every
/// stopped container first, then failed on the filter.
#[test]
fn system_prune_with_a_bad_filter_removes_no_container() {
    let env = Env::new();
    if !crate::common::import_busybox(&env, "berth-it/prune-filter:1", &["true"], &[]) {
        return;
    }
    let id = env
        .ok(&["create", "berth-it/prune-filter:1", "true"])
        .trim()
        .to_owned();
    let failed = env.fails(&["system", "prune", "-f", "--filter", "nope=1"]);
    assert!(failed.contains("Invalid filter 'nope'"), "{failed}");
    assert_eq!(env.ok(&["ps", "-a", "-q", "--no-trunc"]).trim(), id);
}

/// `run --add-host`, `--shm-size` and `--ulimit` (issue #15, shared with `build`) as the container
/// sees them; bad values fail before a container exists, in the Docker CLI's words.
#[test]
fn add_host_shm_size_and_ulimit_reach_the_container() {
    let env = Env::new();
    if !crate::common::import_busybox(&env, "berth-it/settings:1", &["sh", "cat", "df"], &[]) {
        return;
    }
    for runtime in ["runc", "crun"] {
        let out = env.ok(&[
            "run",
            "--rm",
            "--runtime",
            runtime,
            "--network",
            "none",
            "--add-host",
            "db.internal:10.9.8.7",
            "--add-host=v6:::1",
            "--shm-size",
            "8m",
            "--ulimit",
            "nofile=300:400",
            "berth-it/settings:1",
            "sh",
            "-c",
            "cat /etc/hosts; df -k /dev/shm; ulimit -n; ulimit -Hn",
        ]);
        assert!(
            out.contains("10.9.8.7\tdb.internal\n::1\tv6\n"),
            "{runtime}: {out}"
        );
        let shm = out
            .lines()
            .find(|l| l.ends_with("/dev/shm"))
            .unwrap_or_default();
        assert_eq!(
            shm.split_whitespace().nth(1),
            Some("8192"),
            "{runtime}: {out}"
        );
        assert!(out.ends_with("300\n400\n"), "{runtime}: {out}");
    }
    let cases = [
        (
            "--ulimit=nofile=x",
            "invalid argument \"nofile=x\" for \"--ulimit\" flag: strconv.ParseInt: parsing \"x\": invalid syntax",
        ),
        (
            "--ulimit=nofile=2:1",
            "invalid argument \"nofile=2:1\" for \"--ulimit\" flag: ulimit soft limit must be less than or equal to hard limit: 2 > 1",
        ),
        ("--shm-size=lots", "invalid argument \"lots\" for \"--shm-size\" flag: invalid size: 'lots'"),
        ("--add-host=db", "invalid argument \"db\" for \"--add-host\" flag: bad format for add-host: \"db\""),
        ("--add-host=gw:host-gateway", "unable to derive the IP value for host-gateway"),
    ];
    for (flag, message) in cases {
        let out = env
            .berth()
            .args(["run", flag, "berth-it/settings:1", "true"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(125), "{flag}: {stderr}");
        assert!(stderr.contains(message), "{flag}: {stderr}");
    }
    assert_eq!(env.ok(&["ps", "-aq"]), "", "no container was created");
}
