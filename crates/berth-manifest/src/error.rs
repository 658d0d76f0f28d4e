/// Everything that can go wrong while reading or building manifests, configs and views.
///
/// Messages are lowercase and put the offending value last. The variants for `--change`
/// instructions carry Docker's own wording (Docker's messages are capitalised; berth keeps
/// them byte for byte so scripts that match on them keep working).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{what} is too large: more than {limit} bytes")]
    TooLarge { what: &'static str, limit: usize },

    #[error("invalid {what} JSON")]
    Json {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },

    #[error("unsupported schema1 manifest (Docker removed schema1 support in v28.2): {reason}")]
    Schema1 { reason: String },

    #[error("unsupported manifest schema version: {0}")]
    SchemaVersion(String),

    /// CVE-2021-41190: one document that reads as both a manifest and an index.
    #[error("ambiguous document: it has both `manifests` and `config` or `layers`")]
    Ambiguous,

    /// CVE-2021-41190: a manifest carrying `manifests`, or an index carrying `config`/`layers`.
    #[error("document of media type {media_type} must not have a `{field}` field")]
    FieldForbidden {
        media_type: String,
        field: &'static str,
    },

    #[error("media type {media_type} does not match Content-Type: {content_type}")]
    ContentTypeMismatch {
        media_type: String,
        content_type: String,
    },

    #[error("unsupported manifest media type: {0}")]
    UnsupportedMediaType(String),

    #[error("document is neither an image manifest nor an image index")]
    UnknownDocument,

    #[error("invalid digest in {what}: {digest}")]
    InvalidDigest {
        what: &'static str,
        digest: String,
        #[source]
        source: berth_digest::Error,
    },

    #[error("unsupported rootfs type: {0:?}")]
    RootfsType(String),

    #[error("docker-archive manifest.json is null")]
    ArchiveManifestNull,

    #[error("unsafe path in docker-archive manifest.json: {0:?}")]
    ArchivePath(String),

    #[error("invalid platform: {0:?}")]
    InvalidPlatform(String),

    /// Docker: `x is not a valid change command`, the instruction lowercased
    /// (daemon/builder/dockerfile/builder.go).
    #[error("{0} is not a valid change command")]
    InvalidChangeCommand(String),

    /// `--change` given, but only empty lines and comments (the daemon's Dockerfile parser).
    #[error("file with no instructions")]
    NoInstructions,

    /// A `--change` instruction Docker would reject, with Docker's message.
    #[error("{0}")]
    InvalidChange(String),

    #[error("invalid timestamp: {0:?}")]
    InvalidTime(String),

    /// Docker's wording (daemon/images/image_history.go).
    #[error("too many non-empty layers in History section")]
    TooManyHistoryLayers,

    #[error(
        "layer sizes do not line up with rootfs.diff_ids: {sizes} sizes for {diff_ids} layers"
    )]
    LayerSizeCount { sizes: usize, diff_ids: usize },
}
