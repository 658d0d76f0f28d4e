//! `commit`: a container's changes become one new layer on top of its image, with a config and history
//! entry as Docker writes them (moby `CreateImageFromContainer`).

use std::{io::Write, os::fd::AsFd};

use berth_archive::{Entries, LayerDigester, Limits};
use berth_digest::Digest;
use berth_manifest::{media_type, EMPTY_TAR_DIFF_ID};
use berth_reference::Reference;

use crate::{
    archive::{Source, TreeWriter},
    containers::Containers,
    error::{Error, Result},
    record::Container,
    rootfs::{RootfsKind, RootfsPaths},
    unpack::{self, path::RootPath},
};

#[derive(Clone, Default)]
pub struct CommitOptions<'a> {
    /// `-a`
    pub author: &'a str,
    /// `-m`
    pub message: &'a str,
    /// `-c` Dockerfile instructions.
    pub changes: &'a [String],
    /// `-p` (Docker's default): pause a running container while its changes are read.
    pub pause: bool,
    /// The name to give the image; without one it is dangling, as in Docker.
    pub reference: Option<&'a Reference>,
    /// Told the bytes of the layer's tar written so far, as they grow (the CLI draws them).
    pub progress: Option<&'a dyn Fn(u64)>,
}

impl std::fmt::Debug for CommitOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommitOptions")
            .field("author", &self.author)
            .field("message", &self.message)
            .field("changes", &self.changes)
            .field("pause", &self.pause)
            .field("reference", &self.reference)
            .finish_non_exhaustive()
    }
}

/// What a commit made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    /// The image ID (config digest), printed as `sha256:<hex>`.
    pub id: Digest,
    pub manifest: Digest,
    /// The new layer's blob, or `None` when the container changed nothing (Docker's empty layer).
    pub layer: Option<Digest>,
    /// Set when a running container could not be paused (no cgroup freezer; the commit went ahead) or
    /// resumed.
    pub pause_warning: Option<String>,
}

impl Containers<'_> {
    pub fn commit(
        &self,
        container: &mut Container,
        options: &CommitOptions<'_>,
    ) -> Result<Committed> {
        self.refresh(container)?;
        let mut pause_warning = None;
        let mut paused = None;
        if options.pause && container.state.status.can_pause() {
            match self.pause_for_commit(container) {
                Ok(pause) => paused = pause,
                Err(e) => {
                    pause_warning = Some(format!(
                        "could not pause the container (the runtime needs the cgroup freezer): {e}"
                    ));
                }
            }
        }
        let result = self.commit_unpaused(container, options);
        if let Some(pause) = paused {
            if let Err(e) = pause.resume() {
                pause_warning = Some(format!("could not resume the container: {e}"));
            }
        }
        result.map(|committed| Committed {
            pause_warning,
            ..committed
        })
    }

    fn commit_unpaused(
        &self,
        container: &Container,
        options: &CommitOptions<'_>,
    ) -> Result<Committed> {
        let store = self.store;
        let _guard = store.content_guard()?;
        // The layer: tar -> the layer digester (diff_id, sizes, content size, on its own threads)
        //                 -> gzip -> store ingest (blob digest).
        let (pending, info) = gzip_layer(store, options.progress, |layer| {
            self.write_changes(container, layer)
        })?;
        let diff_id = info.diff_id.clone();

        let base_manifest = store.read_manifest(&container.record.image_manifest)?;
        let base_config_digest = Digest::parse(base_manifest.config().digest().as_ref())
            .map_err(|e| Error::Store(berth_store::Error::Verify(e)))?;
        let base_config = berth_manifest::parse_config(
            &store.read_blob(&base_config_digest, berth_store::MAX_JSON_BYTES)?,
        )?;
        let mut layers: Vec<oci_spec::image::Descriptor> = base_manifest
            .layers()
            .iter()
            .map(|layer| {
                let media_type = media_type::oci_layer_type(layer.media_type().as_ref());
                let mut layer = layer.clone();
                layer.set_media_type(oci_spec::image::MediaType::from(media_type));
                layer
            })
            .collect();
        let empty = diff_id.to_string() == EMPTY_TAR_DIFF_ID;
        let layer = if empty {
            pending.discard();
            None
        } else {
            let size = pending.size();
            let blob = store.commit_blob(pending, None)?;
            let _ = store.record_layer(&blob, &info);
            layers.push(berth_manifest::descriptor(
                media_type::OCI_LAYER_TAR_GZIP,
                &blob,
                size,
            ));
            Some(blob)
        };
        let container_config = docker_container_config(container);
        let config = berth_manifest::commit_config(
            &base_config,
            &berth_manifest::CommitOptions {
                container_config: &container_config,
                container_id: container.id(),
                diff_id,
                author: options.author,
                comment: options.message,
                changes: options.changes,
                created: time::OffsetDateTime::now_utc(),
            },
        )?;
        let names: Vec<Reference> = options.reference.into_iter().cloned().collect();
        let (config_digest, manifest_digest) =
            store.add_new_image(&config.to_bytes(), layers, &names)?;
        match store.set_parent(&config_digest, &base_config_digest) {
            // Removed meanwhile by a concurrent `rmi`: nothing to link.
            Err(berth_store::Error::NoSuchImage(_)) => {}
            other => other?,
        }
        Ok(Committed {
            id: config_digest,
            manifest: manifest_digest,
            layer,
            pause_warning: None,
        })
    }

    /// Writes the container's changes as a layer tar into `writer`.
    pub fn write_changes<W: Write>(&self, container: &Container, writer: W) -> Result<W> {
        let paths = RootfsPaths::new(&container.dir);
        match container.record.rootfs {
            RootfsKind::Overlay => {
                let upper = unpack::open_root(&paths.upper)?;
                let mut tree = TreeWriter::new(writer, Source::OverlayUpper);
                tree.append_tree(upper.as_fd(), &RootPath(Vec::new()))?;
                tree.finish()
            }
            RootfsKind::Copy => crate::changes::write_copy_changes(self, container, writer),
        }
    }

    /// About the bytes of the tar [`Containers::write_changes`] writes, for a progress line's
    /// total: a header per entry of the overlay's upper directory and each file's padded content.
    /// `None` for a copied root filesystem, whose changes are known only once compared.
    pub fn changes_size_hint(&self, container: &Container) -> Option<u64> {
        match container.record.rootfs {
            RootfsKind::Overlay => {
                let root =
                    crate::unpack::open_root(&RootfsPaths::new(&container.dir).upper).ok()?;
                crate::containers::tree_size(root.as_fd(), crate::containers::Measure::Tar).ok()
            }
            RootfsKind::Copy => None,
        }
    }

    /// `export`: the container's whole root filesystem as a tar stream.
    /// A container that is not running is mounted for the export only, where no one else sees it.
    pub fn export<W: Write>(&self, container: &Container, writer: W) -> Result<W> {
        let root = self.open_rootfs(container)?;
        let mut tree = TreeWriter::new(writer, Source::Plain);
        tree.append_tree(root.as_fd(), &RootPath(Vec::new()))?;
        tree.finish()
    }
}

/// OCI media types for the base layers of an OCI manifest (Docker's are equivalent byte formats).
/// The container's config as Docker keeps it (and records it in a committed image): the image's
/// config with the `run` overrides, plus the keys of Docker's `container.Config` that only a
/// container has (its host name, the name of its image, how it was attached: stdout and stderr,
/// and stdin with `-i`, unless detached, as docker/cli sets them).
fn docker_container_config(container: &Container) -> berth_manifest::ContainerConfig {
    use serde_json::Value;
    let record = &container.record;
    let mut config = record.config.clone();
    let hostname = if record.host.hostname.is_empty() {
        container.short_id().to_owned()
    } else {
        record.host.hostname.clone()
    };
    let attached = !record.host.detached;
    let stdin = record.host.open_stdin;
    for (key, value) in [
        ("Hostname", Value::String(hostname)),
        ("Domainname", Value::String(String::new())),
        ("AttachStdin", Value::Bool(stdin && attached)),
        ("AttachStdout", Value::Bool(attached)),
        ("AttachStderr", Value::Bool(attached)),
        ("Tty", Value::Bool(record.host.tty)),
        ("OpenStdin", Value::Bool(stdin)),
        ("StdinOnce", Value::Bool(stdin && attached)),
        ("Image", Value::String(record.image.clone())),
    ] {
        config.extra.insert(key.to_owned(), value);
    }
    // docker/cli always sends a label map, so the container has one, maybe empty.
    if config.labels.is_empty() {
        config
            .extra
            .insert("Labels".to_owned(), Value::Object(serde_json::Map::new()));
    }
    config
}

/// The layer tar `write` produces, gzip-compressed into the store's ingest and digested on the
/// way (diff_id, sizes, content size): the pending blob, for the caller to commit or discard, and
/// what the digester learned. Used by `commit` and by build steps.
pub(crate) fn gzip_layer<'a>(
    store: &berth_store::Store,
    progress: Option<&'a dyn Fn(u64)>,
    write: impl FnOnce(GzLayerWriter<'a>) -> Result<GzLayerWriter<'a>>,
) -> Result<(berth_store::PendingBlob, berth_store::LayerInfo)> {
    let ingest = store.ingest()?;
    // gzip on every core: the tar is written (and digested) on this thread meanwhile.
    let gzip = berth_archive::ParallelGzEncoder::new(ingest, flate2::Compression::fast())
        .map_err(Error::io("start the layer's compressors"))?;
    let layer = write(LayerWriter::new(gzip, progress))?;
    let info = layer.digester.finish()?.info;
    let ingest = layer
        .out
        .finish()
        .map_err(Error::io("compress the layer"))?;
    Ok((ingest.finish()?, info))
}

/// What [`gzip_layer`] hands its writer.
pub(crate) type GzLayerWriter<'a> =
    LayerWriter<'a, berth_archive::ParallelGzEncoder<berth_store::Ingest>>;

/// A commit layer's tar on its way out: every byte to the layer digester and to the compressor.
pub(crate) struct LayerWriter<'a, W> {
    pub(crate) digester: LayerDigester,
    pub(crate) out: W,
    progress: Option<&'a dyn Fn(u64)>,
    written: u64,
    reported: u64,
}

impl<'a, W> LayerWriter<'a, W> {
    /// A layer's tar into `out` (the compressor), digested on the way, its bytes told to `progress`.
    pub(crate) fn new(out: W, progress: Option<&'a dyn Fn(u64)>) -> LayerWriter<'a, W> {
        LayerWriter {
            digester: LayerDigester::plain(Entries::Count, Limits::default()),
            out,
            progress,
            written: 0,
            reported: 0,
        }
    }
}

/// Progress is told every this many bytes of the layer's tar.
const PROGRESS_STEP: u64 = 256 * 1024;

impl<W: Write> Write for LayerWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.digester.write_all(&buf[..n])?;
        self.written += n as u64;
        if let Some(progress) = self.progress {
            if self.written - self.reported >= PROGRESS_STEP {
                self.reported = self.written;
                progress(self.written);
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
