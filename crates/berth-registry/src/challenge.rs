//! `WWW-Authenticate` challenges (RFC 7235): `Bearer realm="…",service="…",scope="…"` or
//! `Basic realm="…"`. Parsed from untrusted bytes without panics; unknown schemes are skipped.

use std::collections::BTreeMap;

/// What a registry asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Challenge {
    Bearer {
        realm: String,
        service: Option<String>,
        /// The scope the registry wants, when it says (e.g. on `insufficient_scope`).
        scope: Option<String>,
    },
    Basic,
}

/// Parses every header value and returns the first challenge berth can answer, preferring Bearer.
pub(crate) fn parse_challenges<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<Challenge> {
    let mut basic = false;
    for value in values {
        for (scheme, params) in parse_header(value) {
            if scheme.eq_ignore_ascii_case("bearer") {
                if let Some(realm) = params.get("realm").filter(|r| !r.is_empty()) {
                    return Some(Challenge::Bearer {
                        realm: realm.clone(),
                        service: params.get("service").cloned(),
                        scope: params.get("scope").cloned(),
                    });
                }
            } else if scheme.eq_ignore_ascii_case("basic") {
                basic = true;
            }
        }
    }
    basic.then_some(Challenge::Basic)
}

/// Splits one header value into (scheme, params) pairs.
fn parse_header(value: &str) -> Vec<(String, BTreeMap<String, String>)> {
    let mut out: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        skip(bytes, &mut i, |b| b == b' ' || b == b'\t' || b == b',');
        let start = i;
        skip(bytes, &mut i, is_token_byte);
        if i == start {
            // Not a token: skip one byte so malformed input always makes progress.
            i += 1;
            continue;
        }
        let token = &value[start..i];
        let after_ws = {
            let mut j = i;
            skip(bytes, &mut j, |b| b == b' ' || b == b'\t');
            j
        };
        if bytes.get(after_ws) == Some(&b'=') && !out.is_empty() {
            // `name=value`, a parameter of the current challenge.
            i = after_ws + 1;
            skip(bytes, &mut i, |b| b == b' ' || b == b'\t');
            let param_value = if bytes.get(i) == Some(&b'"') {
                i += 1;
                let mut v = String::new();
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' && i + 1 < bytes.len() {
                        i += 1;
                    }
                    let ch_len = utf8_len(bytes[i]);
                    let end = (i + ch_len).min(bytes.len());
                    v.push_str(value.get(i..end).unwrap_or_default());
                    i = end;
                }
                i += 1;
                v
            } else {
                let vstart = i;
                skip(bytes, &mut i, |b| b != b',' && b != b' ' && b != b'\t');
                value[vstart..i].to_owned()
            };
            if let Some((_, params)) = out.last_mut() {
                params
                    .entry(token.to_ascii_lowercase())
                    .or_insert(param_value);
            }
        } else {
            out.push((token.to_owned(), BTreeMap::new()));
        }
    }
    out
}

fn skip(bytes: &[u8], i: &mut usize, pred: impl Fn(u8) -> bool) {
    while *i < bytes.len() && pred(bytes[*i]) {
        *i += 1;
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::needless_pass_by_value)] // table rows read best by value
    fn check(input: &str, expected: Option<Challenge>) {
        assert_eq!(parse_challenges([input]), expected, "{input}");
    }

    #[allow(clippy::unnecessary_wraps)] // the table's expected values are Options
    fn bearer(realm: &str, service: Option<&str>, scope: Option<&str>) -> Option<Challenge> {
        Some(Challenge::Bearer {
            realm: realm.into(),
            service: service.map(Into::into),
            scope: scope.map(Into::into),
        })
    }

    #[test]
    fn challenges() {
        check(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull""#,
            bearer(
                "https://auth.docker.io/token",
                Some("registry.docker.io"),
                Some("repository:library/ubuntu:pull"),
            ),
        );
        check(r#"Basic realm="Registry Realm""#, Some(Challenge::Basic));
        check(
            r#"Basic realm="x", Bearer realm="https://a/t", service=svc"#,
            bearer("https://a/t", Some("svc"), None),
        );
        check(
            r#"bearer realm="https://a/\"q\"", error="insufficient_scope""#,
            bearer("https://a/\"q\"", None, None),
        );
        check("Negotiate", None);
        check("", None);
        check(r#"Bearer service="x""#, None);
        check(
            r#"Bearer realm="unterminated"#,
            bearer("unterminated", None, None),
        );
        check("=,=\"\u{e9}\"", None);
    }
}
