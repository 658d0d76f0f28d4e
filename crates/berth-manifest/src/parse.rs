//! Strict parsing of manifests, indexes and configs from untrusted bytes.
//!
//! The order of checks follows containerd's `validateMediaType` (the CVE-2021-41190 fix) and
//! the distribution spec: size cap first, then schema1, then the shape of the document against
//! its declared type, then the typed parse, then every descriptor's digest.

use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};
use serde::{Deserialize, Deserializer};

use crate::config::{ImageConfig, ROOTFS_TYPE_LAYERS};
use crate::media_type;
use crate::Error;

/// Largest manifest or index accepted, as containers/image `iolimits.MaxManifestBodySize`.
pub const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024; // as containers/image iolimits
/// Largest image config accepted, as containers/image `iolimits.MaxConfigBodySize`.
pub const MAX_CONFIG_BYTES: usize = 4 * 1024 * 1024; // as containers/image iolimits

/// A parsed manifest document: one image, or an index of images.
/// (Unboxed: one is made per fetch, and callers match on it by value.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    Manifest(ImageManifest),
    Index(ImageIndex),
}

/// The fields that decide what a document is; present-but-`null` counts as present,
/// as containerd's `json.RawMessage` check does.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Probe {
    #[serde(default)]
    schema_version: Option<serde_json::Value>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default, deserialize_with = "present")]
    manifests: bool,
    #[serde(default, deserialize_with = "present")]
    config: bool,
    #[serde(default, deserialize_with = "present")]
    layers: bool,
    #[serde(default, deserialize_with = "present")]
    fs_layers: bool,
}

fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(deserializer)?;
    Ok(true)
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Manifest,
    Index,
}

/// Parses a manifest or index fetched with `content_type` (the HTTP `Content-Type`, if any).
///
/// The kind comes from the document's `mediaType`, else from `content_type`, else from its shape.
/// `content_type` is compared only when it names a manifest or index type: registries and
/// layouts that say `application/json` or `application/octet-stream` are not contradicting anything.
pub fn parse_document(bytes: &[u8], content_type: Option<&str>) -> Result<Document, Error> {
    if bytes.len() > MAX_MANIFEST_BYTES {
        return Err(Error::TooLarge {
            what: "manifest",
            limit: MAX_MANIFEST_BYTES,
        });
    }
    let probe: Probe = serde_json::from_slice(bytes).map_err(|source| Error::Json {
        what: "manifest",
        source,
    })?;
    let content_type = content_type.map(str::trim).filter(|c| !c.is_empty());

    reject_schema1(&probe, content_type)?;
    match &probe.schema_version {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(2) => {}
        Some(other) => return Err(Error::SchemaVersion(other.to_string())),
        None => return Err(Error::SchemaVersion("missing".to_owned())),
    }
    if probe.manifests && (probe.config || probe.layers) {
        return Err(Error::Ambiguous);
    }

    let typed_content_type =
        content_type.filter(|c| media_type::is_manifest(c) || media_type::is_index(c));
    if let (Some(declared), Some(header)) = (&probe.media_type, typed_content_type) {
        if !media_type::same_type(declared, header) {
            return Err(Error::ContentTypeMismatch {
                media_type: declared.clone(),
                content_type: header.to_owned(),
            });
        }
    }

    let kind = match (&probe.media_type, typed_content_type) {
        (Some(declared), _) => kind_of(declared)?,
        (None, Some(header)) => kind_of(header)?,
        (None, None) if probe.manifests => Kind::Index,
        (None, None) if probe.config || probe.layers => Kind::Manifest,
        (None, None) => return Err(Error::UnknownDocument),
    };
    let declared = || {
        probe
            .media_type
            .clone()
            .or(typed_content_type.map(str::to_owned))
    };
    match kind {
        Kind::Manifest if probe.manifests => Err(Error::FieldForbidden {
            media_type: declared().unwrap_or_else(|| media_type::OCI_MANIFEST.to_owned()),
            field: "manifests",
        }),
        Kind::Index if probe.config || probe.layers => Err(Error::FieldForbidden {
            media_type: declared().unwrap_or_else(|| media_type::OCI_INDEX.to_owned()),
            field: if probe.config { "config" } else { "layers" },
        }),
        Kind::Manifest => {
            let manifest: ImageManifest =
                serde_json::from_slice(bytes).map_err(|source| Error::Json {
                    what: "manifest",
                    source,
                })?;
            check_descriptor(manifest.config(), "config descriptor")?;
            for layer in manifest.layers() {
                check_descriptor(layer, "layer descriptor")?;
            }
            if let Some(subject) = manifest.subject() {
                check_descriptor(subject, "subject descriptor")?;
            }
            Ok(Document::Manifest(manifest))
        }
        Kind::Index => {
            let index: ImageIndex =
                serde_json::from_slice(bytes).map_err(|source| Error::Json {
                    what: "index",
                    source,
                })?;
            for manifest in index.manifests() {
                check_descriptor(manifest, "manifest descriptor")?;
            }
            if let Some(subject) = index.subject() {
                check_descriptor(subject, "subject descriptor")?;
            }
            Ok(Document::Index(index))
        }
    }
}

fn reject_schema1(probe: &Probe, content_type: Option<&str>) -> Result<(), Error> {
    let reason = if let Some(declared) = probe
        .media_type
        .as_deref()
        .filter(|m| media_type::is_schema1(m))
    {
        format!("media type {declared}")
    } else if let Some(header) = content_type.filter(|c| media_type::is_schema1(c)) {
        format!("Content-Type {header}")
    } else if probe
        .schema_version
        .as_ref()
        .and_then(serde_json::Value::as_u64)
        == Some(1)
    {
        "schemaVersion 1".to_owned()
    } else if probe.fs_layers {
        "fsLayers field".to_owned()
    } else {
        return Ok(());
    };
    Err(Error::Schema1 { reason })
}

fn kind_of(media_type: &str) -> Result<Kind, Error> {
    if media_type::is_manifest(media_type) {
        Ok(Kind::Manifest)
    } else if media_type::is_index(media_type) {
        Ok(Kind::Index)
    } else {
        Err(Error::UnsupportedMediaType(media_type.to_owned()))
    }
}

/// Checks that a descriptor's digest is one berth can verify and use as a file name.
/// (oci-spec already rejects a missing or negative `size`.)
pub fn check_descriptor(descriptor: &Descriptor, what: &'static str) -> Result<(), Error> {
    let digest = descriptor.digest().to_string();
    berth_digest::Digest::parse(&digest)
        .map(drop)
        .map_err(|source| Error::InvalidDigest {
            what,
            digest,
            source,
        })
}

/// Parses an image config, keeping Docker-only keys (see [`ImageConfig`]).
pub fn parse_config(bytes: &[u8]) -> Result<ImageConfig, Error> {
    if bytes.len() > MAX_CONFIG_BYTES {
        return Err(Error::TooLarge {
            what: "image config",
            limit: MAX_CONFIG_BYTES,
        });
    }
    let config: ImageConfig = serde_json::from_slice(bytes).map_err(|source| Error::Json {
        what: "image config",
        source,
    })?;
    if config.rootfs.kind != ROOTFS_TYPE_LAYERS {
        return Err(Error::RootfsType(config.rootfs.kind));
    }
    Ok(config)
}

/// Parses an image config into oci-spec's type (Docker-only keys are dropped).
pub fn parse_oci_config(bytes: &[u8]) -> Result<oci_spec::image::ImageConfiguration, Error> {
    parse_config(bytes)?.to_oci()
}
