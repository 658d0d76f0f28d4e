//! The [`Reference`] value and its accessors and builders.

use std::{fmt, str::FromStr};

use berth_digest::Digest;

use crate::{grammar, parse::RawReference, Error, DEFAULT_TAG};

/// A normalized image reference: `domain/path[:tag][@digest]`, e.g.
/// `docker.io/library/ubuntu:14.04`.
///
/// Every value came through [`Reference::parse_normalized`] (or a builder on such a value), so the
/// domain is canonical (`docker.io`, never `index.docker.io`), the path is lowercase and at most
/// [`crate::MAX_PATH_LEN`] characters, the tag matches the tag grammar and the digest is one berth
/// can verify. A reference may carry both a tag and a digest, as Docker allows
/// (`ubuntu:14.04@sha256:…`).
///
/// Ordering is by domain, path, tag, then digest, which sorts a listing by repository.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    domain: String,
    path: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

impl Reference {
    pub(crate) fn from_raw(raw: RawReference<'_>) -> Reference {
        Reference {
            domain: raw.domain.unwrap_or_default().to_owned(),
            path: raw.path.to_owned(),
            tag: raw.tag.map(str::to_owned),
            digest: raw.digest,
        }
    }

    /// The registry host, with its port if any: `docker.io`, `localhost:5000`, `[::1]:5000`.
    ///
    /// Empty in one corner Docker allows: a first component that has a `.` (so normalization
    /// does not move it under `docker.io`) but is not a valid host name while being a valid path
    /// component, such as `foo_bar.com/x`. Docker then keeps the whole string as the path.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The repository path inside the registry: `library/ubuntu`, `user/test`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The full repository name: `docker.io/library/ubuntu`.
    pub fn name(&self) -> String {
        join_name(&self.domain, &self.path)
    }

    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// True when the reference has neither a tag nor a digest.
    pub fn is_name_only(&self) -> bool {
        self.tag.is_none() && self.digest.is_none()
    }

    /// Docker's `TagNameOnly`: adds `latest` only when there is neither a tag nor a digest.
    #[must_use]
    pub fn with_default_tag(mut self) -> Reference {
        if self.is_name_only() {
            self.tag = Some(DEFAULT_TAG.to_owned());
        }
        self
    }

    /// `name:tag`, replacing any tag and dropping any digest (what `docker tag` creates).
    pub fn with_tag(&self, tag: &str) -> Result<Reference, Error> {
        crate::validate_tag(tag)?;
        Ok(Reference {
            tag: Some(tag.to_owned()),
            digest: None,
            ..self.name_only()
        })
    }

    /// `name@digest`, dropping any tag (what a pull by digest records as a repo digest).
    #[must_use]
    pub fn with_digest(&self, digest: Digest) -> Reference {
        Reference {
            digest: Some(digest),
            ..self.name_only()
        }
    }

    /// The repository name alone, without tag or digest (Docker's `TrimNamed`).
    #[must_use]
    pub fn name_only(&self) -> Reference {
        Reference {
            domain: self.domain.clone(),
            path: self.path.clone(),
            tag: None,
            digest: None,
        }
    }

    /// Docker's `ParseDockerRef`: normalizes, then keeps only the digest when both a tag and a
    /// digest are given, and adds `latest` when neither is. The result names exactly one manifest.
    pub fn parse_docker_ref(s: &str) -> Result<Reference, Error> {
        let reference = Reference::parse_normalized(s)?;
        Ok(match reference.digest.clone() {
            Some(digest) => reference.with_digest(digest),
            None => reference.with_default_tag(),
        })
    }
}

pub(crate) fn join_name(domain: &str, path: &str) -> String {
    if domain.is_empty() {
        path.to_owned()
    } else {
        format!("{domain}/{path}")
    }
}

/// Writes `name[:tag][@digest]`, the shape shared by the canonical and familiar forms.
pub(crate) fn write_reference(
    f: &mut impl fmt::Write,
    name: &str,
    tag: Option<&str>,
    digest: Option<&Digest>,
) -> fmt::Result {
    f.write_str(name)?;
    if let Some(tag) = tag {
        write!(f, ":{tag}")?;
    }
    if let Some(digest) = digest {
        write!(f, "@{digest}")?;
    }
    Ok(())
}

/// The canonical form: `docker.io/library/ubuntu:14.04[@sha256:…]`.
impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_reference(f, &self.name(), self.tag(), self.digest())
    }
}

/// Same as [`Reference::parse_normalized`].
impl FromStr for Reference {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Reference::parse_normalized(s)
    }
}

/// Checks a tag against `[\w][\w.-]{0,127}`.
pub fn validate_tag(tag: &str) -> Result<(), Error> {
    if grammar::is_tag(tag) {
        Ok(())
    } else {
        Err(Error::InvalidTag)
    }
}
