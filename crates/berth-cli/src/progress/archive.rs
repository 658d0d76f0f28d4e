//! The screen of the archive commands (load, save, import), fed from the library's reports, which
//! may come from several threads at once.

use std::{
    collections::BTreeMap,
    io::Read,
    sync::{Arc, Mutex, PoisonError},
};

use berth_archive::{Progress, Reporter};

use super::{Operation, Screen};

/// Docker's words on a layer line of `load`.
const LOADING_LAYER: &str = "Loading layer";

/// A [`Screen`] shared with the library's worker threads.
#[derive(Clone)]
pub struct Shared {
    inner: Arc<Mutex<State>>,
}

struct State {
    screen: Screen,
    /// Bytes per layer file of a load, whether or not it draws a line.
    layers: BTreeMap<String, (u64, u64)>,
    /// The whole operation's size when the command knows it (a load's archive file).
    total: Option<u64>,
}

impl Shared {
    pub fn new(operation: Operation, quiet: bool, total: Option<u64>) -> Shared {
        let mut screen = Screen::new(operation, quiet);
        screen.total(total, 0);
        Shared {
            inner: Arc::new(Mutex::new(State {
                screen,
                layers: BTreeMap::new(),
                total,
            })),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The library's reports go to this screen.
    pub fn reporter(&self) -> Reporter {
        let shared = self.clone();
        Reporter::new(move |progress| shared.report(progress))
    }

    fn report(&self, progress: Progress) {
        self.with(|state| match progress {
            Progress::Layer {
                file,
                id,
                current,
                total,
            } => {
                if let Some(id) = id {
                    state
                        .screen
                        .layer(&id, LOADING_LAYER, Some((current, Some(total))));
                }
                state.layers.insert(file, (current, total));
                let done = state.layers.values().map(|(current, _)| current).sum();
                if state.total.is_none() {
                    let known = state.layers.values().map(|(_, total)| total).sum();
                    state.screen.total(Some(known), 0);
                }
                state.screen.done(done);
            }
            Progress::Bytes { current, total } => {
                if state.total != Some(total) {
                    state.total = Some(total);
                    state.screen.total(Some(total), 0);
                }
                state.screen.done(current);
            }
        });
    }

    /// A reader whose bytes are the operation's (import's input).
    pub fn reader<R: Read>(&self, inner: R) -> Counting<R> {
        Counting {
            inner,
            shared: self.clone(),
            done: 0,
        }
    }

    pub fn finish(&self) {
        self.with(|state| state.screen.finish());
    }
}

/// A reader that moves the whole-operation line.
pub struct Counting<R> {
    inner: R,
    shared: Shared,
    done: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done += n as u64;
        let done = self.done;
        self.shared.with(|state| state.screen.done(done));
        Ok(n)
    }
}
