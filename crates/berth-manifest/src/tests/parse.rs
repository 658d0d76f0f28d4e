//! Strict parsing: CVE-2021-41190 shapes, Content-Type, limits, schema1, fixtures.

use berth_digest::Digest;

use crate::{
    archive_parent_links, is_valid_parent, media_type, parse_config, parse_docker_archive_manifest,
    parse_document, serialize_docker_archive_manifest, Document, Error, MAX_ARCHIVE_MANIFEST_BYTES,
    MAX_MANIFEST_BYTES,
};

const SKOPEO_MANIFEST: &[u8] = include_bytes!("../../tests/data/skopeo-oci-manifest.json");
const SKOPEO_INDEX: &[u8] = include_bytes!("../../tests/data/skopeo-oci-index.json");
const SKOPEO_CONFIG: &[u8] = include_bytes!("../../tests/data/skopeo-oci-config.json");
const DOCKER_BASE_CONFIG: &[u8] = include_bytes!("../../tests/data/docker-20.10-base-config.json");
const DOCKER_COMMIT_CONFIG: &[u8] =
    include_bytes!("../../tests/data/docker-20.10-commit-config.json");
const DOCKER_ARCHIVE_MANIFEST: &[u8] =
    include_bytes!("../../tests/data/docker-20.10-archive-manifest.json");

const D1: &str = "sha256:9394544825129e140c69fb7070ea902491a66429ccd99d834505c8ff78dff28d";
const D2: &str = "sha256:5d29ce3ecf4e6df88172b05ff16b36a7d34c759dbc24f4c68020a825a3a90ea9";

fn desc(media_type: &str, digest: &str) -> String {
    format!(r#"{{"mediaType":"{media_type}","digest":"{digest}","size":10}}"#)
}

fn manifest_json(media_type: Option<&str>, extra: &str) -> String {
    let media = media_type
        .map(|m| format!(r#""mediaType":"{m}","#))
        .unwrap_or_default();
    format!(
        r#"{{"schemaVersion":2,{media}"config":{},"layers":[{}]{extra}}}"#,
        desc(media_type::OCI_CONFIG, D1),
        desc(media_type::OCI_LAYER_TAR_GZIP, D2)
    )
}

fn index_json(media_type: Option<&str>, extra: &str) -> String {
    let media = media_type
        .map(|m| format!(r#""mediaType":"{m}","#))
        .unwrap_or_default();
    format!(
        r#"{{"schemaVersion":2,{media}"manifests":[{}]{extra}}}"#,
        desc(media_type::OCI_MANIFEST, D1)
    )
}

/// What a parse should give: the document kind, or the start of the error message.
enum Want {
    Manifest,
    Index,
    Err(&'static str),
}

fn check(name: &str, bytes: &[u8], content_type: Option<&str>, want: &Want) {
    let got = parse_document(bytes, content_type);
    match (want, &got) {
        (Want::Manifest, Ok(Document::Manifest(_))) | (Want::Index, Ok(Document::Index(_))) => {}
        (Want::Err(prefix), Err(error)) if error.to_string().starts_with(prefix) => {}
        _ => panic!("{name}: got {got:?}"),
    }
}

#[test]
fn documents() {
    let oci_m = Some(media_type::OCI_MANIFEST);
    let oci_i = Some(media_type::OCI_INDEX);
    let docker_m = Some(media_type::DOCKER_MANIFEST);
    let docker_l = Some(media_type::DOCKER_MANIFEST_LIST);
    let manifests = format!(r#","manifests":[{}]"#, desc(media_type::OCI_MANIFEST, D1));
    let config = format!(r#","config":{}"#, desc(media_type::OCI_CONFIG, D1));
    let layers = format!(r#","layers":[{}]"#, desc(media_type::OCI_LAYER_TAR, D2));
    let cases: Vec<(&str, String, Option<&str>, Want)> = vec![
        ("oci manifest", manifest_json(oci_m, ""), None, Want::Manifest),
        ("docker manifest", manifest_json(docker_m, ""), docker_m, Want::Manifest),
        ("manifest by content type", manifest_json(None, ""), oci_m, Want::Manifest),
        ("manifest by shape", manifest_json(None, ""), None, Want::Manifest),
        ("index", index_json(oci_i, ""), oci_i, Want::Index),
        ("docker list", index_json(docker_l, ""), None, Want::Index),
        ("index by shape", index_json(None, ""), Some("application/json"), Want::Index),
        (
            "content type with parameters",
            manifest_json(oci_m, ""),
            Some("application/vnd.oci.image.manifest.v1+json; charset=utf-8"),
            Want::Manifest,
        ),
        // CVE-2021-41190 (GHSA-mc8v-mgrf-8f4m, GHSA-5j5w-g665-5m35): every ambiguous shape.
        ("untyped manifests+config+layers", manifest_json(None, &manifests), None, Want::Err("ambiguous document")),
        ("typed manifest with manifests", manifest_json(oci_m, &manifests), oci_m, Want::Err("ambiguous document")),
        ("typed index with config", index_json(oci_i, &config), oci_i, Want::Err("ambiguous document")),
        ("typed index with layers", index_json(oci_i, &layers), None, Want::Err("ambiguous document")),
        ("index with null config", index_json(oci_i, r#","config":null"#), None, Want::Err("ambiguous document")),
        (
            "index content type, manifest shape",
            manifest_json(None, ""),
            oci_i,
            Want::Err("document of media type application/vnd.oci.image.index.v1+json must not have a `config` field"),
        ),
        (
            "manifest media type without config but with manifests",
            index_json(oci_m, ""),
            None,
            Want::Err("document of media type application/vnd.oci.image.manifest.v1+json must not have a `manifests` field"),
        ),
        (
            "docker list media type, layers only",
            format!(r#"{{"schemaVersion":2,"mediaType":"{}"{layers}}}"#, media_type::DOCKER_MANIFEST_LIST),
            None,
            Want::Err("document of media type application/vnd.docker.distribution.manifest.list.v2+json must not have a `layers` field"),
        ),
        // Distribution spec: mediaType must equal Content-Type.
        ("mediaType != Content-Type", manifest_json(oci_m, ""), docker_m, Want::Err("media type application/vnd.oci.image.manifest.v1+json does not match Content-Type: application/vnd.docker.distribution.manifest.v2+json")),
        ("manifest served as index", manifest_json(oci_m, ""), oci_i, Want::Err("media type application/vnd.oci.image.manifest.v1+json does not match Content-Type")),
        // Schema1.
        ("schemaVersion 1", r#"{"schemaVersion":1,"name":"x","tag":"y","fsLayers":[]}"#.to_owned(), None, Want::Err("unsupported schema1 manifest (Docker removed schema1 support in v28.2): schemaVersion 1")),
        ("fsLayers", r#"{"schemaVersion":2,"fsLayers":[]}"#.to_owned(), None, Want::Err("unsupported schema1 manifest")),
        ("schema1 media type", r#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v1+prettyjws"}"#.to_owned(), None, Want::Err("unsupported schema1 manifest (Docker removed schema1 support in v28.2): media type application/vnd.docker.distribution.manifest.v1+prettyjws")),
        ("schema1 content type", manifest_json(None, ""), Some(media_type::DOCKER_SCHEMA1_MANIFEST), Want::Err("unsupported schema1 manifest (Docker removed schema1 support in v28.2): Content-Type")),
        // Other refusals.
        ("schemaVersion 3", r#"{"schemaVersion":3,"manifests":[]}"#.to_owned(), None, Want::Err("unsupported manifest schema version: 3")),
        ("no schemaVersion", r#"{"manifests":[]}"#.to_owned(), None, Want::Err("unsupported manifest schema version: missing")),
        ("unknown media type", r#"{"schemaVersion":2,"mediaType":"text/plain"}"#.to_owned(), None, Want::Err("unsupported manifest media type: text/plain")),
        ("neither", r#"{"schemaVersion":2}"#.to_owned(), None, Want::Err("document is neither")),
        ("not json", "nope".to_owned(), None, Want::Err("invalid manifest JSON")),
        ("null", "null".to_owned(), None, Want::Err("invalid manifest JSON")),
        // Descriptors.
        ("digest with path", manifest_json(oci_m, "").replace(D2, "sha256:../x"), None, Want::Err("invalid manifest JSON")),
        ("unknown algorithm", manifest_json(oci_m, "").replace(D2, "md5:d41d8cd98f00b204e9800998ecf8427e"), None, Want::Err("invalid digest in layer descriptor: md5:d41d8cd98f00b204e9800998ecf8427e")),
        ("short digest", index_json(oci_i, "").replace(D1, "sha256:abc"), None, Want::Err("invalid index JSON")),
        ("negative size", manifest_json(oci_m, "").replace(r#""size":10}]"#, r#""size":-1}]"#), None, Want::Err("invalid manifest JSON")),
        ("absent size", manifest_json(oci_m, "").replace(r#","size":10}]"#, "}]"), None, Want::Err("invalid manifest JSON")),
    ];
    for (name, json, content_type, want) in &cases {
        check(name, json.as_bytes(), *content_type, want);
    }
}

#[test]
fn size_cap() {
    let base = manifest_json(Some(media_type::OCI_MANIFEST), "");
    let mut at_cap = base.clone().into_bytes();
    at_cap.truncate(at_cap.len() - 1);
    at_cap.resize(MAX_MANIFEST_BYTES - 1, b' ');
    at_cap.push(b'}');
    check("exactly 4 MiB", &at_cap, None, &Want::Manifest);
    let mut over = at_cap.clone();
    over.insert(0, b' ');
    assert_eq!(over.len(), MAX_MANIFEST_BYTES + 1);
    check(
        "4 MiB + 1",
        &over,
        None,
        &Want::Err("manifest is too large: more than 4194304 bytes"),
    );
    let big_config = vec![b' '; MAX_MANIFEST_BYTES + 1];
    assert!(matches!(
        parse_config(&big_config),
        Err(Error::TooLarge { .. })
    ));
    let big_archive = vec![b' '; MAX_ARCHIVE_MANIFEST_BYTES + 1];
    assert!(matches!(
        parse_docker_archive_manifest(&big_archive),
        Err(Error::TooLarge { .. })
    ));
}

#[test]
fn skopeo_fixture_documents() {
    check(
        "skopeo manifest",
        SKOPEO_MANIFEST,
        Some(media_type::OCI_MANIFEST),
        &Want::Manifest,
    );
    check("skopeo index.json", SKOPEO_INDEX, None, &Want::Index);
    let Ok(Document::Manifest(manifest)) = parse_document(SKOPEO_MANIFEST, None) else {
        panic!("skopeo manifest")
    };
    assert_eq!(manifest.layers().len(), 2);
    assert_eq!(manifest.config().size(), 796);
}

#[test]
fn fixture_configs() {
    for (name, bytes) in [
        ("skopeo", SKOPEO_CONFIG),
        ("docker base", DOCKER_BASE_CONFIG),
        ("docker commit", DOCKER_COMMIT_CONFIG),
    ] {
        let config = parse_config(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(config.architecture, "amd64", "{name}");
        assert_eq!(config.os, "linux", "{name}");
        assert!(!config.rootfs.diff_ids.is_empty(), "{name}");
        // Round trip: unknown keys survive, and a second round is byte-stable.
        let again = parse_config(&config.to_bytes()).unwrap();
        assert_eq!(again, config, "{name}");
        assert_eq!(again.to_bytes(), config.to_bytes(), "{name}");
        assert!(config.to_oci().is_ok(), "{name}");
    }
    let commit = parse_config(DOCKER_COMMIT_CONFIG).unwrap();
    let container = commit.config.as_ref().unwrap();
    assert_eq!(container.env, ["GREETING=hello"]);
    assert_eq!(container.working_dir, "/data");
    assert_eq!(container.extra["Hostname"], "26d76d3e29b7");
    assert_eq!(commit.extra_str("docker_version"), Some("20.10.24+dfsg1"));
    assert_eq!(commit.history.len(), 2);
    assert_eq!(commit.history[1].author.as_deref(), Some("Docker Newbee"));
    let rewritten = String::from_utf8(commit.to_bytes()).unwrap();
    assert!(
        rewritten
            .starts_with(r#"{"architecture":"amd64","author":"Docker Newbee","config":{"User":"#)
            || rewritten
                .starts_with(r#"{"architecture":"amd64","author":"Docker Newbee","config":{"Env""#),
        "{rewritten}"
    );
    assert!(rewritten.contains(r#""container_config":{"#), "{rewritten}");
    // The skopeo config is byte-identical to what berth writes? No: skopeo keeps OCI field order.
    // Parsing it must still give the same values as Docker's own config.
    let skopeo = parse_config(SKOPEO_CONFIG).unwrap();
    assert_eq!(skopeo.rootfs, commit.rootfs);
    assert_eq!(skopeo.history, commit.history);
}

#[test]
fn config_refusals() {
    let cases: [(&str, &str); 4] = [
        (
            r#"{"architecture":"amd64","os":"linux","rootfs":{"type":"zfs","diff_ids":[]}}"#,
            "unsupported rootfs type: \"zfs\"",
        ),
        (
            r#"{"architecture":"amd64","os":"linux"}"#,
            "invalid image config JSON",
        ),
        (
            r#"{"rootfs":{"type":"layers","diff_ids":["sha256:../../x"]}}"#,
            "invalid image config JSON",
        ),
        ("[]", "invalid image config JSON"),
    ];
    for (json, want) in cases {
        let error = parse_config(json.as_bytes()).unwrap_err().to_string();
        assert!(error.starts_with(want), "{json}: {error}");
    }
}

/// The fixture's `manifest.json` names `fixture/busybox:base` as the parent of `fixture/busybox:1`
/// (written by `docker commit`, then `docker save`), and Docker 20.10 records it on load.
#[test]
fn docker_archive_parents() {
    let entries = parse_docker_archive_manifest(DOCKER_ARCHIVE_MANIFEST).unwrap();
    let ids: Vec<Digest> = entries
        .iter()
        .map(|entry| {
            format!("sha256:{}", entry.config.trim_end_matches(".json"))
                .parse()
                .unwrap()
        })
        .collect();
    let images: Vec<(Digest, Option<&str>)> = ids
        .iter()
        .cloned()
        .zip(entries.iter().map(|entry| entry.parent.as_deref()))
        .collect();
    assert_eq!(
        archive_parent_links(&images),
        [(ids[0].clone(), ids[1].clone())]
    );
    // A parent that is not in the archive, or the image itself, is ignored.
    assert_eq!(archive_parent_links(&images[..1]), []);
    let itself = ids[0].to_string();
    let own = [
        (ids[1].clone(), Some(D1)),
        (ids[0].clone(), Some(itself.as_str())),
    ];
    assert_eq!(archive_parent_links(&own), []);

    let base = parse_config(DOCKER_BASE_CONFIG).unwrap();
    let commit = parse_config(DOCKER_COMMIT_CONFIG).unwrap();
    assert!(is_valid_parent(&commit, &base));
    assert!(!is_valid_parent(&base, &commit));
    assert!(!is_valid_parent(&commit, &commit));
    let mut changed = base.clone();
    changed.history[0].comment = Some("another".to_owned());
    assert!(!is_valid_parent(&commit, &changed));
    let mut no_history = base.clone();
    no_history.history.clear();
    let mut child = commit.clone();
    child.history.clear();
    assert!(is_valid_parent(&child, &no_history));
}

#[test]
fn docker_archive_manifest() {
    let entries = parse_docker_archive_manifest(DOCKER_ARCHIVE_MANIFEST).unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries[0].parent.as_deref(),
        Some("sha256:2eefd5de9cacfc447de0273443c4ea6277c19370b634fd517dfe50e78a4440e2")
    );
    assert_eq!(
        entries[1].repo_tags.as_deref(),
        Some(&["fixture/busybox:base".to_owned()][..])
    );
    // Docker's own bytes come back unchanged.
    assert_eq!(
        serialize_docker_archive_manifest(&entries),
        DOCKER_ARCHIVE_MANIFEST
    );

    let by_id = r#"[{"Config":"blobs/sha256/aa","RepoTags":null,"Layers":[]}]"#;
    let entries = parse_docker_archive_manifest(by_id.as_bytes()).unwrap();
    assert_eq!(entries[0].repo_tags, None);
    assert_eq!(
        serialize_docker_archive_manifest(&entries),
        format!("{by_id}\n").as_bytes()
    );

    // Security checklist item 31.
    let refusals = [
        ("null", "docker-archive manifest.json is null"),
        (
            r#"[{"Config":"../../etc/passwd","RepoTags":[],"Layers":[]}]"#,
            "unsafe path in docker-archive manifest.json: \"../../etc/passwd\"",
        ),
        (
            r#"[{"Config":"a.json","RepoTags":[],"Layers":["/abs/layer.tar"]}]"#,
            "unsafe path in docker-archive manifest.json: \"/abs/layer.tar\"",
        ),
        (
            r#"[{"Config":"","RepoTags":[],"Layers":[]}]"#,
            "unsafe path",
        ),
        (
            r#"[{"RepoTags":[],"Layers":[]}]"#,
            "invalid manifest.json JSON",
        ),
    ];
    for (json, want) in refusals {
        let error = parse_docker_archive_manifest(json.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(error.starts_with(want), "{json}: {error}");
    }
}

#[test]
fn media_types() {
    use media_type::{layer_compression, Compression};
    let cases = [
        (media_type::OCI_LAYER_TAR, Some(Compression::None)),
        (media_type::OCI_LAYER_TAR_GZIP, Some(Compression::Gzip)),
        (media_type::OCI_LAYER_TAR_ZSTD, Some(Compression::Zstd)),
        (media_type::DOCKER_LAYER_TAR_GZIP, Some(Compression::Gzip)),
        (
            media_type::DOCKER_LAYER_FOREIGN_TAR_GZIP,
            Some(Compression::Gzip),
        ),
        (media_type::DOCKER_LAYER_TAR, Some(Compression::None)),
        (
            "application/vnd.oci.image.layer.v1.tar+gzip; foo=bar",
            Some(Compression::Gzip),
        ),
        (media_type::OCI_CONFIG, None),
        (media_type::OCI_EMPTY, None),
    ];
    for (media_type, want) in cases {
        assert_eq!(layer_compression(media_type), want, "{media_type}");
    }
    assert!(media_type::is_manifest(media_type::DOCKER_MANIFEST));
    assert!(media_type::is_index(
        "Application/VND.oci.image.index.v1+json ; x=y"
    ));
    assert!(!media_type::is_manifest(
        media_type::DOCKER_SCHEMA1_SIGNED_MANIFEST
    ));
    assert!(media_type::is_schema1(media_type::DOCKER_SCHEMA1_MANIFEST));
    assert!(media_type::same_type(
        "application/json; charset=utf-8",
        "application/json"
    ));
}
