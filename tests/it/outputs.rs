//! Every command's output pinned with insta: exit code, stdout and stderr together, on a store made
//! from the Docker fixture and a deterministic tarball (fixed mtimes, `SOURCE_DATE_EPOCH`), so IDs are
//! stable and only ages and temp paths are filtered.

use crate::common::{render, rootfs_tar, settings, Env};

fn snapshot(env: &Env, name: &str, args: &[&str]) {
    let out = env
        .berth()
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("run berth");
    let rendered = format!("$ berth {}\n{}", args.join(" "), render(&out));
    settings(env).bind(|| insta::assert_snapshot!(name, rendered));
}

#[test]
fn the_chapter_pinned() {
    let env = Env::new();
    let tarball = rootfs_tar(&env, "ubuntu-14.04.tar.gz", "z");
    let tarball = tarball.to_str().unwrap();
    let archive = env.path("saved.tar");
    let archive = archive.to_str().unwrap();
    let steps: &[(&str, &[&str])] = &[
        (
            "import",
            &["import", "-m", "ubuntu rootfs", tarball, "ubuntu:14.04"],
        ),
        (
            "import_again_same_id",
            &["import", "-m", "ubuntu rootfs", tarball, "ubuntu:again"],
        ),
        ("load", &["load", "-i", crate::common::FIXTURE_SAVE]),
        ("images", &["images"]),
        ("images_all_digests", &["images", "-a", "--digests"]),
        ("images_quiet", &["images", "-q"]),
        ("images_json", &["images", "--format", "json", "ubuntu"]),
        ("tag", &["tag", "ubuntu:14.04", "myubuntu:latest"]),
        ("history", &["history", "ubuntu:14.04"]),
        (
            "history_no_trunc_raw",
            &["history", "--no-trunc", "-H=false", "fixture/busybox:1"],
        ),
        (
            "inspect_format",
            &[
                "inspect",
                "-f",
                "{{.Id}} {{.Comment}} {{.Config.Cmd}}",
                "ubuntu:14.04",
                "fixture/busybox:1",
            ],
        ),
        (
            "save",
            &["save", "-o", archive, "ubuntu:14.04", "fixture/busybox:1"],
        ),
        ("rmi_untag", &["rmi", "myubuntu:latest"]),
        ("rmi_delete", &["rmi", "ubuntu:again", "ubuntu:14.04"]),
        ("rmi_missing", &["rmi", "nosuch"]),
        ("load_saved", &["load", "-i", archive]),
        ("system_df", &["system", "df"]),
        ("system_check", &["system", "check"]),
        ("inspect_missing", &["inspect", "nosuch:1"]),
        ("usage_error", &["images", "--bogus"]),
        // Without -m, a file is `Imported from -`, as Docker's CLI names what it uploads.
        (
            "import_file_no_message",
            &["import", tarball, "imported:file"],
        ),
        ("history_imported_file", &["history", "imported:file"]),
    ];
    for (name, args) in steps {
        snapshot(&env, name, args);
    }
}
