//! Which layers an image holds alone: Docker's `rmi` prints, after `Deleted: <image ID>`, the chain
//! ID of every layer the deletion freed, top first. A layer is freed when no image left in the store
//! and no container's image stacks on it; chain IDs make "stacks on it" exact, since an image holds
//! a layer's chain ID only when it holds every layer below it too.

use std::collections::HashSet;

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

fn chain_ids_of_config(id: &Digest, config: &[u8]) -> Result<Vec<Digest>> {
    let config = berth_manifest::parse_config(config).map_err(|source| Error::InvalidConfig {
        digest: id.clone(),
        source,
    })?;
    Ok(berth_manifest::chain_ids(&config.rootfs.diff_ids))
}

impl Store {
    /// The chain IDs, top first, of the layers of `image` that no other image in the index holds and
    /// no image in `roots` (manifest digests: the images containers were made from) holds.
    pub fn layers_held_only_by(&self, image: &Image, roots: &[Digest]) -> Result<Vec<Digest>> {
        let mut held: HashSet<Digest> = HashSet::new();
        for other in self.images()? {
            if other.id != image.id {
                held.extend(other.chain_ids()?);
            }
        }
        for root in roots {
            let manifest = self.read_manifest(root)?;
            let config_id = oci_digest(manifest.config().digest())?;
            let config = self.read_blob(&config_id, MAX_JSON_BYTES)?;
            held.extend(chain_ids_of_config(&config_id, &config)?);
        }
        let mut freed: Vec<Digest> = image.chain_ids()?;
        // Every layer below a held one is held too: what is freed is a run at the top.
        let lowest_freed = freed
            .iter()
            .rposition(|chain_id| held.contains(chain_id))
            .map_or(0, |i| i + 1);
        freed.drain(..lowest_freed);
        freed.reverse();
        Ok(freed)
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
            assert_eq!(
                store.layers_held_only_by(&image, &roots).unwrap(),
                want,
                "case {i}: {layers} beside {others:?} and {in_containers:?}"
            );
        }
    }
}
