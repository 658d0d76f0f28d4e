//! Writing an output file all at once or not at all (`save -o`).

use std::{
    fs::{self, File, OpenOptions},
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

use crate::error::{Error, Result};

/// Mode of the finished file, as Docker's `save -o` (`atomicwriter` with 0600).
const MODE: u32 = 0o600;

/// Writes `path` through `write`: into a new temporary file beside it (mode 0600, created with
/// `O_CREAT | O_EXCL`, which never opens an existing file or follows a symlink), then flushed,
/// synced and renamed over `path`. The rename replaces a symlink at `path` rather than following it, so the output never lands
/// somewhere else. On any error the temporary file is removed and `path` is untouched.
pub fn write_atomically<T, E: From<Error>>(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    // A character device or a FIFO (`-o /dev/null`, `-o /dev/stdout`, a named pipe) is written to,
    // never replaced: renaming over it would turn the device node into a regular file.
    if let Ok(metadata) = fs::symlink_metadata(path) {
        use std::os::unix::fs::FileTypeExt;
        if metadata.file_type().is_char_device() || metadata.file_type().is_fifo() {
            return write_in_place(path, write);
        }
    }
    let file_name = path
        .file_name()
        .ok_or_else(|| Error::InvalidArchive(format!("not a file path: {}", path.display())))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Removed by the CLI's signal thread if the command is interrupted before the rename.
    let (file, temp, _registration) = create_temp(&dir, &file_name.to_string_lossy())?;
    let result = (|| {
        let mut file = file;
        let value = write(&mut file)?;
        file.sync_all()
            .map_err(Error::io(format!("sync {}", temp.display())))?;
        fs::rename(&temp, path).map_err(Error::io(format!("rename to {}", path.display())))?;
        if let Ok(dir) = File::open(&dir) {
            let _ = dir.sync_all();
        }
        Ok(value)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Writes straight into an existing device or FIFO (opened without following a symlink swapped in).
fn write_in_place<T, E: From<Error>>(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    let mut file = OpenOptions::new()
        .write(true)
        .custom_flags(i32::try_from(rustix::fs::OFlags::NOFOLLOW.bits()).unwrap_or(0))
        .open(path)
        .map_err(Error::io(format!("open {}", path.display())))?;
    write(&mut file)
}

/// A new temporary file beside the target, registered for removal on interrupt in the same step
/// as it is created (so no interrupt can leave it behind).
fn create_temp(
    dir: &Path,
    base: &str,
) -> Result<(File, PathBuf, Option<berth_store::cleanup::Registration>)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir_fd = File::open(dir).map_err(Error::io(format!("open {}", dir.display())))?;
    let mut attempt = 0;
    loop {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let unique = format!(
            ".{base}.tmp-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let temp = dir.join(&unique);
        let created = berth_store::cleanup::create_registered(&dir_fd, &unique, || {
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(MODE)
                .open(&temp)
        });
        match created {
            Ok((file, registration)) => return Ok((file, temp, registration)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(e) => return Err(Error::io(format!("create {}", temp.display()))(e)),
        }
    }
}
