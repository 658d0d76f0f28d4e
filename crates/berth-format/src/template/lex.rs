//! Lexing: template source into text and actions (`{{ }}` with `{{-`/`-}}` trimming, comments
//! dropped), and an action's text into tokens, every one with its byte offset in the source (Go's
//! error messages name line and column).

use super::Error;

pub enum Item<'a> {
    Text(&'a str),
    /// An action's text between the delimiters (and trim markers), and its offset in the source.
    Action {
        pos: usize,
        body: &'a str,
    },
}

/// A parse error at byte `pos` of `source`, worded as Go's: `template: NAME:LINE: message`.
pub fn error_at(name: &str, source: &str, pos: usize, message: &str) -> Error {
    let line = source.as_bytes()[..pos.min(source.len())]
        .split(|b| *b == b'\n')
        .count();
    Error::Parse(format!("template: {name}:{line}: {message}"))
}

/// Splits source into text and actions.
pub fn items<'a>(name: &str, source: &'a str) -> Result<Vec<Item<'a>>, Error> {
    let mut items = Vec::new();
    let mut offset = 0;
    let mut trim_next = false;
    while let Some(found) = source[offset..].find("{{") {
        let start = offset + found;
        let mut text = &source[offset..start];
        if trim_next {
            text = text.trim_start_matches(is_space);
        }
        let after = &source[start + 2..];
        let trim_left = after.starts_with("- ")
            || after.starts_with("-\t")
            || after.starts_with("-\n")
            || after.starts_with("-\r");
        if trim_left {
            text = text.trim_end_matches(is_space);
        }
        if !text.is_empty() {
            items.push(Item::Text(text));
        }
        let body_start = start + 2 + if trim_left { 2 } else { 0 };
        let close = find_action_end(&source[body_start..])
            .map_err(|(at, message)| error_at(name, source, body_start + at, message))?;
        let mut body = &source[body_start..body_start + close];
        trim_next =
            body.len() >= 2 && body.ends_with('-') && body[..body.len() - 1].ends_with(is_space);
        if trim_next {
            body = &body[..body.len() - 2];
        }
        let trimmed = body.trim_matches(is_space);
        if trimmed.starts_with("/*") {
            if !trimmed.ends_with("*/") || trimmed.len() < 4 {
                return Err(error_at(name, source, body_start, "unclosed comment"));
            }
        } else {
            items.push(Item::Action {
                pos: body_start,
                body,
            });
        }
        offset = body_start + close + 2;
    }
    let mut text = &source[offset..];
    if trim_next {
        text = text.trim_start_matches(is_space);
    }
    if !text.is_empty() {
        items.push(Item::Text(text));
    }
    Ok(items)
}

/// Go's `isSpace`: the characters trimming removes and tokens are separated by.
pub fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Finds the `}}` closing an action, skipping quoted strings and comments; or the lexer's error
/// and where it is.
fn find_action_end(s: &str) -> Result<usize, (usize, &'static str)> {
    let bytes = s.as_bytes();
    let trimmed_start = s.len() - s.trim_start_matches(is_space).len();
    if s[trimmed_start..].starts_with("/*") {
        let end = s[trimmed_start..]
            .find("*/")
            .ok_or((s.len(), "unclosed comment"))?
            + trimmed_start
            + 2;
        let rest = &s[end..];
        let close = rest.trim_start_matches(is_space);
        let close = close.strip_prefix('-').unwrap_or(close);
        return if close.starts_with("}}") {
            Ok(s.len() - close.len())
        } else {
            Err((end, "comment ends before closing delimiter"))
        };
    }
    let mut i = 0;
    let mut quote: Option<(u8, usize)> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some((q, start)) => {
                if b == b'\\' && q != b'`' {
                    i += 1;
                } else if b == q {
                    quote = None;
                } else if b == b'\n' && q != b'`' {
                    return Err((start, unterminated(q)));
                }
            }
            None => {
                if b == b'"' || b == b'`' || b == b'\'' {
                    quote = Some((b, i));
                } else if b == b'}' && bytes.get(i + 1) == Some(&b'}') {
                    return Ok(i);
                }
            }
        }
        i += 1;
    }
    match quote {
        Some((q, start)) => Err((start, unterminated(q))),
        None => Err((s.len(), "unclosed action")),
    }
}

fn unterminated(quote: u8) -> &'static str {
    match quote {
        b'"' => "unterminated quoted string",
        b'`' => "unterminated raw quoted string",
        _ => "unterminated character constant",
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// `.Name` (a lone `.` is `Dot`).
    Field(String),
    Dot,
    /// `$x`, `$`.
    Variable(String),
    Ident(String),
    /// A quoted or raw string: its value and its text as written.
    Str(String, String),
    /// A number, a character constant, as written.
    Number(String),
    Open,
    Close,
    Pipe,
    Declare,
    Assign,
    Comma,
}

/// A token, where it is, its text as written, and whether space comes before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Tok {
    pub pos: usize,
    pub token: Token,
    pub text: String,
    pub spaced: bool,
}

impl Tok {
    /// How Go's messages name a token: quoted, cut at 10 characters.
    pub fn describe(&self) -> String {
        if self.text.chars().count() > 10 {
            let cut: String = self.text.chars().take(10).collect();
            format!("{}...", super::fmt::quote(&cut, false))
        } else {
            super::fmt::quote(&self.text, false)
        }
    }
}

/// Tokens of one action's text; `pos` is the text's offset in the source.
pub fn tokens(name: &str, source: &str, pos: usize, body: &str) -> Result<Vec<Tok>, Error> {
    let error = |at: usize, message: &str| error_at(name, source, pos + at, message);
    let bytes = body.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    let word_end = |mut j: usize| {
        while j < bytes.len()
            && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_' || bytes[j] >= 0x80)
        {
            j += 1;
        }
        j
    };
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        let token = match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'|' => {
                i += 1;
                Token::Pipe
            }
            b',' => {
                i += 1;
                Token::Comma
            }
            b'(' => {
                i += 1;
                Token::Open
            }
            b')' => {
                i += 1;
                Token::Close
            }
            b':' if bytes.get(i + 1) == Some(&b'=') => {
                i += 2;
                Token::Declare
            }
            b'=' => {
                i += 1;
                Token::Assign
            }
            b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = number_end(bytes, i);
                Token::Number(body[start..i].to_owned())
            }
            b'.' => {
                i = word_end(i + 1);
                if i == start + 1 {
                    Token::Dot
                } else {
                    Token::Field(body[start + 1..i].to_owned())
                }
            }
            b'$' => {
                i = word_end(i + 1);
                Token::Variable(body[start..i].to_owned())
            }
            b'"' => {
                let (value, end) =
                    quoted(body, i).ok_or_else(|| error(start, "unterminated quoted string"))?;
                i = end;
                Token::Str(value, body[start..i].to_owned())
            }
            b'`' => {
                let end = body[i + 1..]
                    .find('`')
                    .ok_or_else(|| error(start, "unterminated raw quoted string"))?;
                i += end + 2;
                Token::Str(body[start + 1..i - 1].to_owned(), body[start..i].to_owned())
            }
            b'\'' => {
                let close = body[i + 1..]
                    .char_indices()
                    .find(|(j, c)| *c == '\'' && !body[i + 1..i + 1 + j].ends_with('\\'))
                    .map(|(j, _)| i + 1 + j)
                    .filter(|close| !body[i..*close].contains('\n'))
                    .ok_or_else(|| error(start, "unterminated character constant"))?;
                i = close + 1;
                let text = &body[start..i];
                if super::exec::number(text).is_err() {
                    return Err(error(
                        start,
                        &format!("malformed character constant: {text}"),
                    ));
                }
                Token::Number(text.to_owned())
            }
            b'0'..=b'9' | b'-' | b'+' => {
                i = number_end(bytes, i);
                let text = &body[start..i];
                if let Err(message) = super::exec::number(text) {
                    let digits = text.trim_start_matches(['-', '+']).replace('_', "");
                    let decimal = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
                    if !decimal {
                        return Err(error(start, &message));
                    }
                    if digits.parse::<u64>().is_err() {
                        return Err(error(start, &format!("integer overflow: {text:?}")));
                    }
                }
                Token::Number(text.to_owned())
            }
            b if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => {
                i = word_end(i);
                Token::Ident(body[start..i].to_owned())
            }
            _ => {
                let c = body[i..].chars().next().unwrap_or('?');
                return Err(error(start, &format!("unexpected {c:?} in command")));
            }
        };
        let spaced = start == 0 || bytes[start - 1].is_ascii_whitespace();
        tokens.push(Tok {
            pos: pos + start,
            token,
            text: body[start..i].to_owned(),
            spaced,
        });
    }
    Ok(tokens)
}

/// Go's `scanNumber`: where a number starting at `start` ends (a letter or digit right after it
/// makes it bad syntax, which the caller reports).
fn number_end(bytes: &[u8], start: usize) -> usize {
    let mut j = start;
    if matches!(bytes.get(j), Some(b'+' | b'-')) {
        j += 1;
    }
    let lower = |j: usize| bytes.get(j).map(u8::to_ascii_lowercase);
    let mut digits: &[u8] = b"0123456789_";
    let mut exponent = b'e';
    if bytes.get(j) == Some(&b'0') {
        match lower(j + 1) {
            Some(b'x') => {
                j += 2;
                digits = b"0123456789abcdefABCDEF_";
                exponent = b'p';
            }
            Some(b'o') => {
                j += 2;
                digits = b"01234567_";
            }
            Some(b'b') => {
                j += 2;
                digits = b"01_";
            }
            _ => {}
        }
    }
    let run = |mut j: usize| {
        while bytes.get(j).is_some_and(|b| digits.contains(b)) {
            j += 1;
        }
        j
    };
    j = run(j);
    if bytes.get(j) == Some(&b'.') {
        j = run(j + 1);
    }
    if digits.len() > 3 && lower(j) == Some(exponent) {
        j += 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        while bytes
            .get(j)
            .is_some_and(|b| b.is_ascii_digit() || *b == b'_')
        {
            j += 1;
        }
    }
    if bytes.get(j) == Some(&b'i') {
        j += 1;
    }
    if bytes.get(j).is_some_and(u8::is_ascii_alphanumeric) {
        j += 1;
    }
    j
}

/// A Go interpreted string literal at `start`: its value and the offset after its closing quote.
fn quoted(body: &str, start: usize) -> Option<(String, usize)> {
    let mut value = String::new();
    let mut chars = body[start + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, start + 1 + i + 1)),
            '\n' => return None,
            '\\' => {
                let (_, escaped) = chars.next()?;
                match escaped {
                    'n' => value.push('\n'),
                    't' => value.push('\t'),
                    'r' => value.push('\r'),
                    'a' => value.push('\u{7}'),
                    'b' => value.push('\u{8}'),
                    'f' => value.push('\u{c}'),
                    'v' => value.push('\u{b}'),
                    '\\' | '"' | '\'' => value.push(escaped),
                    'x' | 'u' | 'U' => {
                        let digits = match escaped {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let hex: String = (0..digits)
                            .filter_map(|_| chars.next().map(|(_, c)| c))
                            .collect();
                        let code = u32::from_str_radix(&hex, 16).ok()?;
                        value.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    }
                    '0'..='7' => {
                        let rest: String = (0..2)
                            .filter_map(|_| chars.next().map(|(_, c)| c))
                            .collect();
                        let code = u32::from_str_radix(&format!("{escaped}{rest}"), 8).ok()?;
                        value.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    }
                    _ => return None,
                }
            }
            c => value.push(c),
        }
    }
    None
}
