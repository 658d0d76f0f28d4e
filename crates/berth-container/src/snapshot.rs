//! Layer snapshots: each layer unpacked once, in overlayfs form, into a cache keyed by its chain ID.
//!
//! `snapshots/<chain-id hex>/` holds exactly one layer's files (whiteouts as 0:0 character devices,
//! opaque directories marked with `trusted.overlay.opaque`), so the snapshots of an image's layers,
//! stacked as overlay `lowerdir`s, are its root filesystem. The chain ID (image-spec `ChainID`) names a
//! layer *on top of its parents*, so two images share a snapshot only when they share the whole stack
//! below it. A snapshot is built in a temporary directory and renamed into place when complete, so a
//! crash leaves only temporary directories, which the next build of that chain ignores.

use std::{
    io,
    os::{
        fd::AsFd,
        unix::fs::{DirBuilderExt, PermissionsExt},
    },
    path::{Path, PathBuf},
};

use berth_digest::Digest;
use berth_manifest::chain_ids;
use berth_store::{Image, Store};

use crate::{
    error::{Error, Result},
    unpack::{self, UnpackOptions, Whiteouts},
};

const TEMP_PREFIX: &str = ".tmp-";

/// The layers of an image: blob digests (as stored) with their diff_ids (from the config).
pub fn image_layers(image: &Image) -> Result<Vec<(Digest, Digest)>> {
    let config = berth_manifest::parse_config(&image.config)?;
    let blobs = image.layer_digests()?;
    if blobs.len() != config.rootfs.diff_ids.len() {
        return Err(Error::InvalidArgument {
            what: "image (layer count differs from the config's diff_ids)",
            value: image.id.to_string(),
        });
    }
    Ok(blobs.into_iter().zip(config.rootfs.diff_ids).collect())
}

/// The layers of the image a manifest describes (read by digest, so an image that lost its names
/// still works for the containers made from it).
pub fn manifest_layers(store: &Store, manifest: &Digest) -> Result<Vec<(Digest, Digest)>> {
    let manifest = store.read_manifest(manifest)?;
    let config_digest = Digest::parse(manifest.config().digest().as_ref())
        .map_err(|e| Error::Store(berth_store::Error::Verify(e)))?;
    let config_bytes = store.read_blob(&config_digest, berth_store::MAX_JSON_BYTES)?;
    let config = berth_manifest::parse_config(&config_bytes)?;
    let mut blobs = Vec::new();
    for layer in manifest.layers() {
        blobs.push(
            Digest::parse(layer.digest().as_ref())
                .map_err(|e| Error::Store(berth_store::Error::Verify(e)))?,
        );
    }
    if blobs.len() != config.rootfs.diff_ids.len() {
        return Err(Error::InvalidArgument {
            what: "image (layer count differs from the config's diff_ids)",
            value: config_digest.to_string(),
        });
    }
    Ok(blobs.into_iter().zip(config.rootfs.diff_ids).collect())
}

/// The snapshots an overlay stacks, base first. overlayfs ignores the opaque mark on the root
/// directory of a layer, so a layer whose tar has `.wh..wh..opq` at its root would let every layer
/// below it show through, where applying the layers (the copy fallback, and the image spec) hides
/// them: the layers below the topmost such snapshot are left out instead.
pub fn visible_lowers(mut dirs: Vec<PathBuf>) -> Vec<PathBuf> {
    let root_opaque = |dir: &PathBuf| {
        let mut value = [0_u8; 1];
        matches!(
            rustix::fs::getxattr(dir, unpack::OVERLAY_OPAQUE_XATTR, &mut value[..]),
            Ok(1) if value == *b"y"
        )
    };
    if let Some(top_opaque) = dirs.iter().rposition(root_opaque) {
        dirs.drain(..top_opaque);
    }
    dirs
}

pub struct Snapshots {
    dir: PathBuf,
}

impl Snapshots {
    pub fn new(dir: PathBuf) -> Snapshots {
        Snapshots { dir }
    }

    /// The directory holding the snapshots.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The snapshot directories of `layers` (base first), unpacking those not cached yet.
    pub fn ensure(&self, store: &Store, layers: &[(Digest, Digest)]) -> Result<Vec<PathBuf>> {
        // 0700: the snapshots hold the images' files, setuid programs and device nodes included
        // (CVE-2021-41091); made private too when an older berth left it open.
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .and_then(|()| {
                std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o700))
            })
            .map_err(Error::io(format!("create {}", self.dir.display())))?;
        let diff_ids: Vec<Digest> = layers.iter().map(|(_, d)| d.clone()).collect();
        let mut dirs = Vec::with_capacity(layers.len());
        for ((blob, diff_id), chain_id) in layers.iter().zip(chain_ids(&diff_ids)) {
            let dir = self.dir.join(chain_id.encoded());
            if !dir.is_dir() {
                self.unpack(store, blob, diff_id, &dir)?;
            }
            dirs.push(dir);
        }
        Ok(dirs)
    }

    fn unpack(&self, store: &Store, blob: &Digest, diff_id: &Digest, dir: &Path) -> Result<()> {
        let temp = self
            .dir
            .join(format!("{TEMP_PREFIX}{}", crate::names::random_hex::<8>()));
        let result = (|| {
            let root = unpack::open_root(&temp)?;
            let reader = unpack::decompress(store.open_blob(blob)?)?;
            let options = UnpackOptions::new(Whiteouts::Overlay);
            let info = unpack::unpack_layer(root.as_fd(), reader, Some(diff_id), &options)?;
            if store.layer_info(blob).is_none() {
                // As before the one digester: a snapshot records no content size (`images` keeps
                // showing such a layer by its uncompressed size).
                let info = berth_store::LayerInfo {
                    content_size: None,
                    ..info
                };
                let _ = store.record_layer(blob, &info);
            }
            Ok::<(), Error>(())
        })();
        if let Err(e) = result {
            let _ = remove_tree(&temp);
            return Err(e);
        }
        match std::fs::rename(&temp, dir) {
            Ok(()) => Ok(()),
            // Another berth built the same snapshot meanwhile: keep theirs.
            Err(_) if dir.is_dir() => remove_tree(&temp),
            Err(e) => Err(Error::io(format!("store snapshot {}", dir.display()))(e)),
        }
    }

    /// Removes snapshots no longer needed by `keep` (chain ID hex names) and stale temporaries.
    pub fn prune(&self, keep: &[String]) -> Result<u64> {
        let mut removed = 0;
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Ok(0);
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !keep.contains(&name) {
                remove_tree(&entry.path())?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// Removes a directory tree without following symlinks inside it.
pub fn remove_tree(path: &Path) -> Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return Ok(());
    };
    let dir = match rustix::fs::open(
        parent,
        rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::DIRECTORY | rustix::fs::OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    ) {
        Ok(dir) => dir,
        Err(rustix::io::Errno::NOENT) => return Ok(()),
        Err(e) => return Err(Error::io(format!("open {}", parent.display()))(e.into())),
    };
    unpack::fs::remove_all_at(dir.as_fd(), name.as_bytes())
        .or_else(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                Ok(())
            } else {
                Err(e)
            }
        })
        .map_err(Error::io(format!("remove {}", path.display())))
}
