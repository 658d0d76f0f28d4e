//! Starting the disk writes of a large file while it is still being written.
//!
//! A blob must be on disk (`fsync`) before it is renamed into `blobs/`. Left to the end, that sync
//! waits for every byte at once: about 0.4 ms per MB on these machines, a third of a big `load`.
//! [`Writeback`] runs `fdatasync` on a helper thread every [`STEP`] bytes instead, so the device
//! writes one part while the caller reads, hashes and writes the next, and the final sync finds
//! little left to do.

use std::{
    fs::File,
    io,
    sync::mpsc::{channel, Sender},
    thread::JoinHandle,
};

/// Bytes written between two background syncs.
pub const STEP: u64 = 32 * 1024 * 1024;

/// Background `fdatasync` of one file, started as its bytes are written.
#[derive(Debug, Default)]
pub struct Writeback {
    /// The syncing thread; `None` until the first [`STEP`].
    helper: Option<Box<Helper>>,
    unsynced: u64,
}

#[derive(Debug)]
struct Helper {
    wake: Option<Sender<()>>,
    thread: JoinHandle<io::Result<()>>,
}

impl Writeback {
    /// Notes `n` more bytes written to `file`; every `STEP` bytes, the helper syncs what is there.
    pub fn wrote(&mut self, file: &File, n: u64) {
        self.unsynced += n;
        if self.unsynced < STEP {
            return;
        }
        self.unsynced = 0;
        if self.helper.is_none() {
            let Ok(file) = file.try_clone() else { return };
            let (wake, woken) = channel::<()>();
            let thread = std::thread::spawn(move || {
                while woken.recv().is_ok() {
                    while woken.try_recv().is_ok() {}
                    file.sync_data()?;
                }
                Ok(())
            });
            self.helper = Some(Box::new(Helper {
                wake: Some(wake),
                thread,
            }));
        }
        if let Some(wake) = self.helper.as_ref().and_then(|helper| helper.wake.as_ref()) {
            let _ = wake.send(());
        }
    }

    /// Waits for the helper (if any) to finish, and reports the first sync that failed. The caller
    /// still syncs the file itself afterwards: this only made that quick.
    pub fn finish(&mut self) -> io::Result<()> {
        self.unsynced = 0;
        match self.helper.take() {
            Some(mut helper) => {
                helper.wake = None;
                helper
                    .thread
                    .join()
                    .unwrap_or_else(|_| Err(io::Error::other("the sync thread panicked")))
            }
            None => Ok(()),
        }
    }
}
