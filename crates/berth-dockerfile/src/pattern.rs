//! The shell patterns of `${v#p}`, `${v%p}` and `${v/p/r}`, matched as BuildKit matches them:
//! BuildKit turns the pattern into a Go regular expression (`*` is `.*` or `.*?`, `?` is `.`,
//! no bracket expressions) and uses Go's leftmost-first matching. Like Go's `.`, neither `*` nor
//! `?` matches a newline.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Star,
    Any,
    Literal(char),
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub(crate) struct ShellPattern {
    tokens: Vec<Token>,
    greedy: bool,
}

impl ShellPattern {
    /// Compiles `pattern`; the error is the one BuildKit gives for a bad escape.
    pub(crate) fn compile(pattern: &str, greedy: bool) -> Result<ShellPattern, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::with_capacity(chars.len());
        let mut i = 0;
        while i < chars.len() {
            let ch = chars[i];
            i += 1;
            match ch {
                '*' => tokens.push(Token::Star),
                '?' => tokens.push(Token::Any),
                '\\' => {
                    // `\}` and `\/` only escape the `${}` syntax; the backslash is not part of
                    // the pattern.
                    if matches!(chars.get(i), Some('}' | '/')) {
                        continue;
                    }
                    let escaped = chars.get(i).copied();
                    i += 1;
                    match escaped {
                        Some(c @ ('*' | '?' | '\\')) => tokens.push(Token::Literal(c)),
                        other => {
                            return Err(format!(
                                "invalid escape '\\{}'",
                                other.unwrap_or('\u{fffd}')
                            ))
                        }
                    }
                }
                c => tokens.push(Token::Literal(c)),
            }
        }
        Ok(ShellPattern { tokens, greedy })
    }

    /// The end of the first match anchored at `start`, in Go's priority order: a depth-first
    /// search over the choices of each `*` (longest first when greedy), with an explicit stack so a
    /// long pattern cannot exhaust the thread's stack, and a memory of dead ends.
    fn match_at(&self, text: &[char], start: usize) -> Option<usize> {
        let mut failed = std::collections::HashSet::new();
        // (token, position, next choice)
        let mut stack = vec![(0usize, start, 0usize)];
        while let Some(frame) = stack.last_mut() {
            let (token, pos, choice) = *frame;
            let Some(current) = self.tokens.get(token) else {
                return Some(pos);
            };
            let next_pos = match current {
                Token::Literal(c) => (choice == 0 && text.get(pos) == Some(c)).then_some(pos + 1),
                Token::Any => {
                    (choice == 0 && text.get(pos).is_some_and(|c| *c != '\n')).then_some(pos + 1)
                }
                Token::Star => {
                    let longest = text[pos..].iter().take_while(|c| **c != '\n').count();
                    (choice <= longest).then(|| {
                        if self.greedy {
                            pos + longest - choice
                        } else {
                            pos + choice
                        }
                    })
                }
            };
            frame.2 += 1;
            match next_pos {
                Some(next) if !failed.contains(&(token + 1, next)) => {
                    stack.push((token + 1, next, 0));
                }
                Some(_) => {}
                None => {
                    failed.insert((token, pos));
                    stack.pop();
                }
            }
        }
        None
    }

    /// The leftmost match at or after `from`, as (start, end) in chars.
    fn find(&self, text: &[char], from: usize) -> Option<(usize, usize)> {
        (from..=text.len()).find_map(|start| self.match_at(text, start).map(|end| (start, end)))
    }

    /// `${v/p/r}`: the first match replaced by `replacement`, taken literally.
    pub(crate) fn replace_first(&self, value: &str, replacement: &str) -> String {
        let text: Vec<char> = value.chars().collect();
        match self.find(&text, 0) {
            Some((start, end)) => {
                let mut out: String = text[..start].iter().collect();
                out.push_str(replacement);
                out.extend(&text[end..]);
                out
            }
            None => value.to_owned(),
        }
    }

    /// `${v//p/r}`: every match replaced as Go's `Regexp.ReplaceAllString` does, `$` expansion
    /// of the replacement included (there are no groups: `$0` is the match, any other name is
    /// empty, `$$` is a dollar).
    pub(crate) fn replace_all(&self, value: &str, replacement: &str) -> String {
        let text: Vec<char> = value.chars().collect();
        let mut out = String::new();
        let mut last_end = 0;
        let mut search = 0;
        while search <= text.len() {
            let Some((start, end)) = self.find(&text, search) else {
                break;
            };
            out.extend(&text[last_end..start]);
            if end > last_end || start == 0 {
                let matched: String = text[start..end].iter().collect();
                expand_template(&mut out, replacement, &matched);
            }
            last_end = end;
            search = if search + 1 > end { search + 1 } else { end };
        }
        if last_end < text.len() {
            out.extend(&text[last_end..]);
        }
        out
    }
}

/// Go's `Regexp.Expand` for a regexp without capture groups.
fn expand_template(out: &mut String, template: &str, matched: &str) {
    let mut rest = template;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        rest = &rest[dollar + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            out.push('$');
            rest = after;
            continue;
        }
        let (name, after) = if let Some(braced) = rest.strip_prefix('{') {
            match braced.find('}') {
                Some(close) if close > 0 && braced[..close].chars().all(is_name_char) => {
                    (&braced[..close], &braced[close + 1..])
                }
                _ => ("", rest),
            }
        } else {
            let len = rest.find(|c: char| !is_name_char(c)).unwrap_or(rest.len());
            (&rest[..len], &rest[len..])
        };
        if name.is_empty() {
            // Malformed: the dollar is kept as text.
            out.push('$');
            continue;
        }
        let is_zero =
            name.bytes().all(|b| b.is_ascii_digit()) && name.trim_start_matches('0').is_empty();
        if is_zero {
            out.push_str(matched);
        }
        rest = after;
    }
    out.push_str(rest);
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Reverses a pattern but keeps each `\x` escape in order (`a\*c` becomes `c\*a`).
fn reverse_pattern(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = vec!['\0'; chars.len()];
    let last = chars.len().wrapping_sub(1);
    let mut i = 0;
    while i < chars.len() {
        let out_index = last - i;
        if chars[i] == '\\' && i != last {
            out[out_index - 1] = '\\';
            out[out_index] = chars[i + 1];
            i += 2;
        } else {
            out[out_index] = chars[i];
            i += 1;
        }
    }
    out.into_iter().collect()
}

/// `${v#p}` and `${v##p}`.
pub(crate) fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let compiled = ShellPattern::compile(pattern, greedy)
        .map_err(|err| format!("invalid pattern ({pattern}) in substitution: {err}"))?;
    let text: Vec<char> = value.chars().collect();
    Ok(match compiled.match_at(&text, 0) {
        Some(end) => text[end..].iter().collect(),
        None => value.to_owned(),
    })
}

/// `${v%p}` and `${v%%p}`: a prefix trim of the reversed value with the reversed pattern.
pub(crate) fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let reversed_value: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reverse_pattern(pattern), &reversed_value, greedy)?;
    Ok(trimmed.chars().rev().collect())
}
