//! `berth system df [-v] [--format TEMPLATE]`: Docker 20.10's disk usage summary (docker/cli's
//! `formatter/disk_usage.go` over moby's `SystemDiskUsage`). Images: those `images` lists, ACTIVE
//! the ones a container uses, SIZE every layer's content once, RECLAIMABLE the SIZE less what the
//! active images hold on their own. Containers: what they wrote, RECLAIMABLE that of the stopped
//! ones. berth has no volumes and no build cache: those rows are empty, as on a Docker without them.

use std::{collections::HashMap, fmt::Write as _, time::SystemTime};

use berth_digest::Digest;
use berth_format::{human, render_rows, template::Missing, Format};
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::{context::Ctx, facts, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Pretty-print images using a Go template
    #[arg(long, value_name = "string")]
    pub format: Option<String>,
    /// Show detailed information on space usage
    #[arg(short = 'v', long)]
    pub verbose: bool,
}

const SUMMARY_TABLE: &str = "{{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}";
const IMAGES_TABLE: &str = "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.VirtualSize}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}";
const CONTAINERS_TABLE: &str = "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}";
const VOLUMES_TABLE: &str = "VOLUME NAME\tLINKS\tSIZE\n";
const BUILD_CACHE_TABLE: &str = "CACHE ID\tCACHE TYPE\tSIZE\tCREATED\tLAST USED\tUSAGE\tSHARED\n";

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    if args.verbose && args.format.is_some() {
        anyhow::bail!("--format and --verbose cannot be combined in berth");
    }
    let store = ctx.store()?;
    let usage = store.disk_usage()?;
    let containers = crate::commands::container::containers(ctx)?;
    // Newest first, each one's state already read from the runtime.
    let listed = containers.list()?;
    let mut users: HashMap<Digest, usize> = HashMap::new();
    let mut written = Vec::new();
    for container in &listed {
        *users.entry(container.record.image_id.clone()).or_default() += 1;
        written.push(containers.rw_size(container).unwrap_or(0));
    }
    let now = SystemTime::now();
    if args.verbose {
        return verbose(&containers, &usage, &users, &listed, &written, now);
    }

    // Images: docker/cli's `diskUsageImagesContext`.
    let active_images: Vec<_> = usage
        .images
        .iter()
        .filter(|i| users.contains_key(&i.summary.id))
        .collect();
    let held_alone: u64 = active_images
        .iter()
        .map(|i| i.summary.size.saturating_sub(i.shared_size))
        .sum();
    let images_row = summary_row(
        "Images",
        usage.images.len(),
        active_images.len(),
        usage.layers_size,
        usage.layers_size.saturating_sub(held_alone),
    );
    let (mut running, mut size, mut reclaimable) = (0usize, 0u64, 0u64);
    for (container, written) in listed.iter().zip(&written) {
        size += written;
        if container.state.status.is_running() {
            running += 1;
        } else {
            reclaimable += written;
        }
    }
    let rows = [
        images_row,
        summary_row("Containers", listed.len(), running, size, reclaimable),
        summary_row("Local Volumes", 0, 0, 0, 0),
        {
            // Every record is reclaimable: `builder prune` removes them all.
            let (count, size) = berth_build::cache::usage(containers.store());
            summary_row("Build Cache", count, 0, size, size)
        },
    ];
    let format = Format::parse(args.format.as_deref(), SUMMARY_TABLE, Missing::Error)?;
    let header = json!({
        "Type": "TYPE", "TotalCount": "TOTAL", "Active": "ACTIVE", "Size": "SIZE",
        "Reclaimable": "RECLAIMABLE",
    });
    Ok(output::print(&render_rows(&format, &header, &rows)?)?)
}

/// One row of the summary; `(NN%)` only where there is something at all, as Docker prints it.
fn summary_row(kind: &str, total: usize, active: usize, size: u64, reclaimable: u64) -> Value {
    let reclaimable = match (reclaimable * 100).checked_div(size) {
        Some(percent) => format!("{} ({percent}%)", human::size4(reclaimable)),
        None => human::size4(reclaimable),
    };
    json!({
        "Type": kind,
        "TotalCount": total.to_string(),
        "Active": active.to_string(),
        "Size": human::size4(size),
        "Reclaimable": reclaimable,
    })
}

/// `-v`: a table per kind, as docker/cli's `verboseWrite` lays them out.
fn verbose(
    containers: &berth_container::Containers<'_>,
    usage: &berth_store::DiskUsage,
    users: &HashMap<Digest, usize>,
    listed: &[berth_container::Container],
    written: &[u64],
    now: SystemTime,
) -> anyhow::Result<()> {
    let mut images: Vec<(&berth_store::ImageUsage, Option<OffsetDateTime>)> = usage
        .images
        .iter()
        .map(|image| {
            let created = image
                .summary
                .created
                .as_deref()
                .and_then(|c| berth_manifest::timefmt::parse_rfc3339(c).ok());
            (image, created)
        })
        .collect();
    // Newest first, as the daemon lists them.
    images.sort_by_key(|(_, created)| {
        std::cmp::Reverse(created.map_or(0, OffsetDateTime::unix_timestamp))
    });
    let image_rows: Vec<Value> = images
        .iter()
        .map(|(image, created)| {
            let summary = &image.summary;
            // Only the first tag; an image without one is `<none> <none>`.
            let (repository, tag) = summary
                .names
                .iter()
                .find_map(|name| Some((name.familiar_name(), name.tag()?.to_owned())))
                .unwrap_or_else(|| ("<none>".to_owned(), "<none>".to_owned()));
            json!({
                "Repository": repository,
                "Tag": tag,
                "ID": summary.id.short(),
                "CreatedSince": facts::since(*created, now),
                "VirtualSize": human::size4(summary.size),
                "SharedSize": human::size4(image.shared_size),
                "UniqueSize": human::size4(summary.size.saturating_sub(image.shared_size)),
                "Containers": users.get(&summary.id).copied().unwrap_or(0).to_string(),
            })
        })
        .collect();
    let image_header = json!({
        "Repository": "REPOSITORY", "Tag": "TAG", "ID": "IMAGE ID", "CreatedSince": "CREATED",
        "VirtualSize": "SIZE", "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE",
        "Containers": "CONTAINERS",
    });
    let container_rows: Vec<Value> = listed
        .iter()
        .zip(written)
        .map(|(container, written)| {
            let mut row = crate::commands::container::ps::row_of(containers, container, now);
            row["Size"] = Value::from(human::size(*written));
            row
        })
        .collect();
    let container_header = crate::commands::container::ps::header();
    let table = |template: &str, header: &Value, rows: &[Value]| -> anyhow::Result<String> {
        let format = Format::parse(None, template, Missing::Error)?;
        Ok(render_rows(&format, header, rows)?)
    };
    let mut out = String::from("Images space usage:\n\n");
    out.push_str(&table(IMAGES_TABLE, &image_header, &image_rows)?);
    out.push_str("\nContainers space usage:\n\n");
    out.push_str(&table(
        CONTAINERS_TABLE,
        &container_header,
        &container_rows,
    )?);
    out.push_str("\nLocal Volumes space usage:\n\n");
    out.push_str(&berth_format::tabwrite(VOLUMES_TABLE));
    let _ = write!(out, "\nBuild cache usage: {}\n\n", human::size4(0));
    out.push_str(&berth_format::tabwrite(BUILD_CACHE_TABLE));
    Ok(output::print(&out)?)
}
