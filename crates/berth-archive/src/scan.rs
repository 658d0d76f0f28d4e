//! Walking a tar stream entry by entry with tar-rs as a parser, and deciding where a stream may end.
//!
//! Go's `archive/tar` (so Docker, containerd, podman and skopeo) decides that, and berth follows it
//! exactly (docs/archives.md, "Where a tar stream may end"):
//!
//! - a stream may end between two entries (at a header boundary), after one zero block, after the
//!   two end-of-archive blocks, or anywhere inside the padding after an entry's data (umoci 0.4 ends
//!   its layers right after the last file's data);
//! - it may not end inside a header, inside an entry's data, or inside the second zero block, and a
//!   zero block followed by a non-zero one is not an end but a broken header.
//!
//! tar-rs refuses a stream that ends inside padding ("unexpected EOF during skip"), so [`Position`]
//! supplies the missing padding as zeros *above* any hashing reader: the digests always cover the
//! bytes as they are. tar-rs stops at the first zero block; `finish` reads what may follow it.

use std::{
    cell::Cell,
    io::{self, Read, Seek},
    rc::Rc,
};

use crate::error::{Error, Result};

const BLOCK_SIZE: u64 = 512;
const BLOCK: usize = 512;

/// Where the entry being walked lies in the stream: `(end of its data, end of its padding)`.
type Bounds = Rc<Cell<(u64, u64)>>;

/// Counts the bytes the tar parser consumed, notes whether the stream ended, and supplies the
/// padding of an entry the stream ended in.
pub struct Position<R> {
    inner: R,
    /// Bytes handed to the parser so far (or where a seek put it).
    offset: u64,
    bounds: Bounds,
    /// Zeros still to hand out: the stream ended inside the current entry's padding.
    padding_left: u64,
    /// The underlying stream returned end-of-file.
    ended: bool,
}

impl<R> Position<R> {
    fn new(inner: R, bounds: Bounds) -> Position<R> {
        Position {
            inner,
            offset: 0,
            bounds,
            padding_left: 0,
            ended: false,
        }
    }
}

impl<R: Seek> Seek for Position<R> {
    fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
        self.padding_left = 0;
        self.ended = false;
        self.offset = self.inner.seek(to)?;
        Ok(self.offset)
    }
}

impl<R: Read> Read for Position<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.padding_left == 0 {
            let n = self.inner.read(buf)?;
            if n > 0 {
                self.offset += n as u64;
                return Ok(n);
            }
            self.ended = true;
            // The stream ended: inside the current entry's padding, Go reads that as the end.
            let (data_end, padding_end) = self.bounds.get();
            if self.offset < data_end || self.offset >= padding_end {
                return Ok(0);
            }
            self.padding_left = padding_end - self.offset;
        }
        let n = buf
            .len()
            .min(usize::try_from(self.padding_left).unwrap_or(usize::MAX));
        buf[..n].fill(0);
        self.padding_left -= n as u64;
        self.offset += n as u64;
        Ok(n)
    }
}

/// Classifies an error raised while iterating entries.
pub fn tar_error(error: io::Error) -> Error {
    Error::from_io(error, |error| {
        if error.kind() == io::ErrorKind::UnexpectedEof
            || error.to_string().contains("unexpected EOF")
        {
            Error::Truncated
        } else {
            Error::InvalidTar(error)
        }
    })
}

/// Calls `visit` on every entry of the tar stream `reader`, then returns the reader, positioned just
/// after the end of the archive (anything after it is the caller's to drain).
pub fn for_each_entry<R: Read, E: From<Error>>(
    reader: R,
    visit: impl FnMut(&mut tar::Entry<'_, Position<R>>) -> std::result::Result<(), E>,
) -> std::result::Result<R, E> {
    let bounds = Bounds::default();
    let mut archive = tar::Archive::new(Position::new(reader, bounds.clone()));
    let entries = archive.entries().map_err(tar_error)?;
    walk(entries, &bounds, visit)?;
    Ok(finish(archive.into_inner())?)
}

/// [`for_each_entry`] over a seekable archive: the data of entries that `visit` does not read is
/// skipped with a seek instead of being read.
pub fn for_each_entry_seeking<R: Read + Seek, E: From<Error>>(
    reader: R,
    visit: impl FnMut(&mut tar::Entry<'_, Position<R>>) -> std::result::Result<(), E>,
) -> std::result::Result<R, E> {
    let bounds = Bounds::default();
    let mut archive = tar::Archive::new(Position::new(reader, bounds.clone()));
    let entries = archive.entries_with_seek().map_err(tar_error)?;
    let last_data_end = walk(entries, &bounds, visit)?;
    let mut position = archive.into_inner();
    // A seek skips data without reading it: a stream that ended before the last entry's data did
    // looks like a clean end to tar-rs.
    if position.ended && last_data_end > 0 {
        reaches(&mut position, last_data_end)?;
    }
    Ok(finish(position)?)
}

/// Visits every entry; returns where the last entry's data ends.
fn walk<R: Read, E: From<Error>>(
    entries: tar::Entries<'_, Position<R>>,
    bounds: &Bounds,
    mut visit: impl FnMut(&mut tar::Entry<'_, Position<R>>) -> std::result::Result<(), E>,
) -> std::result::Result<u64, E> {
    let mut last_data_end = 0;
    for entry in entries {
        let mut entry = entry.map_err(tar_error)?;
        let too_large = || Error::InvalidArchive("entry size overflows".into());
        let data_end = entry
            .raw_file_position()
            .checked_add(entry.size())
            .ok_or_else(too_large)?;
        let padding_end = data_end
            .checked_add(BLOCK_SIZE - 1)
            .map(|end| end & !(BLOCK_SIZE - 1))
            .ok_or_else(too_large)?;
        bounds.set((data_end, padding_end));
        last_data_end = data_end;
        visit(&mut entry)?;
    }
    Ok(last_data_end)
}

/// Fails as truncated unless the stream holds the byte just before `end`; leaves the position as it was.
fn reaches<R: Read + Seek>(position: &mut Position<R>, end: u64) -> Result<()> {
    let here = position.offset;
    let io_error = |e| Error::from_io(e, Error::InvalidTar);
    position
        .seek(io::SeekFrom::Start(end - 1))
        .map_err(io_error)?;
    let mut byte = [0u8; 1];
    let n = loop {
        match position.inner.read(&mut byte) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            read => break read.map_err(io_error)?,
        }
    };
    position.seek(io::SeekFrom::Start(here)).map_err(io_error)?;
    position.ended = true;
    if n == 0 {
        return Err(Error::Truncated);
    }
    Ok(())
}

/// Checks how the stream ended and returns it. tar-rs stops at the end of the stream (a clean end
/// for Go too) or at a zero block, which may be followed by nothing or by a second zero block only.
fn finish<R: Read>(mut position: Position<R>) -> Result<R> {
    if position.ended {
        return Ok(position.inner);
    }
    let mut block = [0u8; BLOCK];
    let mut filled = 0;
    while filled < block.len() {
        match position.inner.read(&mut block[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::from_io(e, Error::InvalidTar)),
        }
    }
    if filled > 0 && filled < block.len() {
        return Err(Error::Truncated);
    }
    if block.iter().any(|&b| b != 0) {
        return Err(Error::InvalidTar(io::Error::other(
            "a zero block is followed by a header instead of the second end-of-archive block",
        )));
    }
    Ok(position.inner)
}

/// Copies an entry's data to `out`, failing if the stream ends before the size its header gives.
pub fn copy_entry<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    out: &mut impl io::Write,
    action: &str,
) -> Result<u64> {
    let size = entry.size();
    let copied = io::copy(entry, out).map_err(|e| Error::from_io(e, Error::io(action)))?;
    if copied != size {
        return Err(Error::Truncated);
    }
    Ok(copied)
}
