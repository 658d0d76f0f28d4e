//! One image, as every builder's docker archive (`docker save`, `buildah push docker-archive:`,
//! `berth save`) gives it: the config fields a Dockerfile sets, the history, and the file system
//! flattened from the layers with whiteouts applied. One reader for all three tools, so that a
//! difference found is in the images, never in how each was read.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The config fields compared (`config.config` of the image, as the issue lists them).
pub const CONFIG_FIELDS: &[&str] = &[
    "Env",
    "Cmd",
    "Entrypoint",
    "WorkingDir",
    "User",
    "Labels",
    "ExposedPorts",
    "Volumes",
    "StopSignal",
    "Healthcheck",
    "Shell",
    "OnBuild",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    pub created_by: String,
    pub empty_layer: bool,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `d`, `f`, `l` (symlink), `c`, `b`, `p` (fifo).
    pub kind: char,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// A symlink's target; a device's `major,minor`.
    pub link: String,
    /// sha256 of a regular file's content.
    pub sha256: String,
}

#[derive(Debug, Clone)]
pub struct Image {
    /// Each of [`CONFIG_FIELDS`] (absent: `null`), and `author` (MAINTAINER).
    pub config: BTreeMap<String, Value>,
    pub history: Vec<History>,
    /// Path without the leading `/` (the root directory itself is not listed).
    pub files: BTreeMap<String, Entry>,
}

/// Reads the single image of the docker archive at `path`.
pub fn read_docker_archive(path: &Path) -> Image {
    let members = archive_members(path);
    let manifest: Value = serde_json::from_slice(
        members
            .get("manifest.json")
            .unwrap_or_else(|| panic!("{}: no manifest.json", path.display())),
    )
    .expect("manifest.json is JSON");
    let manifest = &manifest[0];
    let config_name = manifest["Config"].as_str().expect("Config");
    let config: Value =
        serde_json::from_slice(&members[config_name]).expect("the image config is JSON");
    let mut fields = BTreeMap::new();
    for field in CONFIG_FIELDS {
        fields.insert(
            (*field).to_owned(),
            config["config"].get(*field).cloned().unwrap_or(Value::Null),
        );
    }
    fields.insert(
        "author".to_owned(),
        config.get("author").cloned().unwrap_or(Value::Null),
    );
    let history = config["history"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|h| History {
                    created_by: h["created_by"].as_str().unwrap_or_default().to_owned(),
                    empty_layer: h["empty_layer"].as_bool().unwrap_or(false),
                    comment: h["comment"].as_str().unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut files = BTreeMap::new();
    for layer in manifest["Layers"].as_array().expect("Layers") {
        let name = layer.as_str().expect("layer name");
        apply_layer(&mut files, &members[name]);
    }
    Image {
        config: fields,
        history,
        files,
    }
}

fn archive_members(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut archive = tar::Archive::new(file);
    let mut members = BTreeMap::new();
    for entry in archive.entries().expect("archive entries") {
        let mut entry = entry.expect("archive entry");
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let name = entry.path().expect("member name").display().to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("read member");
        members.insert(name.trim_start_matches("./").to_owned(), data);
    }
    members
}

/// A layer's bytes, gunzipped when they are gzip.
fn layer_reader(bytes: &[u8]) -> Box<dyn Read + '_> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::GzDecoder::new(bytes))
    } else {
        Box::new(bytes)
    }
}

fn clean(path: &str) -> String {
    path.trim_start_matches("./")
        .trim_start_matches('/')
        .trim_end_matches('/')
        .to_owned()
}

fn remove_tree(files: &mut BTreeMap<String, Entry>, path: &str) {
    files.remove(path);
    let prefix = format!("{path}/");
    files.retain(|name, _| !name.starts_with(&prefix));
}

/// Applies one layer: whiteouts (`.wh.NAME`, `.wh..wh..opq`) remove what the layers below had;
/// an entry replaces what was at its path (a directory replaced by a non-directory takes its
/// children with it); a hard link becomes a copy of its target's entry.
fn apply_layer(files: &mut BTreeMap<String, Entry>, bytes: &[u8]) {
    let mut archive = tar::Archive::new(layer_reader(bytes));
    let mut added = BTreeSet::new();
    let mut opaque = Vec::new();
    for entry in archive.entries().expect("layer entries") {
        let mut entry = entry.expect("layer entry");
        let path = clean(&entry.path().expect("entry path").display().to_string());
        if path.is_empty() || path == "." {
            continue;
        }
        let (dir, base) = path.rsplit_once('/').unwrap_or(("", &path));
        if base == ".wh..wh..opq" {
            opaque.push(dir.to_owned());
            continue;
        }
        if let Some(hidden) = base.strip_prefix(".wh.") {
            let hidden = if dir.is_empty() {
                hidden.to_owned()
            } else {
                format!("{dir}/{hidden}")
            };
            remove_tree(files, &hidden);
            continue;
        }
        let header = entry.header().clone();
        let mode = header.mode().expect("mode") & 0o7777;
        let uid = header.uid().expect("uid");
        let gid = header.gid().expect("gid");
        let link = entry
            .link_name()
            .expect("link name")
            .map(|l| l.display().to_string())
            .unwrap_or_default();
        let new = match header.entry_type() {
            tar::EntryType::Directory => entry_of('d', mode, uid, gid, String::new(), ""),
            tar::EntryType::Symlink => entry_of('l', mode, uid, gid, link, ""),
            tar::EntryType::Link => {
                let target = clean(&link);
                let mut copy = files
                    .get(&target)
                    .cloned()
                    .unwrap_or_else(|| panic!("hard link {path} to {target}, which is missing"));
                copy.mode = mode;
                copy.uid = uid;
                copy.gid = gid;
                copy
            }
            tar::EntryType::Char | tar::EntryType::Block => {
                let kind = if header.entry_type() == tar::EntryType::Char {
                    'c'
                } else {
                    'b'
                };
                let device = format!(
                    "{},{}",
                    header.device_major().ok().flatten().unwrap_or(0),
                    header.device_minor().ok().flatten().unwrap_or(0)
                );
                entry_of(kind, mode, uid, gid, device, "")
            }
            tar::EntryType::Fifo => entry_of('p', mode, uid, gid, String::new(), ""),
            _ => {
                let mut data = Vec::new();
                entry.read_to_end(&mut data).expect("read file");
                let digest = hex(&Sha256::digest(&data));
                entry_of('f', mode, uid, gid, String::new(), &digest)
            }
        };
        if new.kind != 'd' {
            remove_tree(files, &path);
        }
        files.insert(path.clone(), new);
        added.insert(path);
    }
    // An opaque directory hides what the layers below had in it, not what this layer adds.
    for dir in opaque {
        let prefix = format!("{dir}/");
        files.retain(|name, _| !name.starts_with(&prefix) || added.contains(name));
    }
}

fn entry_of(kind: char, mode: u32, uid: u64, gid: u64, link: String, sha256: &str) -> Entry {
    Entry {
        kind,
        mode,
        uid,
        gid,
        link,
        sha256: sha256.to_owned(),
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
