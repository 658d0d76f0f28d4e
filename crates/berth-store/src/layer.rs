//! What berth learned about a layer blob when it first read it: its diff_id, uncompressed size and
//! content size. The one type for these facts: berth-archive's layer digester and the container
//! unpacker produce it, and it is kept under `berth/layers/<blob hex>` so sizes and unpack caches
//! need no second decompression.

use berth_digest::Digest;
use serde::{Deserialize, Serialize};

use crate::{
    error::{Error, Result},
    fs, Store,
};

pub(crate) const LAYERS_DIR: &str = "layers";
/// A record is two digests and two numbers, well under this.
const MAX_RECORD_BYTES: u64 = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerInfo {
    pub diff_id: Digest,
    /// Bytes of the uncompressed tar stream.
    pub uncompressed_size: u64,
    /// Sum of the sizes of the regular files in the layer: what Docker's graph drivers report as a
    /// layer's size (`docker images` SIZE). Unknown when the layer was not walked entry by entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_size: Option<u64>,
}

impl Store {
    pub fn record_layer(&self, blob: &Digest, info: &LayerInfo) -> Result<()> {
        let dir =
            fs::ensure_dir(&self.berth_fd, LAYERS_DIR).map_err(Error::io("create berth/layers"))?;
        let bytes = serde_json::to_vec(info).expect("layer info serializes");
        fs::write_atomic(&dir, blob.encoded(), &bytes, fs::PRIVATE_FILE)
            .map_err(Error::io(format!("record layer {blob}")))
    }

    pub fn layer_info(&self, blob: &Digest) -> Option<LayerInfo> {
        let dir = fs::open_dir(&self.berth_fd, LAYERS_DIR).ok()?;
        let file = fs::open_file(&dir, blob.encoded()).ok()?;
        // Read whole, then parse: serde_json over an unbuffered file would read a byte per syscall.
        // A record too large to be one is as unusable as a corrupt one: the layer is walked again.
        let bytes = fs::read_file_bounded(&file, MAX_RECORD_BYTES).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    pub(crate) fn forget_layer(&self, blob: &Digest) {
        if let Ok(dir) = fs::open_dir(&self.berth_fd, LAYERS_DIR) {
            let _ = fs::unlink(&dir, blob.encoded());
        }
    }
}
