//! How each instruction changes the image config and its history, as BuildKit's dockerfile2llb
//! (the version Docker 20.10 vendors) writes them: `created_by` strings, `buildkit.dockerfile.v0`
//! comments, `empty_layer` for metadata-only instructions.

use std::collections::BTreeMap;
use std::fmt::Write as _;

pub use berth_dockerfile::go_quote;
use berth_dockerfile::{Command, Healthcheck, Instruction, KeyValue};
use berth_manifest::{clean_path, ContainerConfig, History, ImageConfig};

use crate::error::{Error, Result};

/// BuildKit's history comment.
pub const HISTORY_COMMENT: &str = "buildkit.dockerfile.v0";
/// The shell of a stage without SHELL (BuildKit's `defaultShell` on Linux).
pub const DEFAULT_SHELL: [&str; 2] = ["/bin/sh", "-c"];
/// `PATH` BuildKit sets when the base image has none (`system.DefaultPathEnv`).
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The config BuildKit starts a `FROM scratch` stage with (`emptyImage`).
pub fn scratch_config(os: &str, architecture: &str, variant: Option<&str>) -> ImageConfig {
    ImageConfig {
        architecture: architecture.to_owned(),
        os: os.to_owned(),
        variant: variant.map(str::to_owned),
        os_version: None,
        os_features: None,
        created: None,
        author: None,
        comment: None,
        config: Some(ContainerConfig {
            working_dir: "/".to_owned(),
            env: vec![format!("PATH={DEFAULT_PATH}")],
            ..ContainerConfig::default()
        }),
        rootfs: berth_manifest::RootFs::default(),
        history: Vec::new(),
        extra: BTreeMap::new(),
    }
}

/// A base image's config as BuildKit reads it into its own `Image` type: the fields it knows,
/// nothing else (Docker's `container_config`, `Hostname`, `Image`, ... are dropped), no
/// `created`, and `PATH` added when missing.
pub fn base_config(mut config: ImageConfig) -> ImageConfig {
    config.created = None;
    config.comment = None;
    config.extra.clear();
    config.rootfs.extra.clear();
    let mut inner = config.config.take().unwrap_or_default();
    let stop_timeout = inner.extra.remove("StopTimeout");
    inner.extra.clear();
    if let Some(stop_timeout) = stop_timeout {
        inner.extra.insert("StopTimeout".to_owned(), stop_timeout);
    }
    if !inner.env.iter().any(|e| env_key(e) == "PATH") {
        inner.env.push(format!("PATH={DEFAULT_PATH}"));
    }
    config.config = Some(inner);
    config
}

fn env_key(entry: &str) -> &str {
    entry.split_once('=').map_or(entry, |(k, _)| k)
}

/// BuildKit's `addEnv`: replaces the variable in place, else appends it.
pub fn add_env(env: &mut Vec<String>, key: &str, value: &str) {
    let entry = format!("{key}={value}");
    match env.iter_mut().find(|e| env_key(e) == key) {
        Some(existing) => *existing = entry,
        None => env.push(entry),
    }
}

/// A history entry as `commitToHistory` writes it; `layer` steps get ` # buildkit`. An empty
/// `created` is filled in at export ([`fill_history_times`]).
pub fn history(created_by: &str, layer: bool, created: &str) -> History {
    History {
        created: (!created.is_empty()).then(|| created.to_owned()),
        created_by: Some(if layer {
            format!("{created_by} # buildkit")
        } else {
            created_by.to_owned()
        }),
        comment: Some(HISTORY_COMMENT.to_owned()),
        empty_layer: !layer,
        ..History::default()
    }
}

/// The exporter's `normalizeLayersAndHistory`: an entry without a time takes the time of the
/// first layer after the first such entry, then of the latest timed entry before it; `now` when
/// no entry has a time.
pub fn fill_history_times(history: &mut [History], now: &str) {
    let mut created: Option<String> = None;
    let mut untimed = false;
    for entry in history.iter() {
        match &entry.created {
            Some(time) => {
                created = Some(time.clone());
                if untimed {
                    break;
                }
            }
            None => untimed = true,
        }
    }
    if created.is_none() {
        created = Some(now.to_owned());
    }
    untimed = false;
    for entry in history.iter_mut() {
        match &entry.created {
            Some(time) => {
                if untimed {
                    created = Some(time.clone());
                }
            }
            None => {
                untimed = true;
                entry.created.clone_from(&created);
            }
        }
    }
}

/// The stage's shell in front of a shell-form command (`withShell`).
pub fn with_shell(config: &ContainerConfig, command: &Command) -> Vec<String> {
    let args = command.args();
    if !command.prepends_shell() {
        return args;
    }
    let mut out: Vec<String> = if config.shell.is_empty() {
        DEFAULT_SHELL.iter().map(|s| (*s).to_owned()).collect()
    } else {
        config.shell.clone()
    };
    out.push(args.join(" "));
    out
}

/// Where BuildKit mounts a RUN heredoc script that starts with `#!`.
pub const HEREDOC_PIPES: &str = "/dev/pipes";

/// RUN's command (BuildKit's `dispatchRun`): with heredocs, a command that is only `<<EOF`
/// runs the heredoc's content through the shell (tabs removed for `<<-`), or, when it starts
/// with `#!`, as a file mounted at `/dev/pipes/NAME` (returned with its content); any other
/// command gets each heredoc's content and delimiter appended, for the shell to read.
pub fn run_args(
    config: &ContainerConfig,
    run: &berth_dockerfile::Run,
) -> (Vec<String>, Option<(String, String)>) {
    let line = match &run.command {
        Command::Shell(line) if !run.heredocs.is_empty() => line,
        _ => return (with_shell(config, &run.command), None),
    };
    let only_heredoc = run.heredocs.len() == 1 && {
        let rest = line.trim().trim_start_matches(|c: char| c.is_ascii_digit());
        rest.strip_prefix("<<").is_some_and(|rest| {
            let name = rest
                .trim_start_matches('-')
                .trim()
                .trim_matches(['"', '\'']);
            name == run.heredocs[0].name
        })
    };
    let script = if only_heredoc {
        let heredoc = &run.heredocs[0];
        let data: String = if heredoc.chomp {
            heredoc
                .content
                .split_inclusive('\n')
                .map(|l| l.trim_start_matches('\t'))
                .collect()
        } else {
            heredoc.content.clone()
        };
        if data.starts_with("#!") {
            let file = format!("{HEREDOC_PIPES}/{}", heredoc.name);
            return (vec![file], Some((heredoc.name.clone(), data)));
        }
        data
    } else {
        let mut full = line.clone();
        for heredoc in &run.heredocs {
            full.push('\n');
            full.push_str(&heredoc.content);
            full.push_str(&heredoc.name);
        }
        full
    };
    (with_shell(config, &Command::Shell(script)), None)
}

/// `runCommandString`: `|N K=V ... args`, the stage's ARGs with their values in the step's env.
pub fn run_created_by(
    args: &[String],
    build_args: &[(String, Option<String>)],
    env: &[(String, String)],
) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !build_args.is_empty() {
        parts.push(format!("|{}", build_args.len()));
        for (key, value) in build_args {
            let value = env
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .or_else(|| value.clone())
                .unwrap_or_default();
            parts.push(format!("{key}={value}"));
        }
    }
    parts.extend(args.iter().cloned());
    format!("RUN {}", parts.join(" "))
}

/// Go's `%q` of a `[]string`: `["a" "b"]`.
pub fn go_quote_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| go_quote(s)).collect();
    format!("[{}]", quoted.join(" "))
}

/// Go's `%q` of an int: a quoted rune (`'\x03'`).
fn go_quote_rune(n: i64) -> String {
    match u32::try_from(n).ok().and_then(char::from_u32) {
        Some('\'') => "'\\''".to_owned(),
        Some(c) => {
            let inner = go_quote(&c.to_string());
            format!("'{}'", &inner[1..inner.len() - 1].replace("\\\"", "\""))
        }
        None => "'\u{fffd}'".to_owned(),
    }
}

/// Go's `time.Duration.String()`.
pub fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".to_owned();
    }
    let negative = nanos < 0;
    let u = nanos.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        let (unit, scale) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        out.push_str(&fraction(u, scale));
        out.push_str(unit);
    } else {
        let hours = u / 3_600_000_000_000;
        let minutes = (u / 60_000_000_000) % 60;
        let seconds = u % 60_000_000_000;
        if hours > 0 {
            let _ = write!(out, "{hours}h{minutes}m");
        } else if minutes > 0 {
            let _ = write!(out, "{minutes}m");
        }
        out.push_str(&fraction(seconds, 1_000_000_000));
        out.push('s');
    }
    if negative {
        out.insert(0, '-');
    }
    out
}

/// `whole.frac` with the fraction's trailing zeros removed.
fn fraction(value: u64, scale: u64) -> String {
    let whole = value / scale;
    let rest = value % scale;
    if rest == 0 {
        return whole.to_string();
    }
    let width = scale.to_string().len() - 1;
    let frac = format!("{rest:0width$}");
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

/// `nat.ParsePortSpecs` for EXPOSE: `80`, `80/udp`, `8000-8002/tcp` (each port of a range).
pub fn parse_ports(specs: &[String]) -> Result<Vec<String>> {
    let mut ports = Vec::new();
    for spec in specs {
        let (port, proto) = spec.split_once('/').unwrap_or((spec, "tcp"));
        let proto = if proto.is_empty() { "tcp" } else { proto };
        // `ip:host:container` forms keep the container part.
        let port = port.rsplit(':').next().unwrap_or(port);
        let invalid = || Error::Invalid(format!("invalid containerPort: {port}"));
        let (start, end) = match port.split_once('-') {
            Some((a, b)) => (
                a.parse::<u16>().map_err(|_| invalid())?,
                b.parse::<u16>().map_err(|_| invalid())?,
            ),
            None => {
                let p = port.parse::<u16>().map_err(|_| invalid())?;
                (p, p)
            }
        };
        if end < start {
            return Err(Error::Invalid(format!(
                "invalid range specified for containerPort: {port}"
            )));
        }
        for p in start..=end {
            ports.push(format!("{p}/{}", proto.to_ascii_lowercase()));
        }
    }
    Ok(ports)
}

/// A stage's image while it is built.
#[derive(Debug, Clone)]
pub struct StageImage {
    pub config: ImageConfig,
    /// CMD was set in this stage (ENTRYPOINT then keeps it).
    pub cmd_set: bool,
    /// The stage's ARGs in order, with the value each got (BuildKit's `buildArgs`).
    pub build_args: Vec<(String, Option<String>)>,
}

impl StageImage {
    pub fn new(config: ImageConfig) -> StageImage {
        StageImage {
            config,
            cmd_set: false,
            build_args: Vec::new(),
        }
    }

    pub fn container(&mut self) -> &mut ContainerConfig {
        self.config
            .config
            .get_or_insert_with(ContainerConfig::default)
    }

    pub fn container_ref(&self) -> ContainerConfig {
        self.config.config.clone().unwrap_or_default()
    }

    fn commit(&mut self, created_by: &str, created: &str) {
        self.config
            .history
            .push(history(created_by, false, created));
    }

    /// Applies a metadata-only instruction (already expanded) and adds its history entry.
    /// Returns `false` for the instructions that are not metadata-only (RUN, COPY, ADD, WORKDIR,
    /// ARG, FROM), which the builder handles.
    pub fn apply_metadata(&mut self, instruction: &Instruction, created: &str) -> Result<bool> {
        match instruction {
            Instruction::Env(pairs) => {
                let mut message = String::from("ENV");
                for KeyValue { key, value, .. } in pairs {
                    let _ = write!(message, " {key}={value}");
                    add_env(&mut self.container().env, key, value);
                }
                self.commit(&message, created);
            }
            Instruction::Label(pairs) => {
                let mut message = String::from("LABEL");
                for KeyValue { key, value, .. } in pairs {
                    let _ = write!(message, " {key}={value}");
                    self.container().labels.insert(key.clone(), value.clone());
                }
                self.commit(&message, created);
            }
            Instruction::Maintainer(name) => {
                self.config.author = Some(name.clone());
                self.commit(&format!("MAINTAINER {name}"), created);
            }
            Instruction::Cmd(line) => {
                let args = with_shell(&self.container_ref(), &line.command);
                let container = self.container();
                container.cmd.clone_from(&args);
                container.args_escaped = true;
                self.cmd_set = true;
                self.commit(&format!("CMD {}", go_quote_list(&args)), created);
            }
            Instruction::Entrypoint(line) => {
                let args = with_shell(&self.container_ref(), &line.command);
                let cmd_set = self.cmd_set;
                let container = self.container();
                container.entrypoint.clone_from(&args);
                if !cmd_set {
                    container.cmd = Vec::new();
                }
                self.commit(&format!("ENTRYPOINT {}", go_quote_list(&args)), created);
            }
            Instruction::Healthcheck(check) => {
                let health = match check {
                    Healthcheck::None => berth_manifest::Healthcheck {
                        test: vec!["NONE".to_owned()],
                        ..Default::default()
                    },
                    Healthcheck::Check(c) => berth_manifest::Healthcheck {
                        test: c.test.clone(),
                        interval: c.interval,
                        timeout: c.timeout,
                        start_period: c.start_period,
                        retries: c.retries,
                        ..Default::default()
                    },
                };
                let message = format!(
                    "HEALTHCHECK &{{{} {} {} {} {}}}",
                    go_quote_list(&health.test),
                    go_quote(&go_duration(health.interval)),
                    go_quote(&go_duration(health.timeout)),
                    go_quote(&go_duration(health.start_period)),
                    go_quote_rune(health.retries),
                );
                self.container().healthcheck = Some(health);
                self.commit(&message, created);
            }
            Instruction::Expose(specs) => {
                let ports = parse_ports(specs)?;
                let mut set: Vec<String> = ports.clone();
                set.sort();
                set.dedup();
                for port in &ports {
                    self.container()
                        .exposed_ports
                        .insert(port.clone(), serde_json::json!({}));
                }
                let listed: Vec<String> = set.iter().map(|p| format!("{p}:{{}}")).collect();
                self.commit(&format!("EXPOSE map[{}]", listed.join(" ")), created);
            }
            Instruction::User(user) => {
                self.container().user.clone_from(user);
                self.commit(&format!("USER {user}"), created);
            }
            Instruction::Volume(volumes) => {
                for volume in volumes {
                    if volume.is_empty() {
                        return Err(Error::Invalid(
                            "VOLUME specified can not be an empty string".to_owned(),
                        ));
                    }
                    self.container()
                        .volumes
                        .insert(volume.clone(), serde_json::json!({}));
                }
                self.commit(&format!("VOLUME [{}]", volumes.join(" ")), created);
            }
            Instruction::Stopsignal(signal) => {
                if !valid_signal(signal) {
                    return Err(Error::Invalid(format!("Invalid signal: {signal}")));
                }
                self.container().stop_signal.clone_from(signal);
                self.commit(&format!("STOPSIGNAL {signal}"), created);
            }
            Instruction::Shell(shell) => {
                self.container().shell.clone_from(shell);
                self.commit(&format!("SHELL [{}]", shell.join(" ")), created);
            }
            Instruction::Onbuild(onbuild) => {
                self.container().on_build.push(onbuild.expression.clone());
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// WORKDIR: the new working directory (relative to the previous one), and whether BuildKit
    /// creates it (a layer step: every directory but `/`). History is added by the caller.
    ///
    /// As Docker 20.10's BuildKit (v0.8 `dispatchWorkdir`), an absolute path is kept as written
    /// (`/a/b/./c//d/` stays so in WorkingDir and the history); a relative one is joined to the
    /// previous directory with Go's `path.Join`, which cleans it.
    pub fn workdir(&mut self, path: &str) -> (String, bool) {
        let wd = if path.starts_with('/') {
            path.to_owned()
        } else {
            clean_path(&format!("/{}/{path}", self.container_ref().working_dir))
        };
        self.container().working_dir.clone_from(&wd);
        let layer = clean_path(&wd) != "/";
        (wd, layer)
    }
}

/// moby's `signal.ParseSignal` on Linux: a non-zero number, or a name of its `SignalMap`
/// (any case, `SIG` optional).
pub fn valid_signal(signal: &str) -> bool {
    const NAMES: &[&str] = &[
        "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT",
        "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM",
        "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
        "RTMIN", "RTMAX",
    ];
    if let Ok(number) = signal.parse::<i64>() {
        return number != 0 && i32::try_from(number).is_ok();
    }
    let upper = signal.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    if NAMES.contains(&name) {
        return true;
    }
    let offset = |prefix: &str, sign: char| {
        name.strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix(sign))
            .and_then(|n| n.parse::<u8>().ok())
            .is_some_and(|n| (1..=15).contains(&n) && !n.to_string().starts_with('0'))
    };
    offset("RTMIN", '+') || offset("RTMAX", '-')
}

#[cfg(test)]
mod tests;
