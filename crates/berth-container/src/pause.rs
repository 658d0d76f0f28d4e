//! The pause of `commit -p`, made safe against a commit that dies before it resumes the container.
//!
//! `commit` pauses a running container (the cgroup freezer) while it reads its changes. If the commit
//! is killed (SIGKILL, the OOM killer, a crash) before it resumes the container, nothing else would:
//! the container would stay frozen, which no Docker user expects of `commit`. So before pausing, the
//! commit records who paused it in the container's directory ([`MARKER_FILE`]: its PID and the start
//! time the kernel gives that PID, so that a reused PID is not mistaken for it), and removes the record
//! once the container is resumed. Whoever loads the container later (every command does, through
//! `Containers::list_records`) and finds a record whose process is gone resumes the container and
//! removes the record. A container that someone else paused (`runc pause`) has no record and stays
//! paused, as in Docker.
//!
//! [`LOCK_FILE`] (flock) makes a commit's check-and-pause, its resume, and a recovery's
//! check-and-resume atomic with respect to each other. The runtime's `pause` dies with the commit that
//! started it (`PR_SET_PDEATHSIG`), so a pause cannot complete after a recovery has looked.

use std::{
    fs::File,
    io::ErrorKind,
    os::fd::AsFd,
    path::{Path, PathBuf},
};

use rustix::fs::FlockOperation;
use serde::{Deserialize, Serialize};

use crate::{
    containers::Containers,
    error::{Error, Result},
    record::{Container, Record},
    runtime::Runtime,
};

/// The record of a pause by a commit that has not resumed the container yet.
pub(crate) const MARKER_FILE: &str = "commit-pause.json";
/// Serializes pausing, resuming and recovering one container.
const LOCK_FILE: &str = "commit-pause.lock";
/// Largest marker berth reads (it holds two numbers).
const MAX_MARKER_BYTES: u64 = 4096;

/// The process that paused a container: its PID and, to tell it from a later process that got the
/// same PID, its start time (field 22 of `/proc/PID/stat`, clock ticks after boot). `None` when
/// `/proc` could not tell (then the PID alone decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Owner {
    pub(crate) pid: i32,
    pub(crate) start_time: Option<u64>,
}

impl Owner {
    fn current() -> Owner {
        let pid = rustix::process::getpid().as_raw_nonzero().get();
        Owner {
            pid,
            start_time: proc_stat(pid).map(|stat| stat.start_time),
        }
    }

    /// Whether the process that wrote the marker is still running (not gone, not a zombie, not a
    /// later process with the same PID).
    pub(crate) fn is_alive(&self) -> bool {
        match (proc_stat(self.pid), self.start_time) {
            (Some(stat), Some(start_time)) => !stat.dead && stat.start_time == start_time,
            (Some(stat), None) => !stat.dead,
            (None, _) => crate::containers::process_alive(self.pid) && !proc_readable(),
        }
    }
}

/// What berth reads from `/proc/PID/stat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ProcStat {
    /// Zombie (`Z`) or dead (`X`): the process has ended, its parent has not reaped it yet.
    dead: bool,
    start_time: u64,
}

fn proc_stat(pid: i32) -> Option<ProcStat> {
    parse_proc_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// Whether `/proc` shows this process's own stat (it does unless `/proc` is missing or restricted).
fn proc_readable() -> bool {
    Path::new("/proc/self/stat").exists()
}

/// Parses `pid (comm) state ppid ... starttime ...`; `comm` may hold spaces and parentheses, so the
/// fields are counted from the last `)`.
fn parse_proc_stat(stat: &str) -> Option<ProcStat> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?; // field 3
    let start_time = fields.nth(18)?.parse().ok()?; // field 22
    Some(ProcStat {
        dead: matches!(state, "Z" | "X" | "x"),
        start_time,
    })
}

/// Locks the container's pause lock, creating it when `create`; `None` when it does not exist (no
/// commit ever paused the container, or the container is being removed).
fn lock(dir: &Path, create: bool) -> Result<Option<File>> {
    let path = dir.join(LOCK_FILE);
    let file = match File::options()
        .create(create)
        .truncate(false)
        .write(true)
        .open(&path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound && !create => return Ok(None),
        Err(e) => return Err(Error::io(format!("open {}", path.display()))(e)),
    };
    rustix::fs::flock(file.as_fd(), FlockOperation::LockExclusive)
        .map_err(|e| Error::io(format!("lock {}", path.display()))(e.into()))?;
    Ok(Some(file))
}

/// What the marker says, under the lock: absent, the owner it names, or unreadable (a commit killed
/// while writing it; its owner is gone, since a live writer holds the lock).
enum Marker {
    Absent,
    Owner(Owner),
    Unreadable,
}

fn read_marker(dir: &Path) -> Marker {
    let file = match File::open(dir.join(MARKER_FILE)) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Marker::Absent,
        Err(_) => return Marker::Unreadable,
    };
    let Ok(bytes) = berth_store::fs::read_file_bounded(&file, MAX_MARKER_BYTES) else {
        return Marker::Unreadable;
    };
    serde_json::from_slice(&bytes).map_or(Marker::Unreadable, Marker::Owner)
}

fn remove_marker(dir: &Path) -> Result<()> {
    let path = dir.join(MARKER_FILE);
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != ErrorKind::NotFound => {
            Err(Error::io(format!("remove {}", path.display()))(e))
        }
        _ => Ok(()),
    }
}

/// Whether the runtime reports the container paused.
fn runtime_paused(runtime: &Runtime, id: &str) -> Result<bool> {
    Ok(runtime
        .state(id)?
        .is_some_and(|state| state.status.is_paused()))
}

/// Under the lock: resumes a container whose pausing commit is gone and removes its marker. Returns
/// whether a marker of a live commit is there (then nothing is touched).
fn recover_locked(runtime: &Runtime, id: &str, dir: &Path) -> Result<bool> {
    match read_marker(dir) {
        Marker::Absent => return Ok(false),
        Marker::Owner(owner) if owner.is_alive() => return Ok(true),
        Marker::Owner(_) | Marker::Unreadable => {}
    }
    if runtime_paused(runtime, id)? {
        tracing::info!(
            container = id,
            "resuming a container a killed commit left paused"
        );
        runtime.resume(id)?;
    }
    remove_marker(dir)?;
    Ok(false)
}

/// A container paused by this process's commit; [`CommitPause::resume`] undoes it. Owned and
/// `Send`, so that an interrupt handler can resume it too (twice is harmless).
#[derive(Debug, Clone)]
pub struct CommitPause {
    runtime: Runtime,
    id: String,
    dir: PathBuf,
    owner: Owner,
}

impl CommitPause {
    /// Resumes the container and removes the marker. Does nothing when the marker is no longer this
    /// process's (already resumed). If the runtime cannot resume it, the marker stays, so that the
    /// next command that loads the container tries again once this process is gone.
    pub fn resume(&self) -> Result<()> {
        let _lock = lock(&self.dir, true)?;
        match read_marker(&self.dir) {
            Marker::Owner(owner) if owner == self.owner => {}
            _ => return Ok(()),
        }
        if let Err(error) = self.runtime.resume(&self.id) {
            // A container that is no longer paused (it was killed meanwhile) is not left frozen.
            if runtime_paused(&self.runtime, &self.id)? {
                return Err(error);
            }
        }
        remove_marker(&self.dir)
    }
}

impl Containers<'_> {
    /// Pauses a running container for `commit`, recording that this process paused it (the module
    /// comment says why); call it for a container that was found running. `Ok(None)`: it is already
    /// paused (by its user, or by another commit still under way, which resumes it). An error means
    /// the runtime could not pause it (no cgroup freezer, or it is not running after all); the
    /// container is left as it was.
    pub fn pause_for_commit(&self, container: &Container) -> Result<Option<CommitPause>> {
        let runtime = self.runtime(container)?;
        let id = container.id();
        let dir = &container.dir;
        let _lock = lock(dir, true)?;
        if recover_locked(&runtime, id, dir)? {
            return Ok(None); // another commit paused it and will resume it
        }
        if runtime_paused(&runtime, id)? {
            return Ok(None); // its user paused it: it stays paused, and commit leaves it so
        }
        let owner = Owner::current();
        let marker = serde_json::to_vec(&owner).map_err(|e| Error::Io {
            action: "serialize the pause marker".into(),
            source: e.into(),
        })?;
        // No temp file and rename: readers hold the lock, so a partial marker is one whose writer
        // died (read as unreadable, hence stale); a marker of a dead owner is harmless after a reboot.
        let path = dir.join(MARKER_FILE);
        std::fs::write(&path, marker).map_err(Error::io(format!("write {}", path.display())))?;
        if let Err(error) = runtime.pause(id) {
            let _ = remove_marker(dir);
            return Err(error);
        }
        Ok(Some(CommitPause {
            runtime,
            id: id.to_owned(),
            dir: dir.clone(),
            owner,
        }))
    }

    /// Resumes `record`'s container if a commit paused it and died before resuming it. Failures are
    /// logged, not returned: loading a container must not fail because of a paused one (the marker
    /// stays and the next command tries again).
    pub(crate) fn recover_commit_pause(&self, record: &Record, dir: &Path) {
        let result = Runtime::find(&record.runtime, &self.runtime_root()).and_then(|runtime| {
            match lock(dir, false)? {
                Some(_lock) => recover_locked(&runtime, record.id.as_str(), dir),
                None => Ok(false),
            }
        });
        if let Err(error) = result {
            tracing::warn!(
                container = %record.id,
                error = %error,
                "could not resume a container that a killed commit left paused"
            );
        }
    }
}

#[cfg(test)]
mod tests;
