//! What every command needs: the global flags and a lazily opened store.

use std::{cell::OnceCell, path::PathBuf};

use anyhow::Context as _;
use berth_store::Store;

use crate::args::GlobalArgs;

pub struct Ctx {
    pub global: GlobalArgs,
    store: OnceCell<Store>,
}

impl Ctx {
    pub fn new(global: GlobalArgs) -> Ctx {
        Ctx {
            global,
            store: OnceCell::new(),
        }
    }

    /// The store root: `--root`, `$BERTH_ROOT`, else `/var/lib/berth` for root and the XDG data dir otherwise.
    pub fn root(&self) -> PathBuf {
        if let Some(root) = &self.global.root {
            return root.clone();
        }
        if rustix_is_root() {
            return PathBuf::from("/var/lib/berth");
        }
        let data = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .unwrap_or_else(|| {
                PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/".into()))
                    .join(".local/share")
            });
        data.join("berth")
    }

    /// The client config directory: `--config`, `$BERTH_CONFIG`, else `$DOCKER_CONFIG` or `~/.docker`,
    /// so berth and docker share logins.
    pub fn config_dir(&self) -> PathBuf {
        if let Some(config) = &self.global.config {
            return config.clone();
        }
        if let Some(dir) = std::env::var_os("DOCKER_CONFIG") {
            return PathBuf::from(dir);
        }
        PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/".into())).join(".docker")
    }

    pub fn store(&self) -> anyhow::Result<&Store> {
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let root = self.root();
        let store = Store::open(&root)
            .with_context(|| format!("failed to open the image store at {}", root.display()))?;
        Ok(self.store.get_or_init(|| store))
    }
}

fn rustix_is_root() -> bool {
    rustix::process::geteuid().is_root()
}
