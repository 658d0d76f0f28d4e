//! Addresses berth never connects to unless told to (issue #13 item 7, blind SSRF): link-local
//! addresses (`169.254.0.0/16`, `fe80::/10`), where clouds serve instance metadata and credentials
//! (`169.254.169.254`, `fd00:ec2::254` on AWS's IPv6). A registry, a blob redirect, a token realm
//! or a URL to `import` could otherwise make berth, run as root on a cloud host, fetch them.
//!
//! Two checks, both before any connection: [`check_url`] for IP literals (reqwest resolves no
//! name for them), and [`GuardedResolver`], the DNS resolver of every client, which drops refused
//! addresses from what a name resolves to (a name that resolves only to them fails). Set
//! `"allow-link-local": true` in registries.json to allow them.

use std::{
    net::{IpAddr, Ipv6Addr, SocketAddr, ToSocketAddrs},
    sync::Arc,
};

/// AWS's IPv6 instance metadata address.
const AWS_METADATA_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);

/// Whether berth refuses to connect to `ip` by default.
pub fn is_refused(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4.is_link_local();
            }
            v6.is_unicast_link_local() || v6 == AWS_METADATA_V6
        }
    }
}

/// A refused address, for the error of the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refusing to connect to {target}: a link-local or cloud metadata address (set \"allow-link-local\": true in registries.json to allow it)")]
pub struct Refused {
    /// The URL (without credentials) or host name.
    pub target: String,
}

/// Refuses a URL whose host is a refused IP literal (names are checked by [`GuardedResolver`]).
pub fn check_url(url: &url::Url, allow_link_local: bool) -> Result<(), Refused> {
    if allow_link_local {
        return Ok(());
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        _ => return Ok(()),
    };
    if is_refused(ip) {
        let mut target = url.clone();
        let _ = target.set_username("");
        let _ = target.set_password(None);
        return Err(Refused {
            target: target.to_string(),
        });
    }
    Ok(())
}

/// The refusal of [`GuardedResolver`] inside a failed request's causes.
pub fn refused_in(error: &(dyn std::error::Error + 'static)) -> Option<Refused> {
    let mut cause = Some(error);
    while let Some(current) = cause {
        if let Some(refused) = current.downcast_ref::<Refused>() {
            return Some(refused.clone());
        }
        cause = current.source();
    }
    None
}

/// The system resolver (getaddrinfo, on a blocking thread) without the refused addresses.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver;

impl GuardedResolver {
    pub fn shared() -> Arc<GuardedResolver> {
        Arc::new(GuardedResolver)
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let lookup = host.clone();
            let addrs: Vec<SocketAddr> =
                tokio::task::spawn_blocking(move || (lookup.as_str(), 0).to_socket_addrs())
                    .await
                    .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)??
                    .collect();
            let allowed: Vec<SocketAddr> = addrs
                .iter()
                .copied()
                .filter(|a| !is_refused(a.ip()))
                .collect();
            if allowed.is_empty() && !addrs.is_empty() {
                return Err(
                    Box::new(Refused { target: host }) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_addresses() {
        for (ip, refused) in [
            ("169.254.169.254", true),
            ("169.254.0.1", true),
            ("fe80::1", true),
            ("febf::1", true),
            ("fd00:ec2::254", true),
            ("::ffff:169.254.169.254", true),
            ("127.0.0.1", false),
            ("10.0.0.1", false),
            ("169.255.0.1", false),
            ("fec0::1", false),
            ("fd00:ec2::253", false),
            ("::1", false),
        ] {
            assert_eq!(is_refused(ip.parse().unwrap()), refused, "{ip}");
        }
    }

    #[test]
    fn the_resolver_drops_refused_addresses() {
        use reqwest::dns::Resolve as _;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let resolve = |name: &str| {
            let name: reqwest::dns::Name = name.parse().unwrap();
            runtime
                .block_on(GuardedResolver.resolve(name))
                .map(|addrs| addrs.map(|a| a.ip()).collect::<Vec<_>>())
                .map_err(|e| e.to_string())
        };
        let refused = resolve("169.254.169.254").unwrap_err();
        assert!(
            refused.starts_with("refusing to connect to 169.254.169.254"),
            "{refused}"
        );
        assert!(resolve("fd00:ec2::254").is_err());
        assert_eq!(
            resolve("127.0.0.1").unwrap(),
            ["127.0.0.1".parse::<IpAddr>().unwrap()]
        );
    }

    #[test]
    fn urls() {
        for (url, allow, refused) in [
            ("http://169.254.169.254/latest/meta-data/", false, true),
            ("http://169.254.169.254/latest/meta-data/", true, false),
            ("http://[fd00:ec2::254]/", false, true),
            ("http://127.0.0.1:5000/v2/", false, false),
            ("https://registry.example/v2/", false, false),
        ] {
            let url = url::Url::parse(url).unwrap();
            assert_eq!(check_url(&url, allow).is_err(), refused, "{url}");
        }
    }
}
