//! Text that came from outside (a registry's error message or search results, names in an archive)
//! never reaches the terminal raw (issue #13 item 8): an `ESC ]0;…BEL` in it would retitle the
//! window, `ESC [2J` clear the screen, and worse on some terminals. Control characters are written
//! as Go's `%q` writes them (`\x1b`, `\a`, `\u009b`); Docker prints such text raw.

use std::{borrow::Cow, fmt::Write as _};

/// Which whitespace controls pass through unescaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Nothing: one table cell or one line.
    Nothing,
    /// `\n` and `\t`: a multi-line message such as an error.
    LinesAndTabs,
}

/// `text` with C0 and C1 control characters and DEL escaped (`keep` aside).
pub fn controls(text: &str, keep: Keep) -> Cow<'_, str> {
    let kept = |c: char| keep == Keep::LinesAndTabs && matches!(c, '\n' | '\t');
    if !text.chars().any(|c| c.is_control() && !kept(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !c.is_control() || kept(c) {
            out.push(c);
            continue;
        }
        match c {
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_go_quote() {
        for (input, keep, expected) in [
            ("plain text", Keep::Nothing, "plain text"),
            ("\x1b]0;pwned\x07", Keep::Nothing, "\\x1b]0;pwned\\a"),
            ("\x1b[2J", Keep::LinesAndTabs, "\\x1b[2J"),
            ("a\nb\tc", Keep::LinesAndTabs, "a\nb\tc"),
            ("a\nb\tc", Keep::Nothing, "a\\nb\\tc"),
            ("\r\x00\x7f", Keep::LinesAndTabs, "\\r\\x00\\x7f"),
            ("\u{9b}31m", Keep::Nothing, "\\u009b31m"),
            ("café ☕", Keep::Nothing, "café ☕"),
        ] {
            assert_eq!(controls(input, keep), expected, "{input:?}");
        }
    }
}
