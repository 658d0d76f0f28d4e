//! A docker-archive (`manifest.json`): legacy (`<v1id>/layer.tar`), Docker 25+ (`blobs/sha256/…`), or
//! skopeo's `docker-archive:`, all the same to the reader: the paths in `manifest.json` are looked up
//! among the archive's files (one symlink hop allowed, as Docker 20.10 links shared layers).

use berth_digest::Digest;
use berth_manifest::{
    descriptor, image_manifest, manifest_bytes, media_type, parse_config,
    parse_docker_archive_manifest, ArchiveManifestEntry,
};

use super::{
    files::{Files, MAX_DOCUMENT_BYTES},
    platform_matches, tagged_name, LoadOptions, PlannedImage, PlannedLayer, PlannedManifest,
};
use crate::error::{Error, Result};

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

fn plan_image(
    files: &Files,
    entry: &ArchiveManifestEntry,
    options: &LoadOptions,
) -> Result<Option<PlannedImage>> {
    let config_key = files.resolve(&entry.config)?;
    let config_bytes = files.read_small(&config_key, MAX_DOCUMENT_BYTES)?;
    let id = Digest::sha256(&config_bytes);
    let config = parse_config(&config_bytes)?;
    if !platform_matches(&config, options.platform.as_ref()) {
        return Ok(None);
    }
    let diff_ids = &config.rootfs.diff_ids;
    if entry.layers.len() != diff_ids.len() {
        return Err(Error::LayerCountMismatch {
            expected: entry.layers.len(),
            actual: diff_ids.len(),
        });
    }
    let mut layers = Vec::new();
    let mut descriptors = Vec::new();
    for (index, (path, diff_id)) in entry.layers.iter().zip(diff_ids).enumerate() {
        let key = files.resolve(path)?;
        let digests = files.layer(&key, &options.limits)?;
        if digests.info.diff_id != *diff_id {
            return Err(Error::DiffIdMismatch {
                index,
                expected: diff_id.clone(),
                actual: digests.info.diff_id,
            });
        }
        let converted = files.converted_layer(&key);
        let (digest, size) = match &converted {
            Some(blob) => blob.clone(),
            None => files.digest(&key)?,
        };
        let layer_type = digests
            .compression
            .layer_media_type()
            .unwrap_or(media_type::OCI_LAYER_TAR);
        descriptors.push(descriptor(layer_type, &digest, size));
        layers.push(PlannedLayer {
            key,
            converted: converted.is_some(),
            info: digests.info,
        });
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
