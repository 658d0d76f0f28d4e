//! Starting containers: the bundle is (re)written, then the runtime's `run` is waited for either by the
//! `berth` command itself (attached) or by a monitor process that outlives it (detached), which records
//! the output in the container's log and the exit code in its state, as podman's conmon does.

use std::{
    ffi::OsString,
    io::{IsTerminal, Write},
    os::fd::AsFd,
    os::unix::process::{CommandExt, ExitStatusExt},
    path::PathBuf,
    process::{Child, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use crate::{
    containers::Containers,
    error::{Error, Result},
    failure::{RuntimeLog, StartFailure, OCI_CREATE_FAILED},
    logs::LogWriter,
    record::{self, Container},
    rootfs::RootfsPaths,
    runtime::Runtime,
    spec,
    status::Status,
    unpack, user,
};

/// How long a detached start waits for the container to run: the monitor to start the runtime, then
/// the runtime to create and start the container.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How often a detached start looks at the monitor's record and at the runtime.
const START_POLL_INTERVAL: Duration = Duration::from_millis(10);

/// Where an attached container's output goes (besides its log).
pub struct AttachIo {
    /// Connect the container's stdin to ours (`-i`).
    pub stdin: bool,
    pub stdout: Box<dyn Write + Send>,
    pub stderr: Box<dyn Write + Send>,
}

/// The program a detached start re-executes as the container's monitor; the container ID is appended.
/// The CLI passes its own binary and `__monitor` (with its global options).
#[derive(Debug, Clone)]
pub struct MonitorCommand {
    pub program: PathBuf,
    pub args: Vec<OsString>,
}

impl Containers<'_> {
    /// Writes the bundle for a start: `/etc` files, the user resolved from the rootfs, `config.json`.
    fn prepare(&self, container: &Container, tty: bool) -> Result<Runtime> {
        let runtime = self.runtime(container)?;
        match runtime.state(container.id())? {
            Some(state) if state.status.is_stopped() => runtime.delete(container.id(), true)?,
            Some(_) => return Err(Error::AlreadyRunning(container.short_id().to_owned())),
            None => {}
        }
        self.mount_rootfs(container)?;
        match Self::write_bundle(container, tty) {
            Ok(()) => Ok(runtime),
            Err(e) => {
                let _ = self.release_rootfs(container);
                Err(e)
            }
        }
    }

    /// The bundle's `/etc` files and `config.json`, the user resolved from the mounted rootfs.
    fn write_bundle(container: &Container, tty: bool) -> Result<()> {
        let host = &container.record.host;
        let hostname = if host.hostname.is_empty() {
            container.short_id().to_owned()
        } else {
            host.hostname.clone()
        };
        let etc = container.dir.join("etc");
        spec::write_etc_files(&etc, host, &hostname)?;
        let rootfs = unpack::open_root(&RootfsPaths::new(&container.dir).target)?;
        let passwd = user::read_database(rootfs.as_fd(), "passwd")?;
        let group = user::read_database(rootfs.as_fd(), "group")?;
        let exec_user = user::resolve_user(&container.record.config.user, &passwd, &group)?;
        let host = spec::HostConfig {
            tty,
            ..host.clone()
        };
        let spec = spec::build_spec(&container.record.config, &host, &exec_user, &hostname, &etc)?;
        let bytes = serde_json::to_vec_pretty(&spec).map_err(|e| Error::Io {
            action: "serialize config.json".into(),
            source: e.into(),
        })?;
        record::write_atomic(&container.bundle().join("config.json"), &bytes)
    }

    fn mark_running(&self, container: &mut Container) -> Result<()> {
        container.state.status = Status::Running;
        container.state.monitor_pid = Some(rustix::process::getpid().as_raw_nonzero().get());
        container.state.started_at = Some(record::now());
        container.state.finished_at = None;
        container.state.exit_code = None;
        container.state.error = None;
        self.write_state(container)
    }

    fn mark_exited(&self, container: &mut Container, code: i32) -> Result<()> {
        // The runtime's record goes first: once the state says exited, nothing is left to delete.
        if let Ok(runtime) = self.runtime(container) {
            let _ = runtime.delete(container.id(), true);
        }
        // Docker unmounts a container's root filesystem when it stops. Before the state says so:
        // a `start` that sees it exited must not find the old mount, then lose it to this unmount.
        self.release_rootfs_or_warn(container);
        container.state.status = Status::Exited;
        container.state.exit_code = Some(code);
        container.state.finished_at = Some(record::now());
        container.state.monitor_pid = None;
        self.write_state(container)?;
        if container.record.host.auto_remove {
            self.remove(container, true)?;
        }
        Ok(())
    }

    /// The runtime could not start the process: the container keeps the state it had before this
    /// start (`created`, or `exited` from an earlier run, as moby keeps it), with the exit code and the
    /// error Docker records. With `--rm`, `remove` takes it away (as in Docker); the monitor leaves
    /// that to the `start` waiting for it, which must read the error first.
    fn mark_start_failed(
        &self,
        container: &mut Container,
        before: &record::State,
        failure: &StartFailure,
        remove: bool,
    ) -> Result<()> {
        if let Ok(runtime) = self.runtime(container) {
            let _ = runtime.delete(container.id(), true);
        }
        self.release_rootfs_or_warn(container);
        container.state = record::State {
            status: match before.status {
                Status::Exited => Status::Exited,
                _ => Status::Created,
            },
            exit_code: Some(failure.exit_code),
            error: Some(failure.to_string()),
            started_at: before.started_at.clone(),
            finished_at: before.finished_at.clone(),
            monitor_pid: None,
        };
        self.write_state(container)?;
        if remove && container.record.host.auto_remove {
            self.remove(container, true)?;
        }
        Ok(())
    }

    /// The runtime's log of a start of `container`, emptied.
    fn runtime_log(container: &Container) -> Result<RuntimeLog> {
        RuntimeLog::create(
            &container.dir.join("runtime.log"),
            &container.dir.join("runtime.pid"),
        )
    }

    /// After the runtime's `run` exited with `code`: its start failure, if it never ran the process.
    fn start_failure(container: &Container, log: &RuntimeLog, code: i32) -> Option<StartFailure> {
        let command = container
            .record
            .config
            .entrypoint
            .iter()
            .chain(&container.record.config.cmd)
            .next()
            .map_or("", String::as_str);
        log.start_failure(code, command)
    }

    /// Runs the container in the foreground and returns its exit code. Without a terminal its output
    /// is copied to `io` and to its log; with one (`-t`) the runtime drives our terminal itself, or,
    /// where berth has none, the container's terminal comes over a console socket (`console`).
    pub fn run_attached(&self, container: &mut Container, io: AttachIo) -> Result<i32> {
        self.run_attached_inner(container, io, None)
    }

    /// [`Containers::run_attached`] for a caller that relays signals to the container, as `docker run`
    /// does: `started` gets the runtime's PID right after it started and before it is waited for (so
    /// the PID cannot have been reused); the runtime relays the signals it receives to the container's
    /// process. Unless it needs our terminal (`-t`, or `-i` with a terminal on stdin), the runtime gets
    /// a process group of its own, so that a Ctrl-C reaches the container once, through the caller.
    pub fn run_attached_forwarding(
        &self,
        container: &mut Container,
        io: AttachIo,
        started: &mut dyn FnMut(u32),
    ) -> Result<i32> {
        self.run_attached_inner(container, io, Some(started))
    }

    fn run_attached_inner(
        &self,
        container: &mut Container,
        io: AttachIo,
        started: Option<&mut dyn FnMut(u32)>,
    ) -> Result<i32> {
        let tty = container.record.host.tty;
        let runtime = self.prepare(container, tty)?;
        let runtime_log = Self::runtime_log(container)?;
        if tty && !crate::console::has_terminal() {
            return self.run_with_console(container, &runtime, &runtime_log, io, started);
        }
        let mut command = runtime.run_command(
            &container.bundle(),
            container.id(),
            runtime_log.path(),
            runtime_log.pid_file(),
        );
        command.stdin(if io.stdin || tty {
            Stdio::inherit()
        } else {
            Stdio::null()
        });
        if tty {
            command.stdout(Stdio::inherit()).stderr(Stdio::inherit());
        } else {
            command.stdout(Stdio::piped()).stderr(Stdio::piped());
        }
        let shares_terminal = tty || (io.stdin && std::io::stdin().is_terminal());
        if started.is_some() && !shares_terminal {
            command.process_group(0);
        }
        let before = container.state.clone();
        self.mark_running(container)?;
        let child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                container.state.error = Some(e.to_string());
                self.mark_exited(container, 127)?;
                return Err(Error::io(format!("run {}", runtime.name))(e));
            }
        };
        if let Some(started) = started {
            started(child.id());
        }
        let log = LogWriter::create(&container.log_path())?;
        let code = wait_with_output(child, &log, Some((io.stdout, io.stderr)), &runtime_log)?;
        if let Some(failure) = Self::start_failure(container, &runtime_log, code) {
            self.mark_start_failed(container, &before, &failure, true)?;
            return Err(Error::StartFailed(failure));
        }
        self.mark_exited(container, code)?;
        Ok(code)
    }

    /// `-t` without a terminal of ours (output to a pipe or a file): the container's terminal comes
    /// over a console socket, as Docker's daemon gets it, and berth copies what the container writes
    /// to it (one stream, logged as stdout as Docker logs it) and waits for the container's process.
    fn run_with_console(
        &self,
        container: &mut Container,
        runtime: &Runtime,
        runtime_log: &RuntimeLog,
        io: AttachIo,
        started: Option<&mut dyn FnMut(u32)>,
    ) -> Result<i32> {
        let socket = crate::console::ConsoleSocket::bind()?;
        crate::console::become_subreaper()?;
        let mut command = runtime.run_console_command(
            &container.bundle(),
            container.id(),
            runtime_log.path(),
            runtime_log.pid_file(),
            &socket.path(),
        );
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if started.is_some() {
            command.process_group(0);
        }
        let before = container.state.clone();
        self.mark_running(container)?;
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                container.state.error = Some(e.to_string());
                self.mark_exited(container, 127)?;
                return Err(Error::io(format!("run {}", runtime.name))(e));
            }
        };
        let terminal = socket.receive(&mut child)?;
        let mut runtime_said = String::new();
        if let Some(mut stderr) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut stderr, &mut runtime_said);
        }
        let status = child.wait().map_err(Error::io("wait for the runtime"))?;
        let runtime_code = status.code().unwrap_or(crate::containers::LOST_EXIT_CODE);
        let (Some(terminal), 0) = (terminal, runtime_code) else {
            if let Some(failure) = Self::start_failure(container, runtime_log, runtime_code) {
                self.mark_start_failed(container, &before, &failure, true)?;
                return Err(Error::StartFailed(failure));
            }
            tracing::debug!(runtime = %runtime.name, said = %runtime_said.trim(), "the runtime failed");
            self.mark_exited(container, runtime_code)?;
            return Ok(runtime_code);
        };
        let pid = crate::console::read_pid(runtime_log.pid_file())?;
        if let Some(started) = started {
            started(u32::try_from(pid).unwrap_or_default());
        }
        let log = LogWriter::create(&container.log_path())?;
        let pump = crate::logs::pump(terminal, "stdout", Arc::clone(&log), Some(io.stdout), None);
        let code = crate::console::wait_process(pid)?;
        let _ = pump.join();
        self.mark_exited(container, code)?;
        Ok(code)
    }

    /// Starts the container in the background under a monitor process and returns once the runtime
    /// reports it running (or it has already exited), as `docker run -d` does: a `commit`, `kill` or
    /// `stop` right afterwards finds it. Fails after `START_TIMEOUT` with what the runtime reported.
    pub fn start_detached(
        &self,
        container: &mut Container,
        monitor: &MonitorCommand,
    ) -> Result<()> {
        let before = container.state.clone();
        self.prepare(container, false)?;
        container.state.status = Status::Created;
        container.state.error = None;
        self.write_state(container)?;
        let monitor_log = crate::diagnostic::create_log(&container.dir.join("monitor.log"))
            .map_err(Error::io("create the monitor log"))?;
        let mut child = std::process::Command::new(&monitor.program)
            .args(&monitor.args)
            .arg(container.id())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(monitor_log)
            // Its own process group: a Ctrl-C or hang-up of our terminal does not reach it.
            .process_group(0)
            .spawn()
            .map_err(|e| {
                let _ = self.release_rootfs(container);
                Error::io(format!("start the monitor {}", monitor.program.display()))(e)
            })?;
        let deadline = Instant::now() + START_TIMEOUT;
        let state_path = container.dir.join(record::STATE_FILE);
        let read = || match record::read_json::<record::State>(&state_path) {
            Ok(state) => Some(state),
            // `--rm`: the container ran, exited and was removed before we looked.
            Err(_) if !container.dir.exists() => None,
            Err(_) => Some(record::State::default()),
        };
        match wait_monitor_record(deadline, read, || child.try_wait().ok().flatten()) {
            MonitorSaw::Removed => Ok(()),
            MonitorSaw::Recorded(state) => {
                if let Some(error) = start_error(&state) {
                    return Err(self.start_failed(container, &before, error));
                }
                container.state = state;
                self.wait_runtime_started(container, &mut child, deadline)?;
                match start_error(&container.state) {
                    Some(error) => Err(self.start_failed(container, &before, error)),
                    None => Ok(()),
                }
            }
            MonitorSaw::Exited(status) => {
                let log = crate::diagnostic::read_log(&container.dir.join("monitor.log"));
                Err(Error::Monitor(format!(
                    "monitor exited with {status}: {}",
                    log.trim()
                )))
            }
            MonitorSaw::TimedOut => Err(Error::Monitor(
                "timed out waiting for the container to start".into(),
            )),
        }
    }

    /// A detached start that failed. When the runtime could not start the process, the container
    /// keeps what it was `before` this start (the monitor saw it as just created), and a `--rm`
    /// container goes now that its error has been read (the monitor leaves that to us).
    fn start_failed(
        &self,
        container: &mut Container,
        before: &record::State,
        error: Error,
    ) -> Error {
        let Error::StartFailed(failure) = &error else {
            return error;
        };
        if let Err(e) = self.mark_start_failed(container, before, failure, true) {
            tracing::warn!(error = %e, "could not record the failed start");
        }
        error
    }

    /// After the monitor started the runtime's `run`: waits until the runtime has created and started
    /// the container (or it has exited already, or the monitor has gone).
    fn wait_runtime_started(
        &self,
        container: &mut Container,
        monitor: &mut Child,
        deadline: Instant,
    ) -> Result<()> {
        let runtime = self.runtime(container)?;
        let state_path = container.dir.join(record::STATE_FILE);
        let look = || -> Result<Look> {
            match record::read_json::<record::State>(&state_path) {
                // The monitor recorded its exit (it ran, or could not be started).
                Ok(state) if !state.status.is_running() => return Ok(Look::Started),
                Err(_) if !container.dir.exists() => return Ok(Look::Started), // ran; `--rm`
                _ => {}
            }
            let status = runtime.state(container.id())?.map(|state| state.status);
            let mut monitor_gone = || monitor.try_wait().ok().flatten().is_some();
            Ok(match status {
                Some(status) if status.has_started() => Look::Started,
                // Stopped: it ran and exited, or the runtime could not start the process; the
                // monitor is recording which, and the caller reports a start that failed.
                Some(status) if status.is_stopped() && !monitor_gone() => {
                    Look::Pending(status.to_string())
                }
                // The monitor has gone: it saw the container end (or died); `ps` tells which.
                _ if monitor_gone() => Look::Started,
                Some(other) => Look::Pending(other.to_string()),
                None => Look::Pending("not created yet".to_owned()),
            })
        };
        wait_started(container.short_id(), deadline, look)?;
        if let Ok(state) = record::read_json::<record::State>(&state_path) {
            container.state = state;
        }
        Ok(())
    }

    /// The monitor itself (`berth __monitor ID`): runs the container, logs its output, records its
    /// exit code, and removes it afterwards if it was started with `--rm`.
    pub fn monitor(&self, id: &str) -> Result<i32> {
        let mut container = self.get(id)?;
        let before = container.state.clone();
        let runtime = self.runtime(&container)?;
        let runtime_log = Self::runtime_log(&container)?;
        let mut command = runtime.run_command(
            &container.bundle(),
            container.id(),
            runtime_log.path(),
            runtime_log.pid_file(),
        );
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                container.state.error = Some(format!("run {}: {e}", runtime.name));
                self.write_state(&container)?;
                return Err(Error::io(format!("run {}", runtime.name))(e));
            }
        };
        self.mark_running(&mut container)?;
        let log = LogWriter::create(&container.log_path())?;
        let code = wait_with_output(child, &log, None, &runtime_log)?;
        if let Some(failure) = Self::start_failure(&container, &runtime_log, code) {
            // A `--rm` container stays for the `start` waiting for it to read why, which removes it.
            self.mark_start_failed(&mut container, &before, &failure, false)?;
            return Ok(failure.exit_code);
        }
        self.mark_exited(&mut container, code)?;
        Ok(code)
    }
}

/// What a detached start sees when it looks at a container the monitor is starting.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Look {
    /// Running, or already exited: the start is over.
    Started,
    /// What the runtime reports instead (`creating`, `created`, or not created yet).
    Pending(String),
}

/// What the wait for a detached start's monitor found first.
#[derive(Debug)]
enum MonitorSaw {
    /// The container's directory has gone (`--rm`: it ran and was removed).
    Removed,
    /// The monitor recorded the start, its end, or an error.
    Recorded(record::State),
    /// The monitor exited having recorded nothing.
    Exited(std::process::ExitStatus),
    TimedOut,
}

/// Reads the container's state (`read`: `None` once its directory has gone) every
/// [`START_POLL_INTERVAL`] until the monitor has recorded something other than `created`. Once
/// `monitor_exited` reports the monitor gone, the state is read once more before that counts: the
/// monitor may have recorded the start (and the end of a fast container) between a read and the check.
fn wait_monitor_record(
    deadline: Instant,
    mut read: impl FnMut() -> Option<record::State>,
    mut monitor_exited: impl FnMut() -> Option<std::process::ExitStatus>,
) -> MonitorSaw {
    let mut exited = None;
    loop {
        let Some(state) = read() else {
            return MonitorSaw::Removed;
        };
        if start_error(&state).is_some() || state.status != Status::Created {
            return MonitorSaw::Recorded(state);
        }
        if let Some(status) = exited {
            return MonitorSaw::Exited(status);
        }
        exited = monitor_exited();
        if exited.is_some() {
            continue;
        }
        if Instant::now() >= deadline {
            return MonitorSaw::TimedOut;
        }
        std::thread::sleep(START_POLL_INTERVAL);
    }
}

/// Looks every [`START_POLL_INTERVAL`] until the container has started; after `deadline`, fails with
/// what the runtime reported last.
fn wait_started(
    short_id: &str,
    deadline: Instant,
    mut look: impl FnMut() -> Result<Look>,
) -> Result<()> {
    loop {
        let status = match look()? {
            Look::Started => return Ok(()),
            Look::Pending(status) => status,
        };
        if Instant::now() >= deadline {
            return Err(Error::StartTimeout {
                id: short_id.to_owned(),
                waited: START_TIMEOUT,
                status,
            });
        }
        std::thread::sleep(START_POLL_INTERVAL);
    }
}

/// What a detached start reports from the state the monitor recorded: the runtime could not start the
/// process (the exit code and error are recorded, the container is still `created`), or the monitor
/// could not run the runtime at all.
fn start_error(state: &record::State) -> Option<Error> {
    let error = state.error.clone()?;
    Some(
        match (error.strip_prefix(OCI_CREATE_FAILED), state.exit_code) {
            (Some(message), Some(exit_code)) => Error::StartFailed(StartFailure {
                message: message.to_owned(),
                exit_code,
            }),
            _ => Error::Monitor(error),
        },
    )
}

/// Copies the child's stdout and stderr to the log (and to `tee`), then waits for it. On stderr, the
/// runtime's own error messages (also in `runtime_log`) are left out.
fn wait_with_output(
    mut child: Child,
    log: &Arc<Mutex<LogWriter>>,
    tee: Option<(Box<dyn Write + Send>, Box<dyn Write + Send>)>,
    runtime_log: &RuntimeLog,
) -> Result<i32> {
    let (tee_out, tee_err) = match tee {
        Some((out, err)) => (Some(out), Some(err)),
        None => (None, None),
    };
    let mut pumps = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        pumps.push(crate::logs::pump(
            stdout,
            "stdout",
            Arc::clone(log),
            tee_out,
            None,
        ));
    }
    if let Some(stderr) = child.stderr.take() {
        pumps.push(crate::logs::pump(
            stderr,
            "stderr",
            Arc::clone(log),
            tee_err,
            Some(runtime_log.clone()),
        ));
    }
    let status = child.wait().map_err(Error::io("wait for the runtime"))?;
    for pump in pumps {
        let _ = pump.join();
    }
    Ok(status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(crate::containers::LOST_EXIT_CODE))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The monitor's first record, whatever order its writes and its exit are seen in.
    #[test]
    fn the_monitors_record_counts_even_when_its_exit_is_seen_first() {
        use std::os::unix::process::ExitStatusExt;
        let state = |status| record::State {
            status,
            ..record::State::default()
        };
        let deadline = || Instant::now() + Duration::from_secs(5);
        // Recorded and exited between a read (still created) and the check: the race once lost.
        let mut reads = vec![state(Status::Exited), state(Status::Created)];
        let saw = wait_monitor_record(
            deadline(),
            || reads.pop(),
            || Some(std::process::ExitStatus::from_raw(0)),
        );
        assert!(
            matches!(&saw, MonitorSaw::Recorded(s) if s.status == Status::Exited),
            "{saw:?}"
        );
        // Exited having recorded nothing.
        let saw = wait_monitor_record(
            deadline(),
            || Some(state(Status::Created)),
            || Some(std::process::ExitStatus::from_raw(256)),
        );
        assert!(
            matches!(saw, MonitorSaw::Exited(s) if s.code() == Some(1)),
            "{saw:?}"
        );
        // Removed (`--rm`) before the first read, and a monitor that never records.
        let saw = wait_monitor_record(deadline(), || None, || None);
        assert!(matches!(saw, MonitorSaw::Removed), "{saw:?}");
        let saw = wait_monitor_record(
            Instant::now() + Duration::from_millis(30),
            || Some(state(Status::Created)),
            || None,
        );
        assert!(matches!(saw, MonitorSaw::TimedOut), "{saw:?}");
    }

    #[test]
    fn a_start_that_never_runs_fails_with_what_the_runtime_said() {
        let mut looks = 0;
        let error = wait_started(
            "0123456789ab",
            Instant::now() + Duration::from_millis(50),
            || {
                looks += 1;
                Ok(Look::Pending("created".to_owned()))
            },
        )
        .unwrap_err();
        assert!(looks > 1, "looked {looks} times");
        assert_eq!(
            error.to_string(),
            "container 0123456789ab did not start within 30s: the runtime reports it created"
        );
    }

    #[test]
    fn a_start_ends_once_the_container_runs() {
        let mut answers = vec![
            Look::Started,
            Look::Pending("created".to_owned()),
            Look::Pending("not created yet".to_owned()),
        ];
        wait_started("0123456789ab", Instant::now() + START_TIMEOUT, || {
            Ok(answers.pop().unwrap())
        })
        .unwrap();
        assert!(answers.is_empty());
    }
}
