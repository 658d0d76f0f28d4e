//! Familiar forms, the short names Docker prints (`ubuntu:14.04`, `user/test`), and matching
//! them against `reference=` filter patterns.

use crate::{
    glob,
    normalize::OFFICIAL_REPO_PREFIX,
    reference::{join_name, write_reference},
    Error, Reference, DEFAULT_DOMAIN,
};

impl Reference {
    /// The name as Docker prints it: `docker.io/` and an official image's `library/` removed
    /// (`ubuntu`, `user/test`, `localhost:5000/x`, `library/foo/bar`).
    ///
    /// Like Docker's, this is not always an inverse of [`Reference::parse_normalized`]: a Docker
    /// Hub path whose first component looks like a host (`docker.io/foo.com/bar` prints as
    /// `foo.com/bar`) or an official image named by 64 hex characters print ambiguously.
    pub fn familiar_name(&self) -> String {
        if self.domain() != DEFAULT_DOMAIN {
            return join_name(self.domain(), self.path());
        }
        match self.path().strip_prefix(OFFICIAL_REPO_PREFIX) {
            // `library/foo/bar` keeps its prefix: only single-component official names are short.
            Some(official) if !official.contains('/') => official.to_owned(),
            _ => self.path().to_owned(),
        }
    }

    /// The reference as Docker prints it: `ubuntu:14.04`, `ubuntu@sha256:…`, `ubuntu:14.04@sha256:…`.
    pub fn familiar_string(&self) -> String {
        let mut familiar = String::new();
        // Writing into a String cannot fail.
        let _ = write_reference(
            &mut familiar,
            &self.familiar_name(),
            self.tag(),
            self.digest(),
        );
        familiar
    }
}

/// Docker's `FamiliarMatch`, the `reference=` filter of `docker images`: does the glob `pattern`
/// (Go's `path.Match`: `*`, `?`, `[...]`, `\`) match the familiar string (`ubuntu:14.04`) or,
/// failing that, the familiar name (`ubuntu`)? So `ubuntu` matches every tag of ubuntu, and
/// `ubuntu:1*` only its tags starting with 1. `*` never crosses a `/`.
///
/// A malformed pattern is an error, as in Docker.
pub fn try_familiar_match(pattern: &str, reference: &Reference) -> Result<bool, Error> {
    let string_match = glob::path_match(pattern, &reference.familiar_string());
    if string_match == Ok(true) {
        return Ok(true);
    }
    // Docker ignores the second error: it is the same pattern, so the first one is reported.
    let name_match = glob::path_match(pattern, &reference.familiar_name()).unwrap_or(false);
    match string_match {
        Err(glob::BadPattern) => Err(Error::BadPattern),
        Ok(_) => Ok(name_match),
    }
}

/// [`try_familiar_match`] with a malformed pattern matching nothing.
pub fn familiar_match(pattern: &str, reference: &Reference) -> bool {
    try_familiar_match(pattern, reference).unwrap_or(false)
}
