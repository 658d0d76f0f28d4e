//! `manifest.json` of a docker-archive (`docker save`): which config and layer files make each image.
//!
//! Paths are checked lexically here (relative, no `..`, no NUL) so that a hostile archive is
//! refused before anyone looks for its files; the archive reader still resolves them safely.

use std::collections::BTreeMap;

use berth_digest::Digest;
use serde::{Deserialize, Serialize};

use crate::{Error, ImageConfig};

/// Largest `manifest.json` accepted, as containers/image `iolimits.MaxTarFileManifestSize`.
pub const MAX_ARCHIVE_MANIFEST_BYTES: usize = 1024 * 1024; // as containers/image iolimits

/// One image of a docker-archive, in Docker's field order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveManifestEntry {
    /// Path of the config file (`<hex>.json` before v25, `blobs/sha256/<hex>` after).
    #[serde(rename = "Config")]
    pub config: String,
    /// `null` for an image saved by ID; Docker writes `null` then, so berth does too.
    #[serde(rename = "RepoTags")]
    pub repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers")]
    pub layers: Vec<String>,
    /// Legacy parent image ID.
    #[serde(rename = "Parent", default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Foreign layers: diff ID -> descriptor (JSON, kept as written).
    #[serde(
        rename = "LayerSources",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub layer_sources: Option<BTreeMap<String, serde_json::Value>>,
}

/// Parses a docker-archive `manifest.json`.
pub fn parse_docker_archive_manifest(bytes: &[u8]) -> Result<Vec<ArchiveManifestEntry>, Error> {
    if bytes.len() > MAX_ARCHIVE_MANIFEST_BYTES {
        return Err(Error::TooLarge {
            what: "manifest.json",
            limit: MAX_ARCHIVE_MANIFEST_BYTES,
        });
    }
    let entries: Option<Vec<ArchiveManifestEntry>> =
        serde_json::from_slice(bytes).map_err(|source| Error::Json {
            what: "manifest.json",
            source,
        })?;
    // moby tarexport/load.go refuses a `null` manifest.
    let entries = entries.ok_or(Error::ArchiveManifestNull)?;
    for entry in &entries {
        check_archive_path(&entry.config)?;
        for layer in &entry.layers {
            check_archive_path(layer)?;
        }
    }
    Ok(entries)
}

/// Serializes a docker-archive `manifest.json` the way Docker writes it
/// (Go's `json.Encoder`: compact, one trailing newline).
pub fn serialize_docker_archive_manifest(entries: &[ArchiveManifestEntry]) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(entries).expect("archive manifest entries always serialize");
    bytes.push(b'\n');
    bytes
}

/// moby's `validatedParentLinks` (`image/tarexport/load.go`): of an archive's images (each image ID
/// with its `manifest.json` `Parent`), the `(image, parent)` pairs whose parent is another image of
/// the same archive. A `Parent` naming anything else is ignored, as Docker ignores it.
pub fn archive_parent_links(images: &[(Digest, Option<&str>)]) -> Vec<(Digest, Digest)> {
    images
        .iter()
        .filter_map(|(image, parent)| {
            let parent = images
                .iter()
                .map(|(other, _)| other)
                .find(|other| Some(other.to_string().as_str()) == *parent && *other != image)?;
            Some((image.clone(), parent.clone()))
        })
        .collect()
}

/// moby's `checkValidParent`: `load` records `parent` as the parent of `image` only if neither has
/// history, or the image's history is the parent's plus one entry (Docker 20.10 then fails the load
/// with `image <parent> is not a valid parent for <image>`).
pub fn is_valid_parent(image: &ImageConfig, parent: &ImageConfig) -> bool {
    if image.history.is_empty() && parent.history.is_empty() {
        return true;
    }
    if image.history.len() != parent.history.len() + 1 {
        return false;
    }
    parent.history.iter().zip(&image.history).all(|(p, i)| {
        (
            &p.created,
            &p.author,
            &p.created_by,
            &p.comment,
            p.empty_layer,
        ) == (
            &i.created,
            &i.author,
            &i.created_by,
            &i.comment,
            i.empty_layer,
        )
    })
}

/// A path inside the archive: relative, non-empty, no `.`/`..` components, no NUL, no backslash.
fn check_archive_path(path: &str) -> Result<(), Error> {
    let bad = path.is_empty()
        || path.starts_with('/')
        || path.contains('\0')
        || path.contains('\\')
        || path
            .split('/')
            .any(|component| component == ".." || component == ".");
    if bad {
        return Err(Error::ArchivePath(path.to_owned()));
    }
    Ok(())
}
