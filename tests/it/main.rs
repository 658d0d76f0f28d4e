//! berth's integration tests: one binary, one module per command, driving the real `berth` binary.
#![allow(clippy::print_stderr, clippy::print_stdout)]

mod cli;
mod common;
