//! Small records kept in the store's `berth/registry/` directory:
//! - which repositories a blob is known to live in (`sources.json`), so a push can mount it
//!   across repositories of the same registry instead of uploading it;
//! - where an interrupted upload stands (`uploads/<key>`), so the next push resumes it.
//!
//! Both are hints: losing or corrupting them costs an upload, never correctness.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use berth_digest::Digest;
use berth_store::{
    fs::{write_atomic_path, Permissions},
    Store,
};

const STATE_DIR: &str = "registry";
/// Hints are berth's own state, private as the store is.
const PRIVATE: Permissions = Permissions::Create(0o600);
const SOURCES_FILE: &str = "sources.json";
/// Repositories remembered per blob.
const MAX_SOURCES_PER_BLOB: usize = 8;
const MAX_SOURCES_BYTES: u64 = 16 * 1024 * 1024;
/// A saved upload location longer than a URL can sensibly be is not used.
const MAX_UPLOAD_LOCATION_BYTES: u64 = 8192;

fn state_dir(store: &Store) -> Option<PathBuf> {
    store.state_dir(STATE_DIR).ok()
}

fn read_sources(dir: &Path) -> BTreeMap<String, Vec<String>> {
    let Ok(file) = std::fs::File::open(dir.join(SOURCES_FILE)) else {
        return BTreeMap::new();
    };
    // A hint: an unreadable or oversized file is no hints (and is replaced by the next write).
    match berth_store::fs::read_file_bounded(&file, MAX_SOURCES_BYTES) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
        Err(error) => {
            tracing::debug!(%error, "could not read blob sources");
            BTreeMap::new()
        }
    }
}

/// Repositories (`host/path`) known to hold `digest`.
pub(crate) fn known_sources(store: &Store, digest: &Digest) -> Vec<String> {
    state_dir(store)
        .map(|dir| {
            read_sources(&dir)
                .remove(&digest.to_string())
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

/// Remembers that the repository `repository` (`host/path`) holds each of `digests`.
pub(crate) fn remember_sources(store: &Store, repository: &str, digests: &[Digest]) {
    let Some(dir) = state_dir(store) else {
        return;
    };
    let mut sources = read_sources(&dir);
    for digest in digests {
        let entry = sources.entry(digest.to_string()).or_default();
        entry.retain(|r| r != repository);
        entry.insert(0, repository.to_owned());
        entry.truncate(MAX_SOURCES_PER_BLOB);
    }
    let bytes = serde_json::to_vec(&sources).unwrap_or_default();
    if let Err(error) = write_atomic_path(&dir.join(SOURCES_FILE), &bytes, PRIVATE) {
        tracing::debug!(%error, "could not record blob sources");
    }
}

fn upload_key(repository: &str, digest: &Digest) -> String {
    Digest::sha256(format!("{repository} {digest}").as_bytes())
        .encoded()
        .to_owned()
}

/// The upload location saved for `digest` in `repository` by an earlier, interrupted push.
pub(crate) fn saved_upload(store: &Store, repository: &str, digest: &Digest) -> Option<String> {
    let dir = state_dir(store)?.join("uploads");
    let file = std::fs::File::open(dir.join(upload_key(repository, digest))).ok()?;
    let bytes = berth_store::fs::read_file_bounded(&file, MAX_UPLOAD_LOCATION_BYTES).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let text = text.trim();
    (!text.is_empty() && text.len() < 8192).then(|| text.to_owned())
}

/// Saves (or with `None`, forgets) the upload location of `digest` in `repository`.
pub(crate) fn save_upload(
    store: &Store,
    repository: &str,
    digest: &Digest,
    location: Option<&str>,
) {
    let Some(dir) = state_dir(store).map(|d| d.join("uploads")) else {
        return;
    };
    let name = upload_key(repository, digest);
    let result = match location {
        Some(location) => std::fs::create_dir_all(&dir)
            .and_then(|()| write_atomic_path(&dir.join(&name), location.as_bytes(), PRIVATE)),
        None => match std::fs::remove_file(dir.join(&name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
    };
    if let Err(error) = result {
        tracing::debug!(%error, "could not record upload state");
    }
}
