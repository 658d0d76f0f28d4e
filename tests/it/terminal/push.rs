//! `push` on a terminal mid-transfer (issue #16), at 80 and 200 columns: through the throttling
//! proxy, the layer's `Pushing` line moves as its bytes stream (Docker's push bar moves
//! continuously, not once per upload chunk), above the whole-image line; then the final screen.

use std::fs::File;

use super::{screen_settings, Terminal};
use crate::{
    common::{noise, Env, Registry},
    crash::Proxy,
};

/// The layer's size: well past what the loopback sockets between berth and the proxy take in at
/// once (about 5 MB seen, socket buffers growing as they do), so the bytes berth has handed over
/// are seen partway and moving while the proxy lets them through.
const LAYER_BYTES: usize = 24 * 1024 * 1024;

/// Bytes per second through the proxy until the screen is taken.
const PUSH_RATE: u64 = 1024 * 1024;

/// Imports one layer of noise (the same bytes every run, so the same layer ID) as `name`.
fn noise_image(env: &Env, name: &str) {
    let path = env.path("noise.tar");
    let mut tar = tar::Builder::new(File::create(&path).unwrap());
    let mut header = tar::Header::new_gnu();
    header.set_size(LAYER_BYTES as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_cksum();
    tar.append_data(&mut header, "noise", &noise(LAYER_BYTES, 16)[..])
        .unwrap();
    tar.finish().unwrap();
    env.ok(&["import", path.to_str().unwrap(), name]);
}

/// The bytes done on the layer's `Pushing` line (`… 524.3kB/25.17MB 3s` gives `524.3kB`) while
/// some but not all are, with the whole-image line drawn below (rate and time left shown).
fn pushing(screen: &str) -> Option<String> {
    let done = screen.lines().find_map(|line| {
        // With its time left, as the screen is pinned.
        let (_, rest) = line
            .split_once(": Pushing ")
            .filter(|_| line.ends_with('s'))?;
        let (done, total) = rest
            .split_whitespace()
            .find(|word| word.contains("B/"))?
            .split_once('/')?;
        (done != "0B" && done != total).then(|| done.to_owned())
    })?;
    screen
        .lines()
        .any(|line| line.starts_with("Pushed ") && line.contains("/s, ") && line.contains(" left"))
        .then_some(done)
}

fn push_on_a_terminal_middle(cols: u16) {
    let Some(registry) = Registry::start() else {
        return;
    };
    let proxy = Proxy::start(registry.port, PUSH_RATE);
    let env = Env::new();
    let name = format!("{}/term/noise:1", proxy.host());
    noise_image(&env, &name);
    let mut term = Terminal::spawn(&env, cols, &["push", &name], &[]);
    let first = term.wait_for("the layer pushing", |screen| pushing(screen).is_some());
    let before = pushing(&first);
    let middle = term.wait_for("the layer's bytes moving", |screen| {
        pushing(screen).is_some_and(|done| Some(done) != before)
    });
    proxy.set_rate(0);
    assert_eq!(term.wait(), 0, "{}", term.screen());
    assert!(
        term.stdout().starts_with("1: digest: sha256:"),
        "{}",
        term.stdout()
    );
    let done = term.screen();
    let mut settings = screen_settings(&proxy.host(), true);
    // Beside the other screens'.
    settings.set_snapshot_path("../snapshots");
    settings.bind(|| {
        insta::assert_snapshot!(
            format!("push_middle_{cols}"),
            format!("{middle}\n---------- when it ends\n{done}")
        );
    });
}

#[test]
fn push_on_a_terminal_middle_80() {
    push_on_a_terminal_middle(80);
}

#[test]
fn push_on_a_terminal_middle_200() {
    push_on_a_terminal_middle(200);
}
