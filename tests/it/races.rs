//! Concurrent writers of the same blobs into one store (issues 12 and 13).
//!
//! Two `pull`s of one image started together used to share one unlocked partial file: one of them
//! failed with `No such file or directory` at commit, and a hostile registry serving garbage for a
//! layer digest that another pull was fetching wrote its bytes into the committed blob. Here N
//! processes (pulls of one image, of images sharing a layer, and `load`/`import` of the same layers)
//! race through a throttling proxy, so that their downloads overlap; each must exit 0 and the store
//! must pass `system check`. A scripted registry on loopback plays the hostile one.

use std::{
    collections::BTreeMap,
    fs::File,
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    path::PathBuf,
    process::{Child, ExitStatus},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use crate::{
    common::{noise, require, tar_tree, Env, Registry},
    crash::{fixture_env, Proxy},
};

/// Longest one raced command may take.
const TIMEOUT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------------
// Processes

/// A berth process running in the background, its output going to files.
struct Racer {
    args: Vec<String>,
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
}

fn start(env: &Env, args: &[String]) -> Racer {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let stdout = env.path(&format!("racer{n}.stdout"));
    let stderr = env.path(&format!("racer{n}.stderr"));
    let child = env
        .berth()
        .args(args)
        .stdout(File::create(&stdout).unwrap())
        .stderr(File::create(&stderr).unwrap())
        .spawn()
        .expect("spawn berth");
    Racer {
        args: args.to_vec(),
        child,
        stdout,
        stderr,
    }
}

impl Racer {
    /// Waits for the process (a hang fails the test); returns its status, stdout and stderr.
    fn finish(mut self) -> (ExitStatus, String, String) {
        let deadline = Instant::now() + TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("berth {:?} did not finish within {TIMEOUT:?}", self.args);
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let read = |path: &PathBuf| std::fs::read_to_string(path).unwrap_or_default();
        (status, read(&self.stdout), read(&self.stderr))
    }

    /// Waits and requires exit 0.
    fn succeeds(self, context: &str) {
        let args = self.args.clone();
        let (status, _, stderr) = self.finish();
        assert!(
            status.success(),
            "{context}: berth {args:?} exited {status}: {stderr}"
        );
    }
}

/// Pulls `name` (not quietly); returns the status line Docker prints last (`Status: …`).
fn pull_status(env: &Env, name: &str) -> String {
    let out = env.berth().args(["pull", name]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "pull {name}:\n{}",
        crate::common::render(&out)
    );
    stderr
        .lines()
        .find(|line| line.starts_with("Status: "))
        .unwrap_or_default()
        .to_owned()
}

/// Polls `ready` until it holds; fails the test after [`TIMEOUT`].
fn wait_until(what: &str, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + TIMEOUT;
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// `system check` passes, and says so.
fn assert_checks(env: &Env, context: &str) {
    let out = env.berth().args(["system", "check"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.contains(": 0 problem(s)"),
        "{context}: system check failed:\n{}",
        crate::common::render(&out)
    );
}

// ---------------------------------------------------------------------------------------------
// A hostile registry

/// One HTTP/1.1 GET against loopback `port`, `Connection: close`; returns the headers (names in
/// lower case) and the body.
fn http_get(port: u16, path: &str, accept: &str) -> (BTreeMap<String, String>, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the registry");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    assert!(status.contains(" 200 "), "GET {path}: {status}");
    let mut headers = BTreeMap::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    assert!(
        !headers.contains_key("transfer-encoding"),
        "GET {path}: chunked responses are not expected"
    );
    let mut body = Vec::new();
    reader.read_to_end(&mut body).unwrap();
    (headers, body)
}

/// What a registry serves for one image: its manifest (and type), config and layers.
#[derive(Clone)]
struct Served {
    manifest: Vec<u8>,
    /// `sha256:…` of the manifest.
    manifest_digest: String,
    content_type: String,
    config_digest: String,
    config: Vec<u8>,
    /// Layer digests and sizes.
    layers: Vec<(String, u64)>,
}

impl Served {
    /// Reads `repository:tag` from the CNCF registry on `port`.
    fn fetch(port: u16, repository: &str, tag: &str) -> Served {
        let accept = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json";
        let (headers, manifest) =
            http_get(port, &format!("/v2/{repository}/manifests/{tag}"), accept);
        let document: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
        let config_digest = document["config"]["digest"].as_str().unwrap().to_owned();
        let (_, config) = http_get(
            port,
            &format!("/v2/{repository}/blobs/{config_digest}"),
            "*/*",
        );
        let layers = document["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|layer| {
                (
                    layer["digest"].as_str().unwrap().to_owned(),
                    layer["size"].as_u64().unwrap(),
                )
            })
            .collect();
        Served {
            manifest,
            manifest_digest: headers["docker-content-digest"].clone(),
            content_type: headers["content-type"].clone(),
            config_digest,
            config,
            layers,
        }
    }
}

/// What the scripted registry answers for a layer.
#[derive(Clone, Copy)]
enum LayerReply {
    /// Garbage of the layer's length, at this many bytes per second.
    Garbage { rate: u64 },
    /// 404 `BLOB_UNKNOWN`: the download fails before its first byte.
    Missing,
}

/// A registry on loopback, written here, that serves `Served`'s manifest and config for any
/// repository and tag but lies about every layer (`LayerReply`): a registry that names a real layer
/// digest and serves garbage for it, or none.
struct HostileRegistry {
    port: u16,
    /// Layer GETs answered so far.
    layer_gets: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl HostileRegistry {
    fn start(served: Served, layers: LayerReply) -> HostileRegistry {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the hostile registry");
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let layer_gets = Arc::new(AtomicU64::new(0));
        let accept = {
            let stop = Arc::clone(&stop);
            let layer_gets = Arc::clone(&layer_gets);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let served = served.clone();
                    let layer_gets = Arc::clone(&layer_gets);
                    std::thread::spawn(move || {
                        let _ = serve_hostile(stream, &served, layers, &layer_gets);
                    });
                }
            })
        };
        HostileRegistry {
            port,
            layer_gets,
            stop,
            accept: Some(accept),
        }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for HostileRegistry {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// Answers one request on `stream`, then closes it.
fn serve_hostile(
    stream: TcpStream,
    served: &Served,
    layers: LayerReply,
    layer_gets: &AtomicU64,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
            break;
        }
    }
    let mut parts = request.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let mut out = stream;
    let respond = |out: &mut TcpStream, status: &str, headers: &str, body: &[u8]| {
        write!(
            out,
            "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )?;
        if method != "HEAD" {
            out.write_all(body)?;
        }
        out.flush()
    };
    if path == "/v2/" {
        return respond(
            &mut out,
            "200 OK",
            "Content-Type: application/json\r\n",
            b"{}",
        );
    }
    if path.contains("/manifests/") {
        let headers = format!(
            "Content-Type: {}\r\nDocker-Content-Digest: {}\r\n",
            served.content_type, served.manifest_digest
        );
        return respond(&mut out, "200 OK", &headers, &served.manifest);
    }
    let blob = path.rsplit_once("/blobs/").map_or("", |(_, digest)| digest);
    if blob == served.config_digest {
        return respond(&mut out, "200 OK", "", &served.config);
    }
    let Some((_, size)) = served.layers.iter().find(|(digest, _)| digest == blob) else {
        return respond(&mut out, "404 Not Found", "", b"{}");
    };
    layer_gets.fetch_add(1, Ordering::SeqCst);
    let rate = match layers {
        LayerReply::Garbage { rate } => rate,
        LayerReply::Missing => {
            let body =
                br#"{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}"#;
            return respond(
                &mut out,
                "404 Not Found",
                "Content-Type: application/json\r\n",
                body,
            );
        }
    };
    // The whole blob's length of garbage, whatever Range was asked for, slowly.
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
    )?;
    let chunk = [b'!'; 16 * 1024];
    let mut left = *size;
    while left > 0 {
        let n = usize::try_from(left.min(chunk.len() as u64)).unwrap();
        out.write_all(&chunk[..n])?;
        left -= n as u64;
        std::thread::sleep(Duration::from_micros(n as u64 * 1_000_000 / rate));
    }
    out.flush()
}

/// The fixture's `busybox:1` (two layers) and `busybox:base` (its first layer) pushed to a real
/// registry as `race/one:1` and `race/base:1`: two images that share a layer.
fn registry_with_images() -> Option<Registry> {
    let registry = Registry::start()?;
    let seed = fixture_env();
    for (local, remote) in [
        ("fixture/busybox:1", "race/one:1"),
        ("fixture/busybox:base", "race/base:1"),
    ] {
        let name = format!("{}/{remote}", registry.host());
        seed.ok(&["tag", local, &name]);
        seed.ok(&["push", "-q", &name]);
    }
    Some(registry)
}

/// Bytes per second per connection through the proxy: a layer takes a good part of a second, so
/// that every download of a round overlaps the others.
const THROTTLE: u64 = 2 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Tests

/// #12: pull an image from one registry, and while its layer is still coming in, pull from a
/// hostile registry an image that names the same layer digest but serves garbage for it, slowly.
/// The hostile bytes went into the shared partial file and on into the committed blob: the good
/// pull succeeded, then `system check` found the blob corrupt, `run` exited 125, and pulling again
/// said "up to date". Now the hostile pull fails verification and touches nothing.
#[test]
fn a_hostile_registry_cannot_spoil_a_layer_another_pull_fetches() {
    let Some(registry) = registry_with_images() else {
        return;
    };
    let served = Served::fetch(registry.port, "race/one", "1");
    let layer_bytes: u64 = served.layers.iter().map(|(_, size)| size).sum();
    let hostile = HostileRegistry::start(served, LayerReply::Garbage { rate: 256 * 1024 });
    let proxy = Proxy::start(registry.port, 512 * 1024);
    let env = Env::new();
    let good = format!("{}/race/one:1", proxy.host());
    let evil = format!("{}/evil/one:1", hostile.host());

    let first = start(&env, &args(&["pull", "-q", &good]));
    // The good pull is well into its layers (in bytes, not time) when the hostile one starts, and
    // it is held back until the hostile one is downloading too, however slow the machine.
    wait_until("the good pull gets going", || {
        proxy.downstream() >= layer_bytes / 8
    });
    proxy.set_rate(32 * 1024);
    let second = start(&env, &args(&["pull", "-q", &evil]));
    wait_until("the hostile pull downloads", || {
        hostile.layer_gets.load(Ordering::SeqCst) > 0
    });
    proxy.set_rate(512 * 1024);
    first.succeeds("the good pull");
    let (status, _, stderr) = second.finish();
    assert_eq!(status.code(), Some(1), "the hostile pull: {stderr}");
    assert!(
        stderr.contains("failed verification") && stderr.contains("digest"),
        "the hostile pull fails with a digest error: {stderr}"
    );

    assert_checks(&env, "after the hostile pull");
    let saved = env.path("one.tar");
    env.ok(&["save", "-o", saved.to_str().unwrap(), &good]);
    let status = pull_status(&env, &good);
    assert!(status.contains("Image is up to date for"), "{status}");
    if require("runc") {
        let out = env.ok(&["run", "--rm", &good, "cat", "/hello.txt"]);
        assert_eq!(out, "hello! I am here!\n");
    }
}

/// A blob whose content no longer matches its name (found by `system check`, or by a `run` that
/// failed) is fetched again by the next `pull` of an image that uses it, not reported as present:
/// a layer, the config or the manifest.
#[test]
fn pull_replaces_a_corrupt_blob() {
    let Some(registry) = registry_with_images() else {
        return;
    };
    let served = Served::fetch(registry.port, "race/one", "1");
    let name = format!("{}/race/one:1", registry.host());
    let manifest_digest = served.manifest_digest.clone();
    let cases = [
        ("the first layer", served.layers[0].0.clone()),
        ("the last layer", served.layers[1].0.clone()),
        ("the config", served.config_digest.clone()),
        ("the manifest", manifest_digest),
    ];
    for (what, digest) in cases {
        let env = Env::new();
        env.ok(&["pull", "-q", &name]);
        let path = env
            .root()
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:"));
        // Same length, other bytes: nothing but hashing the content can tell.
        let mut bytes = std::fs::read(&path).unwrap();
        for byte in bytes.iter_mut().take(64) {
            *byte ^= 0x5a;
        }
        std::fs::write(&path, bytes).unwrap();
        let out = env.berth().args(["system", "check"]).output().unwrap();
        assert!(
            !out.status.success(),
            "{what}: system check misses the corruption"
        );

        let status = pull_status(&env, &name);
        assert!(
            status.contains("Downloaded newer image for"),
            "{what}: pull must fetch the corrupt blob again: {status}"
        );
        assert_checks(&env, what);
        let saved = env.path("one.tar");
        env.ok(&["save", "-o", saved.to_str().unwrap(), &name]);
    }
}

/// Runs rounds of N = 2..=8 processes at once into a fresh store each, `plan(N)` giving their
/// arguments, `repeats` times over; every process must exit 0 and the store must check out.
fn race(plan: &dyn Fn(usize) -> Vec<Vec<String>>, repeats: usize) {
    for repeat in 0..repeats {
        for n in 2..=8 {
            let env = Env::new();
            let racers: Vec<Racer> = plan(n).iter().map(|args| start(&env, args)).collect();
            let context = format!("round {repeat}, {n} processes");
            for racer in racers {
                racer.succeeds(&context);
            }
            assert_checks(&env, &context);
        }
    }
}

/// Sweeps of N = 2..=8 per test: 14 rounds, 70 processes, 168 pairs of processes whose downloads
/// overlap (the proxy sees to that). An interleaving that one overlapping pair in twenty hits is
/// missed with probability 0.95^168, under 0.02%; the one of issue 12 failed the first round, every
/// time. The three race tests take about 12 s each.
const REPEATS: usize = 2;

/// #12: N pulls of one image at once.
#[test]
fn pulls_of_one_image_race() {
    let Some(registry) = registry_with_images() else {
        return;
    };
    let proxy = Proxy::start(registry.port, THROTTLE);
    let name = format!("{}/race/one:1", proxy.host());
    race(
        &|n| (0..n).map(|_| args(&["pull", "-q", &name])).collect(),
        REPEATS,
    );
}

/// N pulls of two images that share their first layer, alternating.
#[test]
fn pulls_of_images_sharing_a_layer_race() {
    let Some(registry) = registry_with_images() else {
        return;
    };
    let proxy = Proxy::start(registry.port, THROTTLE);
    let names = [
        format!("{}/race/one:1", proxy.host()),
        format!("{}/race/base:1", proxy.host()),
    ];
    race(
        &|n| {
            (0..n)
                .map(|i| args(&["pull", "-q", &names[i % 2]]))
                .collect()
        },
        REPEATS,
    );
}

/// `load` and `import` racing pulls of the same layers: an archive saved from a pull (its gzip
/// layers as the registry has them) and a gzip tarball pushed as it is.
#[test]
fn load_and_import_race_pulls() {
    let Some(registry) = registry_with_images() else {
        return;
    };
    let work = Env::new();
    let tree = work.path("imported-tree");
    std::fs::create_dir_all(tree.join("data")).unwrap();
    std::fs::write(tree.join("data/blob"), noise(1 << 20, 40)).unwrap();
    let tarball = work.path("imported.tar.gz");
    tar_tree(&tree, &tarball, "z");
    let imported = format!("{}/race/imported:1", registry.host());
    work.ok(&["import", tarball.to_str().unwrap(), &imported]);
    work.ok(&["push", "-q", &imported]);
    let one = format!("{}/race/one:1", registry.host());
    work.ok(&["pull", "-q", &one]);
    let archive = work.path("one.tar");
    work.ok(&["save", "-o", archive.to_str().unwrap(), &one]);

    let proxy = Proxy::start(registry.port, THROTTLE);
    let plans = [
        args(&["pull", "-q", &format!("{}/race/one:1", proxy.host())]),
        args(&["load", "-q", "-i", archive.to_str().unwrap()]),
        args(&["pull", "-q", &format!("{}/race/imported:1", proxy.host())]),
        args(&["import", tarball.to_str().unwrap(), "local/imported:1"]),
    ];
    race(
        &|n| (0..n).map(|i| plans[i % plans.len()].clone()).collect(),
        REPEATS,
    );
    // The loaded and imported copies are the very blobs the pulls fetch.
    let env = Env::new();
    env.ok(&["load", "-q", "-i", archive.to_str().unwrap()]);
    env.ok(&["import", tarball.to_str().unwrap(), "local/imported:1"]);
    let stored = env.store_state().1;
    let pulled = Served::fetch(registry.port, "race/one", "1");
    let pushed = Served::fetch(registry.port, "race/imported", "1");
    for (digest, _) in pulled.layers.iter().chain(&pushed.layers) {
        assert!(
            stored.iter().any(|b| digest.ends_with(b.as_str())),
            "{digest} is not shared by load/import and pull"
        );
    }
}

/// #13 item 11: a download that fails before its first byte left an empty `partial-*` file behind,
/// kept forever (garbage collection keeps partial files for the next attempt).
#[test]
fn a_failed_download_leaves_no_empty_partial_file() {
    let Some(registry) = registry_with_images() else {
        return;
    };
    let served = Served::fetch(registry.port, "race/one", "1");
    let broken = HostileRegistry::start(served, LayerReply::Missing);
    let env = Env::new();
    let name = format!("{}/broken/one:1", broken.host());
    let out = env.berth().args(["pull", "-q", &name]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        crate::common::render(&out)
    );
    let left: Vec<String> = std::fs::read_dir(env.root().join("berth/ingest"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "files left in the ingest area: {left:?}");
}
