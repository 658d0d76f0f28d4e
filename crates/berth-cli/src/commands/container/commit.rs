//! `berth commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]`: prints `sha256:<id>`.

use anyhow::Context as _;
use berth_container::CommitOptions;
use berth_reference::Reference;

use crate::{context::Ctx, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")
    #[arg(short = 'a', long, value_name = "string", default_value = "")]
    pub author: String,
    /// Apply Dockerfile instruction to the created image
    #[arg(short = 'c', long, value_name = "list")]
    pub change: Vec<String>,
    /// Commit message
    #[arg(short = 'm', long, value_name = "string", default_value = "")]
    pub message: String,
    /// Pause container during commit
    #[arg(
        short = 'p',
        long,
        default_value_t = true,
        action = clap::ArgAction::Set,
        num_args = 0..=1,
        default_missing_value = "true",
        require_equals = true
    )]
    pub pause: bool,
    /// Don't pause the container during commit
    #[arg(long, conflicts_with = "pause")]
    pub no_pause: bool,
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    #[arg(value_name = "REPOSITORY[:TAG]")]
    pub reference: Option<String>,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let reference = args
        .reference
        .as_deref()
        .map(|r| {
            let reference = Reference::parse_normalized(r)
                .with_context(|| format!("invalid reference format: {r}"))?;
            if reference.digest().is_some() {
                anyhow::bail!("refusing to create a tag with a digest reference");
            }
            Ok(reference.with_default_tag())
        })
        .transpose()?;
    let containers = super::containers(ctx)?;
    let mut container = super::get(&containers, &args.container)?;
    let committed = containers.commit(
        &mut container,
        &CommitOptions {
            author: &args.author,
            message: &args.message,
            changes: &args.change,
            pause: args.pause && !args.no_pause,
            reference: reference.as_ref(),
        },
    )?;
    if let Some(warning) = committed.pause_warning {
        output::eprintln(&format!("WARNING: {warning}"));
    }
    output::println(&committed.id.to_string())?;
    Ok(())
}
