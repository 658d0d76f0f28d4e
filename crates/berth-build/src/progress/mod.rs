//! Build progress as events: each vertex (a step, or an internal action) starts, may write output
//! and status lines, and ends done, cached or failed. A [`Render`] draws them: [`Plain`] writes
//! BuildKit's plain format (`--progress plain`); the CLI draws BuildKit's live terminal view with
//! its own renderer. `quiet` has none.

mod plain;
#[cfg(test)]
mod tests;

use std::fmt::Write as _;
use std::io::Write;
use std::time::{Duration, Instant};

use crate::Lines;

pub use plain::Plain;

/// What a build reports, in the order it happens. Vertices are numbered from 1 in start order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// A vertex started (`[2/3] RUN echo hi`, `exporting to image`).
    Start { vertex: usize, name: &'a str },
    /// Bytes its process wrote (stdout and stderr as they came, lines possibly cut anywhere),
    /// `elapsed` after the vertex started.
    Output {
        vertex: usize,
        elapsed: Duration,
        bytes: &'a [u8],
    },
    /// A completed status of the vertex (BuildKit's sub-step: `writing image sha256:...`,
    /// `transferring dockerfile: 73B`), with the time it took when BuildKit's plain format
    /// prints one.
    Status {
        vertex: usize,
        id: &'a str,
        time: Option<Duration>,
    },
    /// The vertex completed after `elapsed`.
    Done { vertex: usize, elapsed: Duration },
    /// The vertex's result came from the cache.
    Cached { vertex: usize },
    /// The vertex failed after `elapsed`.
    Error {
        vertex: usize,
        elapsed: Duration,
        message: &'a str,
    },
}

/// Draws a build's progress.
pub trait Render: Send {
    fn event(&mut self, event: Event<'_>);

    /// The build ended (its last event was sent), with success or not.
    fn finish(&mut self) {}
}

/// One vertex being reported.
#[derive(Debug)]
pub struct Vertex {
    pub index: usize,
    started: Instant,
}

/// Where progress goes.
pub struct Progress {
    render: Option<Box<dyn Render>>,
    next: usize,
}

impl Progress {
    /// Progress drawn by `render`.
    pub fn new(render: Box<dyn Render>) -> Progress {
        Progress {
            render: Some(render),
            next: 1,
        }
    }

    /// Plain progress to `out`.
    pub fn plain(out: Box<dyn Write + Send>) -> Progress {
        Progress::new(Box::new(Plain::new(out)))
    }

    /// No progress at all (`-q`, `--progress quiet`).
    pub fn quiet() -> Progress {
        Progress {
            render: None,
            next: 1,
        }
    }

    fn send(&mut self, event: Event<'_>) {
        if let Some(render) = &mut self.render {
            render.event(event);
        }
    }

    /// Starts a vertex called `name`.
    pub fn start(&mut self, name: &str) -> Vertex {
        let vertex = Vertex {
            index: self.next,
            started: Instant::now(),
        };
        self.next += 1;
        self.send(Event::Start {
            vertex: vertex.index,
            name,
        });
        vertex
    }

    /// Output of the vertex's process.
    pub fn output(&mut self, vertex: &Vertex, bytes: &[u8]) {
        self.send(Event::Output {
            vertex: vertex.index,
            elapsed: vertex.started.elapsed(),
            bytes,
        });
    }

    /// A completed status of the vertex; `timed` gives it the vertex's time so far.
    pub fn status(&mut self, vertex: &Vertex, id: &str, timed: bool) {
        self.send(Event::Status {
            vertex: vertex.index,
            id,
            time: timed.then(|| vertex.started.elapsed()),
        });
    }

    /// The vertex completed (it is over: taken).
    #[allow(clippy::needless_pass_by_value)]
    pub fn done(&mut self, vertex: Vertex) {
        self.send(Event::Done {
            vertex: vertex.index,
            elapsed: vertex.started.elapsed(),
        });
    }

    /// The vertex came from the cache.
    pub fn cached(&mut self, vertex: &Vertex) {
        self.send(Event::Cached {
            vertex: vertex.index,
        });
    }

    /// The vertex failed with `message` (it is over: taken).
    #[allow(clippy::needless_pass_by_value)]
    pub fn error(&mut self, vertex: Vertex, message: &str) {
        self.send(Event::Error {
            vertex: vertex.index,
            elapsed: vertex.started.elapsed(),
            message,
        });
    }

    /// The build ended: the renderer draws its last screen.
    pub fn finish(&mut self) {
        if let Some(render) = &mut self.render {
            render.finish();
        }
    }
}

/// BuildKit's excerpt of the Dockerfile around `lines` (`errdefs.Source.Print`):
/// `Dockerfile:7`, a rule, the lines with `>>>` on the failing ones, a rule.
pub fn excerpt(name: &str, text: &str, lines: Lines) -> String {
    let all: Vec<&str> = text.split('\n').collect();
    let (mut start, mut end) = (lines.start, lines.end);
    if start > all.len() || start < 1 {
        return String::new();
    }
    end = end.min(all.len());
    let pad = if end == start { 4 } else { 2 };
    let first = start;
    let mut p = 0;
    while p < pad {
        if start > 1 {
            start -= 1;
            p += 1;
        }
        if end != all.len() {
            end += 1;
            p += 1;
        }
        p += 1;
    }
    let mut out = format!("{name}:{first}\n--------------------\n");
    for i in start..=end {
        let prefix = if (lines.start..=lines.end).contains(&i) {
            ">>>"
        } else {
            "   "
        };
        let _ = writeln!(out, " {i:>3} | {prefix} {}", all[i - 1]);
    }
    out.push_str("--------------------\n");
    out
}
