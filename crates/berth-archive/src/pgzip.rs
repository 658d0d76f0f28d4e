//! gzip on every core, as pigz writes it: one gzip member whose deflate stream is cut into
//! blocks that worker threads compress side by side, each primed with the last 32 KiB of the
//! block before it (so the ratio stays that of one stream) and ended on a byte boundary by a
//! sync flush, so the blocks simply follow one another. The output depends only on the input
//! and the level, never on the number of threads or their timing.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use flate2::{Compress, Compression, Crc, FlushCompress, Status};

/// Input bytes per block.
const BLOCK: usize = 512 * 1024;
/// Deflate's window: what a block may refer back to in the one before it.
const WINDOW: usize = 32 * 1024;
/// At most this many worker threads, whatever the machine has.
const MAX_WORKERS: usize = 8;

/// A [`Write`] that gzips what it is given into `out` on worker threads (see the module docs).
/// [`ParallelGzEncoder::finish`] writes the end of the stream and gives `out` back; dropped
/// before that, the output is unfinished and the workers stop.
pub struct ParallelGzEncoder<W: Write> {
    /// Taken by `finish`.
    out: Option<W>,
    block: Vec<u8>,
    /// The end of the last block sent, the next block's dictionary.
    window: Vec<u8>,
    sent: u64,
    written: u64,
    ready: BTreeMap<u64, Block>,
    crc: Crc,
    jobs: Option<SyncSender<Job>>,
    results: Receiver<io::Result<Block>>,
    workers: Vec<JoinHandle<()>>,
}

struct Job {
    seq: u64,
    data: Vec<u8>,
    dictionary: Vec<u8>,
    last: bool,
}

struct Block {
    seq: u64,
    deflated: Vec<u8>,
    crc: Crc,
}

impl<W: Write> ParallelGzEncoder<W> {
    /// An encoder with one worker per core (at most eight).
    pub fn new(out: W, level: Compression) -> io::Result<ParallelGzEncoder<W>> {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        ParallelGzEncoder::with_workers(out, level, cores.min(MAX_WORKERS))
    }

    /// An encoder with `workers` threads (at least one).
    pub fn with_workers(
        mut out: W,
        level: Compression,
        workers: usize,
    ) -> io::Result<ParallelGzEncoder<W>> {
        let workers = workers.max(1);
        out.write_all(&header(level))?;
        let (jobs, queue) = mpsc::sync_channel::<Job>(workers);
        let (done, results) = mpsc::channel();
        let queue = Arc::new(Mutex::new(queue));
        let handles = (0..workers)
            .map(|_| {
                let queue = Arc::clone(&queue);
                let done = done.clone();
                std::thread::Builder::new()
                    .name("gzip".to_owned())
                    .spawn(move || work(level, &queue, &done))
            })
            .collect::<io::Result<Vec<_>>>()?;
        Ok(ParallelGzEncoder {
            out: Some(out),
            block: Vec::with_capacity(BLOCK),
            window: Vec::new(),
            sent: 0,
            written: 0,
            ready: BTreeMap::new(),
            crc: Crc::new(),
            jobs: Some(jobs),
            results,
            workers: handles,
        })
    }

    /// Compresses what is left, writes the gzip trailer and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.send(true)?;
        self.jobs = None;
        while self.written < self.sent {
            self.receive()?;
        }
        let mut trailer = [0u8; 8];
        trailer[..4].copy_from_slice(&self.crc.sum().to_le_bytes());
        // ISIZE: the input's length modulo 2^32.
        trailer[4..].copy_from_slice(&self.crc.amount().to_le_bytes());
        let mut out = self.out.take().ok_or_else(stopped)?;
        out.write_all(&trailer)?;
        out.flush()?;
        Ok(out)
    }

    /// Hands the current block to the workers, then writes what came back in order.
    fn send(&mut self, last: bool) -> io::Result<()> {
        let data = std::mem::replace(&mut self.block, Vec::with_capacity(BLOCK));
        // Only the last block is short, and nothing follows it: the window is the block's end.
        let dictionary = std::mem::replace(
            &mut self.window,
            data[data.len().saturating_sub(WINDOW)..].to_vec(),
        );
        let job = Job {
            seq: self.sent,
            data,
            dictionary,
            last,
        };
        // Without a free worker, the queue is full: take finished blocks until one is.
        let mut job = Some(job);
        while let Some(pending) = job.take() {
            let jobs = self.jobs.as_ref().ok_or_else(stopped)?;
            match jobs.try_send(pending) {
                Ok(()) => {}
                Err(mpsc::TrySendError::Full(pending)) => {
                    job = Some(pending);
                    self.receive()?;
                }
                Err(mpsc::TrySendError::Disconnected(_)) => return Err(stopped()),
            }
        }
        self.sent += 1;
        while let Ok(result) = self.results.try_recv() {
            self.accept(result)?;
        }
        Ok(())
    }

    /// Waits for one compressed block, then writes every block that is next in order.
    fn receive(&mut self) -> io::Result<()> {
        let result = self.results.recv().map_err(|_| stopped())?;
        self.accept(result)
    }

    fn accept(&mut self, result: io::Result<Block>) -> io::Result<()> {
        let block = result?;
        self.ready.insert(block.seq, block);
        while let Some(block) = self.ready.remove(&self.written) {
            self.out
                .as_mut()
                .ok_or_else(stopped)?
                .write_all(&block.deflated)?;
            self.crc.combine(&block.crc);
            self.written += 1;
        }
        Ok(())
    }
}

impl<W: Write> Write for ParallelGzEncoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = BLOCK - self.block.len();
        let n = room.min(buf.len());
        self.block.extend_from_slice(&buf[..n]);
        if self.block.len() == BLOCK {
            self.send(false)?;
        }
        Ok(n)
    }

    /// Writes what the workers have finished; a block still being filled stays (a flush that cut
    /// blocks short would make the output depend on when it was called).
    fn flush(&mut self) -> io::Result<()> {
        while let Ok(result) = self.results.try_recv() {
            self.accept(result)?;
        }
        self.out.as_mut().ok_or_else(stopped)?.flush()
    }
}

impl<W: Write> Drop for ParallelGzEncoder<W> {
    fn drop(&mut self) {
        // Closing the queue stops the workers once their current block is done.
        self.jobs = None;
        for worker in std::mem::take(&mut self.workers) {
            let _ = worker.join();
        }
    }
}

fn stopped() -> io::Error {
    io::Error::other("the gzip workers stopped")
}

/// A gzip header: deflate, no name, no time, "unknown" system (as Go and flate2 write it).
fn header(level: Compression) -> [u8; 10] {
    let extra_flags = match level.level() {
        9.. => 2,
        0 | 1 => 4,
        _ => 0,
    };
    [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, extra_flags, 255]
}

fn work(level: Compression, queue: &Mutex<Receiver<Job>>, done: &mpsc::Sender<io::Result<Block>>) {
    let mut deflate = Compress::new(level, false);
    loop {
        let job = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        let result = compress(&mut deflate, &job);
        if done.send(result).is_err() {
            return;
        }
    }
}

/// One block as raw deflate: primed with the previous block's end, ended by a sync flush (the
/// last by the stream's final block).
fn compress(deflate: &mut Compress, job: &Job) -> io::Result<Block> {
    deflate.reset();
    if !job.dictionary.is_empty() {
        deflate
            .set_dictionary(&job.dictionary)
            .map_err(io::Error::other)?;
    }
    let flush = if job.last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    let mut deflated = Vec::with_capacity(job.data.len() / 2 + 1024);
    let start = deflate.total_in();
    // What this block's input has gone in so far (at most BLOCK, so it fits).
    let consumed =
        |deflate: &Compress| usize::try_from(deflate.total_in() - start).unwrap_or(usize::MAX);
    loop {
        if deflated.capacity() - deflated.len() < 1024 {
            deflated.reserve(deflated.capacity().max(64 * 1024));
        }
        let input = job.data.get(consumed(deflate)..).unwrap_or_default();
        let status = deflate
            .compress_vec(input, &mut deflated, flush)
            .map_err(io::Error::other)?;
        let consumed = consumed(deflate);
        let finished = match status {
            Status::StreamEnd => true,
            // A sync flush is complete once all input is in and output space was left over.
            Status::Ok | Status::BufError => {
                !job.last && consumed == job.data.len() && deflated.len() < deflated.capacity()
            }
        };
        if finished {
            break;
        }
    }
    let mut crc = Crc::new();
    crc.update(&job.data);
    Ok(Block {
        seq: job.seq,
        deflated,
        crc,
    })
}
