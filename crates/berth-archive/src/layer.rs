//! A layer into the store (import, load) or only checked (system check): the one digester
//! (digester.rs) with hostile entries refused.

use std::io::Read;

use berth_digest::Digest;
use berth_store::{PendingBlob, Store};

use crate::{
    digester::{digest_layer, Entries, LayerDigests, Limits, Sink},
    error::Result,
};

/// A layer written into the store's ingest area, not yet committed.
pub struct IngestedLayer {
    /// The blob as it will be stored; its digest is the layer's descriptor digest.
    pub blob: PendingBlob,
    /// `application/vnd.oci.image.layer.v1.tar`, `+gzip` or `+zstd`.
    pub media_type: &'static str,
    pub digests: LayerDigests,
}

impl IngestedLayer {
    pub fn diff_id(&self) -> &Digest {
        &self.digests.info.diff_id
    }
}

/// Reads a layer stream into the store's ingest area, checking it on the way (see the module docs).
/// Nothing is committed: drop the result to throw the content away.
pub fn ingest_layer(store: &Store, input: impl Read, limits: &Limits) -> Result<IngestedLayer> {
    let mut ingest = store.ingest()?;
    let digests = digest_layer(input, Sink::Store(&mut ingest), limits, Entries::Check)?;
    let blob = ingest.finish()?;
    let media_type = digests
        .compression
        .layer_media_type()
        .unwrap_or(berth_manifest::media_type::OCI_LAYER_TAR);
    Ok(IngestedLayer {
        blob,
        media_type,
        digests,
    })
}

/// Checks a layer stream (hostile entries refused) and computes its digests without storing anything.
pub fn check_layer(input: impl Read, limits: &Limits) -> Result<LayerDigests> {
    digest_layer(input, Sink::Nowhere, limits, Entries::Check)
}
