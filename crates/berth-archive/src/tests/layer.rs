//! The one layer digester: compression detection, hostile entries, truncation, digests and sizes,
//! pushed (pull, commit) or read (load, import, system check).

use std::io::Write;

use berth_digest::Digest;

use super::*;
use crate::{
    check_layer, ingest_layer, Compression, Entries, Error, LayerDigester, Limits, Threads,
};

/// `Ok(())` or the name of the expected error variant.
type Expect = Result<(), &'static str>;

fn check(label: &str, input: &[u8], limits: &Limits, expected: Expect) {
    let actual = check_layer(input, limits)
        .map(drop)
        .map_err(|e| format!("{e:?}"));
    match (&actual, expected) {
        (Ok(()), Ok(())) => {}
        (Err(actual), Err(variant)) if actual.starts_with(variant) => {}
        _ => panic!("{label}: expected {expected:?}, got {actual:?}"),
    }
    // The same input through ingest leaves nothing behind when it fails.
    if expected.is_err() {
        let (_dir, store) = store();
        let before = snapshot(&store);
        assert!(ingest_layer(&store, input, limits).is_err(), "{label}");
        assert_eq!(before, snapshot(&store), "{label}: store changed");
    }
}

fn cut(mut data: Vec<u8>, len: usize) -> Vec<u8> {
    data.truncate(len);
    data
}

#[test]
fn hostile_and_broken_tars() {
    let no_limits = Limits::default();
    let one_file = tar(&[file("a", &[b'x'; 1000])]);
    let mut two_gzip_members = gzip(&tar(&[file("a", b"1")])[..512 * 2]);
    two_gzip_members.extend(gzip(&tar(&[file("a", b"1")])[512 * 2..]));
    let mut gzip_then_garbage = gzip(&rootfs());
    gzip_then_garbage.extend_from_slice(b"garbage");
    let mut pax_nul = pax_block(&[("path", b"a\0b")]);
    pax_nul.extend(tar(&[file("a", b"")]));
    // CVE-2025-62518 shape: ustar size 0, PAX size covering a smuggled `../evil` header. tar-rs
    // (like Go) honours the PAX size, so the smuggled header is file data, not an entry.
    let smuggled = entry_bytes(&file("../evil", b"boom"));
    let mut pax_smuggle = pax_block(&[("size", smuggled.len().to_string().as_bytes())]);
    pax_smuggle.extend_from_slice(&header_block(b"innocent", b'0', 0, b""));
    pax_smuggle.extend_from_slice(&smuggled);
    pax_smuggle.extend_from_slice(&[0; 1024]);
    let mut long_name = pax_block(&[("path", "a/".repeat(2100).as_bytes())]);
    long_name.extend(tar(&[file("a", b"")]));
    let cases: Vec<(&str, Vec<u8>, Limits, Expect)> = vec![
        ("rootfs", rootfs(), no_limits, Ok(())),
        ("empty archive", vec![0; 1024], no_limits, Ok(())),
        ("one end block", vec![0; 512], no_limits, Ok(())),
        (
            "dot slash names",
            tar(&[dir("./"), file("./a/../b", b"")]),
            no_limits,
            Ok(()),
        ),
        (
            "absolute name",
            tar(&[file("/etc/x", b"")]),
            no_limits,
            Ok(()),
        ),
        (
            "whiteout of a file",
            tar(&[file("bin/.wh.vi", b"")]),
            no_limits,
            Ok(()),
        ),
        (
            "opaque dir",
            tar(&[file("a/.wh..wh..opq", b"")]),
            no_limits,
            Ok(()),
        ),
        ("multi-member gzip", two_gzip_members, no_limits, Ok(())),
        ("pax size smuggling", pax_smuggle, no_limits, Ok(())),
        (
            "dotdot",
            tar(&[file("../x", b"")]),
            no_limits,
            Err("UnsafePath"),
        ),
        (
            "slash dotdot",
            tar(&[file("/../x", b"")]),
            no_limits,
            Err("UnsafePath"),
        ),
        (
            "nested dotdot",
            tar(&[file("a/../../x", b"")]),
            no_limits,
            Err("UnsafePath"),
        ),
        (
            "dotdot dir",
            tar(&[dir("a/../../")]),
            no_limits,
            Err("UnsafePath"),
        ),
        ("NUL in pax path", pax_nul, no_limits, Err("UnsafePath")),
        ("too long", long_name, no_limits, Err("PathTooLong")),
        (
            "absolute hardlink",
            tar(&[hardlink("x", "/etc/passwd")]),
            no_limits,
            Err("UnsafeHardlink"),
        ),
        (
            "escaping hardlink",
            tar(&[hardlink("x", "../../etc/passwd")]),
            no_limits,
            Err("UnsafeHardlink"),
        ),
        (
            "hardlink to root",
            tar(&[hardlink("x", "a/..")]),
            no_limits,
            Err("UnsafeHardlink"),
        ),
        (
            "whiteout .wh.",
            tar(&[file("a/.wh.", b"")]),
            no_limits,
            Err("InvalidWhiteout"),
        ),
        (
            "whiteout .wh..",
            tar(&[file("a/.wh..", b"")]),
            no_limits,
            Err("InvalidWhiteout"),
        ),
        (
            "whiteout .wh...",
            tar(&[file(".wh...", b"")]),
            no_limits,
            Err("InvalidWhiteout"),
        ),
        (
            "root as symlink",
            tar(&[symlink(".", "/etc")]),
            no_limits,
            Err("RootEntry"),
        ),
        (
            "root as file",
            tar(&[file("/", b"x")]),
            no_limits,
            Err("RootEntry"),
        ),
        ("empty stream", vec![], no_limits, Err("EmptyInput")),
        (
            "truncated in data",
            cut(one_file.clone(), 700),
            no_limits,
            Err("Truncated"),
        ),
        // Go's archive/tar ends the archive there (a_stream_may_end_where_go_lets_it_and_nowhere_else).
        (
            "truncated at the end of the data",
            cut(one_file.clone(), 1500),
            no_limits,
            Err("Truncated"),
        ),
        (
            "ends in padding",
            cut(one_file.clone(), 1520),
            no_limits,
            Ok(()),
        ),
        (
            "no end block",
            cut(one_file.clone(), 1536),
            no_limits,
            Ok(()),
        ),
        (
            "truncated header",
            cut(one_file.clone(), 100),
            no_limits,
            Err("RefusedEnd"),
        ),
        (
            "truncated gzip",
            cut(gzip(&one_file), 30),
            no_limits,
            Err("Decompress"),
        ),
        (
            "truncated zstd",
            cut(zstd(&rootfs()), 40),
            no_limits,
            Err("Decompress"),
        ),
        (
            "not a tar",
            b"hello, this is not a tar file at all".repeat(20),
            no_limits,
            Err("InvalidTar"),
        ),
        (
            "not a tar, shorter than a header",
            b"hello, this is not a tar file at all".to_vec(),
            no_limits,
            Err("RefusedEnd"),
        ),
        (
            "not a tar block",
            vec![b'x'; 2048],
            no_limits,
            Err("InvalidTar"),
        ),
        (
            "gzip of text",
            gzip(&[b'x'; 2048]),
            no_limits,
            Err("InvalidTar"),
        ),
        (
            "garbage after gzip",
            gzip_then_garbage,
            no_limits,
            Err("Decompress"),
        ),
        (
            "gzip bomb",
            gzip(&tar(&[file("zeros", &vec![0; 1 << 20])])),
            Limits {
                max_uncompressed_size: Some(64 * 1024),
            },
            Err("TooLarge"),
        ),
    ];
    for (label, input, limits, expected) in &cases {
        check(label, input, limits, *expected);
    }
}

#[test]
fn garbage_after_the_end_blocks_counts_in_the_diff_id() {
    // ggcr #2303: the digest covers the whole stream, not just what the tar parser looked at.
    let mut input = rootfs();
    input.extend_from_slice(b"trailing bytes the tar parser never reads");
    let digests = check_layer(&input[..], &Limits::default()).unwrap();
    assert_eq!(digests.info.diff_id, Digest::sha256(&input));
    assert_eq!(digests.info.uncompressed_size, input.len() as u64);
    assert_eq!(digests.compressed_size, input.len() as u64);
}

#[test]
fn every_compression_is_detected_and_stored_as_oci_allows() {
    let plain = rootfs();
    let diff_id = Digest::sha256(&plain);
    let cases: [(Compression, Vec<u8>, &str, bool); 5] = [
        (
            Compression::None,
            plain.clone(),
            "application/vnd.oci.image.layer.v1.tar",
            true,
        ),
        (
            Compression::Gzip,
            gzip(&plain),
            "application/vnd.oci.image.layer.v1.tar+gzip",
            true,
        ),
        (
            Compression::Zstd,
            zstd(&plain),
            "application/vnd.oci.image.layer.v1.tar+zstd",
            true,
        ),
        (
            Compression::Bzip2,
            bzip2(&plain),
            "application/vnd.oci.image.layer.v1.tar",
            false,
        ),
        (
            Compression::Xz,
            xz(&plain),
            "application/vnd.oci.image.layer.v1.tar",
            false,
        ),
    ];
    for (compression, input, media_type, stored_as_is) in cases {
        assert_eq!(Compression::detect(&input[..6]), compression);
        let (_dir, store) = store();
        let layer = ingest_layer(&store, &input[..], &Limits::default()).unwrap();
        assert_eq!(layer.digests.compression, compression);
        assert_eq!(layer.digests.info.diff_id, diff_id, "{compression}");
        assert_eq!(layer.digests.info.uncompressed_size, plain.len() as u64);
        assert_eq!(layer.digests.compressed_size, input.len() as u64);
        // busybox (31) + passwd (30) bytes of file content + the 11-byte target of the symlink, as
        // Docker's graph drivers measure a layer; hard links, dirs and whiteouts count nothing.
        assert_eq!(layer.digests.info.content_size, Some(72));
        assert_eq!(layer.media_type, media_type);
        let stored = if stored_as_is { &input } else { &plain };
        assert_eq!(
            *layer.blob.digest(),
            Digest::sha256(stored),
            "{compression}"
        );
        assert_eq!(layer.blob.size(), stored.len() as u64);
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut layer.blob.reader().unwrap(), &mut back).unwrap();
        assert_eq!(&back, stored);
    }
}

#[test]
fn magic_bytes_table() {
    let cases: [(&[u8], Compression); 7] = [
        (&[0x1f, 0x8b, 0x08, 0], Compression::Gzip),
        (b"BZh91AY", Compression::Bzip2),
        (&[0xfd, b'7', b'z', b'X', b'Z', 0], Compression::Xz),
        (&[0x28, 0xb5, 0x2f, 0xfd], Compression::Zstd),
        (b"ustar", Compression::None),
        (&[0x1f], Compression::None),
        (b"", Compression::None),
    ];
    for (prefix, expected) in cases {
        assert_eq!(Compression::detect(prefix), expected, "{prefix:?}");
    }
}

/// The digester pushed through `Write` (what a pull and commit do as bytes go by) learns what it
/// learns when it reads, on every kind of tar, whatever sizes the stream comes in.
#[test]
fn pushed_and_read_digests_agree() {
    let long_target = "t".repeat(300);
    let long_name = "n".repeat(200);
    let mut pax_link = pax_block(&[("linkpath", long_target.as_bytes())]);
    pax_link.extend(entry_bytes(&symlink("link", "short")));
    let mut pax_size = pax_block(&[("size", b"700"), ("mtime", b"1.5")]);
    pax_size.extend(header_block(b"big", b'0', 0, b""));
    pax_size.extend(vec![b'y'; 1024]);
    let mut gnu_long_link = header_block(b"././@LongLink", b'K', 301, b"").to_vec();
    let mut target = long_target.clone().into_bytes();
    target.push(0);
    target.resize(512, 0);
    gnu_long_link.extend(target);
    gnu_long_link.extend(entry_bytes(&symlink("glink", "short")));
    let mut gnu_long_name = header_block(b"././@LongLink", b'L', 201, b"").to_vec();
    let mut name = long_name.into_bytes();
    name.push(0);
    name.resize(512, 0);
    gnu_long_name.extend(name);
    gnu_long_name.extend(entry_bytes(&file("short", b"12345")));
    let mut no_end = entry_bytes(&file("a", b"abc"));
    no_end.extend(entry_bytes(&symlink("b", "a")));
    let mut trailing = tar(&[file("a", b"abc")]);
    trailing.extend(vec![7u8; 700]);
    let fixture_layers = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/fixtures/docker-20.10-save.tar"),
    )
    .ok();
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("rootfs", rootfs()),
        ("empty", tar(&[])),
        ("big file", tar(&[file("big", &vec![b'z'; 70_000])])),
        ("pax linkpath", [pax_link, vec![0; 1024]].concat()),
        ("pax size", [pax_size, vec![0; 1024]].concat()),
        ("gnu long link", [gnu_long_link, vec![0; 1024]].concat()),
        ("gnu long name", [gnu_long_name, vec![0; 1024]].concat()),
        ("bytes after the end", trailing),
        // Not a tar: no content size rather than a wrong one (a pull still learns its diff_id).
        ("not a tar", b"hello layer".repeat(1000)),
        ("not a tar, gzip", gzip(&b"hello layer".repeat(1000))),
        ("rootfs, zstd", zstd(&rootfs())),
    ];
    if let Some(archive) = &fixture_layers {
        // The fixture's own layers, as Docker wrote them.
        let mut outer = tar::Archive::new(&archive[..]);
        for entry in outer.entries().unwrap() {
            let mut entry = entry.unwrap();
            if entry.path().unwrap().ends_with("layer.tar") && entry.header().entry_type().is_file()
            {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
                cases.push(("fixture layer", bytes));
            }
        }
    }
    for (label, input) in &cases {
        let read =
            LayerDigester::read(&input[..], Entries::Count, &Limits::default(), Threads::Two)
                .unwrap_or_else(|e| panic!("{label}: {e:?}"));
        assert_eq!(pushed(input), vec![End::Complete(read.clone())], "{label}");
        // A pull's one-thread pass learns the same.
        let inline =
            LayerDigester::read(&input[..], Entries::Count, &Limits::default(), Threads::One)
                .unwrap_or_else(|e| panic!("{label}, one thread: {e:?}"));
        assert_eq!(inline, read, "{label}, one thread");
        if !label.starts_with("not a tar") {
            let checked = check_layer(&input[..], &Limits::default())
                .unwrap_or_else(|e| panic!("{label}: {e:?}"));
            assert_eq!(checked, read, "{label}");
        }
    }
}

/// How the digester ended a stream: Go's rule, seen from outside.
#[derive(Debug, PartialEq, Eq)]
enum End {
    Complete(crate::LayerDigests),
    /// Cut inside a header, an entry's data or the second zero block, or a zero block followed by
    /// a header: every Go-based tool refuses it, and so does berth.
    Refused,
}

/// The pushed digester's verdict on `input` written in pieces of every size that matters.
fn pushed(input: &[u8]) -> Vec<End> {
    let mut verdicts: Vec<End> = [1, 7, 512, 513, 4096, usize::MAX]
        .into_iter()
        .map(|chunk| {
            let mut digester = LayerDigester::new(Entries::Count, Limits::default());
            for piece in input.chunks(chunk.min(input.len().max(1))) {
                digester.write_all(piece).unwrap();
            }
            match digester.finish() {
                Ok(digests) => End::Complete(digests),
                Err(Error::Truncated | Error::RefusedEnd(_)) => End::Refused,
                Err(error) => panic!("{error:?}"),
            }
        })
        .collect();
    // And read on one thread, as a pull's download is.
    verdicts.push(
        match LayerDigester::read(input, Entries::Count, &Limits::default(), Threads::One) {
            Ok(digests) => End::Complete(digests),
            Err(Error::Truncated | Error::RefusedEnd(_)) => End::Refused,
            Err(error) => panic!("{error:?}"),
        },
    );
    verdicts.dedup();
    verdicts
}

/// Where a tar stream may end: Go's archive/tar rule (docs/archives.md), which Docker, containerd,
/// podman and skopeo apply. The digester read (load, import, system check) and pushed (pull, commit)
/// gives the same verdict at every cut; the unpacker walks with the same walker. umoci 0.4.7 writes the "after the
/// data" case (issue #12).
#[test]
fn a_stream_may_end_where_go_lets_it_and_nowhere_else() {
    // a: header 0..512, 700 bytes of data 512..1212, padding to 1536; b: header 1536..2048,
    // 1000 bytes 2048..3048, padding to 3072; the end-of-archive blocks 3072..4096.
    let whole = tar(&[file("a", &[b'x'; 700]), file("b", &[b'y'; 1000])]);
    assert_eq!(whole.len(), 4096);
    let mut zero_then_header = entry_bytes(&file("a", &[b'x'; 700]));
    zero_then_header.extend([0u8; 512]);
    zero_then_header.extend(entry_bytes(&file("b", &[b'y'; 1000])));
    let mut after_the_end = whole.clone();
    after_the_end.extend(entry_bytes(&file("c", b"ignored, as Go ignores it")));
    let cut = |at: usize| whole[..at].to_vec();
    let cases: Vec<(&str, Vec<u8>, Option<u64>)> = vec![
        ("inside the first header", cut(100), None),
        ("right after the first header", cut(512), None),
        ("inside the first entry's data", cut(1000), None),
        ("right after the first entry's data", cut(1212), Some(700)),
        ("inside the first entry's padding", cut(1400), Some(700)),
        ("between the entries", cut(1536), Some(700)),
        ("inside the second header", cut(1600), None),
        ("one byte short of the data", cut(3047), None),
        (
            "right after the last entry's data (umoci)",
            cut(3048),
            Some(1700),
        ),
        ("no end-of-archive blocks", cut(3072), Some(1700)),
        ("inside the first zero block", cut(3300), None),
        ("after one zero block", cut(3584), Some(1700)),
        ("inside the second zero block", cut(3800), None),
        ("whole", whole.clone(), Some(1700)),
        (
            "entries after the end-of-archive blocks",
            after_the_end,
            Some(1700),
        ),
        ("a zero block followed by a header", zero_then_header, None),
    ];
    for (label, input, expected) in cases {
        let walked = check_layer(&input[..], &Limits::default());
        match expected {
            Some(size) => {
                let digests = walked.unwrap_or_else(|e| panic!("{label}: refused: {e}"));
                assert_eq!(digests.info.content_size, Some(size), "{label}");
                // The diff_id covers the bytes as they are, never a repaired stream.
                assert_eq!(
                    digests.info.diff_id,
                    berth_digest::Digest::sha256(&input),
                    "{label}"
                );
                assert_eq!(
                    digests.info.uncompressed_size,
                    input.len() as u64,
                    "{label}"
                );
                assert_eq!(pushed(&input), vec![End::Complete(digests)], "{label}");
            }
            None => {
                assert!(walked.is_err(), "{label}: accepted");
                assert_eq!(pushed(&input), vec![End::Refused], "{label}");
            }
        }
        // Compressed, the same verdict.
        let gzipped = check_layer(&gzip(&input)[..], &Limits::default());
        assert_eq!(gzipped.is_ok(), expected.is_some(), "{label} (gzip)");
    }
}

/// A read that fails below the walk is that failure, never "not a tar" (which a pull would take as
/// a layer without a content size and hash a prefix of): on every path, in both modes.
#[test]
fn a_failed_read_is_reported_as_itself() {
    struct FailsAfter(Vec<u8>, usize);
    impl std::io::Read for FailsAfter {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.1 >= self.0.len() {
                return Err(std::io::Error::from_raw_os_error(5));
            }
            let n = buf.len().min(self.0.len() - self.1);
            buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
            self.1 += n;
            Ok(n)
        }
    }
    let whole = tar(&[file("a", &[b'x'; 700]), file("b", &[b'y'; 1000])]);
    for cut in [0, 100, 512, 1000, 2048] {
        for entries in [Entries::Check, Entries::Count] {
            for threads in [Threads::Two, Threads::One] {
                let input = FailsAfter(whole[..cut].to_vec(), 0);
                let result = LayerDigester::read(input, entries, &Limits::default(), threads);
                assert!(
                    matches!(&result, Err(Error::Io { source, .. }) if source.raw_os_error() == Some(5))
                        || (cut == 0 && matches!(&result, Err(Error::Io { .. }))),
                    "cut {cut}, {entries:?}, {threads:?}: {result:?}"
                );
            }
        }
    }
}
