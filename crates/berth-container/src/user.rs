//! `USER` / `--user` resolved against the image's own `/etc/passwd` and `/etc/group`, read as data.
//!
//! Never through NSS: glibc would `dlopen` the container's `libnss_*.so` into berth (CVE-2019-14271).
//! The files are opened inside the rootfs (`openat2(RESOLVE_IN_ROOT)`) and capped in size.

use std::os::fd::BorrowedFd;

use rustix::fs::OFlags;

use crate::{
    error::{Error, Result},
    unpack::{fs::open_in_root, path::RootPath},
};

/// Largest passwd or group file berth reads.
const MAX_DATABASE_BYTES: u64 = 1024 * 1024;

/// The process identity of a container, as Docker's `getUser` (moby `daemon/oci_linux.go`) computes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecUser {
    pub uid: u32,
    pub gid: u32,
    pub additional_gids: Vec<u32>,
    pub home: String,
}

struct PasswdEntry {
    name: String,
    uid: u32,
    gid: u32,
    home: String,
}

struct GroupEntry {
    name: String,
    gid: u32,
    members: Vec<String>,
}

fn parse_passwd(contents: &str) -> Vec<PasswdEntry> {
    contents
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            Some(PasswdEntry {
                name: (*fields.first()?).to_owned(),
                uid: fields.get(2)?.parse().ok()?,
                gid: fields.get(3)?.parse().ok()?,
                home: fields.get(5).copied().unwrap_or_default().to_owned(),
            })
        })
        .collect()
}

fn parse_group(contents: &str) -> Vec<GroupEntry> {
    contents
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            Some(GroupEntry {
                name: (*fields.first()?).to_owned(),
                gid: fields.get(2)?.parse().ok()?,
                members: fields
                    .get(3)
                    .map(|m| {
                        m.split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// Resolves `user` (`""`, `name`, `uid`, `name:group`, `uid:gid`) against the database contents.
pub fn resolve_user(user: &str, passwd: &str, group: &str) -> Result<ExecUser> {
    let (user_part, group_part) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    let users = parse_passwd(passwd);
    let groups = parse_group(group);
    let user_part = if user_part.is_empty() { "0" } else { user_part };
    let entry = users.iter().find(|e| e.name == user_part).or_else(|| {
        let uid: u32 = user_part.parse().ok()?;
        users.iter().find(|e| e.uid == uid)
    });
    let (uid, mut gid, home, name) = match (entry, user_part.parse::<u32>()) {
        (Some(e), _) => (e.uid, e.gid, e.home.clone(), Some(e.name.clone())),
        (None, Ok(uid)) => (uid, 0, "/".to_owned(), None),
        (None, Err(_)) => return Err(Error::UnknownUser(user_part.to_owned())),
    };
    if let Some(group_part) = group_part.filter(|g| !g.is_empty()) {
        gid = match groups.iter().find(|g| g.name == group_part) {
            Some(g) => g.gid,
            None => group_part
                .parse()
                .map_err(|_| Error::UnknownGroup(group_part.to_owned()))?,
        };
    }
    let additional_gids = match (&name, group_part) {
        (Some(name), None) => groups
            .iter()
            .filter(|g| g.members.iter().any(|m| m == name) && g.gid != gid)
            .map(|g| g.gid)
            .collect(),
        _ => Vec::new(),
    };
    Ok(ExecUser {
        uid,
        gid,
        additional_gids,
        home: if home.is_empty() {
            "/".to_owned()
        } else {
            home
        },
    })
}

/// Reads `/etc/passwd` or `/etc/group` of a rootfs; a missing file reads as empty.
pub fn read_database(root: BorrowedFd<'_>, name: &str) -> Result<String> {
    let path = RootPath::clean(format!("etc/{name}").as_bytes())?;
    match open_in_root(root, &path, OFlags::RDONLY) {
        Ok(fd) => {
            // Too large is an error, not a cut: a line cut short could name the wrong user ID.
            let contents =
                berth_store::fs::read_file_bounded(&std::fs::File::from(fd), MAX_DATABASE_BYTES)
                    .map_err(Error::io(format!("read /etc/{name}")))?;
            Ok(String::from_utf8_lossy(&contents).into_owned())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(Error::io(format!("open /etc/{name}"))(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\n\
                          daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\
                          app:x:1000:1000::/home/app:/bin/sh\n";
    const GROUP: &str = "root:x:0:\nstaff:x:50:app\napp:x:1000:\nwheel:x:10:root,app\n";

    fn check(user: &str, expected: Result<(u32, u32, &[u32], &str), &str>) {
        let actual = resolve_user(user, PASSWD, GROUP);
        match (expected, actual) {
            (Ok((uid, gid, extra, home)), Ok(actual)) => assert_eq!(
                actual,
                ExecUser {
                    uid,
                    gid,
                    additional_gids: extra.to_vec(),
                    home: home.to_owned()
                },
                "{user}"
            ),
            (Err(message), Err(e)) => assert_eq!(e.to_string(), message, "{user}"),
            (expected, actual) => panic!("{user}: expected {expected:?}, got {actual:?}"),
        }
    }

    #[test]
    fn users() {
        check("", Ok((0, 0, &[10], "/root")));
        check("root", Ok((0, 0, &[10], "/root")));
        check("app", Ok((1000, 1000, &[50, 10], "/home/app")));
        check("1000", Ok((1000, 1000, &[50, 10], "/home/app")));
        check("4242", Ok((4242, 0, &[], "/")));
        check("4242:4343", Ok((4242, 4343, &[], "/")));
        check("app:staff", Ok((1000, 50, &[], "/home/app")));
        check("daemon:0", Ok((1, 0, &[], "/usr/sbin")));
        check(
            "nobody",
            Err("unable to find user nobody: no matching entries in passwd file"),
        );
        check(
            "app:nogroup",
            Err("unable to find group nogroup: no matching entries in group file"),
        );
    }
}
