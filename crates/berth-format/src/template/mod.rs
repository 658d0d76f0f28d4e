//! A Go `text/template` interpreter for the templates Docker users pass to `--format` and `-f`.
//!
//! Supported: text and `{{ }}` actions with `{{-`/`-}}` trimming, comments, pipelines (`a | b`), fields
//! (`.A.B`, `$`, `$x.A`), literals, parenthesized pipelines, variables (`$x := …`), `if`/`else if`/`else`,
//! `range` (with `$i, $e :=`), `with`, and the functions Docker registers (`json split join title lower upper
//! pad truncate`) plus Go's builtins users reach for (`len index print printf println eq ne lt le gt ge
//! and or not`). Data is a [`GoValue`] (JSON data becomes the Go values a decoder makes of it), and
//! prints like Go's `%v`.

mod exec;
mod funcs;
mod parse;
mod value;

#[cfg(test)]
mod tests;

use serde_json::Value;

pub(crate) use parse::Node;
pub use value::{go_duration, Formatted, GoField, GoMap, GoStruct, GoValue, StructJson};

/// A parse or execution error, worded like Go's `template:` errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("template parsing error: {0}")]
    Parse(String),
    #[error("template: executing: {0}")]
    Exec(String),
}

/// What a map's missing key gives (Go's `missingkey` option). A struct's unknown field is always
/// an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// `missingkey=error`: an error (the Docker CLI's second try of `inspect -f`, over raw JSON).
    Error,
    /// The default: `<no value>`.
    NoValue,
}

#[derive(Debug, Clone)]
pub struct Template {
    nodes: Vec<Node>,
    missing: Missing,
}

impl Template {
    /// Parses a template. Docker's literal `\t` and `\n` escapes in the format string are turned into
    /// real tabs and newlines first, as the Docker CLI does.
    pub fn parse(source: &str, missing: Missing) -> Result<Template, Error> {
        let source = source.replace("\\t", "\t").replace("\\n", "\n");
        Ok(Template {
            nodes: parse::parse(&source)?,
            missing,
        })
    }

    /// Executes over JSON data, decoded as Go decodes it into an `interface{}`.
    pub fn execute(&self, data: &Value) -> Result<String, Error> {
        self.execute_go(&GoValue::from_json(data))
    }

    pub fn execute_go(&self, data: &GoValue) -> Result<String, Error> {
        let mut out = String::new();
        exec::Exec::new(data, self.missing).run(&self.nodes, data, &mut out)?;
        Ok(out)
    }

    /// The same template with another [`Missing`] (Go's `tmpl.Option("missingkey=error")`).
    #[must_use]
    pub fn with_missing(&self, missing: Missing) -> Template {
        Template {
            nodes: self.nodes.clone(),
            missing,
        }
    }
}

/// Renders JSON data the way Go's `fmt` prints it with `%v`.
pub fn go_display(value: &Value) -> String {
    let mut out = String::new();
    value::write_value(&mut out, &GoValue::from_json(value));
    out
}

/// Go's `json.Marshal`: compact, with `<`, `>` and `&` escaped as `\u003c`, `\u003e`, `\u0026`.
pub fn go_json(value: &Value) -> String {
    GoValue::from_json(value).to_json_escaped()
}
