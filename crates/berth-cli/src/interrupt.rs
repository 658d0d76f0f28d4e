//! SIGINT and SIGTERM: by default, undo what is registered, remove this process's temporary files, then
//! exit with 130 or 143 (128 + the signal, what a shell reports for a process the signal ended).
//!
//! Without this, the default action ends the process on the spot: its locks are released by the kernel,
//! but its temporary ingest files stay until the next garbage collection. Resumable partial downloads
//! are kept either way, so the next `pull` continues where this one stopped.
//!
//! Container commands change the default while they run:
//! - a [`Hold`] defers signals: a container being created, started or removed is finished first, and
//!   the holder asks [`Hold::pending`] what to do next (or the hold exits on release);
//! - [`forward_to`], under a hold, sends each signal on to the runtime's process, which relays it to the
//!   container, as `docker run`'s sig-proxy does: berth then waits for the container and cleans up.
//!   From then on SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGALRM are forwarded too (Docker forwards
//!   every signal); one that the process was started with ignored (`nohup`) stays ignored, and one
//!   that arrives with nothing to forward it to ends berth as its default action would, after the
//!   same cleanup;
//! - [`on_interrupt`] registers an action to run before exiting (`commit` resumes the container it
//!   paused).
//!
//! [`install`] is called once, in `commands::run`, before any command starts. The hidden `__monitor`
//! of a detached container does not install it: it keeps the default actions.

use std::{
    collections::BTreeMap,
    os::fd::OwnedFd,
    sync::{Mutex, MutexGuard, PoisonError},
};

use rustix::process::{Pid, PidfdFlags, Signal};
use tokio::signal::unix::{signal, SignalKind};

/// A signal berth handles: SIGINT and SIGTERM always, the [`FORWARDED`] ones while it forwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupt(Signal);

impl Interrupt {
    /// 128 + the signal number.
    pub fn exit_code(self) -> i32 {
        128 + self.0.as_raw()
    }

    fn signal(self) -> Signal {
        self.0
    }
}

/// How tokio names a signal.
type SignalKindOf = fn() -> SignalKind;

/// The signals forwarded to a foreground container besides SIGINT and SIGTERM (and, for tokio, how to
/// ask for each). Not SIGCHLD, SIGPIPE or SIGURG, which Docker does not forward either, nor SIGWINCH,
/// which a terminal sends to the runtime itself.
const FORWARDED: &[(Signal, SignalKindOf)] = &[
    (Signal::HUP, SignalKind::hangup),
    (Signal::QUIT, SignalKind::quit),
    (Signal::USR1, SignalKind::user_defined1),
    (Signal::USR2, SignalKind::user_defined2),
    (Signal::ALARM, SignalKind::alarm),
];

/// The process signals are forwarded to: a pidfd (never a reused PID), or the PID on kernels without
/// `pidfd_open` (before 5.3).
enum Target {
    Pidfd(OwnedFd),
    Pid(Pid),
}

impl Target {
    fn send(&self, signal: Signal) {
        let sent = match self {
            Target::Pidfd(fd) => rustix::process::pidfd_send_signal(fd, signal),
            Target::Pid(pid) => rustix::process::kill_process(*pid, signal),
        };
        // ESRCH: the runtime has exited and berth is finishing; nothing is left to signal.
        if let Err(error) = sent {
            tracing::debug!(%error, "could not forward the signal");
        }
    }
}

#[derive(Default)]
struct State {
    holds: usize,
    /// The first signal received under a hold with no target.
    pending: Option<Interrupt>,
    target: Option<Target>,
    undo: BTreeMap<u64, Box<dyn FnOnce() + Send>>,
    next_undo: u64,
}

static STATE: Mutex<Option<State>> = Mutex::new(None);

fn with_state<T>(f: impl FnOnce(&mut State) -> T) -> T {
    let mut guard: MutexGuard<'_, Option<State>> =
        STATE.lock().unwrap_or_else(PoisonError::into_inner);
    f(guard.get_or_insert_with(State::default))
}

/// Starts the thread that waits for SIGINT or SIGTERM. The handlers are in place when this returns.
pub fn install() {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
    else {
        return;
    };
    let registered = runtime.block_on(async {
        Ok::<_, std::io::Error>((
            signal(SignalKind::interrupt())?,
            signal(SignalKind::terminate())?,
        ))
    });
    let Ok((mut interrupt, mut terminate)) = registered else {
        tracing::debug!("could not install the SIGINT/SIGTERM handlers");
        return;
    };
    let spawned = std::thread::Builder::new()
        .name("berth-signals".into())
        .spawn(move || loop {
            let received = runtime.block_on(async {
                tokio::select! {
                    _ = interrupt.recv() => Interrupt(Signal::INT),
                    _ = terminate.recv() => Interrupt(Signal::TERM),
                }
            });
            if !deferred(received) {
                exit(received);
            }
        });
    if spawned.is_err() {
        tracing::debug!("could not start the signal thread");
    }
}

/// Installs the handlers of the [`FORWARDED`] signals the process was not started with ignored (once).
fn install_forwarded() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
        else {
            return;
        };
        // One thread for all of them: a task per signal on one runtime, which the thread drives.
        let ignored = ignored_signals();
        for &(signal, kind) in FORWARDED {
            if ignored.contains(&signal.as_raw()) {
                continue;
            }
            let Ok(mut stream) = runtime.block_on(async { tokio::signal::unix::signal(kind()) })
            else {
                tracing::debug!(?signal, "could not install the handler");
                continue;
            };
            runtime.spawn(async move {
                while stream.recv().await.is_some() {
                    let received = Interrupt(signal);
                    if !deferred(received) {
                        exit(received);
                    }
                }
            });
        }
        let spawned = std::thread::Builder::new()
            .name("berth-forward".into())
            .spawn(move || runtime.block_on(std::future::pending::<()>()));
        if spawned.is_err() {
            tracing::debug!("could not start the signal thread");
        }
    });
}

/// The signals this process ignores (`SigIgn` in `/proc/self/status`), e.g. SIGHUP under `nohup`.
fn ignored_signals() -> Vec<i32> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("SigIgn:"))
        .map_or_else(Vec::new, |mask| signals_in_mask(mask.trim()))
}

/// The signal numbers of a `/proc` signal mask (hex, bit n-1 for signal n).
fn signals_in_mask(mask: &str) -> Vec<i32> {
    let Ok(bits) = u64::from_str_radix(mask, 16) else {
        return Vec::new();
    };
    (1..=64).filter(|n| bits & (1u64 << (n - 1)) != 0).collect()
}

/// Forwards or records a signal that arrived under a hold; false when nothing holds it.
fn deferred(received: Interrupt) -> bool {
    with_state(|state| {
        if let Some(target) = &state.target {
            tracing::debug!(?received, "forwarding the signal to the container");
            target.send(received.signal());
            return true;
        }
        if state.holds > 0 {
            state.pending.get_or_insert(received);
            return true;
        }
        false
    })
}

/// Runs the registered undo actions, removes the temporary files, and exits with 128 + the signal.
/// Once: a second signal thread that gets here meanwhile waits for the first to end the process.
pub fn exit(received: Interrupt) -> ! {
    static EXITING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if EXITING.swap(true, std::sync::atomic::Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
    let undo = with_state(|state| std::mem::take(&mut state.undo));
    for action in undo.into_values() {
        action();
    }
    let removed = berth_store::cleanup::remove_temp_files();
    tracing::debug!(removed, "interrupted: removed temporary files");
    std::process::exit(received.exit_code());
}

/// Defers SIGINT and SIGTERM while alive. Dropping the last hold exits on a signal still pending; the
/// holder may look at it first ([`Hold::pending`]) to undo what it was doing.
#[must_use = "signals are deferred only while the hold is alive"]
pub struct Hold(());

pub fn hold() -> Hold {
    with_state(|state| state.holds += 1);
    Hold(())
}

impl Hold {
    /// The signal received under the hold and not forwarded, if any.
    #[allow(clippy::unused_self)] // a method: only a holder has a reason to ask
    pub fn pending(&self) -> Option<Interrupt> {
        with_state(|state| state.pending)
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        let pending = with_state(|state| {
            state.holds = state.holds.saturating_sub(1);
            if state.holds > 0 {
                return None;
            }
            state.target = None;
            state.pending.take()
        });
        if let Some(received) = pending {
            exit(received);
        }
    }
}

/// Under a hold: from now on, every SIGINT and SIGTERM goes to `pid` (the runtime's `run`, which relays
/// it to the container), and a signal that was pending is sent at once. Call it right after the process
/// started and before it is waited for.
pub fn forward_to(pid: u32) {
    let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
        return;
    };
    let target = match rustix::process::pidfd_open(pid, PidfdFlags::empty()) {
        Ok(fd) => Target::Pidfd(fd),
        Err(_) => Target::Pid(pid),
    };
    let forwarding = with_state(|state| {
        if state.holds == 0 {
            return false; // forwarding ends with the last hold; there is none to end it
        }
        if let Some(received) = state.pending.take() {
            target.send(received.signal());
        }
        state.target = Some(target);
        true
    });
    if forwarding {
        install_forwarded();
    }
}

/// An action registered with [`on_interrupt`]; dropping it unregisters the action without running it.
#[must_use = "the action is unregistered when this is dropped"]
pub struct Undo(u64);

/// Registers `action` to run if a signal ends the process (before the temporary files are removed).
pub fn on_interrupt(action: impl FnOnce() + Send + 'static) -> Undo {
    with_state(|state| {
        let id = state.next_undo;
        state.next_undo += 1;
        state.undo.insert(id, Box::new(action));
        Undo(id)
    })
}

impl Drop for Undo {
    fn drop(&mut self) {
        with_state(|state| state.undo.remove(&self.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_signal_masks_are_read() {
        let cases: &[(&str, &[i32])] = &[
            ("0000000000000000", &[]),
            ("0000000000000001", &[1]),
            ("0000000000001000", &[13]),
            ("0000000000001001", &[1, 13]),
            ("8000000000000000", &[64]),
            ("not hex", &[]),
        ];
        for (mask, want) in cases {
            assert_eq!(signals_in_mask(mask), *want, "{mask}");
        }
        assert_eq!(Interrupt(Signal::INT).exit_code(), 130);
        assert_eq!(Interrupt(Signal::HUP).exit_code(), 129);
    }
}
