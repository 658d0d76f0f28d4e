//! The one layer digester: a layer's compressed bytes in; its compression, compressed size, diff_id,
//! uncompressed size and content size (Docker's SIZE) out, with where its tar stream ended judged by
//! Go's rule (scan.rs). Pull, load, import, commit and `system check` learn a layer through it; the
//! unpacker walks with the same walker ([`crate::scan::walk_layer`]).
//!
//! ```text
//! input ─> peek magic ─> Tee (raw bytes ─> Ingest, for plain/gzip/zstd) ─> Decompressor ─> Budget
//!       ─> Tee (plain bytes ─> Ingest, for bzip2/xz) ─> Digesting (diff_id) ─> tar walk
//! ```
//!
//! [`Threads::Two`], two cores for one layer (pipeline.rs): the calling thread reads, stores and
//! decompresses; a helper thread hashes the decompressed stream and walks its tar entries (load,
//! import, `system check`). [`Threads::One`] does it all on the calling thread (a pull's download,
//! whose layers are digested side by side already). [`digest_layer`] and [`LayerDigester::read`] are
//! driven by a reader; [`LayerDigester`] is the same pass pushed through `Write` (commit's tar
//! writer), with the reading side on a thread of its own.
//!
//! The blob digest is not computed here: whoever stores the bytes hashes them as it writes them (the
//! store's `Ingest`, so that the bytes renamed are the bytes hashed), and an uncompressed layer's
//! blob digest is its diff_id. The decompressed stream is read to its end after the tar walk stopped
//! (ggcr #2303: bytes after the end-of-archive blocks still count in the digests), and a compressed
//! input must end where its compressed stream ends.

use std::io::{self, Read, Write};

use berth_store::{Ingest, LayerInfo};

use crate::{
    compression::{peek, Budget, Compression, Decompressor},
    entry::check_layer_entry,
    error::{Error, Result},
    pipeline::{self, ChannelWriter},
    scan::{count_entry, for_each_entry, Digesting},
};

/// Limits applied while reading untrusted compressed input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Most decompressed bytes one layer (or, for `load`, the whole archive) may expand to.
    /// `None`: no limit (the input is only hashed, or it is bounded by the disk anyway).
    pub max_uncompressed_size: Option<u64>,
}

/// How strictly a layer's entries are judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entries {
    /// Refuse hostile entries (names that leave the root, bad links and whiteouts) and anything that
    /// is not a whole tar: a layer berth is about to accept from a file (load, import, system check).
    Check,
    /// Only learn: a stream that is not a tar has no content size rather than a wrong one (pull,
    /// commit; the unpacker refuses what it cannot apply). A stream cut where Go refuses it
    /// ([`Error::Truncated`], [`Error::RefusedEnd`]) is refused all the same.
    Count,
}

/// How many threads one layer's pass uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threads {
    /// The calling thread reads, stores and decompresses; a helper hashes and walks the plain
    /// stream (pipeline.rs): about half the wall time of one layer when a core is idle.
    Two,
    /// Everything on the calling thread: for callers that already digest several layers at once
    /// (a pull), where a second thread per layer only adds hand-offs on busy cores.
    One,
}

/// What one pass over a layer learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerDigests {
    /// Compression of the input stream, from its magic bytes.
    pub compression: Compression,
    /// Length of the input stream as it arrived.
    pub compressed_size: u64,
    /// The layer's diff_id, uncompressed size and content size, as the store records them.
    pub info: LayerInfo,
}

/// Where the bytes of a layer go while it is digested.
pub(crate) enum Sink<'a> {
    /// Nowhere: only check and hash.
    Nowhere,
    /// Store the layer as a blob: as it arrived if OCI has a media type for its compression,
    /// else decompressed.
    Store(&'a mut Ingest),
    /// Store only if the input needs converting (bzip2/xz) to become a blob.
    ConvertOnly(&'a mut Ingest),
}

/// Reads a layer to its end and digests it; see the module docs.
pub(crate) fn digest_layer(
    input: impl Read,
    sink: Sink<'_>,
    limits: &Limits,
    entries: Entries,
) -> Result<LayerDigests> {
    digest_input(input, sink, limits, entries, None, Threads::Two)
}

/// [`digest_layer`], with the compression known instead of detected when `known` is given.
fn digest_input(
    input: impl Read,
    sink: Sink<'_>,
    limits: &Limits,
    entries: Entries,
    known: Option<Compression>,
    threads: Threads,
) -> Result<LayerDigests> {
    let Some((detected, peeked)) = peek(input).map_err(Error::io("read the layer"))? else {
        return match entries {
            Entries::Check => Err(Error::EmptyInput),
            // An empty blob is an empty stream: its digests are those of no bytes.
            Entries::Count => Ok(LayerDigests {
                compression: Compression::None,
                compressed_size: 0,
                info: LayerInfo {
                    diff_id: berth_digest::Digest::sha256(b""),
                    uncompressed_size: 0,
                    content_size: Some(0),
                },
            }),
        };
    };
    let compression = known.unwrap_or(detected);
    let store_raw = compression.layer_media_type().is_some();
    let (raw_sink, plain_sink) = match sink {
        Sink::Store(ingest) if store_raw => (Some(ingest), None),
        Sink::Store(ingest) | Sink::ConvertOnly(ingest) if !store_raw => (None, Some(ingest)),
        Sink::Nowhere | Sink::Store(_) | Sink::ConvertOnly(_) => (None, None),
    };
    // An uncompressed layer's blob digest is its diff_id: the walker thread computes it once and
    // the ingest does not hash the same bytes a second time on this thread.
    let mut raw_sink = raw_sink;
    let deferred = compression == Compression::None
        && raw_sink
            .as_mut()
            .is_some_and(|ingest| ingest.defer_digest());
    let raw = Counting::new(Tee::new(peeked, raw_sink.as_deref_mut()));
    let decompressor = Decompressor::new(compression, raw).map_err(|source| Error::Decompress {
        compression: compression.name(),
        source,
    })?;
    let mut plain = Tee::new(
        Budget::new(decompressor, limits.max_uncompressed_size),
        plain_sink,
    );

    let info = match threads {
        // This thread reads, stores and decompresses; the helper hashes and walks the tar
        // (pipeline.rs).
        Threads::Two => {
            let (pump, reader) = pipeline::channel();
            std::thread::scope(|scope| {
                let walker = scope.spawn(move || walk_plain(reader, entries));
                pump.run(&mut plain);
                walker.join().unwrap_or_else(|_| {
                    Err(Error::InvalidArchive("the layer walker panicked".into()))
                })
            })?
        }
        Threads::One => walk_plain(&mut plain, entries)?,
    };
    let decompressor = plain.into_inner().into_inner();
    let (trailing, raw) = decompressor
        .drain_input()
        .map_err(|e| Error::from_io(e, Error::io("read the layer")))?;
    let (_, compressed_size) = raw.into_inner();
    if trailing > 0 {
        return Err(Error::TrailingData {
            compression: compression.name(),
        });
    }
    if deferred {
        if let Some(ingest) = raw_sink {
            ingest.set_digest(info.diff_id.clone());
        }
    }
    Ok(LayerDigests {
        compression,
        compressed_size,
        info,
    })
}

/// The helper thread's half of a layer digest: the diff_id, the uncompressed size and Docker's
/// content size, with every entry judged as `entries` says.
fn walk_plain(reader: impl Read, entries: Entries) -> Result<LayerInfo> {
    let mut digesting = Digesting::new(reader);
    let mut content_size = 0u64;
    let walked = for_each_entry(&mut digesting, |entry| {
        if entries == Entries::Check {
            check_layer_entry(entry)?;
        }
        count_entry(entry, &mut content_size);
        Ok::<(), Error>(())
    })
    .map(drop);
    let content_size = match (walked, entries) {
        (Ok(()), _) => Some(content_size),
        // The stream below failed (a read or decompression error): that is the error, whatever
        // the tar parser made of it.
        (Err(Error::InvalidTar(source)), _) if digesting.read_failed() => {
            return Err(Error::from_io(source, Error::io("read the layer")));
        }
        // Not a tar the walk can follow: no size rather than a wrong one.
        (Err(Error::InvalidTar(_) | Error::InvalidArchive(_)), Entries::Count) => None,
        (Err(error), _) => return Err(error),
    };
    // Drain to EOF: bytes after the end-of-archive blocks still count in the diff_id.
    let (diff_id, uncompressed_size) = digesting.drain()?;
    Ok(LayerInfo {
        diff_id,
        uncompressed_size,
        content_size,
    })
}

/// The layer digest pushed through `Write`: the bytes written are the layer as it is made (commit's
/// tar). Write errors never come from here: a layer
/// the digester refuses is reported by [`LayerDigester::finish`], and the writes before that point
/// are simply dropped, so the caller's own sink (the store's ingest) keeps every byte.
pub struct LayerDigester {
    writer: Option<ChannelWriter>,
    digester: Option<std::thread::JoinHandle<Result<LayerDigests>>>,
}

impl LayerDigester {
    /// A digester for a layer as it arrives: its compression is detected from its magic bytes.
    pub fn new(entries: Entries, limits: Limits) -> LayerDigester {
        LayerDigester::start(entries, limits, None)
    }

    /// A digester for a tar stream berth writes itself (commit): never decompressed, whatever its
    /// first entry's name looks like.
    pub fn plain(entries: Entries, limits: Limits) -> LayerDigester {
        LayerDigester::start(entries, limits, Some(Compression::None))
    }

    /// The same pass driven by a reader instead (a stored blob, a download's chunks), on
    /// `threads`.
    pub fn read(
        input: impl Read,
        entries: Entries,
        limits: &Limits,
        threads: Threads,
    ) -> Result<LayerDigests> {
        digest_input(input, Sink::Nowhere, limits, entries, None, threads)
    }

    fn start(entries: Entries, limits: Limits, known: Option<Compression>) -> LayerDigester {
        let (writer, reader) = pipeline::writer_channel();
        let digester = std::thread::spawn(move || {
            digest_input(reader, Sink::Nowhere, &limits, entries, known, Threads::Two)
        });
        LayerDigester {
            writer: Some(writer),
            digester: Some(digester),
        }
    }

    /// Waits for the digest of everything written.
    pub fn finish(mut self) -> Result<LayerDigests> {
        if let Some(writer) = self.writer.take() {
            writer.finish();
        }
        self.digester
            .take()
            .expect("a digester is finished once")
            .join()
            .unwrap_or_else(|_| Err(Error::InvalidArchive("the layer digester panicked".into())))
    }
}

impl Write for LayerDigester {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(writer) = &mut self.writer {
            if writer.write_all(buf).is_err() {
                // The digester stopped at a problem; `finish` reports it.
                self.writer = None;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for LayerDigester {
    fn drop(&mut self) {
        // Unfinished: end the stream so the thread stops, and let it go.
        self.writer = None;
    }
}

/// Counts what is read through it (the compressed size).
pub(crate) struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R> Counting<R> {
    pub(crate) fn new(inner: R) -> Counting<R> {
        Counting { inner, count: 0 }
    }

    pub(crate) fn into_inner(self) -> (R, u64) {
        (self.inner, self.count)
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// Copies everything read through it into a writer (if any).
pub(crate) struct Tee<R, W> {
    inner: R,
    sink: Option<W>,
}

impl<R: Read, W: Write> Tee<R, W> {
    pub(crate) fn new(inner: R, sink: Option<W>) -> Tee<R, W> {
        Tee { inner, sink }
    }

    pub(crate) fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: Read, W: Write> Read for Tee<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(sink) = &mut self.sink {
            sink.write_all(&buf[..n]).map_err(|source| {
                Error::Io {
                    action: "write into the store".into(),
                    source,
                }
                .into_io()
            })?;
        }
        Ok(n)
    }
}
