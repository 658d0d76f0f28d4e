//! Docker's legacy image parent: the local image an image was made from (`commit`: the container's
//! image; `load`: a docker-archive `manifest.json` `Parent`). `inspect` shows it as `Parent` and
//! `history` fills its IMAGE column from the chain. It is not part of the image (its ID does not
//! depend on it), so it is an annotation, `io.berth.image.parent`, on the image's `index.json`
//! descriptors, beside its ID, creation time and size: it is written with them, carried over when
//! the image gets another name, and gone with them. Removing an image also removes the annotation
//! from the images naming it, so a parent is always an image in the index.

use berth_digest::Digest;

use crate::{
    error::{Error, Result},
    index::{annotations, IndexEntry},
    Store,
};

impl Store {
    /// Records that `image` was made from `parent` (both image IDs). `image` must be in the index;
    /// a `parent` that is not (any more: a concurrent `rmi`) is not recorded, so that a parent is
    /// always an image in the index.
    pub fn set_parent(&self, image: &Digest, parent: &Digest) -> Result<()> {
        let image_id = image.to_string();
        let parent_id = parent.to_string();
        self.update_index(|index| {
            let parent_present = index
                .manifests
                .iter()
                .any(|e| e.annotations.get(annotations::IMAGE_ID) == Some(&parent_id))
                // A link that would close a loop (an archive's images naming each other) is not
                // recorded: every image of a loop would have a child, and none could ever be removed.
                && !ancestors(&index.manifests, &parent_id).contains(&image_id)
                && parent_id != image_id;
            let mut found = false;
            for entry in index
                .manifests
                .iter_mut()
                .filter(|e| e.annotations.get(annotations::IMAGE_ID) == Some(&image_id))
            {
                if parent_present {
                    entry
                        .annotations
                        .insert(annotations::PARENT.into(), parent_id.clone());
                }
                found = true;
            }
            if found {
                Ok(())
            } else {
                Err(Error::NoSuchImage(image_id.clone()))
            }
        })
    }

    /// The images made from `image` (its children), each ID once.
    pub fn children(&self, image: &Digest) -> Result<Vec<Digest>> {
        let parent = image.to_string();
        let mut children: Vec<Digest> = Vec::new();
        for entry in self.index()?.manifests {
            if entry.annotations.get(annotations::PARENT) != Some(&parent) {
                continue;
            }
            let child = entry
                .annotations
                .get(annotations::IMAGE_ID)
                .and_then(|id| Digest::parse(id).ok());
            if let Some(child) = child.filter(|c| !children.contains(c)) {
                children.push(child);
            }
        }
        Ok(children)
    }

    /// The parent recorded for `image`, if any.
    pub fn parent(&self, image: &Digest) -> Option<Digest> {
        let index = self.index().ok()?;
        Digest::parse(recorded_parent(&index.manifests, image)?).ok()
    }
}

/// The IDs up the parent chain from `image` (not itself), stopping at a repeat.
fn ancestors(entries: &[IndexEntry], image: &str) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut current = image.to_owned();
    while let Some(parent) = entries
        .iter()
        .filter(|e| e.annotations.get(annotations::IMAGE_ID) == Some(&current))
        .find_map(|e| e.annotations.get(annotations::PARENT))
    {
        if seen.contains(parent) || *parent == image {
            break;
        }
        seen.push(parent.clone());
        current = parent.clone();
    }
    seen
}

/// The parent annotation of `image`'s descriptors.
pub(crate) fn recorded_parent<'a>(entries: &'a [IndexEntry], image: &Digest) -> Option<&'a str> {
    let image_id = image.to_string();
    entries
        .iter()
        .filter(|e| e.annotations.get(annotations::IMAGE_ID) == Some(&image_id))
        .find_map(|e| e.annotations.get(annotations::PARENT))
        .map(String::as_str)
}

/// `image` is leaving the index: no descriptor may name it as a parent any more.
pub(crate) fn forget_parent(entries: &mut [IndexEntry], image: &Digest) {
    let image_id = image.to_string();
    for entry in entries {
        if entry.annotations.get(annotations::PARENT) == Some(&image_id) {
            entry.annotations.remove(annotations::PARENT);
        }
    }
}

#[cfg(test)]
mod tests {
    use berth_reference::Reference;

    use crate::{IndexEntry, Store};

    fn put_image(store: &Store, seed: &str, name: &str) -> (IndexEntry, berth_digest::Digest) {
        crate::testutil::named_image(store, name, seed, &[])
    }

    fn reference(name: &str) -> Reference {
        Reference::parse_normalized(name)
            .unwrap()
            .with_default_tag()
    }

    #[test]
    fn parents_are_recorded_and_go_with_their_images() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("root")).unwrap();
        let (_, base) = put_image(&store, "base", "base");
        let (_, child) = put_image(&store, "child", "child");
        let (_, grandchild) = put_image(&store, "grandchild", "grandchild");
        assert_eq!(store.parent(&child), None);
        store.set_parent(&child, &base).unwrap();
        store.set_parent(&grandchild, &child).unwrap();
        assert_eq!(store.parent(&child), Some(base.clone()));
        assert_eq!(store.parent(&grandchild), Some(child.clone()));
        assert_eq!(store.children(&base).unwrap(), std::slice::from_ref(&child));
        assert_eq!(
            store.children(&child).unwrap(),
            std::slice::from_ref(&grandchild)
        );
        assert!(store.children(&grandchild).unwrap().is_empty());
        let unknown = store.write_blob(b"not an image").unwrap();
        assert!(store.set_parent(&unknown, &base).is_err());
        // A link closing a loop is not recorded (base <- child <- grandchild <- base), nor a link to
        // the image itself.
        store.set_parent(&base, &grandchild).unwrap();
        assert_eq!(store.parent(&base), None);
        store.set_parent(&base, &base).unwrap();
        assert_eq!(store.parent(&base), None);
        // A parent no longer in the index (a concurrent rmi) is not recorded.
        let (_, other) = put_image(&store, "other", "other");
        store.set_parent(&other, &unknown).unwrap();
        assert_eq!(store.parent(&other), None);

        // Another name, a name moved away (the image left dangling): the parent stays.
        let image = store.resolve("child").unwrap();
        store.tag(&image, &reference("child:again")).unwrap();
        store.untag(&reference("child")).unwrap();
        store.untag(&reference("child:again")).unwrap();
        assert_eq!(store.parent(&child), Some(base.clone()));

        // Removing the middle image drops its own parent and the one naming it.
        store.forget_image(&child).unwrap();
        assert!(store.children(&base).unwrap().is_empty());
        assert_eq!(store.parent(&child), None);
        assert_eq!(store.parent(&grandchild), None);
        store.set_parent(&grandchild, &base).unwrap();
        store.forget_image(&base).unwrap();
        assert_eq!(store.parent(&grandchild), None);
        assert!(store.check().unwrap().problems.is_empty());
    }
}
