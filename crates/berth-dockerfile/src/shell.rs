//! Variable expansion and word splitting, as BuildKit's shell lexer does them
//! (`frontend/dockerfile/shell/lex.go`).
//!
//! This is not a shell: there is no command substitution, no globbing, no arithmetic. It reads
//! quotes, the escape character and `$` expansions, in one pass, the way BuildKit does, quirks
//! included (the words of a nested `${v:-w}` share one buffer with the outer word, as they do
//! in BuildKit).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::pattern::{self, ShellPattern};
use crate::Error;

/// How deeply `${...}` may nest. BuildKit (Go, with growable stacks) has no limit; berth stops
/// here rather than exhaust its stack on a hostile line.
pub const MAX_NESTING: usize = 200;

/// Where the lexer looks variables up.
pub trait Vars {
    /// The value of `name`, or `None` when it is not set (set but empty is `Some("")`).
    fn var(&self, name: &str) -> Option<&str>;
}

impl Vars for BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

impl<S: std::hash::BuildHasher> Vars for HashMap<String, String, S> {
    fn var(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

impl Vars for [(String, String)] {
    /// The last pair of that name wins, as in an environment list.
    fn var(&self, name: &str) -> Option<&str> {
        self.iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

impl Vars for Vec<(String, String)> {
    fn var(&self, name: &str) -> Option<&str> {
        self.as_slice().var(name)
    }
}

/// No variables at all.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoVars;

impl Vars for NoVars {
    fn var(&self, _name: &str) -> Option<&str> {
        None
    }
}

/// The result of one expansion.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expansion {
    /// The expanded word, quotes removed, inner spaces kept.
    pub word: String,
    /// The expanded text split into words (spaces from variables split, quoted ones do not).
    pub words: Vec<String>,
    /// The variables that were looked up and found.
    pub matched: BTreeSet<String>,
    /// The variables that were looked up and not found.
    pub unmatched: BTreeSet<String>,
}

/// BuildKit's shell lexer with its options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lexer {
    /// The escape character: `\` or, after `# escape=``, the backtick.
    pub escape: char,
    /// Keep quote characters in the result.
    pub raw_quotes: bool,
    /// Keep escape characters in the result.
    pub raw_escapes: bool,
    /// Treat quotes as ordinary characters (heredoc contents).
    pub skip_process_quotes: bool,
    /// Leave a reference to an unset variable as it was written.
    pub skip_unset_env: bool,
}

impl Lexer {
    /// The lexer BuildKit uses for instructions, with the given escape character.
    pub fn new(escape: char) -> Lexer {
        Lexer {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_process_quotes: false,
            skip_unset_env: false,
        }
    }

    /// Expands `word` with `vars` (BuildKit's `ProcessWord` and `ProcessWords` in one).
    pub fn process(&self, word: &str, vars: &dyn Vars) -> Result<Expansion, Error> {
        let mut state = State {
            lexer: *self,
            chars: word.chars().collect(),
            pos: 0,
            vars,
            raw_escapes: self.raw_escapes,
            depth: 0,
            words_buffer: String::new(),
            matched: BTreeSet::new(),
            unmatched: BTreeSet::new(),
        };
        match state.process_stop_on(None, self.raw_escapes) {
            Ok((result, words)) => Ok(Expansion {
                word: result,
                words,
                matched: state.matched,
                unmatched: state.unmatched,
            }),
            Err(message) => Err(Error::Expansion {
                word: word.to_owned(),
                message,
            }),
        }
    }

    /// The expanded word (BuildKit's `ProcessWord`).
    pub fn word(&self, word: &str, vars: &dyn Vars) -> Result<String, Error> {
        self.process(word, vars).map(|expansion| expansion.word)
    }

    /// The expanded, split words (BuildKit's `ProcessWords`).
    pub fn words(&self, word: &str, vars: &dyn Vars) -> Result<Vec<String>, Error> {
        self.process(word, vars).map(|expansion| expansion.words)
    }
}

struct State<'a> {
    lexer: Lexer,
    chars: Vec<char>,
    pos: usize,
    vars: &'a dyn Vars,
    raw_escapes: bool,
    /// Nesting of `${...}`.
    depth: usize,
    /// One buffer for the word being built, shared by nested calls as in BuildKit.
    words_buffer: String,
    matched: BTreeSet<String>,
    unmatched: BTreeSet<String>,
}

/// The words of one `process_stop_on` call; the word in progress lives in the shared buffer.
#[derive(Default)]
struct Words {
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, buffer: &mut String, ch: char) {
        if ch.is_whitespace() && self.in_word {
            if !buffer.is_empty() {
                self.words.push(std::mem::take(buffer));
                self.in_word = false;
            }
        } else if !ch.is_whitespace() {
            self.add_raw_char(buffer, ch);
        }
    }

    fn add_raw_char(&mut self, buffer: &mut String, ch: char) {
        buffer.push(ch);
        self.in_word = true;
    }

    fn add_string(&mut self, buffer: &mut String, s: &str) {
        for ch in s.chars() {
            self.add_char(buffer, ch);
        }
    }

    fn add_raw_string(&mut self, buffer: &mut String, s: &str) {
        buffer.push_str(s);
        self.in_word = true;
    }

    fn finish(mut self, buffer: &mut String) -> Vec<String> {
        if !buffer.is_empty() {
            self.words.push(std::mem::take(buffer));
        }
        self.words
    }
}

type Lexed<T> = Result<T, String>;

impl State<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let ch = self.chars.get(self.pos).copied();
        if ch.is_some() {
            self.pos += 1;
        }
        ch
    }

    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Lexed<(String, Vec<String>)> {
        let mut result = String::new();
        self.words_buffer.clear();
        let mut words = Words::default();
        let saved = self.raw_escapes;
        self.raw_escapes = raw_escapes;
        let outcome = self.stop_on_loop(stop, &mut result, &mut words);
        self.raw_escapes = saved;
        outcome?;
        let mut buffer = std::mem::take(&mut self.words_buffer);
        let words = words.finish(&mut buffer);
        self.words_buffer = buffer;
        Ok((result, words))
    }

    fn stop_on_loop(
        &mut self,
        stop: Option<char>,
        result: &mut String,
        words: &mut Words,
    ) -> Lexed<()> {
        while let Some(ch) = self.peek() {
            if stop == Some(ch) {
                self.next();
                return Ok(());
            }
            let special = match ch {
                '$' => Some(self.process_dollar()),
                '<' => Some(Ok(self.process_possible_heredoc())),
                '\'' if !self.lexer.skip_process_quotes => Some(self.process_single_quote()),
                '"' if !self.lexer.skip_process_quotes => Some(self.process_double_quote()),
                _ => None,
            };
            if let Some(text) = special {
                let text = text?;
                result.push_str(&text);
                let mut buffer = std::mem::take(&mut self.words_buffer);
                if ch == '$' {
                    words.add_string(&mut buffer, &text);
                } else {
                    words.add_raw_string(&mut buffer, &text);
                }
                self.words_buffer = buffer;
                continue;
            }
            self.next();
            let mut ch = ch;
            let mut buffer = std::mem::take(&mut self.words_buffer);
            if ch == self.lexer.escape {
                if self.raw_escapes {
                    words.add_raw_char(&mut buffer, ch);
                    result.push(ch);
                }
                match self.next() {
                    None => {
                        self.words_buffer = buffer;
                        break;
                    }
                    Some(escaped) => ch = escaped,
                }
                words.add_raw_char(&mut buffer, ch);
            } else {
                words.add_char(&mut buffer, ch);
            }
            self.words_buffer = buffer;
            result.push(ch);
        }
        match stop {
            Some(stop) => Err(format!(
                "unexpected end of statement while looking for matching {stop}"
            )),
            None => Ok(()),
        }
    }

    fn process_single_quote(&mut self) -> Lexed<String> {
        let mut result = String::new();
        let open = self.next();
        if self.lexer.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .into(),
                    )
                }
                Some('\'') => {
                    if self.lexer.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(ch) => result.push(ch),
            }
        }
    }

    fn process_double_quote(&mut self) -> Lexed<String> {
        let mut result = String::new();
        let open = self.next();
        if self.lexer.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .into(),
                    )
                }
                Some('"') => {
                    self.next();
                    if self.lexer.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let value = self.process_dollar()?;
                    result.push_str(&value);
                }
                Some(_) => {
                    let mut ch = self.next().unwrap_or_default();
                    if ch == self.lexer.escape {
                        if self.raw_escapes {
                            result.push(ch);
                        }
                        match self.peek() {
                            None => continue,
                            Some(next)
                                if next == '"' || next == '$' || next == self.lexer.escape =>
                            {
                                self.next();
                                ch = next;
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    fn process_possible_heredoc(&mut self) -> String {
        self.next();
        if self.peek() != Some('<') {
            return "<".into();
        }
        self.next();
        let mut result = String::from("<<");
        while let Some(ch) = self.peek() {
            if !matches!(ch, '\t' | '\r' | ' ') {
                break;
            }
            result.push(ch);
            self.next();
        }
        result
    }

    fn lookup(&mut self, name: &str) -> Option<String> {
        if let Some(value) = self.vars.var(name) {
            self.matched.insert(name.to_owned());
            Some(value.to_owned())
        } else {
            self.unmatched.insert(name.to_owned());
            None
        }
    }

    fn process_dollar(&mut self) -> Lexed<String> {
        if self.depth >= MAX_NESTING {
            return Err(format!(
                "syntax error: more than {MAX_NESTING} nested substitutions"
            ));
        }
        self.depth += 1;
        let result = self.process_dollar_inner();
        self.depth -= 1;
        result
    }

    fn process_dollar_inner(&mut self) -> Lexed<String> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(match self.lookup(&name) {
                Some(value) => value,
                None if self.lexer.skip_unset_env => format!("${name}"),
                None => String::new(),
            });
        }
        self.next();
        match self.peek() {
            None => return Err("syntax error: missing '}'".into()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".into()),
            Some(_) => {}
        }
        let name = self.process_name();
        let mut ch = self.next().unwrap_or('\u{fffd}');
        let mut modifier = String::from(ch);
        let mut null_is_unset = false;
        match ch {
            '}' => Ok(match self.lookup(&name) {
                Some(value) => value,
                None if self.lexer.skip_unset_env => format!("${{{name}}}"),
                None => String::new(),
            }),
            ':' | '+' | '-' | '?' | '#' | '%' => {
                if ch == ':' {
                    null_is_unset = true;
                    ch = self.next().unwrap_or('\u{fffd}');
                    modifier.push(ch);
                }
                let raw_escapes = ch == '#' || ch == '%';
                if null_is_unset && raw_escapes {
                    return Err(format!("unsupported modifier ({modifier}) in substitution"));
                }
                let word =
                    self.stop_on_or_missing('}', raw_escapes, "syntax error: missing '}'")?;
                let value = self.lookup(&name);
                if self.lexer.skip_unset_env && value.is_none() {
                    return Ok(format!("${{{name}{modifier}{word}}}"));
                }
                let empty = value.as_deref().is_none_or(str::is_empty);
                let unset = value.is_none() || (null_is_unset && empty);
                match ch {
                    '-' => Ok(if unset {
                        word
                    } else {
                        value.unwrap_or_default()
                    }),
                    '+' => Ok(if unset { String::new() } else { word }),
                    '?' => {
                        let default = match value {
                            None => "is not allowed to be unset",
                            Some(ref v) if null_is_unset && v.is_empty() => {
                                "is not allowed to be empty"
                            }
                            Some(v) => return Ok(v),
                        };
                        let message = if word.is_empty() {
                            default
                        } else {
                            word.as_str()
                        };
                        Err(format!("{name}: {message}"))
                    }
                    '%' | '#' => {
                        let (greedy, word) = match word.strip_prefix(ch) {
                            Some(rest) => (true, rest.to_owned()),
                            None => (false, word),
                        };
                        let value = value.unwrap_or_default();
                        if ch == '%' {
                            pattern::trim_suffix(&word, &value, greedy)
                        } else {
                            pattern::trim_prefix(&word, &value, greedy)
                        }
                    }
                    _ => Err(format!("unsupported modifier ({modifier}) in substitution")),
                }
            }
            '/' => {
                let replace_all = self.peek() == Some('/');
                if replace_all {
                    self.next();
                }
                let pattern_text =
                    self.stop_on_or_missing('/', true, "syntax error: missing '/' in ${}")?;
                let replacement =
                    self.stop_on_or_missing('}', true, "syntax error: missing '}'")?;
                let value = self.lookup(&name);
                if self.lexer.skip_unset_env && value.is_none() {
                    return Ok(format!("${{{name}/{pattern_text}/{replacement}}}"));
                }
                let compiled = ShellPattern::compile(&pattern_text, true).map_err(|err| {
                    format!("invalid pattern ({pattern_text}) in substitution: {err}")
                })?;
                let value = value.unwrap_or_default();
                Ok(if replace_all {
                    compiled.replace_all(&value, &replacement)
                } else {
                    compiled.replace_first(&value, &replacement)
                })
            }
            _ => Err(format!("unsupported modifier ({modifier}) in substitution")),
        }
    }

    fn stop_on_or_missing(
        &mut self,
        stop: char,
        raw_escapes: bool,
        missing: &str,
    ) -> Lexed<String> {
        match self.process_stop_on(Some(stop), raw_escapes) {
            Ok((word, _)) => Ok(word),
            Err(_) if self.peek().is_none() => Err(missing.into()),
            Err(err) => Err(err),
        }
    }

    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && is_digit(ch) {
                while let Some(digit) = self.peek().filter(|c| is_digit(*c)) {
                    self.next();
                    name.push(digit);
                }
                return name;
            }
            if name.is_empty() && is_special_param(ch) {
                self.next();
                return ch.into();
            }
            if !ch.is_alphabetic() && !is_digit(ch) && ch != '_' {
                break;
            }
            self.next();
            name.push(ch);
        }
        name
    }
}

/// Go's `unicode.IsDigit` for the ASCII digits; other scripts' decimal digits as Rust knows them.
fn is_digit(ch: char) -> bool {
    ch.is_ascii_digit() || (!ch.is_ascii() && ch.is_numeric())
}

/// POSIX special parameters (`$@`, `$*`, `$#`, ...): a one-character name.
fn is_special_param(ch: char) -> bool {
    matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}
