//! A start that never ran the container's process: the runtime could not create it (the command is
//! missing or not executable, a mount failed, ...). runc and crun write the process's PID to
//! `--pid-file` once it runs, and never on such a failure, and report the error in their log (`--log`,
//! JSON lines), which berth keeps per container (`runtime.log`). They also print it on their stderr,
//! which is the container's stderr: [`RuntimeLog::is_echo`] tells those lines apart so that they do
//! not reach the container's output or log. Docker leaves such a container `created`, records an
//! exit code (moby's `translateContainerdStartErr`: 127 for a command not found, 126 for one that
//! cannot be run, else 128) and the error, and `docker run` fails.

use std::path::{Path, PathBuf};

/// How a [`StartFailure`] reads, before the runtime's message (Docker's words).
pub(crate) const OCI_CREATE_FAILED: &str = "OCI runtime create failed: ";

/// Why the runtime could not start a container's process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartFailure {
    /// The runtime's error, as it logged it.
    pub message: String,
    /// The exit code Docker records for the container.
    pub exit_code: i32,
}

impl std::fmt::Display for StartFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{OCI_CREATE_FAILED}{}", self.message)
    }
}

/// A container's runtime log, and the PID file that tells whether its process ran.
#[derive(Debug, Clone)]
pub(crate) struct RuntimeLog {
    path: PathBuf,
    pid_file: PathBuf,
}

impl RuntimeLog {
    /// The log at `path` (emptied) and the PID file `pid_file` (removed), for a new start.
    pub(crate) fn create(path: &Path, pid_file: &Path) -> crate::error::Result<RuntimeLog> {
        crate::diagnostic::create_log(path).map_err(crate::error::Error::io(format!(
            "create {}",
            path.display()
        )))?;
        match std::fs::remove_file(pid_file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(crate::error::Error::io(format!(
                    "remove {}",
                    pid_file.display()
                ))(e));
            }
            _ => {}
        }
        Ok(RuntimeLog {
            path: path.to_path_buf(),
            pid_file: pid_file.to_path_buf(),
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn pid_file(&self) -> &Path {
        &self.pid_file
    }

    /// Whether the runtime ran the container's process (it wrote the PID file).
    pub(crate) fn process_ran(&self) -> bool {
        self.pid_file.exists()
    }

    /// The errors the runtime logged, oldest first.
    pub(crate) fn errors(&self) -> Vec<String> {
        // Empty unless something went wrong: a start that went well reads nothing.
        match std::fs::metadata(&self.path) {
            Ok(meta) if meta.len() > 0 => {}
            _ => return Vec::new(),
        }
        errors_in(&crate::diagnostic::read_log(&self.path))
    }

    /// Whether `chunk` of the runtime's stderr is the runtime printing an error it logged (runc and
    /// crun log an error, then print it).
    pub(crate) fn is_echo(&self, chunk: &[u8]) -> bool {
        if self.process_ran() {
            return false;
        }
        let Ok(text) = std::str::from_utf8(chunk) else {
            return false;
        };
        let text = text.trim_end_matches('\n');
        if text.is_empty() {
            return false;
        }
        let errors = self.errors();
        !errors.is_empty()
            && text.lines().all(|line| {
                errors
                    .iter()
                    .any(|e| e == line || line.ends_with(&format!(": {e}")))
            })
    }

    /// The runtime's last logged error, when it exited with `code` without running the process.
    pub(crate) fn start_failure(&self, code: i32, command: &str) -> Option<StartFailure> {
        if code == 0 || self.process_ran() {
            return None;
        }
        let message = self.errors().pop()?;
        let exit_code = recorded_exit_code(&message, command);
        Some(StartFailure { message, exit_code })
    }
}

/// The `msg` of every error-level entry of a JSON-lines runtime log (runc: `"level":"error"`, crun
/// alike); lines that are not such entries are skipped.
fn errors_in(log: &str) -> Vec<String> {
    log.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|entry| matches!(entry["level"].as_str(), Some("error" | "fatal")))
        .filter_map(|entry| entry["msg"].as_str().map(str::to_owned))
        .collect()
}

/// moby's `translateContainerdStartErr`: 127 when the error names the command and says it is
/// missing, 126 when it may not be run, 127 for a mount of a file onto a directory (or the other way
/// round), 128 otherwise; later rules win, as there.
fn recorded_exit_code(message: &str, command: &str) -> i32 {
    let lower = message.to_lowercase();
    let missing = [
        "executable file not found",
        "no such file or directory",
        "system cannot find the file specified",
    ]
    .iter()
    .any(|m| lower.contains(m));
    let mut code = 128;
    if lower.contains(&command.to_lowercase()) && missing {
        code = 127;
    }
    if lower.contains("permission denied") {
        code = 126;
    }
    if lower.contains("not a directory") {
        code = 127;
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_errors_are_read_from_json_lines() {
        let log = concat!(
            r#"{"level":"warning","msg":"a warning","time":"2026-11-27T23:09:58Z"}"#,
            "\n",
            "not json\n",
            r#"{"level":"error","msg":"runc run failed: unable to start container process: exec: \"/x\": stat /x: no such file or directory","time":"2026-11-27T23:09:58Z"}"#,
            "\n",
            r#"{"msg":"open executable: Permission denied","level":"error","time":"2026-11-27T23:09:58.251078Z"}"#,
        );
        assert_eq!(
            errors_in(log),
            [
                r#"runc run failed: unable to start container process: exec: "/x": stat /x: no such file or directory"#,
                "open executable: Permission denied"
            ]
        );
    }

    #[test]
    fn exit_codes_follow_moby() {
        let cases = [
            (
                r#"runc run failed: unable to start container process: exec: "/nonexistent": stat /nonexistent: no such file or directory"#,
                "/nonexistent",
                127,
            ),
            (
                r#"runc run failed: unable to start container process: exec: "nosuch": executable file not found in $PATH"#,
                "nosuch",
                127,
            ),
            (
                "executable file `nosuch` not found in $PATH: No such file or directory",
                "nosuch",
                127,
            ),
            (
                r#"runc run failed: unable to start container process: exec: "/etc/passwd": permission denied"#,
                "/etc/passwd",
                126,
            ),
            ("open executable: Permission denied", "/etc/passwd", 126),
            ("open executable: Operation not permitted", "/etc", 128),
            ("runc run failed: something else entirely", "true", 128),
        ];
        for (message, command, want) in cases {
            assert_eq!(recorded_exit_code(message, command), want, "{message}");
        }
    }

    #[test]
    fn echoes_are_the_logged_errors_printed() {
        let dir = tempfile::tempdir().unwrap();
        let log =
            RuntimeLog::create(&dir.path().join("runtime.log"), &dir.path().join("pid")).unwrap();
        assert!(!log.is_echo(b"boom\n"), "nothing logged yet");
        std::fs::write(
            log.path(),
            r#"{"level":"error","msg":"boom","time":"2026-11-27T23:09:58Z"}"#,
        )
        .unwrap();
        let cases: [(&[u8], bool); 6] = [
            (b"boom\n", true),
            (b"boom", true),
            (b"crun: boom\n", true),
            (b"boom and more\n", false),
            (b"boom\nother\n", false),
            (b"\n", false),
        ];
        for (chunk, want) in cases {
            assert_eq!(
                log.is_echo(chunk),
                want,
                "{:?}",
                String::from_utf8_lossy(chunk)
            );
        }
        assert_eq!(log.start_failure(0, "x"), None);
        assert_eq!(
            log.start_failure(1, "x"),
            Some(StartFailure {
                message: "boom".into(),
                exit_code: 128
            })
        );
        // Once the process ran (the runtime wrote its PID), an error it logged later (tearing the
        // container down, say) is neither a failed start nor an echo: the container's own output is
        // never dropped.
        std::fs::write(log.pid_file(), "4242").unwrap();
        assert_eq!(log.start_failure(1, "x"), None);
        assert!(!log.is_echo(b"boom\n"));
        // A new start begins without the PID file.
        let again = RuntimeLog::create(log.path(), log.pid_file()).unwrap();
        assert!(!again.process_ran());
    }
}
