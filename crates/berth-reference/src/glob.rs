//! Go's `path.Match`, the glob behind `docker images --filter reference=PATTERN`.
//!
//! ```text
//! pattern         := term*
//! term            := '*'                   any run of non-'/' bytes
//!                  | '?'                   one non-'/' character
//!                  | '[' '^'? range+ ']'   a character class
//!                  | c | '\\' c            a literal
//! range           := c | '\\' c | lo '-' hi
//! ```
//!
//! It works on bytes like Go (literals compare one byte at a time; `?` and classes consume one
//! UTF-8 character, or one byte of invalid UTF-8). A malformed pattern is an error even when the
//! name fails to match before the malformed part is reached, as in Go since 1.16.

/// The pattern is malformed (Go's `path.ErrBadPattern`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadPattern;

/// Reports whether all of `name` matches `pattern`: Go's `path.Match`, which is also
/// `filepath.Match` on Unix (`.dockerignore` patterns are checked with it).
pub fn path_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let mut pattern = pattern.as_bytes();
    let mut name = name.as_bytes();
    'pattern: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing star matches the rest of the name unless it has a '/'.
            return Ok(!name.contains(&b'/'));
        }
        // Look for a match at the current position; the last chunk must consume the whole name.
        let (matched, error) = match match_chunk(chunk, name) {
            Ok(Some(after)) => (Some(after), None),
            Ok(None) => (None, None),
            Err(error) => (None, Some(error)),
        };
        if let Some(after) = matched {
            if after.is_empty() || !pattern.is_empty() {
                name = after;
                continue;
            }
        }
        if let Some(error) = error {
            return Err(error);
        }
        if star {
            // Let the star swallow i+1 bytes, never a '/'.
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                if let Some(after) = match_chunk(chunk, &name[i + 1..])? {
                    if pattern.is_empty() && !after.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = after;
                    continue 'pattern;
                }
                i += 1;
            }
        }
        // No match: still report a syntax error anywhere in the rest of the pattern.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, b"")?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Splits off the next chunk: a run of stars (reported as `star`), then everything up to the
/// next star that is outside a character class.
fn scan_chunk(pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let unstarred = trim_stars(pattern);
    let star = unstarred.len() < pattern.len();
    let mut in_range = false;
    let mut i = 0;
    while i < unstarred.len() {
        match unstarred[i] {
            // A trailing backslash is reported by `match_chunk`.
            b'\\' if i + 1 < unstarred.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => return (star, &unstarred[..i], &unstarred[i..]),
            _ => {}
        }
        i += 1;
    }
    (star, unstarred, b"")
}

fn trim_stars(mut pattern: &[u8]) -> &[u8] {
    while let [b'*', rest @ ..] = pattern {
        pattern = rest;
    }
    pattern
}

/// Matches `chunk` (no stars) at the start of `s`, returning what follows the match. After a
/// mismatch it keeps reading the chunk, only to find syntax errors.
fn match_chunk<'s>(mut chunk: &[u8], mut s: &'s [u8]) -> Result<Option<&'s [u8]>, BadPattern> {
    let mut failed = false;
    while let Some(&first) = chunk.first() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match first {
            b'[' => {
                let mut c = 0;
                if !failed {
                    let (decoded, len) = decode_char(s);
                    c = decoded;
                    s = &s[len..];
                }
                chunk = &chunk[1..];
                let negated = chunk.first() == Some(&b'^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut class_matched = false;
                let mut ranges = 0;
                loop {
                    if chunk.first() == Some(&b']') && ranges > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, after_lo) = class_char(chunk)?;
                    chunk = after_lo;
                    let mut hi = lo;
                    if chunk.first() == Some(&b'-') {
                        let (high, after_hi) = class_char(&chunk[1..])?;
                        hi = high;
                        chunk = after_hi;
                    }
                    if lo <= c && c <= hi {
                        class_matched = true;
                    }
                    ranges += 1;
                }
                if class_matched == negated {
                    failed = true;
                }
            }
            b'?' => {
                if !failed {
                    if s[0] == b'/' {
                        failed = true;
                    }
                    s = &s[decode_char(s).1..];
                }
                chunk = &chunk[1..];
            }
            _ => {
                if first == b'\\' {
                    chunk = &chunk[1..];
                    if chunk.is_empty() {
                        return Err(BadPattern);
                    }
                }
                if !failed {
                    if chunk[0] != s[0] {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    Ok(if failed { None } else { Some(s) })
}

/// Go's `getEsc`: one possibly escaped character of a class, which must not be the last byte.
fn class_char(chunk: &[u8]) -> Result<(u32, &[u8]), BadPattern> {
    let chunk = match chunk {
        [] | [b'-' | b']', ..] | [b'\\'] => return Err(BadPattern),
        [b'\\', rest @ ..] => rest,
        _ => chunk,
    };
    let (c, len) = decode_char(chunk);
    let rest = &chunk[len..];
    if (c == u32::from(char::REPLACEMENT_CHARACTER) && len == 1) || rest.is_empty() {
        return Err(BadPattern);
    }
    Ok((c, rest))
}

/// Go's `utf8.DecodeRuneInString`: the first character and its length, or U+FFFD and 1 for a
/// byte that does not start valid UTF-8. `s` must not be empty.
fn decode_char(s: &[u8]) -> (u32, usize) {
    for len in 1..=s.len().min(4) {
        if let Ok(text) = std::str::from_utf8(&s[..len]) {
            if let Some(c) = text.chars().next() {
                return (u32::from(c), len);
            }
        }
    }
    (u32::from(char::REPLACEMENT_CHARACTER), 1)
}
