//! `cargo xtask fuzz`: libFuzzer targets (cargo fuzz) for reference parsing, manifest/config
//! parsing, `--format` templates and archive `load` (with an oracle: a failed load leaves the store
//! as it was).
//!
//! cargo-fuzz needs nightly-only compiler flags; the machines have one stable toolchain, so the
//! build runs with `RUSTC_BOOTSTRAP=1`, which lets that toolchain accept them.

use std::process::Command;

use clap::Args;

use crate::util;

pub const TARGETS: &[&str] = &["reference", "manifest", "template", "load"];

#[derive(Debug, Args)]
pub struct FuzzArgs {
    /// Seconds per target
    #[arg(long, default_value_t = 20)]
    pub seconds: u32,
    /// Only these targets (default: all)
    pub targets: Vec<String>,
}

pub fn run(args: &FuzzArgs) -> anyhow::Result<()> {
    if !util::have("cargo-fuzz") {
        util::run(util::cargo().args(["install", "cargo-fuzz", "--locked"]))?;
    }
    let targets: Vec<&str> = if args.targets.is_empty() {
        TARGETS.to_vec()
    } else {
        args.targets.iter().map(String::as_str).collect()
    };
    for target in targets {
        let max_time = format!("-max_total_time={}", args.seconds);
        util::run(
            Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
                .current_dir(util::root().join("fuzz"))
                .env("RUSTC_BOOTSTRAP", "1")
                .args(["fuzz", "run", "-O", target, "--", &max_time]),
        )?;
    }
    Ok(())
}
