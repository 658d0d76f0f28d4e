//! The one place that decides exit codes and prints top-level errors.

use std::{ffi::OsString, process::ExitCode};

use clap::{FromArgMatches as _, Parser as _};

use crate::{args::Cli, commands, logging, usage};

/// A command failed (Docker: any daemon or client error).
pub const FAILURE: u8 = 1;
/// The command line itself was wrong (Docker's CLI exits 125 on flag errors).
pub const USAGE: u8 = 125;
/// `run` and `create` failed on their own, not the container (Docker: "the error is with the Docker
/// daemon itself").
pub const RUN_FAILURE: u8 = 125;

/// How a command ended when it has no error left to report: success, or a status of its own (a
/// container's for `run` and `start -a`; 1 when it has printed its failures itself, as `rmi` does for
/// each image it could not remove). Commands return it; [`main`] makes it the process's exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct ExitStatus(u8);

impl ExitStatus {
    pub const SUCCESS: ExitStatus = ExitStatus(0);
    /// The command failed and has said why.
    pub const FAILURE: ExitStatus = ExitStatus(FAILURE);

    pub const fn new(code: u8) -> ExitStatus {
        ExitStatus(code)
    }

    /// A container's exit code; one beyond 255, or negative, is 255.
    pub fn of_container(code: i32) -> ExitStatus {
        ExitStatus(u8::try_from(code).unwrap_or(u8::MAX))
    }
}

/// A command with no status of its own succeeded when it returned.
impl From<()> for ExitStatus {
    fn from((): ()) -> ExitStatus {
        ExitStatus::SUCCESS
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status.0)
    }
}

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
    let args: Vec<OsString> = std::env::args_os().collect();
    let argv: Vec<String> = args
        .iter()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    // The command line's one clap command: for help, for Docker's words on a refused line, and to
    // parse.
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
    let cli = match parse(&mut root, &args) {
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
        Ok(status) => status.into(),
        Err(error) => report(&error),
    }
}

/// Parses the command line with `root`, as `Cli::try_parse` would with a command of its own.
fn parse(root: &mut clap::Command, args: &[OsString]) -> Result<Cli, clap::Error> {
    let mut matches = root.try_get_matches_from_mut(args)?;
    Cli::from_arg_matches_mut(&mut matches).map_err(|error| error.format(root))
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

#[cfg(test)]
mod tests {
    use super::ExitStatus;

    #[test]
    fn a_containers_exit_code_is_its_status() {
        // A code that does not fit a byte, or a negative one, is 255.
        let cases = [
            (0, 0),
            (1, 1),
            (137, 137),
            (255, 255),
            (256, 255),
            (-1, 255),
        ];
        for (code, want) in cases {
            assert_eq!(
                ExitStatus::of_container(code),
                ExitStatus::new(want),
                "{code}"
            );
        }
    }
}
