//! `cargo xtask ci`: the checks a change must pass.

use anyhow::bail;

use crate::{docs, test, util};

/// Crates that must stay pure: no I/O, no async, no network.
const PURE_CRATES: &[&str] = &[
    "berth-digest",
    "berth-reference",
    "berth-manifest",
    "berth-format",
    "berth-dockerfile",
];
const FORBIDDEN_IN_PURE: &[&str] = &["tokio", "reqwest", "hyper", "mio", "tar", "flate2", "zstd"];
/// The only workspace packages that may use an async runtime: berth-registry (the network), the CLI
/// that calls it, the binary and the build driver (ARCHITECTURE.md, invariants). Every other
/// workspace package, including ones added later, is checked.
const ASYNC_ALLOWED: &[&str] = &["berth-registry", "berth-cli", "berth", "xtask"];
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
    // The tests, then a short run of every fuzz target (the long runs are `cargo xtask fuzz --seconds N`).
    test::run(&test::TestArgs {
        soak: false,
        no_fuzz: false,
        cargo_args: Vec::new(),
    })
}

/// The one-way layering of ARCHITECTURE.md, checked against the real dependency graph. Run by
/// `cargo xtask test` (and so by CI) as well as `cargo xtask ci`.
pub fn layering() -> anyhow::Result<()> {
    let metadata = util::output(util::cargo().args([
        "metadata",
        "--locked",
        "--no-deps",
        "--format-version",
        "1",
    ]))?;
    let members = workspace_members(&metadata)?;
    for krate in PURE_CRATES {
        if !members.iter().any(|member| member == krate) {
            bail!("layering: {krate} is not a workspace member any more; update xtask/src/ci.rs");
        }
    }
    let rules = PURE_CRATES
        .iter()
        .map(|krate| (*krate, FORBIDDEN_IN_PURE))
        .chain(
            members
                .iter()
                .map(String::as_str)
                .filter(|krate| !ASYNC_ALLOWED.contains(krate))
                .map(|krate| (krate, ASYNC_RUNTIMES)),
        );
    for (krate, forbidden) in rules {
        let tree = util::output(util::cargo().args([
            "tree", "--locked", "-e", "normal", "--prefix", "none", "-p", krate,
        ]))?;
        if let Some(name) = forbidden_dependency(&tree, forbidden) {
            bail!("layering: {krate} must not depend on {name} (ARCHITECTURE.md, invariants)");
        }
    }
    eprintln!("layering: ok ({} workspace packages)", members.len());
    Ok(())
}

/// The package names of the workspace, from `cargo metadata --no-deps` JSON.
fn workspace_members(metadata: &str) -> anyhow::Result<Vec<String>> {
    let metadata: serde_json::Value = serde_json::from_str(metadata)?;
    let packages = metadata["packages"]
        .as_array()
        .ok_or_else(|| anyhow::anyhow!("cargo metadata: no packages"))?;
    Ok(packages
        .iter()
        .filter_map(|package| package["name"].as_str().map(str::to_owned))
        .collect())
}

/// `cargo doc` of the workspace without a warning: every intra-doc link resolves and points at
/// something public (the examples themselves run as doctests with the unit tests).
pub fn rustdoc() -> anyhow::Result<()> {
    util::run(
        util::cargo()
            .args(["doc", "--workspace", "--no-deps", "--locked"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )?;
    eprintln!("rustdoc: no warnings");
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

    #[test]
    fn workspace_members_are_read_from_cargo_metadata() {
        let metadata =
            r#"{"packages":[{"name":"berth-store","id":"x"},{"name":"xtask"}],"version":1}"#;
        assert_eq!(
            workspace_members(metadata).unwrap(),
            vec!["berth-store".to_owned(), "xtask".to_owned()]
        );
        assert!(workspace_members("{}").is_err());
    }
}
