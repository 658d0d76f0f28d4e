//! Two writers of one blob at once (issues 12 and 13): threads that step in lockstep through
//! scripted interleavings of opening, writing, committing and dropping an ingest file.

use std::{
    io::Write,
    sync::{Arc, Barrier},
};

use berth_digest::{Digest, Expected};

use crate::{Ingest, Store};

const CHUNK: usize = 1000;
const CHUNKS: usize = 8;
/// Steps every scenario runs for; every writer is done well before.
const STEPS: usize = 40;

fn blob() -> Vec<u8> {
    (0..CHUNK * CHUNKS)
        .map(|i| u8::try_from(i * 31 % 251).unwrap())
        .collect()
}

/// How a writer gets its file: `pull` resumes a partial download, `load`/`import`/`commit` write a
/// private one.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Resumable,
    Private,
}

/// What the writer sends: the blob, or bytes of the same length that do not hash to its name (a
/// hostile registry).
#[derive(Debug, Clone, Copy)]
enum Content {
    Blob,
    Garbage,
}

/// What the writer does once it stops writing.
#[derive(Debug, Clone, Copy)]
enum End {
    /// Writes to the end, then commits with the expected digest and size.
    Commit,
    /// Drops its ingest after writing this many chunks (a failed or interrupted download).
    DropAfter(usize),
}

#[derive(Debug, Clone, Copy)]
struct Writer {
    kind: Kind,
    content: Content,
    /// Step at which it opens its ingest.
    start: usize,
    /// Steps per chunk written.
    pace: usize,
    end: End,
}

/// How a writer's commit went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Committed,
    /// Refused: the bytes did not hash to the name.
    Refused,
    Dropped,
}

struct Case {
    name: &'static str,
    writers: [Writer; 2],
    /// Chunks already there when each writer opened its ingest.
    resumed: [usize; 2],
    outcomes: [Outcome; 2],
    /// Bytes left in a resumable partial file at the end.
    partial_left: usize,
}

const fn writer(kind: Kind, content: Content, start: usize, pace: usize, end: End) -> Writer {
    Writer {
        kind,
        content,
        start,
        pace,
        end,
    }
}

use {Content::*, End::*, Kind::*, Outcome::*};

const CASES: &[Case] = &[
    Case {
        // #12: one of two pulls failed with "No such file or directory" at commit.
        name: "two downloads of one blob at once both succeed",
        writers: [
            writer(Resumable, Blob, 0, 1, Commit),
            writer(Resumable, Blob, 0, 1, Commit),
        ],
        resumed: [0, 0],
        outcomes: [Committed, Committed],
        partial_left: 0,
    },
    Case {
        // #12: a second registry served garbage for the same digest, slowly, into the shared file,
        // and kept writing into the blob after the first download committed it.
        name: "a hostile download that starts second cannot touch the committed blob",
        writers: [
            writer(Resumable, Blob, 0, 1, Commit),
            writer(Resumable, Garbage, 2, 3, Commit),
        ],
        resumed: [0, 0],
        outcomes: [Committed, Refused],
        partial_left: 0,
    },
    Case {
        name: "a hostile download that starts first does not spoil the good one",
        writers: [
            writer(Resumable, Garbage, 0, 3, Commit),
            writer(Resumable, Blob, 1, 1, Commit),
        ],
        resumed: [0, 0],
        outcomes: [Refused, Committed],
        partial_left: 0,
    },
    Case {
        name: "a download and a load of the same layer both succeed",
        writers: [
            writer(Private, Blob, 0, 1, Commit),
            writer(Resumable, Blob, 0, 2, Commit),
        ],
        resumed: [0, 0],
        outcomes: [Committed, Committed],
        partial_left: 0,
    },
    Case {
        name: "a download that fails mid-way while another runs keeps its bytes for later",
        writers: [
            writer(Resumable, Blob, 0, 1, DropAfter(3)),
            writer(Resumable, Blob, 1, 1, Commit),
        ],
        resumed: [0, 0],
        outcomes: [Dropped, Committed],
        partial_left: 3 * CHUNK,
    },
    Case {
        name: "a download after a failed one resumes from its bytes",
        writers: [
            writer(Resumable, Blob, 0, 1, DropAfter(3)),
            writer(Resumable, Blob, 5, 1, Commit),
        ],
        resumed: [0, 3],
        outcomes: [Dropped, Committed],
        partial_left: 0,
    },
    Case {
        name: "a download that starts as another commits gets a file of its own",
        writers: [
            writer(Resumable, Blob, 0, 1, Commit),
            writer(Resumable, Blob, CHUNKS + 1, 1, Commit),
        ],
        resumed: [0, 0],
        outcomes: [Committed, Committed],
        partial_left: 0,
    },
    Case {
        // #13 item 11: a download that fails before its first byte left an empty partial file.
        name: "a download that fails before its first byte leaves no file",
        writers: [
            writer(Resumable, Blob, 0, 1, DropAfter(0)),
            writer(Private, Blob, 0, 1, Commit),
        ],
        resumed: [0, 0],
        outcomes: [Dropped, Committed],
        partial_left: 0,
    },
];

/// One writer's state between steps.
struct Run<'a> {
    store: &'a Store,
    spec: Writer,
    ingest: Option<Ingest>,
    /// Chunks there when it opened its ingest.
    resumed: usize,
    written: usize,
    outcome: Option<Outcome>,
}

impl Run<'_> {
    fn step(&mut self, step: usize) -> Result<(), String> {
        let data = blob();
        let digest = Digest::sha256(&data);
        let spec = self.spec;
        if step == spec.start {
            let opened = match spec.kind {
                Kind::Resumable => self.store.resume_ingest(&digest),
                Kind::Private => self.store.ingest(),
            }
            .map_err(|e| format!("open: {e}"))?;
            self.resumed = usize::try_from(opened.size()).unwrap() / CHUNK;
            self.written = self.resumed;
            self.ingest = Some(opened);
        } else if step > spec.start
            && self.outcome.is_none()
            && (step - spec.start) % spec.pace == 0
        {
            let chunk = match spec.content {
                Content::Blob => data[self.written * CHUNK..(self.written + 1) * CHUNK].to_vec(),
                Content::Garbage => vec![b'!'; CHUNK],
            };
            let ingest = self.ingest.as_mut().ok_or("no ingest")?;
            ingest
                .write_all(&chunk)
                .map_err(|e| format!("write: {e}"))?;
            self.written += 1;
        }
        if self.outcome.is_some() || self.ingest.is_none() {
            return Ok(());
        }
        match spec.end {
            End::DropAfter(chunks) if self.written == chunks => {
                drop(self.ingest.take());
                self.outcome = Some(Outcome::Dropped);
            }
            End::Commit if self.written == CHUNKS => {
                let ingest = self.ingest.take().ok_or("no ingest")?;
                let pending = ingest.finish().map_err(|e| format!("finish: {e}"))?;
                let expected = Expected::new(digest, Some(data.len() as u64));
                self.outcome = Some(match self.store.commit_blob(pending, Some(&expected)) {
                    Ok(_) => Outcome::Committed,
                    Err(crate::Error::Verify(_)) => Outcome::Refused,
                    Err(e) => {
                        return Err(format!("commit: {e}: {:?}", std::error::Error::source(&e)))
                    }
                });
            }
            _ => {}
        }
        Ok(())
    }
}

/// One writer's run: `(chunks there when it opened, outcome)`. A failure does not stop it from
/// stepping (the other writer waits at the barrier); it is reported at the end.
fn run_writer(store: &Store, spec: Writer, barrier: &Barrier) -> Result<(usize, Outcome), String> {
    let mut run = Run {
        store,
        spec,
        ingest: None,
        resumed: 0,
        written: 0,
        outcome: None,
    };
    let mut failure = None;
    for step in 0..STEPS {
        if failure.is_none() {
            failure = run.step(step).err();
        }
        barrier.wait();
    }
    match (failure, run.outcome) {
        (Some(failure), _) => Err(failure),
        (None, Some(outcome)) => Ok((run.resumed, outcome)),
        (None, None) => Err("the writer did not finish".into()),
    }
}

fn check(case: &Case) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("root")).unwrap());
    let barrier = Arc::new(Barrier::new(2));
    let threads: Vec<_> = case
        .writers
        .iter()
        .map(|&spec| {
            let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
            std::thread::spawn(move || run_writer(&store, spec, &barrier))
        })
        .collect();
    let name = case.name;
    let results: Vec<(usize, Outcome)> = threads
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect::<Result<_, String>>()
        .unwrap_or_else(|failure| panic!("{name}: {failure}"));
    assert_eq!(
        results.iter().map(|r| r.0).collect::<Vec<_>>(),
        case.resumed,
        "{name}: chunks found on opening"
    );
    assert_eq!(
        results.iter().map(|r| r.1).collect::<Vec<_>>(),
        case.outcomes,
        "{name}: outcomes"
    );
    let digest = Digest::sha256(&blob());
    assert_eq!(
        store.read_blob(&digest, 1 << 20).ok(),
        Some(blob()),
        "{name}: the committed blob holds its bytes"
    );
    assert!(store.check().unwrap().problems.is_empty(), "{name}");
    let left: Vec<(String, u64)> = std::fs::read_dir(dir.path().join("root/berth/ingest"))
        .unwrap()
        .flatten()
        .map(|e| {
            let len = e.metadata().unwrap().len();
            (e.file_name().to_string_lossy().into_owned(), len)
        })
        .collect();
    let expected: Vec<(String, u64)> = (case.partial_left > 0)
        .then(|| (super::partial_name(&digest), case.partial_left as u64))
        .into_iter()
        .collect();
    assert_eq!(left, expected, "{name}: files left in the ingest area");
}

/// Each scenario several times: where two writers act in the same step, either may come first.
#[test]
fn two_writers_of_one_blob() {
    for _ in 0..10 {
        for case in CASES {
            check(case);
        }
    }
}

/// A process killed (or interrupted) before its download's first byte cannot remove the empty
/// partial file it created; garbage collection does, and keeps a partial file that holds bytes.
#[test]
fn gc_removes_empty_partial_files_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("root")).unwrap();
    let ingest = dir.path().join("root/berth/ingest");
    let empty = super::partial_name(&Digest::sha256(b"empty"));
    let started = super::partial_name(&Digest::sha256(b"started"));
    std::fs::write(ingest.join(&empty), b"").unwrap();
    std::fs::write(ingest.join(&started), b"sta").unwrap();
    store.gc(&[]).unwrap();
    let left: Vec<String> = std::fs::read_dir(&ingest)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, [started]);
}
