//! Mounting an overlay of many layers.
//!
//! `mount(2)` takes the options as one string of at most a page (4096 bytes): with the snapshot
//! paths under a store (about 120 bytes each) an image of 36 or more layers does not fit. Linux 6.8
//! added `lowerdir+`, one lower directory per `fsconfig(2)` call through the new mount API, which has
//! no such limit (overlayfs stacks up to 500 layers); berth uses it when the options do not fit in a
//! page, and says so when the kernel does not have it.

use std::{ffi::CString, io, os::fd::AsFd, path::Path};

use rustix::mount::{
    fsconfig_create, fsconfig_set_string, fsmount, fsopen, move_mount, FsMountFlags, FsOpenFlags,
    MountAttrFlags, MountFlags, MoveMountFlags,
};

use crate::error::{Error, Result};

/// What `mount(2)` copies of its options: one page, the terminating NUL included.
const MOUNT_OPTIONS_MAX: usize = 4096 - 1;

/// Options that keep the upper directory a plain diff: a native upper-dir diff is only right
/// without redirect_dir and metacopy (moby overlay2 `doesSupportNativeDiff`).
const DIFF_OPTIONS: [(&str, &str); 3] = [
    ("redirect_dir", "off"),
    ("metacopy", "off"),
    ("index", "off"),
];

/// Mounts `lowers` (top first) with `upper` and `work` at `target`.
pub fn mount(lowers: &[String], upper: &str, work: &str, target: &Path) -> Result<()> {
    let base = format!(
        "lowerdir={},upperdir={},workdir={}",
        lowers
            .iter()
            .map(|p| escape_option(p))
            .collect::<Vec<_>>()
            .join(":"),
        escape_option(upper),
        escape_option(work)
    );
    let with_diff_options = DIFF_OPTIONS
        .iter()
        .fold(base.clone(), |data, (key, value)| {
            format!("{data},{key}={value}")
        });
    if with_diff_options.len() > MOUNT_OPTIONS_MAX {
        return mount_layer_by_layer(lowers, upper, work, target).map_err(|source| {
            Error::OverlayTooManyLayers {
                layers: lowers.len(),
                source,
            }
        });
    }
    // Older kernels that do not know the diff options get the plain mount.
    let mut last_error = None;
    for data in [with_diff_options, base] {
        let data = CString::new(data).map_err(|_| Error::InvalidArgument {
            what: "overlay mount options",
            value: "path contains a NUL byte".to_owned(),
        })?;
        match rustix::mount::mount(
            "overlay",
            target,
            "overlay",
            MountFlags::empty(),
            data.as_c_str(),
        ) {
            Ok(()) => return Ok(()),
            Err(e) => last_error = Some(e),
        }
    }
    let error = last_error.map_or_else(|| io::Error::other("mount failed"), Into::into);
    Err(Error::io(format!("mount overlay at {}", target.display()))(
        error,
    ))
}

/// The new mount API: each lower directory its own `lowerdir+` (Linux 6.8).
fn mount_layer_by_layer(
    lowers: &[String],
    upper: &str,
    work: &str,
    target: &Path,
) -> io::Result<()> {
    let mut last_error = None;
    for diff_options in [true, false] {
        match fs_context(lowers, upper, work, diff_options) {
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
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("mount failed")))
}

fn fs_context(
    lowers: &[String],
    upper: &str,
    work: &str,
    diff_options: bool,
) -> io::Result<std::os::fd::OwnedFd> {
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
    fsconfig_create(fs.as_fd())?;
    Ok(fs)
}

/// Commas and colons separate overlay options and lower directories: escape them in paths.
fn escape_option(path: &str) -> String {
    path.replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace(':', "\\:")
}
