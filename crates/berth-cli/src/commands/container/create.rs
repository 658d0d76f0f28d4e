//! `berth create [OPTIONS] IMAGE [COMMAND] [ARG...]`: prints the new container's ID.

use crate::{context::Ctx, output};

#[derive(Debug, clap::Args)]
// `-h` is the host name, as in Docker: help is `--help` only.
#[command(disable_help_flag = true)]
pub struct Args {
    /// Print help
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
    #[command(flatten)]
    pub create: super::run::CreateArgs,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let containers = super::containers(ctx)?;
    // Unlike `run`, `docker create` returns the engine's error as it is (exit 1).
    let (container, _hold) = super::run::create(ctx, &containers, &args.create, false)?;
    output::println(container.id())?;
    Ok(())
}
