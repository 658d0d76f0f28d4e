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
//!
//! This is berth's one tar walker: the layer digester (pull, load, import, commit, system check),
//! `load`'s walk over an archive, and the container unpacker ([`walk_layer`]) all go through it, and
//! count a layer's content size by the one rule (`count_entry`).

use std::{
    cell::Cell,
    io::{self, Read, Seek},
    rc::Rc,
};

use berth_digest::{Digest, Hasher};
use berth_store::LayerInfo;

use crate::error::{Error, Result};

const BLOCK_SIZE: u64 = 512;
const BLOCK: usize = 512;

/// Where the entry being walked lies in the stream: `(end of its data, end of its padding)`, and
/// whether the stream has ended.
#[derive(Default)]
struct Shared {
    entry: Cell<(u64, u64)>,
    ended: Cell<bool>,
}

type Bounds = Rc<Shared>;

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
        self.bounds.ended.set(false);
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
            self.bounds.ended.set(true);
            // The stream ended: inside the current entry's padding, Go reads that as the end.
            let (data_end, padding_end) = self.bounds.entry.get();
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
        let mut entry = entry.map_err(|error| match tar_error(error) {
            // tar-rs's "failed to read entire block": the stream ended inside a header.
            Error::InvalidTar(error) if bounds.ended.get() => Error::RefusedEnd(error),
            error => error,
        })?;
        let too_large = || Error::InvalidArchive("entry size overflows".into());
        let data_end = entry
            .raw_file_position()
            .checked_add(entry.size())
            .ok_or_else(too_large)?;
        let padding_end = data_end
            .checked_add(BLOCK_SIZE - 1)
            .map(|end| end & !(BLOCK_SIZE - 1))
            .ok_or_else(too_large)?;
        bounds.entry.set((data_end, padding_end));
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
        return Err(Error::RefusedEnd(io::Error::other(
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

/// Walks a layer's uncompressed tar stream, calling `visit` on every entry, and learns what the
/// digester learns: the diff_id of the bytes as they are (read to their end, ggcr #2303), their
/// length and the content size. The container unpacker applies a layer through it.
pub fn walk_layer<R: Read, E: From<Error>>(
    reader: R,
    mut visit: impl FnMut(
        &mut tar::Entry<'_, Position<&mut Digesting<R>>>,
    ) -> std::result::Result<(), E>,
) -> std::result::Result<LayerInfo, E> {
    let mut digesting = Digesting::new(reader);
    let mut content_size = 0u64;
    for_each_entry(&mut digesting, |entry| {
        visit(entry)?;
        count_entry(entry, &mut content_size);
        Ok::<(), E>(())
    })?;
    let (diff_id, uncompressed_size) = digesting.drain()?;
    Ok(LayerInfo {
        diff_id,
        uncompressed_size,
        content_size: Some(content_size),
    })
}

/// Adds an entry to Docker's content size: graph drivers measure a layer like
/// `du --apparent-size` without directories, regular files plus each symlink target's length.
pub(crate) fn count_entry<R: Read>(entry: &tar::Entry<'_, R>, content_size: &mut u64) {
    let entry_type = entry.header().entry_type();
    if entry_type.is_file() {
        *content_size = content_size.saturating_add(entry.size());
    } else if entry_type.is_symlink() {
        let target = entry.link_name_bytes().map_or(0, |t| t.len() as u64);
        *content_size = content_size.saturating_add(target);
    }
}

/// Hashes (sha256) and counts what is read through it: the diff_id and uncompressed size, taken
/// below the walk's [`Position`] so that they cover the bytes as they are.
pub struct Digesting<R> {
    inner: R,
    hasher: Hasher,
    count: u64,
    /// The stream below failed (a read or decompression error): what the tar walk then reports is
    /// that failure, not a verdict on the tar.
    read_failed: bool,
}

impl<R: Read> Digesting<R> {
    pub fn new(inner: R) -> Digesting<R> {
        Digesting {
            inner,
            hasher: Hasher::sha256(),
            count: 0,
            read_failed: false,
        }
    }

    /// Whether a read of the stream below failed.
    pub fn read_failed(&self) -> bool {
        self.read_failed
    }

    /// Reads the rest of the stream and returns the digest and length of all of it.
    pub fn drain(mut self) -> Result<(Digest, u64)> {
        // Only the stream below can fail here: a read or decompression error, reported as itself.
        io::copy(&mut self, &mut io::sink())
            .map_err(|e| Error::from_io(e, Error::io("read the layer")))?;
        Ok((self.hasher.finish(), self.count))
    }
}

impl<R: Read> Read for Digesting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf).inspect_err(|error| {
            self.read_failed |= error.kind() != io::ErrorKind::Interrupted;
        })?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

/// Go's `parseNumeric`: base-256 when the first byte's high bit is set, else octal with leading and
/// trailing spaces and NULs trimmed (an empty field is 0; Python's `tarfile` leaves a FIFO's device
/// fields all NULs) and the text cut at its first NUL. `None` where Go reports `ErrHeader`; negative
/// base-256 values are refused too, as no field berth reads may be negative.
pub fn tar_numeric(field: &[u8]) -> Option<u64> {
    if let Some(&first) = field.first() {
        if first & 0x80 != 0 {
            if first & 0x40 != 0 {
                return None;
            }
            let mut value: u64 = 0;
            for (i, &byte) in field.iter().enumerate() {
                let byte = if i == 0 { byte & 0x7f } else { byte };
                if value >> 56 != 0 {
                    return None;
                }
                value = value << 8 | u64::from(byte);
            }
            return (value >> 63 == 0).then_some(value);
        }
    }
    let start = field.iter().position(|&b| b != b' ' && b != 0);
    let Some(start) = start else { return Some(0) };
    let end = field
        .iter()
        .rposition(|&b| b != b' ' && b != 0)
        .map_or(start, |e| e + 1);
    let text = &field[start..end];
    let text = text.split(|&b| b == 0).next().unwrap_or_default();
    u64::from_str_radix(std::str::from_utf8(text).ok()?, 8).ok()
}
