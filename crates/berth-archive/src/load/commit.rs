//! The last step of `load`: blobs first, then layer records, then names.

use std::collections::BTreeSet;

use berth_digest::Digest;
use berth_manifest::media_type;
use berth_reference::Reference;
use berth_store::{annotations, IndexEntry, Store, TagTime};

use super::{
    files::{Content, Files},
    Loaded, PlannedImage, PlannedManifest,
};
use crate::error::{Error, Result};

pub(crate) fn commit(
    store: &Store,
    files: &mut Files,
    images: &[PlannedImage],
    parents: &[(Digest, Digest)],
) -> Result<Vec<Loaded>> {
    let mut committed: BTreeSet<(String, bool)> = BTreeSet::new();
    let mut entries = Vec::new();
    let mut reported = BTreeSet::new();
    for image in images {
        for layer in &image.layers {
            if reported.insert(layer.key.as_str()) {
                files.report_in_memory_layer(&layer.key);
            }
            if let Some(digest) =
                commit_file(store, files, &mut committed, &layer.key, layer.converted)?
            {
                store.record_layer(&digest, &layer.info)?;
            }
        }
        commit_file(store, files, &mut committed, &image.config_key, false)?;
        let entry = match &image.manifest {
            PlannedManifest::FromArchive {
                key,
                digest,
                size,
                media_type,
            } => {
                commit_file(store, files, &mut committed, key, false)?;
                IndexEntry::new(media_type, digest.clone(), *size)
            }
            PlannedManifest::Built { bytes } => IndexEntry::new(
                media_type::OCI_MANIFEST,
                store.write_blob(bytes)?,
                bytes.len() as u64,
            ),
        };
        entries.push(entry);
    }
    // References last: every blob they name is in place.
    let mut loaded = Vec::new();
    for (image, entry) in images.iter().zip(entries) {
        let previous = tagged_ids(store, &image.names)?;
        store.add_image_with(&entry, &image.names, &[], TagTime::Keep)?;
        tracing::debug!(id = %image.id, "loaded image");
        if image.names.is_empty() {
            loaded.push(Loaded::Untagged(image.id.clone()));
        }
        for (name, previous) in image.names.iter().zip(previous) {
            // Docker's `setLoadedTag`: a name that pointed at another image moves to this one.
            if let Some(old_id) = previous.filter(|old| *old != image.id.to_string()) {
                loaded.push(Loaded::Renamed {
                    name: name.clone(),
                    old_id,
                });
            }
            loaded.push(Loaded::Tagged(name.clone()));
        }
    }
    for (image, parent) in parents {
        match store.set_parent(image, parent) {
            // Removed meanwhile by a concurrent `rmi`: nothing to link.
            Err(berth_store::Error::NoSuchImage(_)) => {}
            other => other?,
        }
    }
    Ok(loaded)
}

/// The image ID each of `names` points at now, if any.
fn tagged_ids(store: &Store, names: &[Reference]) -> Result<Vec<Option<String>>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let entries = store.entries()?;
    Ok(names
        .iter()
        .map(|name| {
            entries
                .iter()
                .find(|e| e.name.as_ref() == Some(name))
                .and_then(|e| e.entry.annotations.get(annotations::IMAGE_ID))
                .cloned()
        })
        .collect())
}

/// Commits one archive file (or its plain-tar conversion) as a blob, once; returns its digest the
/// first time.
fn commit_file(
    store: &Store,
    files: &mut Files,
    committed: &mut BTreeSet<(String, bool)>,
    key: &str,
    converted: bool,
) -> Result<Option<Digest>> {
    if !committed.insert((key.to_owned(), converted)) {
        return Ok(None);
    }
    let content = files
        .take(key)
        .ok_or_else(|| Error::MissingFile(key.to_owned()))?;
    let digest = match content {
        Content::Memory(bytes) => store.write_blob(&bytes)?,
        Content::Pending { blob, layer } => {
            let blob = match (converted, layer) {
                (true, Ok(scanned)) => *scanned
                    .converted
                    .ok_or_else(|| Error::MissingFile(key.to_owned()))?,
                _ => blob,
            };
            if store.has_blob(blob.digest()) {
                blob.digest().clone()
            } else {
                store.commit_blob(blob, None)?
            }
        }
    };
    Ok(Some(digest))
}
