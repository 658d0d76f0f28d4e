//! The functions a template can call: Docker's (`json split join title lower upper pad truncate`,
//! docker/cli `templates.basicFunctions`) and Go's builtins that Docker users reach for.

use std::{cmp::Ordering, collections::BTreeMap};

use super::{builtins, fmt, value::GoValue};

/// Why a call failed; the executor words it as Go does, at the right node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// `wrong number of args for upper: want 1 got 2`, at the function's name.
    Arity(String),
    /// Argument `index` is not of the type the function takes (`string`, `integer`, `[]string`).
    Arg {
        index: usize,
        expected: &'static str,
    },
    /// The function returned an error: `error calling index: index out of range: 9`.
    Failed(String),
}

/// What a string made by `split` counts against [`super::MAX_BUILT`] besides its bytes: the value
/// that holds it.
pub const SPLIT_PART_COST: usize = 32;

/// Every function a template may name (Go checks names when it parses).
const FUNCTIONS: &[&str] = &[
    "json", "split", "join", "title", "lower", "upper", "pad", "truncate", "and", "or", "not",
    "len", "index", "print", "printf", "println", "eq", "ne", "lt", "le", "gt", "ge", "html", "js",
    "urlquery", "slice", "call",
];

pub fn exists(name: &str) -> bool {
    FUNCTIONS.contains(&name)
}

pub fn call(name: &str, args: &[GoValue]) -> Result<GoValue, CallError> {
    let arity = |n: usize| -> Result<(), CallError> {
        if args.len() == n {
            Ok(())
        } else {
            Err(CallError::Arity(format!(
                "wrong number of args for {name}: want {n} got {}",
                args.len()
            )))
        }
    };
    let string = |index: usize| -> Result<&str, CallError> {
        match &args[index] {
            GoValue::String(s) => Ok(s),
            _ => Err(CallError::Arg {
                index,
                expected: "string",
            }),
        }
    };
    let int = |index: usize| -> Result<i64, CallError> {
        match &args[index] {
            GoValue::Number(n) if !n.is_f64() => n.as_i64().ok_or(CallError::Arg {
                index,
                expected: "integer",
            }),
            _ => Err(CallError::Arg {
                index,
                expected: "integer",
            }),
        }
    };
    let text = |s: String| Ok(GoValue::String(s));
    match name {
        // A `json.Encoder` with `SetEscapeHTML(false)`, the trailing newline trimmed.
        "json" => {
            arity(1)?;
            text(args[0].to_json())
        }
        "split" => {
            arity(2)?;
            let (s, sep) = (string(0)?, string(1)?);
            let count = if sep.is_empty() {
                s.chars().count()
            } else {
                s.matches(sep).count() + 1
            };
            // Each part costs a value besides its bytes: refuse before building a huge list.
            if count.saturating_mul(SPLIT_PART_COST) > super::MAX_BUILT {
                return Err(CallError::Failed(format!(
                    "split would make {count} strings, more than berth allows"
                )));
            }
            let parts: Vec<GoValue> = if sep.is_empty() {
                s.chars().map(|c| GoValue::String(c.to_string())).collect()
            } else {
                s.split(sep)
                    .map(|p| GoValue::String(p.to_owned()))
                    .collect()
            };
            Ok(GoValue::Slice(Some(parts)))
        }
        "join" => {
            arity(2)?;
            let sep = string(1)?;
            match &args[0] {
                GoValue::Slice(items) => {
                    let mut parts = Vec::new();
                    for item in items.iter().flatten() {
                        match item {
                            GoValue::String(s) => parts.push(s.as_str()),
                            _ => {
                                return Err(CallError::Arg {
                                    index: 0,
                                    expected: "[]string",
                                })
                            }
                        }
                    }
                    // Refused before it is built: a long separator times many parts would be
                    // one allocation far beyond the limit that counts it afterwards.
                    let total =
                        parts.iter().map(|p| p.len()).sum::<usize>().saturating_add(
                            sep.len().saturating_mul(parts.len().saturating_sub(1)),
                        );
                    if total > super::MAX_BUILT {
                        return Err(CallError::Failed(format!(
                            "the joined string would exceed {} bytes (berth's limit)",
                            super::MAX_BUILT
                        )));
                    }
                    text(parts.join(sep))
                }
                GoValue::Nil => text(String::new()),
                _ => Err(CallError::Arg {
                    index: 0,
                    expected: "[]string",
                }),
            }
        }
        "title" => {
            arity(1)?;
            text(title(string(0)?))
        }
        "lower" => {
            arity(1)?;
            text(string(0)?.to_lowercase())
        }
        "upper" => {
            arity(1)?;
            text(string(0)?.to_uppercase())
        }
        // docker/cli `padWithSpace`: an empty string stays empty.
        "pad" => {
            arity(3)?;
            let (s, left, right) = (string(0)?, int(1)?, int(2)?);
            if s.is_empty() {
                return text(String::new());
            }
            let (Ok(left), Ok(right)) = (usize::try_from(left), usize::try_from(right)) else {
                return Err(CallError::Failed("strings: negative Repeat count".into()));
            };
            let total = left.saturating_add(right).saturating_add(s.len());
            if total > super::MAX_BUILT {
                return Err(CallError::Failed(
                    "strings: Repeat output length overflow".into(),
                ));
            }
            text(format!("{}{s}{}", " ".repeat(left), " ".repeat(right)))
        }
        // docker/cli `truncateWithLength`.
        "truncate" => {
            arity(2)?;
            let (s, n) = (string(0)?, int(1)?);
            let n = usize::try_from(n).map_err(|_| {
                CallError::Failed(format!("runtime error: slice bounds out of range [:{n}]"))
            })?;
            text(s.chars().take(n).collect())
        }
        "len" => {
            arity(1)?;
            let n = match &args[0] {
                GoValue::String(s) => s.len(),
                GoValue::JsonNumber(n) => n.to_string().len(),
                GoValue::Slice(items) => items.as_ref().map_or(0, Vec::len),
                GoValue::Map(map) => map.entries.as_ref().map_or(0, BTreeMap::len),
                GoValue::NilPointer => return Err(CallError::Failed("len of nil pointer".into())),
                other => {
                    return Err(CallError::Failed(format!(
                        "len of type {}",
                        fmt::type_name(other)
                    )))
                }
            };
            Ok(GoValue::int(i64::try_from(n).unwrap_or(i64::MAX)))
        }
        "index" => index(args),
        "slice" => builtins::slice(args),
        "call" => builtins::call(args),
        "html" => text(builtins::html(args)),
        "js" => text(builtins::js(args)),
        "urlquery" => text(builtins::urlquery(args)),
        "print" => text(fmt::sprint(args)),
        "println" => text(fmt::sprintln(args)),
        "printf" => {
            if args.is_empty() {
                return Err(CallError::Arity(
                    "wrong number of args for printf: want at least 1 got 0".into(),
                ));
            }
            let format = string(0)?;
            text(fmt::sprintf(format, &args[1..]))
        }
        "not" => {
            arity(1)?;
            Ok(GoValue::Bool(!args[0].truthy()))
        }
        "eq" => {
            let Some((first, rest)) = args.split_first().filter(|(_, rest)| !rest.is_empty())
            else {
                if args.is_empty() {
                    return Err(CallError::Arity(
                        "wrong number of args for eq: want at least 1 got 0".into(),
                    ));
                }
                return Err(CallError::Failed("missing argument for comparison".into()));
            };
            for other in rest {
                if equal(first, other)? {
                    return Ok(GoValue::Bool(true));
                }
            }
            Ok(GoValue::Bool(false))
        }
        "ne" => {
            arity(2)?;
            Ok(GoValue::Bool(!equal(&args[0], &args[1])?))
        }
        "lt" | "le" | "gt" | "ge" => {
            arity(2)?;
            let ordering = order(&args[0], &args[1])?;
            Ok(GoValue::Bool(match name {
                "lt" => ordering == Ordering::Less,
                "le" => ordering != Ordering::Greater,
                "gt" => ordering == Ordering::Greater,
                _ => ordering != Ordering::Less,
            }))
        }
        _ => Err(CallError::Failed(format!("function {name:?} not defined"))),
    }
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

/// Go's `index`: slices and strings by number, maps by key (a missing key gives the element
/// type's zero value: `""` for a `map[string]string`).
fn index(args: &[GoValue]) -> Result<GoValue, CallError> {
    let Some((collection, keys)) = args.split_first() else {
        return Err(CallError::Arity(
            "wrong number of args for index: want at least 1 got 0".into(),
        ));
    };
    if matches!(collection, GoValue::Nil) {
        return Err(CallError::Failed("index of untyped nil".into()));
    }
    let mut current = collection.clone();
    for key in keys {
        current = match &current {
            GoValue::NilPointer => return Err(CallError::Failed("index of nil pointer".into())),
            GoValue::Slice(_) | GoValue::String(_) => {
                let len = match &current {
                    GoValue::Slice(items) => items.as_ref().map_or(0, Vec::len),
                    GoValue::String(s) => s.len(),
                    _ => 0,
                };
                let i = match key {
                    GoValue::Number(n) if !n.is_f64() => n.as_i64().unwrap_or(i64::MAX),
                    GoValue::Named(n) => n.value,
                    GoValue::Nil => {
                        return Err(CallError::Failed(
                            "cannot index slice/array with nil".into(),
                        ))
                    }
                    other => {
                        return Err(CallError::Failed(format!(
                            "cannot index slice/array with type {}",
                            fmt::type_name(other)
                        )))
                    }
                };
                let position = usize::try_from(i).ok().filter(|i| *i < len);
                match (position, &current) {
                    (Some(i), GoValue::Slice(Some(items))) => items[i].clone(),
                    (Some(i), GoValue::String(s)) => GoValue::int(i64::from(s.as_bytes()[i])),
                    // Go checks the index against the length and then lets `reflect` fail.
                    _ if usize::try_from(i).is_ok_and(|i| i == len) => {
                        return Err(CallError::Failed(format!(
                            "reflect: {} index out of range",
                            if matches!(current, GoValue::String(_)) {
                                "string"
                            } else {
                                "slice"
                            }
                        )))
                    }
                    _ => return Err(CallError::Failed(format!("index out of range: {i}"))),
                }
            }
            GoValue::Map(map) => match key {
                GoValue::String(k) => map
                    .entries
                    .as_ref()
                    .and_then(|entries| entries.get(k))
                    .unwrap_or(&map.zero)
                    .clone(),
                other => {
                    return Err(CallError::Failed(format!(
                        "value has type {}; should be string",
                        fmt::type_name(other)
                    )))
                }
            },
            other => {
                return Err(CallError::Failed(format!(
                    "can't index item of type {}",
                    fmt::type_name(other)
                )))
            }
        };
    }
    Ok(current)
}

/// Go's `basicKind` of a value, for comparisons.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Kind {
    Bool,
    Int(i64),
    Uint(u64),
    Float,
    String,
    Other,
}

fn kind(v: &GoValue) -> Kind {
    match v {
        GoValue::Bool(_) => Kind::Bool,
        GoValue::Number(n) if n.is_f64() => Kind::Float,
        GoValue::Number(n) => n
            .as_i64()
            .map_or_else(|| Kind::Uint(n.as_u64().unwrap_or(0)), Kind::Int),
        GoValue::Duration(n) => Kind::Int(*n),
        GoValue::Named(n) => Kind::Int(n.value),
        GoValue::String(_) | GoValue::JsonNumber(_) => Kind::String,
        _ => Kind::Other,
    }
}

fn same_kind(a: Kind, b: Kind) -> bool {
    matches!(
        (a, b),
        (Kind::Bool, Kind::Bool)
            | (Kind::Int(_), Kind::Int(_))
            | (Kind::Uint(_), Kind::Uint(_))
            | (Kind::Float, Kind::Float)
            | (Kind::String, Kind::String)
            | (Kind::Other, Kind::Other)
    )
}

/// The text of a value of string kind (a string, a `json.Number`).
fn text(v: &GoValue) -> String {
    match v {
        GoValue::String(s) => s.clone(),
        GoValue::JsonNumber(n) => n.to_string(),
        _ => String::new(),
    }
}

const INCOMPATIBLE: &str = "incompatible types for comparison";

/// Go's `eq` of two values.
fn equal(a: &GoValue, b: &GoValue) -> Result<bool, CallError> {
    let (ka, kb) = (kind(a), kind(b));
    if !same_kind(ka, kb) {
        return match (ka, kb) {
            (Kind::Int(x), Kind::Uint(y)) | (Kind::Uint(y), Kind::Int(x)) => {
                Ok(u64::try_from(x).is_ok_and(|x| x == y))
            }
            _ if matches!(a, GoValue::Nil) || matches!(b, GoValue::Nil) => Ok(false),
            _ => Err(CallError::Failed(INCOMPATIBLE.into())),
        };
    }
    Ok(match (a, b) {
        (GoValue::Number(x), GoValue::Number(y)) if ka == Kind::Float => x.as_f64() == y.as_f64(),
        _ if matches!(ka, Kind::Int(_) | Kind::Uint(_)) => ka == kb,
        (GoValue::Bool(x), GoValue::Bool(y)) => x == y,
        _ if ka == Kind::String => text(a) == text(b),
        (GoValue::Nil | GoValue::NilPointer, GoValue::Nil | GoValue::NilPointer) => true,
        (GoValue::Time(x), GoValue::Time(y)) => x == y,
        (GoValue::Slice(_) | GoValue::Map(_), _) | (_, GoValue::Slice(_) | GoValue::Map(_)) => {
            return Err(CallError::Failed(format!(
                "non-comparable type {}: {}",
                fmt::display(b),
                fmt::type_name(b)
            )))
        }
        _ => a == b,
    })
}

/// Go's `lt` of two values, as an ordering.
fn order(a: &GoValue, b: &GoValue) -> Result<Ordering, CallError> {
    let (ka, kb) = (kind(a), kind(b));
    let ordering = match (ka, kb) {
        (Kind::Int(x), Kind::Int(y)) => Some(x.cmp(&y)),
        (Kind::Uint(x), Kind::Uint(y)) => Some(x.cmp(&y)),
        (Kind::Int(x), Kind::Uint(y)) => {
            Some(u64::try_from(x).map_or(Ordering::Less, |x| x.cmp(&y)))
        }
        (Kind::Uint(x), Kind::Int(y)) => {
            Some(u64::try_from(y).map_or(Ordering::Greater, |y| x.cmp(&y)))
        }
        (Kind::Float, Kind::Float) => match (a, b) {
            (GoValue::Number(x), GoValue::Number(y)) => x
                .as_f64()
                .zip(y.as_f64())
                .and_then(|(x, y)| x.partial_cmp(&y)),
            _ => None,
        },
        (Kind::String, Kind::String) => Some(text(a).cmp(&text(b))),
        (Kind::Bool, Kind::Bool) | (Kind::Other, Kind::Other) => {
            return Err(CallError::Failed("invalid type for comparison".into()))
        }
        _ => return Err(CallError::Failed(INCOMPATIBLE.into())),
    };
    // NaN: every comparison is false, as `lt` and `gt` both say false.
    Ok(ordering.unwrap_or(Ordering::Equal))
}
