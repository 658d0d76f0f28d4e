//! A Go `text/template` interpreter for the templates Docker users pass to `--format` and `-f`.
//!
//! Supported: text and `{{ }}` actions with `{{-`/`-}}` trimming, comments, pipelines (`a | b`), fields
//! (`.A.B`, `$`, `$x.A`), literals, parenthesized pipelines, variables (`$x := …`, `$x = …`),
//! `if`/`else if`/`else`, `range` (with `$i, $e :=`, `break`, `continue`), `with`/`else with`,
//! `define`, `template` and `block`, the methods of `time.Time` and `time.Duration` values
//! (`{{.T.Year}}`, `{{.T.Format "2006-01-02"}}`), the functions Docker registers (`json split join
//! title lower upper pad truncate`) and Go's builtins (`len index slice print printf println eq ne
//! lt le gt ge and or not html js urlquery call`), with `printf` following Go's `fmt` (verbs, flags, width,
//! precision, `%!d(string=x)` error forms). Data is a [`GoValue`] (JSON data becomes the Go values a
//! decoder makes of it), and prints like Go's `%v`. Errors are Go's, with line, column and node.
//!
//! ```
//! use berth_format::template::{GoValue, Missing, Template};
//!
//! let t = Template::parse(r#"{{printf "%-6s|%5.1f" .Name .Ratio}}"#, Missing::NoValue).unwrap();
//! let data = serde_json::json!({"Name": "web", "Ratio": 2.25});
//! assert_eq!(t.execute(&data).unwrap(), "web   |  2.2");
//! let bad = Template::parse("{{.Name.Foo}}", Missing::NoValue).unwrap();
//! assert_eq!(
//!     bad.execute_go(&GoValue::from_json(&data)).unwrap_err().to_string(),
//!     r#"template: :1:7: executing "" at <.Name.Foo>: can't evaluate field Foo in type interface {}"#
//! );
//! ```

mod builtins;
mod exec;
mod fmt;
mod funcs;
mod lex;
mod methods;
mod parse;
mod time;
mod value;

#[cfg(test)]
mod tests;

use serde_json::Value;

pub use time::GoTime;
pub use value::{go_duration, GoField, GoMap, GoStruct, GoValue, Named, StructJson};

/// Most bytes one execution may write; a template that writes more is stopped with an error
/// (`{{range}}` over a large list nested in another cannot fill the memory).
pub const MAX_OUTPUT: usize = 64 * 1024 * 1024;
/// Most bytes of strings the functions of one execution may build, together (`printf`, `pad`,
/// `split`…): a template that doubles a string in a loop is stopped long before memory runs out.
pub const MAX_BUILT: usize = 64 * 1024 * 1024;
/// Most steps (actions, text, `range` iterations) one execution may take.
pub const MAX_STEPS: u64 = 10_000_000;
/// Most nested `{{template}}` calls (Go allows 100000; berth's stack holds fewer).
pub const MAX_TEMPLATE_DEPTH: usize = 100;
/// Most lists (`if`, `range`, `with` bodies, called templates) run one inside the other, so that
/// templates calling themselves inside deep nesting stop before the stack runs out.
pub const MAX_NESTING: usize = 1000;

/// A parse or execution error, worded as Go's `text/template` words it: `template: :1: function
/// "nosuch" not defined`, `template: :1:2: executing "" at <.Foo>: can't evaluate field Foo in type
/// string`. Docker's CLI prints it after `template parsing error: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Parse(String),
    #[error("{0}")]
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
    name: String,
    source: String,
    tree: parse::Tree,
    missing: Missing,
}

impl Template {
    /// Parses a template named `""`, as the Docker CLI names the templates of `--format` and
    /// `-f`. Docker's literal `\t` and `\n` escapes in the format string are turned into real tabs
    /// and newlines first, as the Docker CLI does.
    pub fn parse(source: &str, missing: Missing) -> Result<Template, Error> {
        Template::parse_named("", source, missing)
    }

    /// Parses a template with a name, which Go's messages cite (`docker version` names its
    /// template `version`: `template: version:1:2: executing "version" at <.Foo>: …`).
    pub fn parse_named(name: &str, source: &str, missing: Missing) -> Result<Template, Error> {
        let source = source.replace("\\t", "\t").replace("\\n", "\n");
        Ok(Template {
            name: name.to_owned(),
            tree: parse::parse(name, &source)?,
            source,
            missing,
        })
    }

    /// Executes over JSON data, decoded as Go decodes it into an `interface{}`.
    pub fn execute(&self, data: &Value) -> Result<String, Error> {
        self.execute_go(&GoValue::from_json(data))
    }

    /// Executes over a Go value. The work is bounded: [`MAX_OUTPUT`], [`MAX_BUILT`],
    /// [`MAX_STEPS`] and [`MAX_TEMPLATE_DEPTH`].
    pub fn execute_go(&self, data: &GoValue) -> Result<String, Error> {
        let mut out = String::new();
        exec::Exec::new(&self.name, &self.source, &self.tree, data, self.missing).run(&mut out)?;
        Ok(out)
    }

    /// The same template with another [`Missing`] (Go's `tmpl.Option("missingkey=error")`).
    #[must_use]
    pub fn with_missing(&self, missing: Missing) -> Template {
        Template {
            missing,
            ..self.clone()
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
