//! Walking a tar stream entry by entry with tar-rs as a parser, and telling a complete archive from a
//! truncated one.
//!
//! tar-rs stops at the first zero block, and also, silently, when the stream ends exactly at a block
//! boundary between entries. The second case is indistinguishable from a truncated download, so it is
//! refused here: a stream must carry at least one end-of-archive block. Truncation inside an entry is
//! reported by tar-rs when it skips the rest of the entry, or by the caller when an entry reads short.

use std::io::{self, Read, Seek};

use crate::error::{Error, Result};

const BLOCK_SIZE: u64 = 512;

/// Counts the bytes the tar parser consumed.
pub struct Position<R> {
    inner: R,
    position: u64,
}

impl<R: Seek> Seek for Position<R> {
    fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
        self.position = self.inner.seek(to)?;
        Ok(self.position)
    }
}

impl<R: Read> Read for Position<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.position += n as u64;
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
/// after the end-of-archive block (anything after it is the caller's to drain).
pub fn for_each_entry<R: Read>(
    reader: R,
    visit: impl FnMut(&mut tar::Entry<'_, Position<R>>) -> Result<()>,
) -> Result<R> {
    let mut archive = tar::Archive::new(Position {
        inner: reader,
        position: 0,
    });
    let entries = archive.entries().map_err(tar_error)?;
    let end_of_entries = walk(entries, visit)?;
    finish(archive, end_of_entries)
}

/// [`for_each_entry`] over a seekable archive: the data of entries that `visit` does not read is
/// skipped with a seek instead of being read.
pub fn for_each_entry_seeking<R: Read + Seek>(
    reader: R,
    visit: impl FnMut(&mut tar::Entry<'_, Position<R>>) -> Result<()>,
) -> Result<R> {
    let mut archive = tar::Archive::new(Position {
        inner: reader,
        position: 0,
    });
    let entries = archive.entries_with_seek().map_err(tar_error)?;
    let end_of_entries = walk(entries, visit)?;
    finish(archive, end_of_entries)
}

/// Visits every entry; returns where the last entry's (padded) data ends.
fn walk<R: Read>(
    entries: tar::Entries<'_, Position<R>>,
    mut visit: impl FnMut(&mut tar::Entry<'_, Position<R>>) -> Result<()>,
) -> Result<u64> {
    let mut end_of_entries = 0;
    for entry in entries {
        let mut entry = entry.map_err(tar_error)?;
        let padded = entry
            .size()
            .checked_add(BLOCK_SIZE - 1)
            .map(|size| size & !(BLOCK_SIZE - 1))
            .ok_or_else(|| Error::InvalidArchive("entry size overflows".into()))?;
        end_of_entries = entry.raw_file_position() + padded;
        visit(&mut entry)?;
    }
    Ok(end_of_entries)
}

/// The stream after the entries, which must have gone past them: at least one end-of-archive block.
fn finish<R>(archive: tar::Archive<Position<R>>, end_of_entries: u64) -> Result<R>
where
    Position<R>: Read,
{
    let position = archive.into_inner();
    if position.position <= end_of_entries {
        return Err(Error::Truncated);
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
