//! `berth export [OPTIONS] CONTAINER`: the container's filesystem as a tar stream.

use std::io::{IsTerminal, Write};

use anyhow::{bail, Context as _};

use crate::context::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write to a file, instead of STDOUT
    #[arg(short = 'o', long, value_name = "string")]
    pub output: Option<std::path::PathBuf>,
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let containers = super::containers(ctx)?;
    let container = super::get(&containers, &args.container)?;
    match &args.output {
        // Written beside the target (O_EXCL, mode 0600, registered for removal on SIGINT/SIGTERM)
        // and renamed into place, as `save -o`: no partial file on failure, a symlink at the
        // target is replaced rather than followed, and a device or FIFO is written in place.
        Some(path) => berth_archive::write_atomically(path, |file| {
            let out = containers
                .export(&container, std::io::BufWriter::new(&*file))
                .with_context(|| format!("failed to export container: {}", path.display()))?;
            out.into_inner()
                .map_err(std::io::IntoInnerError::into_error)?;
            anyhow::Ok(())
        }),
        None => {
            if std::io::stdout().is_terminal() {
                bail!("cowardly refusing to save to a terminal. Use the -o flag or redirect");
            }
            let mut out =
                containers.export(&container, std::io::BufWriter::new(std::io::stdout()))?;
            out.flush()?;
            Ok(())
        }
    }
}
