//! Reading COPY/ADD sources: wildcards resolved as BuildKit's fsutil does (Go `filepath.Match`
//! per path element), each match followed inside its root, and its tree walked fd-relatively
//! without following any symlink, `.dockerignore` and `--exclude` applied.

use std::{
    cell::OnceCell,
    io,
    os::fd::{AsFd, BorrowedFd, OwnedFd},
};

use berth_container::unpack::{
    fs::{list_dir, lstat_at, open_in_root, open_nofollow},
    path::{os, RootPath},
};
use berth_dockerfile::ignore::Matcher;
use rustix::fs::{FileType, OFlags, Stat};

use crate::{
    context::Context,
    error::{Error, Result},
};

/// Where sources are read from: a root directory fd, and the context's ignore rules.
pub(crate) struct Source<'a> {
    pub root: BorrowedFd<'a>,
    pub context: Option<&'a Context>,
}

/// One entry of a walked source tree.
pub(crate) enum Node<'n> {
    /// A directory: visited before its children; `Leave` follows them.
    Dir,
    File(&'n FileNode<'n>),
    Symlink(&'n [u8]),
    /// A FIFO or device node.
    Special,
    /// The end of a directory; `empty` when nothing was visited inside it.
    Leave {
        empty: bool,
    },
}

/// A regular file met by the walker, opened only when its bytes or extended attributes are asked
/// for: a rebuild whose context digests are remembered needs neither (its `lstat` is enough).
pub(crate) struct FileNode<'n> {
    /// The directory and name it is opened at (never following a symlink); `None` when it was
    /// opened up front.
    at: Option<(BorrowedFd<'n>, &'n [u8])>,
    fd: OnceCell<OwnedFd>,
    xattrs: OnceCell<Vec<(String, Vec<u8>)>>,
}

impl<'n> FileNode<'n> {
    fn at(dir: BorrowedFd<'n>, name: &'n [u8]) -> FileNode<'n> {
        FileNode {
            at: Some((dir, name)),
            fd: OnceCell::new(),
            xattrs: OnceCell::new(),
        }
    }

    fn opened(fd: OwnedFd) -> FileNode<'n> {
        FileNode {
            at: None,
            fd: OnceCell::from(fd),
            xattrs: OnceCell::new(),
        }
    }

    /// The open file (read-only).
    pub fn fd(&self) -> io::Result<BorrowedFd<'_>> {
        if let Some(fd) = self.fd.get() {
            return Ok(fd.as_fd());
        }
        let (dir, name) = self.at.expect("a file not opened up front has a place");
        let fd = open_nofollow(dir, name, OFlags::RDONLY)?;
        Ok(self.fd.get_or_init(|| fd).as_fd())
    }

    /// A descriptor of its own on the file (read-only), for another thread.
    pub fn open(&self) -> io::Result<OwnedFd> {
        match (self.fd.get(), self.at) {
            (Some(fd), _) => fd.try_clone(),
            (None, Some((dir, name))) => open_nofollow(dir, name, OFlags::RDONLY),
            (None, None) => unreachable!("a file not opened up front has a place"),
        }
    }

    /// Its extended attributes, as [`read_xattrs`] reads them.
    pub fn xattrs(&self) -> io::Result<&[(String, Vec<u8>)]> {
        if let Some(xattrs) = self.xattrs.get() {
            return Ok(xattrs);
        }
        let xattrs = read_xattrs(self.fd()?);
        Ok(self.xattrs.get_or_init(|| xattrs))
    }
}

/// What the walker hands out: the path relative to the matched source (empty for the source
/// itself), its `lstat`, and the node.
pub(crate) struct Visit<'v> {
    pub rel: &'v [Vec<u8>],
    pub stat: &'v Stat,
    /// A directory's extended attributes (a file's come from its [`FileNode`]).
    dir_xattrs: &'v [(String, Vec<u8>)],
    pub node: Node<'v>,
}

impl Visit<'_> {
    /// The entry's extended attributes (a file is opened to read them).
    pub fn xattrs(&self) -> io::Result<&[(String, Vec<u8>)]> {
        match &self.node {
            Node::File(file) => file.xattrs(),
            _ => Ok(self.dir_xattrs),
        }
    }
}

pub(crate) fn has_wildcards(path: &str) -> bool {
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'*' | b'?' | b'[' => return true,
            b'\\' => i += 1,
            _ => {}
        }
        i += 1;
    }
    false
}

pub(crate) fn display(path: &RootPath) -> String {
    path.to_absolute()
}

/// `a/b` as `.dockerignore` patterns see it (`""` for the root).
fn joined(path: &RootPath) -> String {
    if path.0.is_empty() {
        return String::new();
    }
    String::from_utf8_lossy(&path.to_relative()).into_owned()
}

impl Source<'_> {
    /// The paths `pattern` names (BuildKit's `ResolveWildcards`, `..` cleaned inside the root):
    /// a literal path must exist (BuildKit's `"/x" not found`), a wildcard may match nothing.
    pub fn resolve(&self, pattern: &str) -> Result<Vec<RootPath>> {
        let cleaned = RootPath::clean_clamped(pattern.as_bytes());
        if !has_wildcards(pattern) {
            if self.exists(&cleaned)? {
                return Ok(vec![cleaned]);
            }
            return Err(Error::SourceNotFound(display(&cleaned)));
        }
        let mut current = vec![RootPath(Vec::new())];
        for component in &cleaned.0 {
            let text = String::from_utf8_lossy(component);
            let mut next = Vec::new();
            for base in &current {
                if !has_wildcards(&text) {
                    let path = base.join(component);
                    if self.exists(&path)? {
                        next.push(path);
                    }
                    continue;
                }
                let Ok(dir) = open_in_root(self.root, base, OFlags::RDONLY | OFlags::DIRECTORY)
                else {
                    continue;
                };
                for name in list_dir(dir.as_fd()).map_err(Error::io("read a source directory"))? {
                    let name_text = String::from_utf8_lossy(&name);
                    let hit = berth_reference::path_match(&text, &name_text)
                        .map_err(|_| Error::BadSourcePattern(pattern.to_owned()))?;
                    let path = base.join(&name);
                    if hit && !self.ignored(&path)? {
                        next.push(path);
                    }
                }
            }
            current = next;
        }
        Ok(current)
    }

    /// Whether `path` (followed inside the root) is a directory.
    pub fn is_dir(&self, path: &RootPath) -> Result<bool> {
        let fd = open_in_root(self.root, path, OFlags::PATH)
            .map_err(Error::io(format!("stat {}", display(path))))?;
        let stat = rustix::fs::fstat(&fd)
            .map_err(|e| Error::io(format!("stat {}", display(path)))(e.into()))?;
        Ok(FileType::from_raw_mode(stat.st_mode) == FileType::Directory)
    }

    /// Opens a regular file (followed inside the root); `None` for anything else.
    pub fn open_file(&self, path: &RootPath) -> Result<Option<std::fs::File>> {
        if self.is_dir(path)? {
            return Ok(None);
        }
        let fd = open_in_root(self.root, path, OFlags::RDONLY | OFlags::NONBLOCK)
            .map_err(Error::io(format!("open {}", display(path))))?;
        let file = std::fs::File::from(fd);
        let is_file = file.metadata().is_ok_and(|m| m.is_file());
        Ok(is_file.then_some(file))
    }

    /// Whether `path` exists (followed inside the root) and is not ignored.
    fn exists(&self, path: &RootPath) -> Result<bool> {
        if self.ignored(path)? {
            return Ok(false);
        }
        match open_in_root(self.root, path, OFlags::PATH) {
            Ok(_) => Ok(true),
            Err(e) if missing(&e) => Ok(false),
            Err(e) => Err(Error::io(format!("stat {}", display(path)))(e)),
        }
    }

    fn ignored(&self, path: &RootPath) -> Result<bool> {
        match self.context {
            Some(context) => context.is_ignored(&joined(path)),
            None => Ok(false),
        }
    }

    /// Walks `path` (followed inside the root) and everything below it, children in name
    /// order, directories before and after their children. `exclude` is matched against paths
    /// relative to `path`.
    pub fn walk(
        &self,
        path: &RootPath,
        exclude: Option<&Matcher>,
        visit: &mut dyn FnMut(Visit<'_>) -> Result<()>,
    ) -> Result<()> {
        let at = |e: io::Error| Error::io(format!("open {}", display(path)))(e);
        let fd = open_in_root(self.root, path, OFlags::PATH).map_err(at)?;
        let stat = rustix::fs::fstat(&fd).map_err(|e| at(e.into()))?;
        let file_type = FileType::from_raw_mode(stat.st_mode);
        let walker = Walker {
            source: self,
            exclude,
        };
        let mut rel = Vec::new();
        match file_type {
            FileType::Directory => {
                let dir = open_in_root(self.root, path, OFlags::RDONLY | OFlags::DIRECTORY)
                    .map_err(at)?;
                walker.dir(path, &mut rel, dir.as_fd(), &stat, visit)
            }
            FileType::RegularFile => {
                let file = open_in_root(self.root, path, OFlags::RDONLY).map_err(at)?;
                let file = FileNode::opened(file);
                visit(Visit {
                    rel: &rel,
                    stat: &stat,
                    dir_xattrs: &[],
                    node: Node::File(&file),
                })
            }
            _ => visit(Visit {
                rel: &rel,
                stat: &stat,
                dir_xattrs: &[],
                node: Node::Special,
            }),
        }
    }
}

struct Walker<'w, 's> {
    source: &'w Source<'s>,
    exclude: Option<&'w Matcher>,
}

impl Walker<'_, '_> {
    /// Visits the directory `dir` (at `top` + `rel`), then its children, then leaves it.
    fn dir(
        &self,
        top: &RootPath,
        rel: &mut Vec<Vec<u8>>,
        dir: BorrowedFd<'_>,
        stat: &Stat,
        visit: &mut dyn FnMut(Visit<'_>) -> Result<()>,
    ) -> Result<()> {
        let xattrs = read_xattrs(dir);
        visit(Visit {
            rel,
            stat,
            dir_xattrs: &xattrs,
            node: Node::Dir,
        })?;
        let names = list_dir(dir).map_err(Error::io(format!("read {}", display(top))))?;
        let mut empty = true;
        for name in names {
            rel.push(name);
            let visited = self.child(top, rel, dir, visit);
            rel.pop();
            empty &= !visited?;
        }
        visit(Visit {
            rel,
            stat,
            dir_xattrs: &xattrs,
            node: Node::Leave { empty },
        })
    }

    /// Visits one child (the last of `rel`) of `dir`; false when it is ignored or excluded.
    fn child(
        &self,
        top: &RootPath,
        rel: &mut Vec<Vec<u8>>,
        dir: BorrowedFd<'_>,
        visit: &mut dyn FnMut(Visit<'_>) -> Result<()>,
    ) -> Result<bool> {
        let name = rel.last().expect("a child has a name").clone();
        // Its path from the source root: made only for an error or the ignore rules.
        let full = || RootPath(top.0.iter().chain(rel.iter()).cloned().collect());
        let at = |e: io::Error| Error::io(format!("read {}", display(&full())))(e);
        let Some(stat) = lstat_at(dir, &name).map_err(at)? else {
            return Ok(false); // gone while we walked
        };
        let file_type = FileType::from_raw_mode(stat.st_mode);
        let excluded = match self.exclude {
            Some(matcher) => matcher.matches(&joined(&RootPath(rel.clone())))?,
            None => false,
        };
        let has_rules = self.source.context.is_some_and(Context::has_ignore_rules);
        let ignored = excluded || (has_rules && self.source.ignored(&full())?);
        if ignored {
            // An exception (`!keep`) below an ignored directory brings the directory back.
            let walk_anyway = file_type == FileType::Directory
                && !excluded
                && self.source.context.is_some_and(Context::walk_ignored_dirs);
            if !walk_anyway {
                return Ok(false);
            }
            let child =
                open_nofollow(dir, &name, OFlags::RDONLY | OFlags::DIRECTORY).map_err(at)?;
            if !self.any_visible(&full(), child.as_fd())? {
                return Ok(false);
            }
        }
        match file_type {
            FileType::Directory => {
                let child =
                    open_nofollow(dir, &name, OFlags::RDONLY | OFlags::DIRECTORY).map_err(at)?;
                self.dir(top, rel, child.as_fd(), &stat, visit)?;
            }
            FileType::RegularFile => {
                let file = FileNode::at(dir, &name);
                visit(Visit {
                    rel,
                    stat: &stat,
                    dir_xattrs: &[],
                    node: Node::File(&file),
                })?;
            }
            FileType::Symlink => {
                let target =
                    rustix::fs::readlinkat(dir, os(&name), Vec::new()).map_err(|e| at(e.into()))?;
                visit(Visit {
                    rel,
                    stat: &stat,
                    dir_xattrs: &[],
                    node: Node::Symlink(target.as_bytes()),
                })?;
            }
            _ => visit(Visit {
                rel,
                stat: &stat,
                dir_xattrs: &[],
                node: Node::Special,
            })?,
        }
        Ok(true)
    }

    /// Whether anything below the ignored directory `path` is re-included by an exception.
    fn any_visible(&self, path: &RootPath, dir: BorrowedFd<'_>) -> Result<bool> {
        for name in list_dir(dir).map_err(Error::io(format!("read {}", display(path))))? {
            let child = path.join(&name);
            if !self.source.ignored(&child)? {
                return Ok(true);
            }
            let is_dir = lstat_at(dir, &name)
                .ok()
                .flatten()
                .is_some_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Directory);
            if is_dir {
                if let Ok(fd) = open_nofollow(dir, &name, OFlags::RDONLY | OFlags::DIRECTORY) {
                    if self.any_visible(&child, fd.as_fd())? {
                        return Ok(true);
                    }
                }
            }
        }
        Ok(false)
    }
}

/// The extended attributes of an open file or directory (file capabilities included, as fsutil
/// copies them), `trusted.*` and the SELinux label left out (the kernel and the LSM own those);
/// none where the filesystem has none.
pub(crate) fn read_xattrs(fd: BorrowedFd<'_>) -> Vec<(String, Vec<u8>)> {
    berth_container::unpack::fs::read_xattrs(fd, |name| {
        !(name.starts_with("trusted.") || name == "security.selinux")
    })
}

pub(crate) fn missing(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound
        || e.raw_os_error() == Some(rustix::io::Errno::NOTDIR.raw_os_error())
}
