//! Command-line definitions. Flags, defaults and help texts mirror the Docker CLI.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A daemonless, Docker-compatible container image tool.
#[derive(Debug, Parser)]
#[command(name = "berth", version, propagate_version = true, disable_help_subcommand = true)]
#[command(about = "A daemonless, Docker-compatible container image tool")]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Location of the image store [default: /var/lib/berth as root, else $XDG_DATA_HOME/berth]
    #[arg(long, global = true, env = "BERTH_ROOT", value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Location of the client configuration files
    #[arg(long, global = true, env = "BERTH_CONFIG", value_name = "DIR")]
    pub config: Option<PathBuf>,
    /// Set the logging level
    #[arg(short = 'l', long, global = true, value_enum, default_value_t = LogLevel::Warn, value_name = "LEVEL")]
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

#[derive(Debug, Subcommand)]
pub enum Command {}
