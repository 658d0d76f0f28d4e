//! `berth save [-o FILE] IMAGE...`

use std::io::IsTerminal;

use berth_archive::{SaveFormat, SaveOptions};

use crate::context::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write to a file, instead of STDOUT
    #[arg(short = 'o', long)]
    pub output: Option<std::path::PathBuf>,
    /// Archive layout: hybrid (Docker 25+, loads everywhere), docker, or oci
    #[arg(long, value_enum, default_value_t = FormatArg::Hybrid)]
    pub format: FormatArg,
    /// Write plain tar layers instead of the stored (possibly compressed) ones
    #[arg(long)]
    pub uncompressed: bool,
    /// Images to save (names, IDs or name@digest)
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    Hybrid,
    Docker,
    Oci,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let options = SaveOptions {
        format: match args.format {
            FormatArg::Hybrid => SaveFormat::Hybrid,
            FormatArg::Docker => SaveFormat::Docker,
            FormatArg::Oci => SaveFormat::Oci,
        },
        uncompressed: args.uncompressed,
    };
    if args.output.is_none() && std::io::stdout().is_terminal() {
        return Err(crate::exit::Plain(
            "cowardly refusing to save to a terminal. Use the -o flag or redirect".to_owned(),
        )
        .into());
    }
    for name in &args.images {
        crate::names::check(name)?;
    }
    let store = ctx.store()?;
    let images = berth_archive::resolve_for_save(store, &args.images)?;
    match &args.output {
        Some(path) => berth_archive::write_atomically(path, |out| {
            berth_archive::save_to_file(store, &images, &options, out)
        })?,
        None => {
            let stdout = std::io::stdout().lock();
            // Redirected to a file (`> out.tar`): the kernel copies the blobs. A pipe streams.
            let duplicate = rustix::io::fcntl_dupfd_cloexec(&stdout, 3)?;
            berth_archive::save_to_file(store, &images, &options, &std::fs::File::from(duplicate))?;
            drop(stdout);
        }
    }
    Ok(())
}
