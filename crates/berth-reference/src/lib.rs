//! Image references (`docker.io/library/ubuntu:14.04`), parsed and normalized exactly like Docker's
//! Go package `github.com/distribution/reference`. Pure: no I/O.
//!
//! Every command that names an image starts here, so this crate decides what `berth pull ubuntu`
//! means: the string a user typed (`ubuntu`, `user/app:1.0`, `localhost:5000/x@sha256:…`) becomes a
//! [`Reference`] whose canonical form (`docker.io/library/ubuntu`) is what the store records and
//! what the registry client contacts, and whose familiar form (`ubuntu`) is what berth prints.
//! Docker users have years of scripts that depend on the exact edge cases (`test.com:5000` is a
//! tag, not a port; `Foo/bar` is a registry host; a bare 64-hex string is an ID, not a name), and
//! on the exact error messages, so both are reproduced rather than improved.
//!
//! The grammar is hand-written instead of compiled from distribution's regular expressions: every
//! production is a small predicate in `grammar.rs`, the split into domain, path, tag
//! and digest is deterministic (no backtracking, linear time on hostile input), and the choices
//! Go's leftmost-first regexp makes are documented where they are reproduced.
//!
//! berth accepts fewer digests than Docker's grammar: only sha256 and sha512, lowercase hex of the
//! exact length ([`berth_digest::Digest`]), so a parsed reference's digest is always one berth can
//! verify and use as a file name. Anything else in digest position is an error before any I/O.
//!
//! Reading order: `grammar.rs` (the productions), `parse.rs` (distribution's unnormalized `Parse`),
//! `reference.rs` (the [`Reference`] value and its builders), `normalize.rs` (what users type to
//! canonical form), `familiar.rs` with `glob.rs` (short forms and `reference=` matching with Go's
//! `path.Match`), and `any.rs` (names or image IDs).
//!
//! ```
//! use berth_reference::Reference;
//!
//! let ubuntu = Reference::parse_normalized("ubuntu").unwrap().with_default_tag();
//! assert_eq!(ubuntu.to_string(), "docker.io/library/ubuntu:latest");
//! assert_eq!(ubuntu.familiar_string(), "ubuntu:latest");
//! // `test.com:5000` is a tag, not a port; an uppercase first component is an error.
//! let tagged = Reference::parse_normalized("test.com:5000").unwrap();
//! assert_eq!(tagged.tag(), Some("5000"));
//! assert!(Reference::parse_normalized("Uppercase:tag").is_err());
//! ```

mod any;
mod error;
mod familiar;
mod glob;
mod grammar;
mod normalize;
mod parse;
mod reference;

pub use any::AnyReference;
pub use berth_digest::Digest;
pub use error::Error;
pub use familiar::{familiar_match, try_familiar_match};
pub use glob::{path_match, BadPattern};
pub use parse::MAX_PATH_LEN;
pub use reference::{validate_tag, Reference};

/// The registry of familiar names: `ubuntu` lives on `docker.io`.
pub const DEFAULT_DOMAIN: &str = "docker.io";

/// The old name of Docker Hub's registry, normalized to [`DEFAULT_DOMAIN`]. Docker Hub still uses it
/// for authentication and search.
pub const LEGACY_DEFAULT_DOMAIN: &str = "index.docker.io";

/// The tag added to a name that has neither a tag nor a digest.
pub const DEFAULT_TAG: &str = "latest";

/// Whether `s` is a full image ID: exactly 64 lowercase hex characters (a sha256 without its
/// `sha256:` prefix). Such a string is never accepted as a repository name.
pub fn is_full_id(s: &str) -> bool {
    grammar::is_identifier(s)
}

#[cfg(test)]
mod tests;
