//! Signalling a container as `docker kill` does.

use crate::{
    containers::Containers,
    error::{Error, Result},
    record::Container,
};

impl Containers<'_> {
    /// Sends a signal to a running (or paused) container.
    pub fn kill(&self, container: &mut Container, signal: &str) -> Result<()> {
        self.refresh(container)?;
        if !container.state.status.can_kill() {
            return Err(Error::NotRunning(container.short_id().to_owned()));
        }
        let signal = crate::runtime::parse_signal(signal)?;
        self.runtime(container)?.kill(container.id(), &signal)
    }
}
