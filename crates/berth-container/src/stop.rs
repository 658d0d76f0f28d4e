//! Stopping a container as `docker stop` does: its stop signal, then SIGKILL after a timeout.

use std::time::Duration;

use crate::{
    containers::{Containers, KILL_TIMEOUT},
    error::Result,
    record::Container,
};

/// The signal `stop` sends first when the image names none (Docker's default).
const DEFAULT_STOP_SIGNAL: &str = "TERM";

impl Containers<'_> {
    /// Stops a running container: its stop signal (SIGTERM by default), then SIGKILL after `timeout`.
    pub fn stop(&self, container: &mut Container, timeout: Duration) -> Result<()> {
        self.refresh(container)?;
        if !container.is_running() {
            return Ok(());
        }
        let runtime = self.runtime(container)?;
        if container.state.status.is_paused() {
            runtime.resume(container.id())?;
        }
        let signal = match container.record.config.stop_signal.as_str() {
            "" => DEFAULT_STOP_SIGNAL.to_owned(),
            other => crate::runtime::parse_signal(other)?,
        };
        let _ = runtime.kill(container.id(), &signal);
        if self.wait_stopped(container, timeout)? {
            return Ok(());
        }
        let _ = runtime.kill(container.id(), "KILL");
        self.wait_stopped(container, KILL_TIMEOUT)?;
        Ok(())
    }
}
