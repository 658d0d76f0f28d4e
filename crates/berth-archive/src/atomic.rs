//! Writing an output file all at once or not at all (`save -o`, `export -o`), through the store's
//! one atomic write (`berth_store::fs::AtomicFile`).

use std::{
    fs::{self, File, OpenOptions},
    os::unix::fs::OpenOptionsExt,
    path::Path,
};

use berth_store::fs::{AtomicFile, Permissions};

use crate::error::Error;

/// Mode of the finished file, as Docker's `save -o` (`atomicwriter` with 0600).
const MODE: Permissions = Permissions::Create(0o600);

/// Writes `path` through `write`: into a new temporary file beside it (mode 0600, created with
/// `O_CREAT | O_EXCL | O_NOFOLLOW`, which never opens an existing file or follows a symlink), then
/// synced and renamed over `path`, and the directory synced. The rename replaces a symlink at `path`
/// rather than following it, so the output never lands somewhere else. On any error the temporary
/// file is removed and `path` is untouched.
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
    if path.file_name().is_none() {
        return Err(Error::InvalidArchive(format!("not a file path: {}", path.display())).into());
    }
    // Removed by the CLI's signal thread if the command is interrupted before the rename.
    let mut file = AtomicFile::create_path(path, MODE).map_err(Error::io(format!(
        "create a temporary file beside {}",
        path.display()
    )))?;
    let value = write(file.file_mut())?;
    file.commit()
        .map_err(Error::io(format!("replace {}", path.display())))?;
    Ok(value)
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
