//! A build's default network (`--network default`): a network namespace of its own, with outbound
//! access through slirp4netns's user-mode TCP/IP stack and no way to the host's loopback services.
//!
//! Two helper processes make it: a holder that creates the namespace and keeps it alive (`cat` in a
//! new network namespace, reading a pipe whose only write end berth keeps), and slirp4netns attached
//! to the holder (`--configure --disable-host-loopback --enable-seccomp`), which gives it `eth0`
//! (10.0.2.100/24, gateway 10.0.2.2, DNS forwarder 10.0.2.3). Containers join the namespace by path
//! ([`UserNetwork::join`] puts `/proc/HOLDER/ns/net` into their spec).
//!
//! Start and stop are exact: slirp4netns reports that the namespace is configured on `--ready-fd`,
//! and [`UserNetwork::stop`] (or dropping it) kills and reaps both. If berth itself dies (SIGKILL
//! included), the kernel closes its end of the pipe: the holder reads end-of-file and exits, and
//! slirp4netns, whose `--exit-fd` is that pipe, exits too. Nothing is mounted, so nothing is left.
//!
//! A RUN step on it, as the build executor runs one (needs root and slirp4netns, so not run here):
//!
//! ```no_run
//! use berth_container::{build_spec, resolve_user, write_etc_files, HostConfig, Network, UserNetwork};
//! # fn main() -> Result<(), berth_container::Error> {
//! let host = HostConfig { network: Network::parse_build("default")?, ..HostConfig::default() };
//! let network = UserNetwork::start()?; // once per build; stopped on drop too
//! let etc = std::path::Path::new("/tmp/step/etc");
//! write_etc_files(etc, &host, "buildkitsandbox")?;
//! let config = berth_manifest::ContainerConfig {
//!     cmd: vec!["/bin/sh".into(), "-c".into(), "apt-get update".into()],
//!     ..Default::default()
//! };
//! let user = resolve_user("root", "root:x:0:0::/root:/bin/sh\n", "root:x:0:\n")?;
//! let mut spec = build_spec(&config, &host, &user, "buildkitsandbox", etc)?;
//! network.join(&mut spec); // the spec's network namespace is now the build network's
//! // ... write config.json, then `Runtime::run_command` as for any container ...
//! network.stop()?;
//! # Ok(())
//! # }
//! ```

use std::{
    io::Read,
    os::fd::{AsRawFd, OwnedFd},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use oci_spec::runtime::{LinuxNamespace, LinuxNamespaceType, Spec};

use crate::error::{Error, Result};

/// The address slirp4netns gives the namespace (`--configure`).
pub const SLIRP_GUEST_ADDRESS: &str = "10.0.2.100";
/// slirp4netns's DNS forwarder; it asks the host's name servers.
pub const SLIRP_DNS_ADDRESS: &str = "10.0.2.3";
/// The largest MTU slirp4netns takes: fewer, bigger packets through the user-mode stack (its
/// documentation's advice for throughput).
const SLIRP_MTU: &str = "65520";
/// The interface inside the namespace, named as Docker names a container's.
const INTERFACE: &str = "eth0";
/// How long slirp4netns may take to configure the namespace.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// The helpers of this process's running build networks (holder, slirp4netns), for
/// [`kill_all`]. Their PIDs cannot be reused while listed: berth reaps them only after removing
/// them here.
static LIVE: std::sync::Mutex<Vec<(u32, u32)>> = std::sync::Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<(u32, u32)>> {
    LIVE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Kills the helpers of every running build network (the interrupt path, `Step::abort_all`: the
/// process exits right after, and the orphans' parent reaps them).
pub(crate) fn kill_all() {
    for (holder, slirp) in std::mem::take(&mut *live()) {
        for pid in [slirp, holder] {
            if let Some(pid) = i32::try_from(pid)
                .ok()
                .and_then(rustix::process::Pid::from_raw)
            {
                let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
            }
        }
    }
}

/// A running build network. Any number of containers may join it, one after the other or at once
/// (they then share the namespace, as processes on one host do).
#[derive(Debug)]
pub struct UserNetwork {
    holder: Child,
    slirp: Child,
    /// The write end of the pipe both helpers watch; closed when berth exits.
    lifeline: Option<OwnedFd>,
}

impl UserNetwork {
    /// Creates the namespace and attaches slirp4netns to it; returns once the namespace's `eth0` is
    /// configured. Needs root (a new network namespace) and slirp4netns ([`Error::NoSlirp4netns`]).
    pub fn start() -> Result<UserNetwork> {
        let slirp_path = crate::runtime::search("slirp4netns").ok_or(Error::NoSlirp4netns)?;
        let cat = crate::runtime::search("cat").ok_or_else(|| setup("find cat", "not on PATH"))?;
        let (lifeline_read, lifeline) = pipe()?;
        let holder = spawn_holder(&cat, lifeline_read.try_clone().map_err(Error::io("dup"))?)?;
        let (ready_read, ready_write) = pipe()?;
        let slirp = spawn_slirp(&slirp_path, holder.id(), &ready_write, &lifeline_read);
        drop(ready_write);
        drop(lifeline_read);
        let slirp = match slirp {
            Ok(slirp) => slirp,
            Err(e) => {
                let mut holder = holder;
                let _ = holder.kill();
                let _ = holder.wait();
                return Err(e);
            }
        };
        let mut network = UserNetwork {
            holder,
            slirp,
            lifeline: Some(lifeline),
        };
        if let Err(e) = network.wait_ready(&ready_read) {
            let _ = network.stop_helpers();
            return Err(e);
        }
        live().push(network.pids());
        if let Some(stderr) = network.slirp.stderr.take() {
            std::thread::spawn(move || log_lines(stderr));
        }
        tracing::debug!(
            holder = network.holder.id(),
            slirp4netns = network.slirp.id(),
            "build network started"
        );
        Ok(network)
    }

    /// The namespace's path, as a runtime joins it.
    pub fn netns_path(&self) -> PathBuf {
        PathBuf::from(format!("/proc/{}/ns/net", self.holder.id()))
    }

    /// Makes a spec's process join this network: its network namespace entry gets
    /// [`UserNetwork::netns_path`] (added when the spec has none).
    pub fn join(&self, spec: &mut Spec) {
        let Some(linux) = spec.linux_mut() else {
            return;
        };
        let mut namespaces = linux.namespaces().clone().unwrap_or_default();
        namespaces.retain(|ns| ns.typ() != LinuxNamespaceType::Network);
        let mut network = LinuxNamespace::default();
        network.set_typ(LinuxNamespaceType::Network);
        network.set_path(Some(self.netns_path()));
        namespaces.push(network);
        linux.set_namespaces(Some(namespaces));
    }

    /// The helper processes' IDs (holder, slirp4netns), for tests that check none is left.
    pub fn pids(&self) -> (u32, u32) {
        (self.holder.id(), self.slirp.id())
    }

    /// Stops both helpers and reaps them. Containers still in the namespace lose their network.
    pub fn stop(mut self) -> Result<()> {
        self.stop_helpers()
    }

    fn stop_helpers(&mut self) -> Result<()> {
        let pids = self.pids();
        live().retain(|p| *p != pids);
        self.lifeline = None;
        let mut first_error = None;
        for child in [&mut self.slirp, &mut self.holder] {
            if let Ok(Some(_)) = child.try_wait() {
                continue;
            }
            let _ = child.kill();
            if let Err(e) = child.wait() {
                first_error.get_or_insert(Error::io("wait for a build network helper")(e));
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn wait_ready(&mut self, ready: &OwnedFd) -> Result<()> {
        use rustix::event::{poll, PollFd, PollFlags};
        let mut fds = [PollFd::new(ready, PollFlags::IN)];
        let timeout = rustix::event::Timespec::try_from(READY_TIMEOUT).ok();
        let ready_now = loop {
            match poll(&mut fds, timeout.as_ref()) {
                Ok(n) => break n > 0,
                Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(Error::io("wait for slirp4netns")(e.into())),
            }
        };
        let mut byte = [0_u8; 1];
        let read = if ready_now {
            rustix::io::read(ready, &mut byte).unwrap_or(0)
        } else {
            0
        };
        if read == 1 {
            return Ok(());
        }
        let _ = self.slirp.kill();
        let mut said = String::new();
        if let Some(mut stderr) = self.slirp.stderr.take() {
            let _ = stderr.read_to_string(&mut said);
        }
        let action = if ready_now {
            "slirp4netns exited before the namespace was ready".to_owned()
        } else {
            format!(
                "slirp4netns was not ready within {}s",
                READY_TIMEOUT.as_secs()
            )
        };
        Err(setup(&action, said.trim()))
    }
}

impl Drop for UserNetwork {
    fn drop(&mut self) {
        if let Err(e) = self.stop_helpers() {
            tracing::warn!(error = %e, "could not stop the build network");
        }
    }
}

fn setup(action: &str, stderr: &str) -> Error {
    Error::NetworkSetup {
        action: action.to_owned(),
        stderr: stderr.to_owned(),
    }
}

/// A pipe whose ends are closed on exec (a child gets one only where it is handed over).
fn pipe() -> Result<(OwnedFd, OwnedFd)> {
    rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)
        .map_err(|e| Error::io("create a pipe")(e.into()))
}

/// `cat` in a new network namespace, reading the lifeline until berth closes it (or dies).
fn spawn_holder(cat: &std::path::Path, lifeline_read: OwnedFd) -> Result<Child> {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(cat);
    command
        .stdin(Stdio::from(lifeline_read))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: the closure runs in the forked child before exec and makes one raw syscall
    // (unshare); it allocates nothing and takes no locks, as `pre_exec` requires.
    unsafe {
        command.pre_exec(|| {
            rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWNET)?;
            Ok(())
        });
    }
    command.spawn().map_err(|e| {
        let hint = if e.raw_os_error() == Some(rustix::io::Errno::PERM.raw_os_error()) {
            "operation not permitted (a network namespace needs root)".to_owned()
        } else {
            e.to_string()
        };
        setup("create a network namespace", &hint)
    })
}

/// slirp4netns attached to the holder's namespace; `ready` and `exit` are handed to it by number.
fn spawn_slirp(
    slirp4netns: &std::path::Path,
    holder_pid: u32,
    ready: &OwnedFd,
    exit: &OwnedFd,
) -> Result<Child> {
    use std::os::unix::process::CommandExt;
    let ready_fd = ready.as_raw_fd();
    let exit_fd = exit.as_raw_fd();
    let mut command = Command::new(slirp4netns);
    command
        .args(["--configure", "--mtu", SLIRP_MTU])
        .arg("--disable-host-loopback")
        .args(seccomp_flag(slirp4netns))
        .arg(format!("--ready-fd={ready_fd}"))
        .arg(format!("--exit-fd={exit_fd}"))
        .arg(holder_pid.to_string())
        .arg(INTERFACE)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // SAFETY: the closure runs in the forked child before exec; it only clears FD_CLOEXEC on two
    // descriptors the caller keeps open until the spawn returns (raw fcntl calls, no allocation),
    // so borrowing them by number there is sound.
    unsafe {
        command.pre_exec(move || {
            for raw in [ready_fd, exit_fd] {
                let fd = std::os::fd::BorrowedFd::borrow_raw(raw);
                rustix::io::fcntl_setfd(fd, rustix::io::FdFlags::empty())?;
            }
            Ok(())
        });
    }
    command
        .spawn()
        .map_err(|e| setup("start slirp4netns", &e.to_string()))
}

/// `--enable-seccomp` when this slirp4netns was built with libseccomp (its `--version` says so),
/// which narrows the system calls of the process that parses the build's packets.
///
/// Not `--enable-sandbox`: its mount namespace set-up made runc containers started beside it on the
/// host (Docker's BuildKit, seen in the tests) now and then find an empty root file system
/// (`stat /bin/sh: no such file or directory`), and berth must leave other tools' containers alone.
fn seccomp_flag(slirp4netns: &std::path::Path) -> Option<&'static str> {
    static SUPPORTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let supported = *SUPPORTED.get_or_init(|| {
        Command::new(slirp4netns)
            .arg("--version")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("libseccomp"))
    });
    supported.then_some("--enable-seccomp")
}

/// What slirp4netns says after it started goes to the debug log.
fn log_lines(stderr: impl Read) {
    use std::io::BufRead;
    for line in std::io::BufReader::new(stderr)
        .lines()
        .map_while(std::result::Result::ok)
    {
        tracing::debug!(target: "slirp4netns", "{line}");
    }
}
