//! `cargo xtask ci`: the checks a change must pass.

use anyhow::bail;

use crate::{docs, test, util};

/// Crates that must stay pure: no I/O, no async, no network.
const PURE_CRATES: &[&str] = &[
    "berth-digest",
    "berth-reference",
    "berth-manifest",
    "berth-format",
];
const FORBIDDEN_IN_PURE: &[&str] = &["tokio", "reqwest", "hyper", "mio", "tar", "flate2", "zstd"];

pub fn run() -> anyhow::Result<()> {
    util::run(util::cargo().args(["fmt", "--all", "--check"]))?;
    util::run(util::cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))?;
    docs::run(true)?;
    layering()?;
    // The tests, then a short run of every fuzz target (the long runs are `cargo xtask fuzz --seconds N`).
    test::run(&test::TestArgs {
        soak: false,
        no_fuzz: false,
        cargo_args: Vec::new(),
    })
}

/// The one-way layering of ARCHITECTURE.md, checked against the real dependency graph.
fn layering() -> anyhow::Result<()> {
    for krate in PURE_CRATES {
        let tree = util::output(util::cargo().args([
            "tree", "--locked", "-e", "normal", "--prefix", "none", "-p", krate,
        ]))?;
        for line in tree.lines() {
            let name = line.split_whitespace().next().unwrap_or_default();
            if FORBIDDEN_IN_PURE.contains(&name) {
                bail!("layering: {krate} must not depend on {name} (ARCHITECTURE.md, invariants)");
            }
        }
    }
    eprintln!("layering: ok");
    Ok(())
}
