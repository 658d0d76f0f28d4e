//! Garbage collection: blobs no image reaches are deleted, under the exclusive content lock.

use std::collections::BTreeSet;

use berth_digest::Digest;
use oci_spec::image::ImageIndex;

use crate::{
    error::{Error, Result},
    image::oci_digest,
    Store, MAX_JSON_BYTES,
};

/// What one garbage collection removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GcReport {
    pub deleted: Vec<Digest>,
    pub freed_bytes: u64,
}

const INDEX_TYPES: &[&str] = &[
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

impl Store {
    /// Every blob reachable from `index.json` and from `extra_roots` (e.g. images that containers use).
    pub fn reachable(&self, extra_roots: &[Digest]) -> Result<BTreeSet<Digest>> {
        let mut marked = BTreeSet::new();
        let mut pending: Vec<(Digest, bool)> = Vec::new();
        for entry in self.index()?.manifests {
            pending.push((
                entry.digest,
                INDEX_TYPES.contains(&entry.media_type.as_str()),
            ));
        }
        pending.extend(extra_roots.iter().map(|d| (d.clone(), false)));
        while let Some((digest, is_index)) = pending.pop() {
            if !marked.insert(digest.clone()) {
                continue;
            }
            let Ok(bytes) = self.read_blob(&digest, MAX_JSON_BYTES) else {
                continue; // missing or corrupt: `system check` reports it; nothing below it can be marked
            };
            if is_index {
                if let Ok(index) = serde_json::from_slice::<ImageIndex>(&bytes) {
                    for child in index.manifests() {
                        let child_is_index = INDEX_TYPES.contains(&child.media_type().as_ref());
                        pending.push((oci_digest(child.digest())?, child_is_index));
                    }
                }
            } else if let Ok(manifest) =
                serde_json::from_slice::<oci_spec::image::ImageManifest>(&bytes)
            {
                marked.insert(oci_digest(manifest.config().digest())?);
                for layer in manifest.layers() {
                    marked.insert(oci_digest(layer.digest())?);
                }
            }
        }
        Ok(marked)
    }

    /// Deletes unreachable blobs and stale temporary files. Waits for operations that add content to finish.
    pub fn gc(&self, extra_roots: &[Digest]) -> Result<GcReport> {
        let _content = self.exclusive_content_lock()?;
        let _index = self.index_lock()?;
        let marked = self.reachable(extra_roots)?;
        let mut report = GcReport::default();
        for blob in self.list_blobs()? {
            let Ok(digest) = blob else { continue };
            if marked.contains(&digest) {
                continue;
            }
            let size = self.blob_size(&digest)?.unwrap_or(0);
            self.delete_blob(&digest)?;
            self.forget_layer(&digest);
            tracing::debug!(%digest, size, "deleted unreferenced blob");
            report.freed_bytes += size;
            report.deleted.push(digest);
        }
        // Nobody is writing (we hold the content lock exclusively): temp ingests are leftovers of dead
        // processes, and so is an empty partial download (killed before its first byte: nothing to resume).
        for name in self.list_ingest()? {
            if Store::is_temp_ingest(&name) || self.is_empty_partial(&name) {
                self.remove_ingest(&name)?;
            }
        }
        for name in crate::fs::list_dir(&self.root_fd).map_err(Error::io("list store root"))? {
            if name.starts_with(".index.json.tmp") || name.starts_with(".oci-layout.tmp") {
                let _ = crate::fs::unlink(&self.root_fd, &name);
            }
        }
        self.sweep_state(&marked);
        Ok(report)
    }

    /// Temp files of atomic writes that a dead process left in berth's state directories, and layer
    /// records whose blob is gone (a crash between deleting a blob and its record leaves one).
    fn sweep_state(&self, marked: &BTreeSet<Digest>) {
        for dir in SWEPT_STATE_DIRS {
            let Ok(fd) = crate::fs::open_dir(&self.berth_fd, dir) else {
                continue;
            };
            for name in crate::fs::list_dir(&fd).unwrap_or_default() {
                let stale_temp = name.starts_with('.') && name.contains(".tmp");
                let orphan_record = *dir == crate::layer::LAYERS_DIR
                    && !stale_temp
                    && Digest::from_parts(berth_digest::Algorithm::Sha256, &name)
                        .is_ok_and(|blob| !marked.contains(&blob) && !self.has_blob(&blob));
                if stale_temp || orphan_record {
                    tracing::debug!(dir, name, "removing stale state file");
                    let _ = crate::fs::unlink(&fd, &name);
                }
            }
        }
    }
}

/// State directories under `berth/` whose writers hold the content lock (layer records; the registry
/// client's upload and mount hints), so that under the exclusive lock a temp file there is a leftover.
const SWEPT_STATE_DIRS: &[&str] = &[crate::layer::LAYERS_DIR, "registry", "registry/uploads"];
