use crate::Digest;

/// Why a digest string was refused or content did not match its digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("invalid digest format: {0:?}")]
    InvalidFormat(String),
    #[error("unsupported digest algorithm: {0:?}")]
    UnsupportedAlgorithm(String),
    #[error("invalid checksum digest length for {algorithm}: expected {expected} hex characters, got {actual}")]
    InvalidLength {
        algorithm: &'static str,
        expected: usize,
        actual: usize,
    },
    #[error("invalid checksum digest: {0:?} is not lowercase hex")]
    InvalidHex(String),
    #[error("digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch { expected: Digest, actual: Digest },
    #[error("size mismatch: expected {expected} bytes, got {actual}")]
    SizeMismatch { expected: u64, actual: u64 },
}
