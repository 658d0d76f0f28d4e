//! `berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]`

use anyhow::Context as _;
use berth_reference::Reference;

use crate::context::Ctx;

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
    let target = Reference::parse_normalized(&args.target).with_context(|| {
        format!(
            "Error parsing reference: {:?} is not a valid repository/tag",
            args.target
        )
    })?;
    if target.digest().is_some() {
        anyhow::bail!("refusing to create a tag with a digest reference");
    }
    let target = target.with_default_tag();
    let store = ctx.store()?;
    let _guard = store.content_guard()?;
    let image = store.resolve(&args.source)?;
    store.tag(&image, &target)?;
    Ok(())
}
