//! The functions a template can call: Docker's (`json split join title lower upper pad truncate`)
//! and Go's builtins that Docker users reach for.

use std::cmp::Ordering;

use serde_json::Value;

use super::{
    exec::{go_string, truthy, type_name},
    go_json, Error,
};

/// Largest padding `pad` will produce, so a template cannot allocate without bound.
const MAX_PAD: u64 = 4096;

pub fn call(name: &str, args: &[Value]) -> Result<Value, Error> {
    let arity = |n: usize| -> Result<(), Error> {
        if args.len() == n {
            Ok(())
        } else {
            Err(Error::Exec(format!(
                "wrong number of args for {name}: want {n} got {}",
                args.len()
            )))
        }
    };
    match name {
        "json" => {
            arity(1)?;
            Ok(Value::String(go_json(&args[0])))
        }
        "split" => {
            arity(2)?;
            let (s, sep) = (string(&args[0])?, string(&args[1])?);
            let parts: Vec<Value> = if sep.is_empty() {
                s.chars().map(|c| Value::String(c.to_string())).collect()
            } else {
                s.split(sep.as_str())
                    .map(|p| Value::String(p.to_owned()))
                    .collect()
            };
            Ok(Value::Array(parts))
        }
        "join" => {
            arity(2)?;
            let sep = string(&args[1])?;
            match &args[0] {
                Value::Array(items) => Ok(Value::String(
                    items.iter().map(go_string).collect::<Vec<_>>().join(&sep),
                )),
                Value::Null => Ok(Value::String(String::new())),
                other => Err(Error::Exec(format!(
                    "wrong type for value; expected []string; got {}",
                    type_name(other)
                ))),
            }
        }
        "title" => {
            arity(1)?;
            Ok(Value::String(title(&string(&args[0])?)))
        }
        "lower" => {
            arity(1)?;
            Ok(Value::String(string(&args[0])?.to_lowercase()))
        }
        "upper" => {
            arity(1)?;
            Ok(Value::String(string(&args[0])?.to_uppercase()))
        }
        "pad" => {
            arity(3)?;
            let (left, right) = (count(&args[1])?.min(MAX_PAD), count(&args[2])?.min(MAX_PAD));
            let s = go_string(&args[0]);
            Ok(Value::String(format!(
                "{}{s}{}",
                " ".repeat(to_usize(left)),
                " ".repeat(to_usize(right))
            )))
        }
        "truncate" => {
            arity(2)?;
            let s = go_string(&args[0]);
            let n = to_usize(count(&args[1])?);
            Ok(Value::String(s.chars().take(n).collect()))
        }
        "len" => {
            arity(1)?;
            let n = match &args[0] {
                Value::String(s) => s.len(),
                Value::Array(a) => a.len(),
                Value::Object(o) => o.len(),
                Value::Null => 0,
                other => return Err(Error::Exec(format!("len of type {}", type_name(other)))),
            };
            Ok(Value::from(n))
        }
        "index" => index(args),
        "print" => Ok(Value::String(sprint(args))),
        "println" => Ok(Value::String(format!(
            "{}\n",
            args.iter().map(go_string).collect::<Vec<_>>().join(" ")
        ))),
        "printf" => printf(args),
        "not" => {
            arity(1)?;
            Ok(Value::Bool(!truthy(&args[0])))
        }
        "and" => Ok(args
            .iter()
            .find(|a| !truthy(a))
            .or(args.last())
            .cloned()
            .unwrap_or(Value::Null)),
        "or" => Ok(args
            .iter()
            .find(|a| truthy(a))
            .or(args.last())
            .cloned()
            .unwrap_or(Value::Null)),
        "eq" => {
            let (first, rest) = args
                .split_first()
                .ok_or_else(|| Error::Exec("missing argument for comparison".into()))?;
            if rest.is_empty() {
                return Err(Error::Exec("missing argument for comparison".into()));
            }
            Ok(Value::Bool(rest.iter().any(|other| {
                compare(first, other) == Some(Ordering::Equal)
            })))
        }
        "ne" | "lt" | "le" | "gt" | "ge" => {
            arity(2)?;
            let ordering = compare(&args[0], &args[1])
                .ok_or_else(|| Error::Exec(format!("incompatible types for comparison: {name}")))?;
            Ok(Value::Bool(match name {
                "ne" => ordering != Ordering::Equal,
                "lt" => ordering == Ordering::Less,
                "le" => ordering != Ordering::Greater,
                "gt" => ordering == Ordering::Greater,
                _ => ordering != Ordering::Less,
            }))
        }
        _ => Err(Error::Exec(format!("function \"{name}\" not defined"))),
    }
}

fn string(value: &Value) -> Result<String, Error> {
    match value {
        Value::String(s) => Ok(s.clone()),
        other => Err(Error::Exec(format!(
            "wrong type for value; expected string; got {}",
            type_name(other)
        ))),
    }
}

fn count(value: &Value) -> Result<u64, Error> {
    value
        .as_u64()
        .or_else(|| value.as_i64().map(|_| 0))
        .ok_or_else(|| {
            Error::Exec(format!(
                "wrong type for value; expected int; got {}",
                type_name(value)
            ))
        })
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// `strings.Title`: upper-cases the first letter of every word.
fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut previous_is_letter = false;
    for c in s.chars() {
        if previous_is_letter {
            out.push(c);
        } else {
            out.extend(c.to_uppercase());
        }
        previous_is_letter = c.is_alphanumeric() || c == '_' || c == '\'';
    }
    out
}

fn index(args: &[Value]) -> Result<Value, Error> {
    let (collection, keys) = args
        .split_first()
        .ok_or_else(|| Error::Exec("wrong number of args for index".into()))?;
    let mut current = collection.clone();
    for key in keys {
        current = match (&current, key) {
            (Value::Array(items), Value::Number(n)) => {
                let i = n
                    .as_u64()
                    .and_then(|i| usize::try_from(i).ok())
                    .unwrap_or(usize::MAX);
                items
                    .get(i)
                    .cloned()
                    .ok_or_else(|| Error::Exec(format!("index out of range: {n}")))?
            }
            (Value::Object(map), Value::String(k)) => map.get(k).cloned().unwrap_or(Value::Null),
            (Value::Null, _) => Value::Null,
            (other, _) => {
                return Err(Error::Exec(format!(
                    "can't index item of type {}",
                    type_name(other)
                )))
            }
        };
    }
    Ok(current)
}

/// `fmt.Sprint`: a space between operands when neither is a string.
fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 && !args[i - 1].is_string() && !arg.is_string() {
            out.push(' ');
        }
        out.push_str(&go_string(arg));
    }
    out
}

fn printf(args: &[Value]) -> Result<Value, Error> {
    let (format, args) = args
        .split_first()
        .ok_or_else(|| Error::Exec("wrong number of args for printf".into()))?;
    let format = string(format)?;
    let mut args = args.iter();
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.next() else {
            out.push_str("%!");
            out.push(verb);
            out.push_str("(MISSING)");
            continue;
        };
        match verb {
            'q' => out.push_str(&serde_json::to_string(&go_string(arg)).unwrap_or_default()),
            _ => out.push_str(&go_string(arg)),
        }
    }
    Ok(Value::String(out))
}

fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) if x == y => Some(Ordering::Equal),
        (Value::Bool(_), Value::Bool(_)) => Some(Ordering::Less),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        _ => None,
    }
}
