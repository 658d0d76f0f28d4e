//! Disk usage of the store, for `berth system df`.

use berth_digest::Digest;

use crate::{error::Result, Store};

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DiskUsage {
    pub images: usize,
    /// Bytes of every blob under `blobs/`.
    pub total_bytes: u64,
    /// Bytes of blobs no image reaches (what `gc` would free).
    pub reclaimable_bytes: u64,
}

impl Store {
    pub fn disk_usage(&self, extra_roots: &[Digest]) -> Result<DiskUsage> {
        let reachable = self.reachable(extra_roots)?;
        let mut usage = DiskUsage {
            images: self.images()?.len(),
            ..DiskUsage::default()
        };
        for digest in self.list_blobs()?.into_iter().flatten() {
            let size = self.blob_size(&digest)?.unwrap_or(0);
            usage.total_bytes += size;
            if !reachable.contains(&digest) {
                usage.reclaimable_bytes += size;
            }
        }
        Ok(usage)
    }
}
