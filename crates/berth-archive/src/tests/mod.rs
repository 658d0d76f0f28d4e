//! Unit tests: shared helpers (an in-memory tar writer that also writes what tar-rs refuses to,
//! compressors, a store snapshot) and one module per operation.

use std::io::Write;

use berth_store::Store;

mod fuzz;
mod import;
mod layer;
mod load;
mod pgzip;
mod save;

/// A temporary store.
pub(crate) fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("root")).unwrap();
    (dir, store)
}

/// Everything a failed operation must leave as it was: `index.json`, the blob list, the ingest
/// area, and the layer records.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Snapshot {
    index: Vec<u8>,
    blobs: Vec<String>,
    ingest: Vec<String>,
    layers: Vec<String>,
}

fn list(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

pub(crate) fn snapshot(store: &Store) -> Snapshot {
    let root = store.root();
    Snapshot {
        index: std::fs::read(root.join("index.json")).unwrap(),
        blobs: list(&root.join("blobs/sha256")),
        ingest: list(&root.join("berth/ingest")),
        layers: list(&root.join("berth/layers")),
    }
}

/// One entry of a hand-made tar.
#[derive(Clone)]
pub(crate) struct Raw<'a> {
    pub name: &'a [u8],
    pub kind: u8,
    pub link: &'a [u8],
    pub data: &'a [u8],
}

pub(crate) fn file<'a>(name: &'a str, data: &'a [u8]) -> Raw<'a> {
    Raw {
        name: name.as_bytes(),
        kind: b'0',
        link: b"",
        data,
    }
}

pub(crate) fn dir(name: &str) -> Raw<'_> {
    Raw {
        name: name.as_bytes(),
        kind: b'5',
        link: b"",
        data: b"",
    }
}

pub(crate) fn symlink<'a>(name: &'a str, target: &'a str) -> Raw<'a> {
    Raw {
        name: name.as_bytes(),
        kind: b'2',
        link: target.as_bytes(),
        data: b"",
    }
}

pub(crate) fn hardlink<'a>(name: &'a str, target: &'a str) -> Raw<'a> {
    Raw {
        name: name.as_bytes(),
        kind: b'1',
        link: target.as_bytes(),
        data: b"",
    }
}

/// A PAX extended header (`x`) carrying `records`, to precede the next entry.
pub(crate) fn pax_block(records: &[(&str, &[u8])]) -> Vec<u8> {
    let mut data = Vec::new();
    for (key, value) in records {
        // "<len> <key>=<value>\n", where <len> counts itself.
        let body = key.len() + value.len() + 3;
        let mut len = body + 1;
        while len != body + len.to_string().len() {
            len = body + len.to_string().len();
        }
        data.extend_from_slice(format!("{len} {key}=").as_bytes());
        data.extend_from_slice(value);
        data.push(b'\n');
    }
    let mut out = header_block(b"PaxHeader", b'x', data.len() as u64, b"").to_vec();
    out.extend_from_slice(&padded(&data));
    out
}

/// A ustar header with the name and link written byte for byte (tar-rs's setters refuse `..`).
pub(crate) fn header_block(name: &[u8], kind: u8, size: u64, link: &[u8]) -> [u8; 512] {
    let mut header = tar::Header::new_ustar();
    header.set_size(size);
    header.set_mode(if kind == b'5' { 0o755 } else { 0o644 });
    header.set_mtime(0);
    header.set_uid(0);
    header.set_gid(0);
    header.set_entry_type(tar::EntryType::new(kind));
    let old = header.as_old_mut();
    old.name[..name.len()].copy_from_slice(name);
    old.linkname[..link.len()].copy_from_slice(link);
    header.set_cksum();
    let mut block = [0; 512];
    block.copy_from_slice(header.as_bytes());
    block
}

fn padded(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    out.resize(data.len().div_ceil(512) * 512, 0);
    out
}

/// The bytes of one entry (header and padded data), without the end-of-archive blocks.
pub(crate) fn entry_bytes(entry: &Raw<'_>) -> Vec<u8> {
    let mut out =
        header_block(entry.name, entry.kind, entry.data.len() as u64, entry.link).to_vec();
    out.extend_from_slice(&padded(entry.data));
    out
}

/// A complete tar of `entries`, with the two end-of-archive blocks.
pub(crate) fn tar(entries: &[Raw<'_>]) -> Vec<u8> {
    let mut out: Vec<u8> = entries.iter().flat_map(entry_bytes).collect();
    out.extend_from_slice(&[0; 1024]);
    out
}

/// A small deterministic root file system, with a whiteout and an opaque marker as real layers have.
pub(crate) fn rootfs() -> Vec<u8> {
    tar(&[
        dir("bin/"),
        file("bin/busybox", b"#!/bin/true\nnot really busybox\n"),
        symlink("bin/sh", "busybox"),
        hardlink("bin/ls", "bin/busybox"),
        dir("etc/"),
        file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"),
        file("etc/.wh.shadow", b""),
        dir("tmp/"),
        file("tmp/.wh..wh..opq", b""),
        symlink("var-run", "/run"),
    ])
}

pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

pub(crate) fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

pub(crate) fn xz(data: &[u8]) -> Vec<u8> {
    let mut encoder = liblzma::write::XzEncoder::new(Vec::new(), 6);
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

pub(crate) fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}
