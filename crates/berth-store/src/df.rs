//! Disk usage of the store's images, for `berth system df`, counted as Docker 20.10's
//! `SystemDiskUsage` counts it: the images `images` lists (intermediate ones left out), each with
//! the bytes of its layers that another listed image also holds (`SharedSize`), and the content size
//! of every layer an image holds, each layer (chain ID) counted once (`LayersSize`).

use std::collections::{HashMap, HashSet};

use berth_digest::Digest;

use crate::{error::Result, release::chain_ids_of_config, Store, Summary};

/// One image as `system df -v` shows it.
#[derive(Debug, Clone)]
pub struct ImageUsage {
    pub summary: Summary,
    /// Bytes of its layers that another listed image also holds (Docker's `SharedSize`).
    pub shared_size: u64,
}

#[derive(Debug, Clone, Default)]
pub struct DiskUsage {
    /// The images Docker lists (not the intermediate ones), in store order.
    pub images: Vec<ImageUsage>,
    /// The content size of every layer an image holds, each counted once (Docker's `LayersSize`).
    pub layers_size: u64,
}

impl Store {
    pub fn disk_usage(&self) -> Result<DiskUsage> {
        let summaries = self.summaries()?;
        let parents: HashSet<&Digest> =
            summaries.iter().filter_map(|s| s.parent.as_ref()).collect();
        // Every image's layers, for LayersSize; the listed images' references, for SharedSize.
        let mut layer_sizes: HashMap<Digest, u64> = HashMap::new();
        let mut references: HashMap<Digest, usize> = HashMap::new();
        let mut listed = Vec::new();
        for image in self.images()? {
            let chain_ids = chain_ids_of_config(&image.id, &image.config)?;
            let stack: Vec<(Digest, u64)> = chain_ids
                .into_iter()
                .zip(self.layer_sizes(&image.manifest)?)
                .collect();
            for (chain_id, size) in &stack {
                layer_sizes.entry(chain_id.clone()).or_insert(*size);
            }
            let Some(summary) = summaries.iter().find(|s| s.id == image.id) else {
                continue;
            };
            let untagged = summary.names.is_empty() && summary.repo_digests.is_empty();
            if untagged && parents.contains(&summary.id) {
                continue;
            }
            for (chain_id, _) in &stack {
                *references.entry(chain_id.clone()).or_default() += 1;
            }
            listed.push((summary.clone(), stack));
        }
        let images = listed
            .into_iter()
            .map(|(summary, stack)| ImageUsage {
                shared_size: stack
                    .iter()
                    .filter(|(chain_id, _)| references.get(chain_id).is_some_and(|&n| n > 1))
                    .map(|(_, size)| size)
                    .sum(),
                summary,
            })
            .collect();
        Ok(DiskUsage {
            images,
            layers_size: layer_sizes.values().sum(),
        })
    }
}

#[cfg(test)]
mod tests {
    use berth_digest::Digest;
    use serde_json::json;

    use crate::{IndexEntry, Store};

    const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";

    /// Layer `letter`: its diff_id, blob digest and size (`letter`'s position in the alphabet, in
    /// kilobytes).
    fn layer(letter: char) -> (Digest, Digest, u64) {
        let size = (u64::from(letter) - u64::from('a') + 1) * 1000;
        (
            Digest::sha256(format!("diff {letter}").as_bytes()),
            Digest::sha256(format!("blob {letter}").as_bytes()),
            size,
        )
    }

    /// An image of `layers` (letters), named `name` unless it is empty.
    fn put_image(store: &Store, name: &str, layers: &str) {
        let (diff_ids, descriptors): (Vec<String>, Vec<serde_json::Value>) = layers
            .chars()
            .map(layer)
            .map(|(diff_id, blob, size)| {
                (
                    diff_id.to_string(),
                    json!({"mediaType": "application/vnd.oci.image.layer.v1.tar",
                        "digest": blob.to_string(), "size": size}),
                )
            })
            .unzip();
        let config = serde_json::to_vec(&json!({"architecture": "amd64", "os": "linux",
            "config": {"Env": [name]}, "rootfs": {"type": "layers", "diff_ids": diff_ids}}))
        .unwrap();
        let id = store.write_blob(&config).unwrap();
        let manifest = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": MANIFEST_TYPE,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": id.to_string(), "size": config.len()},
            "layers": descriptors}))
        .unwrap();
        let digest = store.write_blob(&manifest).unwrap();
        let entry = IndexEntry::new(MANIFEST_TYPE, digest, manifest.len() as u64);
        let names: Vec<berth_reference::Reference> = if name.is_empty() {
            Vec::new()
        } else {
            vec![berth_reference::Reference::parse_normalized(name)
                .unwrap()
                .with_default_tag()]
        };
        store.add_image(&entry, &names, &[]).unwrap();
    }

    #[test]
    fn shared_layers_count_once_and_as_shared() {
        // (images as (name, layers); want LayersSize; want (name, size, shared) per image)
        type Case<'a> = (&'a [(&'a str, &'a str)], u64, &'a [(&'a str, u64, u64)]);
        let cases: &[Case<'_>] = &[
            (&[("one", "ab")], 3000, &[("one", 3000, 0)]),
            (
                &[("base", "ab"), ("child", "abc")],
                6000,
                &[("base", 3000, 3000), ("child", 6000, 3000)],
            ),
            // Same layers, other stacks: a chain ID is the whole stack below.
            (
                &[("x", "ab"), ("y", "ba")],
                6000,
                &[("x", 3000, 0), ("y", 3000, 0)],
            ),
            (
                &[("tagged", "a"), ("", "ad")],
                5000,
                &[("tagged", 1000, 1000), ("", 5000, 1000)],
            ),
        ];
        for (images, layers_size, want) in cases {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(&dir.path().join("root")).unwrap();
            for (name, layers) in *images {
                put_image(&store, name, layers);
            }
            let usage = store.disk_usage().unwrap();
            assert_eq!(usage.layers_size, *layers_size, "{images:?}");
            let mut got: Vec<(String, u64, u64)> = usage
                .images
                .iter()
                .map(|image| {
                    let name = image
                        .summary
                        .names
                        .first()
                        .map(berth_reference::Reference::familiar_name)
                        .unwrap_or_default();
                    (name, image.summary.size, image.shared_size)
                })
                .collect();
            got.sort();
            let mut want: Vec<(String, u64, u64)> = want
                .iter()
                .map(|(n, size, shared)| ((*n).to_owned(), *size, *shared))
                .collect();
            want.sort();
            assert_eq!(got, want, "{images:?}");
        }
    }
}
