//! Evaluation of a parsed template over Go values, with Go's execution errors
//! (`template: :1:2: executing "" at <.Foo>: …`) and bounds on the work a template may do.

use super::{
    funcs::{self, CallError},
    methods,
    parse::{
        describe, describe_command, describe_pipeline, describe_template, Arg, Branch, Command,
        Node, Operand, Pipeline, Tree,
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
        self.steps += 1;
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
                    super::fmt::display(&other)
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

    fn command(
        &mut self,
        command: &'t Command,
        dot: &GoValue,
        piped: Option<GoValue>,
    ) -> Result<GoValue, Error> {
        let Some((first, rest)) = command.args.split_first() else {
            return Err(self.error("empty command"));
        };
        self.at = Some(At::Arg(first));
        let has_args = !rest.is_empty() || piped.is_some();
        match &first.operand {
            Operand::Ident(name) => return self.call(first, name, rest, dot, piped),
            Operand::Field(path) if !path.is_empty() => {
                return self.field_chain(first, dot.clone(), path, rest, dot, piped.as_ref())
            }
            Operand::Variable(name, path) if !path.is_empty() => {
                let value = self.variable(name)?;
                return self.field_chain(first, value, path, rest, dot, piped.as_ref());
            }
            Operand::Sub(pipe, path) if !path.is_empty() => {
                let value = self.pipeline(pipe, dot)?;
                return self.field_chain(first, value, path, rest, dot, piped.as_ref());
            }
            _ => {}
        }
        if has_args {
            if first.operand == Operand::Nil {
                return Err(self.error("nil is not a command"));
            }
            return Err(self.error(format!(
                "can't give argument to non-function {}",
                describe(&first.operand)
            )));
        }
        if first.operand == Operand::Nil {
            return Err(self.error("nil is not a command"));
        }
        self.operand(first, dot)
    }

    fn variable(&self, name: &str) -> Result<GoValue, Error> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| self.error(format!("undefined variable: {name}")))
    }

    /// An argument's value (Go's `evalArg` for an `interface{}` parameter).
    fn operand(&mut self, arg: &'t Arg, dot: &GoValue) -> Result<GoValue, Error> {
        self.at = Some(At::Arg(arg));
        match &arg.operand {
            Operand::Field(path) if path.is_empty() => Ok(dot.clone()),
            Operand::Field(path) => self.field_chain(arg, dot.clone(), path, &[], dot, None),
            Operand::Variable(name, path) => {
                let value = self.variable(name)?;
                if path.is_empty() {
                    Ok(value)
                } else {
                    self.field_chain(arg, value, path, &[], dot, None)
                }
            }
            Operand::Ident(name) => self.call(arg, name, &[], dot, None),
            Operand::Str(value, _) => Ok(GoValue::String(value.clone())),
            Operand::Number(text) => number(text).map_err(|message| self.error(message)),
            Operand::Bool(b) => Ok(GoValue::Bool(*b)),
            Operand::Nil => Ok(GoValue::Nil),
            Operand::Sub(pipe, path) => {
                let value = self.pipeline(pipe, dot)?;
                if path.is_empty() {
                    Ok(value)
                } else {
                    self.field_chain(arg, value, path, &[], dot, None)
                }
            }
        }
    }

    /// `.A.B` on `value`; `args` (and the piped value) go to the last element, which must then be
    /// a method.
    fn field_chain(
        &mut self,
        node: &'t Arg,
        value: GoValue,
        path: &[String],
        args: &'t [Arg],
        dot: &GoValue,
        piped: Option<&GoValue>,
    ) -> Result<GoValue, Error> {
        let mut current = value;
        // Whether the value's static Go type is `interface {}` (an element of a JSON map).
        let mut interface = false;
        let last = path.len() - 1;
        // Go reports a chain on a parenthesized pipeline at the last node inside it.
        let mark = !matches!(node.operand, Operand::Sub(..));
        for (i, name) in path.iter().enumerate() {
            if mark {
                self.at = Some(At::Arg(node));
            }
            let mut values = Vec::new();
            let mut given: &'t [Arg] = &[];
            if i == last {
                given = args;
                for arg in args {
                    values.push(self.operand(arg, dot)?);
                }
                if mark {
                    self.at = Some(At::Arg(node));
                }
                values.extend(piped.cloned());
            }
            let has_args = !values.is_empty();
            let from_interface_map =
                matches!(&current, GoValue::Map(map) if map.zero == GoValue::Nil);
            match self.field(node, current, name, (given, &values), has_args, interface)? {
                Some(next) => current = next,
                None => return Ok(GoValue::Nil),
            }
            interface = from_interface_map;
        }
        Ok(current)
    }

    /// One `.Name` on a value: a struct field, a map key, or a method (of a `time.Time`, a
    /// `time.Duration`).
    fn field(
        &mut self,
        node: &'t Arg,
        value: GoValue,
        name: &str,
        (args, values): (&'t [Arg], &[GoValue]),
        has_args: bool,
        interface: bool,
    ) -> Result<Option<GoValue>, Error> {
        if let Some(result) = methods::call(&value, name, values) {
            let value = self.finish_call(result, name, At::Arg(node), node, args, values)?;
            return Ok(Some(value));
        }
        let static_type = |value: &GoValue| {
            if interface {
                "interface {}".to_owned()
            } else {
                super::fmt::type_name(value)
            }
        };
        match value {
            GoValue::Struct(mut s) => match s.fields.iter().position(|f| f.name == name) {
                Some(_) if has_args => Err(self.error(format!(
                    "{name} has arguments but cannot be invoked as function"
                ))),
                Some(i) => Ok(Some(s.fields.swap_remove(i).value)),
                // A row whose Go type the caller did not name (`render_rows`).
                None if s.type_name.is_empty() => {
                    Err(self.error(format!("can't evaluate field {name}")))
                }
                None => Err(self.error(format!(
                    "can't evaluate field {name} in type {}",
                    static_type(&GoValue::Struct(s))
                ))),
            },
            GoValue::Map(mut map) => {
                if has_args {
                    return Err(self.error(format!("{name} is not a method but has arguments")));
                }
                match map
                    .entries
                    .as_mut()
                    .and_then(|entries| entries.remove(name))
                {
                    Some(v) => Ok(Some(v)),
                    // A missing key ends the chain: what follows it is no value too.
                    None if self.missing == Missing::NoValue => Ok(None),
                    None => Err(self.error(format!("map has no entry for key {name:?}"))),
                }
            }
            GoValue::Nil => {
                Err(self.error(format!("nil pointer evaluating interface {{}}.{name}")))
            }
            GoValue::NilPointer => Err(self.error(format!(
                "nil pointer evaluating {}.{name}",
                static_type(&GoValue::NilPointer)
            ))),
            other => Err(self.error(format!(
                "can't evaluate field {name} in type {}",
                static_type(&other)
            ))),
        }
    }

    /// A function call: arguments evaluated (`and` and `or` stop at the first that decides),
    /// then the call.
    fn call(
        &mut self,
        ident: &'t Arg,
        name: &str,
        args: &'t [Arg],
        dot: &GoValue,
        piped: Option<GoValue>,
    ) -> Result<GoValue, Error> {
        self.at = Some(At::Arg(ident));
        if name == "and" || name == "or" {
            if args.is_empty() && piped.is_none() {
                return Err(self.error(format!(
                    "wrong number of args for {name}: want at least 1 got 0"
                )));
            }
            let mut last = GoValue::Nil;
            for arg in args {
                last = self.operand(arg, dot)?;
                if last.truthy() == (name == "or") {
                    return Ok(last);
                }
            }
            return Ok(piped.unwrap_or(last));
        }
        let mut values = Vec::with_capacity(args.len() + 1);
        for arg in args {
            values.push(self.operand(arg, dot)?);
        }
        values.extend(piped);
        let result = funcs::call(name, &values);
        self.finish_call(result, name, At::Call(ident, args), ident, args, &values)
    }

    /// The outcome of a function or method call, with Go's error at Go's node: a wrong number of
    /// arguments at the name, a wrong argument at that argument, the function's own error at the
    /// call (`call_at`).
    fn finish_call(
        &mut self,
        result: Result<GoValue, CallError>,
        name: &str,
        call_at: At<'t>,
        ident: &'t Arg,
        args: &'t [Arg],
        values: &[GoValue],
    ) -> Result<GoValue, Error> {
        match result {
            Ok(value) => {
                self.at = Some(call_at);
                self.built(&value)?;
                Ok(value)
            }
            Err(CallError::Arity(message)) => {
                self.at = Some(At::Arg(ident));
                Err(self.error(message))
            }
            Err(CallError::Failed(message)) => {
                self.at = Some(call_at);
                Err(self.error(format!("error calling {name}: {message}")))
            }
            Err(CallError::Arg { index, expected }) => {
                // A literal is refused as written; a computed value by its type.
                match args.get(index) {
                    Some(arg) if is_literal(&arg.operand) => {
                        self.at = Some(At::Arg(arg));
                        Err(self.error(format!(
                            "expected {expected}; found {}",
                            describe(&arg.operand)
                        )))
                    }
                    found => {
                        self.at = Some(At::Arg(found.or(args.last()).unwrap_or(ident)));
                        Err(self.error(format!(
                            "wrong type for value; expected {}; got {}",
                            go_type_of_expected(expected),
                            super::fmt::type_name(&values[index])
                        )))
                    }
                }
            }
        }
    }
}

fn is_literal(operand: &Operand) -> bool {
    matches!(
        operand,
        Operand::Str(..) | Operand::Number(_) | Operand::Bool(_) | Operand::Nil
    )
}

/// `expected integer` is said `expected int` once the value is computed.
fn go_type_of_expected(expected: &str) -> &str {
    match expected {
        "integer" => "int",
        other => other,
    }
}

/// A number constant as Go's template evaluates it for an `interface{}` argument: an `int`, or a
/// `float64` when written with a point or an exponent; `'a'` is the int 97.
pub fn number(text: &str) -> Result<GoValue, String> {
    let bad = || format!("bad number syntax: {text:?}");
    if let Some(inner) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        let mut chars = inner.chars();
        let c = match (chars.next(), chars.next()) {
            (Some('\\'), Some(e)) => match e {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '0' => '\0',
                other => other,
            },
            (Some(c), None) => c,
            _ => return Err(bad()),
        };
        return Ok(GoValue::int(i64::from(u32::from(c))));
    }
    let clean = text.replace('_', "");
    let (negative, digits) = match clean.as_bytes().first() {
        Some(b'-') => (true, &clean[1..]),
        Some(b'+') => (false, &clean[1..]),
        _ => (false, clean.as_str()),
    };
    let lower = digits.to_ascii_lowercase();
    let radix_int = if let Some(hex) = lower.strip_prefix("0x") {
        if hex.contains('p') || hex.contains('.') {
            None
        } else {
            Some(u64::from_str_radix(hex, 16))
        }
    } else if let Some(bin) = lower.strip_prefix("0b") {
        Some(u64::from_str_radix(bin, 2))
    } else if let Some(oct) = lower.strip_prefix("0o") {
        Some(u64::from_str_radix(oct, 8))
    } else if lower.len() > 1 && lower.starts_with('0') && lower.bytes().all(|b| b.is_ascii_digit())
    {
        Some(u64::from_str_radix(&lower[1..], 8))
    } else if lower.bytes().all(|b| b.is_ascii_digit()) && !lower.is_empty() {
        Some(lower.parse::<u64>())
    } else {
        None
    };
    match radix_int {
        Some(Ok(u)) => {
            let n = if negative {
                0i64.checked_sub_unsigned(u)
            } else {
                i64::try_from(u).ok()
            };
            n.map(GoValue::int)
                .ok_or_else(|| format!("{text} overflows int"))
        }
        Some(Err(_)) => Err(bad()),
        None => {
            let f: f64 = clean.parse().map_err(|_| bad())?;
            serde_json::Number::from_f64(f)
                .map(GoValue::Number)
                .ok_or_else(bad)
        }
    }
}
