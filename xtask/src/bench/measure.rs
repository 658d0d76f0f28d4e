//! Timing with hyperfine (interleaved rounds, `--export-json`) and peak memory with
//! `/usr/bin/time` (the largest resident set of the command's process tree).

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use anyhow::{bail, Context as _};

use crate::util;

use super::quote;

/// At most this many hyperfine invocations per command: berth and its peers take turns this many
/// times, so a burst of load from another process on the machine hits all of them alike.
const MAX_ROUNDS: usize = 5;
/// Runs of the commands that take milliseconds (images, inspect, warm run).
const LIGHT_RUNS: usize = 20;
const LIGHT_RUNS_QUICK: usize = 5;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Role {
    Berth,
    Peer,
    Floor,
}

#[derive(Clone, Debug)]
pub struct Case {
    /// Unique, e.g. `pull/skopeo`; floors are shared by id (`floor/sha256-x3-gz`).
    pub id: String,
    /// The operation the row belongs to, as the report names it.
    pub operation: String,
    pub role: Role,
    /// Who does the work, as the report names it (`berth`, `skopeo copy`, `gzip -dc`).
    pub tool: String,
    pub command: String,
    /// Run before every timed run, untimed (reset the store, empty the registry).
    pub prepare: Option<String>,
    /// For berth's rows: the floor to compare with.
    pub floor: Option<String>,
    /// Milliseconds rather than seconds: more runs.
    pub light: bool,
    /// At most this many runs (the slowest rows, whose state takes long to reset).
    pub max_runs: Option<usize>,
}

impl Case {
    pub fn new(id: &str, operation: &str, role: Role, tool: &str, command: String) -> Case {
        Case {
            id: id.to_owned(),
            operation: operation.to_owned(),
            role,
            tool: tool.to_owned(),
            command,
            prepare: None,
            floor: None,
            light: false,
            max_runs: None,
        }
    }

    pub fn prepare(mut self, prepare: String) -> Case {
        self.prepare = Some(prepare);
        self
    }

    pub fn floor(mut self, floor_id: &str) -> Case {
        self.floor = Some(floor_id.to_owned());
        self
    }

    pub fn light(mut self) -> Case {
        self.light = true;
        self
    }

    pub fn max_runs(mut self, runs: usize) -> Case {
        self.max_runs = Some(runs);
        self
    }
}

#[derive(Clone, Debug)]
pub struct Measurement {
    pub case: Case,
    /// Wall times in seconds, every run.
    pub times: Vec<f64>,
    pub peak_rss_kib: Option<u64>,
}

impl Measurement {
    pub fn median(&self) -> f64 {
        median(&self.times)
    }

    pub fn min(&self) -> f64 {
        self.times.iter().copied().fold(f64::INFINITY, f64::min)
    }

    pub fn max(&self) -> f64 {
        self.times.iter().copied().fold(0.0, f64::max)
    }
}

pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => f64::midpoint(sorted[n / 2 - 1], sorted[n / 2]),
    }
}

#[derive(Clone)]
pub struct Runner {
    json_dir: PathBuf,
    heavy_runs: usize,
    light_runs: usize,
}

impl Runner {
    pub fn new(json_dir: &Path, heavy_runs: usize, quick: bool) -> anyhow::Result<Runner> {
        std::fs::create_dir_all(json_dir)?;
        Ok(Runner {
            json_dir: json_dir.to_path_buf(),
            heavy_runs: heavy_runs.max(1),
            light_runs: if quick { LIGHT_RUNS_QUICK } else { LIGHT_RUNS },
        })
    }

    /// Times every case, the cases taking turns round by round, then measures each one's peak
    /// memory in one more run.
    pub fn compare(&self, cases: Vec<Case>) -> anyhow::Result<Vec<Measurement>> {
        let mut measurements: Vec<Measurement> = cases
            .into_iter()
            .map(|case| Measurement {
                case,
                times: Vec::new(),
                peak_rss_kib: None,
            })
            .collect();
        let rounds = measurements
            .iter()
            .map(|m| self.runs(&m.case).min(MAX_ROUNDS))
            .max()
            .unwrap_or(0);
        for round in 0..rounds {
            for measurement in &mut measurements {
                let runs = self.runs(&measurement.case);
                let per_round = runs.div_ceil(runs.min(MAX_ROUNDS));
                let left = runs.saturating_sub(measurement.times.len()).min(per_round);
                if left > 0 {
                    let times = self.hyperfine(&measurement.case, left, round)?;
                    measurement.times.extend(times);
                }
            }
        }
        for measurement in &mut measurements {
            measurement.peak_rss_kib = Some(peak_rss(&measurement.case)?);
            eprintln!(
                "bench: {:<28} median {:>10}  ({} runs, peak RSS {})",
                measurement.case.id,
                seconds(measurement.median()),
                measurement.times.len(),
                measurement.peak_rss_kib.map_or_else(String::new, mebibytes),
            );
        }
        Ok(measurements)
    }

    fn runs(&self, case: &Case) -> usize {
        let runs = if case.light {
            self.light_runs
        } else {
            self.heavy_runs
        };
        case.max_runs.map_or(runs, |max| runs.min(max.max(1)))
    }

    fn hyperfine(&self, case: &Case, runs: usize, round: usize) -> anyhow::Result<Vec<f64>> {
        let json = self
            .json_dir
            .join(format!("{}-{round}.json", case.id.replace('/', "_")));
        let mut command = Command::new("hyperfine");
        command
            .args(["--style", "none", "--runs"])
            .arg(runs.to_string())
            .arg("--export-json")
            .arg(&json);
        if !needs_shell(&case.command) {
            // No shell to spawn, so none to subtract: better for the millisecond commands.
            command.arg("--shell=none");
        }
        if let Some(prepare) = &case.prepare {
            command
                .arg("--prepare")
                .arg(format!("sh -c {}", quote(prepare)));
        }
        command.arg(&case.command).stdout(Stdio::null());
        let status = command
            .status()
            .with_context(|| format!("failed to start {}", util::display(&command)))?;
        if !status.success() {
            show_failure(case);
            bail!("{} failed under hyperfine: {}", case.id, case.command);
        }
        let text = std::fs::read_to_string(&json)
            .with_context(|| format!("failed to read {}", json.display()))?;
        let value: serde_json::Value = serde_json::from_str(&text)?;
        let times = value["results"][0]["times"]
            .as_array()
            .context("hyperfine's JSON has no times")?
            .iter()
            .filter_map(serde_json::Value::as_f64)
            .collect();
        Ok(times)
    }
}

/// Whether a command line needs `sh` (pipes, redirections, several commands, expansions).
fn needs_shell(command: &str) -> bool {
    command.contains(['|', '&', ';', '<', '>', '$', '`', '(', ')', '*'])
}

/// Runs the case once more under `/usr/bin/time` and returns the peak resident set in KiB.
fn peak_rss(case: &Case) -> anyhow::Result<u64> {
    if let Some(prepare) = &case.prepare {
        util::output(Command::new("sh").arg("-c").arg(prepare))?;
    }
    let report = tempfile_path("rss");
    let status = Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(&report)
        .args(["sh", "-c", &case.command])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .context("failed to start /usr/bin/time")?;
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let _ = std::fs::remove_file(&report);
    if !status.success() {
        bail!(
            "{} failed while measuring its memory: {}",
            case.id,
            case.command
        );
    }
    text.lines()
        .last()
        .and_then(|line| line.trim().parse().ok())
        .with_context(|| format!("unexpected /usr/bin/time output: {text:?}"))
}

fn show_failure(case: &Case) {
    eprintln!(
        "bench: {} failed; running it once more to show its output",
        case.id
    );
    if let Some(prepare) = &case.prepare {
        let _ = Command::new("sh").arg("-c").arg(prepare).status();
    }
    let _ = Command::new("sh").arg("-c").arg(&case.command).status();
}

fn tempfile_path(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!("berth-bench-{tag}-{}", std::process::id()))
}

/// `1.23 s`, `45.6 ms`.
pub fn seconds(value: f64) -> String {
    if value.is_nan() {
        "—".to_owned()
    } else if value >= 1.0 {
        format!("{value:.2} s")
    } else {
        format!("{:.1} ms", value * 1e3)
    }
}

#[allow(clippy::cast_precision_loss)] // KiB counts far below 2^52
pub fn mebibytes(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}
