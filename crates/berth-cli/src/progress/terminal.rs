//! The terminal form, drawn with `indicatif`'s `MultiProgress`: one line per layer, rewritten in
//! place, then the whole-operation line; at most 10 redraws a second, each line cut short of the
//! terminal's last column, so a narrow terminal never wraps a line (and no line leaves the cursor
//! in the last column's pending wrap).

use std::sync::{Arc, Mutex, PoisonError};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::{interrupt, output};

/// Redraws per second, at most.
const REFRESH_HZ: u8 = 10;

/// `text` cut to one column less than the terminal's width: a narrow terminal truncates a line,
/// never wraps it.
fn fit(text: &str) -> String {
    let columns = super::width().saturating_sub(1).max(1);
    text.chars().take(usize::from(columns)).collect()
}

/// While lines are drawn, a Ctrl-C that the terminal echoes as `^C` would move the cursor onto a new
/// line (indicatif leaves it in the last column), and the redraw that tidies the screen would then
/// put every line one row too low. So the terminal echoes control characters as themselves
/// (invisible) until the board closes: `ECHOCTL` off, as it was found afterwards.
pub(super) struct QuietControls {
    saved: Option<rustix::termios::Termios>,
}

impl QuietControls {
    pub(super) fn new() -> QuietControls {
        use rustix::termios::{tcgetattr, tcsetattr, LocalModes, OptionalActions};
        let stderr = std::io::stderr();
        let saved = tcgetattr(&stderr)
            .ok()
            .filter(|termios| termios.local_modes.contains(LocalModes::ECHOCTL));
        if let Some(saved) = &saved {
            let mut quiet = saved.clone();
            quiet.local_modes.remove(LocalModes::ECHOCTL);
            if tcsetattr(&stderr, OptionalActions::Now, &quiet).is_err() {
                return QuietControls { saved: None };
            }
        }
        QuietControls { saved }
    }

    pub(super) fn restore(&mut self) {
        if let Some(saved) = self.saved.take() {
            let _ = rustix::termios::tcsetattr(
                std::io::stderr(),
                rustix::termios::OptionalActions::Now,
                &saved,
            );
        }
    }
}

/// The lines being drawn, shared with the Ctrl-C hook that tidies them before the process exits.
pub struct Board {
    inner: Arc<Mutex<Inner>>,
    _on_interrupt: interrupt::Undo,
}

#[derive(Default)]
struct Inner {
    /// The lines since the last message (Docker forgets older layer lines at a message).
    multi: Option<MultiProgress>,
    layers: Vec<(String, ProgressBar)>,
    overall: Option<ProgressBar>,
    /// Set when a signal ends the process: the screen is final, nothing more is drawn.
    interrupted: bool,
    controls: Option<QuietControls>,
}

fn line_bar() -> ProgressBar {
    let style = ProgressStyle::with_template("{msg}").expect("a valid template");
    ProgressBar::hidden().with_style(style)
}

impl Inner {
    fn multi(&mut self) -> &MultiProgress {
        self.controls.get_or_insert_with(QuietControls::new);
        self.multi.get_or_insert_with(|| {
            MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(REFRESH_HZ))
        })
    }

    fn layer(&mut self, id: &str, text: String) {
        if self.interrupted {
            return;
        }
        if let Some((_, bar)) = self.layers.iter().find(|(known, _)| known == id) {
            bar.set_message(text);
            return;
        }
        let bar = line_bar().with_message(text);
        let overall = self.overall.clone();
        let multi = self.multi();
        let bar = match overall {
            Some(overall) => multi.insert_before(&overall, bar),
            None => multi.add(bar),
        };
        // Drawn at once: a new layer's first state is never skipped by the rate limit.
        bar.tick();
        self.layers.push((id.to_owned(), bar));
    }

    fn overall(&mut self, text: String) {
        if self.interrupted {
            return;
        }
        if let Some(bar) = &self.overall {
            bar.set_message(text);
            return;
        }
        let bar = self.multi().add(line_bar().with_message(text));
        bar.tick();
        self.overall = Some(bar);
    }

    /// Leaves every layer line in its last state and removes the whole-operation line.
    fn close(&mut self) {
        for (_, bar) in self.layers.drain(..) {
            bar.finish();
        }
        if let Some(overall) = self.overall.take() {
            overall.finish_and_clear();
        }
        self.multi = None;
        if let Some(mut controls) = self.controls.take() {
            controls.restore();
        }
    }
}

impl Board {
    pub fn new() -> Board {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let on_interrupt = {
            let inner = Arc::clone(&inner);
            interrupt::on_interrupt(move || {
                let mut inner = inner.lock().unwrap_or_else(PoisonError::into_inner);
                inner.close();
                inner.interrupted = true;
            })
        };
        Board {
            inner,
            _on_interrupt: on_interrupt,
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(PoisonError::into_inner))
    }

    pub fn layer(&mut self, id: &str, text: &str) {
        self.with(|inner| inner.layer(id, fit(text)));
    }

    pub fn overall(&mut self, text: &str) {
        self.with(|inner| inner.overall(fit(text)));
    }

    /// A line of its own below the layer lines, which are final from now on.
    pub fn message(&mut self, line: &str) {
        self.with(|inner| {
            inner.close();
            if !inner.interrupted {
                output::eprintln(line);
            }
        });
    }

    pub fn log(&mut self, line: &str) {
        self.with(|inner| match &inner.multi {
            Some(multi) => {
                let _ = multi.println(line);
            }
            None => output::eprintln(line),
        });
    }

    pub fn close(&mut self) {
        self.with(Inner::close);
    }
}
