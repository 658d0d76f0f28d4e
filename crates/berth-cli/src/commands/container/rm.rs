//! `berth rm [OPTIONS] CONTAINER [CONTAINER...]`: prints each argument as it is removed.

use crate::{context::Ctx, interrupt, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Force the removal of a running container (uses SIGKILL)
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Remove the specified link (accepted; berth has no links)
    #[arg(short = 'l', long)]
    pub link: bool,
    /// Remove anonymous volumes associated with the container (accepted; berth has no volumes)
    #[arg(short = 'v', long)]
    pub volumes: bool,
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let containers = super::containers(ctx)?;
    super::for_each(&args.containers, |name| {
        // A container being removed is removed completely; a signal ends the command afterwards.
        let _hold = interrupt::hold();
        let mut container = super::get(&containers, name)?;
        containers
            .remove(&mut container, args.force)
            .map_err(|e| match e {
                berth_container::Error::RemoveRunning { .. } => {
                    anyhow::anyhow!("Error response from daemon: {e}")
                }
                other => other.into(),
            })?;
        output::println(name)?;
        Ok(())
    })
}
