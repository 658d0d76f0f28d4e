//! `berth save` and `berth load`: every archive variant, reproducible, and readable by skopeo.

use std::{os::unix::fs::FileTypeExt, process::Command};

use crate::common::{fixture, require, Env};

const ID_1: &str = "sha256:415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27";
/// skopeo rewrote the config when it converted the image to OCI, so the image ID is its config's digest.
const SKOPEO_ID_1: &str = "sha256:9394544825129e140c69fb7070ea902491a66429ccd99d834505c8ff78dff28d";

#[test]
fn save_load_round_trip_keeps_ids_and_is_reproducible() {
    let env = Env::new();
    env.load_fixture();
    for format in ["hybrid", "docker", "oci"] {
        let a = env.path(&format!("a-{format}.tar"));
        let b = env.path(&format!("b-{format}.tar"));
        env.ok(&[
            "save",
            "--format",
            format,
            "-o",
            a.to_str().unwrap(),
            "fixture/busybox:1",
            "fixture/busybox:base",
        ]);
        env.ok(&[
            "save",
            "--format",
            format,
            "-o",
            b.to_str().unwrap(),
            "fixture/busybox:1",
            "fixture/busybox:base",
        ]);
        assert_eq!(
            std::fs::read(&a).unwrap(),
            std::fs::read(&b).unwrap(),
            "{format}: byte-identical"
        );
        let mode =
            std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&a).unwrap().permissions());
        assert_eq!(
            mode & 0o777,
            0o600,
            "{format}: saved with mode 0600 like Docker"
        );

        let fresh = Env::new();
        let out = fresh.ok(&["load", "-i", a.to_str().unwrap()]);
        assert_eq!(
            out, "Loaded image: fixture/busybox:1\nLoaded image: fixture/busybox:base\n",
            "{format}"
        );
        assert_eq!(
            fresh
                .ok(&["inspect", "-f", "{{.Id}}", "fixture/busybox:1"])
                .trim(),
            ID_1
        );
        fresh.ok(&["system", "check"]);
    }
}

#[test]
fn load_from_stdin_and_the_skopeo_oci_archive() {
    let env = Env::new();
    let archive = std::fs::read(fixture("skopeo-oci-archive.tar")).unwrap();
    let out = env.with_stdin(&["load"], &archive);
    assert!(out.status.success(), "{}", crate::common::render(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Loaded image: fixture/busybox:1\n"
    );
    assert_eq!(
        env.ok(&["inspect", "-f", "{{.Id}}", "fixture/busybox:1"])
            .trim(),
        SKOPEO_ID_1
    );
}

#[test]
fn save_to_stdout_and_through_a_symlink_target() {
    let env = Env::new();
    env.load_fixture();
    let out = env
        .berth()
        .args(["save", "fixture/busybox:base"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let saved = env.path("saved.tar");
    env.ok(&[
        "save",
        "-o",
        saved.to_str().unwrap(),
        "fixture/busybox:base",
    ]);
    assert_eq!(
        out.stdout,
        std::fs::read(&saved).unwrap(),
        "stdout and -o give the same bytes"
    );

    // -o onto a symlink replaces the link; the file it pointed to is untouched (checklist 38).
    let victim = env.path("victim");
    std::fs::write(&victim, b"precious").unwrap();
    let link = env.path("link.tar");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    env.ok(&["save", "-o", link.to_str().unwrap(), "fixture/busybox:base"]);
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    assert!(!std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());

    // Into a missing directory: an error and no partial file.
    let out = env.fails(&[
        "save",
        "-o",
        env.path("no/such/dir/x.tar").to_str().unwrap(),
        "fixture/busybox:base",
    ]);
    assert!(out.contains("exit_code: 1"), "{out}");
    let out = env.fails(&["save", "-o", env.path("x.tar").to_str().unwrap(), "nosuch"]);
    assert!(out.contains("nosuch"), "{out}");
    assert!(!env.path("x.tar").exists());
}

#[test]
fn broken_archives_leave_the_store_unchanged() {
    let env = Env::new();
    env.load_fixture();
    let before = env.store_state();
    let good = std::fs::read(fixture("docker-20.10-save.tar")).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", good[..good.len() / 3].to_vec()),
        ("not a tar", vec![b'x'; 4096]),
        ("empty", Vec::new()),
    ];
    for (what, bytes) in cases {
        let out = env.with_stdin(&["load"], &bytes);
        let rendered = crate::common::render(&out);
        assert_eq!(out.status.code(), Some(1), "{what}: {rendered}");
        assert!(rendered.contains("Error: "), "{what}: {rendered}");
        assert_eq!(env.store_state(), before, "{what}");
    }
}

/// An endless input ends (issue #13 item 11): `load < /dev/zero` is an empty archive followed by
/// zeros that nothing reads past a bound; it fails as an archive without a manifest, store unchanged.
#[test]
fn load_of_an_endless_zero_stream_ends() {
    let env = Env::new();
    env.load_fixture();
    let before = env.store_state();
    let mut child = env
        .berth()
        .arg("load")
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A guard against a hang, not a time limit on the work: it reads at most 16 MiB.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("load of /dev/zero did not end");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let rendered = crate::common::render(&out);
    assert_eq!(out.status.code(), Some(1), "{rendered}");
    assert!(
        rendered.contains("does not contain a manifest.json"),
        "{rendered}"
    );
    assert_eq!(env.store_state(), before);
}

#[test]
fn skopeo_reads_berth_archives_and_berth_reads_skopeos() {
    if !require("skopeo") {
        return;
    }
    let env = Env::new();
    env.load_fixture();
    let hybrid = env.path("hybrid.tar");
    env.ok(&["save", "-o", hybrid.to_str().unwrap(), "fixture/busybox:1"]);
    for transport in ["docker-archive", "oci-archive"] {
        let out = Command::new("skopeo")
            .args([
                "inspect",
                "--config",
                &format!("{transport}:{}", hybrid.display()),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{transport}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let config: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(config["config"]["WorkingDir"], "/data", "{transport}");
    }
    // skopeo writes an OCI archive from berth's archive; berth loads it with the config skopeo wrote.
    let copied = env.path("copied.tar");
    let status = Command::new("skopeo")
        .args([
            "copy",
            "-q",
            &format!("docker-archive:{}", hybrid.display()),
            &format!("oci-archive:{}:fixture/busybox:copied", copied.display()),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let fresh = Env::new();
    fresh.ok(&["load", "-i", copied.to_str().unwrap()]);
    assert_eq!(
        fresh
            .ok(&["inspect", "-f", "{{.Id}}", "fixture/busybox:copied"])
            .trim(),
        SKOPEO_ID_1
    );
    assert_eq!(
        fresh.ok(&[
            "inspect",
            "-f",
            "{{.Config.WorkingDir}} {{.Author}}",
            "fixture/busybox:copied"
        ]),
        "/data Docker Newbee\n"
    );
}

#[test]
fn load_an_oci_layout_directory() {
    let env = Env::new();
    env.load_fixture();
    let archive = env.path("oci.tar");
    env.ok(&[
        "save",
        "--format",
        "oci",
        "-o",
        archive.to_str().unwrap(),
        "fixture/busybox:1",
    ]);
    let dir = env.path("layout");
    std::fs::create_dir(&dir).unwrap();
    assert!(Command::new("tar")
        .arg("-xf")
        .arg(&archive)
        .arg("-C")
        .arg(&dir)
        .status()
        .unwrap()
        .success());
    let fresh = Env::new();
    assert_eq!(
        fresh.ok(&["load", "-i", dir.to_str().unwrap()]),
        "Loaded image: fixture/busybox:1\n"
    );
    assert_eq!(
        fresh
            .ok(&["inspect", "-f", "{{.Id}}", "fixture/busybox:1"])
            .trim(),
        ID_1
    );

    // A blob that is a symlink to a host file is refused, and nothing is stored (checklist 32).
    let blobs = dir.join("blobs/sha256");
    let victim = std::fs::read_dir(&blobs)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    std::fs::remove_file(&victim).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", &victim).unwrap();
    let other = Env::new();
    let out = other.fails(&["load", "-i", dir.to_str().unwrap()]);
    assert!(out.contains("Error: "), "{out}");
    assert!(other.ok(&["images", "-q"]).is_empty());
}

#[test]
fn save_to_a_device_writes_into_it_instead_of_replacing_it() {
    let env = Env::new();
    env.load_fixture();
    // A FIFO stands in for /dev/null: a reader drains it while berth writes.
    let fifo = env.path("fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap().len())
    };
    env.ok(&["save", "-o", fifo.to_str().unwrap(), "fixture/busybox:base"]);
    assert!(reader.join().unwrap() > 1_000_000);
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo(),
        "still a FIFO"
    );
}

/// stdout redirected to a file (`save IMAGE > out.tar`) and stdin redirected from one
/// (`load < out.tar`) take the file paths (kernel copy, positioned reads): the same bytes as
/// `-o`, the same image as `-i`.
#[test]
fn save_into_and_load_from_redirected_files() {
    let env = Env::new();
    env.load_fixture();
    let by_option = env.path("by-option.tar");
    env.ok(&[
        "save",
        "--uncompressed",
        "-o",
        by_option.to_str().unwrap(),
        "fixture/busybox:1",
    ]);
    let redirected = env.path("redirected.tar");
    let out = env
        .berth()
        .args(["save", "--uncompressed", "fixture/busybox:1"])
        .stdout(std::fs::File::create(&redirected).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", crate::common::render(&out));
    assert_eq!(
        std::fs::read(&redirected).unwrap(),
        std::fs::read(&by_option).unwrap()
    );

    let fresh = Env::new();
    let out = fresh
        .berth()
        .arg("load")
        .stdin(std::fs::File::open(&redirected).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", crate::common::render(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Loaded image: fixture/busybox:1\n"
    );
    assert_eq!(
        fresh
            .ok(&["inspect", "-f", "{{.Id}}", "fixture/busybox:1"])
            .trim(),
        env.ok(&["inspect", "-f", "{{.Id}}", "fixture/busybox:1"])
            .trim()
    );
    fresh.ok(&["system", "check"]);
}

/// `LastTagTime` (Docker's image metadata): `load` names images without tagging them, so they show
/// the zero time, as in Docker; `tag` sets it, and a later load of the same image keeps it.
#[test]
fn load_does_not_count_as_tagging() {
    let env = Env::new();
    env.load_fixture();
    let last_tag_time = |reference: &str| {
        env.ok(&["inspect", "-f", "{{.Metadata.LastTagTime}}", reference])
            .trim()
            .to_owned()
    };
    assert_eq!(
        last_tag_time("fixture/busybox:1"),
        "0001-01-01 00:00:00 +0000 UTC"
    );
    env.ok(&["tag", "fixture/busybox:1", "tagged:now"]);
    let tagged = last_tag_time("tagged:now");
    assert_ne!(tagged, "0001-01-01 00:00:00 +0000 UTC");
    assert_eq!(
        last_tag_time("fixture/busybox:1"),
        tagged,
        "one time per image"
    );
    env.load_fixture();
    assert_eq!(
        last_tag_time("fixture/busybox:1"),
        tagged,
        "kept by a later load"
    );
    assert_eq!(
        last_tag_time("fixture/busybox:base"),
        "0001-01-01 00:00:00 +0000 UTC"
    );
    // An image whose last name moves to another image keeps its time, unnamed, and a later load
    // that names it again keeps it too.
    let id = env
        .ok(&["inspect", "-f", "{{.Id}}", "fixture/busybox:1"])
        .trim()
        .to_owned();
    for name in ["fixture/busybox:1", "fixture/busybox:latest", "tagged:now"] {
        env.ok(&["tag", "fixture/busybox:base", name]);
    }
    assert_eq!(last_tag_time(&id), tagged, "unnamed");
    env.load_fixture();
    assert_eq!(
        last_tag_time("fixture/busybox:latest"),
        tagged,
        "named again by a load"
    );
}
