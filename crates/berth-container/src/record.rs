//! Container records: `record.json` (written once, at create) and `state.json` (rewritten by whoever
//! runs the container: the attached `berth run` or the detached container's monitor). Both are replaced
//! whole (temp file, fsync, rename: `berth_store::fs`), so a reader never sees half a record.

use std::path::{Path, PathBuf};

use berth_digest::Digest;
use berth_manifest::ContainerConfig;
use berth_store::fs::Permissions;
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
    let file = std::fs::File::open(path).map_err(Error::io(format!("open {}", path.display())))?;
    let bytes = berth_store::fs::read_file_bounded(&file, MAX_RECORD_BYTES)
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

/// Replaces the file at `path` whole (`berth_store::fs::write_atomic_path`: a symlink planted there
/// is replaced, never written through). The mode is a new file's usual one (`0666` less the umask):
/// the bundle's `/etc` files are read inside the container by whatever user it runs as.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    berth_store::fs::write_atomic_path(path, bytes, Permissions::Create(0o666))
        .map_err(Error::io(format!("write {}", path.display())))
}

/// Now, as RFC 3339 with nanoseconds (Docker's `Created` format).
pub fn now() -> String {
    berth_manifest::timefmt::format_rfc3339_nano(time::OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests {
    use super::{listed_command, read_json, write_json, State, Status, MAX_RECORD_BYTES};

    /// A symlink planted at a record's path (or the state's), or at a temporary name beside it, is
    /// never written through: nothing lands outside the container's directory (issue #14 item 2: the
    /// old `File::create` of `<name>.tmp<pid>` followed a symlink there).
    #[test]
    fn records_replace_a_planted_symlink_instead_of_following_it() {
        let outside = tempfile::tempdir().unwrap();
        let container = tempfile::tempdir().unwrap();
        for (name, victim_exists) in [("state.json", true), ("record.json", false)] {
            let victim = outside.path().join(format!("victim-{name}"));
            if victim_exists {
                std::fs::write(&victim, b"outside").unwrap();
            }
            let path = container.path().join(name);
            std::os::unix::fs::symlink(&victim, &path).unwrap();
            // Where the old code put its temporary file, `File::create` writing through it.
            let old_temp = path.with_extension(format!("tmp{}", std::process::id()));
            let temp_victim = outside.path().join(format!("temp-victim-{name}"));
            std::fs::write(&temp_victim, b"outside").unwrap();
            std::os::unix::fs::symlink(&temp_victim, &old_temp).unwrap();
            let state = State {
                status: Status::Running,
                ..State::default()
            };
            write_json(&path, &state).unwrap();
            assert!(
                std::fs::symlink_metadata(&path).unwrap().is_file(),
                "{name}"
            );
            assert_eq!(read_json::<State>(&path).unwrap(), state, "{name}");
            assert_eq!(std::fs::read(&temp_victim).unwrap(), b"outside", "{name}");
            std::fs::remove_file(&old_temp).unwrap();
            if victim_exists {
                assert_eq!(std::fs::read(&victim).unwrap(), b"outside", "{name}");
            } else {
                assert!(!victim.exists(), "{name}");
            }
        }
        let mut left: Vec<_> = std::fs::read_dir(container.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        left.sort();
        assert_eq!(left, ["record.json", "state.json"]);
    }

    /// A record past the limit is an error that says so, not a parse of its first 4 MiB.
    #[test]
    fn oversized_records_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let mut padded = br#"{"status":"created"}"#.to_vec();
        for (extra, fits) in [(0, true), (1, false)] {
            padded.resize(usize::try_from(MAX_RECORD_BYTES).unwrap() + extra, b' ');
            std::fs::write(&path, &padded).unwrap();
            let result = read_json::<State>(&path);
            if fits {
                assert_eq!(result.unwrap(), State::default());
            } else {
                let message = berth_store::error_chain(&result.unwrap_err());
                assert!(
                    message.ends_with(&format!(
                        "state.json: file too large: more than {MAX_RECORD_BYTES} bytes"
                    )),
                    "{message}"
                );
            }
        }
    }

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
