//! The Debian minbase base image (tests/support/debian_minbase.rs): made by debootstrap from the
//! machine's mirror, imported into berth, and a working Debian inside a container.

use crate::common::{import_debian_minbase, require, Env};

#[test]
fn debian_minbase_imports_and_runs() {
    if !(require("runc") && require("debootstrap")) {
        return;
    }
    let env = Env::new();
    let minbase = import_debian_minbase(&env, "debian:minbase");
    let out = env.ok(&["run", "--rm", "debian:minbase", "cat", "/etc/os-release"]);
    assert!(
        out.contains(&format!("VERSION_CODENAME={}", minbase.suite)),
        "{out}"
    );
    let out = env.ok(&[
        "run",
        "--rm",
        "debian:minbase",
        "dpkg-query",
        "-W",
        "-f=${Package}\\n",
        "apt",
    ]);
    assert_eq!(out, "apt\n");
}
