//! `berth rm [OPTIONS] CONTAINER [CONTAINER...]`: prints each argument as it is removed.

use crate::{context::Ctx, exit::ExitStatus, interrupt, output};

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

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<ExitStatus> {
    let containers = super::containers(ctx)?;
    Ok(super::for_each(&args.containers, |name| {
        // A container being removed is removed completely; a signal ends the command afterwards.
        let _hold = interrupt::hold();
        let mut container = match super::get(&containers, name) {
            Ok(container) => container,
            // Like Docker: with --force, a container that is not there is reported, not a failure.
            Err(error) if args.force && error.is::<super::NoSuchContainer>() => {
                output::eprintln(&format!("Error: {error:#}"));
                return Ok(());
            }
            Err(error) => return Err(error),
        };
        containers.remove(&mut container, args.force)?;
        output::println(name)?;
        Ok(())
    }))
}
