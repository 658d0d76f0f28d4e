//! Two cores for one layer: the calling thread reads, stores and decompresses; a helper thread
//! hashes the decompressed stream (the diff_id) and walks its tar entries.
//!
//! sha256 and inflate are each about as fast as the other on these machines, so splitting them
//! across threads nearly halves the wall time of import, load and pull-side checks. Chunks cross
//! over a bounded channel (so memory stays at a few MiB), errors included: the reader on the other
//! side sees exactly the `io::Result`s the decompressor produced, in order.

use std::{
    io::{self, Read},
    sync::mpsc::{sync_channel, Receiver, SyncSender},
};

/// Chunks in flight between the two threads.
const DEPTH: usize = 8;
/// Size of one chunk.
pub(crate) const CHUNK: usize = 256 * 1024;

pub(crate) fn channel() -> (Pump, ChannelReader) {
    let (sender, receiver) = sync_channel(DEPTH);
    // Read-out chunks go back to the pump: fresh 256 KiB buffers would cost a memset and page
    // faults each (about a tenth of a layer's CPU time when the data is already in the page cache).
    let (recycle, recycled) = sync_channel(DEPTH + 2);
    (
        Pump { sender, recycled },
        ChannelReader {
            receiver,
            current: Vec::new(),
            offset: 0,
            recycle: Some(recycle),
        },
    )
}

/// The producing side.
pub(crate) struct Pump {
    sender: SyncSender<io::Result<Vec<u8>>>,
    recycled: Receiver<Vec<u8>>,
}

impl Pump {
    /// Reads `input` to its end into the channel. Stops early, without error, when the consumer has
    /// gone (it found a problem and will report it).
    pub(crate) fn run(self, mut input: impl Read) {
        loop {
            let mut chunk = self.recycled.try_recv().unwrap_or_default();
            chunk.resize(CHUNK, 0);
            let item = match input.read(&mut chunk) {
                Ok(0) => return,
                Ok(n) => {
                    chunk.truncate(n);
                    Ok(chunk)
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => Err(e),
            };
            let failed = item.is_err();
            if self.sender.send(item).is_err() || failed {
                return;
            }
        }
    }
}

/// The consuming side: a `Read` over the chunks.
pub(crate) struct ChannelReader {
    receiver: Receiver<io::Result<Vec<u8>>>,
    current: Vec<u8>,
    offset: usize,
    /// Where finished chunks go back for reuse (none for a [`ChannelWriter`]'s reader).
    recycle: Option<SyncSender<Vec<u8>>>,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.offset == self.current.len() {
            match self.receiver.recv() {
                Ok(chunk) => {
                    let done = std::mem::replace(&mut self.current, chunk?);
                    self.offset = 0;
                    if let Some(recycle) = &self.recycle {
                        if done.capacity() >= CHUNK {
                            let _ = recycle.try_send(done);
                        }
                    }
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len() - self.offset);
        buf[..n].copy_from_slice(&self.current[self.offset..self.offset + n]);
        self.offset += n;
        Ok(n)
    }
}

/// A `Write` that sends what it is given to a [`ChannelReader`], in chunks.
pub(crate) struct ChannelWriter {
    sender: SyncSender<io::Result<Vec<u8>>>,
    pending: Vec<u8>,
}

pub(crate) fn writer_channel() -> (ChannelWriter, ChannelReader) {
    let (sender, receiver) = sync_channel(DEPTH);
    (
        ChannelWriter {
            sender,
            pending: Vec::with_capacity(CHUNK),
        },
        ChannelReader {
            receiver,
            current: Vec::new(),
            offset: 0,
            recycle: None,
        },
    )
}

impl ChannelWriter {
    /// Sends what is buffered; the reader sees EOF once this writer is dropped.
    pub(crate) fn finish(mut self) {
        let _ = self.send_pending();
    }

    fn send_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.pending, Vec::with_capacity(CHUNK));
        self.sender
            .send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the reader stopped"))
    }
}

impl io::Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len().min(CHUNK - self.pending.len());
        self.pending.extend_from_slice(&buf[..n]);
        if self.pending.len() == CHUNK {
            self.send_pending()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send_pending()
    }
}

/// Like `HashingReader::verifying`, but the hashing runs on a helper thread: the bytes pass through
/// at copying speed while another core checks them. Reading past the expected size fails at once;
/// at EOF the digest and size must match, or the read fails (so a consumer that reads to the end
/// never accepts wrong content).
pub(crate) struct VerifyingReader<R> {
    inner: R,
    expected: berth_digest::Expected,
    pending: Vec<u8>,
    sender: Option<SyncSender<Vec<u8>>>,
    hasher: Option<std::thread::JoinHandle<berth_digest::Digest>>,
    count: u64,
}

impl<R: Read> VerifyingReader<R> {
    pub(crate) fn new(inner: R, expected: berth_digest::Expected) -> VerifyingReader<R> {
        let (sender, receiver) = sync_channel::<Vec<u8>>(DEPTH);
        let algorithm = expected.digest.algorithm();
        let hasher = std::thread::spawn(move || {
            let mut hasher = berth_digest::Hasher::new(algorithm);
            for chunk in receiver {
                hasher.update(&chunk);
            }
            hasher.finish()
        });
        VerifyingReader {
            inner,
            expected,
            pending: Vec::with_capacity(CHUNK),
            sender: Some(sender),
            hasher: Some(hasher),
            count: 0,
        }
    }

    fn flush_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let chunk = std::mem::replace(&mut self.pending, Vec::with_capacity(CHUNK));
        if let Some(sender) = &self.sender {
            let _ = sender.send(chunk);
        }
    }

    fn finish(&mut self) -> io::Result<()> {
        self.flush_pending();
        self.sender = None;
        let Some(hasher) = self.hasher.take() else {
            return Ok(());
        };
        let digest = hasher
            .join()
            .map_err(|_| io::Error::other("the hashing thread panicked"))?;
        self.expected
            .check(&digest, self.count)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}

impl<R: Read> Read for VerifyingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.hasher.is_none() {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.finish()?;
            return Ok(0);
        }
        self.count += n as u64;
        if let Some(size) = self.expected.size.filter(|size| self.count > *size) {
            let error = berth_digest::Error::SizeMismatch {
                expected: size,
                actual: self.count,
            };
            return Err(io::Error::new(io::ErrorKind::InvalidData, error));
        }
        self.pending.extend_from_slice(&buf[..n]);
        if self.pending.len() >= CHUNK {
            self.flush_pending();
        }
        Ok(n)
    }
}
