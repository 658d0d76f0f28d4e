//! `load`: every image archive layout Docker, skopeo and OCI tools write, into the store.
//!
//! Three steps, and the store sees nothing until the last:
//! 1. **Read** ([`files`]): the archive (whole-archive gzip/bzip2/xz/zstd removed) is streamed once;
//!    regular files go into memory or store ingest files by cleaned archive path, large files are
//!    scanned as layers on the way, links are remembered. Nothing is ever written to a host path.
//! 2. **Plan** ([`oci`], [`docker`]): the layout is detected (an OCI layout, i.e. `oci-layout` +
//!    `index.json`, which is also what Docker 25+ writes beside `manifest.json`; else a docker-archive
//!    `manifest.json`) and every image is checked: blob digests and sizes, config digests, layer
//!    counts, every layer's diff_id against the config, safe paths, platforms.
//! 3. **Commit** ([`commit`]): blobs, then layer records, then one `add_image` per image.
//!
//! A docker-archive image becomes an OCI manifest whose config is the archive's config file byte for
//! byte, so its image ID is unchanged; its layers are stored as they are in the archive (an
//! uncompressed `layer.tar` as an `application/vnd.oci.image.layer.v1.tar` blob).

mod commit;
mod dir;
mod docker;
mod files;
mod lines;
mod oci;

use std::{fmt, fs::File, io::Read, os::unix::fs::FileExt};

use berth_digest::Digest;
use berth_manifest::Platform;
use berth_reference::Reference;
use berth_store::Store;

pub use files::{MAX_ARCHIVE_MANIFEST_BYTES, MAX_DOCUMENT_BYTES, MAX_ENTRIES};

use crate::{
    compression::{decompressing_reader, Compression},
    digester::Limits,
    error::{Error, Result},
    progress::Reporter,
};
pub use dir::load_dir;
use files::Files;
use lines::LayerLines;

/// Options of `berth load`.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--platform`: load only images for this platform (and pick it from multi-platform indexes).
    /// `None`: every single-platform image, and the host's platform from indexes.
    pub platform: Option<Platform>,
    /// Decompression budget, for the whole archive and for each layer.
    pub limits: Limits,
    /// Told how each layer file's storing goes.
    pub progress: Reporter,
}

/// What `load` reports per image, in archive order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    /// `Loaded image: <familiar name>`.
    Tagged(Reference),
    /// `Loaded image ID: sha256:…` (an image without a name in the archive).
    Untagged(Digest),
    /// The name pointed at another image (`old_id`), which loses it; reported before the name's
    /// `Loaded image:` line, as Docker's `load` does.
    Renamed { name: Reference, old_id: String },
}

impl fmt::Display for Loaded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Loaded::Tagged(name) => write!(f, "Loaded image: {}", name.familiar_string()),
            Loaded::Untagged(id) => write!(f, "Loaded image ID: {id}"),
            Loaded::Renamed { name, old_id } => write!(
                f,
                "The image {} already exists, renaming the old one with ID {old_id} to empty string",
                name.familiar_string()
            ),
        }
    }
}

/// One image of the archive, checked and ready to commit.
pub(crate) struct PlannedImage {
    pub id: Digest,
    pub config_key: String,
    pub manifest: PlannedManifest,
    pub layers: Vec<PlannedLayer>,
    pub names: Vec<Reference>,
    /// The `Parent` that `manifest.json` gives (an image ID), if any.
    pub parent: Option<String>,
}

pub(crate) enum PlannedManifest {
    /// Stored as it is in the archive (OCI layouts keep their manifest digest).
    FromArchive {
        key: String,
        digest: Digest,
        size: u64,
        media_type: String,
    },
    /// Built for a docker-archive image.
    Built { bytes: Vec<u8> },
}

pub(crate) struct PlannedLayer {
    pub key: String,
    /// The bzip2/xz file's plain-tar conversion is the blob.
    pub converted: bool,
    /// What the digester learned of it, as the store records it.
    pub info: berth_store::LayerInfo,
}

/// Loads every image of an archive (any layout, any whole-archive compression) into the store.
/// On error nothing is referenced and no blob was committed.
pub fn load(store: &Store, input: impl Read, options: &LoadOptions) -> Result<Vec<Loaded>> {
    // A stream is read once: its lines can only be Docker's once it has been read.
    let lines = if options.progress.is_active() {
        LayerLines::AfterRead
    } else {
        LayerLines::ByFileName
    };
    load_with_lines(store, input, options, lines)
}

/// [`load`], each layer file drawing the line `lines` gives it.
fn load_with_lines(
    store: &Store,
    input: impl Read,
    options: &LoadOptions,
    lines: LayerLines,
) -> Result<Vec<Loaded>> {
    let Some((compression, reader)) =
        decompressing_reader(input, options.limits.max_uncompressed_size)?
    else {
        return Err(Error::EmptyInput);
    };
    tracing::debug!(%compression, "loading image archive");
    let _guard = store.content_guard()?;
    let mut files = Files::read(store, reader, &options.limits, &options.progress, lines)?;
    files.draw_lines_read(store, options);
    let images = plan(&files, options)?;
    let parents = parent_links(&files, &images)?;
    commit::commit(store, &mut files, &images, &parents)
}

/// [`load`] from a file, from its current position. An uncompressed archive in a regular file (what
/// `docker save` writes) is read with positioned reads: its layers are stored and checked one per
/// core at once. Anything else (compressed, a pipe) is streamed through [`load`].
pub fn load_file(store: &Store, file: &File, options: &LoadOptions) -> Result<Vec<Loaded>> {
    let metadata = file
        .metadata()
        .map_err(Error::io("look at the archive file"))?;
    let start = if metadata.is_file() {
        rustix::fs::seek(file, rustix::fs::SeekFrom::Current(0)).ok()
    } else {
        None
    };
    if let Some(start) = start {
        let mut prefix = [0u8; 512];
        let n =
            FileExt::read_at(file, &mut prefix, start).map_err(Error::io("read the archive"))?;
        if n == 0 {
            return Err(Error::EmptyInput);
        }
        if Compression::detect(&prefix[..n]) == Compression::None {
            tracing::debug!("loading an uncompressed image archive with positioned reads");
            let _guard = store.content_guard()?;
            let mut files = Files::read_seekable(store, file, start, options)?;
            let images = plan(&files, options)?;
            let parents = parent_links(&files, &images)?;
            return commit::commit(store, &mut files, &images, &parents);
        }
        if options.progress.is_active() {
            // A compressed archive file is read twice when lines are drawn: once to index it (as
            // Docker's engine unpacks the whole archive before it loads), so its lines are Docker's.
            let lines = index_compressed(store, file, start, options);
            return load_with_lines(store, file, options, lines);
        }
    }
    load(store, file, options)
}

/// Docker's lines for the compressed archive in `file` from `start`, from one decompressing pass
/// with positioned reads (the file's position stays where it is); lines named after files when the
/// archive cannot be indexed.
fn index_compressed(store: &Store, file: &File, start: u64, options: &LoadOptions) -> LayerLines {
    let whole = crate::fileat::FileAt::new(file, start, u64::MAX - start);
    let lines = decompressing_reader(whole, options.limits.max_uncompressed_size)
        .ok()
        .flatten()
        .and_then(|(_, reader)| Files::index_stream(store, reader, options));
    lines.unwrap_or_else(|| {
        tracing::debug!("compressed archive not indexed: layer lines named after their files");
        LayerLines::ByFileName
    })
}

fn plan(files: &Files, options: &LoadOptions) -> Result<Vec<PlannedImage>> {
    let has = |name: &str| files.contents.contains_key(name);
    let images = if has("index.json") && has("oci-layout") {
        let mut images = oci::plan(files, options)?;
        if has("manifest.json") {
            docker::add_repo_tags(files, &mut images)?;
        }
        images
    } else if has("manifest.json") {
        docker::plan(files, options)?
    } else {
        return Err(Error::NoManifest);
    };
    if images.is_empty() {
        if let Some(platform) = &options.platform {
            return Err(Error::NoMatchingPlatform(platform.to_string()));
        }
    }
    Ok(images)
}

/// The (image, parent) links `manifest.json` gives between images of the archive, each checked the
/// way Docker's loader does (`checkValidParent`: the parent's history is the image's minus its last
/// entry); an invalid link refuses the archive before anything is stored.
fn parent_links(files: &Files, images: &[PlannedImage]) -> Result<Vec<(Digest, Digest)>> {
    let hints: Vec<(Digest, Option<&str>)> = images
        .iter()
        .map(|image| (image.id.clone(), image.parent.as_deref()))
        .collect();
    let links = berth_manifest::archive_parent_links(&hints);
    let config = |id: &Digest| -> Result<berth_manifest::ImageConfig> {
        let image = images
            .iter()
            .find(|image| image.id == *id)
            .ok_or_else(|| Error::MissingFile(id.to_string()))?;
        let bytes = files.read_small(&image.config_key, files::MAX_DOCUMENT_BYTES)?;
        Ok(berth_manifest::parse_config(&bytes)?)
    };
    for (image, parent) in &links {
        if !berth_manifest::is_valid_parent(&config(image)?, &config(parent)?) {
            return Err(Error::InvalidArchive(format!(
                "image {parent} is not a valid parent for {image}"
            )));
        }
    }
    Ok(links)
}

/// An image's config, or `None` when it is for another platform than the one asked for. Its
/// diff_ids must be as many as the image's layers.
fn config_for_layers(
    bytes: &[u8],
    layers: usize,
    options: &LoadOptions,
) -> Result<Option<berth_manifest::ImageConfig>> {
    let config = berth_manifest::parse_config(bytes)?;
    if !platform_matches(&config, options.platform.as_ref()) {
        return Ok(None);
    }
    let diff_ids = config.rootfs.diff_ids.len();
    if layers != diff_ids {
        return Err(Error::LayerCountMismatch {
            expected: layers,
            actual: diff_ids,
        });
    }
    Ok(Some(config))
}

impl PlannedLayer {
    /// The layer at `key` (the `index`th of its image), read as `digests`, if it has the diff_id
    /// its image's config gives it.
    fn checked(
        key: String,
        converted: bool,
        index: usize,
        diff_id: &Digest,
        digests: &crate::LayerDigests,
    ) -> Result<PlannedLayer> {
        if digests.info.diff_id != *diff_id {
            return Err(Error::DiffIdMismatch {
                index,
                expected: diff_id.clone(),
                actual: digests.info.diff_id.clone(),
            });
        }
        Ok(PlannedLayer {
            key,
            converted,
            info: digests.info.clone(),
        })
    }
}

/// Whether an image config's platform is the one asked for (always, when none was).
fn platform_matches(config: &berth_manifest::ImageConfig, want: Option<&Platform>) -> bool {
    let Some(want) = want else { return true };
    let have = Platform::new(&config.os, &config.architecture, config.variant.as_deref());
    want.matches(&have)
}

/// A name from an archive: normalized, and it must carry a tag (Docker: `invalid tag`).
fn tagged_name(name: &str) -> Result<Reference> {
    let reference = Reference::parse_normalized(name)?;
    if reference.tag().is_none() || reference.digest().is_some() {
        return Err(Error::InvalidTag(name.to_owned()));
    }
    Ok(reference)
}
