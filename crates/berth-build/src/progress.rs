//! Build progress in BuildKit's plain format (`--progress plain`), on stderr:
//! `#N NAME`, output lines `#N 0.123 text`, then `#N DONE 0.1s`, `#N CACHED` or `#N ERROR: ...`.
//! `quiet` prints nothing.

use std::fmt::Write as _;
use std::io::Write;
use std::time::Instant;

use crate::Lines;

/// One vertex (a step, or an internal action) being reported.
#[derive(Debug)]
pub struct Vertex {
    pub index: usize,
    started: Instant,
    /// The end of the last output line was written (a partial line waits for the rest).
    partial: Vec<u8>,
}

/// Where progress goes.
pub struct Progress {
    out: Option<Box<dyn Write + Send>>,
    next: usize,
}

impl Progress {
    /// Plain progress to `out`.
    pub fn plain(out: Box<dyn Write + Send>) -> Progress {
        Progress {
            out: Some(out),
            next: 1,
        }
    }

    /// No progress at all (`-q`, `--progress quiet`).
    pub fn quiet() -> Progress {
        Progress { out: None, next: 1 }
    }

    fn write(&mut self, text: &str) {
        if let Some(out) = &mut self.out {
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }

    /// Starts a vertex called `name`.
    pub fn start(&mut self, name: &str) -> Vertex {
        let vertex = Vertex {
            index: self.next,
            started: Instant::now(),
            partial: Vec::new(),
        };
        self.next += 1;
        self.write(&format!("#{} {name}\n", vertex.index));
        vertex
    }

    /// Output of the vertex's process: each complete line as `#N 0.123 line`.
    pub fn output(&mut self, vertex: &mut Vertex, bytes: &[u8]) {
        vertex.partial.extend_from_slice(bytes);
        while let Some(end) = vertex.partial.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = vertex.partial.drain(..=end).collect();
            let text = String::from_utf8_lossy(&line[..line.len() - 1]).into_owned();
            let elapsed = vertex.started.elapsed().as_secs_f64();
            self.write(&format!("#{} {elapsed:.3} {text}\n", vertex.index));
        }
    }

    fn flush_partial(&mut self, vertex: &mut Vertex) {
        if !vertex.partial.is_empty() {
            vertex.partial.push(b'\n');
            self.output(vertex, &[]);
        }
    }

    /// A status line of the vertex (`#N writing image sha256:... done`).
    pub fn line(&mut self, vertex: &Vertex, text: &str) {
        self.write(&format!("#{} {text}\n", vertex.index));
    }

    /// The vertex completed.
    pub fn done(&mut self, mut vertex: Vertex) {
        self.flush_partial(&mut vertex);
        let elapsed = vertex.started.elapsed().as_secs_f64();
        self.write(&format!("#{} DONE {elapsed:.1}s\n\n", vertex.index));
    }

    /// The vertex came from the cache.
    pub fn cached(&mut self, vertex: &Vertex) {
        self.write(&format!("#{} CACHED\n\n", vertex.index));
    }

    /// The vertex failed with `message`.
    pub fn error(&mut self, mut vertex: Vertex, message: &str) {
        self.flush_partial(&mut vertex);
        self.write(&format!("#{} ERROR: {message}\n", vertex.index));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_is_buildkits() {
        let text = "FROM busybox\nRUN true\nRUN false\nENV A=b\n";
        assert_eq!(
            excerpt("Dockerfile", text, Lines::new(3, 3)),
            "Dockerfile:3\n--------------------\n   1 |     FROM busybox\n   2 |     RUN true\n   3 | >>> RUN false\n   4 |     ENV A=b\n   5 |     \n--------------------\n"
        );
        assert_eq!(excerpt("Dockerfile", text, Lines::new(9, 9)), "");
    }

    struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn output_lines_are_numbered() {
        let buffer = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut progress = Progress::plain(Box::new(Shared(buffer.clone())));
        let mut vertex = progress.start("[1/2] RUN echo");
        progress.output(&mut vertex, b"a\nb");
        progress.output(&mut vertex, b"c\n");
        progress.done(vertex);
        let text = String::from_utf8(buffer.lock().unwrap().clone()).unwrap();
        let lines: Vec<String> = text
            .lines()
            .map(|l| {
                l.split(' ')
                    .map(|w| {
                        if w.contains('.') && w.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                            "T"
                        } else {
                            w
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(
            lines,
            ["#1 [1/2] RUN echo", "#1 T a", "#1 T bc", "#1 DONE T", ""]
        );
    }
}
