//! berth's words beside Docker's (issue #12 item 3): refused command lines, invalid references,
//! `--change` instructions, filters, `inspect`, `logout`, `version`, `images --format`. Each case
//! runs the Docker 20.10 CLI (the harness's `/usr/bin/docker`) on the shared dockerd and berth side
//! by side; berth must print what Docker prints, with `berth` for `docker` and `Error: ` where the
//! daemon's errors say `Error response from daemon: `. berth's own output is pinned with insta.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::{dockerd, render, rootfs_tar, settings, Dockerd, Env};

/// The Docker 28 CLI this machine image ships beside Debian's 20.10 one.
const DOCKER_28: &str = "/usr/local/bin/docker";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What Docker printed, as berth words it: the command `docker` -> `berth` (not in `docker.io`),
/// the daemon's prefix -> `Error: `.
fn as_berth(docker_text: &str) -> String {
    docker_text
        .replace("Error response from daemon: ", "Error: ")
        .replace("docker ", "berth ")
        .replace("docker:", "berth:")
}

/// Runs `args` on both sides; returns (docker, berth).
fn both(env: &Env, docker: &Dockerd, args: &[&str]) -> (Output, Output) {
    let docker_out = docker.docker().args(args).output().expect("run docker");
    let berth_out = env.berth().args(args).output().expect("run berth");
    (docker_out, berth_out)
}

/// Every case's berth output, for one snapshot.
fn transcript(env: &Env, cases: &[&[&str]]) -> String {
    let mut out = String::new();
    for args in cases {
        let output = env.berth().args(*args).output().expect("run berth");
        let _ = writeln!(out, "$ berth {}\n{}", args.join(" "), render(&output));
    }
    out
}

/// Wrong argument counts and unknown commands exit 1, unknown flags 125, in Docker's words.
#[test]
fn refused_command_lines_read_as_dockers() {
    let docker = dockerd();
    let env = Env::new();
    // Commands whose usage line and description are Docker's too: the whole message must match.
    let whole: &[&[&str]] = &[
        &["foo"],
        &["tag", "a"],
        &["tag"],
        &["tag", "a", "b", "c"],
        &["images", "a", "b"],
        &["load", "x"],
        &["rmi"],
        &["save"],
        &["history"],
        &["history", "a", "b"],
        &["commit"],
        &["commit", "a", "b", "c"],
        &["export"],
        &["build"],
        &["build", "a", "b"],
        &["images", "--bogus"],
        &["images", "--bogus=1"],
        &["images", "-x"],
        &["images", "-f", "dangling"],
        &["images", "--filter"],
        &["rmi", "--nope", "x"],
    ];
    // Commands whose description differs (berth is no Docker): the first two lines must match.
    let first_lines: &[&[&str]] = &[
        &["--bogus"],
        &["pull"],
        &["push", "a", "b"],
        &["inspect"],
        &["image", "prune", "x"],
        &["system", "df", "x"],
        &["version", "x"],
        &["logout", "a", "b"],
        &["login", "a", "b"],
        &["search"],
        &["run"],
        &["ps", "x"],
        &["image", "ls", "a", "b"],
        &["image", "inspect"],
        &["container", "inspect"],
    ];
    for (args, compare_whole) in whole
        .iter()
        .map(|a| (a, true))
        .chain(first_lines.iter().map(|a| (a, false)))
    {
        let (docker_out, berth_out) = both(&env, docker, args);
        let want = as_berth(&text(&docker_out.stderr));
        let got = text(&berth_out.stderr);
        assert_eq!(
            berth_out.status.code(),
            docker_out.status.code(),
            "exit code of {args:?}: docker said\n{want}berth said\n{got}"
        );
        assert!(
            docker_out.stdout.is_empty() && berth_out.stdout.is_empty(),
            "{args:?}"
        );
        if compare_whole {
            assert_eq!(got, want, "{args:?}");
        } else {
            let head = |s: &str| s.lines().take(2).collect::<Vec<_>>().join("\n");
            assert_eq!(head(&got), head(&want), "{args:?}");
        }
    }
    settings(&env).bind(|| insta::assert_snapshot!("refused", transcript(&env, whole)));
}

/// `berth image` alone is its help (exit 0); `berth help CMD` prints CMD's help; an unknown help
/// topic or subcommand exits 1; the hidden monitor shows nowhere.
#[test]
fn help_and_management_commands_as_docker() {
    let docker = dockerd();
    let env = Env::new();
    for args in [&["image"][..], &["help", "tag"], &["help", "image", "ls"]] {
        let (docker_out, berth_out) = both(&env, docker, args);
        assert_eq!(docker_out.status.code(), Some(0), "docker {args:?}");
        assert_eq!(
            berth_out.status.code(),
            Some(0),
            "berth {args:?}: {}",
            render(&berth_out)
        );
        assert!(text(&berth_out.stdout).contains("Usage:"), "{args:?}");
    }
    let tag_help = env.ok(&["help", "tag"]);
    assert_eq!(tag_help, env.ok(&["tag", "--help"]));
    for args in [&["help", "nosuch"][..], &["image", "nosuch"]] {
        let (docker_out, berth_out) = both(&env, docker, args);
        assert_eq!(docker_out.status.code(), Some(1), "docker {args:?}");
        assert_eq!(
            berth_out.status.code(),
            Some(1),
            "berth {args:?}: {}",
            render(&berth_out)
        );
        assert!(berth_out.stdout.is_empty(), "{args:?}");
    }
    let (docker_out, berth_out) = both(&env, docker, &["help", "nosuch"]);
    assert!(text(&docker_out.stderr).contains("unknown help topic: nosuch\n"));
    assert_eq!(text(&berth_out.stderr), "unknown help topic: nosuch\n");

    let help = env.ok(&["--help"]);
    let unknown = env.fails(&["__monitr"]);
    let completions = ["_berth", "berth.bash", "berth.fish"].map(|name| {
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("docs/completions")
                .join(name),
        )
        .unwrap()
    });
    for shown in [&help, &unknown].into_iter().chain(&completions) {
        assert!(!shown.contains("__monitor"), "{shown}");
    }
    // ... and it still answers the command line a detached container's monitor is started with.
    let out = env.berth().args(["__monitor"]).output().unwrap();
    assert!(text(&out.stderr).contains("<ID>"), "{}", render(&out));
}

/// A name that is no reference fails before anything else, in Docker's words. Docker 20.10 names
/// no path in `repository name must be lowercase`; berth names it as distribution v3 and the
/// Docker 28 CLI do: `repository name (UPPER/x) must be lowercase`.
#[test]
fn invalid_references_are_refused_up_front() {
    let docker = dockerd();
    let env = Env::new();
    env.load_fixture();
    let before = env.store_state();
    let archive = env.path("words-refused.tar");
    let archive = archive.to_str().unwrap();
    let tarball = rootfs_tar(&env, "words-refused-rootfs.tar", "");
    let tarball = tarball.to_str().unwrap();
    let cases: &[(&[&str], Option<&str>)] = &[
        (&["import", tarball, "UPPER/x"], Some("UPPER/x")),
        (&["commit", "nosuch", "UPPER/x"], Some("UPPER/x")),
        (&["push", "UPPER/x"], Some("UPPER/x")),
        (&["pull", "UPPER/Case"], Some("UPPER/Case")),
        (&["rmi", "UPPER/x"], Some("UPPER/x")),
        (&["rmi", "-f", "UPPER/x"], Some("UPPER/x")),
        (&["save", "-o", archive, "UPPER/x"], Some("UPPER/x")),
        (&["history", "UPPER/x"], Some("UPPER/x")),
        (&["tag", "UPPER/x", "a"], Some("UPPER/x")),
        (&["tag", "fixture/busybox:1", "UPPER/x"], Some("UPPER/x")),
        (&["rmi", "a@b"], None),
        (&["history", "a:b:c"], None),
        (&["push", "a@sha256:1234"], None),
    ];
    for (args, path) in cases {
        let (docker_out, berth_out) = both(&env, docker, args);
        let mut want = as_berth(&text(&docker_out.stderr));
        if let Some(path) = path {
            want = want.replace(
                "repository name must be lowercase",
                &format!("repository name ({path}) must be lowercase"),
            );
        }
        assert_eq!(text(&berth_out.stderr), want, "{args:?}");
        assert_eq!(
            berth_out.status.code(),
            docker_out.status.code(),
            "{args:?}"
        );
        assert_eq!(docker_out.status.code(), Some(1), "{args:?}");
        assert!(berth_out.stdout.is_empty(), "{args:?}");
    }
    assert_eq!(env.store_state(), before, "the store changed");
    let cases: Vec<&[&str]> = cases.iter().map(|(args, _)| *args).collect();
    settings(&env).bind(|| insta::assert_snapshot!("references", transcript(&env, &cases)));
}

/// `import -c`: what the Docker 20.10 engine accepts, berth accepts; what it refuses, berth refuses
/// with its words (`stopsignal is not a valid change command`, `file with no instructions`).
#[test]
fn change_instructions_as_the_engine_takes_them() {
    let docker = dockerd();
    let env = Env::new();
    let tarball = rootfs_tar(&env, "words-change.tar", "");
    let tarball = tarball.to_str().unwrap();
    let changes = [
        "CMD x",
        "ENTRYPOINT x",
        "ENV A=1",
        "EXPOSE 80",
        "LABEL a=b",
        "ONBUILD RUN x",
        "USER u",
        "VOLUME /v",
        "WORKDIR /w",
        "HEALTHCHECK NONE",
        "cmd lowercase",
        "STOPSIGNAL 9",
        "stopsignal SIGTERM",
        "RUN x",
        "FROM x",
        "MAINTAINER me",
        "ADD a b",
        "COPY a b",
        "ARG a",
        "SHELL [\"a\"]",
        "FOO x",
        "",
        "# only a comment",
    ];
    let mut refused = Vec::new();
    for change in changes {
        let args = ["import", "-c", change, tarball];
        let (docker_out, berth_out) = both(&env, docker, &args);
        assert_eq!(
            berth_out.status.code(),
            docker_out.status.code(),
            "{change:?}: docker said {}berth said {}",
            text(&docker_out.stderr),
            text(&berth_out.stderr)
        );
        if docker_out.status.success() {
            let id = text(&docker_out.stdout);
            let _ = docker.docker().args(["rmi", id.trim()]).output();
        } else {
            assert_eq!(
                text(&berth_out.stderr),
                as_berth(&text(&docker_out.stderr)),
                "{change:?}"
            );
            refused.push(format!("{change:?}: {}", text(&berth_out.stderr)));
        }
    }
    insta::assert_snapshot!("change_refused", refused.join(""));
}

/// Filters, limits, `logout`, `inspect` of what is not there and `save` to a terminal: berth's
/// output and exit code are Docker's, word for word.
#[test]
fn messages_match_dockers() {
    let docker = dockerd();
    let env = Env::new();
    env.load_fixture();
    let cases: &[&[&str]] = &[
        &["images", "-f", "nope=1"],
        &["images", "-f", "dangling=maybe"],
        &["image", "prune", "-f", "--filter", "until=xx"],
        &["image", "prune", "-f", "--filter", "nope=1"],
        &["search", "--limit", "200", "x"],
        &["search", "-f", "nope=1", "x"],
        &["logout"],
        &["logout", "localhost:5999"],
        &["inspect", "nosuch"],
        &["image", "inspect", "nosuch"],
        &["inspect", "--type", "image", "nosuch"],
        &["inspect", "--type", "container", "nosuch"],
        &["inspect", "--type", "foo", "nosuch"],
        &["inspect", "--type"],
        &["version", "--format", "{{.Client.Nope}}"],
        // What Docker's CLI checks itself, before asking the daemon.
        &["import", "/nonexistent"],
        &["save", "-o", "/nonexistent/dir/x.tar", "fixture/busybox:1"],
        &["save", "-o", "/dev/null", "fixture/busybox:1"],
        &[
            "login",
            "-u",
            "a",
            "--password-stdin",
            "-p",
            "x",
            "localhost:5999",
        ],
        &["login", "--password-stdin", "localhost:5999"],
        &["pull", "-a", "fixture/busybox:1"],
        &["push", "-a", "fixture/busybox:1"],
        // The daemon names what it did not find with its default tag.
        &["history", "nosuch"],
        &["tag", "nosuch", "x"],
    ];
    for args in cases {
        let (docker_out, berth_out) = both(&env, docker, args);
        assert_eq!(
            berth_out.status.code(),
            docker_out.status.code(),
            "{args:?}: docker said {}",
            render(&docker_out)
        );
        assert_eq!(
            text(&berth_out.stdout),
            as_berth(&text(&docker_out.stdout)),
            "{args:?}"
        );
        // Template errors name Go's types; only the start is compared there.
        if args[0] == "version" {
            assert!(
                text(&berth_out.stderr).contains("can't evaluate field Nope"),
                "{args:?}"
            );
        } else {
            assert_eq!(
                text(&berth_out.stderr),
                as_berth(&text(&docker_out.stderr)),
                "{args:?}"
            );
        }
    }
    settings(&env).bind(|| insta::assert_snapshot!("messages", transcript(&env, cases)));

    // `save` to a terminal: Docker's CLI refuses before asking the daemon, with no `Error:`.
    if crate::common::require("script") {
        let on_terminal = |program: String| {
            let out = Command::new("script")
                .args(["-qec", &program, "/dev/null"])
                .env("DOCKER_CONFIG", env.path("docker-config"))
                .output()
                .expect("run script");
            (out.status.code(), text(&out.stdout).replace('\r', ""))
        };
        let berth = format!(
            "{} --root {} save fixture/busybox:1",
            env!("CARGO_BIN_EXE_berth"),
            env.root().display()
        );
        let docker_program = format!("{} save fixture/busybox:1", docker_command_line(docker));
        let (code, said) = on_terminal(berth);
        let (docker_code, docker_said) = on_terminal(docker_program);
        assert_eq!((code, said), (docker_code, as_berth(&docker_said)));
    }
}

/// The harness's docker client as a shell command line (for `script`).
fn docker_command_line(docker: &Dockerd) -> String {
    let cmd = docker.docker();
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `images --format`: `.VirtualSize` (Docker's CLI still has it: the size with four digits) and
/// `{{json .}}` with the same keys in the same order as the Docker 28 CLI prints for the same image.
#[test]
fn images_json_and_virtual_size_as_the_docker_cli() {
    let docker = dockerd();
    let env = Env::new();
    let reference = "berth-it/words-json:1";
    let tree = rootfs_tar(&env, "words-json.tar", "z");
    let imported = env
        .berth()
        .args(["import", tree.to_str().unwrap(), reference])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert!(imported.status.success(), "{}", render(&imported));
    let archive = env.path("words-json-saved.tar");
    env.ok(&["save", "-o", archive.to_str().unwrap(), reference]);
    let _ = docker.docker().args(["rmi", reference]).output();
    docker.ok(&["load", "-i", archive.to_str().unwrap()]);
    for format in ["{{.VirtualSize}} {{.Size}}", "{{json .}}"] {
        let args = ["images", "--format", format, reference];
        let berth_says = env.ok(&args);
        assert_eq!(berth_says, docker.ok(&args), "{format} (Docker 20.10 CLI)");
        match docker.docker_with(Path::new(DOCKER_28)) {
            Some(mut docker_28) => {
                let out = docker_28.args(args).output().unwrap();
                assert!(out.status.success(), "{}", render(&out));
                assert_eq!(berth_says, text(&out.stdout), "{format} (Docker 28 CLI)");
            }
            None => assert!(std::env::var_os("CI").is_none(), "{DOCKER_28} is missing"),
        }
    }
    let json = env.ok(&["images", "--format", "{{json .}}", reference]);
    let row: Value = serde_json::from_str(&json).unwrap();
    assert!(
        row["VirtualSize"].is_string() && row["Size"].is_string(),
        "{json}"
    );
    let _ = docker.docker().args(["rmi", reference]).output();
}

/// `berth version`: Docker's `Client:` section shape (labels, column 20) and its template fields.
#[test]
fn version_as_dockers_client_section() {
    let docker = dockerd();
    let env = Env::new();
    let ours = env.ok(&["version"]);
    let theirs = docker.ok(&["version"]);
    let value_column = |line: &str| {
        line.find(|c: char| c != ' ').map(|_| {
            line.find(':').map_or(0, |colon| {
                colon + 1 + line[colon + 1..].chars().take_while(|c| *c == ' ').count()
            })
        })
    };
    assert!(ours.starts_with("Client:\n"), "{ours}");
    for line in ours.lines().skip(1) {
        let label = line.split(':').next().unwrap();
        if label != " Rust version" {
            let docker_line = theirs
                .lines()
                .find(|l| l.starts_with(&format!("{label}:")))
                .unwrap_or_else(|| panic!("{label} is not in Docker's Client section:\n{theirs}"));
            assert_eq!(value_column(line), value_column(docker_line), "{line}");
        }
    }
    assert_eq!(
        env.ok(&["version", "--format", "{{.Client.Version}}"]),
        format!("{}\n", env!("CARGO_PKG_VERSION"))
    );
    let client: Value =
        serde_json::from_str(&env.ok(&["version", "-f", "{{json .Client}}"])).unwrap();
    let docker_client: Value =
        serde_json::from_str(&docker.ok(&["version", "-f", "{{json .Client}}"])).unwrap();
    for key in ["Version", "GitCommit", "Os", "Arch"] {
        assert!(
            client[key].is_string() && docker_client[key].is_string(),
            "{key}"
        );
    }
    assert_eq!(client["Os"], docker_client["Os"]);
    assert_eq!(client["Arch"], docker_client["Arch"]);
    let mut settings = settings(&env);
    settings.add_filter(r"(Git commit: +)\S+", "$1[COMMIT]");
    settings.add_filter(r"(Rust version: +)\S+", "$1[RUST]");
    settings.add_filter(r"(OS/Arch: +)\S+", "$1[PLATFORM]");
    settings.add_filter(r"(Version: +)\S+", "$1[VERSION]");
    settings.bind(|| insta::assert_snapshot!("version", ours));
}

/// The keys of one JSON object in `inspect`'s indented output, in order, at `depth` levels of
/// four spaces, inside the object that starts at the line `within` (the whole text when empty).
fn keys_in_order(indented: &str, within: &str, depth: usize) -> Vec<String> {
    let mut lines = indented.lines();
    let prefix = " ".repeat(depth * 4);
    let closing = " ".repeat((depth - 1) * 4);
    if !within.is_empty() {
        lines.find(|line| line.starts_with(&format!("{closing}{within}: {{")));
    }
    let mut keys = Vec::new();
    for line in lines {
        if !within.is_empty() && (line == format!("{closing}}}") || line == format!("{closing}}},"))
        {
            break;
        }
        if let Some(rest) = line.strip_prefix(&prefix) {
            if let Some(key) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) {
                keys.push(key.to_owned());
            }
        }
    }
    keys
}

/// True if `part` is `whole` with some keys left out (same order).
fn is_subsequence(part: &[String], whole: &[String]) -> bool {
    let mut whole = whole.iter();
    part.iter().all(|key| whole.any(|k| k == key))
}

/// `container inspect` (and `inspect` of a container): Docker's fields that berth knows, in
/// Docker's order, with the same state as Docker's for the same command.
#[test]
fn container_inspect_as_dockers() {
    let docker = dockerd();
    let env = Env::new();
    let reference = "berth-it/words-inspect:1";
    if !crate::common::import_busybox(&env, reference, &["sh"], &[]) {
        return;
    }
    let tree = crate::common::busybox_tree(&env, "words-inspect-docker", &["sh"]);
    let tarball = env.path("words-inspect-docker.tar");
    crate::common::tar_tree(&tree, &tarball, "");
    docker.ok(&["import", tarball.to_str().unwrap(), reference]);
    let name = format!("words-inspect-{}", std::process::id());
    let command = ["sh", "-c", "exit 3"];
    let docker_run = [
        &["run", "--network", "none", "--name", &name, reference][..],
        &command,
    ]
    .concat();
    let _ = docker.docker().args(&docker_run).output().unwrap();
    let berth_run = [&["run", "--name", &name, reference][..], &command].concat();
    let out = env.berth().args(&berth_run).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", render(&out));

    let theirs = docker.ok(&["container", "inspect", &name]);
    let ours = env.ok(&["container", "inspect", &name]);
    assert_eq!(ours, env.ok(&["inspect", &name]));
    assert_eq!(ours, env.ok(&["inspect", "--type", "container", &name]));
    for (within, depth) in [("", 2), ("\"State\"", 3), ("\"Config\"", 3)] {
        let (our_keys, their_keys) = (
            keys_in_order(&ours, within, depth),
            keys_in_order(&theirs, within, depth),
        );
        assert!(
            !our_keys.is_empty() && is_subsequence(&our_keys, &their_keys),
            "{within}: berth {our_keys:?}, docker {their_keys:?}"
        );
    }
    assert_eq!(
        keys_in_order(&ours, "\"State\"", 3),
        keys_in_order(&theirs, "\"State\"", 3)
    );
    let template = "{{.Name}} {{.Path}} {{json .Args}} {{.State.Status}} {{.State.Running}} {{.State.ExitCode}} {{.State.Pid}} {{json .State.Error}} {{.Config.Image}} {{json .Config.Cmd}} {{.RestartCount}} {{.Platform}}";
    assert_eq!(
        env.ok(&["inspect", "-f", template, &name]),
        docker.ok(&["inspect", "-f", template, &name])
    );
    // `commit -c` takes the engine's instructions too, and refuses the others in its words.
    for change in ["STOPSIGNAL 9", "RUN x", ""] {
        let args = ["commit", "-c", change, &name];
        let (docker_out, berth_out) = both(&env, docker, &args);
        assert_eq!(
            berth_out.status.code(),
            docker_out.status.code(),
            "{change:?}"
        );
        assert_eq!(
            text(&berth_out.stderr),
            as_berth(&text(&docker_out.stderr)),
            "{change:?}"
        );
    }
    let parsed: Value = serde_json::from_str(&ours).unwrap();
    let id = env.ok(&["ps", "-aq", "--no-trunc"]);
    assert_eq!(parsed[0]["Id"], id.trim());
    let _ = docker.docker().args(["rm", &name]).output();
    let _ = docker.docker().args(["rmi", reference]).output();
}

/// `image prune --filter`: `until=` keeps what is newer, `label=`/`label!=` choose by label,
/// `dangling=false` is `-a`.
#[test]
fn image_prune_filters() {
    let env = Env::new();
    let tarball = rootfs_tar(&env, "words-prune.tar", "");
    let tarball = tarball.to_str().unwrap();
    let import = |args: &[&str], epoch: &str| {
        let out = env
            .berth()
            .arg("import")
            .args(args)
            .arg(tarball)
            .env("SOURCE_DATE_EPOCH", epoch)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", render(&out));
        text(&out.stdout).trim().to_owned()
    };
    // Dangling images: old, new, and new with a label.
    let old = import(&[], "1000000000");
    let new = import(&["-c", "ENV N=1"], "2000000000");
    let labelled = import(&["-c", "LABEL keep=no"], "2000000000");
    let images = || env.ok(&["images", "-aq", "--no-trunc"]);
    let prune = |filters: &[&str]| env.ok(&[&["image", "prune", "-f"][..], filters].concat());

    let out = prune(&["--filter", "until=2010-01-01T00:00:00Z"]);
    assert!(out.contains(&old) && !out.contains(&new), "{out}");
    assert!(!images().contains(&old));
    let out = prune(&["--filter", "label=keep=no"]);
    assert!(out.contains(&labelled) && !out.contains(&new), "{out}");
    let out = prune(&["--filter", "label!=keep"]);
    assert!(out.contains(&new), "{out}");
    assert_eq!(images(), "");

    // dangling=false: tagged images go too.
    import(&["-c", "LABEL a=1"], "2000000000");
    let tagged = {
        let out = env
            .berth()
            .args(["import", tarball, "words/tagged:1"])
            .output()
            .unwrap();
        text(&out.stdout).trim().to_owned()
    };
    assert!(!prune(&[]).contains(&tagged));
    let out = prune(&["--filter", "dangling=false", "--filter", "until=1h"]);
    assert!(!out.contains(&tagged), "younger than an hour: {out}");
    let out = prune(&["--filter", "dangling=false"]);
    assert!(
        out.contains("untagged: words/tagged:1") && out.contains(&tagged),
        "{out}"
    );
}

/// `search --list-tags` lists the tags in the order the distribution spec gives a tag list
/// (lexical, case-insensitive), whatever order the registry sends them in (the CNCF registry
/// here sends them as its file system lists them, as skopeo shows).
#[test]
fn list_tags_in_lexical_order() {
    let Some(registry) = crate::common::Registry::start() else {
        return;
    };
    let env = Env::new();
    env.load_fixture();
    let repository = format!("{}/words/tags", registry.host());
    for tag in ["b", "10", "a", "9", "B", "latest"] {
        env.ok(&["tag", "fixture/busybox:1", &format!("{repository}:{tag}")]);
    }
    env.ok(&["push", "-q", "-a", &repository]);
    let listed = env.ok(&["search", "--list-tags", "--format", "{{.Tag}}", &repository]);
    let listed: Vec<&str> = listed.lines().collect();
    assert_eq!(listed, ["10", "9", "a", "B", "b", "latest"]);
    if crate::common::require("skopeo") {
        let out = Command::new("skopeo")
            .args([
                "list-tags",
                "--tls-verify=false",
                &format!("docker://{repository}"),
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", render(&out));
        let registry_list: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut sent: Vec<&str> = registry_list["Tags"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        sent.sort_by_key(|tag| (tag.to_ascii_lowercase(), tag.to_owned()));
        assert_eq!(sent, listed);
    }
}

/// `someone:secret`, as `htpasswd -Bbn -C 5 someone secret` writes it.
const HTPASSWD: &str = "someone:$2y$05$aTvbRJGC6cAG4W1ebnCveutDTVWRRJh4lL7P2SaX4ueJJGjEKGrlW\n";

/// A login the registry refuses: Docker's daemon names the URL and the status; the right password
/// then logs in on both sides.
#[test]
fn refused_login_as_dockers() {
    let Some(registry) = crate::common::Registry::start_with_htpasswd(Some(HTPASSWD)) else {
        return;
    };
    let docker = dockerd();
    let env = Env::new();
    let host = registry.host();
    let login = |mut command: Command, password: &str| {
        let mut child = command
            .args(["login", "-u", "someone", "--password-stdin", &host])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), password.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let docker_out = login(docker.docker(), "wrong\n");
    let berth_out = login(env.berth(), "wrong\n");
    assert_eq!(docker_out.status.code(), Some(1), "{}", render(&docker_out));
    assert_eq!(berth_out.status.code(), Some(1), "{}", render(&berth_out));
    assert_eq!(text(&berth_out.stderr), as_berth(&text(&docker_out.stderr)));
    assert_eq!(
        text(&berth_out.stderr),
        format!("Error: login attempt to http://{host}/v2/ failed with status: 401 Unauthorized\n")
    );
    assert!(
        !env.path("docker-config/config.json").exists(),
        "nothing stored"
    );
    let berth_out = login(env.berth(), "secret\n");
    let docker_out = login(docker.docker(), "secret\n");
    assert!(berth_out.status.success(), "{}", render(&berth_out));
    assert!(docker_out.status.success(), "{}", render(&docker_out));
    assert_eq!(text(&berth_out.stdout), "Login Succeeded\n");
    assert_eq!(text(&berth_out.stdout), text(&docker_out.stdout));
    // The plaintext warning, with each side's own config file.
    let config_named = |stderr: &str| {
        let start = stderr.find(" in /").map_or(0, |i| i + 4);
        let end = stderr
            .find("config.json")
            .map_or(start, |i| i + "config.json".len());
        format!("{}[CONFIG]{}", &stderr[..start], &stderr[end..])
    };
    assert_eq!(
        config_named(&text(&berth_out.stderr)),
        config_named(&text(&docker_out.stderr))
    );
    let _ = docker.docker().args(["logout", &host]).output();
}
