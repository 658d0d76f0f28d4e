//! Reading a small file or stream whole, with a limit that is an error when passed, never a silent
//! cut: a config, record or document one byte over its limit is reported as too large, not parsed
//! short (a passwd line cut in the middle names the wrong user ID).

use std::{
    fs::File,
    io::{self, Read},
};

use crate::Error;

/// Reads `reader` to its end, or fails with [`io::ErrorKind::FileTooLarge`] (carrying
/// [`Error::FileTooLarge`]) once it yields more than `limit` bytes. Exactly `limit` bytes is fine.
pub fn read_bounded(reader: impl Read, limit: u64) -> io::Result<Vec<u8>> {
    read_into(reader, limit, Vec::new())
}

/// [`read_bounded`] for a file: a file already larger than `limit` is refused without reading it,
/// and the buffer is sized once.
pub fn read_file_bounded(file: &File, limit: u64) -> io::Result<Vec<u8>> {
    let size = file.metadata()?.len();
    if size > limit {
        return Err(too_large(limit));
    }
    // One byte more, so that the read that finds the end needs no second allocation.
    let capacity = usize::try_from(size).map_or(0, |size| size.saturating_add(1));
    read_into(file, limit, Vec::with_capacity(capacity))
}

/// The limit a bounded read refused, if `error` is that refusal.
pub fn exceeded_limit(error: &io::Error) -> Option<u64> {
    match error.get_ref()?.downcast_ref::<Error>()? {
        Error::FileTooLarge { limit } => Some(*limit),
        _ => None,
    }
}

fn read_into(reader: impl Read, limit: u64, mut bytes: Vec<u8>) -> io::Result<Vec<u8>> {
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

fn too_large(limit: u64) -> io::Error {
    io::Error::new(io::ErrorKind::FileTooLarge, Error::FileTooLarge { limit })
}
