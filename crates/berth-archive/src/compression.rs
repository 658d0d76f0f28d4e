//! Which compression a stream uses (by its magic bytes, never by a file name), and a reader that removes it.

use std::{
    fmt,
    io::{self, BufReader, Cursor, Read},
};

use crate::error::Error;

/// The compressions berth reads. Only `None`, `Gzip` and `Zstd` have OCI layer media types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    None,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

/// Longest magic number we look at (xz's).
const MAGIC_LEN: usize = 6;

impl Compression {
    /// Detects the compression from the first bytes of a stream, as Docker's `DetectCompression` does.
    /// Anything unrecognised is taken to be plain (a tar parser then decides whether it is a tar).
    pub fn detect(prefix: &[u8]) -> Compression {
        if prefix.starts_with(&[0x1f, 0x8b, 0x08]) {
            Compression::Gzip
        } else if prefix.starts_with(b"BZh") {
            Compression::Bzip2
        } else if prefix.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Compression::Xz
        } else if prefix.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "uncompressed",
            Compression::Gzip => "gzip",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
        }
    }

    /// The OCI layer media type for a blob stored with this compression, if OCI has one.
    pub fn layer_media_type(self) -> Option<&'static str> {
        use berth_manifest::media_type;
        match self {
            Compression::None => Some(media_type::OCI_LAYER_TAR),
            Compression::Gzip => Some(media_type::OCI_LAYER_TAR_GZIP),
            Compression::Zstd => Some(media_type::OCI_LAYER_TAR_ZSTD),
            Compression::Bzip2 | Compression::Xz => None,
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

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
    /// returns how many bytes that was (0 for a well-formed stream).
    pub fn drain_input(self) -> io::Result<u64> {
        let sink = &mut io::sink();
        match self {
            Decompressor::None(mut r) => io::copy(&mut r, sink),
            Decompressor::Gzip(d) => io::copy(&mut d.into_inner(), sink),
            Decompressor::Bzip2(d) => io::copy(&mut d.into_inner(), sink),
            Decompressor::Xz(d) => io::copy(&mut d.into_inner(), sink),
            Decompressor::Zstd(d) => io::copy(&mut d.finish(), sink),
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
