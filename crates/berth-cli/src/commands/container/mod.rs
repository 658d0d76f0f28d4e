//! Container commands: `run create start stop kill logs ps rm export diff commit` (reachable at the
//! top level and under `berth container`, see `args/table.rs`), and the hidden `__monitor` that a
//! detached container's monitor process runs. All of them work on `berth_container::Containers` of
//! the store; this module only parses flags and prints like Docker.
//!
//! SIGINT and SIGTERM (`crate::interrupt`): by default they remove this process's temporary files and
//! exit 130/143, as for image commands (`commit`, `export -o`). A container being created or removed is
//! finished first (`create`, `run`, `rm`), and an attached container (`run`, `start -a`) gets the signal
//! forwarded while berth waits for it, as Docker's sig-proxy does.

pub mod commit;
pub mod create;
pub mod diff;
pub mod export;
pub mod kill;
pub mod logs;
pub mod monitor;
pub mod ps;
pub mod rm;
pub mod run;
pub mod start;
pub mod stop;
mod timestamp;

use anyhow::Context as _;
use berth_container::{Container, Containers, MonitorCommand};

use crate::{context::Ctx, exit::ExitStatus};

pub(crate) fn containers(ctx: &Ctx) -> anyhow::Result<Containers<'_>> {
    Ok(Containers::open(ctx.store()?)?)
}

/// No container has this name or ID (Docker's words).
#[derive(Debug, thiserror::Error)]
#[error("No such container: {0}")]
pub(crate) struct NoSuchContainer(String);

/// Finds a container, with Docker's wording when there is none.
pub(crate) fn get(containers: &Containers<'_>, id_or_name: &str) -> anyhow::Result<Container> {
    match containers.get(id_or_name) {
        Ok(container) => Ok(container),
        Err(berth_container::Error::NoSuchContainer(_)) => {
            Err(NoSuchContainer(id_or_name.to_owned()).into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Re-executes this binary as the monitor of a detached container (`berth --root R __monitor ID`).
pub(crate) fn monitor_command(ctx: &Ctx) -> anyhow::Result<MonitorCommand> {
    let program = std::env::current_exe().context("failed to find the berth executable")?;
    Ok(MonitorCommand {
        program,
        args: vec![
            "--root".into(),
            // The store's canonical root: the monitor must find the same mount points and bundles.
            ctx.store()?.root().as_os_str().to_owned(),
            "__monitor".into(),
        ],
    })
}

/// Runs `each` for every named container, printing errors like Docker and failing at the end if any did.
pub(crate) fn for_each(
    names: &[String],
    mut each: impl FnMut(&str) -> anyhow::Result<()>,
) -> ExitStatus {
    let mut failed = false;
    for name in names {
        if let Err(error) = each(name) {
            crate::output::eprintln(&format!("Error: {error:#}"));
            failed = true;
        }
    }
    if failed {
        ExitStatus::FAILURE
    } else {
        ExitStatus::SUCCESS
    }
}
