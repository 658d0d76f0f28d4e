//! The steps that write a layer: RUN in a container, WORKDIR's directory, COPY and ADD. Each
//! mounts the stage's layers with a fresh upper directory (berth_container::Step), changes it,
//! and commits the upper directory as the step's layer.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use std::cell::RefCell;

use berth_container::{Below, Containers, Network, PendingCommit, Step, StepProcess, UserNetwork};
use berth_digest::Digest;
use berth_dockerfile::{Instruction, PROXY_ARGS};
use berth_manifest::media_type;
use rustix::fs::{Mode, OFlags, ResolveFlags};

use crate::build::{BuildOptions, StageResult};
use crate::cache::{self, Cache};
use crate::copy::{CopyKind, CopyRequest, SourceRoot};
use crate::error::{Error, Result};
use crate::progress::Progress;

/// BuildKit's host name for build containers.
pub const HOSTNAME: &str = "buildkitsandbox";

/// A layer of a stage: its blob (as stored), diff_id, size and media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerRef {
    pub blob: Digest,
    pub diff_id: Digest,
    pub size: u64,
    pub media_type: String,
    /// When the step that wrote it ran (its history time); empty for a base image's layers.
    pub created: String,
}

impl LayerRef {
    /// The layers of a stored image, base first.
    pub fn of_image(image: &berth_store::Image) -> Result<Vec<LayerRef>> {
        let pairs = berth_container::image_layers(image)?;
        Ok(image
            .manifest
            .layers()
            .iter()
            .zip(pairs)
            .map(|(descriptor, (blob, diff_id))| LayerRef {
                blob,
                diff_id,
                size: descriptor.size(),
                media_type: media_type::oci_layer_type(descriptor.media_type().as_ref()).to_owned(),
                created: String::new(),
            })
            .collect())
    }
}

fn pairs(layers: &[LayerRef]) -> Vec<(Digest, Digest)> {
    layers
        .iter()
        .map(|l| (l.blob.clone(), l.diff_id.clone()))
        .collect()
}

/// A step whose layer is still being written on its own thread while the next steps run on top
/// of its upper directory; [`Committing::finish`] waits for it.
pub(crate) struct Committing<'s> {
    commit: PendingCommit<'s>,
    key: Digest,
    /// When the step completed (its history time).
    created: String,
}

impl Committing<'_> {
    /// When the step completed.
    pub fn created(&self) -> &str {
        &self.created
    }

    /// The layer, once written, on top of `below` (the stage's layers under it); recorded in the
    /// cache under the step's key.
    pub fn finish(self, runner: &StepRunner<'_, '_>, below: &[LayerRef]) -> Result<LayerRef> {
        let layer = self.commit.finish(&pairs(below))?;
        let layer = LayerRef {
            blob: layer.blob,
            diff_id: layer.diff_id,
            size: layer.size,
            media_type: media_type::OCI_LAYER_TAR_GZIP.to_owned(),
            created: self.created,
        };
        runner.remember(&self.key, &layer);
        Ok(layer)
    }
}

/// What a layer step left: a layer from the cache, or a layer being committed.
pub(crate) enum Stepped<'s> {
    Cached(LayerRef, Digest),
    Committing(Committing<'s>),
}

impl Stepped<'_> {
    /// The step's cache key (the parent of the next step's).
    pub fn key(&self) -> &Digest {
        match self {
            Stepped::Cached(_, key) => key,
            Stepped::Committing(committing) => &committing.key,
        }
    }
}

/// The stage below a step: its committed layers and the step still being committed on them.
#[derive(Clone, Copy)]
pub(crate) struct Stage<'r, 's> {
    pub result: &'r StageResult,
    pub pending: Option<&'r Committing<'s>>,
}

impl Stage<'_, '_> {
    fn mount<'s>(&self, containers: &Containers<'s>, run: bool) -> Result<Step<'s>> {
        let layers = pairs(&self.result.layers);
        let below = Below {
            layers: &layers,
            pending: self.pending.map(|p| &p.commit),
        };
        Ok(if run {
            Step::mount_for_run(containers, below)?
        } else {
            Step::mount(containers, below)?
        })
    }
}

fn now() -> String {
    berth_manifest::timefmt::format_rfc3339_nano(time::OffsetDateTime::now_utc())
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

pub(crate) struct StepRunner<'a, 's> {
    containers: &'a Containers<'s>,
    options: &'a BuildOptions<'a>,
    cache: Cache,
    /// The build's user-mode network, started by the first RUN on it; stopped when the runner
    /// is dropped (the build's end, its failure), or by `Step::abort_all` on an interrupt.
    network: RefCell<Option<UserNetwork>>,
}

impl<'a, 's> StepRunner<'a, 's> {
    pub fn new(
        containers: &'a Containers<'s>,
        options: &'a BuildOptions<'a>,
    ) -> Result<StepRunner<'a, 's>> {
        Ok(StepRunner {
            containers,
            options,
            cache: Cache::open(containers.store())?,
            network: RefCell::new(None),
        })
    }

    /// The build network, started when first needed.
    fn user_network(&self) -> Result<std::cell::Ref<'_, Option<UserNetwork>>> {
        if self.network.borrow().is_none() {
            let network = UserNetwork::start()?;
            *self.network.borrow_mut() = Some(network);
        }
        Ok(self.network.borrow())
    }

    /// The layer cached under `key`, unless `--no-cache`.
    fn cached(&self, key: &Digest) -> Option<LayerRef> {
        if self.options.no_cache {
            return None;
        }
        self.cache.get(self.containers.store(), key)
    }

    /// Records a completed step (a cache that cannot be written only costs the next build time).
    pub(crate) fn remember(&self, key: &Digest, layer: &LayerRef) {
        if let Err(e) = self.cache.put(key, layer) {
            tracing::warn!(error = %e, "the build cache record was not written");
        }
    }

    /// The process environment of a RUN: the stage's variables (base ENV, ENV, ARGs), then the
    /// proxy build args not declared (BuildKit's `ProxyEnv`, in both cases of each name).
    fn env(&self, result: &StageResult) -> Vec<String> {
        let mut env: Vec<String> = result
            .scope
            .vars
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        for name in [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "FTP_PROXY",
            "NO_PROXY",
            "ALL_PROXY",
        ] {
            let value = self
                .options
                .build_args
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name) && PROXY_ARGS.contains(&k.as_str()))
                .map(|(_, v)| v.clone());
            if let Some(value) = value {
                for key in [name.to_owned(), name.to_ascii_lowercase()] {
                    if !env
                        .iter()
                        .any(|e| e.split('=').next() == Some(key.as_str()))
                    {
                        env.push(format!("{key}={value}"));
                    }
                }
            }
        }
        env
    }

    /// RUN: the command in a container on the stage's root filesystem. Its key: the parent's,
    /// the command, its environment, working directory, user and network.
    pub fn run(
        &self,
        stage: Stage<'_, 's>,
        args: &[String],
        script: Option<&(String, String)>,
        network: Option<berth_container::Network>,
        name: &str,
        progress: &mut Progress,
    ) -> Result<Stepped<'s>> {
        let vertex = progress.start(name);
        let result = stage.result;
        let config = result.image.container_ref();
        let process = StepProcess {
            args: args.to_vec(),
            env: self.env(result),
            cwd: if config.working_dir.is_empty() {
                "/".to_owned()
            } else {
                config.working_dir.clone()
            },
            user: config.user.clone(),
            network: network.unwrap_or(self.options.network),
            hostname: HOSTNAME.to_owned(),
            extra_hosts: self.options.add_hosts.clone(),
            shm_size: self.options.shm_size,
            ulimits: self.options.ulimits.clone(),
            runtime: self.options.runtime.clone(),
            binds: Vec::new(),
        };
        let key = cache::key(&[
            &result.key.to_string(),
            "RUN",
            &json(&process.args),
            &json(&process.env),
            &process.cwd,
            &process.user,
            process.network.name(),
            &json(&process.extra_hosts),
            &json(&process.shm_size),
            &json(&process.ulimits),
            &json(&script),
        ]);
        if let Some(layer) = self.cached(&key) {
            progress.cached(&vertex);
            return Ok(Stepped::Cached(layer, key));
        }
        let outcome = (|| {
            let step = stage.mount(self.containers, true)?;
            let mut process = process;
            if let Some((name, data)) = script {
                // The heredoc script, mounted read-only where BuildKit mounts it.
                let dir = step.dir().join("pipes");
                std::fs::create_dir_all(&dir).map_err(Error::io("create the heredoc script"))?;
                let file = dir.join(name);
                std::fs::write(&file, data).map_err(Error::io("write the heredoc script"))?;
                std::fs::set_permissions(
                    &file,
                    std::os::unix::fs::PermissionsExt::from_mode(0o755),
                )
                .map_err(Error::io("write the heredoc script"))?;
                process.binds.push(berth_container::Bind {
                    source: file.to_string_lossy().into_owned(),
                    destination: format!("{}/{name}", crate::config::HEREDOC_PIPES),
                    read_only: true,
                });
            }
            let network = if process.network == Network::Slirp {
                Some(self.user_network()?)
            } else {
                None
            };
            let network = network.as_ref().and_then(|n| n.as_ref());
            let code = step.run(&process, network, &mut |bytes| {
                progress.output(&vertex, bytes);
            })?;
            Ok::<_, Error>((step, code))
        })();
        let (step, code) = match outcome {
            Ok(done) => done,
            Err(e) => {
                progress.error(vertex, &e.to_string());
                return Err(e);
            }
        };
        if code != 0 {
            let error = Error::RunFailed {
                command: args.join(" "),
                code,
            };
            progress.error(vertex, &error.to_string());
            return Err(error);
        }
        commit_step(progress, vertex, key, Ok(step))
    }

    /// WORKDIR: the directory and its missing parents, mode 0755, owned by the stage's user.
    pub fn mkdir(
        &self,
        stage: Stage<'_, 's>,
        dir: &str,
        name: &str,
        progress: &mut Progress,
    ) -> Result<Stepped<'s>> {
        let vertex = progress.start(name);
        let user = stage.result.image.container_ref().user;
        let key = cache::key(&[&stage.result.key.to_string(), "WORKDIR", dir, &user]);
        if let Some(layer) = self.cached(&key) {
            progress.cached(&vertex);
            return Ok(Stepped::Cached(layer, key));
        }
        let outcome = (|| {
            let step = stage.mount(self.containers, false)?;
            let root = step.rootfs()?;
            let owner = if user.is_empty() {
                None
            } else {
                let passwd = berth_container::read_database(root.as_fd(), "passwd")?;
                let group = berth_container::read_database(root.as_fd(), "group")?;
                let user = berth_container::resolve_user(&user, &passwd, &group)?;
                Some((user.uid, user.gid))
            };
            mkdir_all(root.as_fd(), dir, owner)?;
            drop(root);
            Ok(step)
        })();
        commit_step(progress, vertex, key, outcome)
    }

    /// COPY and ADD, through the `copy` module, from the context or `from` (a stage's or an
    /// image's layers, mounted for the copy). Their key: the parent's, the instruction as
    /// expanded, and the sources' content digest.
    pub fn copy(
        &self,
        stage: Stage<'_, 's>,
        instruction: &Instruction,
        from: Option<&[LayerRef]>,
        name: &str,
        progress: &mut Progress,
    ) -> Result<Stepped<'s>> {
        let vertex = progress.start(name);
        let result = stage.result;
        let workdir = result.image.container_ref().working_dir;
        let workdir = if workdir.is_empty() {
            "/".to_owned()
        } else {
            workdir
        };
        let mut key = None;
        let outcome = (|| {
            let source_step = match from {
                Some(layers) => Some(Step::mount(
                    self.containers,
                    Below {
                        layers: &pairs(layers),
                        pending: None,
                    },
                )?),
                None => None,
            };
            let source_root: Option<OwnedFd> = match &source_step {
                Some(step) => Some(step.rootfs()?),
                None => None,
            };
            let source = match &source_root {
                Some(fd) => SourceRoot::Rootfs(fd.as_fd()),
                None => match self.options.context {
                    Some(context) => SourceRoot::Context(context),
                    None => {
                        return Err(Error::Invalid(
                            "no build context: COPY and ADD need one".to_owned(),
                        ))
                    }
                },
            };
            let parent = result.key.to_string();
            let expanded = format!("{instruction:?}");
            let step_key = |checksum: &Digest| {
                cache::key(&[&parent, &expanded, &workdir, &checksum.to_string()])
            };
            let checksum = || {
                with_request(instruction, &workdir, self.options, |request| {
                    crate::copy::sources_checksum(&source, request)
                })
            };
            let copy = |root: BorrowedFd<'_>| {
                with_request(instruction, &workdir, self.options, |request| {
                    crate::copy::copy(&source, root, request)
                })
            };
            // No record can match: copy while the sources are hashed (their first hashing reads
            // every file, as the copy does), instead of hashing first to look the key up.
            let copies = cache::key(&[&parent, &expanded, &workdir]);
            if matches!(instruction, Instruction::Copy(_))
                && (self.options.no_cache || !self.cache.has_copies(&copies))
            {
                let step = stage.mount(self.containers, false)?;
                let root = step.rootfs()?;
                let (checksum, copied) = std::thread::scope(|scope| {
                    let hashing = std::thread::Builder::new()
                        .name("checksum".to_owned())
                        .spawn_scoped(scope, checksum)
                        .map_err(Error::io("start hashing the sources"))?;
                    let copied = copy(root.as_fd());
                    let checksum = hashing.join().unwrap_or_else(|_| {
                        Err(Error::Invalid("hashing the sources failed".to_owned()))
                    });
                    Ok::<_, Error>((checksum, copied))
                })?;
                // The errors the hashing gives first, as when it runs before the copy.
                let step_key = step_key(&checksum?);
                copied?;
                self.cache.mark_copies(&copies);
                key = Some(step_key.clone());
                if self.cached(&step_key).is_some() {
                    return Ok(None);
                }
                return Ok(Some(step));
            }
            let step_key = step_key(&checksum()?);
            key = Some(step_key.clone());
            if self.cached(&step_key).is_some() {
                return Ok(None);
            }
            let step = stage.mount(self.containers, false)?;
            let root = step.rootfs()?;
            copy(root.as_fd())?;
            drop(root);
            drop(source_root);
            drop(source_step);
            Ok(Some(step))
        })();
        match (outcome, key) {
            (Ok(None), Some(key)) => {
                let layer = self
                    .cached(&key)
                    .ok_or_else(|| Error::Invalid("the cache record vanished".to_owned()))?;
                progress.cached(&vertex);
                Ok(Stepped::Cached(layer, key))
            }
            (Ok(Some(step)), Some(key)) => commit_step(progress, vertex, key, Ok(step)),
            (Err(e), _) => {
                progress.error(vertex, &e.to_string());
                Err(e)
            }
            (Ok(_), None) => unreachable!("a key is made before any layer"),
        }
    }
}

/// A step done: its layer is committed on a thread of its own (the step is done for the
/// progress, as BuildKit's steps are before their layers are exported).
fn commit_step<'s>(
    progress: &mut Progress,
    vertex: crate::progress::Vertex,
    key: Digest,
    outcome: Result<Step<'s>>,
) -> Result<Stepped<'s>> {
    let created = now();
    match outcome.and_then(|step| Ok(step.commit_in_background()?)) {
        Ok(commit) => {
            progress.done(vertex);
            Ok(Stepped::Committing(Committing {
                commit,
                key,
                created,
            }))
        }
        Err(e) => {
            progress.error(vertex, &e.to_string());
            Err(e)
        }
    }
}

/// The [`CopyRequest`] of a COPY or ADD, handed to `f`.
fn with_request<T>(
    instruction: &Instruction,
    workdir: &str,
    options: &BuildOptions<'_>,
    f: impl FnOnce(&CopyRequest<'_>) -> Result<T>,
) -> Result<T> {
    match instruction {
        Instruction::Copy(copy) => f(&CopyRequest {
            sources: &copy.paths.sources,
            contents: &copy.paths.contents,
            dest: &copy.paths.dest,
            workdir,
            chown: copy.chown.as_deref(),
            chmod: copy.chmod.as_deref(),
            exclude: &copy.exclude,
            parents: copy.parents,
            kind: CopyKind::Copy,
        }),
        Instruction::Add(add) => f(&CopyRequest {
            sources: &add.paths.sources,
            contents: &add.paths.contents,
            dest: &add.paths.dest,
            workdir,
            chown: add.chown.as_deref(),
            chmod: add.chmod.as_deref(),
            exclude: &add.exclude,
            parents: false,
            kind: CopyKind::Add {
                checksum: add.checksum.as_deref(),
                unpack: add.unpack,
                fetch: options.fetch,
            },
        }),
        _ => Err(Error::Invalid(format!(
            "{} copies nothing",
            instruction.keyword()
        ))),
    }
}

/// `mkdir -p` inside `root`: every component resolved inside it (symlinks followed, never out
/// of it: a dangling link's target is created inside the root); directories created 0755 and
/// given to `owner`.
pub fn mkdir_all(root: BorrowedFd<'_>, dir: &str, owner: Option<(u32, u32)>) -> Result<()> {
    mkdir_in(root, dir, owner, 0)
}

/// Links followed before giving up (Linux's own limit).
const MAX_LINKS: usize = 40;

fn mkdir_in(
    root: BorrowedFd<'_>,
    dir: &str,
    owner: Option<(u32, u32)>,
    depth: usize,
) -> Result<()> {
    if depth > MAX_LINKS {
        return Err(Error::Invalid(format!(
            "mkdir {dir}: too many levels of symbolic links"
        )));
    }
    let components: Vec<&str> = dir
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    let resolve = ResolveFlags::IN_ROOT | ResolveFlags::NO_MAGICLINKS;
    let flags = OFlags::DIRECTORY | OFlags::RDONLY | OFlags::CLOEXEC;
    let open = |path: &str| {
        rustix::fs::openat2(
            root,
            if path.is_empty() { "." } else { path },
            flags,
            Mode::empty(),
            resolve,
        )
    };
    let mut parent: OwnedFd = open("").map_err(|e| Error::io(format!("open {dir}"))(e.into()))?;
    let mut path = String::new();
    for component in components {
        let parent_path = path.clone();
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(component);
        match open(&path) {
            Ok(fd) => parent = fd,
            Err(rustix::io::Errno::NOENT) => {
                match rustix::fs::mkdirat(&parent, component, Mode::from_raw_mode(0o755)) {
                    Ok(()) => {}
                    // A dangling symlink: its target is made (inside the root), then used.
                    Err(rustix::io::Errno::EXIST) => {
                        let target = rustix::fs::readlinkat(&parent, component, Vec::new())
                            .map_err(|e| Error::io(format!("mkdir /{path}"))(e.into()))?;
                        let target = target.to_string_lossy().into_owned();
                        let target = if target.starts_with('/') {
                            target
                        } else {
                            format!("/{parent_path}/{target}")
                        };
                        mkdir_in(root, &target, owner, depth + 1)?;
                        parent = open(&path)
                            .map_err(|e| Error::io(format!("open /{path}"))(e.into()))?;
                        continue;
                    }
                    Err(e) => return Err(Error::io(format!("mkdir /{path}"))(e.into())),
                }
                let fd = open(&path).map_err(|e| Error::io(format!("open /{path}"))(e.into()))?;
                if let Some((uid, gid)) = owner {
                    rustix::fs::fchown(
                        &fd,
                        Some(rustix::fs::Uid::from_raw(uid)),
                        Some(rustix::fs::Gid::from_raw(gid)),
                    )
                    .map_err(|e| Error::io(format!("chown /{path}"))(e.into()))?;
                }
                // The mode exactly, whatever the umask.
                rustix::fs::fchmod(&fd, Mode::from_raw_mode(0o755))
                    .map_err(|e| Error::io(format!("chmod /{path}"))(e.into()))?;
                parent = fd;
            }
            Err(rustix::io::Errno::NOTDIR) => {
                return Err(Error::Invalid(format!("mkdir /{path}: not a directory")))
            }
            Err(e) => return Err(Error::io(format!("open /{path}"))(e.into())),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mkdir_all_stays_inside_the_root() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("escape")).unwrap();
        std::os::unix::fs::symlink("/real", root.path().join("link")).unwrap();
        std::fs::create_dir(root.path().join("real")).unwrap();
        let fd = rustix::fs::open(
            root.path(),
            OFlags::DIRECTORY | OFlags::RDONLY,
            Mode::empty(),
        )
        .unwrap();
        for (dir, made) in [
            ("/a/b/c", "a/b/c"),
            ("/escape/x", "tmp"),
            ("link/y", "real/y"),
            ("/../../z", "z"),
        ] {
            mkdir_all(fd.as_fd(), dir, None).unwrap();
            let path = root.path().join(made);
            assert!(path.is_dir(), "{dir}");
        }
        // `/escape` resolved inside the root: the outside directory is untouched.
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
        std::fs::write(root.path().join("file"), "").unwrap();
        assert!(mkdir_all(fd.as_fd(), "/file/x", None).is_err());
    }
}
