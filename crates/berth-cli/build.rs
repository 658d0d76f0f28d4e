//! Records what `berth version` reports about the build: the git commit and the Rust compiler.

use std::process::Command;

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // A new commit changes HEAD (detached) or the branch's ref (loose or packed).
    for path in ["HEAD", "packed-refs"] {
        if let Some(file) = output("git", &["rev-parse", "--git-path", path]) {
            println!("cargo:rerun-if-changed={file}");
        }
    }
    if let Some(branch) = output("git", &["rev-parse", "--symbolic-full-name", "HEAD"]) {
        if let Some(file) = output("git", &["rev-parse", "--git-path", &branch]) {
            println!("cargo:rerun-if-changed={file}");
        }
    }
    // Outside a git checkout (a source tarball) there is no commit to name.
    let commit =
        output("git", &["rev-parse", "--short=7", "HEAD"]).unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=BERTH_GIT_COMMIT={commit}");
    // `rustc 1.89.0 (29483883e 2025-08-04)` -> `1.89.0`
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let rust_version = output(&rustc, &["--version"])
        .and_then(|v| v.split_whitespace().nth(1).map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=BERTH_RUST_VERSION={rust_version}");
}
