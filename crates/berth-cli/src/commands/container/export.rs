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
        Some(path) => {
            // Written beside the target and renamed into place: no partial file on failure.
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
            let dir = dir.unwrap_or_else(|| std::path::Path::new("."));
            let temp_name = format!(".berth-export-{}", std::process::id());
            let temp = dir.join(&temp_name);
            let result = (|| {
                let file = std::fs::File::create(&temp)
                    .with_context(|| format!("failed to export container: {}", path.display()))?;
                // Removed if SIGINT or SIGTERM ends the export (crate::interrupt).
                let _registration = std::fs::File::open(dir)
                    .ok()
                    .and_then(|dir| berth_store::cleanup::register(&dir, &temp_name));
                let file = containers.export(&container, std::io::BufWriter::new(file))?;
                file.into_inner()
                    .map_err(std::io::IntoInnerError::into_error)?
                    .sync_all()?;
                std::fs::rename(&temp, path)?;
                anyhow::Ok(())
            })();
            if result.is_err() {
                let _ = std::fs::remove_file(&temp);
            }
            result
        }
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
