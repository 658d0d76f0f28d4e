//! berth-registry: the OCI distribution client, and the only async crate of berth.
//!
//! Everything berth does with a registry goes through [`Client`]: `pull` and `push` between a
//! registry and the [`berth_store::Store`], `search` (Docker Hub's v1 API, or the catalog of a
//! private registry), tag lists, and `login` / `logout` against the Docker client config, so
//! `docker login` and `berth login` share credentials.
//!
//! Every byte a registry sends is untrusted. Manifests are capped at 4 MiB and verified against
//! the digest asked for and the `Docker-Content-Digest` header, then parsed strictly
//! (`berth_manifest::parse_document`); blobs are checked for size while streaming and for digest
//! before they become visible in the store; each layer is decompressed once on the way in and its
//! diff_id compared with the image config. Credentials go only to the registry's own origin and to
//! a token realm that passed validation: redirects are followed by hand and lose `Authorization`
//! when they leave the origin.
//!
//! The library never prints: progress is a stream of [`Event`]s the CLI renders.
//!
//! Pushing an image to a registry and pulling it into another store (the registry here is the
//! CNCF distribution registry, `docker-registry`, started on loopback by the hidden lines):
//!
//! ```
//! use berth_reference::Reference;
//! use berth_registry::{Client, ClientOptions, Event, PullOptions, PushOptions};
//! use berth_store::Store;
//! # let dir = tempfile::tempdir().unwrap();
//! # let registry = start_registry(dir.path());
//! # let store = Store::open(&dir.path().join("store")).unwrap();
//! # let mut layer = tar::Builder::new(Vec::new());
//! # let mut header = tar::Header::new_gnu();
//! # header.set_size(6);
//! # header.set_mode(0o644);
//! # layer.append_data(&mut header, "etc/motd", &b"hello\n"[..]).unwrap();
//! # let layer = layer.into_inner().unwrap();
//! # let name = Reference::parse(&format!("{registry}/app:1.0")).unwrap();
//! # let options = berth_archive::ImportOptions { reference: Some(name), ..Default::default() };
//! # berth_archive::import(&store, &layer[..], &options).unwrap();
//!
//! // `registry` is `127.0.0.1:PORT`; `store` holds `127.0.0.1:PORT/app:1.0`.
//! let reference = Reference::parse(&format!("{registry}/app:1.0")).unwrap();
//! let client = Client::new(ClientOptions {
//!     // Credentials are read from here (Docker's config.json), never from the real home.
//!     docker_config: Some(dir.path().join("docker/config.json")),
//!     config_dir: Some(dir.path().join("berth")),
//!     ..ClientOptions::default()
//! })
//! .unwrap();
//! let runtime = tokio::runtime::Runtime::new().unwrap();
//! let pushed = runtime
//!     .block_on(client.push(&store, &reference, &PushOptions::default(), |_: Event| {}))
//!     .unwrap();
//!
//! // Every byte of the pull is verified: manifest, config, each layer's digest and diff_id.
//! let other = Store::open(&dir.path().join("other")).unwrap();
//! let pulled = runtime
//!     .block_on(client.pull(&other, &reference, &PullOptions::default(), |_: Event| {}))
//!     .unwrap();
//! assert_eq!(pulled.digest(), Some(&pushed.tags[0].digest));
//! assert_eq!(
//!     other.resolve(&reference.to_string()).unwrap().id,
//!     store.resolve(&reference.to_string()).unwrap().id
//! );
//! # fn start_registry(dir: &std::path::Path) -> Registry {
//! #     let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
//! #     let config = dir.join("registry.yml");
//! #     let yaml = format!(
//! #         "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n\
//! #          http:\n  addr: 127.0.0.1:{port}\n",
//! #         dir.join("registry").display()
//! #     );
//! #     std::fs::write(&config, yaml).unwrap();
//! #     let child = std::process::Command::new("docker-registry")
//! #         .arg("serve")
//! #         .arg(&config)
//! #         .stdout(std::process::Stdio::null())
//! #         .spawn()
//! #         .expect("docker-registry (Debian package docker-registry; cargo xtask test installs it)");
//! #     let registry = Registry(child, format!("127.0.0.1:{port}"));
//! #     for _ in 0..400 {
//! #         if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
//! #             return registry;
//! #         }
//! #         std::thread::sleep(std::time::Duration::from_millis(50));
//! #     }
//! #     panic!("docker-registry did not start");
//! # }
//! # struct Registry(std::process::Child, String);
//! # impl std::fmt::Display for Registry {
//! #     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(&self.1) }
//! # }
//! # impl Drop for Registry {
//! #     fn drop(&mut self) { let _ = self.0.kill(); let _ = self.0.wait(); }
//! # }
//! ```
//!
//! Reading order: errors, progress events, the Docker client config and berth's hosts config,
//! challenges and tokens, the client and its authentication, then the operations.

mod error;
mod progress;

mod config;
mod hosts;

mod address;
mod auth;
mod challenge;
mod client;
mod token;

mod blob;
mod blocking;
mod login;
mod pull;
mod push;
mod search;
mod sources;
mod upload;

pub use address::{check_url, GuardedResolver, Refused};
pub use client::{Client, ClientOptions};
pub use config::{
    auth_key, convert_to_hostname, default_docker_config_path, Credentials, DockerConfig,
};
pub use error::{Error, RegistryErrorDetail, Result};
pub use hosts::{
    is_loopback_host, HostsConfig, DOCKER_HUB_API_HOST, DOCKER_HUB_AUTH_KEY, DOCKER_HUB_DOMAIN,
    DOCKER_HUB_INDEX_HOST, REGISTRIES_FILE,
};
pub use login::{LoginOutcome, LogoutOutcome};
pub use progress::{Event, LayerProgress, LayerStatus};
pub use pull::{PullOptions, PullResult, PullStatus, PulledImage, DEFAULT_CONCURRENCY};
pub use push::{
    PushOptions, PushResult, PushedTag, UploadMode, DEFAULT_CHUNK_SIZE, DEFAULT_PUSH_CONCURRENCY,
};
pub use search::{SearchFilters, SearchOptions, SearchResult, DEFAULT_SEARCH_LIMIT};
