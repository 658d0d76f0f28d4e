//! The Debian minbase base image (tests/support/debian_minbase.rs): made by debootstrap from the
//! machine's mirror, imported into berth, and a working Debian inside a container.

use std::process::Command;

use crate::common::{import_debian_minbase, require, Env, Registry};

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
    // Docker's engine and buildah take it from the harness's registry.
    if !require("skopeo") {
        return;
    }
    let Some(registry) = Registry::start() else {
        return;
    };
    let remote = format!("{}/debian:minbase", registry.host());
    env.ok(&["tag", "debian:minbase", &remote]);
    env.ok(&["push", &remote]);
    let inspect = Command::new("skopeo")
        .args([
            "inspect",
            "--tls-verify=false",
            "--format",
            "{{len .Layers}} {{.Os}}",
            &format!("docker://{remote}"),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&inspect.stdout);
    assert_eq!(
        stdout,
        "1 linux\n",
        "{}",
        String::from_utf8_lossy(&inspect.stderr)
    );
}
