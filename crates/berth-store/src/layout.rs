//! Opening (and on first use creating) the store root.

use std::{
    fs::File,
    os::fd::OwnedFd,
    path::{Path, PathBuf},
};

use serde::Deserialize;

use crate::{
    error::{Error, Result},
    fs, lock, private, ContentGuard,
};

pub(crate) const OCI_LAYOUT: &str = "oci-layout";
pub(crate) const OCI_LAYOUT_CONTENTS: &[u8] = br#"{"imageLayoutVersion":"1.0.0"}"#;
/// `oci-layout` holds one version field; a larger file is not a layout berth wrote or can use.
const MAX_OCI_LAYOUT_BYTES: u64 = 4096;
pub(crate) const INDEX_JSON: &str = "index.json";
/// berth's own state, beside the layout and never inside `blobs/`.
pub(crate) const BERTH_DIR: &str = "berth";
const INDEX_LOCK: &str = "index.lock";
const CONTENT_LOCK: &str = "content.lock";

/// An open store. Cheap to share by reference; every method may be called from any thread.
pub struct Store {
    root: PathBuf,
    pub(crate) root_fd: OwnedFd,
    pub(crate) blobs_fd: OwnedFd,
    pub(crate) berth_fd: OwnedFd,
    pub(crate) ingest_fd: OwnedFd,
}

impl Store {
    /// Opens the store at `root`, creating an empty layout if the directory is missing or empty, and
    /// makes the root and berth's directories private (`0700`) where they are not (`private.rs`).
    pub fn open(root: &Path) -> Result<Store> {
        let store = Store::open_as_found(root)?;
        // Best effort: a store on a read-only mount, or one whose directories another user made,
        // still opens; `system check` reports what stays open.
        if let Err(error) = store.make_private() {
            tracing::warn!(root = %root.display(), %error, "could not make the store private");
        }
        Ok(store)
    }

    /// Opens the store like [`Store::open`] but leaves the modes of existing directories as they are
    /// (for `system check`, which reports and never repairs).
    pub fn open_as_found(root: &Path) -> Result<Store> {
        let open_error = |source| Error::Open {
            path: root.to_path_buf(),
            source,
        };
        private::create_root(root).map_err(open_error)?;
        // One absolute path without symlinks, used for everything derived from the root: mount
        // points are compared with /proc/self/mountinfo, which lists them so, and runtime bundles
        // must not depend on the working directory (issue #13 item 4).
        let canonical = std::fs::canonicalize(root).map_err(open_error)?;
        let root_fd: OwnedFd = File::open(&canonical).map_err(open_error)?.into();
        if !canonical.is_dir() {
            return Err(Error::NotALayout {
                path: root.to_path_buf(),
                reason: "not a directory".into(),
            });
        }
        let berth_fd = fs::ensure_dir(&root_fd, BERTH_DIR).map_err(open_error)?;
        // Creating the layout files happens once, under the index lock, so two first commands cannot race.
        {
            let _guard = lock::lock(&berth_fd, INDEX_LOCK, true).map_err(open_error)?;
            match fs::open_file(&root_fd, OCI_LAYOUT) {
                Ok(file) => {
                    let contents = fs::read_file_bounded(&file, MAX_OCI_LAYOUT_BYTES)
                        .and_then(|bytes| {
                            String::from_utf8(bytes).map_err(|_| {
                                std::io::Error::new(
                                    std::io::ErrorKind::InvalidData,
                                    "stream did not contain valid UTF-8",
                                )
                            })
                        })
                        .map_err(open_error)?;
                    check_layout_version(root, &contents)?;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    fs::write_atomic(&root_fd, OCI_LAYOUT, OCI_LAYOUT_CONTENTS, fs::PRIVATE_FILE)
                        .map_err(open_error)?;
                }
                Err(e) => return Err(open_error(e)),
            }
            if let Err(e) = fs::open_file(&root_fd, INDEX_JSON) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    return Err(open_error(e));
                }
                fs::write_atomic(
                    &root_fd,
                    INDEX_JSON,
                    crate::index::Index::default().to_bytes().as_slice(),
                    fs::PRIVATE_FILE,
                )
                .map_err(open_error)?;
            }
        }
        let blobs_dir = fs::ensure_dir(&root_fd, "blobs").map_err(open_error)?;
        let blobs_fd = fs::ensure_dir(&blobs_dir, "sha256").map_err(open_error)?;
        let ingest_fd = fs::ensure_dir(&berth_fd, "ingest").map_err(open_error)?;
        Ok(Store {
            root: canonical,
            root_fd,
            blobs_fd,
            berth_fd,
            ingest_fd,
        })
    }

    /// A second handle on the same open store (its directory descriptors duplicated, nothing
    /// resolved again), for work handed to another thread: an async caller runs its blocking
    /// store calls in tasks that own their store.
    pub fn try_clone(&self) -> Result<Store> {
        let dup = |fd: &OwnedFd| {
            fd.try_clone()
                .map_err(Error::io("duplicate a store handle"))
        };
        Ok(Store {
            root: self.root.clone(),
            root_fd: dup(&self.root_fd)?,
            blobs_fd: dup(&self.blobs_fd)?,
            berth_fd: dup(&self.berth_fd)?,
            ingest_fd: dup(&self.ingest_fd)?,
        })
    }

    /// The store's root as an absolute path with no symlink in it (canonicalized at open).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A directory of berth's own under `berth/` (created `0700` if missing, made `0700` if open to
    /// others), e.g. for containers or snapshots.
    pub fn state_dir(&self, name: &str) -> Result<PathBuf> {
        let dir = fs::ensure_dir(&self.berth_fd, name)
            .map_err(Error::io(format!("create berth/{name}")))?;
        private::make_private(&dir).map_err(Error::io(format!("protect berth/{name}")))?;
        Ok(self.root.join(BERTH_DIR).join(name))
    }

    /// Makes the root and berth's directories `0700` where this process may (root or the owner).
    fn make_private(&self) -> std::io::Result<()> {
        for name in private::private_dirs(&self.berth_fd)? {
            private::make_private(fs::open_dir(&self.root_fd, &name)?)?;
        }
        Ok(())
    }

    /// The store's directories that let other users in, with their modes (`system check`).
    pub(crate) fn open_dirs(&self) -> std::io::Result<Vec<(String, u32)>> {
        let mut open = Vec::new();
        for name in private::private_dirs(&self.berth_fd)? {
            if let Some(mode) = private::open_mode(fs::open_dir(&self.root_fd, &name)?)? {
                open.push((name, mode));
            }
        }
        Ok(open)
    }

    /// Shared content lock: hold it while adding blobs and references.
    pub fn content_guard(&self) -> Result<ContentGuard> {
        let file =
            lock::lock(&self.berth_fd, CONTENT_LOCK, false).map_err(Error::io("lock the store"))?;
        Ok(ContentGuard::new(file))
    }

    pub(crate) fn exclusive_content_lock(&self) -> Result<File> {
        lock::lock(&self.berth_fd, CONTENT_LOCK, true).map_err(Error::io("lock the store"))
    }

    pub(crate) fn index_lock(&self) -> Result<File> {
        lock::lock(&self.berth_fd, INDEX_LOCK, true).map_err(Error::io("lock index.json"))
    }

    pub(crate) fn open_root_file(&self, name: &str) -> std::io::Result<File> {
        fs::open_file(&self.root_fd, name)
    }
}

fn check_layout_version(root: &Path, contents: &str) -> Result<()> {
    #[derive(Deserialize)]
    struct Layout {
        #[serde(rename = "imageLayoutVersion")]
        version: String,
    }
    let layout: Layout = serde_json::from_str(contents).map_err(|e| Error::NotALayout {
        path: root.to_path_buf(),
        reason: format!("bad oci-layout file: {e}"),
    })?;
    if !layout.version.starts_with("1.") {
        return Err(Error::NotALayout {
            path: root.to_path_buf(),
            reason: format!("unsupported imageLayoutVersion {}", layout.version),
        });
    }
    Ok(())
}
