//! `system check`'s layer pass: every layer of every image is decompressed and walked exactly as
//! `load` walks it (the same end-of-stream rule and entry checks `run` relies on), and its diff_id
//! compared with the image's config. So `system check` never passes an image that `run` or `load`
//! would then refuse.

use std::collections::BTreeSet;

use berth_digest::Digest;
use berth_store::{CheckReport, Problem, Store};

use crate::{digester::Limits, error::Result, layer::check_layer};

/// Walks every distinct layer of the store's images and adds what is wrong to `report`.
pub fn check_layers(store: &Store, report: &mut CheckReport) -> Result<()> {
    let mut seen = BTreeSet::new();
    for image in store.images()? {
        // A config that does not parse is reported by the store's own pass over the references.
        let Ok(config) = berth_manifest::parse_config(&image.config) else {
            continue;
        };
        let Ok(layers) = image.layer_digests() else {
            continue;
        };
        for (index, blob) in layers.iter().enumerate() {
            if !seen.insert(blob.clone()) || !store.has_blob(blob) {
                continue;
            }
            report.layers_checked += 1;
            let expected = config.rootfs.diff_ids.get(index);
            if let Some(problem) = check_one(store, blob, expected)? {
                report.problems.push(problem);
            }
        }
    }
    Ok(())
}

fn check_one(store: &Store, blob: &Digest, expected: Option<&Digest>) -> Result<Option<Problem>> {
    let file = store.open_blob(blob)?;
    let digests = match check_layer(
        std::io::BufReader::with_capacity(1 << 20, file),
        &Limits::default(),
    ) {
        Ok(digests) => digests,
        // Reading the store itself failed: that is no property of the layer.
        Err(error @ crate::Error::Io { .. }) => return Err(error),
        Err(error) => {
            return Ok(Some(Problem::BadLayer {
                digest: blob.clone(),
                reason: berth_store::error_chain(&error),
            }))
        }
    };
    Ok(match expected {
        Some(expected) if *expected != digests.info.diff_id => Some(Problem::LayerDiffIdMismatch {
            digest: blob.clone(),
            expected: expected.clone(),
            actual: digests.info.diff_id,
        }),
        _ => None,
    })
}
