//! Mounting an overlay of many layers.
//!
//! `mount(2)` takes the options as one string of at most a page (4096 bytes): with the snapshot
//! paths under a store (about 120 bytes each) an image of 36 or more layers does not fit. When they
//! do not, berth mounts through the new mount API with one `lowerdir+` per layer (Linux 6.8; no
//! limit but overlayfs's own 500 layers, and mountinfo still shows the real paths), and on an older
//! kernel names each layer by a short `/proc/self/fd/N` path to a directory it holds open (the
//! kernel resolves the magic link at mount time, as Docker's overlay2 resolves its short `l/` links),
//! which fits about 200 layers in a page.

use std::{
    ffi::CString,
    io,
    os::fd::{AsFd, AsRawFd, OwnedFd},
    path::Path,
};

use rustix::{
    fs::{Mode, OFlags},
    mount::{
        fsconfig_create, fsconfig_set_string, fsmount, fsopen, move_mount, FsMountFlags,
        FsOpenFlags, MountAttrFlags, MountFlags, MoveMountFlags,
    },
};

use crate::error::{Error, Result};

/// What `mount(2)` copies of its options: one page, the terminating NUL included.
const MOUNT_OPTIONS_MAX: usize = 4096 - 1;

/// Options that keep the upper directory a plain diff: a native upper-dir diff is only right
/// without redirect_dir and metacopy (moby overlay2 `doesSupportNativeDiff`). Older kernels that do
/// not know them get the plain mount.
const DIFF_OPTIONS: [(&str, &str); 3] = [
    ("redirect_dir", "off"),
    ("metacopy", "off"),
    ("index", "off"),
];

/// Whether unmounting the overlay waits for its upper directory to reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upper {
    /// overlayfs's default: the unmount syncs the upper's file system, and so does every fsync
    /// inside. A container's upper directory, which lives on between runs.
    Synced,
    /// overlayfs's `volatile` (Linux 5.10): neither the unmount nor the processes inside wait
    /// for the disk. A build step's upper directory, which becomes a snapshot (a cache, written
    /// as unpacked snapshots are, without a sync) or is removed; the layer made from it is a
    /// blob the store syncs. Kernels without it get the synced mount.
    Volatile,
}

/// Mounts `lowers` (top first) with `upper` and `work` at `target`.
pub fn mount(lowers: &[String], upper: &str, work: &str, target: &Path, kind: Upper) -> Result<()> {
    let failed = |e| Error::io(format!("mount overlay at {}", target.display()))(e);
    let variants = option_variants(lowers, upper, work, kind);
    if variants[0].len() <= MOUNT_OPTIONS_MAX {
        return mount_options(&variants, target).map_err(failed);
    }
    let Err(layer_by_layer) = mount_layer_by_layer(lowers, upper, work, target, kind) else {
        return Ok(());
    };
    tracing::debug!(error = %layer_by_layer, "lowerdir+ failed; naming the layers by open file descriptors");
    mount_through_fds(lowers, upper, work, target, kind).map_err(|through_fds| {
        Error::OverlayTooManyLayers {
            layers: lowers.len(),
            layer_by_layer,
            source: through_fds,
        }
    })
}

/// `lowerdir=…,upperdir=…,workdir=…` with the diff options (and `volatile` when asked), then
/// with the diff options alone, then without them.
fn option_variants(lowers: &[String], upper: &str, work: &str, kind: Upper) -> Vec<String> {
    let lowerdir: Vec<String> = lowers.iter().map(|p| escape_option(p)).collect();
    let base = format!(
        "lowerdir={},upperdir={},workdir={}",
        lowerdir.join(":"),
        escape_option(upper),
        escape_option(work)
    );
    let mut with_diff_options = base.clone();
    for (key, value) in DIFF_OPTIONS {
        with_diff_options.extend([",", key, "=", value]);
    }
    match kind {
        Upper::Volatile => vec![
            format!("{with_diff_options},volatile"),
            with_diff_options,
            base,
        ],
        Upper::Synced => vec![with_diff_options, base],
    }
}

/// `mount(2)` with each set of options in turn, until one mounts.
fn mount_options(variants: &[String], target: &Path) -> io::Result<()> {
    let mut last_error = io::Error::other("no mount options");
    for data in variants {
        if data.len() > MOUNT_OPTIONS_MAX {
            last_error = io::Error::from(rustix::io::Errno::TOOBIG);
            continue;
        }
        let data = CString::new(data.as_str())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL byte"))?;
        match rustix::mount::mount(
            "overlay",
            target,
            "overlay",
            MountFlags::empty(),
            data.as_c_str(),
        ) {
            Ok(()) => return Ok(()),
            Err(e) => last_error = e.into(),
        }
    }
    Err(last_error)
}

/// The new mount API: each lower directory its own `lowerdir+` (Linux 6.8).
fn mount_layer_by_layer(
    lowers: &[String],
    upper: &str,
    work: &str,
    target: &Path,
    kind: Upper,
) -> io::Result<()> {
    let mut last_error = io::Error::other("no mount options");
    // (diff options, volatile), as `option_variants` orders them.
    let attempts: &[(bool, bool)] = match kind {
        Upper::Volatile => &[(true, true), (true, false), (false, false)],
        Upper::Synced => &[(true, false), (false, false)],
    };
    for &(diff_options, volatile) in attempts {
        match fs_context(lowers, upper, work, diff_options, volatile) {
            Ok(fs) => {
                let mount = fsmount(
                    fs.as_fd(),
                    FsMountFlags::FSMOUNT_CLOEXEC,
                    MountAttrFlags::empty(),
                )?;
                move_mount(
                    mount.as_fd(),
                    "",
                    rustix::fs::CWD,
                    target,
                    MoveMountFlags::MOVE_MOUNT_F_EMPTY_PATH,
                )?;
                return Ok(());
            }
            Err(e) => last_error = e,
        }
    }
    Err(last_error)
}

fn fs_context(
    lowers: &[String],
    upper: &str,
    work: &str,
    diff_options: bool,
    volatile: bool,
) -> io::Result<OwnedFd> {
    let fs = fsopen("overlay", FsOpenFlags::FSOPEN_CLOEXEC)?;
    // Top first, as in `lowerdir=`: each `lowerdir+` goes below the ones before it.
    for lower in lowers {
        fsconfig_set_string(fs.as_fd(), "lowerdir+", lower.as_str())?;
    }
    fsconfig_set_string(fs.as_fd(), "upperdir", upper)?;
    fsconfig_set_string(fs.as_fd(), "workdir", work)?;
    if diff_options {
        for (key, value) in DIFF_OPTIONS {
            fsconfig_set_string(fs.as_fd(), key, value)?;
        }
    }
    if volatile {
        rustix::mount::fsconfig_set_flag(fs.as_fd(), "volatile")?;
    }
    fsconfig_create(fs.as_fd())?;
    Ok(fs)
}

/// `mount(2)` with each lower directory named `/proc/self/fd/N`, N a descriptor of it held open
/// until the mount is made.
fn mount_through_fds(
    lowers: &[String],
    upper: &str,
    work: &str,
    target: &Path,
    kind: Upper,
) -> io::Result<()> {
    let fds: Vec<OwnedFd> = lowers
        .iter()
        .map(|lower| {
            rustix::fs::open(
                lower.as_str(),
                OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
        })
        .collect::<rustix::io::Result<_>>()?;
    let short: Vec<String> = fds
        .iter()
        .map(|fd| format!("/proc/self/fd/{}", fd.as_raw_fd()))
        .collect();
    mount_options(&option_variants(&short, upper, work, kind), target)
}

/// Commas and colons separate overlay options and lower directories: escape them in paths.
fn escape_option(path: &str) -> String {
    path.replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace(':', "\\:")
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// Every way of mounting stacks 128 layers, top first, and names the top layer's file; a
    /// volatile upper is mounted `volatile` (this kernel has it) and a synced one is not.
    #[test]
    fn each_way_stacks_128_layers() {
        type Way = fn(&[String], &str, &str, &Path, Upper) -> io::Result<()>;
        if !rustix::process::geteuid().is_root() {
            assert!(
                std::env::var_os("CI").is_none(),
                "mounting needs root in CI"
            );
            return;
        }
        let ways: [(&str, Way); 2] = [
            ("lowerdir+", mount_layer_by_layer),
            ("/proc/self/fd", mount_through_fds),
        ];
        let cases = ways
            .into_iter()
            .flat_map(|way| [(way, Upper::Synced), (way, Upper::Volatile)]);
        for ((label, way), kind) in cases {
            let scratch = tempfile::tempdir().unwrap();
            let dir = |name: &str| {
                let path = scratch.path().join(name);
                std::fs::create_dir_all(&path).unwrap();
                path
            };
            // Long names, so that the plain options would be far over a page.
            let lowers: Vec<String> = (0..128)
                .rev()
                .map(|index| {
                    let layer = dir(&format!("{index:03}-{}", "x".repeat(100)));
                    std::fs::write(layer.join("file"), format!("{index}")).unwrap();
                    std::fs::write(layer.join(format!("only-{index}")), "").unwrap();
                    layer.to_string_lossy().into_owned()
                })
                .collect();
            assert!(option_variants(&lowers, "u", "w", kind)[1].len() > MOUNT_OPTIONS_MAX);
            let (upper, work, target) = (dir("upper"), dir("work"), dir("target"));
            let text = |p: &PathBuf| p.to_string_lossy().into_owned();
            way(&lowers, &text(&upper), &text(&work), &target, kind)
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            let top = std::fs::read_to_string(target.join("file"));
            let count = std::fs::read_dir(&target).map(Iterator::count);
            let options = mount_options_of(&target);
            rustix::mount::unmount(&target, rustix::mount::UnmountFlags::DETACH).unwrap();
            assert_eq!(top.unwrap(), "127", "{label}");
            assert_eq!(count.unwrap(), 129, "{label}");
            // Linux 6.x shows `volatile` as `fsync=volatile`.
            let volatile = options
                .split(',')
                .any(|option| option == "volatile" || option == "fsync=volatile");
            let tail = &options[options.find(",upperdir=").unwrap_or(0)..];
            assert_eq!(
                volatile,
                kind == Upper::Volatile,
                "{label} {kind:?}: {tail}"
            );
        }
    }

    /// The super options mountinfo shows for the mount at `target`.
    fn mount_options_of(target: &Path) -> String {
        let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
        let target = target.to_string_lossy();
        mountinfo
            .lines()
            .filter(|line| line.split(' ').nth(4) == Some(&*target))
            .filter_map(|line| line.rsplit(' ').next())
            .next_back()
            .unwrap_or_default()
            .to_owned()
    }
}
