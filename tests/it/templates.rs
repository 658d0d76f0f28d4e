//! `--format` and `-f` templates against the real Docker CLI (berth issues #12 and #13): `printf`
//! with Go's verbs, `define`/`template`, `time.Time` methods, and errors worded, placed and exited
//! as Docker's (`template parsing error: template: :1:2: executing "" at <.Foo>: …`, status 1, or
//! 64 for an `inspect -f` template that does not parse).

use std::process::Output;

use crate::common::{dockerd, rootfs_tar, tar_tree, Env};

/// Exit status, stdout and stderr.
fn outcome(out: &Output) -> (Option<i32>, String, String) {
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Templates whose output and errors `docker images --format` and `berth images --format` agree on.
const IMAGES: &[&str] = &[
    r#"{{printf "%-24s|" .Repository}}"#,
    r#"{{printf "%5.3s|%x|%q|%05d|%+.2e|%v" .Tag .Tag .Repository 42 1234.5678 true}}"#,
    r#"{{printf "%d" .Repository}}"#,
    r#"{{printf "%s %s" .Tag}}{{printf "%s" .Tag .Tag}}"#,
    r#"{{define "a"}}<{{.Tag}}>{{end}}{{template "a" .}}{{block "b" .Repository}}[{{.}}]{{end}}"#,
    "{{.Foo}}",
    "table {{.Repository}}\\t{{.Foo}}",
    "{{.Repository.Foo}}",
    "{{nosuch .}}",
    "{{if}}",
    "{{range 3}}x{{end}}",
    r#"{{template "zz" .}}"#,
    "{{index .Repository 99}}",
];

/// Templates whose output and errors `docker image inspect -f` and `berth inspect -f` agree on.
const INSPECT: &[&str] = &[
    "{{.Metadata.LastTagTime.Year}}",
    r#"{{.Metadata.LastTagTime.Format "2006-01"}} {{.Metadata.LastTagTime.Month}} {{printf "%d" .Metadata.LastTagTime.Month}}"#,
    r#"{{printf "%+v|%#v" .RootFS .RootFS}}"#,
    r#"{{printf "%v" .Config}}"#,
    r#"{{printf "%s|%T|%d" .Size .VirtualSize .Size}} {{if gt .Size 1000}}big{{end}}"#,
    "{{.Foo}}",
    "{{.Config.Foo}}",
    "{{nosuch .}}",
    // `.Id` is only in the raw JSON, whose numbers the Docker CLI decodes as `json.Number`.
    "{{if .Id}}{{.Size}} {{json .Size}} {{printf \"%d %.0f|%v\" .VirtualSize .VirtualSize .Size}}{{end}}",
];

#[test]
fn templates_print_and_fail_as_docker_does() {
    let docker = dockerd();
    let env = Env::new();
    // Over a million bytes, so that a size printed as a float64 takes an exponent.
    let tree = env.path("templates-tree");
    std::fs::create_dir_all(tree.join("etc")).unwrap();
    std::fs::write(tree.join("etc/os-release"), "NAME=berth-templates\n").unwrap();
    std::fs::write(tree.join("etc/big"), vec![b'x'; 1_200_000]).unwrap();
    let tarball = env.path("templates.tar");
    tar_tree(&tree, &tarball, "");
    let reference = "berth-it/templates:1";
    env.ok(&["import", tarball.to_str().unwrap(), reference]);
    docker.ok(&["import", tarball.to_str().unwrap(), reference]);
    let repository = "berth-it/templates";
    for template in IMAGES {
        let args = ["images", "--format", template, repository];
        let berth_says = outcome(&env.berth().args(args).output().unwrap());
        let docker_says = outcome(&docker.docker().args(args).output().unwrap());
        assert_eq!(berth_says, docker_says, "images --format {template}");
    }
    for template in INSPECT {
        let berth_says = outcome(
            &env.berth()
                .args(["inspect", "-f", template, reference])
                .output()
                .unwrap(),
        );
        let docker_says = outcome(
            &docker
                .docker()
                .args(["image", "inspect", "-f", template, reference])
                .output()
                .unwrap(),
        );
        assert_eq!(berth_says, docker_says, "inspect -f {template}");
    }
    docker.ok(&["rmi", reference]);
}

/// The wording itself, pinned (what Docker 20.10 printed in the test above).
#[test]
fn template_errors_are_docker_errors() {
    let env = Env::new();
    let tarball = rootfs_tar(&env, "template-errors.tar", "");
    env.ok(&[
        "import",
        tarball.to_str().unwrap(),
        "berth-it/template-errors:1",
    ]);
    let cases: &[(&[&str], i32, &str, &str)] = &[
        (
            &["images", "--format", r#"{{printf "%-12s|%5d|" .Tag 42}}"#],
            0,
            "1           |   42|\n",
            "",
        ),
        (
            &["images", "--format", "{{.Foo}}"],
            1,
            "",
            "template parsing error: template: :1:2: executing \"\" at <.Foo>: can't evaluate field Foo in type *formatter.imageContext\n",
        ),
        (
            &["images", "--format", "{{nosuch .}}"],
            1,
            "",
            "template parsing error: template: :1: function \"nosuch\" not defined\n",
        ),
        (
            &["inspect", "-f", "{{nosuch .}}", "berth-it/template-errors:1"],
            64,
            "",
            "template parsing error: template: :1: function \"nosuch\" not defined\n",
        ),
        (
            &["inspect", "-f", "{{.Foo}}", "berth-it/template-errors:1"],
            1,
            "\n",
            "template parsing error: template: :1:2: executing \"\" at <.Foo>: map has no entry for key \"Foo\"\n",
        ),
    ];
    for (args, code, stdout, stderr) in cases {
        let out = env.berth().args(*args).output().unwrap();
        assert_eq!(
            outcome(&out),
            (Some(*code), (*stdout).to_owned(), (*stderr).to_owned()),
            "{args:?}"
        );
    }
}
