//! `berth inspect` and `berth history` against Docker 20.10's output for the same images.

use crate::common::{cells, fixture, settings, Env};

#[test]
fn inspect_matches_docker_values() {
    let env = Env::new();
    env.load_fixture();
    let ours: serde_json::Value =
        serde_json::from_str(&env.ok(&["inspect", "fixture/busybox:1"])).unwrap();
    let docker: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("docker-20.10-inspect.json")).unwrap(),
    )
    .unwrap();
    let (ours, docker) = (&ours[0], &docker[0]);
    for key in [
        "Id",
        "RepoTags",
        "RepoDigests",
        "Comment",
        "Created",
        "Author",
        "Architecture",
        "Os",
        "Size",
    ] {
        assert_eq!(ours[key], docker[key], "{key}");
    }
    assert_eq!(ours["RootFS"], docker["RootFS"]);
    for key in ["Env", "Cmd", "WorkingDir"] {
        assert_eq!(ours["Config"][key], docker["Config"][key], "Config.{key}");
    }
    let out = env.ok(&["inspect", "fixture/busybox:base"]);
    assert!(
        out.starts_with("[\n    {\n        \""),
        "4-space indent like Docker:\n{out}"
    );
    settings(&env).bind(|| insta::assert_snapshot!(out));
}

#[test]
fn inspect_format_and_missing_images() {
    let env = Env::new();
    env.load_fixture();
    let cases: &[(&str, &str)] = &[
        (
            "{{.Id}}",
            "sha256:415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27\n",
        ),
        ("{{.Config.Env}}", "[GREETING=hello]\n"),
        (
            "{{range .RepoTags}}{{.}} {{end}}",
            "fixture/busybox:1 fixture/busybox:latest \n",
        ),
    ];
    for (format, want) in cases {
        assert_eq!(
            env.ok(&["inspect", "-f", format, "fixture/busybox:1"]),
            *want,
            "{format}"
        );
    }
    let layers = env.ok(&[
        "inspect",
        "-f",
        "{{len .RootFS.Layers}}",
        "fixture/busybox:1",
    ]);
    assert_eq!(layers, "2\n");
    let out = env.fails(&["image", "inspect", "nosuch"]);
    assert!(
        out.contains("----- stdout -----\n[]\n") && out.contains("Error: No such image: nosuch"),
        "{out}"
    );
    let out = env.fails(&["inspect", "fixture/busybox:1", "nosuch"]);
    assert!(
        // Plain `inspect` names no type: Docker's `No such object`.
        out.contains("\"Id\": \"sha256:415e8") && out.contains("Error: No such object: nosuch"),
        "{out}"
    );
}

#[test]
fn history_matches_docker() {
    let env = Env::new();
    env.load_fixture();
    let out = env.ok(&["history", "fixture/busybox:1"]);
    let docker = std::fs::read_to_string(fixture("docker-20.10-history.txt")).unwrap();
    // Docker 20.10 filled the base row's ID from its local parent chain; so does berth, from the
    // `Parent` that the archive's manifest.json gives.
    assert_eq!(cells(&out), cells(&docker), "\n{out}");

    let jsonl = env.ok(&[
        "history",
        "--no-trunc",
        "--format",
        "{{json .}}",
        "fixture/busybox:1",
    ]);
    let docker_jsonl = std::fs::read_to_string(fixture("docker-20.10-history.jsonl")).unwrap();
    for (ours, docker) in jsonl.lines().zip(docker_jsonl.lines()) {
        let mut ours: serde_json::Value = serde_json::from_str(ours).unwrap();
        let mut docker: serde_json::Value = serde_json::from_str(docker).unwrap();
        for row in [&mut ours, &mut docker] {
            row["CreatedSince"] = "AGE".into();
        }
        assert_eq!(ours, docker);
    }
    let quiet = env.ok(&["history", "-q", "fixture/busybox:1"]);
    assert_eq!(quiet, "415e85863be7\n2eefd5de9cac\n");
    let raw = env.ok(&[
        "history",
        "-H=false",
        "--format",
        "{{.CreatedSince}} {{.Size}}",
        "fixture/busybox:1",
    ]);
    assert_eq!(
        raw,
        "2026-11-27T17:51:08Z 20\n2026-11-27T17:51:08Z 1984172\n"
    );
}
