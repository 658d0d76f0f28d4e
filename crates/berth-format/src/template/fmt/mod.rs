//! Go's `fmt` over [`GoValue`]s: `Sprintf` with its verbs, flags, width and precision (and its
//! `%!verb(type=value)` error forms), `Sprint` and `Sprintln`, as `printf`, `print` and `println`
//! in a template call them. Values print as `fmt` prints the Go types they stand for: a map as
//! `map[a:1 b:2]` (keys sorted), a slice as `[1 2]`, a struct as `{a b}` (`%+v`: `{A:a B:b}`,
//! `%#v`: `pkg.T{A:"a", B:"b"}`), a nil pointer or interface as `<nil>`, a `time.Time`,
//! `time.Duration` or `time.Month` through its `String` method.

mod number;
mod printf;
mod quote;
mod verb;

use super::value::GoValue;

pub use number::format_float;
pub use quote::{is_print, quote};
use verb::Printer;

/// Go's `fmt.Sprintf`.
pub fn sprintf(format: &str, args: &[GoValue]) -> String {
    let mut p = Printer::default();
    p.printf(format, args);
    p.out
}

/// Go's `fmt.Sprint`: operands in `%v`, a space between two operands when neither is a string.
pub fn sprint(args: &[GoValue]) -> String {
    let mut p = Printer::default();
    for (i, arg) in args.iter().enumerate() {
        let is_string = |v: &GoValue| matches!(v, GoValue::String(_));
        if i > 0 && !is_string(&args[i - 1]) && !is_string(arg) {
            p.out.push(' ');
        }
        p.print_arg(arg, 'v');
    }
    p.out
}

/// Go's `fmt.Sprintln`: operands in `%v`, always separated by a space, then a newline.
pub fn sprintln(args: &[GoValue]) -> String {
    let mut p = Printer::default();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            p.out.push(' ');
        }
        p.print_arg(arg, 'v');
    }
    p.out.push('\n');
    p.out
}

/// `%v` of one value (`fmt.Sprint(v)`): nil is `<nil>`.
pub fn display(value: &GoValue) -> String {
    sprint(std::slice::from_ref(value))
}

/// What an action (`{{.Config}}`) prints: `%v`, with a pointer to a struct printed as the struct
/// (text/template's `printableValue` follows the pointer).
pub fn display_action(value: &GoValue) -> String {
    let mut p = Printer::default();
    p.print_action(value);
    p.out
}

/// The Go type a value stands for, as `%T` and the error forms print it (`int`, `string`,
/// `[]string`, `map[string]interface {}`, `time.Time`); `<nil>` for a nil interface.
pub fn type_name(value: &GoValue) -> String {
    match value {
        GoValue::Nil => "<nil>".to_owned(),
        GoValue::NilPointer => "*interface {}".to_owned(),
        GoValue::Bool(_) => "bool".to_owned(),
        GoValue::Number(n) if n.is_f64() => "float64".to_owned(),
        GoValue::Number(n) if n.is_i64() => "int".to_owned(),
        GoValue::Number(_) => "uint64".to_owned(),
        GoValue::String(_) => "string".to_owned(),
        GoValue::Slice(items) => {
            let all_strings = items.as_ref().is_some_and(|items| {
                !items.is_empty() && items.iter().all(|i| matches!(i, GoValue::String(_)))
            });
            if all_strings {
                "[]string".to_owned()
            } else {
                "[]interface {}".to_owned()
            }
        }
        GoValue::Map(map) => format!(
            "map[string]{}",
            match &map.zero {
                GoValue::Nil => "interface {}".to_owned(),
                zero => type_name(zero),
            }
        ),
        GoValue::Struct(s) => {
            let name = if s.type_name.is_empty() {
                "struct {...}"
            } else {
                &s.type_name
            };
            if s.pointer {
                format!("*{name}")
            } else {
                name.to_owned()
            }
        }
        GoValue::Duration(_) => "time.Duration".to_owned(),
        GoValue::Time(_) => "time.Time".to_owned(),
        GoValue::Named(named) => named.type_name.to_owned(),
        GoValue::JsonNumber(_) => "json.Number".to_owned(),
    }
}
