//! The image config as Docker and OCI write it, lossless.
//!
//! Why not `oci_spec::image::ImageConfiguration`: Docker configs carry keys OCI does not know
//! (`Healthcheck`, `OnBuild`, `Shell`, `docker_version`, `container_config`, ...), oci-spec drops
//! them, and it keeps labels, ports and volumes in `HashMap`s whose order changes from run to
//! run, which would change the image ID of a config we build. So berth has its own types:
//! the fields berth reads are typed, everything else lands in an `extra` map and is written back
//! unchanged. [`ImageConfig::to_oci`] gives the oci-spec view when a caller wants it.
//!
//! Writing: the top-level keys come out sorted (Docker marshals the image through a map, so its
//! configs look like that too); nested objects keep Docker's field order; empty fields are
//! omitted. Never re-serialize a config you did not build: the image ID is the digest of the
//! bytes as they arrived.

use std::collections::BTreeMap;

use berth_digest::Digest;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::Error;

/// An image config (`application/vnd.oci.image.config.v1+json` or Docker's).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ImageConfig {
    #[serde(default, deserialize_with = "null_default")]
    pub architecture: String,
    #[serde(default, deserialize_with = "null_default")]
    pub os: String,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(rename = "os.version", default)]
    pub os_version: Option<String>,
    #[serde(rename = "os.features", default)]
    pub os_features: Option<Vec<String>>,
    /// RFC 3339, as written (Docker writes nanoseconds).
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    /// Docker's top-level comment (`docker import -m`); OCI has none.
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub config: Option<ContainerConfig>,
    pub rootfs: RootFs,
    #[serde(default, deserialize_with = "null_default")]
    pub history: Vec<History>,
    /// Keys berth does not model (`docker_version`, `container`, `container_config`, `parent`, ...).
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `rootfs`: the uncompressed layer digests, base first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RootFs {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, deserialize_with = "null_default")]
    pub diff_ids: Vec<Digest>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl Default for RootFs {
    fn default() -> Self {
        RootFs {
            kind: ROOTFS_TYPE_LAYERS.to_owned(),
            diff_ids: Vec::new(),
            extra: BTreeMap::new(),
        }
    }
}

/// The only `rootfs.type` the specs define.
pub const ROOTFS_TYPE_LAYERS: &str = "layers";

/// One `history` entry, in Docker's field order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_false"
    )]
    pub empty_layer: bool,
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `config`: how to run a container, with Docker's extensions.
///
/// Field order is Docker's `container.Config`; empty fields are omitted on output
/// (as Docker's OCI-style configs do). Ports and volumes are Go `map[string]struct{}` sets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerConfig {
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub user: String,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub exposed_ports: BTreeMap<String, Value>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub env: Vec<String>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cmd: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_false"
    )]
    pub args_escaped: bool,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub volumes: BTreeMap<String, Value>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub working_dir: String,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub entrypoint: Vec<String>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub on_build: Vec<String>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "String::is_empty"
    )]
    pub stop_signal: String,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub shell: Vec<String>,
    /// Docker-only keys berth does not model (`Hostname`, `Tty`, `Image`, `StopTimeout`, ...).
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `config.Healthcheck`; durations are integer nanoseconds (Go `time.Duration`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    /// `[]` inherit, `["NONE"]`, `["CMD", args...]`, `["CMD-SHELL", command]`.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub test: Vec<String>,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_zero"
    )]
    pub interval: i64,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_zero"
    )]
    pub timeout: i64,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_zero"
    )]
    pub start_period: i64,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_zero"
    )]
    pub start_interval: i64,
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_zero"
    )]
    pub retries: i64,
}

impl ImageConfig {
    /// Canonical bytes: compact JSON, top-level keys sorted, nested objects in field order.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut fields: BTreeMap<&str, Box<serde_json::value::RawValue>> = BTreeMap::new();
        for (key, value) in &self.extra {
            fields.insert(key, raw(value));
        }
        fields.insert("architecture", raw(&self.architecture));
        fields.insert("os", raw(&self.os));
        put(&mut fields, "variant", self.variant.as_ref());
        put(&mut fields, "os.version", self.os_version.as_ref());
        put(&mut fields, "os.features", self.os_features.as_ref());
        put(&mut fields, "created", self.created.as_ref());
        put(
            &mut fields,
            "author",
            self.author.as_ref().filter(|a| !a.is_empty()),
        );
        put(
            &mut fields,
            "comment",
            self.comment.as_ref().filter(|c| !c.is_empty()),
        );
        put(&mut fields, "config", self.config.as_ref());
        fields.insert("rootfs", raw(&self.rootfs));
        if !self.history.is_empty() {
            fields.insert("history", raw(&self.history));
        }
        serde_json::to_vec(&fields).expect("a map of raw JSON values always serializes")
    }

    /// The digest of [`to_bytes`](Self::to_bytes): the image ID of a config berth builds.
    pub fn digest(&self) -> Digest {
        Digest::sha256(&self.to_bytes())
    }

    /// The oci-spec view (drops Docker-only keys).
    pub fn to_oci(&self) -> Result<oci_spec::image::ImageConfiguration, Error> {
        serde_json::from_slice(&self.to_bytes()).map_err(|source| Error::Json {
            what: "image config",
            source,
        })
    }

    /// A Docker-only top-level string such as `docker_version`, if present and a string.
    pub fn extra_str(&self, key: &str) -> Option<&str> {
        self.extra.get(key).and_then(Value::as_str)
    }

    /// The comment Docker shows for the image: the top-level one, else the last history entry's.
    pub fn display_comment(&self) -> &str {
        match self.comment.as_deref() {
            Some(comment) if !comment.is_empty() => comment,
            _ => self
                .history
                .last()
                .and_then(|h| h.comment.as_deref())
                .unwrap_or_default(),
        }
    }
}

impl Serialize for ImageConfig {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = serde_json::value::RawValue::from_string(
            String::from_utf8(self.to_bytes()).map_err(serde::ser::Error::custom)?,
        )
        .map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl ContainerConfig {
    /// The oci-spec view (drops `Healthcheck`, `OnBuild`, `Shell` and other Docker-only keys).
    pub fn to_oci(&self) -> oci_spec::image::Config {
        let mut config = oci_spec::image::Config::default();
        let non_empty_vec = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
        let non_empty_str = |s: &String| (!s.is_empty()).then(|| s.clone());
        config.set_user(non_empty_str(&self.user));
        config.set_exposed_ports(
            (!self.exposed_ports.is_empty()).then(|| self.exposed_ports.keys().cloned().collect()),
        );
        config.set_env(non_empty_vec(&self.env));
        config.set_entrypoint(non_empty_vec(&self.entrypoint));
        config.set_cmd(non_empty_vec(&self.cmd));
        config.set_volumes(
            (!self.volumes.is_empty()).then(|| self.volumes.keys().cloned().collect()),
        );
        config.set_working_dir(non_empty_str(&self.working_dir));
        config.set_labels((!self.labels.is_empty()).then(|| {
            self.labels
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        }));
        config.set_stop_signal(non_empty_str(&self.stop_signal));
        config
    }

    /// From the oci-spec type.
    pub fn from_oci(config: &oci_spec::image::Config) -> ContainerConfig {
        let set = |v: Option<&Vec<String>>| {
            v.into_iter()
                .flatten()
                .map(|k| (k.clone(), empty_object()))
                .collect()
        };
        ContainerConfig {
            user: config.user().clone().unwrap_or_default(),
            exposed_ports: set(config.exposed_ports().as_ref()),
            env: config.env().clone().unwrap_or_default(),
            cmd: config.cmd().clone().unwrap_or_default(),
            volumes: set(config.volumes().as_ref()),
            working_dir: config.working_dir().clone().unwrap_or_default(),
            entrypoint: config.entrypoint().clone().unwrap_or_default(),
            labels: config
                .labels()
                .iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            stop_signal: config.stop_signal().clone().unwrap_or_default(),
            ..ContainerConfig::default()
        }
    }
}

/// `{}`, the value of a Go `map[string]struct{}` entry.
pub(crate) fn empty_object() -> Value {
    Value::Object(serde_json::Map::new())
}

fn raw<T: Serialize + ?Sized>(value: &T) -> Box<serde_json::value::RawValue> {
    serde_json::value::to_raw_value(value).expect("config fields always serialize")
}

fn put<T: Serialize>(
    fields: &mut BTreeMap<&str, Box<serde_json::value::RawValue>>,
    key: &'static str,
    value: Option<&T>,
) {
    match value {
        Some(value) => {
            fields.insert(key, raw(value));
        }
        None => {
            fields.remove(key);
        }
    }
}

/// Go writes `null` for nil slices and maps; read it as empty.
pub(crate) fn null_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_false(value: &bool) -> bool {
    !*value
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(value: &i64) -> bool {
    *value == 0
}
