//! A docker-archive (`manifest.json`): legacy (`<v1id>/layer.tar`), Docker 25+ (`blobs/sha256/…`), or
//! skopeo's `docker-archive:`, all the same to the reader: the paths in `manifest.json` are looked up
//! among the archive's files (one symlink hop allowed, as Docker 20.10 links shared layers).

use berth_digest::Digest;
use berth_manifest::{
    descriptor, image_manifest, manifest_bytes, media_type, parse_docker_archive_manifest,
    ArchiveManifestEntry,
};
use oci_spec::image::Descriptor;

use super::{
    config_for_layers,
    files::{Files, MAX_DOCUMENT_BYTES},
    tagged_name, LoadOptions, PlannedImage, PlannedLayer, PlannedManifest,
};
use crate::error::Result;

fn entries(files: &Files) -> Result<Vec<ArchiveManifestEntry>> {
    let bytes = files.read_small("manifest.json", super::MAX_ARCHIVE_MANIFEST_BYTES)?;
    Ok(parse_docker_archive_manifest(&bytes)?)
}

pub(crate) fn plan(files: &Files, options: &LoadOptions) -> Result<Vec<PlannedImage>> {
    let mut images = Vec::new();
    for entry in entries(files)? {
        if let Some(image) = plan_image(files, &entry, options)? {
            images.push(image);
        }
    }
    Ok(images)
}

/// One image of `manifest.json`: its config (skipped when for another platform), every layer
/// checked against its diff_id, an OCI manifest built around them, and its names.
fn plan_image(
    files: &Files,
    entry: &ArchiveManifestEntry,
    options: &LoadOptions,
) -> Result<Option<PlannedImage>> {
    let config_key = files.resolve(&entry.config)?;
    let config_bytes = files.read_small(&config_key, MAX_DOCUMENT_BYTES)?;
    let id = Digest::sha256(&config_bytes);
    let Some(config) = config_for_layers(&config_bytes, entry.layers.len(), options)? else {
        return Ok(None);
    };
    let mut layers = Vec::new();
    let mut descriptors = Vec::new();
    for (index, (path, diff_id)) in entry.layers.iter().zip(&config.rootfs.diff_ids).enumerate() {
        let (layer, descriptor) = plan_layer(files, path, index, diff_id, options)?;
        layers.push(layer);
        descriptors.push(descriptor);
    }
    let manifest = image_manifest(
        descriptor(media_type::OCI_CONFIG, &id, config_bytes.len() as u64),
        descriptors,
    );
    let names = entry
        .repo_tags
        .iter()
        .flatten()
        .map(|tag| tagged_name(tag))
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(PlannedImage {
        id,
        config_key,
        manifest: PlannedManifest::Built {
            bytes: manifest_bytes(&manifest),
        },
        layers,
        names,
        parent: entry.parent.clone(),
    }))
}

/// One layer file of `manifest.json`, checked, and its descriptor in the built manifest (the
/// plain-tar conversion of a bzip2/xz layer is the blob stored).
fn plan_layer(
    files: &Files,
    path: &str,
    index: usize,
    diff_id: &Digest,
    options: &LoadOptions,
) -> Result<(PlannedLayer, Descriptor)> {
    let key = files.resolve(path)?;
    let digests = files.layer(&key, &options.limits)?;
    let converted = files.converted_layer(&key);
    let (digest, size) = match &converted {
        Some(blob) => blob.clone(),
        None => files.digest(&key)?,
    };
    let layer_type = digests
        .compression
        .layer_media_type()
        .unwrap_or(media_type::OCI_LAYER_TAR);
    let layer = PlannedLayer::checked(key, converted.is_some(), index, diff_id, &digests)?;
    Ok((layer, descriptor(layer_type, &digest, size)))
}

/// A Docker 25+ archive names its images in `index.json` and again in `manifest.json`; an image
/// left without a name by `index.json` gets the `RepoTags` of its config, and every image the
/// `Parent` that `manifest.json` gives it.
pub(crate) fn add_repo_tags(files: &Files, images: &mut [PlannedImage]) -> Result<()> {
    for entry in entries(files)? {
        let Ok(config_key) = files.resolve(&entry.config) else {
            continue;
        };
        let Some(image) = images
            .iter_mut()
            .find(|image| image.config_key == config_key)
        else {
            continue;
        };
        if image.names.is_empty() {
            for tag in entry.repo_tags.iter().flatten() {
                image.names.push(tagged_name(tag)?);
            }
        }
        if image.parent.is_none() {
            image.parent.clone_from(&entry.parent);
        }
    }
    Ok(())
}
