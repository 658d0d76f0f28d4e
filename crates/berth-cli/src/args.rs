//! Command-line definitions. Flags, defaults and help texts mirror the Docker CLI; each command's own
//! flags live beside its code in `commands/<name>.rs`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::{
    history, images, import, inspect, load, login, pull, push, rmi, save, search, system, tag,
    version,
};

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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List images
    Images(images::Args),
    /// Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
    Tag(tag::Args),
    /// Import the contents from a tarball to create a filesystem image
    Import(import::Args),
    /// Load an image from a tar archive or STDIN
    Load(load::Args),
    /// Save one or more images to a tar archive (streamed to STDOUT by default)
    Save(save::Args),
    /// Download an image from a registry
    Pull(pull::Args),
    /// Upload an image to a registry
    Push(push::Args),
    /// Search Docker Hub (or a private registry's catalog) for images
    Search(search::Args),
    /// Log in to a registry
    Login(login::LoginArgs),
    /// Log out from a registry
    Logout(login::LogoutArgs),
    /// Remove one or more images
    Rmi(rmi::Args),
    /// Return low-level information on objects
    Inspect(inspect::ObjectArgs),
    /// Show the history of an image
    History(history::Args),
    /// Manage images
    #[command(subcommand)]
    Image(ImageCommand),
    #[command(flatten)]
    Containers(crate::commands::container::ContainerCommands),
    /// Manage containers
    #[command(subcommand)]
    Container(crate::commands::container::ContainerManagement),
    /// Manage berth
    #[command(subcommand)]
    System(system::SystemCommand),
    /// Show the berth version information
    Version(version::Args),
}

#[derive(Debug, Subcommand)]
pub enum ImageCommand {
    /// List images
    #[command(visible_alias = "list")]
    Ls(images::Args),
    /// Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
    Tag(tag::Args),
    /// Import the contents from a tarball to create a filesystem image
    Import(import::Args),
    /// Load an image from a tar archive or STDIN
    Load(load::Args),
    /// Save one or more images to a tar archive (streamed to STDOUT by default)
    Save(save::Args),
    /// Download an image from a registry
    Pull(pull::Args),
    /// Upload an image to a registry
    Push(push::Args),
    /// Remove one or more images
    #[command(visible_alias = "remove")]
    Rm(rmi::Args),
    /// Display detailed information on one or more images
    Inspect(inspect::Args),
    /// Show the history of an image
    History(history::Args),
    /// Remove unused images and unreferenced content
    Prune(system::PruneArgs),
}
