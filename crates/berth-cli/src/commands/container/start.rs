//! `berth start [OPTIONS] CONTAINER [CONTAINER...]`

use anyhow::bail;
use berth_container::AttachIo;

use crate::{context::Ctx, exit::ExitStatus, interrupt, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Attach STDOUT/STDERR and forward signals
    #[arg(short = 'a', long)]
    pub attach: bool,
    /// Attach container's STDIN
    #[arg(short = 'i', long)]
    pub interactive: bool,
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<ExitStatus> {
    let containers = super::containers(ctx)?;
    if args.attach || args.interactive {
        if args.containers.len() > 1 {
            bail!("you cannot start and attach multiple containers at once");
        }
        let hold = interrupt::hold();
        let mut container = super::get(&containers, &args.containers[0])?;
        if !container.state.status.can_start() {
            bail!("container {} is already running", container.short_id());
        }
        // Signals go to the container while berth waits for it, as `run` does.
        let code = containers.run_attached_forwarding(
            &mut container,
            AttachIo {
                stdin: args.interactive,
                stdout: Box::new(std::io::stdout()),
                stderr: Box::new(std::io::stderr()),
            },
            &mut interrupt::forward_to,
        )?;
        drop(hold);
        return Ok(ExitStatus::of_container(code));
    }
    let monitor = super::monitor_command(ctx)?;
    // Like Docker: each failure is reported as it happens, then the list of those that failed.
    let mut failed = Vec::new();
    for name in &args.containers {
        let started = super::get(&containers, name).and_then(|mut container| {
            if container.state.status.can_start() {
                containers.start_detached(&mut container, &monitor)?;
            }
            Ok(())
        });
        match started {
            Ok(()) => output::println(name)?,
            Err(error) => {
                output::eprintln(&format!("Error: {error:#}"));
                failed.push(name.as_str());
            }
        }
    }
    if failed.is_empty() {
        Ok(ExitStatus::SUCCESS)
    } else {
        bail!("failed to start containers: {}", failed.join(", "))
    }
}
