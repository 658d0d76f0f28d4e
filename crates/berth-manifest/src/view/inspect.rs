//! The facts behind `docker image inspect`.
//!
//! `berth inspect` prints Docker 20.10's `types.ImageInspect`, the typed value its templates run
//! over (`berth-cli`'s `commands/inspect/typed.rs`, every key in 20.10's order); [`InspectView`]
//! supplies that value's facts: ID, names, parent, config, sizes, times.
//!
//! Its own serialization (used by the tests that compare its values with Docker's fixture) follows
//! moby's newer `api/types/image.InspectResponse`: `Parent` and `DockerVersion` appear only when
//! non-empty, and then every object's keys come out sorted, as moby re-encodes through a Go map.

use std::collections::BTreeMap;

use berth_digest::Digest;
use serde::{Serialize, Serializer};
use serde_json::Value;
use time::OffsetDateTime;

use crate::config::{ContainerConfig, Healthcheck, ImageConfig};
use crate::timefmt::{format_rfc3339_nano, parse_rfc3339, GO_ZERO_TIME};

/// What the store knows about an image.
#[derive(Debug, Clone)]
pub struct ImageFacts {
    /// The image ID (config digest).
    pub id: Digest,
    /// Familiar `repo:tag` names.
    pub repo_tags: Vec<String>,
    /// Familiar `repo@sha256:…` names.
    pub repo_digests: Vec<String>,
    /// Legacy parent image (`commit`: the container's image; `load`: a docker-archive `Parent`).
    pub parent: Option<Digest>,
    pub config: ImageConfig,
    /// Total uncompressed size of the layers.
    pub size: u64,
    /// When a tag last moved to this image.
    pub last_tag_time: Option<OffsetDateTime>,
}

/// One element of the `image inspect` array.
#[derive(Debug, Clone, PartialEq)]
pub struct InspectView {
    pub body: InspectBody,
    /// Legacy `Parent` (omitted when empty).
    pub parent: String,
    /// Legacy `DockerVersion` from the config's `docker_version` (omitted when empty).
    pub docker_version: String,
}

/// The fields every inspect has, in Docker's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InspectBody {
    #[serde(rename = "Id")]
    pub id: String,
    pub repo_tags: Vec<String>,
    pub repo_digests: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub comment: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub created: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub author: String,
    pub config: InspectConfig,
    pub architecture: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub variant: String,
    pub os: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub os_version: String,
    pub size: u64,
    #[serde(rename = "RootFS")]
    pub root_fs: InspectRootFs,
    pub metadata: InspectMetadata,
}

/// Docker's `DockerOCIImageConfig`, empty fields omitted.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InspectConfig {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub exposed_ports: BTreeMap<String, Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entrypoint: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cmd: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub volumes: BTreeMap<String, Value>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub working_dir: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub stop_signal: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub args_escaped: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub on_build: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shell: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectRootFs {
    #[serde(rename = "Type", skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(rename = "Layers", skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectMetadata {
    /// RFC 3339 nanoseconds; Go's zero time when never tagged.
    #[serde(rename = "LastTagTime")]
    pub last_tag_time: String,
}

impl From<&ContainerConfig> for InspectConfig {
    fn from(c: &ContainerConfig) -> Self {
        InspectConfig {
            user: c.user.clone(),
            exposed_ports: c.exposed_ports.clone(),
            env: c.env.clone(),
            entrypoint: c.entrypoint.clone(),
            cmd: c.cmd.clone(),
            volumes: c.volumes.clone(),
            working_dir: c.working_dir.clone(),
            labels: c.labels.clone(),
            stop_signal: c.stop_signal.clone(),
            args_escaped: c.args_escaped,
            healthcheck: c.healthcheck.clone(),
            on_build: c.on_build.clone(),
            shell: c.shell.clone(),
        }
    }
}

impl InspectView {
    /// Builds the view from what the store knows.
    pub fn new(facts: &ImageFacts) -> InspectView {
        let config = &facts.config;
        let created = config.created.as_deref().map_or_else(String::new, |raw| {
            parse_rfc3339(raw).map_or_else(|_| raw.to_owned(), format_rfc3339_nano)
        });
        InspectView {
            body: InspectBody {
                id: facts.id.to_string(),
                repo_tags: facts.repo_tags.clone(),
                repo_digests: facts.repo_digests.clone(),
                comment: config.display_comment().to_owned(),
                created,
                author: config.author.clone().unwrap_or_default(),
                config: config
                    .config
                    .as_ref()
                    .map(InspectConfig::from)
                    .unwrap_or_default(),
                architecture: config.architecture.clone(),
                variant: config.variant.clone().unwrap_or_default(),
                os: config.os.clone(),
                os_version: config.os_version.clone().unwrap_or_default(),
                size: facts.size,
                root_fs: InspectRootFs {
                    kind: config.rootfs.kind.clone(),
                    layers: config
                        .rootfs
                        .diff_ids
                        .iter()
                        .map(ToString::to_string)
                        .collect(),
                },
                metadata: InspectMetadata {
                    last_tag_time: facts
                        .last_tag_time
                        .map_or_else(|| GO_ZERO_TIME.to_owned(), format_rfc3339_nano),
                },
            },
            parent: facts
                .parent
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            docker_version: config
                .extra_str("docker_version")
                .unwrap_or_default()
                .to_owned(),
        }
    }
}

impl Serialize for InspectView {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.parent.is_empty() && self.docker_version.is_empty() {
            return self.body.serialize(serializer);
        }
        let mut value = serde_json::to_value(&self.body).map_err(serde::ser::Error::custom)?;
        if let Value::Object(map) = &mut value {
            for (key, extra) in [
                ("Parent", &self.parent),
                ("DockerVersion", &self.docker_version),
            ] {
                if !extra.is_empty() {
                    map.insert(key.to_owned(), Value::String(extra.clone()));
                }
            }
        }
        Sorted(&value).serialize(serializer)
    }
}

/// A JSON value with every object's keys sorted, as Go's `map[string]any` encodes.
struct Sorted<'a>(&'a Value);

impl Serialize for Sorted<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Object(map) => {
                let sorted: BTreeMap<&String, &Value> = map.iter().collect();
                let mut out = serializer.serialize_map(Some(sorted.len()))?;
                for (key, value) in sorted {
                    out.serialize_entry(key, &Sorted(value))?;
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    out.serialize_element(&Sorted(item))?;
                }
                out.end()
            }
            other => other.serialize(serializer),
        }
    }
}
