//! distribution's `Parse`: a reference string as written, with no normalization.
//!
//! berth never hands these out (every [`crate::Reference`] is normalized), but the normalizer is
//! defined in terms of this step, and its error order is part of Docker's behaviour: grammar first
//! (with the uppercase hint), then the path length, then the digest.

use berth_digest::Digest;

use crate::{grammar, Error};

/// Longest repository path (without the domain), distribution's `RepositoryNameTotalLengthMax`.
/// Since distribution/reference v0.6 the domain no longer counts towards it.
pub const MAX_PATH_LEN: usize = 255;

/// A reference exactly as written: the domain is absent when the first component is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawReference<'a> {
    pub domain: Option<&'a str>,
    pub path: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<Digest>,
}

/// Parses `s` against the full grammar, like distribution's `Parse`.
pub(crate) fn parse_raw(s: &str) -> Result<RawReference<'_>, Error> {
    if s.is_empty() {
        return Err(Error::NameEmpty);
    }
    let Some(parts) = grammar::match_reference(s) else {
        let lower = go_to_lower(s);
        if lower != s && grammar::match_reference(&lower).is_some() {
            return Err(Error::NameContainsUppercase);
        }
        return Err(Error::InvalidFormat);
    };
    if parts.path.len() > MAX_PATH_LEN {
        return Err(Error::NameTooLong);
    }
    let digest = parts.digest.map(Digest::parse).transpose()?;
    Ok(RawReference {
        domain: parts.domain,
        path: parts.path,
        tag: parts.tag,
        digest,
    })
}

/// Go's `strings.ToLower`: the simple (one-to-one) Unicode lowercase mapping.
///
/// Rust's `to_lowercase` applies the full mapping, which differs only for U+0130 (`İ` becomes
/// `i` plus a combining dot); Go maps it to a plain `i`. Non-ASCII letters matter at all because
/// some lowercase to ASCII (the Kelvin sign U+212A becomes `k`), which changes what the grammar sees.
pub(crate) fn go_to_lower(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{130}' => 'i',
            c => c.to_lowercase().next().unwrap_or(c),
        })
        .collect()
}
