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
        if options.all_tags {
            if reference.tag().is_some() || reference.digest().is_some() {
                return Err(Error::TagWithAllTags);
            }
            let repository = reference.name_only();
            let tags = self.list_tags(&repository).await?;
            let mut images = Vec::new();
            for tag in tags {
                let tagged = repository.with_tag(&tag)?;
                images.push(self.pull_one(store, &tagged, options, &reporter).await?);
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
        let image = self.pull_one(store, &reference, options, &reporter).await?;
        Ok(PullResult {
            canonical: reference.to_string(),
            status: image.status,
            images: vec![image],
        })
    }

    async fn pull_one<F: FnMut(Event)>(
        &self,
        store: &Store,
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

    async fn pull_from<F: FnMut(Event)>(
        &self,
        endpoint: Endpoint,
        store: &Store,
        reference: &Reference,
        options: &PullOptions,
        reporter: &Reporter<F>,
    ) -> Result<PulledImage> {
        let repository = reference.path().to_owned();
        let session = self.session(endpoint, vec![format!("repository:{repository}:pull")]);
        let _guard = store.content_guard()?;
        let tag_or_digest = match (reference.digest(), reference.tag()) {
            (Some(digest), _) => digest.to_string(),
            (None, Some(tag)) => tag.to_owned(),
            (None, None) => berth_reference::DEFAULT_TAG.to_owned(),
        };
        let top = fetch_manifest(&session, reference, &tag_or_digest, reference.digest()).await?;
        let repo_digest = top.digest.clone();
        let manifest = match top.document {
            Document::Manifest(manifest) => FetchedManifest {
                document: Document::Manifest(manifest),
                ..top
            },
            Document::Index(index) => {
                let platform = match &options.platform {
                    Some(platform) => platform.clone(),
                    None => berth_manifest::host_platform(),
                };
                let chosen =
                    berth_manifest::select_manifest(&index, &platform).ok_or_else(|| {
                        Error::NoMatchingPlatform {
                            platform: platform.to_string(),
                        }
                    })?;
                let digest = oci_digest(chosen)?;
                let child =
                    fetch_manifest(&session, reference, &digest.to_string(), Some(&digest)).await?;
                if !matches!(child.document, Document::Manifest(_)) {
                    return Err(Error::UnsupportedManifest(format!(
                        "{reference} names a nested index ({digest}) for its platform"
                    )));
                }
                child
            }
        };
        let Document::Manifest(image_manifest) = &manifest.document else {
            return Err(Error::UnsupportedManifest(format!(
                "{reference} is not an image manifest"
            )));
        };
        reporter.emit(Event::Resolved {
            reference: reference.clone(),
            digest: repo_digest.clone(),
            manifest_digest: manifest.digest.clone(),
        });
        // The manifest this very tag points at (its image may have others under other names); a
        // digest reference names the image through its repo digests.
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

        let config_descriptor = image_manifest.config();
        let config_digest = oci_digest(config_descriptor)?;
        let config_size = config_descriptor.size();
        // A stored config is verified as it is read; a corrupt one is fetched again (and replaced).
        let stored_config = store
            .read_blob(&config_digest, berth_manifest::MAX_CONFIG_BYTES as u64)
            .ok();
        let config_was_stored = stored_config.is_some();
        let config_bytes = if let Some(bytes) = stored_config {
            bytes
        } else {
            blob::fetch_small(
                &session,
                &repository,
                &config_digest,
                config_size,
                berth_manifest::MAX_CONFIG_BYTES as u64,
            )
            .await?
        };
        let config = berth_manifest::parse_config(&config_bytes).map_err(Error::Config)?;
        let layers = layer_specs(image_manifest, &config)?;
        // moby's puller: an image that is already here (by ID) has nothing to pull, and no layer
        // of it is reported (no `Already exists`).
        let image_here = store.resolve(&config_digest.to_string()).is_ok();

        let total_bytes = layers.iter().map(|(spec, _)| spec.size).sum();
        let present: Vec<bool> = layers
            .iter()
            .map(|(spec, _)| store.has_blob(&spec.digest))
            .collect();
        let done_bytes = layers
            .iter()
            .zip(&present)
            .filter(|(_, p)| **p)
            .map(|((spec, _), _)| spec.size)
            .sum();
        reporter.emit(Event::Plan {
            layers: layers.len(),
            total_bytes,
            done_bytes,
        });
        let mut queued = 0;
        for ((spec, _), present) in layers.iter().zip(&present) {
            if *present || image_here {
                continue;
            }
            reporter.layer(
                &spec.digest,
                LayerStatus::PullingFsLayer,
                0,
                Some(spec.size),
            );
            queued += 1;
            if queued > options.concurrency.max(1) {
                reporter.layer(&spec.digest, LayerStatus::Waiting, 0, Some(spec.size));
            }
        }
        let downloaded: Vec<bool> = stream::iter(layers.iter())
            .map(|(spec, diff_id)| {
                fetch_layer(
                    &session,
                    store,
                    &repository,
                    spec,
                    diff_id,
                    reporter,
                    image_here,
                )
            })
            .buffered(options.concurrency.max(1))
            .try_collect()
            .await?;

        store.write_blob(&config_bytes)?;
        // A stored manifest that no longer hashes to its name is replaced: that is no "up to date".
        let manifest_was_stored = store
            .read_blob(&manifest.digest, manifest.bytes.len() as u64)
            .is_ok();
        let stored_manifest = store.write_blob(&manifest.bytes)?;
        let entry = IndexEntry::new(
            &manifest.media_type,
            stored_manifest.clone(),
            manifest.bytes.len() as u64,
        );
        let repo_digest_name = format!("{}@{repo_digest}", reference.name());
        let up_to_date = previous.as_ref() == Some(&stored_manifest)
            && config_was_stored
            && manifest_was_stored
            && !downloaded.iter().any(|d| *d);
        if up_to_date {
            store.add_image_with(&entry, &[], &[repo_digest_name], TagTime::Keep)?;
        } else {
            store.add_image_with(
                &entry,
                std::slice::from_ref(reference),
                &[repo_digest_name],
                TagTime::Keep,
            )?;
        }
        reporter.emit(Event::Pulled {
            digest: repo_digest.clone(),
        });
        Ok(PulledImage {
            reference: reference.clone(),
            digest: repo_digest,
            manifest_digest: stored_manifest,
            image_id: config_digest,
            status: if up_to_date {
                PullStatus::UpToDate
            } else {
                PullStatus::Downloaded
            },
        })
    }
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

/// Whether a stored layer still hashes to its name and has its size. A pull trusts no stored layer
/// without this: a blob found corrupt (by `system check`, or by a failed `run`) is downloaded again
/// rather than reported as present.
async fn stored_layer_is_intact(store: &Store, spec: &BlobSpec) -> Result<bool> {
    let file = match store.open_blob(&spec.digest) {
        Ok(file) => file,
        Err(berth_store::Error::BlobNotFound(_)) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    let expected = berth_digest::Expected::new(spec.digest.clone(), Some(spec.size));
    let hashed = tokio::task::spawn_blocking(move || {
        let mut reader = berth_digest::HashingReader::new(
            std::io::BufReader::with_capacity(1 << 20, file),
            expected.digest.algorithm(),
        );
        std::io::copy(&mut reader, &mut std::io::sink())?;
        let (actual, size) = reader.finish()?;
        Ok::<_, std::io::Error>(expected.check(&actual, size).is_ok())
    })
    .await
    .map_err(|e| Error::Task(e.to_string()))?;
    hashed.map_err(Error::io(format!("read blob {}", spec.digest)))
}

/// Makes one layer present in the store with a checked diff_id. Returns whether it was downloaded.
/// `image_here`: the image is already stored (by ID), and its layers are not reported.
async fn fetch_layer<F: FnMut(Event)>(
    session: &Session<'_>,
    store: &Store,
    repository: &str,
    spec: &BlobSpec,
    expected_diff_id: &Digest,
    reporter: &Reporter<F>,
    image_here: bool,
) -> Result<bool> {
    let report = |status: LayerStatus, current: u64| {
        if !image_here {
            reporter.layer(&spec.digest, status, current, Some(spec.size));
        }
    };
    let present = store.has_blob(&spec.digest);
    if present && !stored_layer_is_intact(store, spec).await? {
        tracing::warn!(digest = %spec.digest, "stored layer is corrupt; downloading it again");
    } else if present {
        let info = match store.layer_info(&spec.digest) {
            Some(info) => info,
            None => {
                // Stored by something that did not record the diff_id: learn it once.
                let file = store.open_blob(&spec.digest)?;
                let info = tokio::task::spawn_blocking(move || blob::diff_id_of(file))
                    .await
                    .map_err(|e| Error::Task(e.to_string()))?
                    .map_err(|source| Error::Decompress {
                        layer: spec.digest.clone(),
                        source,
                    })?;
                if info.diff_id == *expected_diff_id {
                    store.record_layer(&spec.digest, &info)?;
                }
                info
            }
        };
        if info.diff_id != *expected_diff_id {
            return Err(Error::DiffIdMismatch {
                layer: spec.digest.clone(),
                expected: expected_diff_id.clone(),
                actual: info.diff_id,
            });
        }
        report(LayerStatus::AlreadyExists, spec.size);
        return Ok(false);
    }
    report(LayerStatus::Downloading, 0);
    let shown = (!image_here).then_some(reporter);
    let downloaded = blob::download(session, store, repository, spec, shown).await?;
    report(LayerStatus::DownloadComplete, spec.size);
    let Some(info) = downloaded.diff else {
        downloaded.pending.discard();
        return Err(Error::UnsupportedLayer(spec.digest.to_string()));
    };
    if info.diff_id != *expected_diff_id {
        downloaded.pending.discard();
        return Err(Error::DiffIdMismatch {
            layer: spec.digest.clone(),
            expected: expected_diff_id.clone(),
            actual: info.diff_id,
        });
    }
    report(LayerStatus::Extracting, spec.size);
    let expected = berth_digest::Expected::new(spec.digest.clone(), Some(spec.size));
    store.commit_blob(downloaded.pending, Some(&expected))?;
    store.record_layer(&spec.digest, &info)?;
    report(LayerStatus::PullComplete, spec.size);
    Ok(true)
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
