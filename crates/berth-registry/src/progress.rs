//! Progress events. The library never prints: pull and push report what happens through a callback
//! and the CLI renders Docker's lines (`a3ed95caeb02: Downloading [==>  ] 1.2MB/9.9MB`) and the
//! whole-image bar from them.

use berth_digest::Digest;
use berth_reference::Reference;

/// What happened, in the order it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Pull: the manifest of `reference` (one tag of `pull -a`, or the digest pulled) was fetched:
    /// Docker's `TAG: Pulling from REPO` comes now, never before a failure to find it.
    Resolved {
        reference: Reference,
        /// The digest Docker shows: the index digest for a multi-platform image.
        digest: Digest,
        /// The platform manifest that is pulled.
        manifest_digest: Digest,
    },
    /// Pull: one image is stored (Docker's `Digest:` line, once per tag of `pull -a`).
    Pulled { digest: Digest },
    /// The layers are known: the whole-image bar can start. `total_bytes` counts the compressed
    /// size of every layer, including (pull) those already in the store (`done_bytes`); a push
    /// counts every layer it pushes, mounts or finds in the registry.
    Plan {
        layers: usize,
        total_bytes: u64,
        done_bytes: u64,
    },
    /// One layer (or the config blob of a push) changed state.
    Layer(LayerProgress),
    /// A request failed and is tried again after a pause.
    Retrying {
        what: String,
        attempt: u32,
        reason: String,
    },
}

/// A layer's state change or byte count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerProgress {
    /// Docker's layer ID: the first 12 hex characters of the blob digest.
    pub id: String,
    pub digest: Digest,
    pub status: LayerStatus,
    /// Bytes done so far in this state (downloaded, uploaded), counting a resumed prefix.
    pub current: u64,
    /// The layer's size, when known.
    pub total: Option<u64>,
}

/// Docker's per-layer statuses, plus berth's `Resuming`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerStatus {
    // Pull.
    PullingFsLayer,
    Waiting,
    /// A partial download from an earlier attempt is continued at `current` bytes.
    Resuming,
    Downloading,
    VerifyingChecksum,
    DownloadComplete,
    /// The layer is decompressed to check its diff_id (berth keeps layers compressed in the store).
    Extracting,
    PullComplete,
    AlreadyExists,
    // Push.
    Preparing,
    Pushing,
    Pushed,
    LayerAlreadyExists,
    /// Mounted from another repository of the same registry (its path, e.g. `library/alpine`).
    MountedFrom(String),
}

impl LayerStatus {
    /// The text Docker prints after the layer ID.
    pub fn docker_text(&self) -> String {
        match self {
            LayerStatus::PullingFsLayer => "Pulling fs layer".into(),
            LayerStatus::Waiting => "Waiting".into(),
            LayerStatus::Resuming => "Resuming".into(),
            LayerStatus::Downloading => "Downloading".into(),
            LayerStatus::VerifyingChecksum => "Verifying Checksum".into(),
            LayerStatus::DownloadComplete => "Download complete".into(),
            LayerStatus::Extracting => "Extracting".into(),
            LayerStatus::PullComplete => "Pull complete".into(),
            LayerStatus::AlreadyExists => "Already exists".into(),
            LayerStatus::Preparing => "Preparing".into(),
            LayerStatus::Pushing => "Pushing".into(),
            LayerStatus::Pushed => "Pushed".into(),
            LayerStatus::LayerAlreadyExists => "Layer already exists".into(),
            LayerStatus::MountedFrom(from) => format!("Mounted from {from}"),
        }
    }
}

/// Shares one `FnMut` callback between the concurrent futures of one operation (they are all
/// polled by the same task, so the lock is never contended for long).
pub(crate) struct Reporter<F> {
    callback: std::sync::Mutex<F>,
}

impl<F: FnMut(Event)> Reporter<F> {
    pub(crate) fn new(callback: F) -> Reporter<F> {
        Reporter {
            callback: std::sync::Mutex::new(callback),
        }
    }

    pub(crate) fn emit(&self, event: Event) {
        let mut callback = match self.callback.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        (callback)(event);
    }

    pub(crate) fn layer(
        &self,
        digest: &Digest,
        status: LayerStatus,
        current: u64,
        total: Option<u64>,
    ) {
        self.emit(Event::Layer(LayerProgress {
            id: digest.short().to_owned(),
            digest: digest.clone(),
            status,
            current,
            total,
        }));
    }
}
