//! Docker's `ParseAnyReference`: what `docker inspect X` or `docker rmi X` accepts, an image ID or
//! digest as well as a name.

use std::fmt;

use berth_digest::Digest;

use crate::{grammar, Error, Reference};

/// Either a content digest (an image ID) or a named reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AnyReference {
    /// A full image ID (`<64 hex>`, read as sha256) or an explicit digest (`sha256:<hex>`).
    Digest(Digest),
    /// Anything else, normalized as by [`Reference::parse_normalized`].
    Named(Reference),
}

impl AnyReference {
    /// Reads `s` as a full image ID, then as a digest, then as a familiar or canonical reference.
    ///
    /// An invalid digest is not an error by itself: like Docker, `sha256:abc` falls through to the
    /// name grammar and means the image `sha256` with the tag `abc`. Short ID prefixes are names
    /// here too; resolving them against a store is the caller's job.
    pub fn parse(s: &str) -> Result<AnyReference, Error> {
        if grammar::is_identifier(s) {
            return Ok(AnyReference::Digest(Digest::parse(&format!("sha256:{s}"))?));
        }
        if let Ok(digest) = Digest::parse(s) {
            return Ok(AnyReference::Digest(digest));
        }
        Reference::parse_normalized(s).map(AnyReference::Named)
    }
}

/// A digest as `sha256:<hex>`, a reference in its canonical form.
impl fmt::Display for AnyReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnyReference::Digest(digest) => digest.fmt(f),
            AnyReference::Named(reference) => reference.fmt(f),
        }
    }
}
