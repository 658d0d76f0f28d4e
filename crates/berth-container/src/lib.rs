//! berth-container: running images as containers, and turning containers back into images.
//!
//! A container is a directory under the store's `berth/containers/`: a record (`record.json`), an OCI
//! runtime bundle (`bundle/config.json` and the `bundle/rootfs` mount point) and, on overlayfs, the
//! container's own `upper/` and `work/` directories. Its root filesystem is an overlay of read-only layer
//! snapshots, each unpacked once into a cache keyed by its chain ID; where overlayfs cannot be mounted
//! the layers are copied into the container instead. The process runs under `runc` or `crun`.
//!
//! Everything in a layer and in a container is untrusted: layers are unpacked with fd-relative
//! operations resolved inside the root (`unpack`), the image's `/etc/passwd` is parsed as data (`user`),
//! and a commit archives what the container left without following any of its symlinks (`commit`).

mod error;
pub mod unpack;

pub use error::Error;
