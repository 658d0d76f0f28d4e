//! `berth pull [OPTIONS] NAME[:TAG|@DIGEST]`

use berth_reference::Reference;
use berth_registry::{PullOptions, PullStatus};

use crate::{context::Ctx, output, registry};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Download all tagged images in the repository
    #[arg(short = 'a', long)]
    pub all_tags: bool,
    /// Set platform if server is multi-platform capable
    #[arg(long, env = "DOCKER_DEFAULT_PLATFORM")]
    pub platform: Option<String>,
    /// Suppress verbose output
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Layers downloaded at once
    #[arg(long, default_value_t = berth_registry::DEFAULT_CONCURRENCY, value_name = "N")]
    pub max_concurrent_downloads: usize,
    /// Skip image verification (accepted for compatibility; content is always verified)
    #[arg(long, default_value_t = true, hide = true, action = clap::ArgAction::Set)]
    pub disable_content_trust: bool,
    #[arg(value_name = "NAME[:TAG|@DIGEST]")]
    pub name: String,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    // Parsed by Docker's CLI before any request: its error alone, without `Error: `.
    let parsed = Reference::parse_normalized(&args.name).map_err(crate::exit::plain)?;
    if args.all_tags && (parsed.tag().is_some() || parsed.digest().is_some()) {
        return Err(crate::exit::Plain("tag can't be used with --all-tags/-a".to_owned()).into());
    }
    let reference = if args.all_tags {
        parsed
    } else {
        with_default_tag(parsed, args.quiet)
    };
    let options = PullOptions {
        platform: args
            .platform
            .as_deref()
            .map(berth_manifest::Platform::parse)
            .transpose()?,
        all_tags: args.all_tags,
        concurrency: args.max_concurrent_downloads.max(1),
    };
    let store = ctx.store()?;
    let client = registry::client(ctx)?;
    let mut progress = registry::Progress::new(crate::progress::Operation::Pull, args.quiet);
    let result = registry::block_on(
        client.pull(store, &reference, &options, |event| progress.event(event)),
    )??;
    progress.finish();
    if !args.quiet {
        let status = match result.status {
            PullStatus::Downloaded => "Downloaded newer image for",
            PullStatus::UpToDate => "Image is up to date for",
        };
        output::eprintln(&format!("Status: {status} {}", reference.familiar_string()));
    }
    output::println(&result.canonical)?;
    Ok(())
}

/// Docker's header of a pull (moby's `pullTag`): `TAG: Pulling from PATH`, or by digest the whole
/// reference, as the engine's `reference.String()` spells it (`docker.io/library/x@sha256:…`).
pub(crate) fn pulling_from(reference: &Reference) -> String {
    let what = match (reference.tag(), reference.digest()) {
        (_, Some(_)) => reference.to_string(),
        (Some(tag), None) => tag.to_owned(),
        (None, None) => berth_reference::DEFAULT_TAG.to_owned(),
    };
    format!("{what}: Pulling from {}", reference.path())
}

/// Docker prints `Using default tag: latest` when it adds the tag.
pub fn with_default_tag(reference: Reference, quiet: bool) -> Reference {
    if reference.tag().is_none() && reference.digest().is_none() && !quiet {
        output::eprintln(&format!(
            "Using default tag: {}",
            berth_reference::DEFAULT_TAG
        ));
    }
    reference.with_default_tag()
}
