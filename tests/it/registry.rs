//! `push`, `pull`, `login`, `logout` and `search` against the real CNCF registry on loopback.

use std::process::Command;

use crate::common::{require, Env, Registry};

#[test]
fn push_then_pull_round_trip() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let env = Env::new();
    env.load_fixture();
    let name = format!("{}/fixture/busybox:1", registry.host());
    env.ok(&["tag", "fixture/busybox:1", &name]);
    let out = env.berth().args(["push", &name]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "The push refers to repository [{}/fixture/busybox]",
            registry.host()
        )),
        "{stderr}"
    );
    assert!(
        stdout.starts_with("1: digest: sha256:") && stdout.contains(" size: "),
        "{stdout}"
    );
    let digest = stdout.split_whitespace().nth(2).unwrap().to_owned();

    // Pushing again: every layer already there.
    let again = env.berth().args(["push", &name]).output().unwrap();
    assert!(String::from_utf8_lossy(&again.stderr).contains("Layer already exists"));

    if require("skopeo") {
        let out = Command::new("skopeo")
            .args(["inspect", "--tls-verify=false", &format!("docker://{name}")])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let inspect: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(inspect["Digest"], digest.as_str());
    }

    let fresh = Env::new();
    let out = fresh.berth().args(["pull", &name]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("1: Pulling from fixture/busybox") && stderr.contains("Pull complete"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("Digest: {digest}")), "{stderr}");
    assert!(
        stderr.contains(&format!("Status: Downloaded newer image for {name}")),
        "{stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{name}\n"));
    assert_eq!(
        fresh.ok(&["inspect", "-f", "{{.Id}} {{.RepoDigests}}", &name]),
        format!("sha256:415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27 [{}/fixture/busybox@{digest}]\n", registry.host())
    );
    // SIZE as Docker reports it for the same image (the fixture's `docker inspect`): the content
    // counted while the layers streamed in, not the length of their tars.
    assert_eq!(
        fresh.ok(&["inspect", "-f", "{{.Size}}", &name]),
        "1984192\n"
    );
    // A pull names the image without tagging it (Docker's zero LastTagTime).
    assert_eq!(
        fresh.ok(&["inspect", "-f", "{{.Metadata.LastTagTime}}", &name]),
        "0001-01-01 00:00:00 +0000 UTC\n"
    );
    let again = fresh.berth().args(["pull", "-q", &name]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&again.stdout), format!("{name}\n"));
    let out = fresh.berth().args(["pull", &name]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("Status: Image is up to date for"));
    fresh.ok(&["system", "check"]);
}

#[test]
fn pull_errors_leave_the_store_unchanged() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let env = Env::new();
    env.load_fixture();
    let before = env.store_state();
    let out = env.fails(&["pull", &format!("{}/nosuch/image:1", registry.host())]);
    assert!(
        out.contains("exit_code: 1") && out.contains("Error: "),
        "{out}"
    );
    let out = env.fails(&["pull", "-a", &format!("{}/x:1", registry.host())]);
    assert!(
        out.contains("tag can't be used with --all-tags/-a"),
        "{out}"
    );
    assert_eq!(env.store_state(), before);
}

#[test]
fn login_logout_and_search_on_a_private_registry() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let env = Env::new();
    env.load_fixture();
    let host = registry.host();
    let out = env.with_stdin(
        &["login", "-u", "someone", "--password-stdin", &host],
        b"secret\n",
    );
    assert!(out.status.success(), "{}", crate::common::render(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Login Succeeded\n");
    let config = env.path("docker-config/config.json");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&config).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(
        env.ok(&["logout", &host]),
        format!("Removing login credentials for {host}\n")
    );
    assert_eq!(
        env.ok(&["logout", &host]),
        format!("Removing login credentials for {host}\n")
    );

    env.ok(&[
        "tag",
        "fixture/busybox:base",
        &format!("{host}/library/busybox:base"),
    ]);
    env.ok(&["push", "-q", &format!("{host}/library/busybox:base")]);
    let out = env.ok(&["search", &format!("{host}/busy")]);
    assert!(out.starts_with("NAME"), "{out}");
    assert!(out.contains("busybox"), "{out}");
    let tags = env.ok(&["search", "--list-tags", &format!("{host}/library/busybox")]);
    let rows: Vec<Vec<&str>> = tags
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows,
        vec![
            vec!["NAME", "TAG"],
            vec![format!("{host}/library/busybox").as_str(), "base"]
        ]
    );
}

#[test]
fn what_skopeo_pushes_berth_pulls_with_the_same_digests() {
    let Some(registry) = Registry::start() else {
        return;
    };
    if !require("skopeo") {
        return;
    }
    let env = Env::new();
    env.load_fixture();
    let target = format!("{}/from/skopeo:1", registry.host());
    // skopeo reads berth's store (an OCI layout) and pushes the image.
    let status = Command::new("skopeo")
        .args(["copy", "-q", "--dest-tls-verify=false"])
        .arg(format!(
            "oci:{}:docker.io/fixture/busybox:1",
            env.root().display()
        ))
        .arg(format!("docker://{target}"))
        .status()
        .unwrap();
    assert!(status.success());
    let out = Command::new("skopeo")
        .args([
            "inspect",
            "--tls-verify=false",
            &format!("docker://{target}"),
        ])
        .output()
        .unwrap();
    let inspect: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let digest = inspect["Digest"].as_str().unwrap().to_owned();
    let layers = inspect["Layers"].clone();

    let fresh = Env::new();
    fresh.ok(&["pull", "-q", &target]);
    let ours = fresh.ok(&["inspect", "-f", "{{json .RepoDigests}}", &target]);
    assert_eq!(
        ours.trim(),
        format!("[\"{}/from/skopeo@{digest}\"]", registry.host())
    );
    assert_eq!(
        fresh.ok(&["inspect", "-f", "{{.Id}}", &target]).trim(),
        "sha256:415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27"
    );
    // The layers berth stored are the blobs skopeo pushed.
    for layer in layers.as_array().unwrap() {
        let hex = layer.as_str().unwrap().trim_start_matches("sha256:");
        assert!(
            fresh.root().join("blobs/sha256").join(hex).exists(),
            "{layer}"
        );
    }
}

/// `create` of an image named by digest pulls it under the digest's header, as `docker create` does
/// (issue #13 item 11: the digest was shown as the tag `latest`). Docker's first two stderr lines
/// are the oracle.
#[test]
fn create_by_digest_pulls_under_the_digest() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let docker = crate::common::dockerd();
    let env = Env::new();
    env.load_fixture();
    let pushed = format!("{}/berth-it/create-digest:1", registry.host());
    env.ok(&["tag", "fixture/busybox:1", &pushed]);
    env.ok(&["push", &pushed]);
    let digest = env
        .ok(&["inspect", "-f", "{{index .RepoDigests 0}}", &pushed])
        .trim()
        .to_owned();
    let first_lines = |stderr: &[u8]| {
        String::from_utf8_lossy(stderr)
            .lines()
            .take(2)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let fresh = Env::new();
    let ours = fresh
        .berth()
        .args(["create", &digest, "true"])
        .output()
        .unwrap();
    assert!(ours.status.success(), "{}", crate::common::render(&ours));
    let theirs = docker
        .docker()
        .args(["create", &digest, "true"])
        .output()
        .unwrap();
    assert!(
        theirs.status.success(),
        "{}",
        crate::common::render(&theirs)
    );
    assert_eq!(first_lines(&ours.stderr), first_lines(&theirs.stderr));
    let container = String::from_utf8_lossy(&theirs.stdout).trim().to_owned();
    docker.ok(&["rm", &container]);
    docker.ok(&["rmi", &digest]);
}
