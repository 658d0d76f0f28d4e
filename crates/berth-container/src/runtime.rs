//! The OCI runtime: `runc` or `crun`, driven through their command lines.
//!
//! Both take the same global `--root DIR` (where they keep their own container state) and the same
//! `run`, `state`, `kill`, `delete`, `pause` and `resume` commands. berth gives them a state root of its
//! own per store, so `runc list` of the host is not cluttered and two stores never clash.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use serde::Deserialize;

use crate::{
    error::{Error, Result},
    status::RuntimeStatus,
};

/// Runtimes berth looks for, in order, with the Debian package that provides each.
const KNOWN_RUNTIMES: &[(&str, &str)] = &[("runc", "runc"), ("crun", "crun")];
/// Where Debian installs runtimes, searched after `PATH` (a non-root `PATH` often lacks `sbin`).
const EXTRA_DIRS: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runtime {
    /// `runc`, `crun`, or the name the user gave.
    pub name: String,
    pub path: PathBuf,
    state_root: PathBuf,
}

/// The part of `runtime state` berth reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RuntimeState {
    pub status: RuntimeStatus,
    #[serde(default)]
    pub pid: i32,
}

impl Runtime {
    /// Finds `requested` (a name on `PATH` or a path), or the first of runc and crun when empty.
    pub fn find(requested: &str, state_root: &Path) -> Result<Runtime> {
        if requested.is_empty() {
            for (name, _) in KNOWN_RUNTIMES {
                if let Some(path) = search(name) {
                    return Ok(Runtime::new(name, path, state_root));
                }
            }
            return Err(Error::NoRuntime);
        }
        let name = Path::new(requested).file_name().map_or_else(
            || requested.to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        let found = if requested.contains('/') {
            Path::new(requested)
                .is_file()
                .then(|| PathBuf::from(requested))
        } else {
            search(requested)
        };
        match found {
            Some(path) => Ok(Runtime::new(&name, path, state_root)),
            None => Err(Error::RuntimeNotFound {
                package: KNOWN_RUNTIMES
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map_or_else(|| "runc".to_owned(), |(_, p)| (*p).to_owned()),
                name: requested.to_owned(),
            }),
        }
    }

    fn new(name: &str, path: PathBuf, state_root: &Path) -> Runtime {
        Runtime {
            name: name.to_owned(),
            path,
            state_root: state_root.join(name),
        }
    }

    /// The runtime with its global options; add a subcommand.
    pub fn command(&self) -> Command {
        let mut command = Command::new(&self.path);
        command.arg("--root").arg(&self.state_root);
        if self.name == "crun" && hybrid_with_v2_controllers() {
            hide_unified_cgroup(&mut command);
        }
        command
    }

    /// `run --bundle BUNDLE ID`: creates, starts and waits for the container; exits with its status.
    /// The runtime's own errors also go to `log`, as JSON lines, and the process's PID to `pid_file`
    /// once it runs (runc and crun alike).
    pub fn run_command(&self, bundle: &Path, id: &str, log: &Path, pid_file: &Path) -> Command {
        let mut command = self.command();
        command
            .arg(format!("--log={}", log.display()))
            .arg("--log-format=json")
            .arg("run")
            .arg("--pid-file")
            .arg(pid_file)
            .arg("--bundle")
            .arg(bundle)
            .arg(id);
        command
    }

    /// `run --detach --console-socket SOCKET`: creates and starts the container with a terminal whose
    /// primary side the runtime sends to `console_socket`, then exits (0 once the process runs).
    pub fn run_console_command(
        &self,
        bundle: &Path,
        id: &str,
        log: &Path,
        pid_file: &Path,
        console_socket: &Path,
    ) -> Command {
        let mut command = self.command();
        command
            .arg(format!("--log={}", log.display()))
            .arg("--log-format=json")
            .arg("run")
            .arg("--detach")
            .arg("--console-socket")
            .arg(console_socket)
            .arg("--pid-file")
            .arg(pid_file)
            .arg("--bundle")
            .arg(bundle)
            .arg(id);
        command
    }

    /// The runtime's view of a container; `None` if it does not know it.
    pub fn state(&self, id: &str) -> Result<Option<RuntimeState>> {
        let output = self
            .command()
            .arg("state")
            .arg(id)
            .stdin(Stdio::null())
            .output()
            .map_err(Error::io(format!("run {} state", self.name)))?;
        if !output.status.success() {
            return Ok(None); // "container does not exist" (the wording differs between runtimes)
        }
        Ok(serde_json::from_slice(&output.stdout).ok())
    }

    /// Sends `signal` (`TERM`, `SIGKILL`, `9`) to the container's init process.
    pub fn kill(&self, id: &str, signal: &str) -> Result<()> {
        self.simple(&["kill", id, signal], "kill the container")
    }

    /// Removes the runtime's state of a stopped (or, forced, any) container.
    pub fn delete(&self, id: &str, force: bool) -> Result<()> {
        if force {
            self.simple(&["delete", "--force", id], "delete the container")
        } else {
            self.simple(&["delete", id], "delete the container")
        }
    }

    /// Freezes the container. The runtime's process dies with the caller (`PR_SET_PDEATHSIG`): a
    /// commit killed while the runtime pauses for it must not have the pause complete afterwards,
    /// after another command found the commit gone and the container not (yet) paused.
    pub fn pause(&self, id: &str) -> Result<()> {
        let mut command = self.command();
        command.args(["pause", id]);
        die_with_caller(&mut command);
        self.output_of(command, "pause the container")
    }

    pub fn resume(&self, id: &str) -> Result<()> {
        self.simple(&["resume", id], "resume the container")
    }

    fn simple(&self, args: &[&str], action: &str) -> Result<()> {
        let mut command = self.command();
        command.args(args);
        self.output_of(command, action)
    }

    fn output_of(&self, mut command: Command, action: &str) -> Result<()> {
        let output = command
            .stdin(Stdio::null())
            .output()
            .map_err(Error::io(format!("run {}", self.name)))?;
        if output.status.success() {
            return Ok(());
        }
        Err(Error::Runtime {
            runtime: self.name.clone(),
            action: action.to_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        })
    }
}

/// Has the kernel SIGKILL the command when the thread that spawns it ends (the process, for the
/// blocking calls of this module, which wait for it on the spawning thread).
fn die_with_caller(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    let caller = rustix::process::getpid();
    // SAFETY: the closure runs in the forked child before exec; it only makes raw syscalls (prctl,
    // getppid) and allocates nothing, so it is async-signal-safe as `pre_exec` requires.
    unsafe {
        command.pre_exec(move || {
            rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL))?;
            // The caller died between the fork and the prctl: the signal will never come.
            if rustix::process::getppid() != Some(caller) {
                return Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
            }
            Ok(())
        });
    }
}

/// The cgroup v2 hierarchy of a hybrid host.
const UNIFIED_CGROUP: &str = "/sys/fs/cgroup/unified";

/// crun (1.8) refuses cgroup v1+v2 "hybrid" hosts whose v2 hierarchy has controllers enabled
/// ("cgroups in hybrid mode not supported, drop all controllers from cgroupv2"). Rather than change the
/// host, crun runs in a private mount namespace without the v2 mount, where it sees a plain v1 host.
fn hide_unified_cgroup(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the forked child before exec; it only makes raw syscalls
    // (unshare, mount, umount2) on data prepared beforehand, allocates nothing and takes no locks,
    // so it is async-signal-safe as `pre_exec` requires.
    unsafe {
        command.pre_exec(|| {
            rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWNS)?;
            rustix::mount::mount_change(
                c"/",
                rustix::mount::MountPropagationFlags::REC
                    | rustix::mount::MountPropagationFlags::PRIVATE,
            )?;
            rustix::mount::unmount(
                c"/sys/fs/cgroup/unified",
                rustix::mount::UnmountFlags::DETACH,
            )?;
            Ok(())
        });
    }
}

/// A cgroup v1 host that also mounts a v2 hierarchy with controllers enabled in it.
fn hybrid_with_v2_controllers() -> bool {
    std::fs::read_to_string(format!("{UNIFIED_CGROUP}/cgroup.controllers"))
        .is_ok_and(|controllers| !controllers.trim().is_empty())
}

pub(crate) fn search(name: &str) -> Option<PathBuf> {
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path_var)
        .chain(EXTRA_DIRS.iter().map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| {
            std::fs::metadata(candidate).is_ok_and(|m| {
                use std::os::unix::fs::PermissionsExt;
                m.is_file() && m.permissions().mode() & 0o111 != 0
            })
        })
}

/// Normalizes a signal for the runtimes: `SIGKILL`, `KILL`, `kill` and `9` are all accepted.
pub fn parse_signal(signal: &str) -> Result<String> {
    let upper = signal.trim().to_ascii_uppercase();
    let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
    let valid = !bare.is_empty()
        && (bare.bytes().all(|b| b.is_ascii_digit())
            || bare
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'+' || b == b'-'));
    if valid && bare.parse::<u32>().map_or(true, |n| (1..=64).contains(&n)) {
        Ok(bare.to_owned())
    } else {
        Err(Error::InvalidArgument {
            what: "signal",
            value: signal.to_owned(),
        })
    }
}
