//! The small pieces of the Dockerfile language that `--change` needs: splitting words the way
//! BuildKit's parser does, shell-word processing (quotes, escapes, `$VAR`), Go durations
//! and signal names.

/// Splits on unquoted whitespace, keeping quotes and backslashes in the words
/// (BuildKit `parseWords`); they are removed later by [`process_word`].
pub(crate) fn split_words(input: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut chars = input.chars();
    while let Some(ch) = chars.next() {
        match (quote, ch) {
            (None, c) if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            (_, '\\') if quote != Some('\'') => {
                word.push(ch);
                if let Some(next) = chars.next() {
                    word.push(next);
                }
            }
            (None, '\'' | '"') => {
                quote = Some(ch);
                word.push(ch);
            }
            (Some(open), c) if c == open => {
                quote = None;
                word.push(ch);
            }
            _ => word.push(ch),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Shell-word processing as the Dockerfile lexer does it: removes quotes, applies backslash
/// escapes, and expands `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR:+alternative}` from
/// `env` (`KEY=value` entries; unknown variables expand to nothing; nothing inside single quotes).
pub(crate) fn process_word(word: &str, env: &[String]) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let ch = chars[i];
        match (quote, ch) {
            (Some('\''), '\'') | (Some('"'), '"') => quote = None,
            (Some('\''), c) => out.push(c),
            (None, '\'' | '"') => quote = Some(ch),
            (None, '\\') => {
                if let Some(&next) = chars.get(i + 1) {
                    out.push(next);
                    i += 1;
                }
            }
            (Some('"'), '\\') => match chars.get(i + 1) {
                Some(&next @ ('"' | '\\' | '$')) => {
                    out.push(next);
                    i += 1;
                }
                _ => out.push('\\'),
            },
            (_, '$') => {
                let (value, used) = expand(&chars[i + 1..], env);
                out.push_str(&value);
                i += used;
            }
            (_, c) => out.push(c),
        }
        i += 1;
    }
    out
}

/// Expands the variable reference after a `$`; returns the value and how many chars it used.
fn expand(rest: &[char], env: &[String]) -> (String, usize) {
    let is_name = |c: &char| c.is_ascii_alphanumeric() || *c == '_';
    if rest.first() == Some(&'{') {
        let Some(close) = rest.iter().position(|&c| c == '}') else {
            return ("$".to_owned(), 0);
        };
        let inner: String = rest[1..close].iter().collect();
        let set = |name: &str| lookup(name, env).filter(|v| !v.is_empty());
        let value = match inner.split_once(':') {
            Some((name, op)) => match (op.strip_prefix('-'), op.strip_prefix('+')) {
                (Some(default), _) => set(name).unwrap_or_else(|| process_word(default, env)),
                (_, Some(alternative)) => set(name)
                    .map(|_| process_word(alternative, env))
                    .unwrap_or_default(),
                _ => lookup(name, env).unwrap_or_default(),
            },
            None => lookup(&inner, env).unwrap_or_default(),
        };
        return (value, close + 1);
    }
    let name: String = rest.iter().take_while(|c| is_name(c)).collect();
    if name.is_empty() {
        return ("$".to_owned(), 0);
    }
    let used = name.chars().count();
    (lookup(&name, env).unwrap_or_default(), used)
}

fn lookup(name: &str, env: &[String]) -> Option<String> {
    env.iter().rev().find_map(|entry| {
        let (key, value) = entry.split_once('=').unwrap_or((entry, ""));
        (key == name).then(|| value.to_owned())
    })
}

/// Lexical `path.Clean` for absolute paths (Go semantics: `/a/./b/../c` -> `/a/c`).
pub fn clean_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}
