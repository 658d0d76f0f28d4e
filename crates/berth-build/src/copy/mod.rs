//! PLACEHOLDER (signatures only): COPY and ADD are written on the `files` branch
//! (/work/wt/notes/build-interfaces.md); the coordinator replaces this file with that branch's.

use crate::context::Context;
use crate::error::Result;

/// Where COPY/ADD read from.
pub enum SourceRoot<'a> {
    /// The build context.
    Context(&'a Context),
    /// Another stage's or an image's root filesystem, mounted by the caller.
    Rootfs(std::os::fd::BorrowedFd<'a>),
}

/// COPY or ADD.
pub enum CopyKind<'a> {
    Copy,
    Add {
        checksum: Option<&'a str>,
        unpack: Option<bool>,
        fetch: &'a dyn Fetch,
    },
}

/// One COPY/ADD.
pub struct CopyRequest<'a> {
    pub sources: &'a [String],
    pub contents: &'a [berth_dockerfile::SourceContent],
    pub dest: &'a str,
    pub workdir: &'a str,
    pub chown: Option<&'a str>,
    pub chmod: Option<&'a str>,
    pub exclude: &'a [String],
    pub parents: bool,
    pub kind: CopyKind<'a>,
}

/// ADD's downloads.
pub trait Fetch {
    /// The body of `url` and its Last-Modified time.
    fn fetch(&self, url: &str) -> std::io::Result<(Box<dyn std::io::Read + Send>, Option<i64>)>;
}

/// Copies into `rootfs`.
pub fn copy(
    from: &SourceRoot<'_>,
    rootfs: std::os::fd::BorrowedFd<'_>,
    request: &CopyRequest<'_>,
) -> Result<()> {
    let _ = (from, rootfs, request);
    unimplemented!("merged from the files branch")
}

/// The cache key part of a COPY/ADD.
pub fn sources_checksum(
    from: &SourceRoot<'_>,
    request: &CopyRequest<'_>,
) -> Result<berth_digest::Digest> {
    let _ = (from, request);
    unimplemented!("merged from the files branch")
}
