//! `berth logs [OPTIONS] CONTAINER`: the container's recorded stdout and stderr, each to its own stream.

use std::{io::Write, time::Duration};

use berth_container::LogEntry;
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

use super::timestamp;
use crate::{context::Ctx, exit::ExitStatus, output};

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
    /// Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)
    #[arg(long, value_name = "string", allow_hyphen_values = true)]
    pub since: Option<String>,
    /// Number of lines to show from the end of the logs
    #[arg(
        short = 'n',
        long,
        default_value = "all",
        value_name = "string",
        allow_hyphen_values = true
    )]
    pub tail: String,
    /// Show timestamps
    #[arg(short = 't', long)]
    pub timestamps: bool,
    /// Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)
    #[arg(long, value_name = "string", allow_hyphen_values = true)]
    pub until: Option<String>,
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<ExitStatus> {
    let containers = super::containers(ctx)?;
    let mut container = super::get(&containers, &args.container)?;
    // Checked once the container was found, as docker/cli does.
    let (Some(since), Some(until)) = (
        bound("since", args.since.as_ref()),
        bound("until", args.until.as_ref()),
    ) else {
        return Ok(ExitStatus::FAILURE);
    };
    let window = Window { since, until };
    let tail = match args.tail.as_str() {
        "all" | "" => None,
        n => Some(
            n.parse::<i64>()
                .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX)),
        ),
    };
    let path = container.log_path();
    let (mut entries, mut offset) = berth_container::read_logs(&path, 0)?;
    // The tail first, then the time window (Docker's json-file reader).
    if let Some(tail) = tail {
        let skip = entries.len().saturating_sub(tail);
        entries.drain(..skip);
    }
    entries.retain(|entry| window.holds(entry));
    print(&entries, args.timestamps)?;
    if !args.follow {
        return Ok(ExitStatus::SUCCESS);
    }
    loop {
        if window.until.is_some_and(|until| now_nanos() > until) {
            break;
        }
        containers.refresh(&mut container)?;
        let running = container.is_running();
        let (mut entries, next) = berth_container::read_logs(&path, offset)?;
        offset = next;
        let read_any = !entries.is_empty();
        entries.retain(|entry| window.holds(entry));
        print(&entries, args.timestamps)?;
        if !running && !read_any {
            break;
        }
        std::thread::sleep(FOLLOW_INTERVAL);
    }
    Ok(ExitStatus::SUCCESS)
}

/// `--since` and `--until`: the log entries shown are those at or after `since` and at or before
/// `until`.
struct Window {
    since: timestamp::Bound,
    until: timestamp::Bound,
}

impl Window {
    fn holds(&self, entry: &LogEntry) -> bool {
        if self.since.is_none() && self.until.is_none() {
            return true;
        }
        let Ok(at) = OffsetDateTime::parse(&entry.time, &Rfc3339) else {
            return true;
        };
        let at = at.unix_timestamp_nanos();
        self.since.is_none_or(|since| at >= since) && self.until.is_none_or(|until| at <= until)
    }
}

fn now_nanos() -> i128 {
    OffsetDateTime::now_utc().unix_timestamp_nanos()
}

/// A `--since`/`--until` value, or `None` after printing Docker's error for it.
fn bound(flag: &str, value: Option<&String>) -> Option<timestamp::Bound> {
    let Some(value) = value else {
        return Some(None);
    };
    // A time without a zone is Docker's local time; berth reads and shows every time in UTC.
    match timestamp::parse(value, OffsetDateTime::now_utc(), time::UtcOffset::UTC) {
        Ok(bound) => Some(bound),
        Err(error) => {
            output::eprintln(&format!("invalid value for {flag:?}: {error}"));
            None
        }
    }
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
