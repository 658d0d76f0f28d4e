//! `cargo xtask bench`: berth beside the tools users would pick instead, and beside the physical
//! floors of the same work (hashing, decompressing, copying), on deterministic workloads.
//!
//! The run: build berth in release mode, generate the workloads (cached under `target/bench/`,
//! identical on every machine for a given size), start two loopback registries, then measure one
//! group of operations at a time with hyperfine, berth and its peers interleaved round by round.
//! The report (`docs/benchmarks.md` and `docs/benchmarks.svg`) is written from the measurements
//! alone; nothing here enforces a threshold.

mod archive_ops;
mod build_ops;
mod container_ops;
mod engine;
mod floors;
mod image;
mod image_ops;
mod machine;
mod measure;
mod registry;
mod registry_ops;
mod report;
mod scratch_fs;
mod sha256;
mod targets;
mod whiteout_ops;
mod workload;

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::Context as _;

use crate::{peers, util};

use measure::{Measurement, Runner};
use workload::{Sizes, Workload};

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Small workloads and few runs: proves the harness in a minute or two (used by CI)
    #[arg(long)]
    quick: bool,
    /// With --quick, write docs/benchmarks.md and .svg anyway (a full run always writes them)
    #[arg(long)]
    write: bool,
    /// Runs per command for the operations that take seconds (default 5, quick 2)
    #[arg(long, value_name = "N")]
    runs: Option<usize>,
    /// Keep the scratch directory (stores, registries, outputs) for inspection
    #[arg(long)]
    keep: bool,
    /// Only the `build` group (berth build beside BuildKit and buildah); the report then holds only
    /// its rows, so it is written to the temporary directory unless --write is given
    #[arg(long)]
    only_build: bool,
}

/// What every group of operations needs: the binaries, the workloads and a scratch directory.
#[derive(Clone)]
pub struct Bench {
    pub berth: PathBuf,
    pub sha256_example: PathBuf,
    pub workload: Workload,
    pub scratch: PathBuf,
    pub runner: Runner,
    pub quick: bool,
    /// [`machine::recently_deleted_window`] of the scratch directory's file system.
    pub recently_deleted: Option<u64>,
}

impl Bench {
    /// `berth` with the global flags that point at one store and a private client config.
    pub fn berth(&self, store: &Path) -> String {
        format!(
            "{} --root {} --config {}",
            q(&self.berth),
            q(store),
            q(&self.scratch.join("client-config"))
        )
    }

    /// A store holding the big image, loaded once from its OCI archive; read-only afterwards
    /// (save, push, and the source of the stores that containers run from).
    pub fn base_store(&self) -> PathBuf {
        self.path("base-store")
    }

    /// A copy of the base store where the big image was run once, so it is unpacked.
    pub fn warm_store(&self) -> anyhow::Result<PathBuf> {
        let store = self.path("warm-store");
        if !store.exists() {
            setup(&format!(
                "cp -a {} {} && {} run --rm {} /bin/true",
                q(&self.base_store()),
                q(&store),
                self.berth(&store),
                image::FAMILIAR_NAME
            ))?;
        }
        Ok(store)
    }

    /// A path inside the scratch directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.scratch.join(name)
    }

    /// The same bench with its scratch directory at `scratch` (the build group's file system).
    pub fn on_scratch(&self, scratch: &Path) -> Bench {
        Bench {
            scratch: scratch.to_owned(),
            recently_deleted: machine::recently_deleted_window(scratch),
            ..self.clone()
        }
    }

    /// Runs one comparison (the runner's), then deletes what its prepares set aside.
    pub fn compare(&self, cases: Vec<measure::Case>) -> anyhow::Result<Vec<Measurement>> {
        let measured = self.runner.compare(cases);
        self.empty_trash();
        measured
    }

    /// Deletes what [`Bench::set_aside`] kept, after each comparison (so that the trash never
    /// holds more than one row's stores: the first-run rows set aside five copies of a store).
    pub fn empty_trash(&self) {
        let trash = self.scratch.join("trash");
        unmount_under(&trash);
        let _ = std::fs::remove_dir_all(trash);
    }

    /// Shell that replaces `path` with an empty directory (the old one set aside).
    pub fn fresh_dir(&self, path: &Path) -> String {
        format!("{} && mkdir -p {}", self.set_aside(path), q(path))
    }

    /// Shell that replaces `path` with a copy of `pristine` (the old one set aside), then syncs.
    pub fn fresh_copy(&self, pristine: &Path, path: &Path) -> String {
        format!(
            "{} && cp -a {} {} && sync",
            self.set_aside(path),
            q(pristine),
            q(path)
        )
    }

    /// Shell that moves `path` (if there) into the scratch directory's trash instead of deleting
    /// it. ext4 hands out no inode freed in the last minute (it scans past them, one inode-table
    /// lookup each, in `recently_deleted`), so a prepare that deleted a tree of tens of thousands
    /// of files made the next creates of the measured command several times slower: a 20,000-file
    /// `cp -a` went from 0.5 s to 4 s here. The trash goes with the scratch directory.
    pub fn set_aside(&self, path: &Path) -> String {
        format!(
            "if [ -e {p} ]; then mkdir -p {trash} && mv {p} {trash}/$(date +%s%N); fi",
            p = q(path),
            trash = q(&self.scratch.join("trash")),
        )
    }
}

pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    peers::ensure_installed_with(peers::BENCH_PEERS)?;
    require(&["hyperfine", "skopeo", "umoci", "docker-registry", "openssl"])?;
    let load_before = machine::load_average();
    util::run(util::cargo().args(["build", "--release", "--locked", "--bin", "berth"]))?;
    util::run(util::cargo().args([
        "build",
        "--release",
        "--locked",
        "-p",
        "berth-digest",
        "--example",
        "sha256_throughput",
    ]))?;
    let target = util::root().join("target");
    let sizes = if args.quick {
        Sizes::quick()
    } else {
        Sizes::full()
    };
    let bench_dir = target.join("bench");
    let workload = Workload::prepare(&bench_dir, &sizes)?;
    let scratch = bench_dir.join(format!("scratch-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let heavy_runs = args.runs.unwrap_or(if args.quick { 2 } else { 5 });
    let bench = Bench {
        berth: target.join("release/berth"),
        sha256_example: target.join("release/examples/sha256_throughput"),
        workload,
        scratch: scratch.clone(),
        runner: Runner::new(&scratch.join("hyperfine"), heavy_runs, args.quick)?,
        quick: args.quick,
        recently_deleted: machine::recently_deleted_window(&scratch),
    };
    let result = if args.only_build {
        measure_build(&bench).and_then(|(rows, notes)| Ok((rows, sha256::measure(&bench)?, notes)))
    } else {
        measure_all(&bench)
    };
    let leaked_mounts = unmount_under(&scratch);
    if !args.keep {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    let (measurements, sha256, mut notes) = result?;
    if leaked_mounts > 0 {
        notes.push(format!(
            "after the run, {leaked_mounts} mount(s) were still in place under the bench's stores \
             (container rootfs mounts whose container records were gone); the bench unmounted them"
        ));
    }
    let load_after = machine::load_average();

    let docs = util::root().join("docs");
    let (markdown_path, svg_path) = if (args.quick || args.only_build) && !args.write {
        let dir = std::env::temp_dir();
        (
            dir.join("berth-benchmarks-quick.md"),
            dir.join("berth-benchmarks-quick.svg"),
        )
    } else {
        (docs.join("benchmarks.md"), docs.join("benchmarks.svg"))
    };
    let context = report::Context {
        quick: args.quick,
        machine: {
            let mut rows = machine::describe();
            if let Some(window) = bench.recently_deleted {
                rows.push((
                    "scratch file system".to_owned(),
                    format!(
                        "ext4 without a journal: an inode freed in the last {window} s (360 s once \
                         its inode-table block is dirty) is handed out only when no other is free, \
                         each create scanning past them; the build group runs on an ext4 image with \
                         a journal, as mkfs.ext4 makes it, loop-mounted (`scratch_fs.rs`)"
                    ),
                ));
            }
            rows.push((
                "page cache".to_owned(),
                "before each measured build (every builder's rows and their floors) the page \
                 cache is written back and dropped, and the build's inputs (context, store or \
                 data root, programs) read back into it: each build starts with memory free"
                    .to_owned(),
            ));
            rows
        },
        workload: bench.workload.describe(),
        load_before,
        load_after,
        notes,
        svg_name: svg_path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default(),
        abbreviations: vec![
            (bench.berth.display().to_string(), "berth".to_owned()),
            (bench.scratch.display().to_string(), "$SCRATCH".to_owned()),
            (
                bench.workload.dir.display().to_string(),
                "$WORKLOAD".to_owned(),
            ),
        ],
        commit: util::output(
            Command::new("git")
                .args(["rev-parse", "--short", "HEAD"])
                .current_dir(util::root()),
        )
        .map(|text| text.trim().to_owned())
        .unwrap_or_default(),
    };
    std::fs::write(
        &markdown_path,
        report::markdown(&context, &measurements, &sha256),
    )
    .with_context(|| format!("failed to write {}", markdown_path.display()))?;
    std::fs::write(&svg_path, report::svg(&measurements))
        .with_context(|| format!("failed to write {}", svg_path.display()))?;
    eprintln!(
        "\nbench: wrote {} and {}",
        markdown_path.display(),
        svg_path.display()
    );
    Ok(())
}

/// What a group that may not run on this machine gives.
pub enum Outcome {
    Measured(Vec<Measurement>),
    Skipped(String),
}

/// Every group in turn; a group that cannot run on this machine says why in a note.
fn measure_all(
    bench: &Bench,
) -> anyhow::Result<(Vec<Measurement>, sha256::Throughput, Vec<String>)> {
    let mut measurements = Vec::new();
    let mut notes = Vec::new();
    let sha256 = sha256::measure(bench)?;
    setup(&format!(
        "{} load -q -i {}",
        bench.berth(&bench.base_store()),
        q(&bench.workload.oci_archive)
    ))?;
    measurements.extend(floors::measure(bench)?);
    measurements.extend(image_ops::measure(bench)?);
    measurements.extend(archive_ops::measure(bench)?);
    let registries = registry::Pair::start(&bench.scratch)?;
    measurements.extend(registry_ops::measure(bench, &registries)?);
    drop(registries);
    match container_ops::measure(bench)? {
        Outcome::Measured(rows) => {
            measurements.extend(rows);
            measurements.extend(whiteout_ops::measure(bench)?);
        }
        Outcome::Skipped(why) => notes.push(why),
    }
    let (rows, build_notes) = measure_build(bench)?;
    measurements.extend(rows);
    notes.extend(build_notes);
    Ok((measurements, sha256, notes))
}

/// The `build` group: its rows, or a note saying why it could not run. On a file system that
/// keeps freed inodes back ([`machine::recently_deleted_window`]), the group runs on an ext4 of
/// its own, with a journal as `mkfs.ext4` makes it (`scratch_fs.rs`).
fn measure_build(bench: &Bench) -> anyhow::Result<(Vec<Measurement>, Vec<String>)> {
    let fs = match bench.recently_deleted {
        Some(_) => Some(scratch_fs::ScratchFs::mount(
            &bench.scratch.join("build-fs"),
        )?),
        None => None,
    };
    let on_fs;
    let build_bench = match &fs {
        Some(fs) => {
            on_fs = bench.on_scratch(fs.dir());
            &on_fs
        }
        None => bench,
    };
    let outcome = build_ops::measure(build_bench);
    if let Some(fs) = fs {
        unmount_under(fs.dir());
        fs.remove();
    }
    Ok(match outcome? {
        Outcome::Measured(rows) => (rows, Vec::new()),
        Outcome::Skipped(why) => (Vec::new(), vec![why]),
    })
}

fn require(programs: &[&str]) -> anyhow::Result<()> {
    let missing: Vec<&str> = programs
        .iter()
        .copied()
        .filter(|program| !util::have(program))
        .collect();
    if !missing.is_empty() {
        anyhow::bail!("the bench needs {}: not found on PATH", missing.join(", "));
    }
    Ok(())
}

/// Unmounts whatever is still mounted below `dir` (a container rootfs berth did not release), so
/// the scratch directory can be removed; returns how many there were.
fn unmount_under(dir: &Path) -> usize {
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    let prefix = format!("{}/", dir.display());
    let mut points: Vec<&str> = mounts
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .filter(|point| point.starts_with(&prefix))
        .collect();
    // Deepest first.
    points.sort_by_key(|point| std::cmp::Reverse(point.len()));
    for point in &points {
        let _ = Command::new("umount").arg("-l").arg(point).status();
    }
    points.len()
}

/// Runs a shell line once, outside any measurement (setting up a group).
pub fn setup(line: &str) -> anyhow::Result<()> {
    util::run(Command::new("sh").arg("-c").arg(line))
}

/// Single-quotes a path for a shell line.
pub fn q(path: &Path) -> String {
    quote(&path.to_string_lossy())
}

pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
