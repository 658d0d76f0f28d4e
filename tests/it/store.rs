//! The store: an OCI layout that skopeo and umoci read, safe under concurrent berth processes, and
//! `system check` that reports (and never repairs) damage.

use std::process::Command;

use crate::common::{require, rootfs_tar, Env};

#[test]
fn skopeo_and_umoci_read_the_store() {
    let env = Env::new();
    env.load_fixture();
    if require("skopeo") {
        let out = Command::new("skopeo")
            .args([
                "inspect",
                "--config",
                &format!("oci:{}:docker.io/fixture/busybox:1", env.root().display()),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let config: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(config["author"], "Docker Newbee");
    }
    if require("umoci") {
        let out = Command::new("umoci")
            .args(["ls", "--layout", env.root().to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let tags = String::from_utf8_lossy(&out.stdout);
        assert!(tags.contains("docker.io/fixture/busybox:1"), "{tags}");
        let bundle = env.path("bundle");
        let out = Command::new("umoci")
            .args([
                "unpack",
                "--rootless",
                "--image",
                &format!("{}:docker.io/fixture/busybox:1", env.root().display()),
            ])
            .arg(&bundle)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            std::fs::read_to_string(bundle.join("rootfs/hello.txt")).unwrap(),
            "hello! I am here!\n"
        );
        assert!(
            !bundle.join("rootfs/bin/vi").exists(),
            "the whiteout was applied"
        );
    }
}

#[test]
fn an_imported_image_copied_out_by_skopeo_keeps_its_digests() {
    if !require("skopeo") {
        return;
    }
    let env = Env::new();
    let tarball = rootfs_tar(&env, "interop.tar.gz", "z");
    env.ok(&["import", tarball.to_str().unwrap(), "interop:1"]);
    let out_dir = env.path("copied");
    let status = Command::new("skopeo")
        .args(["copy", "-q"])
        .arg(format!(
            "oci:{}:docker.io/library/interop:1",
            env.root().display()
        ))
        .arg(format!("dir:{}", out_dir.display()))
        .status()
        .unwrap();
    assert!(status.success());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("manifest.json")).unwrap()).unwrap();
    let id = env.ok(&["inspect", "-f", "{{.Id}}", "interop:1"]);
    assert_eq!(
        manifest["config"]["digest"].as_str().unwrap(),
        id.trim(),
        "same config digest"
    );
    let layer = manifest["layers"][0]["digest"]
        .as_str()
        .unwrap()
        .trim_start_matches("sha256:")
        .to_owned();
    assert!(
        env.root().join("blobs/sha256").join(&layer).exists(),
        "same layer digest"
    );
    assert_eq!(
        std::fs::read(out_dir.join(&layer)).unwrap(),
        std::fs::read(&tarball).unwrap(),
        "the gzip input, unchanged"
    );
}

#[test]
fn parallel_processes_never_corrupt_the_index() {
    let env = Env::new();
    env.load_fixture();
    let tarball = rootfs_tar(&env, "p.tar.gz", "z");
    let mut children = Vec::new();
    for i in 0..6 {
        children.push(
            env.berth()
                .args(["import", tarball.to_str().unwrap(), &format!("par:{i}")])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap(),
        );
        children.push(
            env.berth()
                .args(["images", "-q"])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap(),
        );
        if i % 2 == 0 {
            children.push(
                env.berth()
                    .args(["tag", "fixture/busybox:1", &format!("extra:{i}")])
                    .spawn()
                    .unwrap(),
            );
        }
    }
    children.push(
        env.berth()
            .args(["rmi", "fixture/busybox:latest"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let tags = env.ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    for i in 0..6 {
        assert!(tags.contains(&format!("par:{i}")), "{tags}");
    }
    assert!(
        tags.contains("extra:0")
            && tags.contains("extra:4")
            && !tags.contains("fixture/busybox:latest"),
        "{tags}"
    );
    env.ok(&["system", "check"]);
    // The same layer imported six times is stored once.
    let layer_files = std::fs::read_dir(env.root().join("blobs/sha256"))
        .unwrap()
        .count();
    assert!(layer_files < 20, "{layer_files} blobs");
}

#[test]
fn system_check_reports_damage_and_df_counts() {
    let env = Env::new();
    env.load_fixture();
    let df = env.ok(&["system", "df"]);
    let rows: Vec<Vec<&str>> = df.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(
        rows[0],
        ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"],
        "{df}"
    );
    assert_eq!(rows[1][..3], ["Images", "2", "0"], "{df}");
    assert_eq!(rows[2], ["Containers", "0", "0", "0B", "0B"], "{df}");
    assert!(env.ok(&["system", "check"]).is_empty());
    // Damage one blob: check names it and fails, and nothing is repaired.
    let blobs = env.root().join("blobs/sha256");
    let victim = std::fs::read_dir(&blobs)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    let mut bytes = std::fs::read(&victim).unwrap();
    bytes[100] ^= 0xff;
    std::fs::write(&victim, &bytes).unwrap();
    let out = env.fails(&["system", "check"]);
    assert!(
        out.contains("is corrupt") && out.contains("exit_code: 1"),
        "{out}"
    );
    assert_eq!(
        std::fs::read(&victim).unwrap(),
        bytes,
        "check never repairs"
    );
}

#[test]
fn prune_removes_dangling_images() {
    let env = Env::new();
    env.load_fixture();
    env.ok(&["tag", "fixture/busybox:base", "fixture/busybox:1"]);
    env.ok(&["tag", "fixture/busybox:base", "fixture/busybox:latest"]);
    let out = env.ok(&["image", "prune", "-f"]);
    assert!(
        out.starts_with("Deleted Images:\ndeleted: sha256:415e85863be7"),
        "{out}"
    );
    assert!(out.contains("Total reclaimed space: "), "{out}");
    env.ok(&["system", "check"]);
}

/// Parents in `image prune` (moby's `ImagesPrune`, recorded from Docker 20.10 on the fixture): an
/// intermediate image (untagged, with a child) is not dangling and stays; `-a` deletes the child and,
/// with it, the parent, each followed by the chain ID of the layer it freed.
#[test]
fn prune_keeps_intermediate_images_and_takes_them_with_their_child() {
    let env = Env::new();
    env.load_fixture();
    env.ok(&["rmi", "fixture/busybox:base"]);
    assert_eq!(
        env.ok(&["image", "prune", "-f"]),
        "Total reclaimed space: 0B\n"
    );
    assert!(env.ok(&["images", "-a", "-q"]).contains("2eefd5de9cac"));
    let out = env.ok(&["image", "prune", "-a", "-f"]);
    assert!(
        out.starts_with(
            "Deleted Images:\n\
             untagged: fixture/busybox:1\n\
             untagged: fixture/busybox:latest\n\
             deleted: sha256:415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27\n\
             deleted: sha256:b9f8eaf38ab48a734990f209b4d751b97f18c0388ac75abbaf15f8334b4c010a\n\
             deleted: sha256:2eefd5de9cacfc447de0273443c4ea6277c19370b634fd517dfe50e78a4440e2\n\
             deleted: sha256:8259289a5efb6e7461d0539ddb964fcc74da080e946d77b5b73613c21ecf0e0d\n\n\
             Total reclaimed space: "
        ),
        "{out}"
    );
    assert_eq!(env.ok(&["images", "-a", "-q"]), "");
    env.ok(&["system", "check"]);
}
