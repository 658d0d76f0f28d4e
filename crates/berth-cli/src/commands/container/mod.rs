//! Container commands: `run create start stop kill logs ps rm export diff commit`, and the hidden
//! `__monitor` that a detached container's monitor process runs. All of them work on
//! `berth_container::Containers` of the store; this module only parses flags and prints like Docker.
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

use crate::context::Ctx;

/// The container commands at the top level (`berth run`, `berth ps`, ...).
#[derive(Debug, clap::Subcommand)]
pub enum ContainerCommands {
    /// Create and run a new container from an image
    Run(run::Args),
    /// Create a new container
    Create(create::Args),
    /// Start one or more stopped containers
    Start(start::Args),
    /// Stop one or more running containers
    Stop(stop::Args),
    /// Kill one or more running containers
    Kill(kill::Args),
    /// Fetch the logs of a container
    Logs(logs::Args),
    /// List containers
    Ps(ps::Args),
    /// Remove one or more containers
    Rm(rm::Args),
    /// Export a container's filesystem as a tar archive
    Export(export::Args),
    /// Inspect changes to files or directories on a container's filesystem
    Diff(diff::Args),
    /// Create a new image from a container's changes
    Commit(commit::Args),
}

/// `berth container <verb>`, with Docker's management-command names (`ls`, `list`, `remove`).
#[derive(Debug, clap::Subcommand)]
pub enum ContainerManagement {
    /// Create and run a new container from an image
    Run(run::Args),
    /// Create a new container
    Create(create::Args),
    /// Start one or more stopped containers
    Start(start::Args),
    /// Stop one or more running containers
    Stop(stop::Args),
    /// Kill one or more running containers
    Kill(kill::Args),
    /// Fetch the logs of a container
    Logs(logs::Args),
    /// List containers
    #[command(visible_aliases = ["list", "ps"])]
    Ls(ps::Args),
    /// Remove one or more containers
    #[command(visible_alias = "remove")]
    Rm(rm::Args),
    /// Export a container's filesystem as a tar archive
    Export(export::Args),
    /// Inspect changes to files or directories on a container's filesystem
    Diff(diff::Args),
    /// Create a new image from a container's changes
    Commit(commit::Args),
    /// Display detailed information on one or more containers
    Inspect(crate::commands::inspect::ContainerArgs),
}

pub fn run(ctx: &Ctx, command: ContainerCommands) -> anyhow::Result<()> {
    crate::interrupt::install();
    match command {
        ContainerCommands::Run(args) => run::run(ctx, &args),
        ContainerCommands::Create(args) => create::run(ctx, &args),
        ContainerCommands::Start(args) => start::run(ctx, &args),
        ContainerCommands::Stop(args) => stop::run(ctx, &args),
        ContainerCommands::Kill(args) => kill::run(ctx, &args),
        ContainerCommands::Logs(args) => logs::run(ctx, &args),
        ContainerCommands::Ps(args) => ps::run(ctx, &args),
        ContainerCommands::Rm(args) => rm::run(ctx, &args),
        ContainerCommands::Export(args) => export::run(ctx, &args),
        ContainerCommands::Diff(args) => diff::run(ctx, &args),
        ContainerCommands::Commit(args) => commit::run(ctx, &args),
    }
}

pub fn run_management(ctx: &Ctx, command: ContainerManagement) -> anyhow::Result<()> {
    crate::interrupt::install();
    match command {
        ContainerManagement::Run(args) => run::run(ctx, &args),
        ContainerManagement::Create(args) => create::run(ctx, &args),
        ContainerManagement::Start(args) => start::run(ctx, &args),
        ContainerManagement::Stop(args) => stop::run(ctx, &args),
        ContainerManagement::Kill(args) => kill::run(ctx, &args),
        ContainerManagement::Logs(args) => logs::run(ctx, &args),
        ContainerManagement::Ls(args) => ps::run(ctx, &args),
        ContainerManagement::Rm(args) => rm::run(ctx, &args),
        ContainerManagement::Export(args) => export::run(ctx, &args),
        ContainerManagement::Diff(args) => diff::run(ctx, &args),
        ContainerManagement::Commit(args) => commit::run(ctx, &args),
        ContainerManagement::Inspect(args) => crate::commands::inspect::run_containers(ctx, &args),
    }
}

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
) -> anyhow::Result<()> {
    let mut failed = false;
    for name in names {
        if let Err(error) = each(name) {
            crate::output::eprintln(&format!("Error: {error:#}"));
            failed = true;
        }
    }
    if failed {
        return Err(crate::exit::ExitStatus(crate::exit::FAILURE).into());
    }
    Ok(())
}
