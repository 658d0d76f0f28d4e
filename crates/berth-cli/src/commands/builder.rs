//! `berth builder prune`: removes the build cache (berth keeps no other builder state).

use berth_format::human;

use crate::{context::Ctx, output};

#[derive(Debug, clap::Args)]
pub struct PruneArgs {
    /// Remove all unused build cache, not just dangling ones (berth's cache has no other kind)
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Do not prompt for confirmation (berth never prompts; accepted for compatibility)
    #[arg(short = 'f', long)]
    pub force: bool,
}

pub fn prune(ctx: &Ctx, args: &PruneArgs) -> anyhow::Result<()> {
    let _ = (args.all, args.force);
    let containers = crate::commands::container::containers(ctx)?;
    let store = containers.store();
    berth_build::cache::prune(store)?;
    // The layers only the cache named go now; those images use stay.
    let report = store.gc(&crate::commands::rmi::gc_roots(&containers)?)?;
    output::println(&format!(
        "Total reclaimed space: {}",
        human::size(report.freed_bytes)
    ))?;
    Ok(())
}
