//! Evaluating pipelines: commands, operands, field chains and method calls, function calls, and
//! number constants, with Go's errors at Go's nodes.

use super::{At, Exec};
use crate::template::{
    fmt::type_name,
    funcs::{self, CallError},
    methods,
    parse::{describe, Arg, Command, Operand},
    value::GoValue,
    Error, Missing,
};

impl<'t> Exec<'t> {
    pub(super) fn command(
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

    /// A variable's value. The copy is charged against the step limit by its size, so that a
    /// loop over a big list that reads the list again each time stops at the limit instead of
    /// copying millions of items per step.
    fn variable(&mut self, name: &str) -> Result<GoValue, Error> {
        let value = self
            .vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| self.error(format!("undefined variable: {name}")))?;
        self.charge(copy_weight(&value))?;
        Ok(value)
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
                type_name(value)
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
                            type_name(&values[index])
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

/// What copying `value` costs in steps: one per item of a list or map, one per 64 bytes of a string
/// (the top level only).
fn copy_weight(value: &GoValue) -> u64 {
    let items = match value {
        GoValue::Slice(Some(items)) => items.len(),
        GoValue::Map(map) => map
            .entries
            .as_ref()
            .map_or(0, std::collections::BTreeMap::len),
        GoValue::String(s) => s.len() / 64,
        _ => 0,
    };
    u64::try_from(items).unwrap_or(u64::MAX)
}
