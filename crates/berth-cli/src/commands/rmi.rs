//! `berth rmi [OPTIONS] IMAGE...`: untag, and delete an image when its last name goes.

use berth_reference::Reference;
use berth_store::{Image, Store};

use crate::{context::Ctx, exit::ExitStatus, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Force removal of the image
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Do not delete untagged parents (accepted for compatibility: berth images have no parent chain)
    #[arg(long)]
    pub no_prune: bool,
    /// Images to remove (names, IDs or name@digest)
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let store = ctx.store()?;
    let mut failed = false;
    for arg in &args.images {
        match remove_one(ctx, store, arg, args.force) {
            Ok(lines) => {
                for line in lines {
                    output::println(&line)?;
                }
            }
            Err(error) => {
                // Like Docker: report each failure and go on with the other images; exit 1 at the end.
                output::eprintln(&format!("Error: {error:#}"));
                failed = true;
            }
        }
    }
    let roots = crate::commands::system::gc_roots(ctx)?;
    store.gc(&roots)?;
    if failed {
        return Err(ExitStatus(crate::exit::FAILURE).into());
    }
    Ok(())
}

fn remove_one(ctx: &Ctx, store: &Store, arg: &str, force: bool) -> anyhow::Result<Vec<String>> {
    let image = store
        .resolve(arg)
        .map_err(|_| anyhow::anyhow!("No such image: {}", display_name(arg)))?;
    let users = crate::commands::system::containers_using(ctx, &image.id)?;
    let mut lines = Vec::new();

    if let Some(name) = named_reference(arg, &image) {
        // By name: untag; delete the image only when that was its last name.
        let last = image.names.len() == 1;
        if last {
            if let Some(user) = users.first().filter(|_| !force) {
                anyhow::bail!(
                    "conflict: unable to remove repository reference \"{arg}\" (must force) - container {} is using its referenced image {}",
                    user.short_id,
                    image.id.short()
                );
            }
        }
        store.untag(&name)?;
        lines.push(format!("Untagged: {}", name.familiar_string()));
        if last && users.is_empty() {
            store.forget_image(&image.id)?;
            lines.push(format!("Deleted: {}", image.id));
        }
        return Ok(lines);
    }

    // By ID: every name goes, unless that needs force.
    if let Some(running) = users.iter().find(|u| u.running) {
        anyhow::bail!(
            "conflict: unable to delete {} (cannot be forced) - image is being used by running container {}",
            image.id.short(),
            running.short_id
        );
    }
    if !force {
        if image.repositories().len() > 1 {
            anyhow::bail!(
                "conflict: unable to delete {} (must be forced) - image is referenced in multiple repositories",
                image.id.short()
            );
        }
        if let Some(stopped) = users.first() {
            anyhow::bail!(
                "conflict: unable to delete {} (must be forced) - image is being used by stopped container {}",
                image.id.short(),
                stopped.short_id
            );
        }
    }
    for name in &image.names {
        store.untag(name)?;
        lines.push(format!("Untagged: {}", name.familiar_string()));
    }
    if users.is_empty() {
        store.forget_image(&image.id)?;
        lines.push(format!("Deleted: {}", image.id));
    }
    Ok(lines)
}

/// The name `arg` refers to, if it is a name of `image` (rather than an ID).
fn named_reference(arg: &str, image: &Image) -> Option<Reference> {
    if berth_reference::is_full_id(arg) || arg.starts_with("sha256:") {
        return None;
    }
    let name = Reference::parse_normalized(arg).ok()?.with_default_tag();
    image.names.contains(&name).then_some(name)
}

/// How Docker echoes a missing image: a name gets its default tag.
fn display_name(arg: &str) -> String {
    match Reference::parse_normalized(arg) {
        Ok(reference) if !berth_reference::is_full_id(arg) => {
            reference.with_default_tag().familiar_string()
        }
        _ => arg.to_owned(),
    }
}
