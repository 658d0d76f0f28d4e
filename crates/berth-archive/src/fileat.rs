//! A byte range of a file read with positioned reads (`pread`), so that several threads can read
//! parts of one archive at once without sharing a file offset.

use std::{
    fs::File,
    io::{self, Read, Seek, SeekFrom},
    os::unix::fs::FileExt,
};

pub(crate) struct FileAt<'a> {
    file: &'a File,
    start: u64,
    end: u64,
    /// Absolute offset of the next read.
    position: u64,
}

impl<'a> FileAt<'a> {
    /// `len` bytes from `start` (fewer if the file is shorter: reads then end early).
    pub(crate) fn new(file: &'a File, start: u64, len: u64) -> FileAt<'a> {
        FileAt {
            file,
            start,
            end: start.saturating_add(len),
            position: start,
        }
    }
}

impl Read for FileAt<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.end.saturating_sub(self.position);
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        let n = self.file.read_at(&mut buf[..want], self.position)?;
        self.position += n as u64;
        Ok(n)
    }
}

impl Seek for FileAt<'_> {
    /// Positions are relative to the range's start; seeking past its end is allowed (reads there
    /// return nothing), before its start is not.
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(offset) => self.start.checked_add(offset),
            SeekFrom::Current(delta) => self.position.checked_add_signed(delta),
            SeekFrom::End(delta) => self.end.checked_add_signed(delta),
        }
        .filter(|target| *target >= self.start)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek outside the archive"))?;
        self.position = target;
        Ok(target - self.start)
    }
}
