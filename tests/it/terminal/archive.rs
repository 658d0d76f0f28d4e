//! `save`, `import` (a file, a URL, stdin) and `commit` on a terminal (issue #16), at 80 and 200
//! columns: the whole-operation line partway, its bytes seen moving (through a pipe or an HTTP body
//! the test slows down, or with berth itself throttled), then the screen when the command ends.
//! Each snapshot holds both moments.

use std::{
    fs::File,
    io::{Read, Write},
    net::TcpListener,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    thread::JoinHandle,
    time::Duration,
};

use super::{screen_settings, Terminal, SLOW};
use crate::{
    common::{fixture, import_busybox, Env},
    crash::throttled_copy,
};

/// A thread moving bytes at [`SLOW`] until [`Slow::fast`] lets the rest through at full speed.
struct Slow<T> {
    rate: Arc<AtomicU64>,
    thread: Option<JoinHandle<T>>,
}

impl<T: Send + 'static> Slow<T> {
    fn start(work: impl FnOnce(&AtomicU64) -> T + Send + 'static) -> Slow<T> {
        let rate = Arc::new(AtomicU64::new(SLOW));
        let thread = {
            let rate = Arc::clone(&rate);
            std::thread::spawn(move || work(&rate))
        };
        Slow {
            rate,
            thread: Some(thread),
        }
    }

    fn fast(&self) {
        self.rate.store(0, Ordering::SeqCst);
    }

    fn join(mut self) -> T {
        self.fast();
        self.thread.take().expect("joined once").join().unwrap()
    }
}

/// A named pipe at `env.path(name)`.
fn fifo(env: &Env, name: &str) -> PathBuf {
    let path = env.path(name);
    let status = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
    path
}

/// Reads the pipe `path` slowly, then (after `fast`) to its end: the bytes berth wrote.
fn drain_slowly(path: &Path) -> Slow<Vec<u8>> {
    let path = path.to_owned();
    Slow::start(move |rate| {
        let mut from = File::open(&path).expect("open the pipe berth writes");
        let mut bytes = Vec::new();
        throttled_copy(&mut from, &mut bytes, rate, None);
        bytes
    })
}

/// Writes `data` into the pipe `path` slowly, then (after `fast`) the rest, and closes it.
fn feed_slowly(path: &Path, data: Vec<u8>) -> Slow<()> {
    let path = path.to_owned();
    Slow::start(move |rate| {
        let mut to = File::options()
            .write(true)
            .open(&path)
            .expect("open the pipe berth reads");
        throttled_copy(&mut &data[..], &mut to, rate, None);
    })
}

/// A loopback HTTP server answering one request with `body` (its `Content-Length` given) slowly;
/// its URL.
fn serve_slowly(body: Vec<u8>) -> (String, Slow<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the HTTP server");
    let url = format!(
        "http://127.0.0.1:{}/rootfs.tar",
        listener.local_addr().unwrap().port()
    );
    let slow = Slow::start(move |rate| {
        let (mut stream, _) = listener.accept().expect("berth's request");
        let mut request = Vec::new();
        let mut byte = [0u8; 1];
        while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
            request.push(byte[0]);
        }
        assert!(request.starts_with(b"GET /rootfs.tar "), "{request:?}");
        let header = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/x-tar\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(header.as_bytes()).unwrap();
        throttled_copy(&mut &body[..], &mut stream, rate, None);
    });
    (url, slow)
}

/// Lets berth run a tenth of the time (SIGSTOP, SIGCONT), as the proxy slows a pull: a transfer
/// that a fast machine ends in a blink lasts long enough to be caught partway on any machine.
/// Dropping it lets berth run freely.
struct Throttle {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Throttle {
    fn start(term: &Terminal) -> Throttle {
        let pid = term.child.process_id().expect("berth's process ID");
        let pid = rustix::process::Pid::from_raw(i32::try_from(pid).unwrap()).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                use rustix::process::{kill_process, Signal};
                while !stop.load(Ordering::SeqCst) {
                    let _ = kill_process(pid, Signal::STOP);
                    std::thread::sleep(Duration::from_millis(90));
                    let _ = kill_process(pid, Signal::CONT);
                    std::thread::sleep(Duration::from_millis(10));
                }
            })
        };
        Throttle {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Throttle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The bytes done on a screen's whole-operation line (`Saved 1.2MB/3.4MB …` gives `1.2MB`) when
/// the transfer is partway: some bytes done and a rate, and, when the total is known, a time left
/// and not all of it done.
fn partway(screen: &str, verb: &str, total_known: bool) -> Option<String> {
    screen.lines().find_map(|line| {
        let rest = line.strip_prefix(verb)?.strip_prefix(' ')?;
        let moving = !rest.starts_with("0B")
            && rest.contains("/s")
            && (!total_known || (rest.contains(" left") && !rest.contains("(100%)")));
        moving.then(|| rest.split(['/', ',']).next().unwrap_or_default().to_owned())
    })
}

/// The moment a transfer's screen is pinned at: partway, and its bytes seen moving (the screen
/// returned shows a count that an earlier screen did not).
fn moving(term: &Terminal, verb: &str, total_known: bool) -> String {
    let first = term.wait_for(&format!("`{verb}` partway"), |screen| {
        partway(screen, verb, total_known).is_some()
    });
    let before = partway(&first, verb, total_known);
    term.wait_for(&format!("`{verb}` moving on from {before:?}"), |screen| {
        partway(screen, verb, total_known).is_some_and(|done| Some(done) != before)
    })
}

/// Both moments of one command's screen, pinned with the numbers that vary normalized.
fn pin(name: &str, middle: &str, done: &str) {
    let mut settings = screen_settings("unused", true);
    // Beside the other screens'.
    settings.set_snapshot_path("../snapshots");
    settings.bind(|| {
        insta::assert_snapshot!(name, format!("{middle}\n---------- when it ends\n{done}"));
    });
}

/// `save` to a pipe read slowly: the bytes of the archive move, out of the blobs' total.
fn save_on_a_terminal(cols: u16) {
    let env = Env::new();
    env.load_fixture();
    let expected = env.path("expected.tar");
    env.ok(&[
        "save",
        "-o",
        expected.to_str().unwrap(),
        "fixture/busybox:1",
    ]);
    let pipe = fifo(&env, "save.fifo");
    let drain = drain_slowly(&pipe);
    let args = ["save", "fixture/busybox:1"];
    let mut term = Terminal::spawn_redirected(&env, cols, &args, &[], None, pipe);
    let middle = moving(&term, "Saved", true);
    drain.fast();
    assert_eq!(term.wait(), 0, "{}", term.screen());
    let archive = drain.join();
    assert!(
        archive == std::fs::read(&expected).unwrap(),
        "stdout is the archive alone, as `save -o` writes it"
    );
    pin(&format!("save_{cols}"), &middle, &term.screen());
}

#[test]
fn save_on_a_terminal_80() {
    save_on_a_terminal(80);
}

#[test]
fn save_on_a_terminal_200() {
    save_on_a_terminal(200);
}

/// A tarball of one file of `size` random bytes (incompressible, so every byte is work).
fn random_tarball(env: &Env, name: &str, size: u64) -> PathBuf {
    let path = env.path(name);
    let mut tar = tar::Builder::new(File::create(&path).unwrap());
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o644);
    header.set_cksum();
    let random = File::open("/dev/urandom").unwrap().take(size);
    tar.append_data(&mut header, "random", random).unwrap();
    tar.finish().unwrap();
    path
}

/// `import` of a file: the input's bytes out of the file's size, caught partway with berth
/// throttled.
fn import_file_on_a_terminal(cols: u16) {
    let env = Env::new();
    let tarball = random_tarball(&env, "random.tar", IMPORT_FILE_BYTES);
    let args = ["import", tarball.to_str().unwrap(), "term/file:1"];
    let mut term = Terminal::spawn(&env, cols, &args, &[]);
    let throttle = Throttle::start(&term);
    let middle = moving(&term, "Imported", true);
    drop(throttle);
    assert_eq!(term.wait(), 0, "{}", term.screen());
    assert!(term.stdout().starts_with("sha256:"), "{}", term.stdout());
    pin(&format!("import_file_{cols}"), &middle, &term.screen());
}

/// Large enough for the line to move a few times while berth is throttled.
const IMPORT_FILE_BYTES: u64 = 128 * 1024 * 1024;

#[test]
fn import_file_on_a_terminal_80() {
    import_file_on_a_terminal(80);
}

#[test]
fn import_file_on_a_terminal_200() {
    import_file_on_a_terminal(200);
}

/// `import` of a URL served slowly: the body's bytes out of its `Content-Length`.
fn import_url_on_a_terminal(cols: u16) {
    let env = Env::new();
    let (url, server) = serve_slowly(std::fs::read(fixture("docker-20.10-save.tar")).unwrap());
    let mut term = Terminal::spawn(&env, cols, &["import", &url, "term/url:1"], &[]);
    let middle = moving(&term, "Imported", true);
    server.fast();
    assert_eq!(term.wait(), 0, "{}", term.screen());
    server.join();
    assert!(term.stdout().starts_with("sha256:"), "{}", term.stdout());
    pin(&format!("import_url_{cols}"), &middle, &term.screen());
}

#[test]
fn import_url_on_a_terminal_80() {
    import_url_on_a_terminal(80);
}

#[test]
fn import_url_on_a_terminal_200() {
    import_url_on_a_terminal(200);
}

/// `import -` from a pipe fed slowly: the bytes read, of a total no one knows.
fn import_stdin_on_a_terminal(cols: u16) {
    let env = Env::new();
    let pipe = fifo(&env, "stdin.fifo");
    let feeder = feed_slowly(
        &pipe,
        std::fs::read(fixture("docker-20.10-save.tar")).unwrap(),
    );
    let stdout = env.path("import-stdout");
    let args = ["import", "-", "term/stdin:1"];
    let mut term = Terminal::spawn_redirected(&env, cols, &args, &[], Some(&pipe), stdout);
    let middle = moving(&term, "Imported", false);
    feeder.fast();
    assert_eq!(term.wait(), 0, "{}", term.screen());
    feeder.join();
    assert!(term.stdout().starts_with("sha256:"), "{}", term.stdout());
    pin(&format!("import_stdin_{cols}"), &middle, &term.screen());
}

#[test]
fn import_stdin_on_a_terminal_80() {
    import_stdin_on_a_terminal(80);
}

#[test]
fn import_stdin_on_a_terminal_200() {
    import_stdin_on_a_terminal(200);
}

/// `commit` of a container that wrote 200 MiB of random bytes (a `RUN dd …`): the new layer's
/// bytes move while it is compressed (caught partway with berth throttled), out of the size of the
/// container's changes.
#[test]
fn commit_on_a_terminal() {
    let env = Env::new();
    if !import_busybox(&env, "term/busybox:1", &["sh", "dd"], &[]) {
        return;
    }
    env.ok(&[
        "run",
        "--name",
        "big",
        "term/busybox:1",
        "sh",
        "-c",
        "dd if=/dev/urandom of=/big bs=1M count=200 2>/dev/null",
    ]);
    for cols in [80, 200] {
        let reference = format!("term/committed:{cols}");
        let mut term = Terminal::spawn(&env, cols, &["commit", "big", &reference], &[]);
        let throttle = Throttle::start(&term);
        let middle = moving(&term, "Committed", true);
        drop(throttle);
        assert_eq!(term.wait(), 0, "{}", term.screen());
        assert!(term.stdout().starts_with("sha256:"), "{}", term.stdout());
        pin(&format!("commit_{cols}"), &middle, &term.screen());
    }
    env.ok(&["rm", "big"]);
}
