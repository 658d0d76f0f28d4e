//! `berth stop [OPTIONS] CONTAINER [CONTAINER...]`

use std::time::Duration;

use crate::{context::Ctx, exit::ExitStatus, output};

/// Docker's default grace period before SIGKILL.
const DEFAULT_STOP_TIMEOUT: u64 = 10;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Signal to send to the container
    #[arg(short = 's', long, value_name = "string")]
    pub signal: Option<String>,
    /// Seconds to wait before killing the container
    #[arg(short = 't', long = "time", alias = "timeout", value_name = "int")]
    pub time: Option<i64>,
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<ExitStatus> {
    let containers = super::containers(ctx)?;
    let timeout = match args.time {
        // A negative timeout waits as long as it takes (Docker: -1 = no timeout).
        Some(t) if t < 0 => Duration::from_secs(u64::from(u32::MAX)),
        Some(t) => Duration::from_secs(t.unsigned_abs()),
        None => Duration::from_secs(DEFAULT_STOP_TIMEOUT),
    };
    Ok(super::for_each(&args.containers, |name| {
        let mut container = super::get(&containers, name)?;
        if let Some(signal) = &args.signal {
            if container.is_running() {
                containers.kill(&mut container, signal)?;
            }
        }
        containers.stop(&mut container, timeout)?;
        output::println(name)?;
        Ok(())
    }))
}
