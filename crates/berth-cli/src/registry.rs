//! Shared plumbing for the commands that talk to registries: the client, a runtime, progress rendering.

use std::collections::{BTreeMap, BTreeSet};

use berth_registry::{Client, ClientOptions, Event, LayerProgress, LayerStatus};

use crate::{
    context::Ctx,
    progress::{Operation, Screen},
};

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

/// Renders pull/push events on stderr through a [`Screen`]: Docker's per-layer lines, and berth's
/// whole-image line (bytes, rate, time left, layers verified or pushed).
pub struct Progress {
    screen: Screen,
    operation: Operation,
    layers: usize,
    /// Bytes transferred per layer, with what was already there counted once in the plan.
    current: BTreeMap<String, u64>,
    done_before: u64,
    /// Layers in their final state.
    finished: BTreeSet<String>,
}

impl Progress {
    pub fn new(operation: Operation, quiet: bool) -> Progress {
        Progress {
            screen: Screen::new(operation, quiet),
            operation,
            layers: 0,
            current: BTreeMap::new(),
            done_before: 0,
            finished: BTreeSet::new(),
        }
    }

    pub fn event(&mut self, event: Event) {
        match event {
            Event::Plan {
                layers,
                total_bytes,
                done_bytes,
            } => {
                self.layers = layers;
                self.done_before = done_bytes;
                self.screen.total(Some(total_bytes), done_bytes);
                self.note();
            }
            Event::Layer(layer) => self.layer(&layer),
            Event::Retrying {
                what,
                attempt,
                reason,
            } => {
                let line = format!("Retrying {what} (attempt {attempt}): {reason}");
                self.screen.log(&crate::escape::controls(
                    &line,
                    crate::escape::Keep::Nothing,
                ));
            }
            Event::Resolved { reference, .. } => {
                // Once its manifest came, never before a failure to find it.
                self.screen
                    .message(&crate::commands::pull::pulling_from(&reference));
            }
            Event::Pulled { digest } => {
                self.screen.message(&format!("Digest: {digest}"));
            }
        }
    }

    fn layer(&mut self, layer: &LayerProgress) {
        let counted = match layer.status {
            LayerStatus::Downloading | LayerStatus::Pushing => {
                self.current.insert(layer.id.clone(), layer.current);
                true
            }
            // berth's own word, a line of its own in the plain form too.
            LayerStatus::Resuming => {
                self.current.insert(layer.id.clone(), layer.current);
                false
            }
            // berth checks the layer's diff_id as it decompresses it: Docker's `Extracting` bar.
            LayerStatus::Extracting => true,
            // A push's layers that the registry had or mounted are done too.
            LayerStatus::DownloadComplete
            | LayerStatus::Pushed
            | LayerStatus::LayerAlreadyExists
            | LayerStatus::MountedFrom(_) => {
                if let Some(total) = layer.total {
                    self.current.insert(layer.id.clone(), total);
                }
                false
            }
            _ => false,
        };
        let finished = match self.operation {
            Operation::Pull => matches!(
                layer.status,
                LayerStatus::PullComplete | LayerStatus::AlreadyExists
            ),
            _ => matches!(
                layer.status,
                LayerStatus::Pushed | LayerStatus::LayerAlreadyExists | LayerStatus::MountedFrom(_)
            ),
        };
        let count = counted.then_some((layer.current, layer.total));
        self.screen
            .layer(&layer.id, &layer.status.docker_text(), count);
        if finished && self.finished.insert(layer.id.clone()) {
            self.note();
        }
        self.screen
            .done(self.done_before + self.current.values().sum::<u64>());
    }

    fn note(&mut self) {
        if self.layers == 0 {
            return;
        }
        let what = match self.operation {
            Operation::Pull => "verified",
            _ => "pushed",
        };
        self.screen.note(format!(
            "{}/{} {what}",
            self.finished.len().min(self.layers),
            self.layers
        ));
    }

    pub fn finish(&mut self) {
        self.screen.finish();
    }
}
