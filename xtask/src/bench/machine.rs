//! The machine the figures come from: cores, memory, CPU, kernel, and the versions of the tools.

use std::process::Command;

/// `(label, value)` rows for the report.
pub fn describe() -> Vec<(String, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu_model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name")?.split_once(':'))
        .map_or_else(
            || "unknown".to_owned(),
            |(_, model)| model.trim().to_owned(),
        );
    let sha_extensions = cpuinfo
        .lines()
        .find(|line| line.starts_with("flags"))
        .is_some_and(|flags| flags.split_whitespace().any(|flag| flag == "sha_ni"));
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let kib: u64 = text
                .lines()
                .find_map(|line| line.strip_prefix("MemTotal:"))?
                .split_whitespace()
                .next()?
                .parse()
                .ok()?;
            Some(format!("{:.1} GiB", kib_to_gib(kib)))
        })
        .unwrap_or_else(|| "unknown".to_owned());
    let mut rows = vec![
        ("cores (`nproc`)".to_owned(), first_line(&["nproc"])),
        ("memory".to_owned(), memory),
        (
            "CPU".to_owned(),
            format!(
                "{cpu_model} ({} SHA extensions)",
                if sha_extensions { "with" } else { "without" }
            ),
        ),
        ("kernel".to_owned(), first_line(&["uname", "-sr"])),
    ];
    for (tool, args) in [
        ("berth", &["target/release/berth", "--version"][..]),
        ("rustc", &["rustc", "--version"]),
        ("hyperfine", &["hyperfine", "--version"]),
        ("skopeo", &["skopeo", "--version"]),
        ("umoci", &["umoci", "--version"]),
        ("docker-registry", &["docker-registry", "--version"]),
        ("runc", &["runc", "--version"]),
        ("crun", &["crun", "--version"]),
        ("openssl", &["openssl", "version"]),
        ("GNU tar", &["tar", "--version"]),
        ("gzip", &["gzip", "--version"]),
        ("zstd", &["zstd", "--version"]),
        ("sha256sum", &["sha256sum", "--version"]),
    ] {
        rows.push((tool.to_owned(), first_line(args)));
    }
    rows
}

/// The 1-minute load average, to show how busy the machine was.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| {
            let mut fields = text.split_whitespace();
            Some(format!(
                "{} {} {}",
                fields.next()?,
                fields.next()?,
                fields.next()?
            ))
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

fn first_line(args: &[&str]) -> String {
    Command::new(args[0])
        .args(&args[1..])
        .current_dir(crate::util::root())
        .output()
        .ok()
        .map(|output| {
            let text = if output.stdout.is_empty() {
                output.stderr
            } else {
                output.stdout
            };
            String::from_utf8_lossy(&text)
                .lines()
                .find(|line| !line.trim().is_empty())
                .unwrap_or("")
                .trim()
                .to_owned()
        })
        .filter(|line| !line.is_empty())
        .unwrap_or_else(|| "not installed".to_owned())
}

#[allow(clippy::cast_precision_loss)] // memory sizes far below 2^52 KiB
fn kib_to_gib(kib: u64) -> f64 {
    kib as f64 / (1024.0 * 1024.0)
}

/// Seconds ext4 keeps a freed inode from being handed out again on the file system holding
/// `path`, when it does: only without a journal (`recently_deleted` in its inode allocator: 60 s
/// once the inode table is written back, 360 s while its block is dirty), as on this VM's root.
/// `None` on other file systems.
pub fn recently_deleted_window(path: &std::path::Path) -> Option<u64> {
    let output = Command::new("findmnt")
        .args(["-n", "-o", "SOURCE,FSTYPE", "-T"])
        .arg(path)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let mut fields = text.split_whitespace();
    let (source, fstype) = (fields.next()?, fields.next()?);
    if fstype != "ext4" {
        return None;
    }
    let device = source.rsplit('/').next()?;
    let journal = std::fs::read_to_string(format!("/sys/fs/ext4/{device}/journal_task")).ok()?;
    (journal.trim() == "<none>").then_some(60)
}
