//! `--chown`, `--chmod` and `--checksum` as BuildKit reads them.

use std::os::fd::BorrowedFd;

use berth_container::{read_database, resolve_user};

use super::{is_url, CopyKind, CopyRequest};
use crate::error::{Error, Result};

/// The frontend's checks of ADD's `--checksum` (`dispatchCopy`).
pub(crate) fn check(request: &CopyRequest<'_>) -> Result<()> {
    if let CopyKind::Add {
        checksum: Some(_), ..
    } = request.kind
    {
        if request.sources.len() != 1 {
            return Err(Error::Checksum(
                "checksum can't be specified for multiple sources".to_owned(),
            ));
        }
        if !is_url(&request.sources[0]) {
            return Err(Error::Checksum(
                "checksum requires HTTP(S) or Git sources".to_owned(),
            ));
        }
    }
    Ok(())
}

/// `--chmod`: an octal number up to 07777 (BuildKit's message otherwise). Only the permission
/// bits are applied, as Docker 20.10's BuildKit applies them (`os.FileMode(04750)` is Go's 0750:
/// Go's setuid, setgid and sticky are other bits), so `--chmod=4750` gives 0750. Newer BuildKit
/// keeps the special bits; berth follows 20.10, its oracle (docs/build.md).
pub(crate) fn mode(chmod: Option<&str>) -> Result<Option<u32>> {
    let Some(chmod) = chmod.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    match u32::from_str_radix(chmod, 8) {
        Ok(mode) if mode <= 0o7777 => Ok(Some(mode & 0o777)),
        _ => Err(Error::Chmod(chmod.to_owned())),
    }
}

/// `--chown=user[:group]` as BuildKit's `readUser` resolves it in the destination's
/// `/etc/passwd` and `/etc/group`: a number is taken as it is (a user number alone is also
/// the group), a name found gives its IDs, and a name not found (or no database) leaves 0,
/// without an error, as BuildKit does.
pub(crate) fn owner(chown: Option<&str>, rootfs: BorrowedFd<'_>) -> Result<Option<(u32, u32)>> {
    let Some(chown) = chown.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let (user, group) = match chown.split_once(':') {
        Some((user, group)) => (user, Some(group)),
        None => (chown, None),
    };
    let mut uid = 0;
    let mut gid = 0;
    if let Ok(number) = user.parse::<u32>() {
        uid = number;
        gid = number;
    } else if !user.is_empty() {
        let passwd = read_database(rootfs, "passwd")?;
        // By name only: resolve_user's numeric fallback does not apply to a name.
        match resolve_user(user, &passwd, "") {
            Ok(found) => {
                uid = found.uid;
                gid = found.gid;
            }
            Err(berth_container::Error::UnknownUser(_)) => {
                tracing::debug!(user, "--chown user not in /etc/passwd: 0 as BuildKit");
            }
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(group) = group.filter(|g| !g.is_empty()) {
        if let Ok(number) = group.parse::<u32>() {
            gid = number;
        } else {
            let groups = read_database(rootfs, "group")?;
            match resolve_user(&format!("0:{group}"), "", &groups) {
                Ok(found) => gid = found.gid,
                Err(berth_container::Error::UnknownGroup(_)) => {
                    tracing::debug!(group, "--chown group not in /etc/group: kept as BuildKit");
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(Some((uid, gid)))
}
