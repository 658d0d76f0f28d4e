//! `berth images`: the classic table, filters, formats; compared with Docker 20.10's own output.

use crate::common::{cells, fixture, settings, Env};

fn fixture_env() -> Env {
    let env = Env::new();
    env.load_fixture();
    env
}

#[test]
fn table_matches_docker_layout() {
    let env = fixture_env();
    let out = env.ok(&["images"]);
    // Same rows, columns and widths as Docker's table (row order among equal creation seconds may differ).
    let docker = std::fs::read_to_string(fixture("docker-20.10-images.txt")).unwrap();
    assert_eq!(cells(&out), cells(&docker), "\n{out}");
    settings(&env).bind(|| insta::assert_snapshot!(out));
}

#[test]
fn digests_no_trunc_and_quiet() {
    let env = fixture_env();
    settings(&env).bind(|| {
        insta::assert_snapshot!(env.ok(&["images", "--digests", "--no-trunc"]));
    });
    let quiet = env.ok(&["images", "-q"]);
    assert_eq!(quiet.lines().count(), 3);
    assert!(quiet.lines().all(|l| l.len() == 12), "{quiet}");
}

#[test]
fn filters_and_reference_argument() {
    let env = fixture_env();
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["images", "--format", "{{.Tag}}", "fixture/busybox:base"],
            &["base"],
        ),
        (
            &[
                "images",
                "--format",
                "{{.Tag}}",
                "-f",
                "reference=fixture/*:1",
            ],
            &["1"],
        ),
        (
            &[
                "images",
                "--format",
                "{{.Tag}}",
                "-f",
                "reference=*/busybox:base",
                "-f",
                "reference=nope",
            ],
            &["base"],
        ),
        (
            &["images", "--format", "{{.Tag}}", "-f", "dangling=true"],
            &[],
        ),
        (&["images", "--format", "{{.Tag}}", "-f", "label=nope"], &[]),
        (
            &[
                "images",
                "--format",
                "{{.Tag}}",
                "-f",
                "label!=nope",
                "nosuch",
            ],
            &[],
        ),
        (
            &["images", "--format", "{{.Tag}}", "-f", "until=1970-01-02"],
            &[],
        ),
    ];
    for (args, want) in cases {
        let out = env.ok(args);
        let mut got: Vec<&str> = out.lines().collect();
        got.sort_unstable();
        assert_eq!(got, *want, "{args:?}");
    }
}

#[test]
fn dangling_images_appear_as_none() {
    let env = fixture_env();
    // Moving both names of image 1 away leaves it dangling: `<none> <none>`, like Docker.
    env.ok(&["tag", "fixture/busybox:base", "fixture/busybox:1"]);
    env.ok(&["tag", "fixture/busybox:base", "fixture/busybox:latest"]);
    let out = env.ok(&[
        "images",
        "-f",
        "dangling=true",
        "--format",
        "{{.Repository}} {{.Tag}} {{.ID}}",
    ]);
    assert_eq!(out, "<none> <none> 415e85863be7\n");
}

#[test]
fn json_and_templates() {
    let env = fixture_env();
    let out = env.ok(&["images", "--format", "json", "fixture/busybox:base"]);
    let row: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(row["ID"], "2eefd5de9cac");
    assert_eq!(row["Size"], "1.98MB");
    assert_eq!(row["Digest"], "<none>");
    assert!(
        out.contains("\\u003cnone\\u003e"),
        "Go's json escaping: {out}"
    );
    let table = env.ok(&[
        "images",
        "--format",
        "table {{.Repository}}:{{.Tag}}\t{{.Size}}",
        "fixture/busybox:base",
    ]);
    assert_eq!(
        table,
        "REPOSITORY:TAG         SIZE\nfixture/busybox:base   1.98MB\n"
    );
}

#[test]
fn bad_filters_and_templates_are_clear_errors() {
    let env = fixture_env();
    let cases: &[(&[&str], &str)] = &[
        (&["images", "-f", "nope=1"], "Invalid filter 'nope'"),
        (
            &["images", "--format", "{{.Nope}}"],
            "can't evaluate field Nope",
        ),
        (&["images", "--format", "{{"], "template parsing error"),
        (&["images", "-f", "before=nosuch"], "No such image: nosuch"),
    ];
    for (args, message) in cases {
        let out = env.fails(args);
        assert!(
            out.contains(message) && out.contains("exit_code: 1"),
            "{args:?}:\n{out}"
        );
    }
    let out = env.fails(&["images", "--nope"]);
    assert!(out.contains("exit_code: 125"), "{out}");
    // A filter without `=` is a flag error, as in Docker's CLI.
    let out = env.fails(&["images", "-f", "dangling"]);
    assert!(
        out.contains("exit_code: 125")
            && out.contains("bad format of filter (expected name=value)"),
        "{out}"
    );
}
