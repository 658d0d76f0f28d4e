//! `berth ps [OPTIONS]`: Docker's container table.

use std::time::{Duration, SystemTime};

use berth_container::{Container, ContainerFilter, Containers, Status};
use berth_digest::Digest;
use berth_format::{render_rows, template::Missing, Format};
use berth_reference::Reference;
use berth_store::Store;
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::{context::Ctx, filters::Filters, output};

const DEFAULT_TABLE: &str =
    "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
const SIZE_TABLE: &str = "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Size}}";
/// Docker truncates COMMAND to this display width (then quotes it).
const COMMAND_WIDTH: usize = 20;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show all containers (default shows just running)
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Filter output based on conditions provided
    #[arg(short = 'f', long = "filter", value_name = "filter", value_parser = crate::filters::parse_arg)]
    pub filter: Vec<String>,
    /// Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template
    #[arg(long, value_name = "string")]
    pub format: Option<String>,
    /// Show n last created containers (includes all states)
    #[arg(short = 'n', long, default_value_t = -1, value_name = "int", allow_negative_numbers = true)]
    pub last: i64,
    /// Show the latest created container (includes all states)
    #[arg(short = 'l', long)]
    pub latest: bool,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Only display container IDs
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Display total file sizes
    #[arg(short = 's', long)]
    pub size: bool,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let mut filter = ContainerFilter::default();
    for (key, value) in Filters::parse(&args.filter, ContainerFilter::KEYS)?.pairs() {
        filter.add(key, value)?;
    }
    let containers = super::containers(ctx)?;
    let all_containers = containers.list()?; // newest first
    let last = if args.latest { 1 } else { args.last };
    let mut selected = containers.select(&all_containers, &filter, args.all || last > 0)?;
    if last > 0 {
        selected.truncate(usize::try_from(last).unwrap_or(usize::MAX));
    }
    let now = SystemTime::now();
    if args.quiet && args.format.is_none() {
        for container in &selected {
            let id = if args.no_trunc {
                container.id()
            } else {
                container.short_id()
            };
            output::println(id)?;
        }
        return Ok(());
    }
    let mut images = ImageNames::default();
    let rows: Vec<Value> = selected
        .iter()
        .map(|c| row(&containers, &mut images, c, args.no_trunc, args.size, now))
        .collect();
    let default = if args.size { SIZE_TABLE } else { DEFAULT_TABLE };
    let format = Format::parse(args.format.as_deref(), default, Missing::Error)?;
    Ok(output::print(&render_rows(&format, &header(), &rows)?)?)
}

/// The column titles of `ps` (and of `system df -v`'s containers).
pub(crate) fn header() -> Value {
    json!({
        "ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
        "RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE", "Status": "STATUS",
        "Size": "SIZE", "Names": "NAMES", "Labels": "LABELS", "Mounts": "MOUNTS",
        "Networks": "NETWORKS", "Platform": "PLATFORM", "HealthStatus": "HEALTH", "LocalVolumes": "LOCAL VOLUMES",
    })
}

/// One container's `ps` row (truncated, without sizes), for `system df -v`.
pub(crate) fn row_of(containers: &Containers<'_>, container: &Container, now: SystemTime) -> Value {
    row(
        containers,
        &mut ImageNames::default(),
        container,
        false,
        false,
        now,
    )
}

fn parse_time(rfc3339: Option<&str>) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(rfc3339?, &time::format_description::well_known::Rfc3339).ok()
}

fn elapsed(since: Option<&str>, now: SystemTime) -> String {
    let duration = parse_time(since)
        .and_then(|t| now.duration_since(SystemTime::from(t)).ok())
        .unwrap_or(Duration::ZERO);
    berth_format::human::duration(duration)
}

/// Docker's STATUS column: `Created`, `Up 2 hours`, `Up 2 hours (Paused)`, `Exited (0) 2 minutes ago`.
pub fn status(container: &Container, now: SystemTime) -> String {
    let state = &container.state;
    match state.status {
        Status::Created => "Created".to_owned(),
        Status::Running => format!("Up {}", elapsed(state.started_at.as_deref(), now)),
        Status::Paused => format!("Up {} (Paused)", elapsed(state.started_at.as_deref(), now)),
        Status::Exited => format!(
            "Exited ({}) {} ago",
            state.exit_code.unwrap_or(0),
            elapsed(state.finished_at.as_deref(), now)
        ),
    }
}

/// The COMMAND column: quoted, and cut to 20 display columns with `…` unless `--no-trunc`.
pub fn command(container: &Container, no_trunc: bool) -> String {
    let command = container.command();
    if no_trunc || command.chars().count() <= COMMAND_WIDTH {
        return format!("\"{command}\"");
    }
    let cut: String = command.chars().take(COMMAND_WIDTH - 1).collect();
    format!("\"{cut}…\"")
}

fn row(
    containers: &Containers<'_>,
    images: &mut ImageNames,
    container: &Container,
    no_trunc: bool,
    size: bool,
    now: SystemTime,
) -> Value {
    let record = &container.record;
    let created = parse_time(Some(&record.created));
    let labels: Vec<String> = record
        .config
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mounts: Vec<&str> = record
        .host
        .binds
        .iter()
        .map(|b| b.source.as_str())
        .collect();
    let size = if size {
        let rw = containers.rw_size(container).unwrap_or(0);
        let virtual_size = rw + image_size(containers, container);
        format!(
            "{} (virtual {})",
            berth_format::human::size(rw),
            berth_format::human::size(virtual_size)
        )
    } else {
        String::new()
    };
    json!({
        "ID": if no_trunc { container.id() } else { container.short_id() },
        "Image": image_column(
            images.resolve(containers.store(), &record.image).as_ref(),
            &record.image,
            &record.image_id,
            no_trunc
        ),
        "Command": command(container, no_trunc),
        "CreatedAt": crate::facts::go_time_string(created),
        "RunningFor": crate::facts::since(created, now),
        "Ports": "",
        "State": container.state.status.as_str(),
        "Status": status(container, now),
        "Size": size,
        "Names": record.name,
        "Labels": labels.join(","),
        "Mounts": mounts.join(","),
        "Networks": record.host.network.name(),
        "Platform": "",
        "HealthStatus": "",
        "LocalVolumes": "0",
    })
}

/// The image's uncompressed size, from what the store learned about its layers.
/// Docker's IMAGE column: the name the container was made from while that name still resolves to the
/// container's image, else the image's ID (moby's `refreshImage`: the name was removed or moved on
/// to another image); shortened as docker/cli's `ContainerContext.Image` does, unless `no_trunc`.
/// What each image name the listed containers were made from resolves to now, looked up once per
/// name (containers mostly share a few).
#[derive(Default)]
struct ImageNames(std::collections::HashMap<String, Option<Digest>>);

impl ImageNames {
    fn resolve(&mut self, store: &Store, image: &str) -> Option<Digest> {
        self.0
            .entry(image.to_owned())
            .or_insert_with(|| store.resolve(image).ok().map(|i| i.id))
            .clone()
    }
}

/// `resolved`: the image `image` names now, if any.
fn image_column(
    resolved: Option<&Digest>,
    image: &str,
    image_id: &Digest,
    no_trunc: bool,
) -> String {
    let id = image_id.to_string();
    let still_names = image == id || resolved == Some(image_id);
    let image = if still_names { image } else { id.as_str() };
    if no_trunc {
        image.to_owned()
    } else {
        shortened_image(image, image_id)
    }
}

/// The IMAGE column without `--no-trunc`: an ID as 12 hex digits, a name without its digest.
fn shortened_image(image: &str, image_id: &Digest) -> String {
    let short_id = image_id.short();
    if truncate_id(image) == short_id {
        return short_id.to_owned();
    }
    match Reference::parse_normalized(image) {
        Ok(reference) => match reference.tag() {
            Some(tag) => reference
                .name_only()
                .with_tag(tag)
                .map_or_else(|_| image.to_owned(), |r| r.familiar_string()),
            None => reference.name_only().familiar_string(),
        },
        Err(_) => image.to_owned(),
    }
}

/// moby's `stringid.TruncateID`: what follows the first `:`, at most 12 characters.
fn truncate_id(id: &str) -> &str {
    let id = id.split_once(':').map_or(id, |(_, hex)| hex);
    id.get(..12).unwrap_or(id)
}

fn image_size(containers: &Containers<'_>, container: &Container) -> u64 {
    let store = containers.store();
    let Ok(manifest) = store.read_manifest(&container.record.image_manifest) else {
        return 0;
    };
    manifest
        .layers()
        .iter()
        .filter_map(|layer| berth_digest::Digest::parse(layer.digest().as_ref()).ok())
        .filter_map(|digest| store.layer_info(&digest))
        .map(|info| info.uncompressed_size)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_image_column_is_shortened_like_docker_does() {
        let id = Digest::parse(
            "sha256:415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27",
        )
        .unwrap();
        let digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
        let cases = [
            (id.to_string(), "415e85863be7"),
            ("415e85863be7".to_owned(), "415e85863be7"),
            ("415e85863be7ea56".to_owned(), "415e85863be7"),
            ("busybox".to_owned(), "busybox"),
            ("busybox:1".to_owned(), "busybox:1"),
            ("docker.io/library/busybox:1".to_owned(), "busybox:1"),
            (format!("busybox@{digest}"), "busybox"),
            (format!("busybox:1@{digest}"), "busybox:1"),
            ("127.0.0.1:5000/app:v2".to_owned(), "127.0.0.1:5000/app:v2"),
        ];
        for (image, want) in cases {
            assert_eq!(shortened_image(&image, &id), want, "{image}");
        }
    }
}
