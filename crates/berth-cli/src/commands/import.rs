//! `berth import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]`

use std::{fs::File, io::Read};

use anyhow::Context as _;
use berth_reference::Reference;

use crate::{
    context::Ctx,
    exit::plain,
    output,
    progress::{archive::Shared, Operation},
    url,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Apply Dockerfile instruction to the created image
    #[arg(short = 'c', long = "change", value_name = "CHANGE")]
    pub changes: Vec<String>,
    /// Set commit message for imported image
    #[arg(short = 'm', long)]
    pub message: Option<String>,
    /// Set platform if server is multi-platform capable
    #[arg(long)]
    pub platform: Option<String>,
    /// A tarball (tar, gzip, bzip2, xz or zstd), an http(s) URL, or - for stdin
    #[arg(value_name = "file|URL|-")]
    pub source: String,
    /// Name for the new image
    #[arg(value_name = "REPOSITORY[:TAG]")]
    pub reference: Option<String>,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    // The daemon checks the changes before it reads the tarball, and reports them alone.
    berth_manifest::apply_changes(
        &mut berth_manifest::ContainerConfig::default(),
        &args.changes,
    )?;
    let reference = args
        .reference
        .as_deref()
        .map(|name| {
            // Docker's CLI parses the name before it uploads anything: its error alone.
            Reference::parse_normalized(name)
                .map_err(plain)
                .map(Reference::with_default_tag)
        })
        .transpose()?;
    let (input, size): (Box<dyn Read>, Option<u64>) = if args.source == "-" {
        let stdin = std::io::stdin().lock();
        // Redirected from a file (`< rootfs.tar`), its size is known.
        let size = rustix::fs::fstat(&stdin)
            .ok()
            .filter(|stat| rustix::fs::FileType::from_raw_mode(stat.st_mode).is_file())
            .and_then(|stat| u64::try_from(stat.st_size).ok());
        (Box::new(stdin), size)
    } else if url::is_url(&args.source) {
        let reader = url::open(&args.source, &ctx.config_dir())?;
        let size = reader.content_length();
        (Box::new(reader), size)
    } else {
        // Docker's CLI opens the file itself, and says so in Go's words.
        let file = File::open(&args.source).map_err(|e| plain(go_open_error(&args.source, &e)))?;
        let size = file.metadata().ok().map(|metadata| metadata.len());
        (Box::new(file), size)
    };
    let progress = Shared::new(Operation::Import, false, size);
    let input = progress.reader(input);
    let options = berth_archive::ImportOptions {
        source: comment_source(&args.source).to_owned(),
        message: args.message.clone(),
        changes: args.changes.clone(),
        platform: args.platform.clone(),
        reference,
        created: source_date_epoch()?,
        ..berth_archive::ImportOptions::default()
    };
    let store = ctx.store()?;
    let id = berth_archive::import(store, input, &options)
        .with_context(|| format!("failed to import {}", args.source))?;
    progress.finish();
    output::println(&id.to_string())?;
    Ok(())
}

/// Go's `os.Open` error: `open <path>: no such file or directory`.
fn go_open_error(path: &str, error: &std::io::Error) -> anyhow::Error {
    let reason = match error.raw_os_error() {
        // strerror, as Go's syscall.Errno prints it: lowercase, without Rust's `(os error N)`.
        Some(code) => {
            let text = std::io::Error::from_raw_os_error(code).to_string();
            let text = text
                .split(" (os error")
                .next()
                .unwrap_or_default()
                .to_owned();
            let mut chars = text.chars();
            chars
                .next()
                .map(|first| first.to_lowercase().chain(chars).collect())
                .unwrap_or(text)
        }
        None => error.to_string(),
    };
    anyhow::anyhow!("open {path}: {reason}")
}

/// The source the default comment names (`Imported from <source>`): Docker's CLI uploads a local
/// file as the request body, exactly as it sends stdin, so the daemon records `-` for both; only a
/// URL is passed on and recorded as given.
fn comment_source(source: &str) -> &str {
    if url::is_url(source) {
        source
    } else {
        "-"
    }
}

/// `SOURCE_DATE_EPOCH` (the reproducible-builds convention) pins the image's creation time, so the
/// same tarball imported twice gives the same image ID. Docker has no such switch; berth adds it.
fn source_date_epoch() -> anyhow::Result<Option<time::OffsetDateTime>> {
    let Ok(value) = std::env::var("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    let seconds: i64 = value
        .trim()
        .parse()
        .with_context(|| format!("invalid SOURCE_DATE_EPOCH: {value:?}"))?;
    Ok(Some(time::OffsetDateTime::from_unix_timestamp(seconds)?))
}
