//! `docker history` rows, newest first, as moby's `ImageHistory` computes them.

use berth_digest::Digest;
use time::OffsetDateTime;

use crate::config::ImageConfig;
use crate::timefmt::parse_rfc3339;
use crate::Error;

/// One row of `history`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// The image ID on the top row; `None` (printed `<missing>`) below it, unless
    /// [`fill_ancestor_ids`] put a local parent image's ID there.
    pub id: Option<Digest>,
    /// `None` when the entry has no (parsable) time; Docker then shows the zero time.
    pub created: Option<OffsetDateTime>,
    pub created_by: String,
    /// Uncompressed size of the entry's layer; 0 for empty layers.
    pub size: u64,
    pub comment: String,
    pub empty_layer: bool,
}

/// The rows of `history` for an image, newest first.
///
/// `layer_sizes` are the uncompressed sizes of the layers, aligned with `rootfs.diff_ids`.
/// Like Docker, history entries that are not `empty_layer` take the layers in order; more such
/// entries than layers is an error.
pub fn history_rows(
    config: &ImageConfig,
    image_id: &Digest,
    layer_sizes: &[u64],
) -> Result<Vec<HistoryRow>, Error> {
    let diff_ids = config.rootfs.diff_ids.len();
    if layer_sizes.len() != diff_ids {
        return Err(Error::LayerSizeCount {
            sizes: layer_sizes.len(),
            diff_ids,
        });
    }
    let mut layers = layer_sizes.iter();
    let mut rows = Vec::with_capacity(config.history.len());
    for entry in &config.history {
        let size = if entry.empty_layer {
            0
        } else {
            *layers.next().ok_or(Error::TooManyHistoryLayers)?
        };
        rows.push(HistoryRow {
            id: None,
            created: entry
                .created
                .as_deref()
                .and_then(|raw| parse_rfc3339(raw).ok()),
            created_by: entry.created_by.clone().unwrap_or_default(),
            size,
            comment: entry.comment.clone().unwrap_or_default(),
            empty_layer: entry.empty_layer,
        });
    }
    rows.reverse();
    if let Some(top) = rows.first_mut() {
        top.id = Some(image_id.clone());
    }
    Ok(rows)
}

/// Docker 20.10's `ImageHistory` fills the IMAGE column from the local parent chain: the second row
/// gets the image's parent, the third the parent's parent, and so on while the chain lasts, whatever
/// history entries each ancestor added (`ancestors`: nearest first, only images that are there).
pub fn fill_ancestor_ids(rows: &mut [HistoryRow], ancestors: &[Digest]) {
    for (row, ancestor) in rows.iter_mut().skip(1).zip(ancestors) {
        row.id = Some(ancestor.clone());
    }
}
