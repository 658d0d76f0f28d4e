//! The crate's one error type, worded as BuildKit words its messages.

use crate::Lines;

/// Everything that can go wrong while reading a Dockerfile, expanding a word or reading a
/// `.dockerignore`.
///
/// BuildKit's messages are kept byte for byte (several are capitalised, as Docker prints them),
/// so that scripts matching on Docker's output keep working with berth.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An error of the line parser (directives, heredocs, JSON form): BuildKit reports these
    /// with their location but without a prefix.
    #[error("{message}")]
    Syntax { lines: Lines, message: String },

    /// An instruction that does not read (unknown instruction, bad flag, wrong arguments).
    #[error("dockerfile parse error on line {}: {message}", lines.start)]
    Instruction { lines: Lines, message: String },

    /// Instructions other than ARG before the first FROM.
    #[error("no build stage in current context")]
    NoStage { lines: Lines },

    /// A word whose variable expansion failed (`${v:?unset}`, an unclosed quote, ...).
    #[error("failed to process {}: {message}", crate::quote::go_quote(word))]
    Expansion { word: String, message: String },

    /// A `.dockerignore` pattern that Go's `filepath.Match` refuses.
    #[error("syntax error in pattern")]
    BadPattern { pattern: String },

    /// A lone `!` in a `.dockerignore`.
    #[error("illegal exclusion pattern: \"!\"")]
    IllegalExclusion,
}

impl Error {
    /// The Dockerfile lines the error is about, if it is about lines.
    pub fn lines(&self) -> Option<Lines> {
        match self {
            Error::Syntax { lines, .. }
            | Error::Instruction { lines, .. }
            | Error::NoStage { lines } => Some(*lines),
            _ => None,
        }
    }
}
