//! What BuildKit's tty view knows of a build (its `trace`), and the frame it draws from it
//! (`display.print` of moby/buildkit v0.8's `progressui`, which Docker 20.10's CLI uses): a header
//! `[+] Building 2.3s (6/8)`, one line per vertex ` => [2/4] RUN ...   0.4s` and per status
//! ` => => writing image sha256:...   0.0s`, times right-aligned to the width, and the last output
//! lines of running vertices ` => => # line` while the screen has room for them.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use berth_build::progress::Event;

use super::logs::{LogScreen, ROWS};

/// How a line is coloured: done (blue), failed (red), canceled (yellow), output (faint).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Running,
    Done,
    Failed,
    Canceled,
    Output,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub tone: Tone,
}

#[derive(Debug)]
struct Status {
    id: String,
    started: Instant,
    completed: Instant,
}

#[derive(Debug)]
struct Vertex {
    index: usize,
    name: String,
    started: Instant,
    completed: Option<Instant>,
    cached: bool,
    failed: bool,
    canceled: bool,
    statuses: Vec<Status>,
    /// Output lines as the error summary prints them (`#5 0.123 text`).
    logs: Vec<String>,
    logs_partial: bool,
    screen: LogScreen,
    screen_bytes: usize,
    /// How often its output was shown (BuildKit's `termCount`, which ranks the candidates).
    screen_shown: usize,
}

/// One line of the frame before it is laid out.
struct Job<'a> {
    name: String,
    started: Instant,
    completed: Option<Instant>,
    tone: Tone,
    vertex: Option<&'a Vertex>,
    show_output: bool,
}

#[derive(Debug)]
pub struct Trace {
    vertices: Vec<Vertex>,
    width: usize,
}

impl Trace {
    /// A trace for a display `width` columns wide (the output screens' width).
    pub fn new(width: usize) -> Trace {
        Trace {
            vertices: Vec::new(),
            width,
        }
    }

    fn vertex(&mut self, index: usize) -> Option<&mut Vertex> {
        self.vertices.iter_mut().find(|v| v.index == index)
    }

    pub fn update(&mut self, event: Event<'_>, now: Instant) {
        match event {
            Event::Start { vertex, name } => self.vertices.push(Vertex {
                index: vertex,
                name: name.replace('\t', " "),
                started: now,
                completed: None,
                cached: false,
                failed: false,
                canceled: false,
                statuses: Vec::new(),
                logs: Vec::new(),
                logs_partial: false,
                screen: LogScreen::new(self.width),
                screen_bytes: 0,
                screen_shown: 0,
            }),
            Event::Output {
                vertex,
                elapsed,
                bytes,
            } => {
                if let Some(v) = self.vertex(vertex) {
                    v.output(elapsed, bytes);
                }
            }
            Event::Status { vertex, id, time } => {
                if let Some(v) = self.vertex(vertex) {
                    v.statuses.push(Status {
                        id: id.to_owned(),
                        started: now.checked_sub(time.unwrap_or_default()).unwrap_or(now),
                        completed: now,
                    });
                }
            }
            Event::Done { vertex, elapsed } => {
                if let Some(v) = self.vertex(vertex) {
                    v.completed = Some(v.started + elapsed);
                }
            }
            Event::Cached { vertex } => {
                if let Some(v) = self.vertex(vertex) {
                    v.cached = true;
                    v.completed = Some(v.started);
                }
            }
            Event::Error {
                vertex, elapsed, ..
            } => {
                if let Some(v) = self.vertex(vertex) {
                    v.failed = true;
                    v.completed = Some(v.started + elapsed);
                }
            }
        }
    }

    /// An interrupt: what still runs is canceled now.
    pub fn cancel(&mut self, now: Instant) {
        for v in &mut self.vertices {
            if v.completed.is_none() {
                v.canceled = true;
                v.completed = Some(now);
            }
        }
    }

    fn jobs(&self) -> Vec<Job<'_>> {
        let mut jobs = Vec::new();
        for v in &self.vertices {
            let mut name = v.name.clone();
            let mut tone = if v.completed.is_some() {
                Tone::Done
            } else {
                Tone::Running
            };
            if v.canceled {
                name = format!("CANCELED {name}");
                tone = Tone::Canceled;
            } else if v.failed {
                name = format!("ERROR {name}");
                tone = Tone::Failed;
            }
            if v.cached {
                name = format!("CACHED {name}");
            }
            jobs.push(Job {
                name,
                started: v.started,
                completed: v.completed,
                tone,
                vertex: Some(v),
                show_output: false,
            });
            for s in &v.statuses {
                jobs.push(Job {
                    name: format!("=> {}", s.id),
                    started: s.started,
                    completed: Some(s.completed),
                    tone: Tone::Done,
                    vertex: None,
                    show_output: false,
                });
            }
        }
        jobs
    }

    /// The frame at `now` on a `width` x `height` display; `all` for the last one (every line,
    /// `FINISHED` when everything completed).
    pub fn frame(&mut self, now: Instant, width: usize, height: usize, all: bool) -> Vec<Line> {
        let mut jobs = self.jobs();
        let shown = setup_outputs(&mut jobs, height, all);
        let total = self.vertices.len();
        let completed = self
            .vertices
            .iter()
            .filter(|v| v.completed.is_some())
            .count();
        let status = if completed > 0 && completed == total && all {
            "FINISHED"
        } else {
            ""
        };
        let since = self.vertices.first().map_or(now, |v| v.started);
        let header = format!(
            "[+] Building {:.1}s ({completed}/{total}) {status}",
            seconds(now.saturating_duration_since(since))
        );
        let mut lines = vec![Line {
            text: header.trim_end().to_owned(),
            tone: Tone::Running,
        }];
        for job in &jobs {
            let end = job.completed.unwrap_or(now);
            let mut dt = seconds(end.saturating_duration_since(job.started));
            if dt < 0.05 {
                dt = 0.0;
            }
            let timer = format!(" {dt:3.1}s");
            let prefix = " => ";
            // BuildKit counts the timer's newline: the time ends one column short of the edge.
            let Some(left) = width.checked_sub(prefix.len() + timer.len() + 2) else {
                continue;
            };
            if left < 12 {
                continue;
            }
            let name: String = job.name.chars().take(left).collect();
            let field = width - timer.len() - 2;
            lines.push(Line {
                text: format!("{:<field$} {timer}", format!("{prefix}{name}")),
                tone: job.tone,
            });
            if job.show_output {
                if let Some(v) = job.vertex {
                    for line in v.screen.lines() {
                        lines.push(Line {
                            text: format!(" => => # {line}"),
                            tone: Tone::Output,
                        });
                    }
                }
            }
        }
        for index in shown {
            if let Some(v) = self.vertices.iter_mut().find(|v| v.index == index) {
                v.screen_shown += 1;
            }
        }
        lines
    }

    /// BuildKit's summary of each failed vertex after the last frame: its name and every
    /// output line between rules.
    pub fn error_logs(&self) -> String {
        let mut text = String::new();
        for v in self.vertices.iter().filter(|v| v.failed) {
            let _ = writeln!(text, "------\n > {}:", v.name);
            for line in &v.logs {
                text += line;
                text.push('\n');
            }
            text += "------\n";
        }
        text
    }
}

impl Vertex {
    fn output(&mut self, elapsed: Duration, bytes: &[u8]) {
        self.screen.write(bytes);
        self.screen_bytes += bytes.len();
        if bytes.is_empty() {
            return;
        }
        let sec = seconds(elapsed);
        let precision = if sec < 10.0 {
            3
        } else if sec < 100.0 {
            2
        } else {
            1
        };
        let text = String::from_utf8_lossy(bytes);
        let mut parts = text.split('\n').peekable();
        let mut first = true;
        while let Some(part) = parts.next() {
            let last = parts.peek().is_none();
            if last && part.is_empty() {
                // The bytes ended with a newline: the next bytes start a line.
                self.logs_partial = false;
                return;
            }
            if first && self.logs_partial {
                if let Some(line) = self.logs.last_mut() {
                    line.push_str(part);
                }
            } else {
                self.logs
                    .push(format!("#{} {sec:.precision$} {part}", self.index));
            }
            first = false;
            if last {
                self.logs_partial = true;
            }
        }
    }
}

fn seconds(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Which running vertices show their output (BuildKit's `setupTerminals`): those that wrote
/// something, most output first, while the screen keeps room; then, unless `all`, only the last
/// lines that fit (`wrapHeight`). Returns the vertices whose output is shown.
fn setup_outputs(jobs: &mut Vec<Job<'_>>, height: usize, all: bool) -> Vec<usize> {
    let mut candidates: Vec<usize> = (0..jobs.len())
        .filter(|&i| {
            jobs[i].completed.is_none() && jobs[i].vertex.is_some_and(|v| v.screen_bytes > 0)
        })
        .collect();
    let in_use = jobs.iter().filter(|j| j.completed.is_none()).count();
    let rank = |i: &usize| {
        jobs[*i]
            .vertex
            .map_or(0, |v| v.screen_bytes + v.screen_shown * 50)
    };
    candidates.sort_by_key(|i| std::cmp::Reverse(rank(i)));
    #[allow(clippy::cast_possible_wrap)]
    let mut free = height as isize - 2 - in_use as isize;
    let limit = isize::try_from(ROWS + 3).unwrap_or(isize::MAX);
    let mut hidden = 0;
    let mut shown = Vec::new();
    for i in candidates {
        if free <= limit {
            break;
        }
        jobs[i].show_output = true;
        if let Some(v) = jobs[i].vertex {
            hidden += v.screen.lines().len();
            shown.push(v.index);
        }
        free -= limit;
    }
    if !all {
        #[allow(clippy::cast_possible_wrap)]
        let limit = height as isize - 2 - hidden as isize;
        wrap_height(jobs, limit);
    }
    shown
}

/// The last `limit` jobs; running ones cut off above take the places of the first completed
/// ones kept (BuildKit's `wrapHeight`).
fn wrap_height(jobs: &mut Vec<Job<'_>>, limit: isize) {
    let Ok(limit) = usize::try_from(limit) else {
        jobs.clear();
        return;
    };
    if jobs.len() <= limit {
        return;
    }
    let cut = jobs.len() - limit;
    let mut all: Vec<Job<'_>> = std::mem::take(jobs);
    let wrapped: Vec<Job<'_>> = all.split_off(cut);
    let mut invisible: Vec<Job<'_>> = all.into_iter().filter(|j| j.completed.is_none()).collect();
    if invisible.is_empty() {
        *jobs = wrapped;
        return;
    }
    let mut l = invisible.len();
    let total = wrapped.len();
    let mut rewrapped = Vec::with_capacity(total);
    for job in wrapped {
        if job.completed.is_none() || l == 0 {
            rewrapped.push(job);
        }
        l = l.saturating_sub(1);
    }
    let free = total - rewrapped.len();
    let keep = invisible.split_off(invisible.len() - free.min(invisible.len()));
    *jobs = keep;
    jobs.extend(rewrapped);
}

#[cfg(test)]
mod tests;
