//! From what users type (`ubuntu`, `user/app:1.0`) to canonical references
//! (`docker.io/library/ubuntu`), as distribution's `ParseNormalizedNamed` and `ParseNamed`.

use crate::{
    grammar,
    parse::{go_to_lower, parse_raw},
    Error, Reference, DEFAULT_DOMAIN, LEGACY_DEFAULT_DOMAIN,
};

/// Namespace of Docker Hub's official images: `ubuntu` is `library/ubuntu`.
pub(crate) const OFFICIAL_REPO_PREFIX: &str = "library/";

/// The only single-label host name recognized without a `.` or a port.
const LOCALHOST: &str = "localhost";

impl Reference {
    /// Docker's `ParseNormalizedNamed`: accepts a familiar or canonical reference and returns the
    /// canonical one. Does not add a tag (see [`Reference::with_default_tag`]).
    ///
    /// - `ubuntu` → `docker.io/library/ubuntu`, `user/test` → `docker.io/user/test`
    /// - `index.docker.io/x` and `docker.io/x` → `docker.io/library/x`
    /// - the first component is a registry host only if it contains `.` or `:`, or is `localhost`:
    ///   `localhost:5000/x`, `[::1]:5000/x`, `hub.c.163.com/public/ubuntu` (not `UPPER/x`, which
    ///   the Docker 20.10 engine refuses as `repository name must be lowercase`)
    /// - `test.com:5000` is the repository `test.com` with the tag `5000`
    pub fn parse_normalized(s: &str) -> Result<Reference, Error> {
        if grammar::is_identifier(s) {
            return Err(Error::HexadecimalName(s.to_owned()));
        }
        let (domain, remainder) = split_docker_domain(s);
        // Docker cuts at the first `:` even when it belongs to a digest (`Foo@sha256:…`), and
        // reports what precedes it; the message is part of its behaviour, so berth does the same.
        let remote = remainder
            .split_once(':')
            .map_or(remainder.as_str(), |(remote, _)| remote);
        if go_to_lower(remote) != remote {
            return Err(Error::RepositoryNameNotLowercase(remote.to_owned()));
        }
        let canonical = format!("{domain}/{remainder}");
        parse_raw(&canonical).map(Reference::from_raw)
    }

    /// Docker's `ParseNamed`: accepts only the canonical form (`docker.io/library/ubuntu:14.04`),
    /// for places where the input was written by a program (index annotations, stored records).
    pub fn parse(s: &str) -> Result<Reference, Error> {
        let reference = Reference::parse_normalized(s)?;
        if reference.to_string() != s {
            return Err(Error::NameNotCanonical);
        }
        Ok(reference)
    }
}

/// Docker's `splitDockerDomain`: decides whether the first component is a registry host, and
/// returns the domain with the rest (tag and digest included), `library/` added on Docker Hub.
fn split_docker_domain(name: &str) -> (&str, String) {
    let Some((maybe_domain, maybe_remote)) = name.split_once('/') else {
        // A single component is always a Docker Hub official image, even `localhost` or `example.com`.
        return (DEFAULT_DOMAIN, format!("{OFFICIAL_REPO_PREFIX}{name}"));
    };
    let (domain, remote) = if maybe_domain == LOCALHOST {
        (maybe_domain, maybe_remote)
    } else if maybe_domain == LEGACY_DEFAULT_DOMAIN {
        (DEFAULT_DOMAIN, maybe_remote)
    } else if maybe_domain.contains(['.', ':']) {
        // Looks like a host name, an IP address or `host:port`. An uppercase first component
        // stays in the path, as in the Docker 20.10 engine (`UPPER/x`: `repository name must be
        // lowercase`); distribution v3 later took it for a host.
        (maybe_domain, maybe_remote)
    } else {
        (DEFAULT_DOMAIN, name)
    };
    if domain == DEFAULT_DOMAIN && !remote.contains('/') {
        return (domain, format!("{OFFICIAL_REPO_PREFIX}{remote}"));
    }
    (domain, remote.to_owned())
}
