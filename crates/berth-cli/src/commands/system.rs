//! `berth system df | check | prune` and `berth image prune`.

use std::fmt::Write as _;

use berth_container::Status;
use berth_digest::Digest;
use berth_format::human;

use crate::{context::Ctx, exit::ExitStatus, output};

#[derive(Debug, clap::Subcommand)]
pub enum SystemCommand {
    /// Show berth disk usage
    Df,
    /// Verify every blob's digest and every reference's target; exits non-zero on any problem
    Check,
    /// Remove unused data (dangling images with -a: all unused images; and unreferenced content)
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
}

/// A container that uses an image, as `rmi` reports it.
#[derive(Debug, Clone)]
pub struct ImageUser {
    pub short_id: String,
    pub running: bool,
}

pub fn run(ctx: &Ctx, command: SystemCommand) -> anyhow::Result<()> {
    match command {
        SystemCommand::Df => df(ctx),
        SystemCommand::Check => check(ctx),
        SystemCommand::Prune(args) => prune(ctx, &args),
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
    for mut container in containers.list()? {
        if container.record.image_id != *id {
            continue;
        }
        containers.refresh(&mut container)?;
        users.push(ImageUser {
            short_id: container.id().chars().take(12).collect(),
            running: matches!(container.state.status, Status::Running | Status::Paused),
        });
    }
    Ok(users)
}

fn df(ctx: &Ctx) -> anyhow::Result<()> {
    let store = ctx.store()?;
    let usage = store.disk_usage(&gc_roots(ctx)?)?;
    let mut table = String::from("TYPE\tTOTAL\tACTIVE\tSIZE\tRECLAIMABLE\n");
    #[allow(clippy::cast_precision_loss)]
    let percent = if usage.total_bytes == 0 {
        0.0
    } else {
        usage.reclaimable_bytes as f64 * 100.0 / usage.total_bytes as f64
    };
    let _ = writeln!(
        table,
        "Images\t{}\t{}\t{}\t{} ({percent:.0}%)",
        usage.images,
        usage.images,
        human::size(usage.total_bytes),
        human::size(usage.reclaimable_bytes)
    );
    Ok(output::print(&berth_format::tabwrite(&table))?)
}

fn check(ctx: &Ctx) -> anyhow::Result<()> {
    let store = ctx.store()?;
    let report = store.check()?;
    for problem in &report.problems {
        output::println(&problem.to_string())?;
    }
    output::eprintln(&format!(
        "checked {} blobs and {} references: {} problem(s)",
        report.blobs_checked,
        report.references_checked,
        report.problems.len()
    ));
    if report.problems.is_empty() {
        Ok(())
    } else {
        Err(ExitStatus(crate::exit::FAILURE).into())
    }
}

pub fn prune(ctx: &Ctx, args: &PruneArgs) -> anyhow::Result<()> {
    let store = ctx.store()?;
    let mut lines = Vec::new();
    for image in store.images()? {
        let unused = containers_using(ctx, &image.id)?.is_empty();
        let dangling = image.names.is_empty();
        if unused && (dangling || args.all) {
            for name in &image.names {
                lines.push(format!("untagged: {}", name.familiar_string()));
            }
            store.forget_image(&image.id)?;
            lines.push(format!("deleted: {}", image.id));
        }
    }
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
