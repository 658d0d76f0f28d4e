//! Downloading one blob into the store: resumable, verified while streaming, and (for layers)
//! read by berth-archive's layer digester on the way in to learn the diff_id and sizes.
//!
//! The bytes go to the store's persistent partial file for the digest (`Store::resume_ingest`), so
//! an interrupted download (network cut, Ctrl-C, crash) continues with `Range: bytes=N-` next time.
//! Writing, hashing and decompressing happen on a blocking thread fed through a bounded channel;
//! the async side only moves bytes.

use std::io::{self, Read, Write};

use berth_archive::{Entries, LayerDigester, LayerDigests, Limits, Threads};
use berth_digest::{Digest, Expected};
use berth_manifest::Compression;
use berth_store::{Ingest, LayerInfo, PendingBlob};
use bytes::Bytes;
use reqwest::{header, Method, StatusCode};

use crate::{
    blocking::{self, SharedStore},
    client::{redact_url, status_error, Retry, Session},
    error::{Error, Result},
    progress::{LayerStatus, Reporter},
    Event,
};

/// Chunks in flight between the network and the writer thread.
const WRITE_QUEUE: usize = 32;
/// Bytes between two `Downloading` events...
const PROGRESS_STEP: u64 = 512 * 1024;
/// ...or less, once this long has passed (moby's progress reader reports at most every 100 ms): on
/// a slow link a layer's bar moves every tenth of a second, not every 512 KiB.
const PROGRESS_INTERVAL: std::time::Duration = std::time::Duration::from_millis(100);

/// A blob to fetch: what the manifest says about it.
#[derive(Debug, Clone)]
pub(crate) struct BlobSpec {
    pub(crate) digest: Digest,
    pub(crate) size: u64,
    /// `Some` for a layer (the compression its media type names), which is digested on the way in;
    /// `None` for a config. The digester reads the bytes by their magic, as Docker's pull does.
    pub(crate) compression: Option<Compression>,
    /// Foreign layer URLs, tried without credentials when the registry does not have the blob.
    pub(crate) urls: Vec<String>,
}

/// A downloaded, verified, not yet committed blob, with its diff_id when it is a layer.
pub(crate) struct Downloaded {
    pub(crate) pending: PendingBlob,
    pub(crate) diff: Option<LayerInfo>,
}

/// The layer's facts from the one digester, with a refusal as a pull has always said it: a tar
/// stream cut where Go's archive/tar refuses it (inside a header or an entry's data) fails, as
/// Docker's pull fails to extract it; a decompression error is the decompressor's own.
fn layer_info(digested: berth_archive::Result<LayerDigests>) -> io::Result<LayerInfo> {
    match digested {
        Ok(digests) => Ok(digests.info),
        Err(berth_archive::Error::Truncated | berth_archive::Error::RefusedEnd(_)) => {
            Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the layer's tar stream is truncated (it ends inside a header or an entry's data)",
            ))
        }
        Err(berth_archive::Error::Decompress { source, .. }) => Err(source),
        Err(error) => Err(io::Error::other(error)),
    }
}

/// Digests a whole layer from `reader` (a stored blob): its diff_id, uncompressed and content size.
pub(crate) fn diff_id_of(reader: impl Read) -> io::Result<LayerInfo> {
    let reader = io::BufReader::with_capacity(1 << 20, reader);
    layer_info(LayerDigester::read(
        reader,
        Entries::Count,
        &Limits::default(),
        Threads::Two,
    ))
}

/// What the writer thread hands back.
struct WriterOutcome {
    ingest: Ingest,
    diff: Option<io::Result<LayerInfo>>,
}

/// The blob's writer thread: every chunk goes to the ingest (which hashes it); a layer's chunks are
/// also read by the digester on this same thread (`Threads::One`: a pull digests its layers side by
/// side already, and a helper thread per layer only added hand-offs and copies on busy cores).
fn spawn_writer(
    mut ingest: Ingest,
    digest: bool,
) -> (
    tokio::sync::mpsc::Sender<Bytes>,
    tokio::task::JoinHandle<io::Result<WriterOutcome>>,
) {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Bytes>(WRITE_QUEUE);
    let handle = tokio::task::spawn_blocking(move || {
        let diff = if digest {
            let mut chunks = Chunks {
                rx: &mut rx,
                ingest: &mut ingest,
                current: Bytes::new(),
                failed: None,
            };
            // One thread per layer: a pull digests its layers side by side already.
            let digested = LayerDigester::read(
                &mut chunks,
                Entries::Count,
                &Limits::default(),
                Threads::One,
            );
            if let Some(error) = chunks.failed.take() {
                return Err(error);
            }
            Some(layer_info(digested))
        } else {
            None
        };
        // What the digester did not read (it stopped at a problem, which `diff` reports) is still
        // part of the blob.
        while let Some(chunk) = rx.blocking_recv() {
            ingest.write_all(&chunk)?;
        }
        ingest.flush()?;
        Ok(WriterOutcome { ingest, diff })
    });
    (tx, handle)
}

/// The downloaded chunks as a reader, each written to the ingest as it is received.
struct Chunks<'a> {
    rx: &'a mut tokio::sync::mpsc::Receiver<Bytes>,
    ingest: &'a mut Ingest,
    current: Bytes,
    /// The ingest's write error: the download fails with it, not with what the digester made of
    /// the end of its input.
    failed: Option<io::Error>,
}

impl Read for Chunks<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            if self.failed.is_some() {
                return Ok(0);
            }
            let Some(chunk) = self.rx.blocking_recv() else {
                return Ok(0);
            };
            if let Err(error) = self.ingest.write_all(&chunk) {
                self.failed = Some(error);
                return Ok(0);
            }
            self.current = chunk;
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

/// Downloads `spec` from `session`'s repository `repository` into the store, resuming a partial
/// download, and verifies size and digest. A layer's diff_id is computed on the way (or from the
/// finished file when the download resumed).
///
/// The bytes of a partial file cannot be checked until the blob is complete: when a resumed
/// download fails verification, the partial file (perhaps left by a hostile or broken registry) is
/// thrown away and the blob is downloaded once more from its first byte.
pub(crate) async fn download<F: FnMut(Event)>(
    session: &Session<'_>,
    store: &SharedStore,
    repository: &str,
    spec: &BlobSpec,
    reporter: Option<&Reporter<F>>,
) -> Result<Downloaded> {
    let mut resumed_from = 0;
    match download_once(
        session,
        store,
        repository,
        spec,
        reporter,
        &mut resumed_from,
    )
    .await
    {
        Err(error @ Error::BlobVerification { .. }) if resumed_from > 0 => {
            tracing::warn!(
                digest = %spec.digest, resumed_from, %error,
                "a resumed download failed verification; downloading the blob again from the start"
            );
            download_once(
                session,
                store,
                repository,
                spec,
                reporter,
                &mut resumed_from,
            )
            .await
        }
        result => result,
    }
}

/// One attempt of [`download`], from wherever the partial file ends (reported in `resumed_from`).
async fn download_once<F: FnMut(Event)>(
    session: &Session<'_>,
    store: &SharedStore,
    repository: &str,
    spec: &BlobSpec,
    reporter: Option<&Reporter<F>>,
    resumed_from: &mut u64,
) -> Result<Downloaded> {
    let ingest = open_partial(store, spec).await?;
    *resumed_from = ingest.size();
    let resumed_from = *resumed_from;
    // A layer is digested as it streams in (on its writer thread and one helper); a resumed one
    // from the finished file.
    let digest = resumed_from == 0 && spec.compression.is_some();
    if let Some(reporter) = reporter {
        if resumed_from > 0 {
            reporter.layer(
                &spec.digest,
                LayerStatus::Resuming,
                resumed_from,
                Some(spec.size),
            );
        }
    }
    let (tx, writer) = spawn_writer(ingest, digest);
    let transfer = transfer(session, repository, spec, resumed_from, &tx, reporter).await;
    drop(tx);
    let outcome = writer
        .await
        .map_err(|e| Error::Task(e.to_string()))?
        .map_err(Error::io(format!("write blob {}", spec.digest)))?;
    if let Err(error) = transfer {
        // The partial file stays for the next attempt, unless the server sent too much.
        if matches!(error, Error::BlobVerification { .. }) {
            outcome.ingest.discard();
        }
        return Err(error);
    }
    if let Some(reporter) = reporter {
        reporter.layer(
            &spec.digest,
            LayerStatus::VerifyingChecksum,
            spec.size,
            Some(spec.size),
        );
    }
    let pending = outcome.ingest.finish()?;
    let expected = Expected::new(spec.digest.clone(), Some(spec.size));
    if let Err(source) = expected.check(pending.digest(), pending.size()) {
        pending.discard();
        return Err(Error::BlobVerification {
            digest: spec.digest.clone(),
            source,
        });
    }
    let diff = match (spec.compression, outcome.diff) {
        (None, _) => None,
        (Some(_), Some(Ok(diff))) => Some(diff),
        (Some(_), Some(Err(source))) => {
            pending.discard();
            return Err(Error::Decompress {
                layer: spec.digest.clone(),
                source,
            });
        }
        (Some(_), None) => {
            if let Some(reporter) = reporter {
                reporter.layer(&spec.digest, LayerStatus::Extracting, 0, None);
            }
            let reader = pending.reader()?;
            let computed = tokio::task::spawn_blocking(move || diff_id_of(reader))
                .await
                .map_err(|e| Error::Task(e.to_string()))?;
            match computed {
                Ok(diff) => Some(diff),
                Err(source) => {
                    pending.discard();
                    return Err(Error::Decompress {
                        layer: spec.digest.clone(),
                        source,
                    });
                }
            }
        }
    };
    Ok(Downloaded { pending, diff })
}

/// The blob's partial download, locked for this writer. What an earlier writer left is re-hashed
/// (a whole layer, perhaps: on the blocking pool); a file longer than the blob is not a prefix of
/// it and starts over.
async fn open_partial(store: &SharedStore, spec: &BlobSpec) -> Result<Ingest> {
    let (digest, size) = (spec.digest.clone(), spec.size);
    blocking::on_store(store, move |store| {
        let ingest = store.resume_ingest(&digest)?;
        if ingest.size() <= size {
            return Ok(ingest);
        }
        ingest.discard();
        Ok(store.resume_ingest(&digest)?)
    })
    .await
}

/// Moves the bytes from `resumed_from` to the end into the writer, retrying dropped connections
/// with a `Range` request from wherever the download got to.
async fn transfer<F: FnMut(Event)>(
    session: &Session<'_>,
    repository: &str,
    spec: &BlobSpec,
    resumed_from: u64,
    tx: &tokio::sync::mpsc::Sender<Bytes>,
    reporter: Option<&Reporter<F>>,
) -> Result<()> {
    let mut have = resumed_from;
    let max_attempts = session.client.options.max_attempts.max(1);
    let mut attempt = 0;
    let mut last_reported = have;
    let mut last_reported_at = std::time::Instant::now();
    let blob_url = session.url(&format!("v2/{repository}/blobs/{}", spec.digest))?;
    loop {
        if have == spec.size {
            return Ok(());
        }
        attempt += 1;
        let result = fetch_range(session, &blob_url, spec, have, tx, |now| {
            if let Some(reporter) = reporter {
                if now - last_reported >= PROGRESS_STEP
                    || now == spec.size
                    || (now > last_reported && last_reported_at.elapsed() >= PROGRESS_INTERVAL)
                {
                    last_reported = now;
                    last_reported_at = std::time::Instant::now();
                    reporter.layer(&spec.digest, LayerStatus::Downloading, now, Some(spec.size));
                }
            }
        })
        .await;
        match result {
            Ok(now) => {
                have = now;
                if have == spec.size {
                    return Ok(());
                }
                // The body ended early: treat it like a dropped connection.
                if attempt >= max_attempts {
                    return Err(Error::BlobVerification {
                        digest: spec.digest.clone(),
                        source: berth_digest::Error::SizeMismatch {
                            expected: spec.size,
                            actual: have,
                        },
                    });
                }
            }
            Err((now, error)) => {
                have = now;
                if !error.is_transient() || attempt >= max_attempts {
                    return Err(error);
                }
                if let Some(reporter) = reporter {
                    reporter.emit(Event::Retrying {
                        what: format!("blob {}", spec.digest.short()),
                        attempt,
                        reason: error.to_string(),
                    });
                }
            }
        }
        tracing::debug!(digest = %spec.digest, have, attempt, "resuming download");
        tokio::time::sleep(session.client.backoff(attempt)).await;
    }
}

/// One GET of the blob from byte `from`. Returns how many bytes the writer has after it, or that
/// count with the error that stopped it.
async fn fetch_range(
    session: &Session<'_>,
    blob_url: &url::Url,
    spec: &BlobSpec,
    from: u64,
    tx: &tokio::sync::mpsc::Sender<Bytes>,
    mut on_progress: impl FnMut(u64),
) -> std::result::Result<u64, (u64, Error)> {
    let range = (from > 0).then(|| format!("bytes={from}-"));
    let build = move |request: reqwest::RequestBuilder| match &range {
        Some(range) => request.header(header::RANGE, range.as_str()),
        None => request,
    };
    let mut response = session
        .send(
            Method::GET,
            blob_url.clone(),
            Retry::Transient,
            true,
            &build,
        )
        .await
        .map_err(|e| (from, e))?;
    if response.status() == StatusCode::NOT_FOUND && !spec.urls.is_empty() {
        response = fetch_foreign(session, spec, from, &build)
            .await
            .map_err(|e| (from, e))?;
    }
    let status = response.status();
    let mut skip = 0;
    match status {
        StatusCode::OK => skip = from,
        StatusCode::PARTIAL_CONTENT if from > 0 => {
            let start = response
                .headers()
                .get(header::CONTENT_RANGE)
                .and_then(|v| v.to_str().ok())
                .and_then(content_range_start);
            if start != Some(from) {
                return Err((
                    from,
                    Error::Status {
                        status: 206,
                        url: redact_url(response.url()),
                        details: Vec::new(),
                    },
                ));
            }
        }
        StatusCode::RANGE_NOT_SATISFIABLE if from == spec.size => return Ok(from),
        _ => return Err((from, status_error(response).await)),
    }
    let url = redact_url(response.url());
    let mut have = from;
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => return Ok(have),
            Err(source) => {
                return Err((
                    have,
                    Error::Http {
                        url: url.clone(),
                        source,
                    },
                ))
            }
        };
        // A server that ignored the Range header resends what is already on disk.
        let chunk = if skip > 0 {
            let drop = usize::try_from(skip.min(chunk.len() as u64)).unwrap_or(chunk.len());
            skip -= drop as u64;
            chunk.slice(drop..)
        } else {
            chunk
        };
        if chunk.is_empty() {
            continue;
        }
        let after = have + chunk.len() as u64;
        if after > spec.size {
            return Err((
                have,
                Error::BlobVerification {
                    digest: spec.digest.clone(),
                    source: berth_digest::Error::SizeMismatch {
                        expected: spec.size,
                        actual: after,
                    },
                },
            ));
        }
        if tx.send(chunk).await.is_err() {
            // The writer stopped (disk error); its own error is reported by the caller.
            return Ok(have);
        }
        have = after;
        on_progress(have);
    }
}

/// Tries a foreign layer's URLs (http and https only, never with credentials: they are not the
/// registry's origin, CVE-2020-15157).
async fn fetch_foreign(
    session: &Session<'_>,
    spec: &BlobSpec,
    from: u64,
    build: &(dyn Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder + Sync),
) -> Result<reqwest::Response> {
    let mut last = None;
    for raw in &spec.urls {
        let Ok(url) = url::Url::parse(raw) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") {
            continue;
        }
        let response = session
            .send(Method::GET, url, Retry::Transient, true, build)
            .await?;
        let ok = response.status() == StatusCode::OK
            || (from > 0 && response.status() == StatusCode::PARTIAL_CONTENT);
        if ok {
            return Ok(response);
        }
        last = Some(response);
    }
    match last {
        Some(response) => Ok(response),
        None => Err(Error::NoForeignLayerUrl(spec.digest.clone())),
    }
}

/// `bytes 100-199/200` -> 100.
fn content_range_start(value: &str) -> Option<u64> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (range, _) = rest.split_once('/').unwrap_or((rest, ""));
    range.split_once('-')?.0.trim().parse().ok()
}

/// Reads a small blob (a config) into memory, verified, at most `limit` bytes.
pub(crate) async fn fetch_small(
    session: &Session<'_>,
    repository: &str,
    digest: &Digest,
    size: u64,
    limit: u64,
) -> Result<Vec<u8>> {
    let url = session.url(&format!("v2/{repository}/blobs/{digest}"))?;
    if size > limit {
        return Err(Error::BodyTooLarge {
            what: "blob",
            url: redact_url(&url),
            limit,
        });
    }
    let response = session.get(url, None).await?;
    if response.status() != StatusCode::OK {
        return Err(status_error(response).await);
    }
    let body = crate::client::read_capped(response, limit, "blob").await?;
    Expected::new(digest.clone(), Some(size))
        .check(
            &Digest::compute(digest.algorithm(), &body),
            body.len() as u64,
        )
        .map_err(|source| Error::BlobVerification {
            digest: digest.clone(),
            source,
        })?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges() {
        assert_eq!(content_range_start("bytes 100-199/200"), Some(100));
        assert_eq!(content_range_start("bytes 0-0/*"), Some(0));
        assert_eq!(content_range_start("items 1-2/3"), None);
        assert_eq!(content_range_start("bytes x-1/2"), None);
    }
}
