//! `berth rmi [OPTIONS] IMAGE...`: untag, and delete an image when its last name goes. Docker's rules
//! for what may go and what `--force` may override are `berth_store::ImageDeleter`'s; this prints
//! what it did as Docker does: after `Deleted: <image ID>`, the chain ID of every layer that went
//! with it, then the image's untagged parents, which go too unless `--no-prune`.

use berth_store::{DeleteOptions, ImageDeleter, Removal};

use crate::{context::Ctx, exit::ExitStatus, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Force removal of the image
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Do not delete untagged parents
    #[arg(long)]
    pub no_prune: bool,
    /// Images to remove (names, IDs or name@digest)
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<ExitStatus> {
    let store = ctx.store()?;
    let containers = crate::commands::container::containers(ctx)?;
    // The containers' states are read from the runtime once, for every argument.
    let mut deleter = ImageDeleter::new(store, containers.image_users()?);
    let options = DeleteOptions {
        force: args.force,
        prune: !args.no_prune,
    };
    let mut failed = false;
    for arg in &args.images {
        // Like Docker: report each failure and go on with the other images; exit 1 at the end,
        // unless every failure was a missing image and --force was given.
        if let Err(error) = crate::names::check(arg) {
            output::eprintln(&format!("Error: {error:#}"));
            failed = true;
            continue;
        }
        let mut done = Vec::new();
        let result = deleter.delete(arg, options, &mut done);
        // What was done before a failure (an untag) is still reported.
        for removal in &done {
            output::println(&match removal {
                Removal::Untagged(name) => format!("Untagged: {}", name.familiar_string()),
                Removal::Deleted(digest) => format!("Deleted: {digest}"),
            })?;
        }
        if let Err(error) = result {
            output::eprintln(&format!("Error: {}", berth_store::error_chain(&error)));
            // `-f` forgives an argument that names nothing, not an image lost half-way.
            failed |= !(args.force && matches!(error, berth_store::Error::NoImageNamed(_)));
        }
    }
    // The roots read again (records only, no runtime): a container created meanwhile keeps its image.
    store.gc(&gc_roots(&containers)?)?;
    if failed {
        return Ok(ExitStatus::FAILURE);
    }
    Ok(ExitStatus::SUCCESS)
}

/// What GC keeps besides the named images: the images of containers, and the layers of the
/// build cache.
pub(crate) fn gc_roots(
    containers: &berth_container::Containers<'_>,
) -> anyhow::Result<Vec<berth_digest::Digest>> {
    let mut roots = containers.image_roots()?;
    roots.extend(berth_build::cache::roots(containers.store()));
    Ok(roots)
}
