//! `berth search [OPTIONS] TERM`: Docker Hub's v1 search, or the catalog of a private registry.

use berth_format::{render_rows, template::Missing, Format};
use berth_registry::{SearchFilters, SearchOptions};
use serde_json::json;

use crate::{
    context::Ctx,
    escape::{self, Keep},
    output, registry,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Filter output based on conditions provided (stars=N, is-official=bool, is-automated=bool)
    #[arg(short = 'f', long = "filter", value_name = "FILTER", value_parser = crate::filters::parse_arg)]
    pub filters: Vec<String>,
    /// Pretty-print search using a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Max number of search results
    #[arg(long, default_value_t = 0)]
    pub limit: usize,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// List the tags of the repository TERM instead of searching
    #[arg(long)]
    pub list_tags: bool,
    #[arg(value_name = "TERM")]
    pub term: String,
}

/// The most results the daemon's search returns.
const MAX_LIMIT: usize = 100;

/// Docker truncates descriptions to 45 characters.
const DESCRIPTION_WIDTH: usize = 45;

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    if args.list_tags {
        return list_tags(ctx, args);
    }
    // Docker's daemon words for a filter it does not know and a limit out of range.
    crate::filters::Filters::parse(&args.filters, &["stars", "is-official", "is-automated"])?;
    if args.limit > MAX_LIMIT {
        anyhow::bail!(
            "Limit {} is outside the range of [1, {MAX_LIMIT}]",
            args.limit
        );
    }
    let filters = SearchFilters::parse(&args.filters)?;
    if args.filters.iter().any(|f| f.starts_with("is-automated")) {
        output::eprintln(
            "Flag --filter is-automated is deprecated and will be removed in a future release",
        );
    }
    let options = SearchOptions {
        limit: args.limit,
        filters,
    };
    let client = registry::client(ctx)?;
    let results = registry::block_on(client.search(&args.term, &options))??;
    let rows: Vec<_> = results
        .iter()
        .map(|r| {
            // Registry text: control characters escaped (issue #13 item 8).
            let description = escape::controls(&r.description.replace('\n', " "), Keep::Nothing)
                .into_owned();
            let description = if args.no_trunc || description.chars().count() <= DESCRIPTION_WIDTH {
                description
            } else {
                let mut cut: String = description.chars().take(DESCRIPTION_WIDTH - 1).collect();
                cut.push('…');
                cut
            };
            json!({
                "Name": escape::controls(&r.name, Keep::Nothing),
                "Description": description,
                "StarCount": r.star_count,
                "IsOfficial": if args.format.is_some() { json!(r.is_official) } else { json!(if r.is_official { "[OK]" } else { "" }) },
                "IsAutomated": false,
            })
        })
        .collect();
    let format = Format::parse(
        args.format.as_deref(),
        "{{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}",
        Missing::Error,
    )?;
    let header = json!({"Name": "NAME", "Description": "DESCRIPTION", "StarCount": "STARS", "IsOfficial": "OFFICIAL", "IsAutomated": "AUTOMATED"});
    Ok(output::print(&render_rows(&format, &header, &rows)?)?)
}

/// Case-insensitive alphanumeric order; tags equal but for case in byte order (`B` before `b`).
fn sort_tags(tags: &mut [String]) {
    tags.sort_by(|a, b| {
        a.to_ascii_lowercase()
            .cmp(&b.to_ascii_lowercase())
            .then_with(|| a.cmp(b))
    });
}

/// `search --list-tags REPOSITORY`: `NAME TAG` rows, as podman prints them.
fn list_tags(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let repository = berth_reference::Reference::parse_normalized(&args.term)?.name_only();
    let client = registry::client(ctx)?;
    let mut tags = registry::block_on(client.list_tags(&repository))??;
    // In the order the distribution spec gives a tag list (lexical, case-insensitive), which some
    // registries (the CNCF registry among them) leave to the file system.
    sort_tags(&mut tags);
    let name = repository.familiar_name();
    let rows: Vec<_> = tags
        .iter()
        .map(|tag| json!({"Name": name, "Tag": escape::controls(tag, Keep::Nothing)}))
        .collect();
    let format = Format::parse(
        args.format.as_deref(),
        "{{.Name}}\t{{.Tag}}",
        Missing::Error,
    )?;
    let header = json!({"Name": "NAME", "Tag": "TAG"});
    Ok(output::print(&render_rows(&format, &header, &rows)?)?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tags_in_lexical_order() {
        let mut tags: Vec<String> = ["b", "10", "a", "9", "B", "latest", "A1"]
            .map(str::to_owned)
            .to_vec();
        super::sort_tags(&mut tags);
        assert_eq!(tags, ["10", "9", "a", "A1", "B", "b", "latest"]);
    }
}
