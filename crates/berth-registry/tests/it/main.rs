//! Integration tests of berth-registry against real peers on loopback: the CNCF distribution
//! registry (plain HTTP, TLS + htpasswd, token auth with a test token server), skopeo as the
//! oracle, and small hostile servers. Nothing leaves 127.0.0.1.

mod fake;
mod harness;
mod image;

mod auth;
mod hostile;
mod login;
mod resume;
mod roundtrip;
mod search;

use std::path::Path;

use berth_registry::{Client, ClientOptions, Event};
use berth_store::Store;

/// A client that reads its Docker config and berth config from `dir` only.
pub fn client_in(dir: &Path) -> Client {
    Client::new(test_options(dir)).expect("client")
}

pub fn test_options(dir: &Path) -> ClientOptions {
    ClientOptions {
        config_dir: Some(dir.join("berth-config")),
        docker_config: Some(dir.join("docker").join("config.json")),
        read_timeout: std::time::Duration::from_secs(5),
        retry_delay: std::time::Duration::from_millis(10),
        ..ClientOptions::default()
    }
}

pub fn store_in(dir: &Path, name: &str) -> Store {
    Store::open(&dir.join(name)).expect("store")
}

/// Collects progress events.
#[derive(Default, Clone)]
pub struct Events(pub std::sync::Arc<std::sync::Mutex<Vec<Event>>>);

impl Events {
    pub fn sink(&self) -> impl FnMut(Event) + '_ {
        move |event| self.0.lock().unwrap().push(event)
    }
    pub fn statuses(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                Event::Layer(p) => Some(format!("{}: {}", p.id, p.status.docker_text())),
                _ => None,
            })
            .collect()
    }
}
