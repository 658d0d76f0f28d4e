//! The one place that decides exit codes and prints top-level errors.

use std::process::ExitCode;

use clap::Parser;

use crate::{args::Cli, commands, logging};

/// A command failed (Docker: any daemon or client error).
pub const FAILURE: u8 = 1;
/// The command line itself was wrong (Docker's CLI exits 125 on flag errors).
pub const USAGE: u8 = 125;
/// `run` and `create` failed on their own, not the container (Docker: "the error is with the Docker
/// daemon itself").
pub const RUN_FAILURE: u8 = 125;

/// An error that carries its own exit code, e.g. a container's exit status for `run`.
#[derive(Debug)]
pub struct ExitStatus(pub u8);

impl std::fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit status {}", self.0)
    }
}

impl std::error::Error for ExitStatus {}

pub fn main() -> ExitCode {
    if std::env::args_os().len() == 1 {
        // Like `docker` with no arguments: the usage, on stdout, and success.
        let help = <Cli as clap::CommandFactory>::command()
            .render_help()
            .to_string();
        let _ = crate::output::print(&help);
        return ExitCode::SUCCESS;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { USAGE } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    logging::init(cli.global.log_level);
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report(&error),
    }
}

fn report(error: &anyhow::Error) -> ExitCode {
    if let Some(status) = error.downcast_ref::<ExitStatus>() {
        return ExitCode::from(status.0);
    }
    if crate::output::is_broken_pipe(error) {
        return ExitCode::SUCCESS;
    }
    // Causes quote registries and archives: no raw control characters reach the terminal.
    let message = format!("Error: {error:#}");
    crate::output::eprintln(&crate::escape::controls(
        &message,
        crate::escape::Keep::LinesAndTabs,
    ));
    ExitCode::from(FAILURE)
}
