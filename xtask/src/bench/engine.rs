//! A Docker engine of the bench's own (its BuildKit is the peer of `berth build`), on a private
//! socket under the scratch directory; stopped, unmounted and removed when dropped.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context as _};

use super::quote;

pub struct Engine {
    child: Child,
    dir: PathBuf,
    socket: PathBuf,
}

impl Engine {
    pub fn start(dir: &Path) -> anyhow::Result<Engine> {
        std::fs::create_dir_all(dir)?;
        let socket = dir.join("docker.sock");
        let log = std::fs::File::create(dir.join("dockerd.log"))?;
        let child = Command::new("dockerd")
            .arg("--data-root")
            .arg(dir.join("data"))
            .arg("--exec-root")
            .arg(dir.join("exec"))
            .arg("--pidfile")
            .arg(dir.join("dockerd.pid"))
            .arg("-H")
            .arg(format!("unix://{}", socket.display()))
            .args([
                "--iptables=false",
                "--bridge=none",
                "--storage-driver=overlay2",
            ])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("failed to start dockerd")?;
        let engine = Engine {
            child,
            dir: dir.to_owned(),
            socket,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let ready = Command::new("/usr/bin/docker")
                .args(["-H", &engine.host(), "info"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|status| status.success());
            if ready {
                return Ok(engine);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        bail!(
            "dockerd did not answer within 60 s (log: {})",
            dir.join("dockerd.log").display()
        )
    }

    pub fn host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// The Docker 20.10 client (BuildKit built in) pointed at this engine, as a shell prefix.
    pub fn docker(&self) -> String {
        format!(
            "DOCKER_BUILDKIT=1 /usr/bin/docker -H {}",
            quote(&self.host())
        )
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        let containerd = std::fs::read_to_string(self.dir.join("exec/containerd/containerd.pid"))
            .unwrap_or_default();
        if !containerd.trim().is_empty() {
            let _ = Command::new("kill").arg(containerd.trim()).status();
        }
        super::unmount_under(&self.dir);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
