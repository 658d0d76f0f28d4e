//! `cargo xtask fuzz`: libFuzzer targets (cargo fuzz) for reference parsing, manifest/config
//! parsing, `--format` templates, archive `load` (with an oracle: a failed load leaves the store as it
//! was) and layer unpack (with an oracle: nothing outside the target root changes).
//!
//! `cargo xtask test` runs every target for [`SHORT_SECONDS`] from a [`Build::Quick`] build (and for
//! [`SOAK_SECONDS`] from a [`Build::Thorough`] one with `--soak`); longer runs are
//! `cargo xtask fuzz --seconds N [TARGET...]`.
//!
//! cargo-fuzz needs nightly-only compiler flags; the machines have one stable toolchain, so the
//! build runs with `RUSTC_BOOTSTRAP=1`, which lets that toolchain accept them.

use std::{path::Path, process::Command};

use anyhow::{bail, Context};
use clap::Args;

use crate::util;

pub const TARGETS: &[&str] = &[
    "reference",
    "manifest",
    "template",
    "load",
    "unpack",
    "dockerfile",
];
/// Seconds per target in `cargo xtask test` (and so in CI): the corpus is replayed, then mutated.
pub const SHORT_SECONDS: u32 = 10;
/// Seconds per target in `cargo xtask test --soak`.
pub const SOAK_SECONDS: u32 = 120;
/// An input that runs longer than this is reported as a finding (a hang), not waited for.
const INPUT_TIMEOUT_SECONDS: u32 = 60;
/// Lines of a failed target's log printed.
const LOG_TAIL_LINES: usize = 60;

/// How the targets are built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    /// Address sanitizer, one codegen unit (cargo fuzz's defaults): the slowest build, and the only
    /// one that catches memory errors in `unsafe` code.
    Thorough,
    /// No sanitizer, 16 codegen units, the C dependencies (zstd, xz) at `-O1`: about half the CPU
    /// time of a clean sanitizer build, which keeps the short run in `cargo xtask test` within its
    /// budget on two cores (docs/robustness.md). Panics, the oracles' assertions and hangs are still
    /// found. Built in `fuzz/target/quick` so that the two kinds of build do not rebuild each other.
    Quick,
}

#[derive(Debug, Args)]
pub struct FuzzArgs {
    /// Seconds per target
    #[arg(long, default_value_t = 20)]
    pub seconds: u32,
    /// Build as `cargo xtask test` does: no sanitizer, more codegen units
    #[arg(long)]
    pub quick: bool,
    /// Only these targets (default: all)
    pub targets: Vec<String>,
}

pub fn run(args: &FuzzArgs) -> anyhow::Result<()> {
    let targets: Vec<&str> = if args.targets.is_empty() {
        TARGETS.to_vec()
    } else {
        args.targets.iter().map(String::as_str).collect()
    };
    let build = if args.quick {
        Build::Quick
    } else {
        Build::Thorough
    };
    run_targets(&targets, args.seconds, build)
}

/// Builds the targets, then runs each for `seconds`; fails if any target found a crash (the input is
/// saved under `fuzz/artifacts/<target>/`). Every target runs even when an earlier one fails.
pub fn run_targets(targets: &[&str], seconds: u32, build: Build) -> anyhow::Result<()> {
    if let Some(unknown) = targets.iter().find(|t| !TARGETS.contains(t)) {
        bail!(
            "unknown fuzz target {unknown} (known: {})",
            TARGETS.join(", ")
        );
    }
    if !util::have("cargo-fuzz") {
        // A debug build: it only drives cargo, and builds in half the time of a release one.
        util::run(util::cargo().args(["install", "cargo-fuzz", "--locked", "--debug"]))?;
    }
    let fuzz_dir = util::root().join("fuzz");
    // cargo fuzz has no --locked: check the committed fuzz/Cargo.lock first, so a stale one fails here
    // instead of being rewritten.
    util::run(cargo_in(&fuzz_dir).args(["fetch", "--locked"]))?;
    let mut cmd = cargo_fuzz(&fuzz_dir, "build", build);
    if targets.len() == 1 {
        cmd.args(targets);
    }
    util::run(&mut cmd)?;
    let mut failed = Vec::new();
    for target in targets {
        if let Err(e) = run_target(&fuzz_dir, target, seconds, build) {
            eprintln!("fuzz target {target}: {e:#}");
            failed.push(*target);
        }
    }
    if !failed.is_empty() {
        bail!(
            "fuzz targets failed: {} (crashing inputs are under fuzz/artifacts/<target>/; reproduce \
             with `RUSTC_BOOTSTRAP=1 cargo fuzz run <target> <input>` in fuzz/)",
            failed.join(", ")
        );
    }
    Ok(())
}

/// One target: new inputs go to `fuzz/corpus/<target>/` (not committed); the committed seeds in
/// `fuzz/seeds/<target>/`, when there are any, are read as well. libFuzzer's running commentary goes to
/// `fuzz/logs/<target>.log` (thousands of lines that would bury the test results); a line of figures
/// is printed, and the log's tail when the target fails.
fn run_target(fuzz_dir: &Path, target: &str, seconds: u32, build: Build) -> anyhow::Result<()> {
    let corpus = fuzz_dir.join("corpus").join(target);
    let logs = fuzz_dir.join("logs");
    for dir in [&corpus, &logs] {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("failed to create {}", dir.display()))?;
    }
    let mut cmd = cargo_fuzz(fuzz_dir, "run", build);
    cmd.arg(target).arg(&corpus);
    let seeds = fuzz_dir.join("seeds").join(target);
    if seeds.is_dir() {
        cmd.arg(&seeds);
    }
    cmd.arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-timeout={INPUT_TIMEOUT_SECONDS}"))
        .arg("-print_final_stats=1");
    let log_path = logs.join(format!("{target}.log"));
    let log = std::fs::File::create(&log_path)
        .with_context(|| format!("failed to create {}", log_path.display()))?;
    cmd.stdout(log.try_clone()?).stderr(log);
    eprintln!("$ {} > {}", util::display(&cmd), log_path.display());
    let status = cmd
        .status()
        .with_context(|| format!("failed to start {}", util::display(&cmd)))?;
    let text = String::from_utf8_lossy(&std::fs::read(&log_path).unwrap_or_default()).into_owned();
    if !status.success() {
        let lines: Vec<&str> = text.lines().collect();
        let tail = &lines[lines.len().saturating_sub(LOG_TAIL_LINES)..];
        eprintln!("{}", tail.join("\n"));
        bail!("{status} (the whole log: {})", log_path.display());
    }
    eprintln!("fuzz target {target}: {}", summary(&text));
    Ok(())
}

/// libFuzzer's final figures from a run's log, e.g. `93522 executions in 11 s, 419 corpus inputs`.
fn summary(log: &str) -> String {
    let mut runs = None;
    let mut corpus = None;
    for line in log.lines() {
        // "Done 93522 runs in 11 second(s)"
        if let Some(rest) = line.strip_prefix("Done ") {
            runs = Some(rest.to_string());
        }
        // "#93522\tDONE   cov: 1763 ft: 4365 corp: 419/177Kb ..."
        if line.contains("DONE") {
            corpus = line
                .split_whitespace()
                .skip_while(|word| *word != "corp:")
                .nth(1)
                .map(|c| c.split('/').next().unwrap_or(c).to_string());
        }
    }
    match (runs, corpus) {
        (Some(runs), Some(corpus)) => format!("{runs}, {corpus} corpus inputs"),
        (Some(runs), None) => runs,
        _ => "no final figures in the log".to_string(),
    }
}

/// `cargo fuzz <subcommand>` with the options of `build`.
fn cargo_fuzz(fuzz_dir: &Path, subcommand: &str, build: Build) -> Command {
    let mut cmd = cargo_in(fuzz_dir);
    cmd.args(["fuzz", subcommand, "-O"]);
    if build == Build::Quick {
        cmd.args(["--sanitizer", "none", "--codegen-units", "16"])
            .arg("--target-dir")
            .arg(fuzz_dir.join("target").join("quick"))
            // zstd-sys's C build took 123 s at -O3 and 23 s at -O1 (cargo --timings, clean build on
            // the loaded 2-core machine). Set for build and run alike, or each run would rebuild.
            .env("CFLAGS", "-O1");
    }
    cmd
}

/// Cargo in `fuzz/`, always with its own `fuzz/target`: the instrumented builds use other RUSTFLAGS,
/// which cargo does not keep apart, so sharing a `CARGO_TARGET_DIR` would rebuild both sides each time.
fn cargo_in(dir: &Path) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(dir)
        .env("RUSTC_BOOTSTRAP", "1")
        .env_remove("CARGO_TARGET_DIR");
    cmd
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn summary_reads_the_final_figures() {
        let cases = [
            (
                "#93522\tDONE   cov: 1763 ft: 4365 corp: 419/177Kb lim: 2561\nDone 93522 runs in 11 second(s)\n",
                "93522 runs in 11 second(s), 419 corpus inputs",
            ),
            ("Done 5 runs in 1 second(s)\n", "5 runs in 1 second(s)"),
            ("==1== ERROR: libFuzzer: deadly signal\n", "no final figures in the log"),
        ];
        for (log, want) in cases {
            assert_eq!(summary(log), want, "{log}");
        }
    }
}
