//! `berth images [OPTIONS] [REPOSITORY[:TAG]]`: the classic table, never Docker 29's tree view.

use std::{collections::HashSet, time::SystemTime};

use anyhow::{bail, Context as _};
use berth_format::{render_rows_in, template::Missing, Format};
use berth_reference::Reference;
use berth_store::{Digest, Summary};
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::{
    context::Ctx,
    facts,
    filters::{Filters, TimeBound},
    output,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show all images (default hides intermediate images)
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Show digests
    #[arg(long)]
    pub digests: bool,
    /// Filter output based on conditions provided (dangling, label, label!, before, since, reference, until)
    #[arg(short = 'f', long = "filter", value_name = "FILTER", value_parser = crate::filters::parse_arg)]
    pub filters: Vec<String>,
    /// Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Only show image IDs
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Only images of this repository (and tag)
    #[arg(value_name = "REPOSITORY[:TAG]")]
    pub reference: Option<String>,
}

const DEFAULT_TABLE: &str = "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
const DIGESTS_TABLE: &str =
    "{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
const ALLOWED_FILTERS: &[&str] = &[
    "dangling",
    "label",
    "label!",
    "before",
    "since",
    "reference",
    "until",
];

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let mut filters = Filters::parse(&args.filters, ALLOWED_FILTERS)?;
    if let Some(reference) = &args.reference {
        filters.add("reference", reference);
    }
    let store = ctx.store()?;
    let now = SystemTime::now();
    let before = bound(store, &filters, "before")?;
    let since = bound(store, &filters, "since")?;
    let until = filters
        .first("until")
        .map(|v| TimeBound::parse(v, now))
        .transpose()?;
    let dangling = filters.bool("dangling")?;
    let filters_labels = filters.all("label").is_some() || filters.all("label!").is_some();

    // Listing reads index.json only: berth records each image's creation time and size there.
    let mut images: Vec<(Summary, Option<OffsetDateTime>)> = store
        .summaries()?
        .into_iter()
        .map(|summary| {
            let created = summary
                .created
                .as_deref()
                .and_then(|c| berth_manifest::timefmt::parse_rfc3339(c).ok());
            (summary, created)
        })
        .collect();
    // Intermediate images: untagged, with children (an image committed from them, or loaded with
    // them as its parent). Docker hides them without -a, and never counts them as dangling.
    let parents: HashSet<Digest> = images
        .iter()
        .filter_map(|(summary, _)| summary.parent.clone())
        .collect();
    // Newest first; ties keep store order (Docker sorts by creation second).
    images.sort_by_key(|(_, created)| {
        std::cmp::Reverse(created.map_or(0, OffsetDateTime::unix_timestamp))
    });

    let mut rows = Vec::new();
    for (summary, created) in &images {
        let created_secs = created.map_or(0, OffsetDateTime::unix_timestamp);
        if before.is_some_and(|b| created_secs >= b) || since.is_some_and(|s| created_secs <= s) {
            continue;
        }
        if until.as_ref().is_some_and(|u| !u.admits(created_secs)) {
            continue;
        }
        if filters_labels {
            // Labels live in the config: read it only when a label filter asks.
            let facts = facts::facts(store, store.resolve(&summary.id.to_string())?)?;
            if !filters.labels_match(facts.config.config.as_ref().map(|c| &c.labels)) {
                continue;
            }
        }
        let untagged = summary.names.is_empty() && summary.repo_digests.is_empty();
        let intermediate = untagged && parents.contains(&summary.id);
        if intermediate && (!args.all || dangling == Some(true)) {
            continue;
        }
        if dangling.is_some_and(|want| want != untagged) {
            continue;
        }
        for (repository, tag, digest) in name_rows(summary) {
            if let Some(patterns) = filters.all("reference") {
                let Some(reference) = &repository_reference(&repository, &tag) else {
                    continue;
                };
                if !patterns
                    .iter()
                    .any(|pattern| berth_reference::familiar_match(pattern, reference))
                {
                    continue;
                }
            }
            rows.push(row(
                summary,
                *created,
                &repository,
                &tag,
                &digest,
                args.no_trunc,
                now,
            ));
        }
    }

    if args.quiet {
        for row in &rows {
            output::println(row["ID"].as_str().unwrap_or_default())?;
        }
        return Ok(());
    }
    let default = if args.digests {
        DIGESTS_TABLE
    } else {
        DEFAULT_TABLE
    };
    let format = Format::parse(args.format.as_deref(), default, Missing::Error)?;
    let header = json!({
        "ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST",
        "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE", "Containers": "CONTAINERS",
        "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE", "VirtualSize": "SIZE",
    });
    // Docker's rows are `*formatter.imageContext`, which its template errors name.
    let text = render_rows_in("formatter.imageContext", &format, &header, &rows)?;
    Ok(output::print(&text)?)
}

/// `(repository, tag, digest)` per row, as Docker lists them: one row per tag; digest-only names show TAG
/// `<none>`; an image without names is one `<none> <none>` row.
fn name_rows(image: &Summary) -> Vec<(String, String, String)> {
    let digest_for = |repository: &str| {
        image
            .repo_digests
            .iter()
            .filter_map(|d| Reference::parse(d).ok())
            .find(|d| d.familiar_name() == repository)
            .and_then(|d| d.digest().map(ToString::to_string))
            .unwrap_or_else(|| "<none>".to_owned())
    };
    let mut rows = Vec::new();
    for name in &image.names {
        let repository = name.familiar_name();
        if let Some(tag) = name.tag() {
            rows.push((repository.clone(), tag.to_owned(), digest_for(&repository)));
        }
    }
    for digest in image
        .repo_digests
        .iter()
        .filter_map(|d| Reference::parse(d).ok())
    {
        let repository = digest.familiar_name();
        if !rows.iter().any(|(r, _, _)| *r == repository) {
            rows.push((
                repository,
                "<none>".to_owned(),
                digest.digest().map(ToString::to_string).unwrap_or_default(),
            ));
        }
    }
    if rows.is_empty() {
        rows.push((
            "<none>".to_owned(),
            "<none>".to_owned(),
            "<none>".to_owned(),
        ));
    }
    rows
}

fn repository_reference(repository: &str, tag: &str) -> Option<Reference> {
    if repository == "<none>" {
        return None;
    }
    let name = if tag == "<none>" {
        repository.to_owned()
    } else {
        format!("{repository}:{tag}")
    };
    Reference::parse_normalized(&name).ok()
}

fn row(
    image: &Summary,
    created: Option<OffsetDateTime>,
    repository: &str,
    tag: &str,
    digest: &str,
    no_trunc: bool,
    now: SystemTime,
) -> Value {
    json!({
        "ID": facts::image_id(&image.id, no_trunc),
        "Repository": repository,
        "Tag": tag,
        "Digest": digest,
        "CreatedSince": facts::since(created, now),
        "CreatedAt": facts::go_time_string(created),
        "Size": berth_format::human::size(image.size),
        "Containers": "N/A",
        "SharedSize": "N/A",
        "UniqueSize": "N/A",
        // Docker's CLI still has it (an alias of Size, left the API in 1.44), printed with
        // `units.HumanSize`, four digits: `1.984MB` beside SIZE's `1.98MB`.
        "VirtualSize": berth_format::human::size4(image.size),
    })
}

/// `before=` / `since=`: the creation time of the named image.
fn bound(store: &berth_store::Store, filters: &Filters, key: &str) -> anyhow::Result<Option<i64>> {
    let Some(value) = filters.first(key) else {
        return Ok(None);
    };
    let image = store
        .resolve(value)
        .with_context(|| format!("invalid filter '{key}={value}'"))?;
    let facts = facts::facts(store, image)?;
    match facts.created {
        Some(created) => Ok(Some(created.unix_timestamp())),
        None => bail!("invalid filter '{key}={value}': the image has no creation time"),
    }
}
