//! `berth build`'s networks on real runc and slirp4netns: `--network default` (and
//! `RUN --network=default`) reach the host's network but not its loopback services; `--add-host`,
//! `--shm-size` and `--ulimit` are what a RUN sees; the build network's helpers (slirp4netns and its
//! namespace holder) do not outlive a build that succeeded or failed; and a Debian image installs a
//! package from the machine's Debian mirror in a RUN (the one host outside loopback a test reaches).

use std::{
    io::Write,
    net::{TcpListener, UdpSocket},
    process::Output,
    time::{Duration, Instant},
};

use crate::common::{import_busybox, import_debian_minbase, render, require, Env};

const APPLETS: &[&str] = &[
    "sh", "cat", "nc", "df", "echo", "true", "false", "sleep", "grep",
];

/// The host's address on its default route (a UDP "connect" only looks the route up).
fn host_address() -> std::net::IpAddr {
    let socket = UdpSocket::bind("0.0.0.0:0").unwrap();
    socket.connect("203.0.113.1:9").unwrap();
    socket.local_addr().unwrap().ip()
}

/// A TCP service answering `greeting` to every connection, in a thread.
fn serve(address: &str, greeting: &'static str) -> u16 {
    let listener = TcpListener::bind(address).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let _ = stream.write_all(greeting.as_bytes());
        }
    });
    port
}

/// The build network's helpers among `parent`'s children: (pid, comm) of `slirp4netns` and `cat`.
pub(crate) fn helpers_of(parent: u32) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid ...
        let Some((comm, rest)) = stat.split_once(" (").and_then(|(_, r)| r.rsplit_once(") "))
        else {
            continue;
        };
        let ppid = rest.split(' ').nth(1).and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(parent) && (comm == "slirp4netns" || comm == "cat") {
            found.push((pid, comm.to_owned()));
        }
    }
    found
}

/// Whether `pid` is gone (or a zombie about to be reaped by its new parent).
pub(crate) fn gone(pid: u32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| s.rsplit_once(") ").map(|(_, r)| r.chars().next()));
        if matches!(state, None | Some(Some('Z' | 'X'))) {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs `berth build` with `dockerfile` on stdin; while it runs, notes the build network's helpers
/// it started. Returns the output and the helpers seen.
fn build_watching(env: &Env, args: &[&str], dockerfile: &str) -> (Output, Vec<(u32, String)>) {
    let child = crate::build::spawn_build(env, args, dockerfile);
    let pid = child.id();
    let watcher = std::thread::spawn(move || {
        let mut seen: Vec<(u32, String)> = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline && std::path::Path::new(&format!("/proc/{pid}")).exists() {
            for helper in helpers_of(pid) {
                if !seen.contains(&helper) {
                    seen.push(helper);
                }
            }
            if seen.len() >= 2 {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        seen
    });
    let out = child.wait_with_output().unwrap();
    (out, watcher.join().unwrap())
}

fn assert_helpers_gone(helpers: &[(u32, String)], out: &Output) {
    let mut names: Vec<&str> = helpers.iter().map(|(_, c)| c.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["cat", "slirp4netns"], "{}", render(out));
    for (pid, comm) in helpers {
        assert!(gone(*pid), "{comm} ({pid}) outlived the build");
    }
}

#[test]
fn build_default_network_reaches_the_host_but_not_its_loopback() {
    if !(require("slirp4netns") && require("busybox") && require("runc")) {
        return;
    }
    let env = Env::new();
    assert!(import_busybox(&env, "bb-net:1", APPLETS, &[]));
    let host_ip = host_address();
    assert!(!host_ip.is_loopback(), "{host_ip}");
    let outside = serve(&format!("{host_ip}:0"), "outside-reached\n");
    let loopback = serve("127.0.0.1:0", "loopback-reached\n");
    // The sleep keeps the helpers alive long enough to be seen.
    let dockerfile = format!(
        "FROM bb-net:1\n\
         RUN sleep 1; nc -w 5 {host_ip} {outside} </dev/null > /outside; \
             nc -w 2 127.0.0.1 {loopback} </dev/null > /loopback; \
             nc -w 2 10.0.2.2 {loopback} </dev/null > /gateway; true\n"
    );
    let (out, helpers) = build_watching(&env, &["-t", "net:1", "--progress", "plain"], &dockerfile);
    assert!(out.status.success(), "{}", render(&out));
    assert_helpers_gone(&helpers, &out);
    let seen = env.ok(&[
        "run",
        "--rm",
        "net:1",
        "cat",
        "/outside",
        "/loopback",
        "/gateway",
    ]);
    assert_eq!(seen, "outside-reached\n");

    // RUN --network=default in a build whose network is none: that step alone is on the network.
    let dockerfile = format!(
        "FROM bb-net:1\n\
         RUN --network=default nc -w 5 {host_ip} {outside} </dev/null > /outside; true\n\
         RUN nc -w 2 {host_ip} {outside} </dev/null > /none; true\n"
    );
    let (out, helpers) = build_watching(&env, &["-t", "net:2", "--network", "none"], &dockerfile);
    assert!(out.status.success(), "{}", render(&out));
    assert_helpers_gone(&helpers, &out);
    let seen = env.ok(&["run", "--rm", "net:2", "cat", "/outside", "/none"]);
    assert_eq!(seen, "outside-reached\n");

    // A failing RUN leaves no helper either, and names nothing.
    let (out, helpers) = build_watching(
        &env,
        &["-t", "net:3"],
        "FROM bb-net:1\nRUN sleep 1; exit 3\n",
    );
    assert_eq!(out.status.code(), Some(1), "{}", render(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("did not complete successfully: exit code: 3"),
        "{}",
        render(&out)
    );
    assert_helpers_gone(&helpers, &out);
    assert!(env
        .fails(&["image", "inspect", "net:3"])
        .contains("No such image"));
}

#[test]
fn build_add_host_shm_size_and_ulimit_are_seen_by_run() {
    if !(require("slirp4netns") && require("busybox") && require("runc")) {
        return;
    }
    let env = Env::new();
    assert!(import_busybox(&env, "bb-set:1", APPLETS, &[]));
    let dockerfile = "FROM bb-set:1\n\
        RUN cat /etc/hosts > /hosts; df -k /dev/shm > /shm; ulimit -n > /nofile; ulimit -Hn >> /nofile\n";
    let out = crate::build::berth_build(
        &env,
        &[
            "-t",
            "set:1",
            "--add-host",
            "db.internal:10.9.8.7",
            "--shm-size",
            "8m",
            "--ulimit",
            "nofile=300:400",
        ],
        dockerfile,
    );
    assert!(out.status.success(), "{}", render(&out));
    let hosts = env.ok(&["run", "--rm", "set:1", "cat", "/hosts"]);
    assert!(hosts.contains("10.9.8.7\tdb.internal\n"), "{hosts}");
    let shm = env.ok(&["run", "--rm", "set:1", "cat", "/shm"]);
    let line = shm
        .lines()
        .find(|l| l.ends_with("/dev/shm"))
        .unwrap_or_default();
    assert_eq!(line.split_whitespace().nth(1), Some("8192"), "{shm}");
    assert_eq!(
        env.ok(&["run", "--rm", "set:1", "cat", "/nofile"]),
        "300\n400\n"
    );
    // Without the flags, Docker's defaults: 64 MiB of /dev/shm, no extra host.
    let out = crate::build::berth_build(&env, &["-t", "set:2"], dockerfile);
    assert!(out.status.success(), "{}", render(&out));
    let shm = env.ok(&["run", "--rm", "set:2", "cat", "/shm"]);
    assert!(shm.contains(" 65536 "), "{shm}");
    assert!(!env
        .ok(&["run", "--rm", "set:2", "cat", "/hosts"])
        .contains("db.internal"));
    // Bad values are refused in Docker's words before anything is built.
    for (flag, value, words) in [
        (
            "--add-host",
            "nocolon",
            "bad format for add-host: \"nocolon\"",
        ),
        ("--shm-size", "lots", "invalid size: 'lots'"),
        ("--ulimit", "nofile", "invalid ulimit argument: nofile"),
    ] {
        let out = crate::build::berth_build(&env, &[flag, value], dockerfile);
        assert!(!out.status.success(), "{}", render(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(words),
            "{flag} {value}: {}",
            render(&out)
        );
    }
}

/// `RUN apt-get update && apt-get install -y hello` FROM the Debian minbase on the default
/// network, then the image's `hello` under `berth run`. Fails (never skips) when the Debian mirror
/// is unreachable.
#[test]
fn build_installs_a_debian_package_on_the_default_network() {
    assert!(
        require("slirp4netns") && require("runc"),
        "needs slirp4netns and runc"
    );
    let env = Env::new();
    let minbase = import_debian_minbase(&env, "debian-min:build");
    let dockerfile = "FROM debian-min:build\nRUN apt-get update && apt-get install -y hello\n";
    let out =
        crate::build::berth_build(&env, &["-t", "hello:1", "--progress", "plain"], dockerfile);
    assert!(
        out.status.success(),
        "apt-get in a RUN on the default network failed; is the Debian mirror of suite {} \
         reachable from this machine?\n{}",
        minbase.suite,
        render(&out)
    );
    let said = env.ok(&["run", "--rm", "hello:1", "hello"]);
    assert_eq!(said, "Hello, world!\n");
}

/// A build's network leaves the host's other containers alone: Docker's BuildKit builds, run while
/// berth starts and stops default networks beside them, all find their root file systems.
/// (slirp4netns's `--enable-sandbox` made a BuildKit RUN now and then fail with `stat /bin/sh: no
/// such file or directory`; berth no longer asks for it.)
#[test]
fn build_networks_leave_other_builders_alone() {
    if !(require("busybox") && require("runc") && require("slirp4netns")) {
        return;
    }
    let docker = crate::build::build_dockerd();
    let env = Env::new();
    crate::build::base_on_both(docker, &env, "bb-build:1");
    let done = std::sync::atomic::AtomicBool::new(false);
    let (docker_builds, berth_builds) = std::thread::scope(|scope| {
        let berth = scope.spawn(|| {
            let mut outs = Vec::new();
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                outs.push(crate::build::berth_build(
                    &env,
                    &["--no-cache", "-q"],
                    "FROM bb-build:1\nRUN true\n",
                ));
            }
            outs
        });
        let docker_builds: Vec<Output> = (0..6)
            .map(|round| {
                let dockerfile = format!(
                    "FROM bb-build:1\nARG R={round}\nRUN echo $R > /r\nRUN cat /r\nRUN true\n"
                );
                crate::build::docker_build_output(
                    docker,
                    &format!("beside-berth:{round}"),
                    &dockerfile,
                )
            })
            .collect();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        (docker_builds, berth.join().unwrap())
    });
    for out in docker_builds.iter().chain(&berth_builds) {
        assert!(
            out.status.success(),
            "a build beside the others failed:\n{}",
            render(out)
        );
    }
    assert!(!berth_builds.is_empty());
}
