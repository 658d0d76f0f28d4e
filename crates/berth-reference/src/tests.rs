//! Table-driven tests. Every table row goes through one `check`-style helper, so a failure names
//! its input. The vectors of distribution/reference's own tests are ported in `distribution`, with
//! the normalized outputs Docker produces; `properties` holds the proptest invariants.

use crate::{parse::parse_raw, Reference};

mod api;
mod distribution;
mod glob;
mod grammar;
mod properties;

/// A sha256 digest made of `f`s, as in distribution's tests.
const SHA256_F: &str = "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

/// Parses `input` as `docker pull INPUT` would ([`Reference::parse_normalized`]) and compares the
/// canonical string, or the exact error message.
fn check(input: &str, expected: Result<&str, &str>) {
    let actual = Reference::parse_normalized(input)
        .map(|r| r.to_string())
        .map_err(|e| e.to_string());
    assert_eq!(
        actual.as_deref().map_err(String::as_str),
        expected,
        "parse_normalized({input:?})"
    );
}

/// Parses `input` without normalization (distribution's `Parse`) and compares the captured
/// `[domain, name, tag, digest]`, `""` for an absent part as in `TestReferenceParse`, or the error
/// message. A successful parse must also print back to `input`, as distribution checks.
fn check_raw(input: &str, expected: Result<[&str; 4], &str>) {
    let actual = parse_raw(input)
        .map(|raw| {
            let name = match raw.domain {
                Some(domain) => format!("{domain}/{}", raw.path),
                None => raw.path.to_owned(),
            };
            let digest = raw
                .digest
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let mut printed = name.clone();
            if let Some(tag) = raw.tag {
                printed = format!("{printed}:{tag}");
            }
            if !digest.is_empty() {
                printed = format!("{printed}@{digest}");
            }
            assert_eq!(printed, input, "parse_raw({input:?}) does not print back");
            [
                raw.domain.unwrap_or_default().to_owned(),
                name,
                raw.tag.unwrap_or_default().to_owned(),
                digest,
            ]
        })
        .map_err(|error| error.to_string());
    let expected = expected
        .map(|parts| parts.map(str::to_owned))
        .map_err(str::to_owned);
    assert_eq!(actual, expected, "parse_raw({input:?})");
}
