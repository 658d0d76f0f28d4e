//! Content digests (and extended attributes) of a directory context's files, remembered between
//! builds, so that a rebuild opens only the files that changed (BuildKit keeps the same in its
//! content-hash cache).
//!
//! What is remembered is reused only for the same file in the same state: the same device and inode, size,
//! modification time and status-change time (nanoseconds). Writing a file's bytes, `touch`,
//! `chmod`, `setxattr`, a rename over it or a new file at its inode all move its ctime, which no process can set
//! back. As git's index does with "racily clean" entries, a file whose ctime is within
//! [`SETTLE`] of the moment it was hashed is not remembered: a write in the same instant could
//! leave the times unchanged.

use std::{
    borrow::Cow,
    collections::BTreeMap,
    path::{Path, PathBuf},
    sync::Mutex,
    time::{Duration, SystemTime},
};

use berth_digest::Digest;
use berth_store::fs::{read_file_bounded, write_atomic_path, Permissions};
use rustix::fs::Stat;
use serde::{Deserialize, Serialize};

/// Files changed this recently are hashed every time.
const SETTLE: Duration = Duration::from_secs(2);
/// A memo file larger than this is ignored (and replaced).
const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// What identifies one state of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
struct FileState {
    dev: u64,
    ino: u64,
    size: i64,
    mtime: (i64, u64),
    ctime: (i64, u64),
}

impl FileState {
    fn of(stat: &Stat) -> FileState {
        FileState {
            dev: stat.st_dev,
            ino: stat.st_ino,
            size: stat.st_size,
            mtime: (stat.st_mtime, stat.st_mtime_nsec),
            ctime: (stat.st_ctime, stat.st_ctime_nsec),
        }
    }

    /// Whether the file last changed at least [`SETTLE`] before `now`.
    fn settled(&self, now: SystemTime) -> bool {
        let Ok(since_epoch) = now.duration_since(SystemTime::UNIX_EPOCH) else {
            return false;
        };
        let Ok(secs) = u64::try_from(self.ctime.0) else {
            return false;
        };
        let nanos = u32::try_from(self.ctime.1).unwrap_or(0);
        Duration::new(secs, nanos) + SETTLE <= since_epoch
    }
}

/// What a COPY's checksum needs of a file beyond its `lstat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFacts {
    pub digest: Digest,
    /// Its extended attributes (as the walker reads them), mostly none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub xattrs: Vec<(String, Vec<u8>)>,
}

/// The memo as read ([`MemoRef`] writes it).
#[derive(Debug, Default, Deserialize)]
struct Memo {
    files: Vec<(FileState, FileFacts)>,
}

/// [`Memo`] as written: the same JSON, from borrowed entries.
#[derive(Serialize)]
struct MemoRef<'a> {
    files: Vec<(&'a FileState, &'a FileFacts)>,
}

/// The digests known for one context, and those used by this build (what is saved).
#[derive(Debug)]
pub struct FileDigests {
    path: PathBuf,
    known: BTreeMap<FileState, FileFacts>,
    used: Mutex<Used>,
}

/// What one build used: known states (their facts stay in `known`, nothing is copied per file)
/// and facts found anew.
#[derive(Debug, Default)]
struct Used {
    known: Vec<FileState>,
    new: BTreeMap<FileState, FileFacts>,
}

impl FileDigests {
    /// The memo at `path`; empty when it is missing or unreadable (it is only a memo).
    pub fn load(path: PathBuf) -> FileDigests {
        let known = std::fs::File::open(&path)
            .and_then(|file| read_file_bounded(&file, MAX_BYTES))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Memo>(&bytes).ok())
            .map(|memo| memo.files.into_iter().collect())
            .unwrap_or_default();
        FileDigests {
            path,
            known,
            used: Mutex::new(Used::default()),
        }
    }

    /// The facts of the file in state `stat`: remembered, or found by `read` (and remembered
    /// when the file has settled).
    pub fn facts(
        &self,
        stat: &Stat,
        read: impl FnOnce() -> std::io::Result<FileFacts>,
    ) -> std::io::Result<Cow<'_, FileFacts>> {
        let state = FileState::of(stat);
        if let Some(facts) = self.known.get(&state) {
            if let Ok(mut used) = self.used.lock() {
                used.known.push(state);
            }
            return Ok(Cow::Borrowed(facts));
        }
        let facts = read()?;
        if state.settled(SystemTime::now()) {
            if let Ok(mut used) = self.used.lock() {
                used.new.insert(state, facts.clone());
            }
        }
        Ok(Cow::Owned(facts))
    }

    /// Writes the facts this build used (and only those, so the memo stays the size of the
    /// context), atomically; nothing when they are what the memo already held (a no-op rebuild
    /// writes nothing). A memo that cannot be written only costs the next build time.
    pub fn save(&self) {
        let Ok(mut used) = self.used.lock() else {
            return;
        };
        used.known.sort_unstable();
        used.known.dedup();
        // Every known state used and none new: the memo would be written as it is.
        if used.new.is_empty() && used.known.len() == self.known.len() {
            return;
        }
        // Borrowed, not copied: the memo of a large context is megabytes.
        let mut files: BTreeMap<&FileState, &FileFacts> = used.new.iter().collect();
        for state in &used.known {
            if let Some((state, facts)) = self.known.get_key_value(state) {
                files.insert(state, facts);
            }
        }
        let memo = MemoRef {
            files: files.into_iter().collect(),
        };
        let Ok(bytes) = serde_json::to_vec(&memo) else {
            return;
        };
        if let Err(e) = write_atomic_path(&self.path, &bytes, Permissions::Create(0o600)) {
            tracing::debug!(error = %e, path = %self.path.display(), "the context digests were not saved");
        }
    }
}

/// The memo's file name for the context directory `dir`: one per context.
pub fn memo_name(dir: &Path) -> String {
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
    let digest = Digest::sha256(canonical.as_os_str().as_encoded_bytes());
    format!("{}.json", &digest.encoded()[..32])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    fn stat(path: &Path) -> Stat {
        let file = std::fs::File::open(path).unwrap();
        rustix::fs::fstat(file.as_fd()).unwrap()
    }

    fn sha(bytes: &[u8]) -> FileFacts {
        FileFacts {
            digest: Digest::sha256(bytes),
            xattrs: Vec::new(),
        }
    }

    #[test]
    fn a_settled_file_is_read_once_and_any_change_reads_it_again() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"one").unwrap();
        // Settle it: its ctime two seconds and more in the past.
        std::thread::sleep(SETTLE + Duration::from_millis(50));
        let memo = dir.path().join("memo.json");
        let digests = FileDigests::load(memo.clone());
        let first = digests.facts(&stat(&file), || Ok(sha(b"one"))).unwrap();
        digests.save();

        let digests = FileDigests::load(memo.clone());
        let reused = digests
            .facts(&stat(&file), || {
                panic!("a settled, unchanged file is not read again")
            })
            .unwrap();
        assert_eq!(*reused, *first);

        // Same size, new bytes: its ctime moves, so it is read again.
        std::fs::write(&file, b"two").unwrap();
        let mut read = false;
        let changed = digests
            .facts(&stat(&file), || {
                read = true;
                Ok(sha(b"two"))
            })
            .unwrap();
        assert!(read);
        assert_eq!(*changed, sha(b"two"));
    }

    #[test]
    fn a_file_changed_just_now_is_not_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"fresh").unwrap();
        let memo = dir.path().join("memo.json");
        let digests = FileDigests::load(memo.clone());
        digests.facts(&stat(&file), || Ok(sha(b"fresh"))).unwrap();
        digests.save();
        let digests = FileDigests::load(memo);
        let mut read = false;
        digests
            .facts(&stat(&file), || {
                read = true;
                Ok(sha(b"fresh"))
            })
            .unwrap();
        assert!(read, "a racily-clean file is hashed again");
    }

    #[test]
    fn remembered_xattrs_follow_a_setxattr_and_a_no_op_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"same").unwrap();
        let with = |value: &[u8]| FileFacts {
            xattrs: vec![("user.k".to_owned(), value.to_vec())],
            ..sha(b"same")
        };
        if rustix::fs::setxattr(&file, "user.k", b"1", rustix::fs::XattrFlags::empty()).is_err() {
            return; // a filesystem without user xattrs: nothing to remember
        }
        std::thread::sleep(SETTLE + Duration::from_millis(50));
        let memo = dir.path().join("memo.json");
        let digests = FileDigests::load(memo.clone());
        digests.facts(&stat(&file), || Ok(with(b"1"))).unwrap();
        digests.save();
        let written = std::fs::metadata(&memo).unwrap().modified().unwrap();

        // Nothing changed: the memo answers and is not written again.
        let digests = FileDigests::load(memo.clone());
        let reused = digests
            .facts(&stat(&file), || panic!("an unchanged file is not opened"))
            .unwrap();
        assert_eq!(*reused, with(b"1"));
        digests.save();
        assert_eq!(
            std::fs::metadata(&memo).unwrap().modified().unwrap(),
            written
        );

        // A new xattr value moves the ctime: the file is read again.
        rustix::fs::setxattr(&file, "user.k", b"2", rustix::fs::XattrFlags::empty()).unwrap();
        let mut read = false;
        let changed = digests
            .facts(&stat(&file), || {
                read = true;
                Ok(with(b"2"))
            })
            .unwrap();
        assert!(read);
        assert_eq!(*changed, with(b"2"));
    }

    #[test]
    fn the_memo_keeps_only_the_files_a_build_used() {
        let dir = tempfile::tempdir().unwrap();
        let (one, two) = (dir.path().join("one"), dir.path().join("two"));
        std::fs::write(&one, b"1").unwrap();
        std::fs::write(&two, b"2").unwrap();
        std::thread::sleep(SETTLE + Duration::from_millis(50));
        let memo = dir.path().join("memo.json");
        let digests = FileDigests::load(memo.clone());
        digests.facts(&stat(&one), || Ok(sha(b"1"))).unwrap();
        digests.facts(&stat(&two), || Ok(sha(b"2"))).unwrap();
        digests.save();
        assert_eq!(FileDigests::load(memo.clone()).known.len(), 2);

        // The next build uses only `one`, twice: the memo is rewritten with it alone.
        let digests = FileDigests::load(memo.clone());
        for _ in 0..2 {
            let facts = digests.facts(&stat(&one), || panic!("remembered")).unwrap();
            assert_eq!(*facts, sha(b"1"));
        }
        digests.save();
        let kept = FileDigests::load(memo);
        assert_eq!(kept.known.len(), 1);
        assert_eq!(kept.known.values().next(), Some(&sha(b"1")));
    }

    #[test]
    fn a_missing_or_corrupt_memo_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let memo = dir.path().join("memo.json");
        std::fs::write(&memo, b"{not json").unwrap();
        assert!(FileDigests::load(memo).known.is_empty());
        assert!(FileDigests::load(dir.path().join("missing"))
            .known
            .is_empty());
    }
}
