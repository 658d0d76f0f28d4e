//! Writing tar archives that are the same bytes every time: ustar headers with mtime 0, uid/gid 0,
//! no user or group names, mode 0644 for files and 0755 for directories.

use std::io::{self, Read, Write};

use crate::error::{Error, Result};

const FILE_MODE: u32 = 0o644;
const DIR_MODE: u32 = 0o755;

pub(crate) struct Tarball<W: Write> {
    builder: tar::Builder<W>,
}

impl<W: Write> Tarball<W> {
    pub fn new(out: W) -> Tarball<W> {
        Tarball {
            builder: tar::Builder::new(out),
        }
    }

    fn header(path: &str, entry_type: tar::EntryType, mode: u32, size: u64) -> Result<tar::Header> {
        let mut header = tar::Header::new_ustar();
        header
            .set_path(path)
            .map_err(Error::io(format!("name archive entry {path}")))?;
        header.set_entry_type(entry_type);
        header.set_mode(mode);
        header.set_size(size);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_cksum();
        Ok(header)
    }

    pub fn dir(&mut self, path: &str) -> Result<()> {
        let header = Self::header(path, tar::EntryType::Directory, DIR_MODE, 0)?;
        self.builder
            .append(&header, io::empty())
            .map_err(Error::io("write the archive"))
    }

    pub fn file_bytes(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        self.file(path, bytes.len() as u64, bytes)
    }

    /// Appends a file of exactly `size` bytes read from `content`; errors raised by `content` (a
    /// digest check, a decompression failure) come back as themselves.
    pub fn file(&mut self, path: &str, size: u64, content: impl Read) -> Result<()> {
        let header = Self::header(path, tar::EntryType::Regular, FILE_MODE, size)?;
        let mut counted = Counted {
            inner: content,
            count: 0,
        };
        // Large reads: tar copies with `io::copy`, which moves a `BufReader`'s whole buffer at a
        // time (without it, blobs went out in 8 KiB steps: 50,000 read calls for a 300 MB image).
        let mut reader = std::io::BufReader::with_capacity(COPY_BUFFER, &mut counted);
        self.builder
            .append(&header, &mut reader)
            .map_err(|e| Error::from_io(e, Error::io("write the archive")))?;
        drop(reader);
        if counted.count != size {
            return Err(Error::InvalidArchive(format!(
                "{path}: expected {size} bytes, read {}",
                counted.count
            )));
        }
        Ok(())
    }

    /// Appends a file of exactly `size` bytes that `copy` writes straight into the output (between
    /// the header and the padding that this writes), with the same bytes [`Tarball::file`] gives.
    pub fn file_copied(
        &mut self,
        path: &str,
        size: u64,
        copy: impl FnOnce(&mut W) -> Result<()>,
    ) -> Result<()> {
        let header = Self::header(path, tar::EntryType::Regular, FILE_MODE, size)?;
        let out = self.builder.get_mut();
        out.write_all(header.as_bytes())
            .map_err(Error::io("write the archive"))?;
        copy(out)?;
        let padding = usize::try_from((BLOCK - size % BLOCK) % BLOCK).unwrap_or(0);
        out.write_all(&ZEROS[..padding])
            .map_err(Error::io("write the archive"))
    }

    pub fn finish(self) -> Result<W> {
        self.builder
            .into_inner()
            .map_err(Error::io("write the archive"))
    }
}

/// A tar block: headers are one, file contents are padded to a whole number of them.
const BLOCK: u64 = 512;
const ZEROS: [u8; 512] = [0; 512];

/// Bytes moved per read while a blob is copied into the archive.
const COPY_BUFFER: usize = 1 << 20;

struct Counted<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}
