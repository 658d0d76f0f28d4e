//! Docker's `Loading layer` lines, for an archive indexed before its layers are read (moby 20.10
//! `image/tarexport/load.go`, `Load` and `loadLayer`):
//! - images in the archive's order, each image's layers bottom first;
//! - a layer whose chain ID (the layer with every layer below it) is in the store already, or was
//!   loaded earlier from the same archive, draws no line: `lss.Get(ChainID)` finds it, and
//!   `loadLayer`, which draws the line, is not called;
//! - a line is named `stringid.TruncateID` of the layer's diff_id as the image's config gives it:
//!   its first 12 hex digits;
//! - its total is the layer file's size in the archive (`NewProgressReader` over the file, a
//!   symlinked file's target).
//!
//! Configs, manifests and other files draw none. What cannot be indexed (a malformed layout) gets
//! the lines of a streamed archive, and the load then refuses it with its own error.

use std::collections::{BTreeMap, HashSet};

use berth_digest::Digest;
use berth_manifest::{
    chain_ids, host_platform, is_attestation, parse_docker_archive_manifest, parse_document,
    select_manifest, Document,
};
use oci_spec::image::{Descriptor, ImageManifest};

use super::{
    config_for_layers, files::MAX_DOCUMENT_BYTES, LoadOptions, MAX_ARCHIVE_MANIFEST_BYTES,
};
use crate::progress::{layer_id, Progress, Reporter};

/// How deep indexes may nest, as the loader allows (`oci.rs`).
const MAX_INDEX_DEPTH: usize = super::oci::MAX_INDEX_DEPTH;

/// The archive's files as far as indexing sees them: names, sizes, and the small documents' bytes.
pub(crate) trait Documents {
    /// Whether a file of exactly this (cleaned) name is in the archive.
    fn has(&self, key: &str) -> bool;
    /// The file a layout document's path names (itself or a link's target, one hop).
    fn resolve(&self, path: &str) -> Option<String>;
    /// A file's bytes, if it has at most `max`.
    fn read(&self, key: &str, max: u64) -> Option<Vec<u8>>;
    fn size(&self, key: &str) -> Option<u64>;
}

/// Which line each layer file of an archive draws.
#[derive(Debug, Default)]
pub(crate) enum LayerLines {
    /// A streamed archive: each large file draws a line named after its archive name.
    #[default]
    ByFileName,
    /// A pipe, whose layout is known only at its end: no line while it streams; Docker's lines
    /// are drawn, complete, once it has been read ([`Files::draw_lines_read`]), as Docker's engine
    /// draws them after it has unpacked a streamed archive.
    ///
    /// [`Files::draw_lines_read`]: super::files::Files::draw_lines_read
    AfterRead,
    /// Docker's lines: a file draws the line its key maps to, or none.
    Docker {
        ids: BTreeMap<String, String>,
        /// Each line once, in Docker's order: (file, line, the file's size).
        order: Vec<(String, String, u64)>,
    },
}

impl LayerLines {
    /// The line the file `key` draws.
    pub fn id(&self, key: &str) -> Option<String> {
        match self {
            LayerLines::ByFileName => Some(layer_id(key)),
            LayerLines::AfterRead => None,
            LayerLines::Docker { ids, .. } => ids.get(key).cloned(),
        }
    }

    /// Draws Docker's lines at once, nothing loaded yet, in Docker's order: the layers are then
    /// stored several at a time, and each line stays where Docker's would be.
    pub fn announce(&self, reporter: &Reporter) {
        if let LayerLines::Docker { order, .. } = self {
            for (file, id, total) in order {
                reporter.emit(Progress::Layer {
                    file: file.clone(),
                    id: Some(id.clone()),
                    current: 0,
                    total: *total,
                });
            }
        }
    }
}

/// Docker's lines for an archive's layers, given the chain IDs the store holds; `None` when the
/// layout cannot be indexed.
pub(crate) fn docker_lines(
    docs: &impl Documents,
    present: HashSet<Digest>,
    options: &LoadOptions,
) -> Option<LayerLines> {
    let images = if docs.has("index.json") && docs.has("oci-layout") {
        oci_images(docs, options)?
    } else if docs.has("manifest.json") {
        docker_images(docs, options)?
    } else {
        return None;
    };
    Some(lines_for(&images, present, |key| docs.size(key)))
}

/// The chain IDs of every image in the store. An image whose config cannot be read is left out: its
/// layers then draw lines, which is all it changes.
pub(crate) fn stored_chains(store: &berth_store::Store) -> HashSet<Digest> {
    let images = store.images().unwrap_or_else(|error| {
        tracing::debug!(%error, "images unreadable: every layer draws its line");
        Vec::new()
    });
    images
        .iter()
        .filter_map(|image| image.chain_ids().ok())
        .flatten()
        .collect()
}

/// `stringid.TruncateID`: a digest's first 12 hex digits.
pub(crate) fn truncate_id(digest: &Digest) -> String {
    digest.encoded().chars().take(12).collect()
}

/// An image's layers as (file, diff_id), bottom first.
type ImageLayers = Vec<(String, Digest)>;

fn lines_for(
    images: &[ImageLayers],
    mut present: HashSet<Digest>,
    size: impl Fn(&str) -> Option<u64>,
) -> LayerLines {
    let mut ids = BTreeMap::new();
    let mut order: Vec<(String, String, u64)> = Vec::new();
    for layers in images {
        let diff_ids: Vec<Digest> = layers.iter().map(|(_, diff_id)| diff_id.clone()).collect();
        for ((key, diff_id), chain) in layers.iter().zip(chain_ids(&diff_ids)) {
            if !present.insert(chain) {
                continue;
            }
            let id = truncate_id(diff_id);
            ids.entry(key.clone()).or_insert_with(|| id.clone());
            if !order.iter().any(|(_, known, _)| *known == id) {
                order.push((key.clone(), id, size(key).unwrap_or(0)));
            }
        }
    }
    LayerLines::Docker { ids, order }
}

/// A docker-archive's images, in `manifest.json`'s order.
fn docker_images(docs: &impl Documents, options: &LoadOptions) -> Option<Vec<ImageLayers>> {
    let bytes = docs.read("manifest.json", MAX_ARCHIVE_MANIFEST_BYTES)?;
    let mut images = Vec::new();
    for entry in parse_docker_archive_manifest(&bytes).ok()? {
        let config_key = docs.resolve(&entry.config)?;
        let config_bytes = docs.read(&config_key, MAX_DOCUMENT_BYTES)?;
        let Some(config) = config_for_layers(&config_bytes, entry.layers.len(), options).ok()?
        else {
            continue;
        };
        let layers = entry
            .layers
            .iter()
            .zip(config.rootfs.diff_ids)
            .map(|(path, diff_id)| Some((docs.resolve(path)?, diff_id)))
            .collect::<Option<Vec<_>>>()?;
        images.push(layers);
    }
    Some(images)
}

/// An OCI layout's images, in `index.json`'s order, each manifest once, as the loader plans them.
fn oci_images(docs: &impl Documents, options: &LoadOptions) -> Option<Vec<ImageLayers>> {
    let bytes = docs.read("index.json", MAX_DOCUMENT_BYTES)?;
    let Document::Index(index) = parse_document(&bytes, None).ok()? else {
        return None;
    };
    let mut manifests = HashSet::new();
    let mut images = Vec::new();
    for descriptor in index.manifests() {
        if is_attestation(descriptor) {
            continue;
        }
        let Found::Manifest(digest, manifest) = manifest_of(docs, descriptor, options, 0)? else {
            continue;
        };
        if !manifests.insert(digest) {
            continue;
        }
        let config_key = blob(docs, manifest.config())?;
        let config_bytes = docs.read(&config_key, MAX_DOCUMENT_BYTES)?;
        let layer_count = manifest.layers().len();
        let Some(config) = config_for_layers(&config_bytes, layer_count, options).ok()? else {
            continue;
        };
        let layers = manifest
            .layers()
            .iter()
            .zip(config.rootfs.diff_ids)
            .map(|(layer, diff_id)| Some((blob(docs, layer)?, diff_id)))
            .collect::<Option<Vec<_>>>()?;
        images.push(layers);
    }
    Some(images)
}

/// The file of a descriptor's blob.
fn blob(docs: &impl Documents, descriptor: &Descriptor) -> Option<String> {
    let digest = Digest::parse(descriptor.digest().as_ref()).ok()?;
    docs.resolve(&format!(
        "blobs/{}/{}",
        digest.algorithm(),
        digest.encoded()
    ))
}

/// Where a descriptor of `index.json` leads.
enum Found {
    Manifest(Digest, Box<ImageManifest>),
    /// An index with nothing for the platform asked for: the loader skips it.
    NotForPlatform,
}

/// The image manifest a descriptor leads to, through indexes (a platform chosen as the loader
/// chooses it); `None` when it cannot be indexed.
fn manifest_of(
    docs: &impl Documents,
    descriptor: &Descriptor,
    options: &LoadOptions,
    depth: usize,
) -> Option<Found> {
    if depth > MAX_INDEX_DEPTH {
        return None;
    }
    let key = blob(docs, descriptor)?;
    let bytes = docs.read(&key, berth_manifest::MAX_MANIFEST_BYTES as u64)?;
    let declared = descriptor.media_type().to_string();
    match parse_document(&bytes, Some(&declared)).ok()? {
        Document::Manifest(manifest) => {
            let digest = Digest::parse(descriptor.digest().as_ref()).ok()?;
            Some(Found::Manifest(digest, Box::new(manifest)))
        }
        Document::Index(index) => {
            let want = options.platform.clone().unwrap_or_else(host_platform);
            match select_manifest(&index, &want) {
                Some(chosen) => manifest_of(docs, chosen, options, depth + 1),
                None if options.platform.is_some() => Some(Found::NotForPlatform),
                None => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(n: u8) -> Digest {
        Digest::sha256(&[n])
    }

    /// Images as (file, diff_id number) per layer; the store's chains as diff_id stacks.
    fn check(images: &[&[(&str, u8)]], stored: &[&[u8]], want: &[(&str, u8)]) {
        let images: Vec<ImageLayers> = images
            .iter()
            .map(|layers| {
                layers
                    .iter()
                    .map(|(f, n)| ((*f).to_owned(), diff(*n)))
                    .collect()
            })
            .collect();
        let present = stored
            .iter()
            .filter_map(|stack| {
                let diff_ids: Vec<Digest> = stack.iter().map(|n| diff(*n)).collect();
                chain_ids(&diff_ids).pop()
            })
            .collect();
        let LayerLines::Docker { order, ids } = lines_for(&images, present, |_| Some(7)) else {
            panic!("Docker's lines");
        };
        let want: Vec<(String, String, u64)> = want
            .iter()
            .map(|(f, n)| ((*f).to_owned(), truncate_id(&diff(*n)), 7))
            .collect();
        assert_eq!(order, want, "{images:?} over {stored:?}");
        for (file, id, _) in &order {
            assert_eq!(ids.get(file), Some(id));
        }
    }

    #[test]
    fn lines_follow_dockers_chain_rule() {
        // A fresh store: one line per layer.
        check(&[&[("a", 1), ("b", 2)]], &[], &[("a", 1), ("b", 2)]);
        // The second image shares the first's base layer: its chain is loaded by then.
        check(
            &[&[("a", 1), ("b", 2)], &[("a", 1)]],
            &[],
            &[("a", 1), ("b", 2)],
        );
        // Everything stored already: no line.
        check(&[&[("a", 1), ("b", 2)]], &[&[1], &[1, 2]], &[]);
        // The same diff_id over another base is another chain: it loads, and draws a line.
        check(
            &[&[("a", 3), ("b", 2)]],
            &[&[1], &[1, 2]],
            &[("a", 3), ("b", 2)],
        );
        // A base in the store: only the layer above it.
        check(&[&[("a", 1), ("b", 2)]], &[&[1]], &[("b", 2)]);
        // One diff_id at two heights (an empty layer twice): one line, as Docker's ID map has.
        check(
            &[&[("e", 9), ("b", 2), ("e", 9)]],
            &[],
            &[("e", 9), ("b", 2)],
        );
    }

    #[test]
    fn truncated_ids_are_dockers() {
        let digest = Digest::parse(
            "sha256:8259289a5efb6e7461d0539ddb964fcc74da080e946d77b5b73613c21ecf0e0d",
        )
        .unwrap();
        assert_eq!(truncate_id(&digest), "8259289a5efb");
    }
}
