//! `--change` instructions for `import` and `commit`: the Dockerfile subset the Docker daemon
//! applies in `BuildFromConfig` (moby `daemon/builder/dockerfile`), with its error messages.
//!
//! Supported: `CMD ENTRYPOINT ENV EXPOSE HEALTHCHECK LABEL ONBUILD USER VOLUME WORKDIR`, names
//! case-insensitive: the Docker 20.10 engine's `validCommitCommands` (it refuses `STOPSIGNAL`, which
//! later engines accept, with `stopsignal is not a valid change command`). `CMD`/`ENTRYPOINT`/`HEALTHCHECK CMD` take the JSON (exec) form or the
//! shell form (`["/bin/sh","-c","…"]`). `ENV`/`LABEL` take `a=b c="d e"` or the legacy `ENV a b`;
//! values get quote removal and `$VAR` expansion from the config's `Env`, as the daemon does.
//! Not supported: line continuations and heredocs inside one change.

use crate::config::{empty_object, ContainerConfig, Healthcheck};
use crate::Error;
use crate::{
    duration::parse_go_duration,
    words::{clean_path, process_word, split_words},
};

const VALID_CHANGE_COMMANDS: &[&str] = &[
    "cmd",
    "entrypoint",
    "healthcheck",
    "env",
    "expose",
    "label",
    "onbuild",
    "user",
    "volume",
    "workdir",
];

/// The default shell of the shell form on Linux.
const DEFAULT_SHELL: [&str; 2] = ["/bin/sh", "-c"];

/// Applies one `--change` instruction (which may hold several lines) to `config`.
///
/// Works on berth's [`ContainerConfig`] rather than oci-spec's `Config`, because `HEALTHCHECK`
/// and `ONBUILD` have no place in the latter.
pub fn apply_change(config: &mut ContainerConfig, change: &str) -> Result<(), Error> {
    apply_changes(config, &[change])
}

/// Applies a list of `--change` instructions in order, as one Dockerfile (the daemon joins them
/// with newlines). Like Docker, `ENTRYPOINT` clears `Cmd` unless a `CMD` came earlier in the list.
/// All instructions are checked before any is applied, so an error leaves `config` unchanged.
pub fn apply_changes<S: AsRef<str>>(
    config: &mut ContainerConfig,
    changes: &[S],
) -> Result<(), Error> {
    let lines: Vec<&str> = changes
        .iter()
        .flat_map(|change| change.as_ref().lines())
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    // The daemon parses the changes as one Dockerfile, and a Dockerfile needs an instruction.
    if lines.is_empty() && !changes.is_empty() {
        return Err(Error::NoInstructions);
    }
    for line in &lines {
        let instruction = line.split_whitespace().next().unwrap_or_default();
        let lowercase = instruction.to_ascii_lowercase();
        if !VALID_CHANGE_COMMANDS.contains(&lowercase.as_str()) {
            return Err(Error::InvalidChangeCommand(lowercase));
        }
    }
    let mut work = config.clone();
    let mut cmd_set = false;
    for line in lines {
        dispatch(&mut work, line, &mut cmd_set)?;
    }
    *config = work;
    Ok(())
}

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidChange(message.into())
}

fn dispatch(config: &mut ContainerConfig, line: &str, cmd_set: &mut bool) -> Result<(), Error> {
    let (instruction, rest) = match line.split_once(char::is_whitespace) {
        Some((instruction, rest)) => (instruction, rest.trim()),
        None => (line, ""),
    };
    let name = instruction.to_ascii_uppercase();
    let (flags, rest) = take_flags(rest);
    if name != "HEALTHCHECK" {
        if let Some(flag) = flags.first() {
            return Err(invalid(format!("Unknown flag: {}", flag_name(flag))));
        }
    }
    let env = config.env.clone();
    match name.as_str() {
        "CMD" => {
            config.cmd = command_line(rest)?;
            *cmd_set |= !rest.is_empty();
        }
        "ENTRYPOINT" => {
            config.entrypoint = command_line(rest)?;
            if !*cmd_set {
                config.cmd.clear();
            }
        }
        "ENV" => {
            for (key, value) in name_values(rest, "ENV", &env)? {
                let entry = format!("{key}={value}");
                let existing = config
                    .env
                    .iter_mut()
                    .find(|e| e.split('=').next() == Some(key.as_str()));
                match existing {
                    Some(slot) => *slot = entry,
                    None => config.env.push(entry),
                }
            }
        }
        "LABEL" => {
            for (key, value) in name_values(rest, "LABEL", &env)? {
                config.labels.insert(key, value);
            }
        }
        "EXPOSE" => {
            let words = split_words(rest);
            if words.is_empty() {
                return Err(invalid("EXPOSE requires at least one argument"));
            }
            for word in words {
                for spec in process_word(&word, &env).split_whitespace() {
                    for port in port_spec(spec)? {
                        config.exposed_ports.insert(port, empty_object());
                    }
                }
            }
        }
        "VOLUME" => {
            let volumes = match json_array(rest)? {
                Some(list) => list,
                None => split_words(rest)
                    .iter()
                    .map(|w| process_word(w, &env))
                    .collect(),
            };
            if volumes.is_empty() {
                return Err(invalid("VOLUME requires at least one argument"));
            }
            for volume in volumes {
                let volume = volume.trim();
                if volume.is_empty() {
                    return Err(invalid("VOLUME specified can not be an empty string"));
                }
                config.volumes.insert(volume.to_owned(), empty_object());
            }
        }
        "USER" => config.user = one_argument(rest, "USER", &env)?,
        "WORKDIR" => {
            let requested = one_argument(rest, "WORKDIR", &env)?;
            config.working_dir = if requested.starts_with('/') {
                clean_path(&requested)
            } else {
                clean_path(&format!("/{}/{requested}", config.working_dir))
            };
        }
        "ONBUILD" => config.on_build.push(onbuild_expression(rest)?),
        "HEALTHCHECK" => config.healthcheck = Some(healthcheck(&flags, rest)?),
        _ => {
            return Err(Error::InvalidChangeCommand(
                instruction.to_ascii_lowercase(),
            ))
        }
    }
    Ok(())
}

/// Leading `--name=value` words (BuildKit `extractBuilderFlags`), and the rest of the line.
fn take_flags(mut rest: &str) -> (Vec<String>, &str) {
    let mut flags = Vec::new();
    while rest.starts_with("--") {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        flags.push(rest[..end].to_owned());
        rest = rest[end..].trim_start();
    }
    (flags, rest)
}

fn flag_name(flag: &str) -> &str {
    let flag = flag.trim_start_matches('-');
    flag.split_once('=').map_or(flag, |(name, _)| name)
}

/// `["a","b"]` -> `Some([a, b])`; anything else that is not a JSON array -> `None` (shell form).
fn json_array(rest: &str) -> Result<Option<Vec<String>>, Error> {
    if !rest.starts_with('[') {
        return Ok(None);
    }
    match serde_json::from_str::<Vec<serde_json::Value>>(rest) {
        Ok(values) => values
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => Ok(s),
                _ => Err(invalid(
                    "when using JSON array syntax, arrays must be comprised of strings only",
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Err(_) => Ok(None),
    }
}

/// The exec form as given, or the shell form wrapped in `/bin/sh -c`; nothing clears it.
fn command_line(rest: &str) -> Result<Vec<String>, Error> {
    if rest.is_empty() {
        return Ok(Vec::new());
    }
    Ok(match json_array(rest)? {
        Some(list) => list,
        None => DEFAULT_SHELL
            .iter()
            .map(|s| (*s).to_owned())
            .chain([rest.to_owned()])
            .collect(),
    })
}

/// `ENV`/`LABEL` arguments (BuildKit `parseNameVal` plus the dispatcher's word processing).
fn name_values(
    rest: &str,
    instruction: &str,
    env: &[String],
) -> Result<Vec<(String, String)>, Error> {
    let words = split_words(rest);
    let Some(first) = words.first() else {
        return Err(invalid(format!(
            "{instruction} requires at least one argument"
        )));
    };
    if !first.contains('=') {
        let Some((key, value)) = rest.split_once(char::is_whitespace) else {
            return Err(invalid(format!("{instruction} must have two arguments")));
        };
        return Ok(vec![(
            process_word(key, env),
            process_word(value.trim_start(), env),
        )]);
    }
    let mut pairs = Vec::new();
    for word in &words {
        let Some((key, value)) = word.split_once('=') else {
            return Err(invalid(format!(
                "Syntax error - can't find = in {word:?}. Must be of the form: name=value"
            )));
        };
        if key.is_empty() {
            return Err(invalid(format!("{instruction} names can not be blank")));
        }
        pairs.push((process_word(key, env), process_word(value, env)));
    }
    Ok(pairs)
}

fn one_argument(rest: &str, instruction: &str, env: &[String]) -> Result<String, Error> {
    if rest.is_empty() {
        return Err(invalid(format!(
            "{instruction} requires exactly one argument"
        )));
    }
    Ok(process_word(rest, env))
}

/// `80` -> `80/tcp`; `53/udp`; `8000-8002` -> three ports (Docker's `nat.ParsePortSpecs`).
fn port_spec(spec: &str) -> Result<Vec<String>, Error> {
    let (ports, proto) = match spec.split_once('/') {
        Some((ports, proto)) => (ports, proto.to_ascii_lowercase()),
        None => (spec, "tcp".to_owned()),
    };
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(invalid(format!("invalid proto: {proto}")));
    }
    let bad_port = || invalid(format!("invalid containerPort: {ports}"));
    let parse = |p: &str| p.parse::<u16>().map_err(|_| bad_port());
    let (start, end) = match ports.split_once('-') {
        Some((start, end)) => (parse(start)?, parse(end)?),
        None => (parse(ports)?, parse(ports)?),
    };
    if end < start {
        return Err(invalid(format!(
            "invalid range specified for container port: {ports}"
        )));
    }
    Ok((start..=end)
        .map(|port| format!("{port}/{proto}"))
        .collect())
}

fn onbuild_expression(rest: &str) -> Result<String, Error> {
    let trigger = rest
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    match trigger.as_str() {
        "" => Err(invalid("ONBUILD requires at least one argument")),
        "ONBUILD" => Err(invalid(
            "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
        )),
        "MAINTAINER" | "FROM" => Err(invalid(format!(
            "{trigger} isn't allowed as an ONBUILD trigger"
        ))),
        _ => Ok(rest.to_owned()),
    }
}

/// `HEALTHCHECK [--interval=D --timeout=D --start-period=D --start-interval=D --retries=N] CMD …`
/// or `HEALTHCHECK NONE` (BuildKit `parseHealthcheck`).
fn healthcheck(flags: &[String], rest: &str) -> Result<Healthcheck, Error> {
    let (kind, command) = match rest.split_once(char::is_whitespace) {
        Some((kind, command)) => (kind.to_ascii_uppercase(), command.trim_start()),
        None => (rest.to_ascii_uppercase(), ""),
    };
    if kind.is_empty() {
        return Err(invalid("HEALTHCHECK requires at least one argument"));
    }
    if kind == "NONE" {
        if !command.is_empty() {
            return Err(invalid("HEALTHCHECK NONE takes no arguments"));
        }
        return Ok(Healthcheck {
            test: vec![kind],
            ..Healthcheck::default()
        });
    }
    let mut check = Healthcheck::default();
    for flag in flags {
        let name = flag_name(flag);
        let Some((_, value)) = flag.split_once('=') else {
            return Err(invalid(format!("Missing a value on flag: {name}")));
        };
        let duration = || -> Result<i64, Error> {
            let nanos = parse_go_duration(value).map_err(invalid)?;
            if nanos != 0 && nanos < 1_000_000 {
                return Err(invalid(format!(
                    "Interval {name:?} cannot be less than 1ms"
                )));
            }
            Ok(nanos)
        };
        match name {
            "interval" => check.interval = duration()?,
            "timeout" => check.timeout = duration()?,
            "start-period" => check.start_period = duration()?,
            "start-interval" => check.start_interval = duration()?,
            "retries" => {
                let retries: i64 = value.parse().map_err(|_| {
                    invalid(format!(
                        "strconv.ParseInt: parsing {value:?}: invalid syntax"
                    ))
                })?;
                if retries < 0 {
                    return Err(invalid(format!("--retries cannot be negative ({retries})")));
                }
                check.retries = retries;
            }
            other => return Err(invalid(format!("Unknown flag: {other}"))),
        }
    }
    if kind != "CMD" {
        return Err(invalid(format!(
            "Unknown type {kind:?} in HEALTHCHECK (try CMD)"
        )));
    }
    check.test = match json_array(command)? {
        Some(list) if list.is_empty() => Vec::new(),
        Some(list) => ["CMD".to_owned()].into_iter().chain(list).collect(),
        None if command.is_empty() => Vec::new(),
        None => vec!["CMD-SHELL".to_owned(), command.to_owned()],
    };
    if check.test.is_empty() {
        return Err(invalid("Missing command after HEALTHCHECK CMD"));
    }
    Ok(check)
}
