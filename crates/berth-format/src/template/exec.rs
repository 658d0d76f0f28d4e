//! Evaluation of a parsed template over `serde_json::Value` data.

use std::fmt::Write as _;

use serde_json::Value;

use super::{
    funcs,
    parse::{Command, Node, Operand, Pipeline},
    Error, Missing,
};

/// Bound on `range` iterations times output, so a template cannot make output without end.
const MAX_OUTPUT: usize = 64 * 1024 * 1024;

pub struct Exec<'a> {
    root: &'a Value,
    missing: Missing,
    vars: Vec<(String, Value)>,
}

impl<'a> Exec<'a> {
    pub fn new(root: &'a Value, missing: Missing) -> Exec<'a> {
        Exec {
            root,
            missing,
            vars: vec![("$".to_owned(), root.clone())],
        }
    }

    pub fn run(&mut self, nodes: &[Node], dot: &Value, out: &mut String) -> Result<(), Error> {
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
                    let branch = if truthy(&value) { then } else { otherwise };
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
                    if truthy(&value) {
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
        dot: &Value,
        out: &mut String,
    ) -> Result<(), Error> {
        let mark = self.vars.len();
        let unassigned = Pipeline {
            decl: Vec::new(),
            commands: pipe.commands.clone(),
        };
        let value = self.pipeline(&unassigned, dot)?;
        let items: Vec<(Value, Value)> = match &value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::from(i), v.clone()))
                .collect(),
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                keys.into_iter()
                    .map(|k| (Value::String(k.clone()), map[k].clone()))
                    .collect()
            }
            Value::Null => Vec::new(),
            Value::Number(n) => {
                let count = n
                    .as_u64()
                    .ok_or_else(|| Error::Exec(format!("range can't iterate over {n}")))?;
                (0..count.min(1 << 20))
                    .map(|i| (Value::from(i), Value::from(i)))
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

    fn pipeline(&mut self, pipe: &Pipeline, dot: &Value) -> Result<Value, Error> {
        let mut value: Option<Value> = None;
        for command in &pipe.commands {
            value = Some(self.command(command, dot, value)?);
        }
        let value = value.unwrap_or(Value::Null);
        if let Some(name) = pipe.decl.first() {
            self.vars.push((name.clone(), value.clone()));
        }
        Ok(value)
    }

    fn command(
        &mut self,
        command: &Command,
        dot: &Value,
        piped: Option<Value>,
    ) -> Result<Value, Error> {
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

    fn operand(&mut self, operand: &Operand, dot: &Value) -> Result<Value, Error> {
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
            Operand::Str(s) => Ok(Value::String(s.clone())),
            Operand::Number(n) => Ok(Value::Number(n.clone())),
            Operand::Bool(b) => Ok(Value::Bool(*b)),
            Operand::Nil => Err(Error::Exec("nil is not a command".into())),
            Operand::Sub(pipe, path) => {
                let value = self.pipeline(pipe, dot)?;
                self.fields(&value, path)
            }
        }
    }

    fn fields(&self, value: &Value, path: &[String]) -> Result<Value, Error> {
        let mut current = value.clone();
        for name in path {
            current = match current {
                Value::Object(mut map) => match map.remove(name) {
                    Some(v) => v,
                    None if self.missing == Missing::NoValue => Value::Null,
                    None => return Err(Error::Exec(format!("can't evaluate field {name}"))),
                },
                Value::Null if self.missing == Missing::NoValue => Value::Null,
                other => {
                    return Err(Error::Exec(format!(
                        "can't evaluate field {name} in type {}",
                        type_name(&other)
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

pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "slice",
        Value::Object(_) => "map",
    }
}

/// Go's notion of truth: false, 0, nil, and empty strings, slices and maps are false.
pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// `%v` of a value, as Go prints it.
pub fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("<no value>"),
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
                out.push_str(&go_float(f));
            } else {
                let _ = write!(out, "{n}");
            }
        }
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push_str("map[");
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(key);
                out.push(':');
                write_value(out, &map[key]);
            }
            out.push(']');
        }
    }
}

/// Go's `%v` for a float64: the shortest representation, exponent form for large or tiny values.
fn go_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e21).contains(&abs) {
        let s = format!("{f:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        return format!(
            "{mantissa}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        );
    }
    format!("{f}")
}

pub fn go_string(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}
