//! `save`: Docker 25+'s layout, reproducible bytes, round trips through `load`.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;

use berth_digest::Digest;

use super::*;
use crate::{
    import, load, resolve_for_save, save, save_to_file, write_atomically, Error, ImportOptions,
    LoadOptions, Loaded, SaveFormat, SaveOptions,
};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/fixtures/docker-20.10-save.tar"
);

fn loaded_store() -> (tempfile::TempDir, Store) {
    let (dir, store) = store();
    let archive = std::fs::read(FIXTURE).unwrap();
    load(&store, &archive[..], &LoadOptions::default()).unwrap();
    (dir, store)
}

fn save_bytes(store: &Store, names: &[&str], options: &SaveOptions) -> Vec<u8> {
    let images = resolve_for_save(store, names).unwrap();
    let mut out = Vec::new();
    save(store, &images, options, &mut out).unwrap();
    out
}

/// (path, mode, mtime, uid, gid, uname, contents) of every entry.
type Listing = Vec<(String, u32, u64, u64, u64, String, Vec<u8>)>;

fn entries(archive: &[u8]) -> Listing {
    let mut archive = tar::Archive::new(archive);
    archive
        .entries()
        .unwrap()
        .map(|entry| {
            let mut entry = entry.unwrap();
            let header = entry.header().clone();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            (
                entry.path().unwrap().to_string_lossy().into_owned(),
                header.mode().unwrap(),
                header.mtime().unwrap(),
                header.uid().unwrap(),
                header.gid().unwrap(),
                header.username().unwrap().unwrap_or_default().to_owned(),
                data,
            )
        })
        .collect()
}

fn file_of<'a>(listing: &'a Listing, path: &str) -> &'a [u8] {
    &listing
        .iter()
        .find(|e| e.0 == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .6
}

#[test]
fn hybrid_layout_matches_docker_25() {
    let (_dir, store) = loaded_store();
    let archive = save_bytes(
        &store,
        &["fixture/busybox:1", "fixture/busybox:base"],
        &SaveOptions::default(),
    );
    let listing = entries(&archive);
    let names: Vec<&str> = listing.iter().map(|e| e.0.as_str()).collect();
    let one = store.resolve("fixture/busybox:1").unwrap();
    let base = store.resolve("fixture/busybox:base").unwrap();
    let layers = one.layer_digests().unwrap();
    let mut blobs = [
        one.id.encoded().to_owned(),
        base.id.encoded().to_owned(),
        one.manifest_digest.encoded().to_owned(),
        base.manifest_digest.encoded().to_owned(),
        layers[0].encoded().to_owned(),
        layers[1].encoded().to_owned(),
    ];
    blobs.sort();
    let mut expected = vec!["blobs/".to_owned(), "blobs/sha256/".to_owned()];
    expected.extend(blobs.iter().map(|b| format!("blobs/sha256/{b}")));
    expected
        .extend(["index.json", "manifest.json", "oci-layout", "repositories"].map(String::from));
    assert_eq!(names, expected);
    for (path, mode, mtime, uid, gid, uname, _) in &listing {
        let want_mode = if path.ends_with('/') { 0o755 } else { 0o644 };
        assert_eq!(
            (*mode, *mtime, *uid, *gid, uname.as_str()),
            (want_mode, 0, 0, 0, ""),
            "{path}"
        );
    }
    assert_eq!(
        file_of(&listing, "oci-layout"),
        br#"{"imageLayoutVersion": "1.0.0"}"#
    );
    assert_eq!(
        String::from_utf8(file_of(&listing, "repositories").to_vec()).unwrap(),
        format!(
            "{{\"fixture/busybox\":{{\"1\":\"{}\",\"base\":\"{}\"}}}}\n",
            layers[1].encoded(),
            layers[0].encoded()
        )
    );
    assert_eq!(
        String::from_utf8(file_of(&listing, "manifest.json").to_vec()).unwrap(),
        format!(
            concat!(
                "[{{\"Config\":\"blobs/sha256/{}\",\"RepoTags\":[\"fixture/busybox:1\"],",
                "\"Layers\":[\"blobs/sha256/{}\",\"blobs/sha256/{}\"],\"Parent\":\"{}\"}},",
                "{{\"Config\":\"blobs/sha256/{}\",\"RepoTags\":[\"fixture/busybox:base\"],",
                "\"Layers\":[\"blobs/sha256/{}\"]}}]\n"
            ),
            one.id.encoded(),
            layers[0].encoded(),
            layers[1].encoded(),
            base.id,
            base.id.encoded(),
            layers[0].encoded()
        )
    );
    let index: serde_json::Value = serde_json::from_slice(file_of(&listing, "index.json")).unwrap();
    assert_eq!(index["schemaVersion"], 2);
    assert_eq!(
        index["mediaType"],
        "application/vnd.oci.image.index.v1+json"
    );
    assert_eq!(
        index["manifests"][0],
        serde_json::json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": one.manifest_digest.to_string(),
            "size": one.manifest_size,
            "annotations": {
                "io.containerd.image.name": "docker.io/fixture/busybox:1",
                "org.opencontainers.image.ref.name": "1"
            }
        })
    );
    // Config blobs are the stored bytes, so the image ID survives.
    assert_eq!(
        file_of(&listing, &format!("blobs/sha256/{}", one.id.encoded())),
        &one.config[..]
    );
}

#[test]
fn saving_twice_gives_identical_bytes() {
    let (_dir, store) = loaded_store();
    for format in [SaveFormat::Hybrid, SaveFormat::Docker, SaveFormat::Oci] {
        for uncompressed in [false, true] {
            let options = SaveOptions {
                format,
                uncompressed,
                ..SaveOptions::default()
            };
            let first = save_bytes(&store, &["fixture/busybox"], &options);
            let second = save_bytes(&store, &["fixture/busybox"], &options);
            assert_eq!(first, second, "{options:?}");
        }
    }
}

#[test]
fn round_trips_keep_ids_and_tags() {
    let (_dir, store) = store();
    let gz = gzip(&rootfs());
    let options = ImportOptions {
        source: "-".into(),
        platform: Some("linux/amd64".into()),
        reference: Some(berth_reference::Reference::parse_normalized("app:1").unwrap()),
        created: Some(time::macros::datetime!(2024-01-02 03:04:05 UTC)),
        ..ImportOptions::default()
    };
    let id = import(&store, &gz[..], &options).unwrap();
    let fixture = std::fs::read(FIXTURE).unwrap();
    load(&store, &fixture[..], &LoadOptions::default()).unwrap();
    let untagged = store.resolve("fixture/busybox:base").unwrap().id;
    for format in [SaveFormat::Hybrid, SaveFormat::Docker, SaveFormat::Oci] {
        for uncompressed in [false, true] {
            let save_options = SaveOptions {
                format,
                uncompressed,
                ..SaveOptions::default()
            };
            let archive = save_bytes(
                &store,
                &["app:1", "fixture/busybox:1", untagged.encoded()],
                &save_options,
            );
            let (_dir2, other) = super::store();
            let loaded = load(&other, &archive[..], &LoadOptions::default()).unwrap();
            let label = format!("{save_options:?}");
            assert_eq!(
                loaded,
                vec![
                    Loaded::Tagged(berth_reference::Reference::parse_normalized("app:1").unwrap()),
                    Loaded::Tagged(
                        berth_reference::Reference::parse_normalized("fixture/busybox:1").unwrap()
                    ),
                    Loaded::Untagged(untagged.clone()),
                ],
                "{label}"
            );
            let app = other.resolve("app:1").unwrap();
            assert_eq!(app.id, id, "{label}");
            let layer = &app.layer_digests().unwrap()[0];
            if uncompressed {
                assert_eq!(*layer, Digest::sha256(&rootfs()), "{label}");
            } else {
                assert_eq!(*layer, Digest::sha256(&gz), "{label}");
                // The OCI path keeps the manifest; a docker-archive rebuilds the same one.
                assert_eq!(
                    app.manifest_digest,
                    store.resolve("app:1").unwrap().manifest_digest,
                    "{label}"
                );
            }
            assert!(other.resolve(untagged.encoded()).is_ok(), "{label}");
        }
    }
}

#[test]
fn names_resolve_like_docker() {
    let (_dir, store) = loaded_store();
    let images = resolve_for_save(&store, &["fixture/busybox"]).unwrap();
    let tags: Vec<Vec<String>> = images
        .iter()
        .map(|i| {
            i.tags
                .iter()
                .map(berth_reference::Reference::familiar_string)
                .collect()
        })
        .collect();
    assert_eq!(
        tags,
        vec![
            vec!["fixture/busybox:1", "fixture/busybox:latest"],
            vec!["fixture/busybox:base"]
        ]
    );
    let by_prefix = resolve_for_save(&store, &["415e85863be7", "fixture/busybox:1"]).unwrap();
    assert_eq!(by_prefix.len(), 1);
    assert_eq!(by_prefix[0].tags.len(), 1);
    assert!(matches!(
        resolve_for_save(&store, &["nope:1"]),
        Err(Error::Store(berth_store::Error::NoSuchImage(_)))
    ));
}

#[test]
fn a_corrupt_blob_fails_the_save() {
    let (_dir, store) = loaded_store();
    let images = resolve_for_save(&store, &["fixture/busybox:1"]).unwrap();
    let layer = images[0].image.layer_digests().unwrap()[1].clone();
    let path = store.blob_path(&layer);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[600] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    let error = save(&store, &images, &SaveOptions::default(), &mut Vec::new()).unwrap_err();
    assert!(matches!(error, Error::BlobMismatch { .. }), "{error:?}");
}

#[test]
fn atomic_writes_replace_symlinks_and_leave_nothing_on_error() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, b"keep me").unwrap();
    let target = dir.path().join("out.tar");
    std::os::unix::fs::symlink(&victim, &target).unwrap();
    write_atomically(&target, |out| {
        std::io::Write::write_all(out, b"archive").map_err(Error::io("write"))
    })
    .unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep me");
    let metadata = std::fs::symlink_metadata(&target).unwrap();
    assert!(metadata.is_file());
    assert_eq!(metadata.permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::read(&target).unwrap(), b"archive");

    let result: Result<(), Error> = write_atomically(&target, |out| {
        std::io::Write::write_all(out, b"partial").map_err(Error::io("write"))?;
        Err(Error::EmptyInput)
    });
    assert!(result.is_err());
    assert_eq!(std::fs::read(&target).unwrap(), b"archive");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);

    let missing_dir = dir.path().join("no/such/dir/out.tar");
    assert!(write_atomically(&missing_dir, |_| Ok::<(), Error>(())).is_err());
}

/// The kernel-copy path writes the same bytes as the streaming one, for every format, at the
/// file's current position, and into a pipe-like output (not a regular file) as well.
#[test]
fn saving_into_a_file_gives_the_streamed_bytes() {
    let (_dir, store) = loaded_store();
    let names = ["fixture/busybox:1", "fixture/busybox:base"];
    let images = resolve_for_save(&store, &names).unwrap();
    for format in [SaveFormat::Hybrid, SaveFormat::Docker, SaveFormat::Oci] {
        for uncompressed in [false, true] {
            let options = SaveOptions {
                format,
                uncompressed,
                ..SaveOptions::default()
            };
            let streamed = save_bytes(&store, &names, &options);
            let mut file = tempfile::tempfile().unwrap();
            std::io::Write::write_all(&mut file, b"prefix").unwrap();
            save_to_file(&store, &images, &options, &file).unwrap();
            let mut written = Vec::new();
            std::io::Seek::rewind(&mut file).unwrap();
            file.read_to_end(&mut written).unwrap();
            assert_eq!(&written[..6], b"prefix");
            assert!(written[6..] == streamed[..], "{format:?} {uncompressed}");
        }
    }
    // An O_APPEND file (`save IMAGE >> out.tar`): the kernel refuses copy_file_range into it, and
    // the copy goes through memory instead, to the same bytes.
    let streamed = save_bytes(&store, &names, &SaveOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("appended.tar");
    std::fs::write(&path, b"prefix").unwrap();
    let appending = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    save_to_file(&store, &images, &SaveOptions::default(), &appending).unwrap();
    let written = std::fs::read(&path).unwrap();
    assert!(written[6..] == streamed[..] && &written[..6] == b"prefix");
    let devnull = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/null")
        .unwrap();
    save_to_file(&store, &images, &SaveOptions::default(), &devnull).unwrap();
}

/// A stored blob whose bytes no longer match its digest (changed after the image was resolved)
/// fails the kernel-copy save too, whether it is the largest blob (checked first) or the config.
#[test]
fn saving_into_a_file_verifies_every_blob() {
    let names = ["fixture/busybox:1"];
    let (_dir, store) = loaded_store();
    let image = store.resolve(names[0]).unwrap();
    let mut victims = image.layer_digests().unwrap();
    victims.push(image.id.clone());
    for victim in victims {
        let (_dir, store) = loaded_store();
        let images = resolve_for_save(&store, &names).unwrap();
        let path = store.blob_path(&victim);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x55;
        std::fs::write(&path, &bytes).unwrap();
        let file = tempfile::tempfile().unwrap();
        let error = save_to_file(&store, &images, &SaveOptions::default(), &file).unwrap_err();
        assert!(
            matches!(&error, Error::BlobMismatch { expected, .. } if *expected == victim),
            "{victim}: {error:?}"
        );
    }
}

/// A recording [`crate::Reporter`].
fn recorder() -> (
    crate::Reporter,
    std::sync::Arc<std::sync::Mutex<Vec<crate::Progress>>>,
) {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let reporter = {
        let seen = std::sync::Arc::clone(&seen);
        crate::Reporter::new(move |progress| seen.lock().unwrap().push(progress))
    };
    (reporter, seen)
}

/// Save reports its bytes as they go, streamed or copied by the kernel, up to the blobs' total.
#[test]
fn save_reports_its_bytes() {
    let (_dir, store) = loaded_store();
    let images = resolve_for_save(&store, &["fixture/busybox:1"]).unwrap();
    for to_file in [false, true] {
        let (reporter, seen) = recorder();
        let options = SaveOptions {
            progress: reporter,
            ..SaveOptions::default()
        };
        if to_file {
            save_to_file(&store, &images, &options, &tempfile::tempfile().unwrap()).unwrap();
        } else {
            save(&store, &images, &options, &mut Vec::new()).unwrap();
        }
        let seen = seen.lock().unwrap();
        let counts: Vec<(u64, u64)> = seen
            .iter()
            .map(|progress| match progress {
                crate::Progress::Bytes { current, total } => (*current, *total),
                crate::Progress::Layer { .. } => panic!("save reports no layers: {progress:?}"),
            })
            .collect();
        let (last, total) = *counts.last().expect("some progress");
        // Two layers (2,129,920 and 4,608 bytes), a config and a manifest at least.
        assert!(total > 2_134_528, "{counts:?}");
        assert_eq!(last, total, "to_file {to_file}: {counts:?}");
        assert!(counts.windows(2).all(|w| w[0].0 <= w[1].0), "{counts:?}");
    }
}

/// Load reports each layer file's bytes, up to its size. Streamed, a file's line is named after the
/// file (its v1 directory); from an archive file, indexed first, it is Docker's: the diff_id's 12
/// digits, drawn at once in Docker's order, and none for a layer whose chain is stored already (the
/// base image's layer, loaded with the first image; every layer on a second load).
#[test]
fn load_reports_layer_files() {
    // The fixture's 2,129,920-byte layer.tar, reported as it is read; the 4,608-byte one, read into
    // memory, reported once whole when it is stored. Docker's lines (diff_ids' 12 digits): drawn
    // empty first for a file (indexed), complete once a stream has been read; none on a reload.
    let indexed = [("8259289a5efb", 2_129_920), ("b83be8e9bd82", 4_608)];
    for from_file in [false, true] {
        let (_dir, store) = store();
        for round in 0..2 {
            let (reporter, seen) = recorder();
            let options = LoadOptions {
                progress: reporter,
                ..LoadOptions::default()
            };
            if from_file {
                crate::load_file(&store, &std::fs::File::open(FIXTURE).unwrap(), &options).unwrap();
            } else {
                let archive = std::fs::read(FIXTURE).unwrap();
                load(&store, &archive[..], &options).unwrap();
            }
            let seen = seen.lock().unwrap();
            let layers: Vec<(Option<String>, u64, u64)> = seen
                .iter()
                .map(|p| match p {
                    crate::Progress::Layer {
                        id, current, total, ..
                    } => (id.clone(), *current, *total),
                    crate::Progress::Bytes { .. } => panic!("load reports layers: {p:?}"),
                })
                .collect();
            let mut lines: Vec<&str> = Vec::new();
            for (id, _, _) in &layers {
                if let Some(id) = id.as_deref() {
                    if !lines.contains(&id) {
                        lines.push(id);
                    }
                }
            }
            let want: &[(&str, u64)] = if round == 0 { &indexed } else { &[] };
            let context = format!("from_file {from_file}, round {round}: {layers:?}");
            assert_eq!(
                lines,
                want.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
                "{context}"
            );
            for (id, size) in want {
                let last = layers
                    .iter()
                    .rev()
                    .find(|(line, _, _)| line.as_deref() == Some(id));
                assert_eq!(
                    last,
                    Some(&(Some((*id).to_owned()), *size, *size)),
                    "{context}"
                );
            }
            if !from_file && round == 0 {
                // A stream's lines come after its bytes, complete, in Docker's order.
                let drawn: Vec<_> = layers.iter().filter(|(id, _, _)| id.is_some()).collect();
                assert_eq!(
                    drawn[..2],
                    [
                        &(Some(indexed[0].0.to_owned()), indexed[0].1, indexed[0].1),
                        &(Some(indexed[1].0.to_owned()), indexed[1].1, indexed[1].1)
                    ],
                    "{context}"
                );
            }
            if from_file && round == 0 {
                // Drawn first, empty, in Docker's order.
                assert_eq!(
                    layers[..2],
                    [
                        (Some(indexed[0].0.to_owned()), 0, indexed[0].1),
                        (Some(indexed[1].0.to_owned()), 0, indexed[1].1)
                    ],
                    "{context}"
                );
            }
            // Every layer file's bytes are read and counted, with a line or without.
            assert!(
                layers
                    .iter()
                    .any(|(_, current, total)| *current == 2_129_920 && *total == 2_129_920),
                "{context}"
            );
        }
    }
}
