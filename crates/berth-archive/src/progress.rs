//! What a long archive operation reports while it runs. The library never prints: the caller puts a
//! [`Reporter`] in the options and draws what it is told (the CLI: Docker's `Loading layer` lines and
//! berth's whole-operation line).

use std::{
    fmt,
    io::{self, Read},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};

/// One report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// `load`: a layer file of the archive is being stored and checked: `current` of `total`
    /// bytes. `file` is its path in the archive (one per file); `id` names the `Loading layer`
    /// line it draws, `None` for a file that draws none. An archive file that was indexed first
    /// (`load_file` of an uncompressed archive) has Docker's lines: `id` is the first 12 hex
    /// digits of the layer's diff_id, and a layer whose chain is already in the store draws none
    /// (moby's `tarexport.Load`). A streamed archive's layers are known only as they pass: `id` is
    /// the first 12 hex digits of the digest the file's name carries (`blobs/sha256/<hex>`,
    /// `<hex>/layer.tar`), else its name, and every large layer file draws a line.
    Layer {
        file: String,
        id: Option<String>,
        current: u64,
        total: u64,
    },
    /// `save`: bytes of the whole archive written so far, of `total`: the blobs' sizes (with
    /// their tar headers when the archive streams into a pipe rather than a file).
    Bytes { current: u64, total: u64 },
}

/// Where reports go; the default drops them.
#[derive(Clone, Default)]
pub struct Reporter(Option<Arc<dyn Fn(Progress) + Send + Sync>>);

impl Reporter {
    pub fn new(callback: impl Fn(Progress) + Send + Sync + 'static) -> Reporter {
        Reporter(Some(Arc::new(callback)))
    }

    /// Whether anyone listens (a terminal's screen); indexing for lines is skipped otherwise.
    pub(crate) fn is_active(&self) -> bool {
        self.0.is_some()
    }

    pub(crate) fn emit(&self, progress: Progress) {
        if let Some(callback) = &self.0 {
            callback(progress);
        }
    }

    /// A reader that reports its bytes as `Progress::Layer` of the file `file`, on the line `id`.
    pub(crate) fn layer_reader<R: Read>(
        &self,
        file: &str,
        id: Option<String>,
        total: u64,
        inner: R,
    ) -> Metered<R> {
        Metered {
            inner,
            reporter: self.clone(),
            file: file.to_owned(),
            id,
            current: 0,
            reported: 0,
            total,
        }
    }
}

impl fmt::Debug for Reporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Reporter(..)"
        } else {
            "Reporter(none)"
        })
    }
}

/// Reports are sent every this many bytes (and at the end): a redraw is cheap, but not per read.
const STEP: u64 = 256 * 1024;

/// A reader that reports the bytes read through it.
pub(crate) struct Metered<R> {
    inner: R,
    reporter: Reporter,
    file: String,
    id: Option<String>,
    current: u64,
    reported: u64,
    total: u64,
}

impl<R> Metered<R> {
    pub(crate) fn add(&mut self, n: u64) {
        self.current += n;
        if self.current - self.reported >= STEP || self.current >= self.total {
            self.reported = self.current;
            self.reporter.emit(Progress::Layer {
                file: self.file.clone(),
                id: self.id.clone(),
                current: self.current,
                total: self.total,
            });
        }
    }
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.add(n as u64);
        Ok(n)
    }
}

/// The bytes of a whole operation, shared by the threads that do it.
pub(crate) struct Meter {
    reporter: Reporter,
    total: u64,
    done: AtomicU64,
}

impl Meter {
    pub(crate) fn new(reporter: &Reporter, total: u64) -> Meter {
        Meter {
            reporter: reporter.clone(),
            total,
            done: AtomicU64::new(0),
        }
    }

    /// `n` more bytes done; reported each [`STEP`] and at the total (never past it).
    pub(crate) fn add(&self, n: u64) {
        let current = self.done.fetch_add(n, Ordering::Relaxed) + n;
        if current / STEP != (current - n) / STEP || current >= self.total {
            self.reporter.emit(Progress::Bytes {
                current: current.min(self.total),
                total: self.total,
            });
        }
    }
}

/// Bytes go out in pieces of at most this size, each reported as it is written: a pipe read
/// slowly shows the bytes moving rather than jumping by the megabyte the tar writer copies at once.
const WRITE_STEP: usize = 64 * 1024;

/// A writer that reports the bytes written through it to a [`Meter`].
pub(crate) struct MeteredWriter<'a, W> {
    inner: W,
    meter: &'a Meter,
}

impl<'a, W> MeteredWriter<'a, W> {
    pub(crate) fn new(inner: W, meter: &'a Meter) -> MeteredWriter<'a, W> {
        MeteredWriter { inner, meter }
    }

    pub(crate) fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: io::Write> io::Write for MeteredWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(&buf[..buf.len().min(WRITE_STEP)])?;
        self.meter.add(n as u64);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A streamed layer file's line: the 12-digit ID its name carries, or the name itself.
pub(crate) fn layer_id(name: &str) -> String {
    name.split('/')
        .find(|part| part.len() == 64 && part.bytes().all(|b| b.is_ascii_hexdigit()))
        .map_or_else(|| name.to_owned(), |hex| hex[..12].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_ids_from_archive_names() {
        let hex = "a".repeat(64);
        for (name, want) in [
            (format!("blobs/sha256/{hex}"), "aaaaaaaaaaaa"),
            (format!("{hex}/layer.tar"), "aaaaaaaaaaaa"),
            ("layers/one.tar".to_owned(), "layers/one.tar"),
        ] {
            assert_eq!(layer_id(&name), want, "{name}");
        }
    }

    #[test]
    fn metered_writers_report_as_the_bytes_leave_never_past_the_total() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let reporter = {
            let seen = Arc::clone(&seen);
            Reporter::new(move |p| seen.lock().unwrap().push(p))
        };
        // The archive's total leaves out its last bytes: the report stops at it.
        let meter = Meter::new(&reporter, 1000 * 1024);
        let mut out = MeteredWriter::new(Vec::new(), &meter);
        io::Write::write_all(&mut out, &vec![0u8; 1024 * 1024]).unwrap();
        assert_eq!(out.into_inner().len(), 1024 * 1024);
        let currents: Vec<u64> = seen
            .lock()
            .unwrap()
            .iter()
            .map(|p| match p {
                Progress::Layer { current, .. } | Progress::Bytes { current, .. } => *current,
            })
            .collect();
        // One report per STEP crossed, not one per 64 KiB piece or one for the whole megabyte.
        assert_eq!(currents[..3], [STEP, 2 * STEP, 3 * STEP]);
        assert!(currents.iter().all(|&c| c <= 1000 * 1024), "{currents:?}");
        assert_eq!(currents.last(), Some(&(1000 * 1024)));
    }

    #[test]
    fn metered_readers_report_in_steps_and_at_the_end() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let reporter = {
            let seen = Arc::clone(&seen);
            Reporter::new(move |p| seen.lock().unwrap().push(p))
        };
        let data = vec![0u8; 600 * 1024];
        let mut reader =
            reporter.layer_reader("x.tar", Some("x".into()), data.len() as u64, &data[..]);
        io::copy(&mut reader, &mut io::sink()).unwrap();
        let currents: Vec<u64> = seen
            .lock()
            .unwrap()
            .iter()
            .map(|p| match p {
                Progress::Layer { current, .. } | Progress::Bytes { current, .. } => *current,
            })
            .collect();
        assert_eq!(currents.last(), Some(&(600 * 1024)));
        assert!(currents.len() >= 3, "{currents:?}");
        assert!(currents
            .windows(2)
            .all(|w| w[1] - w[0] >= STEP || w[1] == 600 * 1024));
    }
}
