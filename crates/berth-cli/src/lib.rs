//! The `berth` command line.
//!
//! This crate owns everything a user sees: the clap definitions (`args`), one module per command
//! (`commands`), output formatting, and the mapping from errors to Docker-compatible exit codes (`exit`).
//! Library crates below it never print; they return errors and emit `tracing` events, which `logging`
//! routes to stderr.

mod args;
mod commands;
mod context;
mod escape;
mod exit;
mod facts;
mod filters;
mod interrupt;
mod logging;
mod names;
mod output;
mod progress;
mod registry;
mod url;
mod usage;

pub use args::Cli;
pub use exit::main;
