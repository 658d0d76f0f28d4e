//! `berth kill [OPTIONS] CONTAINER [CONTAINER...]`

use crate::{context::Ctx, exit::ExitStatus, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Signal to send to the container
    #[arg(short = 's', long, default_value = "KILL", value_name = "string")]
    pub signal: String,
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<ExitStatus> {
    let containers = super::containers(ctx)?;
    Ok(super::for_each(&args.containers, |name| {
        let mut container = super::get(&containers, name)?;
        if !container.state.status.can_kill() {
            anyhow::bail!(
                "cannot kill container: {name}: container {} is not running",
                container.id()
            );
        }
        containers.kill(&mut container, &args.signal)?;
        output::println(name)?;
        Ok(())
    }))
}
