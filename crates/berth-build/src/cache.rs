//! The build cache: one record per completed layer step, keyed as BuildKit keys its steps (the
//! parent step's key, the step as expanded with what it runs with, and for COPY/ADD a digest of
//! the sources' content), naming the layer the step wrote. A rebuild that finds a record runs
//! nothing and writes nothing (progress: `CACHED`).
//!
//! Records live in the store's `berth/build-cache/<key hex>.json`; the blobs they name are GC
//! roots ([`roots`]), so images pruned away do not take the cache with them; `builder prune`
//! removes the records ([`prune`]) and a GC then reclaims the blobs.

use std::path::PathBuf;

use berth_digest::Digest;
use berth_store::Store;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::steps::LayerRef;

const DIR: &str = "build-cache";
/// The extension of the notes [`Cache::mark_copies`] leaves beside the records.
const COPIES: &str = "copies";
/// Where the CLI keeps each directory context's file digests between builds.
pub const CONTEXT_DIGESTS: &str = "build-context";

/// What a cached step wrote.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    blob: Digest,
    diff_id: Digest,
    size: u64,
    media_type: String,
    /// When the step ran (its history time).
    created: String,
}

/// A step's cache key: the digest of its parts, each length-prefixed so that no two lists of
/// parts give the same bytes.
pub fn key(parts: &[&str]) -> Digest {
    let mut bytes = Vec::new();
    for part in parts {
        bytes.extend_from_slice(&(part.len() as u64).to_be_bytes());
        bytes.extend_from_slice(part.as_bytes());
    }
    Digest::sha256(&bytes)
}

/// The cache of one store.
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub fn open(store: &Store) -> Result<Cache> {
        Ok(Cache {
            dir: store.state_dir(DIR)?,
        })
    }

    fn path(&self, key: &Digest) -> PathBuf {
        self.dir.join(format!("{}.json", key.encoded()))
    }

    /// The layer cached under `key`, if its blob is still in the store.
    pub fn get(&self, store: &Store, key: &Digest) -> Option<LayerRef> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        let record: Record = serde_json::from_slice(&bytes).ok()?;
        store.has_blob(&record.blob).then_some(LayerRef {
            blob: record.blob,
            diff_id: record.diff_id,
            size: record.size,
            media_type: record.media_type,
            created: record.created,
        })
    }

    /// Records `layer` under `key` (written whole or not at all).
    pub fn put(&self, key: &Digest, layer: &LayerRef) -> Result<()> {
        let record = Record {
            blob: layer.blob.clone(),
            diff_id: layer.diff_id.clone(),
            size: layer.size,
            media_type: layer.media_type.clone(),
            created: layer.created.clone(),
        };
        let bytes = serde_json::to_vec(&record).map_err(|e| Error::Invalid(e.to_string()))?;
        berth_store::fs::write_atomic_path(
            &self.path(key),
            &bytes,
            berth_store::fs::Permissions::Create(0o600),
        )
        .map_err(Error::io(format!("write the build cache record {key}")))
    }

    fn copies_path(&self, prefix: &Digest) -> PathBuf {
        self.dir.join(format!("{}.{COPIES}", prefix.encoded()))
    }

    /// Whether a COPY with the key parts `prefix` (its key without the sources' checksum) was
    /// recorded: when not, no record can match it whatever its sources hold.
    pub fn has_copies(&self, prefix: &Digest) -> bool {
        self.copies_path(prefix).exists()
    }

    /// Notes a COPY with the key parts `prefix` (before its record: a note without one only
    /// costs a later build the wait for its checksum).
    pub fn mark_copies(&self, prefix: &Digest) {
        let path = self.copies_path(prefix);
        if path.exists() {
            return;
        }
        if let Err(e) = berth_store::fs::write_atomic_path(
            &path,
            b"",
            berth_store::fs::Permissions::Create(0o600),
        ) {
            tracing::debug!(error = %e, "a COPY's note was not written");
        }
    }
}

fn records(store: &Store) -> Vec<(PathBuf, Record)> {
    let dir = store.root().join("berth").join(DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
        .filter_map(|e| {
            let record = serde_json::from_slice(&std::fs::read(e.path()).ok()?).ok()?;
            Some((e.path(), record))
        })
        .collect()
}

/// The blobs the cache names: GC roots.
pub fn roots(store: &Store) -> Vec<Digest> {
    records(store).into_iter().map(|(_, r)| r.blob).collect()
}

/// The cache's records and the size of the layers they name (`system df`'s Build Cache row).
pub fn usage(store: &Store) -> (usize, u64) {
    let records = records(store);
    (records.len(), records.iter().map(|(_, r)| r.size).sum())
}

/// Removes every cache record (`builder prune`); returns how many and the size of the layers
/// they named (what a GC can now reclaim unless an image uses them).
pub fn prune(store: &Store) -> Result<(usize, u64)> {
    let mut count = 0;
    let mut size = 0;
    for (path, record) in records(store) {
        std::fs::remove_file(&path).map_err(Error::io(format!("remove {}", path.display())))?;
        count += 1;
        size += record.size;
    }
    if let Ok(entries) = std::fs::read_dir(store.root().join("berth").join(DIR)) {
        for entry in entries.flatten() {
            if entry.path().extension().is_some_and(|ext| ext == COPIES) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    // The contexts' remembered file digests (context/digests.rs) go with the records.
    let memos = store.state_dir(CONTEXT_DIGESTS)?;
    if let Ok(entries) = std::fs::read_dir(&memos) {
        for entry in entries.flatten() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok((count, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_with_any_part() {
        let base = key(&["parent", "run", "a"]);
        for other in [
            key(&["parent", "run", "b"]),
            key(&["parent", "runa"]),
            key(&["parent", "run", "a", ""]),
            key(&["other", "run", "a"]),
        ] {
            assert_ne!(base, other);
        }
        assert_eq!(base, key(&["parent", "run", "a"]));
    }
}
