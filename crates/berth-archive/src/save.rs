//! `save`: images out of the store as one tar archive, the way Docker 25+ writes it.
//!
//! The default ([`SaveFormat::Hybrid`]) is what moby's `image/tarexport/save.go` writes since v25:
//! an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`) that is at the same time a
//! docker-archive (`manifest.json` and `repositories`, whose paths point into `blobs/sha256/`).
//! Docker before and after v25, skopeo (`docker-archive:` and `oci-archive:`) and OCI tools all read
//! it. [`SaveFormat::Docker`] drops the OCI files, [`SaveFormat::Oci`] the Docker ones.
//!
//! Where berth differs from Docker, on purpose:
//! - Layers are written as stored: a gzip or zstd blob passes through without being decompressed
//!   and recompressed, and `manifest.json` names the compressed blob. `docker load` accepts this
//!   (moby `tarexport/load.go` runs every layer file through `DecompressStream`), and so does
//!   skopeo's `docker-archive:` reader (`AutoDecompress` in `docker/internal/tarfile/src.go`). The
//!   `uncompressed` option writes plain tar layers, as Docker's graph-driver store does.
//! - The OCI manifest is the stored one, byte for byte, so `index.json` carries the same manifest
//!   digest the registry gave (Docker rebuilds it). With `uncompressed`, a new OCI manifest is made.
//! - Images are written in the order asked for, and every file is sorted and has fixed headers
//!   (see `tarball.rs`): saving twice gives the same bytes. Docker iterates a Go map.
//! - An untagged image always gets an `index.json` descriptor (Docker 25+ drops it when another
//!   image in the same archive is tagged).
//! - `manifest.json` has no `LayerSources` (Docker lists every layer there; readers ignore it for
//!   layers that are in the archive); `Parent` is written, as Docker does, when the parent image is
//!   saved in the same archive.
//! - The docker-archive format uses the same `blobs/sha256/<hex>` paths as the hybrid rather than the
//!   pre-25 `<v1id>/layer.tar` tree: every docker-archive reader follows the paths in `manifest.json`
//!   (moby's loader since 1.10, containers/image), so nothing needs the legacy directories.

use std::{collections::BTreeMap, fs::File, io::Write};

use berth_digest::{Digest, Expected, HashingReader};
use berth_manifest::{
    descriptor, image_manifest, manifest_bytes, media_type, parse_config,
    serialize_docker_archive_manifest, ArchiveManifestEntry,
};
use berth_reference::{AnyReference, Reference};
use berth_store::{Image, Store, MAX_JSON_BYTES};
use oci_spec::image::Descriptor;
use serde::Serialize;

use crate::{
    compression::{Compression, Decompressor},
    error::{Error, Result},
    filecopy::{copy_exact, Verifier},
    progress::{Meter, MeteredWriter, Reporter},
    tarball::Tarball,
};

/// Docker 25+'s `oci-layout` file, byte for byte.
const OCI_LAYOUT: &[u8] = br#"{"imageLayoutVersion": "1.0.0"}"#;
/// containerd's image name annotation (the full reference).
const IMAGE_NAME: &str = "io.containerd.image.name";
/// OCI's reference name annotation (Docker writes the tag alone).
const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// Which files the archive has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SaveFormat {
    /// Docker 25+: OCI layout plus `manifest.json` and `repositories`.
    #[default]
    Hybrid,
    /// docker-archive only: `manifest.json`, `repositories`, configs and layers.
    Docker,
    /// OCI image layout only: `oci-layout`, `index.json`, blobs.
    Oci,
}

#[derive(Debug, Clone, Default)]
pub struct SaveOptions {
    pub format: SaveFormat,
    /// Write every layer as plain tar (decompressing gzip/zstd blobs on the way).
    pub uncompressed: bool,
    /// Told the bytes written, of the blobs' total ([`Progress::Bytes`](crate::Progress::Bytes)).
    pub progress: Reporter,
}

/// One image to save and the tags to save it under (none: saved by ID, `RepoTags: null`).
#[derive(Debug, Clone)]
pub struct SaveImage {
    pub image: Image,
    pub tags: Vec<Reference>,
}

/// Resolves the names given to `save` the way Docker's `parseNames` does: a tag saves that tag; a
/// repository without tag saves all its tags; an ID, digest or ID prefix saves the image untagged;
/// `name@digest` saves the image untagged. Images are grouped by ID, in the order first named.
pub fn resolve_for_save(store: &Store, names: &[impl AsRef<str>]) -> Result<Vec<SaveImage>> {
    let mut out: Vec<SaveImage> = Vec::new();
    let mut add = |image: Image, tag: Option<Reference>| {
        let index = match out.iter().position(|saved| saved.image.id == image.id) {
            Some(index) => index,
            None => {
                out.push(SaveImage {
                    image,
                    tags: Vec::new(),
                });
                out.len() - 1
            }
        };
        if let Some(tag) = tag {
            if !out[index].tags.contains(&tag) {
                out[index].tags.push(tag);
            }
        }
    };
    for name in names {
        let name = name.as_ref();
        match AnyReference::parse(name) {
            Ok(AnyReference::Named(reference)) if reference.is_name_only() => {
                let tagged: Vec<(Image, Reference)> = store
                    .images()?
                    .into_iter()
                    .flat_map(|image| {
                        image
                            .names
                            .iter()
                            .filter(|n| n.name() == reference.name() && n.tag().is_some())
                            .map(|n| (image.clone(), n.clone()))
                            .collect::<Vec<_>>()
                    })
                    .collect();
                if tagged.is_empty() {
                    add(store.resolve(name)?, None);
                }
                for (image, tag) in tagged {
                    add(image, Some(tag));
                }
            }
            Ok(AnyReference::Named(reference)) if reference.digest().is_none() => {
                let image = store.resolve(name)?;
                add(image, Some(reference));
            }
            _ => add(store.resolve(name)?, None),
        }
    }
    Ok(out)
}

/// Where a blob of the archive comes from.
enum Source {
    /// A store blob, copied as it is (and verified on the way).
    Stored { size: u64 },
    /// A store blob decompressed into a plain tar, verified against its diff_id.
    Decompressed {
        blob: Digest,
        compression: Compression,
        size: u64,
    },
    /// A document made for this archive.
    Bytes(Vec<u8>),
}

impl Source {
    /// The bytes the blob takes in the archive.
    fn size(&self) -> u64 {
        match self {
            Source::Stored { size } | Source::Decompressed { size, .. } => *size,
            Source::Bytes(bytes) => bytes.len() as u64,
        }
    }
}

impl Plan {
    fn meter(&self, reporter: &Reporter) -> Meter {
        Meter::new(reporter, self.blobs.values().map(Source::size).sum())
    }

    /// The archive's bytes but its last few (the JSON files and the end-of-archive blocks): the two
    /// directory headers, then each blob's header and padded content.
    fn archive_size(&self) -> u64 {
        const BLOCK: u64 = 512;
        2 * BLOCK
            + self
                .blobs
                .values()
                .map(|source| BLOCK + source.size().div_ceil(BLOCK) * BLOCK)
                .sum::<u64>()
    }
}

/// The output buffer when the archive streams into a pipe: no larger than the metered writer's
/// pieces, so that they are written as they come.
const STREAM_BUFFER: usize = 64 * 1024;

/// Everything that goes into the archive, worked out before the first byte is written.
#[derive(Default)]
struct Plan {
    blobs: BTreeMap<Digest, Source>,
    index: Vec<IndexDescriptor>,
    manifest_json: Vec<ArchiveManifestEntry>,
    repositories: BTreeMap<String, BTreeMap<String, String>>,
}

/// An `index.json` descriptor in image-spec field order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IndexDescriptor {
    media_type: String,
    digest: String,
    size: u64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IndexOut<'a> {
    schema_version: u32,
    media_type: &'static str,
    manifests: &'a [IndexDescriptor],
}

fn blob_path(digest: &Digest) -> String {
    format!("blobs/{}/{}", digest.algorithm(), digest.encoded())
}

/// Writes `images` as one tar archive to `out`. Every blob is verified against its digest while it
/// is copied; on error, what was written so far is not a valid archive (write to a temporary file).
pub fn save(
    store: &Store,
    images: &[SaveImage],
    options: &SaveOptions,
    out: impl Write,
) -> Result<()> {
    let plan = plan_images(store, images, options)?;
    // The bytes as they leave: through a pipe read slowly, the line moves with the reader.
    let meter = Meter::new(&options.progress, plan.archive_size());
    let out = write_archive(
        &plan,
        options,
        Tarball::new(MeteredWriter::new(out, &meter)),
        |tarball, digest, source| write_blob(store, tarball, digest, source),
    )?;
    out.into_inner()
        .flush()
        .map_err(Error::io("write the archive"))
}

/// [`save`] into a file (at its current position); for a regular file, the same bytes, faster: stored blobs
/// are copied by the kernel (`copy_file_range`) while every core verifies their digests. On error,
/// what was written so far is not a valid archive.
pub fn save_to_file(
    store: &Store,
    images: &[SaveImage],
    options: &SaveOptions,
    out: &File,
) -> Result<()> {
    let regular = out
        .metadata()
        .map_err(Error::io("look at the output file"))?
        .is_file();
    if !regular {
        // A pipe, a terminal or a device: the kernel copy does not apply. The buffer gathers the
        // small writes (headers, padding); the blobs' large ones pass straight through, so the
        // bytes reported are the bytes that left.
        return save(
            store,
            images,
            options,
            std::io::BufWriter::with_capacity(STREAM_BUFFER, out),
        );
    }
    let plan = plan_images(store, images, options)?;
    let stored = plan
        .blobs
        .iter()
        .filter_map(|(digest, source)| match source {
            Source::Stored { size } => Some((digest.clone(), *size)),
            _ => None,
        })
        .collect();
    let verifier = Verifier::new(store, stored);
    let meter = plan.meter(&options.progress);
    let helpers = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(2, 4) - 1);
    let written = std::thread::scope(|scope| {
        for _ in 0..helpers {
            scope.spawn(|| verifier.work());
        }
        // The archive's disk writes start while later blobs are copied (the caller syncs at the end).
        let mut writeback = berth_store::Writeback::default();
        let written = write_archive(
            &plan,
            options,
            Tarball::new(out),
            |tarball, digest, source| match source {
                Source::Stored { size } => {
                    let blob = store.open_blob(digest)?;
                    tarball.file_copied(&blob_path(digest), *size, |out| {
                        copy_exact(blob, out, *size, &format!("blob {digest}"), &|n| {
                            meter.add(n);
                        })
                    })?;
                    writeback.wrote(out, *size);
                    Ok(())
                }
                _ => {
                    write_blob(store, tarball, digest, source)?;
                    meter.add(source.size());
                    Ok(())
                }
            },
        );
        match written {
            // The copies are done: this thread checks digests too.
            Ok(_) => verifier.work(),
            Err(_) => verifier.abandon(),
        }
        // A failed background sync shows again in the caller's own final sync.
        let _ = writeback.finish();
        written
    });
    written?;
    verifier.finish()
}

fn plan_images(store: &Store, images: &[SaveImage], options: &SaveOptions) -> Result<Plan> {
    let mut plan = Plan::default();
    for saved in images {
        plan_image(store, saved, options, &mut plan)?;
    }
    // Docker's `Parent`: written when the parent image is in the same archive.
    for (entry, saved) in plan.manifest_json.iter_mut().zip(images) {
        entry.parent = store
            .parent(&saved.image.id)
            .filter(|parent| images.iter().any(|other| other.image.id == *parent))
            .map(|parent| parent.to_string());
    }
    Ok(plan)
}

/// Writes the planned archive, every blob through `blob`.
fn write_archive<W: Write>(
    plan: &Plan,
    options: &SaveOptions,
    mut tarball: Tarball<W>,
    mut blob: impl FnMut(&mut Tarball<W>, &Digest, &Source) -> Result<()>,
) -> Result<W> {
    tarball.dir("blobs/")?;
    tarball.dir("blobs/sha256/")?;
    for (digest, source) in &plan.blobs {
        blob(&mut tarball, digest, source)?;
    }
    if options.format != SaveFormat::Docker {
        let index = IndexOut {
            schema_version: 2,
            media_type: media_type::OCI_INDEX,
            manifests: &plan.index,
        };
        let bytes = serde_json::to_vec(&index).expect("an index always serializes");
        tarball.file_bytes("index.json", &bytes)?;
    }
    if options.format != SaveFormat::Oci {
        tarball.file_bytes(
            "manifest.json",
            &serialize_docker_archive_manifest(&plan.manifest_json),
        )?;
    }
    if options.format != SaveFormat::Docker {
        tarball.file_bytes("oci-layout", OCI_LAYOUT)?;
    }
    if options.format != SaveFormat::Oci && !plan.repositories.is_empty() {
        // Go's json.Encoder: compact, keys sorted, one trailing newline.
        let mut bytes =
            serde_json::to_vec(&plan.repositories).expect("repositories always serialize");
        bytes.push(b'\n');
        tarball.file_bytes("repositories", &bytes)?;
    }
    tarball.finish()
}

/// Adds one image to the plan: its config, its layers (decompressed with `--uncompressed`), its
/// manifest (rebuilt when a layer changed), then its names.
fn plan_image(
    store: &Store,
    saved: &SaveImage,
    options: &SaveOptions,
    plan: &mut Plan,
) -> Result<()> {
    let image = &saved.image;
    let config = parse_config(&image.config)?;
    let diff_ids = &config.rootfs.diff_ids;
    let layers = image.layer_digests()?;
    if layers.is_empty() {
        return Err(Error::EmptyExport {
            id: image.id.clone(),
        });
    }
    if layers.len() != diff_ids.len() {
        return Err(Error::LayerCountMismatch {
            expected: layers.len(),
            actual: diff_ids.len(),
        });
    }
    plan.blobs.insert(
        image.id.clone(),
        Source::Stored {
            size: image.config.len() as u64,
        },
    );
    let planned = plan_layers(store, image, &layers, diff_ids, options.uncompressed, plan)?;
    let manifest = plan_manifest(store, image, planned.rebuilt, options, plan)?;
    let repo_tags = plan_names(&saved.tags, diff_ids, &manifest, plan);
    if repo_tags.is_empty() {
        plan.index.push(manifest);
    }
    plan.manifest_json.push(ArchiveManifestEntry {
        config: blob_path(&image.id),
        repo_tags: (!repo_tags.is_empty()).then_some(repo_tags),
        layers: planned.paths,
        parent: None,
        layer_sources: None,
    });
    Ok(())
}

/// Where the layers of one image go in the archive.
struct PlannedLayers {
    /// Their archive paths, in order (`manifest.json`'s `Layers`).
    paths: Vec<String>,
    /// The layer descriptors of a manifest rebuilt for the archive, when a layer is saved
    /// decompressed and the stored manifest no longer describes it.
    rebuilt: Option<Vec<Descriptor>>,
}

fn plan_layers(
    store: &Store,
    image: &Image,
    layers: &[Digest],
    diff_ids: &[Digest],
    uncompressed: bool,
    plan: &mut Plan,
) -> Result<PlannedLayers> {
    let mut paths = Vec::new();
    let mut rebuilt = Vec::new();
    let mut changed = false;
    for ((blob, descriptor_in), diff_id) in layers.iter().zip(image.manifest.layers()).zip(diff_ids)
    {
        if !store.has_blob(blob) {
            return Err(Error::MissingLayer {
                id: image.id.clone(),
                blob: blob.clone(),
            });
        }
        let layer_type = descriptor_in.media_type().to_string();
        let Some(compression) = media_type::layer_compression(&layer_type) else {
            return Err(Error::UnsupportedLayerType(layer_type));
        };
        if uncompressed && compression != Compression::None {
            let size = uncompressed_size(store, blob, compression)?;
            plan.blobs.insert(
                diff_id.clone(),
                Source::Decompressed {
                    blob: blob.clone(),
                    compression,
                    size,
                },
            );
            rebuilt.push(descriptor(media_type::OCI_LAYER_TAR, diff_id, size));
            paths.push(blob_path(diff_id));
            changed = true;
        } else {
            let size = descriptor_in.size();
            plan.blobs.insert(blob.clone(), Source::Stored { size });
            let layer_type = compression
                .layer_media_type()
                .unwrap_or(media_type::OCI_LAYER_TAR);
            rebuilt.push(descriptor(layer_type, blob, size));
            paths.push(blob_path(blob));
        }
    }
    Ok(PlannedLayers {
        paths,
        rebuilt: changed.then_some(rebuilt),
    })
}

/// The image's manifest blob (the stored one, or one rebuilt around `rebuilt` layers); a docker
/// archive names no manifest and gets none. Returns its untagged `index.json` descriptor.
fn plan_manifest(
    store: &Store,
    image: &Image,
    rebuilt: Option<Vec<Descriptor>>,
    options: &SaveOptions,
    plan: &mut Plan,
) -> Result<IndexDescriptor> {
    let (digest, size, media_type) = if let Some(layers) = rebuilt {
        let config_size = image.config.len() as u64;
        let manifest = image_manifest(
            descriptor(media_type::OCI_CONFIG, &image.id, config_size),
            layers,
        );
        let bytes = manifest_bytes(&manifest);
        let digest = Digest::sha256(&bytes);
        let size = bytes.len() as u64;
        plan.blobs.insert(digest.clone(), Source::Bytes(bytes));
        (digest, size, media_type::OCI_MANIFEST.to_owned())
    } else {
        let bytes = store.read_blob(&image.manifest_digest, MAX_JSON_BYTES)?;
        let size = bytes.len() as u64;
        plan.blobs
            .insert(image.manifest_digest.clone(), Source::Bytes(bytes));
        (
            image.manifest_digest.clone(),
            size,
            image.manifest_media_type.clone(),
        )
    };
    if options.format == SaveFormat::Docker {
        plan.blobs.remove(&digest);
    }
    Ok(IndexDescriptor {
        media_type,
        digest: digest.to_string(),
        size,
        annotations: BTreeMap::new(),
    })
}

/// Names the image under each of its tags: `repositories`, and an `index.json` entry per tag.
/// Returns the `RepoTags` of `manifest.json`.
fn plan_names(
    tags: &[Reference],
    diff_ids: &[Digest],
    manifest: &IndexDescriptor,
    plan: &mut Plan,
) -> Vec<String> {
    let mut repo_tags = Vec::new();
    for tag in tags {
        let Some(tag_name) = tag.tag() else { continue };
        let last_diff_id = diff_ids
            .last()
            .map(|d| d.encoded().to_owned())
            .unwrap_or_default();
        plan.repositories
            .entry(tag.familiar_name())
            .or_default()
            .insert(tag_name.to_owned(), last_diff_id);
        repo_tags.push(tag.familiar_string());
        let mut annotations = BTreeMap::new();
        annotations.insert(IMAGE_NAME, tag.to_string());
        annotations.insert(REF_NAME, tag_name.to_owned());
        plan.index.push(IndexDescriptor {
            annotations,
            media_type: manifest.media_type.clone(),
            digest: manifest.digest.clone(),
            size: manifest.size,
        });
    }
    repo_tags
}

/// The uncompressed size of a layer blob: recorded at import/pull/load, else counted now.
fn uncompressed_size(store: &Store, blob: &Digest, compression: Compression) -> Result<u64> {
    if let Some(info) = store.layer_info(blob) {
        return Ok(info.uncompressed_size);
    }
    let file = store.open_blob(blob)?;
    let mut decompressor =
        Decompressor::new(compression, file).map_err(|source| Error::Decompress {
            compression: compression.name(),
            source,
        })?;
    std::io::copy(&mut decompressor, &mut std::io::sink())
        .map_err(|e| Error::from_io(e, Error::io(format!("read layer {blob}"))))
}

fn write_blob<W: Write>(
    store: &Store,
    tarball: &mut Tarball<W>,
    digest: &Digest,
    source: &Source,
) -> Result<()> {
    let path = blob_path(digest);
    match source {
        Source::Bytes(bytes) => tarball.file_bytes(&path, bytes),
        Source::Stored { size } => {
            let file = store.open_blob(digest)?;
            // Copying is cheap and sha256 is not: verify on the other core while the bytes stream out.
            let verified = crate::pipeline::VerifyingReader::new(
                file,
                Expected::new(digest.clone(), Some(*size)),
            );
            tarball
                .file(&path, *size, verified)
                .map_err(|e| verify_error(e, digest))
        }
        Source::Decompressed {
            blob,
            compression,
            size,
        } => {
            let file = store.open_blob(blob)?;
            let plain =
                Decompressor::new(*compression, file).map_err(|source| Error::Decompress {
                    compression: compression.name(),
                    source,
                })?;
            let verified =
                HashingReader::verifying(plain, Expected::new(digest.clone(), Some(*size)));
            tarball
                .file(&path, *size, verified)
                .map_err(|e| verify_error(e, digest))
        }
    }
}

/// A digest or size mismatch raised by the verifying reader, as a [`Error::BlobMismatch`].
fn verify_error(error: Error, digest: &Digest) -> Error {
    match error {
        Error::Io { source, action } => match berth_digest::as_digest_error(&source) {
            Some(digest_error) => Error::BlobMismatch {
                expected: digest.clone(),
                source: digest_error.clone(),
            },
            None => Error::Io { action, source },
        },
        other => other,
    }
}
