//! Nodes to instructions: BuildKit's `instructions.ParseInstruction`, with its checks and
//! messages.

use crate::flags::{Flags, Kind};
use crate::instruction::{
    Add, ArgDefinition, Command, CommandLine, Copy, From, HealthConfig, Healthcheck, Instruction,
    KeyValue, Located, Onbuild, Run, SourceContent, SourcesAndDest,
};
use crate::parser::{chomp_heredoc_content, parse_heredoc, Node};
use crate::{quote, suggest};

const INSTRUCTIONS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// One node as an instruction; the error is BuildKit's message without the line prefix.
pub(crate) fn instruction(node: &Node) -> Result<Located, String> {
    let mut flags = Flags::new(&node.flags);
    let args = &node.args;
    let instruction = match node.command.to_ascii_lowercase().as_str() {
        "env" => {
            flags.parse()?;
            Instruction::Env(key_values(args, "ENV")?)
        }
        "maintainer" => {
            exactly_one(args, "MAINTAINER")?;
            flags.parse()?;
            Instruction::Maintainer(args[0].clone())
        }
        "label" => {
            flags.parse()?;
            Instruction::Label(key_values(args, "LABEL")?)
        }
        "add" => {
            if args.len() < 2 {
                return Err(no_destination("ADD"));
            }
            flags.add("chown", Kind::String);
            flags.add("chmod", Kind::String);
            flags.add("link", Kind::Bool);
            flags.add("keep-git-dir", Kind::Bool);
            flags.add("checksum", Kind::String);
            flags.add("unpack", Kind::Bool);
            flags.add("exclude", Kind::Strings);
            flags.parse()?;
            Instruction::Add(Add {
                paths: sources_and_dest(node, "ADD")?,
                chown: flags.string("chown"),
                chmod: flags.string("chmod"),
                checksum: flags.string("checksum"),
                link: flags.bool("link").unwrap_or(false),
                keep_git_dir: flags.bool("keep-git-dir"),
                unpack: flags.bool("unpack"),
                exclude: flags.strings("exclude"),
            })
        }
        "copy" => {
            if args.len() < 2 {
                return Err(no_destination("COPY"));
            }
            flags.add("chown", Kind::String);
            flags.add("from", Kind::String);
            flags.add("chmod", Kind::String);
            flags.add("link", Kind::Bool);
            flags.add("exclude", Kind::Strings);
            flags.add("parents", Kind::Bool);
            flags.parse()?;
            Instruction::Copy(Copy {
                paths: sources_and_dest(node, "COPY")?,
                from: flags.string("from"),
                chown: flags.string("chown"),
                chmod: flags.string("chmod"),
                link: flags.bool("link").unwrap_or(false),
                parents: flags.bool("parents").unwrap_or(false),
                exclude: flags.strings("exclude"),
            })
        }
        "from" => {
            let name = stage_name(args)?;
            flags.add("platform", Kind::String);
            flags.parse()?;
            Instruction::From(From {
                image: args[0].clone(),
                name,
                platform: flags.string("platform").filter(|p| !p.is_empty()),
            })
        }
        "onbuild" => {
            if args.is_empty() {
                return Err(at_least_one("ONBUILD"));
            }
            flags.parse()?;
            let trigger = args[0].trim().to_uppercase();
            match trigger.as_str() {
                "ONBUILD" => {
                    return Err("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".into())
                }
                "MAINTAINER" | "FROM" => {
                    return Err(format!("{trigger} isn't allowed as an ONBUILD trigger"))
                }
                _ => {}
            }
            let mut expression = strip_onbuild(&node.original).to_owned();
            for heredoc in &node.heredocs {
                expression.push('\n');
                expression.push_str(&heredoc.content);
                expression.push_str(&heredoc.name);
            }
            Instruction::Onbuild(Onbuild { expression })
        }
        "workdir" => {
            exactly_one(args, "WORKDIR")?;
            flags.parse()?;
            Instruction::Workdir(args[0].clone())
        }
        "run" => {
            flags.add("mount", Kind::Strings);
            flags.add("network", Kind::String);
            flags.add("security", Kind::String);
            flags.add("device", Kind::Strings);
            flags.parse()?;
            Instruction::Run(Run {
                command: command(node),
                heredocs: node.heredocs.clone(),
                flags: flags.order.clone(),
            })
        }
        "cmd" => {
            flags.parse()?;
            Instruction::Cmd(CommandLine {
                command: command(node),
                heredocs: node.heredocs.clone(),
            })
        }
        "entrypoint" => {
            flags.parse()?;
            Instruction::Entrypoint(CommandLine {
                command: command(node),
                heredocs: node.heredocs.clone(),
            })
        }
        "healthcheck" => Instruction::Healthcheck(healthcheck(node, &mut flags)?),
        "expose" => {
            if args.is_empty() {
                return Err(at_least_one("EXPOSE"));
            }
            flags.parse()?;
            let mut ports = args.clone();
            ports.sort();
            Instruction::Expose(ports)
        }
        "user" => {
            exactly_one(args, "USER")?;
            flags.parse()?;
            Instruction::User(args[0].clone())
        }
        "volume" => {
            if args.is_empty() {
                return Err(at_least_one("VOLUME"));
            }
            flags.parse()?;
            let mut volumes = Vec::with_capacity(args.len());
            for volume in args {
                let volume = volume.trim();
                if volume.is_empty() {
                    return Err("VOLUME specified can not be an empty string".into());
                }
                volumes.push(volume.to_owned());
            }
            Instruction::Volume(volumes)
        }
        "stopsignal" => {
            exactly_one(args, "STOPSIGNAL")?;
            Instruction::Stopsignal(args[0].clone())
        }
        "arg" => {
            if args.is_empty() {
                return Err(at_least_one("ARG"));
            }
            let mut definitions = Vec::with_capacity(args.len());
            for arg in args {
                let definition = match arg.split_once('=') {
                    Some(("", _)) => return Err("ARG names can not be blank".into()),
                    Some((key, value)) => ArgDefinition {
                        key: key.to_owned(),
                        value: Some(value.to_owned()),
                    },
                    None => ArgDefinition {
                        key: arg.clone(),
                        value: None,
                    },
                };
                definitions.push(definition);
            }
            Instruction::Arg(definitions)
        }
        "shell" => {
            flags.parse()?;
            if args.is_empty() {
                return Err(at_least_one("SHELL"));
            }
            if !node.json {
                return Err("SHELL requires the arguments to be in JSON form".into());
            }
            Instruction::Shell(args.clone())
        }
        _ => {
            let message = format!("unknown instruction: {}", node.command);
            return Err(suggest::wrap(message, &node.command, INSTRUCTIONS, false));
        }
    };
    Ok(Located {
        instruction,
        lines: node.lines,
        original: node.original.clone(),
        comments: node.comments.clone(),
    })
}

/// BuildKit's `(?i)^\s*ONBUILD\s*` removed from the original line.
fn strip_onbuild(original: &str) -> &str {
    let trimmed = original.trim_start_matches(is_re_space);
    match trimmed.get(..7) {
        Some(word) if word.eq_ignore_ascii_case("onbuild") => {
            trimmed[7..].trim_start_matches(is_re_space)
        }
        _ => original,
    }
}

fn is_re_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{c}' | '\r')
}

fn command(node: &Node) -> Command {
    if node.json {
        Command::Exec(node.args.clone())
    } else {
        Command::Shell(node.args.join(" "))
    }
}

fn healthcheck(node: &Node, flags: &mut Flags<'_>) -> Result<Healthcheck, String> {
    let args = &node.args;
    if args.is_empty() {
        return Err(at_least_one("HEALTHCHECK"));
    }
    let kind = args[0].to_uppercase();
    let rest = &args[1..];
    if kind == "NONE" {
        if !rest.is_empty() {
            return Err("HEALTHCHECK NONE takes no arguments".into());
        }
        return Ok(Healthcheck::None);
    }
    for name in [
        "interval",
        "timeout",
        "start-period",
        "start-interval",
        "retries",
    ] {
        flags.add(name, Kind::String);
    }
    flags.parse()?;
    if kind != "CMD" {
        return Err(format!(
            "Unknown type {} in HEALTHCHECK (try CMD)",
            quote::go_quote(&kind)
        ));
    }
    let command: Vec<String> = if rest.is_empty() {
        Vec::new()
    } else if node.json {
        rest.to_vec()
    } else {
        vec![rest.join(" ")]
    };
    if command.is_empty() {
        return Err("Missing command after HEALTHCHECK CMD".into());
    }
    let mut test = vec![if node.json { "CMD" } else { "CMD-SHELL" }.to_owned()];
    test.extend(command);
    let interval = |name: &str| -> Result<i64, String> {
        let Some(value) = flags.string(name).filter(|v| !v.is_empty()) else {
            return Ok(0);
        };
        let nanos = berth_manifest::parse_go_duration(&value)?;
        if nanos == 0 {
            return Ok(0);
        }
        if nanos < 1_000_000 {
            return Err(format!(
                "Interval {} cannot be less than 1ms",
                quote::go_quote(name)
            ));
        }
        Ok(nanos)
    };
    let config = HealthConfig {
        test,
        interval: interval("interval")?,
        timeout: interval("timeout")?,
        start_period: interval("start-period")?,
        start_interval: interval("start-interval")?,
        retries: match flags.string("retries").filter(|v| !v.is_empty()) {
            None => 0,
            Some(value) => {
                let retries = parse_int32(&value)?;
                if retries < 0 {
                    return Err(format!("--retries cannot be negative ({retries})"));
                }
                retries
            }
        },
    };
    Ok(Healthcheck::Check(config))
}

/// Go's `strconv.ParseInt(value, 10, 32)` with its messages.
fn parse_int32(value: &str) -> Result<i64, String> {
    let quoted = quote::go_quote(value);
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.ParseInt: parsing {quoted}: invalid syntax"
        ));
    }
    match value.parse::<i32>() {
        Ok(n) => Ok(i64::from(n)),
        Err(_) => Err(format!(
            "strconv.ParseInt: parsing {quoted}: value out of range"
        )),
    }
}

fn key_values(args: &[String], command: &str) -> Result<Vec<KeyValue>, String> {
    if args.is_empty() {
        return Err(at_least_one(command));
    }
    if args.len() % 3 != 0 {
        return Err(format!("Bad input to {command}, too many arguments"));
    }
    args.chunks(3)
        .map(|triple| {
            if triple[0].is_empty() {
                return Err(format!("{command} names can not be blank"));
            }
            Ok(KeyValue {
                key: triple[0].clone(),
                value: triple[1].clone(),
                no_delimiter: triple[2].is_empty(),
            })
        })
        .collect()
}

fn sources_and_dest(node: &Node, command: &str) -> Result<SourcesAndDest, String> {
    let (dest, sources) = node.args.split_last().expect("at least two arguments");
    if parse_heredoc(dest).ok().flatten().is_some() {
        return Err(format!(
            "{command} cannot accept a heredoc as a destination"
        ));
    }
    let mut paths = Vec::new();
    let mut contents = Vec::new();
    for source in sources {
        match parse_heredoc(source).ok().flatten() {
            Some(heredoc) => {
                let content = node
                    .heredocs
                    .iter()
                    .rev()
                    .find(|doc| doc.name == heredoc.name)
                    .map(|doc| doc.content.clone())
                    .unwrap_or_default();
                let data = if heredoc.chomp {
                    chomp_heredoc_content(&content)
                } else {
                    content
                };
                contents.push(SourceContent {
                    path: heredoc.name,
                    data,
                    expand: heredoc.expand,
                });
            }
            None => paths.push(source.clone()),
        }
    }
    Ok(SourcesAndDest {
        sources: paths,
        contents,
        dest: dest.clone(),
        json: node.json,
    })
}

fn stage_name(args: &[String]) -> Result<Option<String>, String> {
    match args {
        [_, as_word, name] if as_word.eq_ignore_ascii_case("as") => {
            let lowered = name.to_lowercase();
            let valid = lowered.starts_with(|c: char| c.is_ascii_lowercase())
                && lowered.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')
                });
            if !valid {
                return Err(format!(
                    "invalid name for build stage: {}, name can't start with a number or contain symbols",
                    quote::go_quote(name)
                ));
            }
            Ok(Some(lowered))
        }
        [_] => Ok(None),
        _ => Err("FROM requires either one or three arguments".into()),
    }
}

fn at_least_one(command: &str) -> String {
    format!("{command} requires at least one argument")
}

fn exactly_one(args: &[String], command: &str) -> Result<(), String> {
    if args.len() == 1 {
        Ok(())
    } else {
        Err(format!("{command} requires exactly one argument"))
    }
}

fn no_destination(command: &str) -> String {
    format!(
        "{command} requires at least two arguments, but only one was provided. Destination could not be determined"
    )
}
