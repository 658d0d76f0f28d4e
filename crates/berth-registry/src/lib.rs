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
    DOCKER_HUB_AUTH_KEY,
};
pub use error::{Error, RegistryErrorDetail, Result};
pub use hosts::{
    is_loopback_host, HostsConfig, DOCKER_HUB_API_HOST, DOCKER_HUB_DOMAIN, DOCKER_HUB_INDEX_HOST,
    REGISTRIES_FILE,
};
pub use login::{LoginOutcome, LogoutOutcome};
pub use progress::{Event, LayerProgress, LayerStatus};
pub use pull::{PullOptions, PullResult, PullStatus, PulledImage, DEFAULT_CONCURRENCY};
pub use push::{
    PushOptions, PushResult, PushedTag, UploadMode, DEFAULT_CHUNK_SIZE, DEFAULT_PUSH_CONCURRENCY,
};
pub use search::{SearchFilters, SearchOptions, SearchResult, DEFAULT_SEARCH_LIMIT};
