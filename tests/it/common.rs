//! Shared harness: a temporary store per test and a `berth` command builder.

use std::{path::PathBuf, process::Command};

pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    /// `berth --root <tmp>/root ...` with a clean environment.
    pub fn berth(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_berth"));
        cmd.arg("--root").arg(self.root());
        cmd.env_remove("BERTH_ROOT").env_remove("BERTH_CONFIG").env("NO_COLOR", "1");
        cmd.env("HOME", self.dir.path()).env("DOCKER_CONFIG", self.dir.path().join("docker-config"));
        cmd
    }
}

/// Exit code, stdout and stderr together, for snapshots.
pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("failed to run berth");
    format!(
        "success: {}\nexit_code: {}\n----- stdout -----\n{}\n----- stderr -----\n{}",
        out.status.success(),
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
