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
