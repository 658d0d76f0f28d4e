//! `berth rmi [OPTIONS] IMAGE...`: untag, and delete an image when its last name goes; Docker's rules
//! (moby `ImageDelete`) for what may go and what `--force` may override, and its output: after
//! `Deleted: <image ID>`, the chain ID of every layer that went with it, then the image's untagged
//! parents, which go too unless `--no-prune` (or something still uses them).

use berth_digest::Digest;
use berth_reference::Reference;
use berth_store::{Image, LayerHolders, Removal, Store};

use crate::{
    commands::system::{containers_using, gc_roots, ImageUser},
    context::Ctx,
    exit::ExitStatus,
    output,
};

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
    let mut remover = Remover::new(ctx, store);
    let mut failed = false;
    for arg in &args.images {
        let mut done = Vec::new();
        let result = remover.delete_image(arg, args.force, !args.no_prune, &mut done);
        // What was done before a failure (an untag) is still reported.
        for removal in &done {
            output::println(&match removal {
                Removal::Untagged(name) => format!("Untagged: {}", name.familiar_string()),
                Removal::Deleted(digest) => format!("Deleted: {digest}"),
            })?;
        }
        if let Err(error) = result {
            // Like Docker: report each failure and go on with the other images; exit 1 at the end,
            // unless every failure was a missing image and --force was given.
            output::eprintln(&format!("Error: {error:#}"));
            failed |= !(args.force && error.is::<NoSuchImage>());
        }
    }
    store.gc(&gc_roots(ctx)?)?;
    if failed {
        return Ok(ExitStatus::FAILURE);
    }
    Ok(ExitStatus::SUCCESS)
}

/// Deletes images as moby's `ImageDelete` does, one argument at a time; which images hold which layers
/// is read once, at the first deletion, and kept up to date.
pub(crate) struct Remover<'a> {
    ctx: &'a Ctx,
    store: &'a Store,
    holders: Option<LayerHolders>,
}

impl<'a> Remover<'a> {
    pub(crate) fn new(ctx: &'a Ctx, store: &'a Store) -> Remover<'a> {
        Remover {
            ctx,
            store,
            holders: None,
        }
    }

    /// One argument (a name or an ID): what it did goes to `done`, in Docker's order, also when it
    /// then fails.
    pub(crate) fn delete_image(
        &mut self,
        arg: &str,
        force: bool,
        prune: bool,
        done: &mut Vec<Removal>,
    ) -> anyhow::Result<()> {
        Deletion {
            remover: self,
            done,
        }
        .remove(arg, force, prune)
    }

    /// Which images hold which layers: read at the first deletion (an untag needs none of it), before
    /// that deletion changes anything, so that a failure to read leaves the store as it was.
    fn holders(&mut self) -> anyhow::Result<&mut LayerHolders> {
        let holders = match self.holders.take() {
            Some(holders) => holders,
            None => self.store.layer_holders(&gc_roots(self.ctx)?)?,
        };
        Ok(self.holders.insert(holders))
    }

    /// The layers `image` alone held, once it has left the store.
    fn release(&mut self, image: &Digest) -> anyhow::Result<Vec<Digest>> {
        Ok(self.holders()?.release(image))
    }
}

/// Whether `delete_image` failed because the image is not there (any more).
pub(crate) fn is_missing(error: &anyhow::Error) -> bool {
    error.is::<NoSuchImage>()
}

/// Whether `delete_image` failed because something keeps the image (which `image prune` skips).
pub(crate) fn is_conflict(error: &anyhow::Error) -> bool {
    error.is::<Conflict>() || error.is::<InUse>()
}

#[derive(Debug, thiserror::Error)]
#[error("No such image: {0}")]
struct NoSuchImage(String);

/// A name cannot go without force: a container uses the image it names.
#[derive(Debug, thiserror::Error)]
#[error("conflict: unable to remove repository reference \"{reference}\" (must force) - container {container} is using its referenced image {image}")]
struct InUse {
    reference: String,
    container: String,
    image: String,
}

/// Why an image cannot go (moby's `imageDeleteConflict`): hard ones even with `--force`.
#[derive(Debug, thiserror::Error)]
#[error("conflict: unable to delete {short_id} ({}) - {reason}", if self.hard() { "cannot be forced" } else { "must be forced" })]
struct Conflict {
    short_id: String,
    reason: Reason,
}

#[derive(Debug, thiserror::Error)]
enum Reason {
    #[error("image has dependent child images")]
    DependentChild,
    #[error("image is being used by running container {0}")]
    RunningContainer(String),
    #[error("image is referenced in multiple repositories")]
    ActiveReference,
    #[error("image is being used by stopped container {0}")]
    StoppedContainer(String),
}

impl Conflict {
    fn hard(&self) -> bool {
        matches!(
            self.reason,
            Reason::DependentChild | Reason::RunningContainer(_)
        )
    }

    /// A container uses the image.
    fn used(&self) -> bool {
        matches!(
            self.reason,
            Reason::RunningContainer(_) | Reason::StoppedContainer(_)
        )
    }
}

/// Which of the conflicts `--force` could override are checked (the hard ones always are).
#[derive(Debug, Clone, Copy)]
struct Soft {
    active_reference: bool,
    stopped_container: bool,
}

impl Soft {
    const NONE: Soft = Soft {
        active_reference: false,
        stopped_container: false,
    };
    const ALL: Soft = Soft {
        active_reference: true,
        stopped_container: true,
    };
}

/// One argument's deletion, and what it did.
struct Deletion<'r, 'a> {
    remover: &'r mut Remover<'a>,
    done: &'r mut Vec<Removal>,
}

impl Deletion<'_, '_> {
    fn store(&self) -> &Store {
        self.remover.store
    }

    fn remove(&mut self, arg: &str, force: bool, prune: bool) -> anyhow::Result<()> {
        crate::names::check(arg)?;
        let image = self
            .store()
            .resolve(arg)
            .map_err(|_| NoSuchImage(crate::names::not_found_name(arg)))?;
        let users = containers_using(self.remover.ctx, &image.id)?;

        if let Some(name) = named_reference(arg, &image) {
            // By name (a tag or a digest reference): untag; the image itself goes only when that
            // was its last reference, and then quietly: whatever keeps it (a child image, a
            // container) is not an error.
            if !force && single_reference(&references(&image)) {
                if let Some(user) = users.first() {
                    return Err(InUse {
                        reference: arg.to_owned(),
                        container: user.short_id.clone(),
                        image: image.id.short().to_owned(),
                    }
                    .into());
                }
            }
            self.untag(&image, &name)?;
            let image = self.store().resolve(&image.id.to_string())?;
            let mut remaining = references(&image);
            if name.digest().is_none()
                && !remaining
                    .iter()
                    .any(|r| r.digest().is_none() && r.name() == name.name())
            {
                // The repository's last tag went: its digest references go with it.
                let (same_repo, others): (Vec<Reference>, Vec<Reference>) = remaining
                    .into_iter()
                    .partition(|r| r.digest().is_some() && r.name() == name.name());
                for reference in &same_repo {
                    self.untag(&image, reference)?;
                }
                remaining = others;
            }
            if !remaining.is_empty() {
                return Ok(());
            }
            return self.delete(&image.id, force, prune, true);
        }

        // By ID: an image with one reference (or references in one repository, at most one of
        // them a tag) loses them first, when nothing but --force could keep it.
        let refs = references(&image);
        if single_reference(&refs) {
            let soft = if force {
                Soft::NONE
            } else {
                Soft {
                    stopped_container: true,
                    ..Soft::NONE
                }
            };
            if let Some(conflict) = self.conflict(&image, &users, soft)? {
                return Err(conflict.into());
            }
            for reference in &refs {
                self.untag(&image, reference)?;
            }
        }
        self.delete(&image.id, force, prune, false)
    }

    /// moby's `imageDeleteHelper`: deletes the image `id` (its remaining names first), then its
    /// untagged parent when `prune`. `quiet`: a conflict keeps the image without an error, unless the
    /// image would be left dangling and unused.
    fn delete(&mut self, id: &Digest, force: bool, prune: bool, quiet: bool) -> anyhow::Result<()> {
        let image = self.store().resolve(&id.to_string())?;
        let users = containers_using(self.remover.ctx, id)?;
        let soft = if force { Soft::NONE } else { Soft::ALL };
        if let Some(conflict) = self.conflict(&image, &users, soft)? {
            let dangling = references(&image).is_empty() && self.store().children(id)?.is_empty();
            if quiet && (!dangling || conflict.used()) {
                return Ok(());
            }
            return Err(conflict.into());
        }
        self.remover.holders()?;
        let parent = self.store().parent(id);
        for reference in references(&image) {
            self.untag(&image, &reference)?;
        }
        self.store().forget_image(id)?;
        let freed = self.remover.release(id)?;
        self.done.push(Removal::Deleted(id.clone()));
        self.done.extend(freed.into_iter().map(Removal::Deleted));
        match parent {
            Some(parent) if prune => match self.delete(&parent, false, true, true) {
                // Removed meanwhile by another command: nothing is left to prune.
                Err(error)
                    if error
                        .downcast_ref::<berth_store::Error>()
                        .is_some_and(|e| matches!(e, berth_store::Error::NoSuchImage(_))) =>
                {
                    Ok(())
                }
                other => other,
            },
            _ => Ok(()),
        }
    }

    /// moby's `checkImageDeleteConflict`, in its order.
    fn conflict(
        &self,
        image: &Image,
        users: &[ImageUser],
        soft: Soft,
    ) -> anyhow::Result<Option<Conflict>> {
        let reason = if !self.store().children(&image.id)?.is_empty() {
            Some(Reason::DependentChild)
        } else if let Some(running) = users.iter().find(|u| u.running) {
            Some(Reason::RunningContainer(running.short_id.clone()))
        } else if soft.active_reference && !references(image).is_empty() {
            Some(Reason::ActiveReference)
        } else {
            users
                .first()
                .filter(|_| soft.stopped_container)
                .map(|stopped| Reason::StoppedContainer(stopped.short_id.clone()))
        };
        Ok(reason.map(|reason| Conflict {
            short_id: image.id.short().to_owned(),
            reason,
        }))
    }

    /// Removes one reference of `image`: a name, or a repo digest recorded by a pull or push.
    /// A pull by digest records the digest reference both ways: both go.
    fn untag(&mut self, image: &Image, reference: &Reference) -> anyhow::Result<()> {
        if image.names.contains(reference) {
            self.store().untag(reference)?;
        }
        let repo_digest = reference.to_string();
        if image.repo_digests.contains(&repo_digest) {
            self.store().remove_repo_digest(&repo_digest)?;
        }
        self.done.push(Removal::Untagged(reference.clone()));
        Ok(())
    }
}

/// moby's `isSingleReference`: all names in one repository, and at most one of them a tag (the
/// others digests). False for no names.
fn single_reference(names: &[Reference]) -> bool {
    let (digests, tags): (Vec<&Reference>, Vec<&Reference>) =
        names.iter().partition(|name| name.digest().is_some());
    match (tags.as_slice(), names.len()) {
        (_, 0) => false,
        (_, 1) => true,
        ([], _) => digests.iter().all(|d| d.name() == digests[0].name()),
        ([tag], _) => digests.iter().all(|d| d.name() == tag.name()),
        _ => false,
    }
}

/// Docker's references to an image: its names (tags) and the repo digests pulls and pushes recorded,
/// in the reference store's (lexical) order.
fn references(image: &Image) -> Vec<Reference> {
    let mut refs: Vec<Reference> = image.names.clone();
    for digest in &image.repo_digests {
        if let Ok(reference) = Reference::parse(digest) {
            if !refs.contains(&reference) {
                refs.push(reference);
            }
        }
    }
    refs.sort_by_cached_key(ToString::to_string);
    refs
}

/// The reference `arg` names, if it is one of `image`'s (rather than an ID).
fn named_reference(arg: &str, image: &Image) -> Option<Reference> {
    if berth_reference::is_full_id(arg) || arg.starts_with("sha256:") {
        return None;
    }
    let name = Reference::parse_normalized(arg).ok()?;
    let name = if name.digest().is_some() {
        name
    } else {
        name.with_default_tag()
    };
    references(image).contains(&name).then_some(name)
}

/// How Docker echoes a missing image: a name gets its default tag.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_reference_follows_moby() {
        let cases: &[(&[&str], bool)] = &[
            (&[], false),
            (&["a:1"], true),
            (
                &["a@sha256:0000000000000000000000000000000000000000000000000000000000000000"],
                true,
            ),
            (&["a:1", "a:2"], false),
            (&["a:1", "b:1"], false),
            (
                &[
                    "a:1",
                    "a@sha256:0000000000000000000000000000000000000000000000000000000000000000",
                ],
                true,
            ),
            (
                &[
                    "a:1",
                    "b@sha256:0000000000000000000000000000000000000000000000000000000000000000",
                ],
                false,
            ),
            (
                &[
                    "a@sha256:0000000000000000000000000000000000000000000000000000000000000000",
                    "a@sha256:1111111111111111111111111111111111111111111111111111111111111111",
                ],
                true,
            ),
        ];
        for (names, want) in cases {
            let names: Vec<Reference> = names
                .iter()
                .map(|n| Reference::parse_normalized(n).unwrap())
                .collect();
            assert_eq!(single_reference(&names), *want, "{names:?}");
        }
    }
}
