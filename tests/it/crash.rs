//! Crash safety, signals, concurrency and a full disk (issue 8, security checklist 14-19 and 39).
//!
//! The real `berth` binary is killed (SIGKILL) at points spread evenly from its start to its end, with
//! its input slowed down (stdin fed through a pipe in small paced chunks, or a throttling loopback proxy
//! in front of the registry) so that the points land inside the transfer as well as around the commit.
//! After each kill the store must pass `berth system check`, every image listed before must still be
//! complete, `system prune` must leave nothing in the ingest area but resumable `partial-*` files, and the
//! interrupted operation must succeed when run again (a pull resumes from its partial file). `commit`
//! is killed the same way while it turns a container's 8 MiB of changes into a layer; the container
//! must still list its changes and be removable afterwards. A *running* container's commit is also
//! killed while the runtime pauses it, while it is paused and right after it was resumed: the next
//! berth command must find it running again, not frozen.
//!
//! SIGINT and SIGTERM must end image commands, `commit` and `export` cleanly (130/143, no temporary
//! file, no lock held), and a foreground `run` must forward them to its container and then clean up.
//!
//! A handful of points per operation by default; `BERTH_SOAK=1` (`cargo xtask test --soak`) runs 100.

use std::{
    fs::File,
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use crate::common::{fixture, noise, tar_tree, Env, Registry};

/// Kill points per operation: a handful in CI, 100 in soak mode.
fn points() -> usize {
    if soak() {
        100
    } else {
        5
    }
}

fn soak() -> bool {
    std::env::var_os("BERTH_SOAK").is_some_and(|v| v == "1")
}

/// Longest any follow-up command may take: a held lock would make it hang.
const FOLLOW_UP_TIMEOUT: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------------
// Inputs and peers

/// A plain rootfs tarball holding `size` bytes of noise (distinct per `seed`).
fn noise_tar(env: &Env, name: &str, size: usize, seed: u64) -> PathBuf {
    let tree = env.path(&format!("{name}-tree"));
    std::fs::create_dir_all(tree.join("data")).unwrap();
    std::fs::write(tree.join("data/blob"), noise(size, seed)).unwrap();
    std::fs::write(tree.join("data/seed"), seed.to_string()).unwrap();
    let out = env.path(name);
    tar_tree(&tree, &out, "");
    out
}

/// How stdin is fed: `chunk` bytes, then a pause, until the file is done.
#[derive(Clone)]
struct Feed {
    path: PathBuf,
    chunk: usize,
    pause: Duration,
}

/// A loopback TCP proxy that paces the bytes it forwards (both ways) and counts them.
pub(crate) struct Proxy {
    port: u16,
    /// Bytes per second in each direction; 0 forwards at full speed.
    rate: Arc<AtomicU64>,
    /// Bytes forwarded from the registry to the client.
    downstream: Arc<AtomicU64>,
    /// Bytes forwarded from the client to the registry.
    upstream: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Proxy {
    pub(crate) fn start(target: u16, rate: u64) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().unwrap().port();
        let rate = Arc::new(AtomicU64::new(rate));
        let downstream = Arc::new(AtomicU64::new(0));
        let upstream = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (rate, downstream, stop) = (rate.clone(), downstream.clone(), stop.clone());
            let upstream = upstream.clone();
            std::thread::spawn(move || {
                for client in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(client) = client else { continue };
                    let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                        continue;
                    };
                    let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                    let (up_rate, up_counter) = (rate.clone(), upstream.clone());
                    let (down_rate, counter) = (rate.clone(), downstream.clone());
                    std::thread::spawn(move || pump(client, server, &up_rate, Some(&up_counter)));
                    std::thread::spawn(move || pump(s2, c2, &down_rate, Some(&counter)));
                }
            })
        };
        Proxy {
            port,
            rate,
            downstream,
            upstream,
            stop,
            accept: Some(accept),
        }
    }

    pub(crate) fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub(crate) fn set_rate(&self, rate: u64) {
        self.rate.store(rate, Ordering::SeqCst);
    }

    pub(crate) fn downstream(&self) -> u64 {
        self.downstream.load(Ordering::SeqCst)
    }

    fn upstream(&self) -> u64 {
        self.upstream.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// Copies `from` to `to` in 16 KiB steps at the proxy's current rate; closes both ends when done.
fn pump(mut from: TcpStream, mut to: TcpStream, rate: &AtomicU64, counter: Option<&AtomicU64>) {
    throttled_copy(&mut from, &mut to, rate, counter);
    let _ = from.shutdown(std::net::Shutdown::Both);
    let _ = to.shutdown(std::net::Shutdown::Both);
}

/// Copies `from` to `to` in 16 KiB steps at `rate` bytes per second (read at each step: 0 is full
/// speed), adding to `counter`, until `from` ends or either side fails. The terminal tests use it
/// for the pipes and HTTP bodies they feed berth slowly.
pub(crate) fn throttled_copy(
    from: &mut impl Read,
    to: &mut impl Write,
    rate: &AtomicU64,
    counter: Option<&AtomicU64>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        if let Some(counter) = counter {
            counter.fetch_add(n as u64, Ordering::SeqCst);
        }
        if let Some(micros) = (n as u64 * 1_000_000).checked_div(rate.load(Ordering::SeqCst)) {
            std::thread::sleep(Duration::from_micros(micros));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running and killing berth

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| (*s).to_owned()).collect()
}

/// A running berth, with the thread feeding its stdin (if any).
struct Running {
    child: Child,
    feeder: Option<JoinHandle<()>>,
    stderr: PathBuf,
    /// Bytes the feeder has written to stdin so far.
    fed: Arc<AtomicU64>,
}

fn spawn(env: &Env, args: &[String], feed: Option<&Feed>) -> Running {
    let stderr = env.path("op.stderr");
    let mut cmd = env.berth();
    cmd.args(args)
        .stdout(Stdio::null())
        .stderr(File::create(&stderr).unwrap());
    if feed.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().expect("spawn berth");
    let fed = Arc::new(AtomicU64::new(0));
    let feeder = feed.map(|feed| {
        let mut input = child.stdin.take().expect("stdin");
        let feed = feed.clone();
        let fed = Arc::clone(&fed);
        std::thread::spawn(move || {
            let data = std::fs::read(&feed.path).unwrap();
            for chunk in data.chunks(feed.chunk) {
                if input.write_all(chunk).is_err() {
                    return; // berth died: the pipe is closed
                }
                fed.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                std::thread::sleep(feed.pause);
            }
        })
    });
    Running {
        child,
        feeder,
        stderr,
        fed,
    }
}

impl Running {
    /// Waits at most `timeout` for the process; a hang fails the test.
    fn wait(mut self, timeout: Duration) -> (ExitStatus, String) {
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("berth did not finish within {timeout:?} (a lock left held?)");
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        if let Some(feeder) = self.feeder.take() {
            feeder.join().unwrap();
        }
        let stderr = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        (status, stderr)
    }

    /// Sends `signal` (with kill(1)) once the feeder has written `bytes` of the input: berth cannot
    /// have finished before it has read all of it, however fast the machine. Returns whether the
    /// signal reached a running process.
    fn signal_when_fed(&mut self, bytes: u64, signal: &str) -> bool {
        let fed = Arc::clone(&self.fed);
        self.signal_when(&|| fed.load(Ordering::SeqCst) >= bytes, signal)
    }

    /// Sends `signal` once `ready` says so. Returns whether the signal reached a running process.
    fn signal_when(&mut self, ready: &dyn Fn() -> bool, signal: &str) -> bool {
        let deadline = Instant::now() + FOLLOW_UP_TIMEOUT;
        while !ready() {
            if self.child.try_wait().unwrap().is_some() || Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        self.signal_after(Duration::ZERO, signal)
    }

    /// Sends `signal` (SIGKILL through the std API, others with kill(1)) after `delay`.
    /// Returns whether the signal reached a running process.
    fn signal_after(&mut self, delay: Duration, signal: &str) -> bool {
        std::thread::sleep(delay);
        if self.child.try_wait().unwrap().is_some() {
            return false;
        }
        if signal == "KILL" {
            self.child.kill().expect("kill berth");
        } else {
            let status = Command::new("kill")
                .arg(format!("-{signal}"))
                .arg(self.child.id().to_string())
                .status()
                .expect("run kill");
            assert!(status.success(), "kill -{signal} failed");
        }
        true
    }
}

/// Runs berth to completion with a timeout; returns status and stderr.
fn run_bounded(env: &Env, args: &[&str]) -> (ExitStatus, String) {
    spawn(env, &strings(args), None).wait(FOLLOW_UP_TIMEOUT)
}

fn ok_bounded(env: &Env, args: &[&str]) {
    let (status, stderr) = run_bounded(env, args);
    assert!(status.success(), "berth {args:?} failed: {stderr}");
}

/// Copies a prepared store into a fresh environment (the template stays untouched).
fn clone_env(template: &Env) -> Env {
    let env = Env::new();
    let status = Command::new("cp")
        .arg("-a")
        .arg(template.root())
        .arg(env.root())
        .status()
        .expect("run cp");
    assert!(status.success(), "cp -a failed");
    env
}

/// Full IDs of every image in the store.
fn image_ids(env: &Env) -> Vec<String> {
    let out = env.ok(&["images", "-a", "--no-trunc", "--format", "{{.ID}}"]);
    let mut ids: Vec<String> = out.lines().map(str::to_owned).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Names in the ingest area.
fn ingest_files(env: &Env) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(env.root().join("berth/ingest"))
        .map(|dir| {
            dir.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Bytes held by resumable partial downloads.
fn partial_bytes(env: &Env) -> u64 {
    ingest_files(env)
        .iter()
        .filter(|n| n.starts_with("partial-"))
        .map(|n| std::fs::metadata(env.root().join("berth/ingest").join(n)).map_or(0, |m| m.len()))
        .sum()
}

/// Files anywhere in the store that are neither content, references, locks nor resumable downloads.
fn leftovers(env: &Env) -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                walk(&path, base, out);
            } else {
                out.push(path.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    let root = env.root();
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    let blobs: Vec<String> = std::fs::read_dir(root.join("blobs/sha256"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files
        .into_iter()
        .filter(|f| {
            let name = f.rsplit('/').next().unwrap_or(f);
            let allowed = matches!(f.as_str(), "oci-layout" | "index.json")
                || (f.starts_with("berth/") && (name == ".lock" || Path::new(name).extension().is_some_and(|e| e == "lock")))
                || f.starts_with("blobs/sha256/")
                || f.starts_with("berth/ingest/partial-")
                // the registry client's hints: mount sources, upload locations, gzip twins of layers
                || (f.starts_with("berth/registry/") && !name.starts_with('.'))
                // a layer record belongs to a blob that exists
                || (f.starts_with("berth/layers/") && blobs.iter().any(|b| b == name));
            !allowed
        })
        .collect()
}

/// Saves an image into a scratch file (never a device: the output is renamed into place) and deletes it.
fn save_to_scratch(env: &Env, image: &str) -> (ExitStatus, String) {
    let out = env.path("scratch-save.tar");
    let result = run_bounded(env, &["save", "-o", out.to_str().unwrap(), image]);
    let _ = std::fs::remove_file(&out);
    result
}

/// What must hold after any interruption: the store checks out, the survivors are complete, and
/// garbage collection leaves only resumable downloads behind.
fn assert_intact(env: &Env, survivors: &[String], context: &str) {
    assert_consistent(env, survivors, context);
    ok_bounded(env, &["system", "prune", "-f"]);
    let left = leftovers(env);
    assert!(
        left.is_empty(),
        "{context}: files left that garbage collection does not remove: {left:?}"
    );
}

/// The store checks out and the survivors are complete (no garbage collection: containers stay).
fn assert_consistent(env: &Env, survivors: &[String], context: &str) {
    let (status, stderr) = run_bounded(env, &["system", "check"]);
    assert!(status.success(), "{context}: system check failed: {stderr}");
    for id in survivors {
        let (status, stderr) = run_bounded(env, &["inspect", "-f", "{{.Id}}", id]);
        assert!(
            status.success(),
            "{context}: image {id} is no longer complete: {stderr}"
        );
        // Every layer is readable and matches its digest: save streams them all.
        let (status, stderr) = save_to_scratch(env, id);
        assert!(status.success(), "{context}: save {id} failed: {stderr}");
    }
}

/// Tally of one operation's kill points, for the report.
#[derive(Default, Debug)]
struct Tally {
    points: usize,
    killed: usize,
    finished_first: usize,
    resumed: usize,
    /// Kills that left a temporary file in the ingest area: the process was writing content.
    left_temp: usize,
}

/// One operation to interrupt.
struct Scenario<'a> {
    name: &'a str,
    /// The store before the operation.
    template: &'a Env,
    /// The command line, per point (`usize::MAX` for the measuring run).
    args: &'a dyn Fn(usize) -> Vec<String>,
    feed: Option<Feed>,
    /// Per point, before the operation (e.g. a name unique to the point).
    setup: &'a dyn Fn(&Env, usize),
    /// Image IDs that must survive untouched (computed after `setup` when empty).
    keep: &'a dyn Fn(&Env) -> Vec<String>,
    /// Whether `system prune` may run between the kill and the rerun (it removes stopped containers,
    /// which `commit` needs); the full check runs after the rerun either way.
    prune_after_kill: bool,
    /// Runs the interrupted operation again (it must succeed) and checks its effect.
    rerun: &'a dyn Fn(&Env, usize, &mut Tally),
}

/// Something to wait for in a store while an operation runs.
type Condition<'a> = &'a dyn Fn(&Env) -> bool;

/// Kill points that wait for something to happen rather than for a delay, and a look at what a
/// kill left before any berth command runs again.
struct Probes<'a> {
    /// Each is killed the moment its condition holds (polled every ~0.2 ms), `events_per_kind()`
    /// times; the point numbers go on after the timed ones.
    events: &'a [(&'a str, Condition<'a>)],
    /// Runs right after the kill (the process reaped), before any check.
    after_kill: &'a dyn Fn(&Env, &str),
}

impl Probes<'_> {
    fn none() -> Probes<'static> {
        Probes {
            events: &[],
            after_kill: &|_, _| {},
        }
    }
}

/// Repetitions of each event kill point: one in CI, ten in soak mode.
fn events_per_kind() -> usize {
    if soak() {
        10
    } else {
        1
    }
}

/// Measures the uninterrupted operation, then kills it at `points()` delays spread over that time.
fn kill_points(scenario: &Scenario<'_>) -> Tally {
    kill_points_probed(scenario, &Probes::none())
}

/// When to kill the operation.
enum KillAt<'a> {
    After(Duration),
    When(&'a str, Condition<'a>),
}

/// [`kill_points`], plus a kill at each of `probes.events`.
fn kill_points_probed(scenario: &Scenario<'_>, probes: &Probes<'_>) -> Tally {
    let measure = clone_env(scenario.template);
    (scenario.setup)(&measure, usize::MAX);
    let started = Instant::now();
    let (status, stderr) = spawn(
        &measure,
        &(scenario.args)(usize::MAX),
        scenario.feed.as_ref(),
    )
    .wait(Duration::from_secs(120));
    let duration = started.elapsed();
    assert!(
        status.success(),
        "{}: uninterrupted run failed: {stderr}",
        scenario.name
    );
    drop(measure);

    let n = points();
    let mut kills: Vec<KillAt<'_>> = (0..n)
        .map(|i| KillAt::After(duration * u32::try_from(i).unwrap() / u32::try_from(n).unwrap()))
        .collect();
    for _ in 0..events_per_kind() {
        kills.extend(
            probes
                .events
                .iter()
                .map(|(what, when)| KillAt::When(what, *when)),
        );
    }
    let total = kills.len();
    let mut tally = Tally {
        points: total,
        ..Tally::default()
    };
    for (point, kill_at) in kills.into_iter().enumerate() {
        let env = clone_env(scenario.template);
        (scenario.setup)(&env, point);
        let survivors = (scenario.keep)(&env);
        let context = match &kill_at {
            KillAt::After(delay) => format!(
                "{} killed after {delay:?} (point {point}/{total})",
                scenario.name
            ),
            KillAt::When(what, _) => format!(
                "{} killed when {what} (point {point}/{total})",
                scenario.name
            ),
        };
        let mut running = spawn(&env, &(scenario.args)(point), scenario.feed.as_ref());
        let killed = match kill_at {
            KillAt::After(delay) => running.signal_after(delay, "KILL"),
            KillAt::When(_, when) => {
                let deadline = Instant::now() + Duration::from_secs(120);
                loop {
                    if when(&env) {
                        break running.signal_after(Duration::ZERO, "KILL");
                    }
                    if running.child.try_wait().unwrap().is_some() || Instant::now() > deadline {
                        break false;
                    }
                    std::thread::sleep(Duration::from_micros(200));
                }
            }
        };
        if killed {
            tally.killed += 1;
        } else {
            tally.finished_first += 1;
        }
        let (status, stderr) = running.wait(Duration::from_secs(120));
        assert!(
            !stderr.contains("panicked"),
            "{context}: berth panicked: {stderr}"
        );
        let _ = status;
        (probes.after_kill)(&env, &context);
        if ingest_files(&env)
            .iter()
            .any(|n| !n.starts_with("partial-"))
        {
            tally.left_temp += 1;
        }
        if scenario.prune_after_kill {
            assert_intact(&env, &survivors, &context);
        } else {
            assert_consistent(&env, &survivors, &context);
        }
        (scenario.rerun)(&env, point, &mut tally);
        assert_intact(&env, &survivors, &format!("{context}, after the rerun"));
    }
    eprintln!(
        "crash: {}: {} points, {} killed mid-run ({} of them left a temporary file), {} finished \
         before the signal, {} resumed",
        scenario.name,
        tally.points,
        tally.killed,
        tally.left_temp,
        tally.finished_first,
        tally.resumed
    );
    tally
}

fn no_setup(_: &Env, _: usize) {}

/// Every image in the store when the operation starts.
fn all_images(env: &Env) -> Vec<String> {
    image_ids(env)
}

pub(crate) fn fixture_env() -> Env {
    let env = Env::new();
    env.load_fixture();
    env
}

const FIXTURE_BASE: &str =
    "sha256:2eefd5de9cacfc447de0273443c4ea6277c19370b634fd517dfe50e78a4440e2";
const FIXTURE_ONE: &str = "sha256:415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27";

// ---------------------------------------------------------------------------------------------
// SIGKILL at spread-out points

#[test]
fn import_killed_anywhere() {
    let template = fixture_env();
    let input = noise_tar(&template, "big.tar", 1 << 20, 1);
    let rerun = |env: &Env, _: usize, _: &mut Tally| {
        ok_bounded(env, &["import", input.to_str().unwrap(), "crash/import:1"]);
        ok_bounded(env, &["inspect", "crash/import:1"]);
    };
    let tally = kill_points(&Scenario {
        name: "import",
        template: &template,
        args: &|_| strings(&["import", "-", "crash/import:1"]),
        feed: Some(Feed {
            path: input.clone(),
            chunk: 32 * 1024,
            pause: Duration::from_millis(4),
        }),
        setup: &no_setup,
        keep: &all_images,
        prune_after_kill: true,
        rerun: &rerun,
    });
    assert!(tally.killed > 0, "{tally:?}");
}

#[test]
fn load_killed_anywhere() {
    // The store already holds another image; the fixture archive comes in slowly on stdin.
    let template = Env::new();
    let small = noise_tar(&template, "small.tar", 4096, 2);
    template.ok(&["import", small.to_str().unwrap(), "crash/present:1"]);
    let rerun = |env: &Env, _: usize, _: &mut Tally| {
        ok_bounded(
            env,
            &[
                "load",
                "-i",
                fixture("docker-20.10-save.tar").to_str().unwrap(),
            ],
        );
        for id in [FIXTURE_BASE, FIXTURE_ONE] {
            ok_bounded(env, &["inspect", id]);
        }
    };
    let tally = kill_points(&Scenario {
        name: "load",
        template: &template,
        args: &|_| strings(&["load", "-q"]),
        feed: Some(Feed {
            path: fixture("docker-20.10-save.tar"),
            chunk: 32 * 1024,
            pause: Duration::from_millis(3),
        }),
        setup: &no_setup,
        keep: &all_images,
        prune_after_kill: true,
        rerun: &rerun,
    });
    assert!(tally.killed > 0, "{tally:?}");
}

/// A registry holding the fixture's `busybox:1` as `crash/pull:1`, and a throttling proxy before it.
fn registry_with_image() -> Option<(Registry, Proxy)> {
    let registry = Registry::start()?;
    let env = fixture_env();
    let name = format!("{}/crash/pull:1", registry.host());
    env.ok(&["tag", "fixture/busybox:1", &name]);
    env.ok(&["push", "-q", &name]);
    let proxy = Proxy::start(registry.port, 0);
    Some((registry, proxy))
}

/// Bytes per second through the proxy while an operation is being interrupted.
const THROTTLE: u64 = 4 * 1024 * 1024;

#[test]
fn pull_killed_anywhere_resumes() {
    let Some((_registry, proxy)) = registry_with_image() else {
        return;
    };
    let template = Env::new();
    let small = noise_tar(&template, "small.tar", 4096, 3);
    template.ok(&["import", small.to_str().unwrap(), "crash/present:1"]);
    let name = format!("{}/crash/pull:1", proxy.host());
    let layer_bytes = 2_129_920_u64; // the busybox layer, uncompressed in the fixture
    let rerun = |env: &Env, _: usize, tally: &mut Tally| {
        let partial = partial_bytes(env);
        proxy.set_rate(0);
        let before = proxy.downstream();
        ok_bounded(env, &["pull", "-q", &name]);
        let transferred = proxy.downstream() - before;
        proxy.set_rate(THROTTLE);
        ok_bounded(env, &["inspect", &name]);
        assert_eq!(
            env.ok(&["inspect", "-f", "{{.Id}}", &name]).trim(),
            FIXTURE_ONE
        );
        if partial > 0 {
            // Resumed, not restarted: only what was missing crossed the wire again.
            assert!(
                transferred + partial <= layer_bytes + 64 * 1024,
                "pull restarted instead of resuming: {transferred} bytes after a partial of {partial}"
            );
            tally.resumed += 1;
        }
        assert_eq!(partial_bytes(env), 0, "the partial file was not committed");
    };
    proxy.set_rate(THROTTLE);
    let tally = kill_points(&Scenario {
        name: "pull",
        template: &template,
        args: &|_| strings(&["pull", "-q", &name]),
        feed: None,
        setup: &no_setup,
        keep: &all_images,
        prune_after_kill: true,
        rerun: &rerun,
    });
    assert!(tally.killed > 0, "{tally:?}");
    assert!(tally.resumed > 0, "no kill landed mid-download: {tally:?}");
}

#[test]
fn push_killed_anywhere() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let proxy = Proxy::start(registry.port, THROTTLE);
    let template = fixture_env();
    let proxy_host = proxy.host();
    let name_of = |point: usize| format!("{proxy_host}/crash/push{point}:1");
    let setup = |env: &Env, point: usize| {
        env.ok(&["tag", "fixture/busybox:1", &name_of(point)]);
    };
    let rerun = |env: &Env, point: usize, _: &mut Tally| {
        proxy.set_rate(0);
        ok_bounded(env, &["push", "-q", &name_of(point)]);
        proxy.set_rate(THROTTLE);
        // What the registry now holds is complete: a fresh store pulls it and checks out.
        let fresh = Env::new();
        let direct = format!("{}/crash/push{point}:1", registry.host());
        ok_bounded(&fresh, &["pull", "-q", &direct]);
        assert_eq!(
            fresh.ok(&["inspect", "-f", "{{.Id}}", &direct]).trim(),
            FIXTURE_ONE
        );
        ok_bounded(&fresh, &["system", "check"]);
    };
    let tally = kill_points(&Scenario {
        name: "push",
        template: &template,
        args: &|point| strings(&["push", "-q", &name_of(point)]),
        feed: None,
        setup: &setup,
        keep: &all_images,
        prune_after_kill: true,
        rerun: &rerun,
    });
    assert!(tally.killed > 0, "{tally:?}");
}

#[test]
fn rmi_killed_anywhere() {
    // Several images with layers of their own, and `fixture/busybox:base`, whose base layer
    // `fixture/busybox:1` shares: garbage collection must keep that one.
    let template = fixture_env();
    let mut targets = vec!["fixture/busybox:base".to_owned()];
    for j in 0..6 {
        let tar = noise_tar(&template, &format!("rmi{j}.tar"), 256 * 1024, 10 + j);
        let name = format!("crash/rmi{j}:1");
        template.ok(&["import", tar.to_str().unwrap(), &name]);
        targets.push(name);
    }
    let mut args = vec!["rmi".to_owned()];
    args.extend(targets.iter().cloned());
    let rerun = |env: &Env, _: usize, _: &mut Tally| {
        let left: Vec<&str> = targets
            .iter()
            .filter(|name| run_bounded(env, &["inspect", name]).0.success())
            .map(String::as_str)
            .collect();
        if !left.is_empty() {
            let mut args = vec!["rmi"];
            args.extend(&left);
            ok_bounded(env, &args);
        }
        for name in &targets {
            assert!(
                !run_bounded(env, &["inspect", name]).0.success(),
                "{name} survived rmi"
            );
        }
    };
    let tally = kill_points(&Scenario {
        name: "rmi",
        template: &template,
        args: &|_| args.clone(),
        feed: None,
        setup: &no_setup,
        keep: &|_| vec![FIXTURE_ONE.to_owned()],
        prune_after_kill: true,
        rerun: &rerun,
    });
    assert!(tally.killed > 0, "{tally:?}");
}

#[test]
fn tag_killed_anywhere() {
    // Moving `fixture/busybox:1` to the base image: the image it leaves keeps its other name.
    let template = fixture_env();
    let rerun = |env: &Env, _: usize, _: &mut Tally| {
        ok_bounded(env, &["tag", "fixture/busybox:base", "fixture/busybox:1"]);
        assert_eq!(
            env.ok(&["inspect", "-f", "{{.Id}}", "fixture/busybox:1"])
                .trim(),
            FIXTURE_BASE
        );
        assert_eq!(
            env.ok(&["inspect", "-f", "{{.Id}}", "fixture/busybox:latest"])
                .trim(),
            FIXTURE_ONE
        );
    };
    let tally = kill_points(&Scenario {
        name: "tag",
        template: &template,
        args: &|_| strings(&["tag", "fixture/busybox:base", "fixture/busybox:1"]),
        feed: None,
        setup: &no_setup,
        keep: &|_| vec![FIXTURE_BASE.to_owned(), FIXTURE_ONE.to_owned()],
        prune_after_kill: true,
        rerun: &rerun,
    });
    assert!(tally.points > 0, "{tally:?}");
}

// ---------------------------------------------------------------------------------------------
// SIGINT and SIGTERM (checklist 39)

/// Interrupts a slowed operation halfway with `signal`: berth exits non-zero on its own (no panic,
/// not killed by the signal), removes its temporary files (a pull keeps its partial download), and
/// releases its locks: the next commands finish, garbage collection included. "Halfway" is measured
/// in bytes, never in time (a second run can be faster than a first): half the input written to its
/// stdin (`feed`), or half the bytes `transferred` counts (the proxy's) in a measuring run.
/// `args` gets `true` for the run that measures.
fn interrupt(
    template: &Env,
    args: &dyn Fn(bool) -> Vec<String>,
    feed: Option<&Feed>,
    transferred: Option<&dyn Fn() -> u64>,
    signal: &str,
    rerun: &dyn Fn(&Env),
) {
    let half_bytes = match (feed, transferred) {
        (Some(feed), _) => std::fs::metadata(&feed.path).unwrap().len() / 2,
        (None, Some(transferred)) => {
            let measure = clone_env(template);
            let before = transferred();
            let (status, stderr) =
                spawn(&measure, &args(true), None).wait(Duration::from_secs(120));
            assert!(status.success(), "{:?}: {stderr}", args(true));
            (transferred() - before) / 2
        }
        (None, None) => panic!("interrupt needs a feed or a byte counter"),
    };

    let args = &args(false);
    let env = clone_env(template);
    let survivors = image_ids(&env);
    let mut running = spawn(&env, args, feed);
    let signalled = match transferred.filter(|_| feed.is_none()) {
        Some(transferred) => {
            let start = transferred();
            running.signal_when(&|| transferred() - start >= half_bytes, signal)
        }
        None => running.signal_when_fed(half_bytes, signal),
    };
    assert!(signalled, "{args:?} finished before SIG{signal}");
    let (status, stderr) = running.wait(FOLLOW_UP_TIMEOUT);
    let expected = if signal == "INT" { 130 } else { 143 };
    assert_eq!(
        status.code(),
        Some(expected),
        "{args:?} after SIG{signal}: {status:?}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Without any garbage collection: nothing but resumable downloads in the ingest area.
    let ingest = ingest_files(&env);
    assert!(
        ingest.iter().all(|n| n.starts_with("partial-")),
        "{args:?} after SIG{signal} left {ingest:?}"
    );
    ok_bounded(&env, &["images"]);
    assert_intact(&env, &survivors, &format!("{args:?} after SIG{signal}"));
    rerun(&env);
}

#[test]
fn sigint_and_sigterm_exit_cleanly() {
    let template = fixture_env();
    let input = noise_tar(&template, "big.tar", 1 << 20, 4);
    let slow_import = Feed {
        path: input.clone(),
        chunk: 32 * 1024,
        pause: Duration::from_millis(4),
    };
    let slow_load = Feed {
        path: fixture("docker-20.10-save.tar"),
        chunk: 32 * 1024,
        pause: Duration::from_millis(3),
    };
    let empty = Env::new();
    for signal in ["INT", "TERM"] {
        interrupt(
            &template,
            &|_| strings(&["import", "-", "crash/import:1"]),
            Some(&slow_import),
            None,
            signal,
            &|env| ok_bounded(env, &["import", input.to_str().unwrap(), "crash/import:1"]),
        );
        empty.ok(&["images"]);
        interrupt(
            &empty,
            &|_| strings(&["load"]),
            Some(&slow_load),
            None,
            signal,
            &|env| {
                ok_bounded(
                    env,
                    &[
                        "load",
                        "-i",
                        fixture("docker-20.10-save.tar").to_str().unwrap(),
                    ],
                );
            },
        );
    }

    let Some((_registry, proxy)) = registry_with_image() else {
        return;
    };
    proxy.set_rate(THROTTLE);
    let pull_name = format!("{}/crash/pull:1", proxy.host());
    // Every push goes to a repository of its own: the measuring run must not upload for the real one.
    let push_name = |signal: &str, measuring: bool| {
        format!(
            "{}/crash/signal-{}-{measuring}:1",
            proxy.host(),
            signal.to_lowercase()
        )
    };
    let pusher = fixture_env();
    for signal in ["INT", "TERM"] {
        for measuring in [true, false] {
            pusher.ok(&["tag", "fixture/busybox:1", &push_name(signal, measuring)]);
        }
    }
    for signal in ["INT", "TERM"] {
        interrupt(
            &empty,
            &|_| strings(&["pull", "-q", &pull_name]),
            None,
            Some(&|| proxy.downstream()),
            signal,
            &|env| {
                proxy.set_rate(0);
                ok_bounded(env, &["pull", "-q", &pull_name]);
                proxy.set_rate(THROTTLE);
            },
        );
        interrupt(
            &pusher,
            &|measuring| strings(&["push", "-q", &push_name(signal, measuring)]),
            None,
            Some(&|| proxy.upstream()),
            signal,
            &|env| {
                proxy.set_rate(0);
                ok_bounded(env, &["push", "-q", &push_name(signal, false)]);
                proxy.set_rate(THROTTLE);
            },
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Concurrency (checklist 15, 16)

/// A process of a concurrent round and what it may do.
struct Racer {
    args: Vec<String>,
    running: Running,
    /// `rmi` of an image that `prune -a` may have removed first may fail with "No such image".
    may_miss: bool,
}

#[test]
fn concurrent_writers_readers_and_gc() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let rounds = if soak() { 25 } else { 3 };
    let seed = fixture_env();
    for round in 0..=rounds {
        seed.ok(&[
            "tag",
            "fixture/busybox:1",
            &format!("{}/crash/conc:{round}", registry.host()),
        ]);
        seed.ok(&[
            "push",
            "-q",
            &format!("{}/crash/conc:{round}", registry.host()),
        ]);
    }
    let env = fixture_env();
    let a = noise_tar(&env, "a.tar", 512 * 1024, 20);
    let b = noise_tar(&env, "b.tar", 512 * 1024, 21);
    let conc = |round: usize| format!("{}/crash/conc:{round}", registry.host());
    env.ok(&["pull", "-q", &conc(0)]);
    for round in 1..=rounds {
        // A victim that shares its layer with what is being imported right now.
        env.ok(&["import", a.to_str().unwrap(), &format!("victim/a:{round}")]);
        let plans: Vec<(Vec<String>, bool)> = vec![
            (
                strings(&["import", a.to_str().unwrap(), &format!("new/a:{round}")]),
                false,
            ),
            (
                strings(&["import", a.to_str().unwrap(), &format!("new/a:{round}")]),
                false,
            ),
            (
                strings(&["import", b.to_str().unwrap(), &format!("new/b:{round}")]),
                false,
            ),
            (
                strings(&[
                    "load",
                    "-q",
                    "-i",
                    fixture("docker-20.10-save.tar").to_str().unwrap(),
                ]),
                false,
            ),
            (strings(&["pull", "-q", &conc(round)]), false),
            (strings(&["pull", "-q", &conc(round)]), false),
            (strings(&["rmi", &format!("victim/a:{round}")]), true),
            // The previous round's pull: the same blobs the pulls above are fetching.
            (strings(&["rmi", &conc(round - 1)]), true),
            (strings(&["images"]), false),
            (strings(&["images", "-a", "--digests"]), false),
            (strings(&["system", "prune", "-f"]), false),
            (strings(&["system", "prune", "-a", "-f"]), false),
        ];
        let racers: Vec<Racer> = plans
            .into_iter()
            .enumerate()
            .map(|(i, (args, may_miss))| {
                let mut cmd = env.berth();
                let stderr = env.path(&format!("racer{i}.stderr"));
                cmd.args(&args)
                    .stdout(Stdio::null())
                    .stderr(File::create(&stderr).unwrap());
                Racer {
                    running: Running {
                        child: cmd.spawn().unwrap(),
                        feeder: None,
                        stderr,
                        fed: Arc::default(),
                    },
                    args,
                    may_miss,
                }
            })
            .collect();
        for racer in racers {
            let (status, stderr) = racer.running.wait(Duration::from_secs(120));
            assert!(!stderr.contains("panicked"), "{:?}: {stderr}", racer.args);
            if !status.success() {
                assert!(
                    racer.may_miss
                        && status.code() == Some(1)
                        && stderr.starts_with("Error: No such image"),
                    "round {round}: {:?} failed: {stderr}",
                    racer.args
                );
            }
        }
        // `prune -a` may have removed anything unused; what is still named must be complete.
        let (status, stderr) = run_bounded(&env, &["system", "check"]);
        assert!(status.success(), "round {round}: {stderr}");
        for name in [
            format!("new/a:{round}"),
            format!("new/b:{round}"),
            "fixture/busybox:1".to_owned(),
            conc(round),
        ] {
            let (status, _) = run_bounded(&env, &["inspect", &name]);
            if status.success() {
                let (status, stderr) = save_to_scratch(&env, &name);
                assert!(status.success(), "round {round}: save {name}: {stderr}");
            }
        }
        assert!(
            !run_bounded(&env, &["inspect", &format!("victim/a:{round}")])
                .0
                .success()
        );
        // Put back what `prune -a` may have taken, and check nothing but partial files is left over.
        ok_bounded(
            &env,
            &[
                "load",
                "-q",
                "-i",
                fixture("docker-20.10-save.tar").to_str().unwrap(),
            ],
        );
        ok_bounded(&env, &["pull", "-q", &conc(round)]);
        ok_bounded(&env, &["system", "prune", "-f"]);
        let left = leftovers(&env);
        assert!(left.is_empty(), "round {round}: {left:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// A full disk (checklist 19)

/// A tmpfs mounted over a directory, unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        let root = Command::new("id").arg("-u").output().unwrap();
        if String::from_utf8_lossy(&root.stdout).trim() != "0" {
            assert!(
                std::env::var_os("CI").is_none(),
                "the disk-full test needs root in CI"
            );
            eprintln!("skipping: mounting a tmpfs needs root");
            return None;
        }
        std::fs::create_dir_all(dir).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .unwrap();
        assert!(status.success(), "mount tmpfs failed");
        Some(Tmpfs(dir.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn disk_full_leaves_the_store_unchanged() {
    let env = Env::new();
    let Some(_tmpfs) = Tmpfs::mount(&env.root(), "2m") else {
        return;
    };
    let small = noise_tar(&env, "small.tar", 64 * 1024, 30);
    env.ok(&["import", small.to_str().unwrap(), "crash/small:1"]);
    let big = noise_tar(&env, "big.tar", 4 << 20, 31);
    let before = env.store_state();
    let index_before = std::fs::read(env.root().join("index.json")).unwrap();

    let attempts: [Vec<String>; 3] = [
        strings(&["import", big.to_str().unwrap(), "crash/big:1"]),
        strings(&[
            "load",
            "-i",
            fixture("docker-20.10-save.tar").to_str().unwrap(),
        ]),
        strings(&["import", "-", "crash/big:2"]),
    ];
    for args in &attempts {
        let feed = (args.last().map(String::as_str) == Some("crash/big:2")).then(|| Feed {
            path: big.clone(),
            chunk: 256 * 1024,
            pause: Duration::ZERO,
        });
        let (status, stderr) = spawn(&env, args, feed.as_ref()).wait(FOLLOW_UP_TIMEOUT);
        assert_eq!(status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("Error: ") && stderr.contains("No space left on device"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(ingest_files(&env), Vec::<String>::new(), "{args:?}");
        assert_eq!(env.store_state(), before, "{args:?}");
        assert_eq!(
            std::fs::read(env.root().join("index.json")).unwrap(),
            index_before
        );
        ok_bounded(&env, &["system", "check"]);
        ok_bounded(&env, &["inspect", "crash/small:1"]);
    }
}

/// A first `run` whose layer unpack fills the disk: `run`'s failure (exit 125) names the write that
/// failed, not the layer; no container, snapshot or temporary directory is left; the image is intact.
#[test]
fn disk_full_during_the_first_unpack() {
    let env = Env::new();
    if !crate::common::require("runc") {
        return;
    }
    let Some(_tmpfs) = Tmpfs::mount(&env.root(), "5m") else {
        return;
    };
    let layer = noise_tar(&env, "unpack.tar", 3 << 20, 32);
    env.ok(&["import", layer.to_str().unwrap(), "crash/unpack:1"]);
    let out = env
        .berth()
        .args(["run", "--rm", "crash/unpack:1", "/data/blob"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(125), "{stderr}");
    assert!(
        stderr.starts_with("berth: failed to write ")
            && stderr.contains("No space left on device")
            && !stderr.contains("layer tar is unreadable"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(env.ok(&["ps", "-a", "-q"]), "");
    let leftovers: Vec<String> = walk_names(&env.root().join("berth"))
        .into_iter()
        .filter(|name| name.contains(".tmp-") || name.starts_with("snapshots/"))
        .collect();
    assert_eq!(leftovers, Vec::<String>::new());
    ok_bounded(&env, &["system", "check"]);
    ok_bounded(&env, &["inspect", "crash/unpack:1"]);
}

/// A build whose RUN layer cannot be written (the disk has room for the RUN's files, not for
/// its layer beside them): the layer is written while the build goes on, and the build fails with
/// that write's error at the RUN's line, names nothing, and leaves no step directory, mount or
/// ingest file; the store checks clean.
#[test]
fn disk_full_while_a_build_writes_a_layer() {
    let env = Env::new();
    if !crate::common::require("runc") {
        return;
    }
    let Some(_tmpfs) = Tmpfs::mount(&env.root(), "64m") else {
        return;
    };
    if !busybox_image(&env) {
        return;
    }
    // The base's snapshot first; then 4.5 MiB stay free: the RUN's 3 MiB of noise fit in its
    // upper directory, its layer (3 MiB more, noise does not compress) does not.
    env.ok(&["run", "--rm", BUSYBOX, "true"]);
    let df = Command::new("df")
        .args(["-B1", "--output=used"])
        .arg(env.root())
        .output()
        .unwrap();
    let used: u64 = String::from_utf8_lossy(&df.stdout)
        .lines()
        .nth(1)
        .and_then(|line| line.trim().parse().ok())
        .expect("df's used bytes");
    let size = used + (9 << 19);
    let status = Command::new("mount")
        .args(["-o", &format!("remount,size={size}")])
        .arg(env.root())
        .status()
        .unwrap();
    assert!(status.success(), "remount the tmpfs");
    let before = env.store_state();
    let mut build = env
        .berth()
        .args([
            "build",
            "--progress",
            "plain",
            "--network",
            "none",
            "-t",
            "crash/built:1",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    build
        .stdin
        .take()
        .unwrap()
        .write_all(
            format!(
                "FROM {BUSYBOX}\nRUN dd if=/dev/urandom of=/noise bs=1M count=3 2>/dev/null\nENV A=b\n"
            )
            .as_bytes(),
        )
        .unwrap();
    let out = build.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(
        stderr.contains("Dockerfile:2\n") && stderr.contains(">>> RUN dd"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(env
        .fails(&["image", "inspect", "crash/built:1"])
        .contains("No such image"));
    assert_eq!(env.store_state().0, before.0, "index.json untouched");
    assert_eq!(ingest_files(&env), Vec::<String>::new());
    let steps: Vec<String> = walk_names(&env.root().join("berth/containers/steps"));
    assert_eq!(steps, Vec::<String>::new());
    // The store itself is the tmpfs: no mount below it.
    assert_eq!(
        mounts_under(&env.root().join("berth")),
        Vec::<String>::new()
    );
    ok_bounded(&env, &["system", "check"]);
}

/// Every path below `dir`, relative to it.
fn walk_names(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            out.push(path.strip_prefix(dir).unwrap().display().to_string());
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Containers: `commit` killed anywhere; SIGINT and SIGTERM to container commands (issue 8)

const BUSYBOX: &str = "crash/busybox:1";

/// What the container of the commit tests changes: 8 MiB of noise, a small file, and a deleted file
/// (a whiteout in the layer).
const CHANGES: &str =
    "mkdir -p /data && dd if=/dev/urandom of=/data/big bs=1M count=8 2>/dev/null \
                       && echo seeded > /data/seed && rm /bin/true";

/// Imports busybox-static with the applets these tests use as `crash/busybox:1`. False (the test is
/// skipped; it fails in CI) without busybox or the runtimes.
fn busybox_image(env: &Env) -> bool {
    let applets = [
        "sh",
        "sleep",
        "dd",
        "mkdir",
        "echo",
        "cat",
        "rm",
        "test",
        "true",
        "sha256sum",
    ];
    crate::common::import_busybox(env, BUSYBOX, &applets, &[])
}

/// Mount points at or below `root` (from `/proc/self/mountinfo`).
fn mounts_under(root: &Path) -> Vec<String> {
    let root = root.display().to_string();
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(|point| point.replace("\\040", " "))
        .filter(|point| point == &root || point.starts_with(&format!("{root}/")))
        .collect()
}

/// Files anywhere in the store that look like temporary files (ingest, atomic writes, records).
fn temp_files(env: &Env) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let file_type = entry.file_type().unwrap();
            if file_type.is_dir() {
                walk(&entry.path(), out);
            } else if name.starts_with("tmp") || name.contains(".tmp") {
                out.push(entry.path().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(&env.root(), &mut out);
    for name in ingest_files(env) {
        if !name.starts_with("partial-") {
            out.push(format!("berth/ingest/{name}"));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A store with `crash/busybox:1` and an exited container `changer` that made [`CHANGES`], its root
/// filesystem unmounted (berth unmounts it at the exit; copies of the store are made from the plain
/// directories, and `commit` reads the container's upper directory, not the mount).
fn container_env() -> Option<Env> {
    let env = Env::new();
    if !busybox_image(&env) {
        return None;
    }
    env.ok(&["run", "--name", "changer", BUSYBOX, "sh", "-c", CHANGES]);
    for point in mounts_under(&env.root()) {
        let status = Command::new("umount").arg(&point).status().unwrap();
        assert!(status.success(), "umount {point}");
    }
    Some(env)
}

/// The sha256 of `/data/big` as `container` wrote it (in its upper directory).
fn written_digest(env: &Env, container: &str) -> String {
    let ids = env.ok(&["ps", "-a", "--no-trunc", "--format", "{{.Names}} {{.ID}}"]);
    let id = ids
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{container} ")))
        .unwrap_or_else(|| panic!("no container {container}: {ids}"));
    let out = Command::new("sha256sum")
        .arg(
            env.root()
                .join("berth/containers")
                .join(id)
                .join("upper/data/big"),
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

/// The committed image is complete: it saves, and a container made from it sees exactly the changes.
fn assert_committed(env: &Env, name: &str, big_digest: &str, context: &str) {
    let (status, stderr) = save_to_scratch(env, name);
    assert!(status.success(), "{context}: save {name}: {stderr}");
    let out = env.ok(&[
        "run",
        "--rm",
        name,
        "sh",
        "-c",
        "cat /data/seed; sha256sum /data/big; test -e /bin/true && echo /bin/true is back; true",
    ]);
    assert_eq!(
        out,
        format!("seeded\n{big_digest}  /data/big\n"),
        "{context}: what {name} holds"
    );
}

#[test]
fn commit_killed_anywhere() {
    let Some(template) = container_env() else {
        return;
    };
    let big_digest = written_digest(&template, "changer");
    let blobs_before = template.store_state().1.len();
    // Where the kills landed: before the layer's ingest, while it was written (a temporary file is
    // left), after its blob was committed (new unnamed blobs), after the image was named.
    let phases = std::cell::RefCell::new([0_usize; 4]);
    let rerun = |env: &Env, point: usize, _: &mut Tally| {
        let context = format!("commit, point {point}");
        let phase = if run_bounded(env, &["inspect", "crash/commit:1"]).0.success() {
            3
        } else if ingest_files(env).iter().any(|n| !n.starts_with("partial-")) {
            1
        } else if env.store_state().1.len() > blobs_before {
            2
        } else {
            0
        };
        phases.borrow_mut()[phase] += 1;
        ok_bounded(env, &["commit", "changer", "crash/commit:1"]);
        assert_committed(env, "crash/commit:1", &big_digest, &context);
        // The container survived: it still lists its changes, and it can be removed.
        let diff = env.ok(&["diff", "changer"]);
        assert!(
            diff.contains("A /data/seed") && diff.contains("D /bin/true"),
            "{context}: {diff}"
        );
        ok_bounded(env, &["rm", "changer"]);
        assert_eq!(mounts_under(&env.root()), Vec::<String>::new(), "{context}");
    };
    let tally = kill_points(&Scenario {
        name: "commit",
        template: &template,
        args: &|_| strings(&["commit", "changer", "crash/commit:1"]),
        feed: None,
        setup: &no_setup,
        keep: &all_images,
        prune_after_kill: false,
        rerun: &rerun,
    });
    let [before, writing, committed, named] = *phases.borrow();
    eprintln!(
        "crash: commit: kills before the layer was started {before}, while it was written \
         {writing}, after its blob was committed {committed}, after the image was named {named}"
    );
    assert!(tally.killed > 0, "{tally:?}");
    assert!(
        writing > 0,
        "no kill landed while the layer was being written: {tally:?}"
    );
}

/// The full ID of the container named `name`.
fn container_id(env: &Env, name: &str) -> String {
    let ids = env.ok(&["ps", "-a", "--no-trunc", "--format", "{{.Names}} {{.ID}}"]);
    ids.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no container {name}: {ids}"))
        .to_owned()
}

/// The runtime berth runs a store's containers with, with that store's state root.
fn runtime_command(env: &Env, runtime: &str) -> Command {
    let mut command = Command::new(runtime);
    command
        .arg("--root")
        .arg(env.root().join("berth/containers/runtime").join(runtime));
    command
}

/// Where the cgroup freezer keeps a running container's state, found from its init process's cgroup:
/// cgroup v1's `freezer.state` (`THAWED`, `FREEZING`, `FROZEN`) or cgroup v2's `cgroup.freeze`.
struct Freezer {
    path: PathBuf,
}

impl Freezer {
    fn of(env: &Env, runtime: &str, id: &str) -> Freezer {
        let out = runtime_command(env, runtime)
            .args(["state", id])
            .output()
            .unwrap();
        assert!(out.status.success(), "{runtime} state {id}: {out:?}");
        let state: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let pid = state["pid"].as_i64().unwrap();
        let cgroups = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
        let v1 = cgroups.lines().find_map(|line| {
            let (_, rest) = line.split_once(':')?;
            let (controllers, path) = rest.split_once(':')?;
            controllers
                .split(',')
                .any(|c| c == "freezer")
                .then(|| format!("/sys/fs/cgroup/freezer{path}/freezer.state"))
        });
        let v2 = || {
            let path = cgroups.lines().find_map(|line| line.strip_prefix("0::"))?;
            Some(format!("/sys/fs/cgroup{path}/cgroup.freeze"))
        };
        let path = PathBuf::from(v1.or_else(v2).expect("the container's freezer cgroup"));
        assert!(path.exists(), "{}", path.display());
        Freezer { path }
    }

    /// `THAWED`, `FREEZING` or `FROZEN`.
    fn state(&self) -> String {
        let text = std::fs::read_to_string(&self.path).unwrap_or_default();
        match text.trim() {
            "0" => "THAWED".to_owned(),
            "1" => "FROZEN".to_owned(),
            other => other.to_owned(),
        }
    }
}

/// The record `commit` keeps while it has a container paused (berth-container's `pause.rs`).
fn pause_marker(env: &Env, id: &str) -> PathBuf {
    env.root()
        .join("berth/containers")
        .join(id)
        .join("commit-pause.json")
}

/// The container is running and not paused, as `ps` and the freezer see it, and no pause is recorded.
fn assert_up_and_thawed(env: &Env, name: &str, id: &str, freezer: &Freezer, context: &str) {
    let status = container_status(env, name).unwrap_or_default();
    assert!(
        status.starts_with("Up ") && !status.contains("Paused"),
        "{context}: the container is {status:?}"
    );
    assert_eq!(freezer.state(), "THAWED", "{context}");
    assert!(
        !pause_marker(env, id).exists(),
        "{context}: the pause record stayed"
    );
}

/// A running container `live` on `runtime` that has made [`CHANGES`], with its freezer.
struct Live {
    id: String,
    freezer: Freezer,
}

fn start_live(env: &Env, runtime: &str) -> Live {
    env.ok(&[
        "run",
        "-d",
        "--runtime",
        runtime,
        "--name",
        "live",
        BUSYBOX,
        "sh",
        "-c",
        &format!("{CHANGES} && echo ready && exec sleep 300"),
    ]);
    assert!(
        wait_for(FOLLOW_UP_TIMEOUT, || env
            .ok(&["logs", "live"])
            .contains("ready")),
        "the live container did not write its changes"
    );
    let id = container_id(env, "live");
    let freezer = Freezer::of(env, runtime, &id);
    Live { id, freezer }
}

/// `commit` of a *running* container (which `-p`, the default, pauses) killed anywhere, including
/// while the runtime pauses it, while it is paused and right after it was resumed. The commit records
/// that it paused the container; the next berth command (`ps` here) must find the commit gone and
/// resume the container. Then the store checks out and the commit, run again, succeeds without a
/// warning and leaves the container running. The points alternate between runc and crun.
#[test]
fn commit_of_a_running_container_killed_anywhere() {
    let template = Env::new();
    if !busybox_image(&template) {
        return;
    }
    let live: std::cell::RefCell<Option<Live>> = std::cell::RefCell::new(None);
    let seen_frozen = std::cell::Cell::new(false);
    let setup = |env: &Env, point: usize| {
        let runtime = if point % 2 == 1 { "crun" } else { "runc" };
        *live.borrow_mut() = Some(start_live(env, runtime));
        seen_frozen.set(false);
    };
    let marker_written = |env: &Env| {
        let live = live.borrow();
        pause_marker(env, &live.as_ref().unwrap().id).exists()
    };
    let frozen = |_: &Env| live.borrow().as_ref().unwrap().freezer.state() == "FROZEN";
    let thawed_again = |env: &Env| {
        if frozen(env) {
            seen_frozen.set(true);
            return false;
        }
        seen_frozen.get() && marker_written(env)
    };
    // Where the kills landed, from what they left: no pause record (before the pause, or after it
    // was over), a record but a thawed container (while the runtime paused or resumed it), a record
    // and a frozen container (while it was paused).
    let landed = std::cell::RefCell::new([0_usize; 3]);
    let after_kill = |env: &Env, context: &str| {
        let live = live.borrow();
        let Live { id, freezer } = live.as_ref().unwrap();
        let recorded = pause_marker(env, id).exists();
        let state = freezer.state();
        assert!(
            state == "THAWED" || recorded,
            "{context}: the container is {state} and nothing records who paused it"
        );
        landed.borrow_mut()[match (recorded, state.as_str()) {
            (false, _) => 0,
            (true, "THAWED") => 1,
            (true, _) => 2,
        }] += 1;
        // The first berth command after the kill resumes it.
        assert_up_and_thawed(env, "live", id, freezer, &format!("{context}, after `ps`"));
    };
    let rerun = |env: &Env, point: usize, _: &mut Tally| {
        let context = format!("commit of a running container, point {point}");
        let (status, stderr) = run_bounded(env, &["commit", "live", "crash/live:1"]);
        assert!(status.success(), "{context}: {stderr}");
        assert!(!stderr.contains("WARNING"), "{context}: {stderr}");
        let live = live.borrow();
        let Live { id, freezer } = live.as_ref().unwrap();
        assert_up_and_thawed(env, "live", id, freezer, &context);
        let big_digest = written_digest(env, "live");
        assert_committed(env, "crash/live:1", &big_digest, &context);
        ok_bounded(env, &["rm", "-f", "live"]);
        assert_eq!(mounts_under(&env.root()), Vec::<String>::new(), "{context}");
    };
    let tally = kill_points_probed(
        &Scenario {
            name: "commit (running container)",
            template: &template,
            args: &|_| strings(&["commit", "live", "crash/live:1"]),
            feed: None,
            setup: &setup,
            keep: &all_images,
            prune_after_kill: false,
            rerun: &rerun,
        },
        &Probes {
            events: &[
                ("the pause record was written", &marker_written),
                ("the container was frozen", &frozen),
                ("the container was thawed again", &thawed_again),
            ],
            after_kill: &after_kill,
        },
    );
    let [outside, pausing_or_resuming, paused] = *landed.borrow();
    eprintln!(
        "crash: commit (running container): kills outside the pause {outside}, while the runtime \
         paused or resumed it {pausing_or_resuming}, while it was paused {paused}"
    );
    assert!(tally.killed > 0, "{tally:?}");
    assert!(
        paused > 0,
        "no kill landed while the container was paused: {tally:?}"
    );
}

/// Only a pause that a commit recorded and did not live to undo is undone. A container its user
/// paused (with the runtime: berth has no `pause` command) stays paused through `ps` and `commit`, as
/// in Docker; so does one whose recorded commit is still alive (this test's own process stands in for
/// it). A record naming a process that is gone, or a later process that reused its PID, is undone by
/// the next command; a record left beside a running container is just removed.
#[test]
fn only_a_pause_left_by_a_dead_commit_is_undone() {
    let env = Env::new();
    if !busybox_image(&env) {
        return;
    }
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 1..]
        .split_whitespace()
        .collect();
    let (pid, start_time) = (std::process::id(), fields[19].parse::<u64>().unwrap());
    let record =
        |pid: u32, start_time: u64| format!("{{\"pid\":{pid},\"start_time\":{start_time}}}");
    for runtime in ["runc", "crun"] {
        let Live { id, freezer } = start_live(&env, runtime);
        let paused = |context: &str| {
            let status = container_status(&env, "live").unwrap_or_default();
            assert!(
                status.contains("(Paused)"),
                "{runtime}, {context}: {status:?}"
            );
            assert_eq!(freezer.state(), "FROZEN", "{runtime}, {context}");
        };
        let status = runtime_command(&env, runtime)
            .args(["pause", &id])
            .status()
            .unwrap();
        assert!(status.success(), "{runtime} pause");
        paused("paused by its user");
        let (status, stderr) = run_bounded(&env, &["commit", "live", "crash/user-paused:1"]);
        assert!(status.success(), "{runtime}: {stderr}");
        assert!(!stderr.contains("WARNING"), "{runtime}: {stderr}");
        paused("after a commit");

        // What a commit leaves beside its record: the lock that serializes pausing and resuming.
        std::fs::write(pause_marker(&env, &id).with_extension("lock"), "").unwrap();
        std::fs::write(pause_marker(&env, &id), record(pid, start_time)).unwrap();
        paused("recorded by a live commit");
        assert!(pause_marker(&env, &id).exists());

        // The same PID with another start time: a later process got the PID of the dead commit.
        std::fs::write(pause_marker(&env, &id), record(pid, start_time + 1)).unwrap();
        assert_up_and_thawed(
            &env,
            "live",
            &id,
            &freezer,
            &format!("{runtime}, PID reused"),
        );

        // A record beside a running container (its commit died before the pause, or after the
        // resume) is removed, and the container is left alone.
        let mut gone = Command::new("true").spawn().unwrap();
        let gone_pid = gone.id();
        gone.wait().unwrap();
        std::fs::write(pause_marker(&env, &id), record(gone_pid, 1)).unwrap();
        assert_up_and_thawed(
            &env,
            "live",
            &id,
            &freezer,
            &format!("{runtime}, not paused"),
        );

        // A record of a process that is gone, beside a paused container: resumed.
        let status = runtime_command(&env, runtime)
            .args(["pause", &id])
            .status()
            .unwrap();
        assert!(status.success(), "{runtime} pause");
        std::fs::write(pause_marker(&env, &id), record(gone_pid, 1)).unwrap();
        assert_up_and_thawed(
            &env,
            "live",
            &id,
            &freezer,
            &format!("{runtime}, commit gone"),
        );
        env.ok(&["rm", "-f", "live"]);
    }
    assert_eq!(mounts_under(&env.root()), Vec::<String>::new());
}

/// Polls `ready` every millisecond until it holds; false after `timeout`.
fn wait_for(timeout: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    false
}

fn send(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{signal} {pid} failed");
}

/// Interrupts `args` with `signal` at the moment `mid_way` sees it half done: the process is stopped
/// there (SIGSTOP), the signal queued, and the process continued, so the signal lands mid-operation
/// however fast the machine is. Then: exit code 128 + signal, no panic, and no temporary file left.
fn interrupt_mid_way(env: &Env, args: &[&str], mid_way: &dyn Fn() -> bool, signal: &str) {
    let mut running = spawn(env, &strings(args), None);
    let pid = running.child.id();
    let seen = wait_for(FOLLOW_UP_TIMEOUT, || {
        mid_way() || running.child.try_wait().unwrap().is_some()
    });
    assert!(seen, "{args:?} did not get half-way");
    send(pid, "STOP");
    assert!(
        mid_way(),
        "{args:?} finished before it could be stopped half-way"
    );
    send(pid, signal);
    send(pid, "CONT");
    let (status, stderr) = running.wait(FOLLOW_UP_TIMEOUT);
    let expected = if signal == "INT" { 130 } else { 143 };
    assert_eq!(
        status.code(),
        Some(expected),
        "{args:?} after SIG{signal}: {status:?}: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        temp_files(env),
        Vec::<String>::new(),
        "{args:?} after SIG{signal}"
    );
}

/// The commands that follow an interruption finish: no lock was left held.
fn assert_unlocked(env: &Env) {
    for args in [
        &["images"][..],
        &["ps", "-a"],
        &["image", "prune", "-f"],
        &["system", "check"],
    ] {
        ok_bounded(env, args);
    }
}

fn container_status(env: &Env, name: &str) -> Option<String> {
    env.ok(&["ps", "-a", "--format", "{{.Names}}|{{.Status}}"])
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name}|")).map(str::to_owned))
}

#[test]
fn commit_and_export_interrupted_clean_up() {
    let Some(env) = container_env() else {
        return;
    };
    // A running container that has written its changes: commit pauses it, and must resume it.
    env.ok(&[
        "run",
        "-d",
        "--name",
        "live",
        BUSYBOX,
        "sh",
        "-c",
        &format!("{CHANGES} && echo ready && exec sleep 1000"),
    ]);
    assert!(
        wait_for(FOLLOW_UP_TIMEOUT, || env
            .ok(&["logs", "live"])
            .contains("ready")),
        "the live container did not start"
    );
    let digests = [
        ("changer", written_digest(&env, "changer")),
        ("live", written_digest(&env, "live")),
    ];
    let writing_layer = || {
        ingest_files(&env)
            .iter()
            .any(|n| !n.starts_with("partial-"))
    };
    let export_dir = env.path("exports");
    std::fs::create_dir_all(&export_dir).unwrap();
    let export_out = export_dir.join("changer.tar");
    let exporting = || {
        std::fs::read_dir(&export_dir).unwrap().flatten().any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".changer.tar.tmp-")
        })
    };
    for signal in ["INT", "TERM"] {
        for container in ["changer", "live"] {
            let name = format!("crash/sig-{container}:1");
            interrupt_mid_way(&env, &["commit", container, &name], &writing_layer, signal);
            assert!(
                !run_bounded(&env, &["inspect", &name]).0.success(),
                "an interrupted commit named an image"
            );
            assert_unlocked(&env);
        }
        let status = container_status(&env, "live").unwrap();
        assert!(
            status.starts_with("Up ") && !status.contains("Paused"),
            "commit left the container {status:?}"
        );
        interrupt_mid_way(
            &env,
            &["export", "-o", export_out.to_str().unwrap(), "changer"],
            &exporting,
            signal,
        );
        let left: Vec<_> = std::fs::read_dir(&export_dir).unwrap().flatten().collect();
        assert!(left.is_empty(), "export left {left:?}");
        assert_unlocked(&env);
    }
    // Nothing was lost: both commits and the export work now.
    env.ok(&["commit", "live", "crash/live:1"]);
    env.ok(&["commit", "changer", "crash/changer:1"]);
    for (container, digest) in &digests {
        let name = format!("crash/{container}:1");
        assert_committed(&env, &name, digest, &name);
    }
    env.ok(&["export", "-o", export_out.to_str().unwrap(), "changer"]);
    assert!(std::fs::metadata(&export_out).unwrap().len() > 8 << 20);
    env.ok(&["rm", "-f", "live", "changer"]);
    assert_eq!(mounts_under(&env.root()), Vec::<String>::new());
}

/// Whether a process on the host has exactly `cmdline` (NUL-separated, as in `/proc/PID/cmdline`).
fn process_with_cmdline(cmdline: &[u8]) -> bool {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(Result::ok)
        .any(|entry| std::fs::read(entry.path().join("cmdline")).is_ok_and(|c| c == cmdline))
}

/// A foreground `run --rm` of `sh -c SCRIPT` on the busybox image (on `runtime`, named `name`)
/// whose berth gets `signal`; the container prints "ready" once it runs. Returns the exit status, what the container printed after "ready", and how long berth took after
/// the signal.
fn signal_foreground_run(
    env: &Env,
    (runtime, name, script): (&str, &str, &str),
    signal: &str,
    still_running_after: Duration,
) -> (ExitStatus, String, Duration) {
    use std::io::BufRead;
    let args = [
        "run",
        "--rm",
        "--runtime",
        runtime,
        "--name",
        name,
        BUSYBOX,
        "sh",
        "-c",
        script,
    ];
    let stderr_path = env.path(&format!("signal-{signal}-stderr"));
    let mut child = env
        .berth()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, received) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let first = received.recv_timeout(FOLLOW_UP_TIMEOUT);
    assert_eq!(first.as_deref(), Ok("ready"), "{args:?}");
    // A container that execs after "ready" is signalled once the exec is done.
    if let Some(exec) = args
        .last()
        .and_then(|c| c.split_once("exec "))
        .map(|(_, e)| e)
    {
        let cmdline: Vec<u8> = exec
            .split(' ')
            .flat_map(|w| [w.as_bytes(), b"\0"].concat())
            .collect();
        let deadline = Instant::now() + FOLLOW_UP_TIMEOUT;
        while !process_with_cmdline(&cmdline) {
            assert!(Instant::now() < deadline, "{args:?}: no process {exec:?}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    let signalled = Instant::now();
    send(child.id(), signal);
    if !still_running_after.is_zero() {
        std::thread::sleep(still_running_after);
        let early = child.try_wait().unwrap();
        assert!(
            early.is_none(),
            "{args:?}: berth left the container behind after SIG{signal}: {early:?}, stderr: {}",
            std::fs::read_to_string(&stderr_path).unwrap_or_default()
        );
    }
    let mut running = Running {
        child,
        feeder: None,
        stderr: stderr_path,
        fed: Arc::default(),
    };
    running.feeder = Some(reader);
    let (status, _) = running.wait(FOLLOW_UP_TIMEOUT);
    let elapsed = signalled.elapsed();
    let rest: Vec<String> = received.try_iter().collect();
    (status, rest.join("\n"), elapsed)
}

#[test]
fn foreground_run_forwards_sigint_and_sigterm() {
    let env = Env::new();
    if !busybox_image(&env) {
        return;
    }
    let trapping = "trap 'echo got INT; exit 130' INT; trap 'echo got TERM; exit 143' TERM; \
                    echo ready; sleep 30 & wait";
    for (signal, runtime) in [("INT", "runc"), ("TERM", "crun")] {
        // The container handles the signal: berth forwarded it, and exits with the container's code.
        let name = format!("trapping-{runtime}");
        let (status, printed, elapsed) =
            signal_foreground_run(&env, (runtime, &name, trapping), signal, Duration::ZERO);
        let expected = if signal == "INT" { 130 } else { 143 };
        assert_eq!(status.code(), Some(expected), "{runtime} SIG{signal}");
        assert_eq!(printed, format!("got {signal}"), "{runtime}");
        assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
        assert_eq!(container_status(&env, &name), None, "--rm left {name}");
        assert_eq!(mounts_under(&env.root()), Vec::<String>::new());
        assert_unlocked(&env);

        // A PID 1 without a handler ignores it (the kernel drops it, as under Docker): berth keeps
        // waiting, then exits with the container's status and removes it.
        // The shell prints "ready" and then execs: until it has, it is a PID 1 the signal may end
        // (a race that load widens), so the signal waits for the `sleep` (its own duration marks it).
        let name = format!("ignoring-{runtime}");
        let duration = if runtime == "runc" { "2.001" } else { "2.002" };
        let command = format!("echo ready; exec sleep {duration}");
        let (status, printed, elapsed) = signal_foreground_run(
            &env,
            (runtime, &name, &command),
            signal,
            Duration::from_millis(500),
        );
        assert_eq!(status.code(), Some(0), "{runtime} SIG{signal}: {printed}");
        assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
        assert_eq!(container_status(&env, &name), None, "--rm left {name}");
        assert_eq!(mounts_under(&env.root()), Vec::<String>::new());
        assert_unlocked(&env);
    }
    assert_eq!(temp_files(&env), Vec::<String>::new());
}

/// Docker's sig-proxy forwards every signal, not only SIGINT and SIGTERM: SIGHUP, SIGQUIT, SIGUSR1,
/// SIGUSR2 and SIGALRM reach a foreground container's handler too, and berth then exits with the
/// container's status; a signal berth was started with ignored (`nohup`) stays ignored, and the
/// container never sees it.
#[test]
fn foreground_run_forwards_the_other_signals() {
    let env = Env::new();
    if !busybox_image(&env) {
        return;
    }
    for (signal, runtime) in [
        ("HUP", "runc"),
        ("QUIT", "crun"),
        ("USR1", "runc"),
        ("USR2", "crun"),
        ("ALRM", "runc"),
    ] {
        let trapping =
            format!("trap 'echo got {signal}; exit 42' {signal}; echo ready; sleep 30 & wait");
        let name = format!("trapping-{signal}");
        let (status, printed, elapsed) =
            signal_foreground_run(&env, (runtime, &name, &trapping), signal, Duration::ZERO);
        assert_eq!(status.code(), Some(42), "{runtime} SIG{signal}: {printed}");
        assert_eq!(printed, format!("got {signal}"), "{runtime}");
        assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
        assert_eq!(container_status(&env, &name), None, "--rm left {name}");
        assert_unlocked(&env);
    }
    // Started with SIGHUP ignored (as under `nohup`), berth keeps ignoring it: nothing is forwarded,
    // and the container runs on to its end.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("trap '' HUP; exec \"$@\"")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_berth"))
        .arg("--root")
        .arg(env.root())
        .args(["run", "--rm", BUSYBOX, "sh", "-c"])
        .arg("trap 'echo got HUP; exit 42' HUP; echo ready; sleep 1; echo done")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert_eq!(line, "ready\n");
    send(child.id(), "HUP");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert_eq!(rest, "done\n", "an ignored SIGHUP was forwarded");
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert_eq!(temp_files(&env), Vec::<String>::new());
}
