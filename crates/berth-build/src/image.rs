//! The target stage's image: config (BuildKit's fields), manifest, stored and named.

use berth_store::Store;

use crate::build::{BuildOptions, Built, StageResult};
use crate::error::Result;
use crate::progress::Progress;

/// Writes the config and manifest of `target`, and records the image under the `-t` names.
pub(crate) fn store_image(
    store: &Store,
    target: StageResult,
    options: &BuildOptions<'_>,
    progress: &mut Progress,
) -> Result<Built> {
    let vertex = progress.start("exporting to image");
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
    let elapsed = Progress::elapsed(&vertex);
    progress_line(
        progress,
        &vertex,
        &format!("exporting layers {elapsed} done"),
    );
    progress_line(
        progress,
        &vertex,
        &format!("writing image {config_digest} done"),
    );
    for tag in &options.tags {
        progress_line(progress, &vertex, &format!("naming to {tag} done"));
    }
    progress.done(vertex);
    Ok(Built {
        id: config_digest,
        manifest: manifest_digest,
    })
}

fn progress_line(progress: &mut Progress, vertex: &crate::progress::Vertex, text: &str) {
    progress.line(vertex, text);
}
