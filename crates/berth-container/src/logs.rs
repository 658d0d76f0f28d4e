//! Container logs in Docker's `json-file` format: one JSON object per line,
//! `{"log":"hello\n","stream":"stdout","time":"2024-01-01T00:00:00.123456789Z"}`.

use std::{
    fs::File,
    io::{BufRead, BufReader, Read, Seek, SeekFrom, Write},
    path::Path,
    sync::{Arc, Mutex},
    thread::JoinHandle,
};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

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

    fn write(&mut self, stream: &str, bytes: &[u8]) {
        let entry = LogEntry {
            log: String::from_utf8_lossy(bytes).into_owned(),
            stream: stream.to_owned(),
            time: crate::record::now(),
        };
        if let Ok(mut line) = serde_json::to_vec(&entry) {
            line.push(b'\n');
            let _ = self.file.write_all(&line);
        }
    }
}

/// Copies one output stream of the container to its log, line by line, and to `tee` as it comes.
pub(crate) fn pump(
    mut source: impl Read + Send + 'static,
    stream: &'static str,
    log: Arc<Mutex<LogWriter>>,
    mut tee: Option<Box<dyn Write + Send>>,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut pending: Vec<u8> = Vec::new();
        let mut buf = vec![0u8; 32 * 1024];
        let flush = |pending: &mut Vec<u8>, all: bool| {
            while let Some(end) =
                pending
                    .iter()
                    .position(|&b| b == b'\n')
                    .map(|i| i + 1)
                    .or(
                        (pending.len() >= MAX_RECORD_BYTES || (all && !pending.is_empty()))
                            .then(|| pending.len().min(MAX_RECORD_BYTES)),
                    )
            {
                let record: Vec<u8> = pending.drain(..end).collect();
                if let Ok(mut log) = log.lock() {
                    log.write(stream, &record);
                }
            }
        };
        loop {
            let n = match source.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            if let Some(out) = tee.as_mut() {
                if out.write_all(&buf[..n]).and_then(|()| out.flush()).is_err() {
                    tee = None; // our reader went away (a closed pipe); keep logging
                }
            }
            pending.extend_from_slice(&buf[..n]);
            flush(&mut pending, false);
        }
        flush(&mut pending, true);
    })
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
    use super::*;

    #[test]
    fn lines_are_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let log = LogWriter::create(&path).unwrap();
        let input: &[u8] = b"one\ntwo\npartial";
        let sink: Box<dyn Write + Send> = Box::new(Vec::new());
        pump(input, "stdout", Arc::clone(&log), Some(sink))
            .join()
            .unwrap();
        let (entries, offset) = read_logs(&path, 0).unwrap();
        let lines: Vec<(&str, &str)> = entries
            .iter()
            .map(|e| (e.log.as_str(), e.stream.as_str()))
            .collect();
        assert_eq!(
            lines,
            [
                ("one\n", "stdout"),
                ("two\n", "stdout"),
                ("partial", "stdout")
            ]
        );
        assert_eq!(read_logs(&path, offset).unwrap().0, []);
    }
}
