//! Command-line definitions. Flags, defaults and help texts mirror the Docker CLI; each command's own
//! flags live beside its code in `commands/<name>.rs`, and the table of commands in `args/table.rs`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod table;

pub use table::Command;

/// A daemonless, Docker-compatible container image tool.
#[derive(Debug, Parser)]
#[command(
    name = "berth",
    version,
    propagate_version = true,
    disable_help_subcommand = true
)]
#[command(about = "A daemonless, Docker-compatible container image tool")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// The hidden monitor's command line (`berth --root DIR __monitor ID`), kept out of [`Cli`].
#[derive(Debug, Parser)]
#[command(name = "berth")]
pub struct MonitorCli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: MonitorCommand,
}

#[derive(Debug, Subcommand)]
pub enum MonitorCommand {
    /// Wait for a detached container, recording its output and exit code
    #[command(name = "__monitor")]
    Monitor(crate::commands::container::monitor::Args),
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]
    #[arg(long, global = true, env = "BERTH_ROOT", value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Location of the client configuration files [default: $DOCKER_CONFIG or ~/.docker]
    #[arg(long, global = true, env = "BERTH_CONFIG", value_name = "DIR")]
    pub config: Option<PathBuf>,
    /// Set the logging level
    #[arg(long, global = true, value_enum, default_value_t = LogLevel::Warn, value_name = "LEVEL")]
    pub log_level: LogLevel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}
