//! Shared plumbing for the commands that talk to registries: the client, a runtime, progress rendering.

use std::{
    collections::BTreeMap,
    io::IsTerminal,
    time::{Duration, Instant},
};

use berth_format::human;
use berth_registry::{Client, ClientOptions, Event, LayerStatus};

use crate::{context::Ctx, output};

pub fn client(ctx: &Ctx) -> anyhow::Result<Client> {
    let config_dir = ctx.config_dir();
    let options = ClientOptions {
        docker_config: Some(config_dir.join("config.json")),
        config_dir: Some(config_dir),
        ..ClientOptions::default()
    };
    Ok(Client::new(options)?)
}

/// Runs a registry operation on a small multi-threaded runtime (the only async part of berth).
pub fn block_on<F: std::future::Future>(future: F) -> anyhow::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    Ok(runtime.block_on(future))
}

/// Renders pull/push events on stderr: Docker's per-layer status lines, and on a terminal one
/// whole-image line (bytes done / total, rate, ETA) instead of per-layer bars.
pub struct Progress {
    quiet: bool,
    tty: bool,
    total: u64,
    done_before: u64,
    current: BTreeMap<String, u64>,
    started: Instant,
    last_draw: Option<Instant>,
    last_plain: Instant,
}

/// How often plain (non-terminal) output reports byte progress.
const PLAIN_INTERVAL: Duration = Duration::from_secs(5);

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        Progress {
            quiet,
            tty: std::io::stderr().is_terminal(),
            total: 0,
            done_before: 0,
            current: BTreeMap::new(),
            started: Instant::now(),
            last_draw: None,
            last_plain: Instant::now(),
        }
    }

    pub fn event(&mut self, event: Event) {
        if self.quiet {
            return;
        }
        match event {
            Event::Plan {
                total_bytes,
                done_bytes,
                ..
            } => {
                self.total = total_bytes;
                self.done_before = done_bytes;
            }
            Event::Layer(layer) => {
                if matches!(
                    layer.status,
                    LayerStatus::Downloading | LayerStatus::Pushing
                ) {
                    self.current.insert(layer.id.clone(), layer.current);
                    self.draw_bytes();
                    return;
                }
                // Docker's CLI drops progress-bar messages off a terminal, and `Extracting` always
                // has a bar.
                if layer.status == LayerStatus::Extracting && !self.tty {
                    return;
                }
                if matches!(
                    layer.status,
                    LayerStatus::DownloadComplete | LayerStatus::Pushed
                ) {
                    if let Some(total) = layer.total {
                        self.current.insert(layer.id.clone(), total);
                    }
                }
                self.clear_bar();
                output::eprintln(&format!("{}: {}", layer.id, layer.status.docker_text()));
                self.draw_bytes();
            }
            Event::Retrying {
                what,
                attempt,
                reason,
            } => {
                self.clear_bar();
                let line = format!("Retrying {what} (attempt {attempt}): {reason}");
                output::eprintln(&crate::escape::controls(
                    &line,
                    crate::escape::Keep::Nothing,
                ));
            }
            Event::Resolved { reference, .. } => {
                // Once its manifest came, never before a failure to find it.
                self.clear_bar();
                output::eprintln(&crate::commands::pull::pulling_from(&reference));
            }
            Event::Pulled { digest } => {
                self.clear_bar();
                output::eprintln(&format!("Digest: {digest}"));
            }
        }
    }

    fn done(&self) -> u64 {
        self.done_before + self.current.values().sum::<u64>()
    }

    fn draw_bytes(&mut self) {
        let done = self.done().min(self.total.max(self.done()));
        let elapsed = self.started.elapsed().as_secs_f64().max(0.001);
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let rate = ((done.saturating_sub(self.done_before)) as f64 / elapsed) as u64;
        let eta = if rate > 0 && self.total > done {
            (self.total - done) / rate
        } else {
            0
        };
        if self.tty {
            if self
                .last_draw
                .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
            {
                return;
            }
            self.last_draw = Some(Instant::now());
            let line = format!(
                "{} {}/{} {}/s ETA {}s",
                bar(done, self.total),
                human::size(done),
                human::size(self.total),
                human::size(rate),
                eta
            );
            let mut stderr = std::io::stderr();
            let _ = std::io::Write::write_all(&mut stderr, format!("\r\x1b[K{line}").as_bytes());
        } else if self.last_plain.elapsed() >= PLAIN_INTERVAL {
            self.last_plain = Instant::now();
            output::eprintln(&format!(
                "Progress: {}/{} ({}/s)",
                human::size(done),
                human::size(self.total),
                human::size(rate)
            ));
        }
    }

    fn clear_bar(&mut self) {
        if self.tty && self.last_draw.is_some() {
            let mut stderr = std::io::stderr();
            let _ = std::io::Write::write_all(&mut stderr, b"\r\x1b[K");
        }
    }

    pub fn finish(&mut self) {
        self.clear_bar();
        self.last_draw = None;
    }
}

/// `[=====>      ]`, 50 columns like Docker's bars.
fn bar(done: u64, total: u64) -> String {
    const WIDTH: u64 = 50;
    let filled = (done.min(total) * WIDTH)
        .checked_div(total)
        .unwrap_or(WIDTH);
    let mut s = String::from("[");
    for i in 0..WIDTH {
        s.push(match i.cmp(&filled) {
            std::cmp::Ordering::Less => '=',
            std::cmp::Ordering::Equal => '>',
            std::cmp::Ordering::Greater => ' ',
        });
    }
    s.push(']');
    s
}
