//! Temporary files to remove when the process is interrupted.
//!
//! A crash (SIGKILL, power loss) leaves temporary files for garbage collection to sweep; an interrupted
//! command (SIGINT, SIGTERM) cleans up after itself. Every temporary file in the ingest area (and every
//! temp file of an atomic write) is registered here while it exists; [`remove_temp_files`], called by the
//! CLI's signal thread just before it exits, unlinks them all. Resumable partial downloads are never
//! registered: they are kept for the next attempt.

use std::{
    collections::BTreeMap,
    ffi::{OsStr, OsString},
    os::fd::{AsFd, OwnedFd},
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex, MutexGuard, PoisonError,
    },
};

/// Live temporary files: a duplicate of their directory's fd, and their name in it.
static LIVE: Mutex<BTreeMap<u64, (OwnedFd, OsString)>> = Mutex::new(BTreeMap::new());
static NEXT: AtomicU64 = AtomicU64::new(0);

fn live() -> MutexGuard<'static, BTreeMap<u64, (OwnedFd, OsString)>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A registered temporary file; dropping it unregisters it (it does not remove the file).
#[derive(Debug)]
pub struct Registration(u64);

/// Registers `dir/name` for removal on interrupt, until the returned value is dropped (e.g. once the file
/// was renamed into place). Without a spare fd the file is simply not registered. A file created
/// before this call can be left behind by an interrupt in between: prefer [`create_registered`].
pub fn register(dir: impl AsFd, name: impl AsRef<OsStr>) -> Option<Registration> {
    let dir = dir.as_fd().try_clone_to_owned().ok()?;
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    live().insert(id, (dir, name.as_ref().to_owned()));
    Some(Registration(id))
}

/// Creates `dir/name` with `create` and registers it in one step, with no moment in between at
/// which an interrupt could leave it behind: the registry stays locked while the file is created,
/// and once [`remove_temp_files`] ran it stays locked for good, so `create` is never called then.
pub fn create_registered<T>(
    dir: impl AsFd,
    name: impl AsRef<OsStr>,
    create: impl FnOnce() -> std::io::Result<T>,
) -> std::io::Result<(T, Option<Registration>)> {
    let dir = dir.as_fd().try_clone_to_owned().ok();
    let mut live = live();
    let created = create()?;
    let registration = dir.map(|dir| {
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        live.insert(id, (dir, name.as_ref().to_owned()));
        Registration(id)
    });
    Ok((created, registration))
}

impl Drop for Registration {
    fn drop(&mut self) {
        live().remove(&self.0);
    }
}

/// Unlinks every registered temporary file of this process and keeps the registry locked, so that no
/// new one appears: call it only right before exiting. Returns how many files were removed.
pub fn remove_temp_files() -> usize {
    let guard = live();
    let removed = guard
        .values()
        .filter(|(dir, name)| {
            rustix::fs::unlinkat(dir, name.as_os_str(), rustix::fs::AtFlags::empty()).is_ok()
        })
        .count();
    // Held until the process exits: a writer that wants to register or unregister now waits for the end.
    std::mem::forget(guard);
    removed
}

/// Whether a file of this name is registered (for tests: removing them all would end the test process).
#[cfg(test)]
pub(crate) fn is_registered(name: &str) -> bool {
    live()
        .values()
        .any(|(_, registered)| registered.as_os_str() == OsStr::new(name))
}
