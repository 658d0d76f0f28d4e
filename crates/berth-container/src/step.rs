//! Build steps (`berth build`): a root filesystem made of layer snapshots and a fresh upper
//! directory, a process run in it on the runtime (RUN), and the upper directory taken back as a
//! layer, committed through the store as `commit` commits one, then kept as the snapshot of the
//! new layer so the next step stacks it without unpacking it again.
//!
//! A step is no container: it has no record, no name, no log and is never listed. Its directory
//! (`containers/steps/<random>`) is unmounted and removed when the [`Step`] is dropped, whether the
//! step succeeded or not; a berth killed in the middle leaves it for [`Step::sweep`].

use std::{
    io::Read,
    os::fd::{AsFd, OwnedFd},
    path::{Path, PathBuf},
    process::Stdio,
};

use berth_digest::Digest;
use berth_manifest::chain_ids;
use berth_store::Store;
use rustix::fs::FlockOperation;

use crate::{
    archive::{Source, TreeWriter},
    commit::gzip_layer,
    containers::Containers,
    error::{Error, Result},
    failure::RuntimeLog,
    network::UserNetwork,
    record,
    rootfs::{self, RootfsPaths},
    runtime::Runtime,
    snapshot::{self, Snapshots},
    spec::{self, ExtraHost, HostConfig, Network, Ulimit},
    unpack::{self, path::RootPath},
    user,
};

const STEPS_DIR: &str = "steps";

/// The steps of this process: their directories, and the runtime container of a RUN while it
/// runs, for [`Step::abort_all`].
static LIVE: std::sync::Mutex<Vec<LiveStep>> = std::sync::Mutex::new(Vec::new());

/// A step's directory, and its runtime and container ID while a RUN runs.
type LiveStep = (PathBuf, Option<(Runtime, String)>);

/// Set by [`Step::abort_all`]: the process is about to exit.
static ABORTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// After [`Step::abort_all`] the thread that ran a step waits for the exit the signal handler is
/// about to make, rather than report the RUN it killed as failed.
fn park_if_aborted() {
    while ABORTED.load(std::sync::atomic::Ordering::SeqCst) {
        std::thread::park();
    }
}

fn live() -> std::sync::MutexGuard<'static, Vec<LiveStep>> {
    LIVE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
const LOCK_FILE: &str = "lock";

/// What a RUN step runs and how.
#[derive(Debug, Clone, Default)]
pub struct StepProcess {
    pub args: Vec<String>,
    /// The complete environment, `KEY=VALUE` (nothing is added).
    pub env: Vec<String>,
    /// The working directory (absolute); the runtime creates it when missing.
    pub cwd: String,
    /// `USER` as written, resolved in the step's own /etc/passwd and /etc/group.
    pub user: String,
    pub network: Network,
    pub hostname: String,
    /// `--add-host` entries, appended to /etc/hosts.
    pub extra_hosts: Vec<ExtraHost>,
    /// `--shm-size` in bytes ([`crate::DEFAULT_SHM_SIZE`] when `None`).
    pub shm_size: Option<u64>,
    /// `--ulimit`s (a later one of the same name wins).
    pub ulimits: Vec<Ulimit>,
    /// `--runtime`; found on PATH when empty.
    pub runtime: String,
    /// Bind mounts (a RUN heredoc script at `/dev/pipes/NAME`).
    pub binds: Vec<crate::spec::Bind>,
}

/// A layer a step committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepLayer {
    /// The gzip blob in the store.
    pub blob: Digest,
    pub diff_id: Digest,
    pub size: u64,
}

/// One step's root filesystem: the stage's layers with a fresh upper directory.
pub struct Step<'s> {
    store: &'s Store,
    snapshots: Snapshots,
    runtime_root: PathBuf,
    dir: PathBuf,
    paths: RootfsPaths,
    /// Held while the step lives: [`Step::sweep`] leaves locked directories alone.
    _lock: std::fs::File,
}

/// What a step stacks: the stage's committed layers (blob, diff_id; base first), then the upper
/// directory of the step before it when that one is still being committed.
#[derive(Clone, Copy)]
pub struct Below<'a> {
    pub layers: &'a [(Digest, Digest)],
    pub pending: Option<&'a PendingCommit<'a>>,
}

impl<'s> Step<'s> {
    /// Mounts the overlay of `below` with a new upper directory: the stage's files exactly
    /// (COPY, ADD, WORKDIR, a `COPY --from` source).
    pub fn mount(containers: &Containers<'s>, below: Below<'_>) -> Result<Step<'s>> {
        Self::mount_with(containers, below, false)
    }

    /// [`Step::mount`] for a RUN: with the init layer on top (the mount points the runtime
    /// needs, so that it creates none in the upper directory and the layer holds none).
    pub fn mount_for_run(containers: &Containers<'s>, below: Below<'_>) -> Result<Step<'s>> {
        Self::mount_with(containers, below, true)
    }

    fn mount_with(containers: &Containers<'s>, below: Below<'_>, init: bool) -> Result<Step<'s>> {
        park_if_aborted();
        let base = containers.dir.join(STEPS_DIR);
        std::fs::create_dir_all(&base).map_err(Error::io(format!("create {}", base.display())))?;
        let dir = base.join(crate::names::random_hex::<16>());
        std::fs::create_dir(&dir).map_err(Error::io(format!("create {}", dir.display())))?;
        let lock = std::fs::File::create(dir.join(LOCK_FILE))
            .map_err(Error::io(format!("create {}", dir.display())))?;
        let _ = rustix::fs::flock(lock.as_fd(), FlockOperation::LockExclusive);
        live().push((dir.clone(), None));
        let step = Step {
            store: containers.store,
            snapshots: containers.snapshots(),
            runtime_root: containers.runtime_root(),
            paths: RootfsPaths::new(&dir),
            dir,
            _lock: lock,
        };
        std::fs::create_dir_all(step.dir.join("bundle"))
            .map_err(Error::io(format!("create {}", step.dir.display())))?;
        let mut lowers = step.snapshots.ensure(step.store, below.layers)?;
        if let Some(pending) = below.pending {
            lowers.push(pending.step.paths.upper.clone());
        }
        let mut lowers = snapshot::visible_lowers(lowers);
        if init {
            lowers.push(rootfs::make_init_layer(&step.dir)?);
        }
        rootfs::mount_overlay(&lowers, &step.paths, rootfs::Upper::Volatile)?;
        Ok(step)
    }

    /// Removes the step directories a killed berth left (none is locked by a live step).
    pub fn sweep(containers: &Containers<'_>) {
        let base = containers.dir.join(STEPS_DIR);
        let Ok(entries) = std::fs::read_dir(&base) else {
            return;
        };
        for entry in entries.flatten() {
            let dir = entry.path();
            let Ok(lock) = std::fs::File::open(dir.join(LOCK_FILE)) else {
                continue;
            };
            if rustix::fs::flock(lock.as_fd(), FlockOperation::NonBlockingLockExclusive).is_ok() {
                let _ = rootfs::unmount(&RootfsPaths::new(&dir).target);
                let _ = snapshot::remove_tree(&dir);
            }
        }
    }

    /// What an interrupted build leaves undone (the CLI calls it from its signal handler): the
    /// RUN containers of this process's steps are killed and deleted, their root filesystems
    /// unmounted and their directories removed.
    pub fn abort_all() {
        ABORTED.store(true, std::sync::atomic::Ordering::SeqCst);
        // The build network's helpers first: nothing may outlive the build.
        crate::network::kill_all();
        let steps = std::mem::take(&mut *live());
        for (_, running) in &steps {
            if let Some((runtime, id)) = running {
                let _ = runtime.kill(id, "KILL");
                let _ = runtime.delete(id, true);
            }
        }
        // Every mount first: a step being committed is a lower directory of the next one's.
        for (dir, _) in &steps {
            let _ = rootfs::unmount(&RootfsPaths::new(dir).target);
        }
        for (dir, _) in &steps {
            let _ = snapshot::remove_tree(dir);
        }
    }

    fn set_running(&self, running: Option<(Runtime, String)>) {
        if let Some(entry) = live().iter_mut().find(|(dir, _)| *dir == self.dir) {
            entry.1 = running;
        }
    }

    /// The step's mounted root directory (COPY and ADD write through it).
    pub fn rootfs(&self) -> Result<OwnedFd> {
        unpack::open_root(&self.paths.target)
    }

    /// Runs `process` in the step's root filesystem and returns its exit code; everything it
    /// writes (stdout and stderr together) goes to `output` as it comes. A process on
    /// [`Network::Slirp`] joins `network` (the build's [`UserNetwork`]), which it then needs.
    pub fn run(
        &self,
        process: &StepProcess,
        network: Option<&UserNetwork>,
        output: &mut dyn FnMut(&[u8]),
    ) -> Result<i32> {
        let user_network = match (process.network, network) {
            (Network::Slirp, Some(network)) => Some(network),
            (Network::Slirp, None) => {
                return Err(Error::NetworkSetup {
                    action: "join the build network".into(),
                    stderr: "no build network was started".into(),
                })
            }
            _ => None,
        };
        let runtime = Runtime::find(&process.runtime, &self.runtime_root)?;
        let etc = self.dir.join("etc");
        std::fs::create_dir_all(&etc).map_err(Error::io(format!("create {}", etc.display())))?;
        record::write_atomic(&etc.join("hosts"), hosts_file(process).as_bytes())?;
        record::write_atomic(
            &etc.join("resolv.conf"),
            spec::resolv_conf(process.network).as_bytes(),
        )?;
        record::write_atomic(
            &etc.join("hostname"),
            format!("{}\n", process.hostname).as_bytes(),
        )?;
        let root = self.rootfs()?;
        let passwd = user::read_database(root.as_fd(), "passwd")?;
        let group = user::read_database(root.as_fd(), "group")?;
        let exec_user = user::resolve_user(&process.user, &passwd, &group)?;
        drop(root);
        let config = berth_manifest::ContainerConfig {
            cmd: process.args.clone(),
            working_dir: process.cwd.clone(),
            ..Default::default()
        };
        let host = HostConfig {
            network: process.network,
            binds: process.binds.clone(),
            extra_hosts: process.extra_hosts.clone(),
            shm_size: process.shm_size,
            ulimits: process.ulimits.clone(),
            ..HostConfig::default()
        };
        let mut spec = spec::build_spec(&config, &host, &exec_user, &process.hostname, &etc)?;
        if let Some(network) = user_network {
            network.join(&mut spec);
        }
        if let Some(p) = spec.process_mut() {
            p.set_env(Some(process.env.clone()));
        }
        let bytes = serde_json::to_vec_pretty(&spec).map_err(|e| Error::Io {
            action: "serialize config.json".into(),
            source: e.into(),
        })?;
        let bundle = self.dir.join("bundle");
        record::write_atomic(&bundle.join("config.json"), &bytes)?;
        let id = format!(
            "berth-step-{}",
            self.dir.file_name().unwrap_or_default().to_string_lossy()
        );
        let log = RuntimeLog::create(&self.dir.join("runtime.log"), &self.dir.join("pid"))?;
        let (reader, writer) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)
            .map_err(|e| Error::io("create a pipe")(e.into()))?;
        let writer2 = writer.try_clone().map_err(Error::io("duplicate a pipe"))?;
        let mut reader = std::fs::File::from(reader);
        let mut command = runtime.run_command(&bundle, &id, log.path(), log.pid_file());
        command
            .stdin(Stdio::null())
            .stdout(Stdio::from(writer))
            .stderr(Stdio::from(writer2));
        self.set_running(Some((runtime.clone(), id.clone())));
        let spawned = command.spawn();
        drop(command);
        let mut child = spawned.map_err(Error::io(format!("run {}", runtime.name)))?;
        let mut buffer = vec![0_u8; 64 * 1024];
        loop {
            match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => {
                    if !log.is_echo(&buffer[..n]) {
                        output(&buffer[..n]);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io("read the step's output")(e)),
            }
        }
        let status = child.wait().map_err(Error::io("wait for the runtime"));
        park_if_aborted();
        let status = status?;
        let _ = runtime.delete(&id, true);
        self.set_running(None);
        let code = {
            use std::os::unix::process::ExitStatusExt;
            status
                .code()
                .or_else(|| status.signal().map(|s| 128 + s))
                .unwrap_or(crate::containers::LOST_EXIT_CODE)
        };
        if let Some(failure) =
            log.start_failure(code, process.args.first().map_or("", String::as_str))
        {
            return Err(Error::StartFailed(failure));
        }
        Ok(code)
    }

    /// Unmounts the step and commits its upper directory as a layer (gzip, through the store) on
    /// a thread of its own, so that the next step runs meanwhile, stacking the upper directory
    /// ([`Below::pending`]). Even an empty upper directory is a layer (Docker 20.10's BuildKit
    /// keeps a step that changed nothing as a layer with the empty tar's diff_id). The caller
    /// holds the store's content guard until an image references the blob.
    pub fn commit_in_background(self) -> Result<PendingCommit<'s>> {
        rootfs::unmount(&self.paths.target)?;
        let store = self.store.try_clone()?;
        let upper = self.paths.upper.clone();
        let worker = std::thread::Builder::new()
            .name("commit".to_owned())
            .spawn(move || commit_upper(&store, &upper))
            .map_err(Error::io("start a thread"))?;
        Ok(PendingCommit {
            step: self,
            worker: Some(worker),
        })
    }

    /// Keeps the upper directory as the snapshot of the layer just committed on top of `below`
    /// (best effort: without it the next step unpacks the layer instead).
    fn adopt_upper(&self, below: &[(Digest, Digest)], diff_id: &Digest) {
        let mut diff_ids: Vec<Digest> = below.iter().map(|(_, d)| d.clone()).collect();
        diff_ids.push(diff_id.clone());
        let Some(chain) = chain_ids(&diff_ids).pop() else {
            return;
        };
        let target = self.snapshots.dir().join(chain.encoded());
        if !target.exists() {
            let _ = std::fs::rename(&self.paths.upper, &target);
        }
    }
}

/// The layer of a step's upper directory, written to the store.
fn commit_upper(store: &Store, upper: &Path) -> Result<StepLayer> {
    let (pending, info) = gzip_layer(store, None, |layer| {
        let upper = unpack::open_root(upper)?;
        let mut tree = TreeWriter::new(layer, Source::OverlayUpper);
        tree.append_tree(upper.as_fd(), &RootPath(Vec::new()))?;
        tree.finish()
    })?;
    let diff_id = info.diff_id.clone();
    let size = pending.size();
    let blob = store.commit_blob(pending, None)?;
    let _ = store.record_layer(&blob, &info);
    Ok(StepLayer {
        blob,
        diff_id,
        size,
    })
}

/// A step whose layer is being written ([`Step::commit_in_background`]). Dropped unfinished (a
/// later step failed), it waits for its thread, then removes the step as a dropped [`Step`] does.
pub struct PendingCommit<'s> {
    step: Step<'s>,
    worker: Option<std::thread::JoinHandle<Result<StepLayer>>>,
}

impl PendingCommit<'_> {
    /// Waits for the layer, then keeps the upper directory as its snapshot on top of `below`
    /// (the layers under the step, all committed by now).
    pub fn finish(mut self, below: &[(Digest, Digest)]) -> Result<StepLayer> {
        let layer = self.wait();
        park_if_aborted();
        let layer = layer?;
        self.step.adopt_upper(below, &layer.diff_id);
        Ok(layer)
    }

    fn wait(&mut self) -> Result<StepLayer> {
        let worker = self.worker.take().expect("a commit is waited for once");
        match worker.join() {
            Ok(layer) => layer,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

impl Drop for PendingCommit<'_> {
    fn drop(&mut self) {
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

impl Drop for Step<'_> {
    fn drop(&mut self) {
        live().retain(|(dir, _)| *dir != self.dir);
        if let Err(e) = rootfs::unmount(&self.paths.target) {
            tracing::warn!(error = %berth_store::error_chain(&e), "could not unmount a build step");
        }
        let _ = snapshot::remove_tree(&self.dir);
    }
}

/// The snapshot directories of `layers` (base first), unpacking the missing ones.
pub fn snapshot_dirs(
    containers: &Containers<'_>,
    layers: &[(Digest, Digest)],
) -> Result<Vec<PathBuf>> {
    containers.snapshots().ensure(containers.store, layers)
}

/// BuildKit's /etc/hosts for a build container, with the `--add-host` entries.
fn hosts_file(process: &StepProcess) -> String {
    let mut hosts = format!(
        "127.0.0.1\tlocalhost {}\n::1\tlocalhost ip6-localhost ip6-loopback\n",
        process.hostname
    );
    for extra in &process.extra_hosts {
        hosts.push_str(&extra.line());
    }
    hosts
}

/// Where a step writes; for tests.
impl Step<'_> {
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}
