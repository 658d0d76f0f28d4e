//! Go's `pp.doPrintf`: the format string's flags, width, precision, argument indexes and verbs,
//! and its error forms (`%!d(MISSING)`, `%!(EXTRA …)`, `%!(NOVERB)`, `%!(BADWIDTH)`).

use super::{type_name, verb::Flags, Printer};
use crate::template::value::GoValue;

/// Widths and precisions above this are refused, as Go's `fmt` refuses them (`tooLarge`).
const TOO_LARGE: i64 = 1_000_000;

impl Printer {
    /// Go's `doPrintf`.
    pub fn printf(&mut self, format: &str, args: &[GoValue]) {
        let bytes = format.as_bytes();
        let end = bytes.len();
        let mut arg_num = 0;
        let mut reordered = false;
        let mut i = 0;
        while i < end {
            let mut good_arg_num = true;
            let start = i;
            while i < end && bytes[i] != b'%' {
                i += 1;
            }
            self.out.push_str(&format[start..i]);
            if i >= end {
                break;
            }
            i += 1;
            self.f = Flags::default();
            while i < end {
                match bytes[i] {
                    b'#' => self.f.sharp = true,
                    b'0' => self.f.zero = !self.f.minus,
                    b'+' => self.f.plus = true,
                    b'-' => {
                        self.f.minus = true;
                        self.f.zero = false;
                    }
                    b' ' => self.f.space = true,
                    _ => break,
                }
                i += 1;
            }
            // An explicit argument index: `%[2]d`.
            let mut after_index;
            (arg_num, i, after_index) = Self::arg_number(
                arg_num,
                format,
                i,
                args.len(),
                &mut good_arg_num,
                &mut reordered,
            );
            if i < end && bytes[i] == b'*' {
                i += 1;
                let (width, ok, next) = int_from_arg(args, arg_num);
                arg_num = next;
                if !ok {
                    self.out.push_str("%!(BADWIDTH)");
                }
                self.f.width = None;
                if ok {
                    if width < 0 {
                        self.f.minus = true;
                        self.f.zero = false;
                    }
                    self.f.width = usize::try_from(width.unsigned_abs()).ok();
                }
                after_index = false;
            } else {
                let (width, present, next) = parse_number(bytes, i, end);
                i = next;
                self.f.width = present.then_some(width);
                if after_index && present {
                    good_arg_num = false;
                }
            }
            if i + 1 < end && bytes[i] == b'.' {
                i += 1;
                if after_index {
                    good_arg_num = false;
                }
                (arg_num, i, after_index) = Self::arg_number(
                    arg_num,
                    format,
                    i,
                    args.len(),
                    &mut good_arg_num,
                    &mut reordered,
                );
                if i < end && bytes[i] == b'*' {
                    i += 1;
                    let (precision, ok, next) = int_from_arg(args, arg_num);
                    arg_num = next;
                    self.f.precision = usize::try_from(precision).ok().filter(|_| ok);
                    if self.f.precision.is_none() {
                        self.out.push_str("%!(BADPREC)");
                    }
                    after_index = false;
                } else {
                    let (precision, _, next) = parse_number(bytes, i, end);
                    i = next;
                    self.f.precision = Some(precision);
                }
            }
            if !after_index {
                (arg_num, i, _) = Self::arg_number(
                    arg_num,
                    format,
                    i,
                    args.len(),
                    &mut good_arg_num,
                    &mut reordered,
                );
            }
            let Some(verb) = format[i.min(end)..].chars().next() else {
                self.out.push_str("%!(NOVERB)");
                break;
            };
            i += verb.len_utf8();
            match verb {
                '%' => self.out.push('%'),
                _ if !good_arg_num => self.bad_arg(verb, "BADINDEX"),
                _ if arg_num >= args.len() => self.bad_arg(verb, "MISSING"),
                _ => {
                    if verb == 'v' {
                        self.f.sharp_v = self.f.sharp;
                        self.f.sharp = false;
                        self.f.plus_v = self.f.plus;
                        self.f.plus = false;
                    }
                    self.print_arg(&args[arg_num], verb);
                    arg_num += 1;
                }
            }
        }
        if !reordered && arg_num < args.len() {
            self.f = Flags::default();
            self.out.push_str("%!(EXTRA ");
            for (i, arg) in args[arg_num..].iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                if matches!(arg, GoValue::Nil) {
                    self.out.push_str("<nil>");
                } else {
                    self.out.push_str(&type_name(arg));
                    self.out.push('=');
                    self.print_arg(arg, 'v');
                }
            }
            self.out.push(')');
        }
    }

    fn bad_arg(&mut self, verb: char, what: &str) {
        self.out.push_str("%!");
        self.out.push(verb);
        self.out.push('(');
        self.out.push_str(what);
        self.out.push(')');
    }

    /// Go's `argNumber`: `[n]` at `i` chooses argument n (1-based).
    fn arg_number(
        arg_num: usize,
        format: &str,
        i: usize,
        count: usize,
        good: &mut bool,
        reordered: &mut bool,
    ) -> (usize, usize, bool) {
        let bytes = format.as_bytes();
        if bytes.get(i) != Some(&b'[') {
            return (arg_num, i, false);
        }
        *reordered = true;
        let rest = &bytes[i..];
        if rest.len() < 3 {
            *good = false;
            return (arg_num, i + 1, false);
        }
        let Some(close) = rest.iter().position(|b| *b == b']') else {
            *good = false;
            return (arg_num, i + 1, false);
        };
        let (n, present, next) = parse_number(rest, 1, close);
        if !present || next != close {
            *good = false;
            return (arg_num, i + close + 1, false);
        }
        match n.checked_sub(1).filter(|index| *index < count) {
            Some(index) => (index, i + close + 1, true),
            None => {
                *good = false;
                (arg_num, i + close + 1, true)
            }
        }
    }
}

/// Go's `parsenum`: a decimal number at `start`; a number too large takes the rest of the format.
fn parse_number(bytes: &[u8], start: usize, end: usize) -> (usize, bool, usize) {
    let mut n: i64 = 0;
    let mut present = false;
    let mut i = start;
    while i < end && bytes[i].is_ascii_digit() {
        if n > TOO_LARGE {
            return (0, false, end);
        }
        n = n * 10 + i64::from(bytes[i] - b'0');
        present = true;
        i += 1;
    }
    (usize::try_from(n).unwrap_or(0), present, i)
}

/// Go's `intFromArg`: the argument for a `*` width or precision, if it is an integer.
fn int_from_arg(args: &[GoValue], arg_num: usize) -> (i64, bool, usize) {
    let Some(arg) = args.get(arg_num) else {
        return (0, false, arg_num);
    };
    let n = match arg {
        GoValue::Number(n) if !n.is_f64() => n.as_i64(),
        GoValue::Duration(n) => Some(*n),
        GoValue::Named(named) => Some(named.value),
        _ => None,
    };
    match n.filter(|n| (-TOO_LARGE..=TOO_LARGE).contains(n)) {
        Some(n) => (n, true, arg_num + 1),
        None => (0, false, arg_num + 1),
    }
}
