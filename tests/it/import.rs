//! `berth import file|URL|- [REPOSITORY[:TAG]]`

use crate::common::{rootfs_tar, Env};

/// sha256 via the system tool, so the test does not trust berth's own hashing.
fn sha256_hex(bytes: &[u8]) -> String {
    let mut child = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha256sum");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn import_from_stdin_like_the_chapter() {
    let env = Env::new();
    let tarball = std::fs::read(rootfs_tar(&env, "ubuntu.tar.gz", "z")).unwrap();
    let out = env.with_stdin(&["import", "-", "ubuntu:14.04"], &tarball);
    assert!(out.status.success(), "{}", crate::common::render(&out));
    let id = String::from_utf8(out.stdout).unwrap();
    assert!(id.starts_with("sha256:") && id.trim().len() == 71, "{id}");
    let row = env.ok(&["images", "--format", "{{.Repository}} {{.Tag}} {{.ID}}"]);
    assert_eq!(row, format!("ubuntu 14.04 {}\n", &id[7..19]));
    assert_eq!(
        env.ok(&["history", "--format", "{{.Comment}}", "ubuntu:14.04"]),
        "Imported from -\n"
    );
    assert_eq!(
        env.ok(&["inspect", "-f", "{{.Comment}}", "ubuntu:14.04"]),
        "Imported from -\n"
    );
    // The gzip stream is stored as it came: its blob is the input file's digest.
    let layer = format!("sha256:{}", sha256_hex(&tarball));
    let manifest_layers = env.ok(&["inspect", "-f", "{{len .RootFS.Layers}}", "ubuntu:14.04"]);
    assert_eq!(manifest_layers, "1\n");
    assert!(
        env.root().join("blobs/sha256").join(&layer[7..]).exists(),
        "compressed layer stored as is"
    );
}

#[test]
fn every_compression_with_changes_and_message() {
    let env = Env::new();
    for (i, compression) in ["", "z", "j", "J", "zstd"].iter().enumerate() {
        let file = rootfs_tar(&env, &format!("rootfs{i}.tar"), compression);
        let name = format!("imp:{i}");
        env.ok(&[
            "import",
            "-c",
            "CMD [\"/bin/hello\"]",
            "-c",
            "ENV A=1 B=2",
            "-c",
            "EXPOSE 80",
            "-m",
            "hello there",
            file.to_str().unwrap(),
            &name,
        ]);
        assert_eq!(
            env.ok(&[
                "inspect",
                "-f",
                "{{.Config.Cmd}} {{.Config.Env}} {{.Config.ExposedPorts}} {{.Comment}}",
                &name
            ]),
            // nat.PortSet values are struct{}: Docker prints `map[80/tcp:{}]`.
            "[/bin/hello] [A=1 B=2] map[80/tcp:{}] hello there\n",
            "{compression}"
        );
    }
    // Same content, any compression: the same diff_id.
    let diff_ids: Vec<String> = (0..5)
        .map(|i| {
            env.ok(&[
                "inspect",
                "-f",
                "{{index .RootFS.Layers 0}}",
                &format!("imp:{i}"),
            ])
        })
        .collect();
    assert!(diff_ids.windows(2).all(|w| w[0] == w[1]), "{diff_ids:?}");
}

#[test]
fn import_from_a_url_on_loopback() {
    let env = Env::new();
    let tarball = std::fs::read(rootfs_tar(&env, "served.tar.gz", "z")).unwrap();
    let url = crate::common::serve_once(tarball, "rootfs.tar.gz");
    env.ok(&["import", &url, "fromurl:1"]);
    assert_eq!(
        env.ok(&["history", "--format", "{{.Comment}}", "fromurl:1"]),
        format!("Imported from {url}\n")
    );
}

/// A tar with one entry named `name`, written by hand so any name can be used.
fn raw_tar(name: &str, data: &[u8]) -> Vec<u8> {
    let mut header = [0u8; 512];
    header[..name.len()].copy_from_slice(name.as_bytes());
    header[100..108].copy_from_slice(b"0000644\0");
    header[108..116].copy_from_slice(b"0000000\0");
    header[116..124].copy_from_slice(b"0000000\0");
    header[124..136].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
    header[136..148].copy_from_slice(b"00000000000\0");
    header[156] = b'0';
    header[257..263].copy_from_slice(b"ustar\0");
    header[263..265].copy_from_slice(b"00");
    header[148..156].copy_from_slice(b"        ");
    let sum: u32 = header.iter().map(|&b| u32::from(b)).sum();
    header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let mut out = header.to_vec();
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out.extend_from_slice(&[0u8; 1024]);
    out
}

#[test]
fn bad_input_is_refused_and_the_store_is_unchanged() {
    let env = Env::new();
    env.load_fixture();
    let before = env.store_state();
    let good = std::fs::read(rootfs_tar(&env, "good.tar", "")).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "empty"),
        (
            "not a tar",
            b"this is not an archive at all, just text".repeat(40),
            "",
        ),
        ("truncated in an entry", good[..700].to_vec(), ""),
        ("escaping entry", raw_tar("../evil", b"x"), "../evil"),
        ("absolute escape", raw_tar("/../../etc/evil", b"x"), "evil"),
    ];
    for (what, input, message) in cases {
        let out = env.with_stdin(&["import", "-", "bad:1"], &input);
        let rendered = crate::common::render(&out);
        assert_eq!(out.status.code(), Some(1), "{what}: {rendered}");
        assert!(
            rendered.contains("Error: failed to import -") && rendered.contains(message),
            "{what}: {rendered}"
        );
        assert_eq!(env.store_state(), before, "{what}: the store changed");
    }
    let out = env.fails(&["import", "-c", "RUN rm -rf /", "-", "bad:1"]);
    // The Docker 20.10 engine's words: the instruction lowercased, nothing read before it.
    assert!(
        out.contains("\nError: run is not a valid change command\n"),
        "{out}"
    );
    let out = env.fails(&["import", env.path("does-not-exist").to_str().unwrap()]);
    // Docker's CLI opens the file itself: Go's words, no `Error: `.
    assert!(
        out.contains("\nopen ") && out.contains("does-not-exist: no such file or directory\n"),
        "{out}"
    );
    assert_eq!(env.store_state(), before);
    assert!(!env.root().join("../evil").exists() && !std::path::Path::new("/etc/evil").exists());
}
