use std::{io, path::PathBuf};

use berth_digest::Digest;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to open the store at {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{path} is not an OCI image layout berth can use: {reason}")]
    NotALayout { path: PathBuf, reason: String },
    #[error("store I/O failed while trying to {action}")]
    Io {
        action: String,
        #[source]
        source: io::Error,
    },
    #[error("blob not found: {0}")]
    BlobNotFound(Digest),
    /// A bounded read passed its limit (`fs::read_bounded`); it travels inside an `io::Error` of
    /// kind `FileTooLarge`, so each caller's message names the file.
    #[error("file too large: more than {limit} bytes")]
    FileTooLarge { limit: u64 },
    #[error("blob {digest} is too large to read into memory ({size} bytes)")]
    BlobTooLarge { digest: Digest, size: u64 },
    #[error("content check failed")]
    Verify(#[source] berth_digest::Error),
    #[error("index.json is corrupt")]
    CorruptIndex(#[source] serde_json::Error),
    #[error("invalid document {digest}")]
    InvalidDocument {
        digest: Digest,
        #[source]
        source: serde_json::Error,
    },
    #[error("invalid image config {digest}")]
    InvalidConfig {
        digest: Digest,
        #[source]
        source: berth_manifest::Error,
    },
    #[error("No such image: {0}")]
    NoSuchImage(String),
    /// What `rmi` was asked to delete is not there (the only miss `rmi -f` does not fail for; an
    /// image that goes missing half-way through a deletion is [`Error::NoSuchImage`]).
    #[error("No such image: {0}")]
    NoImageNamed(String),
    #[error("invalid reference in index.json: {0}")]
    InvalidStoredReference(String),
    /// A name cannot go without force: a container uses the image it names (moby's words).
    #[error("conflict: unable to remove repository reference \"{reference}\" (must force) - container {container} is using its referenced image {image}")]
    ReferenceInUse {
        reference: String,
        /// The container's short ID.
        container: String,
        /// The image's short ID.
        image: String,
    },
    /// An image cannot be deleted (moby's `imageDeleteConflict`).
    #[error("conflict: unable to delete {image} ({}) - {reason}", .reason.force_words())]
    DeleteConflict {
        /// The image's short ID.
        image: String,
        reason: crate::delete::Conflict,
    },
}

impl Error {
    /// Something keeps the image from being deleted ([`Error::ReferenceInUse`],
    /// [`Error::DeleteConflict`]): `image prune` skips it.
    pub fn is_delete_conflict(&self) -> bool {
        matches!(
            self,
            Error::ReferenceInUse { .. } | Error::DeleteConflict { .. }
        )
    }

    pub(crate) fn io(action: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
        let action = action.into();
        move |source| Error::Io { action, source }
    }
}

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

/// An error with its causes on one line, `a: b: c`, for a report or a warning that must name the
/// real reason (libraries have no anyhow to print a chain).
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
