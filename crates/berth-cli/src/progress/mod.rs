//! Progress on stderr for the long commands (pull, push, load, save, import, commit); `build`'s
//! terminal view is [`build`].
//!
//! Three forms, chosen once per command:
//! - **terminal** (stderr is a TTY and `TERM` is not `dumb`): Docker's per-layer lines rewritten in
//!   place (`ID: Status [===>  ]  1.2MB/9.9MB 3s`, in the order the layers first appear), and below
//!   them berth's whole-operation line (bytes done / total, rate, time left, and what the command
//!   adds: the layers verified of a pull), drawn by [`terminal::Board`];
//! - **plain** (a pipe, a file, CI): Docker's plain form, one line per state change and none for a
//!   transfer's byte counts, plus at most one whole-operation line every [`PLAIN_INTERVAL`];
//! - **quiet** (`-q`): nothing.
//!
//! Everything goes to stderr; stdout stays data only.

pub mod archive;
pub mod build;
mod docker;
mod terminal;

use std::{
    fmt::Write as _,
    io::IsTerminal,
    time::{Duration, Instant},
};

use berth_format::human;

use crate::output;

/// How often the plain form reports the bytes of a long transfer.
pub const PLAIN_INTERVAL: Duration = Duration::from_secs(5);

/// What the whole-operation line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Pull,
    Push,
    Load,
    Save,
    Import,
    Commit,
}

impl Operation {
    fn verb(self) -> &'static str {
        match self {
            Operation::Pull => "Downloaded",
            Operation::Push => "Pushed",
            Operation::Load => "Loaded",
            Operation::Save => "Saved",
            Operation::Import => "Imported",
            Operation::Commit => "Committed",
        }
    }
}

/// Whether stderr gets the terminal form: a TTY whose `TERM` can move the cursor.
pub fn is_terminal() -> bool {
    std::io::stderr().is_terminal()
        && std::env::var_os("TERM").is_none_or(|term| term != "dumb" && !term.is_empty())
}

/// The columns of stderr's terminal (Docker's 200 when it cannot tell).
fn width() -> u16 {
    rustix::termios::tcgetwinsize(std::io::stderr())
        .ok()
        .map(|size| size.ws_col)
        .filter(|&columns| columns > 0)
        .unwrap_or(200)
}

/// The bytes of the whole operation, and what its line says about them.
struct Overall {
    operation: Operation,
    done: u64,
    total: Option<u64>,
    /// Bytes that were already there (layers in the store): not counted in the rate.
    done_before: u64,
    started: Instant,
    note: String,
}

impl Overall {
    fn rate(&self) -> u64 {
        let seconds = self.started.elapsed().as_secs_f64();
        if seconds < 0.05 {
            return 0;
        }
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let rate = (self.done.saturating_sub(self.done_before) as f64 / seconds) as u64;
        rate
    }

    /// `Downloaded 45.2MB/93.1MB (48%), 12.1MB/s, 4s left; 1/3 verified`: short enough for an
    /// 80-column terminal whatever the numbers.
    fn line(&self) -> String {
        let rate = self.rate();
        let mut line = format!("{} {}", self.operation.verb(), human::size4(self.done));
        if let Some(total) = self.total.filter(|&t| t > 0) {
            let done = self.done.min(total);
            let _ = write!(
                line,
                "/{} ({}%)",
                human::size4(total),
                u128::from(done) * 100 / u128::from(total)
            );
        }
        if rate > 0 {
            let _ = write!(line, ", {}/s", human::size4(rate));
            if let Some(total) = self.total.filter(|&t| t > self.done) {
                let left = docker::go_seconds((total - self.done) / rate);
                let _ = write!(line, ", {left} left");
            }
        }
        if !self.note.is_empty() {
            line += "; ";
            line += &self.note;
        }
        line
    }
}

enum Form {
    Quiet,
    Plain { last: Instant },
    Terminal(terminal::Board),
}

/// The progress of one command on stderr. Dropping it (on success, on error, or when Ctrl-C ends
/// the process) leaves the screen tidy: each layer line in its last state, no half-drawn bar, the
/// cursor on a line of its own.
pub struct Screen {
    form: Form,
    overall: Overall,
    /// When each layer's byte count started (Docker's `Start`), for its time left.
    started: std::collections::HashMap<String, Instant>,
}

impl Screen {
    pub fn new(operation: Operation, quiet: bool) -> Screen {
        let form = if quiet {
            Form::Quiet
        } else if is_terminal() {
            Form::Terminal(terminal::Board::new())
        } else {
            Form::Plain {
                last: Instant::now(),
            }
        };
        Screen {
            form,
            overall: Overall {
                operation,
                done: 0,
                total: None,
                done_before: 0,
                started: Instant::now(),
                note: String::new(),
            },
            started: std::collections::HashMap::new(),
        }
    }

    /// A line that is not a layer's (`latest: Pulling from library/busybox`, `Digest: …`). As in
    /// Docker, the layer lines above it are final: a layer seen after it gets a new line below.
    pub fn message(&mut self, line: &str) {
        match &mut self.form {
            Form::Quiet => {}
            Form::Plain { .. } => output::eprintln(line),
            Form::Terminal(board) => board.message(line),
        }
    }

    /// A line printed above the layer lines, which stay as they are (a retry, a warning).
    pub fn log(&mut self, line: &str) {
        match &mut self.form {
            Form::Quiet => {}
            Form::Plain { .. } => output::eprintln(line),
            Form::Terminal(board) => board.log(line),
        }
    }

    /// A layer's state: `status` in Docker's words, with a byte count for the states that have one.
    pub fn layer(&mut self, id: &str, status: &str, count: Option<(u64, Option<u64>)>) {
        match &mut self.form {
            Form::Quiet => {}
            Form::Plain { .. } => {
                // Docker's CLI drops messages with a progress bar off a terminal.
                if count.is_none_or(|(current, total)| current == 0 && total.unwrap_or(0) == 0) {
                    output::eprintln(&docker::layer_line(id, status, ""));
                }
            }
            Form::Terminal(board) => {
                let text = match count {
                    Some((current, total)) => {
                        let started = *self
                            .started
                            .entry(id.to_owned())
                            .or_insert_with(Instant::now);
                        docker::progress(current, total, width(), started.elapsed())
                    }
                    None => String::new(),
                };
                board.layer(id, &docker::layer_line(id, status, &text));
            }
        }
    }

    /// The whole operation's size, once known, and the bytes that were already there.
    pub fn total(&mut self, total: Option<u64>, done_before: u64) {
        self.overall.total = total;
        self.overall.done_before = done_before;
        self.overall.done = self.overall.done.max(done_before);
        self.draw_overall();
    }

    /// Bytes of the whole operation done so far.
    pub fn done(&mut self, done: u64) {
        self.overall.done = done;
        self.draw_overall();
    }

    /// What the whole-operation line adds after the bytes (`1 of 3 layers verified`).
    pub fn note(&mut self, note: String) {
        self.overall.note = note;
        self.draw_overall();
    }

    fn draw_overall(&mut self) {
        match &mut self.form {
            Form::Quiet => {}
            Form::Plain { last } => {
                if last.elapsed() >= PLAIN_INTERVAL {
                    *last = Instant::now();
                    output::eprintln(&self.overall.line());
                }
            }
            Form::Terminal(board) => board.overall(&self.overall.line()),
        }
    }

    /// The work is done: the whole-operation line goes, the layer lines stay in their last state.
    pub fn finish(&mut self) {
        if let Form::Terminal(board) = &mut self.form {
            board.close();
        }
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        self.finish();
    }
}
