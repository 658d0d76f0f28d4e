//! `ps --filter`, table by table, on containers made in memory.

use berth_digest::Digest;

use super::*;
use crate::{
    record::{Record, State},
    rootfs::RootfsKind,
    spec::{Bind, HostConfig, Network},
    ContainerId, Status,
};

const IMAGE_ID: &str = "sha256:415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27";

/// A container: `web`, made from `busybox` (the image above), labelled `tier=front`, bind-mounting
/// `/srv` at `/data`, on no network, in `status` with `exit_code`.
fn container(status: Status, exit_code: Option<i32>) -> Container {
    let mut config = berth_manifest::ContainerConfig::default();
    config.labels.insert("tier".into(), "front".into());
    Container {
        record: Record {
            id: ContainerId::parse(
                "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
            )
            .unwrap(),
            name: "web".into(),
            created: "2026-01-01T00:00:00.000000000Z".into(),
            image: "busybox".into(),
            image_id: Digest::parse(IMAGE_ID).unwrap(),
            image_manifest: Digest::sha256(b"manifest"),
            config,
            host: HostConfig {
                network: Network::None,
                binds: vec![Bind {
                    source: "/srv".into(),
                    destination: "/data".into(),
                    read_only: false,
                }],
                ..HostConfig::default()
            },
            rootfs: RootfsKind::Copy,
            runtime: "runc".into(),
        },
        state: State {
            status,
            exit_code,
            ..State::default()
        },
        dir: std::path::PathBuf::new(),
    }
}

fn filter(pairs: &[&str]) -> Result<ContainerFilter> {
    let mut filter = ContainerFilter::default();
    for pair in pairs {
        let (key, value) = pair.split_once('=').unwrap();
        filter.add(key, value)?;
    }
    Ok(filter)
}

#[test]
fn filters_select_as_docker_does() {
    let running = container(Status::Running, None);
    let exited = container(Status::Exited, Some(3));
    // filters, running passes, exited (3) passes
    let cases: &[(&[&str], bool, bool)] = &[
        (&[], true, true),
        (&["id=abcdef01"], true, true),
        (&["id=bcdef"], false, false),
        (&["id=nope", "id=abc"], true, true),
        (&["name=we"], true, true),
        (&["name=/web"], true, true),
        (&["name=db"], false, false),
        (&["status=running"], true, false),
        (&["status=exited"], false, true),
        (&["status=dead"], false, false),
        (&["status=running", "status=exited"], true, true),
        (&["exited=3"], false, true),
        (&["exited=0"], false, false),
        (&["exited=0", "exited=3"], false, true),
        (&["ancestor=busybox"], true, true),
        (&["ancestor=busybox:latest"], true, true),
        (&["ancestor=docker.io/library/busybox"], true, true),
        (&["ancestor=415e85863be7"], true, true),
        (
            &[concat!(
                "ancestor=",
                "sha256:415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27"
            )],
            true,
            true,
        ),
        (&["ancestor=alpine"], false, false),
        (&["network=none"], true, true),
        (&["network=host"], false, false),
        (&["volume=/srv"], true, true),
        (&["volume=/data"], true, true),
        (&["volume=/tmp"], false, false),
        (&["label=tier"], true, true),
        (&["label=tier=front"], true, true),
        (&["label=tier=back"], false, false),
        (&["name=web", "status=exited", "label=tier"], false, true),
    ];
    for (pairs, running_passes, exited_passes) in cases {
        let filter = filter(pairs).unwrap();
        assert_eq!(
            filter.matches(&running),
            *running_passes,
            "{pairs:?} running"
        );
        assert_eq!(filter.matches(&exited), *exited_passes, "{pairs:?} exited");
    }
}

#[test]
fn values_a_key_cannot_take_are_refused() {
    let cases: &[(&str, &str)] = &[
        ("status=up", "invalid filter 'status=up'"),
        ("status=", "invalid filter 'status='"),
        ("exited=x", "invalid filter 'exited=x'"),
        ("exited=", "invalid filter 'exited='"),
        ("nope=1", "Invalid filter 'nope'"),
        ("label!=a", "Invalid filter 'label!'"),
    ];
    for (pair, message) in cases {
        assert_eq!(filter(&[pair]).unwrap_err().to_string(), *message, "{pair}");
    }
}

#[test]
fn status_and_exited_show_stopped_containers() {
    let cases: &[(&[&str], bool)] = &[
        (&[], false),
        (&["name=web"], false),
        (&["status=running"], true),
        (&["exited=0"], true),
        (&["before=web"], false),
    ];
    for (pairs, all) in cases {
        assert_eq!(filter(pairs).unwrap().shows_all(), *all, "{pairs:?}");
    }
}

#[test]
fn keys_are_those_docker_knows() {
    for key in ContainerFilter::KEYS {
        let value = if *key == "exited" { "0" } else { "running" };
        assert!(filter(&[&format!("{key}={value}")]).is_ok(), "{key}");
    }
}
