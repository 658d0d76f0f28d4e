//! `berth history [OPTIONS] IMAGE`

use std::time::SystemTime;

use berth_format::{human, render_rows_in, template::Missing, Format};
use serde_json::json;

use crate::{context::Ctx, facts, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print sizes and dates in human readable format
    #[arg(short = 'H', long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub human: bool,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Only show image IDs
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Image (name, ID or name@digest)
    #[arg(value_name = "IMAGE")]
    pub image: String,
}

/// Docker truncates CREATED BY to 45 characters, ending with an ellipsis.
const CREATED_BY_WIDTH: usize = 45;

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let store = ctx.store()?;
    let image = crate::names::resolve(store, &args.image)?;
    let facts = facts::facts(store, image)?;
    let mut rows =
        berth_manifest::history_rows(&facts.config, &facts.image.id, &facts.layer_sizes)?;
    berth_manifest::fill_ancestor_ids(&mut rows, &facts::ancestors(store, &facts.image.id));
    if rows.is_empty() {
        // An image without history still has its layers; Docker shows the image itself.
        rows.push(berth_manifest::HistoryRow {
            id: Some(facts.image.id.clone()),
            created: facts.created,
            created_by: String::new(),
            size: facts.size,
            comment: String::new(),
            empty_layer: false,
        });
    }
    let now = SystemTime::now();
    let values: Vec<_> = rows
        .iter()
        .map(|row| {
            let id = row.id.as_ref().map_or_else(|| "<missing>".to_owned(), |id| facts::image_id(id, args.no_trunc));
            let created_by = row.created_by.replace('\t', " ");
            let created_by = if args.no_trunc { created_by } else { ellipsis(&created_by, CREATED_BY_WIDTH) };
            let created_at = row.created.map_or_else(String::new, |t| {
                t.replace_nanosecond(0).ok().and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()).unwrap_or_default()
            });
            json!({
                "ID": id,
                "CreatedSince": if args.human { facts::since(row.created, now) } else { created_at.clone() },
                "CreatedAt": created_at,
                "CreatedBy": created_by,
                "Size": if args.human { human::size(row.size) } else { row.size.to_string() },
                "Comment": row.comment,
            })
        })
        .collect();
    if args.quiet {
        for value in &values {
            output::println(value["ID"].as_str().unwrap_or_default())?;
        }
        return Ok(());
    }
    let default = if args.human {
        "{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
    } else {
        "{{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
    };
    let format = Format::parse(args.format.as_deref(), default, Missing::Error)?;
    let header = json!({
        "ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "CreatedBy": "CREATED BY",
        "Size": "SIZE", "Comment": "COMMENT",
    });
    // Docker's rows are `*image.historyContext`, which its template errors name.
    let text = render_rows_in("image.historyContext", &format, &header, &values)?;
    Ok(output::print(&text)?)
}

/// Docker's `formatter.Ellipsis`: at most `width` characters, the last one `…` when cut.
fn ellipsis(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}
