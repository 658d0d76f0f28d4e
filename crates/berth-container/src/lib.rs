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
//! symlinks ([`commit`]).
//!
//! Reading order: `unpack` (and its breakout tests), `snapshot`, `rootfs`, `user`, `spec`, `runtime`,
//! `id`, `status`, `record`, `containers`, `filter`, `pause`, `start` (and `console`, the terminal of `-t` without
//! one of our own), `stop`, `kill`, `logs`, `commit`, `changes`.

mod error;
pub mod unpack;

mod rootfs;
mod snapshot;

mod spec;
mod user;

mod runtime;

mod id;
mod names;
mod record;
mod status;

mod console;
mod containers;
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

pub use changes::{Change, ChangeKind};
pub use commit::{CommitOptions, Committed};
pub use containers::{Containers, CreateOptions, LOST_EXIT_CODE};
pub use error::Error;
pub use failure::StartFailure;
pub use filter::ContainerFilter;
pub use id::ContainerId;
pub use logs::{read_logs, LogEntry};
pub use pause::CommitPause;
pub use record::{Container, Record, State};
pub use rootfs::RootfsKind;
pub use runtime::{parse_signal, Runtime, RuntimeState};
pub use spec::{Bind, HostConfig, Network};
pub use start::{AttachIo, MonitorCommand};
pub use status::{RuntimeStatus, Status};
pub use user::{resolve_user, ExecUser};
