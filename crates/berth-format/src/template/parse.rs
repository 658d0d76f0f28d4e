//! Parsing of template source into a tree, with Go's parse errors (`template: :1: unexpected EOF`)
//! and the byte offsets Go's execution errors cite (`template: :1:2: executing "" at <.Foo>`).

use std::collections::BTreeMap;

use super::{
    funcs,
    lex::{error_at, items, tokens, Item, Tok, Token},
    Error,
};

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Text(String),
    /// `{{pipeline}}`: evaluated and printed (unless it declares or assigns a variable).
    Action(Pipeline),
    If(Branch),
    Range(Branch),
    With(Branch),
    /// `{{template "name" pipeline}}` (and the call half of `{{block}}`).
    Template {
        pos: usize,
        name: String,
        pipe: Option<Pipeline>,
    },
    Break(usize),
    Continue(usize),
}

/// The pipeline and lists of `if`, `range` and `with`.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    pub pipe: Pipeline,
    pub list: Vec<Node>,
    pub otherwise: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub pos: usize,
    /// `$x :=` or `$i, $e :=` (or `$x =` when `assign`).
    pub decl: Vec<String>,
    pub assign: bool,
    pub commands: Vec<Command>,
}

/// A function call or a single operand: `json .`, `.Name`.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub args: Vec<Arg>,
}

/// An operand and its offset in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub pos: usize,
    pub operand: Operand,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// `.A.B` (an empty path is `.`).
    Field(Vec<String>),
    /// `$x.A.B` (`$` alone is the root).
    Variable(String, Vec<String>),
    Ident(String),
    /// A string: its value and its text as written.
    Str(String, String),
    /// A number as written.
    Number(String),
    Bool(bool),
    Nil,
    /// `(pipeline).A.B`
    Sub(Box<Pipeline>, Vec<String>),
}

/// A parsed template: its own list and the templates it defines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tree {
    pub root: Vec<Node>,
    pub defines: BTreeMap<String, Vec<Node>>,
}

/// Nesting limit, so a hostile template cannot exhaust the stack.
const MAX_DEPTH: usize = 100;

struct Parser<'a> {
    name: &'a str,
    source: &'a str,
    items: Vec<Item<'a>>,
    pos: usize,
    defines: BTreeMap<String, Vec<Node>>,
    /// Variables in scope (Go checks them at parse time).
    vars: Vec<String>,
    range_depth: usize,
}

/// What ended a list: `{{end}}`, `{{else …}}` (its offset and text after `else`), or the input.
#[allow(clippy::enum_variant_names)]
enum End {
    End(usize),
    Else(usize, String),
    Eof,
}

pub fn parse(name: &str, source: &str) -> Result<Tree, Error> {
    let mut parser = Parser {
        name,
        source,
        items: items(name, source)?,
        pos: 0,
        defines: BTreeMap::new(),
        vars: vec!["$".to_owned()],
        range_depth: 0,
    };
    let (root, end) = parser.list(0)?;
    match end {
        End::Eof => Ok(Tree {
            root,
            defines: parser.defines,
        }),
        End::End(pos) => Err(parser.error(pos, "unexpected {{end}}")),
        End::Else(pos, rest) => Err(parser.stray_else(pos, &rest)),
    }
}

/// Whether a list prints nothing and runs nothing (Go's `IsEmptyTree`).
fn is_empty(list: &[Node]) -> bool {
    list.iter()
        .all(|n| matches!(n, Node::Text(t) if t.trim_matches(super::lex::is_space).is_empty()))
}

impl Parser<'_> {
    fn error(&self, pos: usize, message: &str) -> Error {
        error_at(self.name, self.source, pos, message)
    }

    fn list(&mut self, depth: usize) -> Result<(Vec<Node>, End), Error> {
        if depth > MAX_DEPTH {
            return Err(self.error(self.source.len(), "template nested too deeply"));
        }
        let mut nodes = Vec::new();
        while self.pos < self.items.len() {
            let (pos, body) = match self.items[self.pos] {
                Item::Text(text) => {
                    self.pos += 1;
                    nodes.push(Node::Text(text.to_owned()));
                    continue;
                }
                Item::Action { pos, body } => (pos, body),
            };
            self.pos += 1;
            let lead = body.len() - body.trim_start_matches(super::lex::is_space).len();
            let (keyword, rest, rest_pos) = split_keyword(body, pos + lead);
            match keyword {
                "end" if rest.trim().is_empty() => return Ok((nodes, End::End(pos + lead))),
                "end" => {
                    let toks = tokens(self.name, self.source, rest_pos, rest)?;
                    let what = toks.first().map_or_else(String::new, Tok::describe);
                    return Err(self.error(rest_pos, &format!("unexpected {what} in end")));
                }
                "else" => return Ok((nodes, End::Else(pos + lead, rest.to_owned()))),
                "if" | "range" | "with" => {
                    let node = self.control(keyword, rest, rest_pos, depth)?;
                    nodes.push(node);
                }
                // Go allows `define` only at the top level of a template's text.
                "define" if depth == 0 => self.define(rest, rest_pos, depth)?,
                "define" => return Err(self.error(pos + lead, "unexpected <define> in command")),
                "template" | "block" => nodes.push(self.template(keyword, rest, rest_pos, depth)?),
                "break" | "continue" => {
                    if self.range_depth == 0 {
                        return Err(self.error(
                            pos + lead,
                            &format!("{{{{{keyword}}}}} outside {{{{range}}}}"),
                        ));
                    }
                    if !rest.trim().is_empty() {
                        return Err(
                            self.error(rest_pos, &format!("unexpected input in {{{{{keyword}}}}}"))
                        );
                    }
                    nodes.push(if keyword == "break" {
                        Node::Break(pos + lead)
                    } else {
                        Node::Continue(pos + lead)
                    });
                }
                _ => {
                    let pipe = self.pipeline(body, pos, "command", true)?;
                    nodes.push(Node::Action(pipe));
                }
            }
        }
        Ok((nodes, End::Eof))
    }

    /// `if`, `range`, `with`, with their `else` (and `else if`, `else with`) branches.
    fn control(
        &mut self,
        keyword: &str,
        rest: &str,
        rest_pos: usize,
        depth: usize,
    ) -> Result<Node, Error> {
        let mark = self.vars.len();
        let pipe = self.pipeline(rest, rest_pos, keyword, true)?;
        if keyword == "range" {
            self.range_depth += 1;
        }
        let (list, end) = self.list(depth + 1)?;
        if keyword == "range" {
            self.range_depth -= 1;
        }
        let otherwise = match end {
            End::Eof => return Err(self.error(self.source.len(), "unexpected EOF")),
            End::End(_) => Vec::new(),
            End::Else(else_pos, else_rest) => {
                let (word, chained, chained_pos) = split_keyword(&else_rest, else_pos + 5);
                if word == "if" && keyword != "if" {
                    return Err(self.error(chained_pos, "unexpected <if> in input"));
                } else if word == "if" {
                    // `{{else if x}}` is an `if` in the else branch that shares the outer `{{end}}`.
                    vec![self.control("if", chained, chained_pos, depth + 1)?]
                } else if else_rest.trim().is_empty() {
                    let (otherwise, end) = self.list(depth + 1)?;
                    match end {
                        End::End(_) => otherwise,
                        End::Eof => return Err(self.error(self.source.len(), "unexpected EOF")),
                        End::Else(pos, _) => {
                            return Err(self.error(pos, "expected end; found {{else}}"))
                        }
                    }
                } else {
                    let what = if KEYWORDS.contains(&word) {
                        format!("<{word}>")
                    } else {
                        let toks = tokens(self.name, self.source, else_pos, &else_rest)?;
                        toks.first().map_or_else(String::new, Tok::describe)
                    };
                    return Err(self.error(else_pos, &format!("unexpected {what} in else")));
                }
            }
        };
        self.vars.truncate(mark);
        let branch = Branch {
            pipe,
            list,
            otherwise,
        };
        Ok(match keyword {
            "if" => Node::If(branch),
            "range" => Node::Range(branch),
            _ => Node::With(branch),
        })
    }

    /// `{{define "name"}}…{{end}}`: a template of its own, with its own variables.
    fn define(&mut self, rest: &str, rest_pos: usize, depth: usize) -> Result<(), Error> {
        let toks = tokens(self.name, self.source, rest_pos, rest)?;
        let name = match toks.as_slice() {
            [Tok {
                token: Token::Str(name, _),
                ..
            }] => name.clone(),
            [Tok {
                token: Token::Str(..),
                ..
            }, extra, ..]
            | [extra, ..] => {
                return Err(self.error(
                    extra.pos,
                    &format!("unexpected {} in define clause", extra.describe()),
                ));
            }
            [] => return Err(self.error(rest_pos, "unexpected \"}}\" in define clause")),
        };
        let vars = std::mem::replace(&mut self.vars, vec!["$".to_owned()]);
        let ranges = std::mem::replace(&mut self.range_depth, 0);
        let (list, end) = self.list(depth + 1)?;
        self.vars = vars;
        self.range_depth = ranges;
        match end {
            End::End(_) => self.add(&name, list, rest_pos),
            End::Eof => Err(self.error(self.source.len(), "unexpected EOF")),
            End::Else(pos, rest) => Err(self.stray_else(pos, &rest)),
        }
    }

    /// An `{{else}}` where none belongs; Go first checks what follows the word.
    fn stray_else(&self, pos: usize, rest: &str) -> Error {
        let (word, _, _) = split_keyword(rest, pos);
        if rest.trim().is_empty() || word == "if" {
            return self.error(pos, "unexpected {{else}}");
        }
        match tokens(self.name, self.source, pos, rest) {
            Ok(toks) => {
                let what = toks.first().map_or_else(String::new, Tok::describe);
                self.error(pos, &format!("unexpected {what} in else"))
            }
            Err(error) => error,
        }
    }

    /// Go's `Tree.add`: a second non-empty definition of a name is an error.
    fn add(&mut self, name: &str, list: Vec<Node>, pos: usize) -> Result<(), Error> {
        match self.defines.get(name) {
            Some(existing) if !is_empty(existing) && !is_empty(&list) => Err(self.error(
                pos,
                &format!("template: multiple definition of template {name:?}"),
            )),
            Some(existing) if !is_empty(existing) => Ok(()),
            _ => {
                self.defines.insert(name.to_owned(), list);
                Ok(())
            }
        }
    }

    /// `{{template "name" pipeline}}`, or `{{block "name" pipeline}}…{{end}}` (a define and a
    /// template call).
    fn template(
        &mut self,
        keyword: &str,
        rest: &str,
        rest_pos: usize,
        depth: usize,
    ) -> Result<Node, Error> {
        let toks = tokens(self.name, self.source, rest_pos, rest)?;
        let Some(Tok {
            pos: name_pos,
            token: Token::Str(name, _),
            ..
        }) = toks.first().cloned()
        else {
            let (pos, what) = toks
                .first()
                .map_or((rest_pos, "\"}}\"".to_owned()), |t| (t.pos, t.describe()));
            return Err(self.error(pos, &format!("unexpected {what} in {keyword} clause")));
        };
        let pipe_text_start = toks.get(1).map(|t| t.pos);
        let pipe = match pipe_text_start {
            Some(start) => {
                let offset = start - rest_pos;
                Some(self.pipeline(&rest[offset..], start, keyword, false)?)
            }
            None if keyword == "block" => {
                return Err(self.error(rest_pos, "missing value for block clause"))
            }
            None => None,
        };
        if keyword == "block" {
            let vars = std::mem::replace(&mut self.vars, vec!["$".to_owned()]);
            let (list, end) = self.list(depth + 1)?;
            self.vars = vars;
            match end {
                End::End(_) => self.add(&name, list, name_pos)?,
                End::Eof => return Err(self.error(self.source.len(), "unexpected EOF")),
                End::Else(pos, rest) => return Err(self.stray_else(pos, &rest)),
            }
        }
        Ok(Node::Template {
            pos: name_pos,
            name,
            pipe,
        })
    }

    /// A pipeline from an action's text at `pos`. `context` names it in errors (`missing value
    /// for if`); `decl` allows a variable declaration.
    fn pipeline(
        &mut self,
        text: &str,
        pos: usize,
        context: &str,
        decl: bool,
    ) -> Result<Pipeline, Error> {
        let toks = tokens(self.name, self.source, pos, text)?;
        let mut at = 0;
        let pipe = self.pipeline_tokens(&toks, &mut at, context, decl, 0, pos)?;
        if let Some(tok) = toks.get(at) {
            return Err(self.error(
                tok.pos,
                &format!("unexpected {} in {context}", tok.describe()),
            ));
        }
        Ok(pipe)
    }

    fn pipeline_tokens(
        &mut self,
        toks: &[Tok],
        at: &mut usize,
        context: &str,
        decl: bool,
        depth: usize,
        start: usize,
    ) -> Result<Pipeline, Error> {
        if depth > MAX_DEPTH {
            return Err(self.error(start, "template nested too deeply"));
        }
        let pos = toks.get(*at).map_or(start, |t| t.pos);
        let mut names = Vec::new();
        let mut assign = false;
        let ahead: Vec<&Token> = toks[*at..].iter().take(4).map(|t| &t.token).collect();
        match ahead.as_slice() {
            [Token::Variable(_), Token::Comma, Token::Variable(_), Token::Declare | Token::Assign, ..]
                if decl && context != "range" =>
            {
                return Err(self.error(pos, &format!("too many declarations in {context}")));
            }
            [Token::Variable(a), Token::Comma, Token::Variable(b), Token::Declare | Token::Assign, ..]
                if decl =>
            {
                assign = matches!(ahead[3], Token::Assign);
                names = vec![a.clone(), b.clone()];
                *at += 4;
            }
            [Token::Variable(a), Token::Declare | Token::Assign, ..] if decl => {
                assign = matches!(ahead[1], Token::Assign);
                names = vec![a.clone()];
                *at += 2;
            }
            _ => {}
        }
        let mut commands: Vec<Command> = Vec::new();
        let mut args: Vec<Arg> = Vec::new();
        while let Some(tok) = toks.get(*at) {
            let tok_pos = tok.pos;
            if !args.is_empty() && !tok.spaced && !matches!(tok.token, Token::Pipe | Token::Close) {
                return Err(self.error(
                    tok_pos,
                    &format!("unexpected {} in operand", tok.describe()),
                ));
            }
            let operand = match &tok.token {
                Token::Pipe => {
                    *at += 1;
                    if args.is_empty() {
                        return Err(self.error(
                            tok_pos,
                            &format!("unexpected {} in command", tok.describe()),
                        ));
                    }
                    commands.push(Command {
                        args: std::mem::take(&mut args),
                    });
                    continue;
                }
                Token::Close if depth > 0 => break,
                Token::Close => {
                    return Err(self.error(
                        tok_pos,
                        &format!("unexpected {} in {context}", tok.describe()),
                    ));
                }
                Token::Comma | Token::Declare | Token::Assign => {
                    let what = if args.is_empty() {
                        "command"
                    } else {
                        "operand"
                    };
                    return Err(
                        self.error(tok_pos, &format!("unexpected {} in {what}", tok.describe()))
                    );
                }
                Token::Open => {
                    *at += 1;
                    let inner = self.pipeline_tokens(
                        toks,
                        at,
                        "parenthesized pipeline",
                        false,
                        depth + 1,
                        tok_pos,
                    )?;
                    if toks.get(*at).map(|t| &t.token) != Some(&Token::Close) {
                        return Err(self.error(tok_pos, "unclosed left paren"));
                    }
                    *at += 1;
                    let fields = Self::fields(toks, at);
                    Operand::Sub(Box::new(inner), fields)
                }
                Token::Dot => {
                    *at += 1;
                    Operand::Field(Vec::new())
                }
                Token::Field(name) => {
                    *at += 1;
                    let mut path = vec![name.clone()];
                    path.extend(Self::fields(toks, at));
                    Operand::Field(path)
                }
                Token::Variable(name) => {
                    *at += 1;
                    if !self.vars.contains(name) {
                        return Err(self.error(tok_pos, &format!("undefined variable {name:?}")));
                    }
                    Operand::Variable(name.clone(), Self::fields(toks, at))
                }
                Token::Str(value, text) => {
                    *at += 1;
                    Operand::Str(value.clone(), text.clone())
                }
                Token::Number(text) => {
                    *at += 1;
                    Operand::Number(text.clone())
                }
                Token::Ident(word) => {
                    *at += 1;
                    match word.as_str() {
                        "true" => Operand::Bool(true),
                        "false" => Operand::Bool(false),
                        "nil" => Operand::Nil,
                        name if funcs::exists(name) => Operand::Ident(word.clone()),
                        name => {
                            return Err(
                                self.error(tok_pos, &format!("function {name:?} not defined"))
                            )
                        }
                    }
                }
            };
            // Go places a chained field (`.A.B`, `$x.A`) at its second element.
            let pos = match &operand {
                Operand::Field(path) if path.len() > 1 => chain_pos(toks, tok_pos),
                Operand::Variable(_, path) if !path.is_empty() => chain_pos(toks, tok_pos),
                _ => tok_pos,
            };
            args.push(Arg { pos, operand });
        }
        // Go accepts a trailing `|`: `{{.A |}}` is `{{.A}}`.
        if !args.is_empty() {
            commands.push(Command { args });
        }
        if commands.is_empty() {
            return Err(self.error(pos, &format!("missing value for {context}")));
        }
        for (i, command) in commands.iter().enumerate().skip(1) {
            if matches!(
                command.args[0].operand,
                Operand::Bool(_) | Operand::Nil | Operand::Number(_) | Operand::Str(..)
            ) || command.args[0].operand == Operand::Field(Vec::new())
            {
                return Err(self.error(
                    pos,
                    &format!("non executable command in pipeline stage {}", i + 1),
                ));
            }
        }
        if !assign {
            self.vars.extend(names.iter().cloned());
        }
        Ok(Pipeline {
            pos,
            decl: names,
            assign,
            commands,
        })
    }

    /// The `.A.B` that follows an operand.
    fn fields(toks: &[Tok], at: &mut usize) -> Vec<String> {
        let mut path = Vec::new();
        while let Some(Tok {
            token: Token::Field(name),
            spaced: false,
            ..
        }) = toks.get(*at)
        {
            path.push(name.clone());
            *at += 1;
        }
        path
    }
}

/// Go's keywords, which its messages name as `<if>`.
const KEYWORDS: &[&str] = &[
    "block", "break", "continue", "define", "else", "end", "if", "range", "nil", "template", "with",
];

/// The offset of the token after the one at `pos`.
fn chain_pos(toks: &[Tok], pos: usize) -> usize {
    toks.iter()
        .position(|t| t.pos == pos)
        .and_then(|i| toks.get(i + 1))
        .map_or(pos, |t| t.pos)
}

/// The first word of an action and the rest, with the rest's offset.
fn split_keyword(body: &str, pos: usize) -> (&str, &str, usize) {
    let trimmed = body.trim_start_matches(super::lex::is_space);
    let lead = body.len() - trimmed.len();
    let end = trimmed
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(trimmed.len());
    let rest = &trimmed[end..];
    let rest_lead = rest.len() - rest.trim_start_matches(super::lex::is_space).len();
    (
        &trimmed[..end],
        &rest[rest_lead..],
        pos + lead + end + rest_lead,
    )
}

/// Go's `Node.String()` of the nodes an execution error can be at.
pub fn describe_pipeline(pipe: &Pipeline) -> String {
    let mut out = String::new();
    if !pipe.decl.is_empty() {
        out.push_str(&pipe.decl.join(", "));
        out.push_str(if pipe.assign { " = " } else { " := " });
    }
    let commands: Vec<String> = pipe.commands.iter().map(describe_command).collect();
    out.push_str(&commands.join(" | "));
    out
}

pub fn describe_command(command: &Command) -> String {
    let args: Vec<String> = command
        .args
        .iter()
        .map(|arg| match &arg.operand {
            Operand::Sub(pipe, path) if path.is_empty() => format!("({})", describe_pipeline(pipe)),
            _ => describe(&arg.operand),
        })
        .collect();
    args.join(" ")
}

pub fn describe(operand: &Operand) -> String {
    let path = |path: &[String]| {
        path.iter().fold(String::new(), |mut out, p| {
            out.push('.');
            out.push_str(p);
            out
        })
    };
    match operand {
        Operand::Field(p) if p.is_empty() => ".".to_owned(),
        Operand::Field(p) => path(p),
        Operand::Variable(name, p) => format!("{name}{}", path(p)),
        Operand::Ident(name) => name.clone(),
        Operand::Str(_, text) | Operand::Number(text) => text.clone(),
        Operand::Bool(b) => b.to_string(),
        Operand::Nil => "nil".to_owned(),
        Operand::Sub(pipe, p) => format!("({}){}", describe_pipeline(pipe), path(p)),
    }
}

pub fn describe_template(name: &str, pipe: Option<&Pipeline>) -> String {
    let name = super::fmt::quote(name, false);
    match pipe {
        Some(pipe) => format!("{{{{template {name} {}}}}}", describe_pipeline(pipe)),
        None => format!("{{{{template {name}}}}}"),
    }
}
