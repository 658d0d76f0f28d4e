//! Property-based fuzzing of the document parsers (issue 8; `cargo fuzz` needs a nightly toolchain,
//! so the targets live here as proptest properties that run with the normal test suite).
//!
//! Inputs are arbitrary bytes, and real documents (the skopeo and Docker fixtures) mutated at the byte
//! level (flips, truncations, insertions) and at the JSON level (a value anywhere replaced by another
//! JSON value). Properties: the parsers never panic, answer the same twice, and what they accept is
//! usable (platform selection, history rows, a re-serialized manifest parses again).
//! More cases: `PROPTEST_CASES=100000 cargo test -p berth-manifest --test fuzz`.

use berth_digest::Digest;
use berth_manifest::{
    history_rows, parse_config, parse_docker_archive_manifest, parse_document, parse_oci_config,
    select_manifest, Document, Platform,
};
use proptest::prelude::*;
use serde_json::Value;

const MANIFEST: &[u8] = include_bytes!("data/skopeo-oci-manifest.json");
const INDEX: &[u8] = include_bytes!("data/skopeo-oci-index.json");
const CONFIG: &[u8] = include_bytes!("data/skopeo-oci-config.json");
const DOCKER_CONFIG: &[u8] = include_bytes!("data/docker-20.10-base-config.json");
const COMMIT_CONFIG: &[u8] = include_bytes!("data/docker-20.10-commit-config.json");
const ARCHIVE_MANIFEST: &[u8] = include_bytes!("data/docker-20.10-archive-manifest.json");

const SEEDS: &[&[u8]] = &[
    MANIFEST,
    INDEX,
    CONFIG,
    DOCKER_CONFIG,
    COMMIT_CONFIG,
    ARCHIVE_MANIFEST,
];

const CONTENT_TYPES: &[Option<&str>] = &[
    None,
    Some("application/vnd.oci.image.manifest.v1+json"),
    Some("application/vnd.oci.image.index.v1+json"),
    Some("application/vnd.docker.distribution.manifest.v2+json"),
    Some("application/vnd.docker.distribution.manifest.list.v2+json"),
    Some("application/vnd.docker.distribution.manifest.v1+prettyjws"),
    Some("application/json"),
    Some(""),
];

/// Runs every parser on `bytes` and uses what they accept.
fn exercise(bytes: &[u8]) -> Result<(), TestCaseError> {
    for content_type in CONTENT_TYPES {
        let first = parse_document(bytes, *content_type);
        let second = parse_document(bytes, *content_type);
        prop_assert_eq!(
            first.is_ok(),
            second.is_ok(),
            "parse_document is not deterministic"
        );
        match first {
            Ok(Document::Index(index)) => {
                for platform in [
                    "linux/amd64",
                    "linux/arm64/v8",
                    "linux/arm/v7",
                    "windows/amd64",
                ] {
                    let _ = select_manifest(&index, &Platform::parse(platform).unwrap());
                }
            }
            Ok(Document::Manifest(manifest)) => {
                // What was accepted serializes and is accepted again.
                let again = serde_json::to_vec(&manifest).unwrap();
                prop_assert!(
                    parse_document(&again, None).is_ok(),
                    "a re-serialized manifest was refused"
                );
            }
            Err(_) => {}
        }
    }
    if let Ok(config) = parse_config(bytes) {
        let id = Digest::sha256(bytes);
        let sizes = vec![0_u64; config.rootfs.diff_ids.len()];
        let _ = history_rows(&config, &id, &sizes);
        let _ = history_rows(&config, &id, &[]);
        let _ = config.to_bytes();
    }
    let _ = parse_oci_config(bytes);
    let _ = parse_docker_archive_manifest(bytes);
    Ok(())
}

/// A JSON value of a few kinds, shallow.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,24}".prop_map(Value::String),
        Just(Value::String(
            "sha256:0000000000000000000000000000000000000000000000000000000000000000".into()
        )),
        Just(Value::String(
            "application/vnd.oci.image.index.v1+json".into()
        )),
        Just(Value::String(
            "application/vnd.oci.image.manifest.v1+json".into()
        )),
        Just(Value::String("../../etc/passwd".into())),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,10}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Replaces the `pick`-th node (in a depth-first walk) of `value` with `replacement`.
fn replace_node(value: &mut Value, pick: &mut usize, replacement: &Value) -> bool {
    if *pick == 0 {
        *value = replacement.clone();
        return true;
    }
    *pick -= 1;
    match value {
        Value::Array(items) => items.iter_mut().any(|v| replace_node(v, pick, replacement)),
        Value::Object(map) => map.values_mut().any(|v| replace_node(v, pick, replacement)),
        _ => false,
    }
}

/// Removes one key (the `pick`-th, modulo) of the top-level object, or of each object in an array.
fn remove_key(value: &mut Value, pick: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let key = map.keys().nth(pick % map.len()).cloned().unwrap();
            map.remove(&key);
        }
        Value::Array(items) => {
            for item in items {
                remove_key(item, pick);
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        exercise(&bytes)?;
    }

    #[test]
    fn byte_mutations_of_real_documents_never_panic(
        seed in 0..SEEDS.len(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
        insert in prop::collection::vec(any::<u8>(), 0..16),
        at in any::<prop::sample::Index>(),
    ) {
        let mut bytes = SEEDS[seed].to_vec();
        for (index, byte) in flips {
            let i = index.index(bytes.len());
            bytes[i] ^= byte;
        }
        let position = at.index(bytes.len() + 1);
        bytes.splice(position..position, insert);
        if truncate {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        exercise(&bytes)?;
    }

    #[test]
    fn json_mutations_of_real_documents_never_panic(
        seed in 0..SEEDS.len(),
        pick in 0usize..200,
        replacement in json_value(),
        drop_key in prop::option::of(0usize..16),
    ) {
        let mut value: Value = serde_json::from_slice(SEEDS[seed]).unwrap();
        let mut remaining = pick;
        replace_node(&mut value, &mut remaining, &replacement);
        if let Some(key) = drop_key {
            remove_key(&mut value, key);
        }
        exercise(&serde_json::to_vec(&value).unwrap())?;
    }

    #[test]
    fn platform_strings_never_panic(specifier in "\\PC{0,40}") {
        if let Ok(platform) = Platform::parse(&specifier) {
            prop_assert!(platform.matches(&platform));
        }
    }
}

/// The seeds themselves parse: otherwise the mutations above would only exercise error paths.
#[test]
fn seeds_are_valid_documents() {
    assert!(matches!(
        parse_document(MANIFEST, None),
        Ok(Document::Manifest(_))
    ));
    assert!(matches!(
        parse_document(INDEX, None),
        Ok(Document::Index(_))
    ));
    for config in [CONFIG, DOCKER_CONFIG, COMMIT_CONFIG] {
        parse_config(config).unwrap();
    }
    assert!(!parse_docker_archive_manifest(ARCHIVE_MANIFEST)
        .unwrap()
        .is_empty());
}
