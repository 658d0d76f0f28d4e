//! The OCI runtime bundle's `config.json`, from the container's config and its host settings.
//!
//! What Docker does by default, minus the daemon: the image's Entrypoint + Cmd, Env (with `PATH`,
//! `HOSTNAME`, `HOME` and `TERM` filled in like moby's `daemon/oci_linux.go`), WorkingDir, the user
//! resolved from the image's own passwd file, Docker's default capability set, mount/pid/ipc/uts
//! namespaces, host networking unless `--network none` asks for a fresh network namespace, and
//! `/etc/hosts`, `/etc/resolv.conf`, `/etc/hostname` bind-mounted from the container's directory.

use std::{collections::HashSet, path::Path};

use berth_manifest::ContainerConfig;
use oci_spec::runtime::{
    Capability, LinuxCapabilities, LinuxNamespace, LinuxNamespaceType, Mount, Process, Spec, User,
};
use serde::{Deserialize, Serialize};

use crate::{
    error::{Error, Result},
    unpack::path::RootPath,
    user::ExecUser,
};

/// `PATH` when the image sets none (moby's `oci.DefaultPathEnv` on Linux).
pub const DEFAULT_PATH_ENV: &str =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Docker's default capabilities (moby `oci/caps/defaults.go`).
const DEFAULT_CAPABILITIES: &[Capability] = &[
    Capability::Chown,
    Capability::DacOverride,
    Capability::Fsetid,
    Capability::Fowner,
    Capability::Mknod,
    Capability::NetRaw,
    Capability::Setgid,
    Capability::Setuid,
    Capability::Setfcap,
    Capability::Setpcap,
    Capability::NetBindService,
    Capability::SysChroot,
    Capability::Kill,
    Capability::AuditWrite,
];

/// The network a container joins.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    /// The host's network namespace (berth has no bridge; Docker's `--network host`).
    #[default]
    Host,
    /// A new network namespace with only a loopback device.
    None,
}

impl Network {
    pub fn parse(value: &str) -> Result<Network> {
        match value {
            "host" | "default" => Ok(Network::Host),
            "none" => Ok(Network::None),
            _ => Err(Error::InvalidArgument {
                what: "network (berth supports host and none)",
                value: value.to_owned(),
            }),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Network::Host => "host",
            Network::None => "none",
        }
    }
}

/// A `-v HOST:CONTAINER[:ro]` bind mount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bind {
    pub source: String,
    pub destination: String,
    pub read_only: bool,
}

impl Bind {
    /// Parses Docker's short syntax. The destination is cleaned inside the container's root
    /// (`/../../etc` becomes `/etc`); runc resolves it inside the rootfs as well.
    pub fn parse(spec: &str) -> Result<Bind> {
        let invalid = || Error::InvalidArgument {
            what: "volume specification",
            value: spec.to_owned(),
        };
        let parts: Vec<&str> = spec.split(':').collect();
        let (source, destination, mode) = match parts.as_slice() {
            [source, destination] => (*source, *destination, ""),
            [source, destination, mode] => (*source, *destination, *mode),
            _ => return Err(invalid()),
        };
        if !source.starts_with('/') || !destination.starts_with('/') {
            return Err(invalid());
        }
        let mut read_only = false;
        for option in mode.split(',').filter(|o| !o.is_empty()) {
            match option {
                "ro" => read_only = true,
                "rw" | "z" | "Z" | "rprivate" | "private" => {}
                _ => return Err(invalid()),
            }
        }
        let destination = RootPath::clean_clamped(destination.as_bytes()).to_absolute();
        if destination == "/" {
            return Err(invalid());
        }
        Ok(Bind {
            source: source.to_owned(),
            destination,
            read_only,
        })
    }
}

/// Settings of a container that are not part of an image config (Docker's `HostConfig` and friends).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostConfig {
    #[serde(default)]
    pub binds: Vec<Bind>,
    #[serde(default)]
    pub network: Network,
    #[serde(default)]
    pub auto_remove: bool,
    #[serde(default)]
    pub tty: bool,
    #[serde(default)]
    pub open_stdin: bool,
    /// `-h`; the short ID when empty.
    #[serde(default)]
    pub hostname: String,
    /// `--runtime`; found on PATH (`runc`, then `crun`) when empty.
    #[serde(default)]
    pub runtime: String,
    /// `run -d`: nothing attached (Docker's `Config.AttachStdout` and `AttachStderr` are false,
    /// as a committed image's `ContainerConfig` shows).
    #[serde(default)]
    pub detached: bool,
}

/// The process arguments: Entrypoint then Cmd (Docker's rule).
pub fn process_args(config: &ContainerConfig) -> Vec<String> {
    config
        .entrypoint
        .iter()
        .chain(config.cmd.iter())
        .cloned()
        .collect()
}

/// The environment: the config's, then what Docker adds when missing.
pub fn process_env(config: &ContainerConfig, hostname: &str, home: &str, tty: bool) -> Vec<String> {
    let mut env: Vec<String> = Vec::new();
    let has = |env: &[String], key: &str| {
        env.iter()
            .any(|e| e.split_once('=').map_or(e.as_str(), |(k, _)| k) == key)
    };
    if !has(&config.env, "PATH") {
        env.push(DEFAULT_PATH_ENV.to_owned());
    }
    env.push(format!("HOSTNAME={hostname}"));
    if tty {
        env.push("TERM=xterm".to_owned());
    }
    // Later entries win: the config's own (image + `-e`) values override the defaults above.
    for entry in &config.env {
        let key = entry.split_once('=').map_or(entry.as_str(), |(k, _)| k);
        env.retain(|e| e.split_once('=').map_or(e.as_str(), |(k, _)| k) != key);
        env.push(entry.clone());
    }
    if !has(&env, "HOME") {
        env.push(format!("HOME={home}"));
    }
    env
}

/// Builds `config.json`. `etc_dir` holds the container's `hosts`, `resolv.conf` and `hostname`.
pub fn build_spec(
    config: &ContainerConfig,
    host: &HostConfig,
    user: &ExecUser,
    hostname: &str,
    etc_dir: &Path,
) -> Result<Spec> {
    let args = process_args(config);
    if args.is_empty() {
        return Err(Error::InvalidArgument {
            what: "command",
            value: "no command specified".to_owned(),
        });
    }
    let cwd = working_dir(&config.working_dir)?;
    let mut process = Process::default();
    process.set_terminal(Some(host.tty));
    process.set_args(Some(args));
    process.set_env(Some(process_env(config, hostname, &user.home, host.tty)));
    process.set_cwd(cwd.into());
    let mut process_user = User::default();
    process_user.set_uid(user.uid);
    process_user.set_gid(user.gid);
    if !user.additional_gids.is_empty() {
        process_user.set_additional_gids(Some(user.additional_gids.clone()));
    }
    process.set_user(process_user);
    let capabilities: HashSet<Capability> = DEFAULT_CAPABILITIES.iter().copied().collect();
    let mut caps = LinuxCapabilities::default();
    caps.set_bounding(Some(capabilities.clone()));
    caps.set_effective(Some(capabilities.clone()));
    caps.set_permitted(Some(capabilities));
    caps.set_inheritable(None);
    caps.set_ambient(None);
    process.set_capabilities(Some(caps));
    // Docker leaves no_new_privileges off, so set-user-ID programs (sudo, su) work as they do there.
    process.set_no_new_privileges(Some(false));

    let mut spec = Spec::default();
    spec.set_process(Some(process));
    spec.set_hostname(Some(hostname.to_owned()));
    if let Some(root) = spec.root_mut() {
        root.set_path("rootfs".into());
        root.set_readonly(Some(false));
    }
    let mut mounts = spec.mounts().clone().unwrap_or_default();
    for name in ["hosts", "resolv.conf", "hostname"] {
        mounts.push(bind_mount(
            &etc_dir.join(name).to_string_lossy(),
            &format!("/etc/{name}"),
            false,
        ));
    }
    for bind in &host.binds {
        mounts.push(bind_mount(&bind.source, &bind.destination, bind.read_only));
    }
    spec.set_mounts(Some(mounts));
    if let Some(linux) = spec.linux_mut() {
        let mut namespaces = vec![
            namespace(LinuxNamespaceType::Pid),
            namespace(LinuxNamespaceType::Ipc),
            namespace(LinuxNamespaceType::Uts),
            namespace(LinuxNamespaceType::Mount),
        ];
        if host.network == Network::None {
            namespaces.push(namespace(LinuxNamespaceType::Network));
        }
        linux.set_namespaces(Some(namespaces));
    }
    spec.set_annotations(None);
    Ok(spec)
}

fn namespace(typ: LinuxNamespaceType) -> LinuxNamespace {
    let mut ns = LinuxNamespace::default();
    ns.set_typ(typ);
    ns
}

fn bind_mount(source: &str, destination: &str, read_only: bool) -> Mount {
    let mut mount = Mount::default();
    mount.set_destination(destination.into());
    mount.set_typ(Some("bind".to_owned()));
    mount.set_source(Some(source.into()));
    let mut options = vec!["rbind".to_owned(), "rprivate".to_owned()];
    if read_only {
        options.push("ro".to_owned());
    }
    mount.set_options(Some(options));
    mount
}

/// The process's working directory: absolute, cleaned inside the root, and never under `/proc`
/// (CVE-2024-21626 used `WORKDIR /proc/self/fd/N` to reach a leaked host fd).
fn working_dir(dir: &str) -> Result<String> {
    if dir.is_empty() {
        return Ok("/".to_owned());
    }
    if !dir.starts_with('/') {
        return Err(Error::InvalidArgument {
            what: "working directory (must be absolute)",
            value: dir.to_owned(),
        });
    }
    let cleaned = RootPath::clean_clamped(dir.as_bytes()).to_absolute();
    if cleaned == "/proc" || cleaned.starts_with("/proc/") {
        return Err(Error::InvalidArgument {
            what: "working directory",
            value: dir.to_owned(),
        });
    }
    Ok(cleaned)
}

/// `/etc/hosts` for a container: the host's with host networking (as Docker), else loopback only.
pub fn hosts_file(network: Network, hostname: &str) -> String {
    let base = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n\
                fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n\
                ff02::2\tip6-allrouters\n";
    match network {
        Network::Host => std::fs::read_to_string("/etc/hosts").unwrap_or_else(|_| base.to_owned()),
        Network::None => format!("{base}127.0.0.1\t{hostname}\n"),
    }
}

/// `/etc/resolv.conf`: the host's, without loopback name servers unless the container shares the
/// host's network (a `127.0.0.53` resolver is unreachable from a new network namespace).
pub fn resolv_conf(network: Network) -> String {
    let host = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    match network {
        Network::Host => host,
        Network::None => host
            .lines()
            .filter(|line| {
                let mut words = line.split_whitespace();
                !(words.next() == Some("nameserver")
                    && words
                        .next()
                        .is_some_and(|ip| ip.starts_with("127.") || ip == "::1"))
            })
            .fold(String::new(), |mut out, line| {
                out.push_str(line);
                out.push('\n');
                out
            }),
    }
}

#[cfg(test)]
mod tests;
