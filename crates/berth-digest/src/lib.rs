//! Content digests for berth.
//!
//! Everything berth stores is content-addressed: blobs live at `blobs/<algorithm>/<encoded>`, image IDs are
//! config digests, and every byte from a registry or an archive is checked against the digest that named it.
//! A [`Digest`] that parsed is therefore safe to use as a file name: the algorithm is one berth knows and the
//! encoded part is lowercase hex of exactly the right length (`sha256:../../x` never parses).
//!
//! sha256 is the hot path of pull, load and import, so it is backed by `ring` (assembly, ~1.8x the
//! throughput of the pure-Rust `sha2` on machines without SHA extensions); sha512 uses `sha2`.
//!
//! ```
//! use berth_digest::Digest;
//!
//! let digest = Digest::sha256(b"hello");
//! assert_eq!(
//!     digest.to_string(),
//!     "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
//! );
//! assert_eq!(Digest::parse(&digest.to_string()).unwrap(), digest);
//! // A digest is safe as a file name: anything else does not parse.
//! assert!(Digest::parse("sha256:../../etc/passwd").is_err());
//! ```

mod algorithm;
mod digest;
mod error;
mod hasher;
mod verify;

pub use algorithm::Algorithm;
pub use digest::Digest;
pub use error::Error;
pub use hasher::Hasher;
pub use verify::{as_digest_error, Expected, HashingReader, HashingWriter};

#[cfg(test)]
mod tests;
