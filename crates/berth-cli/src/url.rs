//! Streaming an `http(s)://` URL as a blocking `Read`, for `import URL`.
//!
//! A thread runs the download on a small tokio runtime and hands chunks over a bounded channel, so a
//! large tarball is never held in memory and the synchronous importer reads it as it arrives.
//!
//! Like a registry (issue #13 item 7): connect and read timeouts, at most 10 redirects, never to a
//! link-local or cloud metadata address unless registries.json says `"allow-link-local": true`
//! (`berth_registry::check_url`), and errors name the URL that failed, the redirect target included.

use std::{
    io::{self, Read},
    path::Path,
    sync::mpsc,
    thread,
    time::Duration,
};

use anyhow::{bail, Context as _};
use futures_util::StreamExt as _;

/// Chunks in flight between the download thread and the reader.
const CHANNEL_DEPTH: usize = 16;
/// The registry client's defaults (`berth_registry::ClientOptions`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Redirect hops followed, as reqwest's and Go's default.
const MAX_REDIRECTS: usize = 10;

/// The HTTP client of `import URL`: timeouts, and redirects checked hop by hop.
fn http_client(allow_link_local: bool) -> anyhow::Result<reqwest::Client> {
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(format!("stopped after {MAX_REDIRECTS} redirects"));
        }
        match berth_registry::check_url(attempt.url(), allow_link_local) {
            Ok(()) => attempt.follow(),
            Err(refused) => attempt.error(refused),
        }
    });
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .redirect(policy);
    if !allow_link_local {
        builder = builder.dns_resolver(berth_registry::GuardedResolver::shared());
    }
    Ok(builder.build()?)
}

pub fn is_url(source: &str) -> bool {
    source.starts_with("http://") || source.starts_with("https://")
}

/// Starts downloading `url` and returns a reader of its body. An HTTP error status fails here.
/// `config_dir` holds registries.json (`allow-link-local`).
pub fn open(url: &str, config_dir: &Path) -> anyhow::Result<UrlReader> {
    let allow_link_local = berth_registry::HostsConfig::load(config_dir)?.allows_link_local();
    let parsed = reqwest::Url::parse(url).with_context(|| format!("invalid URL {url}"))?;
    berth_registry::check_url(&parsed, allow_link_local)
        .with_context(|| format!("failed to download {url}"))?;
    let client = http_client(allow_link_local)?;
    let (sender, receiver) = mpsc::sync_channel::<io::Result<Vec<u8>>>(CHANNEL_DEPTH);
    let (status_sender, status_receiver) = mpsc::sync_channel::<anyhow::Result<Option<u64>>>(1);
    let url_owned = url.to_owned();
    thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(error) => {
                let _ = status_sender.send(Err(error.into()));
                return;
            }
        };
        runtime.block_on(async move {
            let response = match client.get(&url_owned).send().await {
                Ok(response) if response.status().is_success() => response,
                Ok(response) => {
                    // The URL that answered: the last redirect target, if there was one.
                    let _ = status_sender.send(Err(anyhow::anyhow!(
                        "{} returned {}",
                        response.url(),
                        response.status()
                    )));
                    return;
                }
                Err(error) => {
                    let _ = status_sender.send(Err(anyhow::Error::new(error)));
                    return;
                }
            };
            let _ = status_sender.send(Ok(response.content_length()));
            let mut body = response.bytes_stream();
            while let Some(chunk) = body.next().await {
                let item = chunk.map(|bytes| bytes.to_vec()).map_err(io::Error::other);
                let failed = item.is_err();
                if sender.send(item).is_err() || failed {
                    return;
                }
            }
        });
    });
    match status_receiver.recv() {
        Ok(Ok(content_length)) => Ok(UrlReader {
            content_length,
            receiver,
            current: Vec::new(),
            offset: 0,
        }),
        Ok(Err(error)) => Err(error).with_context(|| format!("failed to download {url}")),
        Err(_) => bail!("failed to download {url}"),
    }
}

pub struct UrlReader {
    /// The body's size, when the server said (`Content-Length`).
    content_length: Option<u64>,
    receiver: mpsc::Receiver<io::Result<Vec<u8>>>,
    current: Vec<u8>,
    offset: usize,
}

impl UrlReader {
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }
}

impl Read for UrlReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.offset == self.current.len() {
            match self.receiver.recv() {
                Ok(chunk) => {
                    self.current = chunk?;
                    self.offset = 0;
                }
                Err(_) => return Ok(0), // sender gone after the last chunk: EOF
            }
        }
        let n = buf.len().min(self.current.len() - self.offset);
        buf[..n].copy_from_slice(&self.current[self.offset..self.offset + n]);
        self.offset += n;
        Ok(n)
    }
}
