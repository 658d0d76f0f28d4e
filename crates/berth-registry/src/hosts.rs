//! Where a registry name leads: API host, scheme, mirrors, trust.
//!
//! berth's client config file is `<config dir>/registries.json`:
//!
//! ```json
//! {
//!   "mirrors": { "docker.io": ["https://mirror.example.com"], "ghcr.io": ["http://10.0.0.5:5000"] },
//!   "insecure-registries": ["registry.lan:5000", "10.0.0.0/8"]
//! }
//! ```
//!
//! - `mirrors` maps a registry (as it appears in references, `docker.io` for Docker Hub) to mirror
//!   base URLs that pulls try first, in order, before the registry itself. Unlike Docker, any
//!   registry may have mirrors. A mirror is trusted like the registry: digests are still verified.
//! - `insecure-registries` (hosts, `host:port`, or CIDR ranges of IP literals) may use HTTP or a TLS
//!   certificate that does not verify, as Docker's daemon option of the same name: HTTPS without
//!   certificate checks is tried first, plain HTTP when that gets no HTTP answer (`client.rs`).
//! - Loopback registries (`localhost`, `127.0.0.0/8`, `::1`) are insecure without configuration,
//!   as in Docker.
//! - `<config dir>/certs.d/<host[:port]>/*.crt` are extra CA certificates for that registry, and
//!   `client.cert` + `client.key` a client certificate, like Docker's `/etc/docker/certs.d`.
//!   A registry with a `certs.d` directory always uses verified HTTPS.
//! - `allow-link-local` (default `false`) lets berth connect to link-local and cloud metadata
//!   addresses, which it otherwise refuses for registries, redirects and URLs (`address.rs`).

use std::{
    collections::BTreeMap,
    net::IpAddr,
    path::{Path, PathBuf},
};

use crate::error::{Error, Result};

/// The file name of the client config inside the config directory.
pub const REGISTRIES_FILE: &str = "registries.json";

/// Docker Hub, all in one place: the name in references and the index host (search, auth key) are
/// the reference grammar's (`berth_reference`); the API host and the key its logins are stored
/// under are the registry's own.
pub const DOCKER_HUB_DOMAIN: &str = berth_reference::DEFAULT_DOMAIN;
pub const DOCKER_HUB_API_HOST: &str = "registry-1.docker.io";
pub const DOCKER_HUB_INDEX_HOST: &str = berth_reference::LEGACY_DEFAULT_DOMAIN;
/// The key Docker Hub logins are stored under (Docker's `registry.IndexServer`).
pub const DOCKER_HUB_AUTH_KEY: &str = "https://index.docker.io/v1/";

const MAX_REGISTRIES_FILE_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistriesFile {
    #[serde(default)]
    mirrors: BTreeMap<String, Vec<String>>,
    #[serde(default, rename = "insecure-registries")]
    insecure_registries: Vec<String>,
    /// Connect to link-local and cloud metadata addresses (`address.rs`), refused by default.
    #[serde(default, rename = "allow-link-local")]
    allow_link_local: bool,
}

#[derive(Debug, Clone)]
enum InsecureRule {
    Host(String),
    Cidr { network: IpAddr, prefix: u8 },
}

/// Mirrors, insecure registries and per-registry certificates.
#[derive(Debug, Clone, Default)]
pub struct HostsConfig {
    mirrors: BTreeMap<String, Vec<url::Url>>,
    insecure: Vec<InsecureRule>,
    certs_dir: Option<PathBuf>,
    allow_link_local: bool,
}

/// TLS material for one registry, from `certs.d`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HostCerts {
    pub(crate) ca_pems: Vec<(PathBuf, Vec<u8>)>,
    pub(crate) identity_pem: Option<(PathBuf, Vec<u8>)>,
}

impl HostsConfig {
    /// Reads `<dir>/registries.json` (if present) and remembers `<dir>/certs.d`.
    pub fn load(dir: &Path) -> Result<HostsConfig> {
        let path = dir.join(REGISTRIES_FILE);
        let mut config = match std::fs::File::open(&path) {
            Ok(file) => {
                let bytes = berth_store::fs::read_file_bounded(&file, MAX_REGISTRIES_FILE_BYTES)
                    .map_err(|e| Error::HostsConfig {
                        path: path.clone(),
                        reason: e.to_string(),
                    })?;
                HostsConfig::parse(&path, &bytes)?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => HostsConfig::default(),
            Err(e) => {
                return Err(Error::HostsConfig {
                    path,
                    reason: e.to_string(),
                })
            }
        };
        config.certs_dir = Some(dir.join("certs.d"));
        Ok(config)
    }

    /// Parses the contents of a registries.json.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<HostsConfig> {
        let bad = |reason: String| Error::HostsConfig {
            path: path.to_owned(),
            reason,
        };
        let file: RegistriesFile = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
        let mut mirrors = BTreeMap::new();
        for (registry, urls) in file.mirrors {
            let registry = canonical_registry(&registry);
            let mut parsed = Vec::new();
            for raw in urls {
                let with_scheme = if raw.contains("://") {
                    raw.clone()
                } else {
                    format!("https://{raw}")
                };
                let url = url::Url::parse(&with_scheme)
                    .map_err(|e| bad(format!("mirror {raw:?}: {e}")))?;
                if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                    return Err(bad(format!("mirror {raw:?} is not an http(s) URL")));
                }
                parsed.push(url);
            }
            mirrors.insert(registry, parsed);
        }
        let insecure = file
            .insecure_registries
            .iter()
            .map(|raw| parse_insecure(raw).ok_or_else(|| bad(format!("insecure registry {raw:?}"))))
            .collect::<Result<Vec<_>>>()?;
        Ok(HostsConfig {
            mirrors,
            insecure,
            certs_dir: None,
            allow_link_local: file.allow_link_local,
        })
    }

    /// Adds a mirror for `registry` (for callers that configure in code, and tests).
    pub fn add_mirror(&mut self, registry: &str, url: url::Url) {
        self.mirrors
            .entry(canonical_registry(registry))
            .or_default()
            .push(url);
    }

    /// Marks `host[:port]` (or a CIDR range) insecure.
    pub fn add_insecure(&mut self, rule: &str) -> bool {
        match parse_insecure(rule) {
            Some(rule) => {
                self.insecure.push(rule);
                true
            }
            None => false,
        }
    }

    /// Whether link-local and cloud metadata addresses may be contacted (`"allow-link-local"`).
    pub fn allows_link_local(&self) -> bool {
        self.allow_link_local
    }

    /// Allows or refuses link-local and cloud metadata addresses.
    pub fn set_allow_link_local(&mut self, allow: bool) {
        self.allow_link_local = allow;
    }

    /// Uses `dir` as the `certs.d` directory.
    pub fn set_certs_dir(&mut self, dir: PathBuf) {
        self.certs_dir = Some(dir);
    }

    pub(crate) fn mirrors(&self, registry: &str) -> &[url::Url] {
        self.mirrors
            .get(&canonical_registry(registry))
            .map_or(&[], Vec::as_slice)
    }

    /// Whether `host[:port]` may use HTTP or an unverified certificate.
    pub fn is_insecure(&self, host: &str) -> bool {
        if is_loopback_host(host) {
            return true;
        }
        let bare = strip_port(host);
        self.insecure.iter().any(|rule| match rule {
            InsecureRule::Host(h) => h == host || h == bare,
            InsecureRule::Cidr { network, prefix } => bare
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
                .is_ok_and(|ip| in_cidr(ip, *network, *prefix)),
        })
    }

    /// CA certificates and client identity from `certs.d/<host>/`, if that directory exists.
    pub(crate) fn certs(&self, host: &str) -> Result<Option<HostCerts>> {
        let Some(certs_dir) = &self.certs_dir else {
            return Ok(None);
        };
        // Docker names IPv6 directories without brackets being special; use the host as written.
        let dir = certs_dir.join(host.replace('/', "_"));
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(Error::Certificate { path: dir, source }),
        };
        let mut certs = HostCerts::default();
        let mut names: Vec<PathBuf> = entries
            .filter_map(std::result::Result::ok)
            .map(|e| e.path())
            .collect();
        names.sort();
        let read = |path: &Path| {
            std::fs::read(path).map_err(|source| Error::Certificate {
                path: path.to_owned(),
                source,
            })
        };
        for path in &names {
            if path.extension().is_some_and(|e| e == "crt") {
                certs.ca_pems.push((path.clone(), read(path)?));
            }
        }
        let cert = dir.join("client.cert");
        let key = dir.join("client.key");
        if cert.exists() && key.exists() {
            let mut pem = read(&cert)?;
            pem.push(b'\n');
            pem.extend(read(&key)?);
            certs.identity_pem = Some((cert, pem));
        }
        Ok(Some(certs))
    }
}

/// `index.docker.io` and `registry-1.docker.io` are Docker Hub's `docker.io`.
fn canonical_registry(registry: &str) -> String {
    match registry {
        DOCKER_HUB_INDEX_HOST | DOCKER_HUB_API_HOST => DOCKER_HUB_DOMAIN.to_owned(),
        other => other.to_owned(),
    }
}

/// The API host of a registry: Docker Hub's traffic goes to `registry-1.docker.io`.
pub(crate) fn api_host(registry: &str) -> &str {
    match registry {
        DOCKER_HUB_DOMAIN | DOCKER_HUB_INDEX_HOST => DOCKER_HUB_API_HOST,
        other => other,
    }
}

fn parse_insecure(raw: &str) -> Option<InsecureRule> {
    let raw = raw.trim();
    let raw = raw
        .strip_prefix("http://")
        .or_else(|| raw.strip_prefix("https://"))
        .unwrap_or(raw)
        .trim_end_matches('/');
    if raw.is_empty() {
        return None;
    }
    if let Some((network, prefix)) = raw.split_once('/') {
        let network: IpAddr = network.parse().ok()?;
        let prefix: u8 = prefix.parse().ok()?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        return (prefix <= max).then_some(InsecureRule::Cidr { network, prefix });
    }
    Some(InsecureRule::Host(raw.to_owned()))
}

fn in_cidr(ip: IpAddr, network: IpAddr, prefix: u8) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = if prefix == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(prefix))
            };
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = if prefix == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(prefix))
            };
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// `host:port` -> `host`, `[::1]:5000` -> `[::1]`.
pub(crate) fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    match host.rsplit_once(':') {
        Some((bare, port)) if !bare.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            bare
        }
        _ => host,
    }
}

/// Whether a host names this machine: `localhost`, `127.0.0.0/8`, `::1` (with or without a port).
pub fn is_loopback_host(host: &str) -> bool {
    let bare = strip_port(host);
    if bare.eq_ignore_ascii_case("localhost") {
        return true;
    }
    bare.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for (host, expected) in [
            ("localhost", true),
            ("localhost:5000", true),
            ("127.0.0.1:5000", true),
            ("127.1.2.3", true),
            ("[::1]:5000", true),
            ("10.0.0.1:5000", false),
            ("docker.io", false),
            ("localhost.example.com", false),
        ] {
            assert_eq!(is_loopback_host(host), expected, "{host}");
        }
    }

    #[test]
    fn insecure_rules() {
        let config = HostsConfig::parse(
            Path::new("registries.json"),
            br#"{"insecure-registries":["reg.lan:5000","10.0.0.0/8","plain.lan"],
                 "mirrors":{"index.docker.io":["mirror.example"]}}"#,
        )
        .unwrap();
        assert!(config.is_insecure("reg.lan:5000"));
        assert!(!config.is_insecure("reg.lan:5001"));
        assert!(config.is_insecure("plain.lan:443"));
        assert!(config.is_insecure("10.1.2.3:5000"));
        assert!(!config.is_insecure("11.1.2.3"));
        assert_eq!(
            config.mirrors("docker.io")[0].as_str(),
            "https://mirror.example/"
        );
    }

    #[test]
    fn rejects_unknown_keys_and_bad_mirrors() {
        for bad in [
            r#"{"mirror":{}}"#,
            r#"{"mirrors":{"docker.io":["ftp://x"]}}"#,
            r#"{"insecure-registries":["10.0.0.0/99"]}"#,
        ] {
            assert!(
                HostsConfig::parse(Path::new("r.json"), bad.as_bytes()).is_err(),
                "{bad}"
            );
        }
    }
}
