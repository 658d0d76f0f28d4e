//! The OCI runtime bundle's `config.json`, from the container's config and its host settings.
//!
//! What Docker does by default, minus the daemon: the image's Entrypoint + Cmd, Env (with `PATH`,
//! `HOSTNAME`, `HOME` and `TERM` filled in like moby's `daemon/oci_linux.go`), WorkingDir, the user
//! resolved from the image's own passwd file, Docker's default capability set, mount/pid/ipc/uts
//! namespaces, host networking unless `--network none` asks for a fresh network namespace (or a
//! build's default network, [`crate::UserNetwork`], gives it one), `/etc/hosts` (with `--add-host`
//! lines), `/etc/resolv.conf`, `/etc/hostname` bind-mounted from the container's directory, a
//! `/dev/shm` of `--shm-size` and the `--ulimit` rlimits.

mod settings;

pub use settings::{parse_shm_size, ExtraHost, Ulimit, DEFAULT_SHM_SIZE};

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
    /// A new network namespace with outbound access through slirp4netns and no way to the host's
    /// loopback services: a build's `--network default` ([`crate::UserNetwork`] sets it up; until
    /// its path is put into the spec the namespace is empty, so a forgotten step fails closed).
    #[serde(rename = "slirp4netns")]
    Slirp,
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

    /// A build's `--network` (BuildKit's modes): `default` is the user-mode network.
    pub fn parse_build(value: &str) -> Result<Network> {
        match value {
            "default" | "" => Ok(Network::Slirp),
            "host" => Ok(Network::Host),
            "none" => Ok(Network::None),
            _ => Err(Error::BuildNetworkMode(value.to_owned())),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Network::Host => "host",
            Network::None => "none",
            Network::Slirp => "slirp4netns",
        }
    }

    /// Whether the container gets a network namespace of its own.
    pub fn is_private(self) -> bool {
        self != Network::Host
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
    /// `--add-host`: lines appended to `/etc/hosts`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_hosts: Vec<ExtraHost>,
    /// `--shm-size` in bytes; [`DEFAULT_SHM_SIZE`] when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shm_size: Option<u64>,
    /// `--ulimit`s, in the order given (a later one of the same name wins).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ulimits: Vec<Ulimit>,
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
    let rlimits =
        settings::apply_ulimits(process.rlimits().clone().unwrap_or_default(), &host.ulimits)?;
    process.set_rlimits(Some(rlimits));

    let mut spec = Spec::default();
    spec.set_process(Some(process));
    spec.set_hostname(Some(hostname.to_owned()));
    if let Some(root) = spec.root_mut() {
        root.set_path("rootfs".into());
        root.set_readonly(Some(false));
    }
    let mut mounts = spec.mounts().clone().unwrap_or_default();
    let shm_size = host.shm_size.unwrap_or(DEFAULT_SHM_SIZE);
    for mount in &mut mounts {
        if mount.destination() == Path::new("/dev/shm") {
            let options = ["nosuid", "noexec", "nodev", "mode=1777"]
                .into_iter()
                .map(str::to_owned)
                .chain([format!("size={shm_size}")])
                .collect();
            mount.set_options(Some(options));
        }
    }
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
        if host.network.is_private() {
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

/// Writes a container's `hosts`, `resolv.conf` and `hostname` into `etc_dir` (atomically), the files
/// [`build_spec`] bind-mounts over the rootfs's.
pub fn write_etc_files(etc_dir: &Path, host: &HostConfig, hostname: &str) -> Result<()> {
    std::fs::create_dir_all(etc_dir).map_err(Error::io(format!("create {}", etc_dir.display())))?;
    crate::record::write_atomic(
        &etc_dir.join("hosts"),
        hosts_file(host, hostname).as_bytes(),
    )?;
    crate::record::write_atomic(
        &etc_dir.join("resolv.conf"),
        resolv_conf(host.network).as_bytes(),
    )?;
    crate::record::write_atomic(
        &etc_dir.join("hostname"),
        format!("{hostname}\n").as_bytes(),
    )
}

/// `/etc/hosts` for a container: the host's with host networking (as Docker), else loopback only,
/// then the `--add-host` lines, then (in a namespace of its own) the container's own name: on its
/// slirp4netns address, or on loopback when it has no other.
pub fn hosts_file(host: &HostConfig, hostname: &str) -> String {
    let base = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n\
                fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n\
                ff02::2\tip6-allrouters\n";
    let mut hosts = match host.network {
        Network::Host => std::fs::read_to_string("/etc/hosts").unwrap_or_else(|_| base.to_owned()),
        Network::None | Network::Slirp => base.to_owned(),
    };
    if !hosts.is_empty() && !hosts.ends_with('\n') {
        hosts.push('\n');
    }
    for extra in &host.extra_hosts {
        hosts.push_str(&extra.line());
    }
    match host.network {
        Network::Host => {}
        Network::None => hosts.push_str("127.0.0.1"),
        Network::Slirp => hosts.push_str(crate::network::SLIRP_GUEST_ADDRESS),
    }
    if host.network.is_private() {
        hosts.push('\t');
        hosts.push_str(hostname);
        hosts.push('\n');
    }
    hosts
}

/// `/etc/resolv.conf`: the host's, without loopback name servers unless the container shares the
/// host's network (a `127.0.0.53` resolver is unreachable from a new network namespace). On the
/// user-mode network, slirp4netns's DNS forwarder is the only name server (it asks the host's).
pub fn resolv_conf(network: Network) -> String {
    let host = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    resolv_conf_from(&host, network)
}

fn resolv_conf_from(host: &str, network: Network) -> String {
    if network == Network::Host {
        return host.to_owned();
    }
    let keep = |line: &&str| {
        let mut words = line.split_whitespace();
        let is_nameserver = words.next() == Some("nameserver");
        match network {
            Network::Host | Network::None => {
                !(is_nameserver
                    && words
                        .next()
                        .is_some_and(|ip| ip.starts_with("127.") || ip == "::1"))
            }
            Network::Slirp => !is_nameserver,
        }
    };
    let mut out = String::new();
    if network == Network::Slirp {
        out.push_str("nameserver ");
        out.push_str(crate::network::SLIRP_DNS_ADDRESS);
        out.push('\n');
    }
    for line in host.lines().filter(keep) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests;
