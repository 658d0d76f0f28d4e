//! A layer's content size (Docker's image SIZE: the bytes of its regular files plus the lengths of
//! its symlink targets), counted from the uncompressed tar stream as it is written through, so that
//! code that already streams a layer (a pull's diff_id check) learns it without a second pass. Only
//! the headers are read: 512-byte blocks, PAX `size` and `linkpath`, GNU long link names. It counts
//! what `berth_archive`'s entry walk counts, and it decides where a stream may end by the same rule
//! (Go's `archive/tar`, docs/archives.md): [`TarEnd::Refused`] for a stream cut inside a header or an
//! entry's data, [`TarEnd::Unfollowed`] for one it cannot parse (no size rather than a wrong one).

use std::io::{self, Write};

const BLOCK: usize = 512;

/// Counts the content size of the tar stream written into it.
#[derive(Debug, Default)]
pub struct ContentCounter {
    /// Bytes of the current header block gathered so far.
    header: Vec<u8>,
    /// Bytes of the current entry's data (and padding) still to come.
    skip: u64,
    /// How many of the bytes still to come are padding (a stream may end inside it).
    padding: u64,
    /// The current entry's kind, declared size and data, when its data must be read (PAX records,
    /// GNU long link names).
    data: Option<(u8, usize, Vec<u8>)>,
    /// Overrides for the next entry, from a PAX header or a GNU long link name.
    next_size: Option<u64>,
    next_link_len: Option<u64>,
    content: u64,
    /// Two zero blocks were seen: the archive is over.
    ended: bool,
    zero_blocks: u8,
    /// The stream could not be followed.
    lost: bool,
    /// A zero block was followed by a header: Go's archive/tar refuses that.
    broken: bool,
}

/// How a tar stream written into a [`ContentCounter`] ended, by Go's `archive/tar` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TarEnd {
    /// A whole archive (it may end between entries, inside an entry's padding, after one or two
    /// zero blocks), with its content size.
    Complete(u64),
    /// Cut inside a header, inside an entry's data or inside the second zero block, or a zero block
    /// followed by a header: every Go-based tool refuses it, and so does berth.
    Refused,
    /// Not a stream the counter can follow (an unreadable numeric field, oversized metadata).
    Unfollowed,
}

/// The data of PAX and GNU entries is read (small); larger ones are not what they claim to be.
const MAX_META_BYTES: u64 = 1 << 20;

impl ContentCounter {
    pub fn new() -> ContentCounter {
        ContentCounter::default()
    }

    /// How the stream ended, and the content size if it is a whole archive.
    pub fn finish(self) -> TarEnd {
        let cut_in_header = !self.header.is_empty();
        let cut_in_data = self.skip > self.padding;
        if self.broken || (!self.ended && (cut_in_header || cut_in_data)) {
            TarEnd::Refused
        } else if self.lost {
            TarEnd::Unfollowed
        } else {
            TarEnd::Complete(self.content)
        }
    }

    /// The content size of a whole archive the counter could follow.
    pub fn content_size(self) -> Option<u64> {
        match self.finish() {
            TarEnd::Complete(size) => Some(size),
            TarEnd::Refused | TarEnd::Unfollowed => None,
        }
    }

    fn header_block(&mut self) {
        let block = std::mem::take(&mut self.header);
        if block.iter().all(|&b| b == 0) {
            self.zero_blocks += 1;
            if self.zero_blocks == 2 {
                self.ended = true;
            }
            return;
        }
        if self.zero_blocks > 0 {
            self.broken = true;
            return;
        }
        let Some(size) = tar_numeric(&block[124..136]) else {
            self.lost = true;
            return;
        };
        let kind = block[156];
        match kind {
            b'x' | b'g' | b'L' | b'K' => {
                if size > MAX_META_BYTES {
                    self.lost = true;
                    return;
                }
                let size = usize::try_from(size).unwrap_or(usize::MAX);
                if size == 0 {
                    self.meta_done(kind, &[]);
                } else {
                    self.data = Some((kind, size, Vec::with_capacity(size)));
                    self.skip = padded(size as u64);
                    self.padding = self.skip - size as u64;
                }
                return;
            }
            _ => {}
        }
        let size = self.next_size.take().unwrap_or(size);
        let link_len = self.next_link_len.take();
        match kind {
            b'0' | 0 => self.content = self.content.saturating_add(size),
            b'2' => {
                let len = link_len.unwrap_or_else(|| {
                    let name = &block[157..257];
                    name.iter().position(|&b| b == 0).unwrap_or(name.len()) as u64
                });
                self.content = self.content.saturating_add(len);
            }
            _ => {}
        }
        // Hard links and the like carry no data whatever their size field says (as tar readers do);
        // everything else is followed by `size` bytes.
        let data = if matches!(kind, b'1' | b'2' | b'3' | b'4' | b'5' | b'6') {
            0
        } else {
            size
        };
        self.skip = padded(data);
        self.padding = self.skip - data;
    }

    fn meta_done(&mut self, kind: u8, data: &[u8]) {
        match kind {
            b'x' => {
                for (key, value) in pax_records(data) {
                    match key {
                        b"size" => {
                            self.next_size =
                                std::str::from_utf8(value).ok().and_then(|v| v.parse().ok());
                        }
                        b"linkpath" => self.next_link_len = Some(value.len() as u64),
                        _ => {}
                    }
                }
            }
            b'K' => {
                let len = data.iter().position(|&b| b == 0).unwrap_or(data.len());
                self.next_link_len = Some(len as u64);
            }
            // Global PAX records and GNU long names change nothing counted.
            _ => {}
        }
    }
}

impl Write for ContentCounter {
    fn write(&mut self, mut buf: &[u8]) -> io::Result<usize> {
        let written = buf.len();
        while !buf.is_empty() && !self.ended && !self.lost && !self.broken {
            if self.skip > 0 {
                let take = usize::try_from(self.skip)
                    .unwrap_or(usize::MAX)
                    .min(buf.len());
                if let Some((_, size, data)) = &mut self.data {
                    // Data, then padding: only the declared bytes are kept.
                    let room = *size - data.len();
                    data.extend_from_slice(&buf[..take.min(room)]);
                }
                self.skip -= take as u64;
                buf = &buf[take..];
                if self.skip == 0 {
                    if let Some((kind, _, data)) = self.data.take() {
                        self.meta_done(kind, &data);
                    }
                }
                continue;
            }
            let take = (BLOCK - self.header.len()).min(buf.len());
            self.header.extend_from_slice(&buf[..take]);
            buf = &buf[take..];
            if self.header.len() == BLOCK {
                self.header_block();
            }
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn padded(size: u64) -> u64 {
    size.div_ceil(BLOCK as u64).saturating_mul(BLOCK as u64)
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

/// The `key=value` records of PAX extended header data (`<len> <key>=<value>\n` each).
fn pax_records(mut data: &[u8]) -> Vec<(&[u8], &[u8])> {
    let mut records = Vec::new();
    while let Some(space) = data.iter().position(|&b| b == b' ') {
        let Some(len) = std::str::from_utf8(&data[..space])
            .ok()
            .and_then(|l| l.parse::<usize>().ok())
        else {
            break;
        };
        if len <= space + 1 || len > data.len() {
            break;
        }
        let record = &data[space + 1..len];
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        if let Some(eq) = record.iter().position(|&b| b == b'=') {
            records.push((&record[..eq], &record[eq + 1..]));
        }
        data = &data[len..];
    }
    records
}
