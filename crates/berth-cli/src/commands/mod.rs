//! One module per command. Each exposes `run(ctx, args) -> anyhow::Result<()>`.

use crate::args::Cli;

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {}
}
