//! The container's terminal for `run -t` when berth itself has none (its output goes to a pipe or a
//! file), taken as Docker's daemon takes it: the runtime runs the container detached with
//! `--console-socket`, sends the primary side of the container's pty over that socket, and berth
//! reads the container's output (with its terminal's `\r\n`) from it, and waits for the container's
//! process as the child subreaper it then is. A runtime relaying the terminal itself in the
//! foreground needs a terminal of ours (runc opens `/dev/tty`, crun fails with `tcgetattr`).

use std::{
    fs::File,
    io::{IoSliceMut, IsTerminal},
    mem::MaybeUninit,
    os::unix::net::UnixListener,
    path::{Path, PathBuf},
    process::Child,
    time::Duration,
};

use rustix::net::{RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags};

use crate::error::{Error, Result};

/// How often the wait for the runtime's console looks whether the runtime has exited instead.
const ACCEPT_POLL: Duration = Duration::from_millis(20);

/// Whether one of berth's standard streams is a terminal that the runtime can use itself.
pub(crate) fn has_terminal() -> bool {
    std::io::stdin().is_terminal()
        || std::io::stdout().is_terminal()
        || std::io::stderr().is_terminal()
}

/// A listening unix socket in a private temporary directory (a socket path must stay short, so not
/// under the store), removed on drop.
pub(crate) struct ConsoleSocket {
    dir: PathBuf,
    listener: UnixListener,
}

impl ConsoleSocket {
    pub(crate) fn bind() -> Result<ConsoleSocket> {
        let mut random = [0u8; 8];
        rustix::rand::getrandom(&mut random, rustix::rand::GetRandomFlags::empty())
            .map_err(|e| Error::io("pick a console socket name")(e.into()))?;
        let name = u64::from_le_bytes(random);
        let dir = std::env::temp_dir().join(format!("berth-console-{name:016x}"));
        std::fs::create_dir(&dir).map_err(Error::io(format!("create {}", dir.display())))?;
        let socket = ConsoleSocket {
            listener: UnixListener::bind(dir.join("console.sock"))
                .map_err(Error::io("listen on the console socket"))?,
            dir,
        };
        socket
            .listener
            .set_nonblocking(true)
            .map_err(Error::io("set up the console socket"))?;
        Ok(socket)
    }

    pub(crate) fn path(&self) -> PathBuf {
        self.dir.join("console.sock")
    }

    /// The pty the runtime sends; `None` when the runtime exited without sending one (a failed
    /// start: its status and log tell why).
    pub(crate) fn receive(&self, runtime: &mut Child) -> Result<Option<File>> {
        self.receive_until(|| {
            Ok(runtime
                .try_wait()
                .map_err(Error::io("wait for the runtime"))?
                .is_some())
        })
    }

    /// [`Self::receive`], with `runtime_exited` telling whether the runtime has gone. Once it has,
    /// the socket is looked at once more: a runtime that connected, sent the pty and exited between
    /// a look and the check (a fast container under load) left its connection queued.
    fn receive_until(
        &self,
        mut runtime_exited: impl FnMut() -> Result<bool>,
    ) -> Result<Option<File>> {
        let mut exited = false;
        let stream = loop {
            match self.listener.accept() {
                Ok((stream, _)) => break stream,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if exited {
                        return Ok(None);
                    }
                    exited = runtime_exited()?;
                    if !exited {
                        std::thread::sleep(ACCEPT_POLL);
                    }
                }
                Err(e) => return Err(Error::io("accept the runtime's console")(e)),
            }
        };
        stream
            .set_nonblocking(false)
            .map_err(Error::io("read the runtime's console"))?;
        let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
        let mut control = RecvAncillaryBuffer::new(&mut space);
        let mut name = [0u8; 4096];
        rustix::net::recvmsg(
            &stream,
            &mut [IoSliceMut::new(&mut name)],
            &mut control,
            RecvFlags::CMSG_CLOEXEC,
        )
        .map_err(|e| Error::io("receive the container's terminal")(e.into()))?;
        let primary = control.drain().find_map(|message| match message {
            RecvAncillaryMessage::ScmRights(mut fds) => fds.next(),
            _ => None,
        });
        Ok(primary.map(File::from))
    }
}

impl Drop for ConsoleSocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Makes this process the reaper of its orphaned descendants, so that the container's process,
/// left by the detached runtime, can be waited for.
pub(crate) fn become_subreaper() -> Result<()> {
    rustix::process::set_child_subreaper(Some(rustix::process::getpid()))
        .map_err(|e| Error::io("become a child subreaper")(e.into()))
}

/// Waits for the container's process `pid`: its exit status, or 128 + the signal that ended it.
pub(crate) fn wait_process(pid: i32) -> Result<i32> {
    let pid = rustix::process::Pid::from_raw(pid).ok_or_else(|| {
        Error::io("wait for the container")(std::io::ErrorKind::InvalidInput.into())
    })?;
    loop {
        match rustix::process::waitpid(Some(pid), rustix::process::WaitOptions::empty()) {
            Ok(Some((_, status))) => {
                if let Some(code) = status.exit_status() {
                    return Ok(code);
                }
                if let Some(signal) = status.terminating_signal() {
                    return Ok(128 + signal);
                }
            }
            // Not ended (a stop, for instance), or interrupted by a signal: wait on.
            Ok(None) | Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(Error::io("wait for the container")(e.into())),
        }
    }
}

/// The PID the runtime wrote to `pid_file`.
pub(crate) fn read_pid(pid_file: &Path) -> Result<i32> {
    let text = std::fs::read_to_string(pid_file)
        .map_err(Error::io(format!("read {}", pid_file.display())))?;
    text.trim().parse().map_err(|_| {
        Error::io(format!("read {}", pid_file.display()))(std::io::ErrorKind::InvalidData.into())
    })
}

#[cfg(test)]
mod tests {
    use std::{io::IoSlice, os::fd::AsFd, os::unix::net::UnixStream};

    use rustix::net::{SendAncillaryBuffer, SendAncillaryMessage, SendFlags};

    use super::*;

    /// Connects to `socket` and sends `file` over it, as a runtime sends the pty.
    fn send(socket: &Path, file: &File) {
        let stream = UnixStream::connect(socket).unwrap();
        let fds = [file.as_fd()];
        let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
        let mut control = SendAncillaryBuffer::new(&mut space);
        assert!(control.push(SendAncillaryMessage::ScmRights(&fds)));
        rustix::net::sendmsg(
            &stream,
            &[IoSlice::new(b"pty")],
            &mut control,
            SendFlags::empty(),
        )
        .unwrap();
    }

    /// What the socket yields when the runtime sends the pty before the first look, between a look
    /// and the check that finds it gone (the race CI once lost: no output, exit 0), or never.
    #[test]
    fn the_pty_is_received_whenever_the_runtime_sent_it() {
        for (case, sends_before, sends_while_exiting, received) in [
            ("before the first look", true, false, true),
            (
                "while exiting, between a look and the check",
                false,
                true,
                true,
            ),
            ("never", false, false, false),
        ] {
            let socket = ConsoleSocket::bind().unwrap();
            let pty = File::open("/dev/null").unwrap();
            if sends_before {
                send(&socket.path(), &pty);
            }
            let mut checks = 0;
            let got = socket
                .receive_until(|| {
                    checks += 1;
                    if sends_while_exiting {
                        send(&socket.path(), &pty);
                    }
                    Ok(true)
                })
                .unwrap();
            assert_eq!(got.is_some(), received, "{case}");
            assert!(
                checks <= 1,
                "{case}: the runtime was checked {checks} times"
            );
        }
    }
}
