//! The command line itself: help, version, usage errors.

use crate::common::{run, Env};

#[test]
fn version_prints_name_and_version() {
    let env = Env::new();
    let out = run(env.berth().arg("--version"));
    assert!(
        out.contains(&format!("berth {}", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    assert!(out.contains("exit_code: 0"), "{out}");
}

#[test]
fn help_lists_global_flags() {
    let env = Env::new();
    let out = run(env.berth().arg("--help"));
    for flag in ["--root", "--config", "--log-level"] {
        assert!(out.contains(flag), "{flag} missing from help:\n{out}");
    }
}

#[test]
fn unknown_flag_is_a_usage_error_with_docker_exit_code() {
    let env = Env::new();
    let out = run(env.berth().arg("--no-such-flag"));
    assert!(out.contains("exit_code: 125"), "{out}");
}

#[test]
fn no_arguments_prints_usage_and_succeeds() {
    let out = run(&mut std::process::Command::new(env!("CARGO_BIN_EXE_berth")));
    assert!(
        out.contains("exit_code: 0") && out.contains("Usage: berth"),
        "{out}"
    );
}
