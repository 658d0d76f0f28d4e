//! The HTTP side: one [`Client`] per process, endpoints, and requests with retries, manual
//! redirects and bounded bodies.
//!
//! Redirects are never followed by reqwest (`redirect::Policy::none()`): [`Session::send`] follows
//! them itself and attaches `Authorization` only to URLs on the registry's own origin, so a blob
//! redirected to storage (or anywhere else) never sees the user's token.

use std::{collections::HashMap, path::PathBuf, sync::Mutex, time::Duration};

use reqwest::{header, Method, Response, StatusCode};

use crate::{
    auth::AuthState,
    config::{self, Credentials, DockerConfig},
    error::{is_transient_status, Error, RegistryErrorDetail, Result},
    hosts::{self, HostsConfig},
};

/// Largest error body read from a registry, as containers/image `iolimits.MaxErrorBodySize`.
pub(crate) const MAX_ERROR_BYTES: u64 = 1024 * 1024;
/// Redirect hops followed before giving up (reqwest's and Go's default).
const MAX_REDIRECTS: usize = 10;
/// The key of the shared client that skips certificate checks (never a `host[:port]`).
const UNVERIFIED: &str = "<unverified>";
/// Longest pause honoured from a `Retry-After` header.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// How the client is set up. `Default` reads nothing: the CLI fills in the paths.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// berth's client config directory (`registries.json`, `certs.d/`).
    pub config_dir: Option<PathBuf>,
    /// The Docker client config file; `None` means `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`.
    pub docker_config: Option<PathBuf>,
    pub user_agent: String,
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of a response (a stalled download fails after this and resumes).
    pub read_timeout: Duration,
    /// Attempts per request on dropped connections, 408, 429 and 5xx (Docker's `max-download-attempts`).
    pub max_attempts: u32,
    /// First pause between attempts; doubled each time, capped at 10 s.
    pub retry_delay: Duration,
}

impl Default for ClientOptions {
    fn default() -> ClientOptions {
        ClientOptions {
            config_dir: None,
            docker_config: None,
            user_agent: format!("berth/{}", env!("CARGO_PKG_VERSION")),
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(60),
            max_attempts: 5,
            retry_delay: Duration::from_millis(250),
        }
    }
}

/// A registry client: connection pools, TLS settings, credentials and cached tokens.
pub struct Client {
    pub(crate) options: ClientOptions,
    pub(crate) hosts: HostsConfig,
    docker_config_path: Option<PathBuf>,
    http: Mutex<HashMap<String, reqwest::Client>>,
    /// The scheme each insecure registry answered on.
    schemes: Mutex<HashMap<String, &'static str>>,
    pub(crate) auth: AuthState,
    credentials: Mutex<HashMap<String, Option<Credentials>>>,
}

/// One registry (or mirror) as the client talks to it.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    /// `host[:port]` of the API.
    pub(crate) host: String,
    /// `https://host/` (or `http://`, or a mirror's base URL with its path).
    pub(crate) base: url::Url,
    /// May use HTTP, and a realm over HTTP.
    pub(crate) insecure: bool,
    /// Where this endpoint's login lives in config.json.
    pub(crate) auth_key: String,
}

impl Client {
    pub fn new(options: ClientOptions) -> Result<Client> {
        let hosts = match &options.config_dir {
            Some(dir) => HostsConfig::load(dir)?,
            None => HostsConfig::default(),
        };
        Ok(Client::with_hosts(options, hosts))
    }

    /// A client with an explicit hosts configuration (mirrors, insecure registries, certs.d).
    pub fn with_hosts(options: ClientOptions, hosts: HostsConfig) -> Client {
        let docker_config_path = options
            .docker_config
            .clone()
            .or_else(config::default_docker_config_path);
        Client {
            options,
            hosts,
            docker_config_path,
            http: Mutex::new(HashMap::new()),
            schemes: Mutex::new(HashMap::new()),
            auth: AuthState::default(),
            credentials: Mutex::new(HashMap::new()),
        }
    }

    /// The Docker client config file this client reads logins from.
    pub fn docker_config_path(&self) -> Option<&std::path::Path> {
        self.docker_config_path.as_deref()
    }

    pub(crate) fn load_docker_config(&self) -> Result<DockerConfig> {
        match &self.docker_config_path {
            Some(path) => DockerConfig::load(path),
            None => Ok(DockerConfig::parse(
                std::path::Path::new("config.json"),
                b"",
            )?),
        }
    }

    /// The stored login for `auth_key` (looked up once per process; helpers run off the async threads).
    pub(crate) async fn credentials(&self, auth_key: &str) -> Result<Option<Credentials>> {
        if let Some(cached) = lock(&self.credentials).get(auth_key) {
            return Ok(cached.clone());
        }
        let config = self.load_docker_config()?;
        let key = auth_key.to_owned();
        let found = crate::blocking::unblock(move || config.credentials(&key)).await??;
        lock(&self.credentials).insert(auth_key.to_owned(), found.clone());
        Ok(found)
    }

    /// Uses `credentials` for `auth_key` in this process instead of the stored login (login, tests).
    pub(crate) fn set_credentials(&self, auth_key: &str, credentials: Option<Credentials>) {
        lock(&self.credentials).insert(auth_key.to_owned(), credentials);
        self.auth.forget_host_tokens();
    }

    /// The endpoint of a registry named in a reference (`docker.io`, `localhost:5000`).
    pub(crate) async fn endpoint(&self, registry: &str) -> Result<Endpoint> {
        let host = hosts::api_host(registry).to_owned();
        if host.is_empty() || host.contains(['/', '@', '?', '#', ' ']) {
            return Err(Error::BadServer(registry.to_owned()));
        }
        let insecure = self.hosts.is_insecure(&host);
        let has_certs = self.hosts.certs(&host)?.is_some();
        // Like Docker, loopback and insecure registries are tried over HTTPS first (without
        // verifying the certificate, unless certs.d has a CA for them), then over plain HTTP.
        let scheme = if insecure && !has_certs {
            self.insecure_scheme(&host).await
        } else {
            "https"
        };
        let base = url::Url::parse(&format!("{scheme}://{host}/"))
            .map_err(|_| Error::BadServer(registry.to_owned()))?;
        Ok(Endpoint {
            auth_key: config::auth_key(registry),
            host,
            base,
            insecure,
        })
    }

    /// Whether an insecure registry without a configured CA answers HTTPS (any HTTP response to
    /// `GET /v2/` over TLS counts), else plain HTTP. Asked once per host and process.
    async fn insecure_scheme(&self, host: &str) -> &'static str {
        if let Some(scheme) = lock(&self.schemes).get(host) {
            return scheme;
        }
        let probe = async {
            let url = url::Url::parse(&format!("https://{host}/v2/")).ok()?;
            let http = self.http_for(&url).ok()?;
            http.get(url).send().await.ok()
        };
        let scheme = match probe.await {
            Some(_) => "https",
            None => "http",
        };
        tracing::debug!(host, scheme, "insecure registry");
        lock(&self.schemes).insert(host.to_owned(), scheme);
        scheme
    }

    /// The endpoints a pull tries in order: the registry's mirrors, then the registry.
    pub(crate) async fn pull_endpoints(&self, registry: &str) -> Result<Vec<Endpoint>> {
        let mut endpoints = Vec::new();
        for mirror in self.hosts.mirrors(registry) {
            let Some(host) = mirror_host(mirror) else {
                continue;
            };
            let mut base = mirror.clone();
            if !base.path().ends_with('/') {
                base.set_path(&format!("{}/", base.path()));
            }
            endpoints.push(Endpoint {
                insecure: self.hosts.is_insecure(&host),
                auth_key: host.clone(),
                host,
                base,
            });
        }
        endpoints.push(self.endpoint(registry).await?);
        Ok(endpoints)
    }

    /// The reqwest client for `url`: shared, or with the CA certificates of the host's `certs.d`, or,
    /// for an insecure registry without them, one that does not verify certificates (Docker's
    /// `InsecureSkipVerify` for `insecure-registries` and loopback).
    pub(crate) fn http_for(&self, url: &url::Url) -> Result<reqwest::Client> {
        crate::address::check_url(url, self.hosts.allows_link_local())?;
        let host = url_host(url);
        let certs = self.hosts.certs(&host)?;
        let unverified =
            certs.is_none() && url.scheme() == "https" && self.hosts.is_insecure(&host);
        let key = match (&certs, unverified) {
            (Some(_), _) => host,
            (None, true) => UNVERIFIED.to_owned(),
            (None, false) => String::new(),
        };
        if let Some(client) = lock(&self.http).get(&key) {
            return Ok(client.clone());
        }
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(self.options.user_agent.clone())
            .connect_timeout(self.options.connect_timeout)
            .read_timeout(self.options.read_timeout)
            .pool_idle_timeout(Duration::from_secs(60));
        if !self.hosts.allows_link_local() {
            builder = builder.dns_resolver(crate::address::GuardedResolver::shared());
        }
        if let Some(certs) = certs {
            for (path, pem) in certs.ca_pems {
                for cert in reqwest::Certificate::from_pem_bundle(&pem).map_err(|source| {
                    Error::CertificateParse {
                        path: path.clone(),
                        source,
                    }
                })? {
                    builder = builder.add_root_certificate(cert);
                }
            }
            if let Some((path, pem)) = certs.identity_pem {
                let identity = reqwest::Identity::from_pem(&pem)
                    .map_err(|source| Error::CertificateParse { path, source })?;
                builder = builder.identity(identity);
            }
        }
        if unverified {
            builder = builder.danger_accept_invalid_certs(true);
        }
        let client = builder.build().map_err(Error::HttpClient)?;
        lock(&self.http).insert(key, client.clone());
        Ok(client)
    }

    /// A session for requests to `endpoint` with the token scopes `scopes`.
    pub(crate) fn session(&self, endpoint: Endpoint, scopes: Vec<String>) -> Session<'_> {
        Session {
            client: self,
            endpoint,
            scopes,
        }
    }

    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(8));
        (self.options.retry_delay * factor).min(Duration::from_secs(10))
    }
}

fn mirror_host(url: &url::Url) -> Option<String> {
    url.host_str()?;
    Some(url_host(url))
}

/// `host[:port]` of a URL, with the port only when it is not the scheme's default.
pub(crate) fn url_host(url: &url::Url) -> String {
    let host = match url.host() {
        Some(url::Host::Ipv6(ip)) => format!("[{ip}]"),
        Some(host) => host.to_string(),
        None => String::new(),
    };
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Requests to one endpoint under one set of token scopes.
pub(crate) struct Session<'a> {
    pub(crate) client: &'a Client,
    pub(crate) endpoint: Endpoint,
    pub(crate) scopes: Vec<String>,
}

/// How hard a request is tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Retried on dropped connections and 408/429/5xx (idempotent requests).
    Transient,
    /// Sent once (uploads, whose failure the caller handles by asking the registry where it stands).
    Once,
}

impl Session<'_> {
    /// `base` joined with a path such as `v2/library/ubuntu/manifests/latest`.
    pub(crate) fn url(&self, path: &str) -> Result<url::Url> {
        self.endpoint
            .base
            .join(path)
            .map_err(|_| Error::BadServer(format!("{}{path}", self.endpoint.base)))
    }

    /// Whether `url` is on the endpoint's own origin (scheme, host and port): only then does a
    /// request carry credentials.
    pub(crate) fn same_origin(&self, url: &url::Url) -> bool {
        url.scheme() == self.endpoint.base.scheme()
            && url.host_str() == self.endpoint.base.host_str()
            && url.port_or_known_default() == self.endpoint.base.port_or_known_default()
    }

    /// Sends a request built by `build` (called again for each attempt), authenticating on the
    /// endpoint's origin, answering one 401 challenge, retrying transient failures, and following
    /// redirects when `follow` is set (only for GET and HEAD).
    pub(crate) async fn send(
        &self,
        method: Method,
        url: url::Url,
        retry: Retry,
        follow: bool,
        build: &(dyn Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder + Sync),
    ) -> Result<Response> {
        let mut url = url;
        let mut hops = 0;
        loop {
            let response = self.send_one(method.clone(), &url, retry, build).await?;
            if !follow || !response.status().is_redirection() {
                return Ok(response);
            }
            hops += 1;
            if hops > MAX_REDIRECTS {
                return Err(Error::TooManyRedirects(MAX_REDIRECTS));
            }
            let Some(location) = response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
            else {
                return Ok(response);
            };
            let next = url.join(location).map_err(|_| Error::RedirectRejected {
                location: redact_url_str(location),
                reason: "not a URL",
            })?;
            if let Some(reason) = refused_redirect(url.scheme(), next.scheme()) {
                return Err(Error::RedirectRejected {
                    location: redact_url(&next),
                    reason,
                });
            }
            tracing::debug!(from = %redact_url(&url), to = %redact_url(&next), "following redirect");
            url = next;
        }
    }

    async fn send_one(
        &self,
        method: Method,
        url: &url::Url,
        retry: Retry,
        build: &(dyn Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder + Sync),
    ) -> Result<Response> {
        let http = self.client.http_for(url)?;
        let authenticate = self.same_origin(url);
        let max_attempts = match retry {
            Retry::Transient => self.client.options.max_attempts.max(1),
            Retry::Once => 1,
        };
        let mut attempt = 0;
        let mut answered_challenge = false;
        loop {
            attempt += 1;
            let mut request = build(http.request(method.clone(), url.clone()));
            let mut sent = None;
            if authenticate {
                if let Some(value) = self.client.auth.authorization(self).await? {
                    request = request.header(header::AUTHORIZATION, value.as_str());
                    sent = Some(value);
                }
            }
            tracing::debug!(%method, url = %redact_url(url), attempt, "request");
            let result = request.send().await;
            let response = match result {
                Ok(response) => response,
                Err(source) => {
                    // A name that resolved only to refused addresses (`address.rs`): final.
                    if let Some(refused) = crate::address::refused_in(&source) {
                        return Err(Error::RefusedAddress(refused));
                    }
                    let error = Error::Http {
                        url: redact_url(url),
                        source,
                    };
                    if error.is_transient() && attempt < max_attempts {
                        tracing::debug!(url = %redact_url(url), attempt, "request failed, retrying");
                        tokio::time::sleep(self.client.backoff(attempt)).await;
                        continue;
                    }
                    return Err(error);
                }
            };
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED && authenticate && !answered_challenge {
                answered_challenge = true;
                if self.client.auth.learn(self, &response, sent.as_deref()) {
                    attempt -= 1;
                    continue;
                }
                return Ok(response);
            }
            if is_transient_status(status.as_u16()) && attempt < max_attempts {
                let pause = retry_after(&response)
                    .unwrap_or_else(|| self.client.backoff(attempt))
                    .min(MAX_RETRY_AFTER);
                tracing::debug!(url = %redact_url(url), %status, attempt, "retrying");
                tokio::time::sleep(pause).await;
                continue;
            }
            return Ok(response);
        }
    }

    pub(crate) async fn get(&self, url: url::Url, accept: Option<&str>) -> Result<Response> {
        let accept = accept.map(str::to_owned);
        self.send(
            Method::GET,
            url,
            Retry::Transient,
            true,
            &move |r| match &accept {
                Some(a) => r.header(header::ACCEPT, a.as_str()),
                None => r,
            },
        )
        .await
    }

    pub(crate) async fn head(&self, url: url::Url, accept: Option<&str>) -> Result<Response> {
        let accept = accept.map(str::to_owned);
        self.send(
            Method::HEAD,
            url,
            Retry::Transient,
            true,
            &move |r| match &accept {
                Some(a) => r.header(header::ACCEPT, a.as_str()),
                None => r,
            },
        )
        .await
    }
}

fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.headers().get(header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A URL as it may appear in errors and logs: without query (upload state, tokens) or user info.
pub(crate) fn redact_url(url: &url::Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

fn redact_url_str(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or_default().to_owned()
}

/// Reads a whole body of at most `limit` bytes; one byte more is an error (bounded memory).
pub(crate) async fn read_capped(
    mut response: Response,
    limit: u64,
    what: &'static str,
) -> Result<Vec<u8>> {
    let url = redact_url(response.url());
    if response.content_length().is_some_and(|len| len > limit) {
        return Err(Error::BodyTooLarge { what, url, limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|source| Error::Http {
        url: url.clone(),
        source,
    })? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(Error::BodyTooLarge { what, url, limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The registry's `{"errors":[…]}` for a failed response (bounded; unreadable bodies give none).
pub(crate) async fn error_details(response: Response) -> Vec<RegistryErrorDetail> {
    #[derive(serde::Deserialize)]
    struct Errors {
        #[serde(default)]
        errors: Vec<RegistryErrorDetail>,
    }
    let Ok(body) = read_capped(response, MAX_ERROR_BYTES, "error body").await else {
        return Vec::new();
    };
    serde_json::from_slice::<Errors>(&body)
        .map(|e| e.errors)
        .unwrap_or_default()
        .into_iter()
        .map(|mut d| {
            d.message = d.message.chars().take(500).collect();
            d.code = d.code.chars().take(100).collect();
            d
        })
        .collect()
}

/// An error for a response the operation did not expect.
pub(crate) async fn status_error(response: Response) -> Error {
    let status = response.status().as_u16();
    let url = redact_url(response.url());
    let registry = url_host(response.url());
    if status == 429 {
        return Error::TooManyRequests { registry };
    }
    let details = error_details(response).await;
    if status == 401 {
        return Error::Unauthorized { registry, details };
    }
    Error::Status {
        status,
        url,
        details,
    }
}

/// Why a redirect from a `from` URL to a `to` URL is not followed: a downgrade from https to http
/// (credentials and content would travel in clear), or any scheme but http(s) (`file:`, `ftp:`).
fn refused_redirect(from: &str, to: &str) -> Option<&'static str> {
    match (from, to) {
        ("https", "https") | ("http", "http" | "https") => None,
        ("https", "http") => Some("https to http downgrade"),
        _ => Some("unsupported scheme"),
    }
}

#[cfg(test)]
mod redirect_tests {
    use super::refused_redirect;

    /// Security checklist 9: https to http and non-http(s) redirects are refused.
    #[test]
    fn redirects_keep_to_http_and_https_without_downgrade() {
        let cases = [
            ("https", "https", None),
            ("http", "http", None),
            ("http", "https", None),
            ("https", "http", Some("https to http downgrade")),
            ("http", "file", Some("unsupported scheme")),
            ("https", "file", Some("unsupported scheme")),
            ("http", "ftp", Some("unsupported scheme")),
            ("https", "data", Some("unsupported scheme")),
        ];
        for (from, to, refused) in cases {
            assert_eq!(refused_redirect(from, to), refused, "{from} -> {to}");
        }
    }
}
