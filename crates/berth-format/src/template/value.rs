//! Values as Go's `text/template` sees them.
//!
//! A Docker template runs over Go values, and what it prints depends on their Go types, not only on
//! their JSON: a nil `[]string` prints `[]` but encodes as `null`, a nil `*HealthConfig` prints
//! `<nil>`, a struct field that is not there is an error while a missing map key prints
//! `<no value>`, a struct encodes its fields in declaration order (leaving out empty `omitempty`
//! ones) while a map encodes its keys sorted. [`GoValue`] keeps those distinctions; JSON data
//! (`serde_json::Value`) becomes the values Go's decoder makes of it (`map[string]interface{}`,
//! `[]interface{}`, nil).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Number, Value};

use super::time::GoTime;

/// A Go value.
#[derive(Debug, Clone, PartialEq)]
pub enum GoValue {
    /// A nil interface (JSON `null` decoded into `interface{}`), or no value at all (a missing map
    /// key): `<no value>` when printed by an action, `<nil>` inside a printed slice, map or struct.
    Nil,
    /// A nil pointer (`*container.HealthConfig`, `*int`): `<nil>`, encoded as `null`.
    NilPointer,
    Bool(bool),
    Number(Number),
    String(String),
    /// A slice; `None` is a nil slice: it prints `[]` and encodes as `null`.
    Slice(Option<Vec<GoValue>>),
    Map(Box<GoMap>),
    /// A struct, or a non-nil pointer to one (templates see through pointers).
    Struct(Box<GoStruct>),
    /// A `time.Duration` in nanoseconds: prints `1m30s`, encodes as an integer.
    Duration(i64),
    /// A `time.Time`: prints `2026-11-27 21:23:51.410744101 +0000 UTC`, encodes as RFC 3339, has
    /// the methods templates call (`.Year`, `.Format "2006-01-02"`).
    Time(Box<GoTime>),
    /// An integer of a sized or named type: an `int64` (`Size`), or one with a `String` method
    /// (`time.Month`: `%v` prints its name, `%d` its number).
    Named(Named),
    /// A `json.Number`, as the Docker CLI decodes numbers of raw inspect data (`UseNumber`): a
    /// string holding the number as written (as `serde_json` writes it back: `1e21` may come out
    /// `1e+21`); `%d` of it is `%!d(json.Number=5051)`.
    JsonNumber(Number),
}

/// A map with string keys (Go prints and encodes them sorted).
#[derive(Debug, Clone, PartialEq)]
pub struct GoMap {
    /// `None` is a nil map: it prints `map[]` and encodes as `null`.
    pub entries: Option<BTreeMap<String, GoValue>>,
    /// What `index` gives for a key that is not there: the element type's zero value (`""` for a
    /// `map[string]string`, nil for a `map[string]interface{}`).
    pub zero: GoValue,
}

/// A struct: its fields in declaration order.
#[derive(Debug, Clone, PartialEq)]
pub struct GoStruct {
    /// The Go type, for error messages (`types.ImageInspect`); may be empty.
    pub type_name: String,
    pub fields: Vec<GoField>,
    pub json: StructJson,
    /// A pointer to the struct (`*container.Config`): `printf "%v"` prints it `&{…}`.
    pub pointer: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GoField {
    /// The name templates use (`.ID`).
    pub name: String,
    /// The JSON key (`Id`).
    pub json_name: String,
    /// `json:",omitempty"`: left out of the encoding when empty.
    pub omitempty: bool,
    pub value: GoValue,
}

/// How a struct encodes as JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StructJson {
    /// `encoding/json`'s own struct encoding: fields in order under their JSON names, empty
    /// `omitempty` ones left out.
    Fields,
    /// The Docker CLI's formatter contexts (the rows of `images`, `history`, `ps`, `search`):
    /// their `MarshalJSON` is `json.Marshal` of a map of the fields, so the keys come out sorted
    /// and `<`, `>` and `&` escaped, even inside the template's `json`, which escapes nothing itself
    /// (docker/cli `cli/command/formatter/reflect.go`).
    EscapedMap,
}

/// An integer of a sized or named Go type (`int64`, `time.Month`), which `%T` and the error forms
/// name (`%!s(int64=5051)`), with a `String` method when `text` is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Named {
    /// `int64`, `time.Month`.
    pub type_name: &'static str,
    pub value: i64,
    /// What `String()` returns: `November`.
    pub text: Option<&'static str>,
}

impl GoValue {
    pub fn string(s: impl Into<String>) -> GoValue {
        GoValue::String(s.into())
    }

    /// A `[]string`: nil when `None`.
    pub fn strings<S: AsRef<str>>(items: Option<&[S]>) -> GoValue {
        GoValue::Slice(items.map(|items| {
            items
                .iter()
                .map(|s| GoValue::String(s.as_ref().to_owned()))
                .collect()
        }))
    }

    /// A `map[string]V`: nil when `None`; `zero` is V's zero value.
    pub fn map(entries: Option<BTreeMap<String, GoValue>>, zero: GoValue) -> GoValue {
        GoValue::Map(Box::new(GoMap { entries, zero }))
    }

    pub fn int(n: i64) -> GoValue {
        GoValue::Number(n.into())
    }

    /// An `int64` (Docker's sizes).
    pub fn int64(n: i64) -> GoValue {
        GoValue::Named(Named {
            type_name: "int64",
            value: n,
            text: None,
        })
    }

    pub fn uint(n: u64) -> GoValue {
        GoValue::Number(n.into())
    }

    /// JSON decoded into an `interface{}`, as the Docker CLI decodes raw inspect data: objects
    /// become `map[string]interface{}`, arrays `[]interface{}`, `null` a nil interface.
    pub fn from_json(value: &Value) -> GoValue {
        match value {
            Value::Null => GoValue::Nil,
            Value::Bool(b) => GoValue::Bool(*b),
            Value::Number(n) => GoValue::Number(n.clone()),
            Value::String(s) => GoValue::String(s.clone()),
            Value::Array(items) => {
                GoValue::Slice(Some(items.iter().map(GoValue::from_json).collect()))
            }
            Value::Object(map) => GoValue::map(
                Some(
                    map.iter()
                        .map(|(k, v)| (k.clone(), GoValue::from_json(v)))
                        .collect(),
                ),
                GoValue::Nil,
            ),
        }
    }

    /// JSON as the Docker CLI decodes raw inspect data (`json.Decoder` with `UseNumber`, into an
    /// `interface{}`): as [`from_json`](Self::from_json), with every number a `json.Number`.
    pub fn decoded_json(value: &Value) -> GoValue {
        match value {
            Value::Number(n) => GoValue::JsonNumber(n.clone()),
            Value::Array(items) => {
                GoValue::Slice(Some(items.iter().map(GoValue::decoded_json).collect()))
            }
            Value::Object(map) => GoValue::map(
                Some(
                    map.iter()
                        .map(|(k, v)| (k.clone(), GoValue::decoded_json(v)))
                        .collect(),
                ),
                GoValue::Nil,
            ),
            other => GoValue::from_json(other),
        }
    }

    /// A row of a Docker CLI formatter (`images`, `history`, ...): a struct whose fields are the
    /// object's keys, and whose `json` is `json.Marshal`'s ([`StructJson::EscapedMap`]).
    pub fn formatter_context(row: &Value) -> GoValue {
        let Value::Object(map) = row else {
            return GoValue::from_json(row);
        };
        GoValue::Struct(Box::new(GoStruct {
            type_name: String::new(),
            fields: map
                .iter()
                .map(|(name, value)| GoField::new(name, GoValue::from_json(value)))
                .collect(),
            json: StructJson::EscapedMap,
            pointer: true,
        }))
    }

    /// The JSON encoding the template's `json` function prints: `json.Encoder` with
    /// `SetEscapeHTML(false)`, so `<`, `>` and `&` stay as they are (except inside a formatter
    /// context, whose own `MarshalJSON` escaped them).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        encode(&mut out, self, false);
        out
    }

    /// `json.Marshal`: like [`to_json`](Self::to_json), with `<`, `>` and `&` escaped as
    /// `\u003c`, `\u003e`, `\u0026`.
    pub fn to_json_escaped(&self) -> String {
        let mut out = String::new();
        encode(&mut out, self, true);
        out
    }

    /// Go's notion of truth: false, 0, nil, and empty strings, slices and maps are false; structs
    /// are always true.
    pub fn truthy(&self) -> bool {
        match self {
            GoValue::Nil | GoValue::NilPointer => false,
            GoValue::Bool(b) => *b,
            GoValue::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
            GoValue::String(s) => !s.is_empty(),
            GoValue::Slice(items) => items.as_ref().is_some_and(|items| !items.is_empty()),
            GoValue::Map(map) => map.entries.as_ref().is_some_and(|m| !m.is_empty()),
            GoValue::Duration(d) => *d != 0,
            GoValue::Named(n) => n.value != 0,
            // A `json.Number` is a non-empty string.
            GoValue::Struct(_) | GoValue::Time(_) | GoValue::JsonNumber(_) => true,
        }
    }

    /// The kind of value, for error messages.
    pub fn type_name(&self) -> String {
        match self {
            GoValue::Nil => "nil".to_owned(),
            GoValue::NilPointer => "nil pointer".to_owned(),
            GoValue::Bool(_) => "bool".to_owned(),
            GoValue::Number(_) => "number".to_owned(),
            GoValue::String(_) => "string".to_owned(),
            GoValue::Slice(_) => "slice".to_owned(),
            GoValue::Map(_) => "map".to_owned(),
            GoValue::Struct(s) if !s.type_name.is_empty() => s.type_name.clone(),
            GoValue::Struct(_) => "struct".to_owned(),
            GoValue::Duration(_) => "time.Duration".to_owned(),
            GoValue::Time(_) => "time.Time".to_owned(),
            GoValue::Named(n) => n.type_name.to_owned(),
            GoValue::JsonNumber(_) => "json.Number".to_owned(),
        }
    }

    /// `encoding/json`'s `isEmptyValue`, which decides whether an `omitempty` field is left out.
    fn is_empty(&self) -> bool {
        match self {
            GoValue::Nil | GoValue::NilPointer => true,
            GoValue::Bool(b) => !b,
            GoValue::Number(n) => n.as_f64().is_some_and(|f| f == 0.0),
            GoValue::String(s) => s.is_empty(),
            GoValue::Slice(items) => items.as_ref().is_none_or(Vec::is_empty),
            GoValue::Map(map) => map.entries.as_ref().is_none_or(BTreeMap::is_empty),
            GoValue::Duration(d) => *d == 0,
            GoValue::Named(n) => n.value == 0,
            GoValue::Struct(_) | GoValue::Time(_) | GoValue::JsonNumber(_) => false,
        }
    }
}

impl GoStruct {
    pub fn new(type_name: &str) -> GoStruct {
        GoStruct {
            type_name: type_name.to_owned(),
            fields: Vec::new(),
            json: StructJson::Fields,
            pointer: false,
        }
    }

    /// A pointer to this struct (builder style).
    #[must_use]
    pub fn pointer(mut self) -> GoStruct {
        self.pointer = true;
        self
    }

    /// Adds a field (builder style).
    #[must_use]
    pub fn field(mut self, field: GoField) -> GoStruct {
        self.fields.push(field);
        self
    }

    pub fn get(&self, name: &str) -> Option<&GoValue> {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| &f.value)
    }
}

impl From<GoStruct> for GoValue {
    fn from(s: GoStruct) -> GoValue {
        GoValue::Struct(Box::new(s))
    }
}

impl GoField {
    /// A field whose JSON key is its name.
    pub fn new(name: &str, value: GoValue) -> GoField {
        GoField {
            name: name.to_owned(),
            json_name: name.to_owned(),
            omitempty: false,
            value,
        }
    }

    /// `json:"<name>"`.
    #[must_use]
    pub fn json(mut self, json_name: &str) -> GoField {
        json_name.clone_into(&mut self.json_name);
        self
    }

    /// `json:",omitempty"`.
    #[must_use]
    pub fn omitempty(mut self) -> GoField {
        self.omitempty = true;
        self
    }
}

/// `%v` of a value as an action prints it (nil prints `<no value>`).
pub fn write_value(out: &mut String, value: &GoValue) {
    match value {
        GoValue::Nil => out.push_str("<no value>"),
        other => out.push_str(&super::fmt::display_action(other)),
    }
}

/// `time.Duration.String()`: `0s`, `1.5µs`, `500ms`, `30s`, `1m30s`, `2h0m0s`.
pub fn go_duration(nanos: i64) -> String {
    const SECOND: u64 = 1_000_000_000;
    let mut u = nanos.unsigned_abs();
    let sign = if nanos < 0 { "-" } else { "" };
    if u == 0 {
        return "0s".to_owned();
    }
    if u < SECOND {
        let (unit, precision) = match u {
            0..1_000 => ("ns", 0),
            1_000..1_000_000 => ("µs", 3),
            _ => ("ms", 6),
        };
        let (whole, fraction) = split_fraction(u, precision);
        return format!("{sign}{whole}{fraction}{unit}");
    }
    let (seconds, fraction) = split_fraction(u, 9);
    u = seconds;
    let mut out = format!("{}{fraction}s", u % 60);
    u /= 60;
    if u > 0 {
        out = format!("{}m{out}", u % 60);
        u /= 60;
        if u > 0 {
            out = format!("{u}h{out}");
        }
    }
    format!("{sign}{out}")
}

/// `v / 10^precision` and its fraction as `.123` without trailing zeros (empty when zero).
fn split_fraction(v: u64, precision: u32) -> (u64, String) {
    let scale = 10u64.pow(precision);
    let (whole, fraction) = (v / scale, v % scale);
    if fraction == 0 {
        return (whole, String::new());
    }
    let digits = format!("{fraction:0width$}", width = precision as usize);
    (whole, format!(".{}", digits.trim_end_matches('0')))
}

fn encode(out: &mut String, value: &GoValue, escape_html: bool) {
    match value {
        GoValue::Nil | GoValue::NilPointer | GoValue::Slice(None) => out.push_str("null"),
        GoValue::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        GoValue::Number(n) => match n.as_f64().filter(|_| n.is_f64()) {
            Some(f) => out.push_str(&json_float(f)),
            None => {
                let _ = write!(out, "{n}");
            }
        },
        GoValue::Duration(d) => {
            let _ = write!(out, "{d}");
        }
        GoValue::String(s) => quote(out, s, escape_html),
        GoValue::Slice(Some(items)) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                encode(out, item, escape_html);
            }
            out.push(']');
        }
        GoValue::Map(map) => match &map.entries {
            None => out.push_str("null"),
            Some(entries) => {
                encode_object(
                    out,
                    entries.iter().map(|(k, v)| (k.as_str(), v)),
                    escape_html,
                );
            }
        },
        GoValue::Struct(s) => match s.json {
            StructJson::Fields => encode_object(
                out,
                s.fields
                    .iter()
                    .filter(|f| !(f.omitempty && f.value.is_empty()))
                    .map(|f| (f.json_name.as_str(), &f.value)),
                escape_html,
            ),
            StructJson::EscapedMap => {
                let sorted: BTreeMap<&str, &GoValue> = s
                    .fields
                    .iter()
                    .map(|f| (f.json_name.as_str(), &f.value))
                    .collect();
                encode_object(out, sorted.into_iter(), true);
            }
        },
        GoValue::Time(t) => {
            let _ = write!(
                out,
                "\"{}\"",
                t.format("2006-01-02T15:04:05.999999999Z07:00")
            );
        }
        GoValue::JsonNumber(n) => {
            let _ = write!(out, "{n}");
        }
        GoValue::Named(n) => {
            let _ = write!(out, "{}", n.value);
        }
    }
}

/// A float64 as `encoding/json` writes it: `1984192`, `0.5`, `1e+21`, `1e-7`.
fn json_float(f: f64) -> String {
    let abs = f.abs();
    if abs == 0.0 || (1e-6..1e21).contains(&abs) {
        return super::fmt::format_float(f, 'f', None);
    }
    let s = super::fmt::format_float(f, 'e', None);
    // Go writes `e-7`, not `e-07`.
    match s.rsplit_once("e-0") {
        Some((mantissa, digit)) if digit.len() == 1 => format!("{mantissa}e-{digit}"),
        _ => s,
    }
}

fn encode_object<'a>(
    out: &mut String,
    fields: impl Iterator<Item = (&'a str, &'a GoValue)>,
    escape_html: bool,
) {
    out.push('{');
    for (i, (key, value)) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        quote(out, key, escape_html);
        out.push(':');
        encode(out, value, escape_html);
    }
    out.push('}');
}

/// A JSON string as Go's `encoding/json` writes it: `\n`, `\r`, `\t` and other control characters
/// escaped (`\u0008`, not `\b`, as Go before 1.22 wrote them), U+2028 and U+2029 always escaped,
/// and `<`, `>`, `&` only when `escape_html`.
fn quote(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' if escape_html => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}
