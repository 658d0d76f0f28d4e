//! `cargo xtask demo`: berth's main job end to end, as the Docker image chapter walks through it,
//! on a throwaway store and a registry started on loopback.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context};

use crate::{peers, util};

pub fn run() -> anyhow::Result<()> {
    peers::ensure_installed()?;
    util::run(util::cargo().args(["build", "--locked", "--bin", "berth"]))?;
    let berth = util::root().join("target/debug/berth");
    let work = std::env::temp_dir().join(format!("berth-demo-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let result = demo(&berth, &work);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn demo(berth: &Path, work: &Path) -> anyhow::Result<()> {
    let root = work.join("store");
    let tarball = make_rootfs(work)?;
    let sh = |line: &str| shell(line, berth, &root, work);

    sh(&format!(
        "cat {} | berth import - ubuntu:14.04",
        tarball.display()
    ))?;
    sh("berth images")?;
    sh("berth tag ubuntu:14.04 myubuntu:latest")?;
    sh("berth images ubuntu")?;
    sh("berth inspect -f '{{.Id}} {{.Os}}/{{.Architecture}} {{.Comment}}' ubuntu:14.04")?;
    sh("berth history ubuntu:14.04")?;
    sh("berth save -o ubuntu_14.04.tar ubuntu:14.04")?;
    sh("berth rmi myubuntu:latest")?;
    sh("berth rmi ubuntu:14.04")?;
    sh("berth load --input ubuntu_14.04.tar")?;
    sh("berth images")?;

    let registry = Registry::start(work)?;
    let name = format!("127.0.0.1:{}/user/test:latest", registry.port);
    sh(&format!("berth tag ubuntu:14.04 {name}"))?;
    sh(&format!("berth push {name}"))?;
    sh(&format!("berth rmi {name}"))?;
    sh(&format!("berth pull {name}"))?;
    sh(&format!("berth search 127.0.0.1:{}/user", registry.port))?;
    drop(registry);

    if berth_has_command(berth, "run") && (util::have("runc") || util::have("crun")) {
        sh("berth run --name demo ubuntu:14.04 echo 'hello! I am here!'")?;
        sh("berth ps -a")?;
        sh("berth commit -m 'Added a new file' -a 'Docker Newbee' demo test:0.1")?;
        sh("berth rm demo")?;
        // The chapter's third way: an image from a Dockerfile.
        write_build_context(work)?;
        sh("cat sinatra/Dockerfile")?;
        sh("berth build -t ouruser/sinatra:v2 sinatra")?;
        sh("berth run --rm ouruser/sinatra:v2")?;
        sh("berth history ouruser/sinatra:v2")?;
        sh("berth images")?;
    }
    sh("berth system df")?;
    sh("berth system check")?;
    eprintln!("\ndemo: every step succeeded");
    Ok(())
}

/// The build context of the demo's `berth build`: a Dockerfile in the chapter's spirit (its
/// comment, MAINTAINER, RUN steps) and a file it copies, for the busybox template.
fn write_build_context(work: &Path) -> anyhow::Result<()> {
    let context = work.join("sinatra");
    std::fs::create_dir_all(&context)?;
    std::fs::write(
        context.join("Dockerfile"),
        "# This is a comment\n\
         FROM ubuntu:14.04\n\
         MAINTAINER Docker Newbee <newbee@docker.com>\n\
         RUN echo 'built by berth from a Dockerfile' > /hello\n\
         COPY greeting.txt /srv/\n\
         WORKDIR /srv\n\
         CMD [\"cat\", \"/hello\", \"greeting.txt\"]\n",
    )?;
    std::fs::write(
        context.join("greeting.txt"),
        "hello from the build context\n",
    )?;
    Ok(())
}

/// Prints and runs one shell line with `berth` bound to the built binary and the demo store.
fn shell(line: &str, berth: &Path, root: &Path, work: &Path) -> anyhow::Result<()> {
    eprintln!("\n$ {line}");
    let script = format!(
        "berth() {{ '{}' --root '{}' \"$@\"; }}\n{line}",
        berth.display(),
        root.display()
    );
    let status = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(work)
        .status()?;
    if !status.success() {
        bail!("demo step failed: {line}");
    }
    Ok(())
}

fn berth_has_command(berth: &Path, name: &str) -> bool {
    Command::new(berth)
        .args([name, "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A small OS template: busybox-static with its applets, /etc/passwd, /tmp, /root; gzip-compressed.
fn make_rootfs(work: &Path) -> anyhow::Result<PathBuf> {
    let tree = work.join("rootfs");
    for dir in ["bin", "etc", "tmp", "root"] {
        std::fs::create_dir_all(tree.join(dir))?;
    }
    std::fs::copy("/bin/busybox", tree.join("bin/busybox"))
        .context("busybox-static is needed for the demo")?;
    for applet in ["sh", "echo", "ls", "cat", "touch", "rm", "mkdir"] {
        std::os::unix::fs::symlink("busybox", tree.join("bin").join(applet))?;
    }
    std::fs::write(tree.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n")?;
    std::fs::write(tree.join("etc/group"), "root:x:0:\n")?;
    let tarball = work.join("ubuntu-14.04-x86_64-minimal.tar.gz");
    util::run(
        Command::new("tar")
            .arg("-czf")
            .arg(&tarball)
            .arg("-C")
            .arg(&tree)
            .arg("."),
    )?;
    Ok(tarball)
}

struct Registry {
    child: Child,
    port: u16,
}

impl Registry {
    fn start(work: &Path) -> anyhow::Result<Registry> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let config = work.join("registry.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
                work.join("registry").display()
            ),
        )?;
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("failed to start docker-registry")?;
        let registry = Registry { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("docker-registry did not start");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("\n(started the CNCF registry on 127.0.0.1:{port})");
        Ok(registry)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
