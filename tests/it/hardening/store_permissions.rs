//! CVE-2021-41091 class (issue #13 item 1): other users must not reach the setuid programs, files
//! with capabilities and device nodes that images and containers leave in the store.

use std::{
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::Command,
};

use crate::common::{busybox_tree, require, Env};

const NOBODY: &str = "65534";

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("run id");
    let root = String::from_utf8_lossy(&out.stdout).trim() == "0";
    if !root {
        assert!(
            std::env::var_os("CI").is_none(),
            "the store permission tests run as root in CI"
        );
        eprintln!("skipping: not root");
    }
    root
}

/// Runs `args` as nobody (uid and gid 65534, no supplementary groups); returns (success, output).
/// Through `env`: setpriv execs its own command while it still holds root's capabilities (it drops
/// them at that exec), so a path it execs directly is looked up as root.
fn as_nobody(args: &[&str]) -> (bool, String) {
    let out = Command::new("setpriv")
        .args([
            &format!("--reuid={NOBODY}"),
            &format!("--regid={NOBODY}"),
            "--clear-groups",
            "env",
        ])
        .args(args)
        .output()
        .expect("run setpriv");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn refused_to_nobody(args: &[&str]) {
    let (ok, text) = as_nobody(args);
    assert!(
        !ok && text.contains("Permission denied"),
        "nobody ran {args:?}: {text}"
    );
}

/// An image whose layer holds a setuid-root copy of busybox, a world-writable char device (1:3) and,
/// where setcap is installed, a copy of busybox with `cap_setuid+ep`; then a container that wrote a
/// setuid-root busybox into its upper directory. Returns (snapshot dir, container upper dir, capped).
fn hostile_store(env: &Env) -> Option<(PathBuf, PathBuf, bool)> {
    if !(is_root()
        && require("setpriv")
        && require("busybox")
        && require("runc")
        && require("crun"))
    {
        return None;
    }
    // The test's temp dir is 0700: open it so that only the store's own modes keep nobody out.
    std::fs::set_permissions(env.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let tree = busybox_tree(env, "hostile-tree", &["sh", "cp", "chmod"]);
    std::fs::write(tree.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    std::fs::copy(tree.join("bin/busybox"), tree.join("bin/suid")).unwrap();
    std::fs::set_permissions(
        tree.join("bin/suid"),
        std::fs::Permissions::from_mode(0o4755),
    )
    .unwrap();
    std::fs::create_dir_all(tree.join("dev")).unwrap();
    let status = Command::new("mknod")
        .args(["-m", "666"])
        .arg(tree.join("dev/open"))
        .args(["c", "1", "3"])
        .status()
        .expect("run mknod");
    assert!(status.success(), "mknod failed");
    // setcap ships in libcap2-bin; without it the capability case is left out (the others still run).
    let capped = require("setcap");
    if capped {
        std::fs::copy(tree.join("bin/busybox"), tree.join("bin/capped")).unwrap();
        let status = Command::new("setcap")
            .arg("cap_setuid+ep")
            .arg(tree.join("bin/capped"))
            .status()
            .expect("run setcap");
        assert!(status.success(), "setcap failed");
    }
    let tarball = env.path("hostile.tar");
    let status = Command::new("tar")
        .args([
            "--xattrs",
            "--xattrs-include=security.capability",
            "--numeric-owner",
            "-cf",
        ])
        .arg(&tarball)
        .arg("-C")
        .arg(&tree)
        .arg(".")
        .status()
        .expect("run tar");
    assert!(status.success(), "tar failed");
    env.ok(&["import", tarball.to_str().unwrap(), "hostile:latest"]);
    env.ok(&[
        "run",
        "--name",
        "writer",
        "hostile:latest",
        "sh",
        "-c",
        "cp /bin/busybox /mine && chmod 4755 /mine",
    ]);
    let containers = env.root().join("berth/containers");
    let snapshots: Vec<PathBuf> = std::fs::read_dir(containers.join("snapshots"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(snapshots.len(), 1, "one layer, one snapshot: {snapshots:?}");
    let id = env.ok(&["ps", "-aq", "--no-trunc"]);
    let upper = containers.join(id.trim()).join("upper");
    let written = std::fs::metadata(upper.join("mine")).unwrap();
    assert_eq!(written.permissions().mode() & 0o7777, 0o4755);
    Some((snapshots[0].clone(), upper, capped))
}

fn assert_private(snapshot: &Path, upper: &Path, capped: bool) {
    let suid = snapshot.join("bin/suid");
    refused_to_nobody(&[suid.to_str().unwrap(), "id"]);
    refused_to_nobody(&["cat", snapshot.join("dev/open").to_str().unwrap()]);
    refused_to_nobody(&[
        "sh",
        "-c",
        &format!("echo x > {}", snapshot.join("dev/open").display()),
    ]);
    if capped {
        refused_to_nobody(&[snapshot.join("bin/capped").to_str().unwrap(), "id"]);
    }
    refused_to_nobody(&[upper.join("mine").to_str().unwrap(), "id"]);
}

/// Issue #13 item 1: a fresh store is 0700 and nobody reaches the setuid busybox, the device node
/// or the file with capabilities in a snapshot, nor the setuid file in a container's upper directory.
#[test]
fn other_users_cannot_reach_setuid_files_devices_or_capabilities_in_the_store() {
    let env = Env::new();
    let Some((snapshot, upper, capped)) = hostile_store(&env) else {
        return;
    };
    assert_private(&snapshot, &upper, capped);
    let mode = std::fs::metadata(env.root()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "store root mode {mode:o}");
    env.ok(&["system", "check"]);
}

/// A store left open by an older berth (0755 everywhere) is reported by `system check`, which
/// changes nothing, and made private by the next command that opens it as root.
#[test]
fn an_open_store_is_reported_by_system_check_and_made_private_on_open() {
    let env = Env::new();
    let Some((snapshot, upper, capped)) = hostile_store(&env) else {
        return;
    };
    let open = [
        "",
        "berth",
        "berth/containers",
        "berth/containers/snapshots",
    ];
    for dir in open {
        std::fs::set_permissions(env.root().join(dir), std::fs::Permissions::from_mode(0o755))
            .unwrap();
    }
    // Reachable again, as in a store made before the fix.
    let (ok, text) = as_nobody(&["cat", snapshot.join("dev/open").to_str().unwrap()]);
    assert!(ok, "the open store should let nobody in: {text}");

    let report = env.fails(&["system", "check"]);
    for dir in ["", "berth", "berth/containers"] {
        let path = env.root().join(dir);
        let line = format!(
            "{} is accessible to other users (mode 0755, expected 0700)",
            path.to_str().unwrap().trim_end_matches('/')
        );
        assert!(report.contains(&line), "{line:?} missing from:\n{report}");
    }
    let mode = std::fs::metadata(env.root()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o755, "system check must not repair");

    env.ok(&["images"]);
    assert_private(&snapshot, &upper, capped);
    env.ok(&["system", "check"]);
}
