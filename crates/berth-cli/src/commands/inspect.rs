//! `berth inspect` / `berth image inspect`: Docker's JSON array, or one `-f` template per object.

use berth_format::template::{Missing, Template};
use berth_manifest as view;

use crate::{context::Ctx, exit::ExitStatus, facts, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Format output using a custom template ('json' or a Go template)
    #[arg(short = 'f', long)]
    pub format: Option<String>,
    /// Images to inspect (names, IDs or name@digest)
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
}

pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let store = ctx.store()?;
    let template = match args.format.as_deref() {
        None | Some("") => None,
        Some("json") => Some(Template::parse("{{json .}}", Missing::NoValue)?),
        Some(format) => Some(Template::parse(format, Missing::NoValue)?),
    };
    let mut views = Vec::new();
    let mut missing = Vec::new();
    for name in &args.images {
        match store.resolve(name) {
            Ok(image) => views.push(inspect_view(store, image)?),
            Err(berth_store::Error::NoSuchImage(_)) => missing.push(name.clone()),
            Err(error) => return Err(error.into()),
        }
    }
    match &template {
        None => output::println(&view::inspect_json(&views))?,
        Some(template) => {
            for view in &views {
                output::println(&template.execute(&serde_json::to_value(view)?)?)?;
            }
        }
    }
    for name in &missing {
        output::eprintln(&format!("Error: No such image: {name}"));
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ExitStatus(crate::exit::FAILURE).into())
    }
}

fn inspect_view(
    store: &berth_store::Store,
    image: berth_store::Image,
) -> anyhow::Result<view::InspectView> {
    let facts = facts::facts(store, image)?;
    let image = &facts.image;
    let repo_tags = image
        .names
        .iter()
        .filter(|n| n.tag().is_some())
        .map(berth_reference::Reference::familiar_string)
        .collect();
    let repo_digests = image
        .repo_digests
        .iter()
        .filter_map(|d| berth_reference::Reference::parse(d).ok())
        .map(|d| d.familiar_string())
        .collect();
    let last_tag_time = image
        .last_tag_time
        .as_deref()
        .and_then(|t| berth_manifest::timefmt::parse_rfc3339(t).ok());
    Ok(view::InspectView::new(&view::ImageFacts {
        id: image.id.clone(),
        repo_tags,
        repo_digests,
        parent: None,
        config: facts.config.clone(),
        size: facts.size,
        last_tag_time,
    }))
}
