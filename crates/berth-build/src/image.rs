//! The target stage's image: config (BuildKit's fields), manifest, stored and named.

use berth_manifest::media_type;
use berth_store::{IndexEntry, Store};

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
    crate::config::fill_history_times(&mut config.history);
    // The image's time is its last step's (as the exporter writes it).
    config.created = config
        .history
        .last()
        .and_then(|h| h.created.clone())
        .or_else(|| {
            Some(berth_manifest::timefmt::format_rfc3339_nano(
                time::OffsetDateTime::now_utc(),
            ))
        });
    config.rootfs.diff_ids = target.layers.iter().map(|l| l.diff_id.clone()).collect();
    let config_bytes = config.to_bytes();
    let config_digest = store.write_blob(&config_bytes)?;
    let layers = target
        .layers
        .iter()
        .map(|layer| berth_manifest::descriptor(&layer.media_type, &layer.blob, layer.size))
        .collect();
    let manifest = berth_manifest::image_manifest(
        berth_manifest::descriptor(
            media_type::OCI_CONFIG,
            &config_digest,
            config_bytes.len() as u64,
        ),
        layers,
    );
    let manifest_bytes = berth_manifest::manifest_bytes(&manifest);
    let manifest_digest = store.write_blob(&manifest_bytes)?;
    let entry = IndexEntry::new(
        media_type::OCI_MANIFEST,
        manifest_digest.clone(),
        manifest_bytes.len() as u64,
    );
    progress_line(progress, &vertex, "exporting layers done");
    progress_line(
        progress,
        &vertex,
        &format!("writing image {config_digest} done"),
    );
    store.add_image(&entry, &options.tags, &[])?;
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
