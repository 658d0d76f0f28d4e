//! sha256 throughput of `berth_digest::Hasher`, the hot path of pull, load and import.
//!
//! `cargo run --release -p berth-digest --example sha256_throughput -- FILE [PASSES]`
//!
//! Reads FILE in 1 MiB chunks (PASSES times, default 1) and prints one line of `key=value` pairs
//! that `cargo xtask bench` parses. Rates are in MB/s (10^6 bytes per second, as `openssl speed`
//! counts them):
//!
//! - `mb_per_s`: reading plus hashing, wall clock;
//! - `hash_mb_per_s`: wall time spent inside `Hasher::update` only (compare with
//!   `openssl speed -elapsed`);
//! - `hash_cpu_mb_per_s`: on-CPU time spent inside `Hasher::update`, from the scheduler's own
//!   accounting (`/proc/thread-self/schedstat`), so other processes competing for the cores do
//!   not count (compare with plain `openssl speed`, which divides by CPU time too).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::{
    fs::File,
    io::Read,
    os::unix::fs::FileExt,
    time::{Duration, Instant},
};

use berth_digest::Hasher;

/// One read per MiB, the chunk size the store's ingest uses.
const CHUNK_BYTES: usize = 1024 * 1024;

fn main() {
    if let Err(message) = run() {
        eprintln!("sha256_throughput: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args_os().skip(1);
    let path = args
        .next()
        .ok_or("usage: sha256_throughput FILE [PASSES]")?;
    let passes: u32 = match args.next() {
        Some(passes) => passes
            .to_str()
            .and_then(|passes| passes.parse().ok())
            .ok_or("PASSES must be a positive integer")?,
        None => 1,
    };
    let cpu_clock = CpuClock::open()?;
    let mut buffer = vec![0_u8; CHUNK_BYTES];
    let mut hasher = Hasher::sha256();
    let mut total_bytes = 0_u64;
    let mut hashing_wall = Duration::ZERO;
    let mut hashing_cpu = Duration::ZERO;
    let started = Instant::now();
    for _ in 0..passes.max(1) {
        let mut file = File::open(&path)
            .map_err(|error| format!("cannot open {}: {error}", path.to_string_lossy()))?;
        loop {
            let read = match file.read(&mut buffer) {
                Ok(0) => break,
                Ok(read) => read,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(format!("read failed: {error}")),
            };
            let cpu_before = cpu_clock.now()?;
            let wall_before = Instant::now();
            hasher.update(&buffer[..read]);
            hashing_wall += wall_before.elapsed();
            hashing_cpu += cpu_clock.now()?.saturating_sub(cpu_before);
            total_bytes += read as u64;
        }
    }
    let digest = hasher.finish();
    let wall = started.elapsed();
    println!(
        "bytes={total_bytes} seconds={:.6} mb_per_s={:.1} hash_mb_per_s={:.1} hash_cpu_mb_per_s={:.1} digest={digest}",
        wall.as_secs_f64(),
        megabytes_per_second(total_bytes, wall),
        megabytes_per_second(total_bytes, hashing_wall),
        megabytes_per_second(total_bytes, hashing_cpu),
    );
    Ok(())
}

/// This thread's on-CPU time in nanoseconds: the first field of `/proc/thread-self/schedstat`.
struct CpuClock {
    file: File,
}

impl CpuClock {
    fn open() -> Result<CpuClock, String> {
        File::open("/proc/thread-self/schedstat")
            .map(|file| CpuClock { file })
            .map_err(|error| format!("cannot open /proc/thread-self/schedstat: {error}"))
    }

    fn now(&self) -> Result<Duration, String> {
        let mut text = [0_u8; 128];
        let read = self
            .file
            .read_at(&mut text, 0)
            .map_err(|error| format!("cannot read schedstat: {error}"))?;
        std::str::from_utf8(&text[..read])
            .ok()
            .and_then(|text| text.split_ascii_whitespace().next())
            .and_then(|nanoseconds| nanoseconds.parse().ok())
            .map(Duration::from_nanos)
            .ok_or_else(|| "unexpected schedstat format".to_owned())
    }
}

#[allow(clippy::cast_precision_loss)] // byte counts far below 2^52
fn megabytes_per_second(bytes: u64, elapsed: Duration) -> f64 {
    bytes as f64 / 1e6 / elapsed.as_secs_f64().max(1e-9)
}
