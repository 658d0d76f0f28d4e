//! Readers and writers that hash what passes through them and check it against what was promised.

use std::io::{self, Read, Write};

use crate::{Algorithm, Digest, Error, Hasher};

/// What content is supposed to hash to, and optionally how long it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub digest: Digest,
    pub size: Option<u64>,
}

impl Expected {
    pub fn new(digest: Digest, size: Option<u64>) -> Expected {
        Expected { digest, size }
    }

    /// Compares what was seen with what was promised; size first, as ggcr and containerd do.
    pub fn check(&self, actual: &Digest, actual_size: u64) -> Result<(), Error> {
        if let Some(size) = self.size {
            if size != actual_size {
                return Err(Error::SizeMismatch {
                    expected: size,
                    actual: actual_size,
                });
            }
        }
        if *actual != self.digest {
            return Err(Error::DigestMismatch {
                expected: self.digest.clone(),
                actual: actual.clone(),
            });
        }
        Ok(())
    }

    fn overrun(&self, count: u64) -> Option<Error> {
        match self.size {
            Some(size) if count > size => Some(Error::SizeMismatch {
                expected: size,
                actual: count,
            }),
            _ => None,
        }
    }
}

fn invalid_data(error: Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, error)
}

/// Hashes and counts everything read through it.
///
/// With an [`Expected`], reading past the expected size fails at once and reaching EOF fails unless
/// both size and digest match, so a consumer that reads to EOF can never accept wrong content.
pub struct HashingReader<R> {
    inner: R,
    hasher: Option<Hasher>,
    digest: Option<Digest>,
    count: u64,
    expected: Option<Expected>,
}

impl<R: Read> HashingReader<R> {
    pub fn new(inner: R, algorithm: Algorithm) -> HashingReader<R> {
        HashingReader {
            inner,
            hasher: Some(Hasher::new(algorithm)),
            digest: None,
            count: 0,
            expected: None,
        }
    }

    pub fn verifying(inner: R, expected: Expected) -> HashingReader<R> {
        let algorithm = expected.digest.algorithm();
        HashingReader {
            expected: Some(expected),
            ..HashingReader::new(inner, algorithm)
        }
    }

    /// Bytes read so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The digest of everything read; reads the rest of the stream first, so the result covers it all.
    pub fn finish(mut self) -> io::Result<(Digest, u64)> {
        io::copy(&mut self, &mut io::sink())?;
        let digest = self.digest.take().expect("EOF sets the digest");
        Ok((digest, self.count))
    }

    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(hasher) = self.hasher.as_mut() else {
            return Ok(0);
        };
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            let digest = self.hasher.take().expect("checked above").finish();
            if let Some(expected) = &self.expected {
                expected.check(&digest, self.count).map_err(invalid_data)?;
            }
            self.digest = Some(digest);
            return Ok(0);
        }
        hasher.update(&buf[..n]);
        self.count += n as u64;
        if let Some(error) = self.expected.as_ref().and_then(|e| e.overrun(self.count)) {
            return Err(invalid_data(error));
        }
        Ok(n)
    }
}

/// Hashes and counts everything written through it.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Hasher,
    count: u64,
    expected: Option<Expected>,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W, algorithm: Algorithm) -> HashingWriter<W> {
        HashingWriter {
            inner,
            hasher: Hasher::new(algorithm),
            count: 0,
            expected: None,
        }
    }

    /// Refuses writes past `expected.size`; [`HashingWriter::finish`] checks the digest.
    pub fn verifying(inner: W, expected: Expected) -> HashingWriter<W> {
        let algorithm = expected.digest.algorithm();
        HashingWriter {
            expected: Some(expected),
            ..HashingWriter::new(inner, algorithm)
        }
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// Flushes and returns the inner writer with the digest and size of what went through.
    /// Fails if they differ from what was expected.
    pub fn finish(mut self) -> io::Result<(W, Digest, u64)> {
        self.inner.flush()?;
        let digest = self.hasher.finish();
        if let Some(expected) = &self.expected {
            expected.check(&digest, self.count).map_err(invalid_data)?;
        }
        Ok((self.inner, digest, self.count))
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(error) = self
            .expected
            .as_ref()
            .and_then(|e| e.overrun(self.count + buf.len() as u64))
        {
            return Err(invalid_data(error));
        }
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Extracts a digest [`Error`] from an I/O error raised by these adapters, if that is what it is.
pub fn as_digest_error(error: &io::Error) -> Option<&Error> {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<Error>())
}
