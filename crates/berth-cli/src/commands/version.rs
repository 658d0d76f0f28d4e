//! `berth version [--format TEMPLATE]`: Docker's `Client:` section for berth itself (berth has no
//! server), and the same fields for `--format` (`{{.Client.Version}}`, `{{json .Client}}`).

use berth_format::template::{GoField, GoStruct, GoValue, Missing, Template};

use crate::{context::Ctx, exit::plain, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Format output using a custom template
    #[arg(short = 'f', long, value_name = "string")]
    pub format: Option<String>,
}

/// Docker's default template, `Client:` only, with a Rust version where Docker has Go's.
const DEFAULT_TEMPLATE: &str = "{{with .Client -}}
Client:
 Version:\t{{.Version}}
 Rust version:\t{{.RustVersion}}
 Git commit:\t{{.GitCommit}}
 OS/Arch:\t{{.Os}}/{{.Arch}}
{{- end}}";

/// Docker's `tabwriter.NewWriter(out, 20, 1, 1, ' ', 0)`: the labels padded to 20 columns.
const LABEL_WIDTH: usize = 20;

pub fn run(_ctx: &Ctx, args: &Args) -> anyhow::Result<()> {
    let info = version_info();
    match args.format.as_deref() {
        None | Some("") => {
            let text = Template::parse(DEFAULT_TEMPLATE, Missing::Error)?.execute_go(&info)?;
            for line in text.lines() {
                output::println(&align(line))?;
            }
        }
        Some(format) => {
            let format = if format == "json" {
                "{{json .}}"
            } else {
                format
            };
            let template =
                Template::parse_named("version", format, Missing::Error).map_err(plain)?;
            // Docker's CLI ends the output with a newline even when the template fails, and
            // reports the failure itself (no `Error: `).
            match template.execute_go(&info) {
                Ok(text) => output::println(&text)?,
                Err(error) => {
                    output::println("")?;
                    return Err(plain(error));
                }
            }
        }
    }
    Ok(())
}

/// A ` Label:\tvalue` line with the value at column [`LABEL_WIDTH`] (at least one space after).
fn align(line: &str) -> String {
    match line.split_once('\t') {
        Some((label, value)) => format!(
            "{label:<width$}{value}",
            width = LABEL_WIDTH.max(label.len() + 1)
        ),
        None => line.to_owned(),
    }
}

/// `versionInfo{Client}` as Go values.
fn version_info() -> GoValue {
    let platform = berth_manifest::host_platform();
    let client = GoStruct::new("berth.ClientVersion")
        .field(GoField::new(
            "Version",
            GoValue::string(env!("CARGO_PKG_VERSION")),
        ))
        .field(GoField::new(
            "GitCommit",
            GoValue::string(env!("BERTH_GIT_COMMIT")),
        ))
        .field(GoField::new(
            "RustVersion",
            GoValue::string(env!("BERTH_RUST_VERSION")),
        ))
        .field(GoField::new("Os", GoValue::string(platform.os)))
        .field(GoField::new("Arch", GoValue::string(platform.architecture)));
    GoStruct::new("berth.versionInfo")
        .field(GoField::new("Client", client.into()))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_line_up_as_dockers() {
        assert_eq!(align(" Version:\t1.0"), " Version:           1.0");
        assert_eq!(align("Client:"), "Client:");
    }

    #[test]
    fn templates_see_the_client_fields() {
        let info = version_info();
        let run = |t: &str| {
            Template::parse(t, Missing::Error)
                .unwrap()
                .execute_go(&info)
                .unwrap()
        };
        assert_eq!(run("{{.Client.Version}}"), env!("CARGO_PKG_VERSION"));
        let json: serde_json::Value = serde_json::from_str(&run("{{json .Client}}")).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut want = vec!["Arch", "GitCommit", "Os", "RustVersion", "Version"];
        want.sort_unstable();
        assert_eq!(keys, want);
    }
}
