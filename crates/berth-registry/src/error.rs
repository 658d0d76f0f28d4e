//! The one error type of the crate.
//!
//! Messages are lowercase, put the offending value last and never contain a credential: URLs in
//! errors are printed without their query (upload locations and token requests carry state there).

use std::path::PathBuf;

use berth_digest::Digest;

/// One entry of a registry's `{"errors":[{code,message,detail}]}` body.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct RegistryErrorDetail {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid reference format")]
    Reference(#[from] berth_reference::Error),
    #[error("request to {url} failed")]
    Http {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("failed to build the HTTP client")]
    HttpClient(#[source] reqwest::Error),
    /// A status the operation did not expect, with the registry's own error text when it sent one.
    #[error("unexpected HTTP status {status} from {url}{}", describe_details(.details))]
    Status {
        status: u16,
        url: String,
        details: Vec<RegistryErrorDetail>,
    },
    /// Docker's wording for a pull that is refused or names no repository.
    #[error("pull access denied for {repository}, repository does not exist or may require 'docker login'{}", describe_details(.details))]
    PullAccessDenied {
        repository: String,
        details: Vec<RegistryErrorDetail>,
    },
    /// Docker's wording for a push that is refused.
    #[error("denied: requested access to the resource is denied: {repository}")]
    PushAccessDenied { repository: String },
    #[error("manifest for {reference} not found: manifest unknown")]
    ManifestUnknown { reference: String },
    #[error("unauthorized: authentication required for {registry}{}", describe_details(.details))]
    Unauthorized {
        registry: String,
        details: Vec<RegistryErrorDetail>,
    },
    /// Docker's daemon (registry/auth.go `loginV2`) when a registry refuses Basic credentials.
    #[error("login attempt to {url} failed with status: {status}")]
    LoginFailed { url: String, status: String },
    #[error("toomanyrequests: the registry {registry} keeps refusing requests (rate limit)")]
    TooManyRequests { registry: String },
    #[error("{what} from {url} is larger than {limit} bytes")]
    BodyTooLarge {
        what: &'static str,
        url: String,
        limit: u64,
    },
    #[error("invalid manifest from {reference}")]
    Manifest {
        reference: String,
        #[source]
        source: berth_manifest::Error,
    },
    #[error("manifest for {reference} has digest {actual}, expected {expected}")]
    ManifestDigestMismatch {
        reference: String,
        expected: Digest,
        actual: Digest,
    },
    #[error("invalid digest from the registry: {0}")]
    InvalidDigest(String),
    #[error("blob {digest} failed verification")]
    BlobVerification {
        digest: Digest,
        #[source]
        source: berth_digest::Error,
    },
    #[error(
        "layer {layer} does not match the image config: diff_id is {actual}, expected {expected}"
    )]
    DiffIdMismatch {
        layer: Digest,
        expected: Digest,
        actual: Digest,
    },
    #[error("image config lists {diff_ids} diff_ids but the manifest has {layers} layers")]
    LayerCountMismatch { layers: usize, diff_ids: usize },
    #[error("failed to decompress layer {layer}")]
    Decompress {
        layer: Digest,
        #[source]
        source: std::io::Error,
    },
    #[error("unsupported layer media type: {0}")]
    UnsupportedLayer(String),
    /// A foreign layer the registry does not serve, with no http(s) URL to fetch it from.
    #[error("foreign layer has no usable URL: {0}")]
    NoForeignLayerUrl(Digest),
    /// A layer download that did not compute the diff_id (a layer is always decompressed on the
    /// way in; this is a bug, not the registry's fault).
    #[error("layer was downloaded without its diff_id: {0}")]
    DiffIdNotComputed(Digest),
    /// An index whose entry for the platform is another index.
    #[error("unsupported manifest: {reference} names a nested index ({digest}) for its platform")]
    NestedIndex { reference: String, digest: Digest },
    #[error("invalid image config")]
    Config(#[source] berth_manifest::Error),
    #[error("no matching manifest for {platform} in the manifest list entries")]
    NoMatchingPlatform { platform: String },
    #[error("the image store failed")]
    Store(#[from] berth_store::Error),
    #[error("token realm rejected: {reason}: {realm}")]
    RealmRejected { realm: String, reason: &'static str },
    #[error("invalid token response from {realm}")]
    BadToken {
        realm: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("redirect rejected: {reason}: {location}")]
    RedirectRejected {
        location: String,
        reason: &'static str,
    },
    #[error(transparent)]
    RefusedAddress(#[from] crate::address::Refused),
    #[error("{what} is too large: berth reads at most {limit} of it")]
    ListTooLarge { what: String, limit: String },
    #[error("stopped after {0} redirects")]
    TooManyRedirects(usize),
    #[error("invalid upload location from the registry: {0}")]
    BadLocation(String),
    #[error("the registry accepted the upload with digest {actual}, expected {expected}")]
    UploadDigestMismatch { expected: Digest, actual: String },
    #[error("failed to read the Docker client config {path}")]
    DockerConfigRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid Docker client config {path}")]
    DockerConfigParse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("failed to save the Docker client config {path}")]
    DockerConfigWrite {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid auth configuration for {server}: {reason}")]
    BadAuthEntry {
        server: String,
        reason: &'static str,
    },
    #[error("credential helper docker-credential-{helper} failed: {message}")]
    CredentialHelper { helper: String, message: String },
    #[error("invalid registries config {path}: {reason}")]
    HostsConfig { path: PathBuf, reason: String },
    #[error("failed to read CA certificate {path}")]
    Certificate {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid CA certificate {path}")]
    CertificateParse {
        path: PathBuf,
        #[source]
        source: reqwest::Error,
    },
    #[error("invalid registry address: {0}")]
    BadServer(String),
    #[error("limit {0} is outside the range of [1, 100]")]
    SearchLimit(usize),
    #[error("invalid filter {0:?}")]
    SearchFilter(String),
    #[error("invalid response from {url}")]
    BadResponse {
        url: String,
        #[source]
        source: serde_json::Error,
    },
    /// A manifest in the store that push cannot read as an image manifest.
    #[error("invalid image manifest in the store: {digest}")]
    StoredManifest {
        digest: Digest,
        #[source]
        source: serde_json::Error,
    },
    #[error("tag can't be used with --all-tags/-a")]
    TagWithAllTags,
    #[error("An image does not exist locally with the tag: {0}")]
    NoLocalTag(String),
    #[error("I/O failed while trying to {action}")]
    Io {
        action: String,
        #[source]
        source: std::io::Error,
    },
    #[error("a background task failed: {0}")]
    Task(String),
}

fn describe_details(details: &[RegistryErrorDetail]) -> String {
    let mut out = String::new();
    for detail in details {
        out.push_str(": ");
        let code = detail.code.to_ascii_lowercase();
        if !code.is_empty() {
            out.push_str(&code);
            if !detail.message.is_empty() {
                out.push_str(": ");
            }
        }
        out.push_str(&detail.message);
    }
    out
}

impl Error {
    pub(crate) fn io(action: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let action = action.into();
        move |source| Error::Io { action, source }
    }

    /// Whether retrying the same request may help (dropped connections, timeouts, 408/429/5xx).
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            Error::Http { source, .. } => {
                source.is_connect()
                    || source.is_timeout()
                    || source.is_request()
                    || source.is_body()
                    || source.is_decode()
            }
            Error::TooManyRequests { .. } => true,
            Error::Status { status, .. } => is_transient_status(*status),
            _ => false,
        }
    }
}

pub(crate) fn is_transient_status(status: u16) -> bool {
    status == 408 || status == 429 || (500..600).contains(&status)
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
