//! `berth build`'s live view on a terminal: BuildKit's tty display (see [`trace`]), redrawn in
//! place through `indicatif` (one bar whose message is the frame) at most 10 times a second and at
//! least every 150 ms while the build runs, as BuildKit's ticker does; then the last frame (every
//! line, `FINISHED` in the header) and, when a step failed, BuildKit's summary of it with its
//! output. A Ctrl-C draws the last frame with the running steps `CANCELED`.

mod logs;
mod trace;

use std::{
    sync::{Arc, Condvar, Mutex, PoisonError},
    thread::JoinHandle,
    time::{Duration, Instant},
};

use berth_build::progress::{Event, Render};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::{interrupt, output};

use trace::{Line, Tone, Trace};

/// BuildKit's display rate limit and ticker.
const DRAW_EVERY: Duration = Duration::from_millis(100);
const TICK: Duration = Duration::from_millis(150);

struct State {
    trace: Trace,
    bar: Option<ProgressBar>,
    last_draw: Option<Instant>,
    /// The last frame was drawn: nothing more is.
    closed: bool,
    controls: Option<super::terminal::QuietControls>,
}

struct Shared {
    state: Mutex<State>,
    tick: Condvar,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The terminal's rows (BuildKit's 10 when it cannot tell).
fn height() -> usize {
    rustix::termios::tcgetwinsize(std::io::stderr())
        .ok()
        .map(|size| size.ws_row)
        .filter(|&rows| rows > 0)
        .map_or(10, usize::from)
}

fn width() -> usize {
    usize::from(super::width())
}

fn styled(line: &Line) -> String {
    let style = console::Style::new().for_stderr();
    let style = match line.tone {
        Tone::Running => return line.text.clone(),
        Tone::Done => style.blue(),
        Tone::Failed => style.red(),
        Tone::Canceled => style.yellow(),
        Tone::Output => style.dim(),
    };
    style.apply_to(&line.text).to_string()
}

/// BuildKit's first frame starts with the cursor one row up and one down: nothing moves, but on
/// the terminal's top row (where the up is lost) the view starts one row lower.
fn start_below() {
    let term = console::Term::stderr();
    let _ = term.move_cursor_up(1);
    let _ = term.move_cursor_down(1);
}

impl State {
    fn draw(&mut self) {
        if self.closed {
            return;
        }
        let lines = self.trace.frame(Instant::now(), width(), height(), false);
        let text = lines.iter().map(styled).collect::<Vec<_>>().join("\n");
        if self.controls.is_none() {
            self.controls = Some(super::terminal::QuietControls::new());
            start_below();
        }
        let bar = self.bar.get_or_insert_with(|| {
            let style = ProgressStyle::with_template("{msg}").expect("a valid template");
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(style)
        });
        bar.set_message(text);
        self.last_draw = Some(Instant::now());
    }

    /// The last frame, in place of the live one, then the summary of failed steps.
    fn close(&mut self) {
        if self.closed {
            return;
        }
        self.closed = true;
        match self.bar.take() {
            Some(bar) => bar.finish_and_clear(),
            None => start_below(),
        }
        let lines = self.trace.frame(Instant::now(), width(), height(), true);
        let mut text = String::new();
        for line in &lines {
            text += &styled(line);
            text.push('\n');
        }
        text += &self.trace.error_logs();
        output::eprint(&text);
        if let Some(mut controls) = self.controls.take() {
            controls.restore();
        }
    }
}

/// The build's terminal view; [`Render::finish`] (or dropping it) draws the last frame.
pub struct BuildScreen {
    shared: Arc<Shared>,
    ticker: Option<JoinHandle<()>>,
    _on_interrupt: interrupt::Undo,
}

impl BuildScreen {
    pub fn new() -> BuildScreen {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                trace: Trace::new(width()),
                bar: None,
                last_draw: None,
                closed: false,
                controls: None,
            }),
            tick: Condvar::new(),
        });
        let ticker = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || {
                let mut state = shared.lock();
                while !state.closed {
                    state = shared
                        .tick
                        .wait_timeout(state, TICK)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                    if state.bar.is_some() {
                        state.draw();
                    }
                }
            })
        };
        let on_interrupt = {
            let shared = Arc::clone(&shared);
            interrupt::on_interrupt(move || {
                let mut state = shared.lock();
                state.trace.cancel(Instant::now());
                state.close();
                shared.tick.notify_all();
            })
        };
        BuildScreen {
            shared,
            ticker: Some(ticker),
            _on_interrupt: on_interrupt,
        }
    }
}

impl Render for BuildScreen {
    fn event(&mut self, event: Event<'_>) {
        let mut state = self.shared.lock();
        state.trace.update(event, Instant::now());
        if state
            .last_draw
            .is_none_or(|last| last.elapsed() >= DRAW_EVERY)
        {
            state.draw();
        }
    }

    fn finish(&mut self) {
        self.shared.lock().close();
        self.shared.tick.notify_all();
        if let Some(ticker) = self.ticker.take() {
            let _ = ticker.join();
        }
    }
}

impl Drop for BuildScreen {
    fn drop(&mut self) {
        self.finish();
    }
}
