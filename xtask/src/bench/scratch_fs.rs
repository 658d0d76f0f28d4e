//! A file system of the bench's own for the build group: ext4 as `mkfs.ext4` makes it (with a
//! journal), in a sparse image file under the scratch directory, loop-mounted.
//!
//! This VM's root file system is ext4 without a journal, and there ext4's inode allocator skips
//! every inode freed in the last minute, six when its inode-table block is dirty, which a create
//! next to it makes it (`recently_deleted`): each new file scans past them. A build group run
//! after other groups' and tools' deletes (stores set aside and emptied, `docker builder prune`,
//! buildah's temporary containers) measured that, not the builders: a cold berth build took 2.4 s
//! alone, 5.0 s right after 60,000 deletes and 6.6-10.1 s in the bench, BuildKit's 9.2-15.8 s.
//! With a journal, ext4 reuses freed inodes at once, as on a stock Debian install.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{bail, Context as _};

/// Size of the sparse image (it only takes what the group writes, a few GB).
const SIZE: &str = "40G";

pub struct ScratchFs {
    image: PathBuf,
    dir: PathBuf,
}

impl ScratchFs {
    /// Makes the image beside `dir` and mounts it at `dir`.
    pub fn mount(dir: &Path) -> anyhow::Result<ScratchFs> {
        let image = dir.with_extension("img");
        std::fs::create_dir_all(dir)?;
        run(Command::new("truncate").args(["-s", SIZE]).arg(&image))?;
        run(Command::new("mkfs.ext4").args(["-q", "-F"]).arg(&image))?;
        run(Command::new("mount")
            .args(["-o", "loop"])
            .arg(&image)
            .arg(dir))?;
        Ok(ScratchFs {
            image,
            dir: dir.to_owned(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Unmounts it (the loop device goes with the mount) and deletes the image: one file.
    pub fn remove(self) {
        let _ = Command::new("umount").arg(&self.dir).status();
        let _ = std::fs::remove_file(&self.image);
        let _ = std::fs::remove_dir(&self.dir);
    }
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let status = command
        .status()
        .with_context(|| format!("failed to run {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed: {status}");
    }
    Ok(())
}
