//! `berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]`

use berth_reference::Reference;

use crate::{context::Ctx, exit::plain};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Image to tag (name, ID or name@digest)
    #[arg(value_name = "SOURCE_IMAGE[:TAG]")]
    pub source: String,
    /// New name for it
    #[arg(value_name = "TARGET_IMAGE[:TAG]")]
    pub target: String,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    // Docker's CLI parses both names before it asks the daemon, and says so without `Error: `.
    let not_valid = |name: &str, error: berth_reference::Error| {
        plain(anyhow::Error::new(error).context(format!(
            "Error parsing reference: {name:?} is not a valid repository/tag"
        )))
    };
    if let Some(error) = crate::names::invalid(&args.source) {
        return Err(not_valid(&args.source, error));
    }
    let target =
        Reference::parse_normalized(&args.target).map_err(|e| not_valid(&args.target, e))?;
    if target.digest().is_some() {
        anyhow::bail!("refusing to create a tag with a digest reference");
    }
    let target = target.with_default_tag();
    let store = ctx.store()?;
    let _guard = store.content_guard()?;
    let image = crate::names::resolve(store, &args.source)?;
    store.tag(&image, &target)?;
    Ok(())
}
