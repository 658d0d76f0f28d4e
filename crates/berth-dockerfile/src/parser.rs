//! The line parser: BuildKit's `parser.Parse` (`frontend/dockerfile/parser`). It turns text
//! into nodes (one per instruction) with their flags, arguments, heredocs and lines; the
//! instruction model is built from the nodes in `convert.rs`.

use std::collections::BTreeSet;

use crate::shell::{Lexer, NoVars};
use crate::words::{self, JsonError};
use crate::{Directives, Error, Heredoc, Lines, Warning};

/// The longest line bufio.Scanner reads (BuildKit's limit), newline included.
const MAX_LINE_BYTES: usize = 64 * 1024;

/// One instruction as the line parser sees it.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// The instruction word as written (`run`, `RUN`, ...).
    pub command: String,
    pub flags: Vec<String>,
    /// The arguments as BuildKit's `nodeArgs` lists them (ENV and LABEL as key, value,
    /// separator triples; ONBUILD as the trigger's word then its arguments).
    pub args: Vec<String>,
    pub json: bool,
    pub original: String,
    pub heredocs: Vec<Heredoc>,
    pub lines: Lines,
    pub comments: Vec<String>,
    /// ONBUILD's trigger (read by the dump of the tests).
    #[cfg_attr(not(test), allow(dead_code))]
    pub child: Option<Box<Node>>,
}

pub(crate) struct Parsed {
    pub nodes: Vec<Node>,
    pub directives: Directives,
    pub warnings: Vec<Warning>,
}

struct DirectiveState {
    done: bool,
    seen: BTreeSet<String>,
    directives: Directives,
}

impl DirectiveState {
    /// BuildKit's `possibleParserDirective`: true when `line` was a directive.
    fn line(&mut self, line: &str) -> Result<bool, String> {
        if self.done {
            return Ok(false);
        }
        let Some(after) = line.strip_prefix('#') else {
            self.done = true;
            return Ok(false);
        };
        let Some((key, value)) = match_directive(after.trim_start()) else {
            self.done = true;
            return Ok(false);
        };
        let key = key.to_ascii_lowercase();
        if !matches!(key.as_str(), "syntax" | "escape" | "check") {
            self.done = true;
            return Ok(false);
        }
        if !self.seen.insert(key.clone()) {
            return Err(format!("only one {key} parser directive can be used"));
        }
        match key.as_str() {
            "escape" => {
                if value != "`" && value != "\\" {
                    return Err(format!(
                        "invalid escape token '{value}' does not match ` or \\"
                    ));
                }
                self.directives.escape = value.chars().next().unwrap_or('\\');
            }
            "syntax" => self.directives.syntax = Some(value),
            _ => self.directives.check = Some(value),
        }
        Ok(true)
    }
}

/// Go's regexp `\s`: ASCII space, \t, \n, \f, \r (not \v).
fn is_re_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{c}' | '\r')
}

/// `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`.
fn match_directive(text: &str) -> Option<(String, String)> {
    let name_len = text
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_alphabetic() || (*i > 0 && c.is_ascii_digit())))
        .map_or(text.len(), |(i, _)| i);
    if name_len == 0 {
        return None;
    }
    let rest = text[name_len..]
        .trim_start_matches(is_re_space)
        .strip_prefix('=')?;
    if rest.is_empty() {
        return None;
    }
    let trimmed = rest
        .trim_start_matches(is_re_space)
        .trim_end_matches(is_re_space);
    let value = if trimmed.is_empty() {
        // Only spaces: the lazy group still takes one character, the last.
        rest.chars().last()?.to_string()
    } else {
        trimmed.to_owned()
    };
    Some((text[..name_len].to_owned(), value))
}

fn trim_newline(line: &str) -> &str {
    line.trim_end_matches(['\r', '\n'])
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// BuildKit's line continuation regex `([^E])E[ \t]*$|^E[ \t]*$`: the line without its
/// continuation character, or `None` when it does not continue.
fn trim_continuation(line: &str, escape: char) -> Option<String> {
    let body = line.trim_end_matches([' ', '\t']);
    let before = body.strip_suffix(escape)?;
    if before.ends_with(escape) {
        return None;
    }
    Some(before.to_owned())
}

/// Splits text into lines that keep their `\n`, as BuildKit's `scanLines`.
fn scan_lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

pub(crate) fn parse(text: &str) -> Result<Parsed, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = scan_lines(text);
    let mut state = DirectiveState {
        done: false,
        seen: BTreeSet::new(),
        directives: Directives::default(),
    };
    let mut nodes = Vec::new();
    let mut warnings = Vec::new();
    let mut comments: Vec<String> = Vec::new();
    let mut index = 0;
    let mut current_line = 0;
    let syntax = |line: usize, message: String| Error::Syntax {
        lines: Lines::new(line, line),
        message,
    };
    let too_long = |line: usize| {
        syntax(
            line,
            format!(
                "dockerfile line greater than max allowed size of {}",
                MAX_LINE_BYTES - 1
            ),
        )
    };
    while index < lines.len() {
        let raw = lines[index];
        index += 1;
        if raw.len() > MAX_LINE_BYTES {
            return Err(too_long(current_line));
        }
        if is_comment(raw) {
            // BuildKit drops the first byte of the raw line, whatever it is.
            let comment = String::from_utf8_lossy(&raw.as_bytes()[1..]);
            let comment = comment.trim();
            if comment.is_empty() {
                comments.clear();
            } else {
                comments.push(comment.to_owned());
            }
        }
        let line = trim_newline(raw).trim_start();
        let directive = state
            .line(line)
            .map_err(|message| syntax(current_line, message))?;
        if directive {
            comments.pop();
        }
        let line = if is_comment(line) { "" } else { line };
        current_line += 1;
        let start_line = current_line;
        let escape = state.directives.escape;
        let (first, mut continues) = match trim_continuation(line, escape) {
            Some(trimmed) => (trimmed, true),
            None => (line.to_owned(), false),
        };
        if !continues && first.is_empty() {
            continue;
        }
        let mut buffer = first;
        let mut empty_continuation = false;
        while continues && index < lines.len() {
            let raw = lines[index];
            index += 1;
            if raw.len() > MAX_LINE_BYTES {
                return Err(too_long(current_line));
            }
            let line = trim_newline(raw);
            state
                .line(line)
                .map_err(|message| syntax(current_line, message))?;
            current_line += 1;
            if is_comment(raw) {
                continue;
            }
            if line.trim_start().is_empty() {
                empty_continuation = true;
                continue;
            }
            match trim_continuation(line, escape) {
                Some(trimmed) => buffer.push_str(&trimmed),
                None => {
                    buffer.push_str(line);
                    continues = false;
                }
            }
        }
        if empty_continuation {
            warnings.push(Warning {
                lines: Lines::new(current_line, current_line),
                message: format!("Empty continuation line found in: {buffer}"),
            });
        }
        let located = |message: String| Error::Syntax {
            lines: Lines::new(start_line, current_line),
            message,
        };
        let mut node = node_from_line(&buffer, escape).map_err(located)?;
        if can_contain_heredoc(&node) && buffer.contains("<<") {
            let heredocs = heredocs_from_line(&buffer).map_err(located)?;
            for mut heredoc in heredocs {
                let mut terminated = false;
                while index < lines.len() {
                    let raw = lines[index];
                    index += 1;
                    current_line += 1;
                    let mut candidate = trim_newline(raw);
                    if heredoc.chomp {
                        candidate = candidate.trim_start_matches('\t');
                    }
                    if candidate == heredoc.name {
                        terminated = true;
                        break;
                    }
                    heredoc.content.push_str(raw);
                }
                if !terminated {
                    return Err(Error::Syntax {
                        lines: Lines::new(start_line, current_line),
                        message: "unterminated heredoc".into(),
                    });
                }
                node.heredocs.push(heredoc);
            }
        }
        node.lines = Lines::new(start_line, current_line);
        node.comments = std::mem::take(&mut comments);
        nodes.push(node);
    }
    if nodes.is_empty() {
        return Err(syntax(current_line, "file with no instructions".into()));
    }
    Ok(Parsed {
        nodes,
        directives: state.directives,
        warnings,
    })
}

fn can_contain_heredoc(node: &Node) -> bool {
    let command = node.command.to_ascii_lowercase();
    let command = if command == "onbuild" {
        match node.args.first() {
            Some(inner) => inner.to_ascii_lowercase(),
            None => command,
        }
    } else {
        command
    };
    matches!(command.as_str(), "add" | "copy" | "run") && !node.json
}

/// BuildKit's `newNodeFromLine`. `ONBUILD ONBUILD ...` is unwound with a loop, not recursion,
/// in time linear in the line; only the first two levels of triggers are kept as nodes (a longer
/// chain is refused later anyway: ONBUILD may not trigger ONBUILD).
fn node_from_line(line: &str, escape: char) -> Result<Node, String> {
    let mut chain: Vec<(String, Vec<String>)> = Vec::new();
    let mut first_trigger = None;
    // The text still to read is buffer[start..]: a trigger is a tail of its ONBUILD line, so
    // unwinding a chain copies nothing (but for text BuildKit's byte-wise flag reading cut in
    // the middle of a character).
    let mut buffer = std::borrow::Cow::Borrowed(line);
    let mut start = 0;
    let innermost = loop {
        let current = &buffer[start..];
        let (command, rest) = split_command_word(current.trim());
        let (args_text, flags) = match rest {
            Some(rest) => {
                let (args, flags) = words::extract_builder_flags(rest, escape);
                (trim_cow(args), flags)
            }
            None => (std::borrow::Cow::Borrowed(""), Vec::new()),
        };
        let command = command.to_owned();
        if command.eq_ignore_ascii_case("onbuild") && !args_text.is_empty() {
            chain.push((command, flags));
            if first_trigger.is_none() {
                first_trigger = Some(args_text.to_string());
            }
            match args_text {
                std::borrow::Cow::Borrowed(tail) => {
                    start = tail.as_ptr() as usize - buffer.as_ptr() as usize;
                }
                std::borrow::Cow::Owned(tail) => {
                    buffer = std::borrow::Cow::Owned(tail);
                    start = 0;
                }
            }
            continue;
        }
        let (args, json) = if command.eq_ignore_ascii_case("onbuild") {
            (Vec::new(), false)
        } else {
            dispatch(&command, &args_text, escape)?
        };
        break Node {
            command,
            flags,
            args,
            json,
            original: current.to_owned(),
            heredocs: Vec::new(),
            lines: Lines::new(0, 0),
            comments: Vec::new(),
            child: None,
        };
    };
    if chain.is_empty() {
        return Ok(innermost);
    }
    // BuildKit's nodeArgs of the outermost ONBUILD: every inner command word, then the
    // innermost arguments.
    let mut top_args: Vec<String> = chain[1..]
        .iter()
        .map(|(command, _)| command.clone())
        .collect();
    top_args.push(innermost.command.clone());
    top_args.extend(innermost.args.iter().cloned());
    let json = innermost.json;
    let mut node = innermost;
    for (index, (command, flags)) in chain.into_iter().enumerate().rev() {
        if let Some(grandchild) = node.child.as_mut() {
            grandchild.child = None;
        }
        let (args, original) = match index {
            0 => (std::mem::take(&mut top_args), line.to_owned()),
            1 => (
                vec![node.command.clone()],
                first_trigger.clone().unwrap_or_default(),
            ),
            _ => (vec![node.command.clone()], String::new()),
        };
        node = Node {
            command,
            flags,
            args,
            // BuildKit records no attributes on an ONBUILD node, but heredoc detection looks
            // at the trigger's JSON form.
            json,
            original,
            heredocs: Vec::new(),
            lines: Lines::new(0, 0),
            comments: Vec::new(),
            child: Some(Box::new(node)),
        };
    }
    Ok(node)
}

/// `reWhitespace.Split(line, 2)` without copying.
fn split_command_word(line: &str) -> (&str, Option<&str>) {
    match line.find(words::is_re_whitespace) {
        Some(start) => {
            let tail = &line[start..];
            let len = tail
                .find(|c| !words::is_re_whitespace(c))
                .unwrap_or(tail.len());
            (&line[..start], Some(&tail[len..]))
        }
        None => (line, None),
    }
}

fn trim_cow(text: std::borrow::Cow<'_, str>) -> std::borrow::Cow<'_, str> {
    match text {
        std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.trim()),
        std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.trim().to_owned()),
    }
}

/// The per-instruction argument parsers of BuildKit's dispatch table.
fn dispatch(command: &str, rest: &str, escape: char) -> Result<(Vec<String>, bool), String> {
    match command.to_ascii_lowercase().as_str() {
        "add" | "copy" | "volume" => maybe_json_to_list(rest),
        "arg" => Ok((words::parse_words(rest, escape), false)),
        "cmd" | "entrypoint" | "run" | "shell" => maybe_json(rest),
        "env" => Ok((name_val(rest, "ENV", escape)?, false)),
        "label" => Ok((name_val(rest, "LABEL", escape)?, false)),
        "expose" | "from" => Ok((whitespace_delimited(rest), false)),
        "healthcheck" => health_config(rest),
        "maintainer" | "stopsignal" | "user" | "workdir" => Ok((
            if rest.is_empty() {
                Vec::new()
            } else {
                vec![rest.to_owned()]
            },
            false,
        )),
        _ => Ok((Vec::new(), false)),
    }
}

fn whitespace_delimited(rest: &str) -> Vec<String> {
    if rest.is_empty() {
        return Vec::new();
    }
    words::split_re_whitespace(rest)
}

fn maybe_json(rest: &str) -> Result<(Vec<String>, bool), String> {
    if rest.is_empty() {
        return Ok((Vec::new(), false));
    }
    match words::parse_json(rest) {
        Ok(args) => Ok((args, true)),
        Err(JsonError::NotStringArray) => Err(NOT_STRING_ARRAY.into()),
        Err(JsonError::NotJson) => Ok((vec![rest.to_owned()], false)),
    }
}

fn maybe_json_to_list(rest: &str) -> Result<(Vec<String>, bool), String> {
    match words::parse_json(rest) {
        Ok(args) => Ok((args, true)),
        Err(JsonError::NotStringArray) => Err(NOT_STRING_ARRAY.into()),
        Err(JsonError::NotJson) => Ok((whitespace_delimited(rest), false)),
    }
}

const NOT_STRING_ARRAY: &str =
    "when using JSON array syntax, arrays must be comprised of strings only";

fn health_config(rest: &str) -> Result<(Vec<String>, bool), String> {
    let bytes = rest.as_bytes();
    let sep = bytes
        .iter()
        .position(|b| is_go_space(*b))
        .unwrap_or(bytes.len());
    if sep == 0 {
        return Ok((Vec::new(), false));
    }
    let next = bytes[sep..]
        .iter()
        .position(|b| !is_go_space(*b))
        .map_or(bytes.len(), |i| sep + i);
    let kind = String::from_utf8_lossy(&bytes[..sep]).into_owned();
    let command = String::from_utf8_lossy(&bytes[next..]).into_owned();
    let (mut args, json) = maybe_json(&command)?;
    args.insert(0, kind);
    Ok((args, json))
}

/// `unicode.IsSpace(rune(b))` on one byte, as parseHealthConfig calls it.
fn is_go_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
}

/// BuildKit's `parseNameVal` for ENV and LABEL: key, value, separator triples.
fn name_val(rest: &str, key: &str, escape: char) -> Result<Vec<String>, String> {
    let words = words::parse_words(rest, escape);
    let Some(first) = words.first() else {
        return Ok(Vec::new());
    };
    if !first.contains('=') {
        let (name, value) = words::split2_re_whitespace(rest);
        let Some(value) = value else {
            return Err(format!("{key} must have two arguments"));
        };
        return Ok(vec![name, value, String::new()]);
    }
    let mut out = Vec::with_capacity(words.len() * 3);
    for word in words {
        let Some((name, value)) = word.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {}. Must be of the form: name=value",
                crate::quote::go_quote(&word)
            ));
        };
        out.extend([name.to_owned(), value.to_owned(), "=".to_owned()]);
    }
    Ok(out)
}

/// BuildKit's `heredocsFromLine`.
fn heredocs_from_line(line: &str) -> Result<Vec<Heredoc>, String> {
    let lexer = Lexer {
        raw_quotes: true,
        raw_escapes: true,
        skip_unset_env: true,
        ..Lexer::new('\\')
    };
    let words = lexer.words(line, &NoVars).unwrap_or_default();
    let mut docs = Vec::new();
    for word in words {
        if let Some(doc) = parse_heredoc(&word)? {
            docs.push(doc);
        }
    }
    Ok(docs)
}

/// BuildKit's `ParseHeredoc`: `word` as `[fd]<<[-]NAME`, or `None`.
pub(crate) fn parse_heredoc(word: &str) -> Result<Option<Heredoc>, String> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let Some(after) = word[digits..].strip_prefix("<<") else {
        return Ok(None);
    };
    let (chomp, after) = match after.strip_prefix('-') {
        Some(after) => (true, after),
        None => (false, after),
    };
    let rest = after.trim_start_matches(is_re_space);
    if rest.contains('<') || rest.is_empty() {
        return Ok(None);
    }
    let file_descriptor: u32 = word[..digits].parse().unwrap_or(0);
    let plain = Lexer {
        skip_unset_env: true,
        ..Lexer::new('\\')
    };
    let words = plain.words(rest, &NoVars).map_err(|err| err.to_string())?;
    if words.len() != 1 {
        return Ok(None);
    }
    let raw = Lexer {
        raw_quotes: true,
        ..plain
    };
    let raw_words = raw.words(rest, &NoVars).map_err(|err| err.to_string())?;
    if raw_words.len() != words.len() {
        return Err(format!(
            "internal lexing of heredoc produced inconsistent results: {rest}"
        ));
    }
    let quotes = |s: &str| s.matches(['\'', '"']).count();
    Ok(Some(Heredoc {
        name: words[0].clone(),
        file_descriptor,
        expand: quotes(&words[0]) == quotes(&raw_words[0]),
        chomp,
        content: String::new(),
    }))
}

/// BuildKit's `ChompHeredocContent`: leading tabs removed from every line.
pub(crate) fn chomp_heredoc_content(content: &str) -> String {
    content
        .split_inclusive('\n')
        .map(|line| line.trim_start_matches('\t'))
        .collect()
}

/// BuildKit's `Node.Dump`, the format of its parser test files.
#[cfg(test)]
pub(crate) fn dump(nodes: &[Node]) -> String {
    let mut out = String::new();
    for node in nodes {
        out.push('(');
        out.push_str(&dump_node(node));
        out.push_str(")\n");
    }
    out
}

#[cfg(test)]
fn dump_node(node: &Node) -> String {
    use crate::quote::go_quote;
    let mut out = node.command.to_lowercase();
    if !node.flags.is_empty() {
        let flags: Vec<String> = node.flags.iter().map(|f| go_quote(f)).collect();
        out.push_str(" [");
        out.push_str(&flags.join(" "));
        out.push(']');
    }
    if let Some(child) = &node.child {
        out.push_str(" (");
        out.push_str(&dump_node(child));
        out.push(')');
        return out.trim().to_owned();
    }
    for arg in &node.args {
        out.push(' ');
        out.push_str(&go_quote(arg));
    }
    out.trim().to_owned()
}

/// Parses and dumps (for tests).
#[cfg(test)]
pub(crate) fn parse_dump(text: &str) -> Result<String, Error> {
    parse(text).map(|parsed| dump(&parsed.nodes))
}
