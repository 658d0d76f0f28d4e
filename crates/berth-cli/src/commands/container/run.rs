//! `berth run [OPTIONS] IMAGE [COMMAND] [ARG...]`

use anyhow::Context as _;
use berth_container::{
    parse_shm_size, AttachIo, Bind, CreateOptions, ExtraHost, HostConfig, Network, Ulimit,
};
use berth_reference::Reference;

use crate::{context::Ctx, exit::ExitStatus, interrupt, output};

/// The flags `run` and `create` share (Docker's container options berth supports).
#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// Keep STDIN open even if not attached
    #[arg(short = 'i', long)]
    pub interactive: bool,
    /// Allocate a pseudo-TTY
    #[arg(short = 't', long)]
    pub tty: bool,
    /// Automatically remove the container and its associated anonymous volumes when it exits
    #[arg(long)]
    pub rm: bool,
    /// Assign a name to the container
    #[arg(long)]
    pub name: Option<String>,
    /// Set environment variables
    #[arg(short = 'e', long = "env", value_name = "list")]
    pub env: Vec<String>,
    /// Read in a file of environment variables
    #[arg(long, value_name = "list")]
    pub env_file: Vec<std::path::PathBuf>,
    /// Working directory inside the container
    #[arg(short = 'w', long, value_name = "string")]
    pub workdir: Option<String>,
    /// Username or UID (format: <name|uid>[:<group|gid>])
    #[arg(short = 'u', long, value_name = "string")]
    pub user: Option<String>,
    /// Overwrite the default ENTRYPOINT of the image
    #[arg(long, value_name = "string")]
    pub entrypoint: Option<String>,
    /// Bind mount a volume
    #[arg(short = 'v', long = "volume", value_name = "list")]
    pub volumes: Vec<String>,
    /// Connect a container to a network (berth: host or none)
    #[arg(long, alias = "net", default_value = "host", value_name = "network")]
    pub network: String,
    /// Container host name
    #[arg(short = 'h', long, value_name = "string")]
    pub hostname: Option<String>,
    /// Add a custom host-to-IP mapping (host:ip)
    #[arg(long, value_name = "list", value_parser = add_host_flag)]
    pub add_host: Vec<String>,
    /// Size of /dev/shm
    #[arg(long, value_name = "bytes", value_parser = shm_size_flag)]
    pub shm_size: Option<u64>,
    /// Ulimit options
    #[arg(long, value_name = "ulimit", value_parser = ulimit_flag)]
    pub ulimit: Vec<Ulimit>,
    /// Runtime to use for this container (runc, crun, or a path)
    #[arg(long, value_name = "string", env = "BERTH_RUNTIME")]
    pub runtime: Option<String>,
    /// Pull image before running ("always", "missing", "never")
    #[arg(long, default_value = "missing", value_name = "string")]
    pub pull: String,
    /// Suppress the pull output
    #[arg(short = 'q', long)]
    pub quiet: bool,
    #[arg(value_name = "IMAGE")]
    pub image: String,
    #[arg(
        value_name = "COMMAND",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<String>,
}

#[derive(Debug, clap::Args)]
// `-h` is the host name, as in Docker: help is `--help` only.
#[command(disable_help_flag = true)]
pub struct Args {
    /// Print help
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
    /// Run container in background and print container ID
    #[arg(short = 'd', long)]
    pub detach: bool,
    #[command(flatten)]
    pub create: CreateArgs,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<ExitStatus> {
    // docker/cli's `CheckTty`, before anything is created: `-it` attaches a terminal that is not there.
    if !args.detach
        && args.create.interactive
        && args.create.tty
        && !std::io::IsTerminal::is_terminal(&std::io::stdin())
    {
        output::eprintln("the input device is not a TTY");
        return Ok(ExitStatus::FAILURE);
    }
    let containers = super::containers(ctx)?;
    let (mut container, hold) = match create(ctx, &containers, &args.create, args.detach) {
        Ok(created) => created,
        Err(error) => return failed("run", error, true),
    };
    if args.detach {
        // Docker prints the ID before it starts the container: also when the start then fails.
        output::println(container.id())?;
        return match containers.start_detached(&mut container, &super::monitor_command(ctx)?) {
            Ok(()) => Ok(ExitStatus::SUCCESS),
            Err(error) => failed("run", error.into(), false),
        };
    }
    // From the runtime's start on, SIGINT and SIGTERM go to the container (Docker's sig-proxy); berth
    // waits for it to exit, then records its status and, with `--rm`, removes it.
    let attached = containers.run_attached_forwarding(
        &mut container,
        AttachIo {
            stdin: args.create.interactive,
            stdout: Box::new(std::io::stdout()),
            stderr: Box::new(std::io::stderr()),
        },
        &mut interrupt::forward_to,
    );
    let code = match attached {
        Ok(code) => code,
        Err(error) => return failed("run", error.into(), false),
    };
    drop(hold);
    Ok(ExitStatus::of_container(code))
}

/// How `docker run` ends on an error of its own (docker/cli's `reportError` and
/// `runStartContainerErr`): `berth: <error>.` on stderr, with a pointer to the command's help when the
/// container could not be created, and exit status 127 when the container's command was not found,
/// 126 when it could not be run, else 125 (any other failure of the engine's). A closed stdout pipe
/// passes through: it is no failure, for `run` as for every command.
fn failed(command: &str, error: anyhow::Error, with_help: bool) -> anyhow::Result<ExitStatus> {
    if output::is_broken_pipe(&error) {
        return Err(error);
    }
    let message = format!("{error:#}");
    let help = if with_help {
        format!("\nSee 'berth {command} --help'.")
    } else {
        String::new()
    };
    output::eprintln(&format!("berth: {}.{help}", message.trim_end_matches('.')));
    Ok(ExitStatus::new(failure_exit_code(&message)))
}

/// docker/cli's `runStartContainerErr`, by the words of the error (here regardless of case: crun
/// capitalizes the system's messages).
fn failure_exit_code(message: &str) -> u8 {
    let lower = message.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    // Only the runtime's failure to start the command means "not found" or "cannot run": a file
    // missing while the container is made (a layer, a blob) is any other failure.
    if !lower.contains("oci runtime") {
        return crate::exit::RUN_FAILURE;
    }
    if has(&[
        "executable file not found",
        "no such file or directory",
        "system cannot find the file specified",
    ]) {
        127
    } else if has(&["permission denied", "is a directory"]) {
        126
    } else {
        crate::exit::RUN_FAILURE
    }
}

/// Resolves (pulling if needed) the image and creates the container. The pull can be interrupted like
/// `berth pull`; from then on signals are held, and the returned hold keeps holding them. A signal
/// that arrived while the container was being created removes it again and ends the process.
pub(crate) fn create(
    ctx: &Ctx,
    containers: &berth_container::Containers<'_>,
    args: &CreateArgs,
    detached: bool,
) -> anyhow::Result<(berth_container::Container, interrupt::Hold)> {
    let image = image(ctx, args)?;
    let hold = interrupt::hold();
    let mut container = create_from(containers, &image, args, detached)?;
    if let Some(received) = hold.pending() {
        if let Err(error) = containers.remove(&mut container, true) {
            tracing::debug!(%error, "could not remove the interrupted container");
        }
        interrupt::exit(received);
    }
    Ok((container, hold))
}

fn create_from(
    containers: &berth_container::Containers<'_>,
    image: &berth_store::Image,
    args: &CreateArgs,
    detached: bool,
) -> anyhow::Result<berth_container::Container> {
    let mut env = Vec::new();
    for file in &args.env_file {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("open {}", file.display()))?;
        for line in text.lines() {
            let line = line.trim_start();
            if !line.is_empty() && !line.starts_with('#') {
                env.push(expand_env(line));
            }
        }
    }
    env.extend(args.env.iter().map(|e| expand_env(e)));
    let binds = args
        .volumes
        .iter()
        .map(|v| Bind::parse(v))
        .collect::<Result<Vec<_>, _>>()?;
    let options = CreateOptions {
        image_name: args.image.clone(),
        name: args.name.clone(),
        entrypoint: args.entrypoint.clone(),
        cmd: args.command.clone(),
        env,
        working_dir: args.workdir.clone(),
        user: args.user.clone(),
        host: HostConfig {
            binds,
            network: Network::parse(&args.network)?,
            auto_remove: args.rm,
            tty: args.tty,
            open_stdin: args.interactive,
            hostname: args.hostname.clone().unwrap_or_default(),
            runtime: args.runtime.clone().unwrap_or_default(),
            detached,
            extra_hosts: args
                .add_host
                .iter()
                .map(|h| ExtraHost::parse(h))
                .collect::<Result<_, _>>()?,
            shm_size: args.shm_size,
            ulimits: args.ulimit.clone(),
        },
        rootfs: None,
    };
    Ok(containers.create(image, &options)?)
}

/// `--add-host` as the Docker CLI checks it while parsing flags; `host-gateway` passes here and is
/// refused when the container is made (dockerd's error, as Docker's engine refuses it without a bridge).
pub(crate) fn add_host_flag(value: &str) -> Result<String, String> {
    match ExtraHost::parse(value) {
        Ok(_) | Err(berth_container::Error::NoHostGateway) => Ok(value.to_owned()),
        Err(e) => Err(e.flag_reason()),
    }
}

pub(crate) fn shm_size_flag(value: &str) -> Result<u64, String> {
    parse_shm_size(value).map_err(|e| e.flag_reason())
}

pub(crate) fn ulimit_flag(value: &str) -> Result<Ulimit, String> {
    Ulimit::parse(value).map_err(|e| e.flag_reason())
}

/// `-e KEY` takes the value from berth's own environment (dropped if unset), as Docker does.
fn expand_env(entry: &str) -> String {
    if entry.contains('=') {
        return entry.to_owned();
    }
    match std::env::var(entry) {
        Ok(value) => format!("{entry}={value}"),
        Err(_) => entry.to_owned(),
    }
}

/// The image to run: from the store, or pulled (`--pull missing|always|never`).
fn image(ctx: &Ctx, args: &CreateArgs) -> anyhow::Result<berth_store::Image> {
    let store = ctx.store()?;
    let pull = match args.pull.as_str() {
        "always" => true,
        "missing" | "never" => false,
        other => anyhow::bail!(
            "invalid pull option: '{other}': must be one of \"always\", \"missing\" or \"never\""
        ),
    };
    if !pull {
        match store.resolve(&args.image) {
            Ok(image) => return Ok(image),
            Err(berth_store::Error::NoSuchImage(_)) if args.pull != "never" => {}
            Err(berth_store::Error::NoSuchImage(_)) => {
                anyhow::bail!("No such image: {}", args.image)
            }
            Err(e) => return Err(e.into()),
        }
    }
    let reference = Reference::parse_normalized(&args.image)
        .context("invalid reference format")?
        .with_default_tag();
    if !pull {
        output::eprintln(&format!(
            "Unable to find image '{}' locally",
            reference.familiar_string()
        ));
    }
    pull_image(ctx, &reference, args.quiet)?;
    Ok(store.resolve(&reference.to_string())?)
}

/// Pulls like `berth pull`, with all output on stderr (stdout belongs to the container).
fn pull_image(ctx: &Ctx, reference: &Reference, quiet: bool) -> anyhow::Result<()> {
    let store = ctx.store()?;
    let client = crate::registry::client(ctx)?;
    let mut progress = crate::registry::Progress::new(crate::progress::Operation::Pull, quiet);
    let options = berth_registry::PullOptions::default();
    crate::registry::block_on(client.pull(store, reference, &options, |event| {
        progress.event(event);
    }))??;
    progress.finish();
    if !quiet {
        output::eprintln(&format!(
            "Status: Downloaded newer image for {}",
            reference.familiar_string()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_exit_as_docker_run_does() {
        let cases = [
            (r#"OCI runtime create failed: runc run failed: unable to start container process: exec: "/x": stat /x: no such file or directory"#, 127),
            (r#"OCI runtime create failed: runc run failed: unable to start container process: exec: "x": executable file not found in $PATH"#, 127),
            ("OCI runtime create failed: executable file `x` not found in $PATH: No such file or directory", 127),
            (r#"OCI runtime create failed: runc run failed: unable to start container process: exec: "/etc": permission denied"#, 126),
            ("OCI runtime create failed: open executable: Permission denied", 126),
            ("OCI runtime create failed: open executable: Operation not permitted", 125),
            ("Conflict. The container name \"/x\" is already in use by container \"0123\".", 125),
            // Issue #13 item 11: an unpack that misses a file is no "command not found".
            ("failed to unpack layer sha256:0123: open berth/layers/0123: No such file or directory", 125),
            ("image store: blob sha256:0123 is missing: Permission denied", 125),
        ];
        for (message, want) in cases {
            assert_eq!(failure_exit_code(message), want, "{message}");
        }
    }
}
