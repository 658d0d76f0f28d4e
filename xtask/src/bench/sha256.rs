//! sha256 throughput (issue 2): `berth_digest::Hasher` beside `openssl speed -evp sha256` and
//! `sha256sum`, on the same machine in the same run.

use std::{process::Command, time::Instant};

use anyhow::Context as _;

use super::{measure::median, workload::file_size, Bench};
use crate::util;

/// Runs of the example and of `sha256sum`; the median is reported.
const RUNS: usize = 3;
/// Hash at least this much per run, re-reading the file, so a run lasts long enough to time.
const MIN_BYTES_FULL: u64 = 1_000_000_000;
const MIN_BYTES_QUICK: u64 = 64_000_000;

pub struct Throughput {
    pub file_bytes: u64,
    pub bytes_per_run: u64,
    /// `Hasher::update` only, divided by its on-CPU time (as `openssl speed` divides by CPU time).
    pub berth_cpu: f64,
    /// `Hasher::update` only, divided by wall time (as `openssl speed -elapsed`).
    pub berth_wall: f64,
    /// Reading the file in 1 MiB chunks plus hashing, wall time.
    pub berth_read_and_hash: f64,
    pub openssl_cpu: f64,
    pub openssl_wall: f64,
    pub sha256sum: f64,
    pub openssl_seconds: u32,
}

impl Throughput {
    pub fn ratio_cpu(&self) -> f64 {
        self.berth_cpu / self.openssl_cpu
    }

    pub fn ratio_wall(&self) -> f64 {
        self.berth_wall / self.openssl_wall
    }
}

pub fn measure(bench: &Bench) -> anyhow::Result<Throughput> {
    let file = &bench.workload.layers[0].tar;
    let file_bytes = file_size(file).max(1);
    let min_bytes = if bench.quick {
        MIN_BYTES_QUICK
    } else {
        MIN_BYTES_FULL
    };
    let passes = min_bytes.div_ceil(file_bytes).max(1);
    eprintln!(
        "bench: sha256 throughput ({passes} passes over {})",
        file.display()
    );
    let mut cpu = Vec::new();
    let mut wall = Vec::new();
    let mut read_and_hash = Vec::new();
    for _ in 0..RUNS {
        let line = util::output(
            Command::new(&bench.sha256_example)
                .arg(file)
                .arg(passes.to_string()),
        )?;
        cpu.push(field(&line, "hash_cpu_mb_per_s")?);
        wall.push(field(&line, "hash_mb_per_s")?);
        read_and_hash.push(field(&line, "mb_per_s")?);
    }
    let openssl_seconds = if bench.quick { 1 } else { 3 };
    let openssl_cpu = openssl_speed(openssl_seconds, false)?;
    let openssl_wall = openssl_speed(openssl_seconds, true)?;
    let mut sha256sum = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        util::output(Command::new("sha256sum").arg(file))?;
        sha256sum.push(megabytes(file_bytes) / started.elapsed().as_secs_f64());
    }
    let throughput = Throughput {
        file_bytes,
        bytes_per_run: file_bytes * passes,
        berth_cpu: median(&cpu),
        berth_wall: median(&wall),
        berth_read_and_hash: median(&read_and_hash),
        openssl_cpu,
        openssl_wall,
        sha256sum: median(&sha256sum),
        openssl_seconds,
    };
    eprintln!(
        "bench: sha256 berth {:.0} MB/s (CPU time), openssl speed {:.0} MB/s: {:.0}%",
        throughput.berth_cpu,
        throughput.openssl_cpu,
        throughput.ratio_cpu() * 100.0
    );
    Ok(throughput)
}

/// `openssl speed -evp sha256 -bytes 16384`, in MB/s: the last figure of the `sha256` line is in
/// thousands of bytes per second (`1774127.14k`).
fn openssl_speed(seconds: u32, elapsed: bool) -> anyhow::Result<f64> {
    let mut command = Command::new("openssl");
    command.arg("speed");
    if elapsed {
        command.arg("-elapsed");
    }
    command.args(["-evp", "sha256", "-bytes", "16384", "-seconds"]);
    command.arg(seconds.to_string());
    let text = util::output(&mut command)?;
    parse_openssl_speed(&text).with_context(|| format!("unexpected openssl speed output: {text}"))
}

fn parse_openssl_speed(text: &str) -> Option<f64> {
    let line = text.lines().rev().find(|line| line.starts_with("sha256"))?;
    let figure = line.split_whitespace().last()?.strip_suffix('k')?;
    figure
        .parse::<f64>()
        .ok()
        .map(|thousands| thousands / 1000.0)
}

fn field(line: &str, key: &str) -> anyhow::Result<f64> {
    line.split_whitespace()
        .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
        .and_then(|value| value.parse().ok())
        .with_context(|| format!("no {key} in the example's output: {line}"))
}

#[allow(clippy::cast_precision_loss)] // sizes far below 2^52
fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}
