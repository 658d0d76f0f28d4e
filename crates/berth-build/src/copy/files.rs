//! The regular files of a COPY, written by worker threads while the walk goes on: a job creates
//! one file in a directory the walk has open, copies its bytes in the kernel and gives it its
//! owner, mode, extended attributes and time. Creating files through the step's overlay is most
//! of a COPY's time and keeps one core busy; the walk (stat, open) runs beside it. Each directory's
//! files go to one worker, in turn: two workers creating in one directory would wait on its lock
//! most of the time. The walk waits
//! for the jobs ([`Files::wait`]) before it needs what they make: a hard link to one of them,
//! another match of the same pattern, and its end.

use std::{
    io,
    os::fd::{AsFd, BorrowedFd, OwnedFd},
    sync::{
        mpsc::{self, Receiver, SyncSender},
        Arc, Condvar, Mutex, MutexGuard, PoisonError,
    },
    thread::JoinHandle,
};

use berth_container::unpack::path::{os, RootPath};
use rustix::fs::{Gid, Mode, OFlags, Timespec, Timestamps, Uid, XattrFlags};

use super::source::read_xattrs;
use super::write::at;
use crate::error::{Error, Result};

/// Jobs queued per worker: enough to keep them busy, few enough to bound the open files.
const QUEUE_PER_WORKER: usize = 32;

/// One file to write.
pub(crate) struct FileJob {
    /// The directory it goes in, and its name there.
    pub dir: Arc<OwnedFd>,
    pub name: Vec<u8>,
    /// Its path in the rootfs, for errors.
    pub path: RootPath,
    /// The source, open for reading.
    pub source: OwnedFd,
    pub owner: (u32, u32),
    pub mode: u32,
    pub mtime: Timespec,
}

/// What the workers and the walk share.
#[derive(Default)]
struct Shared {
    /// Jobs sent and not yet done.
    outstanding: usize,
    /// The first failure; the jobs after it are skipped.
    error: Option<Error>,
    /// Set when the walk gave up: the jobs left are skipped.
    cancelled: bool,
}

#[derive(Default)]
struct State {
    shared: Mutex<Shared>,
    done: Condvar,
}

impl State {
    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The workers of one walk, started with its first file.
#[derive(Default)]
pub(crate) struct Files {
    /// One queue per worker.
    queues: Vec<SyncSender<FileJob>>,
    threads: Vec<JoinHandle<()>>,
    state: Arc<State>,
}

impl Files {
    /// Queues `job` for the worker of `slot` (its directory's number); fails with the error of
    /// a job already done, if one failed.
    pub fn send(&mut self, job: FileJob, slot: usize) -> Result<()> {
        self.take_error()?;
        if self.queues.is_empty() {
            self.start()?;
        }
        self.state.lock().outstanding += 1;
        let queue = &self.queues[slot % self.queues.len()];
        if queue.send(job).is_err() {
            // Its worker is gone: only a panic ends one before the walk does.
            self.state.lock().outstanding -= 1;
            return Err(Error::Invalid("a COPY worker thread stopped".to_owned()));
        }
        Ok(())
    }

    /// Waits until every job sent is done; the first failure, if any.
    pub fn wait(&mut self) -> Result<()> {
        let mut shared = self.state.lock();
        while shared.outstanding > 0 {
            shared = self
                .state
                .done
                .wait(shared)
                .unwrap_or_else(PoisonError::into_inner);
        }
        match shared.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn take_error(&self) -> Result<()> {
        match self.state.lock().error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn start(&mut self) -> Result<()> {
        let workers = std::thread::available_parallelism().map_or(1, usize::from);
        for _ in 0..workers {
            let (queue, jobs) = mpsc::sync_channel(QUEUE_PER_WORKER);
            let state = Arc::clone(&self.state);
            let thread = std::thread::Builder::new()
                .name("copy".to_owned())
                .spawn(move || work(&jobs, &state))
                .map_err(Error::io("start a thread"))?;
            self.threads.push(thread);
            self.queues.push(queue);
        }
        Ok(())
    }
}

impl Drop for Files {
    /// A walk that failed: the jobs left are skipped, the workers joined.
    fn drop(&mut self) {
        self.state.lock().cancelled = true;
        self.queues.clear();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

fn work(jobs: &Receiver<FileJob>, state: &State) {
    // Until the walk is over.
    while let Ok(job) = jobs.recv() {
        let skip = {
            let shared = state.lock();
            shared.cancelled || shared.error.is_some()
        };
        // A panic is an error of the walk too: `wait` must not wait for a job nobody finishes.
        let outcome = if skip {
            Ok(())
        } else {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write_file(&job)))
                .unwrap_or_else(|_| Err(Error::Invalid("a COPY worker thread panicked".to_owned())))
        };
        drop(job);
        let mut shared = state.lock();
        if let Err(e) = outcome {
            shared.error.get_or_insert(e);
        }
        shared.outstanding -= 1;
        if shared.outstanding == 0 {
            state.done.notify_all();
        }
    }
}

/// Creates the file (never following or replacing anything), copies the source's bytes, then
/// sets owner, mode (after chown, which clears set-user-ID bits), extended attributes and time.
pub(crate) fn write_file(job: &FileJob) -> Result<()> {
    let path = &job.path;
    let out = rustix::fs::openat(
        &*job.dir,
        os(&job.name),
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o600),
    )
    .map_err(|e| at(path, "create")(e.into()))?;
    copy_bytes(job.source.as_fd(), out.as_fd()).map_err(at(path, "write"))?;
    let (uid, gid) = job.owner;
    rustix::fs::fchown(&out, Some(Uid::from_raw(uid)), Some(Gid::from_raw(gid)))
        .map_err(|e| at(path, "chown")(e.into()))?;
    rustix::fs::fchmod(&out, Mode::from_raw_mode(job.mode))
        .map_err(|e| at(path, "chmod")(e.into()))?;
    for (name, value) in read_xattrs(job.source.as_fd()) {
        if let Err(e) = rustix::fs::fsetxattr(&out, name.as_str(), &value, XattrFlags::empty()) {
            tracing::debug!(xattr = %name, error = %e, "xattr not copied");
        }
    }
    let _ = rustix::fs::futimens(
        &out,
        &Timestamps {
            last_access: job.mtime,
            last_modification: job.mtime,
        },
    );
    Ok(())
}

/// A file's bytes from `input` to `out`, in the kernel, until the end of `input`: `sendfile`
/// alone. `std::io::copy` makes the same copy with two `statx`, an `fcntl` and a
/// `copy_file_range` first, per file, and that fails (`EXDEV`) into a step's overlay.
pub(crate) fn copy_bytes(input: BorrowedFd<'_>, out: BorrowedFd<'_>) -> io::Result<()> {
    loop {
        match rustix::fs::sendfile(out, input, None, 1 << 30) {
            Ok(0) => return Ok(()),
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            // A file system whose files cannot be spliced: read and write from where it stopped.
            Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {
                let mut input = std::fs::File::from(input.try_clone_to_owned()?);
                let mut out = std::fs::File::from(out.try_clone_to_owned()?);
                io::copy(&mut input, &mut out)?;
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both ways of copying give the whole file: sendfile, and read/write where sendfile refuses
    /// (it does into a file opened for appending, as a file system without splice would).
    #[test]
    fn copy_bytes_copies_everything_either_way() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let source = dir.path().join("source");
        std::fs::write(&source, &data).unwrap();
        for append in [false, true] {
            let target = dir.path().join(format!("target-{append}"));
            let input = std::fs::File::open(&source).unwrap();
            let out = std::fs::OpenOptions::new()
                .create_new(true)
                .write(true)
                .append(append)
                .open(&target)
                .unwrap();
            copy_bytes(input.as_fd(), out.as_fd()).unwrap();
            assert!(std::fs::read(&target).unwrap() == data, "append: {append}");
        }
    }

    fn open_dir(path: &std::path::Path) -> Arc<OwnedFd> {
        Arc::new(rustix::fs::open(path, OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty()).unwrap())
    }

    fn job(dir: &Arc<OwnedFd>, name: &str, source: &std::path::Path, mode: u32) -> FileJob {
        FileJob {
            dir: Arc::clone(dir),
            name: name.as_bytes().to_vec(),
            path: RootPath(vec![name.as_bytes().to_vec()]),
            source: rustix::fs::open(source, OFlags::RDONLY, Mode::empty()).unwrap(),
            owner: (
                rustix::process::geteuid().as_raw(),
                rustix::process::getegid().as_raw(),
            ),
            mode,
            mtime: Timespec {
                tv_sec: 1_000_000_000,
                tv_nsec: 0,
            },
        }
    }

    /// Files sent to the workers (any directory, any slot) are all there once `wait` returns,
    /// with their bytes, mode and time.
    #[test]
    fn every_file_sent_is_written_by_wait() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("source");
        std::fs::write(&source, b"bytes").unwrap();
        let dirs: Vec<_> = (0..3)
            .map(|d| {
                let path = dir.path().join(format!("d{d}"));
                std::fs::create_dir(&path).unwrap();
                (path.clone(), open_dir(&path))
            })
            .collect();
        let mut files = Files::default();
        for i in 0..300 {
            let (_, fd) = &dirs[i % 3];
            files
                .send(job(fd, &format!("f{i}"), &source, 0o640), i % 3)
                .unwrap();
        }
        files.wait().unwrap();
        for i in 0..300 {
            let path = dirs[i % 3].0.join(format!("f{i}"));
            assert_eq!(std::fs::read(&path).unwrap(), b"bytes");
            let meta = std::fs::metadata(&path).unwrap();
            assert_eq!((meta.mode() & 0o7777, meta.mtime()), (0o640, 1_000_000_000));
        }
    }

    /// A job that fails (its name exists: nothing is ever replaced) fails the walk, by the next
    /// `send` or by `wait`, with the path; the workers stop; dropping them does not hang.
    #[test]
    fn a_failed_file_fails_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("source");
        std::fs::write(&source, b"bytes").unwrap();
        std::fs::write(dir.path().join("taken"), b"old").unwrap();
        let fd = open_dir(dir.path());
        let mut files = Files::default();
        files.send(job(&fd, "taken", &source, 0o644), 0).unwrap();
        let error = files.wait().unwrap_err().to_string();
        assert!(error.contains("create /taken"), "{error}");
        assert_eq!(std::fs::read(dir.path().join("taken")).unwrap(), b"old");
        // After a failure, a walk that drops its workers with jobs queued ends.
        let mut files = Files::default();
        files.send(job(&fd, "taken", &source, 0o644), 0).unwrap();
        for i in 0..100 {
            if files
                .send(job(&fd, &format!("n{i}"), &source, 0o644), i)
                .is_err()
            {
                break;
            }
        }
        drop(files);
    }
}
