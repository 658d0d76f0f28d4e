//! The bearer-token flow of the distribution spec: realm validation, the token request
//! (anonymous, Basic credentials, or an OAuth2 refresh token), and the cached token.

use std::{
    net::IpAddr,
    time::{Duration, Instant},
};

use crate::{
    error::{Error, Result},
    hosts::{is_loopback_host, strip_port},
};

/// Largest token response accepted, as containers/image `iolimits.MaxAuthTokenBodySize`.
pub(crate) const MAX_TOKEN_BYTES: u64 = 1024 * 1024;
/// Tokens live at least this long (the spec's minimum `expires_in`).
const MIN_TOKEN_LIFETIME: Duration = Duration::from_secs(60);
/// A token this close to expiring is fetched again rather than used.
const EXPIRY_MARGIN: Duration = Duration::from_secs(10);
/// The `client_id` berth names itself with in token requests.
pub(crate) const CLIENT_ID: &str = "berth";

/// A bearer token and when it stops being usable.
#[derive(Clone)]
pub(crate) struct Token {
    pub(crate) value: String,
    pub(crate) expires_at: Instant,
    /// An OAuth2 refresh token the realm handed out (kept by `login` as Docker's `identitytoken`).
    pub(crate) refresh: Option<String>,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("value", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Token {
    pub(crate) fn is_fresh(&self) -> bool {
        self.expires_at > Instant::now() + EXPIRY_MARGIN
    }
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    #[serde(default)]
    token: String,
    #[serde(default)]
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    refresh_token: Option<String>,
}

/// Parses a token server's reply (`token` or `access_token`, `expires_in`, `refresh_token`).
pub(crate) fn parse_token_response(realm: &str, bytes: &[u8]) -> Result<Token> {
    let response: TokenResponse =
        serde_json::from_slice(bytes).map_err(|source| Error::BadToken {
            realm: realm.to_owned(),
            source,
        })?;
    let value = if response.token.is_empty() {
        response.access_token
    } else {
        response.token
    };
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::BadToken {
            realm: realm.to_owned(),
            source: serde::de::Error::custom("no usable token in the response"),
        });
    }
    let lifetime = response
        .expires_in
        .map_or(MIN_TOKEN_LIFETIME, Duration::from_secs)
        .max(MIN_TOKEN_LIFETIME)
        .min(Duration::from_secs(24 * 3600));
    Ok(Token {
        value,
        expires_at: Instant::now() + lifetime,
        refresh: response.refresh_token.filter(|t| !t.is_empty()),
    })
}

/// Checks the realm a registry's challenge points at before any credential is sent there
/// (the realm receives the user's Basic credentials). As ggcr's `validateRealmURL`:
/// - https only, or http when the registry itself is insecure (configured, or on loopback);
/// - no user info in the URL;
/// - never an unspecified, link-local, multicast or broadcast IP literal (cloud metadata
///   endpoints live at 169.254.169.254);
/// - a loopback realm only for a loopback registry, and a private IP literal only for an insecure
///   registry or the registry's own host.
pub(crate) fn validate_realm(
    realm: &str,
    registry_host: &str,
    registry_insecure: bool,
) -> Result<url::Url> {
    let reject = |reason| Error::RealmRejected {
        realm: realm.to_owned(),
        reason,
    };
    let url = url::Url::parse(realm).map_err(|_| reject("not a URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if registry_insecure => {}
        "http" => return Err(reject("realm must use https")),
        _ => return Err(reject("unsupported scheme")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(reject("realm carries user info"));
    }
    let Some(host) = url.host() else {
        return Err(reject("realm has no host"));
    };
    let registry_is_loopback = is_loopback_host(registry_host);
    let registry_bare = strip_port(registry_host)
        .trim_start_matches('[')
        .trim_end_matches(']');
    let ip: Option<IpAddr> = match host {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(domain) => {
            if domain.eq_ignore_ascii_case("localhost") && !registry_is_loopback {
                return Err(reject("loopback realm for a remote registry"));
            }
            None
        }
    };
    if let Some(ip) = ip {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            IpAddr::V4(_) => ip,
        };
        if ip.is_unspecified() || ip.is_multicast() || is_link_local(ip) || is_broadcast(ip) {
            return Err(reject("forbidden IP address"));
        }
        if ip.is_loopback() && !registry_is_loopback {
            return Err(reject("loopback realm for a remote registry"));
        }
        let same_host = registry_bare.parse::<IpAddr>().is_ok_and(|r| r == ip);
        if is_private(ip) && !registry_insecure && !same_host {
            return Err(reject("private IP address for a public registry"));
        }
    }
    Ok(url)
}

fn is_link_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
    }
}

fn is_broadcast(ip: IpAddr) -> bool {
    matches!(ip, IpAddr::V4(v4) if v4.is_broadcast())
}

fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_private() || v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64,
        IpAddr::V6(v6) => (v6.segments()[0] & 0xfe00) == 0xfc00,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(realm: &str, registry: &str, insecure: bool, ok: bool) {
        let result = validate_realm(realm, registry, insecure);
        assert_eq!(result.is_ok(), ok, "{realm} for {registry}: {result:?}");
    }

    #[test]
    fn realms() {
        check(
            "https://auth.docker.io/token",
            "registry-1.docker.io",
            false,
            true,
        );
        check("http://auth.example/token", "reg.example", false, false);
        check("http://auth.example/token", "reg.example", true, true);
        check("ftp://auth.example/token", "reg.example", true, false);
        check(
            "https://169.254.169.254/latest",
            "reg.example",
            false,
            false,
        );
        check("http://169.254.169.254/", "127.0.0.1:5000", true, false);
        check("https://[fe80::1]/t", "reg.example", false, false);
        check("https://0.0.0.0/t", "reg.example", false, false);
        check("https://[::]/t", "reg.example", false, false);
        check("https://127.0.0.1/t", "reg.example", false, false);
        check("https://localhost/t", "reg.example", false, false);
        check("http://127.0.0.1:9999/token", "127.0.0.1:5000", true, true);
        check("https://10.0.0.1/t", "reg.example", false, false);
        check("https://10.0.0.1/t", "10.0.0.1:5000", false, true);
        check(
            "https://user:pw@auth.example/t",
            "reg.example",
            false,
            false,
        );
        check("not a url", "reg.example", false, false);
        check(
            "https://[::ffff:169.254.169.254]/t",
            "reg.example",
            false,
            false,
        );
    }

    #[test]
    fn token_responses() {
        let t = parse_token_response("r", br#"{"token":"abc","expires_in":5}"#).unwrap();
        assert_eq!(t.value, "abc");
        assert!(t.is_fresh());
        let t = parse_token_response("r", br#"{"access_token":"x","refresh_token":"rt"}"#).unwrap();
        assert_eq!((t.value.as_str(), t.refresh.as_deref()), ("x", Some("rt")));
        assert!(parse_token_response("r", br"{}").is_err());
        assert!(parse_token_response("r", br#"{"token":"a\nb"}"#).is_err());
        assert!(parse_token_response("r", b"[").is_err());
    }
}
