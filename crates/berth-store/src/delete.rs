//! Docker's rules for deleting images (moby's `ImageDelete`, `imageDeleteHelper`,
//! `checkImageDeleteConflict` and `ImagesPrune`): what `rmi` untags and deletes, what keeps an image
//! (a child image, a container, another repository's name) and what `--force` may override, and the
//! untagged parents that go with an image unless `--no-prune`. The containers that use images come
//! from the caller ([`ImageUser`]); the store knows only images. What was done is reported as
//! [`Removal`]s, in Docker's order, also when a deletion then fails.

use std::{collections::HashSet, fmt};

use berth_digest::Digest;
use berth_reference::Reference;

use crate::{
    error::{Error, Result},
    Image, LayerHolders, Removal, Store,
};

#[cfg(test)]
mod tests;

/// A container made from an image, as the deletion rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageUser {
    /// The container's short ID, as the conflict messages name it.
    pub container: String,
    /// The image's ID.
    pub image: Digest,
    /// The manifest the container was made from: its layers stay while the container does.
    pub manifest: Digest,
    /// It has a process (running or paused): only `--force` of nothing removes its image then.
    pub running: bool,
}

/// Why an image cannot be deleted (moby's `imageDeleteConflict`); [`Conflict::is_hard`] ones not
/// even with `--force`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    DependentChild,
    /// The container's short ID.
    RunningContainer(String),
    ActiveReference,
    /// The container's short ID.
    StoppedContainer(String),
}

impl Conflict {
    /// `--force` does not override it.
    pub fn is_hard(&self) -> bool {
        matches!(
            self,
            Conflict::DependentChild | Conflict::RunningContainer(_)
        )
    }

    /// A container uses the image.
    pub fn is_container(&self) -> bool {
        matches!(
            self,
            Conflict::RunningContainer(_) | Conflict::StoppedContainer(_)
        )
    }

    /// Docker's words for whether `--force` helps.
    pub(crate) fn force_words(&self) -> &'static str {
        if self.is_hard() {
            "cannot be forced"
        } else {
            "must be forced"
        }
    }
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conflict::DependentChild => f.write_str("image has dependent child images"),
            Conflict::RunningContainer(id) => {
                write!(f, "image is being used by running container {id}")
            }
            Conflict::ActiveReference => {
                f.write_str("image is referenced in multiple repositories")
            }
            Conflict::StoppedContainer(id) => {
                write!(f, "image is being used by stopped container {id}")
            }
        }
    }
}

/// How `rmi` deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeleteOptions {
    /// `-f`: the soft conflicts are overridden, and an image with several names goes by ID.
    pub force: bool,
    /// Untagged parents go too (`rmi` without `--no-prune`).
    pub prune: bool,
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

/// Deletes images of one store as moby's `ImageDelete` does, one argument at a time, for one
/// command: which containers use which images is given once; which images hold which layers is read
/// at the first deletion and kept up to date.
pub struct ImageDeleter<'s> {
    store: &'s Store,
    users: Vec<ImageUser>,
    holders: Option<LayerHolders>,
}

impl<'s> ImageDeleter<'s> {
    pub fn new(store: &'s Store, users: Vec<ImageUser>) -> ImageDeleter<'s> {
        ImageDeleter {
            store,
            users,
            holders: None,
        }
    }

    /// The manifests the containers use: garbage collection must keep them ([`Store::gc`]).
    pub fn roots(&self) -> Vec<Digest> {
        let mut roots: Vec<Digest> = self.users.iter().map(|u| u.manifest.clone()).collect();
        roots.sort();
        roots.dedup();
        roots
    }

    /// Deletes what `arg` (a name, a digest reference or an ID) names, as `rmi` does. What it did
    /// goes to `done`, in Docker's order, also when it then fails. An image that is not there is
    /// [`Error::NoImageNamed`] with the name as Docker echoes it ([`not_found_name`]).
    pub fn delete(
        &mut self,
        arg: &str,
        options: DeleteOptions,
        done: &mut Vec<Removal>,
    ) -> Result<()> {
        Deletion {
            deleter: self,
            done,
        }
        .remove(arg, options)
    }

    /// The images `image prune` considers (moby's `ImagesPrune`), before the caller's filters: not
    /// an intermediate image (untagged, with a child), and, unless `all`, neither a child nor a tag.
    /// Which images have children is read once, before any goes, as there.
    pub fn prune_candidates(&self, all: bool) -> Result<Vec<Image>> {
        let parents: HashSet<Digest> = self
            .store
            .summaries()?
            .into_iter()
            .filter_map(|summary| summary.parent)
            .collect();
        Ok(self
            .store
            .images()?
            .into_iter()
            .filter(|image| {
                let has_child = parents.contains(&image.id);
                let has_tag = image.names.iter().any(|name| name.digest().is_none());
                !((image.names.is_empty() && has_child) || (!all && (has_child || has_tag)))
            })
            .collect())
    }

    /// Prunes one image as `image prune` does: each of its names (or its ID) deleted as `rmi` would
    /// without force, its untagged parents with it. What keeps it (a conflict) and what has gone
    /// meanwhile are no errors; any other failure is logged and the prune goes on.
    pub fn prune(&mut self, image: &Image, done: &mut Vec<Removal>) {
        let arguments: Vec<String> = if image.names.is_empty() {
            vec![image.id.encoded().to_owned()]
        } else {
            image.names.iter().map(ToString::to_string).collect()
        };
        let options = DeleteOptions {
            force: false,
            prune: true,
        };
        for argument in arguments {
            match self.delete(&argument, options, done) {
                // Removed meanwhile by another command.
                Ok(()) | Err(Error::NoImageNamed(_) | Error::NoSuchImage(_)) => {}
                Err(error) if error.is_delete_conflict() => {}
                Err(error) => tracing::warn!(
                    image = %argument,
                    error = %crate::error_chain(&error),
                    "failed to prune image"
                ),
            }
        }
    }

    /// Which images hold which layers: read at the first deletion (an untag needs none of it),
    /// before that deletion changes anything, so that a failure to read leaves the store as it was.
    fn holders(&mut self) -> Result<&mut LayerHolders> {
        let holders = match self.holders.take() {
            Some(holders) => holders,
            None => self.store.layer_holders(&self.roots())?,
        };
        Ok(self.holders.insert(holders))
    }

    fn users_of(&self, image: &Digest) -> Vec<ImageUser> {
        self.users
            .iter()
            .filter(|user| user.image == *image)
            .cloned()
            .collect()
    }
}

/// How Docker echoes a missing image: a name with its default tag (`nosuch:latest`), anything else
/// (an ID, a digest) as given.
pub fn not_found_name(arg: &str) -> String {
    match Reference::parse_normalized(arg) {
        Ok(reference) if !berth_reference::is_full_id(arg) => {
            reference.with_default_tag().familiar_string()
        }
        _ => arg.to_owned(),
    }
}

/// One argument's deletion, and what it did.
struct Deletion<'d, 's> {
    deleter: &'d mut ImageDeleter<'s>,
    done: &'d mut Vec<Removal>,
}

impl Deletion<'_, '_> {
    fn store(&self) -> &Store {
        self.deleter.store
    }

    fn remove(&mut self, arg: &str, options: DeleteOptions) -> Result<()> {
        let image = self.store().resolve(arg).map_err(|error| match error {
            Error::NoSuchImage(_) => Error::NoImageNamed(not_found_name(arg)),
            // The store could not be read: not a missing image, and not one `-f` forgives.
            other => other,
        })?;
        let users = self.deleter.users_of(&image.id);

        if let Some(name) = named_reference(arg, &image) {
            // By name (a tag or a digest reference): untag; the image itself goes only when that
            // was its last reference, and then quietly: whatever keeps it (a child image, a
            // container) is not an error.
            if !options.force && single_reference(&references(&image)) {
                if let Some(user) = users.first() {
                    return Err(Error::ReferenceInUse {
                        reference: arg.to_owned(),
                        container: user.container.clone(),
                        image: image.id.short().to_owned(),
                    });
                }
            }
            self.untag(&image, &name)?;
            return self.delete_if_unreferenced(&image.id, &name, options);
        }

        // By ID: an image with one reference (or references in one repository, at most one of
        // them a tag) loses them first, when nothing but --force could keep it.
        let refs = references(&image);
        if single_reference(&refs) {
            let soft = if options.force {
                Soft::NONE
            } else {
                Soft {
                    stopped_container: true,
                    ..Soft::NONE
                }
            };
            if let Some(conflict) = self.conflict(&image, &users, soft)? {
                return Err(conflict);
            }
            for reference in &refs {
                self.untag(&image, reference)?;
            }
        }
        self.delete(&image.id, options, false)
    }

    /// After `rmi NAME` untagged `name`: the repository's digest references go with its last tag,
    /// and the image goes quietly when nothing references it any more. An image another command
    /// deleted meanwhile (a prune that found it dangling) leaves nothing to do.
    fn delete_if_unreferenced(
        &mut self,
        id: &Digest,
        name: &Reference,
        options: DeleteOptions,
    ) -> Result<()> {
        let image = match self.store().resolve(&id.to_string()) {
            Ok(image) => image,
            Err(Error::NoSuchImage(_)) => return Ok(()),
            Err(error) => return Err(error),
        };
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
        self.delete(&image.id, options, true)
    }

    /// moby's `imageDeleteHelper`: deletes the image `id` (its remaining names first), then its
    /// untagged parent when `prune`. `quiet`: a conflict keeps the image without an error, unless the
    /// image would be left dangling and unused; an image another command deleted meanwhile is none
    /// either.
    fn delete(&mut self, id: &Digest, options: DeleteOptions, quiet: bool) -> Result<()> {
        let image = match self.store().resolve(&id.to_string()) {
            Ok(image) => image,
            // Removed meanwhile by another command: nothing is left to delete quietly.
            Err(Error::NoSuchImage(_)) if quiet => return Ok(()),
            Err(error) => return Err(error),
        };
        let users = self.deleter.users_of(id);
        let soft = if options.force { Soft::NONE } else { Soft::ALL };
        if let Some(error) = self.conflict(&image, &users, soft)? {
            let Error::DeleteConflict { reason, .. } = &error else {
                return Err(error);
            };
            let dangling = references(&image).is_empty() && self.store().children(id)?.is_empty();
            if quiet && (!dangling || reason.is_container()) {
                return Ok(());
            }
            return Err(error);
        }
        self.deleter.holders()?;
        let parent = self.store().parent(id);
        for reference in references(&image) {
            self.untag(&image, &reference)?;
        }
        self.store().forget_image(id)?;
        let freed = self.deleter.holders()?.release(id);
        self.done.push(Removal::Deleted(id.clone()));
        self.done.extend(freed.into_iter().map(Removal::Deleted));
        match parent {
            Some(parent) if options.prune => {
                let parent_options = DeleteOptions {
                    force: false,
                    prune: true,
                };
                self.delete(&parent, parent_options, true)
            }
            _ => Ok(()),
        }
    }

    /// moby's `checkImageDeleteConflict`, in its order: an [`Error::DeleteConflict`] if one holds.
    fn conflict(&self, image: &Image, users: &[ImageUser], soft: Soft) -> Result<Option<Error>> {
        let reason = if !self.store().children(&image.id)?.is_empty() {
            Some(Conflict::DependentChild)
        } else if let Some(running) = users.iter().find(|u| u.running) {
            Some(Conflict::RunningContainer(running.container.clone()))
        } else if soft.active_reference && !references(image).is_empty() {
            Some(Conflict::ActiveReference)
        } else {
            users
                .first()
                .filter(|_| soft.stopped_container)
                .map(|stopped| Conflict::StoppedContainer(stopped.container.clone()))
        };
        Ok(reason.map(|reason| Error::DeleteConflict {
            image: image.id.short().to_owned(),
            reason,
        }))
    }

    /// Removes one reference of `image`: a name, or a repo digest recorded by a pull or push.
    /// A pull by digest records the digest reference both ways: both go.
    fn untag(&mut self, image: &Image, reference: &Reference) -> Result<()> {
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
