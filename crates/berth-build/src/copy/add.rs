//! ADD's extras: local tar archives extracted into the destination (Docker's
//! `isArchivePath`: a tar, plain or gzip, bzip2 or xz compressed, as the 20.10 engine
//! extracts; zstd is copied as a file there), and http(s) URLs fetched through [`Fetch`].

use std::{
    io::{self, Read},
    os::fd::AsFd,
};

use berth_archive::Compression;
use berth_container::unpack::{self, fs::open_in_root, path::RootPath, UnpackOptions, Whiteouts};
use berth_digest::{Digest, Hasher};
use rustix::fs::OFlags;

use super::{
    source::{display, Source},
    write::Writer,
    Fetch,
};
use crate::error::{Error, Result};

/// The compressions whose tar archives ADD extracts.
fn extracted(compression: Compression) -> bool {
    matches!(
        compression,
        Compression::None | Compression::Gzip | Compression::Bzip2 | Compression::Xz
    )
}

/// Whether `stream`, whose first bytes are `magic`, is a tar archive ADD extracts (Docker's
/// `isArchivePath`): a compression the engine extracts, and a first tar header that reads.
fn is_archive(magic: &[u8], stream: impl Read) -> bool {
    if magic.is_empty() || !extracted(Compression::detect(magic)) {
        return false;
    }
    let Ok(Some((_, reader))) = berth_archive::decompressing_reader(stream, None) else {
        return false;
    };
    let mut archive = tar::Archive::new(reader);
    let first = archive
        .entries()
        .ok()
        .and_then(|mut entries| entries.next());
    matches!(first, Some(Ok(_)))
}

/// The first bytes of a file (for the compression's magic number), the offset put back.
fn magic_of(file: &std::fs::File) -> io::Result<Vec<u8>> {
    let mut magic = vec![0u8; berth_manifest::media_type::COMPRESSION_MAGIC_LEN];
    let mut filled = 0;
    let mut reader = file;
    while filled < magic.len() {
        match reader.read(&mut magic[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    magic.truncate(filled);
    rustix::fs::seek(file, rustix::fs::SeekFrom::Start(0))?;
    Ok(magic)
}

/// Extracts `found` into `dest` when it is a tar archive (BuildKit's `unpack`: the destination
/// is created as a directory owned by the `--chown` user; the archive's entries keep their
/// owners, modes and times). Hostile archives are refused as `load` refuses them.
pub(crate) fn unpack_archive(
    source: &Source<'_>,
    found: &RootPath,
    writer: &Writer<'_>,
    dest: &RootPath,
) -> Result<bool> {
    let Some(file) = source.open_file(found)? else {
        return Ok(false);
    };
    let rewind = |file: &std::fs::File| {
        rustix::fs::seek(file, rustix::fs::SeekFrom::Start(0))
            .map_err(|e| Error::io(format!("read {}", display(found)))(e.into()))
    };
    let magic = magic_of(&file).map_err(Error::io(format!("read {}", display(found))))?;
    if !is_archive(&magic, &file) {
        return Ok(false);
    }
    rewind(&file)?;
    extract(writer, dest, file)?;
    Ok(true)
}

/// Extracts an archive into `dest` (created as a directory). The destination directory is the
/// root of the unpack: nothing in the archive, not even a symlink it creates, can reach outside
/// it. As moby's `Untar`, an entry for the archive's root (`./`) does not change the
/// destination's owner or mode.
fn extract(writer: &Writer<'_>, dest: &RootPath, archive: impl Read) -> Result<()> {
    writer.mkdir_all(dest)?;
    let at = |e: io::Error| Error::io(format!("open {}", display(dest)))(e);
    let dest_fd =
        open_in_root(writer.root, dest, OFlags::RDONLY | OFlags::DIRECTORY).map_err(at)?;
    let before = rustix::fs::fstat(&dest_fd).map_err(|e| at(e.into()))?;
    let layer = unpack::decompress(archive)?;
    unpack::unpack_layer(
        dest_fd.as_fd(),
        layer,
        None,
        &UnpackOptions::new(Whiteouts::Apply),
    )?;
    let restore = || -> rustix::io::Result<()> {
        rustix::fs::fchown(
            &dest_fd,
            Some(rustix::fs::Uid::from_raw(before.st_uid)),
            Some(rustix::fs::Gid::from_raw(before.st_gid)),
        )?;
        rustix::fs::fchmod(
            &dest_fd,
            rustix::fs::Mode::from_raw_mode(before.st_mode & 0o7777),
        )?;
        let now = rustix::fs::Timespec {
            tv_sec: 0,
            tv_nsec: rustix::fs::UTIME_NOW,
        };
        rustix::fs::futimens(
            &dest_fd,
            &rustix::fs::Timestamps {
                last_access: now,
                last_modification: now,
            },
        )
    };
    restore().map_err(|e| at(e.into()))
}

/// The file name BuildKit gives a download: the URL path's last element, else `__unnamed__`.
pub(crate) fn url_file_name(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .split_once('/')
        .map_or("", |(_, path)| path);
    let base = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    if base.is_empty() || base == "." {
        "__unnamed__".to_owned()
    } else {
        base.to_owned()
    }
}

/// Reads a body to its end, hashing it.
fn read_body(mut body: impl Read, url: &str) -> Result<(Vec<u8>, Digest)> {
    let mut data = Vec::new();
    body.read_to_end(&mut data)
        .map_err(Error::io(format!("failed to load cache key: {url}")))?;
    let mut hasher = Hasher::sha256();
    hasher.update(&data);
    Ok((data, hasher.finish()))
}

/// ADD of an http(s) URL: the body written as `dest` (or `dest/NAME` for a directory), mode 0600
/// unless `--chmod`, mtime from Last-Modified (0 without), `--checksum` verified, and extracted
/// only with `--unpack`.
pub(crate) fn url(
    writer: &Writer<'_>,
    url: &str,
    dest: &RootPath,
    dest_is_dir: bool,
    checksum: Option<&str>,
    unpack: bool,
    fetch: &dyn Fetch,
) -> Result<()> {
    let (body, modified) = fetch
        .fetch(url)
        .map_err(Error::io(format!("failed to load cache key: {url}")))?;
    let (data, digest) = read_body(body, url)?;
    if let Some(expected) = checksum {
        let expected = Digest::parse(expected)
            .map_err(|_| Error::Checksum(format!("invalid checksum digest format: {expected}")))?;
        if expected != digest {
            return Err(Error::Checksum(format!(
                "digest mismatch for {url}: {digest} (expected: {expected})"
            )));
        }
    }
    let name = RootPath(vec![url_file_name(url).into_bytes()]);
    if unpack {
        let magic = &data[..data
            .len()
            .min(berth_manifest::media_type::COMPRESSION_MAGIC_LEN)];
        if is_archive(magic, data.as_slice()) {
            return extract(writer, dest, io::Cursor::new(data));
        }
    }
    let target = writer.target(dest, dest_is_dir, &name, false)?;
    writer.write_bytes(
        &target,
        &mut data.as_slice(),
        0o600,
        Some(modified.unwrap_or(0)),
    )
}

/// The digest of a URL's body (the cache key of an ADD of a URL).
pub(crate) fn url_digest(fetch: &dyn Fetch, url: &str) -> Result<Digest> {
    let (body, _) = fetch
        .fetch(url)
        .map_err(Error::io(format!("failed to load cache key: {url}")))?;
    Ok(read_body(body, url)?.1)
}
