//! `cargo xtask test`: everything a fresh machine needs, then every suite.

use clap::Args;

use crate::{peers, util};

/// Property-test cases per property in soak mode (the default keeps each property to seconds).
const SOAK_PROPTEST_CASES: &str = "5000";

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Soak mode: 100 kill points per operation in the crash suite (`BERTH_SOAK=1`) and
    /// 5,000 cases per fuzz property (`PROPTEST_CASES`, unless already set)
    #[arg(long)]
    pub soak: bool,
    /// Extra arguments passed to `cargo test` (e.g. a test name filter)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub cargo_args: Vec<String>,
}

pub fn run(args: &TestArgs) -> anyhow::Result<()> {
    peers::ensure_installed()?;
    let mut cargo = util::cargo();
    cargo
        .args(["test", "--workspace", "--locked", "--no-fail-fast"])
        .args(&args.cargo_args);
    if args.soak {
        cargo.env("BERTH_SOAK", "1");
        if std::env::var_os("PROPTEST_CASES").is_none() {
            cargo.env("PROPTEST_CASES", SOAK_PROPTEST_CASES);
        }
    }
    util::run(&mut cargo)
}
