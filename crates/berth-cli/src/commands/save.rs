//! `berth save [-o FILE] IMAGE...`

use std::{
    io::IsTerminal,
    os::unix::fs::FileTypeExt,
    path::{Component, Path, PathBuf},
};

use berth_archive::{SaveFormat, SaveOptions};

use crate::{
    context::Ctx,
    exit::Plain,
    progress::{archive::Shared, Operation},
};

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
        progress: berth_archive::Reporter::default(),
    };
    if let Some(output) = &args.output {
        validate_output_path(output).map_err(|reason| {
            Plain(format!(
                "failed to save image: invalid output path: {reason}"
            ))
        })?;
    }
    if args.output.is_none() && std::io::stdout().is_terminal() {
        return Err(Plain(
            "cowardly refusing to save to a terminal. Use the -o flag or redirect".to_owned(),
        )
        .into());
    }
    for name in &args.images {
        crate::names::check(name)?;
    }
    let store = ctx.store()?;
    let images = berth_archive::resolve_for_save(store, &args.images)?;
    // Docker's `save` shows nothing while it writes; berth shows the whole-archive line.
    let progress = Shared::new(Operation::Save, false, None);
    let options = SaveOptions {
        progress: progress.reporter(),
        ..options
    };
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
    progress.finish();
    Ok(())
}

/// Docker's CLI `ValidateOutputPath`, before anything is asked of the daemon: the directory must
/// exist, and an existing path must be a directory or a regular file (not a device).
fn validate_output_path(path: &Path) -> Result<(), String> {
    let lexical = clean(path);
    if let Some(dir) = lexical.parent().filter(|d| !d.as_os_str().is_empty()) {
        if matches!(std::fs::metadata(dir), Err(e) if e.kind() == std::io::ErrorKind::NotFound) {
            return Err(format!(
                "directory {:?} does not exist",
                dir.display().to_string()
            ));
        }
    }
    let Ok(metadata) = std::fs::metadata(path) else {
        return Ok(());
    };
    let file_type = metadata.file_type();
    if file_type.is_dir() || file_type.is_file() {
        return Ok(());
    }
    let what = if file_type.is_block_device() || file_type.is_char_device() {
        "got a device"
    } else if file_type.is_socket() {
        "got an irregular file"
    } else {
        return Ok(());
    };
    Err(format!(
        "{:?} must be a directory or a regular file: {what}",
        path.display().to_string()
    ))
}

/// Go's `filepath.Clean`, lexically: no `.` components, no `..` after a name, no trailing `/`.
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths_as_dockers_cli() {
        let cases: &[(&str, Result<(), String>)] = &[
            ("/tmp/x.tar", Ok(())),
            ("x.tar", Ok(())),
            ("/tmp", Ok(())),
            (
                "/nonexistent/dir/x.tar",
                Err("directory \"/nonexistent/dir\" does not exist".to_owned()),
            ),
            (
                "/nonexistent/./dir/../x.tar",
                Err("directory \"/nonexistent\" does not exist".to_owned()),
            ),
            (
                "/dev/null",
                Err("\"/dev/null\" must be a directory or a regular file: got a device".to_owned()),
            ),
        ];
        for (path, want) in cases {
            assert_eq!(&validate_output_path(Path::new(path)), want, "{path}");
        }
    }
}
