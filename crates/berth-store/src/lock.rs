//! Inter-process locks (flock): the kernel drops them when a process dies, even by SIGKILL.

use std::{fs::File, io, os::fd::AsFd};

use rustix::fs::{FlockOperation, OFlags};

use crate::fs;

/// Held by every operation that adds content, from its first blob to its last reference write.
/// Garbage collection takes the same lock exclusively.
pub struct ContentGuard {
    _file: File,
}

pub(crate) fn lock(dir: impl AsFd, name: &str, exclusive: bool) -> io::Result<File> {
    let fd = fs::open_beneath(&dir, name, OFlags::RDWR | OFlags::CREATE, 0o600)?;
    let op = if exclusive {
        FlockOperation::LockExclusive
    } else {
        FlockOperation::LockShared
    };
    rustix::fs::flock(&fd, op)?;
    Ok(File::from(fd))
}

impl ContentGuard {
    pub(crate) fn new(file: File) -> ContentGuard {
        ContentGuard { _file: file }
    }
}
