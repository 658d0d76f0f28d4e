use std::path::Path;

use berth_manifest::parse_config;

use oci_spec::runtime::PosixRlimitType;

use super::*;

/// A table row: the input and what it parses to, or the error message.
type Row<T> = (&'static str, Result<T, &'static str>);

/// Builds the spec for an image config (JSON) and run overrides, and returns its process and namespaces.
fn bundle(image_config: &str, host: &HostConfig) -> Result<Spec> {
    let config = parse_config(image_config.as_bytes()).unwrap();
    let container_config = config.config.unwrap_or_default();
    let passwd = "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33:www:/var/www:/bin/false\n";
    let user = crate::user::resolve_user(&container_config.user, passwd, "root:x:0:\n")?;
    build_spec(
        &container_config,
        host,
        &user,
        "0123456789ab",
        Path::new("/c/etc"),
    )
}

struct Expected {
    args: &'static [&'static str],
    env: &'static [&'static str],
    cwd: &'static str,
    uid: u32,
}

fn check(image_config: &str, host: &HostConfig, expected: &Expected) {
    let spec = bundle(image_config, host).unwrap();
    let process = spec.process().as_ref().unwrap();
    assert_eq!(
        process.args().as_ref().unwrap(),
        expected.args,
        "{image_config}"
    );
    assert_eq!(
        process.env().as_ref().unwrap(),
        expected.env,
        "{image_config}"
    );
    assert_eq!(
        process.cwd().to_str().unwrap(),
        expected.cwd,
        "{image_config}"
    );
    assert_eq!(process.user().uid(), expected.uid, "{image_config}");
    assert_eq!(process.terminal(), Some(host.tty));
    assert_eq!(spec.hostname().as_deref(), Some("0123456789ab"));
    assert_eq!(
        spec.root().as_ref().unwrap().path().to_str(),
        Some("rootfs")
    );
}

const ROOTFS: &str = r#""rootfs":{"type":"layers","diff_ids":[]}"#;

#[test]
fn process_from_image_config() {
    let host = HostConfig::default();
    let cases: &[(String, Expected)] = &[
        (
            format!(r#"{{"config":{{"Cmd":["/bin/sh"]}},{ROOTFS}}}"#),
            Expected {
                args: &["/bin/sh"],
                env: &[DEFAULT_PATH_ENV, "HOSTNAME=0123456789ab", "HOME=/root"],
                cwd: "/",
                uid: 0,
            },
        ),
        (
            format!(
                r#"{{"config":{{"Entrypoint":["/entry","-x"],"Cmd":["serve"],"Env":["PATH=/bin","A=1"],"WorkingDir":"/srv/../app","User":"www"}},{ROOTFS}}}"#
            ),
            Expected {
                args: &["/entry", "-x", "serve"],
                env: &["HOSTNAME=0123456789ab", "PATH=/bin", "A=1", "HOME=/var/www"],
                cwd: "/app",
                uid: 33,
            },
        ),
        (
            format!(
                r#"{{"config":{{"Cmd":["true"],"Env":["HOME=/h","HOSTNAME=mine"]}},{ROOTFS}}}"#
            ),
            Expected {
                args: &["true"],
                env: &[DEFAULT_PATH_ENV, "HOME=/h", "HOSTNAME=mine"],
                cwd: "/",
                uid: 0,
            },
        ),
    ];
    for (config, expected) in cases {
        check(config, &host, expected);
    }
    let tty = HostConfig {
        tty: true,
        ..HostConfig::default()
    };
    check(
        &format!(r#"{{"config":{{"Cmd":["sh"]}},{ROOTFS}}}"#),
        &tty,
        &Expected {
            args: &["sh"],
            env: &[
                DEFAULT_PATH_ENV,
                "HOSTNAME=0123456789ab",
                "TERM=xterm",
                "HOME=/root",
            ],
            cwd: "/",
            uid: 0,
        },
    );
}

#[test]
fn refused_configs() {
    let host = HostConfig::default();
    let cases = [
        (
            format!(r#"{{"config":{{}},{ROOTFS}}}"#),
            "invalid command: no command specified",
        ),
        (
            format!(r#"{{"config":{{"Cmd":["x"],"WorkingDir":"/proc/self/fd/7"}},{ROOTFS}}}"#),
            "invalid working directory: /proc/self/fd/7",
        ),
        (
            format!(r#"{{"config":{{"Cmd":["x"],"WorkingDir":"/../proc/1/cwd"}},{ROOTFS}}}"#),
            "invalid working directory: /../proc/1/cwd",
        ),
        (
            format!(r#"{{"config":{{"Cmd":["x"],"User":"nobody"}},{ROOTFS}}}"#),
            "unable to find user nobody: no matching entries in passwd file",
        ),
    ];
    for (config, message) in cases {
        assert_eq!(
            bundle(&config, &host).unwrap_err().to_string(),
            message,
            "{config}"
        );
    }
}

#[test]
fn namespaces_and_mounts() {
    let config = format!(r#"{{"config":{{"Cmd":["x"]}},{ROOTFS}}}"#);
    let namespaces = |spec: &Spec| -> Vec<LinuxNamespaceType> {
        let linux = spec.linux().as_ref().unwrap();
        linux
            .namespaces()
            .as_ref()
            .unwrap()
            .iter()
            .map(LinuxNamespace::typ)
            .collect()
    };
    let spec = bundle(&config, &HostConfig::default()).unwrap();
    assert_eq!(
        namespaces(&spec),
        [
            LinuxNamespaceType::Pid,
            LinuxNamespaceType::Ipc,
            LinuxNamespaceType::Uts,
            LinuxNamespaceType::Mount
        ]
    );
    let none = HostConfig {
        network: Network::None,
        binds: vec![Bind::parse("/data:/../../etc/data:ro").unwrap()],
        ..HostConfig::default()
    };
    let spec = bundle(&config, &none).unwrap();
    assert!(namespaces(&spec).contains(&LinuxNamespaceType::Network));
    let mounts = spec.mounts().as_ref().unwrap();
    let find = |dest: &str| {
        mounts
            .iter()
            .find(|m| m.destination().to_str() == Some(dest))
    };
    assert_eq!(
        find("/etc/hosts")
            .unwrap()
            .source()
            .as_ref()
            .unwrap()
            .to_str(),
        Some("/c/etc/hosts")
    );
    assert!(find("/etc/resolv.conf").is_some());
    let data = find("/etc/data").unwrap();
    assert!(data.options().as_ref().unwrap().contains(&"ro".to_owned()));
}

#[test]
fn binds() {
    type Expected = Option<(&'static str, &'static str, bool)>;
    let cases: &[(&str, Expected)] = &[
        ("/a:/b", Some(("/a", "/b", false))),
        ("/a:/b:ro", Some(("/a", "/b", true))),
        ("/a:/b/../c:rw", Some(("/a", "/c", false))),
        ("/a:/../../etc", Some(("/a", "/etc", false))),
        ("a:/b", None),
        ("/a:b", None),
        ("/a:/", None),
        ("/a:/b:bogus", None),
        ("/a", None),
    ];
    for (spec, expected) in cases {
        let actual = Bind::parse(spec).ok();
        let expected = expected.map(|(s, d, ro)| Bind {
            source: s.to_owned(),
            destination: d.to_owned(),
            read_only: ro,
        });
        assert_eq!(actual, expected, "{spec}");
    }
}

#[test]
fn add_host_as_docker_20_10_parses_it() {
    let cases: &[Row<(&str, &str)>] = &[
        ("db:10.0.0.7", Ok(("db", "10.0.0.7"))),
        ("v6:::1", Ok(("v6", "::1"))),
        ("v6:2001:db8::1", Ok(("v6", "2001:db8::1"))),
        (
            "nocolon",
            Err(
                r#"invalid argument "nocolon" for "--add-host" flag: bad format for add-host: "nocolon""#,
            ),
        ),
        (
            ":1.2.3.4",
            Err(
                r#"invalid argument ":1.2.3.4" for "--add-host" flag: bad format for add-host: ":1.2.3.4""#,
            ),
        ),
        (
            "db:300.1.1.1",
            Err(
                r#"invalid argument "db:300.1.1.1" for "--add-host" flag: invalid IP address in add-host: "300.1.1.1""#,
            ),
        ),
        (
            "db:",
            Err(
                r#"invalid argument "db:" for "--add-host" flag: invalid IP address in add-host: """#,
            ),
        ),
        (
            "gw:host-gateway",
            Err("unable to derive the IP value for host-gateway"),
        ),
    ];
    for (input, expected) in cases {
        let got = ExtraHost::parse(input)
            .map(|h| (h.host, h.ip))
            .map_err(|e| e.to_string());
        let expected = expected
            .map(|(h, ip)| (h.to_owned(), ip.to_owned()))
            .map_err(str::to_owned);
        assert_eq!(got, expected, "{input}");
    }
}

#[test]
fn shm_size_as_go_units_parses_it() {
    let cases: &[Row<u64>] = &[
        ("64m", Ok(64 << 20)),
        ("1g", Ok(1 << 30)),
        ("1GiB", Ok(1 << 30)),
        ("2 kb", Ok(2048)),
        ("1.5k", Ok(1536)),
        ("1024", Ok(1024)),
        ("0", Ok(DEFAULT_SHM_SIZE)),
        ("1b", Ok(1)),
        (
            "x",
            Err(r#"invalid argument "x" for "--shm-size" flag: invalid size: 'x'"#),
        ),
        (
            "-1m",
            Err(r#"invalid argument "-1m" for "--shm-size" flag: invalid size: '-1m'"#),
        ),
        (
            "1mm",
            Err(r#"invalid argument "1mm" for "--shm-size" flag: invalid size: '1mm'"#),
        ),
        (
            "1.m",
            Err(r#"invalid argument "1.m" for "--shm-size" flag: invalid size: '1.m'"#),
        ),
        (
            "1.2.3m",
            Err(
                r#"invalid argument "1.2.3m" for "--shm-size" flag: strconv.ParseFloat: parsing "1.2.3": invalid syntax"#,
            ),
        ),
    ];
    for (input, expected) in cases {
        let got = parse_shm_size(input).map_err(|e| e.to_string());
        assert_eq!(got, expected.map_err(str::to_owned), "{input}");
    }
}

#[test]
fn ulimit_as_go_units_parses_it() {
    let cases: &[Row<(i64, i64)>] = &[
        ("nofile=512", Ok((512, 512))),
        ("nofile=512:1024", Ok((512, 1024))),
        ("core=-1", Ok((-1, -1))),
        ("core=0:-1", Ok((0, -1))),
        ("stack=infinity", Ok((-1, -1))),
        ("nofile", Err(r#"invalid argument "nofile" for "--ulimit" flag: invalid ulimit argument: nofile"#)),
        ("as=1", Err(r#"invalid argument "as=1" for "--ulimit" flag: invalid ulimit type: as"#)),
        (
            "nofile=x",
            Err(r#"invalid argument "nofile=x" for "--ulimit" flag: strconv.ParseInt: parsing "x": invalid syntax"#),
        ),
        (
            "nofile=1:2:3",
            Err("invalid argument \"nofile=1:2:3\" for \"--ulimit\" flag: too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`"),
        ),
        (
            "nofile=2048:1024",
            Err(r#"invalid argument "nofile=2048:1024" for "--ulimit" flag: ulimit soft limit must be less than or equal to hard limit: 2048 > 1024"#),
        ),
        (
            "nofile=-1:1024",
            Err(r#"invalid argument "nofile=-1:1024" for "--ulimit" flag: ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: 1024"#),
        ),
    ];
    for (input, expected) in cases {
        let got = Ulimit::parse(input)
            .map(|u| (u.soft, u.hard))
            .map_err(|e| e.to_string());
        assert_eq!(got, expected.map_err(str::to_owned), "{input}");
    }
}

#[test]
fn shm_size_and_ulimits_reach_the_spec() {
    let host = HostConfig {
        shm_size: Some(8 << 20),
        ulimits: vec![
            Ulimit::parse("nofile=100:200").unwrap(),
            Ulimit::parse("core=-1").unwrap(),
            Ulimit::parse("nofile=300").unwrap(),
        ],
        ..HostConfig::default()
    };
    let spec = bundle(
        &format!(r#"{{"config":{{"Cmd":["/bin/sh"]}},{ROOTFS}}}"#),
        &host,
    )
    .unwrap();
    let rlimits: Vec<_> = spec.process().as_ref().unwrap().rlimits().clone().unwrap();
    let got: Vec<_> = rlimits
        .iter()
        .map(|r| (r.typ(), r.soft(), r.hard()))
        .collect();
    assert_eq!(
        got,
        [
            (PosixRlimitType::RlimitCore, u64::MAX, u64::MAX),
            (PosixRlimitType::RlimitNofile, 300, 300),
        ]
    );
    let shm = spec
        .mounts()
        .as_ref()
        .unwrap()
        .iter()
        .find(|m| m.destination() == Path::new("/dev/shm"))
        .unwrap();
    assert!(shm
        .options()
        .as_ref()
        .unwrap()
        .contains(&"size=8388608".to_owned()));
    // Docker's default when no --shm-size is given.
    let spec = bundle(
        &format!(r#"{{"config":{{"Cmd":["/bin/sh"]}},{ROOTFS}}}"#),
        &HostConfig::default(),
    )
    .unwrap();
    let options = spec
        .mounts()
        .as_ref()
        .unwrap()
        .iter()
        .find(|m| m.destination() == Path::new("/dev/shm"))
        .unwrap()
        .options()
        .clone()
        .unwrap();
    assert!(options.contains(&"size=67108864".to_owned()), "{options:?}");
}

#[test]
fn etc_files_of_each_network() {
    let extra = vec![ExtraHost::parse("db:10.0.0.7").unwrap()];
    let hosts = |network| {
        hosts_file(
            &HostConfig {
                network,
                extra_hosts: extra.clone(),
                ..HostConfig::default()
            },
            "box",
        )
    };
    assert!(
        hosts(Network::None).ends_with("ff02::2\tip6-allrouters\n10.0.0.7\tdb\n127.0.0.1\tbox\n")
    );
    assert!(hosts(Network::Slirp).ends_with("10.0.0.7\tdb\n10.0.2.100\tbox\n"));
    assert!(hosts(Network::Host).ends_with("10.0.0.7\tdb\n"));
    let host = "nameserver 127.0.0.53\nnameserver 10.1.1.1\nsearch example.org\noptions ndots:2\n";
    let cases = [
        (Network::Host, host),
        (
            Network::None,
            "nameserver 10.1.1.1\nsearch example.org\noptions ndots:2\n",
        ),
        (
            Network::Slirp,
            "nameserver 10.0.2.3\nsearch example.org\noptions ndots:2\n",
        ),
    ];
    for (network, expected) in cases {
        assert_eq!(resolv_conf_from(host, network), expected, "{network:?}");
    }
}

#[test]
fn build_networks_are_buildkits() {
    let cases = [
        ("default", Ok(Network::Slirp)),
        ("host", Ok(Network::Host)),
        ("none", Ok(Network::None)),
        (
            "bridge",
            Err(r#"network mode "bridge" not supported by buildkit"#),
        ),
    ];
    for (input, expected) in cases {
        let got = Network::parse_build(input).map_err(|e| e.to_string());
        assert_eq!(got, expected.map_err(str::to_owned), "{input}");
    }
    // A slirp4netns container gets a namespace of its own even before the build network's path
    // is put in: a forgotten join leaves it without network, never on the host's.
    let host = HostConfig {
        network: Network::Slirp,
        ..HostConfig::default()
    };
    let spec = bundle(
        &format!(r#"{{"config":{{"Cmd":["/bin/sh"]}},{ROOTFS}}}"#),
        &host,
    )
    .unwrap();
    let namespaces = spec.linux().as_ref().unwrap().namespaces().clone().unwrap();
    assert!(namespaces.iter().any(
        |ns| ns.typ() == oci_spec::runtime::LinuxNamespaceType::Network && ns.path().is_none()
    ));
}
