//! `berth tag` and `berth rmi`: names move, images go with their last name, shared layers stay.

use crate::common::{settings, Env};

#[test]
fn tag_then_remove_like_the_chapter() {
    let env = Env::new();
    env.load_fixture();
    assert_eq!(
        env.ok(&["tag", "fixture/busybox:base", "myubuntu:latest"]),
        ""
    );
    let out = env.ok(&[
        "images",
        "--format",
        "{{.Repository}}:{{.Tag}} {{.ID}}",
        "myubuntu",
    ]);
    assert_eq!(out, "myubuntu:latest 2eefd5de9cac\n");
    // Another name remains: only untagged.
    assert_eq!(
        env.ok(&["rmi", "myubuntu:latest"]),
        "Untagged: myubuntu:latest\n"
    );
    assert_eq!(env.ok(&["images", "-q", "myubuntu"]), "");
    assert!(env
        .ok(&["images", "-q", "fixture/busybox:base"])
        .contains("2eefd5de9cac"));
}

/// Image IDs and layer chain IDs of the Docker 20.10 fixture: `base`, and `one` committed from it.
const BASE: &str = "sha256:2eefd5de9cacfc447de0273443c4ea6277c19370b634fd517dfe50e78a4440e2";
const BASE_LAYER: &str = "sha256:8259289a5efb6e7461d0539ddb964fcc74da080e946d77b5b73613c21ecf0e0d";
const ONE: &str = "sha256:415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27";
const ONE_LAYER: &str = "sha256:b9f8eaf38ab48a734990f209b4d751b97f18c0388ac75abbaf15f8334b4c010a";

/// Sequences of `rmi` on the fixture (`fixture/busybox:1` and `:latest` committed from
/// `fixture/busybox:base`) and what Docker 20.10 printed for each command, recorded from the real
/// engine with the fixture loaded (stdout, stderr, exit status). `docker::rmi_of_parents_and_children_matches_docker`
/// runs such sequences against the engine itself.
#[test]
fn rmi_sequences_print_what_docker_printed() {
    /// Arguments, stdout, stderr, success.
    type Step<'a> = (&'a [&'a str], String, &'a str, bool);
    let deleted = |ids: &[&str]| -> String {
        ids.iter()
            .fold(String::new(), |out, id| out + "Deleted: " + id + "\n")
    };
    let conflict_child =
        "Error: conflict: unable to delete 2eefd5de9cac (cannot be forced) - image has dependent child images\n";
    let sequences: Vec<(&str, Vec<Step>)> = vec![
        (
            "a parent's last name goes; the image stays for its child, and goes with it",
            vec![
                (&["rmi", "fixture/busybox:base"], "Untagged: fixture/busybox:base\n".into(), "", true),
                (&["rmi", "2eefd5de9cac"], String::new(), conflict_child, false),
                (&["rmi", "-f", "2eefd5de9cac"], String::new(), conflict_child, false),
                (&["rmi", "-f", "nosuch"], String::new(), "Error: No such image: nosuch:latest\n", true),
                (&["rmi", "fixture/busybox:1"], "Untagged: fixture/busybox:1\n".into(), "", true),
                (
                    &["rmi", "fixture/busybox:latest"],
                    format!("Untagged: fixture/busybox:latest\n{}", deleted(&[ONE, ONE_LAYER, BASE, BASE_LAYER])),
                    "",
                    true,
                ),
            ],
        ),
        (
            "--no-prune keeps the untagged parent, which is then deleted on its own",
            vec![
                (&["rmi", "fixture/busybox:base"], "Untagged: fixture/busybox:base\n".into(), "", true),
                (
                    &["rmi", "--no-prune", "-f", "415e85863be7"],
                    format!(
                        "Untagged: fixture/busybox:1\nUntagged: fixture/busybox:latest\n{}",
                        deleted(&[ONE, ONE_LAYER])
                    ),
                    "",
                    true,
                ),
                (&["rmi", "2eefd5de9cac"], deleted(&[BASE, BASE_LAYER]), "", true),
            ],
        ),
        (
            "two tags of one repository are two references; a tagged parent is never pruned",
            vec![
                (
                    &["rmi", "415e85863be7"],
                    String::new(),
                    "Error: conflict: unable to delete 415e85863be7 (must be forced) - image is referenced in multiple repositories\n",
                    false,
                ),
                (
                    &["rmi", "-f", "415e85863be7"],
                    format!(
                        "Untagged: fixture/busybox:1\nUntagged: fixture/busybox:latest\n{}",
                        deleted(&[ONE, ONE_LAYER])
                    ),
                    "",
                    true,
                ),
                (
                    &["rmi", "fixture/busybox:base"],
                    format!("Untagged: fixture/busybox:base\n{}", deleted(&[BASE, BASE_LAYER])),
                    "",
                    true,
                ),
            ],
        ),
        (
            "a parent with two names in two repositories: by ID, the child's conflict comes first",
            vec![
                (&["tag", "fixture/busybox:base", "other:x"], String::new(), "", true),
                (&["rmi", "-f", "2eefd5de9cac"], String::new(), conflict_child, false),
                (
                    &["rmi", "fixture/busybox:base", "other:x"],
                    "Untagged: fixture/busybox:base\nUntagged: other:x\n".into(),
                    "",
                    true,
                ),
            ],
        ),
    ];
    for (what, steps) in sequences {
        let env = Env::new();
        env.load_fixture();
        for (args, stdout, stderr, success) in steps {
            let out = env.berth().args(args).output().unwrap();
            assert_eq!(
                (
                    String::from_utf8_lossy(&out.stdout).as_ref(),
                    String::from_utf8_lossy(&out.stderr).as_ref(),
                    out.status.success()
                ),
                (stdout.as_str(), stderr, success),
                "{what}: berth {args:?}"
            );
        }
        env.ok(&["system", "check"]);
    }
}

/// An image listed by `images -q --no-trunc` with `args`.
fn listed(env: &Env, args: &[&str], id: &str) -> bool {
    let mut full = args.to_vec();
    full.extend(["-q", "--no-trunc"]);
    env.ok(&full).lines().any(|line| line == id)
}

/// Docker's intermediate images: untagged with a child, hidden without `-a`, never dangling; once the
/// child is gone, an untagged image is dangling and listed.
#[test]
fn intermediate_images_are_listed_like_docker_lists_them() {
    let env = Env::new();
    env.load_fixture();
    env.ok(&["rmi", "fixture/busybox:base"]);
    let cases: &[(&[&str], bool)] = &[
        (&["images"], false),
        (&["images", "-a"], true),
        (&["images", "-f", "dangling=true"], false),
        (&["images", "-a", "-f", "dangling=true"], false),
        (&["images", "-a", "-f", "dangling=false"], false),
    ];
    for (args, want) in cases {
        assert_eq!(listed(&env, args, BASE), *want, "intermediate: {args:?}");
    }
    env.ok(&[
        "rmi",
        "--no-prune",
        "fixture/busybox:1",
        "fixture/busybox:latest",
    ]);
    let cases: &[(&[&str], bool)] = &[
        (&["images"], true),
        (&["images", "-f", "dangling=true"], true),
        (&["images", "-f", "dangling=false"], false),
    ];
    for (args, want) in cases {
        assert_eq!(listed(&env, args, BASE), *want, "dangling: {args:?}");
    }
}

/// Layers another image still stacks on stay, and are not reported as deleted.
#[test]
fn shared_layers_stay_and_are_not_reported() {
    let env = Env::new();
    let tarball = crate::common::rootfs_tar(&env, "shared.tar", "");
    let tarball = tarball.to_str().unwrap();
    env.ok(&["import", "-m", "one", tarball, "shared:one"]);
    env.ok(&["import", "-m", "two", tarball, "shared:two"]);
    let two = env.ok(&["inspect", "-f", "{{.Id}}", "shared:two"]);
    assert_eq!(
        env.ok(&["rmi", "shared:two"]),
        format!("Untagged: shared:two\nDeleted: {two}")
    );
    let layer = env.ok(&["inspect", "-f", "{{index .RootFS.Layers 0}}", "shared:one"]);
    let one = env.ok(&["inspect", "-f", "{{.Id}}", "shared:one"]);
    assert_eq!(
        env.ok(&["rmi", "shared:one"]),
        format!("Untagged: shared:one\nDeleted: {one}Deleted: {layer}")
    );
    env.ok(&["system", "check"]);
}

#[test]
fn conflicts_use_dockers_words() {
    let env = Env::new();
    env.load_fixture();
    env.ok(&["tag", "fixture/busybox:1", "other/name:1"]);
    let out = env.fails(&["rmi", "415e85863be7"]);
    settings(&env).bind(|| insta::assert_snapshot!(out));
    let out = env.ok(&["rmi", "-f", "415e85863be7"]);
    assert_eq!(
        out,
        format!("Untagged: fixture/busybox:1\nUntagged: fixture/busybox:latest\nUntagged: other/name:1\nDeleted: {ONE}\nDeleted: {ONE_LAYER}\n")
    );
    let out = env.fails(&["rmi", "nosuch", "fixture/busybox:base"]);
    assert!(out.contains("Error: No such image: nosuch:latest"), "{out}");
    assert!(
        out.contains("Untagged: fixture/busybox:base"),
        "other arguments still processed:\n{out}"
    );
    assert_eq!(env.ok(&["images", "-a", "-q"]), "");
    env.ok(&["system", "check"]);
    let blobs = std::fs::read_dir(env.root().join("blobs/sha256"))
        .unwrap()
        .count();
    assert_eq!(blobs, 0, "every blob was collected");
}

#[test]
fn tag_errors() {
    let env = Env::new();
    env.load_fixture();
    let cases: &[(&[&str], &str)] = &[
        (&["tag", "nosuch", "x"], "No such image: nosuch"),
        (
            &["tag", "fixture/busybox:1", "Bad:tag"],
            "must be lowercase",
        ),
        (
            &[
                "tag",
                "fixture/busybox:1",
                "x@sha256:0000000000000000000000000000000000000000000000000000000000000000",
            ],
            "refusing to create a tag with a digest reference",
        ),
    ];
    for (args, message) in cases {
        let out = env.fails(args);
        assert!(out.contains(message), "{args:?}:\n{out}");
    }
    // A wrong number of arguments exits 1 in Docker's CLI (a bad flag 125).
    let out = env.fails(&["tag", "only-one"]);
    assert!(out.contains("exit_code: 1\n"), "{out}");
}
