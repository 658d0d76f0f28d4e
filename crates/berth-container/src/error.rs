use std::{io, path::PathBuf};

use berth_digest::Digest;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A layer tar tried something berth refuses (a path leaving the root, a bad whiteout, ...).
    #[error("invalid layer entry {name:?}: {reason}")]
    InvalidEntry { name: String, reason: &'static str },
    #[error("layer tar is unreadable")]
    Tar(#[source] io::Error),
    /// The shared tar walk refused the stream (where it may end, entry sizes).
    #[error("layer tar is unreadable")]
    TarWalk(#[from] berth_archive::Error),
    #[error("layer content does not match its diff_id: expected {expected}, got {actual}")]
    DiffIdMismatch { expected: Digest, actual: Digest },
    #[error("failed to {action}")]
    Io {
        action: String,
        #[source]
        source: io::Error,
    },
    /// The options of an overlay of this many layers exceed a page, and neither way around it worked.
    #[error("overlayfs cannot stack {layers} layers here: their mount options exceed a page, one lowerdir+ per layer failed ({layer_by_layer}; it needs Linux 6.8), and so did naming the layers by open file descriptors")]
    OverlayTooManyLayers {
        layers: usize,
        layer_by_layer: io::Error,
        #[source]
        source: io::Error,
    },
    #[error("openat2 is not available (berth needs Linux 5.6 or later to unpack layers safely)")]
    NoOpenat2,
    #[error("image store")]
    Store(#[from] berth_store::Error),
    #[error("image config")]
    Manifest(#[from] berth_manifest::Error),
    #[error("No such container: {0}")]
    NoSuchContainer(String),
    #[error("multiple containers match {0}; use a longer ID")]
    AmbiguousContainer(String),
    #[error("Conflict. The container name \"/{name}\" is already in use by container \"{id}\". You have to remove (or rename) that container to be able to reuse that name.")]
    NameInUse { name: String, id: String },
    #[error("Invalid container name ({0}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")]
    InvalidName(String),
    #[error("cannot remove container \"/{name}\": container is running: stop the container before removing or force remove")]
    RemoveRunning { name: String },
    #[error("container {0} is not running")]
    NotRunning(String),
    #[error("container {0} is already running")]
    AlreadyRunning(String),
    #[error("no OCI runtime found: install runc or crun (Debian packages `runc`, `crun`) or name one with --runtime")]
    NoRuntime,
    #[error("OCI runtime {name:?} not found (install the Debian package `{package}`)")]
    RuntimeNotFound { name: String, package: String },
    #[error("OCI runtime {runtime} failed to {action}: {stderr}")]
    Runtime {
        runtime: String,
        action: String,
        stderr: String,
    },
    #[error("unable to find user {0}: no matching entries in passwd file")]
    UnknownUser(String),
    #[error("unable to find group {0}: no matching entries in group file")]
    UnknownGroup(String),
    /// A `ps --filter` value its key cannot take (`status=up`), in Docker's words.
    #[error("invalid filter '{0}'")]
    InvalidFilter(String),
    /// A `ps --filter` key Docker does not know, in Docker's words.
    #[error("Invalid filter '{0}'")]
    UnknownFilter(String),
    #[error("invalid {what}: {value}")]
    InvalidArgument { what: &'static str, value: String },
    /// A flag value Docker's CLI refuses, in its (pflag's) words: `--ulimit`, `--shm-size`, `--add-host`.
    #[error("invalid argument {value:?} for {flag:?} flag: {reason}")]
    InvalidFlag {
        flag: &'static str,
        value: String,
        reason: String,
    },
    /// `--add-host NAME:host-gateway`: dockerd's words when it has no bridge gateway to put there.
    #[error("unable to derive the IP value for host-gateway")]
    NoHostGateway,
    /// `--network` of a build names a mode BuildKit does not have.
    #[error("network mode {0:?} not supported by buildkit")]
    BuildNetworkMode(String),
    #[error("slirp4netns not found: the default network of a build needs it (install the Debian package `slirp4netns`)")]
    NoSlirp4netns,
    /// The user-mode network could not be set up; `stderr` is what slirp4netns said.
    #[error("failed to set up the build network: {action}: {stderr}")]
    NetworkSetup { action: String, stderr: String },
    #[error("container record {path} is corrupt")]
    CorruptRecord {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// The runtime could not start the container's process; the container stays `created`.
    #[error("{0}")]
    StartFailed(crate::failure::StartFailure),
    #[error("the container monitor did not start the container: {0}")]
    Monitor(String),
    #[error("container {id} did not start within {}s: the runtime reports it {status}", waited.as_secs())]
    StartTimeout {
        id: String,
        waited: std::time::Duration,
        status: String,
    },
}

impl Error {
    /// What a command-line parser prints after `invalid argument "VALUE" for "FLAG" flag: `: the
    /// reason of an [`Error::InvalidFlag`], the whole message of any other error.
    pub fn flag_reason(&self) -> String {
        match self {
            Error::InvalidFlag { reason, .. } => reason.clone(),
            other => other.to_string(),
        }
    }

    pub(crate) fn io(action: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
        let action = action.into();
        move |source| Error::Io { action, source }
    }

    pub(crate) fn invalid(name: &[u8], reason: &'static str) -> Error {
        Error::InvalidEntry {
            name: String::from_utf8_lossy(name).into_owned(),
            reason,
        }
    }
}

impl From<rustix::io::Errno> for Error {
    fn from(errno: rustix::io::Errno) -> Error {
        Error::Io {
            action: "perform a filesystem operation".into(),
            source: errno.into(),
        }
    }
}

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;
