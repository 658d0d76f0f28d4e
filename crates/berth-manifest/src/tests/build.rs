//! Builders: import and commit configs against Docker's fixture configs, manifests, timestamps.

use time::macros::datetime;

use crate::timefmt::{format_rfc3339_nano, parse_rfc3339};
use crate::{
    commit_config, descriptor, image_manifest, import_config, index_bytes, manifest_bytes,
    media_type, parse_config, parse_document, CommitOptions, ContainerConfig, Document,
    ImportOptions, Platform, EMPTY_TAR_DIFF_ID,
};

const DOCKER_BASE_CONFIG: &[u8] = include_bytes!("../../tests/data/docker-20.10-base-config.json");
const DOCKER_COMMIT_CONFIG: &[u8] =
    include_bytes!("../../tests/data/docker-20.10-commit-config.json");
const SKOPEO_MANIFEST: &[u8] = include_bytes!("../../tests/data/skopeo-oci-manifest.json");
const SKOPEO_INDEX: &[u8] = include_bytes!("../../tests/data/skopeo-oci-index.json");

#[test]
fn timestamps() {
    let cases = [
        (
            "2026-11-27T17:51:08.692423744Z",
            "2026-11-27T17:51:08.692423744Z",
        ),
        ("2026-11-27T17:51:08.100000000Z", "2026-11-27T17:51:08.1Z"),
        ("2026-11-27T17:51:08Z", "2026-11-27T17:51:08Z"),
        (
            "2013-06-13T14:03:50.821769-07:00",
            "2013-06-13T14:03:50.821769-07:00",
        ),
        ("2021-03-04T03:24:42+05:30", "2021-03-04T03:24:42+05:30"),
    ];
    for (input, want) in cases {
        assert_eq!(
            format_rfc3339_nano(parse_rfc3339(input).unwrap()),
            want,
            "{input}"
        );
    }
    assert!(parse_rfc3339("yesterday").is_err());
}

/// `docker import -m "busybox rootfs" -c 'CMD ["/bin/sh"]' rootfs.tar` (fixture step 1).
#[test]
fn import_matches_docker() {
    let docker = parse_config(DOCKER_BASE_CONFIG).unwrap();
    let platform = Platform::parse("linux/amd64").unwrap();
    let changes = [r#"CMD ["/bin/sh"]"#.to_owned()];
    let options = ImportOptions {
        platform: &platform,
        diff_id: docker.rootfs.diff_ids[0].clone(),
        created: datetime!(2026-11-27 17:51:08.324056559 UTC),
        message: Some("busybox rootfs"),
        source: "-",
        changes: &changes,
    };
    let ours = import_config(&options).unwrap();
    assert_eq!(ours.architecture, docker.architecture);
    assert_eq!(ours.os, docker.os);
    assert_eq!(ours.created, docker.created);
    assert_eq!(ours.comment, docker.comment);
    assert_eq!(ours.history, docker.history);
    assert_eq!(ours.rootfs, docker.rootfs);
    assert_eq!(
        ours.config.as_ref().unwrap().cmd,
        docker.config.as_ref().unwrap().cmd
    );
    assert_eq!(
        String::from_utf8(ours.to_bytes()).unwrap(),
        r#"{"architecture":"amd64","comment":"busybox rootfs","config":{"Cmd":["/bin/sh"]},"created":"2026-11-27T17:51:08.324056559Z","history":[{"created":"2026-11-27T17:51:08.324056559Z","comment":"busybox rootfs"}],"os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:8259289a5efb6e7461d0539ddb964fcc74da080e946d77b5b73613c21ecf0e0d"]}}"#
    );
    assert_eq!(parse_config(&ours.to_bytes()).unwrap(), ours);

    let arm = Platform::parse("linux/arm/v7").unwrap();
    let url = ImportOptions {
        platform: &arm,
        message: None,
        source: "https://example.com/rootfs.tar.gz",
        changes: &[],
        ..options
    };
    let ours = import_config(&url).unwrap();
    assert_eq!(
        ours.comment.as_deref(),
        Some("Imported from https://example.com/rootfs.tar.gz")
    );
    assert_eq!(ours.history[0].comment, ours.comment);
    assert_eq!(ours.history[0].created_by, None);
    assert_eq!(
        (ours.architecture.as_str(), ours.variant.as_deref()),
        ("arm", Some("v7"))
    );
    let stdin = ImportOptions {
        message: Some(""),
        source: "-",
        ..url
    };
    assert_eq!(
        import_config(&stdin).unwrap().comment.as_deref(),
        Some("Imported from -")
    );
    let bad = ImportOptions {
        changes: &["RUN x".to_owned()],
        ..stdin
    };
    assert_eq!(
        import_config(&bad).unwrap_err().to_string(),
        "run is not a valid change command"
    );
}

/// `docker commit -a "Docker Newbee" -m "Added a new file" -c 'ENV GREETING=hello' -c 'WORKDIR /data'`
/// (fixture step 2).
#[test]
fn commit_matches_docker() {
    let base = parse_config(DOCKER_BASE_CONFIG).unwrap();
    let docker = parse_config(DOCKER_COMMIT_CONFIG).unwrap();
    let container: ContainerConfig =
        serde_json::from_value(docker.extra["container_config"].clone()).unwrap();
    let changes = ["ENV GREETING=hello".to_owned(), "WORKDIR /data".to_owned()];
    let options = CommitOptions {
        container_config: &container,
        diff_id: docker.rootfs.diff_ids[1].clone(),
        author: "Docker Newbee",
        comment: "Added a new file",
        changes: &changes,
        created: datetime!(2026-11-27 17:51:08.692423744 UTC),
        container_id: "26d76d3e29b7a3d22b8ddd4ac9e6d7f1ad5cd6e7c3d9bc1f0e6fb9c2f87e2ad4",
    };
    let ours = commit_config(&base, &options).unwrap();
    assert_eq!(ours.history, docker.history);
    assert_eq!(ours.rootfs, docker.rootfs);
    assert_eq!(ours.created, docker.created);
    assert_eq!(ours.author, docker.author);
    assert_eq!(ours.comment, None);
    assert_eq!(ours.display_comment(), "Added a new file");
    let (ours_config, docker_config) = (
        ours.config.as_ref().unwrap(),
        docker.config.as_ref().unwrap(),
    );
    assert_eq!(ours_config.env, docker_config.env);
    assert_eq!(ours_config.cmd, docker_config.cmd);
    assert_eq!(ours_config.working_dir, docker_config.working_dir);
    assert_eq!(ours_config.extra["Hostname"], "26d76d3e29b7");
    // Which container, and its config before the changes, as Docker records them.
    assert_eq!(ours.extra["container"], options.container_id);
    let recorded: ContainerConfig =
        serde_json::from_value(ours.extra["container_config"].clone()).unwrap();
    assert_eq!(recorded, container);

    // Nothing changed: an empty layer, recorded in history only.
    let empty = CommitOptions {
        diff_id: EMPTY_TAR_DIFF_ID.parse().unwrap(),
        author: "",
        comment: "",
        changes: &[],
        ..options
    };
    let ours = commit_config(&base, &empty).unwrap();
    assert_eq!(ours.rootfs, base.rootfs);
    let last = ours.history.last().unwrap();
    assert!(last.empty_layer);
    assert_eq!(
        (last.author.as_deref(), last.comment.as_deref()),
        (None, None)
    );
    assert!(String::from_utf8(ours.to_bytes())
        .unwrap()
        .contains(r#""empty_layer":true"#));
}

#[test]
fn manifests_are_canonical() {
    // Rebuilding skopeo's manifest from its parts gives skopeo's bytes.
    let Ok(Document::Manifest(skopeo)) = parse_document(SKOPEO_MANIFEST, None) else {
        panic!("fixture manifest")
    };
    let config = descriptor(
        media_type::OCI_CONFIG,
        &skopeo.config().digest().to_string().parse().unwrap(),
        skopeo.config().size(),
    );
    let layers = skopeo
        .layers()
        .iter()
        .map(|l| {
            descriptor(
                media_type::OCI_LAYER_TAR_GZIP,
                &l.digest().to_string().parse().unwrap(),
                l.size(),
            )
        })
        .collect();
    let ours = image_manifest(config, layers);
    assert_eq!(manifest_bytes(&ours), SKOPEO_MANIFEST);
    assert_eq!(manifest_bytes(&skopeo), SKOPEO_MANIFEST);

    let Ok(Document::Index(index)) = parse_document(SKOPEO_INDEX, None) else {
        panic!("fixture index")
    };
    assert_eq!(index_bytes(&index), SKOPEO_INDEX);

    let config_bytes = br#"{"architecture":"amd64"}"#;
    let d = crate::descriptor_for(media_type::OCI_CONFIG, config_bytes);
    assert_eq!(d.size(), 24);
    assert_eq!(
        d.digest().to_string(),
        berth_digest::Digest::sha256(config_bytes).to_string()
    );
}
