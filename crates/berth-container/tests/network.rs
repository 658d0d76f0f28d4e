//! A build's default network ([`UserNetwork`]) and the `--add-host`, `--shm-size` and `--ulimit`
//! settings, on the real runtimes (`runc`, `crun`) and the real slirp4netns, with containers set up
//! as the build executor sets up a RUN step: `build_spec`, the `/etc` files, `UserNetwork::join`,
//! then the runtime's `run`.
//!
//! Needs root, runc, crun, slirp4netns, a static busybox and, for the Debian test, debootstrap and
//! the machine's Debian mirror (the one host outside loopback a test may reach, issue #15). Without
//! the programs the tests say what is missing and pass, except under `CI`, where they fail; an
//! unreachable mirror always fails.
//!
//! Its own `main`: the binary doubles as `__hold`, a process that starts a network and is then
//! killed, so the test can check that the helpers do not outlive it.

#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "../../../tests/support/debian_minbase.rs"]
mod debian_minbase;

use std::{
    io::{BufRead, Write},
    net::{TcpListener, UdpSocket},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use berth_container::{
    build_spec, resolve_user, write_etc_files, ExtraHost, HostConfig, Network, Runtime, Ulimit,
    UserNetwork,
};
use berth_manifest::ContainerConfig;

const BUSYBOX: &str = "/bin/busybox";
const APPLETS: &[&str] = &[
    "sh", "cat", "nc", "df", "echo", "grep", "true", "false", "sleep",
];

type Test = (&'static str, fn(&str));

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("__hold") {
        let network = UserNetwork::start().expect("start the build network");
        let (holder, slirp) = network.pids();
        println!("{holder} {slirp}");
        std::io::stdout().flush().unwrap();
        std::thread::sleep(Duration::from_secs(600));
        return;
    }
    let filter: Vec<&String> = args[1..].iter().filter(|a| !a.starts_with('-')).collect();
    let mut missing = Vec::new();
    if !rustix::process::geteuid().is_root() {
        missing.push("root".to_owned());
    }
    for (program, package) in [
        (BUSYBOX, "busybox-static"),
        ("/usr/bin/slirp4netns", "slirp4netns"),
        ("/usr/sbin/debootstrap", "debootstrap"),
    ] {
        if !Path::new(program).is_file() {
            missing.push(format!("{program} (Debian package {package})"));
        }
    }
    let runtimes: Vec<&str> = ["runc", "crun"]
        .into_iter()
        .filter(|name| {
            let found = Runtime::find(name, Path::new("/nonexistent")).is_ok();
            if !found {
                missing.push(format!("{name} (Debian package {name})"));
            }
            found
        })
        .collect();
    if !missing.is_empty() {
        let message = format!("network tests need: {}", missing.join(", "));
        if std::env::var_os("CI").is_some() {
            eprintln!("error: {message}");
            std::process::exit(1);
        }
        eprintln!("skipping: {message} (set CI to make this an error)");
        return;
    }
    let tests: &[Test] = &[
        (
            "default_network_reaches_the_host_but_not_its_loopback",
            reaches_host_not_loopback,
        ),
        ("add_host_shm_size_and_ulimits_inside", settings_inside),
        (
            "no_helper_left_after_success_failure_or_kill",
            no_helper_left,
        ),
    ];
    let mut failed = Vec::new();
    let mut count = 0;
    let mut run = |full: String, test: &dyn Fn()| {
        if !filter.is_empty() && !filter.iter().any(|f| full.contains(f.as_str())) {
            return;
        }
        count += 1;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(test)) {
            Ok(()) => eprintln!("test {full} ... ok"),
            Err(_) => {
                eprintln!("test {full} ... FAILED");
                failed.push(full);
            }
        }
    };
    for runtime in &runtimes {
        for (name, test) in tests {
            run(format!("{runtime}::{name}"), &|| test(runtime));
        }
    }
    // One run of apt-get against the mirror is enough: it is about the network, not the runtime.
    run(format!("{}::debian_apt_get_install", runtimes[0]), &|| {
        debian_apt_get(runtimes[0]);
    });
    eprintln!(
        "\ntest result: {}. {} passed; {} failed",
        if failed.is_empty() { "ok" } else { "FAILED" },
        count - failed.len(),
        failed.len()
    );
    if !failed.is_empty() {
        eprintln!("failures: {failed:?}");
        std::process::exit(1);
    }
}

/// A root filesystem of busybox and its applets.
fn busybox_rootfs(dir: &Path) -> PathBuf {
    let rootfs = dir.join("busybox-rootfs");
    for sub in ["bin", "etc", "tmp", "dev", "proc", "sys"] {
        std::fs::create_dir_all(rootfs.join(sub)).unwrap();
    }
    std::fs::copy(BUSYBOX, rootfs.join("bin/busybox")).unwrap();
    for applet in APPLETS {
        std::os::unix::fs::symlink("busybox", rootfs.join("bin").join(applet)).unwrap();
    }
    std::fs::write(rootfs.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    std::fs::write(rootfs.join("etc/group"), "root:x:0:\n").unwrap();
    rootfs
}

/// Runs `script` under `sh -c` in `rootfs` as a build's RUN step would: returns the exit code and
/// the output (stdout and stderr together).
fn run_step(
    runtime: &str,
    rootfs: &Path,
    host: &HostConfig,
    network: Option<&UserNetwork>,
    script: &str,
) -> (i32, String) {
    let dir = tempfile::Builder::new()
        .prefix("berth-net-")
        .tempdir()
        .unwrap();
    let bundle = dir.path().join("bundle");
    let etc = dir.path().join("etc");
    std::fs::create_dir_all(&bundle).unwrap();
    let hostname = "buildkitsandbox";
    write_etc_files(&etc, host, hostname).unwrap();
    let config = ContainerConfig {
        cmd: vec!["/bin/sh".into(), "-c".into(), script.into()],
        env: vec!["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()],
        ..ContainerConfig::default()
    };
    let user = resolve_user("root", "root:x:0:0:root:/root:/bin/sh\n", "root:x:0:\n").unwrap();
    let mut spec = build_spec(&config, host, &user, hostname, &etc).unwrap();
    if let Some(root) = spec.root_mut() {
        root.set_path(rootfs.to_path_buf());
    }
    if let Some(network) = network {
        network.join(&mut spec);
    }
    std::fs::write(
        bundle.join("config.json"),
        serde_json::to_vec_pretty(&spec).unwrap(),
    )
    .unwrap();
    let runtime = Runtime::find(runtime, &dir.path().join("state")).unwrap();
    let id = format!("berth-net-{}", std::process::id());
    let output = runtime
        .run_command(
            &bundle,
            &id,
            &dir.path().join("runtime.log"),
            &dir.path().join("pid"),
        )
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    let _ = runtime.delete(&id, true);
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.code().unwrap_or(-1), text)
}

fn slirp_host() -> HostConfig {
    HostConfig {
        network: Network::Slirp,
        ..HostConfig::default()
    }
}

/// The host's address on its default route (a UDP "connect" only looks the route up).
fn host_address() -> std::net::IpAddr {
    let socket = UdpSocket::bind("0.0.0.0:0").unwrap();
    socket.connect("203.0.113.1:9").unwrap();
    socket.local_addr().unwrap().ip()
}

/// A TCP service that answers `greeting` to every connection, in a thread.
fn serve(address: &str, greeting: &'static str) -> u16 {
    let listener = TcpListener::bind(address).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let _ = stream.write_all(greeting.as_bytes());
        }
    });
    port
}

fn reaches_host_not_loopback(runtime: &str) {
    let dir = tempfile::tempdir().unwrap();
    let rootfs = busybox_rootfs(dir.path());
    let host_ip = host_address();
    assert!(!host_ip.is_loopback(), "{host_ip}");
    let outside = serve(&format!("{host_ip}:0"), "outside-reached\n");
    let loopback = serve("127.0.0.1:0", "loopback-reached\n");
    let network = UserNetwork::start().unwrap();
    let script = format!(
        "nc -w 5 {host_ip} {outside} </dev/null; \
         nc -w 2 10.0.2.2 {loopback} </dev/null; nc -w 2 127.0.0.1 {loopback} </dev/null; \
         cat /sys/class/net/eth0/mtu; echo end"
    );
    let (code, output) = run_step(runtime, &rootfs, &slirp_host(), Some(&network), &script);
    network.stop().unwrap();
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("outside-reached"), "{output}");
    assert!(!output.contains("loopback-reached"), "{output}");
    assert!(output.contains("65520\nend"), "{output}");
    // Without the network's path, a slirp4netns container is alone in an empty namespace.
    let (code, output) = run_step(
        runtime,
        &rootfs,
        &slirp_host(),
        None,
        &format!("nc -w 2 {host_ip} {outside} </dev/null; echo end"),
    );
    assert_eq!(code, 0, "{output}");
    assert!(!output.contains("outside-reached"), "{output}");
}

fn settings_inside(runtime: &str) {
    let dir = tempfile::tempdir().unwrap();
    let rootfs = busybox_rootfs(dir.path());
    let host = HostConfig {
        extra_hosts: vec![
            ExtraHost::parse("db.internal:10.9.8.7").unwrap(),
            ExtraHost::parse("v6:::1").unwrap(),
        ],
        shm_size: Some(berth_container::parse_shm_size("8m").unwrap()),
        ulimits: vec![Ulimit::parse("nofile=300:400").unwrap()],
        ..slirp_host()
    };
    let network = UserNetwork::start().unwrap();
    let (code, output) = run_step(
        runtime,
        &rootfs,
        &host,
        Some(&network),
        "cat /etc/hosts /etc/resolv.conf; df -k /dev/shm; ulimit -n; ulimit -Hn",
    );
    network.stop().unwrap();
    assert_eq!(code, 0, "{output}");
    assert!(
        output.contains("10.9.8.7\tdb.internal\n::1\tv6\n10.0.2.100\tbuildkitsandbox\n"),
        "{output}"
    );
    assert!(output.contains("nameserver 10.0.2.3\n"), "{output}");
    let shm = output
        .lines()
        .find(|l| l.ends_with("/dev/shm"))
        .unwrap_or_default();
    assert_eq!(shm.split_whitespace().nth(1), Some("8192"), "{output}");
    assert!(output.ends_with("300\n400\n"), "{output}");
    // Docker's default /dev/shm, 64 MiB, without --shm-size.
    let (_, output) = run_step(
        runtime,
        &rootfs,
        &HostConfig::default(),
        None,
        "df -k /dev/shm",
    );
    assert!(output.contains(" 65536 "), "{output}");
}

/// Whether a process is gone (or a zombie its new parent has not reaped yet).
fn gone(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |stat| {
        stat.rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z'))
    })
}

fn wait_gone(pids: &[u32], why: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !pids.iter().all(|pid| gone(*pid)) {
        assert!(
            Instant::now() < deadline,
            "helpers {pids:?} still run after {why}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn no_helper_left(runtime: &str) {
    let dir = tempfile::tempdir().unwrap();
    let rootfs = busybox_rootfs(dir.path());
    // A step that succeeds, then one that fails: stop() leaves nothing either way.
    for (script, expected) in [("true", 0), ("false", 1)] {
        let network = UserNetwork::start().unwrap();
        let (holder, slirp) = network.pids();
        let (code, output) = run_step(runtime, &rootfs, &slirp_host(), Some(&network), script);
        assert_eq!(code, expected, "{output}");
        network.stop().unwrap();
        assert!(gone(holder) && gone(slirp), "after {script}");
    }
    // A build that fails with `?` or unwinds drops its network without calling stop().
    let network = UserNetwork::start().unwrap();
    let (holder, slirp) = network.pids();
    drop(network);
    assert!(gone(holder) && gone(slirp), "after a drop");
    // A berth killed outright (SIGKILL) or stopped by a signal it does not handle runs no destructor.
    // (SIGTERM stands for Ctrl-C here: a test started in the background inherits SIGINT ignored,
    // and a Ctrl-C reaches the helpers themselves too, being in berth's process group.)
    for signal in [rustix::process::Signal::KILL, rustix::process::Signal::TERM] {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .arg("__hold")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let pids: Vec<u32> = line
            .split_whitespace()
            .map(|p| p.parse().unwrap())
            .collect();
        assert_eq!(pids.len(), 2, "{line:?}");
        assert!(
            !pids.iter().any(|p| gone(*p)),
            "helpers not running: {pids:?}"
        );
        let pid = rustix::process::Pid::from_raw(i32::try_from(child.id()).unwrap()).unwrap();
        rustix::process::kill_process(pid, signal).unwrap();
        child.wait().unwrap();
        wait_gone(&pids, &format!("{signal:?}"));
    }
}

fn debian_apt_get(runtime: &str) {
    // The target directory, shared with tests/it and `cargo xtask debian-minbase`.
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let minbase = debian_minbase::minbase(&cache).unwrap_or_else(|e| {
        panic!("no Debian minbase (the Debian mirror may be unreachable): {e}")
    });
    let dir = tempfile::tempdir().unwrap();
    let rootfs = dir.path().join("rootfs");
    let status = Command::new("cp")
        .arg("-a")
        .arg(&minbase.rootfs)
        .arg(&rootfs)
        .status()
        .unwrap();
    assert!(status.success());
    let network = UserNetwork::start().unwrap();
    let (code, output) = run_step(
        runtime,
        &rootfs,
        &slirp_host(),
        Some(&network),
        "set -e; getent hosts deb.debian.org; apt-get update -q; \
         apt-get install -y -q --no-install-recommends hello; hello",
    );
    network.stop().unwrap();
    assert!(
        code == 0 && output.contains("Hello, world!"),
        "apt-get in a container on the default network failed (exit {code}); is the Debian mirror \
         reachable from this machine? Output:\n{output}"
    );
}
