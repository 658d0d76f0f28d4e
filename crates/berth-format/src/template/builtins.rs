//! Go's remaining builtins: `html`, `js` and `urlquery` (escaping, over `fmt.Sprint` of their
//! arguments), `slice`, and `call` (which has nothing to call in Docker's data).

use std::fmt::Write as _;

use super::{
    fmt::{self, is_print},
    funcs::CallError,
    value::GoValue,
};

/// Go's `evalArgs`: a lone string as it is, anything else as `fmt.Sprint` prints it (nil as
/// `<no value>`).
fn text_of(args: &[GoValue]) -> String {
    match args {
        [GoValue::String(s)] => s.clone(),
        _ => {
            let args: Vec<GoValue> = args
                .iter()
                .map(|arg| match arg {
                    GoValue::Nil => GoValue::string("<no value>"),
                    other => other.clone(),
                })
                .collect();
            fmt::sprint(&args)
        }
    }
}

/// `html`: Go's `HTMLEscapeString`.
pub fn html(args: &[GoValue]) -> String {
    let mut out = String::new();
    for c in text_of(args).chars() {
        match c {
            '\0' => out.push('\u{fffd}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// `js`: Go's `JSEscapeString`.
pub fn js(args: &[GoValue]) -> String {
    let mut out = String::new();
    for c in text_of(args).chars() {
        let _ = match c {
            '\\' => write!(out, "\\\\"),
            '\'' => write!(out, "\\'"),
            '"' => write!(out, "\\\""),
            '<' => write!(out, "\\u003C"),
            '>' => write!(out, "\\u003E"),
            '&' => write!(out, "\\u0026"),
            '=' => write!(out, "\\u003D"),
            c if (c as u32) < 0x20 => write!(out, "\\u00{:02X}", c as u32),
            c if c.is_ascii() || is_print(c) => write!(out, "{c}"),
            c => write!(out, "\\u{:04X}", c as u32),
        };
    }
    out
}

/// `urlquery`: Go's `url.QueryEscape`.
pub fn urlquery(args: &[GoValue]) -> String {
    let mut out = String::new();
    for b in text_of(args).bytes() {
        let _ = match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                write!(out, "{}", char::from(b))
            }
            b' ' => write!(out, "+"),
            b => write!(out, "%{b:02X}"),
        };
    }
    out
}

/// `call`: Docker's data holds no functions, so whatever is called is not one.
pub fn call(args: &[GoValue]) -> Result<GoValue, CallError> {
    match args.first() {
        None => Err(CallError::Arity(
            "wrong number of args for call: want at least 1 got 0".into(),
        )),
        Some(GoValue::Nil) => Err(CallError::Failed("call of nil".into())),
        Some(other) => Err(CallError::Failed(format!(
            "non-function of type {}",
            fmt::type_name(other)
        ))),
    }
}

/// `slice x 1 2`: Go's `x[1:2]` of a string or a slice.
pub fn slice(args: &[GoValue]) -> Result<GoValue, CallError> {
    let Some((item, indexes)) = args.split_first() else {
        return Err(CallError::Arity(
            "wrong number of args for slice: want at least 1 got 0".into(),
        ));
    };
    if indexes.len() > 3 {
        return Err(CallError::Failed(format!(
            "too many slice indexes: {}",
            indexes.len()
        )));
    }
    let len = match item {
        GoValue::Nil => return Err(CallError::Failed("slice of untyped nil".into())),
        GoValue::String(_) if indexes.len() == 3 => {
            return Err(CallError::Failed("cannot 3-index slice a string".into()))
        }
        GoValue::String(s) => s.len(),
        GoValue::Slice(items) => items.as_ref().map_or(0, Vec::len),
        other => {
            return Err(CallError::Failed(format!(
                "can't slice item of type {}",
                fmt::type_name(other)
            )))
        }
    };
    let mut bounds = [0, len, len];
    for (i, index) in indexes.iter().enumerate() {
        bounds[i] = match index {
            GoValue::Number(_) | GoValue::Named(_) if !matches!(index, GoValue::Number(n) if n.is_f64()) =>
            {
                let x = match index {
                    GoValue::Named(n) => n.value,
                    GoValue::Number(n) => n.as_i64().unwrap_or(i64::MAX),
                    _ => 0,
                };
                usize::try_from(x)
                    .ok()
                    .filter(|x| *x <= len)
                    .ok_or_else(|| CallError::Failed(format!("index out of range: {x}")))?
            }
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
    }
    let [low, high, max] = bounds;
    if low > high {
        return Err(CallError::Failed(format!(
            "invalid slice index: {low} > {high}"
        )));
    }
    if indexes.len() == 3 && high > max {
        return Err(CallError::Failed(format!(
            "invalid slice index: {high} > {max}"
        )));
    }
    Ok(match item {
        GoValue::String(s) => {
            GoValue::String(String::from_utf8_lossy(&s.as_bytes()[low..high]).into_owned())
        }
        GoValue::Slice(Some(items)) => GoValue::Slice(Some(items[low..high].to_vec())),
        _ => GoValue::Slice(None),
    })
}
