//! `berth inspect` / `berth image inspect` / `berth container inspect`: Docker's JSON array, or one
//! `-f` template per object.

use berth_format::template::{Missing, Template};
use berth_manifest as view;

use crate::{
    context::Ctx,
    exit::{ExitStatus, Plain},
    facts, output,
};

mod container;
mod indent;
mod typed;

/// The Docker CLI's exit status for an `inspect -f` template that does not parse.
const TEMPLATE_PARSE_FAILURE: u8 = 64;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Format output using a custom template ('json' or a Go template)
    #[arg(short = 'f', long)]
    pub format: Option<String>,
    /// Images to inspect (names, IDs or name@digest)
    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
}

/// `berth inspect [OPTIONS] NAME|ID [NAME|ID...]`: containers and images.
#[derive(Debug, clap::Args)]
pub struct ObjectArgs {
    /// Format output using a custom template ('json' or a Go template)
    #[arg(short = 'f', long)]
    pub format: Option<String>,
    /// Return JSON for specified type (container or image)
    #[arg(long = "type", value_name = "string")]
    pub kind: Option<String>,
    /// Containers or images to inspect (names or IDs)
    #[arg(value_name = "NAME|ID", required = true)]
    pub names: Vec<String>,
}

/// `berth container inspect [OPTIONS] CONTAINER [CONTAINER...]`
#[derive(Debug, clap::Args)]
pub struct ContainerArgs {
    /// Format output using a custom template ('json' or a Go template)
    #[arg(short = 'f', long)]
    pub format: Option<String>,
    /// Containers to inspect (names or IDs)
    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
}

/// What an argument may name, and Docker's words when it names nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Any,
    Container,
    Image,
}

impl Kind {
    fn not_found(self, name: &str) -> String {
        match self {
            Kind::Any => format!("Error: No such object: {name}"),
            Kind::Container => format!("Error: No such container: {name}"),
            Kind::Image => format!("Error: No such image: {name}"),
        }
    }
}

/// `berth image inspect`
pub fn run(ctx: &Ctx, args: &Args) -> anyhow::Result<ExitStatus> {
    inspect(ctx, args.format.as_deref(), &args.images, Kind::Image)
}

/// `berth inspect [--type container|image]`
pub fn run_objects(ctx: &Ctx, args: &ObjectArgs) -> anyhow::Result<ExitStatus> {
    let kind = match args.kind.as_deref() {
        None | Some("") => Kind::Any,
        Some("container") => Kind::Container,
        Some("image") => Kind::Image,
        // Docker's CLI refuses the other types itself (berth has no networks, volumes, ...).
        Some(other) => {
            return Err(Plain(format!("{other:?} is not a valid value for --type")).into());
        }
    };
    inspect(ctx, args.format.as_deref(), &args.names, kind)
}

/// `berth container inspect`
pub fn run_containers(ctx: &Ctx, args: &ContainerArgs) -> anyhow::Result<ExitStatus> {
    inspect(
        ctx,
        args.format.as_deref(),
        &args.containers,
        Kind::Container,
    )
}

fn inspect(
    ctx: &Ctx,
    format: Option<&str>,
    names: &[String],
    kind: Kind,
) -> anyhow::Result<ExitStatus> {
    let store = ctx.store()?;
    let template = match format {
        None | Some("") => None,
        Some("json") => Some(Template::parse("{{json .}}", Missing::NoValue)?),
        // docker/cli `inspect.Inspect`: a template that does not parse is status 64.
        Some(format) => match Template::parse(format, Missing::NoValue) {
            Ok(template) => Some(template),
            Err(error) => {
                output::eprintln(&format!("template parsing error: {error}"));
                return Ok(ExitStatus::new(TEMPLATE_PARSE_FAILURE));
            }
        },
    };
    // A store that never had a container has no container directory, and inspect creates none.
    let has_containers = ctx.root().join("berth/containers").is_dir();
    let containers = match kind {
        Kind::Any | Kind::Container if has_containers => {
            Some(berth_container::Containers::open(store)?)
        }
        _ => None,
    };
    // As the Docker CLI: every object's output first, then every error, in argument order.
    let mut elements = Vec::new();
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for name in names {
        // Docker's `inspect` without --type tries a container first, then an image.
        let container = match &containers {
            Some(containers) => match containers.get(name) {
                Ok(container) => Some(container::container_inspect(containers, &container)?),
                Err(berth_container::Error::NoSuchContainer(_)) => None,
                Err(error) => return Err(error.into()),
            },
            None => None,
        };
        let typed = match container {
            Some(typed) => typed,
            None if kind == Kind::Container => {
                errors.push(kind.not_found(name));
                continue;
            }
            None => match store.resolve(name) {
                Ok(image) => inspected(store, image)?,
                Err(berth_store::Error::NoSuchImage(_)) => {
                    errors.push(kind.not_found(name));
                    continue;
                }
                Err(error) => return Err(error.into()),
            },
        };
        match &template {
            // Docker 20.10's types, every key in its order (the typed value's JSON, unescaped as
            // the daemon writes it).
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
        Ok(ExitStatus::SUCCESS)
    } else {
        Ok(ExitStatus::FAILURE)
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
