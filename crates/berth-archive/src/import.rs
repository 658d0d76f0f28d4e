//! `import`: a root file system tarball becomes a one-layer image, as `docker import` makes it.
//!
//! The config is moby's (`daemon/images/image_import.go`): platform, `created`, the `--change`
//! instructions applied to an empty container config, and a comment that is the `-m` message or,
//! when that is empty, `Imported from <source>` (the API route's default), written both at top
//! level and in the only history entry. The layer is stored as it arrived when it is plain, gzip or
//! zstd (so the layer digest is the digest of the input bytes), and as plain tar for bzip2 and xz.

use std::io::Read;

use berth_digest::Digest;
use berth_manifest::{
    apply_changes, descriptor, host_platform, import_config, ContainerConfig, Platform,
};
use berth_reference::Reference;
use berth_store::Store;
use time::OffsetDateTime;

use crate::{
    digester::Limits,
    error::{Error, Result},
    layer::ingest_layer,
};

/// What `berth import` was asked to do (the CLI turns files, URLs and stdin into the `Read`).
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Where the tarball came from, for the default comment: `-` for stdin, else the file or URL
    /// as given (Docker: `Imported from -`, `Imported from http://…`).
    pub source: String,
    /// `-m/--message`; when empty, the comment is `Imported from <source>`.
    pub message: Option<String>,
    /// `-c/--change` Dockerfile instructions, applied in order.
    pub changes: Vec<String>,
    /// `--platform` (`linux/arm64/v8`); the host's platform when `None`.
    pub platform: Option<String>,
    /// `REPOSITORY[:TAG]` to name the image (already normalized, with the default tag added).
    pub reference: Option<Reference>,
    /// The image's `created` time; now when `None` (tests pin it so IDs are stable).
    pub created: Option<OffsetDateTime>,
    pub limits: Limits,
}

/// Imports a tarball (plain, gzip, bzip2, xz or zstd, detected by magic bytes) as a new image and
/// returns its ID. Everything is checked before the first blob is committed, and the name is
/// written last: on any error the store's references are unchanged and no blob was added.
pub fn import(store: &Store, input: impl Read, options: &ImportOptions) -> Result<Digest> {
    let platform = match options.platform.as_deref() {
        Some(specifier) => Platform::parse(specifier)?,
        None => host_platform(),
    };
    if platform.os != "linux" {
        return Err(Error::InvalidPlatform(platform.to_string()));
    }
    // Bad `--change` instructions fail before any input is read, as they do in Docker.
    apply_changes(&mut ContainerConfig::default(), &options.changes)?;

    let _guard = store.content_guard()?;
    let layer = ingest_layer(store, input, &options.limits)?;
    let config = import_config(&berth_manifest::ImportOptions {
        platform: &platform,
        diff_id: layer.digests.info.diff_id.clone(),
        created: options.created.unwrap_or_else(OffsetDateTime::now_utc),
        message: options.message.as_deref(),
        source: &options.source,
        changes: &options.changes,
    })?;
    let config_bytes = config.to_bytes();

    let layer_size = layer.blob.size();
    let layer_digest = store.commit_blob(layer.blob, None)?;
    store.record_layer(&layer_digest, &layer.digests.info)?;
    let names: Vec<Reference> = options.reference.iter().cloned().collect();
    let (config_digest, _) = store.add_new_image(
        &config_bytes,
        vec![descriptor(layer.media_type, &layer_digest, layer_size)],
        &names,
    )?;
    tracing::debug!(id = %config_digest, layer = %layer_digest, "imported image");
    Ok(config_digest)
}
