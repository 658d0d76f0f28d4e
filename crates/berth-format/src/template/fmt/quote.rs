//! Go's `strconv.Quote`, `QuoteToASCII`, `QuoteRune` and `CanBackquote`.

use std::fmt::Write as _;

/// `strconv.Quote` (`ascii`: `QuoteToASCII`).
pub fn quote(s: &str, ascii: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        escape(&mut out, c, '"', ascii);
    }
    out.push('"');
    out
}

/// `strconv.QuoteRune` (`ascii`: `QuoteRuneToASCII`).
pub fn quote_rune(c: char, ascii: bool) -> String {
    let mut out = String::from('\'');
    escape(&mut out, c, '\'', ascii);
    out.push('\'');
    out
}

fn escape(out: &mut String, c: char, quote: char, ascii: bool) {
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if is_print(c) && (c.is_ascii() || !ascii) {
        out.push(c);
        return;
    }
    let _ = match c {
        '\u{7}' => write!(out, "\\a"),
        '\u{8}' => write!(out, "\\b"),
        '\u{c}' => write!(out, "\\f"),
        '\n' => write!(out, "\\n"),
        '\r' => write!(out, "\\r"),
        '\t' => write!(out, "\\t"),
        '\u{b}' => write!(out, "\\v"),
        c if (c as u32) < 0x20 || c == '\u{7f}' => write!(out, "\\x{:02x}", c as u32),
        c if (c as u32) < 0x10000 => write!(out, "\\u{:04x}", c as u32),
        c => write!(out, "\\U{:08x}", c as u32),
    };
}

/// `strconv.CanBackquote`: no control characters but tab, no backquote, no U+FEFF.
pub fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c != '`' && c != '\u{feff}' && (c == '\t' || !(c < ' ' || c == '\u{7f}')))
}

/// `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space. Go decides
/// with Unicode tables; this treats every assigned-looking character outside the control, space,
/// format, surrogate, private-use and noncharacter ranges as printable, which agrees with Go for
/// every character a Docker value is likely to hold.
pub fn is_print(c: char) -> bool {
    let u = c as u32;
    if u < 0x7f {
        return u >= 0x20;
    }
    if c.is_control() || (c.is_whitespace()) {
        return false;
    }
    !matches!(u,
        0xad
        | 0x600..=0x605
        | 0x61c
        | 0x6dd
        | 0x70f
        | 0x180e
        | 0x200b..=0x200f
        | 0x202a..=0x202e
        | 0x2060..=0x206f
        | 0xd800..=0xf8ff
        | 0xfeff
        | 0xfff9..=0xfffb
        | 0xfffe..=0xffff
        | 0x110bd
        | 0x1d173..=0x1d17a
        | 0xe0000..=0xe007f
        | 0xf0000..)
        && u & 0xfffe != 0xfffe
}
