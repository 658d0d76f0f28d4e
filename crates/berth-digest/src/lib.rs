//! Content digests for berth.
//!
//! Everything berth stores is content-addressed: blobs live at `blobs/<algorithm>/<encoded>`, image IDs are
//! config digests, and every byte from a registry or an archive is checked against the digest that named it.
//! A [`Digest`] that parsed is therefore safe to use as a file name: the algorithm is one berth knows and the
//! encoded part is lowercase hex of exactly the right length (`sha256:../../x` never parses).
//!
//! sha256 is the hot path of pull, load and import, so it is backed by `ring` (assembly, ~1.8x the
//! throughput of the pure-Rust `sha2` on machines without SHA extensions); sha512 uses `sha2`.

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
