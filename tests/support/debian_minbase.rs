//! A Debian minbase root filesystem for tests and the bench, made once with
//! `debootstrap --variant=minbase` from the machine's own Debian mirror and suite (read from
//! `/etc/apt/sources.list` and `/etc/apt/sources.list.d/*`), and cached on disk between runs.
//!
//! Shared as a file (`#[path]`) by `tests/it`, berth-container's network tests and xtask, which have
//! no crate in common; it uses only std and the `debootstrap` and `tar` programs (installed by
//! `cargo xtask test`, see xtask/src/peers.rs). Needs root. Took 66 s on the project's machines.

#![allow(dead_code)]

use std::{
    path::{Path, PathBuf},
    process::Command,
};

/// The cached minbase: its root filesystem and a tar of it (`--numeric-owner`, as an image layer).
pub struct Minbase {
    pub rootfs: PathBuf,
    pub tar: PathBuf,
    pub suite: String,
}

/// Where the machine's apt finds Debian: the mirror and suite of its first main-archive entry
/// (not `-security`, `-updates` or `-backports`).
pub fn mirror_and_suite() -> Result<(String, String), String> {
    let mut files = vec![PathBuf::from("/etc/apt/sources.list")];
    if let Ok(dir) = std::fs::read_dir("/etc/apt/sources.list.d") {
        let mut more: Vec<PathBuf> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
        more.sort();
        files.extend(more);
    }
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let found = if file.extension().is_some_and(|e| e == "sources") {
            from_deb822(&text)
        } else {
            from_one_line(&text)
        };
        if let Some(found) = found {
            return Ok(found);
        }
    }
    Err("no Debian main archive (deb URI SUITE main) in /etc/apt/sources.list*".to_owned())
}

fn is_main_suite(suite: &str) -> bool {
    !suite.contains('-') && !suite.contains('/')
}

fn from_one_line(text: &str) -> Option<(String, String)> {
    text.lines().find_map(|line| {
        let mut words = line.split_whitespace().filter(|w| !w.starts_with('['));
        if words.next() != Some("deb") {
            return None;
        }
        let (uri, suite) = (words.next()?, words.next()?);
        is_main_suite(suite).then(|| (uri.to_owned(), suite.to_owned()))
    })
}

fn from_deb822(text: &str) -> Option<(String, String)> {
    text.split("\n\n").find_map(|stanza| {
        let field = |name: &str| {
            stanza.lines().find_map(|line| {
                let (key, value) = line.split_once(':')?;
                key.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| value.trim().to_owned())
            })
        };
        if !field("Types")?.split_whitespace().any(|t| t == "deb") {
            return None;
        }
        let uri = field("URIs")?.split_whitespace().next()?.to_owned();
        let suite = field("Suites")?
            .split_whitespace()
            .find(|s| is_main_suite(s))?
            .to_owned();
        Some((uri, suite))
    })
}

/// The cached minbase under `cache_dir`, made first if missing (about a minute and 200 MB).
pub fn minbase(cache_dir: &Path) -> Result<Minbase, String> {
    let (mirror, suite) = mirror_and_suite()?;
    let dir = cache_dir.join(format!("debian-minbase-{suite}"));
    let made = Minbase {
        rootfs: dir.join("rootfs"),
        tar: dir.join("rootfs.tar"),
        suite: suite.clone(),
    };
    if made.tar.is_file() && made.rootfs.join("usr/bin/apt-get").is_file() {
        return Ok(made);
    }
    std::fs::create_dir_all(cache_dir)
        .map_err(|e| format!("create {}: {e}", cache_dir.display()))?;
    // Made aside and renamed into place: a run killed halfway leaves no half cache, and of two
    // runs at once the second to finish keeps the first one's.
    let work = cache_dir.join(format!(".debian-minbase-{suite}.{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let rootfs = work.join("rootfs");
    let started = std::time::Instant::now();
    let output = Command::new("debootstrap")
        .args(["--variant=minbase", &suite])
        .arg(&rootfs)
        .arg(&mirror)
        .output()
        .map_err(|e| format!("run debootstrap (Debian package debootstrap): {e}"))?;
    if !output.status.success() {
        let _ = std::fs::remove_dir_all(&work);
        let log = String::from_utf8_lossy(&output.stdout);
        let tail: Vec<&str> = log.lines().rev().take(5).collect();
        return Err(format!(
            "debootstrap --variant=minbase {suite} from {mirror} failed ({}): {}{}",
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    // apt's downloaded packages are not part of an image.
    let _ = std::fs::remove_dir_all(rootfs.join("var/cache/apt/archives"));
    let _ = std::fs::create_dir_all(rootfs.join("var/cache/apt/archives/partial"));
    let status = Command::new("tar")
        .args(["--numeric-owner", "--xattrs", "-C"])
        .arg(&rootfs)
        .arg("-cf")
        .arg(work.join("rootfs.tar"))
        .arg(".")
        .status()
        .map_err(|e| format!("run tar: {e}"))?;
    if !status.success() {
        let _ = std::fs::remove_dir_all(&work);
        return Err(format!("tar of the minbase failed: {status}"));
    }
    if std::fs::rename(&work, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&work);
    }
    eprintln!(
        "made a Debian {suite} minbase in {:.1}s (cached in {})",
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    if made.tar.is_file() {
        Ok(made)
    } else {
        Err(format!(
            "{} is missing after debootstrap",
            made.tar.display()
        ))
    }
}
