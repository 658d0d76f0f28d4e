//! `berth __monitor CONTAINER` (hidden): what `run -d` and `start` re-execute to wait for a container
//! after the command that started it has exited. It records the output and the exit code.

use crate::context::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    pub id: String,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let containers = super::containers(ctx)?;
    containers.monitor(&args.id)?;
    Ok(())
}
