//! `berth system df | check | prune` and `berth image prune`.

use anyhow::Context as _;
use berth_container::{Container, Containers};
use berth_format::human;
use berth_store::{ImageDeleter, ImageUser, Removal};

use super::prune_filter::PruneFilter;
use crate::{context::Ctx, exit::ExitStatus, output};

#[derive(Debug, clap::Subcommand)]
pub enum SystemCommand {
    /// Show berth disk usage
    Df(crate::commands::df::Args),
    /// Verify every blob's digest and every reference's target, and find stray mounts; exits non-zero on any problem
    Check,
    /// Remove stopped containers, dangling images (with -a: all unused images) and unreferenced content
    Prune(PruneArgs),
}

#[derive(Debug, clap::Args)]
pub struct PruneArgs {
    /// Remove all unused images, not just dangling ones
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Do not prompt for confirmation (berth never prompts; accepted for compatibility)
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Provide filter values (e.g. 'until=<timestamp>', 'label=<key>[=<value>]', 'label!=...')
    #[arg(long = "filter", value_name = "filter", value_parser = crate::filters::parse_arg)]
    pub filters: Vec<String>,
}

pub fn run(ctx: &Ctx, command: SystemCommand) -> anyhow::Result<ExitStatus> {
    match command {
        SystemCommand::Df(args) => crate::commands::df::run(ctx, &args).map(Into::into),
        SystemCommand::Check => check(ctx),
        SystemCommand::Prune(args) => {
            // A filter that does not parse must stop the prune before any container goes.
            let filter = PruneFilter::parse(&args.filters, std::time::SystemTime::now())?;
            let containers = crate::commands::container::containers(ctx)?;
            let kept = prune_containers(&containers)?;
            // `system prune` removes the build cache too; GC then reclaims its layers.
            berth_build::cache::prune(containers.store())?;
            let users = kept.iter().map(Container::image_user).collect();
            prune_images(&containers, args.all, &filter, users).map(Into::into)
        }
    }
}

/// `image prune`.
pub fn prune(ctx: &Ctx, args: &PruneArgs) -> anyhow::Result<()> {
    let filter = PruneFilter::parse(&args.filters, std::time::SystemTime::now())?;
    let containers = crate::commands::container::containers(ctx)?;
    let users = containers.image_users()?;
    prune_images(&containers, args.all, &filter, users)
}

fn check(ctx: &Ctx) -> anyhow::Result<ExitStatus> {
    // As found: opening the store normally would repair the modes this check reports.
    let root = ctx.root();
    let store = &berth_store::Store::open_as_found(&root)
        .with_context(|| format!("failed to open the image store at {}", root.display()))?;
    let mut report = store.check()?;
    berth_archive::check_layers(store, &mut report)?;
    for problem in &report.problems {
        output::println(&problem.to_string())?;
    }
    // Mounts no running container holds (issue #13 item 4): each keeps the store from being removed.
    let stray_mounts = berth_container::Containers::stray_mounts(store)?;
    for point in &stray_mounts {
        output::println(&format!(
            "{} is mounted but belongs to no running container (unmount it with: umount {0})",
            point.display()
        ))?;
    }
    let problems = report.problems.len() + stray_mounts.len();
    output::eprintln(&format!(
        "checked {} blobs, {} references and {} layers: {problems} problem(s)",
        report.blobs_checked, report.references_checked, report.layers_checked,
    ));
    if problems == 0 {
        Ok(ExitStatus::SUCCESS)
    } else {
        Ok(ExitStatus::FAILURE)
    }
}

/// `system prune` first removes stopped containers, as Docker does; returns the others.
fn prune_containers(containers: &Containers<'_>) -> anyhow::Result<Vec<Container>> {
    let mut removed = Vec::new();
    let mut kept = Vec::new();
    // `list` has read each container's state from the runtime already.
    for mut container in containers.list()? {
        if container.state.status.can_remove() {
            containers.remove(&mut container, false)?;
            removed.push(container.id().to_owned());
        } else {
            kept.push(container);
        }
    }
    if !removed.is_empty() {
        output::println("Deleted Containers:")?;
        for id in &removed {
            output::println(id)?;
        }
        output::println("")?;
    }
    containers.prune_snapshots()?;
    Ok(kept)
}

/// moby's `ImagesPrune` (`berth_store::ImageDeleter::prune_candidates`), then the filters; `users`:
/// the containers left, whose images stay.
fn prune_images(
    containers: &Containers<'_>,
    all: bool,
    filter: &PruneFilter,
    users: Vec<ImageUser>,
) -> anyhow::Result<()> {
    let store = containers.store();
    let mut deleter = ImageDeleter::new(store, users);
    let mut done = Vec::new();
    for image in deleter.prune_candidates(all || filter.all)? {
        if filter.images.admits(&image)? {
            deleter.prune(&image, &mut done);
        }
    }
    let lines: Vec<String> = done
        .iter()
        .map(|removal| match removal {
            Removal::Untagged(name) => format!("untagged: {}", name.familiar_string()),
            Removal::Deleted(digest) => format!("deleted: {digest}"),
        })
        .collect();
    // The roots read again (records only, no runtime): a container created meanwhile keeps its image.
    let report = store.gc(&crate::commands::rmi::gc_roots(containers)?)?;
    if !lines.is_empty() {
        output::println("Deleted Images:")?;
        for line in &lines {
            output::println(line)?;
        }
        output::println("")?;
    }
    output::println(&format!(
        "Total reclaimed space: {}",
        human::size(report.freed_bytes)
    ))?;
    Ok(())
}
