//! `berth diff CONTAINER`: `A`dded, `C`hanged and `D`eleted paths.

use crate::{context::Ctx, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let containers = super::containers(ctx)?;
    let container = super::get(&containers, &args.container)?;
    for change in containers.changes(&container)? {
        output::println(&change.to_string())?;
    }
    Ok(())
}
