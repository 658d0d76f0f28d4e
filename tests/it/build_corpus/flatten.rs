//! The reader and the comparison on archives made here, so that what they find in the corpus can be
//! trusted: whiteouts, opaque directories, hard links and replaced directories, and one difference
//! of each kind reported at its place.

use std::path::Path;

use super::compare::compare;
use super::image::read_docker_archive;

/// One tar entry of a test layer: path, type (`d`, `f`, `l` symlink, `h` hard link), mode, uid,
/// and the content (a link's target).
type Spec<'a> = (&'a str, char, u32, u64, &'a str);

fn layer(entries: &[Spec]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, kind, mode, uid, data) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_mode(*mode);
        header.set_uid(*uid);
        header.set_gid(*uid);
        header.set_mtime(0);
        header.set_size(0);
        let entry_type = match kind {
            'd' => tar::EntryType::Directory,
            'l' => tar::EntryType::Symlink,
            'h' => tar::EntryType::Link,
            _ => tar::EntryType::Regular,
        };
        header.set_entry_type(entry_type);
        if matches!(kind, 'l' | 'h') {
            builder.append_link(&mut header, path, data).unwrap();
        } else {
            let bytes = if *kind == 'f' { data.as_bytes() } else { &[] };
            header.set_size(bytes.len() as u64);
            builder.append_data(&mut header, path, bytes).unwrap();
        }
    }
    builder.into_inner().unwrap()
}

/// A docker archive of `layers` with `config` as the image's `config`.
fn archive(dir: &Path, name: &str, config: &str, layers: &[Vec<u8>]) -> std::path::PathBuf {
    let mut builder = tar::Builder::new(Vec::new());
    let mut add = |path: &str, bytes: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o644);
        header.set_size(bytes.len() as u64);
        builder.append_data(&mut header, path, bytes).unwrap();
    };
    let names: Vec<String> = (0..layers.len())
        .map(|i| format!("l{i}/layer.tar"))
        .collect();
    for (name, bytes) in names.iter().zip(layers) {
        add(name, bytes);
    }
    let history = r#"[{"created_by":"COPY . / # buildkit","comment":"buildkit.dockerfile.v0"}]"#;
    add(
        "config.json",
        format!(r#"{{"config":{config},"author":"me","history":{history}}}"#).as_bytes(),
    );
    let manifest = serde_json::json!([{"Config": "config.json", "Layers": names}]);
    add("manifest.json", manifest.to_string().as_bytes());
    let path = dir.join(name);
    std::fs::write(&path, builder.into_inner().unwrap()).unwrap();
    path
}

#[test]
fn flattening_applies_whiteouts_opaque_directories_and_hard_links() {
    let dir = tempfile::tempdir().unwrap();
    let lower = layer(&[
        ("etc/", 'd', 0o755, 0, ""),
        ("etc/gone", 'f', 0o644, 0, "x"),
        ("etc/kept", 'f', 0o600, 2, "kept"),
        ("opaque/", 'd', 0o755, 0, ""),
        ("opaque/old", 'f', 0o644, 0, "old"),
        ("tree/", 'd', 0o755, 0, ""),
        ("tree/deep/", 'd', 0o755, 0, ""),
        ("tree/deep/file", 'f', 0o644, 0, "deep"),
        ("was-dir/", 'd', 0o755, 0, ""),
        ("was-dir/child", 'f', 0o644, 0, "c"),
    ]);
    let upper = layer(&[
        ("etc/.wh.gone", 'f', 0o644, 0, ""),
        ("opaque/.wh..wh..opq", 'f', 0o644, 0, ""),
        ("opaque/new", 'f', 0o644, 0, "new"),
        ("tree/.wh.deep", 'f', 0o644, 0, ""),
        ("was-dir", 'l', 0o777, 0, "etc"),
        ("etc/hard", 'h', 0o600, 2, "etc/kept"),
    ]);
    let image = read_docker_archive(&archive(dir.path(), "a.tar", "{}", &[lower, upper]));
    let listing: Vec<String> = image
        .files
        .iter()
        .map(|(path, e)| format!("{path} {} {:o} {} {}", e.kind, e.mode, e.uid, e.link))
        .collect();
    assert_eq!(
        listing,
        [
            "etc d 755 0 ",
            "etc/hard f 600 2 ",
            "etc/kept f 600 2 ",
            "opaque d 755 0 ",
            "opaque/new f 644 0 ",
            "tree d 755 0 ",
            "was-dir l 777 0 etc",
        ]
    );
    assert_eq!(
        image.files["etc/hard"].sha256,
        image.files["etc/kept"].sha256
    );
    assert_eq!(image.history.len(), 1);
    assert_eq!(image.config["author"], "me");
}

#[test]
fn each_kind_of_difference_is_reported_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let left = layer(&[
        ("a", 'f', 0o644, 0, "same"),
        ("b", 'f', 0o644, 0, "one"),
        ("c", 'l', 0o777, 0, "a"),
        ("only-left", 'f', 0o644, 0, ""),
    ]);
    let right = layer(&[
        ("a", 'f', 0o755, 1, "same"),
        ("b", 'f', 0o644, 0, "two"),
        ("c", 'l', 0o777, 0, "b"),
    ]);
    let left = archive(dir.path(), "l.tar", r#"{"Env":["A=1"]}"#, &[left]);
    let right = archive(
        dir.path(),
        "r.tar",
        r#"{"Env":["A=2"],"Cmd":["sh"]}"#,
        &[right],
    );
    let places: Vec<String> = compare(&read_docker_archive(&left), &read_docker_archive(&right))
        .into_iter()
        .map(|d| format!("{} [{} | {}]", d.place, d.left, d.right))
        .collect();
    assert_eq!(
        places,
        [
            r#"config.Cmd [null | ["sh"]]"#,
            r#"config.Env [["A=1"] | ["A=2"]]"#,
            "fs /a mode [644 | 755]",
            "fs /a owner [0:0 | 1:1]",
            "fs /b content [7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed | 3fc4ccfe745870e2c0d99f71f30ff0656c8dedd41cc1d7d3d376b0dbe685e2f3]",
            "fs /c link [a | b]",
            "fs /only-left [f 644 0:0 sha256:e3b0c44298fc | <absent>]",
        ]
    );
}
