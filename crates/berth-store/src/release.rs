//! Which layers an image holds alone: Docker's `rmi` prints, after `Deleted: <image ID>`, the chain
//! ID of every layer the deletion freed, top first. A layer is freed when no image left in the store
//! and no container's image stacks on it; chain IDs make "stacks on it" exact, since an image holds
//! a layer's chain ID only when it holds every layer below it too.

use std::collections::{HashMap, HashSet};

use berth_digest::Digest;

use crate::{
    error::{Error, Result},
    image::oci_digest,
    Image, Store, MAX_JSON_BYTES,
};

impl Image {
    /// The chain IDs of the image's layers, bottom first.
    pub fn chain_ids(&self) -> Result<Vec<Digest>> {
        chain_ids_of_config(&self.id, &self.config)
    }
}

pub(crate) fn chain_ids_of_config(id: &Digest, config: &[u8]) -> Result<Vec<Digest>> {
    let config = berth_manifest::parse_config(config).map_err(|source| Error::InvalidConfig {
        digest: id.clone(),
        source,
    })?;
    Ok(berth_manifest::chain_ids(&config.rootfs.diff_ids))
}

/// Which images hold which layers (by chain ID), read once for a command that deletes images (each
/// store image's config and each container image's config once) and kept up to date as it
/// deletes them. What it reports is what the store held when it was read: an image another
/// process adds meanwhile is not seen (garbage collection, not this, decides what is removed).
#[derive(Debug, Default)]
pub struct LayerHolders {
    /// Per chain ID, how many images in the store hold it.
    counts: HashMap<Digest, usize>,
    /// Each image's chain IDs, bottom first.
    by_image: HashMap<Digest, Vec<Digest>>,
    /// Chain IDs the containers' images hold (whether or not those images are still in the store).
    pinned: HashSet<Digest>,
}

impl LayerHolders {
    /// `image` leaves the store: the chain IDs, top first, of its layers nothing holds any more.
    pub fn release(&mut self, image: &Digest) -> Vec<Digest> {
        let Some(chains) = self.by_image.remove(image) else {
            return Vec::new();
        };
        for chain in &chains {
            if let Some(count) = self.counts.get_mut(chain) {
                *count = count.saturating_sub(1);
            }
        }
        let held = |chain: &Digest| {
            self.pinned.contains(chain) || self.counts.get(chain).is_some_and(|c| *c > 0)
        };
        // Every layer below a held one is held too: what is freed is a run at the top.
        let lowest_freed = chains.iter().rposition(held).map_or(0, |i| i + 1);
        chains[lowest_freed..].iter().rev().cloned().collect()
    }
}

impl Store {
    /// The layer holders of the store's images and of the images in `roots` (manifest digests: the
    /// images containers were made from). What cannot be read (a config berth cannot parse, written
    /// by another tool) is left out: it only makes a freed layer go unreported, never kept.
    pub fn layer_holders(&self, roots: &[Digest]) -> Result<LayerHolders> {
        let mut holders = LayerHolders::default();
        for image in self.images()? {
            let Ok(chains) = image.chain_ids() else {
                tracing::debug!(id = %image.id, "layer chain IDs unreadable");
                continue;
            };
            for chain in &chains {
                *holders.counts.entry(chain.clone()).or_default() += 1;
            }
            holders.by_image.insert(image.id, chains);
        }
        for root in roots {
            match self.manifest_chain_ids(root) {
                Ok(chains) => holders.pinned.extend(chains),
                Err(error) => tracing::debug!(%root, %error, "container image unreadable"),
            }
        }
        Ok(holders)
    }

    /// The chain IDs, bottom first, of the image whose manifest is `manifest`, read from its config
    /// (the image need not be in the index: a container's image may have been removed).
    pub fn manifest_chain_ids(&self, manifest: &Digest) -> Result<Vec<Digest>> {
        let manifest = self.read_manifest(manifest)?;
        let config_id = oci_digest(manifest.config().digest())?;
        let config = self.read_blob(&config_id, MAX_JSON_BYTES)?;
        chain_ids_of_config(&config_id, &config)
    }
}

#[cfg(test)]
mod tests {
    use berth_digest::Digest;

    use crate::Store;

    /// An image named `name` whose config lists `layers` (letters standing for diff_ids); its
    /// manifest digest.
    fn put_image(store: &Store, name: &str, layers: &str) -> Digest {
        let diff_ids: Vec<Digest> = layers.chars().map(diff_id).collect();
        crate::testutil::named_image(store, name, name, &diff_ids)
            .0
            .digest
    }

    fn diff_id(layer: char) -> Digest {
        Digest::sha256(layer.to_string().as_bytes())
    }

    /// The chain IDs of the stacks `layers` names, top first ("ab" -> [chain(a,b), chain(a)]).
    fn chains(layers: &str) -> Vec<Digest> {
        let diff_ids: Vec<Digest> = layers.chars().map(diff_id).collect();
        let mut chains = berth_manifest::chain_ids(&diff_ids);
        chains.reverse();
        chains
    }

    #[test]
    fn only_layers_nothing_else_stacks_on_are_freed() {
        /// The image's layers, other images' layers, containers' images' layers, the freed stacks.
        type Case = (
            &'static str,
            &'static [&'static str],
            &'static [&'static str],
            &'static [&'static str],
        );
        let cases: &[Case] = &[
            ("ab", &[], &[], &["ab", "a"]),
            ("ab", &["a"], &[], &["ab"]),
            ("ab", &["ab"], &[], &[]),
            ("ab", &["abc"], &[], &[]),
            ("ab", &["b"], &[], &["ab", "a"]),
            ("ab", &["ac"], &[], &["ab"]),
            ("ab", &[], &["a"], &["ab"]),
            ("abc", &["ab"], &["a"], &["abc"]),
            ("", &["a"], &[], &[]),
        ];
        for (i, (layers, others, in_containers, freed)) in cases.iter().enumerate() {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(&dir.path().join("root")).unwrap();
            put_image(&store, "image", layers);
            for (j, other) in others.iter().enumerate() {
                put_image(&store, &format!("other{j}"), other);
            }
            let roots: Vec<Digest> = in_containers
                .iter()
                .enumerate()
                .map(|(j, layers)| {
                    let name = format!("used{j}");
                    let root = put_image(&store, &name, layers);
                    // A container's image that has since lost its name and left the index.
                    let id = store.resolve(&name).unwrap().id;
                    store.forget_image(&id).unwrap();
                    root
                })
                .collect();
            let image = store.resolve("image").unwrap();
            let want: Vec<Digest> = freed.iter().map(|f| chains(f)[0].clone()).collect();
            let mut holders = store.layer_holders(&roots).unwrap();
            assert_eq!(
                holders.release(&image.id),
                want,
                "case {i}: {layers} beside {others:?} and {in_containers:?}"
            );
            assert!(holders.release(&image.id).is_empty(), "released once");
        }
    }

    #[test]
    fn releases_add_up_as_images_go() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("root")).unwrap();
        put_image(&store, "one", "ab");
        put_image(&store, "two", "ac");
        let one = store.resolve("one").unwrap().id;
        let two = store.resolve("two").unwrap().id;
        let mut holders = store.layer_holders(&[]).unwrap();
        assert_eq!(holders.release(&one), [chains("ab")[0].clone()]);
        assert_eq!(holders.release(&two), chains("ac"));
    }
}
