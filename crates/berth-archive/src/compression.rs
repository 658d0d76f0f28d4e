//! Which compression a stream uses (by its magic bytes, never by a file name: `berth_manifest`'s
//! [`Compression`], the one list), and a reader that removes it.

use std::io::{self, BufReader, Cursor, Read};

use crate::error::Error;

use berth_manifest::media_type::COMPRESSION_MAGIC_LEN as MAGIC_LEN;
pub use berth_manifest::Compression;

/// A reader whose first bytes were read ahead to detect the compression.
pub type Peeked<R> = io::Chain<Cursor<Vec<u8>>, R>;

/// Reads up to [`MAGIC_LEN`] bytes of `input`, detects the compression, and gives back a reader
/// that yields the whole stream again. Returns `None` for an empty stream.
pub fn peek<R: Read>(mut input: R) -> io::Result<Option<(Compression, Peeked<R>)>> {
    let mut prefix = vec![0; MAGIC_LEN];
    let mut filled = 0;
    while filled < MAGIC_LEN {
        match input.read(&mut prefix[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    if filled == 0 {
        return Ok(None);
    }
    prefix.truncate(filled);
    let compression = Compression::detect(&prefix);
    Ok(Some((compression, Cursor::new(prefix).chain(input))))
}

/// Removes one compression from a stream. Multi-member gzip, multi-stream bzip2/xz and
/// multi-frame zstd are read whole, as Go's readers do.
pub enum Decompressor<R: Read> {
    None(R),
    Gzip(flate2::read::MultiGzDecoder<R>),
    Bzip2(bzip2::read::MultiBzDecoder<R>),
    Xz(liblzma::read::XzDecoder<R>),
    Zstd(zstd::stream::read::Decoder<'static, BufReader<R>>),
}

impl<R: Read> Decompressor<R> {
    pub fn new(compression: Compression, input: R) -> io::Result<Decompressor<R>> {
        Ok(match compression {
            Compression::None => Decompressor::None(input),
            Compression::Gzip => Decompressor::Gzip(flate2::read::MultiGzDecoder::new(input)),
            Compression::Bzip2 => Decompressor::Bzip2(bzip2::read::MultiBzDecoder::new(input)),
            Compression::Xz => Decompressor::Xz(liblzma::read::XzDecoder::new_multi_decoder(input)),
            Compression::Zstd => {
                let mut decoder = zstd::stream::read::Decoder::new(input)?;
                // Layers made with `--long` need a window beyond the default 8 MiB limit (2^31 is zstd's max).
                decoder.window_log_max(31)?;
                Decompressor::Zstd(decoder)
            }
        })
    }

    pub fn compression(&self) -> Compression {
        match self {
            Decompressor::None(_) => Compression::None,
            Decompressor::Gzip(_) => Compression::Gzip,
            Decompressor::Bzip2(_) => Compression::Bzip2,
            Decompressor::Xz(_) => Compression::Xz,
            Decompressor::Zstd(_) => Compression::Zstd,
        }
    }

    /// After the decompressed stream ended: reads what is left of the compressed input and
    /// returns how many bytes that was (0 for a well-formed stream), and the input.
    pub fn drain_input(self) -> io::Result<(u64, R)> {
        fn drain<R: Read>(mut input: R) -> io::Result<(u64, R)> {
            Ok((io::copy(&mut input, &mut io::sink())?, input))
        }
        match self {
            Decompressor::None(r) => drain(r),
            Decompressor::Gzip(d) => drain(d.into_inner()),
            Decompressor::Bzip2(d) => drain(d.into_inner()),
            Decompressor::Xz(d) => drain(d.into_inner()),
            Decompressor::Zstd(d) => {
                let (trailing, buffered) = drain(d.finish())?;
                Ok((trailing, buffered.into_inner()))
            }
        }
    }
}

impl<R: Read> Read for Decompressor<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let compression = self.compression();
        let result = match self {
            Decompressor::None(r) => return r.read(buf),
            Decompressor::Gzip(d) => d.read(buf),
            Decompressor::Bzip2(d) => d.read(buf),
            Decompressor::Xz(d) => d.read(buf),
            Decompressor::Zstd(d) => d.read(buf),
        };
        result.map_err(|source| {
            // Errors from a reader further down (an Error of ours, or a real I/O failure) pass unchanged.
            if source
                .get_ref()
                .is_some_and(<dyn std::error::Error + Send + Sync>::is::<Error>)
            {
                return source;
            }
            Error::Decompress {
                compression: compression.name(),
                source,
            }
            .into_io()
        })
    }
}

/// Counts decompressed bytes and fails once more than `limit` went through (decompression bombs).
pub struct Budget<R> {
    inner: R,
    limit: Option<u64>,
    count: u64,
}

impl<R: Read> Budget<R> {
    pub fn new(inner: R, limit: Option<u64>) -> Budget<R> {
        Budget {
            inner,
            limit,
            count: 0,
        }
    }

    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        match self.limit {
            Some(limit) if self.count > limit => Err(Error::TooLarge { limit }.into_io()),
            _ => Ok(n),
        }
    }
}

/// A decompressed stream and the compression that was removed.
pub type Decompressed<'a> = (Compression, Box<dyn Read + 'a>);

/// Reads everything of `input` after removing its compression (detected by magic bytes), within `limit`
/// decompressed bytes. For whole-archive decompression (`load`).
pub fn decompressing_reader<'a, R: Read + 'a>(
    input: R,
    limit: Option<u64>,
) -> Result<Option<Decompressed<'a>>, Error> {
    let Some((compression, peeked)) = peek(input).map_err(Error::io("read the input"))? else {
        return Ok(None);
    };
    let decompressor =
        Decompressor::new(compression, peeked).map_err(|source| Error::Decompress {
            compression: compression.name(),
            source,
        })?;
    Ok(Some((
        compression,
        Box::new(Budget::new(decompressor, limit)),
    )))
}
