//! The parallel gzip encoder: one valid gzip member, the same bytes whatever the thread count.

use std::io::{Read, Write};

use flate2::Compression;

use crate::ParallelGzEncoder;

const BLOCK: usize = 512 * 1024;

/// Text-like bytes (they compress) with runs of noise (they do not).
fn sample(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let words: &[&[u8]] = &[b"layer ", b"usr/lib/", b"0755 ", b"root\n", b"sha256:"];
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        if state % 5 == 0 {
            out.extend_from_slice(&state.to_le_bytes());
        } else {
            out.extend_from_slice(words[usize::try_from((state >> 8) % 5).unwrap()]);
        }
    }
    out.truncate(len);
    out
}

fn encode(data: &[u8], workers: usize, chunk: usize, level: Compression) -> Vec<u8> {
    let mut encoder = ParallelGzEncoder::with_workers(Vec::new(), level, workers).unwrap();
    for piece in data.chunks(chunk.max(1)) {
        encoder.write_all(piece).unwrap();
    }
    encoder.finish().unwrap()
}

fn decode(gzip: &[u8]) -> Vec<u8> {
    // GzDecoder reads one member and checks its CRC and length.
    let mut decoder = flate2::read::GzDecoder::new(gzip);
    let mut out = Vec::new();
    decoder.read_to_end(&mut out).unwrap();
    assert_eq!(decoder.into_inner().len(), 0, "bytes after the gzip member");
    out
}

#[test]
fn round_trips_as_one_member_whatever_the_size() {
    let cases = [
        (0, 4096),
        (1, 1),
        (1000, 7),
        (BLOCK - 1, 65536),
        (BLOCK, BLOCK),
        (BLOCK + 1, 100_000),
        (3 * BLOCK + 17, 333_333),
    ];
    for (len, chunk) in cases {
        let data = sample(len, len as u64 + 1);
        for level in [Compression::fast(), Compression::default()] {
            let gzip = encode(&data, 2, chunk, level);
            assert_eq!(&gzip[..3], &[0x1f, 0x8b, 8], "len {len}");
            assert!(decode(&gzip) == data, "len {len}, level {level:?}");
        }
    }
}

#[test]
fn output_does_not_depend_on_threads_or_writes() {
    let data = sample(5 * BLOCK + 12345, 42);
    let one = encode(&data, 1, 4096, Compression::fast());
    for (workers, chunk) in [(2, 1 << 20), (3, 777), (8, data.len())] {
        assert!(
            encode(&data, workers, chunk, Compression::fast()) == one,
            "{workers} workers, writes of {chunk}"
        );
    }
}

#[test]
fn primed_blocks_compress_as_well_as_one_stream() {
    let data = sample(4 * BLOCK, 7);
    let parallel = encode(&data, 2, 65536, Compression::fast()).len();
    let mut single = flate2::write::GzEncoder::new(Vec::new(), Compression::fast());
    single.write_all(&data).unwrap();
    let single = single.finish().unwrap().len();
    // Within 2% of one deflate stream (the sync flushes cost a few bytes per block).
    assert!(parallel * 100 <= single * 102, "{parallel} vs {single}");
}

#[test]
fn other_readers_read_it() {
    let data = sample(2 * BLOCK + 99, 3);
    let gzip = encode(&data, 2, 8192, Compression::fast());
    let Ok(mut child) = std::process::Command::new("gzip")
        .arg("-dc")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    else {
        panic!("gzip(1) is part of every Debian system and of the test set-up");
    };
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&gzip));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(output.status.success());
    assert!(output.stdout == data);
}

#[test]
fn dropped_unfinished_stops_its_workers() {
    let mut encoder = ParallelGzEncoder::with_workers(Vec::new(), Compression::fast(), 2).unwrap();
    encoder.write_all(&sample(3 * BLOCK, 9)).unwrap();
    drop(encoder);
}
