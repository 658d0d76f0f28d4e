//! Runs `cargo test` with its standard output echoed as it comes and the libtest failure reports kept,
//! so that they can be printed again at the very end of `cargo xtask test`: CI keeps only the tail of
//! a run's output, and the fuzz run that follows the tests would otherwise push them out of it.

use std::{
    io::{BufRead, BufReader, Write},
    process::{Command, Stdio},
};

use anyhow::{bail, Context};

use crate::util;

/// The failure reports of one `cargo test` run (empty when every test passed).
#[derive(Debug, Default)]
pub struct Failures {
    /// Each test binary's block, from its first `failures:` line to its `test result:` line.
    pub reports: Vec<String>,
}

/// Runs `cmd` (a `cargo test`), echoing its stdout line by line; fails when it fails, and returns the
/// failure reports either way.
pub fn run_tests(cmd: &mut Command) -> (anyhow::Result<()>, Failures) {
    eprintln!("$ {}", util::display(cmd));
    let mut failures = Failures::default();
    let result = (|| {
        let mut child = cmd
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("failed to start {}", util::display(cmd)))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut collector = Collector::default();
        let mut out = std::io::stdout().lock();
        for line in BufReader::new(stdout).split(b'\n') {
            let line = line.context("failed to read cargo test's output")?;
            out.write_all(&line)?;
            out.write_all(b"\n")?;
            collector.line(&String::from_utf8_lossy(&line));
        }
        out.flush()?;
        failures = collector.finish();
        let status = child.wait()?;
        if !status.success() {
            bail!("{} failed: {status}", util::display(cmd));
        }
        Ok(())
    })();
    (result, failures)
}

impl Failures {
    /// Prints the reports again, each cut to its last `max_lines` lines.
    pub fn print(&self, max_lines: usize) {
        if self.reports.is_empty() {
            return;
        }
        eprintln!("\n===== failed tests (their reports again) =====");
        for report in &self.reports {
            let lines: Vec<&str> = report.lines().collect();
            let skip = lines.len().saturating_sub(max_lines);
            if skip > 0 {
                eprintln!("[... {skip} lines cut; the whole report is above ...]");
            }
            for line in &lines[skip..] {
                eprintln!("{line}");
            }
        }
        eprintln!("===== end of failed tests =====\n");
    }
}

/// Finds the failure blocks in libtest's output. A panic's stack backtrace (CI sets
/// `RUST_BACKTRACE`) is kept to one line: its frames would otherwise fill the lines kept and push
/// the panic message out of them.
#[derive(Debug, Default)]
struct Collector {
    current: Option<String>,
    reports: Vec<String>,
    in_backtrace: bool,
}

/// A line of a `stack backtrace:` (`  12: name` or `      at file:line`).
fn is_frame(line: &str) -> bool {
    let trimmed = line.trim_start();
    if trimmed.len() == line.len() {
        return false;
    }
    trimmed.starts_with("at ")
        || trimmed
            .split_once(": ")
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

impl Collector {
    fn line(&mut self, line: &str) {
        if let Some(block) = &mut self.current {
            if self.in_backtrace && (is_frame(line) || line.starts_with("note: Some details")) {
                return;
            }
            self.in_backtrace = line == "stack backtrace:";
            if self.in_backtrace {
                block.push_str("stack backtrace: [frames cut; the whole report is above]\n");
                return;
            }
            block.push_str(line);
            block.push('\n');
            if line.starts_with("test result:") {
                self.reports.extend(self.current.take());
            }
        } else if line == "failures:" {
            self.current = Some(format!("{line}\n"));
        }
    }

    fn finish(mut self) -> Failures {
        // A binary that died mid-report (a crash) still has its partial block shown.
        self.reports.extend(self.current.take());
        Failures {
            reports: self.reports,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_failure_blocks() {
        let output = "\
running 2 tests
test a ... ok
test b ... FAILED

failures:

---- b stdout ----
boom

failures:
    b

test result: FAILED. 1 passed; 1 failed
running 1 test
test c ... ok
test result: ok. 1 passed
failures:
---- d stdout ----
stack backtrace:
   0: __rustc::rust_begin_unwind
             at /rustc/library/std/src/panicking.rs:689:5
   1: it::chapter::a_test
note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.
cut short";
        let mut collector = Collector::default();
        for line in output.lines() {
            collector.line(line);
        }
        let failures = collector.finish();
        assert_eq!(failures.reports.len(), 2);
        assert!(failures.reports[0].starts_with("failures:\n\n---- b stdout ----\nboom\n"));
        assert!(failures.reports[0].ends_with("test result: FAILED. 1 passed; 1 failed\n"));
        assert_eq!(
            failures.reports[1],
            "failures:\n---- d stdout ----\nstack backtrace: [frames cut; the whole report is above]\ncut short\n"
        );
    }
}
