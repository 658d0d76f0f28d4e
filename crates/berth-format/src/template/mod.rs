//! A Go `text/template` interpreter for the templates Docker users pass to `--format` and `-f`.
//!
//! Supported: text and `{{ }}` actions with `{{-`/`-}}` trimming, comments, pipelines (`a | b`), fields
//! (`.A.B`, `$`, `$x.A`), literals, parenthesized pipelines, variables (`$x := …`), `if`/`else if`/`else`,
//! `range` (with `$i, $e :=`), `with`, and the functions Docker registers (`json split join title lower upper
//! pad truncate`) plus Go's builtins users reach for (`len index print printf println eq ne lt le gt ge
//! and or not`). Values are `serde_json::Value`s and print like Go's `%v`.

mod exec;
mod funcs;
mod parse;

#[cfg(test)]
mod tests;

use serde_json::Value;

pub(crate) use parse::Node;

/// A parse or execution error, worded like Go's `template:` errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("template parsing error: {0}")]
    Parse(String),
    #[error("template: executing: {0}")]
    Exec(String),
}

/// How field access on a missing key behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Like a Go struct: an unknown field is an error (`docker images --format '{{.Nope}}'`).
    Error,
    /// Like a Go map: a missing key prints `<no value>` (`docker inspect -f` over JSON).
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

    pub fn execute(&self, data: &Value) -> Result<String, Error> {
        let mut out = String::new();
        exec::Exec::new(data, self.missing).run(&self.nodes, data, &mut out)?;
        Ok(out)
    }
}

/// Renders a value the way Go's `fmt` prints it with `%v`.
pub fn go_display(value: &Value) -> String {
    let mut out = String::new();
    exec::write_value(&mut out, value);
    out
}

/// Go's `json.Marshal`: compact, with `<`, `>` and `&` escaped as `\u003c`, `\u003e`, `\u0026`.
pub fn go_json(value: &Value) -> String {
    let compact = serde_json::to_string(value).unwrap_or_default();
    let mut out = String::with_capacity(compact.len());
    for c in compact.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}
