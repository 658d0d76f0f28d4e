//! Container logs in Docker's `json-file` format: one JSON object per line,
//! `{"log":"hello\n","stream":"stdout","time":"2024-01-01T00:00:00.123456789Z"}`.

use std::{
    fs::File,
    io::{BufRead, BufReader, Read, Seek, SeekFrom, Write},
    os::fd::AsFd,
    path::Path,
    sync::{Arc, Mutex},
    thread::JoinHandle,
};

use serde::{Deserialize, Serialize};

use crate::{
    error::{Error, Result},
    failure::RuntimeLog,
};

/// Docker splits lines longer than this into several records.
const MAX_RECORD_BYTES: usize = 16 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub log: String,
    pub stream: String,
    pub time: String,
}

pub struct LogWriter {
    file: File,
}

impl LogWriter {
    pub fn create(path: &Path) -> Result<Arc<Mutex<LogWriter>>> {
        let file = File::options()
            .create(true)
            .append(true)
            .open(path)
            .map_err(Error::io(format!("open {}", path.display())))?;
        Ok(Arc::new(Mutex::new(LogWriter { file })))
    }

    fn write(&mut self, stream: &str, bytes: &[u8], time: &str) {
        let entry = LogEntry {
            log: String::from_utf8_lossy(bytes).into_owned(),
            stream: stream.to_owned(),
            time: time.to_owned(),
        };
        if let Ok(mut line) = serde_json::to_vec(&entry) {
            line.push(b'\n');
            let _ = self.file.write_all(&line);
        }
    }
}

/// How long the first chunk of a stream that may carry the runtime's own error is held back while
/// nothing else arrives: the runtime prints the error and logs it (in either order, for crun) and
/// exits, which ends the stream, well within this on a start that failed.
const RUNTIME_ECHO_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

/// Copies one output stream of the container to its log, line by line, and to `tee` as it comes.
/// With `skip` (the runtime's log), a first chunk that arrives before the runtime has run the process
/// is held until more output, the stream's end or [`RUNTIME_ECHO_WAIT`], then dropped if it was the
/// runtime printing an error it logged (a start that failed before the process ran) rather than the
/// container's own output. A held chunk keeps the time it arrived.
pub(crate) fn pump<S: Read + AsFd + Send + 'static>(
    mut source: S,
    stream: &'static str,
    log: Arc<Mutex<LogWriter>>,
    tee: Option<Box<dyn Write + Send>>,
    skip: Option<RuntimeLog>,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut sink = Sink {
            stream,
            log,
            tee,
            pending: Vec::new(),
        };
        let mut buf = vec![0u8; 32 * 1024];
        let mut held: Option<(Vec<u8>, String)> = None;
        let mut first = skip.is_some();
        loop {
            if let Some((chunk, time)) = held.as_ref() {
                if !more_within(&source, RUNTIME_ECHO_WAIT) {
                    sink.release(chunk, time, skip.as_ref());
                    held = None;
                }
            }
            let n = match source.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            let time = crate::record::now();
            if let Some((chunk, time)) = held.take() {
                sink.release(&chunk, &time, skip.as_ref());
            }
            if std::mem::take(&mut first) && skip.as_ref().is_some_and(|r| !r.process_ran()) {
                held = Some((buf[..n].to_vec(), time));
                continue;
            }
            sink.write(&buf[..n], &time);
        }
        if let Some((chunk, time)) = held.take() {
            sink.release(&chunk, &time, skip.as_ref());
        }
        sink.flush(true, &crate::record::now());
    })
}

/// Whether `source` has input (or its end) within `wait`; a signal handled meanwhile does not cut
/// the wait short, and an error reads as "nothing more" (the caller then stops holding back).
fn more_within(source: &impl AsFd, wait: std::time::Duration) -> bool {
    let deadline = std::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let timeout = rustix::event::Timespec {
            tv_sec: i64::try_from(left.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: i64::from(left.subsec_nanos()),
        };
        let mut fds = [rustix::event::PollFd::new(
            source,
            rustix::event::PollFlags::IN,
        )];
        match rustix::event::poll(&mut fds, Some(&timeout)) {
            Ok(ready) => return ready > 0,
            Err(rustix::io::Errno::INTR) if !left.is_zero() => {}
            Err(_) => return false,
        }
    }
}

/// Where a pump's output goes: the log, line by line, and `tee` as it comes.
struct Sink {
    stream: &'static str,
    log: Arc<Mutex<LogWriter>>,
    tee: Option<Box<dyn Write + Send>>,
    pending: Vec<u8>,
}

impl Sink {
    fn write(&mut self, chunk: &[u8], time: &str) {
        if let Some(out) = self.tee.as_mut() {
            if out.write_all(chunk).and_then(|()| out.flush()).is_err() {
                self.tee = None; // our reader went away (a closed pipe); keep logging
            }
        }
        self.pending.extend_from_slice(chunk);
        self.flush(false, time);
    }

    /// A held chunk: written unless it is the runtime's echo of an error it logged.
    fn release(&mut self, chunk: &[u8], time: &str, runtime: Option<&RuntimeLog>) {
        if !runtime.is_some_and(|runtime| runtime.is_echo(chunk)) {
            self.write(chunk, time);
        }
    }

    /// Writes the complete lines (and, with `all`, the rest) to the log, stamped `time`.
    fn flush(&mut self, all: bool, time: &str) {
        while let Some(end) = self
            .pending
            .iter()
            .position(|&b| b == b'\n')
            .map(|i| i + 1)
            .or(
                (self.pending.len() >= MAX_RECORD_BYTES || (all && !self.pending.is_empty()))
                    .then(|| self.pending.len().min(MAX_RECORD_BYTES)),
            )
        {
            let record: Vec<u8> = self.pending.drain(..end).collect();
            if let Ok(mut log) = self.log.lock() {
                log.write(self.stream, &record, time);
            }
        }
    }
}

/// Reads log entries from `offset`; returns them and the offset after the last complete line.
pub fn read_logs(path: &Path, offset: u64) -> Result<(Vec<LogEntry>, u64)> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), offset)),
        Err(e) => return Err(Error::io(format!("open {}", path.display()))(e)),
    };
    file.seek(SeekFrom::Start(offset))
        .map_err(Error::io("seek the container log"))?;
    let mut reader = BufReader::new(file);
    let mut entries = Vec::new();
    let mut position = offset;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(Error::io("read the container log"))?;
        if n == 0 || line.last() != Some(&b'\n') {
            break; // end, or a line still being written
        }
        position += n as u64;
        if let Ok(entry) = serde_json::from_slice::<LogEntry>(&line) {
            entries.push(entry);
        }
    }
    Ok((entries, position))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// A pipe that carries `chunks`, written one at a time (`pause` apart), then closed.
    fn pipe_of(chunks: &[&'static [u8]], pause: std::time::Duration) -> std::io::PipeReader {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let chunks = chunks.to_vec();
        std::thread::spawn(move || {
            for chunk in chunks {
                writer.write_all(chunk).unwrap();
                std::thread::sleep(pause);
            }
        });
        reader
    }

    /// What a pump of `chunks` logged, as (line, stream) pairs, and what it copied to its tee.
    fn pumped(
        chunks: &[&'static [u8]],
        pause: std::time::Duration,
        skip: Option<RuntimeLog>,
    ) -> (Vec<String>, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let log = LogWriter::create(&path).unwrap();
        let tee = Arc::new(Mutex::new(Vec::new()));
        let sink: Box<dyn Write + Send> = Box::new(SharedVec(Arc::clone(&tee)));
        pump(
            pipe_of(chunks, pause),
            "stderr",
            Arc::clone(&log),
            Some(sink),
            skip,
        )
        .join()
        .unwrap();
        let (entries, offset) = read_logs(&path, 0).unwrap();
        assert_eq!(read_logs(&path, offset).unwrap().0, []);
        assert!(entries.iter().all(|e| e.stream == "stderr"));
        let copied = tee.lock().unwrap().clone();
        (entries.into_iter().map(|e| e.log).collect(), copied)
    }

    struct SharedVec(Arc<Mutex<Vec<u8>>>);

    impl Write for SharedVec {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_are_records() {
        let (lines, copied) = pumped(&[b"one\ntwo\npartial"], Duration::ZERO, None);
        assert_eq!(lines, ["one\n", "two\n", "partial"]);
        assert_eq!(copied, b"one\ntwo\npartial");
    }

    #[test]
    fn the_runtimes_echo_of_its_error_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let runtime = RuntimeLog::create(
            &dir.path().join("runtime.log"),
            &dir.path().join("runtime.pid"),
        )
        .unwrap();
        std::fs::write(
            runtime.path(),
            r#"{"level":"error","msg":"boom","time":"2026-11-27T23:09:58Z"}"#,
        )
        .unwrap();
        // Long enough for the reader to take each chunk on its own even on a loaded machine (two
        // chunks that meet in the pipe are one chunk, and the test would ask something else),
        // well within RUNTIME_ECHO_WAIT.
        let short = RUNTIME_ECHO_WAIT / 4;
        let long = RUNTIME_ECHO_WAIT * 2;
        // (chunks, pause between them, what the container said)
        let cases: &[(&[&'static [u8]], Duration, &str)] = &[
            (&[b"boom\n"], short, ""),
            (&[b"boom\n"], long, ""),
            (&[b"crun: boom\n"], short, ""),
            (&[b"not boom\n"], short, "not boom\n"),
            (&[b"boom\n", b"later\n"], short, "later\n"),
            // Only the first chunk is held and looked at.
            (&[b"first\n", b"boom\n"], short, "first\nboom\n"),
            (&[b"first\n", b"second\n"], long, "first\nsecond\n"),
        ];
        for (chunks, pause, said) in cases {
            let (lines, copied) = pumped(chunks, *pause, Some(runtime.clone()));
            assert_eq!(String::from_utf8_lossy(&copied), *said, "{chunks:?}");
            assert_eq!(lines.concat(), *said, "{chunks:?}");
        }
        // Once the runtime ran the process (its PID file), nothing is held back or dropped.
        std::fs::write(runtime.pid_file(), "4242").unwrap();
        let (lines, _) = pumped(&[b"boom\n"], long, Some(runtime.clone()));
        assert_eq!(lines, ["boom\n"]);
        // Nothing logged by the runtime: everything is the container's.
        let quiet =
            RuntimeLog::create(&dir.path().join("quiet.log"), &dir.path().join("quiet.pid"))
                .unwrap();
        let (lines, _) = pumped(&[b"boom\n"], short, Some(quiet));
        assert_eq!(lines, ["boom\n"]);
    }
}
