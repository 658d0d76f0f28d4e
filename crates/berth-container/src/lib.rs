//! berth-container: running images as containers, and turning containers back into images.
//!
//! A container is a directory under the store's `berth/containers/`: a record (`record.json`, fixed at
//! create), its state (`state.json`), an OCI runtime bundle (`bundle/config.json` and the `bundle/rootfs`
//! mount point), its log (`container.log`, Docker's json-file format) and, on overlayfs, its own `upper/`
//! and `work/` directories. The root filesystem is an overlay of read-only layer snapshots, each unpacked
//! once into `containers/snapshots/<chain-id>`; where overlayfs cannot be mounted the layers are copied
//! into the container instead. The process runs under `runc` or `crun`; a detached container is waited
//! for by a monitor process (`berth __monitor ID`) that records its output and exit code after the
//! command that started it has gone.
//!
//! Everything in a layer and in a container is untrusted: layers are unpacked with fd-relative
//! operations resolved inside the root ([`unpack`]), the image's `/etc/passwd` is parsed as data
//! ([`resolve_user`]), and a commit archives what the container left without following any of its
//! symlinks ([`Containers::commit`]).
//!
//! ```
//! use berth_container::unpack::{open_root, unpack_layer, UnpackOptions, Whiteouts};
//! use berth_container::resolve_user;
//!
//! // A hostile layer: a symlink to a host directory, then a file written "through" it.
//! let host = tempfile::tempdir().unwrap();
//! let mut layer = tar::Builder::new(Vec::new());
//! let mut link = tar::Header::new_gnu();
//! link.set_entry_type(tar::EntryType::Symlink);
//! link.set_size(0);
//! layer.append_link(&mut link, "escape", host.path()).unwrap();
//! let mut file = tar::Header::new_gnu();
//! file.set_size(5);
//! file.set_mode(0o644);
//! layer.append_data(&mut file, "escape/owned", &b"owned"[..]).unwrap();
//! let layer = layer.into_inner().unwrap();
//!
//! // Unpacked with fd-relative operations resolved inside the root: the symlink is kept as a
//! // symlink, and nothing lands in the host directory it names.
//! let rootfs = tempfile::tempdir().unwrap();
//! let root = open_root(rootfs.path()).unwrap();
//! let options = UnpackOptions::new(Whiteouts::Apply);
//! let _ = unpack_layer(std::os::fd::AsFd::as_fd(&root), &layer[..], None, &options);
//! assert!(rootfs.path().join("escape").is_symlink());
//! assert!(!host.path().join("owned").exists());
//!
//! // `USER`/`--user` is resolved against the image's own /etc/passwd and /etc/group, read as data.
//! let passwd = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";
//! let group = "root:x:0:\napp:x:1000:\nwheel:x:10:app\n";
//! let user = resolve_user("app", passwd, group).unwrap();
//! assert_eq!((user.uid, user.gid, user.additional_gids), (1000, 1000, vec![10]));
//! assert_eq!(user.home, "/home/app");
//! ```
//!
//! Reading order: `unpack` (and its breakout tests), `snapshot`, `rootfs`, `user`, `spec`, `network`
//! (a build's default network), `runtime`,
//! `id`, `status`, `record`, `containers`, `filter`, `pause`, `start` (and `console`, the terminal of `-t` without
//! one of our own), `stop`, `kill`, `logs`, `commit`, `changes`.

mod error;
pub mod unpack;

mod rootfs;
mod snapshot;

mod spec;
mod user;

mod network;
mod runtime;

mod id;
mod names;
mod record;
mod status;

mod console;
mod containers;
mod diagnostic;
mod failure;
mod filter;
mod kill;
mod logs;
mod pause;
mod start;
mod stop;

mod archive;
mod changes;
mod commit;
mod step;

pub use changes::{Change, ChangeKind};
pub use commit::{CommitOptions, Committed};
pub use containers::{Containers, CreateOptions, SnapshotGuard, LOST_EXIT_CODE};
pub use error::Error;
pub use failure::StartFailure;
pub use filter::ContainerFilter;
pub use id::ContainerId;
pub use logs::{read_logs, LogEntry};
pub use network::{UserNetwork, SLIRP_DNS_ADDRESS, SLIRP_GUEST_ADDRESS};
pub use pause::CommitPause;
pub use record::{Container, Record, State};
pub use rootfs::RootfsKind;
pub use runtime::{parse_signal, Runtime, RuntimeState};
pub use snapshot::image_layers;
pub use spec::{
    build_spec, hosts_file, parse_shm_size, resolv_conf, write_etc_files, Bind, ExtraHost,
    HostConfig, Network, Ulimit, DEFAULT_SHM_SIZE,
};
pub use start::{AttachIo, MonitorCommand};
pub use status::{RuntimeStatus, Status};
pub use step::{snapshot_dirs, Below, PendingCommit, Step, StepLayer, StepProcess};
pub use user::{read_database, resolve_user, ExecUser};
