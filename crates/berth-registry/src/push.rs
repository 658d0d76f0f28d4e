//! `push`: the layers and config (skipped, mounted or uploaded, concurrently), then the manifest.
//! Uncompressed layers are gzip-compressed for the push; the compressed blob and the rewritten
//! manifest are kept in the store so the next push sends the same digests.

use std::io::Write;

use berth_digest::Digest;
use berth_manifest::{media_type, Compression};
use berth_reference::Reference;
use berth_store::{ContentGuard, Image, IndexEntry, LayerInfo, Store, TagTime};
use reqwest::{header, Method, StatusCode};

use crate::{
    blocking::{self, SharedStore},
    client::{status_error, Client, Retry, Session},
    error::{Error, Result},
    progress::{Event, Reporter},
    pull::oci_digest,
    sources,
    upload::{check_returned_digest, PushBlob, Uploader},
};

pub use crate::upload::UploadMode;

/// Docker's default `max-concurrent-uploads`.
pub const DEFAULT_PUSH_CONCURRENCY: usize = 5;
/// Default PATCH size of a chunked upload: large enough to cost nothing on a fast link, small
/// enough that an interruption loses little.
pub const DEFAULT_CHUNK_SIZE: u64 = 32 * 1024 * 1024;
/// Mount attempts per blob.
const MAX_MOUNT_SOURCES: usize = 3;

/// Options of [`Client::push`].
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// Push every tag of the repository (`-a`).
    pub all_tags: bool,
    /// Blobs uploaded at once.
    pub concurrency: usize,
    pub mode: UploadMode,
}

impl Default for PushOptions {
    fn default() -> PushOptions {
        PushOptions {
            all_tags: false,
            concurrency: DEFAULT_PUSH_CONCURRENCY,
            mode: UploadMode::Chunked(DEFAULT_CHUNK_SIZE),
        }
    }
}

/// One tag pushed: Docker prints `<tag>: digest: sha256:… size: N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedTag {
    pub tag: String,
    pub digest: Digest,
    pub size: u64,
}

/// What [`Client::push`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushResult {
    /// `The push refers to repository [docker.io/library/app]`.
    pub repository: String,
    pub tags: Vec<PushedTag>,
}

impl Client {
    /// Pushes `reference` (`latest` by default; every tag of the repository with `all_tags`)
    /// from `store`, reporting progress through `progress`.
    pub async fn push(
        &self,
        store: &Store,
        reference: &Reference,
        options: &PushOptions,
        progress: impl FnMut(Event),
    ) -> Result<PushResult> {
        let reporter = Reporter::new(progress);
        let store = blocking::share(store)?;
        let repository = reference.name_only();
        let references: Vec<Reference> = if options.all_tags {
            let name = repository.clone();
            blocking::on_store(&store, move |store| tags_of(store, &name)).await?
        } else {
            vec![reference.clone().with_default_tag()]
        };
        let mut tags = Vec::new();
        for reference in &references {
            tags.push(self.push_one(&store, reference, options, &reporter).await?);
        }
        Ok(PushResult {
            repository: repository.to_string(),
            tags,
        })
    }

    /// One tag: prepare the local image, upload its blobs, put the manifest, then record where
    /// the image now lives.
    async fn push_one<F: FnMut(Event)>(
        &self,
        store: &SharedStore,
        reference: &Reference,
        options: &PushOptions,
        reporter: &Reporter<F>,
    ) -> Result<PushedTag> {
        let Some(tag) = reference.tag().map(str::to_owned) else {
            return Err(Error::NoLocalTag(reference.familiar_string()));
        };
        let local = {
            let reference = reference.clone();
            blocking::on_store(store, move |store| LocalImage::prepare(store, &reference)).await?
        };
        let repository_path = reference.path();
        let full_name = reference.name();
        let endpoint = self.endpoint(reference.domain()).await?;
        let session = self.session(endpoint, local.scopes(repository_path));
        let uploader = Uploader {
            session: &session,
            store,
            repository: repository_path,
            full_name: &full_name,
            mode: options.mode,
            reporter,
        };
        uploader
            .push_all(&local.blobs, options.concurrency.max(1))
            .await?;
        let digest = put_manifest(&session, repository_path, &tag, &full_name, &local).await?;
        let size = local.manifest_bytes.len() as u64;
        {
            let (reference, digest) = (reference.clone(), digest.clone());
            blocking::on_store(store, move |store| {
                local.record(store, &reference, &full_name, digest)
            })
            .await?;
        }
        Ok(PushedTag { tag, digest, size })
    }
}

/// Every tag of `repository` in the store (`push -a`), sorted.
fn tags_of(store: &Store, repository: &Reference) -> Result<Vec<Reference>> {
    let mut tagged: Vec<Reference> = store
        .images()?
        .into_iter()
        .flat_map(|image| image.names)
        .filter(|name| name.name() == repository.name() && name.tag().is_some())
        .collect();
    tagged.sort();
    tagged.dedup();
    if tagged.is_empty() {
        return Err(Error::NoLocalTag(repository.familiar_string()));
    }
    Ok(tagged)
}

/// The image a tag names, ready to push: the manifest to send (its uncompressed layers gzipped),
/// and every blob with the repositories it may be mounted from.
struct LocalImage {
    /// Held from the first blob written (a compressed layer) to the last reference.
    _guard: ContentGuard,
    manifest_bytes: Vec<u8>,
    media_type: String,
    /// The manifest differs from the stored one (layers were compressed for the push).
    rewritten: bool,
    /// The layers, then the config.
    blobs: Vec<(PushBlob, Vec<String>)>,
}

impl LocalImage {
    fn prepare(store: &Store, reference: &Reference) -> Result<LocalImage> {
        let image = match store.resolve(&reference.to_string()) {
            Ok(image) => image,
            Err(berth_store::Error::NoSuchImage(_)) => {
                return Err(Error::NoLocalTag(reference.familiar_string()))
            }
            Err(e) => return Err(e.into()),
        };
        let guard = store.content_guard()?;
        let stored_bytes = store.read_blob(
            &image.manifest_digest,
            berth_manifest::MAX_MANIFEST_BYTES as u64,
        )?;
        let (manifest_bytes, rewritten) =
            compress_layers(store, &image.manifest_digest, &stored_bytes)?;
        let manifest: oci_spec::image::ImageManifest = serde_json::from_slice(&manifest_bytes)
            .map_err(|source| Error::StoredManifest {
                digest: image.manifest_digest.clone(),
                source,
            })?;
        let mut blobs = Vec::new();
        for layer in manifest.layers() {
            blobs.push(PushBlob {
                digest: oci_digest(layer)?,
                size: layer.size(),
                report: true,
            });
        }
        let config = manifest.config();
        blobs.push(PushBlob {
            digest: oci_digest(config)?,
            size: config.size(),
            report: false,
        });
        let images = store.images()?;
        let blobs = blobs
            .into_iter()
            .map(|blob| {
                let from = mount_candidates(store, &images, reference, &blob.digest)?;
                Ok((blob, from))
            })
            .collect::<Result<_>>()?;
        let media_type = manifest
            .media_type()
            .as_ref()
            .map_or_else(|| media_type::OCI_MANIFEST.to_owned(), ToString::to_string);
        Ok(LocalImage {
            _guard: guard,
            manifest_bytes,
            media_type,
            rewritten,
            blobs,
        })
    }

    /// The token scopes of the push: this repository, and pull on every repository a blob may be
    /// mounted from.
    fn scopes(&self, repository_path: &str) -> Vec<String> {
        let mut scopes = vec![format!("repository:{repository_path}:pull,push")];
        for (_, sources) in &self.blobs {
            for from in sources {
                let scope = format!("repository:{from}:pull");
                if !scopes.contains(&scope) {
                    scopes.push(scope);
                }
            }
        }
        scopes
    }

    /// Records what the registry now has: the repo digest (and the rewritten manifest under the
    /// tag), and where each blob lives.
    fn record(
        self,
        store: &Store,
        reference: &Reference,
        full_name: &str,
        digest: Digest,
    ) -> Result<()> {
        let repo_digest = format!("{full_name}@{digest}");
        let entry = IndexEntry::new(&self.media_type, digest, self.manifest_bytes.len() as u64);
        if self.rewritten {
            store.write_blob(&self.manifest_bytes)?;
            store.add_image_with(
                &entry,
                std::slice::from_ref(reference),
                &[repo_digest],
                TagTime::Keep,
            )?;
        } else {
            store.add_image_with(&entry, &[], &[repo_digest], TagTime::Keep)?;
        }
        let digests: Vec<Digest> = self.blobs.iter().map(|(b, _)| b.digest.clone()).collect();
        sources::remember_sources(store, full_name, &digests);
        Ok(())
    }
}

/// `PUT` of the manifest under its tag, after every blob it names; returns its digest.
async fn put_manifest(
    session: &Session<'_>,
    repository_path: &str,
    tag: &str,
    full_name: &str,
    local: &LocalImage,
) -> Result<Digest> {
    let digest = Digest::sha256(&local.manifest_bytes);
    let url = session.url(&format!("v2/{repository_path}/manifests/{tag}"))?;
    let body = local.manifest_bytes.clone();
    let content_type = local.media_type.clone();
    let response = session
        .send(Method::PUT, url, Retry::Transient, false, &move |r| {
            r.header(header::CONTENT_TYPE, content_type.as_str())
                .body(body.clone())
        })
        .await?;
    match response.status() {
        StatusCode::CREATED | StatusCode::OK | StatusCode::ACCEPTED => {
            check_returned_digest(&response, &digest)?;
            Ok(digest)
        }
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(Error::PushAccessDenied {
            repository: full_name.to_owned(),
        }),
        _ => Err(status_error(response).await),
    }
}

/// Repositories of the same registry (paths) that likely hold `digest`: recorded sources first,
/// then other repositories the store has images of that contain it.
fn mount_candidates(
    store: &Store,
    images: &[Image],
    reference: &Reference,
    digest: &Digest,
) -> Result<Vec<String>> {
    let domain_prefix = format!("{}/", reference.domain());
    let mut candidates: Vec<String> = sources::known_sources(store, digest)
        .into_iter()
        .filter_map(|name| name.strip_prefix(&domain_prefix).map(str::to_owned))
        .filter(|path| path != reference.path())
        .collect();
    for image in images {
        if !image.layer_digests()?.contains(digest) && image.id != *digest {
            continue;
        }
        for name in &image.names {
            if name.domain() == reference.domain() && name.path() != reference.path() {
                let path = name.path().to_owned();
                if !candidates.contains(&path) {
                    candidates.push(path);
                }
            }
        }
    }
    candidates.truncate(MAX_MOUNT_SOURCES);
    Ok(candidates)
}

/// Compresses the manifest's uncompressed layers with gzip (storing the compressed blobs and their
/// layer info) and returns the manifest to push, and whether it changed.
fn compress_layers(
    store: &Store,
    manifest_digest: &Digest,
    manifest_bytes: &[u8],
) -> Result<(Vec<u8>, bool)> {
    let mut manifest: serde_json::Value =
        serde_json::from_slice(manifest_bytes).map_err(|source| Error::StoredManifest {
            digest: manifest_digest.clone(),
            source,
        })?;
    let Some(layers) = manifest.get_mut("layers").and_then(|l| l.as_array_mut()) else {
        return Ok((manifest_bytes.to_vec(), false));
    };
    let mut changed = false;
    for layer in layers.iter_mut() {
        let media = layer
            .get("mediaType")
            .and_then(|m| m.as_str())
            .unwrap_or_default()
            .to_owned();
        if media_type::layer_compression(&media) != Some(Compression::None) {
            continue;
        }
        let Some(digest) = layer
            .get("digest")
            .and_then(|d| d.as_str())
            .and_then(|d| Digest::parse(d).ok())
        else {
            continue;
        };
        let (compressed, size) = compress_blob(store, &digest)?;
        layer["digest"] = compressed.to_string().into();
        layer["size"] = size.into();
        layer["mediaType"] = gzip_media_type(&media).into();
        changed = true;
    }
    if !changed {
        return Ok((manifest_bytes.to_vec(), false));
    }
    let bytes = serde_json::to_vec(&manifest).expect("a JSON value always serializes");
    Ok((bytes, true))
}

fn gzip_media_type(uncompressed: &str) -> &'static str {
    match media_type::essence(uncompressed).as_str() {
        media_type::DOCKER_LAYER_TAR => media_type::DOCKER_LAYER_TAR_GZIP,
        media_type::OCI_LAYER_NONDISTRIBUTABLE_TAR => {
            media_type::OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP
        }
        _ => media_type::OCI_LAYER_TAR_GZIP,
    }
}

/// A `gzip-<digest>` marker holds one digest.
const MAX_MARKER_BYTES: u64 = 4096;

/// gzip of the tar blob `digest`, stored; reused if an earlier push made it.
fn compress_blob(store: &Store, digest: &Digest) -> Result<(Digest, u64)> {
    let marker_dir = store.state_dir("registry")?;
    let marker = marker_dir.join(format!("gzip-{}", digest.encoded()));
    let saved = std::fs::File::open(&marker)
        .and_then(|file| berth_store::fs::read_file_bounded(&file, MAX_MARKER_BYTES));
    if let Ok(text) = saved.as_deref().map(String::from_utf8_lossy) {
        if let Ok(compressed) = Digest::parse(text.trim()) {
            if let Some(size) = store.blob_size(&compressed)? {
                return Ok((compressed, size));
            }
        }
    }
    let source = store.open_blob(digest)?;
    let ingest = store.ingest()?;
    let (ingest, uncompressed_size) = (|| {
        let mut encoder =
            berth_archive::ParallelGzEncoder::new(ingest, flate2::Compression::default())?;
        let copied = std::io::copy(&mut std::io::BufReader::new(source), &mut encoder)?;
        let mut ingest = encoder.finish()?;
        ingest.flush()?;
        Ok::<_, std::io::Error>((ingest, copied))
    })()
    .map_err(Error::io(format!("compress layer {digest}")))?;
    let pending = ingest.finish()?;
    let size = pending.size();
    let compressed = store.commit_blob(pending, None)?;
    store.record_layer(
        &compressed,
        &LayerInfo {
            diff_id: digest.clone(),
            uncompressed_size,
            // The same layer: what was learned of the uncompressed blob holds for this one.
            content_size: store.layer_info(digest).and_then(|info| info.content_size),
        },
    )?;
    let _ = berth_store::fs::write_atomic_path(
        &marker,
        compressed.to_string().as_bytes(),
        berth_store::fs::Permissions::Create(0o600),
    );
    Ok((compressed, size))
}
