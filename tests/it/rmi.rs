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

#[test]
fn removing_the_last_name_deletes_the_image_but_not_shared_layers() {
    let env = Env::new();
    env.load_fixture();
    let out = env.ok(&["rmi", "fixture/busybox:base"]);
    assert_eq!(
        out,
        "Untagged: fixture/busybox:base\nDeleted: sha256:2eefd5de9cacfc447de0273443c4ea6277c19370b634fd517dfe50e78a4440e2\n"
    );
    // The base layer is shared with image 1, which still works.
    env.ok(&["system", "check"]);
    assert_eq!(
        env.ok(&[
            "inspect",
            "-f",
            "{{len .RootFS.Layers}}",
            "fixture/busybox:1"
        ]),
        "2\n"
    );
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
        "Untagged: fixture/busybox:1\nUntagged: fixture/busybox:latest\nUntagged: other/name:1\nDeleted: sha256:415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27\n"
    );
    let out = env.fails(&["rmi", "nosuch", "fixture/busybox:base"]);
    assert!(out.contains("Error: No such image: nosuch:latest"), "{out}");
    assert!(
        out.contains("Untagged: fixture/busybox:base"),
        "other arguments still processed:\n{out}"
    );
    assert_eq!(env.ok(&["images", "-q"]), "");
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
    let out = env.fails(&["tag", "only-one"]);
    assert!(out.contains("exit_code: 125"), "{out}");
}
