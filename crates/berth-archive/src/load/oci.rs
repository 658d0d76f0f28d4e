//! An OCI image layout in a tar: skopeo's `oci-archive:`, Docker 25+'s `save`, containerd exports
//! with nested indexes and attestation manifests.
//!
//! Names: `io.containerd.image.name` (a full reference, as Docker and containerd write it) wins;
//! otherwise `org.opencontainers.image.ref.name` is used when it is a reference with a repository
//! (`fixture/busybox:1`, as skopeo writes it). A bare tag (`latest`, as `oci:dir:latest` writes it)
//! names no repository, so such an image loads untagged; Docker would read `latest` as the
//! repository `docker.io/library/latest`.

use berth_digest::Digest;
use berth_manifest::{
    host_platform, is_attestation, media_type, parse_document, select_manifest, Document,
};
use oci_spec::image::{Descriptor, ImageManifest};

use super::{
    config_for_layers,
    files::{Files, MAX_DOCUMENT_BYTES},
    tagged_name, LoadOptions, PlannedImage, PlannedLayer, PlannedManifest,
};
use crate::error::{Error, Result};

/// containerd's image name annotation.
const IMAGE_NAME: &str = "io.containerd.image.name";
/// OCI's reference name annotation.
const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// How deep indexes may nest (index -> index -> manifest is what real tools write).
pub(crate) const MAX_INDEX_DEPTH: usize = 4;

pub(crate) fn plan(files: &Files, options: &LoadOptions) -> Result<Vec<PlannedImage>> {
    check_layout_version(files)?;
    let index_bytes = files.read_small("index.json", MAX_DOCUMENT_BYTES)?;
    let Document::Index(index) = parse_document(&index_bytes, None)? else {
        return Err(Error::InvalidArchive(
            "index.json is a manifest, not an index".into(),
        ));
    };
    let mut images: Vec<PlannedImage> = Vec::new();
    for descriptor in index.manifests() {
        if is_attestation(descriptor) {
            continue;
        }
        let names = names_of(descriptor)?;
        let Some((manifest_descriptor, manifest)) =
            resolve_manifest(files, descriptor, options, 0)?
        else {
            continue;
        };
        let manifest_digest = digest_of(&manifest_descriptor)?;
        if let Some(image) = images.iter_mut().find(|image| {
            matches!(&image.manifest, PlannedManifest::FromArchive { digest, .. } if *digest == manifest_digest)
        }) {
            for name in names {
                if !image.names.contains(&name) {
                    image.names.push(name);
                }
            }
            continue;
        }
        if let Some(image) = plan_image(files, &manifest_descriptor, &manifest, names, options)? {
            images.push(image);
        }
    }
    Ok(images)
}

fn check_layout_version(files: &Files) -> Result<()> {
    let bytes = files.read_small("oci-layout", MAX_DOCUMENT_BYTES)?;
    let layout: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| Error::InvalidArchive(format!("invalid oci-layout file: {e}")))?;
    match layout.get("imageLayoutVersion").and_then(|v| v.as_str()) {
        Some(version) if version.starts_with("1.") => Ok(()),
        other => Err(Error::InvalidArchive(format!(
            "unsupported imageLayoutVersion {other:?}"
        ))),
    }
}

fn names_of(descriptor: &Descriptor) -> Result<Vec<berth_reference::Reference>> {
    let annotations = descriptor.annotations().clone().unwrap_or_default();
    if let Some(name) = annotations.get(IMAGE_NAME) {
        return Ok(vec![tagged_name(name)?]);
    }
    if let Some(name) = annotations.get(REF_NAME) {
        if name.contains(['/', ':']) {
            return Ok(vec![tagged_name(name)?]);
        }
    }
    Ok(Vec::new())
}

fn digest_of(descriptor: &Descriptor) -> Result<Digest> {
    Ok(Digest::parse(descriptor.digest().as_ref())?)
}

/// Finds the blob a descriptor names and checks its size and digest.
fn blob_key(files: &Files, descriptor: &Descriptor) -> Result<String> {
    let digest = digest_of(descriptor)?;
    let key = files.resolve(&format!(
        "blobs/{}/{}",
        digest.algorithm(),
        digest.encoded()
    ))?;
    let (actual, size) = files.digest(&key)?;
    berth_digest::Expected::new(digest.clone(), Some(descriptor.size()))
        .check(&actual, size)
        .map_err(|source| Error::BlobMismatch {
            expected: digest,
            source,
        })?;
    Ok(key)
}

/// Follows a descriptor down to one image manifest, choosing a platform in indexes.
fn resolve_manifest(
    files: &Files,
    descriptor: &Descriptor,
    options: &LoadOptions,
    depth: usize,
) -> Result<Option<(Descriptor, ImageManifest)>> {
    if depth > MAX_INDEX_DEPTH {
        return Err(Error::InvalidArchive("indexes nest too deeply".into()));
    }
    let key = blob_key(files, descriptor)?;
    let bytes = files.read_small(&key, berth_manifest::MAX_MANIFEST_BYTES as u64)?;
    let declared = descriptor.media_type().to_string();
    match parse_document(&bytes, Some(&declared))? {
        Document::Manifest(manifest) => Ok(Some((descriptor.clone(), manifest))),
        Document::Index(index) => {
            let want = options.platform.clone().unwrap_or_else(host_platform);
            match select_manifest(&index, &want) {
                Some(chosen) => resolve_manifest(files, chosen, options, depth + 1),
                None if options.platform.is_some() => Ok(None),
                None => Err(Error::NoMatchingPlatform(want.to_string())),
            }
        }
    }
}

/// One image manifest of the layout: its config (skipped when for another platform), every layer
/// checked against its media type and diff_id, and the manifest blob stored as it is.
fn plan_image(
    files: &Files,
    manifest_descriptor: &Descriptor,
    manifest: &ImageManifest,
    names: Vec<berth_reference::Reference>,
    options: &LoadOptions,
) -> Result<Option<PlannedImage>> {
    let config_key = blob_key(files, manifest.config())?;
    let id = digest_of(manifest.config())?;
    let config_bytes = files.read_small(&config_key, MAX_DOCUMENT_BYTES)?;
    let Some(config) = config_for_layers(&config_bytes, manifest.layers().len(), options)? else {
        return Ok(None);
    };
    let layers = manifest
        .layers()
        .iter()
        .zip(&config.rootfs.diff_ids)
        .enumerate()
        .map(|(index, (layer, diff_id))| plan_layer(files, layer, index, diff_id, options))
        .collect::<Result<Vec<_>>>()?;
    let manifest_key = blob_key(files, manifest_descriptor)?;
    let media_type = manifest.media_type().as_ref().map_or_else(
        || manifest_descriptor.media_type().to_string(),
        ToString::to_string,
    );
    Ok(Some(PlannedImage {
        id,
        config_key,
        manifest: PlannedManifest::FromArchive {
            key: manifest_key,
            digest: digest_of(manifest_descriptor)?,
            size: manifest_descriptor.size(),
            media_type,
        },
        layers,
        names,
        parent: None,
    }))
}

/// One layer blob: its compression must be the one its media type names, and its diff_id the
/// config's.
fn plan_layer(
    files: &Files,
    layer: &Descriptor,
    index: usize,
    diff_id: &Digest,
    options: &LoadOptions,
) -> Result<PlannedLayer> {
    let layer_type = layer.media_type().to_string();
    let Some(compression) = media_type::layer_compression(&layer_type) else {
        return Err(Error::UnsupportedLayerType(layer_type));
    };
    let key = blob_key(files, layer)?;
    let digests = files.layer(&key, &options.limits)?;
    let detected = digests.compression;
    if detected.layer_media_type().is_none() {
        return Err(Error::InvalidArchive(format!(
            "layer {index} is {detected}-compressed, which its media type {layer_type} does not allow"
        )));
    }
    if detected != compression {
        return Err(Error::InvalidArchive(format!(
            "layer {index} is {detected}, but its media type is {layer_type}"
        )));
    }
    PlannedLayer::checked(key, false, index, diff_id, &digests)
}
