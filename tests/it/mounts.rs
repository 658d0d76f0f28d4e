//! Container root filesystem mounts (issue #13 item 4): a symlinked or relative `--root` works and
//! leaks nothing, a container holds its overlay mounted only while it runs (as Docker's do), and
//! `system check` names mounts under the store that no running container holds.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use crate::common::{import_busybox, render, Env};

const IMAGE: &str = "mounts/busybox:1";

fn busybox_image(env: &Env) -> bool {
    import_busybox(env, IMAGE, &["sh", "echo", "cat", "sleep", "true"], &[])
}

/// Mount points at or below `root`, compared as the kernel lists them (no symlink, absolute).
fn mounts_under(root: &Path) -> Vec<PathBuf> {
    let root = std::fs::canonicalize(root).unwrap();
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(|point| PathBuf::from(point.replace("\\040", " ")))
        .filter(|point| point.starts_with(&root))
        .collect()
}

/// `berth --root <root_arg>` run in `cwd`, with the harness's clean environment.
fn berth_at(env: &Env, root_arg: &Path, cwd: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_berth"));
    command
        .current_dir(cwd)
        .arg("--root")
        .arg(root_arg)
        .args(args)
        .env_remove("BERTH_ROOT")
        .env_remove("BERTH_CONFIG")
        .env("NO_COLOR", "1")
        .env("HOME", env.dir.path())
        .env("DOCKER_CONFIG", env.dir.path().join("docker-config"));
    command.output().expect("run berth")
}

/// Unmounts whatever a failing run left, so the temporary directory can go.
struct Unmounter(PathBuf);

impl Drop for Unmounter {
    fn drop(&mut self) {
        let mut points = mounts_under(&self.0);
        points.sort_by_key(|p| std::cmp::Reverse(p.as_os_str().len()));
        for point in points {
            let _ = Command::new("umount").arg("-l").arg(point).status();
        }
    }
}

#[test]
fn symlinked_and_relative_roots_run_and_remove_cleanly() {
    let env = Env::new();
    if !busybox_image(&env) {
        return;
    }
    let _unmounter = Unmounter(env.root());
    // The store reached through a symlinked directory, and by a path relative to the working
    // directory (runc needs absolute bundle paths).
    let link = env.path("link");
    std::os::unix::fs::symlink(env.dir.path(), &link).unwrap();
    let cases: [(&str, PathBuf, PathBuf); 2] = [
        ("symlinked", link.join("root"), PathBuf::from("/")),
        ("relative", PathBuf::from("root"), env.dir.path().to_owned()),
    ];
    for (label, root, cwd) in &cases {
        let out = berth_at(&env, root, cwd, &["run", "--rm", IMAGE, "echo", "hi"]);
        assert_eq!(out.status.code(), Some(0), "{label}: {}", render(&out));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "hi\n", "{label}");
        assert_eq!(mounts_under(&env.root()), Vec::<PathBuf>::new(), "{label}");

        let name = format!("kept-{label}");
        let out = berth_at(&env, root, cwd, &["run", "--name", &name, IMAGE, "true"]);
        assert_eq!(out.status.code(), Some(0), "{label}: {}", render(&out));
        let out = berth_at(&env, root, cwd, &["rm", &name]);
        assert_eq!(out.status.code(), Some(0), "{label}: {}", render(&out));
        assert_eq!(mounts_under(&env.root()), Vec::<PathBuf>::new(), "{label}");
    }
    assert_eq!(env.ok(&["ps", "-aq"]), "");
}

#[test]
fn a_container_is_mounted_only_while_it_runs() {
    let env = Env::new();
    if !busybox_image(&env) {
        return;
    }
    let _unmounter = Unmounter(env.root());
    let none = Vec::<PathBuf>::new();
    env.ok(&["create", "--name", "created", IMAGE, "true"]);
    assert_eq!(mounts_under(&env.root()), none, "after create");

    let out = env.ok(&[
        "run",
        "--name",
        "exited",
        IMAGE,
        "sh",
        "-c",
        "echo one > /f",
    ]);
    assert_eq!(out, "");
    assert_eq!(mounts_under(&env.root()), none, "after the run");
    // Started again, it sees what it wrote, and is unmounted again when it exits.
    let out = env.ok(&["start", "-a", "exited"]);
    assert_eq!(out, "");
    assert_eq!(mounts_under(&env.root()), none, "after start -a");
    // Reads of an exited container work without leaving a mount.
    assert_eq!(env.ok(&["diff", "exited"]), "A /f\n");
    let export = env.path("exited.tar");
    env.ok(&["export", "-o", export.to_str().unwrap(), "exited"]);
    let listing = Command::new("tar")
        .arg("-tf")
        .arg(&export)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&listing.stdout)
            .lines()
            .any(|line| line.trim_start_matches("./") == "f"),
        "{listing:?}"
    );
    env.ok(&["commit", "exited", "mounts/committed:1"]);
    assert_eq!(
        mounts_under(&env.root()),
        none,
        "after diff, export, commit"
    );
    let out = env.ok(&["run", "--rm", "mounts/committed:1", "cat", "/f"]);
    assert_eq!(out, "one\n");

    // A detached container is mounted while it runs; its monitor unmounts it when it stops.
    env.ok(&["run", "-d", "--name", "detached", IMAGE, "sleep", "60"]);
    assert_eq!(mounts_under(&env.root()).len(), 1, "while it runs");
    env.ok(&["stop", "-t", "1", "detached"]);
    assert_eq!(mounts_under(&env.root()), none, "after stop");
    env.ok(&["rm", "created", "exited", "detached"]);
}

#[test]
fn system_check_names_a_stray_mount() {
    let env = Env::new();
    if !busybox_image(&env) {
        return;
    }
    let _unmounter = Unmounter(env.root());
    // A running container's mount is no problem.
    env.ok(&["run", "-d", "--name", "running", IMAGE, "sleep", "60"]);
    env.ok(&["system", "check"]);

    let stray = std::fs::canonicalize(env.root())
        .unwrap()
        .join("berth/containers/stray");
    std::fs::create_dir_all(&stray).unwrap();
    let status = Command::new("mount")
        .args(["-t", "tmpfs", "stray"])
        .arg(&stray)
        .status()
        .unwrap();
    assert!(status.success(), "mount tmpfs");
    let out = env.berth().args(["system", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "{0} is mounted but belongs to no running container (unmount it with: umount {0})\n",
            stray.display()
        )
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(": 1 problem(s)"),
        "{}",
        render(&out)
    );
    let status = Command::new("umount").arg(&stray).status().unwrap();
    assert!(status.success(), "umount");
    env.ok(&["system", "check"]);
    env.ok(&["rm", "-f", "running"]);
}

/// A layer tar of regular files `(path, content)`.
fn layer(files: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o644);
        header.set_mtime(1_600_000_000);
        header.set_size(content.len() as u64);
        builder
            .append_data(&mut header, path, content.as_bytes())
            .unwrap();
    }
    builder.into_inner().unwrap()
}

/// A docker-archive of `layers` (base first) tagged `reference`, for `berth load`.
fn docker_archive(env: &Env, reference: &str, layers: &[Vec<u8>]) -> PathBuf {
    let sha256 = |bytes: &[u8]| {
        use sha2::Digest as _;
        format!("{:x}", sha2::Sha256::digest(bytes))
    };
    let mut builder = tar::Builder::new(Vec::new());
    let append = |builder: &mut tar::Builder<Vec<u8>>, path: &str, bytes: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o644);
        header.set_size(bytes.len() as u64);
        builder.append_data(&mut header, path, bytes).unwrap();
    };
    let mut diff_ids = Vec::new();
    let mut paths = Vec::new();
    for layer in layers {
        let hex = sha256(layer);
        let path = format!("{hex}/layer.tar");
        append(&mut builder, &path, layer);
        diff_ids.push(format!("sha256:{hex}"));
        paths.push(path);
    }
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": ["PATH=/bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .unwrap();
    let config_path = format!("{}.json", sha256(&config));
    append(&mut builder, &config_path, &config);
    let manifest = serde_json::to_vec(&serde_json::json!([{
        "Config": config_path,
        "RepoTags": [reference],
        "Layers": paths,
    }]))
    .unwrap();
    append(&mut builder, "manifest.json", &manifest);
    let archive = env.path(&format!("{}.tar", reference.replace(['/', ':'], "-")));
    std::fs::write(&archive, builder.into_inner().unwrap()).unwrap();
    archive
}

/// Issue #13 item 5: 36 or more layers made overlay mount options longer than a page, and every
/// layer was copied instead ("overlayfs is unavailable"). An image of 128 layers runs on overlayfs.
#[test]
fn an_image_of_128_layers_runs_on_overlayfs() {
    let env = Env::new();
    if !crate::common::require("busybox") || !crate::common::require("runc") {
        return;
    }
    let _unmounter = Unmounter(env.root());
    let tree = crate::common::busybox_tree(&env, "base-tree", &["sh", "cat", "ls", "wc", "grep"]);
    let base = env.path("base.tar");
    crate::common::tar_tree(&tree, &base, "");
    let mut layers = vec![std::fs::read(&base).unwrap()];
    for index in 1..128 {
        let name = format!("layers/{index:03}");
        let mut files = vec![(name.as_str(), "layer\n")];
        if index == 127 {
            files.push(("top", "the top layer\n"));
        }
        layers.push(layer(&files));
    }
    let archive = docker_archive(&env, "mounts/layers:128", &layers);
    env.ok(&["load", "-q", "-i", archive.to_str().unwrap()]);
    let out = env
        .berth()
        .args([
            "run",
            "--rm",
            "mounts/layers:128",
            "sh",
            "-c",
            "cat /top; ls /layers | wc -l; grep -c ' / / .* - overlay ' /proc/self/mountinfo",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", render(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "the top layer\n127\n1\n",
        "{}",
        render(&out)
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("copying"),
        "{}",
        render(&out)
    );
    assert_eq!(mounts_under(&env.root()), Vec::<PathBuf>::new());
}
