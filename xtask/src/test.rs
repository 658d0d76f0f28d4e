//! `cargo xtask test`: everything a fresh machine needs, then every suite.

use clap::Args;

use crate::{peers, util};

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Extra arguments passed to `cargo test` (e.g. a test name filter)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub cargo_args: Vec<String>,
}

pub fn run(args: &TestArgs) -> anyhow::Result<()> {
    peers::ensure_installed()?;
    util::run(
        util::cargo()
            .args(["test", "--workspace", "--locked"])
            .args(&args.cargo_args),
    )
}
