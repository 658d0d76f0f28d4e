//! berth-dockerfile: a Dockerfile, read exactly as BuildKit reads it.
//!
//! `berth build` must take the Dockerfiles people already have and give the images Docker
//! gives. Every step of reading one is a place where a small difference changes the image: a
//! line continuation, a heredoc, a quote in `ENV`, an `${v%%pattern}`, a `.dockerignore`
//! exception. This crate holds those steps, and only those: it is pure (no file, no process,
//! no network), so each rule is a table-driven test and the parser is a fuzz target.
//!
//! - [`parse`]: parser directives, continuations, comments, heredocs, JSON and shell forms,
//!   flags, into typed [`Instruction`]s grouped in [`Stage`]s, with BuildKit's error messages.
//! - [`Lexer`]: BuildKit's shell lexer (variable expansion, quotes, escapes, word splitting);
//!   [`expand`] applies it to the instructions BuildKit expands; [`Scope`] tracks which
//!   variables a stage sees (ENV, ARG, global ARGs, the predefined platform and proxy ARGs).
//! - [`ignore`]: `.dockerignore` as moby's patternmatcher reads it.
//!
//! ```
//! use berth_dockerfile::{parse, Instruction, Lexer};
//! use std::collections::BTreeMap;
//!
//! let dockerfile = parse("ARG BASE=alpine\nFROM $BASE AS build\nENV DIR=/app\nWORKDIR ${DIR:-/}\n")?;
//! assert_eq!(dockerfile.meta_args.len(), 1);
//! let stage = dockerfile.stage("build").expect("a stage named build");
//! let Instruction::Workdir(dir) = &stage.instructions[1].instruction else { unreachable!() };
//! let vars = BTreeMap::from([("DIR".to_owned(), "/app".to_owned())]);
//! assert_eq!(Lexer::new(dockerfile.directives.escape).word(dir, &vars)?, "/app");
//!
//! let error = parse("FROM alpine\nRUNN true\n").unwrap_err();
//! assert_eq!(error.to_string(), "dockerfile parse error on line 2: unknown instruction: RUNN (did you mean RUN?)");
//! # Ok::<(), berth_dockerfile::Error>(())
//! ```

#![forbid(unsafe_code)]

mod convert;
mod error;
mod expand;
mod flags;
pub mod ignore;
mod instruction;
mod parser;
mod pattern;
mod quote;
mod scope;
mod shell;
mod stage;
mod suggest;
mod words;

#[cfg(test)]
mod tests;

pub use error::Error;
pub use expand::{expand, expands_variables};
pub use instruction::{
    Add, ArgDefinition, Command, CommandLine, Copy, From, HealthConfig, Healthcheck, Heredoc,
    Instruction, KeyValue, Located, Onbuild, Run, SourceContent, SourcesAndDest,
};
pub use quote::go_quote;
pub use scope::{predefined_args, Platform, Scope, PROXY_ARGS};
pub use shell::{Expansion, Lexer, NoVars, Vars};
pub use stage::{parse, parse_instructions, Dockerfile, Stage};

/// A range of Dockerfile lines, 1-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lines {
    pub start: usize,
    pub end: usize,
}

impl Lines {
    pub fn new(start: usize, end: usize) -> Lines {
        Lines { start, end }
    }
}

/// The parser directives at the top of a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directives {
    /// `# syntax=`: the frontend image BuildKit would use (berth reads the file itself).
    pub syntax: Option<String>,
    /// `# escape=`: `\` (the default) or the backtick.
    pub escape: char,
    /// `# check=`: the build checks' configuration, as written.
    pub check: Option<String>,
}

impl Default for Directives {
    fn default() -> Directives {
        Directives {
            syntax: None,
            escape: '\\',
            check: None,
        }
    }
}

/// A warning of the parser (today: an empty line inside a continuation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub lines: Lines,
    pub message: String,
}
