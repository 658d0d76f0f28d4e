//! Docker's legacy image parent: the local image an image was made from (`commit`: the container's
//! image; `load`: a docker-archive `manifest.json` `Parent`). `inspect` shows it as `Parent` and
//! `history` fills its IMAGE column from the chain. It is not part of the image (its ID does not
//! depend on it), so it lives beside the layout: `berth/parents/<image id hex>` holds the parent's
//! image ID. A record only ever names an image in the index: removing an image drops its own record
//! and those naming it.

use berth_digest::Digest;

use crate::{
    error::{Error, Result},
    fs, Store,
};

pub(crate) const PARENTS_DIR: &str = "parents";

/// Longest record read back (`sha512:` and 128 hex digits, with room to spare).
const MAX_RECORD_BYTES: u64 = 256;

impl Store {
    /// Records that `image` was made from `parent` (both image IDs, both in the store).
    pub fn set_parent(&self, image: &Digest, parent: &Digest) -> Result<()> {
        let _guard = self.content_guard()?;
        let dir = fs::ensure_dir(&self.berth_fd, PARENTS_DIR)
            .map_err(Error::io("create berth/parents"))?;
        fs::write_atomic(&dir, image.encoded(), parent.to_string().as_bytes())
            .map_err(Error::io(format!("record the parent of {image}")))
    }

    /// The parent recorded for `image`, if any.
    pub fn parent(&self, image: &Digest) -> Option<Digest> {
        let dir = fs::open_dir(&self.berth_fd, PARENTS_DIR).ok()?;
        let file = fs::open_file(&dir, image.encoded()).ok()?;
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::Read::take(file, MAX_RECORD_BYTES), &mut text)
            .ok()?;
        Digest::parse(text.trim()).ok()
    }

    /// Drops the record of `image` and every record naming it as the parent (`image` is leaving
    /// the index).
    pub(crate) fn forget_parents(&self, image: &Digest) {
        let Ok(dir) = fs::open_dir(&self.berth_fd, PARENTS_DIR) else {
            return;
        };
        let _ = fs::unlink(&dir, image.encoded());
        for name in fs::list_dir(&dir).unwrap_or_default() {
            let Ok(child) = Digest::from_parts(image.algorithm(), &name) else {
                continue;
            };
            if self.parent(&child).as_ref() == Some(image) {
                let _ = fs::unlink(&dir, &name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{IndexEntry, Store};

    const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";

    /// An image whose config holds `seed`; its manifest descriptor and ID.
    fn put_image(store: &Store, seed: &str) -> (IndexEntry, berth_digest::Digest) {
        let config =
            serde_json::to_vec(&serde_json::json!({"architecture": "amd64", "os": "linux",
            "config": {"Env": [seed]}, "rootfs": {"type": "layers", "diff_ids": []}}))
            .unwrap();
        let id = store.write_blob(&config).unwrap();
        let manifest = serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "mediaType": MANIFEST_TYPE,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": id.to_string(), "size": config.len()},
            "layers": []}))
        .unwrap();
        let digest = store.write_blob(&manifest).unwrap();
        let entry = IndexEntry::new(MANIFEST_TYPE, digest, manifest.len() as u64);
        store.add_image(&entry, &[], &[]).unwrap();
        (entry, id)
    }

    #[test]
    fn parents_are_recorded_and_go_with_their_images() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("root")).unwrap();
        let (_, base) = put_image(&store, "base");
        let (_, child) = put_image(&store, "child");
        let (_, grandchild) = put_image(&store, "grandchild");
        assert_eq!(store.parent(&child), None);
        store.set_parent(&child, &base).unwrap();
        store.set_parent(&grandchild, &child).unwrap();
        assert_eq!(store.parent(&child), Some(base.clone()));
        assert_eq!(store.parent(&grandchild), Some(child.clone()));
        assert!(
            !dir.path()
                .join("root/blobs/sha256")
                .join(child.encoded())
                .is_dir(),
            "records live under berth/, never in blobs/"
        );

        // Removing the middle image drops its own record and the one naming it.
        store.forget_image(&child).unwrap();
        assert_eq!(store.parent(&child), None);
        assert_eq!(store.parent(&grandchild), None);
        assert_eq!(
            std::fs::read_dir(dir.path().join("root/berth/parents"))
                .unwrap()
                .count(),
            0
        );
        // A removed base leaves no record naming it either.
        store.set_parent(&grandchild, &base).unwrap();
        store.forget_image(&base).unwrap();
        assert_eq!(store.parent(&grandchild), None);
        store.check().unwrap();
    }
}
