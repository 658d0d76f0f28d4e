//! Streaming an `http(s)://` URL as a blocking `Read`, for `import URL`.
//!
//! A thread runs the download on a small tokio runtime and hands chunks over a bounded channel, so a
//! large tarball is never held in memory and the synchronous importer reads it as it arrives.

use std::{
    io::{self, Read},
    sync::mpsc,
    thread,
};

use anyhow::{bail, Context as _};
use futures_util::StreamExt as _;

/// Chunks in flight between the download thread and the reader.
const CHANNEL_DEPTH: usize = 16;

pub fn is_url(source: &str) -> bool {
    source.starts_with("http://") || source.starts_with("https://")
}

/// Starts downloading `url` and returns a reader of its body. An HTTP error status fails here.
pub fn open(url: &str) -> anyhow::Result<UrlReader> {
    let (sender, receiver) = mpsc::sync_channel::<io::Result<Vec<u8>>>(CHANNEL_DEPTH);
    let (status_sender, status_receiver) = mpsc::sync_channel::<anyhow::Result<()>>(1);
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
            let response = match reqwest::get(&url_owned).await {
                Ok(response) if response.status().is_success() => response,
                Ok(response) => {
                    let _ = status_sender.send(Err(anyhow::anyhow!(
                        "{} returned {}",
                        url_owned,
                        response.status()
                    )));
                    return;
                }
                Err(error) => {
                    let _ = status_sender.send(Err(anyhow::Error::new(error)));
                    return;
                }
            };
            let _ = status_sender.send(Ok(()));
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
        Ok(Ok(())) => Ok(UrlReader {
            receiver,
            current: Vec::new(),
            offset: 0,
        }),
        Ok(Err(error)) => Err(error).with_context(|| format!("failed to download {url}")),
        Err(_) => bail!("failed to download {url}"),
    }
}

pub struct UrlReader {
    receiver: mpsc::Receiver<io::Result<Vec<u8>>>,
    current: Vec<u8>,
    offset: usize,
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
