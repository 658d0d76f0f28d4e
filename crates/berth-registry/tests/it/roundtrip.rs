//! Push to the real registry, pull into a fresh store, compare; skopeo agrees.

use std::process::Command;

use berth_reference::Reference;
use berth_registry::{PullOptions, PullStatus, PushOptions, UploadMode};

use crate::{
    client_in,
    harness::{have, Auth, Registry},
    image, store_in, Events,
};

fn reference(s: &str) -> Reference {
    Reference::parse_normalized(s).unwrap()
}

#[tokio::test]
async fn push_then_pull_into_a_fresh_store() {
    let Some(registry) = Registry::start(Auth::None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let client = client_in(dir.path());
    let source = store_in(dir.path(), "source");
    let name = format!("{}/team/app:1.0", registry.host());
    let built = image::small(&source, &[&name], "roundtrip");

    let events = Events::default();
    let pushed = client
        .push(
            &source,
            &reference(&name),
            &PushOptions::default(),
            events.sink(),
        )
        .await
        .expect("push");
    assert_eq!(pushed.repository, format!("{}/team/app", registry.host()));
    assert_eq!(pushed.tags.len(), 1);
    assert_eq!(pushed.tags[0].tag, "1.0");
    assert_eq!(pushed.tags[0].digest, built.manifest_digest);
    assert_eq!(pushed.tags[0].size, built.manifest.len() as u64);
    let statuses = events.statuses();
    for layer in &built.layers {
        assert!(
            statuses.contains(&format!("{}: Pushed", layer.short())),
            "{statuses:?}"
        );
    }
    // The store now knows the repo digest.
    let local = source.resolve(&name).unwrap();
    assert!(local.repo_digests.contains(&format!(
        "{}/team/app@{}",
        registry.host(),
        built.manifest_digest
    )));

    // skopeo, the oracle, sees the same manifest digest.
    if have("skopeo") {
        let output = Command::new("skopeo")
            .args(["inspect", "--tls-verify=false", "--format", "{{.Digest}}"])
            .arg(format!("docker://{name}"))
            .output()
            .expect("skopeo");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            built.manifest_digest.to_string()
        );
    }

    // Pull into a fresh store.
    let target = store_in(dir.path(), "target");
    let events = Events::default();
    let pulled = client
        .pull(
            &target,
            &reference(&name),
            &PullOptions::default(),
            events.sink(),
        )
        .await
        .expect("pull");
    assert_eq!(pulled.status, PullStatus::Downloaded);
    assert_eq!(pulled.canonical, name);
    assert_eq!(pulled.digest(), Some(&built.manifest_digest));
    let image = target.resolve(&name).unwrap();
    assert_eq!(image.id, built.config_digest);
    assert_eq!(image.manifest_digest, built.manifest_digest);
    assert_eq!(
        image.repo_digests,
        vec![format!(
            "{}/team/app@{}",
            registry.host(),
            built.manifest_digest
        )]
    );
    for layer in &built.layers {
        assert!(target.has_blob(layer));
        assert!(target.layer_info(layer).is_some(), "diff_id recorded");
    }
    let statuses = events.statuses();
    assert!(
        statuses.iter().any(|s| s.ends_with("Pull complete")),
        "{statuses:?}"
    );

    // Pulling again changes nothing.
    let again = client
        .pull(&target, &reference(&name), &PullOptions::default(), |_| {})
        .await
        .expect("second pull");
    assert_eq!(again.status, PullStatus::UpToDate);

    // Pushing again finds every layer in place.
    let events = Events::default();
    client
        .push(
            &source,
            &reference(&name),
            &PushOptions::default(),
            events.sink(),
        )
        .await
        .expect("second push");
    assert!(
        events
            .statuses()
            .iter()
            .all(|s| s.ends_with("Layer already exists")
                || s.ends_with("Preparing")
                || s.ends_with("Waiting")),
        "{:?}",
        events.statuses()
    );
}

#[tokio::test]
async fn pull_by_digest_and_already_exists_and_mount() {
    let Some(registry) = Registry::start(Auth::None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let client = client_in(dir.path());
    let source = store_in(dir.path(), "source");
    let first = format!("{}/one/base:latest", registry.host());
    let built = image::small(&source, &[&first], "mount");
    client
        .push(&source, &reference(&first), &PushOptions::default(), |_| {})
        .await
        .unwrap();

    // The same layers under another repository of the same registry are mounted, not uploaded.
    let second = format!("{}/two/copy:v1", registry.host());
    source
        .tag(&source.resolve(&first).unwrap(), &reference(&second))
        .unwrap();
    let events = Events::default();
    client
        .push(
            &source,
            &reference(&second),
            &PushOptions {
                mode: UploadMode::Monolithic,
                ..PushOptions::default()
            },
            events.sink(),
        )
        .await
        .unwrap();
    let statuses = events.statuses();
    for layer in &built.layers {
        assert!(
            statuses.contains(&format!("{}: Mounted from one/base", layer.short())),
            "{statuses:?}"
        );
    }

    // By digest, into a store that already has the layers (in another image: another label).
    let target = store_in(dir.path(), "target");
    let shared = image::small(&target, &["local/other:1"], "other");
    assert_eq!(shared.layers, built.layers);
    let by_digest = format!("{}/two/copy@{}", registry.host(), built.manifest_digest);
    let events = Events::default();
    let pulled = client
        .pull(
            &target,
            &reference(&by_digest),
            &PullOptions::default(),
            events.sink(),
        )
        .await
        .unwrap();
    assert_eq!(pulled.canonical, by_digest);
    let statuses = events.statuses();
    assert!(
        statuses.contains(&format!("{}: Already exists", built.layers[0].short())),
        "{statuses:?}"
    );
    let image = target.resolve(&by_digest).unwrap();
    assert_eq!(image.id, built.config_digest);

    // Again: the image is here (by ID), and moby's puller reports none of its layers.
    let events = Events::default();
    client
        .pull(
            &target,
            &reference(&by_digest),
            &PullOptions::default(),
            events.sink(),
        )
        .await
        .unwrap();
    let statuses = events.statuses();
    assert!(
        !statuses.iter().any(|s| s.contains("Already exists")),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn uncompressed_layers_are_gzipped_for_push_and_all_tags() {
    let Some(registry) = Registry::start(Auth::None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let client = client_in(dir.path());
    let source = store_in(dir.path(), "source");
    let repo = format!("{}/plain/tar", registry.host());
    let built = image::build(
        &source,
        &image::Spec {
            layers: vec![
                vec![("a", image::noise(1, 10_000))],
                vec![("b", b"b".to_vec())],
            ],
            gzip: false,
            docker_media_types: true,
            label: "plain",
        },
        &[&format!("{repo}:a"), &format!("{repo}:b")],
    );
    let pushed = client
        .push(
            &source,
            &reference(&repo),
            &PushOptions {
                all_tags: true,
                mode: UploadMode::Chunked(4096),
                ..PushOptions::default()
            },
            |_| {},
        )
        .await
        .expect("push -a");
    let tags: Vec<&str> = pushed.tags.iter().map(|t| t.tag.as_str()).collect();
    assert_eq!(tags, ["a", "b"]);
    // The pushed manifest differs (gzip layers) but keeps the image ID.
    assert_ne!(pushed.tags[0].digest, built.manifest_digest);
    assert_eq!(pushed.tags[0].digest, pushed.tags[1].digest);

    let target = store_in(dir.path(), "target");
    let result = client
        .pull(
            &target,
            &reference(&repo),
            &PullOptions {
                all_tags: true,
                ..PullOptions::default()
            },
            |_| {},
        )
        .await
        .expect("pull -a");
    assert_eq!(result.canonical, repo);
    assert_eq!(result.images.len(), 2);
    let image = target.resolve(&format!("{repo}:b")).unwrap();
    assert_eq!(image.id, built.config_digest);
    assert_eq!(image.manifest_digest, pushed.tags[0].digest);
    for layer in image.layer_digests().unwrap() {
        let info = target.layer_info(&layer).unwrap();
        assert!(
            built.layers.contains(&info.diff_id),
            "diff_id is the tar digest"
        );
    }
    let with_tag = client
        .pull(
            &target,
            &reference(&format!("{repo}:a")),
            &PullOptions {
                all_tags: true,
                ..PullOptions::default()
            },
            |_| {},
        )
        .await;
    assert!(matches!(
        with_tag,
        Err(berth_registry::Error::TagWithAllTags)
    ));
}

#[tokio::test]
async fn missing_images_give_docker_errors() {
    let Some(registry) = Registry::start(Auth::None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let client = client_in(dir.path());
    let store = store_in(dir.path(), "store");
    let missing = client
        .pull(
            &store,
            &reference(&format!("{}/no/such:tag", registry.host())),
            &PullOptions::default(),
            |_| {},
        )
        .await
        .unwrap_err();
    let message = missing.to_string();
    assert!(
        message.starts_with(&format!(
            "pull access denied for {}/no/such",
            registry.host()
        )) || message.contains("not found"),
        "{message}"
    );
    let not_local = client
        .push(
            &store,
            &reference(&format!("{}/nothing/here:1", registry.host())),
            &PushOptions::default(),
            |_| {},
        )
        .await
        .unwrap_err();
    assert_eq!(
        not_local.to_string(),
        format!(
            "An image does not exist locally with the tag: {}/nothing/here:1",
            registry.host()
        )
    );
}

#[tokio::test]
async fn an_index_pulls_the_host_platform_or_the_one_asked_for() {
    let Some(registry) = Registry::start(Auth::None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let client = client_in(dir.path());
    let source = store_in(dir.path(), "source");
    let host = registry.host();
    let other_arch = if image::host_arch() == "arm64" {
        "amd64"
    } else {
        "arm64"
    };
    let spec = |label| image::Spec {
        layers: vec![vec![("f", label_bytes(label))]],
        gzip: true,
        docker_media_types: false,
        label,
    };
    let native = image::build(
        &source,
        &spec("native"),
        &[&format!("{host}/multi/app:native")],
    );
    let foreign = image::build_for(
        &source,
        &spec("foreign"),
        &[&format!("{host}/multi/app:foreign")],
        other_arch,
    );
    for tag in ["native", "foreign"] {
        client
            .push(
                &source,
                &reference(&format!("{host}/multi/app:{tag}")),
                &PushOptions::default(),
                |_| {},
            )
            .await
            .unwrap();
    }
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json",
             "digest": foreign.manifest_digest.to_string(), "size": foreign.manifest.len(),
             "platform": {"architecture": other_arch, "os": "linux"}},
            {"mediaType": "application/vnd.oci.image.manifest.v1+json",
             "digest": native.manifest_digest.to_string(), "size": native.manifest.len(),
             "platform": {"architecture": image::host_arch(), "os": "linux"}},
        ],
    }))
    .unwrap();
    let index_digest = berth_digest::Digest::sha256(&index);
    let response = reqwest::Client::new()
        .put(format!("http://{host}/v2/multi/app/manifests/latest"))
        .header("Content-Type", "application/vnd.oci.image.index.v1+json")
        .body(index)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);

    let name = format!("{host}/multi/app:latest");
    let target = store_in(dir.path(), "target");
    let pulled = client
        .pull(&target, &reference(&name), &PullOptions::default(), |_| {})
        .await
        .expect("pull an index");
    assert_eq!(
        pulled.digest(),
        Some(&index_digest),
        "Docker shows the index digest"
    );
    assert_eq!(pulled.images[0].manifest_digest, native.manifest_digest);
    let image = target.resolve(&name).unwrap();
    assert_eq!(image.id, native.config_digest);
    assert_eq!(
        image.repo_digests,
        [format!("{host}/multi/app@{index_digest}")]
    );

    let other = store_in(dir.path(), "other");
    let pulled = client
        .pull(
            &other,
            &reference(&name),
            &PullOptions {
                platform: Some(
                    berth_manifest::Platform::parse(&format!("linux/{other_arch}")).unwrap(),
                ),
                ..PullOptions::default()
            },
            |_| {},
        )
        .await
        .expect("pull another platform");
    assert_eq!(pulled.images[0].image_id, foreign.config_digest);
    let missing = client
        .pull(
            &other,
            &reference(&name),
            &PullOptions {
                platform: Some(berth_manifest::Platform::parse("linux/s390x").unwrap()),
                ..PullOptions::default()
            },
            |_| {},
        )
        .await
        .unwrap_err();
    assert_eq!(
        missing.to_string(),
        "no matching manifest for linux/s390x in the manifest list entries"
    );
}

fn label_bytes(label: &str) -> Vec<u8> {
    label.as_bytes().repeat(100)
}

#[tokio::test]
async fn mirrors_are_tried_first_for_any_registry() {
    let Some(mirror) = Registry::start(Auth::None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let client = client_in(dir.path());
    let source = store_in(dir.path(), "source");
    let built = image::small(
        &source,
        &[&format!("{}/team/app:1", mirror.host())],
        "mirror",
    );
    client
        .push(
            &source,
            &reference(&format!("{}/team/app:1", mirror.host())),
            &PushOptions::default(),
            |_| {},
        )
        .await
        .unwrap();
    // The upstream registry is down; its mirror has the image.
    let upstream = format!("127.0.0.1:{}", crate::harness::free_port());
    let config_dir = dir.path().join("berth-config");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("registries.json"),
        serde_json::to_vec(&serde_json::json!({
            "mirrors": {upstream.clone(): [format!("http://{}", mirror.host())]}
        }))
        .unwrap(),
    )
    .unwrap();
    let client = client_in(dir.path());
    let target = store_in(dir.path(), "target");
    let name = format!("{upstream}/team/app:1");
    let pulled = client
        .pull(&target, &reference(&name), &PullOptions::default(), |_| {})
        .await
        .expect("pull through the mirror");
    assert_eq!(pulled.images[0].image_id, built.config_digest);
    assert!(
        target.resolve(&name).is_ok(),
        "named after the upstream, not the mirror"
    );
}
