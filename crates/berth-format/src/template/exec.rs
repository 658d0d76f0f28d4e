//! Evaluation of a parsed template over Go values.

use super::{
    funcs,
    parse::{Command, Node, Operand, Pipeline},
    value::{write_value, GoValue},
    Error, Missing,
};

/// Bound on `range` iterations times output, so a template cannot make output without end.
const MAX_OUTPUT: usize = 64 * 1024 * 1024;

pub struct Exec<'a> {
    root: &'a GoValue,
    missing: Missing,
    vars: Vec<(String, GoValue)>,
}

impl<'a> Exec<'a> {
    pub fn new(root: &'a GoValue, missing: Missing) -> Exec<'a> {
        Exec {
            root,
            missing,
            vars: vec![("$".to_owned(), root.clone())],
        }
    }

    pub fn run(&mut self, nodes: &[Node], dot: &GoValue, out: &mut String) -> Result<(), Error> {
        for node in nodes {
            if out.len() > MAX_OUTPUT {
                return Err(Error::Exec("output too large".into()));
            }
            match node {
                Node::Text(text) => out.push_str(text),
                Node::Action(pipe) => {
                    let value = self.pipeline(pipe, dot)?;
                    if pipe.decl.is_empty() {
                        write_value(out, &value);
                    }
                }
                Node::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    let mark = self.vars.len();
                    let value = self.pipeline(cond, dot)?;
                    let branch = if value.truthy() { then } else { otherwise };
                    self.run(branch, dot, out)?;
                    self.vars.truncate(mark);
                }
                Node::With {
                    pipe,
                    body,
                    otherwise,
                } => {
                    let mark = self.vars.len();
                    let value = self.pipeline(pipe, dot)?;
                    if value.truthy() {
                        self.run(body, &value, out)?;
                    } else {
                        self.run(otherwise, dot, out)?;
                    }
                    self.vars.truncate(mark);
                }
                Node::Range {
                    pipe,
                    body,
                    otherwise,
                } => self.range(pipe, body, otherwise, dot, out)?,
            }
        }
        Ok(())
    }

    fn range(
        &mut self,
        pipe: &Pipeline,
        body: &[Node],
        otherwise: &[Node],
        dot: &GoValue,
        out: &mut String,
    ) -> Result<(), Error> {
        let mark = self.vars.len();
        let unassigned = Pipeline {
            decl: Vec::new(),
            commands: pipe.commands.clone(),
        };
        let value = self.pipeline(&unassigned, dot)?;
        let items: Vec<(GoValue, GoValue)> = match &value {
            GoValue::Slice(items) => items
                .iter()
                .flatten()
                .enumerate()
                .map(|(i, v)| (GoValue::uint(i as u64), v.clone()))
                .collect(),
            GoValue::Map(map) => map
                .entries
                .iter()
                .flatten()
                .map(|(k, v)| (GoValue::String(k.clone()), v.clone()))
                .collect(),
            GoValue::Nil | GoValue::NilPointer => Vec::new(),
            GoValue::Number(n) => {
                let count = n
                    .as_u64()
                    .ok_or_else(|| Error::Exec(format!("range can't iterate over {n}")))?;
                (0..count.min(1 << 20))
                    .map(|i| (GoValue::uint(i), GoValue::uint(i)))
                    .collect()
            }
            other => {
                return Err(Error::Exec(format!(
                    "range can't iterate over {}",
                    go_string(other)
                )))
            }
        };
        if items.is_empty() {
            self.run(otherwise, dot, out)?;
        }
        for (key, element) in items {
            self.vars.truncate(mark);
            match pipe.decl.as_slice() {
                [e] => self.vars.push((e.clone(), element.clone())),
                [k, e] => {
                    self.vars.push((k.clone(), key));
                    self.vars.push((e.clone(), element.clone()));
                }
                _ => {}
            }
            self.run(body, &element, out)?;
        }
        self.vars.truncate(mark);
        Ok(())
    }

    fn pipeline(&mut self, pipe: &Pipeline, dot: &GoValue) -> Result<GoValue, Error> {
        let mut value: Option<GoValue> = None;
        for command in &pipe.commands {
            value = Some(self.command(command, dot, value)?);
        }
        let value = value.unwrap_or(GoValue::Nil);
        if let Some(name) = pipe.decl.first() {
            self.vars.push((name.clone(), value.clone()));
        }
        Ok(value)
    }

    fn command(
        &mut self,
        command: &Command,
        dot: &GoValue,
        piped: Option<GoValue>,
    ) -> Result<GoValue, Error> {
        let (first, rest) = command
            .args
            .split_first()
            .ok_or_else(|| Error::Exec("empty command".into()))?;
        if let Operand::Ident(name) = first {
            let mut args = rest
                .iter()
                .map(|arg| self.operand(arg, dot))
                .collect::<Result<Vec<_>, _>>()?;
            args.extend(piped);
            return funcs::call(name, &args);
        }
        if !rest.is_empty() || piped.is_some() {
            return Err(Error::Exec(format!(
                "can't give argument to non-function {}",
                describe(first)
            )));
        }
        self.operand(first, dot)
    }

    fn operand(&mut self, operand: &Operand, dot: &GoValue) -> Result<GoValue, Error> {
        match operand {
            Operand::Field(path) => self.fields(dot, path),
            Operand::Variable(name, path) => {
                let value = if name == "$" {
                    self.root.clone()
                } else {
                    self.vars
                        .iter()
                        .rev()
                        .find(|(n, _)| n == name)
                        .map(|(_, v)| v.clone())
                        .ok_or_else(|| Error::Exec(format!("undefined variable: {name}")))?
                };
                self.fields(&value, path)
            }
            Operand::Ident(name) => funcs::call(name, &[]),
            Operand::Str(s) => Ok(GoValue::String(s.clone())),
            Operand::Number(n) => Ok(GoValue::Number(n.clone())),
            Operand::Bool(b) => Ok(GoValue::Bool(*b)),
            Operand::Nil => Err(Error::Exec("nil is not a command".into())),
            Operand::Sub(pipe, path) => {
                let value = self.pipeline(pipe, dot)?;
                self.fields(&value, path)
            }
        }
    }

    /// `.A.B` on `value`. A struct's unknown field is an error; a map's missing key is `<no value>`
    /// (and so is anything below it), or an error under [`Missing::Error`] (`missingkey=error`);
    /// a field of nil is an error.
    fn fields(&self, value: &GoValue, path: &[String]) -> Result<GoValue, Error> {
        let mut current = value.clone();
        for name in path {
            current = match current {
                GoValue::Struct(mut s) => match s.fields.iter().position(|f| f.name == *name) {
                    Some(i) => s.fields.swap_remove(i).value,
                    None if s.type_name.is_empty() => {
                        return Err(Error::Exec(format!("can't evaluate field {name}")))
                    }
                    None => {
                        return Err(Error::Exec(format!(
                            "can't evaluate field {name} in type {}",
                            s.type_name
                        )))
                    }
                },
                GoValue::Map(mut map) => {
                    match map
                        .entries
                        .as_mut()
                        .and_then(|entries| entries.remove(name))
                    {
                        Some(v) => v,
                        None if self.missing == Missing::NoValue => return Ok(GoValue::Nil),
                        None => {
                            return Err(Error::Exec(format!("map has no entry for key {name:?}")))
                        }
                    }
                }
                GoValue::Nil | GoValue::NilPointer => {
                    return Err(Error::Exec(format!("nil pointer evaluating {name}")));
                }
                other => {
                    return Err(Error::Exec(format!(
                        "can't evaluate field {name} in type {}",
                        other.type_name()
                    )));
                }
            };
        }
        Ok(current)
    }
}

fn describe(operand: &Operand) -> String {
    match operand {
        Operand::Field(path) => format!(".{}", path.join(".")),
        Operand::Variable(name, _) => name.clone(),
        _ => "value".to_owned(),
    }
}

/// `%v` of a value as `fmt.Sprint` prints it (nil is `<nil>`).
pub fn go_string(value: &GoValue) -> String {
    let mut out = String::new();
    super::value::write_nested(&mut out, value);
    out
}
