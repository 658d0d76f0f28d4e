//! Unbounded memory from a registry (issue #13 item 3): `search` (catalog fallback) and `pull -a`
//! follow `Link` pages, 4 MiB each, of tiny names (the worst case for memory: ~1M names a page).
//! berth stops at 64 MiB read in all, 10,000 names kept, with a clear error, and its peak RSS stays
//! far below what keeping the pages took (1.19 GB after 20 pages before the fix).

use std::{process::Command, sync::Arc};

use super::server::{Reply, Server};
use crate::common::{render, require, Env};

/// Pages served before the server itself ends the list: past berth's 64 MiB, far below the
/// 1000-page cap that let berth keep 58 GB.
const PAGES: usize = 24;
/// Peak RSS allowed, in KiB: generous (one 4 MiB page parsed into ~1M strings costs ~60 MiB).
const MAX_RSS_KIB: u64 = 256 * 1024;

/// A 4 MiB JSON page of one-letter names under `key`.
fn page(key: &str) -> Vec<u8> {
    let mut body = format!(r#"{{"name":"x/y","{key}":["#).into_bytes();
    while body.len() < 4 * 1024 * 1024 - 16 {
        body.extend_from_slice(br#""a","#);
    }
    body.extend_from_slice(br#""a"]}"#);
    body
}

/// A registry whose catalog and tag list are [`PAGES`] pages long; no v1 search.
fn endless_registry() -> Server {
    let catalog = Arc::new(page("repositories"));
    let tags = Arc::new(page("tags"));
    Server::start(move |_, path| {
        if path == "/v2/" {
            return Reply::ok("application/json", "{}");
        }
        let (body, base) = if path.starts_with("/v2/_catalog") {
            (catalog.clone(), "/v2/_catalog")
        } else if path.starts_with("/v2/x/y/tags/list") {
            (tags.clone(), "/v2/x/y/tags/list")
        } else {
            return Reply::status(404, "text/plain", "not found");
        };
        let number: usize = path
            .split("last=")
            .nth(1)
            .and_then(|n| n.split('&').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let reply = Reply::ok("application/json", body.as_slice());
        if number + 1 < PAGES {
            reply.header(
                "Link",
                &format!("<{base}?last={}&n=1000>; rel=\"next\"", number + 1),
            )
        } else {
            reply
        }
    })
}

/// Runs berth under GNU time; returns (output, peak RSS in KiB).
fn measured(env: &Env, args: &[&str]) -> (std::process::Output, u64) {
    let rss_file = env.path("maxrss");
    let berth = env.berth();
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-f").arg("%M").arg("-o").arg(&rss_file);
    cmd.arg(berth.get_program())
        .args(berth.get_args())
        .args(args);
    for (key, value) in berth.get_envs() {
        match value {
            Some(value) => cmd.env(key, value),
            None => cmd.env_remove(key),
        };
    }
    let out = cmd.output().expect("run /usr/bin/time berth");
    let rss = std::fs::read_to_string(&rss_file)
        .unwrap()
        .lines()
        .last()
        .and_then(|line| line.trim().parse().ok())
        .expect("a max RSS from /usr/bin/time");
    (out, rss)
}

fn check(env: &Env, args: &[&str], message: &str) {
    let (out, rss) = measured(env, args);
    let text = render(&out);
    eprintln!("berth {args:?}: peak RSS {rss} KiB");
    assert!(!out.status.success(), "berth {args:?} should fail:\n{text}");
    assert!(text.contains(message), "{message:?} missing:\n{text}");
    assert!(
        rss < MAX_RSS_KIB,
        "berth {args:?} peaked at {rss} KiB RSS (limit {MAX_RSS_KIB} KiB)"
    );
}

#[test]
fn search_stops_at_64_mib_of_catalog_pages() {
    if !require("time") {
        return;
    }
    let env = Env::new();
    let registry = endless_registry();
    check(
        &env,
        &["search", &format!("{}/nomatch", registry.host())],
        &format!(
            "the catalog of {} is too large: berth reads at most 64 MiB of it",
            registry.host()
        ),
    );
}

#[test]
fn pull_all_tags_stops_at_10000_tags() {
    if !require("time") {
        return;
    }
    let env = Env::new();
    let registry = endless_registry();
    check(
        &env,
        &["pull", "-a", &format!("{}/x/y", registry.host())],
        &format!(
            "the tag list of {}/x/y is too large: berth reads at most 10000 names of it",
            registry.host()
        ),
    );
    check(
        &env,
        &["search", "--list-tags", &format!("{}/x/y", registry.host())],
        "is too large: berth reads at most 10000 names of it",
    );
}
