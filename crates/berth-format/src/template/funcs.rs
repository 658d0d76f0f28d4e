//! The functions a template can call: Docker's (`json split join title lower upper pad truncate`)
//! and Go's builtins that Docker users reach for.

use std::{cmp::Ordering, collections::BTreeMap};

use super::{exec::go_string, value::GoValue, Error};

/// Largest padding `pad` will produce, so a template cannot allocate without bound.
const MAX_PAD: u64 = 4096;

pub fn call(name: &str, args: &[GoValue]) -> Result<GoValue, Error> {
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
        // docker/cli `templates.basicFunctions["json"]`: a `json.Encoder` with
        // `SetEscapeHTML(false)`, the trailing newline trimmed.
        "json" => {
            arity(1)?;
            Ok(GoValue::String(args[0].to_json()))
        }
        "split" => {
            arity(2)?;
            let (s, sep) = (string(&args[0])?, string(&args[1])?);
            let parts: Vec<GoValue> = if sep.is_empty() {
                s.chars().map(|c| GoValue::String(c.to_string())).collect()
            } else {
                s.split(sep.as_str())
                    .map(|p| GoValue::String(p.to_owned()))
                    .collect()
            };
            Ok(GoValue::Slice(Some(parts)))
        }
        "join" => {
            arity(2)?;
            let sep = string(&args[1])?;
            match &args[0] {
                GoValue::Slice(items) => Ok(GoValue::String(
                    items
                        .iter()
                        .flatten()
                        .map(go_string)
                        .collect::<Vec<_>>()
                        .join(&sep),
                )),
                GoValue::Nil => Ok(GoValue::String(String::new())),
                other => Err(Error::Exec(format!(
                    "wrong type for value; expected []string; got {}",
                    other.type_name()
                ))),
            }
        }
        "title" => {
            arity(1)?;
            Ok(GoValue::String(title(&string(&args[0])?)))
        }
        "lower" => {
            arity(1)?;
            Ok(GoValue::String(string(&args[0])?.to_lowercase()))
        }
        "upper" => {
            arity(1)?;
            Ok(GoValue::String(string(&args[0])?.to_uppercase()))
        }
        // docker/cli `padWithSpace`: an empty string stays empty.
        "pad" => {
            arity(3)?;
            let (left, right) = (count(&args[1])?.min(MAX_PAD), count(&args[2])?.min(MAX_PAD));
            let s = go_string(&args[0]);
            if s.is_empty() {
                return Ok(GoValue::String(s));
            }
            Ok(GoValue::String(format!(
                "{}{s}{}",
                " ".repeat(to_usize(left)),
                " ".repeat(to_usize(right))
            )))
        }
        "truncate" => {
            arity(2)?;
            let s = go_string(&args[0]);
            let n = to_usize(count(&args[1])?);
            Ok(GoValue::String(s.chars().take(n).collect()))
        }
        "len" => {
            arity(1)?;
            let n = match &args[0] {
                GoValue::String(s) => s.len(),
                GoValue::Slice(items) => items.as_ref().map_or(0, Vec::len),
                GoValue::Map(map) => map.entries.as_ref().map_or(0, BTreeMap::len),
                GoValue::Nil => 0,
                other => return Err(Error::Exec(format!("len of type {}", other.type_name()))),
            };
            Ok(GoValue::uint(n as u64))
        }
        "index" => index(args),
        "print" => Ok(GoValue::String(sprint(args))),
        "println" => Ok(GoValue::String(format!(
            "{}\n",
            args.iter().map(go_string).collect::<Vec<_>>().join(" ")
        ))),
        "printf" => printf(args),
        "not" => {
            arity(1)?;
            Ok(GoValue::Bool(!args[0].truthy()))
        }
        "and" => Ok(args
            .iter()
            .find(|a| !a.truthy())
            .or(args.last())
            .cloned()
            .unwrap_or(GoValue::Nil)),
        "or" => Ok(args
            .iter()
            .find(|a| a.truthy())
            .or(args.last())
            .cloned()
            .unwrap_or(GoValue::Nil)),
        "eq" => {
            let (first, rest) = args
                .split_first()
                .ok_or_else(|| Error::Exec("missing argument for comparison".into()))?;
            if rest.is_empty() {
                return Err(Error::Exec("missing argument for comparison".into()));
            }
            Ok(GoValue::Bool(rest.iter().any(|other| {
                compare(first, other) == Some(Ordering::Equal)
            })))
        }
        "ne" | "lt" | "le" | "gt" | "ge" => {
            arity(2)?;
            let ordering = compare(&args[0], &args[1])
                .ok_or_else(|| Error::Exec(format!("incompatible types for comparison: {name}")))?;
            Ok(GoValue::Bool(match name {
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

fn string(value: &GoValue) -> Result<String, Error> {
    match value {
        GoValue::String(s) => Ok(s.clone()),
        other => Err(Error::Exec(format!(
            "wrong type for value; expected string; got {}",
            other.type_name()
        ))),
    }
}

fn count(value: &GoValue) -> Result<u64, Error> {
    let number = match value {
        GoValue::Number(n) => Some(n),
        _ => None,
    };
    number
        .and_then(|n| n.as_u64().or_else(|| n.as_i64().map(|_| 0)))
        .ok_or_else(|| {
            Error::Exec(format!(
                "wrong type for value; expected int; got {}",
                value.type_name()
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

fn index(args: &[GoValue]) -> Result<GoValue, Error> {
    let (collection, keys) = args
        .split_first()
        .ok_or_else(|| Error::Exec("wrong number of args for index".into()))?;
    let mut current = collection.clone();
    for key in keys {
        current = match (&current, key) {
            (GoValue::Slice(items), GoValue::Number(n)) => {
                let i = n
                    .as_u64()
                    .and_then(|i| usize::try_from(i).ok())
                    .unwrap_or(usize::MAX);
                items
                    .iter()
                    .flatten()
                    .nth(i)
                    .cloned()
                    .ok_or_else(|| Error::Exec(format!("index out of range: {n}")))?
            }
            // A missing key gives the element type's zero value (`""` for map[string]string).
            (GoValue::Map(map), GoValue::String(k)) => map
                .entries
                .as_ref()
                .and_then(|entries| entries.get(k))
                .unwrap_or(&map.zero)
                .clone(),
            (GoValue::Nil, _) => GoValue::Nil,
            (other, _) => {
                return Err(Error::Exec(format!(
                    "can't index item of type {}",
                    other.type_name()
                )))
            }
        };
    }
    Ok(current)
}

/// `fmt.Sprint`: a space between operands when neither is a string.
fn sprint(args: &[GoValue]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        let is_string = |v: &GoValue| matches!(v, GoValue::String(_));
        if i > 0 && !is_string(&args[i - 1]) && !is_string(arg) {
            out.push(' ');
        }
        out.push_str(&go_string(arg));
    }
    out
}

fn printf(args: &[GoValue]) -> Result<GoValue, Error> {
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
            'q' => out.push_str(&GoValue::String(go_string(arg)).to_json()),
            _ => out.push_str(&go_string(arg)),
        }
    }
    Ok(GoValue::String(out))
}

fn compare(a: &GoValue, b: &GoValue) -> Option<Ordering> {
    match (a, b) {
        (GoValue::Number(x), GoValue::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (GoValue::String(x), GoValue::String(y)) => Some(x.cmp(y)),
        (GoValue::Bool(x), GoValue::Bool(y)) if x == y => Some(Ordering::Equal),
        (GoValue::Bool(_), GoValue::Bool(_)) => Some(Ordering::Less),
        (GoValue::Duration(x), GoValue::Duration(y)) => Some(x.cmp(y)),
        (GoValue::Nil, GoValue::Nil) => Some(Ordering::Equal),
        _ => None,
    }
}
