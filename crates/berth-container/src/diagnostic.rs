//! The diagnostic logs of a start (the runtime's `--log` file, the monitor's stderr): created
//! without following a symlink planted at their name, and read back within a bound.

use std::{fs::File, io, os::unix::fs::OpenOptionsExt, path::Path};

/// Most of a diagnostic log read back into an error message.
const MAX_LOG_BYTES: u64 = 1024 * 1024;

/// Creates (or empties) the log at `path`; a symlink there is an error, never followed.
pub(crate) fn create_log(path: &Path) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .custom_flags(libc_nofollow())
        .open(path)
}

/// The log's text (empty when it is missing or not UTF-8); one larger than [`MAX_LOG_BYTES`] is
/// named rather than read.
pub(crate) fn read_log(path: &Path) -> String {
    let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc_nofollow())
        .open(path)
    else {
        return String::new();
    };
    match berth_store::fs::read_file_bounded(&file, MAX_LOG_BYTES) {
        Ok(bytes) => String::from_utf8(bytes).unwrap_or_default(),
        Err(error) if berth_store::fs::exceeded_limit(&error).is_some() => {
            format!(
                "(the log {} is larger than {MAX_LOG_BYTES} bytes)",
                path.display()
            )
        }
        Err(_) => String::new(),
    }
}

fn libc_nofollow() -> i32 {
    i32::try_from(rustix::fs::OFlags::NOFOLLOW.bits()).expect("O_NOFOLLOW fits an int")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_never_follow_a_planted_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::write(&outside, b"keep").unwrap();
        let log = dir.path().join("monitor.log");
        std::os::unix::fs::symlink(&outside, &log).unwrap();
        assert!(create_log(&log).is_err());
        assert_eq!(read_log(&log), "");
        assert_eq!(std::fs::read(&outside).unwrap(), b"keep");

        let plain = dir.path().join("runtime.log");
        std::fs::write(&plain, b"old").unwrap();
        drop(create_log(&plain).unwrap());
        assert_eq!(read_log(&plain), "", "emptied");
        std::fs::write(&plain, b"level=error msg=x\n").unwrap();
        assert_eq!(read_log(&plain), "level=error msg=x\n");
        std::fs::write(&plain, vec![b'x'; 2 * 1024 * 1024]).unwrap();
        assert!(read_log(&plain).contains("is larger than"));
    }
}
