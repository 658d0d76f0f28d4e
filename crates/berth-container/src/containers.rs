//! The containers of one store: create, find, list (with state read back from the runtime), remove.

use std::{
    fs::File,
    os::{
        fd::{AsFd, OwnedFd},
        unix::fs::DirBuilderExt,
    },
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use berth_digest::Digest;
use berth_store::{Image, Store};
use rustix::fs::FlockOperation;

use crate::{
    error::{Error, Result},
    id::ContainerId,
    names, pause,
    record::{self, Container, Record, State, RECORD_FILE, STATE_FILE},
    rootfs::{self, RootfsKind, RootfsPaths},
    runtime::Runtime,
    snapshot::{self, Snapshots},
    spec::HostConfig,
    status::{RuntimeStatus, Status},
};

/// Exit code recorded for a container whose end nobody saw (its monitor died with it), as Docker
/// reports containers that were running when the daemon went away.
pub const LOST_EXIT_CODE: i32 = 255;
const LOCK_FILE: &str = ".lock";
/// Shared by whatever uses snapshots without a container record naming them (a build); taken
/// exclusively by [`Containers::prune_snapshots`]. Always taken before [`LOCK_FILE`].
const SNAPSHOT_LOCK_FILE: &str = ".snapshots.lock";

/// Keeps [`Containers::prune_snapshots`] waiting while it is held (a build holds one from its first
/// step to its image): the snapshots a running build stacks are in no container's record.
#[derive(Debug)]
pub struct SnapshotGuard {
    _file: File,
}
/// Random names tried before falling back to a short random ID.
const MAX_NAME_ATTEMPTS: usize = 64;
/// How long a container has to go after SIGKILL (`stop` after its timeout, `rm -f`).
pub(crate) const KILL_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a command waiting for a container to stop looks at it again.
const STOP_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// What `create` and `run` change in the image's config.
#[derive(Debug, Clone, Default)]
pub struct CreateOptions {
    /// The image as the user named it (shown by `ps`).
    pub image_name: String,
    pub name: Option<String>,
    /// `--entrypoint`: replaces the image's and clears its Cmd; `Some("")` clears it.
    pub entrypoint: Option<String>,
    /// Arguments after the image name; empty keeps the image's Cmd.
    pub cmd: Vec<String>,
    /// `KEY=VALUE` entries, applied over the image's Env.
    pub env: Vec<String>,
    pub working_dir: Option<String>,
    pub user: Option<String>,
    pub host: HostConfig,
    /// How to build the root filesystem; `None` = overlayfs where it mounts, else a copy.
    pub rootfs: Option<RootfsKind>,
}

/// The container directory of a store.
pub struct Containers<'s> {
    pub(crate) store: &'s Store,
    pub(crate) dir: PathBuf,
}

impl<'s> Containers<'s> {
    pub fn open(store: &'s Store) -> Result<Containers<'s>> {
        let dir = store.state_dir("containers")?;
        Ok(Containers { store, dir })
    }

    pub fn store(&self) -> &'s Store {
        self.store
    }

    pub(crate) fn snapshots(&self) -> Snapshots {
        Snapshots::new(self.dir.join("snapshots"))
    }

    pub(crate) fn runtime_root(&self) -> PathBuf {
        self.dir.join("runtime")
    }

    /// The runtime that runs `container` (its record names it), with this store's runtime state root.
    pub fn runtime(&self, container: &Container) -> Result<Runtime> {
        Runtime::find(&container.record.runtime, &self.runtime_root())
    }

    /// Takes the snapshot lock, shared (`exclusive` for pruning).
    fn snapshot_lock(&self, exclusive: bool) -> Result<File> {
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join(SNAPSHOT_LOCK_FILE))
            .map_err(Error::io("lock the snapshots"))?;
        let operation = if exclusive {
            FlockOperation::LockExclusive
        } else {
            FlockOperation::LockShared
        };
        rustix::fs::flock(file.as_fd(), operation)
            .map_err(|e| Error::io("lock the snapshots")(e.into()))?;
        Ok(file)
    }

    /// Holds snapshot pruning off until the guard is dropped (see [`SnapshotGuard`]).
    pub fn snapshot_guard(&self) -> Result<SnapshotGuard> {
        Ok(SnapshotGuard {
            _file: self.snapshot_lock(false)?,
        })
    }

    fn lock(&self) -> Result<File> {
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join(LOCK_FILE))
            .map_err(Error::io("lock the container directory"))?;
        rustix::fs::flock(file.as_fd(), FlockOperation::LockExclusive)
            .map_err(|e| Error::io("lock the container directory")(e.into()))?;
        Ok(file)
    }

    /// Creates a container from `image`: its record, its root filesystem and nothing running yet.
    pub fn create(&self, image: &Image, options: &CreateOptions) -> Result<Container> {
        let image_config = berth_manifest::parse_config(&image.config)?;
        let mut config = image_config.config.clone().unwrap_or_default();
        if let Some(entrypoint) = &options.entrypoint {
            config.entrypoint = if entrypoint.is_empty() {
                Vec::new()
            } else {
                vec![entrypoint.clone()]
            };
            config.cmd = Vec::new();
        }
        if !options.cmd.is_empty() {
            config.cmd.clone_from(&options.cmd);
        }
        for entry in &options.env {
            let key = entry.split_once('=').map_or(entry.as_str(), |(k, _)| k);
            config
                .env
                .retain(|e| e.split_once('=').map_or(e.as_str(), |(k, _)| k) != key);
            config.env.push(entry.clone());
        }
        if let Some(dir) = &options.working_dir {
            config.working_dir.clone_from(dir);
        }
        if let Some(user) = &options.user {
            config.user.clone_from(user);
        }
        let runtime = Runtime::find(&options.host.runtime, &self.runtime_root())?;
        let layers = snapshot::image_layers(image)?;

        let _lock = self.lock()?;
        let existing = self.list_records()?;
        let name = match &options.name {
            Some(name) => {
                let name = names::validate_name(name)?;
                if let Some(other) = existing.iter().find(|c| c.record.name == name) {
                    return Err(Error::NameInUse {
                        name,
                        id: other.record.id.to_string(),
                    });
                }
                name
            }
            None => (0..MAX_NAME_ATTEMPTS)
                .map(names::random_name)
                .find(|n| !existing.iter().any(|c| c.record.name == *n))
                .unwrap_or_else(|| ContainerId::random().short().to_owned()),
        };
        let id = ContainerId::random();
        let dir = self.dir.join(id.as_str());
        // 0700: the upper directory and the mounted rootfs inside hold what the container wrote,
        // setuid programs included (CVE-2021-41091); `containers/` is 0700 too (berth_store::Store::state_dir).
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .and_then(|()| std::fs::create_dir(dir.join("bundle")))
            .map_err(Error::io(format!("create {}", dir.display())))?;
        let result = self.make_rootfs(&dir, &layers, options.rootfs);
        let rootfs = match result {
            Ok(kind) => kind,
            Err(e) => {
                let _ = rootfs::unmount(&RootfsPaths::new(&dir).target);
                let _ = snapshot::remove_tree(&dir);
                return Err(e);
            }
        };
        let record = Record {
            id,
            name,
            created: record::now(),
            image: options.image_name.clone(),
            image_id: image.id.clone(),
            image_manifest: image.manifest_digest.clone(),
            config,
            host: HostConfig {
                runtime: runtime.path.to_string_lossy().into_owned(),
                ..options.host.clone()
            },
            rootfs,
            runtime: runtime.path.to_string_lossy().into_owned(),
        };
        record::write_json(&dir.join(STATE_FILE), &State::default())?;
        record::write_json(&dir.join(RECORD_FILE), &record)?;
        let container = Container {
            record,
            state: State::default(),
            dir,
        };
        // The overlay was mounted to learn that it mounts; a start mounts it again (as Docker's
        // created containers, this one holds no mount until it runs).
        self.release_rootfs(&container)?;
        Ok(container)
    }

    /// Builds the root filesystem: overlayfs when it mounts, else a copy of the layers.
    fn make_rootfs(
        &self,
        dir: &Path,
        layers: &[(Digest, Digest)],
        wanted: Option<RootfsKind>,
    ) -> Result<RootfsKind> {
        let paths = RootfsPaths::new(dir);
        if wanted != Some(RootfsKind::Copy) && rustix::process::geteuid().is_root() {
            let mut lowers = snapshot::visible_lowers(self.snapshots().ensure(self.store, layers)?);
            lowers.push(rootfs::make_init_layer(dir)?);
            match rootfs::mount_overlay(&lowers, &paths, rootfs::Upper::Synced) {
                Ok(()) => return Ok(RootfsKind::Overlay),
                Err(e) => {
                    tracing::warn!(
                        error = %berth_store::error_chain(&e),
                        "the root filesystem cannot be mounted with overlayfs; copying the image's layers instead"
                    );
                    for d in [
                        &paths.upper,
                        &paths.work,
                        &paths.empty,
                        &dir.join(rootfs::INIT_DIR),
                    ] {
                        let _ = snapshot::remove_tree(d);
                    }
                }
            }
        }
        rootfs::copy_layers(self.store, layers, &paths.target)?;
        Ok(RootfsKind::Copy)
    }

    /// Makes sure the root filesystem is there (after a reboot the overlay must be mounted again).
    pub(crate) fn mount_rootfs(&self, container: &Container) -> Result<()> {
        if container.record.rootfs != RootfsKind::Overlay {
            return Ok(());
        }
        let paths = RootfsPaths::new(&container.dir);
        if rootfs::is_mounted(&paths.target) {
            return Ok(());
        }
        let mut lowers = self.lowers(container)?;
        lowers.push(rootfs::make_init_layer(&container.dir)?);
        rootfs::mount_overlay(&lowers, &paths, rootfs::Upper::Synced)
    }

    /// Unmounts the overlay of a container that is not running: at its exit, after a failed start,
    /// and after a command mounted it to read it. A running container's processes keep their own
    /// view of it (the runtime's mount namespace), so this never pulls it from under them.
    #[allow(clippy::unused_self)] // kept a method: mounts belong to this store's containers
    pub(crate) fn release_rootfs(&self, container: &Container) -> Result<()> {
        if container.record.rootfs != RootfsKind::Overlay {
            return Ok(());
        }
        rootfs::unmount(&RootfsPaths::new(&container.dir).target)
    }

    /// [`Containers::release_rootfs`] where the exit must be recorded whatever happens: a mount left
    /// behind is named by `system check` and unmounted by `rm`.
    pub(crate) fn release_rootfs_or_warn(&self, container: &Container) {
        if let Err(e) = self.release_rootfs(container) {
            tracing::warn!(error = %berth_store::error_chain(&e), "could not unmount the container's root filesystem");
        }
    }

    /// Mounts under the store's root that belong to no running container (`system check`): left by
    /// a berth that died between a container's exit and its unmount, by an older berth that kept
    /// exited containers mounted, or by hand. Each keeps the store from being removed.
    pub fn stray_mounts(store: &Store) -> Result<Vec<PathBuf>> {
        // Opening the container directory would create it: a store without one has no container.
        if !store.root().join("berth").join("containers").is_dir() {
            return Ok(rootfs::mounts_under(store.root()));
        }
        Containers::open(store)?.stray_mounts_locked()
    }

    fn stray_mounts_locked(&self) -> Result<Vec<PathBuf>> {
        let _lock = self.lock()?;
        let mut running = Vec::new();
        for container in self.list()? {
            if container.is_running() {
                running.push(RootfsPaths::new(&container.dir).target);
            }
        }
        Ok(rootfs::mounts_under(self.store.root())
            .into_iter()
            .filter(|point| !running.contains(point))
            .collect())
    }

    /// The root directory of a container's filesystem, for reading: the mount of a running
    /// container, its copied tree, or a private mount of the overlay of one that is not running
    /// ([`rootfs::mount_private`]).
    pub(crate) fn open_rootfs(&self, container: &Container) -> Result<OwnedFd> {
        let paths = RootfsPaths::new(&container.dir);
        if container.record.rootfs == RootfsKind::Overlay && !rootfs::is_mounted(&paths.target) {
            let mut lowers = self.lowers(container)?;
            lowers.push(rootfs::make_init_layer(&container.dir)?);
            return rootfs::mount_private(&lowers, &paths);
        }
        crate::unpack::open_root(&paths.target)
    }

    /// The lower directories of an overlay container (base first).
    pub(crate) fn lowers(&self, container: &Container) -> Result<Vec<PathBuf>> {
        let layers = snapshot::manifest_layers(self.store, &container.record.image_manifest)?;
        Ok(snapshot::visible_lowers(
            self.snapshots().ensure(self.store, &layers)?,
        ))
    }

    fn list_records(&self) -> Result<Vec<Container>> {
        let mut out = Vec::new();
        let entries = std::fs::read_dir(&self.dir)
            .map_err(Error::io(format!("list {}", self.dir.display())))?;
        for entry in entries.flatten() {
            let Ok(name) = ContainerId::parse(&entry.file_name().to_string_lossy()) else {
                continue; // `snapshots`, `runtime`, the lock
            };
            let dir = entry.path();
            let record = match record::read_json::<Record>(&dir.join(RECORD_FILE)) {
                Ok(record) => record,
                // A record that does not parse (an ID that is not 64 lowercase hex digits, say)
                // is corrupt: named in a warning, then skipped.
                Err(error @ Error::CorruptRecord { .. }) => {
                    tracing::warn!(error = %berth_store::error_chain(&error), "container skipped");
                    continue;
                }
                Err(_) => continue, // being created, or removed half-way
            };
            // A record that names another ID than its directory's is corrupt.
            if record.id != name {
                tracing::warn!(dir = %dir.display(), id = %record.id, "container record names another ID: skipped");
                continue;
            }
            // Every command that loads containers comes here: a container left paused by a commit
            // that died is resumed before anyone looks at it (crate::pause).
            if dir.join(pause::MARKER_FILE).exists() {
                self.recover_commit_pause(&record, &dir);
            }
            let state = record::read_json::<State>(&dir.join(STATE_FILE)).unwrap_or_default();
            out.push(Container { record, state, dir });
        }
        out.sort_by(|a, b| b.record.created.cmp(&a.record.created));
        Ok(out)
    }

    /// Every container, newest first, with its state checked against the runtime.
    pub fn list(&self) -> Result<Vec<Container>> {
        let mut containers = self.list_records()?;
        for container in &mut containers {
            self.refresh(container)?;
        }
        Ok(containers)
    }

    /// Every container as the store's image deletion rules see it, each state read from the
    /// runtime once ([`Containers::list`]).
    pub fn image_users(&self) -> Result<Vec<berth_store::ImageUser>> {
        Ok(self.list()?.iter().map(Container::image_user).collect())
    }

    /// Finds a container by full ID, name, or unique ID prefix (Docker's order).
    pub fn get(&self, id_or_name: &str) -> Result<Container> {
        let wanted = id_or_name.strip_prefix('/').unwrap_or(id_or_name);
        let all = self.list_records()?;
        let found = all
            .iter()
            .find(|c| c.record.id.as_str() == wanted)
            .or_else(|| all.iter().find(|c| c.record.name == wanted))
            .cloned();
        let mut container = match found {
            Some(c) => c,
            None => {
                let mut matches = all
                    .into_iter()
                    .filter(|c| !wanted.is_empty() && c.id().starts_with(wanted));
                match (matches.next(), matches.next()) {
                    (Some(c), None) => c,
                    (Some(_), Some(_)) => return Err(Error::AmbiguousContainer(wanted.to_owned())),
                    _ => return Err(Error::NoSuchContainer(id_or_name.to_owned())),
                }
            }
        };
        self.refresh(&mut container)?;
        Ok(container)
    }

    /// Re-reads the state and checks a running container against its monitor and the runtime.
    pub fn refresh(&self, container: &mut Container) -> Result<()> {
        container.state =
            record::read_json::<State>(&container.dir.join(STATE_FILE)).unwrap_or_default();
        if !container.is_running() {
            return Ok(());
        }
        let monitor_alive = container.state.monitor_pid.is_some_and(process_alive);
        let runtime_status = self
            .runtime(container)
            .ok()
            .and_then(|r| r.state(container.id()).ok().flatten())
            .map(|s| s.status);
        match runtime_status.and_then(RuntimeStatus::docker_status) {
            Some(status) => container.state.status = status,
            None if monitor_alive => {} // exiting: the monitor is about to record the exit code
            None => {
                // Nobody is waiting for it and the runtime does not run it: it ended unseen.
                self.release_rootfs_or_warn(container);
                container.state.status = Status::Exited;
                container.state.exit_code.get_or_insert(LOST_EXIT_CODE);
                container.state.finished_at.get_or_insert_with(record::now);
                container.state.monitor_pid = None;
                record::write_json(&container.dir.join(STATE_FILE), &container.state)?;
            }
        }
        Ok(())
    }

    #[allow(clippy::unused_self)] // kept a method: state always belongs to this store's containers
    pub(crate) fn write_state(&self, container: &Container) -> Result<()> {
        record::write_json(&container.dir.join(STATE_FILE), &container.state)
    }

    /// Waits until the container is no longer running, up to `timeout`; returns whether it stopped.
    pub fn wait_stopped(&self, container: &mut Container, timeout: Duration) -> Result<bool> {
        let deadline = Instant::now() + timeout;
        loop {
            self.refresh(container)?;
            if !container.is_running() {
                return Ok(true);
            }
            if Instant::now() >= deadline {
                return Ok(false);
            }
            std::thread::sleep(STOP_POLL_INTERVAL);
        }
    }

    /// Removes a container (Docker's `rm`): refused while it runs unless `force`, which kills it first.
    pub fn remove(&self, container: &mut Container, force: bool) -> Result<()> {
        self.refresh(container)?;
        if !container.state.status.can_remove() {
            if !force {
                return Err(Error::RemoveRunning {
                    name: container.record.name.clone(),
                });
            }
            let runtime = self.runtime(container)?;
            if container.state.status.is_paused() {
                let _ = runtime.resume(container.id());
            }
            let _ = runtime.kill(container.id(), "KILL");
            self.wait_stopped(container, KILL_TIMEOUT)?;
        }
        if let Ok(runtime) = self.runtime(container) {
            if runtime.state(container.id())?.is_some() {
                if let Err(e) = runtime.delete(container.id(), true) {
                    // Its monitor may have deleted it meanwhile; only a survivor is an error.
                    if runtime.state(container.id())?.is_some() {
                        return Err(e);
                    }
                }
            }
        }
        rootfs::unmount(&RootfsPaths::new(&container.dir).target)?;
        snapshot::remove_tree(&container.dir)
    }

    /// Bytes the container wrote (its upper directory), or its whole copied root filesystem.
    pub fn rw_size(&self, container: &Container) -> Result<u64> {
        let paths = RootfsPaths::new(&container.dir);
        let dir = match container.record.rootfs {
            RootfsKind::Overlay => &paths.upper,
            RootfsKind::Copy => &paths.target,
        };
        let root = crate::unpack::open_root(dir)?;
        tree_size(root.as_fd(), Measure::Content)
            .map_err(Error::io(format!("measure {}", dir.display())))
    }

    /// The manifests containers use: pass them to `Store::gc` so their images are never collected.
    pub fn image_roots(&self) -> Result<Vec<Digest>> {
        let mut roots: Vec<Digest> = self
            .list_records()?
            .into_iter()
            .map(|c| c.record.image_manifest)
            .collect();
        roots.sort();
        roots.dedup();
        Ok(roots)
    }

    /// Removes layer snapshots no container uses any more; waits for running builds
    /// ([`Containers::snapshot_guard`]).
    pub fn prune_snapshots(&self) -> Result<u64> {
        let _builds = self.snapshot_lock(true)?;
        let _lock = self.lock()?;
        let mut keep = Vec::new();
        for container in self.list_records()? {
            if let Ok(chains) = self
                .store
                .manifest_chain_ids(&container.record.image_manifest)
            {
                keep.extend(chains.iter().map(|c| c.encoded().to_owned()));
            }
        }
        self.snapshots().prune(&keep)
    }
}

/// How [`tree_size`] counts.
#[derive(Clone, Copy)]
pub(crate) enum Measure {
    /// The regular files' sizes.
    Content,
    /// What a tar of the tree takes, about: a 512-byte header per entry and each file's size in
    /// whole blocks (hard links counted twice, long names' extra headers not at all).
    Tar,
}

/// The size of the tree below `dir`, no symlink followed.
pub(crate) fn tree_size(
    dir: std::os::fd::BorrowedFd<'_>,
    measure: Measure,
) -> std::io::Result<u64> {
    const BLOCK: u64 = 512;
    let mut total = 0;
    for name in crate::unpack::fs::list_dir(dir)? {
        let Some(stat) = crate::unpack::fs::lstat_at(dir, &name)? else {
            continue;
        };
        if let Measure::Tar = measure {
            total += BLOCK;
        }
        match rustix::fs::FileType::from_raw_mode(stat.st_mode) {
            rustix::fs::FileType::Directory => {
                let child = crate::unpack::fs::open_nofollow(
                    dir,
                    &name,
                    rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::DIRECTORY,
                )?;
                total += tree_size(child.as_fd(), measure)?;
            }
            rustix::fs::FileType::RegularFile => {
                let size = u64::try_from(stat.st_size).unwrap_or(0);
                total += match measure {
                    Measure::Content => size,
                    Measure::Tar => size.div_ceil(BLOCK) * BLOCK,
                };
            }
            _ => {}
        }
    }
    Ok(total)
}

pub(crate) fn process_alive(pid: i32) -> bool {
    rustix::process::Pid::from_raw(pid)
        .is_some_and(|pid| rustix::process::test_kill_process(pid).is_ok())
}
