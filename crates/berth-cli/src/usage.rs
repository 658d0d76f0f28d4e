//! A command line berth refuses, in Docker 20.10's CLI words (docker/cli `cli/required.go`, cobra
//! and pflag): a wrong number of arguments or an unknown command exits 1, a bad flag 125.

use clap::{
    error::{ContextKind, ContextValue, ErrorKind},
    Arg, Command,
};

use crate::exit::{FAILURE, USAGE};

/// What to print for a refused command line, where, and the exit code.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub to_stdout: bool,
    pub code: u8,
}

impl Refusal {
    fn stderr(message: String, code: u8) -> Refusal {
        Refusal {
            message,
            to_stdout: false,
            code,
        }
    }
}

/// The commands `argv` walks through from `root` (`["image", "ls"]`), skipping flags and the values
/// of flags that take one; the walk stops at the first word that is no subcommand.
pub fn command_path(root: &Command, argv: &[String]) -> Vec<String> {
    let mut path = Vec::new();
    let mut cmd = root;
    let mut words = argv.iter().skip(1);
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        if let Some(long) = word.strip_prefix("--") {
            if !long.contains('=')
                && find_arg(cmd, |a| a.get_long() == Some(long)).is_some_and(takes_value)
            {
                words.next();
            }
            continue;
        }
        if let Some(shorts) = word.strip_prefix('-').filter(|s| !s.is_empty()) {
            // `-fq`: flags until one takes a value; that value is the rest of the word, or the next.
            for (index, short) in shorts.char_indices() {
                if find_arg(cmd, |a| a.get_short() == Some(short)).is_some_and(takes_value) {
                    if index + short.len_utf8() == shorts.len() {
                        words.next();
                    }
                    break;
                }
            }
            continue;
        }
        match cmd.find_subcommand(word) {
            Some(sub) => {
                path.push(sub.get_name().to_owned());
                cmd = sub;
            }
            None => break,
        }
    }
    path
}

/// The first word of `argv` that is no flag (nor a flag's value), e.g. `help` or `__monitor`.
pub fn first_word<'a>(root: &Command, argv: &'a [String]) -> Option<(usize, &'a str)> {
    let mut index = 1;
    while index < argv.len() {
        let word = argv[index].as_str();
        if let Some(long) = word.strip_prefix("--") {
            if !long.contains('=')
                && find_arg(root, |a| a.get_long() == Some(long)).is_some_and(takes_value)
            {
                index += 1;
            }
        } else if !word.starts_with('-') || word == "-" {
            return Some((index, word));
        }
        index += 1;
    }
    None
}

fn find_arg(cmd: &Command, matches: impl Fn(&Arg) -> bool) -> Option<&Arg> {
    cmd.get_arguments().find(|a| matches(a))
}

fn takes_value(arg: &Arg) -> bool {
    arg.get_action().takes_values()
}

/// The command `path` names under `root` (which must be built).
pub fn find<'a>(root: &'a Command, path: &[String]) -> Option<&'a Command> {
    path.iter()
        .try_fold(root, |cmd, name| cmd.find_subcommand(name))
}

/// `berth image ls`
fn full_name(path: &[String]) -> String {
    std::iter::once("berth")
        .chain(path.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Docker's words for what clap refused. `root` is the built command, `argv` the whole command line.
pub fn refuse(error: &clap::Error, root: &Command, argv: &[String]) -> Refusal {
    let path = command_path(root, argv);
    let cmd = find(root, &path).unwrap_or(root);
    let full = full_name(&path);
    let see = format!("See '{full} --help'.");
    let invalid_arg = || match error.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(arg)) => Some(arg.clone()),
        Some(ContextValue::Strings(args)) => args.first().cloned(),
        _ => None,
    };
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => Refusal {
            message: error.render().to_string(),
            to_stdout: true,
            code: 0,
        },
        // `berth image`: its help and success, as `docker image`.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            Refusal {
                message: help(cmd, &full),
                to_stdout: true,
                code: 0,
            }
        }
        ErrorKind::InvalidSubcommand => {
            if path.is_empty() {
                let word = match error.get(ContextKind::InvalidSubcommand) {
                    Some(ContextValue::String(word)) => word.clone(),
                    _ => String::new(),
                };
                Refusal::stderr(
                    format!("berth: '{word}' is not a berth command.\nSee 'berth --help'\n"),
                    FAILURE,
                )
            } else {
                // `docker image nosuch`: the management command's help, on stderr, and exit 1.
                Refusal::stderr(format!("\n{}", help(cmd, &full)), FAILURE)
            }
        }
        ErrorKind::UnknownArgument => match invalid_arg() {
            Some(arg) if arg.starts_with("--") => {
                let flag = arg.split('=').next().unwrap_or(&arg);
                Refusal::stderr(format!("unknown flag: {flag}\n{see}\n"), USAGE)
            }
            Some(arg) if arg.len() > 1 && arg.starts_with('-') => {
                let short = arg.chars().nth(1).unwrap_or('-');
                Refusal::stderr(
                    format!("unknown shorthand flag: '{short}' in {arg}\n{see}\n"),
                    USAGE,
                )
            }
            _ => Refusal::stderr(arity(cmd, &full), FAILURE),
        },
        ErrorKind::MissingRequiredArgument | ErrorKind::TooManyValues
            if invalid_arg().is_none_or(|arg| !arg.starts_with('-')) =>
        {
            Refusal::stderr(arity(cmd, &full), FAILURE)
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let value = match error.get(ContextKind::InvalidValue) {
                Some(ContextValue::String(value)) => value.clone(),
                _ => String::new(),
            };
            let arg = invalid_arg().and_then(|display| {
                let long = display
                    .strip_prefix("--")?
                    .split([' ', '='])
                    .next()?
                    .to_owned();
                find_arg(cmd, |a| a.get_long() == Some(long.as_str()))
            });
            let Some(arg) = arg else {
                return Refusal::stderr(error.render().to_string(), USAGE);
            };
            let long = arg.get_long().unwrap_or_default();
            if value.is_empty() && error.kind() == ErrorKind::InvalidValue {
                return Refusal::stderr(
                    format!("flag needs an argument: --{long}\n{see}\n"),
                    USAGE,
                );
            }
            let flag = match arg.get_short() {
                Some(short) => format!("-{short}, --{long}"),
                None => format!("--{long}"),
            };
            let reason = match std::error::Error::source(error) {
                Some(source) => source.to_string(),
                None => {
                    let possible: Vec<String> = arg
                        .get_possible_values()
                        .iter()
                        .map(|v| v.get_name().to_owned())
                        .collect();
                    format!("must be one of {}", possible.join(", "))
                }
            };
            Refusal::stderr(
                format!("invalid argument {value:?} for {flag:?} flag: {reason}\n{see}\n"),
                USAGE,
            )
        }
        _ => Refusal::stderr(error.render().to_string(), USAGE),
    }
}

/// `cmd`'s help, as `berth <path> --help` prints it.
pub fn help(cmd: &Command, full: &str) -> String {
    cmd.clone().bin_name(full).render_help().to_string()
}

/// How many words the positional arguments of `cmd` take: at least, and at most (`None`: no limit).
fn positional_counts(cmd: &Command) -> (usize, Option<usize>) {
    let mut least = 0;
    let mut most = Some(0);
    for arg in cmd.get_positionals() {
        let range = arg.get_num_args().unwrap_or_else(|| 1.into());
        if arg.is_required_set() {
            least += range.min_values();
        }
        most = match (most, range.max_values()) {
            (Some(sum), max) if max != usize::MAX => Some(sum + max),
            _ => None,
        };
    }
    (least, most)
}

fn arguments(n: usize) -> &'static str {
    if n == 1 {
        "argument"
    } else {
        "arguments"
    }
}

/// docker/cli's `NoArgs`, `ExactArgs`, `RequiresMinArgs`, `RequiresMaxArgs` and
/// `RequiresRangeArgs`, with the usage line and the command's description.
fn arity(cmd: &Command, full: &str) -> String {
    let requirement = match positional_counts(cmd) {
        (_, Some(0)) => "accepts no arguments".to_owned(),
        (least, Some(most)) if least == most => {
            format!("requires exactly {least} {}", arguments(least))
        }
        (least, None) => format!("requires at least {least} {}", arguments(least)),
        (0, Some(most)) => format!("requires at most {most} {}", arguments(most)),
        (least, Some(most)) => {
            format!(
                "requires at least {least} and at most {most} {}",
                arguments(most)
            )
        }
    };
    let about = cmd.get_about().map(ToString::to_string).unwrap_or_default();
    format!(
        "\"{full}\" {requirement}.\nSee '{full} --help'.\n\nUsage:  {}\n\n{about}\n",
        usage_line(cmd, full)
    )
}

/// Docker's usage line: `berth rmi [OPTIONS] IMAGE [IMAGE...]`.
pub fn usage_line(cmd: &Command, full: &str) -> String {
    let mut line = full.to_owned();
    let has_options = cmd.get_arguments().any(|a| {
        !a.is_positional()
            && !a.is_global_set()
            && !matches!(a.get_id().as_str(), "help" | "version")
    });
    if has_options {
        line.push_str(" [OPTIONS]");
    }
    for arg in cmd.get_positionals() {
        let name = arg
            .get_value_names()
            .and_then(|names| names.first())
            .map_or_else(|| arg.get_id().as_str().to_uppercase(), ToString::to_string);
        let multiple = arg
            .get_num_args()
            .is_some_and(|range| range.max_values() > 1);
        let word = match (arg.is_required_set(), multiple) {
            (true, false) => name,
            (true, true) => format!("{name} [{name}...]"),
            (false, false) => format!("[{name}]"),
            (false, true) => format!("[{name}...]"),
        };
        line.push(' ');
        line.push_str(&word);
    }
    line
}

#[cfg(test)]
mod tests;
