//! Putting one blob into a repository: skip it if the registry has it, mount it from another
//! repository if possible, else upload it (chunked PATCHes that resume from the registry's own
//! offset after a failure, or one monolithic PUT).

use std::{
    future::Future,
    os::unix::fs::FileExt,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use berth_digest::Digest;
use bytes::Bytes;
use futures_util::{stream, StreamExt, TryStreamExt};
use reqwest::{header, Method, StatusCode};

use crate::{
    blocking::{self, SharedStore},
    client::{redact_url, status_error, Retry, Session},
    error::{Error, Result},
    progress::{Event, LayerStatus, Reporter},
    sources,
};

/// Read size when streaming a blob file into a request body.
const READ_BUFFER: usize = 256 * 1024;

/// How often a layer's line moves while its bytes stream into a request (Docker's push bar moves
/// continuously, not once per chunk).
const PROGRESS_TICK: Duration = Duration::from_millis(100);

/// How blobs are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadMode {
    /// PATCH requests of at most this many bytes, each acknowledged; resumable.
    Chunked(u64),
    /// One PUT with the whole blob (POST, then `PUT ?digest=`).
    Monolithic,
}

/// How a blob got into the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    AlreadyExists,
    Mounted(String),
    Pushed,
}

/// A blob to push: its digest, size, and where its bytes are.
pub(crate) struct PushBlob {
    pub(crate) digest: Digest,
    pub(crate) size: u64,
    /// Report progress for it (layers yes, the config no).
    pub(crate) report: bool,
}

pub(crate) struct Uploader<'a, 's, F> {
    pub(crate) session: &'a Session<'s>,
    pub(crate) store: &'a SharedStore,
    /// The path inside the registry (`library/app`).
    pub(crate) repository: &'a str,
    /// `host/path`, the key of upload and source records.
    pub(crate) full_name: &'a str,
    pub(crate) mode: UploadMode,
    pub(crate) reporter: &'a Reporter<F>,
}

impl<F: FnMut(Event)> Uploader<'_, '_, F> {
    /// Puts every blob (each with the repositories it may be mounted from), `concurrency` at a
    /// time, reporting the layers: `Preparing`, `Waiting` beyond the first `concurrency`, then
    /// how each got there.
    pub(crate) async fn push_all(
        &self,
        blobs: &[(PushBlob, Vec<String>)],
        concurrency: usize,
    ) -> Result<()> {
        // Docker lists a push's layers from the top one down (moby walks from the top layer to
        // its parents); the uploads themselves start from the base.
        let reported: Vec<(usize, &PushBlob)> = blobs
            .iter()
            .filter(|(b, _)| b.report)
            .map(|(b, _)| b)
            .enumerate()
            .collect();
        // The whole-image line's total: every layer's bytes (those the registry has are done
        // once it says so).
        self.reporter.emit(Event::Plan {
            layers: reported.len(),
            total_bytes: reported.iter().map(|(_, blob)| blob.size).sum(),
            done_bytes: 0,
        });
        for &(i, blob) in reported.iter().rev() {
            let size = Some(blob.size);
            self.reporter
                .layer(&blob.digest, LayerStatus::Preparing, 0, size);
            if i >= concurrency {
                self.reporter
                    .layer(&blob.digest, LayerStatus::Waiting, 0, size);
            }
        }
        stream::iter(blobs)
            .map(|(blob, from)| async move {
                let outcome = self.push_blob(blob, from).await?;
                if blob.report {
                    let status = match outcome {
                        Outcome::AlreadyExists => LayerStatus::LayerAlreadyExists,
                        Outcome::Mounted(from) => LayerStatus::MountedFrom(from),
                        Outcome::Pushed => LayerStatus::Pushed,
                    };
                    self.reporter
                        .layer(&blob.digest, status, blob.size, Some(blob.size));
                }
                Ok::<(), Error>(())
            })
            .buffer_unordered(concurrency)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(())
    }

    async fn push_blob(&self, blob: &PushBlob, mount_from: &[String]) -> Result<Outcome> {
        let blob_url = self
            .session
            .url(&format!("v2/{}/blobs/{}", self.repository, blob.digest))?;
        let response = self.session.head(blob_url, None).await?;
        match response.status() {
            StatusCode::OK => return Ok(Outcome::AlreadyExists),
            StatusCode::NOT_FOUND => {}
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                return Err(self.denied());
            }
            _ => return Err(status_error(response).await),
        }
        let mut location = None;
        for from in mount_from.iter().filter(|r| r.as_str() != self.repository) {
            match self.try_mount(&blob.digest, from).await? {
                Mount::Mounted => return Ok(Outcome::Mounted(from.clone())),
                Mount::Started(started) => {
                    location = Some(started);
                    break;
                }
                Mount::Failed => {}
            }
        }
        match self.mode {
            UploadMode::Monolithic => {
                let location = match location {
                    Some(location) => location,
                    None => self.start_upload().await?,
                };
                self.put_monolithic(blob, &location).await?;
            }
            UploadMode::Chunked(chunk) => self.upload_chunked(blob, chunk.max(1), location).await?,
        }
        self.save_upload(&blob.digest, None).await?;
        Ok(Outcome::Pushed)
    }

    /// Records where the upload of `digest` stands (`None`: finished) for a later push to resume;
    /// the record is synced, so this runs on the blocking pool, once per chunk acknowledged.
    async fn save_upload(&self, digest: &Digest, location: Option<&url::Url>) -> Result<()> {
        let full_name = self.full_name.to_owned();
        let digest = digest.clone();
        let location = location.map(|l| l.as_str().to_owned());
        blocking::on_store(self.store, move |store| {
            sources::save_upload(store, &full_name, &digest, location.as_deref());
            Ok(())
        })
        .await
    }

    fn denied(&self) -> Error {
        Error::PushAccessDenied {
            repository: self.full_name.to_owned(),
        }
    }

    async fn try_mount(&self, digest: &Digest, from: &str) -> Result<Mount> {
        let response = self
            .post_upload(&[("mount", &digest.to_string()), ("from", from)])
            .await?;
        match response.status() {
            StatusCode::CREATED => Ok(Mount::Mounted),
            StatusCode::ACCEPTED => Ok(match location(&response) {
                Some(started) => Mount::Started(started),
                None => Mount::Failed,
            }),
            _ => Ok(Mount::Failed),
        }
    }

    /// POST a new upload session; returns its absolute location.
    async fn start_upload(&self) -> Result<url::Url> {
        let response = self.post_upload(&[]).await?;
        match response.status() {
            StatusCode::ACCEPTED => location(&response)
                .ok_or_else(|| Error::BadLocation("202 without a Location header".to_owned())),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(self.denied()),
            _ => Err(status_error(response).await),
        }
    }

    /// `POST /v2/<repository>/blobs/uploads/` with `query` (a mount) or none (a new upload).
    async fn post_upload(&self, query: &[(&str, &str)]) -> Result<reqwest::Response> {
        let mut url = self
            .session
            .url(&format!("v2/{}/blobs/uploads/", self.repository))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        self.session
            .send(Method::POST, url, Retry::Transient, false, &|r| {
                r.header(header::CONTENT_LENGTH, "0")
            })
            .await
    }

    /// Where a saved upload stands: `Some((location, offset))` if the registry still has it.
    async fn resume_point(&self, digest: &Digest) -> Option<(url::Url, u64)> {
        let saved = sources::saved_upload(self.store, self.full_name, digest)?;
        let url = url::Url::parse(&saved).ok()?;
        if !self.session.same_origin(&url) {
            return None;
        }
        let response = self.session.get(url.clone(), None).await.ok()?;
        if response.status() != StatusCode::NO_CONTENT {
            return None;
        }
        let end = range_end(&response)?;
        // distribution answers `0-0` for an empty upload as for a 1-byte one: start over then.
        if end == 0 {
            return None;
        }
        let next = location(&response).unwrap_or(url);
        Some((next, end + 1))
    }

    async fn upload_chunked(
        &self,
        blob: &PushBlob,
        chunk: u64,
        started: Option<url::Url>,
    ) -> Result<()> {
        let file = Arc::new(self.store.open_blob(&blob.digest)?);
        let (mut location, mut offset, mut resumed) = match started {
            Some(location) => (location, 0, false),
            None => match self.resume_point(&blob.digest).await {
                Some((location, offset)) if offset <= blob.size => {
                    tracing::debug!(digest = %blob.digest, offset, "resuming upload");
                    (location, offset, true)
                }
                _ => (self.start_upload().await?, 0, false),
            },
        };
        self.save_upload(&blob.digest, Some(&location)).await?;
        let max_attempts = self.session.client.options.max_attempts.max(1);
        let mut failures = 0;
        while offset < blob.size {
            let len = chunk.min(blob.size - offset);
            if blob.report {
                self.reporter
                    .layer(&blob.digest, LayerStatus::Pushing, offset, Some(blob.size));
            }
            match self.patch(blob, &location, &file, offset, len).await {
                Ok((next, end)) => {
                    location = next;
                    offset = end;
                    resumed = false;
                    self.save_upload(&blob.digest, Some(&location)).await?;
                }
                // A saved upload the registry still listed, then dropped at the first chunk: a
                // chunk of the interrupted push that it took after our status request moved it on,
                // and distribution cancels an upload whose state and size disagree. Not a failure
                // of this push: start the blob over, once.
                Err(Error::Status { status: 404, .. }) if resumed => {
                    tracing::debug!(digest = %blob.digest, "the resumed upload is gone; starting over");
                    resumed = false;
                    location = self.start_upload().await?;
                    offset = 0;
                    self.save_upload(&blob.digest, Some(&location)).await?;
                }
                Err(error) => {
                    failures += 1;
                    if !(error.is_transient() || matches!(error, Error::Status { status: 416, .. }))
                        || failures >= max_attempts
                    {
                        return Err(error);
                    }
                    self.reporter.emit(Event::Retrying {
                        what: format!("upload of {}", blob.digest.short()),
                        attempt: failures,
                        reason: error.to_string(),
                    });
                    tokio::time::sleep(self.session.client.backoff(failures)).await;
                    // Ask the registry how much it has, and continue from there.
                    match self.upload_status(&location).await {
                        Some((next, have)) if have <= blob.size => {
                            location = next;
                            offset = have;
                        }
                        _ => {
                            location = self.start_upload().await?;
                            offset = 0;
                        }
                    }
                }
            }
        }
        if blob.report {
            self.reporter.layer(
                &blob.digest,
                LayerStatus::Pushing,
                blob.size,
                Some(blob.size),
            );
        }
        self.finish(blob, &location, None).await
    }

    /// `GET <location>`: the upload's current location and size.
    async fn upload_status(&self, location: &url::Url) -> Option<(url::Url, u64)> {
        let response = self.session.get(location.clone(), None).await.ok()?;
        if response.status() != StatusCode::NO_CONTENT {
            return None;
        }
        let end = range_end(&response)?;
        let next = crate::upload::location(&response).unwrap_or_else(|| location.clone());
        // `0-0` is ambiguous (empty or one byte); the PATCH from 0 tells (416 if it was one byte).
        Some((next, if end == 0 { 0 } else { end + 1 }))
    }

    async fn patch(
        &self,
        blob: &PushBlob,
        location: &url::Url,
        file: &Arc<std::fs::File>,
        offset: u64,
        len: u64,
    ) -> Result<(url::Url, u64)> {
        let end = offset + len;
        let content_range = format!("{offset}-{}", end - 1);
        let file = file.clone();
        let sent = Arc::new(AtomicU64::new(0));
        let body_sent = sent.clone();
        let build = move |r: reqwest::RequestBuilder| {
            r.header(header::CONTENT_TYPE, "application/octet-stream")
                .header(header::CONTENT_RANGE, content_range.as_str())
                .header(header::CONTENT_LENGTH, len.to_string())
                .body(file_body(file.clone(), offset, len, body_sent.clone()))
        };
        let request =
            self.session
                .send(Method::PATCH, location.clone(), Retry::Once, false, &build);
        let response = self.reporting(blob, offset, &sent, request).await?;
        match response.status() {
            StatusCode::ACCEPTED | StatusCode::NO_CONTENT => {
                let next = crate::upload::location(&response).unwrap_or_else(|| location.clone());
                if let Some(reported) = range_end(&response) {
                    if reported + 1 != end {
                        return Err(Error::Status {
                            status: 416,
                            url: redact_url(location),
                            details: Vec::new(),
                        });
                    }
                }
                Ok((next, end))
            }
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(self.denied()),
            _ => Err(status_error(response).await),
        }
    }

    async fn put_monolithic(&self, blob: &PushBlob, location: &url::Url) -> Result<()> {
        let file = Arc::new(self.store.open_blob(&blob.digest)?);
        if blob.report {
            self.reporter
                .layer(&blob.digest, LayerStatus::Pushing, 0, Some(blob.size));
        }
        self.finish(blob, location, Some(file)).await?;
        if blob.report {
            self.reporter.layer(
                &blob.digest,
                LayerStatus::Pushing,
                blob.size,
                Some(blob.size),
            );
        }
        Ok(())
    }

    /// `PUT <location>?digest=…`, with the whole blob (monolithic) or nothing (after PATCHes).
    async fn finish(
        &self,
        blob: &PushBlob,
        location: &url::Url,
        body: Option<Arc<std::fs::File>>,
    ) -> Result<()> {
        let mut url = location.clone();
        url.query_pairs_mut()
            .append_pair("digest", &blob.digest.to_string());
        let size = blob.size;
        let sent = Arc::new(AtomicU64::new(0));
        let body_sent = sent.clone();
        let with_body = body.is_some();
        let build = move |r: reqwest::RequestBuilder| match &body {
            Some(file) => r
                .header(header::CONTENT_TYPE, "application/octet-stream")
                .header(header::CONTENT_LENGTH, size.to_string())
                .body(file_body(file.clone(), 0, size, body_sent.clone())),
            None => r.header(header::CONTENT_LENGTH, "0"),
        };
        let request = self
            .session
            .send(Method::PUT, url, Retry::Once, false, &build);
        let response = if with_body {
            self.reporting(blob, 0, &sent, request).await?
        } else {
            request.await?
        };
        match response.status() {
            StatusCode::CREATED | StatusCode::ACCEPTED | StatusCode::NO_CONTENT => {
                check_returned_digest(&response, &blob.digest)
            }
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(self.denied()),
            _ => Err(status_error(response).await),
        }
    }
}

impl<F: FnMut(Event)> Uploader<'_, '_, F> {
    /// Awaits `request`, whose body counts the bytes it has handed over into `sent`, moving the
    /// layer's line to `base` plus them every [`PROGRESS_TICK`] meanwhile.
    async fn reporting<T>(
        &self,
        blob: &PushBlob,
        base: u64,
        sent: &AtomicU64,
        request: impl Future<Output = T>,
    ) -> T {
        if !blob.report {
            return request.await;
        }
        let mut request = std::pin::pin!(request);
        let mut tick = tokio::time::interval(PROGRESS_TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut shown = base;
        loop {
            tokio::select! {
                out = &mut request => return out,
                _ = tick.tick() => {
                    let current = (base + sent.load(Ordering::Relaxed)).min(blob.size);
                    if current != shown {
                        shown = current;
                        self.reporter
                            .layer(&blob.digest, LayerStatus::Pushing, current, Some(blob.size));
                    }
                }
            }
        }
    }
}

enum Mount {
    Mounted,
    Started(url::Url),
    Failed,
}

/// The `Location` of a response, resolved against its URL (it may be relative).
pub(crate) fn location(response: &reqwest::Response) -> Option<url::Url> {
    let value = response.headers().get(header::LOCATION)?.to_str().ok()?;
    let url = response.url().join(value).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// The `Docker-Content-Digest` a registry answers an upload with, when it sends one, must be the
/// digest uploaded.
pub(crate) fn check_returned_digest(response: &reqwest::Response, expected: &Digest) -> Result<()> {
    let returned = response
        .headers()
        .get("docker-content-digest")
        .and_then(|v| v.to_str().ok());
    match returned {
        Some(returned) if returned.trim() != expected.to_string() => {
            Err(Error::UploadDigestMismatch {
                expected: expected.clone(),
                actual: returned.chars().take(150).collect(),
            })
        }
        _ => Ok(()),
    }
}

/// `Range: 0-<end>` of an upload status.
fn range_end(response: &reqwest::Response) -> Option<u64> {
    let value = response.headers().get(header::RANGE)?.to_str().ok()?;
    let value = value.trim().trim_start_matches("bytes=");
    let (start, end) = value.split_once('-')?;
    if start.trim() != "0" {
        return None;
    }
    end.trim().parse().ok()
}

/// A request body streaming `len` bytes of `file` from `offset` (pread, off the async threads),
/// counting into `sent` (from 0: a retry starts a new body) the bytes it has handed over.
fn file_body(
    file: Arc<std::fs::File>,
    offset: u64,
    len: u64,
    sent: Arc<AtomicU64>,
) -> reqwest::Body {
    sent.store(0, Ordering::Relaxed);
    let stream = futures_util::stream::unfold(
        (file, offset, offset + len, sent),
        |(file, position, end, sent)| async move {
            if position >= end {
                return None;
            }
            let want =
                usize::try_from((end - position).min(READ_BUFFER as u64)).unwrap_or(READ_BUFFER);
            let reader = file.clone();
            let read = tokio::task::spawn_blocking(move || {
                let mut buffer = vec![0u8; want];
                let mut filled = 0;
                while filled < want {
                    let n = reader.read_at(&mut buffer[filled..], position + filled as u64)?;
                    if n == 0 {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            "blob is shorter than its size",
                        ));
                    }
                    filled += n;
                }
                Ok::<_, std::io::Error>(Bytes::from(buffer))
            })
            .await;
            let item = match read {
                Ok(Ok(bytes)) => Ok(bytes),
                Ok(Err(e)) => Err(e),
                Err(e) => Err(std::io::Error::other(e.to_string())),
            };
            let next = match &item {
                Ok(bytes) => {
                    sent.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                    position + bytes.len() as u64
                }
                Err(_) => end,
            };
            Some((item, (file, next, end, sent)))
        },
    );
    reqwest::Body::wrap_stream(stream)
}
