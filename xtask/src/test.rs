//! `cargo xtask test`: everything a fresh machine needs, then every suite, then a short run of every
//! fuzz target.

use anyhow::bail;
use clap::Args;

use crate::{ci, fuzz, peers, report, util};

/// Property-test cases per property in soak mode (the default keeps each property to seconds).
const SOAK_PROPTEST_CASES: &str = "5000";
/// Lines of each test binary's failure report printed again at the end.
const FAILURE_REPORT_LINES: usize = 150;

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Soak mode: 100 kill points per operation in the crash suite (`BERTH_SOAK=1`),
    /// 5,000 cases per fuzz property (`PROPTEST_CASES`, unless already set) and 120 s per
    /// cargo-fuzz target (address sanitizer build) instead of 10 s
    #[arg(long)]
    pub soak: bool,
    /// Skip the cargo-fuzz run after the tests (ignored when `CI` is set: CI always fuzzes)
    #[arg(long)]
    pub no_fuzz: bool,
    /// Extra arguments passed to `cargo test` (e.g. a test name filter)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub cargo_args: Vec<String>,
}

pub fn run(args: &TestArgs) -> anyhow::Result<()> {
    peers::ensure_installed()?;
    print_free_space();
    // The static checks first (seconds): the layering of ARCHITECTURE.md and warning-free rustdoc.
    // The tests run even when one fails, and the failure is reported with theirs.
    let checks = ci::layering().and_then(|()| ci::rustdoc());
    let mut cargo = util::cargo();
    cargo
        .args(["test", "--workspace", "--locked", "--no-fail-fast"])
        .args(&args.cargo_args);
    if args.soak {
        cargo.env("BERTH_SOAK", "1");
        if std::env::var_os("PROPTEST_CASES").is_none() {
            cargo.env("PROPTEST_CASES", SOAK_PROPTEST_CASES);
        }
    }
    let (tests, failures) = report::run_tests(&mut cargo);

    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
    if args.no_fuzz && in_ci {
        eprintln!("CI is set: --no-fuzz is ignored");
    }
    // The fuzz run goes ahead even when a test failed: its findings are worth having in the same run.
    let fuzzing = if args.no_fuzz && !in_ci {
        Ok(())
    } else {
        let (seconds, build) = if args.soak {
            (fuzz::SOAK_SECONDS, fuzz::Build::Thorough)
        } else {
            (fuzz::SHORT_SECONDS, fuzz::Build::Quick)
        };
        fuzz::run_targets(fuzz::TARGETS, seconds, build)
    };
    // Last, so that CI's tail of the output shows which tests failed and why.
    failures.print(FAILURE_REPORT_LINES);
    if tests.is_err() || fuzzing.is_err() {
        // A full disk fails tests in ways that look like bugs.
        print_free_space();
    }
    let failed: Vec<String> = [checks, tests, fuzzing]
        .into_iter()
        .filter_map(Result::err)
        .map(|e| format!("{e:#}"))
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        bail!("{}", failed.join("\nand "))
    }
}

/// The free space where the builds and the tests write (`df -h`), for the record.
fn print_free_space() {
    let tmp = std::env::temp_dir();
    let mut df = std::process::Command::new("df");
    df.arg("-h").arg(util::root()).arg(&tmp);
    match util::output(&mut df) {
        Ok(table) => eprint!("{table}"),
        Err(e) => eprintln!("df: {e:#}"),
    }
}
