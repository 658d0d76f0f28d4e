//! The one place that decides exit codes and prints top-level errors.

use std::process::ExitCode;

use clap::Parser;

use crate::{args::Cli, commands, logging, usage};

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

/// An error that Docker's CLI itself reports (a reference it parses before any request, a refusal
/// to write to a terminal): printed as it is, without the `Error: ` that stands where Docker says
/// `Error response from daemon: `; exit 1.
#[derive(Debug)]
pub struct Plain(pub String);

impl std::fmt::Display for Plain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Plain {}

/// `error` and its causes as one line, for a [`Plain`] error.
pub fn plain(error: impl Into<anyhow::Error>) -> anyhow::Error {
    Plain(format!("{:#}", error.into())).into()
}

pub fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args_os()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    let mut root = <Cli as clap::CommandFactory>::command();
    root.build();
    if argv.len() == 1 {
        // Like `docker` with no arguments: the usage, on stdout, and success.
        let _ = crate::output::print(&usage::help(&root, "berth"));
        return ExitCode::SUCCESS;
    }
    match usage::first_word(&root, &argv) {
        Some((index, "help")) => return help_topic(&root, &argv[index + 1..]),
        Some((_, MONITOR)) => return monitor(),
        _ => {}
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let refusal = usage::refuse(&error, &root, &argv);
            if refusal.to_stdout {
                let _ = crate::output::print(&refusal.message);
            } else {
                crate::output::eprint(&refusal.message);
            }
            return ExitCode::from(refusal.code);
        }
    };
    logging::init(cli.global.log_level);
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report(&error),
    }
}

/// `berth help [COMMAND...]`: that command's help and success, as `docker help COMMAND`.
fn help_topic(root: &clap::Command, words: &[String]) -> ExitCode {
    let topic: Vec<String> = words
        .iter()
        .filter(|word| !word.starts_with('-'))
        .cloned()
        .collect();
    match usage::find(root, &topic) {
        Some(cmd) => {
            let full = std::iter::once("berth".to_owned())
                .chain(topic.iter().cloned())
                .collect::<Vec<_>>()
                .join(" ");
            let _ = crate::output::print(&usage::help(cmd, &full));
            ExitCode::SUCCESS
        }
        None => {
            crate::output::eprintln(&format!("unknown help topic: {}", topic.join(" ")));
            ExitCode::from(FAILURE)
        }
    }
}

/// The hidden monitor of a detached container (`berth --root DIR __monitor ID`): a command line of
/// its own, so that it shows in no help, error or completion.
const MONITOR: &str = "__monitor";

fn monitor() -> ExitCode {
    let cli = match crate::args::MonitorCli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(USAGE);
        }
    };
    logging::init(cli.global.log_level);
    match commands::run_monitor(cli) {
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
    let escape = |message: &str| {
        crate::escape::controls(message, crate::escape::Keep::LinesAndTabs).into_owned()
    };
    // The Docker CLI's formatters print a template's error as it is, without `Error: `.
    if let Some(template) = error.downcast_ref::<berth_format::Error>() {
        crate::output::eprintln(&escape(&format!("template parsing error: {template}")));
        return ExitCode::from(FAILURE);
    }
    if let Some(plain) = error.downcast_ref::<Plain>() {
        crate::output::eprintln(&escape(&plain.0));
    } else {
        crate::output::eprintln(&escape(&format!("Error: {error:#}")));
    }
    ExitCode::from(FAILURE)
}
