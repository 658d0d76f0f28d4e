//! The target stage's image: config (BuildKit's fields), manifest, stored and named.

use berth_store::Store;

use crate::build::{BuildOptions, Built, StageResult};
use crate::error::Result;
use crate::progress::{Progress, Vertex};

/// Writes the config and manifest of `target`, and records the image under the `-t` names;
/// `vertex` is the export's ("exporting to image").
pub(crate) fn store_image(
    store: &Store,
    target: StageResult,
    options: &BuildOptions<'_>,
    progress: &mut Progress,
    vertex: Vertex,
) -> Result<Built> {
    let mut image = target.image;
    for (key, value) in &options.labels {
        image.container().labels.insert(key.clone(), value.clone());
    }
    let mut config = image.config;
    let now = berth_manifest::timefmt::format_rfc3339_nano(time::OffsetDateTime::now_utc());
    crate::config::fill_history_times(&mut config.history, &now);
    // The image's time is its last step's (as the exporter writes it).
    config.created = config
        .history
        .last()
        .and_then(|h| h.created.clone())
        .or(Some(now));
    config.rootfs.diff_ids = target.layers.iter().map(|l| l.diff_id.clone()).collect();
    let layers = target
        .layers
        .iter()
        .map(|layer| berth_manifest::descriptor(&layer.media_type, &layer.blob, layer.size))
        .collect();
    let (config_digest, manifest_digest) =
        store.add_new_image(&config.to_bytes(), layers, &options.tags)?;
    progress.status(&vertex, "exporting layers", true);
    progress.status(&vertex, &format!("writing image {config_digest}"), false);
    for tag in &options.tags {
        progress.status(&vertex, &format!("naming to {tag}"), false);
    }
    progress.done(vertex);
    Ok(Built {
        id: config_digest,
        manifest: manifest_digest,
    })
}
