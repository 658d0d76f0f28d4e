//! `berth build [OPTIONS] PATH | URL | -`: an image from a Dockerfile, as `docker build` with
//! BuildKit makes it, with no daemon.

use std::{collections::BTreeMap, io::Read, path::PathBuf};

use anyhow::Context as _;
use berth_build::{BuildOptions, Context, ContextSource, Progress};
use berth_reference::Reference;

use crate::{
    commands::container::run::{add_host_flag, shm_size_flag, ulimit_flag},
    context::Ctx,
    exit::Plain,
    output, url,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Add a custom host-to-IP mapping (host:ip)
    #[arg(long = "add-host", value_name = "list", value_parser = add_host_flag)]
    pub add_hosts: Vec<String>,
    /// Set build-time variables
    #[arg(long = "build-arg", value_name = "list")]
    pub build_arg: Vec<String>,
    /// Name of the Dockerfile (Default is 'PATH/Dockerfile')
    #[arg(short = 'f', long = "file", value_name = "string")]
    pub file: Option<String>,
    /// Always remove intermediate containers
    #[arg(long, overrides_with = "force_rm")]
    pub force_rm: bool,
    /// Write the image ID to the file
    #[arg(long, value_name = "string")]
    pub iidfile: Option<PathBuf>,
    /// Set metadata for an image
    #[arg(long = "label", value_name = "list")]
    pub labels: Vec<String>,
    /// Set the networking mode for the RUN instructions during build
    #[arg(long, value_name = "string", default_value = "default")]
    pub network: String,
    /// Do not use cache when building the image
    #[arg(long, overrides_with = "no_cache")]
    pub no_cache: bool,
    /// Set platform if server is multi-platform capable
    #[arg(long, value_name = "string", env = "DOCKER_DEFAULT_PLATFORM")]
    pub platform: Option<String>,
    /// Set type of progress output (auto, plain, tty, quiet). Use plain to show container output
    #[arg(long, value_name = "string", default_value = "auto")]
    pub progress: String,
    /// Always attempt to pull a newer version of the image
    #[arg(long, overrides_with = "pull")]
    pub pull: bool,
    /// Suppress the build output and print image ID on success
    #[arg(short = 'q', long, overrides_with = "quiet")]
    pub quiet: bool,
    /// Remove intermediate containers after a successful build
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "bool",
          num_args = 0..=1, require_equals = true, default_missing_value = "true",
          overrides_with = "rm")]
    pub rm: bool,
    /// Size of /dev/shm
    #[arg(long, value_name = "bytes", value_parser = shm_size_flag)]
    pub shm_size: Option<u64>,
    /// Name and optionally a tag in the 'name:tag' format
    #[arg(short = 't', long = "tag", value_name = "list")]
    pub tags: Vec<String>,
    /// Set the target build stage to build.
    #[arg(long, value_name = "string")]
    pub target: Option<String>,
    /// Ulimit options
    #[arg(long, value_name = "ulimit", value_parser = ulimit_flag)]
    pub ulimit: Vec<berth_container::Ulimit>,
    /// The build context: a directory, an http(s) URL of a tarball, or - (a tarball or a
    /// Dockerfile on stdin)
    #[arg(value_name = "PATH | URL | -")]
    pub context: String,
}

/// ADD's downloads, over the CLI's HTTP client.
struct UrlFetch {
    config_dir: PathBuf,
}

impl berth_build::Fetch for UrlFetch {
    fn fetch(&self, url: &str) -> std::io::Result<(Box<dyn Read + Send>, Option<i64>)> {
        let reader = url::open(url, &self.config_dir).map_err(std::io::Error::other)?;
        Ok((Box::new(reader), None))
    }
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let tags = args
        .tags
        .iter()
        .map(|tag| {
            Reference::parse_normalized(tag)
                .map(Reference::with_default_tag)
                .map_err(|_| {
                    Plain(format!(
                        "invalid argument \"{tag}\" for \"-t, --tag\" flag: invalid reference format"
                    ))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let build_args = key_values(&args.build_arg, true);
    let labels = key_values(&args.labels, false);
    let platform = host_platform(args.platform.as_deref())?;
    // --add-host, --shm-size and --ulimit are parsed as `berth run` parses them (Docker's words).
    let network =
        berth_container::Network::parse_build(&args.network).map_err(|e| Plain(e.to_string()))?;
    let add_hosts = args
        .add_hosts
        .iter()
        .map(|entry| berth_container::ExtraHost::parse(entry))
        .collect::<Result<Vec<_>, _>>()?;
    let mode = progress_mode(args)?;

    let store = ctx.store()?;
    let scratch = tempdir_in(&store.state_dir("build")?)?;
    // An interrupt ends the RUN containers, unmounts the steps and removes the scratch directory.
    let scratch_path = scratch.path().to_path_buf();
    let _undo = crate::interrupt::on_interrupt(move || {
        berth_container::Step::abort_all();
        let _ = std::fs::remove_dir_all(&scratch_path);
    });
    let (source, stdin_dockerfile) = context_source(ctx, args)?;
    let context_dir = match &source {
        ContextSource::Dir(dir) => Some(dir.clone()),
        _ => None,
    };
    // A local directory's -f is a path from the current directory (docker/cli): inside the
    // context it is read from there; outside, from where it is.
    let outside = match (&source, args.file.as_deref()) {
        (ContextSource::Dir(dir), Some(file)) if file != "-" => dockerfile_in_dir(dir, file)?,
        _ => DockerfileAt::Context(args.file.clone().filter(|f| f != "-")),
    };
    let mut context = Context::open(source, scratch.path())?;
    if let Some(dir) = &context_dir {
        context.remember_digests(&store.state_dir(berth_build::CONTEXT_DIGESTS)?, dir);
    }
    let (dockerfile_name, outside_text) = match outside {
        DockerfileAt::Context(name) => (name.unwrap_or_else(|| "Dockerfile".to_owned()), None),
        DockerfileAt::Outside(name, text) => (name, Some(text)),
    };
    let dockerfile = match stdin_dockerfile.or(outside_text) {
        Some(text) => text,
        None => context.dockerfile(&dockerfile_name)?,
    };
    context.apply_ignore(&dockerfile_name)?;
    let display_name = std::path::Path::new(&dockerfile_name)
        .file_name()
        .map_or_else(
            || dockerfile_name.clone(),
            |n| n.to_string_lossy().into_owned(),
        );

    // Base images come from the store; missing ones (all with --pull) are pulled first.
    let images =
        berth_build::base_images(&dockerfile, &build_args, args.target.as_deref(), &platform)
            .map_err(|e| failed(&display_name, &dockerfile, &e))?;
    for image in images {
        let missing = matches!(
            store.resolve(&image),
            Err(berth_store::Error::NoSuchImage(_))
        );
        if args.pull || missing {
            pull(ctx, &image, &platform)?;
        }
    }

    // Quiet keeps the plain progress aside and shows it only if the build fails (docker/cli).
    let kept = Kept::default();
    let mut progress = match mode {
        Mode::Quiet => Progress::plain(Box::new(kept.clone())),
        Mode::Plain => Progress::plain(Box::new(std::io::stderr())),
        Mode::Tty => Progress::new(Box::new(crate::progress::build::BuildScreen::new())),
    };
    let fetch = UrlFetch {
        config_dir: ctx.config_dir(),
    };
    let options = BuildOptions {
        dockerfile: &dockerfile,
        dockerfile_name: &display_name,
        build_args,
        target: args.target.as_deref(),
        platform,
        labels,
        tags,
        no_cache: args.no_cache,
        network,
        add_hosts,
        shm_size: args.shm_size,
        ulimits: args.ulimit.clone(),
        runtime: String::new(),
        context: Some(&context),
        fetch: &fetch,
    };
    let built = berth_build::build(store, &options, &mut progress);
    progress.finish();
    context.save_digests();
    let built = built.map_err(|e| {
        if mode == Mode::Quiet {
            kept.replay();
        }
        failed(&display_name, &dockerfile, &e)
    })?;
    if let Some(path) = &args.iidfile {
        std::fs::write(path, built.id.to_string())
            .with_context(|| format!("failed to write {}", path.display()))?;
    }
    if args.quiet {
        output::println(&built.id.to_string())?;
    }
    Ok(())
}

/// The progress of a quiet build, kept in memory for a failure to show.
#[derive(Clone, Default)]
struct Kept(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Kept {
    /// Writes what was kept to stderr.
    fn replay(&self) {
        let kept = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        output::eprint(&String::from_utf8_lossy(&kept));
    }
}

impl std::io::Write for Kept {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Quiet,
    Plain,
    Tty,
}

/// `--progress`: `auto` (or `BUILDKIT_PROGRESS`, which replaces `auto` as in docker/cli) is the
/// terminal view when stderr is a terminal that can move the cursor, plain otherwise; `tty` off a
/// terminal is refused in buildx's words (Docker 20.10's own CLI quietly prints plain there).
fn progress_mode(args: &Args) -> anyhow::Result<Mode> {
    let mut mode = args.progress.clone();
    if mode == "auto" {
        if let Some(env) = std::env::var("BUILDKIT_PROGRESS")
            .ok()
            .filter(|v| !v.is_empty())
        {
            mode = env;
        }
    }
    if !["auto", "plain", "tty", "quiet"].contains(&mode.as_str()) {
        return Err(Plain(format!("invalid progress mode: {mode}")).into());
    }
    let terminal = crate::progress::is_terminal();
    if args.quiet || mode == "quiet" {
        return Ok(Mode::Quiet);
    }
    if mode == "plain" || !(mode == "auto" || mode == "tty") {
        return Ok(Mode::Plain);
    }
    if terminal {
        return Ok(Mode::Tty);
    }
    // Off a terminal `auto` is plain, and so is `tty` on one that cannot move the cursor.
    if mode == "tty" && !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return Err(
            Plain("failed to get console: provided file is not a console".to_owned()).into(),
        );
    }
    Ok(Mode::Plain)
}

/// BuildKit's failure: the Dockerfile excerpt of the failing instruction, then the error.
fn failed(name: &str, dockerfile: &str, error: &berth_build::Error) -> anyhow::Error {
    if let Some(lines) = error.lines() {
        output::eprint(&berth_build::excerpt(name, dockerfile, lines));
    }
    Plain(format!("ERROR: failed to solve: {error}")).into()
}

/// `K=V` entries; `K` alone takes the environment's value (and is left out without one) for
/// build args, and is empty for labels, as docker/cli does.
fn key_values(entries: &[String], from_env: bool) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in entries {
        match entry.split_once('=') {
            Some((key, value)) => {
                out.insert(key.to_owned(), value.to_owned());
            }
            None if from_env => {
                if let Ok(value) = std::env::var(entry) {
                    out.insert(entry.clone(), value);
                }
            }
            None => {
                out.insert(entry.clone(), String::new());
            }
        }
    }
    out
}

/// `--platform` must be the host's (berth runs RUN natively); none means the host's.
fn host_platform(requested: Option<&str>) -> anyhow::Result<berth_dockerfile::Platform> {
    let host = berth_manifest::host_platform();
    if let Some(requested) = requested {
        let wanted = berth_manifest::Platform::parse(requested)?;
        if !wanted.normalize().matches(&host) {
            return Err(Plain(format!(
                "platform {requested} is not supported: berth builds for the host's platform ({})",
                host_format(&host)
            ))
            .into());
        }
    }
    let oci = host.to_oci();
    Ok(berth_dockerfile::Platform {
        os: oci.os().to_string(),
        architecture: oci.architecture().to_string(),
        variant: oci.variant().clone().filter(|v| !v.is_empty()),
    })
}

fn host_format(platform: &berth_manifest::Platform) -> String {
    let oci = platform.to_oci();
    format!("{}/{}", oci.os(), oci.architecture())
}

/// The context named on the command line, and the Dockerfile when it comes from stdin.
fn context_source(ctx: &Ctx, args: &Args) -> anyhow::Result<(ContextSource, Option<String>)> {
    let stdin_file = args.file.as_deref() == Some("-");
    if args.context == "-" {
        if stdin_file {
            return Err(Plain(
                "invalid argument: can't use stdin for both build context and dockerfile"
                    .to_owned(),
            )
            .into());
        }
        let mut data = Vec::new();
        std::io::stdin().lock().read_to_end(&mut data)?;
        if looks_like_archive(&data) {
            return Ok((
                ContextSource::Tar(Box::new(std::io::Cursor::new(data))),
                None,
            ));
        }
        let text = String::from_utf8(data).context("the Dockerfile is not UTF-8")?;
        return Ok((ContextSource::Empty, Some(text)));
    }
    let stdin_dockerfile = if stdin_file {
        let mut text = String::new();
        std::io::stdin().lock().read_to_string(&mut text)?;
        Some(text)
    } else {
        None
    };
    if url::is_url(&args.context) {
        let reader = url::open(&args.context, &ctx.config_dir())?;
        return Ok((ContextSource::Tar(Box::new(reader)), stdin_dockerfile));
    }
    let dir = PathBuf::from(&args.context);
    if !dir.is_dir() {
        return Err(Plain(format!(
            "unable to prepare context: path {:?} not found",
            args.context
        ))
        .into());
    }
    Ok((ContextSource::Dir(dir), stdin_dockerfile))
}

/// Where a local directory's Dockerfile is: a path inside the context (`None`: the default), or
/// outside it (its base name and text).
enum DockerfileAt {
    Context(Option<String>),
    Outside(String, String),
}

/// docker/cli's `GetContextFromLocalDir`: `-f` made absolute from the current directory, symlinks
/// evaluated (in the context's path too), then taken relative to the context.
fn dockerfile_in_dir(dir: &std::path::Path, file: &str) -> anyhow::Result<DockerfileAt> {
    let prepare = |message: String| Plain(format!("unable to prepare context: {message}"));
    let context = std::fs::canonicalize(dir).map_err(|e| {
        prepare(format!(
            "unable to evaluate symlinks in context path: lstat {}: {}",
            dir.display(),
            go_error(&e)
        ))
    })?;
    let given = std::path::absolute(file).map_err(|e| {
        prepare(format!(
            "unable to get absolute path to Dockerfile: {}",
            go_error(&e)
        ))
    })?;
    let real = std::fs::canonicalize(&given).map_err(|e| {
        prepare(format!(
            "unable to evaluate symlinks in Dockerfile path: lstat {}: {}",
            given.display(),
            go_error(&e)
        ))
    })?;
    if let Ok(relative) = real.strip_prefix(&context) {
        return Ok(DockerfileAt::Context(Some(
            relative.to_string_lossy().into_owned(),
        )));
    }
    let text = std::fs::read_to_string(&real)
        .with_context(|| format!("failed to read dockerfile {}", real.display()))?;
    let name = real.file_name().map_or_else(
        || "Dockerfile".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(DockerfileAt::Outside(name, text))
}

/// An OS error as Go prints it (`no such file or directory`).
fn go_error(error: &std::io::Error) -> String {
    let text = error.to_string();
    let text = text.split(" (os error").next().unwrap_or_default();
    text.to_lowercase()
}

/// A tar stream (plain or compressed) rather than a Dockerfile.
fn looks_like_archive(data: &[u8]) -> bool {
    const MAGICS: &[&[u8]] = &[
        &[0x1f, 0x8b],
        b"BZh",
        &[0xfd, b'7', b'z', b'X', b'Z', 0x00],
        &[0x28, 0xb5, 0x2f, 0xfd],
    ];
    MAGICS.iter().any(|m| data.starts_with(m)) || (data.len() > 262 && &data[257..262] == b"ustar")
}

/// Pulls a base image (quietly: BuildKit shows no pull progress).
fn pull(ctx: &Ctx, image: &str, platform: &berth_dockerfile::Platform) -> anyhow::Result<()> {
    let reference = Reference::parse_normalized(image)
        .map_err(|_| Plain(format!("failed to parse stage name {image:?}")))?;
    let reference = if reference.digest().is_some() {
        reference
    } else {
        reference.with_default_tag()
    };
    let store = ctx.store()?;
    let client = crate::registry::client(ctx)?;
    let options = berth_registry::PullOptions {
        platform: Some(berth_manifest::Platform::parse(&platform.format())?),
        ..berth_registry::PullOptions::default()
    };
    let mut progress = crate::registry::Progress::new(crate::progress::Operation::Pull, true);
    crate::registry::block_on(client.pull(store, &reference, &options, |event| {
        progress.event(event);
    }))?
    .map_err(|e| Plain(format!("ERROR: failed to solve: {reference}: {e}")))?;
    Ok(())
}

/// A private scratch directory under the store (a Tar context is unpacked there), removed when
/// the build ends.
fn tempdir_in(dir: &std::path::Path) -> anyhow::Result<Scratch> {
    let path = dir.join(format!(
        "ctx-{}-{}",
        std::process::id(),
        time::OffsetDateTime::now_utc().unix_timestamp_nanos()
    ));
    std::fs::create_dir(&path).with_context(|| format!("create {}", path.display()))?;
    Ok(Scratch(path))
}

struct Scratch(PathBuf);

impl Scratch {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
