//! `cargo xtask <command>`: the project's developer commands, in Rust rather than shell.
#![allow(clippy::print_stderr, clippy::print_stdout)]

mod bench;
mod ci;
#[path = "../../tests/support/debian_minbase.rs"]
mod debian_minbase;
mod demo;
mod docs;
mod fuzz;
mod peers;
mod report;
mod test;
mod util;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "xtask")]
struct Xtask {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// fmt --check, clippy -D warnings, docs --check, layering guards, then the tests
    Ci,
    /// Install the peers the suites need (when missing), run every test suite, then each fuzz target briefly
    Test(test::TestArgs),
    /// Run berth's main job end to end (import, images, tag, inspect, history, save, load, push, pull,
    /// run, commit, build)
    Demo,
    /// Benchmark berth beside its peers and the physical floors; writes docs/benchmarks.md
    Bench(bench::BenchArgs),
    /// Run the cargo-fuzz targets for a while each (needs cargo-fuzz; installs it when missing)
    Fuzz(fuzz::FuzzArgs),
    /// Make (once; cached under target/) the Debian minbase root filesystem of the build tests and the
    /// bench with debootstrap from this machine's Debian mirror, and print the path of its tar
    DebianMinbase,
    /// Generate the CLI reference, man pages and shell completions into docs/
    Docs {
        /// Fail if the generated files are stale instead of writing them
        #[arg(long)]
        check: bool,
    },
}

/// Prints an error's chain and exits 1. Not `main() -> Result`: with `RUST_BACKTRACE` set (as CI
/// sets it) that also prints the error's backtrace, dozens of lines of xtask's own frames that would
/// push the failure report out of the tail CI keeps.
fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    match Xtask::parse().command {
        Command::Ci => ci::run(),
        Command::Test(args) => test::run(&args),
        Command::Docs { check } => docs::run(check),
        Command::Demo => demo::run(),
        Command::Fuzz(args) => fuzz::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::DebianMinbase => debian_minbase(),
    }
}

/// `cargo xtask debian-minbase`: installs debootstrap when missing, then prints the cached tar's path
/// (the bench imports it into berth and serves it to Docker and buildah through its registry).
fn debian_minbase() -> anyhow::Result<()> {
    peers::ensure_installed()?;
    let cache = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| util::root().join("target"), std::path::PathBuf::from);
    let minbase = debian_minbase::minbase(&cache).map_err(anyhow::Error::msg)?;
    println!("{}", minbase.tar.display());
    Ok(())
}
