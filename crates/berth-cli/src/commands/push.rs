//! `berth push [OPTIONS] NAME[:TAG]`

use berth_reference::Reference;
use berth_registry::{PushOptions, UploadMode};

use crate::{context::Ctx, output, registry};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Push all tags of an image to the repository
    #[arg(short = 'a', long)]
    pub all_tags: bool,
    /// Suppress verbose output
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Upload each layer in one request instead of chunks
    #[arg(long)]
    pub monolithic: bool,
    #[arg(value_name = "NAME[:TAG]")]
    pub name: String,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    // Parsed by Docker's CLI before any request: its error alone, without `Error: `.
    let parsed = Reference::parse_normalized(&args.name).map_err(crate::exit::plain)?;
    if args.all_tags && parsed.tag().is_some() {
        return Err(crate::exit::Plain("tag can't be used with --all-tags/-a".to_owned()).into());
    }
    let reference = if args.all_tags {
        parsed
    } else {
        crate::commands::pull::with_default_tag(parsed, args.quiet)
    };
    let options = PushOptions {
        all_tags: args.all_tags,
        mode: if args.monolithic {
            UploadMode::Monolithic
        } else {
            PushOptions::default().mode
        },
        ..PushOptions::default()
    };
    let store = ctx.store()?;
    let client = registry::client(ctx)?;
    if !args.quiet {
        output::eprintln(&format!(
            "The push refers to repository [{}]",
            reference.name()
        ));
    }
    let mut progress = registry::Progress::new(crate::progress::Operation::Push, args.quiet);
    let result = registry::block_on(
        client.push(store, &reference, &options, |event| progress.event(event)),
    )??;
    progress.finish();
    for tag in &result.tags {
        if args.quiet {
            output::println(&format!("{}:{}", reference.familiar_name(), tag.tag))?;
        } else {
            output::println(&format!(
                "{}: digest: {} size: {}",
                tag.tag, tag.digest, tag.size
            ))?;
        }
    }
    Ok(())
}
