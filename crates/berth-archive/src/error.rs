use std::io;

use berth_digest::Digest;

/// Everything that can go wrong while reading or writing layers and image archives.
///
/// Errors about the input name the failure and put the offending value last; I/O errors say what
/// berth was doing and attach the cause.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("empty input: expected a tar archive (plain, gzip, bzip2, xz or zstd)")]
    EmptyInput,

    #[error("invalid tar archive")]
    InvalidTar(#[source] io::Error),

    #[error("truncated tar archive: the stream ended inside a header or inside an entry's data")]
    Truncated,

    /// A stream that ended inside a header, or a zero block followed by a header: Go's archive/tar
    /// refuses it where it ends (said as `InvalidTar` is; unlike `InvalidTar`, never "not a tar").
    #[error("invalid tar archive")]
    RefusedEnd(#[source] io::Error),

    #[error("failed to decompress {compression} input")]
    Decompress {
        compression: &'static str,
        #[source]
        source: io::Error,
    },

    #[error("decompressed data exceeds the limit of {limit} bytes")]
    TooLarge { limit: u64 },

    #[error("unexpected data after the end of the {compression} stream")]
    TrailingData { compression: &'static str },

    #[error("tar entry escapes the archive root: {0:?}")]
    UnsafePath(String),

    #[error("tar entry name is too long ({len} bytes): {name:?}")]
    PathTooLong { len: usize, name: String },

    #[error("the archive root cannot be replaced by a non-directory entry: {0:?}")]
    RootEntry(String),

    #[error("hard link {name:?} points outside the archive: {target:?}")]
    UnsafeHardlink { name: String, target: String },

    #[error("invalid whiteout entry: {0:?}")]
    InvalidWhiteout(String),

    #[error("the archive has too many entries (more than {limit})")]
    TooManyEntries { limit: usize },

    #[error("invalid archive: {0}")]
    InvalidArchive(String),

    #[error("invalid archive: does not contain a manifest.json")]
    NoManifest,

    #[error("invalid archive: {what} is larger than {limit} bytes")]
    FileTooLarge { what: String, limit: u64 },

    #[error("invalid archive: missing file {0:?}")]
    MissingFile(String),

    #[error("invalid archive: unsafe path {0:?}")]
    UnsafeArchivePath(String),

    #[error("invalid manifest, layers length mismatch: expected {expected}, got {actual}")]
    LayerCountMismatch { expected: usize, actual: usize },

    #[error("invalid diffID for layer {index}: expected \"{expected}\", got \"{actual}\"")]
    DiffIdMismatch {
        index: usize,
        expected: Digest,
        actual: Digest,
    },

    #[error("blob {expected} does not match its descriptor")]
    BlobMismatch {
        expected: Digest,
        #[source]
        source: berth_digest::Error,
    },

    #[error("unsupported layer media type: {0}")]
    UnsupportedLayerType(String),

    #[error("invalid tag {0:?}")]
    InvalidTag(String),

    #[error("no image in the archive matches platform {0}")]
    NoMatchingPlatform(String),

    #[error("invalid platform: {0:?}")]
    InvalidPlatform(String),

    #[error("image {id} has no layers: empty export is not supported")]
    EmptyExport { id: Digest },

    #[error("layer {blob} of image {id} is missing from the store")]
    MissingLayer { id: Digest, blob: Digest },

    #[error("I/O failed while trying to {action}")]
    Io {
        action: String,
        #[source]
        source: io::Error,
    },

    #[error(transparent)]
    Store(#[from] berth_store::Error),

    #[error(transparent)]
    Manifest(#[from] berth_manifest::Error),

    #[error(transparent)]
    Reference(#[from] berth_reference::Error),

    #[error(transparent)]
    Digest(#[from] berth_digest::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(action: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
        let action = action.into();
        move |source| Error::Io { action, source }
    }

    /// Wraps this error so it can travel through an `io::Read` chain; [`Error::from_io`] unwraps it.
    pub(crate) fn into_io(self) -> io::Error {
        io::Error::other(self)
    }

    /// Unwraps an [`Error`] raised inside a reader chain, or classifies the I/O error with `otherwise`.
    pub(crate) fn from_io(error: io::Error, otherwise: impl FnOnce(io::Error) -> Error) -> Error {
        if error
            .get_ref()
            .is_some_and(<dyn std::error::Error + Send + Sync>::is::<Error>)
        {
            if let Some(inner) = error.into_inner() {
                if let Ok(error) = inner.downcast::<Error>() {
                    return *error;
                }
            }
            return Error::InvalidArchive("internal error wrapping failed".into());
        }
        otherwise(error)
    }
}
