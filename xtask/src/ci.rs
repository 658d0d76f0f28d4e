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
/// The library crates that do I/O without async: only berth-registry (the network) and the CLI that
/// calls it use tokio (ARCHITECTURE.md, invariants).
const SYNC_CRATES: &[&str] = &["berth-store", "berth-archive", "berth-container"];
const ASYNC_RUNTIMES: &[&str] = &["tokio", "async-std", "smol"];

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
    let rules = PURE_CRATES
        .iter()
        .map(|krate| (*krate, FORBIDDEN_IN_PURE))
        .chain(SYNC_CRATES.iter().map(|krate| (*krate, ASYNC_RUNTIMES)));
    for (krate, forbidden) in rules {
        let tree = util::output(util::cargo().args([
            "tree", "--locked", "-e", "normal", "--prefix", "none", "-p", krate,
        ]))?;
        if let Some(name) = forbidden_dependency(&tree, forbidden) {
            bail!("layering: {krate} must not depend on {name} (ARCHITECTURE.md, invariants)");
        }
    }
    eprintln!("layering: ok");
    Ok(())
}

/// The first crate of `cargo tree --prefix none` output that `forbidden` names.
fn forbidden_dependency<'t>(tree: &'t str, forbidden: &[&str]) -> Option<&'t str> {
    tree.lines()
        .filter_map(|line| line.split_whitespace().next())
        .find(|name| forbidden.contains(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_dependencies_are_found_by_crate_name() {
        let tree = "berth-store v0.0.0 (/w/crates/berth-store)\nrustix v1.0.0\ntokio v1.40.0\n";
        let cases: &[(&[&str], Option<&str>)] = &[
            (ASYNC_RUNTIMES, Some("tokio")),
            (&["tar"], None),
            (&["tokio-util"], None),
            (&["rustix"], Some("rustix")),
        ];
        for (forbidden, expected) in cases {
            assert_eq!(
                forbidden_dependency(tree, forbidden),
                *expected,
                "{forbidden:?}"
            );
        }
    }
}
