//! `berth load [-i FILE] [-q]`: any image archive, from a file or stdin.

use std::{fs::File, io::IsTerminal};

use anyhow::{bail, Context as _};

use crate::{
    context::Ctx,
    output,
    progress::{archive::Shared, Operation},
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Read from tar archive file (or an OCI image layout directory), instead of STDIN
    #[arg(short = 'i', long)]
    pub input: Option<String>,
    /// Suppress the load output
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Load only the given platform (os[/arch[/variant]])
    #[arg(long)]
    pub platform: Option<String>,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let platform = args
        .platform
        .as_deref()
        .map(berth_manifest::Platform::parse)
        .transpose()?;
    let archive_size = args
        .input
        .as_deref()
        .and_then(|path| std::fs::metadata(path).ok())
        .filter(std::fs::Metadata::is_file)
        .map(|metadata| metadata.len());
    // Docker's `Loading layer` lines, which `-q` hides.
    let progress = Shared::new(Operation::Load, args.quiet, archive_size);
    let options = berth_archive::LoadOptions {
        platform,
        progress: progress.reporter(),
        ..berth_archive::LoadOptions::default()
    };
    if let Some(dir) = args
        .input
        .as_deref()
        .map(std::path::Path::new)
        .filter(|p| p.is_dir())
    {
        // An OCI image layout directory (e.g. `skopeo copy ... oci:DIR`).
        let loaded = berth_archive::load_dir(ctx.store()?, dir, &options)?;
        progress.finish();
        return report(&loaded);
    }
    let store = ctx.store()?;
    let loaded = match &args.input {
        Some(path) => {
            let file = File::open(path).with_context(|| format!("failed to open {path}"))?;
            berth_archive::load_file(store, &file, &options)?
        }
        None => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                bail!("requested load from stdin, but stdin is empty");
            }
            let stdin = stdin.lock();
            // Redirected from a file (`< image.tar`): read with positioned reads, like `-i`.
            let duplicate = rustix::io::fcntl_dupfd_cloexec(&stdin, 3)?;
            berth_archive::load_file(store, &File::from(duplicate), &options)?
        }
    };
    progress.finish();
    report(&loaded)
}

/// Docker prints what was loaded (and which names moved) on stdout with or without `-q`: `-q` only
/// hides the per-layer progress bars.
fn report(loaded: &[berth_archive::Loaded]) -> anyhow::Result<()> {
    for image in loaded {
        output::println(&image.to_string())?;
    }
    Ok(())
}
