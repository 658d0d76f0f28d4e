//! Image references (`docker.io/library/ubuntu:14.04`), parsed and normalized like Docker's
//! `distribution/reference`. Pure: no I/O.
//!
//! (Work in progress: the full grammar lands with issue 2.)

mod error;
pub use error::Error;

pub use berth_digest::Digest;

/// A normalized reference: `domain/path[:tag][@digest]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    domain: String,
    path: String,
    tag: Option<String>,
    digest: Option<Digest>,
}
