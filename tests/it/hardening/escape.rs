//! Terminal escape injection (issue #13 item 8): text from a registry or an archive reaches the
//! terminal with its control characters escaped as Go's `%q` writes them.

use std::process::Output;

use super::server::{Reply, Server};
use crate::common::{render, Env};

/// Sets the window title, then clears the screen.
const HOSTILE: &str = "\x1b]0;pwned\x07\x1b[2J";
const ESCAPED: &str = "\\x1b]0;pwned\\a\\x1b[2J";

fn assert_no_raw_controls(out: &Output) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        assert!(
            !bytes.iter().any(|&b| b == 0x1b || b == 0x07),
            "raw control bytes on {stream}:\n{}",
            render(out)
        );
    }
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

#[test]
fn a_registry_error_message_is_escaped() {
    let env = Env::new();
    let body = format!(
        r#"{{"errors":[{{"code":"DENIED","message":{}}}]}}"#,
        json_string(&format!("access denied {HOSTILE}"))
    );
    let registry = Server::start(move |_, path| match path {
        "/v2/" => Reply::ok("application/json", "{}"),
        _ => Reply::status(403, "application/json", body.clone()),
    });
    let out = env
        .berth()
        .args(["pull", &format!("{}/test/img:latest", registry.host())])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_no_raw_controls(&out);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(ESCAPED),
        "{}",
        render(&out)
    );
}

#[test]
fn search_results_are_escaped() {
    let env = Env::new();
    let results = format!(
        r#"{{"results":[{{"name":{},"description":{},"star_count":3,"is_official":false}}]}}"#,
        json_string(&format!("evil{HOSTILE}")),
        json_string(&format!("{HOSTILE}wipes your screen"))
    );
    let registry = Server::start(move |_, path| {
        if path.starts_with("/v1/search") {
            Reply::ok("application/json", results.clone())
        } else {
            Reply::status(404, "text/plain", "not found")
        }
    });
    for extra in [
        &[][..],
        &["--no-trunc"],
        &["--format", "{{.Name}} {{.Description}}"],
    ] {
        let out = env
            .berth()
            .arg("search")
            .args(extra)
            .arg(format!("{}/evil", registry.host()))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", render(&out));
        assert_no_raw_controls(&out);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(&format!("evil{ESCAPED}")),
            "{}",
            render(&out)
        );
    }
}

/// The tar crate names a broken header by its raw name bytes; `load` prints them escaped.
#[test]
fn tar_header_bytes_in_a_load_error_are_escaped() {
    let env = Env::new();
    let mut header = [0u8; 512];
    header[..HOSTILE.len()].copy_from_slice(HOSTILE.as_bytes());
    header[148..156].copy_from_slice(b"xxxxxxxx"); // a checksum that is not a number
    let mut layer = header.to_vec();
    layer.extend_from_slice(&[0; 1024]);
    let config = format!(
        r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["sha256:{}"]}}}}"#,
        "0".repeat(64)
    );
    let manifest = r#"[{"Config":"config.json","RepoTags":null,"Layers":["layer.tar"]}]"#;
    let mut archive = tar::Builder::new(Vec::new());
    for (name, bytes) in [
        ("layer.tar", layer.as_slice()),
        ("config.json", config.as_bytes()),
        ("manifest.json", manifest.as_bytes()),
    ] {
        let mut entry = tar::Header::new_ustar();
        entry.set_size(bytes.len() as u64);
        entry.set_mode(0o644);
        entry.set_cksum();
        archive.append_data(&mut entry, name, bytes).unwrap();
    }
    let path = env.path("hostile.tar");
    std::fs::write(&path, archive.into_inner().unwrap()).unwrap();
    let out = env
        .berth()
        .args(["load", "-i", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_no_raw_controls(&out);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(ESCAPED),
        "{}",
        render(&out)
    );
}
