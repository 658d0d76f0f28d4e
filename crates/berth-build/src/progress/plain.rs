//! BuildKit's plain format (`--progress plain`): `#N NAME` and its digest line, output lines
//! `#N 0.123 text`, status lines `#N writing image sha256:... done`, then `#N DONE 0.1s`,
//! `#N CACHED` or `#N ERROR: ...` with Docker 20.10's summary of the failed step.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;
use std::time::Duration;

use super::{Event, Render};

/// What the plain form remembers of a vertex.
struct Seen {
    name: String,
    /// The start of an output line whose end has not come yet.
    partial: Vec<u8>,
}

/// The plain renderer, writing to `out` as events come.
pub struct Plain {
    out: Box<dyn Write + Send>,
    vertices: HashMap<usize, Seen>,
}

impl Plain {
    pub fn new(out: Box<dyn Write + Send>) -> Plain {
        Plain {
            out,
            vertices: HashMap::new(),
        }
    }

    fn write(&mut self, text: &str) {
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.flush();
    }

    /// Each complete line of the vertex's output as `#N 0.123 line`; with `end`, the last
    /// partial line too.
    fn lines(&mut self, vertex: usize, elapsed: Duration, bytes: &[u8], end: bool) {
        let Some(seen) = self.vertices.get_mut(&vertex) else {
            return;
        };
        seen.partial.extend_from_slice(bytes);
        if end && !seen.partial.is_empty() {
            seen.partial.push(b'\n');
        }
        let mut text = String::new();
        while let Some(at) = seen.partial.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = seen.partial.drain(..=at).collect();
            let line = String::from_utf8_lossy(&line[..line.len() - 1]);
            let _ = writeln!(text, "#{vertex} {:.3} {line}", elapsed.as_secs_f64());
        }
        self.write(&text);
    }
}

impl Render for Plain {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start { vertex, name } => {
                self.vertices.insert(
                    vertex,
                    Seen {
                        name: name.to_owned(),
                        partial: Vec::new(),
                    },
                );
                // Docker 20.10 prints each vertex's digest (BuildKit's LLB digest) under its
                // name; berth's vertices are no LLB: the digest of the name stands in.
                let digest = berth_digest::Digest::sha256(format!("{vertex}\n{name}").as_bytes());
                self.write(&format!("#{vertex} {name}\n#{vertex} {digest}\n"));
            }
            Event::Output {
                vertex,
                elapsed,
                bytes,
            } => self.lines(vertex, elapsed, bytes, false),
            Event::Status { vertex, id, time } => match time {
                Some(time) => {
                    self.write(&format!("#{vertex} {id} {:.1}s done\n", time.as_secs_f64()));
                }
                None => self.write(&format!("#{vertex} {id} done\n")),
            },
            Event::Done { vertex, elapsed } => {
                self.lines(vertex, elapsed, &[], true);
                self.write(&format!("#{vertex} DONE {:.1}s\n\n", elapsed.as_secs_f64()));
            }
            Event::Cached { vertex } => self.write(&format!("#{vertex} CACHED\n\n")),
            Event::Error {
                vertex,
                elapsed,
                message,
            } => {
                self.lines(vertex, elapsed, &[], true);
                let name = self
                    .vertices
                    .get(&vertex)
                    .map(|seen| seen.name.clone())
                    .unwrap_or_default();
                // Docker 20.10's summary of the failed step: its name between rules (newer
                // BuildKit also repeats the last output lines there).
                self.write(&format!(
                    "#{vertex} ERROR: {message}\n------\n > {name}:\n------\n"
                ));
            }
        }
    }
}
