//! One streaming pass over a layer: store it, digest it twice, and check every tar entry.
//!
//! ```text
//! input ─> peek magic ─> Tee (raw bytes ─> Ingest, for plain/gzip/zstd) ─> Decompressor ─> Budget
//!       ─> Tee (plain bytes ─> Ingest, for bzip2/xz) ─> Digesting (diff_id) ─> tar parser
//! ```
//!
//! The Ingest hashes what it stores, so the blob digest comes for free; the diff_id is the digest of
//! the decompressed stream. A gzip or zstd input is stored as it arrived; bzip2 and xz have no OCI
//! media type, so their decompressed tar is stored instead. The decompressed stream is read to its
//! end after the tar parser stopped (ggcr #2303: bytes after the end-of-archive blocks still count in
//! the digests), and a compressed input must end where its compressed stream ends.

use std::io::{self, Read, Write};

use berth_digest::{Digest, Hasher};
use berth_store::{Ingest, PendingBlob, Store};

use crate::{
    compression::{peek, Budget, Compression, Decompressor},
    entry::check_layer_entry,
    error::{Error, Result},
    scan::for_each_entry,
};

/// Limits applied while reading untrusted compressed input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Most decompressed bytes one layer (or, for `load`, the whole archive) may expand to.
    /// `None`: no limit (the input is only hashed, or it is bounded by the disk anyway).
    pub max_uncompressed_size: Option<u64>,
}

/// What one pass over a layer stream found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerDigests {
    /// Compression of the input stream.
    pub compression: Compression,
    /// Digest of the uncompressed tar (`rootfs.diff_ids`).
    pub diff_id: Digest,
    /// Length of the uncompressed tar.
    pub uncompressed_size: u64,
    /// Sum of the sizes of the regular files in the tar: what Docker's graph-driver store reports as
    /// the layer's size (`docker images` SIZE), as opposed to the tar's length.
    pub content_size: u64,
}

/// A layer written into the store's ingest area, not yet committed.
pub struct IngestedLayer {
    /// The blob as it will be stored; its digest is the layer's descriptor digest.
    pub blob: PendingBlob,
    /// `application/vnd.oci.image.layer.v1.tar`, `+gzip` or `+zstd`.
    pub media_type: &'static str,
    pub digests: LayerDigests,
}

impl IngestedLayer {
    pub fn diff_id(&self) -> &Digest {
        &self.digests.diff_id
    }
}

/// Where the bytes of a layer go while it is scanned.
pub(crate) enum Sink<'a> {
    /// Nowhere: only check and hash.
    Nowhere,
    /// Store the layer as a blob: as it arrived if OCI has a media type for its compression,
    /// else decompressed.
    Store(&'a mut Ingest),
    /// Store only if the input needs converting (bzip2/xz) to become a blob.
    ConvertOnly(&'a mut Ingest),
}

/// Reads a layer stream into the store's ingest area, checking it on the way (see the module docs).
/// Nothing is committed: drop the result to throw the content away.
pub fn ingest_layer(store: &Store, input: impl Read, limits: &Limits) -> Result<IngestedLayer> {
    let mut ingest = store.ingest()?;
    let digests = scan_layer(input, Sink::Store(&mut ingest), limits)?;
    let blob = ingest.finish()?;
    let media_type = digests
        .compression
        .layer_media_type()
        .unwrap_or(berth_manifest::media_type::OCI_LAYER_TAR);
    Ok(IngestedLayer {
        blob,
        media_type,
        digests,
    })
}

/// Checks a layer stream and computes its diff_id without storing anything.
pub fn check_layer(input: impl Read, limits: &Limits) -> Result<LayerDigests> {
    scan_layer(input, Sink::Nowhere, limits)
}

pub(crate) fn scan_layer(
    input: impl Read,
    sink: Sink<'_>,
    limits: &Limits,
) -> Result<LayerDigests> {
    let (compression, peeked) = peek(input)
        .map_err(Error::io("read the layer"))?
        .ok_or(Error::EmptyInput)?;
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
    let raw = Tee::new(peeked, raw_sink.as_deref_mut());
    let decompressor = Decompressor::new(compression, raw).map_err(|source| Error::Decompress {
        compression: compression.name(),
        source,
    })?;
    let mut plain = Tee::new(
        Budget::new(decompressor, limits.max_uncompressed_size),
        plain_sink,
    );

    // This thread reads, stores and decompresses; the helper hashes and walks the tar (pipeline.rs).
    let (pump, reader) = crate::pipeline::channel();
    let walked = std::thread::scope(|scope| {
        let walker = scope.spawn(move || walk_plain(reader));
        pump.run(&mut plain);
        walker
            .join()
            .unwrap_or_else(|_| Err(Error::InvalidArchive("the layer walker panicked".into())))
    });
    let (diff_id, uncompressed_size, content_size) = walked?;
    let decompressor = plain.into_inner().into_inner();

    let trailing = decompressor
        .drain_input()
        .map_err(|e| Error::from_io(e, Error::io("read the layer")))?;
    if trailing > 0 {
        return Err(Error::TrailingData {
            compression: compression.name(),
        });
    }
    if deferred {
        if let Some(ingest) = raw_sink {
            ingest.set_digest(diff_id.clone());
        }
    }
    Ok(LayerDigests {
        compression,
        diff_id,
        uncompressed_size,
        content_size,
    })
}

/// The helper thread's half of a layer scan: the diff_id, the uncompressed size and Docker's content
/// size, with every entry checked.
fn walk_plain(reader: crate::pipeline::ChannelReader) -> Result<(Digest, u64, u64)> {
    let digesting = Digesting::new(reader);
    let mut content_size = 0u64;
    let mut digesting = for_each_entry(digesting, |entry| layer_entry(entry, &mut content_size))?;
    // Drain to EOF: bytes after the end-of-archive blocks still count in the diff_id.
    io::copy(&mut digesting, &mut io::sink()).map_err(|e| Error::from_io(e, Error::InvalidTar))?;
    let (_, diff_id, uncompressed_size) = digesting.finish();
    Ok((diff_id, uncompressed_size, content_size))
}

/// Checks one entry of a layer and adds it to Docker's content size: graph drivers measure a layer
/// like `du --apparent-size` without directories, regular files plus each symlink target's length.
pub(crate) fn layer_entry<R: Read>(
    entry: &tar::Entry<'_, R>,
    content_size: &mut u64,
) -> Result<()> {
    check_layer_entry(entry)?;
    let entry_type = entry.header().entry_type();
    if entry_type.is_file() {
        *content_size = content_size.saturating_add(entry.size());
    } else if entry_type.is_symlink() {
        let target = entry.link_name_bytes().map_or(0, |t| t.len() as u64);
        *content_size = content_size.saturating_add(target);
    }
    Ok(())
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

/// Hashes and counts what is read through it, and gives the reader back at the end.
pub(crate) struct Digesting<R> {
    inner: R,
    hasher: Hasher,
    count: u64,
}

impl<R: Read> Digesting<R> {
    pub(crate) fn new(inner: R) -> Digesting<R> {
        Digesting {
            inner,
            hasher: Hasher::sha256(),
            count: 0,
        }
    }

    pub(crate) fn finish(self) -> (R, Digest, u64) {
        (self.inner, self.hasher.finish(), self.count)
    }
}

impl<R: Read> Read for Digesting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}
