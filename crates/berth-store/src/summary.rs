//! What `images` lists, read from `index.json` alone: berth records each image's creation time and
//! size as annotations when it names the image, so listing 1,000 images opens no blob. Entries that
//! other tools wrote (without those annotations) are measured from their blobs instead.

use berth_digest::Digest;
use berth_reference::Reference;
use oci_spec::image::ImageManifest;

use crate::{
    error::Result,
    image::{oci_digest, ImageEntry},
    index::annotations,
    Store, MAX_JSON_BYTES,
};

/// One image as `images` shows it.
#[derive(Debug, Clone)]
pub struct Summary {
    pub id: Digest,
    pub names: Vec<Reference>,
    pub repo_digests: Vec<String>,
    /// The config's `created`, RFC 3339, as written.
    pub created: Option<String>,
    /// Size of the layers' contents (Docker's `Size`).
    pub size: u64,
    /// The image it was made from (`commit`, `load`), when that is a local image.
    pub parent: Option<Digest>,
}

impl Store {
    /// Every image, grouped by ID, in `index.json` order, without reading blobs where berth recorded
    /// the figures.
    pub fn summaries(&self) -> Result<Vec<Summary>> {
        let mut summaries = Vec::new();
        for group in self.groups()? {
            let recorded = group.entries.iter().find_map(|ImageEntry { entry, .. }| {
                let size = entry
                    .annotations
                    .get(annotations::IMAGE_SIZE)?
                    .parse::<u64>()
                    .ok()?;
                let created = entry.annotations.get(annotations::IMAGE_CREATED).cloned();
                Some((created.filter(|c| !c.is_empty()), size))
            });
            let (created, size) = match recorded {
                Some(figures) => figures,
                None => {
                    let first = &group.entries[0].entry;
                    let manifest = self.read_manifest(&first.digest)?;
                    let config = self.read_blob(&group.id, MAX_JSON_BYTES)?;
                    (
                        created_of(&config),
                        self.layer_sizes(&manifest)?.iter().sum(),
                    )
                }
            };
            let parent = group
                .entries
                .iter()
                .find_map(|e| e.entry.annotations.get(annotations::PARENT))
                .and_then(|p| Digest::parse(p).ok());
            let mut summary = Summary {
                parent,
                id: group.id,
                names: Vec::new(),
                repo_digests: Vec::new(),
                created,
                size,
            };
            for ImageEntry { name, entry } in group.entries {
                if let Some(name) = name {
                    if !summary.names.contains(&name) {
                        summary.names.push(name);
                    }
                }
                for digest in entry
                    .annotations
                    .get(annotations::REPO_DIGESTS)
                    .map_or("", String::as_str)
                    .split(' ')
                {
                    if !digest.is_empty() && !summary.repo_digests.iter().any(|d| d == digest) {
                        summary.repo_digests.push(digest.to_owned());
                    }
                }
            }
            summary.names.sort_by_cached_key(ToString::to_string);
            summary.repo_digests.sort();
            summaries.push(summary);
        }
        Ok(summaries)
    }

    /// Each layer's content size (what Docker's graph drivers report), aligned with the manifest's
    /// layers: recorded when the layer arrived, else its blob size.
    pub fn layer_sizes(&self, manifest: &ImageManifest) -> Result<Vec<u64>> {
        manifest
            .layers()
            .iter()
            .map(|layer| {
                let digest = oci_digest(layer.digest())?;
                Ok(match self.layer_info(&digest) {
                    Some(info) => info.content_size.unwrap_or(info.uncompressed_size),
                    None => layer.size(),
                })
            })
            .collect()
    }
}

/// The `created` field of a config, if any.
pub(crate) fn created_of(config: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(config).ok()?;
    value.get("created")?.as_str().map(str::to_owned)
}
