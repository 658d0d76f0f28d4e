//! `index.json`: the layout's list of images, and the store's only list of references.

use std::collections::BTreeMap;

use berth_digest::Digest;
use serde::{Deserialize, Serialize};

use crate::{
    error::{Error, Result},
    fs,
    layout::INDEX_JSON,
    Store, MAX_JSON_BYTES,
};

/// Annotation keys berth writes on `index.json` descriptors.
pub mod annotations {
    /// The full normalized reference (`docker.io/library/ubuntu:14.04`); what `skopeo oci:ROOT:REF` matches.
    pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
    /// The same full reference, as Docker and containerd write it.
    pub const IMAGE_NAME: &str = "io.containerd.image.name";
    /// When the name was last pointed at this image (Docker's `Metadata.LastTagTime`), RFC 3339.
    pub const LAST_TAG_TIME: &str = "io.berth.image.last-tag-time";
    /// The image ID (config digest) of the manifest, so entries group without reading blobs.
    pub const IMAGE_ID: &str = "io.berth.image.id";
    /// The config's `created` time, recorded so that `images` reads no blob.
    pub const IMAGE_CREATED: &str = "io.berth.image.created";
    /// The image's size in bytes (its layers' contents), recorded so that `images` reads no blob.
    pub const IMAGE_SIZE: &str = "io.berth.image.size";
    /// Space-separated `name@digest` strings under which a registry knows this image (Docker's `RepoDigests`).
    pub const REPO_DIGESTS: &str = "io.berth.image.repo-digests";
    /// Docker's legacy parent image ID (`commit`: the container's image; `load`: `Parent`).
    pub const PARENT: &str = "io.berth.image.parent";
}

pub const INDEX_MEDIA_TYPE: &str = "application/vnd.oci.image.index.v1+json";

/// An OCI image index as berth reads and writes it; unknown fields are kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default)]
    pub manifests: Vec<IndexEntry>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// A descriptor in `index.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexEntry {
    pub media_type: String,
    pub digest: Digest,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Default for Index {
    fn default() -> Index {
        Index {
            schema_version: 2,
            media_type: Some(INDEX_MEDIA_TYPE.to_owned()),
            manifests: Vec::new(),
            extra: BTreeMap::new(),
        }
    }
}

impl Index {
    pub fn parse(bytes: &[u8]) -> Result<Index> {
        serde_json::from_slice(bytes).map_err(Error::CorruptIndex)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an index always serializes")
    }
}

impl IndexEntry {
    pub fn new(media_type: &str, digest: Digest, size: u64) -> IndexEntry {
        IndexEntry {
            media_type: media_type.to_owned(),
            digest,
            size,
            platform: None,
            annotations: BTreeMap::new(),
            extra: BTreeMap::new(),
        }
    }

    /// The full reference this descriptor names, if any.
    pub fn ref_name(&self) -> Option<&str> {
        self.annotations
            .get(annotations::REF_NAME)
            .map(String::as_str)
    }
}

impl Store {
    /// A consistent snapshot of `index.json` (it is only ever replaced whole, so no lock is needed).
    pub fn index(&self) -> Result<Index> {
        let file = self
            .open_root_file(INDEX_JSON)
            .map_err(Error::io("open index.json"))?;
        let bytes = fs::read_file_bounded(&file, MAX_JSON_BYTES).map_err(|e| {
            if fs::exceeded_limit(&e).is_some() {
                Error::NotALayout {
                    path: self.root().join(INDEX_JSON),
                    reason: format!("index.json is larger than {MAX_JSON_BYTES} bytes"),
                }
            } else {
                Error::io("read index.json")(e)
            }
        })?;
        Index::parse(&bytes)
    }

    /// Read-modify-write of `index.json` under the index lock; written only if `change` altered it.
    pub(crate) fn update_index<T>(
        &self,
        change: impl FnOnce(&mut Index) -> Result<T>,
    ) -> Result<T> {
        let _lock = self.index_lock()?;
        let before = self.index()?;
        let mut index = before.clone();
        let value = change(&mut index)?;
        if index != before {
            fs::write_atomic(
                &self.root_fd,
                INDEX_JSON,
                &index.to_bytes(),
                fs::PRIVATE_FILE,
            )
            .map_err(Error::io("write index.json"))?;
        }
        Ok(value)
    }
}
