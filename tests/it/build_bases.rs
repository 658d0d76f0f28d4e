//! `berth build` FROM images other tools made: a base written by umoci (`umoci insert`, layers
//! without tar padding, an OCI manifest) and one by buildah (`buildah from scratch`, `copy`,
//! `commit`, two layers), both pushed to the harness's registry by their own tools. berth and
//! Docker's BuildKit pull each base and build the same Dockerfile on it (a whiteout of a base
//! file, a user named in the base's /etc/passwd, WORKDIR, ENV, CMD): the config, layers and
//! history agree, and berth's image runs alike under berth and, pushed and pulled, under Docker.

use std::process::Command;

use crate::build::{berth_build, build_dockerd, docker_build, facts, run_offline};
use crate::common::{busybox_tree, render, require, Env, Registry};

/// A function that makes a base image and pushes it under the reference given.
type Push = fn(&Env, &str);

const APPLETS: &[&str] = &["sh", "cat", "echo", "ls", "id", "rm", "mkdir", "chown"];

/// A busybox tree with a user `app`, and `/zz-last` for the build to delete.
fn base_tree(env: &Env, name: &str) -> std::path::PathBuf {
    let tree = busybox_tree(env, name, APPLETS);
    std::fs::write(
        tree.join("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
    )
    .unwrap();
    std::fs::write(tree.join("etc/group"), "root:x:0:\napp:x:1000:\n").unwrap();
    std::fs::write(tree.join("zz-last"), "hello").unwrap();
    // A build container's mount points, which Docker 20.10's BuildKit would otherwise leave in
    // the RUN's layer (as `base_on_both` has them).
    for dir in ["dev", "proc", "sys"] {
        std::fs::create_dir_all(tree.join(dir)).unwrap();
    }
    for file in ["etc/hosts", "etc/resolv.conf"] {
        std::fs::write(tree.join(file), "").unwrap();
    }
    tree
}

fn checked(mut command: Command, what: &str) -> String {
    let out = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(out.status.success(), "{what}:\n{}", render(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// umoci's image, pushed by skopeo.
fn push_umoci_base(env: &Env, reference: &str) {
    let layout = crate::umoci_layers::umoci_layout(env, &base_tree(env, "umoci-base"));
    let mut copy = Command::new("skopeo");
    copy.args(["copy", "--dest-tls-verify=false"])
        .arg(format!("oci:{}:t", layout.display()))
        .arg(format!("docker://{reference}"));
    checked(copy, "skopeo copy");
}

/// buildah's image (its own vfs store; no container is run), pushed by buildah.
fn push_buildah_base(env: &Env, reference: &str) {
    let root = env.path("buildah");
    let buildah = |args: &[&str]| {
        let mut command = Command::new("buildah");
        command
            .arg("--root")
            .arg(root.join("storage"))
            .arg("--runroot")
            .arg(root.join("run"))
            .args(["--storage-driver", "vfs"])
            .args(args);
        checked(command, &format!("buildah {args:?}"))
    };
    let tree = base_tree(env, "buildah-base");
    let first = buildah(&["from", "scratch"]);
    buildah(&["copy", &first, tree.to_str().unwrap(), "/"]);
    buildah(&["commit", "-q", &first, "buildah-one:t"]);
    let second = buildah(&["from", "--pull-never", "buildah-one:t"]);
    let note = env.path("buildah-note");
    std::fs::write(&note, "from buildah\n").unwrap();
    buildah(&["copy", &second, note.to_str().unwrap(), "/data/note"]);
    buildah(&[
        "config",
        "--cmd",
        "cat /zz-last",
        "--label",
        "made=buildah",
        &second,
    ]);
    buildah(&["commit", "-q", &second, "buildah-base:t"]);
    buildah(&[
        "push",
        "-q",
        "--tls-verify=false",
        "buildah-base:t",
        &format!("docker://{reference}"),
    ]);
    buildah(&["rm", "--all"]);
}

#[test]
fn builds_on_bases_umoci_and_buildah_made() {
    if !(require("busybox")
        && require("runc")
        && require("umoci")
        && require("skopeo")
        && require("buildah"))
    {
        return;
    }
    let Some(registry) = Registry::start() else {
        return;
    };
    let docker = build_dockerd();
    let env = Env::new();
    let bases: [(&str, Push); 2] = [("umoci", push_umoci_base), ("buildah", push_buildah_base)];
    for (tool, push) in bases {
        let base = format!("{}/berth-it/{tool}-base:t", registry.host());
        push(&env, &base);
        env.ok(&["pull", "-q", &base]);
        docker.ok(&["pull", "-q", &base]);
        let built = format!("{}/berth-it/on-{tool}:1", registry.host());
        let dockerfile = format!(
            "FROM {base}\n\
             RUN rm /zz-last && mkdir /out && chown app:app /out\n\
             USER app\n\
             WORKDIR /out\n\
             RUN id -un > who && cat /data/note > note\n\
             ENV BUILT_ON={tool}\n\
             CMD cat /out/who /out/note; test -e /zz-last || echo gone $BUILT_ON\n"
        );
        docker_build(docker, &built, &dockerfile);
        let out = berth_build(&env, &["-t", &built], &dockerfile);
        assert!(
            out.status.success(),
            "berth build on {tool}:\n{}",
            render(&out)
        );
        assert_eq!(
            facts(|args| env.ok(args), &built),
            facts(|args| docker.ok(args), &built),
            "built on {tool}'s base: berth (left), BuildKit (right)"
        );
        let expected = format!("app\nfrom {tool}\ngone {tool}\n");
        assert_eq!(run_offline(&env, &built, &[]), expected);
        let docker_run = ["run", "--rm", "--network", "none", &built];
        assert_eq!(docker.ok(&docker_run), expected, "BuildKit's");

        // berth's image, pushed over BuildKit's tag and pulled by Docker, runs the same.
        env.ok(&["push", "-q", &built]);
        docker.ok(&["rmi", &built]);
        docker.ok(&["pull", "-q", &built]);
        assert_eq!(docker.ok(&docker_run), expected, "berth's, in Docker");
        assert_eq!(
            docker.ok(&["image", "inspect", "--format", "{{.Id}}", &built]),
            env.ok(&["image", "inspect", "--format", "{{.Id}}", &built])
        );
        docker.ok(&["rmi", &built, &base]);
    }
    env.ok(&["system", "check"]);
}
