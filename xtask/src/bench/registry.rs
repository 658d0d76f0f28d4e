//! Two CNCF distribution registries on loopback, plain HTTP: one holds the image to pull, the other
//! receives pushes and is emptied before every push.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context as _};

pub struct Registry {
    child: Child,
    pub port: u16,
    /// The filesystem driver's root: deleting `<storage>/docker` empties the registry.
    pub storage: PathBuf,
}

pub struct Pair {
    pub source: Registry,
    pub target: Registry,
}

impl Pair {
    pub fn start(scratch: &Path) -> anyhow::Result<Pair> {
        Ok(Pair {
            source: Registry::start(scratch, "registry-source")?,
            target: Registry::start(scratch, "registry-target")?,
        })
    }
}

impl Registry {
    fn start(scratch: &Path, name: &str) -> anyhow::Result<Registry> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let storage = scratch.join(name);
        std::fs::create_dir_all(&storage)?;
        let config = scratch.join(format!("{name}.yml"));
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
                storage.display()
            ),
        )?;
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("failed to start docker-registry")?;
        let registry = Registry {
            child,
            port,
            storage,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("docker-registry did not start on 127.0.0.1:{port}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("bench: started the CNCF registry on 127.0.0.1:{port} ({name})");
        Ok(registry)
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
