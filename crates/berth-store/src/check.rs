//! `berth system check`: verify every blob and every reference; report, never repair.

use std::{fmt, io};

use berth_digest::{Digest, HashingReader};

use crate::{error::Result, image::oci_digest, Store, MAX_JSON_BYTES};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A file under `blobs/sha256/` whose bytes do not hash to its name.
    CorruptBlob { digest: Digest, actual: Digest },
    /// A file under `blobs/sha256/` that is not named by a digest, or not a regular file.
    StrayFile { name: String },
    /// A reference or manifest points at a blob that is not there.
    MissingBlob { digest: Digest, needed_by: String },
    /// A manifest that cannot be parsed.
    BadManifest { digest: Digest, reason: String },
    /// A layer blob that `load` and `run` would refuse (not a tar by Go's rule, a hostile entry).
    BadLayer { digest: Digest, reason: String },
    /// A layer blob whose uncompressed content does not hash to the diff_id its image's config names.
    LayerDiffIdMismatch {
        digest: Digest,
        expected: Digest,
        actual: Digest,
    },
    /// A store directory other users may enter (CVE-2021-41091: they would reach setuid programs and
    /// device nodes in unpacked layers); `private.rs`.
    OpenToOthers { path: std::path::PathBuf, mode: u32 },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::CorruptBlob { digest, actual } => write!(
                f,
                "blob {digest} is corrupt: its content hashes to {actual}"
            ),
            Problem::StrayFile { name } => write!(f, "blobs/sha256/{name} is not a blob"),
            Problem::MissingBlob { digest, needed_by } => {
                write!(f, "blob {digest} is missing (needed by {needed_by})")
            }
            Problem::BadManifest { digest, reason } => {
                write!(f, "manifest {digest} is invalid: {reason}")
            }
            Problem::BadLayer { digest, reason } => {
                write!(f, "layer {digest} is unreadable: {reason}")
            }
            Problem::LayerDiffIdMismatch {
                digest,
                expected,
                actual,
            } => write!(
                f,
                "layer {digest} does not match its image's diff_id: expected {expected}, got {actual}"
            ),
            Problem::OpenToOthers { path, mode } => write!(
                f,
                "{} is accessible to other users (mode {mode:04o}, expected {:04o}): \
                 opening the store as root or as its owner fixes it",
                path.display(),
                crate::private::PRIVATE_MODE
            ),
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct CheckReport {
    pub blobs_checked: usize,
    pub references_checked: usize,
    /// Layers walked entry by entry (by `berth_archive::check_layers`; the store alone walks none).
    pub layers_checked: usize,
    pub problems: Vec<Problem>,
}

impl Store {
    /// Hashes every blob and walks every reference, and reports store directories open to others.
    pub fn check(&self) -> Result<CheckReport> {
        let mut report = CheckReport::default();
        for (name, mode) in self
            .open_dirs()
            .map_err(crate::Error::io("read the store's permissions"))?
        {
            let path = match name.as_str() {
                "." => self.root().to_path_buf(),
                name => self.root().join(name),
            };
            report.problems.push(Problem::OpenToOthers { path, mode });
        }
        for blob in self.list_blobs()? {
            let digest = match blob {
                Ok(digest) => digest,
                Err(name) => {
                    report.problems.push(Problem::StrayFile { name });
                    continue;
                }
            };
            report.blobs_checked += 1;
            let Ok(file) = self.open_blob(&digest) else {
                report.problems.push(Problem::StrayFile {
                    name: digest.encoded().to_owned(),
                });
                continue;
            };
            let mut reader = HashingReader::new(
                io::BufReader::with_capacity(1 << 20, file),
                digest.algorithm(),
            );
            match io::copy(&mut reader, &mut io::sink()) {
                Ok(_) => {
                    let (actual, _) = reader
                        .finish()
                        .map_err(crate::Error::io(format!("read blob {digest}")))?;
                    if actual != digest {
                        report
                            .problems
                            .push(Problem::CorruptBlob { digest, actual });
                    }
                }
                Err(e) => {
                    return Err(crate::Error::Io {
                        action: format!("read blob {digest}"),
                        source: e,
                    })
                }
            }
        }
        for entry in self.index()?.manifests {
            report.references_checked += 1;
            let needed_by = entry
                .ref_name()
                .map_or_else(|| format!("image {}", entry.digest), str::to_owned);
            self.check_manifest(&entry.digest, &needed_by, &mut report.problems);
        }
        Ok(report)
    }

    fn check_manifest(&self, digest: &Digest, needed_by: &str, problems: &mut Vec<Problem>) {
        if !self.has_blob(digest) {
            problems.push(Problem::MissingBlob {
                digest: digest.clone(),
                needed_by: needed_by.to_owned(),
            });
            return;
        }
        let bytes = match self.read_blob(digest, MAX_JSON_BYTES) {
            Ok(bytes) => bytes,
            Err(e) => {
                problems.push(Problem::BadManifest {
                    digest: digest.clone(),
                    reason: e.to_string(),
                });
                return;
            }
        };
        let value: serde_json::Value = match serde_json::from_slice(&bytes) {
            Ok(value) => value,
            Err(e) => {
                problems.push(Problem::BadManifest {
                    digest: digest.clone(),
                    reason: e.to_string(),
                });
                return;
            }
        };
        if let Some(children) = value.get("manifests").and_then(|m| m.as_array()) {
            for child in children {
                if let Some(child) = child
                    .get("digest")
                    .and_then(|d| d.as_str())
                    .and_then(|d| Digest::parse(d).ok())
                {
                    self.check_manifest(&child, needed_by, problems);
                }
            }
            return;
        }
        match serde_json::from_value::<oci_spec::image::ImageManifest>(value) {
            Ok(manifest) => {
                let blobs = std::iter::once(manifest.config()).chain(manifest.layers());
                for descriptor in blobs {
                    match oci_digest(descriptor.digest()) {
                        Ok(d) if !self.has_blob(&d) => {
                            problems.push(Problem::MissingBlob {
                                digest: d,
                                needed_by: needed_by.to_owned(),
                            });
                        }
                        Ok(_) => {}
                        Err(e) => problems.push(Problem::BadManifest {
                            digest: digest.clone(),
                            reason: e.to_string(),
                        }),
                    }
                }
            }
            Err(e) => problems.push(Problem::BadManifest {
                digest: digest.clone(),
                reason: e.to_string(),
            }),
        }
    }
}
