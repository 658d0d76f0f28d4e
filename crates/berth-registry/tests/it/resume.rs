//! Interrupted transfers resume: a proxy in front of the real registry cuts a blob download or
//! fails an upload chunk; berth continues with `Range` (downloads) or from the registry's upload
//! offset (uploads), in the same run and in a later one.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use berth_reference::Reference;
use berth_registry::{Client, PullOptions, PushOptions, UploadMode};
use berth_store::Store;

use crate::{
    fake::{Reply, Request, Server},
    harness::{Auth, Registry},
    image, store_in, test_options,
};

const BIG: usize = 1024 * 1024;

fn big_image(store: &Store, name: &str) -> image::Built {
    image::build(
        store,
        &image::Spec {
            layers: vec![vec![("big", image::noise(42, BIG))]],
            gzip: true,
            docker_media_types: false,
            label: "resume",
        },
        &[name],
    )
}

fn client(dir: &std::path::Path, attempts: u32) -> Client {
    Client::new(berth_registry::ClientOptions {
        max_attempts: attempts,
        ..test_options(dir)
    })
    .unwrap()
}

/// A proxy to `registry` that cuts the first `cuts` GETs of `blob` after `keep` body bytes.
fn cutting_proxy(registry: u16, blob: String, keep: usize, cuts: usize) -> Server {
    let seen = AtomicUsize::new(0);
    Server::start(move |request: &Request| {
        let is_blob = request.method == "GET" && request.path().ends_with(&blob);
        if is_blob && seen.fetch_add(1, Ordering::SeqCst) < cuts {
            return Reply::Proxy {
                port: registry,
                cut: Some(keep),
            };
        }
        Reply::Proxy {
            port: registry,
            cut: None,
        }
    })
}

fn blob_gets(proxy: &Server, blob: &str) -> Vec<Option<String>> {
    proxy
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path().ends_with(blob))
        .map(|r| r.header("range").map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_cut_download_resumes_with_range_in_the_same_pull() {
    let Some(registry) = Registry::start(Auth::None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let source = store_in(dir.path(), "source");
    let name = format!("{}/resume/big:1", registry.host());
    let built = big_image(&source, &name);
    let layer = built.layers[0].to_string();
    client(dir.path(), 5)
        .push(
            &source,
            &Reference::parse_normalized(&name).unwrap(),
            &PushOptions::default(),
            |_| {},
        )
        .await
        .unwrap();

    let proxy = cutting_proxy(registry.port, layer.clone(), 300_000, 1);
    let via_proxy = format!("{}/resume/big:1", proxy.host());
    let target = store_in(dir.path(), "target");
    let result = client(dir.path(), 5)
        .pull(
            &target,
            &Reference::parse_normalized(&via_proxy).unwrap(),
            &PullOptions::default(),
            |_| {},
        )
        .await
        .expect("pull through a cut");
    assert_eq!(result.images[0].image_id, built.config_digest);
    assert_eq!(
        blob_gets(&proxy, &layer),
        [None, Some("bytes=300000-".to_owned())],
        "the second request continues where the cut left off"
    );
    assert!(target.layer_info(&built.layers[0]).is_some());
}

#[tokio::test]
async fn a_failed_pull_leaves_a_partial_download_the_next_pull_continues() {
    let Some(registry) = Registry::start(Auth::None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let source = store_in(dir.path(), "source");
    let name = format!("{}/resume/later:1", registry.host());
    let built = big_image(&source, &name);
    let layer = built.layers[0].to_string();
    client(dir.path(), 5)
        .push(
            &source,
            &Reference::parse_normalized(&name).unwrap(),
            &PushOptions::default(),
            |_| {},
        )
        .await
        .unwrap();

    let proxy = cutting_proxy(registry.port, layer.clone(), 400_000, 1);
    let reference =
        Reference::parse_normalized(&format!("{}/resume/later:1", proxy.host())).unwrap();
    let target = store_in(dir.path(), "target");
    // One attempt only: the pull fails like a process killed mid-download.
    let error = client(dir.path(), 1)
        .pull(&target, &reference, &PullOptions::default(), |_| {})
        .await
        .unwrap_err();
    assert!(error.to_string().contains("request to"), "{error}");
    assert!(
        !target.has_blob(&built.layers[0]),
        "nothing half-written is visible"
    );
    assert!(
        target.resolve(&reference.to_string()).is_err(),
        "no reference written"
    );
    let partial = target
        .root()
        .join("berth/ingest")
        .join(format!("partial-sha256-{}", built.layers[0].encoded()));
    assert_eq!(std::fs::metadata(&partial).unwrap().len(), 400_000);

    // A new process (a new client) picks the partial file up: re-hashes it, asks for the rest.
    let result = client(dir.path(), 1)
        .pull(&target, &reference, &PullOptions::default(), |_| {})
        .await
        .expect("resumed pull");
    assert_eq!(result.images[0].image_id, built.config_digest);
    assert_eq!(
        blob_gets(&proxy, &layer),
        [None, Some("bytes=400000-".to_owned())]
    );
    assert!(!partial.exists(), "the partial file became the blob");
}

/// A partial file is only checked once the blob is complete. One that does not verify (left by a
/// hostile or broken registry, issue 12) is thrown away and the same pull downloads the blob again
/// from its first byte, rather than failing and leaving the user to pull again.
#[tokio::test]
async fn a_corrupt_partial_download_is_caught_and_downloaded_again() {
    let Some(registry) = Registry::start(Auth::None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let source = store_in(dir.path(), "source");
    let name = format!("{}/resume/corrupt:1", registry.host());
    let built = big_image(&source, &name);
    let layer = built.layers[0].to_string();
    let client = client(dir.path(), 1);
    client
        .push(
            &source,
            &Reference::parse_normalized(&name).unwrap(),
            &PushOptions::default(),
            |_| {},
        )
        .await
        .unwrap();
    let proxy = cutting_proxy(registry.port, layer.clone(), 0, 0);
    let reference =
        Reference::parse_normalized(&format!("{}/resume/corrupt:1", proxy.host())).unwrap();
    let target = store_in(dir.path(), "target");
    let ingest = target.root().join("berth/ingest");
    std::fs::create_dir_all(&ingest).unwrap();
    let partial = ingest.join(format!("partial-sha256-{}", built.layers[0].encoded()));
    std::fs::write(&partial, vec![0u8; 1000]).unwrap();
    let result = client
        .pull(&target, &reference, &PullOptions::default(), |_| {})
        .await
        .expect("the pull starts over after the bad partial file");
    assert_eq!(result.images[0].image_id, built.config_digest);
    assert_eq!(
        blob_gets(&proxy, &layer),
        [Some("bytes=1000-".to_owned()), None],
        "resumed, then downloaded again from the start"
    );
    assert!(
        !partial.exists(),
        "a partial file that failed verification is thrown away"
    );
    assert!(target.has_blob(&built.layers[0]));
    assert_eq!(target.check().unwrap().problems, []);
}

/// A proxy that answers 503 (without forwarding) to the `fail_at`-th PATCH of a layer chunk.
fn failing_upload_proxy(registry: u16, fail_at: usize) -> Server {
    upload_proxy(registry, move |patch| {
        (patch == fail_at).then(|| Reply::status(503))
    })
}

/// A proxy that asks `answer` about the n-th PATCH of a layer chunk (1-based): its reply, or
/// `None` to forward the request to the registry.
fn upload_proxy(
    registry: u16,
    answer: impl Fn(usize) -> Option<Reply> + Send + Sync + 'static,
) -> Server {
    let patches = Arc::new(AtomicUsize::new(0));
    Server::start(move |request: &Request| {
        let layer_chunk = request.method == "PATCH"
            && request
                .header("content-range")
                .and_then(|r| r.split_once('-'))
                .and_then(|(_, end)| end.parse::<usize>().ok())
                .is_some_and(|end| end >= 65_535);
        if layer_chunk {
            if let Some(reply) = answer(patches.fetch_add(1, Ordering::SeqCst) + 1) {
                return reply;
            }
        }
        Reply::Proxy {
            port: registry,
            cut: None,
        }
    })
}

/// The registry listed a saved upload, then dropped it at the first chunk (distribution cancels an
/// upload whose state and size disagree, as when a chunk of the interrupted push lands after the
/// status request): the blob starts over instead of failing the push.
#[tokio::test]
async fn a_resumed_upload_the_registry_dropped_starts_over() {
    let Some(registry) = Registry::start(Auth::None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let unknown = serde_json::json!({"errors": [{
        "code": "BLOB_UPLOAD_UNKNOWN",
        "message": "blob upload unknown to registry"
    }]});
    let proxy = upload_proxy(registry.port, move |patch| match patch {
        3 => Some(Reply::status(503)),
        4 => Some(Reply::json(404, &unknown)),
        _ => None,
    });
    let store = store_in(dir.path(), "store");
    let name = format!("{}/resume/dropped:1", proxy.host());
    let built = big_image(&store, &name);
    let reference = Reference::parse_normalized(&name).unwrap();
    let options = PushOptions {
        mode: UploadMode::Chunked(65_536),
        ..PushOptions::default()
    };
    client(dir.path(), 1)
        .push(&store, &reference, &options, |_| {})
        .await
        .unwrap_err();
    let before = patch_ranges(&proxy).len();
    let pushed = client(dir.path(), 1)
        .push(&store, &reference, &options, |_| {})
        .await
        .expect("the push starts the dropped upload over");
    assert_eq!(pushed.tags[0].digest, built.manifest_digest);
    let later: Vec<String> = patch_ranges(&proxy).split_off(before).into_iter().collect();
    let resumed = later.iter().position(|r| r == "131072-196607");
    let restarted = later.iter().rposition(|r| r == "0-65535");
    assert!(
        resumed.is_some() && restarted > resumed,
        "resumed at the saved offset, then started over: {later:?}"
    );
}

fn patch_ranges(proxy: &Server) -> Vec<String> {
    proxy
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH")
        .filter_map(|r| r.header("content-range").map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn an_interrupted_upload_resumes_from_the_registry_offset() {
    let Some(registry) = Registry::start(Auth::None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let proxy = failing_upload_proxy(registry.port, 3);
    let store = store_in(dir.path(), "store");
    let name = format!("{}/resume/upload:1", proxy.host());
    let built = big_image(&store, &name);
    let reference = Reference::parse_normalized(&name).unwrap();
    let options = PushOptions {
        mode: UploadMode::Chunked(65_536),
        ..PushOptions::default()
    };
    // One attempt: the push fails at the third chunk, like a network cut.
    let error = client(dir.path(), 1)
        .push(&store, &reference, &options, |_| {})
        .await
        .unwrap_err();
    assert!(error.to_string().contains("503"), "{error}");
    let before = proxy.requests().len();

    // The next push asks the registry where the upload stands and sends only the rest.
    let pushed = client(dir.path(), 1)
        .push(&store, &reference, &options, |_| {})
        .await
        .expect("resumed push");
    assert_eq!(pushed.tags[0].digest, built.manifest_digest);
    let later: Vec<Request> = proxy.requests().split_off(before);
    assert!(
        later
            .iter()
            .any(|r| r.method == "GET" && r.path().contains("/blobs/uploads/")),
        "the upload status was asked for"
    );
    // The config blob (a few hundred bytes, one chunk) may be uploaded concurrently and come first;
    // the big layer must continue at the registry's offset, not start again at 0.
    let ranges: Vec<String> = later
        .iter()
        .filter(|r| r.method == "PATCH")
        .filter_map(|r| r.header("content-range").map(str::to_owned))
        .filter(|range| {
            let end = range
                .strip_prefix("0-")
                .and_then(|end| end.parse::<u64>().ok());
            end.is_none_or(|end| end >= 65_535)
        })
        .collect();
    assert_eq!(
        ranges.first().map(String::as_str),
        Some("131072-196607"),
        "{ranges:?}"
    );
    let all = patch_ranges(&proxy);
    assert_eq!(all.iter().filter(|r| *r == "0-65535").count(), 1, "{all:?}");

    // And within one run, a failed chunk is retried from the registry's offset.
    let proxy = failing_upload_proxy(registry.port, 2);
    let name = format!("{}/resume/again:1", proxy.host());
    let store = store_in(dir.path(), "second");
    let built = image::build(
        &store,
        &image::Spec {
            layers: vec![vec![("other", image::noise(43, 300_000))]],
            gzip: true,
            docker_media_types: false,
            label: "resume-2",
        },
        &[&name],
    );
    let pushed = client(dir.path(), 5)
        .push(
            &store,
            &Reference::parse_normalized(&name).unwrap(),
            &options,
            |_| {},
        )
        .await
        .expect("push with a retried chunk");
    assert_eq!(pushed.tags[0].digest, built.manifest_digest);
    let ranges = patch_ranges(&proxy);
    assert_eq!(
        ranges.iter().filter(|r| *r == "65536-131071").count(),
        2,
        "{ranges:?}"
    );
}
