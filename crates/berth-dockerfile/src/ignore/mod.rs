//! `.dockerignore`, read as BuildKit reads it (moby's `ignorefile.ReadAll`) and matched as
//! moby's `patternmatcher` matches.
//!
//! ```
//! use berth_dockerfile::ignore::{read_patterns, Matcher};
//!
//! let patterns = read_patterns("# build output\n/target\n*.md\n!README.md\n**/*.tmp\n");
//! let matcher = Matcher::new(&patterns)?;
//! assert!(matcher.matches("target/debug/berth")?); // a parent directory matches
//! assert!(matcher.matches("CHANGELOG.md")?);
//! assert!(!matcher.matches("README.md")?); // the exception
//! assert!(matcher.matches("a/b/c.tmp")?);
//! # Ok::<(), berth_dockerfile::Error>(())
//! ```

mod path;
mod regex;

pub use path::clean;

use crate::Error;

/// The patterns of a `.dockerignore` (BuildKit's `ignorefile.ReadAll`): a UTF-8 BOM removed,
/// lines starting with `#` skipped, spaces trimmed, each pattern cleaned as a path, a leading
/// `/` removed, `!` kept in front of exceptions.
pub fn read_patterns(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut patterns = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        let mut pattern = line.trim();
        if pattern.is_empty() {
            continue;
        }
        let invert = pattern.starts_with('!');
        if invert {
            pattern = pattern[1..].trim();
        }
        let mut cleaned = String::new();
        if !pattern.is_empty() {
            cleaned = clean(pattern);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
        }
        if invert {
            cleaned.insert(0, '!');
        }
        patterns.push(cleaned);
    }
    patterns
}

/// Which ignore file a build reads: BuildKit takes `<Dockerfile path>.dockerignore` when it
/// exists (`build/Dockerfile.dev` reads `build/Dockerfile.dev.dockerignore`), else the
/// context's `.dockerignore`, else none. `exists` answers for a path relative to the context.
pub fn ignore_file_for(dockerfile: &str, exists: &dyn Fn(&str) -> bool) -> Option<String> {
    let specific = format!("{dockerfile}.dockerignore");
    if exists(&specific) {
        return Some(specific);
    }
    exists(".dockerignore").then(|| ".dockerignore".to_owned())
}

#[derive(Debug, Clone)]
struct Pattern {
    cleaned: String,
    dirs: usize,
    exclusion: bool,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Exact,
    Prefix,
    Suffix,
    Regex(Option<regex::Regex>),
}

/// A set of patterns, in order; a later pattern overrides an earlier one.
#[derive(Debug, Clone)]
pub struct Matcher {
    patterns: Vec<Pattern>,
    exclusions: bool,
}

impl Matcher {
    /// BuildKit's `patternmatcher.New`: each pattern trimmed, cleaned and checked with Go's
    /// `filepath.Match`.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Matcher, Error> {
        let mut out = Vec::new();
        let mut exclusions = false;
        for pattern in patterns {
            let pattern = pattern.as_ref().trim();
            if pattern.is_empty() {
                continue;
            }
            let mut pattern = clean(pattern);
            let mut exclusion = false;
            if pattern.starts_with('!') {
                if pattern.len() == 1 {
                    return Err(Error::IllegalExclusion);
                }
                exclusion = true;
                exclusions = true;
                pattern.remove(0);
            }
            // patternmatcher refuses what Go's `filepath.Match(pattern, ".")` calls malformed.
            if berth_reference::path_match(&pattern, ".").is_err() {
                return Err(Error::BadPattern { pattern });
            }
            let kind = compile(&pattern);
            out.push(Pattern {
                dirs: pattern.split('/').count(),
                cleaned: pattern,
                exclusion,
                kind,
            });
        }
        Ok(Matcher {
            patterns: out,
            exclusions,
        })
    }

    /// Whether any pattern is an exception (`!`): then a directory that matches must still be
    /// walked.
    pub fn has_exclusions(&self) -> bool {
        self.exclusions
    }

    /// BuildKit's `MatchesOrParentMatches`: whether `file` (relative, `/`-separated, clean) is
    /// ignored, by itself or through one of its parent directories.
    pub fn matches(&self, file: &str) -> Result<bool, Error> {
        let parent = path::dir(file);
        let parent_dirs: Vec<&str> = parent.split('/').collect();
        let mut matched = false;
        for pattern in &self.patterns {
            if pattern.exclusion != matched {
                continue;
            }
            let mut hit = pattern.matches(file)?;
            if !hit && parent != "." {
                for i in 0..parent_dirs.len() {
                    if pattern
                        .matches(&parent_dirs[..=i].join("/"))
                        .unwrap_or(false)
                    {
                        hit = true;
                        break;
                    }
                }
            }
            if hit {
                matched = !pattern.exclusion;
            }
        }
        Ok(matched)
    }

    /// Whether the last pattern that decides matches `file` itself, parents not tried
    /// (patternmatcher's `MatchesExact`, for tests).
    #[cfg(test)]
    pub(crate) fn patterns_match_path_only(&self, file: &str) -> bool {
        let mut matched = false;
        for pattern in &self.patterns {
            if pattern.exclusion != matched {
                continue;
            }
            if pattern.matches(file).unwrap_or(false) {
                matched = !pattern.exclusion;
            }
        }
        matched
    }

    /// BuildKit's older `Matches`: parents are only tried at the pattern's own depth.
    pub fn matches_at_depth(&self, file: &str) -> Result<bool, Error> {
        let parent = path::dir(file);
        let parent_dirs: Vec<&str> = parent.split('/').collect();
        let mut matched = false;
        for pattern in &self.patterns {
            if pattern.exclusion != matched {
                continue;
            }
            let mut hit = pattern.matches(file)?;
            if !hit && parent != "." && pattern.dirs <= parent_dirs.len() {
                hit = pattern
                    .matches(&parent_dirs[..pattern.dirs].join("/"))
                    .unwrap_or(false);
            }
            if hit {
                matched = !pattern.exclusion;
            }
        }
        Ok(matched)
    }
}

impl Pattern {
    fn matches(&self, path: &str) -> Result<bool, Error> {
        let bad = || Error::BadPattern {
            pattern: self.cleaned.clone(),
        };
        Ok(match &self.kind {
            Kind::Exact => path == self.cleaned,
            Kind::Prefix => path.starts_with(&self.cleaned[..self.cleaned.len() - 2]),
            Kind::Suffix => {
                let suffix = &self.cleaned[2..];
                path.ends_with(suffix) || (suffix.starts_with('/') && path == &suffix[1..])
            }
            Kind::Regex(Some(regex)) => regex.is_match(path),
            Kind::Regex(None) => return Err(bad()),
        })
    }
}

/// patternmatcher's `compile`: an exact, prefix (`dir/**`), suffix (`**/x`) or regex pattern.
fn compile(pattern: &str) -> Kind {
    #[derive(PartialEq)]
    enum Detected {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut source = String::from("^");
    let mut detected = Detected::Exact;
    let mut pos = 0;
    let mut index = 0;
    while pos < chars.len() {
        let ch = chars[pos];
        pos += 1;
        if ch == '*' {
            if chars.get(pos) == Some(&'*') {
                pos += 1;
                if chars.get(pos) == Some(&'/') {
                    pos += 1;
                }
                if pos == chars.len() {
                    if detected == Detected::Exact {
                        detected = Detected::Prefix;
                    } else {
                        source.push_str(".*");
                        detected = Detected::Regex;
                    }
                } else {
                    source.push_str("(.*/)?");
                    detected = Detected::Regex;
                }
                if index == 0 {
                    detected = Detected::Suffix;
                }
            } else {
                source.push_str("[^/]*");
                detected = Detected::Regex;
            }
        } else if ch == '?' {
            source.push_str("[^/]");
            detected = Detected::Regex;
        } else if ".+()|{}$".contains(ch) {
            source.push('\\');
            source.push(ch);
        } else if ch == '\\' {
            if let Some(&next) = chars.get(pos) {
                pos += 1;
                source.push('\\');
                source.push(next);
                detected = Detected::Regex;
            } else {
                source.push('\\');
            }
        } else if ch == '[' || ch == ']' {
            source.push(ch);
            detected = Detected::Regex;
        } else {
            source.push(ch);
        }
        index += 1;
    }
    match detected {
        Detected::Exact => Kind::Exact,
        Detected::Prefix => Kind::Prefix,
        Detected::Suffix => Kind::Suffix,
        Detected::Regex => {
            source.push('$');
            Kind::Regex(regex::Regex::new(&source))
        }
    }
}
