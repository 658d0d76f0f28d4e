//! The four builders, each driven with the same context and flags, each giving its image back as a
//! docker archive: Docker 20.10's BuildKit (`DOCKER_BUILDKIT=1 docker build --network host`, the
//! engine has no bridge; `docker save`), its legacy builder (`DOCKER_BUILDKIT=0`, the same
//! otherwise), buildah (`buildah bud --isolation chroot --layers` on its
//! own vfs store; `buildah push docker-archive:`) and berth (`berth build`; `berth save`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{render, Env};

use super::world::Case;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// The builders compared with the oracle, BuildKit.
pub enum Tool {
    Legacy,
    Buildah,
    Berth,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::Legacy => "legacy",
            Tool::Buildah => "buildah",
            Tool::Berth => "berth",
        }
    }
}

/// What a build gave: its output, and the image as a docker archive when it succeeded.
pub struct Built {
    pub output: Output,
    pub archive: Option<PathBuf>,
}

impl Built {
    pub fn text(&self) -> String {
        render(&self.output)
    }
}

/// The flags every tool gets: the case's `args`, and `-f Dockerfile.twin` for the oracles of a
/// twin case.
fn flags(case: &Case, context: &Path, oracle: bool) -> Vec<String> {
    let mut flags = super::world::World::args(case, context);
    if oracle && case.twin.is_some() {
        flags.push("-f".to_owned());
        flags.push(context.join("Dockerfile.twin").display().to_string());
    }
    flags
}

/// BuildKit in the run's dockerd; `tag` names the image (`extra` adds flags, e.g. `--no-cache`).
pub fn buildkit(case: &Case, context: &Path, out: &Path, tag: &str, extra: &[&str]) -> Built {
    docker_build(true, case, context, out, tag, extra)
}

/// The legacy builder in the run's dockerd (the corpus's own, so its cache is the corpus's alone).
pub fn legacy(case: &Case, context: &Path, out: &Path, tag: &str) -> Built {
    docker_build(false, case, context, out, tag, &[])
}

/// `docker build` with BuildKit or the legacy builder (which takes no `--progress`); the image is
/// saved, then removed from the dockerd.
fn docker_build(
    buildkit: bool,
    case: &Case,
    context: &Path,
    out: &Path,
    tag: &str,
    extra: &[&str],
) -> Built {
    let docker = super::corpus_dockerd();
    let mut build = docker.docker();
    build
        .env("DOCKER_BUILDKIT", if buildkit { "1" } else { "0" })
        .args(["build", "--network", "host", "-t", tag]);
    if buildkit {
        build.args(["--progress", "plain"]);
    }
    let output = build
        .args(extra)
        .args(flags(case, context, true))
        .arg(context)
        .output()
        .expect("run docker build");
    let which = if buildkit { "buildkit" } else { "legacy" };
    let archive = out.join(format!("{}.{which}.tar", tag.replace(['/', ':'], "-")));
    let built = saved(output, docker.docker(), tag, archive, "docker save");
    let _ = docker.docker().args(["rmi", tag]).output();
    built
}

/// buildah with its own store under `root` (`driver`: overlay where it mounts, else vfs) and chroot
/// isolation (no user namespace or runc needed);
/// `--tls-verify=false` for the loopback registry, `--layers` for one layer per step as Docker.
pub fn buildah(
    case: &Case,
    context: &Path,
    (root, driver): (&Path, &str),
    out: &Path,
    tag: &str,
) -> Built {
    let base = || {
        let mut cmd = Command::new("buildah");
        cmd.arg("--root")
            .arg(root.join("storage"))
            .arg("--runroot")
            .arg(root.join("run"))
            .args(["--storage-driver", driver])
            .env("BUILDAH_ISOLATION", "chroot");
        cmd
    };
    let output = base()
        .args([
            "bud",
            "--isolation",
            "chroot",
            "--tls-verify=false",
            "--network",
            "host",
        ])
        .args(["--layers", "--format", "docker", "-t", tag])
        .args(flags(case, context, true))
        .arg(context)
        .output()
        .expect("run buildah bud");
    if !output.status.success() {
        return Built {
            output,
            archive: None,
        };
    }
    let archive = out.join(format!("{}.buildah.tar", tag.replace(['/', ':'], "-")));
    let pushed = base()
        .args(["push", "--quiet", tag])
        .arg(format!("docker-archive:{}:{tag}", archive.display()))
        .output()
        .expect("run buildah push");
    assert!(
        pushed.status.success(),
        "buildah push {tag}:\n{}",
        render(&pushed)
    );
    Built {
        output,
        archive: Some(archive),
    }
}

/// berth in `env`'s store.
pub fn berth(case: &Case, context: &Path, env: &Env, out: &Path, tag: &str) -> Built {
    let output = env
        .berth()
        .args([
            "build",
            "--network",
            "host",
            "--progress",
            "plain",
            "-t",
            tag,
        ])
        .args(flags(case, context, false))
        .arg(context)
        .output()
        .expect("run berth build");
    let archive = out.join(format!("{}.berth.tar", tag.replace(['/', ':'], "-")));
    saved(output, env.berth(), tag, archive, "berth save")
}

/// A successful build's image saved as a docker archive by `save` (`docker` or `berth`, which both
/// take `save -o FILE TAG`); a failed build as it is, with no archive.
fn saved(output: Output, mut save: Command, tag: &str, archive: PathBuf, what: &str) -> Built {
    if !output.status.success() {
        return Built {
            output,
            archive: None,
        };
    }
    let result = save
        .args(["save", "-o"])
        .arg(&archive)
        .arg(tag)
        .output()
        .unwrap_or_else(|e| panic!("run {what}: {e}"));
    assert!(
        result.status.success(),
        "{what} {tag}:\n{}",
        render(&result)
    );
    Built {
        output,
        archive: Some(archive),
    }
}
