//! The printer behind `Sprintf`: Go's `printArg`, `printValue` and `fmt`'s padding.

use super::{
    number::{digits, format_float},
    quote::{can_backquote, is_print, quote, quote_rune},
    type_name,
};
use std::fmt::Write as _;

use crate::template::value::{GoValue, Named};

#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Flags {
    pub(super) plus: bool,
    pub(super) minus: bool,
    pub(super) sharp: bool,
    pub(super) space: bool,
    pub(super) zero: bool,
    /// `%+v`: struct field names.
    pub(super) plus_v: bool,
    /// `%#v`: Go syntax.
    pub(super) sharp_v: bool,
    pub(super) width: Option<usize>,
    pub(super) precision: Option<usize>,
}

#[derive(Debug, Default)]
pub struct Printer {
    pub out: String,
    pub(super) f: Flags,
    /// Printing a `%!verb(…)` form: `String` methods are not called (Go's `pp.erroring`).
    erroring: bool,
}

impl Printer {
    /// Go's `printArg`: a value at the top level.
    pub fn print_arg(&mut self, arg: &GoValue, verb: char) {
        match (arg, verb) {
            (GoValue::Nil, 'T' | 'v') => self.pad("<nil>"),
            // No addresses here: `%p` of anything is refused.
            (GoValue::Nil, _) | (_, 'p') => self.bad_verb(arg, verb),
            (_, 'T') => self.fmt_s(&type_name(arg)),
            _ => self.print_value(arg, verb, 0),
        }
    }

    /// An action's value: as [`Printer::print_arg`], but a pointer to a struct without its `&`.
    pub fn print_action(&mut self, value: &GoValue) {
        match value {
            GoValue::Struct(s) if s.pointer => self.print_value(value, 'v', 1),
            _ => self.print_arg(value, 'v'),
        }
    }

    /// Go's `printValue` (with `handleMethods` for the types that have a `String` method).
    fn print_value(&mut self, value: &GoValue, verb: char, depth: usize) {
        if self.stringer(value, verb) {
            return;
        }
        match value {
            // A nil inside a slice, map or struct is a nil interface: `<nil>` whatever the verb.
            GoValue::Nil if self.f.sharp_v => self.out.push_str("interface {}(nil)"),
            GoValue::Nil => self.out.push_str("<nil>"),
            GoValue::NilPointer => match verb {
                'v' if self.f.sharp_v => self.out.push_str("(*interface {})(nil)"),
                'v' => self.pad("<nil>"),
                'b' | 'o' | 'd' | 'x' | 'X' => self.fmt_integer(0, false, verb),
                _ => self.bad_verb(value, verb),
            },
            GoValue::Bool(b) => match verb {
                't' | 'v' => self.pad(if *b { "true" } else { "false" }),
                _ => self.bad_verb(value, verb),
            },
            GoValue::Number(n) => {
                if let Some(i) = n.as_i64().filter(|_| !n.is_f64()) {
                    self.fmt_integer_verb(value, bits(i), true, verb);
                } else if let Some(u) = n.as_u64().filter(|_| !n.is_f64()) {
                    self.fmt_integer_verb(value, u, false, verb);
                } else {
                    self.fmt_float(value, n.as_f64().unwrap_or(0.0), verb);
                }
            }
            GoValue::Duration(nanos) => self.fmt_integer_verb(value, bits(*nanos), true, verb),
            GoValue::Named(named) => {
                self.fmt_integer_verb(value, bits(named.value), true, verb);
            }
            GoValue::String(s) => self.fmt_string(value, s, verb),
            GoValue::JsonNumber(n) => self.fmt_string(value, &n.to_string(), verb),
            GoValue::Time(_) => self.bad_verb(value, verb),
            GoValue::Slice(items) => {
                if self.f.sharp_v {
                    self.out.push_str(&type_name(value));
                    let Some(items) = items else {
                        self.out.push_str("(nil)");
                        return;
                    };
                    self.out.push('{');
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            self.out.push_str(", ");
                        }
                        self.print_value(item, verb, depth + 1);
                    }
                    self.out.push('}');
                } else {
                    self.out.push('[');
                    for (i, item) in items.iter().flatten().enumerate() {
                        if i > 0 {
                            self.out.push(' ');
                        }
                        self.print_value(item, verb, depth + 1);
                    }
                    self.out.push(']');
                }
            }
            GoValue::Map(map) => {
                if self.f.sharp_v {
                    self.out.push_str(&type_name(value));
                    if map.entries.is_none() {
                        self.out.push_str("(nil)");
                        return;
                    }
                    self.out.push('{');
                } else {
                    self.out.push_str("map[");
                }
                for (i, (key, item)) in map.entries.iter().flatten().enumerate() {
                    if i > 0 {
                        self.out.push_str(if self.f.sharp_v { ", " } else { " " });
                    }
                    self.fmt_string(&GoValue::String(key.clone()), key, verb);
                    self.out.push(':');
                    self.print_value(item, verb, depth + 1);
                }
                self.out.push(if self.f.sharp_v { '}' } else { ']' });
            }
            GoValue::Struct(s) => {
                if s.pointer && depth == 0 {
                    self.out.push('&');
                }
                if self.f.sharp_v {
                    self.out.push_str(&s.type_name);
                }
                self.out.push('{');
                for (i, field) in s.fields.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(if self.f.sharp_v { ", " } else { " " });
                    }
                    if self.f.plus_v || self.f.sharp_v {
                        self.out.push_str(&field.name);
                        self.out.push(':');
                    }
                    self.print_value(&field.value, verb, depth + 1);
                }
                self.out.push('}');
            }
        }
    }

    /// Go's `handleMethods` for the types with a `String` method (`time.Time`, `time.Duration`,
    /// `time.Month`, `time.Weekday`): `%v %s %q %x %X` print what it returns; `%#v` prints a
    /// `time.Time` as its `GoString`.
    fn stringer(&mut self, value: &GoValue, verb: char) -> bool {
        if self.erroring {
            return false;
        }
        let text = match value {
            GoValue::Time(t) if self.f.sharp_v && verb == 'v' => {
                self.out.push_str(&t.go_string());
                return true;
            }
            GoValue::Time(t) => t.string(),
            GoValue::Duration(nanos) => super::super::value::go_duration(*nanos),
            GoValue::Named(Named {
                text: Some(text), ..
            }) => (*text).to_owned(),
            GoValue::JsonNumber(n) => n.to_string(),
            _ => return false,
        };
        if self.f.sharp_v || !matches!(verb, 'v' | 's' | 'x' | 'X' | 'q') {
            return false;
        }
        self.fmt_string(&GoValue::String(text.clone()), &text, verb);
        true
    }

    /// `%!verb(type=value)`.
    pub(super) fn bad_verb(&mut self, value: &GoValue, verb: char) {
        self.out.push_str("%!");
        self.out.push(verb);
        self.out.push('(');
        if matches!(value, GoValue::Nil) {
            self.out.push_str("<nil>");
        } else {
            self.out.push_str(&type_name(value));
            self.out.push('=');
            // Go keeps the flags: `%.0f` of a string shows `%!f(string=)`.
            self.erroring = true;
            self.print_arg(value, 'v');
            self.erroring = false;
        }
        self.out.push(')');
    }

    fn fmt_integer_verb(&mut self, value: &GoValue, u: u64, signed: bool, verb: char) {
        match verb {
            'v' if self.f.sharp_v && !signed => {
                self.f.sharp = true;
                self.fmt_integer_base(u, 16, signed, 'x', false);
            }
            'v' | 'd' => self.fmt_integer_base(u, 10, signed, verb, false),
            'b' => self.fmt_integer_base(u, 2, signed, verb, false),
            'o' | 'O' => self.fmt_integer_base(u, 8, signed, verb, false),
            'x' => self.fmt_integer_base(u, 16, signed, verb, false),
            'X' => self.fmt_integer_base(u, 16, signed, verb, true),
            'c' => {
                let c = char::from_u32(u32::try_from(u).unwrap_or(0xfffd)).unwrap_or('\u{fffd}');
                self.pad(&c.to_string());
            }
            'q' => {
                let c = char::from_u32(u32::try_from(u).unwrap_or(0xfffd)).unwrap_or('\u{fffd}');
                self.pad(&quote_rune(c, self.f.plus));
            }
            'U' => self.fmt_unicode(u),
            _ => self.bad_verb(value, verb),
        }
    }

    fn fmt_integer(&mut self, u: u64, signed: bool, verb: char) {
        self.fmt_integer_base(u, 10, signed, verb, false);
    }

    /// Go's `fmt.fmtInteger`.
    fn fmt_integer_base(&mut self, u: u64, base: u32, signed: bool, verb: char, upper: bool) {
        let as_signed = i64::from_ne_bytes(u.to_ne_bytes());
        let negative = signed && as_signed < 0;
        let magnitude = if negative {
            as_signed.unsigned_abs()
        } else {
            u
        };
        let mut precision = 0;
        if let Some(p) = self.f.precision {
            precision = p;
            if p == 0 && magnitude == 0 {
                let zero = std::mem::replace(&mut self.f.zero, false);
                self.write_padding(self.f.width.unwrap_or(0));
                self.f.zero = zero;
                return;
            }
        } else if let (true, Some(width)) = (self.f.zero, self.f.width) {
            precision = width;
            if negative || self.f.plus || self.f.space {
                precision = precision.saturating_sub(1);
            }
        }
        let mut number = digits(magnitude, base, upper);
        if number.len() < precision {
            number = format!("{}{number}", "0".repeat(precision - number.len()));
        }
        if self.f.sharp {
            match base {
                2 => number.insert_str(0, "0b"),
                8 if !number.starts_with('0') => number.insert(0, '0'),
                16 => number.insert_str(0, if upper { "0X" } else { "0x" }),
                _ => {}
            }
        }
        if verb == 'O' {
            number.insert_str(0, "0o");
        }
        if negative {
            number.insert(0, '-');
        } else if self.f.plus {
            number.insert(0, '+');
        } else if self.f.space {
            number.insert(0, ' ');
        }
        let zero = std::mem::replace(&mut self.f.zero, false);
        self.pad(&number);
        self.f.zero = zero;
    }

    /// `%U`: `U+0041`, with `#` `U+0041 'A'`.
    fn fmt_unicode(&mut self, u: u64) {
        let precision = self.f.precision.filter(|p| *p > 4).unwrap_or(4);
        let mut s = format!("U+{u:0precision$X}");
        if self.f.sharp {
            if let Some(c) = u32::try_from(u)
                .ok()
                .and_then(char::from_u32)
                .filter(|c| is_print(*c))
            {
                let _ = write!(s, " '{c}'");
            }
        }
        let zero = std::mem::replace(&mut self.f.zero, false);
        self.pad(&s);
        self.f.zero = zero;
    }

    /// Go's `pp.fmtFloat` and `fmt.fmtFloat`.
    fn fmt_float(&mut self, value: &GoValue, v: f64, verb: char) {
        let (verb, default_precision) = match verb {
            'v' => ('g', None),
            'b' | 'g' | 'G' | 'x' | 'X' => (verb, None),
            'f' | 'e' | 'E' => (verb, Some(6)),
            'F' => ('f', Some(6)),
            _ => return self.bad_verb(value, verb),
        };
        let precision = self.f.precision.or(default_precision);
        let mut num = format_float(v, verb, precision);
        if !num.starts_with(['-', '+']) {
            num.insert(0, '+');
        }
        if self.f.space && num.starts_with('+') && !self.f.plus {
            num.replace_range(..1, " ");
        }
        if num[1..].starts_with(['I', 'N']) {
            if num.starts_with("+N") && !self.f.space && !self.f.plus {
                num.remove(0);
            }
            let zero = std::mem::replace(&mut self.f.zero, false);
            self.pad(&num);
            self.f.zero = zero;
            return;
        }
        if self.f.sharp && verb != 'b' {
            num = sharp_float(&num, verb, precision);
        }
        if self.f.plus || !num.starts_with('+') {
            if let Some(width) = self.f.width.filter(|w| self.f.zero && *w > num.len()) {
                let (sign, rest) = num.split_at(1);
                self.out.push_str(sign);
                self.write_padding(width - num.len());
                self.out.push_str(rest);
                return;
            }
            self.pad(&num);
            return;
        }
        let rest = num[1..].to_owned();
        self.pad(&rest);
    }

    /// Go's `pp.fmtString`.
    fn fmt_string(&mut self, value: &GoValue, s: &str, verb: char) {
        match verb {
            'v' if self.f.sharp_v => self.fmt_q(s),
            'v' | 's' => self.fmt_s(s),
            'x' => self.fmt_sx(s, false),
            'X' => self.fmt_sx(s, true),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(value, verb),
        }
    }

    fn fmt_s(&mut self, s: &str) {
        let s = match self.f.precision {
            Some(p) => s.char_indices().nth(p).map_or(s, |(i, _)| &s[..i]),
            None => s,
        };
        self.pad(s);
    }

    fn fmt_q(&mut self, s: &str) {
        let s = match self.f.precision {
            Some(p) => s.char_indices().nth(p).map_or(s, |(i, _)| &s[..i]),
            None => s,
        };
        if self.f.sharp && can_backquote(s) {
            self.pad(&format!("`{s}`"));
        } else {
            self.pad(&quote(s, self.f.plus));
        }
    }

    /// Go's `fmtSbx`: the bytes of a string in hex, `% x` spaced, `%#x` with `0x`.
    fn fmt_sx(&mut self, s: &str, upper: bool) {
        let bytes = s.as_bytes();
        let length = self.f.precision.map_or(bytes.len(), |p| p.min(bytes.len()));
        let mut width = 2 * length;
        if width == 0 {
            self.write_padding(self.f.width.unwrap_or(0));
            return;
        }
        if self.f.space {
            if self.f.sharp {
                width *= 2;
            }
            width += length - 1;
        } else if self.f.sharp {
            width += 2;
        }
        let pad = self.f.width.unwrap_or(0).saturating_sub(width);
        if !self.f.minus {
            self.write_padding(pad);
        }
        let prefix = if upper { "0X" } else { "0x" };
        if self.f.sharp {
            self.out.push_str(prefix);
        }
        for (i, b) in bytes[..length].iter().enumerate() {
            if self.f.space && i > 0 {
                self.out.push(' ');
                if self.f.sharp {
                    self.out.push_str(prefix);
                }
            }
            let _ = if upper {
                write!(self.out, "{b:02X}")
            } else {
                write!(self.out, "{b:02x}")
            };
        }
        if self.f.minus {
            self.write_padding(pad);
        }
    }

    fn write_padding(&mut self, n: usize) {
        let c = if self.f.zero { '0' } else { ' ' };
        self.out.extend(std::iter::repeat_n(c, n));
    }

    /// Go's `fmt.padString`: pads to the width in runes, on the right with `-`.
    fn pad(&mut self, s: &str) {
        let Some(width) = self.f.width.filter(|w| *w > 0) else {
            self.out.push_str(s);
            return;
        };
        let padding = width.saturating_sub(s.chars().count());
        if self.f.minus {
            self.out.push_str(s);
            self.write_padding(padding);
        } else {
            self.write_padding(padding);
            self.out.push_str(s);
        }
    }
}

/// `%#g` and friends: keep the decimal point and, for `%g`, the trailing zeros (Go's
/// `fmt.fmtFloat` with the sharp flag).
fn sharp_float(num: &str, verb: char, precision: Option<usize>) -> String {
    let mut digits: i64 = match verb {
        'v' | 'g' | 'G' | 'x' => precision.map_or(6, |p| i64::try_from(p).unwrap_or(i64::MAX)),
        _ => 0,
    };
    let bytes = num.as_bytes();
    let mut body = num.to_owned();
    let mut tail = String::new();
    let mut has_point = false;
    let mut saw_nonzero = false;
    for (i, &b) in bytes.iter().enumerate().skip(1) {
        match b {
            b'.' => has_point = true,
            b'p' | b'P' => {
                num[i..].clone_into(&mut tail);
                body.truncate(i);
                break;
            }
            b'e' | b'E' if verb != 'x' && verb != 'X' => {
                num[i..].clone_into(&mut tail);
                body.truncate(i);
                break;
            }
            _ => {
                if b != b'0' {
                    saw_nonzero = true;
                }
                if saw_nonzero {
                    digits -= 1;
                }
            }
        }
    }
    if !has_point {
        if body.len() == 2 && body.ends_with('0') {
            digits -= 1;
        }
        body.push('.');
    }
    while digits > 0 {
        body.push('0');
        digits -= 1;
    }
    body + &tail
}

/// An `int64`'s bits as a `uint64`, as Go's `uint64(i)`.
fn bits(i: i64) -> u64 {
    u64::from_ne_bytes(i.to_ne_bytes())
}
