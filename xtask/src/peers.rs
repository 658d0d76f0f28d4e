//! The real peers the test suites drive: installed from Debian's packages when missing.

use std::process::Command;

use anyhow::{bail, Context};

use crate::util::{have, run};

/// Debian package -> a binary it provides.
const PEERS: &[(&str, &str)] = &[
    ("docker-registry", "docker-registry"),
    ("runc", "runc"),
    ("crun", "crun"),
    ("skopeo", "skopeo"),
    ("umoci", "umoci"),
    ("openssl", "openssl"),
    ("apache2-utils", "htpasswd"),
    ("busybox-static", "busybox"),
    ("zstd", "zstd"),
    ("bzip2", "bzip2"),
    ("xz-utils", "xz"),
    // The real Docker engine (20.10 on bookworm, with containerd and tini: 62 MB, about 15 s) for
    // tests/it/docker.rs, which starts a dockerd of its own on a private socket. On the project's
    // machines policy-rc.d keeps apt from starting the system service; where apt does start it,
    // the tests neither use nor disturb it.
    ("docker.io", "dockerd"),
    // A build's default network (berth-container's UserNetwork) and its tests.
    ("slirp4netns", "slirp4netns"),
    // The Debian minbase base image of the build tests and the bench (tests/support/debian_minbase.rs).
    ("debootstrap", "debootstrap"),
    // The second builder the build corpus (tests/it/build_corpus) compares with BuildKit: daemonless,
    // run with --isolation chroot on a store of its own (Debian bookworm: buildah 1.28).
    ("buildah", "buildah"),
];

/// What `cargo xtask bench` needs beside the test peers: hyperfine times the commands; buildah
/// builds beside `berth build`.
pub const BENCH_PEERS: &[(&str, &str)] = &[("hyperfine", "hyperfine"), ("buildah", "buildah")];

/// Installs every missing test peer with one `apt-get update` and one `apt-get install`.
pub fn ensure_installed() -> anyhow::Result<()> {
    ensure_installed_with(&[])
}

/// [`ensure_installed`], and the `extra` peers too (Debian package, binary).
pub fn ensure_installed_with(extra: &[(&'static str, &'static str)]) -> anyhow::Result<()> {
    let missing: Vec<&str> = PEERS
        .iter()
        .chain(extra)
        .filter(|(_, bin)| !have(bin))
        .map(|(pkg, _)| *pkg)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("installing missing test peers: {}", missing.join(" "));
    if !is_root() {
        bail!("the test peers {missing:?} are missing and only root can install them: apt-get install -y {}", missing.join(" "));
    }
    run(Command::new("apt-get").args(["update", "-q"])).context("apt-get update failed")?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
    .context("apt-get install failed")?;
    Ok(())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}
