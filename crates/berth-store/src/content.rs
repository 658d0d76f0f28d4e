//! A layer's content size (Docker's image SIZE: the bytes of its regular files plus the lengths of
//! its symlink targets), counted from the uncompressed tar stream as it is written through, so that
//! code that already streams a layer (a pull's diff_id check) learns it without a second pass. Only
//! the headers are read: 512-byte blocks, PAX `size` and `linkpath`, GNU long link names. It counts
//! what `berth_archive`'s entry walk counts; a stream it cannot follow, or one cut short, yields no
//! size (`finish` returns `None`), never a wrong one.

use std::io::{self, Write};

const BLOCK: usize = 512;

/// Counts the content size of the tar stream written into it.
#[derive(Debug, Default)]
pub struct ContentCounter {
    /// Bytes of the current header block gathered so far.
    header: Vec<u8>,
    /// Bytes of the current entry's data (and padding) still to come.
    skip: u64,
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
}

/// The data of PAX and GNU entries is read (small); larger ones are not what they claim to be.
const MAX_META_BYTES: u64 = 1 << 20;

impl ContentCounter {
    pub fn new() -> ContentCounter {
        ContentCounter::default()
    }

    /// The content size, or `None` if the stream was not a whole tar archive berth could follow (one
    /// without its end-of-archive blocks is refused as truncated, as the entry walk refuses it).
    pub fn finish(self) -> Option<u64> {
        (!self.lost && self.ended).then_some(self.content)
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
        self.zero_blocks = 0;
        let Some(size) = numeric(&block[124..136]) else {
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
        self.skip = if matches!(kind, b'1' | b'2' | b'3' | b'4' | b'5' | b'6') {
            0
        } else {
            padded(size)
        };
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
        while !buf.is_empty() && !self.ended && !self.lost {
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

/// A tar numeric field: octal text (spaces and NULs around it), or base-256 when the high bit of the
/// first byte is set.
fn numeric(field: &[u8]) -> Option<u64> {
    if field[0] & 0x80 != 0 {
        let mut value: u64 = u64::from(field[0] & 0x7f);
        for &b in &field[1..] {
            value = value.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(value);
    }
    let text: Vec<u8> = field
        .iter()
        .copied()
        .skip_while(|b| *b == b' ')
        .take_while(|b| *b != 0 && *b != b' ')
        .collect();
    if text.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(std::str::from_utf8(&text).ok()?, 8).ok()
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
