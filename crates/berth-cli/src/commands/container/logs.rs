//! `berth logs [OPTIONS] CONTAINER`: the container's recorded stdout and stderr, each to its own stream.

use std::{io::Write, time::Duration};

use berth_container::LogEntry;

use crate::context::Ctx;

/// How often `-f` looks for new output.
const FOLLOW_INTERVAL: Duration = Duration::from_millis(200);

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show extra details provided to logs (accepted; berth records none)
    #[arg(long)]
    pub details: bool,
    /// Follow log output
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Number of lines to show from the end of the logs
    #[arg(short = 'n', long, default_value = "all", value_name = "string")]
    pub tail: String,
    /// Show timestamps
    #[arg(short = 't', long)]
    pub timestamps: bool,
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let containers = super::containers(ctx)?;
    let mut container = super::get(&containers, &args.container)?;
    let tail = match args.tail.as_str() {
        "all" | "" => None,
        n => Some(
            n.parse::<i64>()
                .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX)),
        ),
    };
    let path = container.log_path();
    let (mut entries, mut offset) = berth_container::read_logs(&path, 0)?;
    if let Some(tail) = tail {
        let skip = entries.len().saturating_sub(tail);
        entries.drain(..skip);
    }
    print(&entries, args.timestamps)?;
    if !args.follow {
        return Ok(());
    }
    loop {
        containers.refresh(&mut container)?;
        let running = container.is_running();
        let (entries, next) = berth_container::read_logs(&path, offset)?;
        offset = next;
        print(&entries, args.timestamps)?;
        if !running && entries.is_empty() {
            break;
        }
        std::thread::sleep(FOLLOW_INTERVAL);
    }
    Ok(())
}

fn print(entries: &[LogEntry], timestamps: bool) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    for entry in entries {
        let out: &mut dyn Write = if entry.stream == "stderr" {
            &mut stderr
        } else {
            &mut stdout
        };
        if timestamps {
            write!(out, "{} ", entry.time)?;
        }
        out.write_all(entry.log.as_bytes())?;
    }
    stdout.flush()?;
    Ok(())
}
