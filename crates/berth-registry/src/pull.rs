//! `pull`: manifest, platform selection, config, layers (concurrently, resumable, verified), then
//! the blobs that name them and the reference, last.

use berth_digest::Digest;
use berth_manifest::{media_type, Document, ImageConfig, Platform};
use berth_reference::Reference;
use berth_store::{IndexEntry, Store, TagTime};
use futures_util::{stream, StreamExt, TryStreamExt};
use oci_spec::image::{Descriptor, ImageManifest};
use reqwest::{header, StatusCode};

use crate::{
    blob::{self, BlobSpec},
    blocking::{self, SharedStore},
    client::{error_details, read_capped, Client, Endpoint, Session},
    error::{Error, Result},
    progress::{Event, LayerStatus, Reporter},
};

/// Docker's default `max-concurrent-downloads`.
pub const DEFAULT_CONCURRENCY: usize = 3;

/// Options of [`Client::pull`].
#[derive(Debug, Clone)]
pub struct PullOptions {
    /// The platform to select from an index; `None` is the host's.
    pub platform: Option<Platform>,
    /// Pull every tag of the repository (`-a`); the reference must then have no tag.
    pub all_tags: bool,
    /// Layers downloaded at once.
    pub concurrency: usize,
}

impl Default for PullOptions {
    fn default() -> PullOptions {
        PullOptions {
            platform: None,
            all_tags: false,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}

/// Whether a pull changed the store (`Status: Downloaded newer image for …` or `Image is up to date for …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullStatus {
    Downloaded,
    UpToDate,
}

/// One image a pull stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulledImage {
    /// The reference pulled (`docker.io/library/debian:latest`, or `…@sha256:…`).
    pub reference: Reference,
    /// The digest Docker prints (`Digest: …`): of the index for a multi-platform image.
    pub digest: Digest,
    /// The platform manifest stored.
    pub manifest_digest: Digest,
    /// The image ID (config digest).
    pub image_id: Digest,
    pub status: PullStatus,
}

/// What [`Client::pull`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullResult {
    /// The canonical reference Docker prints last (`docker.io/library/debian:latest`; the bare
    /// repository for `-a`).
    pub canonical: String,
    /// `Downloaded` if any image changed.
    pub status: PullStatus,
    /// One entry per tag pulled (one unless `all_tags`).
    pub images: Vec<PulledImage>,
}

impl PullResult {
    /// The digest of the (first) image pulled.
    pub fn digest(&self) -> Option<&Digest> {
        self.images.first().map(|i| &i.digest)
    }
}

/// A manifest as fetched: its bytes, digest and declared type.
pub(crate) struct FetchedManifest {
    pub(crate) bytes: Vec<u8>,
    pub(crate) digest: Digest,
    pub(crate) media_type: String,
    pub(crate) document: Document,
}

impl Client {
    /// Pulls `reference` (a tag, `latest` by default, or a digest) into `store`, reporting progress
    /// through `progress`. Nothing is printed.
    pub async fn pull(
        &self,
        store: &Store,
        reference: &Reference,
        options: &PullOptions,
        progress: impl FnMut(Event),
    ) -> Result<PullResult> {
        let reporter = Reporter::new(progress);
        let store = blocking::share(store)?;
        if options.all_tags {
            if reference.tag().is_some() || reference.digest().is_some() {
                return Err(Error::TagWithAllTags);
            }
            let repository = reference.name_only();
            let tags = self.list_tags(&repository).await?;
            let mut images = Vec::new();
            for tag in tags {
                let tagged = repository.with_tag(&tag)?;
                images.push(self.pull_one(&store, &tagged, options, &reporter).await?);
            }
            return Ok(PullResult {
                canonical: repository.to_string(),
                status: overall(&images),
                images,
            });
        }
        let reference = match reference.digest() {
            Some(digest) => reference.with_digest(digest.clone()),
            None => reference.clone().with_default_tag(),
        };
        let image = self
            .pull_one(&store, &reference, options, &reporter)
            .await?;
        Ok(PullResult {
            canonical: reference.to_string(),
            status: image.status,
            images: vec![image],
        })
    }

    async fn pull_one<F: FnMut(Event)>(
        &self,
        store: &SharedStore,
        reference: &Reference,
        options: &PullOptions,
        reporter: &Reporter<F>,
    ) -> Result<PulledImage> {
        let endpoints = self.pull_endpoints(reference.domain()).await?;
        let last = endpoints.len() - 1;
        for (i, endpoint) in endpoints.into_iter().enumerate() {
            let host = endpoint.host.clone();
            match self
                .pull_from(endpoint, store, reference, options, reporter)
                .await
            {
                Ok(image) => return Ok(image),
                Err(error) if i < last => {
                    tracing::warn!(mirror = %host, %error, "mirror failed, trying the next endpoint");
                }
                Err(error) => return Err(error),
            }
        }
        unreachable_endpoints()
    }

    /// One pull from one endpoint: resolve the manifest, fetch the config, fetch the layers, then
    /// record the image (blobs first, the reference last).
    async fn pull_from<F: FnMut(Event)>(
        &self,
        endpoint: Endpoint,
        store: &SharedStore,
        reference: &Reference,
        options: &PullOptions,
        reporter: &Reporter<F>,
    ) -> Result<PulledImage> {
        let repository = reference.path().to_owned();
        let session = self.session(endpoint, vec![format!("repository:{repository}:pull")]);
        let _guard = blocking::on_store(store, |store| Ok(store.content_guard()?)).await?;
        let resolved = resolve(&session, reference, options.platform.as_ref()).await?;
        reporter.emit(Event::Resolved {
            reference: reference.clone(),
            digest: resolved.repo_digest.clone(),
            manifest_digest: resolved.digest.clone(),
        });
        let config_digest = oci_digest(resolved.image.config())?;
        let stored = {
            let (reference, config_digest) = (reference.clone(), config_digest.clone());
            blocking::on_store(store, move |store| {
                what_is_stored(store, &reference, &config_digest)
            })
            .await?
        };
        let config = fetch_config(
            &session,
            &repository,
            &config_digest,
            resolved.image.config().size(),
            stored.config,
        )
        .await?;
        let layers = layer_specs(&resolved.image, &config.parsed)?;
        let fetch = LayerFetch {
            session: &session,
            store,
            repository: &repository,
            reporter,
            image_here: stored.image_here,
        };
        let downloaded_any = fetch.all(&layers, options.concurrency.max(1)).await?;
        let repo_digest = resolved.repo_digest.clone();
        let recorded = {
            let reference = reference.clone();
            blocking::on_store(store, move |store| {
                let previous = stored.previous.as_ref();
                record(
                    store,
                    &reference,
                    &resolved,
                    &config,
                    previous,
                    downloaded_any,
                )
            })
            .await?
        };
        reporter.emit(Event::Pulled {
            digest: repo_digest.clone(),
        });
        Ok(PulledImage {
            reference: reference.clone(),
            digest: repo_digest,
            manifest_digest: recorded.manifest_digest,
            image_id: config_digest,
            status: recorded.status,
        })
    }
}

/// The image manifest a reference resolves to, for this pull's platform.
struct Resolved {
    /// The digest Docker prints (`Digest: …`): of the index for a multi-platform image.
    repo_digest: Digest,
    /// The image manifest's own digest, bytes and declared type.
    digest: Digest,
    bytes: Vec<u8>,
    media_type: String,
    image: ImageManifest,
}

/// Step 1: the manifest the reference names, and for an index the manifest of the platform asked
/// for (the host's by default).
async fn resolve(
    session: &Session<'_>,
    reference: &Reference,
    platform: Option<&Platform>,
) -> Result<Resolved> {
    let tag_or_digest = match (reference.digest(), reference.tag()) {
        (Some(digest), _) => digest.to_string(),
        (None, Some(tag)) => tag.to_owned(),
        (None, None) => berth_reference::DEFAULT_TAG.to_owned(),
    };
    let top = fetch_manifest(session, reference, &tag_or_digest, reference.digest()).await?;
    let repo_digest = top.digest.clone();
    let index = match top.document {
        Document::Manifest(image) => {
            return Ok(Resolved {
                repo_digest,
                digest: top.digest,
                bytes: top.bytes,
                media_type: top.media_type,
                image,
            })
        }
        Document::Index(index) => index,
    };
    let platform = platform
        .cloned()
        .unwrap_or_else(berth_manifest::host_platform);
    let chosen = berth_manifest::select_manifest(&index, &platform).ok_or_else(|| {
        Error::NoMatchingPlatform {
            platform: platform.to_string(),
        }
    })?;
    let chosen_digest = oci_digest(chosen)?;
    let child = fetch_manifest(
        session,
        reference,
        &chosen_digest.to_string(),
        Some(&chosen_digest),
    )
    .await?;
    match child.document {
        Document::Manifest(image) => Ok(Resolved {
            repo_digest,
            digest: child.digest,
            bytes: child.bytes,
            media_type: child.media_type,
            image,
        }),
        Document::Index(_) => Err(Error::NestedIndex {
            reference: reference.to_string(),
            digest: child.digest,
        }),
    }
}

/// What the store already holds of a resolved image.
struct Stored {
    /// The manifest this very tag points at (its image may have others under other names); a
    /// digest reference names the image through its repo digests.
    previous: Option<Digest>,
    /// The config, verified as it was read: a corrupt one is fetched again (and replaced).
    config: Option<Vec<u8>>,
    /// moby's puller: an image that is already here (by ID) has nothing to pull, and no layer of
    /// it is reported (no `Already exists`).
    image_here: bool,
}

fn what_is_stored(store: &Store, reference: &Reference, config_digest: &Digest) -> Result<Stored> {
    let previous = if reference.digest().is_some() {
        store
            .resolve(&reference.to_string())
            .ok()
            .map(|image| image.manifest_digest)
    } else {
        store
            .entries()?
            .into_iter()
            .find(|e| e.name.as_ref() == Some(reference))
            .map(|e| e.entry.digest)
    };
    let config = store
        .read_blob(config_digest, berth_manifest::MAX_CONFIG_BYTES as u64)
        .ok();
    let image_here = store.resolve(&config_digest.to_string()).is_ok();
    Ok(Stored {
        previous,
        config,
        image_here,
    })
}

/// The image config of a pull, and whether the store had it.
struct FetchedConfig {
    bytes: Vec<u8>,
    parsed: ImageConfig,
    was_stored: bool,
}

/// Step 2: the image config, from the store when it has it, else from the registry.
async fn fetch_config(
    session: &Session<'_>,
    repository: &str,
    digest: &Digest,
    size: u64,
    stored: Option<Vec<u8>>,
) -> Result<FetchedConfig> {
    let was_stored = stored.is_some();
    let bytes = match stored {
        Some(bytes) => bytes,
        None => {
            blob::fetch_small(
                session,
                repository,
                digest,
                size,
                berth_manifest::MAX_CONFIG_BYTES as u64,
            )
            .await?
        }
    };
    let parsed = berth_manifest::parse_config(&bytes).map_err(Error::Config)?;
    Ok(FetchedConfig {
        bytes,
        parsed,
        was_stored,
    })
}

/// What step 4 wrote.
struct Recorded {
    manifest_digest: Digest,
    status: PullStatus,
}

/// Step 4: the config and manifest blobs, then the reference (with the repo digest), written after
/// every blob it names. An image found as it was (same manifest under this tag, nothing fetched)
/// only gains the repo digest: `Image is up to date`.
fn record(
    store: &Store,
    reference: &Reference,
    resolved: &Resolved,
    config: &FetchedConfig,
    previous: Option<&Digest>,
    downloaded_any: bool,
) -> Result<Recorded> {
    store.write_blob(&config.bytes)?;
    // A stored manifest that no longer hashes to its name is replaced: that is no "up to date".
    let manifest_was_stored = store
        .read_blob(&resolved.digest, resolved.bytes.len() as u64)
        .is_ok();
    let manifest_digest = store.write_blob(&resolved.bytes)?;
    let entry = IndexEntry::new(
        &resolved.media_type,
        manifest_digest.clone(),
        resolved.bytes.len() as u64,
    );
    let repo_digest_name = format!("{}@{}", reference.name(), resolved.repo_digest);
    let up_to_date = previous == Some(&manifest_digest)
        && config.was_stored
        && manifest_was_stored
        && !downloaded_any;
    let names: &[Reference] = if up_to_date {
        &[]
    } else {
        std::slice::from_ref(reference)
    };
    store.add_image_with(&entry, names, &[repo_digest_name], TagTime::Keep)?;
    Ok(Recorded {
        manifest_digest,
        status: if up_to_date {
            PullStatus::UpToDate
        } else {
            PullStatus::Downloaded
        },
    })
}

fn unreachable_endpoints<T>() -> Result<T> {
    Err(Error::BadServer("no endpoint to pull from".into()))
}

fn overall(images: &[PulledImage]) -> PullStatus {
    if images.iter().any(|i| i.status == PullStatus::Downloaded) {
        PullStatus::Downloaded
    } else {
        PullStatus::UpToDate
    }
}

pub(crate) fn oci_digest(descriptor: &Descriptor) -> Result<Digest> {
    Digest::parse(descriptor.digest().as_ref())
        .map_err(|_| Error::InvalidDigest(descriptor.digest().to_string()))
}

/// Layer descriptors paired with the diff_ids the config promises for them.
fn layer_specs(manifest: &ImageManifest, config: &ImageConfig) -> Result<Vec<(BlobSpec, Digest)>> {
    let layers = manifest.layers();
    let diff_ids = &config.rootfs.diff_ids;
    if layers.len() != diff_ids.len() {
        return Err(Error::LayerCountMismatch {
            layers: layers.len(),
            diff_ids: diff_ids.len(),
        });
    }
    layers
        .iter()
        .zip(diff_ids)
        .map(|(layer, diff_id)| {
            let media = layer.media_type().to_string();
            let compression = media_type::layer_compression(&media)
                .ok_or_else(|| Error::UnsupportedLayer(media.clone()))?;
            Ok((
                BlobSpec {
                    digest: oci_digest(layer)?,
                    size: layer.size(),
                    compression: Some(compression),
                    // Only foreign (non-distributable) layers are fetched from their `urls`, as
                    // Docker does; on any other layer they are ignored (issue #13 item 7).
                    urls: if media_type::is_foreign_layer(&media) {
                        layer.urls().clone().unwrap_or_default()
                    } else {
                        Vec::new()
                    },
                },
                diff_id.clone(),
            ))
        })
        .collect()
}

/// Step 3: the layers of one pull, each made present in the store with a checked diff_id.
struct LayerFetch<'a, 's, F> {
    session: &'a Session<'s>,
    store: &'a SharedStore,
    repository: &'a str,
    reporter: &'a Reporter<F>,
    /// The image is already stored (by ID), and its layers are not reported.
    image_here: bool,
}

impl<F: FnMut(Event)> LayerFetch<'_, '_, F> {
    /// Fetches every layer, `concurrency` at a time. Returns whether any was downloaded.
    async fn all(&self, layers: &[(BlobSpec, Digest)], concurrency: usize) -> Result<bool> {
        self.announce(layers, concurrency);
        let downloaded: Vec<bool> = stream::iter(layers)
            .map(|(spec, diff_id)| self.one(spec, diff_id))
            .buffered(concurrency)
            .try_collect()
            .await?;
        Ok(downloaded.contains(&true))
    }

    /// The plan (layers, bytes, bytes already here), and `Pulling fs layer` / `Waiting` for the
    /// layers to fetch.
    fn announce(&self, layers: &[(BlobSpec, Digest)], concurrency: usize) {
        let present: Vec<bool> = layers
            .iter()
            .map(|(spec, _)| self.store.has_blob(&spec.digest))
            .collect();
        let sizes = || layers.iter().map(|(spec, _)| spec.size);
        self.reporter.emit(Event::Plan {
            layers: layers.len(),
            total_bytes: sizes().sum(),
            done_bytes: sizes()
                .zip(&present)
                .filter(|(_, p)| **p)
                .map(|(s, _)| s)
                .sum(),
        });
        if self.image_here {
            return;
        }
        let mut queued = 0;
        for ((spec, _), present) in layers.iter().zip(&present) {
            if *present {
                continue;
            }
            let size = Some(spec.size);
            self.reporter
                .layer(&spec.digest, LayerStatus::PullingFsLayer, 0, size);
            queued += 1;
            if queued > concurrency {
                self.reporter
                    .layer(&spec.digest, LayerStatus::Waiting, 0, size);
            }
        }
    }

    fn report(&self, spec: &BlobSpec, status: LayerStatus, current: u64) {
        if !self.image_here {
            self.reporter
                .layer(&spec.digest, status, current, Some(spec.size));
        }
    }

    /// One layer: a stored, intact layer is checked against its diff_id; anything else is
    /// downloaded. Returns whether it was downloaded.
    async fn one(&self, spec: &BlobSpec, diff_id: &Digest) -> Result<bool> {
        if self.store.has_blob(&spec.digest) {
            if stored_layer_is_intact(self.store, spec).await? {
                check_stored_layer(self.store, spec, diff_id).await?;
                self.report(spec, LayerStatus::AlreadyExists, spec.size);
                return Ok(false);
            }
            tracing::warn!(digest = %spec.digest, "stored layer is corrupt; downloading it again");
        }
        self.download(spec, diff_id).await?;
        Ok(true)
    }

    /// Downloads a layer, checks its diff_id, and commits it with its layer record.
    async fn download(&self, spec: &BlobSpec, expected_diff_id: &Digest) -> Result<()> {
        self.report(spec, LayerStatus::Downloading, 0);
        let shown = (!self.image_here).then_some(self.reporter);
        let downloaded =
            blob::download(self.session, self.store, self.repository, spec, shown).await?;
        self.report(spec, LayerStatus::DownloadComplete, spec.size);
        let Some(info) = downloaded.diff else {
            downloaded.pending.discard();
            return Err(Error::DiffIdNotComputed(spec.digest.clone()));
        };
        if info.diff_id != *expected_diff_id {
            downloaded.pending.discard();
            return Err(Error::DiffIdMismatch {
                layer: spec.digest.clone(),
                expected: expected_diff_id.clone(),
                actual: info.diff_id,
            });
        }
        self.report(spec, LayerStatus::Extracting, spec.size);
        let expected = berth_digest::Expected::new(spec.digest.clone(), Some(spec.size));
        let pending = downloaded.pending;
        blocking::on_store(self.store, move |store| {
            // The sync of the whole layer, on the blocking pool: the other layers keep moving.
            store.commit_blob(pending, Some(&expected))?;
            Ok(store.record_layer(&expected.digest, &info)?)
        })
        .await?;
        self.report(spec, LayerStatus::PullComplete, spec.size);
        Ok(())
    }
}

/// Whether a stored layer still hashes to its name and has its size. A pull trusts no stored layer
/// without this: a blob found corrupt (by `system check`, or by a failed `run`) is downloaded again
/// rather than reported as present.
async fn stored_layer_is_intact(store: &SharedStore, spec: &BlobSpec) -> Result<bool> {
    let expected = berth_digest::Expected::new(spec.digest.clone(), Some(spec.size));
    blocking::on_store(store, move |store| {
        let file = match store.open_blob(&expected.digest) {
            Ok(file) => file,
            Err(berth_store::Error::BlobNotFound(_)) => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        let hashed = (|| {
            let mut reader = berth_digest::HashingReader::new(
                std::io::BufReader::with_capacity(1 << 20, file),
                expected.digest.algorithm(),
            );
            std::io::copy(&mut reader, &mut std::io::sink())?;
            let (actual, size) = reader.finish()?;
            Ok::<_, std::io::Error>(expected.check(&actual, size).is_ok())
        })();
        hashed.map_err(Error::io(format!("read blob {}", expected.digest)))
    })
    .await
}

/// Checks an intact stored layer against the diff_id the config promises; a layer stored by
/// something that did not record its diff_id is decompressed once to learn it.
async fn check_stored_layer(
    store: &SharedStore,
    spec: &BlobSpec,
    expected_diff_id: &Digest,
) -> Result<()> {
    let (layer, expected) = (spec.digest.clone(), expected_diff_id.clone());
    let actual = blocking::on_store(store, move |store| {
        if let Some(info) = store.layer_info(&layer) {
            return Ok(info.diff_id);
        }
        let file = store.open_blob(&layer)?;
        let info = blob::diff_id_of(file).map_err(|source| Error::Decompress {
            layer: layer.clone(),
            source,
        })?;
        if info.diff_id == expected {
            store.record_layer(&layer, &info)?;
        }
        Ok(info.diff_id)
    })
    .await?;
    if actual != *expected_diff_id {
        return Err(Error::DiffIdMismatch {
            layer: spec.digest.clone(),
            expected: expected_diff_id.clone(),
            actual,
        });
    }
    Ok(())
}

/// GETs a manifest by tag or digest, bounded, and verifies it: against the digest asked for, and
/// against `Docker-Content-Digest` when the registry sends one. Then parses it strictly.
pub(crate) async fn fetch_manifest(
    session: &Session<'_>,
    reference: &Reference,
    tag_or_digest: &str,
    expected: Option<&Digest>,
) -> Result<FetchedManifest> {
    let repository = reference.path();
    let url = session.url(&format!("v2/{repository}/manifests/{tag_or_digest}"))?;
    let accept = media_type::ACCEPTED_MANIFEST_TYPES.join(", ");
    let response = session.get(url, Some(&accept)).await?;
    let shown = match reference.digest() {
        Some(_) => reference.familiar_string(),
        None => format!("{}:{tag_or_digest}", reference.familiar_name()),
    };
    match response.status() {
        StatusCode::OK => {}
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
            return Err(Error::PullAccessDenied {
                repository: reference.familiar_name(),
                details: error_details(response).await,
            })
        }
        StatusCode::NOT_FOUND => {
            let details = error_details(response).await;
            if details.iter().any(|d| d.code == "NAME_UNKNOWN") {
                return Err(Error::PullAccessDenied {
                    repository: reference.familiar_name(),
                    details,
                });
            }
            return Err(Error::ManifestUnknown { reference: shown });
        }
        _ => return Err(crate::client::status_error(response).await),
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let header_digest = match response
        .headers()
        .get("docker-content-digest")
        .and_then(|v| v.to_str().ok())
    {
        Some(value) => Some(
            Digest::parse(value.trim())
                .map_err(|_| Error::InvalidDigest(value.chars().take(150).collect()))?,
        ),
        None => None,
    };
    let bytes = read_capped(
        response,
        berth_manifest::MAX_MANIFEST_BYTES as u64,
        "manifest",
    )
    .await?;
    let digest = Digest::sha256(&bytes);
    for wanted in expected.into_iter().chain(header_digest.as_ref()) {
        let actual = Digest::compute(wanted.algorithm(), &bytes);
        if actual != *wanted {
            return Err(Error::ManifestDigestMismatch {
                reference: shown,
                expected: wanted.clone(),
                actual,
            });
        }
    }
    let document =
        berth_manifest::parse_document(&bytes, content_type.as_deref()).map_err(|source| {
            Error::Manifest {
                reference: shown.clone(),
                source,
            }
        })?;
    let media_type = declared_media_type(&document, content_type.as_deref());
    // Digest shown to the user: the one asked for, else sha256 of the bytes.
    let digest = expected.cloned().unwrap_or(digest);
    Ok(FetchedManifest {
        bytes,
        digest,
        media_type,
        document,
    })
}

fn declared_media_type(document: &Document, content_type: Option<&str>) -> String {
    let declared = match document {
        Document::Manifest(m) => m.media_type().as_ref().map(ToString::to_string),
        Document::Index(i) => i.media_type().as_ref().map(ToString::to_string),
    };
    let typed_header = content_type
        .filter(|c| media_type::is_manifest(c) || media_type::is_index(c))
        .map(media_type::essence);
    declared.or(typed_header).unwrap_or_else(|| match document {
        Document::Manifest(_) => media_type::OCI_MANIFEST.to_owned(),
        Document::Index(_) => media_type::OCI_INDEX.to_owned(),
    })
}
