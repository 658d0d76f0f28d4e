//! Container records: `record.json` (written once, at create) and `state.json` (rewritten by whoever
//! runs the container: the attached `berth run` or the detached container's monitor). Both are replaced
//! whole (temp file + rename), so a reader never sees half a record.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use berth_digest::Digest;
use berth_manifest::ContainerConfig;
use serde::{Deserialize, Serialize};

use crate::{
    error::{Error, Result},
    id::ContainerId,
    rootfs::RootfsKind,
    spec::HostConfig,
    status::Status,
};

pub(crate) const RECORD_FILE: &str = "record.json";
pub(crate) const STATE_FILE: &str = "state.json";
/// Largest record berth reads (commands and environments are small).
const MAX_RECORD_BYTES: u64 = 4 * 1024 * 1024;

/// What a container is: fixed at create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Checked when the record is read: a corrupt ID makes the record unreadable.
    pub id: ContainerId,
    /// Without Docker's leading `/`.
    pub name: String,
    /// RFC 3339 with nanoseconds, UTC.
    pub created: String,
    /// The image as the user named it (`ubuntu:14.04`), shown by `ps`.
    pub image: String,
    /// The image ID (config digest) and the manifest the container was made from (a GC root).
    pub image_id: Digest,
    pub image_manifest: Digest,
    /// The container's config: the image's with the `run` overrides applied.
    pub config: ContainerConfig,
    pub host: HostConfig,
    pub rootfs: RootfsKind,
    /// The runtime's name or path, as resolved at create.
    pub runtime: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub status: Status,
    /// The process that waits for the container: the monitor, or the attached `berth`.
    #[serde(default)]
    pub monitor_pid: Option<i32>,
    #[serde(default)]
    pub started_at: Option<String>,
    #[serde(default)]
    pub finished_at: Option<String>,
    #[serde(default)]
    pub exit_code: Option<i32>,
    /// Why the monitor could not start the container.
    #[serde(default)]
    pub error: Option<String>,
}

/// A container: its record and its current state.
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    pub record: Record,
    pub state: State,
    pub dir: PathBuf,
}

impl Container {
    pub fn id(&self) -> &str {
        self.record.id.as_str()
    }

    /// The first 12 digits.
    pub fn short_id(&self) -> &str {
        self.record.id.short()
    }

    pub fn name(&self) -> &str {
        &self.record.name
    }

    pub fn is_running(&self) -> bool {
        self.state.status.is_running()
    }

    /// The container as Docker's image deletion rules see it.
    pub fn image_user(&self) -> berth_store::ImageUser {
        berth_store::ImageUser {
            container: self.short_id().to_owned(),
            image: self.record.image_id.clone(),
            manifest: self.record.image_manifest.clone(),
            running: self.is_running(),
        }
    }

    pub fn bundle(&self) -> PathBuf {
        self.dir.join("bundle")
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.join("container.log")
    }

    /// The command as `ps` shows it (moby's container list): Entrypoint and Cmd joined by spaces, each
    /// argument after the first that holds a space in single quotes.
    pub fn command(&self) -> String {
        listed_command(&crate::spec::process_args(&self.record.config))
    }
}

/// moby's `Command` of a listed container: the path, then the arguments, those with a space quoted.
fn listed_command(args: &[String]) -> String {
    let mut words = args.iter();
    let mut out = words.next().cloned().unwrap_or_default();
    for arg in words {
        out.push(' ');
        if arg.contains(' ') {
            out.push('\'');
            out.push_str(arg);
            out.push('\'');
        } else {
            out.push_str(arg);
        }
    }
    out
}

pub(crate) fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(Error::io(format!("open {}", path.display())))?;
    let mut bytes = Vec::new();
    file.take(MAX_RECORD_BYTES)
        .read_to_end(&mut bytes)
        .map_err(Error::io(format!("read {}", path.display())))?;
    serde_json::from_slice(&bytes).map_err(|source| Error::CorruptRecord {
        path: path.to_path_buf(),
        source,
    })
}

pub(crate) fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|source| Error::CorruptRecord {
        path: path.to_path_buf(),
        source,
    })?;
    write_atomic(path, &bytes)
}

pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let temp = path.with_extension(format!("tmp{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(Error::io(format!("write {}", path.display())))
}

/// Now, as RFC 3339 with nanoseconds (Docker's `Created` format).
pub fn now() -> String {
    berth_manifest::timefmt::format_rfc3339_nano(time::OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests {
    use super::listed_command;

    #[test]
    fn listed_commands_quote_arguments_with_spaces() {
        let cases: &[(&[&str], &str)] = &[
            (&[], ""),
            (&["/bin/sh"], "/bin/sh"),
            (&["sh", "-c", "echo hi; exit 2"], "sh -c 'echo hi; exit 2'"),
            (&["/my app", "a b", "c"], "/my app 'a b' c"),
        ];
        for (args, want) in cases {
            let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
            assert_eq!(listed_command(&args), *want);
        }
    }
}
