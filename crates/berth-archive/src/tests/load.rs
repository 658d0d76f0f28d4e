//! `load`: the fixtures real tools wrote, every compression, and hostile archives.

use berth_digest::Digest;
use berth_reference::Reference;

use super::*;
use crate::{load, load_file, Error, LoadOptions, Loaded};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

fn name(s: &str) -> Reference {
    Reference::parse_normalized(s).unwrap()
}

fn digest(s: &str) -> Digest {
    Digest::parse(s).unwrap()
}

const BUSYBOX_1: &str = "sha256:415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27";
const BUSYBOX_BASE: &str =
    "sha256:2eefd5de9cacfc447de0273443c4ea6277c19370b634fd517dfe50e78a4440e2";

/// Loads `archive` twice: streamed from memory, and from a file (after a few unrelated bytes, at
/// its current position) through `load_file`, whose positioned-read path takes uncompressed ones.
fn both_paths(store: &Store, archive: &[u8]) -> [(&'static str, Result<Vec<Loaded>, Error>); 2] {
    let streamed = load(store, archive, &LoadOptions::default());
    let mut file = tempfile::tempfile().unwrap();
    std::io::Write::write_all(&mut file, b"prefix").unwrap();
    std::io::Write::write_all(&mut file, archive).unwrap();
    std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(6)).unwrap();
    let from_file = load_file(store, &file, &LoadOptions::default());
    [("streamed", streamed), ("file", from_file)]
}

/// Both read paths refuse `archive` with an error whose `Debug` starts with `expected`, and leave
/// the store as it was.
fn assert_refused_both_ways(store: &Store, archive: &[u8], label: &str, expected: &str) {
    let before = snapshot(store);
    for (path, error) in both_paths(store, archive) {
        let debug = format!("{:?}", error.unwrap_err());
        assert!(
            debug.starts_with(expected),
            "{label} ({path}): expected {expected}, got {debug}"
        );
        assert_eq!(before, snapshot(store), "{label} ({path})");
    }
}

/// [`both_paths`] without the streamed load (its slot holds an empty success).
fn both_paths_file_only(
    store: &Store,
    archive: &[u8],
) -> [(&'static str, Result<Vec<Loaded>, Error>); 2] {
    let mut file = tempfile::tempfile().unwrap();
    std::io::Write::write_all(&mut file, archive).unwrap();
    std::io::Seek::rewind(&mut file).unwrap();
    let from_file = load_file(store, &file, &LoadOptions::default());
    [("streamed", Ok(Vec::new())), ("file", from_file)]
}

#[test]
fn docker_20_10_save_in_every_compression() {
    let archive = fixture("docker-20.10-save.tar");
    for input in [
        archive.clone(),
        gzip(&archive),
        bzip2(&archive),
        xz(&archive),
        zstd(&archive),
    ] {
        let (_dir, store) = store();
        let loaded = load(&store, &input[..], &LoadOptions::default()).unwrap();
        assert_eq!(
            loaded,
            vec![
                Loaded::Tagged(name("fixture/busybox:1")),
                Loaded::Tagged(name("fixture/busybox:latest")),
                Loaded::Tagged(name("fixture/busybox:base")),
            ]
        );
        assert_eq!(loaded[0].to_string(), "Loaded image: fixture/busybox:1");
        let one = store.resolve("fixture/busybox:1").unwrap();
        assert_eq!(one.id, digest(BUSYBOX_1));
        assert_eq!(
            store.resolve("fixture/busybox:latest").unwrap().id,
            digest(BUSYBOX_1)
        );
        let base = store.resolve("fixture/busybox:base").unwrap();
        assert_eq!(base.id, digest(BUSYBOX_BASE));
        // The shared base layer (a symlink in the archive) is one blob, stored uncompressed, and
        // recorded with its diff_id.
        let layers = one.layer_digests().unwrap();
        assert_eq!(layers.len(), 2);
        assert_eq!(base.layer_digests().unwrap(), vec![layers[0].clone()]);
        assert_eq!(
            layers[0],
            digest("sha256:8259289a5efb6e7461d0539ddb964fcc74da080e946d77b5b73613c21ecf0e0d")
        );
        assert_eq!(
            one.manifest.layers()[0].media_type().to_string(),
            "application/vnd.oci.image.layer.v1.tar"
        );
        assert_eq!(store.layer_info(&layers[1]).unwrap().diff_id, layers[1]);
        assert!(snapshot(&store).ingest.is_empty());
    }
}

#[test]
fn skopeo_oci_archive() {
    let (_dir, store) = store();
    let loaded = load(
        &store,
        &fixture("skopeo-oci-archive.tar")[..],
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(loaded, vec![Loaded::Tagged(name("fixture/busybox:1"))]);
    let image = store.resolve("fixture/busybox:1").unwrap();
    assert_eq!(
        image.id,
        digest("sha256:9394544825129e140c69fb7070ea902491a66429ccd99d834505c8ff78dff28d")
    );
    // The manifest is kept byte for byte.
    assert_eq!(
        image.manifest_digest,
        digest("sha256:7910ad6372146107df5957a790c7a90a7dcd021721f94ca4a7afdd11f035ca20")
    );
    let gzip_layer =
        digest("sha256:07c7eda03d47a76fc6b49912975551d3a2e001059e167d9b7e12f41c7363df7c");
    assert_eq!(
        store.layer_info(&gzip_layer).unwrap().diff_id,
        digest("sha256:b83be8e9bd820dc5ae35d60191401e095f3f02fbc5cdb0019deede2e6b120291")
    );
}

#[test]
fn loading_twice_is_harmless() {
    let (_dir, store) = store();
    let archive = fixture("docker-20.10-save.tar");
    load(&store, &archive[..], &LoadOptions::default()).unwrap();
    let before = snapshot(&store);
    load(&store, &archive[..], &LoadOptions::default()).unwrap();
    let after = snapshot(&store);
    assert_eq!(before.blobs, after.blobs);
    assert_eq!(store.images().unwrap().len(), 2);
}

/// A one-image docker-archive built in memory: `manifest.json` (as given), a config and a layer.
fn docker_archive(manifest: &str, config: &[u8], layer: &[u8], extra: &[Raw<'_>]) -> Vec<u8> {
    let mut entries = vec![
        file("layer/layer.tar", layer),
        file("config.json", config),
        file("manifest.json", manifest.as_bytes()),
    ];
    entries.extend_from_slice(extra);
    tar(&entries)
}

fn config_for(layers: &[&[u8]]) -> Vec<u8> {
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|l| Digest::sha256(l).to_string())
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": diff_ids}
    }))
    .unwrap()
}

const GOOD_MANIFEST: &str =
    r#"[{"Config":"config.json","RepoTags":["test/x:1"],"Layers":["layer/layer.tar"]}]"#;

#[test]
fn hand_made_docker_archive_loads() {
    let layer = rootfs();
    let config = config_for(&[&layer]);
    let (_dir, store) = store();
    let archive = docker_archive(GOOD_MANIFEST, &config, &layer, &[]);
    let loaded = load(&store, &archive[..], &LoadOptions::default()).unwrap();
    assert_eq!(loaded, vec![Loaded::Tagged(name("test/x:1"))]);
    assert_eq!(
        store.resolve("test/x:1").unwrap().id,
        Digest::sha256(&config)
    );

    // Untagged: reported by ID.
    let (_dir, store) = super::store();
    let manifest = r#"[{"Config":"config.json","RepoTags":null,"Layers":["layer/layer.tar"]}]"#;
    let archive = docker_archive(manifest, &config, &gzip(&layer), &[]);
    let loaded = load(&store, &archive[..], &LoadOptions::default()).unwrap();
    assert_eq!(loaded, vec![Loaded::Untagged(Digest::sha256(&config))]);
    assert_eq!(
        loaded[0].to_string(),
        format!("Loaded image ID: {}", Digest::sha256(&config))
    );
    let image = store.resolve(&Digest::sha256(&config).to_string()).unwrap();
    assert_eq!(
        image.manifest.layers()[0].media_type().to_string(),
        "application/vnd.oci.image.layer.v1.tar+gzip"
    );
}

/// Files too large to keep in memory go through the ingest area; a plain-tar layer is hashed once
/// (its digest is its diff_id), and a large file that is not a layer (a config with a long history)
/// is hashed from what was stored. Both end up under their true digests.
#[test]
fn large_plain_layers_and_large_configs_get_their_true_digests() {
    let big = vec![b'x'; 600 * 1024];
    let layer = tar(&[file("big.bin", &big), file("etc/hostname", b"h\n")]);
    let diff_id = Digest::sha256(&layer).to_string();
    let history: Vec<serde_json::Value> = (0..4000)
        .map(|i| serde_json::json!({"created_by": format!("RUN step {i} {}", "y".repeat(80))}))
        .collect();
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": history,
    }))
    .unwrap();
    assert!(config.len() > 256 * 1024 && layer.len() > 256 * 1024);
    let (_dir, store) = store();
    let archive = docker_archive(GOOD_MANIFEST, &config, &layer, &[]);
    load(&store, &archive[..], &LoadOptions::default()).unwrap();
    let image = store.resolve("test/x:1").unwrap();
    assert_eq!(image.id, Digest::sha256(&config));
    assert_eq!(image.layer_digests().unwrap(), vec![Digest::sha256(&layer)]);
    let report = store.check().unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(
        std::fs::read(store.blob_path(&Digest::sha256(&layer))).unwrap(),
        layer
    );
}

/// Layers too large to keep in memory, through both read paths: the positioned-read one stores and
/// scans them in parallel after walking the headers, and must accept and refuse exactly what the
/// streaming one does, leaving the store as it was on error.
#[test]
fn large_layers_load_the_same_through_both_paths() {
    let layer = |seed: u8| tar(&[file("data.bin", &vec![seed; 700 * 1024])]);
    let (one, two, three) = (layer(1), layer(2), layer(3));
    let config = config_for(&[&one, &two, &three]);
    let manifest = r#"[{"Config":"config.json","RepoTags":["test/big:1"],"Layers":["l1.tar","l2.tar","l3.tar"]}]"#;
    let archive = |layers: [&[u8]; 3], extra: &[Raw<'_>]| {
        let mut entries = vec![
            file("l1.tar", layers[0]),
            file("l2.tar", layers[1]),
            file("l3.tar", layers[2]),
            file("config.json", &config),
            file("manifest.json", manifest.as_bytes()),
        ];
        entries.extend_from_slice(extra);
        tar(&entries)
    };
    let good = archive([&one, &two, &three], &[]);
    // A later entry replaces an earlier one of the same name: here a bad l2.tar by the good one,
    // and a good l3.tar by a link to l1.tar (which then mismatches the config).
    let replaced = {
        let mut entries = vec![file("l2.tar", &three)];
        entries.extend([
            file("l1.tar", &one),
            file("l2.tar", &two),
            file("l3.tar", &three),
            file("config.json", &config),
            file("manifest.json", manifest.as_bytes()),
        ]);
        tar(&entries)
    };
    let relinked = archive([&one, &two, &three], &[symlink("l3.tar", "l1.tar")]);
    let mut corrupt_two = two.clone();
    corrupt_two[600] ^= 1;
    let cases: Vec<(&str, Vec<u8>, Option<&str>)> = vec![
        ("good", good.clone(), None),
        ("later entries win", replaced, None),
        ("relinked", relinked, Some("DiffIdMismatch")),
        (
            "corrupt layer",
            archive([&one, &corrupt_two, &three], &[]),
            Some(""),
        ),
        (
            "truncated in a layer",
            good[..1024 * 1024].to_vec(),
            Some("Truncated"),
        ),
        // Without its end-of-archive blocks the archive is whole, as Go's archive/tar reads it.
        (
            "no end-of-archive blocks",
            good[..good.len() - 1024].to_vec(),
            None,
        ),
        (
            "layer is not a tar",
            archive([&one, &vec![7u8; 600 * 1024], &three], &[]),
            Some(""),
        ),
    ];
    for (label, input, expected) in cases {
        let (_dir, store) = store();
        let before = snapshot(&store);
        let results = both_paths(&store, &input);
        let [(_, streamed), (_, from_file)] = &results;
        match expected {
            None => {
                assert_eq!(
                    streamed.as_ref().unwrap(),
                    &vec![Loaded::Tagged(name("test/big:1"))],
                    "{label}"
                );
                assert_eq!(
                    streamed.as_ref().unwrap(),
                    from_file.as_ref().unwrap(),
                    "{label}"
                );
                // The file path alone, into an empty store: every blob its own work.
                let (_dir, store) = super::store();
                let [_, (_, from_file)] = both_paths_file_only(&store, &input);
                from_file.unwrap();
                let image = store.resolve("test/big:1").unwrap();
                assert_eq!(image.id, Digest::sha256(&config), "{label}");
                assert_eq!(
                    image.layer_digests().unwrap(),
                    [&one, &two, &three].map(|l| Digest::sha256(l)).to_vec(),
                    "{label}"
                );
                let report = store.check().unwrap();
                assert!(report.problems.is_empty(), "{label}: {:?}", report.problems);
                assert_eq!(report.blobs_checked, 5, "{label}");
            }
            Some(expected) => {
                let streamed = format!("{:?}", streamed.as_ref().unwrap_err());
                let from_file = format!("{:?}", from_file.as_ref().unwrap_err());
                assert!(streamed.starts_with(expected), "{label}: {streamed}");
                // The same kind of error either way (the variant name, up to its first field).
                let kind = |debug: &str| debug.split(['(', ' ', '{']).next().unwrap().to_owned();
                assert_eq!(kind(&streamed), kind(&from_file), "{label}: {from_file}");
                assert_eq!(before, snapshot(&store), "{label}");
            }
        }
    }
}

#[test]
fn hostile_archives_change_nothing() {
    let layer = rootfs();
    let config = config_for(&[&layer]);
    let manifest = |config_path: &str, layers: &str| {
        format!(r#"[{{"Config":"{config_path}","RepoTags":["test/x:1"],"Layers":[{layers}]}}]"#)
    };
    let big_manifest = format!("[{}]", " ".repeat(1024 * 1024));
    let good = docker_archive(GOOD_MANIFEST, &config, &layer, &[]);
    let wrong_diff_id = config_for(&[b"something else"]);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", vec![], "EmptyInput"),
        ("not a tar", b"{\"not\": \"a tar\"}".to_vec(), "RefusedEnd"),
        ("truncated", good[..good.len() / 2].to_vec(), "Truncated"),
        ("truncated gzip", gzip(&good)[..200].to_vec(), "Decompress"),
        (
            "no manifest",
            tar(&[file("config.json", &config)]),
            "NoManifest",
        ),
        (
            "config escapes",
            docker_archive(
                &manifest("../../etc/passwd", r#""layer/layer.tar""#),
                &config,
                &layer,
                &[],
            ),
            "Manifest(ArchivePath",
        ),
        (
            "absolute layer",
            docker_archive(&manifest("config.json", r#""/abs""#), &config, &layer, &[]),
            "Manifest(ArchivePath",
        ),
        (
            "null manifest",
            docker_archive("null", &config, &layer, &[]),
            "Manifest(ArchiveManifestNull",
        ),
        (
            "too many layers",
            docker_archive(
                &manifest("config.json", r#""layer/layer.tar","layer/layer.tar""#),
                &config,
                &layer,
                &[],
            ),
            "LayerCountMismatch",
        ),
        (
            "missing layer",
            docker_archive(
                &manifest("config.json", r#""nope/layer.tar""#),
                &config,
                &layer,
                &[],
            ),
            "MissingFile",
        ),
        (
            "diff_id mismatch",
            docker_archive(GOOD_MANIFEST, &wrong_diff_id, &layer, &[]),
            "DiffIdMismatch",
        ),
        (
            "manifest too large",
            docker_archive(&big_manifest, &config, &layer, &[]),
            "FileTooLarge",
        ),
        (
            "escaping symlink",
            docker_archive(
                &manifest("config.json", r#""l/layer.tar""#),
                &config,
                &layer,
                &[symlink("l/layer.tar", "../../../etc/passwd")],
            ),
            "UnsafeArchivePath",
        ),
        (
            "symlink to a host path",
            docker_archive(
                &manifest("config.json", r#""l/layer.tar""#),
                &config,
                &layer,
                &[symlink("l/layer.tar", "/etc/passwd")],
            ),
            "MissingFile",
        ),
        (
            "entry escapes",
            docker_archive(GOOD_MANIFEST, &config, &layer, &[file("../evil", b"x")]),
            "UnsafePath",
        ),
        (
            "hostile layer",
            docker_archive(
                GOOD_MANIFEST,
                &config_for(&[&tar(&[file("../x", b"")])]),
                &tar(&[file("../x", b"")]),
                &[],
            ),
            "UnsafePath",
        ),
        (
            "bad tag",
            docker_archive(
                r#"[{"Config":"config.json","RepoTags":["test/x@sha256:0000000000000000000000000000000000000000000000000000000000000000"],"Layers":["layer/layer.tar"]}]"#,
                &config,
                &layer,
                &[],
            ),
            "InvalidTag",
        ),
    ];
    for (label, input, expected) in cases {
        let (dir, store) = store();
        load(
            &store,
            &fixture("docker-20.10-save.tar")[..],
            &LoadOptions::default(),
        )
        .unwrap();
        assert_refused_both_ways(&store, &input, label, expected);
        assert!(!dir.path().join("evil").exists() && !dir.path().join("x").exists());
    }
}

/// An OCI archive built in memory from blobs and an index.json.
fn oci_archive(index: &str, blobs: &[&[u8]], extra: &[Raw<'_>]) -> Vec<u8> {
    let names: Vec<String> = blobs
        .iter()
        .map(|b| format!("blobs/sha256/{}", Digest::sha256(b).encoded()))
        .collect();
    let mut entries = vec![
        file("oci-layout", br#"{"imageLayoutVersion": "1.0.0"}"#),
        file("index.json", index.as_bytes()),
    ];
    for (name, blob) in names.iter().zip(blobs) {
        entries.push(file(name, blob));
    }
    entries.extend_from_slice(extra);
    tar(&entries)
}

fn descriptor(media_type: &str, bytes: &[u8]) -> serde_json::Value {
    serde_json::json!({"mediaType": media_type, "digest": Digest::sha256(bytes).to_string(), "size": bytes.len()})
}

fn oci_manifest(config: &[u8], layers: &[&[u8]]) -> Vec<u8> {
    let layers: Vec<_> = layers
        .iter()
        .map(|l| descriptor("application/vnd.oci.image.layer.v1.tar+gzip", l))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": descriptor("application/vnd.oci.image.config.v1+json", config), "layers": layers
    }))
    .unwrap()
}

#[test]
fn nested_index_with_attestations_and_names() {
    let layer = rootfs();
    let gz = gzip(&layer);
    let config = config_for(&[&layer]);
    let manifest = oci_manifest(&config, &[&gz]);
    let attestation = oci_manifest(b"{}", &[]);
    let host = berth_manifest::host_platform();
    let inner = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json",
             "digest": Digest::sha256(&manifest).to_string(), "size": manifest.len(),
             "platform": {"os": host.os, "architecture": host.architecture}},
            {"mediaType": "application/vnd.oci.image.manifest.v1+json",
             "digest": Digest::sha256(&attestation).to_string(), "size": attestation.len(),
             "platform": {"os": "unknown", "architecture": "unknown"},
             "annotations": {"vnd.docker.reference.type": "attestation-manifest"}}
        ]
    }))
    .unwrap();
    let index = serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"mediaType": "application/vnd.oci.image.index.v1+json",
             "digest": Digest::sha256(&inner).to_string(), "size": inner.len(),
             "annotations": {"io.containerd.image.name": "docker.io/library/app:2",
                             "org.opencontainers.image.ref.name": "2"}},
            {"mediaType": "application/vnd.oci.image.manifest.v1+json",
             "digest": Digest::sha256(&manifest).to_string(), "size": manifest.len(),
             "annotations": {"org.opencontainers.image.ref.name": "latest"}}
        ]
    })
    .to_string();
    let archive = oci_archive(&index, &[&gz, &config, &manifest, &inner], &[]);
    let (_dir, store) = store();
    let loaded = load(&store, &archive[..], &LoadOptions::default()).unwrap();
    assert_eq!(loaded, vec![Loaded::Tagged(name("app:2"))]);
    let image = store.resolve("app:2").unwrap();
    assert_eq!(image.id, Digest::sha256(&config));
    assert_eq!(image.manifest_digest, Digest::sha256(&manifest));
}

#[test]
fn hostile_oci_archives_change_nothing() {
    let layer = rootfs();
    let gz = gzip(&layer);
    let config = config_for(&[&layer]);
    let manifest = oci_manifest(&config, &[&gz]);
    let index_for = |manifest: &[u8]| {
        serde_json::json!({"schemaVersion": 2, "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json",
             "digest": Digest::sha256(manifest).to_string(), "size": manifest.len(),
             "annotations": {"io.containerd.image.name": "docker.io/library/app:1"}}]})
        .to_string()
    };
    let index = index_for(&manifest);
    let mut tampered = oci_archive(&index, &[&config, &manifest], &[]);
    // The layer blob's name says one digest, its bytes another.
    let wrong = tar(&[file(
        &format!("blobs/sha256/{}", Digest::sha256(&gz).encoded()),
        &gzip(b"other"),
    )]);
    tampered.truncate(tampered.len() - 1024);
    tampered.extend(wrong);
    let plain_as_gzip = oci_manifest(&config, &[&layer]);
    let slash_digest = index.replace(
        &Digest::sha256(&manifest).to_string(),
        "sha256:../../../../etc/passwd",
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("tampered blob", tampered, "BlobMismatch"),
        (
            "missing blob",
            oci_archive(&index, &[&config, &manifest], &[]),
            "MissingFile",
        ),
        (
            "digest with slashes",
            oci_archive(&slash_digest, &[&gz, &config, &manifest], &[]),
            "Manifest(Json",
        ),
        (
            "blob symlinked to a host file",
            oci_archive(
                &index,
                &[&config, &manifest],
                &[symlink(
                    &format!("blobs/sha256/{}", Digest::sha256(&gz).encoded()),
                    "/etc/passwd",
                )],
            ),
            "MissingFile",
        ),
        (
            "media type lies about compression",
            oci_archive(
                &index_for(&plain_as_gzip),
                &[&layer, &config, &plain_as_gzip],
                &[],
            ),
            "InvalidArchive",
        ),
        (
            "index is a manifest",
            oci_archive(
                &String::from_utf8(manifest.clone()).unwrap(),
                &[&gz, &config, &manifest],
                &[],
            ),
            "InvalidArchive",
        ),
    ];
    for (label, input, expected) in cases {
        let (_dir, store) = store();
        assert_refused_both_ways(&store, &input, label, expected);
    }
}

#[test]
fn decompression_budget_applies_to_the_whole_archive() {
    let (_dir, store) = store();
    let before = snapshot(&store);
    let options = LoadOptions {
        limits: crate::Limits {
            max_uncompressed_size: Some(100_000),
        },
        ..LoadOptions::default()
    };
    let error = load(
        &store,
        &gzip(&fixture("docker-20.10-save.tar"))[..],
        &options,
    )
    .unwrap_err();
    assert!(
        matches!(error, Error::TooLarge { limit: 100_000 }),
        "{error:?}"
    );
    assert_eq!(before, snapshot(&store));
}

/// `manifest.json`'s `Parent` (Docker 20.10's fixture links busybox:1 to busybox:base) is recorded
/// on load, written back by `save` when both images are saved, and loaded again from that archive;
/// a link whose histories do not line up refuses the archive and leaves the store unchanged.
#[test]
fn parents_from_manifest_json_round_trip() {
    let (_dir, store) = store();
    load(
        &store,
        &fixture("docker-20.10-save.tar")[..],
        &LoadOptions::default(),
    )
    .unwrap();
    let one = store.resolve("fixture/busybox:1").unwrap();
    let base = store.resolve("fixture/busybox:base").unwrap();
    assert_eq!(store.parent(&one.id), Some(base.id.clone()));
    assert_eq!(store.parent(&base.id), None);

    let both =
        crate::resolve_for_save(&store, &["fixture/busybox:1", "fixture/busybox:base"]).unwrap();
    let mut archive = Vec::new();
    crate::save(&store, &both, &crate::SaveOptions::default(), &mut archive).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&extract(&archive, "manifest.json")).unwrap();
    assert_eq!(manifest[0]["Parent"], base.id.to_string());
    assert!(manifest[1].get("Parent").is_none());
    let (_dir, again) = super::store();
    let [_, (_, from_file)] = both_paths_file_only(&again, &archive);
    from_file.unwrap();
    assert_eq!(again.parent(&one.id), Some(base.id.clone()));

    let alone = crate::resolve_for_save(&store, &["fixture/busybox:1"]).unwrap();
    let mut archive = Vec::new();
    crate::save(&store, &alone, &crate::SaveOptions::default(), &mut archive).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&extract(&archive, "manifest.json")).unwrap();
    assert!(manifest[0].get("Parent").is_none());

    // Two images whose histories do not line up, linked anyway.
    let layer = rootfs();
    let config = |comment: &str| {
        serde_json::to_vec(&serde_json::json!({
            "architecture": "amd64", "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [Digest::sha256(&layer).to_string()]},
            "history": [{"created_by": comment}],
        }))
        .unwrap()
    };
    let (child, parent) = (config("child"), config("parent"));
    let manifest = format!(
        r#"[{{"Config":"child.json","RepoTags":["test/child:1"],"Layers":["layer.tar"],"Parent":"{}"}},{{"Config":"parent.json","RepoTags":["test/parent:1"],"Layers":["layer.tar"]}}]"#,
        Digest::sha256(&parent)
    );
    let bad = tar(&[
        file("layer.tar", &layer),
        file("child.json", &child),
        file("parent.json", &parent),
        file("manifest.json", manifest.as_bytes()),
    ]);
    let (_dir, store) = super::store();
    assert_refused_both_ways(
        &store,
        &bad,
        "invalid parent",
        "InvalidArchive(\"image sha256:",
    );
}

fn extract(archive: &[u8], path: &str) -> Vec<u8> {
    let mut archive = tar::Archive::new(archive);
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.path().unwrap().to_str() == Some(path) {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
            return bytes;
        }
    }
    panic!("no {path} in the archive")
}

/// Docker's words, with the digests as strings (issue #13 item 11: they printed as `Digest(sha256:…)`).
#[test]
fn a_diff_id_mismatch_names_the_digests_as_docker_does() {
    let error = Error::DiffIdMismatch {
        index: 1,
        expected: Digest::sha256(b"a"),
        actual: Digest::sha256(b"b"),
    };
    assert_eq!(
        error.to_string(),
        format!(
            "invalid diffID for layer 1: expected \"{}\", got \"{}\"",
            Digest::sha256(b"a"),
            Digest::sha256(b"b")
        )
    );
}
