//! Small records kept in the store's `berth/registry/` directory:
//! - which repositories a blob is known to live in (`sources.json`), so a push can mount it
//!   across repositories of the same registry instead of uploading it;
//! - where an interrupted upload stands (`uploads/<key>`), so the next push resumes it.
//!
//! Both are hints: losing or corrupting them costs an upload, never correctness.

use std::{
    collections::BTreeMap,
    io::Write,
    path::{Path, PathBuf},
};

use berth_digest::Digest;
use berth_store::Store;

const STATE_DIR: &str = "registry";
const SOURCES_FILE: &str = "sources.json";
/// Repositories remembered per blob.
const MAX_SOURCES_PER_BLOB: usize = 8;
const MAX_SOURCES_BYTES: u64 = 16 * 1024 * 1024;

fn state_dir(store: &Store) -> Option<PathBuf> {
    store.state_dir(STATE_DIR).ok()
}

fn read_sources(dir: &Path) -> BTreeMap<String, Vec<String>> {
    let Ok(file) = std::fs::File::open(dir.join(SOURCES_FILE)) else {
        return BTreeMap::new();
    };
    let mut bytes = Vec::new();
    if std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_SOURCES_BYTES),
        &mut bytes,
    )
    .is_err()
    {
        return BTreeMap::new();
    }
    serde_json::from_slice(&bytes).unwrap_or_default()
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
    if let Err(error) = write_atomic(&dir, SOURCES_FILE, &bytes) {
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
    let text = std::fs::read_to_string(dir.join(upload_key(repository, digest))).ok()?;
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
            .and_then(|()| write_atomic(&dir, &name, location.as_bytes())),
        None => match std::fs::remove_file(dir.join(&name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
    };
    if let Err(error) = result {
        tracing::debug!(%error, "could not record upload state");
    }
}

fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, dir.join(name))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
