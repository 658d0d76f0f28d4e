use std::io::Write;

use berth_digest::{Digest, Expected};
use berth_reference::Reference;

use crate::{IndexEntry, Problem, Store};

const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("root")).unwrap();
    (dir, store)
}

fn name(s: &str) -> Reference {
    Reference::parse_normalized(s).unwrap().with_default_tag()
}

/// Stores a one-layer image whose layer and config are derived from `seed`; returns the manifest descriptor.
fn put_image(store: &Store, seed: &str, shared_layer: Option<&[u8]>) -> (IndexEntry, Digest) {
    let mut layers = vec![];
    for content in [Some(seed.as_bytes()), shared_layer].into_iter().flatten() {
        let digest = store.write_blob(content).unwrap();
        layers.push(serde_json::json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest.to_string(), "size": content.len()
        }));
    }
    let config = serde_json::json!({"architecture": "amd64", "os": "linux", "config": {"Env": [seed]},
        "rootfs": {"type": "layers", "diff_ids": []}});
    let config = serde_json::to_vec(&config).unwrap();
    let config_digest = store.write_blob(&config).unwrap();
    let manifest = serde_json::json!({"schemaVersion": 2, "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest.to_string(), "size": config.len()},
        "layers": layers});
    let manifest = serde_json::to_vec(&manifest).unwrap();
    let digest = store.write_blob(&manifest).unwrap();
    (
        IndexEntry::new(MANIFEST_TYPE, digest, manifest.len() as u64),
        config_digest,
    )
}

fn ingest_names(store: &Store) -> Vec<String> {
    store.list_ingest().unwrap()
}

#[test]
fn open_creates_an_oci_layout_and_reopens() {
    let (dir, store) = store();
    let root = dir.path().join("root");
    assert_eq!(
        std::fs::read(root.join("oci-layout")).unwrap(),
        br#"{"imageLayoutVersion":"1.0.0"}"#
    );
    assert!(store.index().unwrap().manifests.is_empty());
    drop(store);
    Store::open(&root).unwrap();
}

#[test]
fn open_rejects_a_foreign_layout_version() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("oci-layout"),
        r#"{"imageLayoutVersion":"2.0.0"}"#,
    )
    .unwrap();
    let err = Store::open(dir.path()).err().unwrap();
    assert!(
        err.to_string()
            .contains("unsupported imageLayoutVersion 2.0.0"),
        "{err}"
    );
}

#[test]
fn blobs_round_trip_and_commit_verifies() {
    let (_dir, store) = store();
    let digest = store.write_blob(b"hello").unwrap();
    assert_eq!(digest, Digest::sha256(b"hello"));
    assert_eq!(store.read_blob(&digest, 100).unwrap(), b"hello");
    assert!(store.read_blob(&digest, 2).is_err(), "cap is enforced");

    // Wrong digest: refused, nothing committed, no temp file left.
    let mut ingest = store.ingest().unwrap();
    ingest.write_all(b"evil").unwrap();
    let expected = Expected::new(Digest::sha256(b"good"), Some(4));
    assert!(store
        .commit_blob(ingest.finish().unwrap(), Some(&expected))
        .is_err());
    assert!(!store.has_blob(&Digest::sha256(b"evil")));
    assert!(ingest_names(&store).is_empty());

    // Dropped before commit: nothing left.
    let mut ingest = store.ingest().unwrap();
    ingest.write_all(b"half").unwrap();
    drop(ingest);
    assert!(ingest_names(&store).is_empty());
}

#[test]
fn resumable_ingest_survives_and_continues() {
    let (_dir, store) = store();
    let data = b"0123456789abcdef";
    let digest = Digest::sha256(data);
    let mut first = store.resume_ingest(&digest).unwrap();
    first.write_all(&data[..7]).unwrap();
    drop(first); // like a crash: the partial file stays
    assert_eq!(ingest_names(&store).len(), 1);
    let mut second = store.resume_ingest(&digest).unwrap();
    assert_eq!(second.size(), 7);
    second.write_all(&data[7..]).unwrap();
    let committed = store
        .commit_blob(
            second.finish().unwrap(),
            Some(&Expected::new(digest.clone(), Some(16))),
        )
        .unwrap();
    assert_eq!(committed, digest);
    assert!(ingest_names(&store).is_empty());
}

#[test]
fn corrupt_blobs_are_detected_on_read_and_by_check() {
    let (dir, store) = store();
    let (entry, _) = put_image(&store, "a", None);
    store.add_image(&entry, &[name("a")], &[]).unwrap();
    let layer = Digest::sha256(b"a");
    let path = dir.path().join("root/blobs/sha256").join(layer.encoded());
    std::fs::write(&path, b"b").unwrap();
    assert!(store.read_blob(&layer, 10).is_err());
    std::fs::write(dir.path().join("root/blobs/sha256/not-a-digest"), b"x").unwrap();
    let report = store.check().unwrap();
    assert!(report.problems.contains(&Problem::CorruptBlob {
        digest: layer,
        actual: Digest::sha256(b"b")
    }));
    assert!(report.problems.contains(&Problem::StrayFile {
        name: "not-a-digest".into()
    }));
}

#[test]
fn symlinks_inside_the_store_are_never_followed() {
    let (dir, store) = store();
    let outside = dir.path().join("outside");
    std::fs::write(&outside, b"secret").unwrap();
    let digest = Digest::sha256(b"secret");
    std::os::unix::fs::symlink(
        &outside,
        dir.path().join("root/blobs/sha256").join(digest.encoded()),
    )
    .unwrap();
    assert!(store.read_blob(&digest, 100).is_err());

    // The whole blobs/sha256 directory swapped for a symlink (checklist item 18).
    drop(store);
    let blobs = dir.path().join("root/blobs/sha256");
    std::fs::remove_dir_all(&blobs).unwrap();
    std::os::unix::fs::symlink(dir.path(), &blobs).unwrap();
    assert!(Store::open(&dir.path().join("root")).is_err());
}

#[test]
fn tags_move_dangle_and_resolve() {
    let (_dir, store) = store();
    let (one, one_id) = put_image(&store, "one", None);
    let (two, two_id) = put_image(&store, "two", None);
    store
        .add_image(&one, &[name("busybox:1"), name("busybox:latest")], &[])
        .unwrap();
    store
        .add_image(&two, &[name("busybox:latest")], &[])
        .unwrap();

    let images = store.images().unwrap();
    assert_eq!(images.len(), 2);
    assert_eq!(store.resolve("busybox").unwrap().id, two_id);
    assert_eq!(store.resolve("busybox:1").unwrap().id, one_id);
    assert_eq!(store.resolve(&one_id.to_string()).unwrap().id, one_id);
    assert_eq!(store.resolve(one_id.encoded()).unwrap().id, one_id);
    assert_eq!(store.resolve(&one_id.encoded()[..6]).unwrap().id, one_id);
    assert!(store.resolve("nosuch").is_err());

    // Removing the last name of `one` leaves it dangling, not gone.
    assert!(store.untag(&name("busybox:1")).unwrap());
    let images = store.images().unwrap();
    let one_image = images.iter().find(|i| i.id == one_id).unwrap();
    assert!(one_image.names.is_empty());
    assert!(!store.untag(&name("busybox:1")).unwrap());
}

#[test]
fn gc_deletes_only_what_no_image_reaches() {
    let (_dir, store) = store();
    let shared = b"shared layer".as_slice();
    let (one, one_id) = put_image(&store, "one", Some(shared));
    let (two, _) = put_image(&store, "two", Some(shared));
    store.add_image(&one, &[name("one")], &[]).unwrap();
    store.add_image(&two, &[name("two")], &[]).unwrap();
    assert!(store.gc(&[]).unwrap().deleted.is_empty());

    store.forget_image(&one_id).unwrap();
    let report = store.gc(&[]).unwrap();
    let mut deleted = report.deleted.clone();
    deleted.sort();
    let mut expected = vec![one.digest.clone(), one_id, Digest::sha256(b"one")];
    expected.sort();
    assert_eq!(deleted, expected);
    assert!(
        store.has_blob(&Digest::sha256(shared)),
        "shared layer stays"
    );
    assert!(store.check().unwrap().problems.is_empty());
}

#[test]
fn concurrent_writers_never_lose_a_reference() {
    let (dir, store) = store();
    let root = dir.path().join("root");
    let entries: Vec<IndexEntry> = (0..16)
        .map(|i| put_image(&store, &format!("img{i}"), None).0)
        .collect();
    std::thread::scope(|scope| {
        for (i, entry) in entries.iter().enumerate() {
            let root = root.clone();
            scope.spawn(move || {
                let store = Store::open(&root).unwrap();
                store
                    .add_image(entry, &[name(&format!("img{i}"))], &[])
                    .unwrap();
            });
        }
    });
    assert_eq!(store.images().unwrap().len(), 16);
}

/// Issue 8: an interrupted command removes its throwaway ingest files (the CLI's signal thread unlinks
/// what is registered) but keeps resumable downloads; a committed blob is no longer registered.
#[test]
fn throwaway_ingests_are_registered_for_removal_on_interrupt() {
    let (_dir, store) = store();
    let mut ingest = store.ingest().unwrap();
    ingest.write_all(b"temp").unwrap();
    let names = ingest_names(&store);
    assert_eq!(names.len(), 1);
    assert!(crate::cleanup::is_registered(&names[0]));
    let pending = ingest.finish().unwrap();
    store.commit_blob(pending, None).unwrap();
    assert!(!crate::cleanup::is_registered(&names[0]));

    let partial = store.resume_ingest(&Digest::sha256(b"partial")).unwrap();
    let partial_name = ingest_names(&store).pop().unwrap();
    assert!(partial_name.starts_with("partial-"));
    assert!(!crate::cleanup::is_registered(&partial_name));
    drop(partial);
}

/// Issue 8: a process killed inside an atomic write of a layer record, or between deleting a blob and
/// its record, leaves files that garbage collection must sweep (they were kept forever before).
#[test]
fn gc_sweeps_stale_state_files() {
    let (dir, store) = store();
    let (entry, _) = put_image(&store, "kept", None);
    store.add_image(&entry, &[name("kept")], &[]).unwrap();
    let kept_layer = Digest::sha256(b"kept");
    let info = crate::LayerInfo {
        diff_id: kept_layer.clone(),
        uncompressed_size: 4,
        content_size: None,
    };
    store.record_layer(&kept_layer, &info).unwrap();
    let gone = Digest::sha256(b"gone");
    store.record_layer(&gone, &info).unwrap();
    let layers = dir.path().join("root/berth/layers");
    let temp = format!(".{}.tmp-1-2-3", kept_layer.encoded());
    std::fs::write(layers.join(&temp), b"{").unwrap();
    let registry = dir.path().join("root/berth/registry/uploads");
    std::fs::create_dir_all(&registry).unwrap();
    std::fs::write(registry.join(".abc.77.tmp"), b"x").unwrap();
    std::fs::write(registry.join("abc"), b"http://127.0.0.1/upload").unwrap();

    store.gc(&[]).unwrap();
    assert!(store.layer_info(&kept_layer).is_some());
    assert!(store.layer_info(&gone).is_none(), "orphan record swept");
    assert!(!layers.join(&temp).exists(), "stale temp swept");
    assert!(!registry.join(".abc.77.tmp").exists());
    assert!(registry.join("abc").exists(), "hints themselves stay");
}

#[test]
fn a_deferred_digest_must_be_provided() {
    let (_dir, store) = store();
    let mut ingest = store.ingest().unwrap();
    assert!(ingest.defer_digest());
    ingest.write_all(b"plain layer").unwrap();
    assert!(!ingest.defer_digest(), "only before the first write");
    ingest.set_digest(Digest::sha256(b"plain layer"));
    let pending = ingest.finish().unwrap();
    assert_eq!(*pending.digest(), Digest::sha256(b"plain layer"));

    let mut forgotten = store.ingest().unwrap();
    assert!(forgotten.defer_digest());
    forgotten.write_all(b"x").unwrap();
    assert!(forgotten.finish().is_err(), "never guessed");
    assert!(
        ingest_names(&store)
            .iter()
            .filter(|n| n.starts_with("tmp"))
            .count()
            <= 1
    );
}

#[test]
fn naming_an_image_records_its_figures_for_listing() {
    let (_dir, store) = store();
    let (entry, id) = put_image(&store, "figures", None);
    store.add_image(&entry, &[name("figures:1")], &[]).unwrap();
    let index = store.index().unwrap();
    let annotations = &index.manifests[0].annotations;
    assert_eq!(
        annotations.get(crate::annotations::IMAGE_ID),
        Some(&id.to_string())
    );
    assert_eq!(
        annotations
            .get(crate::annotations::IMAGE_SIZE)
            .map(String::as_str),
        Some("7")
    );
    let summaries = store.summaries().unwrap();
    assert_eq!((summaries[0].id.clone(), summaries[0].size), (id, 7));
}

/// Blobs around and past the background-sync step commit with their exact bytes, written in odd
/// pieces, and an ingest dropped after its sync thread started leaves nothing behind.
#[test]
fn large_ingests_sync_in_the_background_and_commit_whole() {
    let step = usize::try_from(crate::writeback::STEP).unwrap();
    for size in [0, 1, step - 1, step, 2 * step + 4097] {
        let (_dir, store) = store();
        let content: Vec<u8> = (0..size).map(|i| u8::try_from(i % 251).unwrap()).collect();
        let mut ingest = store.ingest().unwrap();
        for piece in content.chunks(3 * 1024 * 1024 + 7) {
            ingest.write_all(piece).unwrap();
        }
        let pending = ingest.finish().unwrap();
        let expected = Expected::new(Digest::sha256(&content), Some(size as u64));
        let digest = store.commit_blob(pending, Some(&expected)).unwrap();
        assert_eq!(
            std::fs::read(store.blob_path(&digest)).unwrap(),
            content,
            "{size}"
        );
    }
    let (dir, store) = store();
    let mut ingest = store.ingest().unwrap();
    ingest.write_all(&vec![7u8; step + 1]).unwrap();
    drop(ingest);
    let ingest_dir = dir.path().join("root");
    let leftovers: Vec<_> = walk(&ingest_dir)
        .into_iter()
        .filter(|path| path.contains("tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            out.extend(walk(&entry.path()));
        } else {
            out.push(entry.path().display().to_string());
        }
    }
    out
}

/// A temporary file is registered for removal on interrupt from the moment it exists (in the same
/// locked step as its creation), and stays on disk when its registration is dropped.
#[test]
fn temporary_files_are_registered_as_they_are_created() {
    let dir = tempfile::tempdir().unwrap();
    let dir_fd = std::fs::File::open(dir.path()).unwrap();
    let (file, name, registration) = crate::fs::create_temp(&dir_fd, "probe").unwrap();
    assert!(crate::cleanup::is_registered(&name));
    drop(registration);
    assert!(!crate::cleanup::is_registered(&name));
    drop(file);
    assert!(dir.path().join(&name).exists());
    let failed = crate::cleanup::create_registered(&dir_fd, "never", || {
        Err::<(), _>(std::io::Error::other("refused"))
    });
    assert!(failed.is_err());
    assert!(!crate::cleanup::is_registered("never"));
}

/// A blob cut short on disk (a torn write, a full disk elsewhere) is caught like a changed one
/// (security checklist 17): reading it fails and `check` reports what it hashes to.
#[test]
fn truncated_blobs_are_detected_on_read_and_by_check() {
    let (dir, store) = store();
    let (entry, _) = put_image(&store, "a longer layer, cut in half on disk", None);
    store.add_image(&entry, &[name("a")], &[]).unwrap();
    let layer = Digest::sha256(b"a longer layer, cut in half on disk");
    let path = dir.path().join("root/blobs/sha256").join(layer.encoded());
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    assert!(store.read_blob(&layer, 1024).is_err());
    let report = store.check().unwrap();
    assert_eq!(
        report.problems,
        vec![Problem::CorruptBlob {
            digest: layer,
            actual: Digest::sha256(&bytes[..bytes.len() / 2]),
        }]
    );
}
