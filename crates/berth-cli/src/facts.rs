//! Facts about stored images that several commands print: creation time, size, short IDs.

use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use berth_manifest::ImageConfig;
use berth_store::{Image, Store};
use time::OffsetDateTime;

/// An image with its parsed config and the numbers `images`, `inspect` and `history` show.
pub struct ImageFacts {
    pub image: Image,
    pub config: ImageConfig,
    pub created: Option<OffsetDateTime>,
    /// Size of all layers' contents (Docker's `Size`).
    pub size: u64,
    /// Content size of each layer, aligned with the manifest's layers.
    pub layer_sizes: Vec<u64>,
}

pub fn facts(store: &Store, image: Image) -> anyhow::Result<ImageFacts> {
    let config = berth_manifest::parse_config(&image.config)
        .with_context(|| format!("image {} has an invalid config", image.id))?;
    let created = config
        .created
        .as_deref()
        .and_then(|c| berth_manifest::timefmt::parse_rfc3339(c).ok());
    let layer_sizes = store.layer_sizes(&image.manifest)?;
    let size = layer_sizes.iter().sum();
    Ok(ImageFacts {
        image,
        config,
        created,
        size,
        layer_sizes,
    })
}

/// Longest parent chain followed, so a record loop cannot hang `history`.
const MAX_ANCESTORS: usize = 1000;

/// The image's local parent chain, nearest first, as far as each parent is still in the store
/// (Docker 20.10's `history` stops where `GetImage` of a parent fails).
pub fn ancestors(store: &Store, image: &berth_digest::Digest) -> Vec<berth_digest::Digest> {
    let mut chain: Vec<berth_digest::Digest> = Vec::new();
    let mut current = image.clone();
    while let Some(parent) = store.parent(&current) {
        if chain.len() >= MAX_ANCESTORS || parent == *image || chain.contains(&parent) {
            break;
        }
        if store.resolve(&parent.to_string()).is_err() {
            break;
        }
        chain.push(parent.clone());
        current = parent;
    }
    chain
}

/// `12 hex` or, with `--no-trunc`, `sha256:<64 hex>`.
pub fn image_id(id: &berth_digest::Digest, no_trunc: bool) -> String {
    if no_trunc {
        id.to_string()
    } else {
        id.short().to_owned()
    }
}

/// `N units ago`, or `N/A` for an unknown time, as Docker prints CREATED.
pub fn since(created: Option<OffsetDateTime>, now: SystemTime) -> String {
    match created {
        Some(created) if created.unix_timestamp() > 0 => {
            let created = SystemTime::from(created);
            let elapsed = now.duration_since(created).unwrap_or(Duration::ZERO);
            format!("{} ago", berth_format::human::duration(elapsed))
        }
        _ => "N/A".to_owned(),
    }
}

/// Go's `time.Time.String()` in UTC: `2021-03-04 03:24:42 +0000 UTC`.
pub fn go_time_string(created: Option<OffsetDateTime>) -> String {
    let Some(created) = created else {
        return String::new();
    };
    let format = time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] +0000 UTC"
    );
    created
        .to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}
