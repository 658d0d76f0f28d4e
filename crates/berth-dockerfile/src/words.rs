//! The small splitters of BuildKit's line parsers (`parser/line_parsers.go`,
//! `parser/split_command.go`): they run before any variable expansion.

/// BuildKit's `reWhitespace`: `[\t\v\f\r ]+`.
pub(crate) fn is_re_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

/// `reWhitespace.Split(s, -1)`: every piece, empty ones included.
pub(crate) fn split_re_whitespace(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = s;
    loop {
        match rest.find(is_re_whitespace) {
            Some(start) => {
                parts.push(rest[..start].to_owned());
                let tail = &rest[start..];
                let len = tail.find(|c| !is_re_whitespace(c)).unwrap_or(tail.len());
                rest = &tail[len..];
            }
            None => {
                parts.push(rest.to_owned());
                return parts;
            }
        }
    }
}

/// `reWhitespace.Split(s, 2)`.
pub(crate) fn split2_re_whitespace(s: &str) -> (String, Option<String>) {
    match s.find(is_re_whitespace) {
        Some(start) => {
            let tail = &s[start..];
            let len = tail.find(|c| !is_re_whitespace(c)).unwrap_or(tail.len());
            (s[..start].to_owned(), Some(tail[len..].to_owned()))
        }
        None => (s.to_owned(), None),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Spaces,
    Word,
    Quote,
}

/// BuildKit's `parseWords`: words split at spaces, quotes and escapes kept in the words (they
/// are removed later, by the expansion).
pub(crate) fn parse_words(rest: &str, escape: char) -> Vec<String> {
    let chars: Vec<char> = rest.chars().collect();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut word = String::new();
    let mut pos = 0;
    loop {
        let at_end = pos == chars.len();
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if chars[pos].is_whitespace() {
                pos += 1;
                continue;
            }
            phase = Phase::Word;
        }
        if at_end {
            if blank_ok || !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            break;
        }
        let mut ch = chars[pos];
        if phase == Phase::Word {
            if ch.is_whitespace() {
                phase = Phase::Spaces;
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                word.clear();
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if ch == escape {
                if pos + 1 == chars.len() {
                    pos += 1;
                    continue;
                }
                word.push(ch);
                pos += 1;
                ch = chars[pos];
            }
            word.push(ch);
            pos += 1;
            continue;
        }
        // In quotes.
        if ch == quote {
            phase = Phase::Word;
        }
        if ch == escape && quote != '\'' {
            if pos + 1 == chars.len() {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            pos += 1;
            word.push(ch);
            ch = chars[pos];
        }
        word.push(ch);
        pos += 1;
    }
    words
}

/// BuildKit's `extractBuilderFlags`: the leading `--flag` words and the rest of the line.
///
/// Like BuildKit, this walks bytes and turns each byte into a character, so a flag value with
/// non-ASCII text comes out as its bytes read as Latin-1.
pub(crate) fn extract_builder_flags(
    line: &str,
    escape: char,
) -> (std::borrow::Cow<'_, str>, Vec<String>) {
    let bytes = line.as_bytes();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut pos = 0;
    while pos <= bytes.len() {
        let at_end = pos == bytes.len();
        let mut ch = if at_end { '\0' } else { char::from(bytes[pos]) };
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if is_go_space_byte(bytes[pos]) {
                pos += 1;
                continue;
            }
            if ch != '-' || pos + 1 == bytes.len() || bytes[pos + 1] != b'-' {
                return (lossy_tail(line, pos), words);
            }
            phase = Phase::Word;
        }
        if at_end {
            if word != "--" && (blank_ok || !word.is_empty()) {
                words.push(word);
            }
            break;
        }
        if phase == Phase::Word {
            if is_go_space_byte(bytes[pos]) {
                phase = Phase::Spaces;
                if word == "--" {
                    return (lossy_tail(line, pos), words);
                }
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                word.clear();
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                pos += 1;
                continue;
            }
            if escape.is_ascii() && bytes[pos] == escape as u8 {
                if pos + 1 == bytes.len() {
                    pos += 1;
                    continue;
                }
                pos += 1;
                ch = char::from(bytes[pos]);
            }
            word.push(ch);
            pos += 1;
            continue;
        }
        // In quotes.
        if ch == quote {
            phase = Phase::Word;
            pos += 1;
            continue;
        }
        if escape.is_ascii() && bytes[pos] == escape as u8 {
            if pos + 1 == bytes.len() {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            pos += 1;
            ch = char::from(bytes[pos]);
        }
        word.push(ch);
        pos += 1;
    }
    (std::borrow::Cow::Borrowed(""), words)
}

/// Go's `unicode.IsSpace` on a single byte turned into a rune, as `extractBuilderFlags` calls it.
fn is_go_space_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
}

/// `line[pos:]` as Go slices it: `pos` may fall inside a UTF-8 sequence after a 0x85 or 0xA0
/// continuation byte was taken for a space.
fn lossy_tail(line: &str, pos: usize) -> std::borrow::Cow<'_, str> {
    match line.get(pos..) {
        Some(tail) => std::borrow::Cow::Borrowed(tail),
        None => String::from_utf8_lossy(&line.as_bytes()[pos..]),
    }
}

/// Why a JSON array was not taken.
pub(crate) enum JsonError {
    /// Not JSON, or not an array: the instruction is in shell form.
    NotJson,
    /// A JSON array with something other than strings: an error.
    NotStringArray,
}

/// BuildKit's `parseJSON`: `rest` as a JSON array of strings.
pub(crate) fn parse_json(rest: &str) -> Result<Vec<String>, JsonError> {
    let rest = rest.trim_start();
    if !rest.starts_with('[') {
        return Err(JsonError::NotJson);
    }
    let values: Vec<serde_json::Value> = match serde_json::from_str(rest) {
        Ok(values) => values,
        // Go decodes any depth; serde_json stops at 128 nested arrays, which can only be an
        // array of non-strings.
        Err(err) if err.to_string().contains("recursion limit") => {
            return Err(JsonError::NotStringArray)
        }
        Err(_) => return Err(JsonError::NotJson),
    };
    values
        .into_iter()
        .map(|value| match value {
            serde_json::Value::String(s) => Ok(s),
            _ => Err(JsonError::NotStringArray),
        })
        .collect()
}
