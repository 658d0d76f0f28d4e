/// Why a reference, tag or match pattern was refused.
///
/// The messages are Docker's (distribution/reference and Go's `path.Match`) word for word, because
/// `berth` prints them where `docker` would; scripts and users grep for them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The string does not match the reference grammar.
    #[error("invalid reference format")]
    InvalidFormat,

    /// A tag is not `[\w][\w.-]{0,127}`.
    #[error("invalid tag format")]
    InvalidTag,

    /// The reference would match the grammar if it were lowercase (distribution's
    /// `ErrNameContainsUppercase`, raised by the grammar check itself).
    #[error("repository name must be lowercase")]
    NameContainsUppercase,

    /// The repository path of a familiar name has uppercase letters (`Ubuntu`, `user/Test`).
    /// Docker checks this before the grammar, with the normalized path in the message.
    #[error("invalid reference format: repository name ({0}) must be lowercase")]
    RepositoryNameNotLowercase(String),

    /// The empty string.
    #[error("repository name must have at least one component")]
    NameEmpty,

    /// The repository path (without the domain) is longer than [`crate::MAX_PATH_LEN`].
    #[error("repository name must not be more than 255 characters")]
    NameTooLong,

    /// [`crate::Reference::parse`] was given a familiar form (`ubuntu`) instead of the canonical one.
    #[error("repository name must be canonical")]
    NameNotCanonical,

    /// A bare 64-character hex string, which is an image ID, not a name.
    #[error("invalid repository name ({0}), cannot specify 64-byte hexadecimal strings")]
    HexadecimalName(String),

    /// The digest part is well-formed for the grammar but not a digest berth accepts
    /// (unsupported algorithm, wrong length, uppercase hex).
    #[error(transparent)]
    Digest(#[from] berth_digest::Error),

    /// A `reference=` filter pattern is malformed (Go's `path.ErrBadPattern`).
    #[error("syntax error in pattern")]
    BadPattern,
}
