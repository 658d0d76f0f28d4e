use std::path::Path;

use berth_manifest::parse_config;

use super::*;

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
