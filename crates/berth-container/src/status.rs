//! What a container is doing, in two vocabularies: [`Status`], Docker's (recorded in `state.json`,
//! shown by `ps` and `inspect`), and [`RuntimeStatus`], the OCI runtime's (`runc state`). Callers ask
//! them questions (`is_running`, `can_start`, ...) rather than compare words.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Docker's state of a container.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Created,
    Running,
    Paused,
    Exited,
}

impl Status {
    /// Docker's `State` word (`created`, `running`, `paused`, `exited`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Exited => "exited",
        }
    }

    /// It has a process (paused or not): Docker's `State.Running`.
    pub fn is_running(self) -> bool {
        matches!(self, Status::Running | Status::Paused)
    }

    pub fn is_paused(self) -> bool {
        self == Status::Paused
    }

    /// `start` may run it: it has never run, or it has exited.
    pub fn can_start(self) -> bool {
        !self.is_running()
    }

    /// `kill` may signal it (a paused container too: the signal waits for it to be resumed).
    pub fn can_kill(self) -> bool {
        self.is_running()
    }

    /// `commit -p` pauses it while it reads its changes (one paused by its user stays so).
    pub fn can_pause(self) -> bool {
        self == Status::Running
    }

    /// `rm` without force may remove it; `system prune` removes it.
    pub fn can_remove(self) -> bool {
        !self.is_running()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The runtime's state of a container (`runc state`, `crun state`): the OCI states and runc's
/// `paused`, which the OCI runtime spec (and `oci_spec::runtime::ContainerState`) lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuntimeStatus {
    Creating,
    Created,
    Running,
    Paused,
    Stopped,
    /// A word this berth does not know.
    #[serde(other)]
    Unknown,
}

impl RuntimeStatus {
    /// The runtime has started the container's process, which has not exited.
    pub fn has_started(self) -> bool {
        matches!(self, RuntimeStatus::Running | RuntimeStatus::Paused)
    }

    pub fn is_paused(self) -> bool {
        self == RuntimeStatus::Paused
    }

    /// The process has exited (or never ran): only the runtime's record of it is left to delete.
    pub fn is_stopped(self) -> bool {
        self == RuntimeStatus::Stopped
    }

    /// Docker's state of a container the runtime still holds: paused, or running (also while the
    /// runtime is still creating or starting it). `None` once it stopped, or for a word unknown.
    pub fn docker_status(self) -> Option<Status> {
        match self {
            RuntimeStatus::Paused => Some(Status::Paused),
            RuntimeStatus::Running | RuntimeStatus::Created | RuntimeStatus::Creating => {
                Some(Status::Running)
            }
            RuntimeStatus::Stopped | RuntimeStatus::Unknown => None,
        }
    }

    /// The runtime's word.
    pub fn as_str(self) -> &'static str {
        match self {
            RuntimeStatus::Creating => "creating",
            RuntimeStatus::Created => "created",
            RuntimeStatus::Running => "running",
            RuntimeStatus::Paused => "paused",
            RuntimeStatus::Stopped => "stopped",
            RuntimeStatus::Unknown => "unknown",
        }
    }
}

impl fmt::Display for RuntimeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_states_answer_questions() {
        // status, word, is_running, can_start, can_kill, can_pause, can_remove
        let cases = [
            (Status::Created, "created", false, true, false, false, true),
            (Status::Running, "running", true, false, true, true, false),
            (Status::Paused, "paused", true, false, true, false, false),
            (Status::Exited, "exited", false, true, false, false, true),
        ];
        for (status, word, running, start, kill, pause, remove) in cases {
            assert_eq!(status.as_str(), word);
            assert_eq!(status.to_string(), word);
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{word}\"")
            );
            assert_eq!(
                serde_json::from_str::<Status>(&format!("\"{word}\"")).unwrap(),
                status
            );
            assert_eq!(status.is_running(), running, "{word}");
            assert_eq!(status.is_paused(), status == Status::Paused, "{word}");
            assert_eq!(status.can_start(), start, "{word}");
            assert_eq!(status.can_kill(), kill, "{word}");
            assert_eq!(status.can_pause(), pause, "{word}");
            assert_eq!(status.can_remove(), remove, "{word}");
        }
    }

    #[test]
    fn runtime_states_are_read_from_the_runtime_words() {
        // word, status, has_started, is_stopped, Docker's status
        let cases = [
            (
                "creating",
                RuntimeStatus::Creating,
                false,
                false,
                Some(Status::Running),
            ),
            (
                "created",
                RuntimeStatus::Created,
                false,
                false,
                Some(Status::Running),
            ),
            (
                "running",
                RuntimeStatus::Running,
                true,
                false,
                Some(Status::Running),
            ),
            (
                "paused",
                RuntimeStatus::Paused,
                true,
                false,
                Some(Status::Paused),
            ),
            ("stopped", RuntimeStatus::Stopped, false, true, None),
            ("frozen", RuntimeStatus::Unknown, false, false, None),
        ];
        for (word, status, started, stopped, docker) in cases {
            let parsed: RuntimeStatus = serde_json::from_str(&format!("\"{word}\"")).unwrap();
            assert_eq!(parsed, status, "{word}");
            assert_eq!(parsed.has_started(), started, "{word}");
            assert_eq!(parsed.is_stopped(), stopped, "{word}");
            assert_eq!(parsed.is_paused(), word == "paused", "{word}");
            assert_eq!(parsed.docker_status(), docker, "{word}");
            if status != RuntimeStatus::Unknown {
                assert_eq!(parsed.to_string(), word);
            }
        }
    }
}
