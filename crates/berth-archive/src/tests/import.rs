//! `import`: configs like Docker's, layers stored as they arrived, nothing stored on failure.

use berth_digest::Digest;
use berth_reference::Reference;

use super::*;
use crate::{import, ImportOptions};

fn name(s: &str) -> Reference {
    Reference::parse_normalized(s).unwrap().with_default_tag()
}

fn options() -> ImportOptions {
    ImportOptions {
        source: "-".into(),
        platform: Some("linux/amd64".into()),
        reference: Some(name("ubuntu:14.04")),
        created: Some(time::macros::datetime!(2024-01-02 03:04:05.123456789 UTC)),
        ..ImportOptions::default()
    }
}

#[test]
fn imports_each_compression_keeping_gzip_and_zstd_as_is() {
    let plain = rootfs();
    for (input, kept) in [
        (plain.clone(), true),
        (gzip(&plain), true),
        (zstd(&plain), true),
        (bzip2(&plain), false),
        (xz(&plain), false),
    ] {
        let (_dir, store) = store();
        let id = import(&store, &input[..], &options()).unwrap();
        let image = store.resolve("ubuntu:14.04").unwrap();
        assert_eq!(image.id, id);
        let layers = image.layer_digests().unwrap();
        let expected = if kept {
            Digest::sha256(&input)
        } else {
            Digest::sha256(&plain)
        };
        assert_eq!(layers, vec![expected.clone()]);
        let info = store.layer_info(&expected).unwrap();
        assert_eq!(info.diff_id, Digest::sha256(&plain));
        let config: serde_json::Value = serde_json::from_slice(&image.config).unwrap();
        assert_eq!(
            config["rootfs"]["diff_ids"][0],
            Digest::sha256(&plain).to_string()
        );
        assert_eq!(config["comment"], "Imported from -");
        assert_eq!(config["history"][0]["comment"], "Imported from -");
        assert_eq!(config["architecture"], "amd64");
        assert_eq!(config["created"], "2024-01-02T03:04:05.123456789Z");
    }
}

#[test]
fn same_input_and_options_give_the_same_image_id() {
    let (_dir, store) = store();
    let first = import(&store, &rootfs()[..], &options()).unwrap();
    let second = import(&store, &rootfs()[..], &options()).unwrap();
    assert_eq!(first, second);
}

#[test]
fn message_and_changes_shape_the_config() {
    let (_dir, store) = store();
    let options = ImportOptions {
        message: Some("busybox rootfs".into()),
        changes: vec!["CMD [\"/bin/sh\"]".into(), "ENV A=b".into()],
        source: "http://example.com/rootfs.tar".into(),
        ..options()
    };
    import(&store, &rootfs()[..], &options).unwrap();
    let image = store.resolve("ubuntu:14.04").unwrap();
    let config: serde_json::Value = serde_json::from_slice(&image.config).unwrap();
    assert_eq!(config["comment"], "busybox rootfs");
    assert_eq!(config["config"]["Cmd"], serde_json::json!(["/bin/sh"]));
    assert_eq!(config["config"]["Env"], serde_json::json!(["A=b"]));

    let (_dir, store) = super::store();
    let options = ImportOptions {
        message: Some(String::new()),
        source: "http://example.com/rootfs.tar".into(),
        ..options
    };
    import(&store, &rootfs()[..], &options).unwrap();
    let config: serde_json::Value =
        serde_json::from_slice(&store.resolve("ubuntu:14.04").unwrap().config).unwrap();
    assert_eq!(
        config["comment"],
        "Imported from http://example.com/rootfs.tar"
    );
}

#[test]
fn untagged_import_is_a_dangling_image() {
    let (_dir, store) = store();
    let options = ImportOptions {
        reference: None,
        ..options()
    };
    let id = import(&store, &gzip(&rootfs())[..], &options).unwrap();
    let images = store.images().unwrap();
    assert_eq!(images.len(), 1);
    assert_eq!(images[0].id, id);
    assert!(images[0].names.is_empty());
}

#[test]
fn failures_store_nothing() {
    let bad_change = ImportOptions {
        changes: vec!["FROM x".into()],
        ..options()
    };
    let bad_platform = ImportOptions {
        platform: Some("windows/amd64".into()),
        ..options()
    };
    let cases: Vec<(&str, Vec<u8>, ImportOptions)> = vec![
        ("empty", vec![], options()),
        ("escape", tar(&[file("../x", b"")]), options()),
        (
            "absolute hardlink",
            gzip(&tar(&[hardlink("x", "/etc/passwd")])),
            options(),
        ),
        ("truncated", rootfs()[..1000].to_vec(), options()),
        ("not a tar", b"plain text".to_vec(), options()),
        ("bad change", rootfs(), bad_change),
        ("bad platform", rootfs(), bad_platform),
    ];
    for (label, input, options) in cases {
        let (dir, store) = store();
        // An existing image must survive too.
        import(&store, &rootfs()[..], &self::options()).unwrap();
        let before = snapshot(&store);
        let result = import(&store, &input[..], &options);
        assert!(result.is_err(), "{label}");
        assert_eq!(before, snapshot(&store), "{label}");
        assert!(!dir.path().join("x").exists());
    }
}
