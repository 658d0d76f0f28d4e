//! The build driver: the planned stages, each from its base, instruction by instruction, as
//! BuildKit's dispatcher runs them; then the target's image, stored and tagged.

use std::collections::BTreeMap;

use berth_container::{Containers, ExtraHost, Network, Ulimit};
use berth_digest::Digest;
use berth_dockerfile::{
    expand, parse, parse_instructions, predefined_args, ArgDefinition, Dockerfile, Instruction,
    Lexer, Located, Platform, Scope,
};
use berth_reference::Reference;
use berth_store::Store;

use crate::config::{base_config, history, run_created_by, scratch_config, StageImage};
use crate::context::Context;
use crate::copy::Fetch;
use crate::error::{Error, Result};
use crate::plan::{plan, Base, CopySource, PlannedStage};
use crate::progress::Progress;
use crate::steps::{Committing, LayerRef, Stage, StepRunner, Stepped};

/// What `berth build` asks for.
pub struct BuildOptions<'a> {
    /// The Dockerfile's text.
    pub dockerfile: &'a str,
    /// Its name in messages (`Dockerfile`).
    pub dockerfile_name: &'a str,
    /// `--build-arg`s with their values.
    pub build_args: BTreeMap<String, String>,
    /// `--target`.
    pub target: Option<&'a str>,
    /// The target platform (the host's: `--platform` must name it).
    pub platform: Platform,
    /// `--label`s, set on the target's config.
    pub labels: BTreeMap<String, String>,
    /// `-t` names.
    pub tags: Vec<Reference>,
    /// `--no-cache`.
    pub no_cache: bool,
    /// The network of RUN steps (`--network`, [`Network::parse_build`]): on [`Network::Slirp`]
    /// the build starts one user-mode network when a RUN first needs it and stops it at the end.
    pub network: Network,
    /// `--add-host` entries, in every RUN's /etc/hosts.
    pub add_hosts: Vec<ExtraHost>,
    /// `--shm-size` of every RUN, in bytes (Docker's 64 MiB when `None`).
    pub shm_size: Option<u64>,
    /// `--ulimit`s of every RUN.
    pub ulimits: Vec<Ulimit>,
    /// The OCI runtime (`runc`/`crun`, found on PATH when empty).
    pub runtime: String,
    /// The build context (none for a Dockerfile given alone).
    pub context: Option<&'a Context>,
    /// ADD's downloads.
    pub fetch: &'a dyn Fetch,
}

/// What a build made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// The image ID (its config's digest).
    pub id: Digest,
    pub manifest: Digest,
}

/// A stage's result: its image and layers, and the variables its state carries.
#[derive(Clone)]
pub(crate) struct StageResult {
    pub image: StageImage,
    pub layers: Vec<LayerRef>,
    pub scope: Scope,
    /// The cache key of the stage's last layer step (of its base at the start).
    pub key: Digest,
}

impl StageResult {
    /// A layer on top of the stage's, in its config too.
    fn add_layer(&mut self, layer: LayerRef) {
        self.image
            .config
            .rootfs
            .diff_ids
            .push(layer.diff_id.clone());
        self.layers.push(layer);
    }
}

/// Builds the Dockerfile. Base images must be in the store (the CLI pulls them first with
/// [`crate::Plan::images`]). Nothing is named unless the whole build succeeds.
pub fn build(store: &Store, options: &BuildOptions<'_>, progress: &mut Progress) -> Result<Built> {
    let vertex = progress.start(&format!(
        "[internal] load build definition from {}",
        options.dockerfile_name
    ));
    progress.status(
        &vertex,
        &format!("transferring dockerfile: {}B", options.dockerfile.len()),
        true,
    );
    let dockerfile = match parse(options.dockerfile) {
        Ok(dockerfile) => dockerfile,
        Err(e) => {
            progress.error(vertex, &e.to_string());
            return Err(e.into());
        }
    };
    progress.done(vertex);
    let vertex = progress.start("[internal] load .dockerignore");
    progress.done(vertex);
    let predefined = predefined_args(
        &options.platform,
        &options.platform,
        options.target,
        &options.build_args,
    );
    let global = Scope::global(&dockerfile, predefined, &options.build_args)?;
    let plan = plan(&dockerfile, &global, options.target)?;
    // The content guard keeps GC away from the layers written until the image names them.
    let _guard = store.content_guard()?;
    let containers = Containers::open(store)?;
    // And the snapshot guard keeps `system prune` from the snapshots the steps stack.
    let _snapshots = containers.snapshot_guard()?;
    berth_container::Step::sweep(&containers);
    let mut bases = BTreeMap::new();
    for name in plan.images() {
        let vertex = progress.start(&format!(
            "[internal] load metadata for {}",
            normalized(name)
        ));
        match store.resolve(name) {
            Ok(image) => {
                bases.insert(name.to_owned(), image);
                progress.done(vertex);
            }
            Err(berth_store::Error::NoSuchImage(_)) => {
                let error = Error::NoBaseImage(normalized(name));
                progress.error(vertex, &error.to_string());
                return Err(error);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let named_stages = plan.stages.len() > 1 || dockerfile.stages.len() > 1;
    let mut builder = Builder {
        options,
        dockerfile: &dockerfile,
        global: &global,
        lexer: Lexer::new(dockerfile.directives.escape),
        runner: StepRunner::new(&containers, options)?,
        bases: &bases,
        results: BTreeMap::new(),
        current_copy_source: None,
        pending: None,
    };
    let target_index = plan.target().index;
    for stage in &plan.stages {
        check_platform(&dockerfile, &global, stage.index, &options.platform)?;
        let label = stage_label(&dockerfile, stage.index, named_stages);
        let mut result = builder.stage(stage, label, progress)?;
        // The target's last layer is waited for by the export.
        if stage.index != target_index {
            builder.settle(&mut result)?;
        }
        builder.results.insert(stage.index, result);
    }
    let mut target = builder
        .results
        .remove(&target_index)
        .expect("the target stage was built");
    let vertex = progress.start("exporting to image");
    if let Err(e) = builder.settle(&mut target) {
        progress.error(vertex, &e.to_string());
        return Err(e);
    }
    crate::image::store_image(store, target, options, progress, vertex)
}

/// The images a build of `dockerfile` reads (FROM and `COPY --from` images of the stages the
/// target needs), as written: what the CLI resolves in the store or pulls before [`build`].
pub fn base_images(
    dockerfile: &str,
    build_args: &BTreeMap<String, String>,
    target: Option<&str>,
    platform: &Platform,
) -> Result<Vec<String>> {
    let dockerfile = parse(dockerfile)?;
    let predefined = predefined_args(platform, platform, target, build_args);
    let global = Scope::global(&dockerfile, predefined, build_args)?;
    let plan = plan(&dockerfile, &global, target)?;
    Ok(plan.images().into_iter().map(str::to_owned).collect())
}

/// `FROM --platform=P` (expanded with the global scope) must be the build's platform: berth runs
/// RUN natively and pulls the host's platform of an index.
fn check_platform(
    dockerfile: &Dockerfile,
    global: &Scope,
    index: usize,
    platform: &Platform,
) -> Result<()> {
    let stage = &dockerfile.stages[index];
    let Some(written) = &stage.from.platform else {
        return Ok(());
    };
    let lexer = Lexer::new(dockerfile.directives.escape);
    let at = |message: String| Error::At {
        lines: stage.lines,
        source: Box::new(Error::Invalid(message)),
    };
    let value = lexer.word(written, &global.vars).map_err(|e| {
        at(format!(
            "failed to process arguments for platform {written}: {e}"
        ))
    })?;
    let wanted = berth_manifest::Platform::parse(&value)
        .map_err(|e| at(format!("failed to parse platform {value}: {e}")))?;
    let build = berth_manifest::Platform::parse(&platform.format()).map_err(|e| {
        at(format!(
            "failed to parse platform {}: {e}",
            platform.format()
        ))
    })?;
    if wanted.matches(&build) {
        Ok(())
    } else {
        Err(at(format!(
            "platform {value} is not supported: berth builds for the host's platform ({})",
            platform.format()
        )))
    }
}

/// BuildKit's name for a stage in progress: its name, `stage-N`, or none for a lone stage.
fn stage_label(dockerfile: &Dockerfile, index: usize, named: bool) -> Option<String> {
    if !named {
        return None;
    }
    Some(
        dockerfile.stages[index]
            .name()
            .map_or_else(|| format!("stage-{index}"), str::to_owned),
    )
}

/// `docker.io/library/alpine:latest` for `alpine` (BuildKit's `TagNameOnly`).
pub(crate) fn normalized(name: &str) -> String {
    match Reference::parse_normalized(name) {
        Ok(reference) => {
            let reference = if reference.digest().is_some() {
                reference
            } else {
                reference.with_default_tag()
            };
            reference.to_string()
        }
        Err(_) => name.to_owned(),
    }
}

struct Builder<'a, 's> {
    options: &'a BuildOptions<'a>,
    dockerfile: &'a Dockerfile,
    global: &'a Scope,
    lexer: Lexer,
    runner: StepRunner<'a, 's>,
    bases: &'a BTreeMap<String, berth_store::Image>,
    results: BTreeMap<usize, StageResult>,
    /// The `--from` source of the COPY being dispatched.
    current_copy_source: Option<CopySource>,
    /// The stage's last layer step while its layer is being committed (one at a time: the next
    /// step runs on its upper directory; the one after waits for it), and the lines a failure to
    /// write its layer is reported at.
    pending: Option<(Committing<'s>, berth_dockerfile::Lines)>,
}

/// Where a stage is in its `[stage k/n]` count.
pub(crate) struct Counter {
    pub label: Option<String>,
    pub index: usize,
    pub total: usize,
}

impl Counter {
    /// BuildKit's `prefixCommand`: `[name k/n] ` with k padded to n's width.
    pub fn prefix(&mut self, text: &str) -> String {
        if self.total == 0 {
            return text.to_owned();
        }
        self.index += 1;
        let width = self.total.to_string().len();
        let name = self
            .label
            .as_ref()
            .map_or_else(String::new, |l| format!("{l} "));
        format!("[{name}{:>width$}/{}] {text}", self.index, self.total)
    }
}

impl<'s> Builder<'_, 's> {
    /// What the next step of `result` stacks: its layers and the step still being committed.
    fn below_step<'r>(&'r self, result: &'r StageResult) -> Stage<'r, 's> {
        Stage {
            result,
            pending: self.pending.as_ref().map(|(committing, _)| committing),
        }
    }

    /// The stage with the layer of its pending step added (waited for).
    fn settle(&mut self, result: &mut StageResult) -> Result<()> {
        if let Some((committing, place)) = self.pending.take() {
            let layer = committing
                .finish(&self.runner, &result.layers)
                .map_err(|e| at(place, e))?;
            result.add_layer(layer);
        }
        Ok(())
    }

    /// A layer step's layer and history entry (at the time the step ran, kept by the cache);
    /// `buildkit` adds ` # buildkit` (steps `commitToHistory` gets a state for: RUN, COPY, ADD).
    /// The layer of the step before is waited for first: this one goes on top of it.
    fn push_layer(
        &mut self,
        result: &mut StageResult,
        place: berth_dockerfile::Lines,
        created_by: &str,
        stepped: Stepped<'s>,
        buildkit: bool,
    ) -> Result<()> {
        result.key = stepped.key().clone();
        self.settle(result)?;
        let created = match &stepped {
            Stepped::Cached(layer, _) => layer.created.clone(),
            Stepped::Committing(committing) => committing.created().to_owned(),
        };
        let mut entry = history(created_by, buildkit, &created);
        entry.empty_layer = false;
        result.image.config.history.push(entry);
        match stepped {
            Stepped::Cached(layer, _) => result.add_layer(layer),
            Stepped::Committing(committing) => self.pending = Some((committing, place)),
        }
        Ok(())
    }

    fn stage(
        &mut self,
        planned: &PlannedStage,
        label: Option<String>,
        progress: &mut Progress,
    ) -> Result<StageResult> {
        let stage = &self.dockerfile.stages[planned.index];
        let lines = stage.lines;
        let steps = stage
            .instructions
            .iter()
            .filter(|l| {
                matches!(
                    l.instruction,
                    Instruction::Run(_)
                        | Instruction::Copy(_)
                        | Instruction::Add(_)
                        | Instruction::Workdir(_)
                )
            })
            .count();
        let mut counter = Counter {
            label,
            index: 0,
            total: steps + usize::from(matches!(planned.base, Base::Image(_))),
        };
        let mut result = match &planned.base {
            Base::Scratch => StageResult {
                image: StageImage::new(scratch_config(
                    &self.options.platform.os,
                    &self.options.platform.architecture,
                    self.options.platform.variant.as_deref(),
                )),
                layers: Vec::new(),
                scope: Scope::default(),
                key: crate::cache::key(&["scratch"]),
            },
            Base::Stage(index) => {
                let parent = self.results.get(index).expect("planned before").clone();
                StageResult {
                    image: StageImage::new(parent.image.config),
                    layers: parent.layers,
                    scope: parent.scope,
                    key: parent.key,
                }
            }
            Base::Image(name) => {
                let image = &self.bases[name];
                let vertex = progress.start(&counter.prefix(&format!("FROM {}", normalized(name))));
                let config =
                    berth_manifest::parse_config(&image.config).map_err(|e| at(lines, e.into()))?;
                let layers = LayerRef::of_image(image).map_err(|e| at(lines, e))?;
                progress.done(vertex);
                StageResult {
                    image: StageImage::new(base_config(config)),
                    layers,
                    scope: Scope::default(),
                    key: crate::cache::key(&["image", &image.id.to_string()]),
                }
            }
        };
        if matches!(planned.base, Base::Stage(_)) {
            // BuildKit's child stage continues the parent's state, ARG values included.
            for entry in &result.image.container_ref().env {
                let (k, v) = entry.split_once('=').unwrap_or((entry, ""));
                result.scope.set(k, v.to_owned());
            }
        } else {
            result.scope = Scope::stage(&result.image.container_ref().env);
        }
        // ONBUILD triggers of the base run first, then are cleared.
        let triggers = std::mem::take(&mut result.image.container().on_build);
        if !triggers.is_empty() {
            let text = triggers.join("\n");
            let instructions = parse_instructions(&text).map_err(|e| at(lines, e.into()))?;
            for located in &instructions {
                self.instruction(&mut result, lines, located, &mut counter, progress)
                    .map_err(|e| at(lines, e))?;
            }
        }
        let mut copy_index = 0;
        for located in &stage.instructions {
            if matches!(&located.instruction, Instruction::Copy(c) if c.from.is_some()) {
                copy_index += 1;
            }
            let source = (copy_index > 0
                && matches!(&located.instruction, Instruction::Copy(c) if c.from.is_some()))
            .then(|| planned.copy_sources[copy_index - 1].clone());
            self.current_copy_source = source;
            self.instruction(&mut result, located.lines, located, &mut counter, progress)
                .map_err(|e| at(located.lines, e))?;
        }
        Ok(result)
    }

    /// One instruction; `place`: the lines its errors are reported at (the FROM's for an
    /// ONBUILD trigger).
    fn instruction(
        &mut self,
        result: &mut StageResult,
        place: berth_dockerfile::Lines,
        located: &Located,
        counter: &mut Counter,
        progress: &mut Progress,
    ) -> Result<()> {
        // Metadata entries get their time at export; layer steps the time they completed.
        let created = String::new();
        if let Instruction::Arg(definitions) = &located.instruction {
            return self.arg(result, definitions, &created);
        }
        let instruction = expand(&located.instruction, &self.lexer, &result.scope.vars)?;
        if result.image.apply_metadata(&instruction, &created)? {
            if let Instruction::Env(pairs) = &instruction {
                for pair in pairs {
                    result.scope.set(&pair.key, pair.value.clone());
                }
            }
            return Ok(());
        }
        let name = counter.prefix(&vertex_name(located, self.lexer, &result.scope));
        match &instruction {
            Instruction::Run(run) => {
                let (args, script) = crate::config::run_args(&result.image.container_ref(), run);
                let created_by =
                    run_created_by(&args, &result.image.build_args, &result.scope.vars);
                let network = run_network(run)?;
                let stepped = self.runner.run(
                    self.below_step(result),
                    &args,
                    script.as_ref(),
                    network,
                    &name,
                    progress,
                )?;
                self.push_layer(result, place, &created_by, stepped, true)?;
            }
            Instruction::Workdir(path) => {
                let (wd, makes) = result.image.workdir(path);
                // `commitToHistory` without a state: no ` # buildkit`, a layer when made.
                if makes {
                    let stepped =
                        self.runner
                            .mkdir(self.below_step(result), &wd, &name, progress)?;
                    self.push_layer(result, place, &format!("WORKDIR {wd}"), stepped, false)?;
                } else {
                    let entry = history(&format!("WORKDIR {wd}"), false, &created);
                    result.image.config.history.push(entry);
                }
            }
            Instruction::Copy(copy) => {
                let source = self.current_copy_source.take();
                let from = match &source {
                    Some(CopySource::Stage(index)) => Some(self.results[index].layers.clone()),
                    Some(CopySource::Image(name)) => {
                        let image = self
                            .bases
                            .get(name)
                            .ok_or_else(|| Error::NoBaseImage(normalized(name)))?;
                        Some(LayerRef::of_image(image)?)
                    }
                    None => None,
                };
                let mut sources = copy.paths.sources.clone();
                sources.extend(copy.paths.contents.iter().map(|c| c.path.clone()));
                let created_by = format!("COPY {} {}", sources.join(" "), copy.paths.dest);
                let stepped = self.runner.copy(
                    self.below_step(result),
                    &instruction,
                    from.as_deref(),
                    &name,
                    progress,
                )?;
                self.push_layer(result, place, &created_by, stepped, true)?;
            }
            Instruction::Add(add) => {
                let mut sources = add.paths.sources.clone();
                sources.extend(add.paths.contents.iter().map(|c| c.path.clone()));
                let created_by = format!("ADD {} {}", sources.join(" "), add.paths.dest);
                let stepped = self.runner.copy(
                    self.below_step(result),
                    &instruction,
                    None,
                    &name,
                    progress,
                )?;
                self.push_layer(result, place, &created_by, stepped, true)?;
            }
            other => {
                return Err(Error::Invalid(format!(
                    "{} is not allowed here",
                    other.keyword()
                )))
            }
        }
        Ok(())
    }

    /// `dispatchArg`: the history names the defaults as written (expanded); the value comes from
    /// the build args, else the default, else the global ARG.
    fn arg(
        &mut self,
        result: &mut StageResult,
        definitions: &[ArgDefinition],
        created: &str,
    ) -> Result<()> {
        let mut parts = Vec::new();
        for definition in definitions {
            let default = match &definition.value {
                Some(value) => Some(self.lexer.word(value, &result.scope.vars)?),
                None => None,
            };
            parts.push(match &default {
                Some(value) => format!("{}={value}", definition.key),
                None => definition.key.clone(),
            });
            let value = result.scope.declare_arg(
                &self.lexer,
                definition,
                &self.options.build_args,
                self.global,
            )?;
            result
                .image
                .build_args
                .push((definition.key.clone(), value));
        }
        result.image.config.history.push(history(
            &format!("ARG {}", parts.join(" ")),
            false,
            created,
        ));
        Ok(())
    }
}

/// `RUN --network=default|none|host` (BuildKit's words for another value); the other RUN flags
/// (`--mount`, `--security`, `--device`) are refused rather than ignored.
fn run_network(run: &berth_dockerfile::Run) -> Result<Option<Network>> {
    let mut network = None;
    for (name, value) in &run.flags {
        match name.as_str() {
            "network" => {
                // `RUN --network=` (empty) is no mode in BuildKit's parser, unlike `--network ""`.
                let parsed = Some(value.as_str())
                    .filter(|v| !v.is_empty())
                    .and_then(|v| Network::parse_build(v).ok());
                network = Some(parsed.ok_or_else(|| {
                    Error::Invalid(format!("unsupported network mode {value:?}"))
                })?);
            }
            other => {
                return Err(Error::Invalid(format!(
                    "RUN --{other} is not supported by berth yet"
                )))
            }
        }
    }
    Ok(network)
}

/// The vertex name of a step (`processCmdEnv`): the instruction with the stage's variables
/// expanded (RUN keeps its quotes and unset variables), keyword upper case; as written when
/// expansion fails.
fn vertex_name(located: &Located, lexer: Lexer, scope: &Scope) -> String {
    let lexer = if matches!(located.instruction, Instruction::Run(_)) {
        Lexer {
            raw_quotes: true,
            skip_unset_env: true,
            ..lexer
        }
    } else {
        lexer
    };
    let original = located.original.trim();
    let expanded = lexer
        .word(original, &scope.vars)
        .unwrap_or_else(|_| original.to_owned());
    let text = expanded.as_str();
    match text.split_once(char::is_whitespace) {
        Some((keyword, rest)) => format!("{} {}", keyword.to_ascii_uppercase(), rest.trim_start()),
        None => text.to_ascii_uppercase(),
    }
}

/// The error at `lines` (kept when it already has a place).
fn at(lines: berth_dockerfile::Lines, error: Error) -> Error {
    if error.lines().is_some() {
        return error;
    }
    Error::At {
        lines,
        source: Box::new(error),
    }
}

#[cfg(test)]
mod tests;
