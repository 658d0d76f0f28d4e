//! Evaluation of a parsed template over Go values, with Go's execution errors
//! (`template: :1:2: executing "" at <.Foo>: …`) and bounds on the work a template may do.

mod eval;

pub use eval::number;

use super::{
    funcs,
    parse::{
        describe, describe_command, describe_pipeline, describe_template, Arg, Branch, Command,
        Node, Pipeline, Tree,
    },
    value::{write_value, GoValue},
    Error, Missing, MAX_BUILT, MAX_NESTING, MAX_OUTPUT, MAX_STEPS, MAX_TEMPLATE_DEPTH,
};

/// What a node the evaluation is at is, for error messages (Go's `state.at`).
#[derive(Clone, Copy)]
enum At<'t> {
    Arg(&'t Arg),
    /// A function call: its name and its arguments (Go's `CommandNode`).
    Call(&'t Arg, &'t [Arg]),
    Pipe(&'t Pipeline),
    Template(usize, &'t str, Option<&'t Pipeline>),
}

/// How a list ended: normally, or by `{{break}}` / `{{continue}}` inside a `range`.
#[derive(PartialEq, Eq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

pub struct Exec<'t> {
    /// The name the template was parsed under (Go's `ParseName`), and its source, for positions.
    parse_name: &'t str,
    source: &'t str,
    tree: &'t Tree,
    /// The template being executed (a `{{define}}`d one inside `{{template}}`).
    name: &'t str,
    missing: Missing,
    root: GoValue,
    vars: Vec<(String, GoValue)>,
    at: Option<At<'t>>,
    steps: u64,
    built: usize,
    depth: usize,
    /// Lists being run, one inside the other (control structures and template calls).
    nesting: usize,
}

impl<'t> Exec<'t> {
    pub fn new(
        parse_name: &'t str,
        source: &'t str,
        tree: &'t Tree,
        root: &GoValue,
        missing: Missing,
    ) -> Exec<'t> {
        Exec {
            parse_name,
            source,
            tree,
            name: parse_name,
            missing,
            root: root.clone(),
            vars: vec![("$".to_owned(), root.clone())],
            at: None,
            steps: 0,
            built: 0,
            depth: 0,
            nesting: 0,
        }
    }

    pub fn run(&mut self, out: &mut String) -> Result<(), Error> {
        let root = self.root.clone();
        self.list(&self.tree.root, &root, out).map(|_| ())
    }

    /// An execution error at the current node, worded as Go's.
    fn error(&self, message: impl std::fmt::Display) -> Error {
        let Some(at) = self.at else {
            return Error::Exec(format!("template: {}: {message}", self.name));
        };
        let (pos, context) = match at {
            At::Arg(arg) => (arg.pos, describe(&arg.operand)),
            At::Call(ident, args) => {
                let mut text = describe(&ident.operand);
                for arg in args {
                    text.push(' ');
                    text.push_str(&describe_command(&Command {
                        args: vec![arg.clone()],
                    }));
                }
                (ident.pos, text)
            }
            At::Pipe(pipe) => (pipe.pos, describe_pipeline(pipe)),
            At::Template(pos, name, pipe) => (pos, describe_template(name, pipe)),
        };
        let before = &self.source.as_bytes()[..pos.min(self.source.len())];
        let line = before.split(|b| *b == b'\n').count();
        let column = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(pos, |newline| pos - newline - 1);
        Error::Exec(format!(
            "template: {}:{line}:{column}: executing {:?} at <{context}>: {message}",
            self.parse_name, self.name
        ))
    }

    fn step(&mut self) -> Result<(), Error> {
        self.charge(1)
    }

    /// Adds `steps` to the count checked against [`MAX_STEPS`].
    fn charge(&mut self, steps: u64) -> Result<(), Error> {
        self.steps = self.steps.saturating_add(steps);
        if self.steps > MAX_STEPS {
            return Err(self.error(format!(
                "template stopped after {MAX_STEPS} steps (berth's limit)"
            )));
        }
        Ok(())
    }

    fn write(&self, out: &mut String, text: &str) -> Result<(), Error> {
        if out.len() + text.len() > MAX_OUTPUT {
            return Err(self.error(format!(
                "template output exceeds {MAX_OUTPUT} bytes (berth's limit)"
            )));
        }
        out.push_str(text);
        Ok(())
    }

    /// Counts what a function built against [`MAX_BUILT`].
    fn built(&mut self, value: &GoValue) -> Result<(), Error> {
        self.built += match value {
            GoValue::String(s) => s.len(),
            GoValue::Slice(Some(items)) => items
                .iter()
                .map(|i| {
                    funcs::SPLIT_PART_COST
                        + if let GoValue::String(s) = i {
                            s.len()
                        } else {
                            0
                        }
                })
                .sum(),
            _ => 0,
        };
        if self.built > MAX_BUILT {
            return Err(self.error(format!(
                "template built more than {MAX_BUILT} bytes of strings (berth's limit)"
            )));
        }
        Ok(())
    }

    fn list(&mut self, nodes: &'t [Node], dot: &GoValue, out: &mut String) -> Result<Flow, Error> {
        if self.nesting >= MAX_NESTING {
            return Err(self.error(format!(
                "template nested more than {MAX_NESTING} deep when run (berth's limit)"
            )));
        }
        self.nesting += 1;
        let flow = self.list_inner(nodes, dot, out);
        self.nesting -= 1;
        flow
    }

    fn list_inner(
        &mut self,
        nodes: &'t [Node],
        dot: &GoValue,
        out: &mut String,
    ) -> Result<Flow, Error> {
        for node in nodes {
            self.step()?;
            match node {
                Node::Text(text) => self.write(out, text)?,
                Node::Action(pipe) => {
                    let value = self.pipeline(pipe, dot)?;
                    if pipe.decl.is_empty() {
                        let mut text = String::new();
                        write_value(&mut text, &value);
                        self.write(out, &text)?;
                    }
                }
                Node::If(branch) | Node::With(branch) => {
                    let with = matches!(node, Node::With(_));
                    let mark = self.vars.len();
                    let value = self.pipeline(&branch.pipe, dot)?;
                    let flow = if value.truthy() {
                        let inner = if with { &value } else { dot };
                        self.list(&branch.list, &inner.clone(), out)?
                    } else {
                        self.list(&branch.otherwise, dot, out)?
                    };
                    self.vars.truncate(mark);
                    if flow != Flow::Normal {
                        return Ok(flow);
                    }
                }
                Node::Range(branch) => {
                    let flow = self.range(branch, dot, out)?;
                    if flow != Flow::Normal {
                        return Ok(flow);
                    }
                }
                Node::Template { pos, name, pipe } => {
                    self.template(*pos, name, pipe.as_ref(), dot, out)?;
                }
                Node::Break(_) => return Ok(Flow::Break),
                Node::Continue(_) => return Ok(Flow::Continue),
            }
        }
        Ok(Flow::Normal)
    }

    fn template(
        &mut self,
        pos: usize,
        name: &'t str,
        pipe: Option<&'t Pipeline>,
        dot: &GoValue,
        out: &mut String,
    ) -> Result<(), Error> {
        self.at = Some(At::Template(pos, name, pipe));
        let Some(list) = self.tree.defines.get(name) else {
            return Err(self.error(format!("template {name:?} not defined")));
        };
        if self.depth >= MAX_TEMPLATE_DEPTH {
            return Err(self.error(format!(
                "exceeded maximum template depth ({MAX_TEMPLATE_DEPTH})"
            )));
        }
        let new_dot = match pipe {
            Some(pipe) => self.pipeline(pipe, dot)?,
            None => GoValue::Nil,
        };
        // A template runs with its own variables: only `$`, its dot.
        let vars = std::mem::replace(&mut self.vars, vec![("$".to_owned(), new_dot.clone())]);
        let outer_name = std::mem::replace(&mut self.name, name);
        self.depth += 1;
        let result = self.list(list, &new_dot, out);
        self.depth -= 1;
        self.name = outer_name;
        self.vars = vars;
        result.map(|_| ())
    }

    /// `{{range}}`; a `break` or `continue` in its `else` belongs to an outer range.
    fn range(
        &mut self,
        branch: &'t Branch,
        dot: &GoValue,
        out: &mut String,
    ) -> Result<Flow, Error> {
        let mark = self.vars.len();
        let pipe = &branch.pipe;
        let value = self.pipeline_value(pipe, dot)?;
        let items: Vec<(GoValue, GoValue)> = match value {
            GoValue::Slice(items) => items
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(i, v)| (GoValue::int(i64::try_from(i).unwrap_or(i64::MAX)), v))
                .collect(),
            GoValue::Map(map) => map
                .entries
                .into_iter()
                .flatten()
                .map(|(k, v)| (GoValue::String(k), v))
                .collect(),
            GoValue::Nil => Vec::new(),
            other => {
                return Err(self.error(format!(
                    "range can't iterate over {}",
                    crate::template::fmt::display(&other)
                )))
            }
        };
        if items.is_empty() {
            let flow = self.list(&branch.otherwise, dot, out)?;
            self.vars.truncate(mark);
            return Ok(flow);
        }
        for (key, element) in items {
            self.step()?;
            self.vars.truncate(mark);
            match pipe.decl.as_slice() {
                [e] => self.declare(e, element.clone(), pipe.assign)?,
                [k, e] => {
                    self.declare(k, key, pipe.assign)?;
                    self.declare(e, element.clone(), pipe.assign)?;
                }
                _ => {}
            }
            if self.list(&branch.list, &element, out)? == Flow::Break {
                break;
            }
        }
        self.vars.truncate(mark);
        Ok(Flow::Normal)
    }

    /// `$x := value`, or `$x = value` (the variable must exist).
    fn declare(&mut self, name: &str, value: GoValue, assign: bool) -> Result<(), Error> {
        if assign {
            let slot = self.vars.iter_mut().rev().find(|(n, _)| n == name);
            let Some(slot) = slot else {
                return Err(self.error(format!("undefined variable: {name}")));
            };
            slot.1 = value;
        } else {
            self.vars.push((name.to_owned(), value));
        }
        Ok(())
    }

    /// A pipeline's value; its declaration, if any, is made by the caller (`range` binds per
    /// element).
    fn pipeline_value(&mut self, pipe: &'t Pipeline, dot: &GoValue) -> Result<GoValue, Error> {
        self.at = Some(At::Pipe(pipe));
        let mut value: Option<GoValue> = None;
        for command in &pipe.commands {
            value = Some(self.command(command, dot, value)?);
        }
        Ok(value.unwrap_or(GoValue::Nil))
    }

    fn pipeline(&mut self, pipe: &'t Pipeline, dot: &GoValue) -> Result<GoValue, Error> {
        let value = self.pipeline_value(pipe, dot)?;
        if let Some(name) = pipe.decl.first() {
            self.declare(name, value.clone(), pipe.assign)?;
        }
        Ok(value)
    }
}
