//! COPY and ADD as BuildKit runs them (the Dockerfile frontend's `dispatchCopy`, the file-op
//! backend's `docopy` and fsutil's `copy`): wildcards, a directory's contents copied rather than
//! the directory, the destination's trailing slash, missing parents created, `--chown`,
//! `--chmod`, `--exclude`, `--parents`, heredocs, ADD's archives and URLs. Every write goes
//! through `write::Writer`, fd-relative inside the rootfs.

mod add;
mod files;
mod options;
mod source;
mod write;

use std::os::fd::BorrowedFd;

use berth_container::unpack::path::RootPath;
use berth_digest::{Digest, Hasher};
use berth_dockerfile::{ignore::Matcher, SourceContent};

use crate::{
    context::{Context, FileDigests, FileFacts},
    error::{Error, Result},
};
use source::{Node, Source};
use write::{Attributes, Writer};

/// Where COPY/ADD read from.
pub enum SourceRoot<'a> {
    /// The build context (ignored paths invisible).
    Context(&'a Context),
    /// Another stage's or an image's root filesystem, mounted read-only by the caller (`COPY --from`).
    Rootfs(BorrowedFd<'a>),
}

pub enum CopyKind<'a> {
    Copy,
    /// ADD: local tar archives auto-extracted (every compression Docker handles), http(s) URLs fetched
    /// through `fetch`, `--checksum` verified, `--unpack`.
    Add {
        checksum: Option<&'a str>,
        unpack: Option<bool>,
        fetch: &'a dyn Fetch,
    },
}

pub struct CopyRequest<'a> {
    /// Sources as expanded (berth_dockerfile::expand), relative to the source root; wildcards allowed.
    pub sources: &'a [String],
    /// Heredoc sources (`COPY <<EOF /x`), already expanded where BuildKit expands them.
    pub contents: &'a [SourceContent],
    /// The destination as expanded; relative ones are joined to `workdir`.
    pub dest: &'a str,
    pub workdir: &'a str,
    /// `--chown` as written (expanded): names resolved against the DESTINATION rootfs's /etc/passwd and
    /// /etc/group (berth_container::resolve_user / read_database), numbers taken as they are.
    pub chown: Option<&'a str>,
    /// `--chmod` as written (octal; BuildKit's rules).
    pub chmod: Option<&'a str>,
    /// `--exclude` patterns.
    pub exclude: &'a [String],
    /// `COPY --parents`.
    pub parents: bool,
    pub kind: CopyKind<'a>,
}

/// ADD's downloads; the CLI implements it (the build crate has no HTTP client).
pub trait Fetch: Sync {
    /// The body of `url` and its Last-Modified time (seconds since the epoch) if the server sent one.
    fn fetch(&self, url: &str) -> std::io::Result<(Box<dyn std::io::Read + Send>, Option<i64>)>;
}

impl SourceRoot<'_> {
    fn source(&self) -> Source<'_> {
        match self {
            SourceRoot::Context(context) => Source {
                root: context.root(),
                context: Some(context),
            },
            SourceRoot::Rootfs(fd) => Source {
                root: *fd,
                context: None,
            },
        }
    }
}

/// The destination of a COPY: its path inside the rootfs and whether it names a directory
/// (BuildKit's `pathRelativeToWorkingDir` and `cleanPath`: a trailing `/` or `/.`, or `.`).
fn destination(dest: &str, workdir: &str) -> (RootPath, bool) {
    let dest = if dest.is_empty() || dest == "." {
        "./"
    } else {
        dest
    };
    let joined = if dest.starts_with('/') {
        dest.to_owned()
    } else {
        format!("{}/{dest}", workdir.trim_end_matches('/'))
    };
    let dir = joined.ends_with('/') || joined.ends_with("/.");
    (RootPath::clean_clamped(joined.as_bytes()), dir)
}

/// A source split at `--parents`'s pivot (`a/./b/c`: `a` is dropped, `b/c` kept).
fn pivot(source: &str, parents: bool) -> (&str, &str) {
    if !parents {
        return ("", source);
    }
    match source.split_once("/./") {
        Some((parent, rest)) => (parent, rest),
        None => ("", source),
    }
}

fn is_url(source: &str) -> bool {
    source.starts_with("http://") || source.starts_with("https://")
}

/// Copies into `rootfs` (the step's mounted root filesystem, a directory fd): every write fd-relative and
/// resolved inside `rootfs` (never through a symlink out of it), directory and trailing-slash semantics,
/// ownership (default 0:0), modes, mtimes as BuildKit keeps them. Errors in BuildKit's words.
pub fn copy(
    from: &SourceRoot<'_>,
    rootfs: BorrowedFd<'_>,
    request: &CopyRequest<'_>,
) -> Result<()> {
    options::check(request)?;
    let attributes = Attributes {
        owner: options::owner(request.chown, rootfs)?,
        mode: options::mode(request.chmod)?,
        from_context: matches!(from, SourceRoot::Context(_)),
    };
    let (dest, dest_is_dir) = destination(request.dest, request.workdir);
    let exclude = exclude_matcher(request.exclude)?;
    let source = from.source();
    for pattern in request.sources {
        let writer = Writer::new(rootfs, attributes);
        if let (
            CopyKind::Add {
                checksum,
                unpack,
                fetch,
            },
            true,
        ) = (&request.kind, is_url(pattern))
        {
            add::url(
                &writer,
                pattern,
                &dest,
                dest_is_dir,
                *checksum,
                unpack.unwrap_or(false),
                *fetch,
            )?;
            continue;
        }
        let unpack = match request.kind {
            CopyKind::Add { unpack, .. } => unpack.unwrap_or(true),
            CopyKind::Copy => false,
        };
        copy_source(
            &source,
            writer,
            pattern,
            &dest,
            dest_is_dir,
            exclude.as_ref(),
            request.parents,
            unpack,
        )?;
    }
    for content in request.contents {
        let writer = Writer::new(
            rootfs,
            Attributes {
                from_context: true,
                ..attributes
            },
        );
        let name = RootPath::clean_clamped(content.path.as_bytes());
        let target = writer.target(&dest, dest_is_dir, &name, false)?;
        writer.write_bytes(&target, &mut content.data.as_bytes(), 0o644, None)?;
    }
    Ok(())
}

fn exclude_matcher(exclude: &[String]) -> Result<Option<Matcher>> {
    if exclude.is_empty() {
        return Ok(None);
    }
    Ok(Some(Matcher::new(exclude)?))
}

/// One local source: its matches, each copied as fsutil copies it.
#[allow(clippy::too_many_arguments)]
fn copy_source(
    source: &Source<'_>,
    mut writer: Writer<'_>,
    pattern: &str,
    dest: &RootPath,
    dest_is_dir: bool,
    exclude: Option<&Matcher>,
    parents: bool,
    unpack: bool,
) -> Result<()> {
    let (parent, rest) = pivot(pattern, parents);
    let parent_path = RootPath::clean_clamped(parent.as_bytes());
    let full = if parent.is_empty() {
        rest.to_owned()
    } else {
        format!("{parent}/{rest}")
    };
    let wildcard = source::has_wildcards(&full);
    let mut matches = source.resolve(&full)?;
    if wildcard {
        if let Some(exclude) = exclude {
            matches.retain(|m| {
                let base =
                    m.0.last()
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .unwrap_or_default();
                !exclude.matches(&base).unwrap_or(false)
            });
        }
    }
    if matches.is_empty() {
        return Ok(()); // BuildKit's AllowEmptyWildcard: nothing copied, no error
    }
    if dest_is_dir {
        writer.mkdir_all(dest)?;
    } else if let Some((dest_parent, _)) = dest.split_last() {
        writer.mkdir_all(&dest_parent)?;
    }
    for found in matches {
        if unpack && add::unpack_archive(source, &found, &writer, dest)? {
            continue;
        }
        let target = if parents {
            let rel = RootPath(
                found
                    .0
                    .get(parent_path.0.len()..)
                    .unwrap_or_default()
                    .to_vec(),
            );
            RootPath(dest.0.iter().chain(rel.0.iter()).cloned().collect())
        } else {
            let is_dir = source.is_dir(&found)?;
            let base = RootPath(found.0.last().cloned().into_iter().collect());
            writer.target(dest, dest_is_dir, &base, is_dir)?
        };
        if source.is_dir(&found)? {
            writer.mkdir_all(&target)?;
        } else if let Some((target_parent, _)) = target.split_last() {
            writer.mkdir_all(&target_parent)?;
        }
        source.walk(&found, exclude, &mut |visit| writer.write(&target, &visit))?;
        writer.wait()?;
    }
    writer.finish()
}

impl Writer<'_> {
    /// fsutil's `prepareTargetDir`: a file (or a directory copied whole) goes into an existing
    /// directory under its own name; otherwise it becomes the destination.
    fn target(
        &self,
        dest: &RootPath,
        dest_is_dir: bool,
        base: &RootPath,
        source_is_dir: bool,
    ) -> Result<RootPath> {
        if source_is_dir {
            return Ok(dest.clone());
        }
        let existing_dir = self.stat(dest)?.is_some_and(|st| {
            rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::Directory
        });
        if existing_dir || dest_is_dir {
            return Ok(RootPath(
                dest.0.iter().chain(base.0.iter()).cloned().collect(),
            ));
        }
        Ok(dest.clone())
    }
}

/// The cache key part of a COPY/ADD: a digest of the matched sources' content and metadata (names, types,
/// modes, owners, link targets, xattrs; NOT mtimes), as BuildKit's content checksum. Same sources -> same digest.
/// For ADD of a URL: the downloaded body's digest (BuildKit fetches to compute it).
pub fn sources_checksum(from: &SourceRoot<'_>, request: &CopyRequest<'_>) -> Result<Digest> {
    let mut hasher = Hasher::sha256();
    let from_context = matches!(from, SourceRoot::Context(_));
    let digests = match from {
        SourceRoot::Context(context) => context.digests(),
        SourceRoot::Rootfs(_) => None,
    };
    let exclude = exclude_matcher(request.exclude)?;
    let source = from.source();
    for pattern in request.sources {
        record(&mut hasher, b"source", pattern.as_bytes());
        if let (CopyKind::Add { fetch, .. }, true) = (&request.kind, is_url(pattern)) {
            let digest = add::url_digest(*fetch, pattern)?;
            record(&mut hasher, b"url", digest.to_string().as_bytes());
            continue;
        }
        let (parent, rest) = pivot(pattern, request.parents);
        let full = if parent.is_empty() {
            rest.to_owned()
        } else {
            format!("{parent}/{rest}")
        };
        for found in source.resolve(&full)? {
            record(&mut hasher, b"match", &found.to_relative());
            source.walk(&found, exclude.as_ref(), &mut |visit| {
                checksum_visit(&mut hasher, &visit, from_context, digests)
            })?;
        }
    }
    for content in request.contents {
        record(&mut hasher, b"heredoc", content.path.as_bytes());
        record(&mut hasher, b"data", content.data.as_bytes());
    }
    Ok(hasher.finish())
}

/// One length-prefixed field, so that no two different sequences hash alike.
fn record(hasher: &mut Hasher, tag: &[u8], value: &[u8]) {
    hasher.update(tag);
    hasher.update(&(value.len() as u64).to_le_bytes());
    hasher.update(value);
}

fn checksum_visit(
    hasher: &mut Hasher,
    visit: &source::Visit<'_>,
    from_context: bool,
    digests: Option<&FileDigests>,
) -> Result<()> {
    // As `RootPath::to_relative` spells it: `.` for the source itself.
    if visit.rel.is_empty() {
        record(hasher, b"path", b".");
    } else {
        record_parts(hasher, b"path", visit.rel, b"/");
    }
    if let Node::Leave { .. } = visit.node {
        return Ok(());
    }
    let stat = visit.stat;
    let (uid, gid) = if from_context {
        (0, 0)
    } else {
        (stat.st_uid, stat.st_gid)
    };
    let meta = format!(
        "{:o} {uid} {gid} {} {}",
        stat.st_mode,
        stat.st_rdev,
        stat.st_nlink > 1
    );
    record(hasher, b"meta", meta.as_bytes());
    let read_error = Error::io("read a source");
    let Node::File(file) = &visit.node else {
        record_xattrs(hasher, visit.xattrs().map_err(read_error)?);
        if let Node::Symlink(target) = &visit.node {
            record(hasher, b"link", target);
        }
        return Ok(());
    };
    // A file's xattrs and bytes: remembered for its state, or read (opening it).
    let read = || -> std::io::Result<FileFacts> {
        let mut content = Hasher::sha256();
        std::io::copy(
            &mut std::fs::File::from(file.fd()?.try_clone_to_owned()?),
            &mut content,
        )?;
        Ok(FileFacts {
            digest: content.finish(),
            xattrs: file.xattrs()?.to_vec(),
        })
    };
    let facts = match digests {
        Some(digests) => digests.facts(stat, read),
        None => read().map(std::borrow::Cow::Owned),
    }
    .map_err(read_error)?;
    record_xattrs(hasher, &facts.xattrs);
    let digest = &facts.digest;
    let parts = [
        digest.algorithm().name().as_bytes(),
        digest.encoded().as_bytes(),
    ];
    record_parts(hasher, b"content", &parts, b":");
    Ok(())
}

/// [`record`] of `parts` joined by `separator`, without joining them first (once per file).
fn record_parts(hasher: &mut Hasher, tag: &[u8], parts: &[impl AsRef<[u8]>], separator: &[u8]) {
    let joined_len = parts.iter().map(|part| part.as_ref().len()).sum::<usize>()
        + separator.len() * parts.len().saturating_sub(1);
    hasher.update(tag);
    hasher.update(&(joined_len as u64).to_le_bytes());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update(separator);
        }
        hasher.update(part.as_ref());
    }
}

fn record_xattrs(hasher: &mut Hasher, xattrs: &[(String, Vec<u8>)]) {
    for (name, value) in xattrs {
        record(hasher, b"xattr", name.as_bytes());
        record(hasher, b"value", value);
    }
}

#[cfg(test)]
mod tests;
