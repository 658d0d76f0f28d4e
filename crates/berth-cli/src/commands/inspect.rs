//! `berth inspect` / `berth image inspect`: Docker's JSON array, or one `-f` template per object.

use berth_format::template::{Missing, Template};
use berth_manifest as view;

use crate::{context::Ctx, exit::ExitStatus, facts, output};

mod indent;
mod typed;

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
    // As the Docker CLI: every image's output first, then every error, in argument order.
    let mut elements = Vec::new();
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for name in &args.images {
        let image = match store.resolve(name) {
            Ok(image) => image,
            Err(berth_store::Error::NoSuchImage(_)) => {
                errors.push(format!("Error: No such image: {name}"));
                continue;
            }
            Err(error) => return Err(error.into()),
        };
        let typed = inspected(store, image)?;
        match &template {
            // Docker 20.10's `types.ImageInspect`, every key in its order (the typed value's JSON).
            None => elements.push(typed.to_json()),
            Some(template) => match execute(template, &typed) {
                Ok(line) => lines.push(line),
                Err(error) => errors.push(format!("template parsing error: {error}")),
            },
        }
    }
    match &template {
        None => output::println(&indent::indented_array(&elements))?,
        // An empty result is still one line.
        Some(_) if lines.is_empty() => output::println("")?,
        Some(_) => {
            for line in &lines {
                output::println(line)?;
            }
        }
    }
    for error in &errors {
        output::eprintln(error);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ExitStatus(crate::exit::FAILURE).into())
    }
}

/// docker/cli's `TemplateInspector`: the typed value first; if that fails, its raw JSON with
/// `missingkey=error`, whose error is the one reported.
fn execute(
    template: &Template,
    typed: &berth_format::template::GoValue,
) -> Result<String, berth_format::Error> {
    template.execute_go(typed).or_else(|_| {
        template
            .with_missing(Missing::Error)
            .execute_go(&typed::raw(typed))
    })
}

/// The typed value that the image's plain output and templates come from.
fn inspected(
    store: &berth_store::Store,
    image: berth_store::Image,
) -> anyhow::Result<berth_format::template::GoValue> {
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
    let view = view::InspectView::new(&view::ImageFacts {
        id: image.id.clone(),
        repo_tags,
        repo_digests,
        parent: store.parent(&image.id),
        config: facts.config.clone(),
        size: facts.size,
        last_tag_time,
    });
    let config: serde_json::Value = serde_json::from_slice(&image.config)?;
    Ok(typed::image_inspect(&view, &config, last_tag_time))
}
