//! New documents: the configs of `berth import` and `berth commit`, manifests, descriptors,
//! and their canonical bytes.

use std::collections::BTreeMap;

use berth_digest::Digest;
use oci_spec::image::{Descriptor, ImageIndex, ImageManifest, MediaType};
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

use crate::change::apply_changes;
use crate::config::{ContainerConfig, History, ImageConfig, RootFs};
use crate::media_type;
use crate::platform::Platform;
use crate::timefmt::format_rfc3339_nano;
use crate::Error;

/// The diff ID of an empty tar (1024 zero bytes): a commit that changed nothing.
/// Docker then records `empty_layer` and adds no layer (moby `layer.DigestSHA256EmptyTar`).
pub const EMPTY_TAR_DIFF_ID: &str =
    "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";

/// What `berth import` knows about the new image.
#[derive(Debug, Clone)]
pub struct ImportOptions<'a> {
    pub platform: &'a Platform,
    /// Digest of the uncompressed layer tar.
    pub diff_id: Digest,
    pub created: OffsetDateTime,
    /// `-m`; when empty Docker writes `Imported from <source>`.
    pub message: Option<&'a str>,
    /// `-` for stdin and for local files (the CLI streams them), else the URL as given.
    pub source: &'a str,
    /// `-c` instructions.
    pub changes: &'a [String],
}

/// The config of an imported image, as moby's `ImportImage` builds it: platform from the options,
/// `created` in RFC 3339 nanoseconds (UTC), the comment at top level and in the one history
/// entry (which has no `created_by`), and a config made of the `--change` instructions alone.
pub fn import_config(options: &ImportOptions<'_>) -> Result<ImageConfig, Error> {
    let mut config = ContainerConfig::default();
    apply_changes(&mut config, options.changes)?;
    let comment = match options.message {
        Some(message) if !message.is_empty() => message.to_owned(),
        _ => format!("Imported from {}", options.source),
    };
    let created = format_rfc3339_nano(options.created.to_offset(time::UtcOffset::UTC));
    Ok(ImageConfig {
        architecture: options.platform.architecture.clone(),
        os: options.platform.os.clone(),
        variant: options.platform.variant.clone(),
        os_version: options.platform.os_version.clone(),
        created: Some(created.clone()),
        comment: Some(comment.clone()),
        config: Some(config),
        rootfs: RootFs {
            diff_ids: vec![options.diff_id.clone()],
            ..RootFs::default()
        },
        history: vec![History {
            created: Some(created),
            comment: Some(comment),
            ..History::default()
        }],
        ..ImageConfig::default()
    })
}

/// What `berth commit` knows about the new layer.
#[derive(Debug, Clone)]
pub struct CommitOptions<'a> {
    /// The container's config (the image's config plus the `run` overrides). Its `Cmd`,
    /// joined with spaces, becomes the history entry's `created_by`, as Docker writes it.
    pub container_config: &'a ContainerConfig,
    /// Diff ID of the container's changes; [`EMPTY_TAR_DIFF_ID`] records an empty layer.
    pub diff_id: Digest,
    pub author: &'a str,
    pub comment: &'a str,
    pub changes: &'a [String],
    pub created: OffsetDateTime,
    /// The container's ID, recorded as `container` with `container_config` as Docker records them
    /// (empty: neither is written).
    pub container_id: &'a str,
}

/// The config of a committed image, as moby's `CreateImageFromContainer` + `NewChildImage`
/// build it: the container's config with the changes applied, the base's platform and history,
/// one more history entry, and the new layer (unless it is empty), and which container it came
/// from (`container`, `container_config`: the container's config before the changes). Docker-only
/// top-level keys of the base (`container`, `docker_version`, ...) are not carried over.
pub fn commit_config(
    base: &ImageConfig,
    options: &CommitOptions<'_>,
) -> Result<ImageConfig, Error> {
    let mut config = options.container_config.clone();
    apply_changes(&mut config, options.changes)?;
    let created = format_rfc3339_nano(options.created.to_offset(time::UtcOffset::UTC));
    let empty_layer = options.diff_id.to_string() == EMPTY_TAR_DIFF_ID;
    let mut rootfs = RootFs {
        extra: base.rootfs.extra.clone(),
        ..base.rootfs.clone()
    };
    if !empty_layer {
        rootfs.diff_ids.push(options.diff_id.clone());
    }
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let mut history = base.history.clone();
    history.push(History {
        created: Some(created.clone()),
        author: non_empty(options.author),
        created_by: non_empty(&options.container_config.cmd.join(" ")),
        comment: non_empty(options.comment),
        empty_layer,
        extra: BTreeMap::new(),
    });
    let mut extra = BTreeMap::new();
    if !options.container_id.is_empty() {
        extra.insert(
            "container".to_owned(),
            Value::String(options.container_id.to_owned()),
        );
        extra.insert(
            "container_config".to_owned(),
            serde_json::to_value(options.container_config).map_err(|source| Error::Json {
                what: "container config",
                source,
            })?,
        );
    }
    Ok(ImageConfig {
        architecture: base.architecture.clone(),
        os: base.os.clone(),
        variant: base.variant.clone(),
        os_version: base.os_version.clone(),
        os_features: base.os_features.clone(),
        created: Some(created),
        author: non_empty(options.author),
        comment: None,
        config: Some(config),
        rootfs,
        history,
        extra,
    })
}

/// A descriptor of `bytes` with the given media type.
pub fn descriptor_for(media_type: &str, bytes: &[u8]) -> Descriptor {
    descriptor(media_type, &Digest::sha256(bytes), bytes.len() as u64)
}

/// A descriptor from its parts.
pub fn descriptor(media_type: &str, digest: &Digest, size: u64) -> Descriptor {
    let digest: oci_spec::image::Digest = digest
        .to_string()
        .parse()
        .expect("a berth digest is a valid OCI digest");
    Descriptor::new(MediaType::from(media_type), size, digest)
}

/// An OCI image manifest (`schemaVersion` 2, OCI media type) for a config and its layers.
pub fn image_manifest(config: Descriptor, layers: Vec<Descriptor>) -> ImageManifest {
    oci_spec::image::ImageManifestBuilder::default()
        .schema_version(2_u32)
        .media_type(MediaType::from(media_type::OCI_MANIFEST))
        .config(config)
        .layers(layers)
        .build()
        .expect("every required manifest field is set")
}

/// Canonical bytes of a manifest: compact JSON in the OCI Go structs' field order, maps sorted
/// (as Docker, containerd and registries write them).
pub fn manifest_bytes(manifest: &ImageManifest) -> Vec<u8> {
    let out = ManifestOut {
        schema_version: manifest.schema_version(),
        media_type: manifest.media_type().as_ref().map(ToString::to_string),
        artifact_type: manifest.artifact_type().as_ref().map(ToString::to_string),
        config: DescriptorOut::from(manifest.config()),
        layers: manifest.layers().iter().map(DescriptorOut::from).collect(),
        subject: manifest.subject().as_ref().map(DescriptorOut::from),
        annotations: sorted(manifest.annotations().as_ref()),
    };
    serde_json::to_vec(&out).expect("manifests always serialize")
}

/// Canonical bytes of an index (see [`manifest_bytes`]).
pub fn index_bytes(index: &ImageIndex) -> Vec<u8> {
    let out = IndexOut {
        schema_version: index.schema_version(),
        media_type: index.media_type().as_ref().map(ToString::to_string),
        artifact_type: index.artifact_type().as_ref().map(ToString::to_string),
        manifests: index.manifests().iter().map(DescriptorOut::from).collect(),
        subject: index.subject().as_ref().map(DescriptorOut::from),
        annotations: sorted(index.annotations().as_ref()),
    };
    serde_json::to_vec(&out).expect("indexes always serialize")
}

fn sorted(map: Option<&std::collections::HashMap<String, String>>) -> Option<BTreeMap<&str, &str>> {
    map.map(|m| m.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ManifestOut<'a> {
    schema_version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    artifact_type: Option<String>,
    config: DescriptorOut<'a>,
    layers: Vec<DescriptorOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<DescriptorOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotations: Option<BTreeMap<&'a str, &'a str>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IndexOut<'a> {
    schema_version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    artifact_type: Option<String>,
    manifests: Vec<DescriptorOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<DescriptorOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotations: Option<BTreeMap<&'a str, &'a str>>,
}

/// image-spec `Descriptor` field order: mediaType, digest, size, urls, annotations, data,
/// platform, artifactType.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DescriptorOut<'a> {
    media_type: String,
    digest: String,
    size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    urls: Option<&'a Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotations: Option<BTreeMap<&'a str, &'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<PlatformOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    artifact_type: Option<String>,
}

/// image-spec `Platform` field order.
#[derive(Serialize)]
struct PlatformOut<'a> {
    architecture: String,
    os: String,
    #[serde(rename = "os.version", skip_serializing_if = "Option::is_none")]
    os_version: Option<&'a String>,
    #[serde(rename = "os.features", skip_serializing_if = "Option::is_none")]
    os_features: Option<&'a Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    variant: Option<&'a String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    features: Option<&'a Vec<String>>,
}

impl<'a> From<&'a Descriptor> for DescriptorOut<'a> {
    fn from(d: &'a Descriptor) -> Self {
        DescriptorOut {
            media_type: d.media_type().to_string(),
            digest: d.digest().to_string(),
            size: d.size(),
            urls: d.urls().as_ref(),
            annotations: sorted(d.annotations().as_ref()),
            data: d.data().as_ref(),
            platform: d.platform().as_ref().map(|p| PlatformOut {
                architecture: p.architecture().to_string(),
                os: p.os().to_string(),
                os_version: p.os_version().as_ref(),
                os_features: p.os_features().as_ref(),
                variant: p.variant().as_ref(),
                features: p.features().as_ref(),
            }),
            artifact_type: d.artifact_type().as_ref().map(ToString::to_string),
        }
    }
}
