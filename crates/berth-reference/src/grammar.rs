//! The reference grammar of distribution/reference (`regexp.go`), as hand-written recognizers.
//!
//! ```text
//! reference        := name [ ":" tag ] [ "@" digest ]
//! name             := [domain "/"] path
//! domain           := host [":" port-number]
//! host             := domain-name | "[" IPv6address "]"
//! domain-name      := domain-component ["." domain-component]*
//! domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//! port-number      := [0-9]+
//! path             := path-component ["/" path-component]*
//! path-component   := [a-z0-9]+ (separator [a-z0-9]+)*
//! separator        := "." | "_" | "__" | "-"+
//! tag              := [\w][\w.-]{0,127}
//! digest           := algorithm ":" [0-9a-fA-F]{32,}
//! algorithm        := [A-Za-z][A-Za-z0-9]* ([-_+.] [A-Za-z][A-Za-z0-9]*)*
//! identifier       := [a-f0-9]{64}
//! ```
//!
//! No character can belong to two productions at once, so the split is deterministic: the digest
//! follows the first `@`, the tag follows a `:` after the last `/`, and the domain is everything
//! before the first `/` when that prefix is a valid domain. Go's regexp prefers the same split
//! (leftmost-first, the optional domain is greedy), so the parts are the ones Docker captures.

/// Longest tag: one leading word character and up to 127 more.
pub(crate) const MAX_TAG_LEN: usize = 128;

/// Length of an image ID (a sha256 digest without its algorithm).
const IDENTIFIER_LEN: usize = 64;

/// Shortest digest hex accepted by the grammar: 128 bits.
const MIN_DIGEST_HEX_LEN: usize = 32;

/// The pieces of a string that matched `reference`, borrowed from it. Nothing is validated
/// beyond the grammar: the digest may still use an unsupported algorithm and the path may be too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parts<'a> {
    pub domain: Option<&'a str>,
    pub path: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

/// Matches the whole of `s` against `reference`.
pub(crate) fn match_reference(s: &str) -> Option<Parts<'_>> {
    let (name_and_tag, digest) = match s.split_once('@') {
        Some((name_and_tag, digest)) => {
            if !is_digest(digest) {
                return None;
            }
            (name_and_tag, Some(digest))
        }
        None => (s, None),
    };
    let (name, tag) = match name_and_tag.rfind(':') {
        Some(colon) if !name_and_tag[colon..].contains('/') => {
            let tag = &name_and_tag[colon + 1..];
            if !is_tag(tag) {
                return None;
            }
            (&name_and_tag[..colon], Some(tag))
        }
        _ => (name_and_tag, None),
    };
    let (domain, path) = match_name(name)?;
    Some(Parts {
        domain,
        path,
        tag,
        digest,
    })
}

/// Matches the whole of `name` against `name`, returning the domain (if any) and the path.
pub(crate) fn match_name(name: &str) -> Option<(Option<&str>, &str)> {
    if let Some((first, rest)) = name.split_once('/') {
        if is_domain(first) {
            return is_path(rest).then_some((Some(first), rest));
        }
    }
    is_path(name).then_some((None, name))
}

/// `domain`: a host name, IPv4 address or bracketed IPv6 address, with an optional port.
pub(crate) fn is_domain(s: &str) -> bool {
    let (host_ok, after_host) = if let Some(bracketed) = s.strip_prefix('[') {
        match bracketed.split_once(']') {
            Some((address, after)) => (is_ipv6_address(address), after),
            None => return false,
        }
    } else {
        let end = s.find(':').unwrap_or(s.len());
        (is_domain_name(&s[..end]), &s[end..])
    };
    host_ok && is_optional_port(after_host)
}

/// `(:[0-9]+)?`
fn is_optional_port(s: &str) -> bool {
    s.is_empty()
        || s.strip_prefix(':')
            .is_some_and(|port| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
}

/// `[a-fA-F0-9:]+`: deliberately loose (Docker's), but it excludes zones (`%eth0`) and
/// IPv4-mapped forms (`::ffff:1.2.3.4`).
fn is_ipv6_address(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b':')
}

fn is_domain_name(s: &str) -> bool {
    s.split('.').all(is_domain_component)
}

fn is_domain_component(s: &str) -> bool {
    let bytes = s.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        _ => false,
    }
}

/// `path`: one or more path components separated by single slashes.
pub(crate) fn is_path(s: &str) -> bool {
    s.split('/').all(is_path_component)
}

fn is_lower_alphanumeric(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
pub(crate) fn is_path_component(s: &str) -> bool {
    let bytes = s.as_bytes();
    if !bytes.first().is_some_and(|b| is_lower_alphanumeric(*b)) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if is_lower_alphanumeric(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && matches!(bytes[i], b'.' | b'_' | b'-') {
            i += 1;
        }
        let separator = &bytes[start..i];
        let followed_by_alphanumeric = bytes.get(i).is_some_and(|b| is_lower_alphanumeric(*b));
        let separator_ok = matches!(separator, b"." | b"_" | b"__")
            || (!separator.is_empty() && separator.iter().all(|b| *b == b'-'));
        if !followed_by_alphanumeric || !separator_ok {
            return false;
        }
    }
    true
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `[\w][\w.-]{0,127}`
pub(crate) fn is_tag(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.len() <= MAX_TAG_LEN
        && bytes.first().is_some_and(|b| is_word(*b))
        && bytes
            .iter()
            .all(|b| is_word(*b) || matches!(b, b'.' | b'-'))
}

/// The reference grammar's `digest`, looser than what berth accepts (`berth_digest::Digest::parse`).
pub(crate) fn is_digest(s: &str) -> bool {
    let Some((algorithm, hex)) = s.split_once(':') else {
        return false;
    };
    let algorithm_ok = algorithm.split(['-', '_', '+', '.']).all(|component| {
        component
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_alphabetic)
            && component.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    algorithm_ok && hex.len() >= MIN_DIGEST_HEX_LEN && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `identifier`: 64 lowercase hex characters, an image ID rather than a name.
pub(crate) fn is_identifier(s: &str) -> bool {
    s.len() == IDENTIFIER_LEN && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
