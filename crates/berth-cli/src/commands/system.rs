//! `berth system df | check | prune` and `berth image prune`.

use std::collections::HashSet;

use anyhow::Context as _;
use berth_container::Status;
use berth_digest::Digest;
use berth_format::human;
use berth_store::Removal;

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

/// A container that uses an image, as `rmi` reports it.
#[derive(Debug, Clone)]
pub struct ImageUser {
    pub short_id: String,
    pub running: bool,
}

pub fn run(ctx: &Ctx, command: SystemCommand) -> anyhow::Result<ExitStatus> {
    match command {
        SystemCommand::Df(args) => crate::commands::df::run(ctx, &args).map(Into::into),
        SystemCommand::Check => check(ctx),
        SystemCommand::Prune(args) => {
            // A filter that does not parse must stop the prune before any container goes.
            super::prune_filter::PruneFilter::parse(&args.filters, std::time::SystemTime::now())?;
            prune_containers(ctx)?;
            prune(ctx, &args).map(Into::into)
        }
    }
}

/// Manifests that must survive garbage collection besides tagged images: the images of containers.
pub fn gc_roots(ctx: &Ctx) -> anyhow::Result<Vec<Digest>> {
    Ok(crate::commands::container::containers(ctx)?.image_roots()?)
}

/// Containers made from the image `id`, with whether each is running (for `rmi`'s conflict rules).
pub fn containers_using(ctx: &Ctx, id: &Digest) -> anyhow::Result<Vec<ImageUser>> {
    let containers = crate::commands::container::containers(ctx)?;
    let mut users = Vec::new();
    // `list` has read each container's state from the runtime already.
    for container in containers.list()? {
        if container.record.image_id != *id {
            continue;
        }
        users.push(ImageUser {
            short_id: container.short_id().to_owned(),
            running: matches!(container.state.status, Status::Running | Status::Paused),
        });
    }
    Ok(users)
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

/// `system prune` first removes stopped containers, as Docker does.
fn prune_containers(ctx: &Ctx) -> anyhow::Result<()> {
    let containers = crate::commands::container::containers(ctx)?;
    let mut removed = Vec::new();
    // `list` has read each container's state from the runtime already.
    for mut container in containers.list()? {
        if !matches!(container.state.status, Status::Running | Status::Paused) {
            containers.remove(&mut container, false)?;
            removed.push(container.id().to_owned());
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
    Ok(())
}

pub fn prune(ctx: &Ctx, args: &PruneArgs) -> anyhow::Result<()> {
    let filter =
        super::prune_filter::PruneFilter::parse(&args.filters, std::time::SystemTime::now())?;
    let all = args.all || filter.all;
    let store = ctx.store()?;
    let mut done = Vec::new();
    let mut remover = crate::commands::rmi::Remover::new(ctx, store);
    // moby's `ImagesPrune`: each image that is not an intermediate one (untagged, with a child) and,
    // without -a, has no child and no tag, is deleted as `rmi` would without force, its untagged
    // parents with it; what a container uses is kept. Which images have children is read once,
    // before any goes, as there.
    let parents: HashSet<Digest> = store
        .summaries()?
        .into_iter()
        .filter_map(|summary| summary.parent)
        .collect();
    for image in store.images()? {
        let has_child = parents.contains(&image.id);
        let has_tag = image.names.iter().any(|name| name.digest().is_none());
        if (image.names.is_empty() && has_child) || (!all && (has_child || has_tag)) {
            continue;
        }
        if !filter.admits(store, &image)? {
            continue;
        }
        let arguments: Vec<String> = if image.names.is_empty() {
            vec![image.id.encoded().to_owned()]
        } else {
            image.names.iter().map(ToString::to_string).collect()
        };
        for argument in arguments {
            if let Err(error) = remover.delete_image(&argument, false, true, &mut done) {
                if !crate::commands::rmi::is_conflict(&error)
                    && !crate::commands::rmi::is_missing(&error)
                {
                    tracing::warn!("failed to prune image {argument}: {error:#}");
                }
            }
        }
    }
    let lines: Vec<String> = done
        .iter()
        .map(|removal| match removal {
            Removal::Untagged(name) => format!("untagged: {}", name.familiar_string()),
            Removal::Deleted(digest) => format!("deleted: {digest}"),
        })
        .collect();
    let report = store.gc(&gc_roots(ctx)?)?;
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
