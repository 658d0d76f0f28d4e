//! The real Docker engine as the oracle for `save` and `load` (issue #4): berth's archives go
//! through `docker load`, Docker's own through `berth load`, and both sides must then agree on the
//! image ID, the tags, the layers and what `inspect` and `history` say. One dockerd serves the whole
//! run (`common::dockerd`); each test names its images uniquely and builds layers no other test has,
//! so a `docker load` here always really creates the image.
//!
//! What Docker did with each archive variant is written down in docs/archives.md ("What the real
//! Docker engine does with berth's archives"); `docker_refuses_oci_archives_and_zstd_layers` keeps it
//! true.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{dockerd, render, Dockerd, Env};

/// Image IDs of the Docker 20.10 fixture (`shared/fixtures/README.md`).
const FIXTURE_ID_1: &str =
    "sha256:415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27";
const FIXTURE_ID_BASE: &str =
    "sha256:2eefd5de9cacfc447de0273443c4ea6277c19370b634fd517dfe50e78a4440e2";

/// Templates whose output `docker image inspect -f` and `berth inspect -f` must agree on.
const SAME_FACTS: &[&str] = &[
    "{{.Id}}",
    "{{json .RepoTags}}",
    "{{.Size}}",
    "{{.RootFS.Type}}",
    "{{json .RootFS.Layers}}",
    "{{.Architecture}}",
    "{{.Os}}",
    "{{.Created}}",
    "{{.Comment}}",
    // `range`, not `json`: Docker's `json` function leaves `<`, `>` and `&` as they are.
    "{{range .Config.Cmd}}{{.}}|{{end}}",
    "{{range .Config.Env}}{{.}}|{{end}}",
];

/// A one-layer rootfs tarball (`compression` as in `common::rootfs_tar`) holding `marker`, so that
/// its layer is this test's own even though the daemon is shared.
fn rootfs(env: &Env, marker: &str, compression: &str) -> PathBuf {
    rootfs_with_noise(env, marker, compression, 0)
}

/// [`rootfs`] plus `noise` bytes that do not compress, for a compressed layer of a known least size.
fn rootfs_with_noise(env: &Env, marker: &str, compression: &str, noise: usize) -> PathBuf {
    let tree = env.path(&format!("{marker}-tree"));
    std::fs::create_dir_all(tree.join("etc")).unwrap();
    std::fs::create_dir_all(tree.join("bin")).unwrap();
    std::fs::write(tree.join("etc/os-release"), "NAME=berth-test\n").unwrap();
    std::fs::write(tree.join("etc/berth-test"), format!("{marker}\n")).unwrap();
    if noise > 0 {
        std::fs::write(tree.join("etc/noise"), crate::common::noise(noise, 7)).unwrap();
    }
    std::fs::write(tree.join("bin/hello"), vec![b'x'; 5000]).unwrap();
    std::os::unix::fs::symlink("hello", tree.join("bin/hi")).unwrap();
    let out = env.path(&format!("{marker}.tar"));
    crate::common::tar_tree(&tree, &out, compression);
    out
}

/// One member of a tar archive, read with the system `tar`.
fn member(archive: &Path, name: &str) -> Vec<u8> {
    let out = Command::new("tar")
        .arg("-xOf")
        .arg(archive)
        .arg(name)
        .output()
        .expect("run tar");
    assert!(
        out.status.success(),
        "{name} in {}: {}",
        archive.display(),
        render(&out)
    );
    out.stdout
}

/// The first image's first layer as the archive's `manifest.json` names it, and its bytes.
fn first_layer(archive: &Path) -> (String, Vec<u8>) {
    let manifest: Value = serde_json::from_slice(&member(archive, "manifest.json")).unwrap();
    let name = manifest[0]["Layers"][0]
        .as_str()
        .expect("a layer in manifest.json")
        .to_owned();
    let bytes = member(archive, &name);
    (name, bytes)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `inspect` on both sides gives the same answer to every template in [`SAME_FACTS`] (asked all
/// at once, one per line: one `docker` and one `berth` run per image).
fn assert_same_inspect(env: &Env, docker: &Dockerd, reference: &str) {
    let template = SAME_FACTS.join("\n");
    let docker_says = docker.ok(&["image", "inspect", "-f", &template, reference]);
    let berth_says = env.ok(&["inspect", "-f", &template, reference]);
    assert_eq!(
        docker_says.lines().count(),
        SAME_FACTS.len(),
        "{docker_says}"
    );
    for (fact, (berth_line, docker_line)) in SAME_FACTS
        .iter()
        .zip(berth_says.lines().zip(docker_says.lines()))
    {
        assert_eq!(
            berth_line, docker_line,
            "{fact} of {reference}: berth, then dockerd {}",
            docker.version
        );
    }
    assert_eq!(berth_says, docker_says, "{reference}");
}

/// `history --no-trunc --format '{{json .}}'` rows without `CreatedSince`, which ages.
fn history_rows(json_lines: &str) -> Vec<Value> {
    json_lines
        .lines()
        .map(|line| {
            let mut row: Value = serde_json::from_str(line).unwrap();
            row.as_object_mut().unwrap().remove("CreatedSince");
            row
        })
        .collect()
}

fn assert_same_history(env: &Env, docker: &Dockerd, reference: &str) {
    let args = ["history", "--no-trunc", "--format", "{{json .}}", reference];
    assert_eq!(
        history_rows(&env.ok(&args)),
        history_rows(&docker.ok(&args)),
        "history of {reference}: berth, then dockerd {}",
        docker.version
    );
}

/// Removes `reference` from the daemon if it is there, and checks that it is gone.
fn docker_forget(docker: &Dockerd, reference: &str) {
    let _ = docker.docker().args(["rmi", reference]).output();
    docker.fails(&["image", "inspect", reference]);
}

#[test]
fn docker_loads_berth_archives_in_every_docker_format() {
    let docker = dockerd();
    let env = Env::new();
    let reference = "berth-it/docker-formats:gz";
    let tarball = rootfs(&env, "docker-formats", "z");
    let id = env
        .ok(&["import", path(&tarball), reference])
        .trim()
        .to_owned();
    for flags in [
        &[][..],
        &["--format", "docker"],
        &["--uncompressed"],
        &["--format", "docker", "--uncompressed"],
    ] {
        let archive = env.path(&format!("formats{}.tar", flags.join("")));
        env.ok(&[&["save", "-o", path(&archive)], flags, &[reference]].concat());
        // The gzip layer berth stored at import is what manifest.json names, unless --uncompressed.
        let (name, layer) = first_layer(&archive);
        let uncompressed = flags.contains(&"--uncompressed");
        assert_eq!(
            layer.starts_with(&[0x1f, 0x8b]),
            !uncompressed,
            "{flags:?}: {name}"
        );
        docker_forget(docker, reference);
        assert_eq!(
            docker.ok(&["load", "-i", path(&archive)]),
            format!("Loaded image: {reference}\n"),
            "{flags:?}"
        );
        assert_same_inspect(&env, docker, reference);
        assert_same_history(&env, docker, reference);
    }

    // Docker writes the image it loaded as a legacy archive (plain layer.tar); berth reads it back.
    let back = env.path("back.tar");
    docker.ok(&["save", "-o", path(&back), reference]);
    let (name, _) = first_layer(&back);
    assert!(name.ends_with("/layer.tar"), "legacy layout: {name}");
    let fresh = Env::new();
    assert_eq!(
        fresh.ok(&["load", "-i", path(&back)]),
        format!("Loaded image: {reference}\n")
    );
    assert_same_inspect(&fresh, docker, reference);
    fresh.ok(&["system", "check"]);

    // An image saved by ID has no RepoTags: Docker loads it untagged and names it by ID.
    let untagged = env.path("untagged.tar");
    env.ok(&["save", "-o", path(&untagged), &id[7..19]]);
    docker_forget(docker, reference);
    assert_eq!(
        docker.ok(&["load", "-i", path(&untagged)]),
        format!("Loaded image ID: {id}\n")
    );
    assert_eq!(
        docker.ok(&["image", "inspect", "-f", "{{.Id}} {{.RepoTags}}", &id]),
        format!("{id} []\n")
    );
    docker.ok(&["rmi", &id]);
}

#[test]
fn docker_refuses_oci_archives_and_zstd_layers() {
    let docker = dockerd();
    assert!(
        docker.version.starts_with("20.10."),
        "docs/archives.md records what Docker 20.10 does with each archive; dockerd is {}: \
         check these cases again and update the docs",
        docker.version
    );
    let env = Env::new();

    // A pure OCI archive has no manifest.json: 20.10 falls back to its pre-1.10 loader, which
    // takes every directory for a v1 image and fails on the first, `blobs/`.
    let reference = "berth-it/docker-refuses:oci";
    env.ok(&[
        "import",
        path(&rootfs(&env, "docker-refuses-oci", "z")),
        reference,
    ]);
    for flags in [
        &["--format", "oci"][..],
        &["--format", "oci", "--uncompressed"],
    ] {
        let oci = env.path("oci.tar");
        env.ok(&[&["save", "-o", path(&oci)], flags, &[reference]].concat());
        let out = docker.fails(&["load", "-i", path(&oci)]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let prefix = format!("open {}/tmp/docker-import-", docker.data_root.display());
        assert!(
            stderr.starts_with(&prefix)
                && stderr.ends_with("/blobs/json: no such file or directory\n")
                && stderr.lines().count() == 1
                && out.stdout.is_empty()
                && out.status.code() == Some(1),
            "{flags:?}: {}",
            render(&out)
        );
        docker.fails(&["image", "inspect", reference]);
    }

    // A zstd layer (berth keeps an imported .tar.zst as it came) is not decompressed by 20.10:
    // the zstd bytes reach the tar reader, which fails, and nothing is loaded. What the reader says
    // depends on whether the layer holds one whole 512-byte tar block.
    for (reference, noise, message) in [
        ("berth-it/docker-refuses:zstd", 0, "unexpected EOF"),
        (
            "berth-it/docker-refuses:zstd-big",
            4096,
            "archive/tar: invalid tar header",
        ),
    ] {
        let tarball = rootfs_with_noise(&env, &reference.replace(['/', ':'], "-"), "zstd", noise);
        env.ok(&["import", path(&tarball), reference]);
        for format in ["hybrid", "docker"] {
            let archive = env.path(&format!("zstd-{format}.tar"));
            env.ok(&["save", "--format", format, "-o", path(&archive), reference]);
            let (name, layer) = first_layer(&archive);
            assert!(layer.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]), "zstd: {name}");
            assert_eq!(
                layer.len() < 512,
                noise == 0,
                "{name}: {} bytes",
                layer.len()
            );
            let out = docker.fails(&["load", "-i", path(&archive)]);
            assert_eq!(
                (
                    String::from_utf8_lossy(&out.stderr).as_ref(),
                    out.stdout.as_slice(),
                    out.status.code()
                ),
                (
                    format!("Error processing tar file(exit status 1): {message}\n").as_str(),
                    &b""[..],
                    Some(1)
                ),
                "{reference} {format}: {}",
                render(&out)
            );
            docker.fails(&["image", "inspect", reference]);
        }
    }
    // The same image with --uncompressed loads, with the same ID and layers.
    let reference = "berth-it/docker-refuses:zstd";
    let plain = env.path("zstd-uncompressed.tar");
    env.ok(&["save", "--uncompressed", "-o", path(&plain), reference]);
    assert_eq!(
        docker.ok(&["load", "-i", path(&plain)]),
        format!("Loaded image: {reference}\n")
    );
    assert_same_inspect(&env, docker, reference);
}

#[test]
fn berth_loads_what_docker_imports_and_saves() {
    let docker = dockerd();
    let env = Env::new();
    let reference = "berth-it/docker-import:1";
    let tarball = rootfs(&env, "docker-import", "z");
    docker.ok(&[
        "import",
        "-m",
        "imported by docker",
        "-c",
        r#"CMD ["/bin/sh"]"#,
        "-c",
        "ENV GREETING=hello",
        path(&tarball),
        reference,
    ]);
    // Docker 20.10 writes the legacy layout: <v1 id>/layer.tar, <id>.json, no index.json.
    let saved = env.path("docker-saved.tar");
    docker.ok(&["save", "-o", path(&saved), reference]);
    let (name, layer) = first_layer(&saved);
    assert!(name.ends_with("/layer.tar"), "legacy layout: {name}");
    assert!(
        !layer.starts_with(&[0x1f, 0x8b]),
        "Docker stores plain layers"
    );
    assert_eq!(
        env.ok(&["load", "-i", path(&saved)]),
        format!("Loaded image: {reference}\n")
    );
    assert_same_inspect(&env, docker, reference);
    assert_same_history(&env, docker, reference);
    assert_eq!(
        env.ok(&[
            "inspect",
            "-f",
            "{{.Comment}} {{json .Config.Cmd}}",
            reference
        ]),
        "imported by docker [\"/bin/sh\"]\n"
    );

    // berth's hybrid archive of it goes back into Docker as the same image.
    let again = env.path("berth-saved.tar");
    env.ok(&["save", "-o", path(&again), reference]);
    docker_forget(docker, reference);
    assert_eq!(
        docker.ok(&["load", "-i", path(&again)]),
        format!("Loaded image: {reference}\n")
    );
    assert_same_inspect(&env, docker, reference);
    assert_same_history(&env, docker, reference);
}

#[test]
fn multi_image_archives_both_ways() {
    let docker = dockerd();
    let env = Env::new();
    env.load_fixture();
    // Two images that share their base layer (from the fixture) and a gzip one berth imported.
    let one = "berth-it/docker-multi:one";
    let base = "berth-it/docker-multi:base";
    let gz = "berth-it/docker-multi:gz";
    env.ok(&["tag", "fixture/busybox:1", one]);
    env.ok(&["tag", "fixture/busybox:base", base]);
    // Only the test's own names stay, so that RepoTags can agree with the daemon's.
    env.ok(&[
        "rmi",
        "fixture/busybox:1",
        "fixture/busybox:latest",
        "fixture/busybox:base",
    ]);
    env.ok(&["import", path(&rootfs(&env, "docker-multi", "z")), gz]);
    let archive = env.path("multi.tar");
    env.ok(&["save", "-o", path(&archive), one, base, gz]);
    for reference in [one, base, gz] {
        docker_forget(docker, reference);
    }
    assert_eq!(
        docker.ok(&["load", "-i", path(&archive)]),
        format!("Loaded image: {one}\nLoaded image: {base}\nLoaded image: {gz}\n")
    );
    for reference in [one, base, gz] {
        assert_same_inspect(&env, docker, reference);
        assert_same_history(&env, docker, reference);
    }

    // Docker's own multi-image archive: legacy, the shared layer written once and linked.
    let saved = env.path("docker-multi.tar");
    docker.ok(&["save", "-o", path(&saved), one, base]);
    let listing = Command::new("tar")
        .arg("-tvf")
        .arg(&saved)
        .output()
        .expect("run tar");
    assert!(
        String::from_utf8_lossy(&listing.stdout).contains("/layer.tar -> ../"),
        "Docker links the shared layer: {}",
        render(&listing)
    );
    let fresh = Env::new();
    let loaded = fresh.ok(&["load", "-i", path(&saved)]);
    let mut lines: Vec<&str> = loaded.lines().collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        [
            format!("Loaded image: {base}"),
            format!("Loaded image: {one}")
        ]
    );
    for (reference, id) in [(one, FIXTURE_ID_1), (base, FIXTURE_ID_BASE)] {
        assert_eq!(
            fresh.ok(&["inspect", "-f", "{{.Id}}", reference]).trim(),
            id
        );
        assert_same_inspect(&fresh, docker, reference);
        assert_same_history(&fresh, docker, reference);
        // A load names an image without tagging it: the zero time on both sides.
        let template = "{{.Metadata.LastTagTime}}";
        assert_eq!(
            fresh.ok(&["inspect", "-f", template, reference]),
            docker.ok(&["image", "inspect", "-f", template, reference])
        );
        assert_eq!(
            fresh.ok(&["inspect", "-f", template, reference]),
            "0001-01-01 00:00:00 +0000 UTC\n"
        );
    }
    fresh.ok(&["system", "check"]);
}

/// `import FILE` records `Imported from -` in Docker: its CLI sends a file as the request body,
/// exactly as it sends stdin, and names the source `-`; only a URL is recorded as given.
#[test]
fn import_of_a_file_records_the_comment_docker_does() {
    let docker = dockerd();
    let env = Env::new();
    let tarball = rootfs(&env, "import-comment", "z");
    let ours = "berth-it/import-comment:berth";
    let theirs = "berth-it/import-comment:docker";
    env.ok(&["import", path(&tarball), ours]);
    docker.ok(&["import", path(&tarball), theirs]);
    for (template, inspect) in [
        ("{{.CreatedBy}}|{{.Comment}}", false),
        ("{{.Comment}}", true),
    ] {
        let (berth_says, docker_says) = if inspect {
            (
                env.ok(&["inspect", "-f", template, ours]),
                docker.ok(&["image", "inspect", "-f", template, theirs]),
            )
        } else {
            (
                env.ok(&["history", "--format", template, ours]),
                docker.ok(&["history", "--format", template, theirs]),
            )
        };
        assert_eq!(berth_says, docker_says, "{template}");
    }
    assert_eq!(
        env.ok(&["history", "--format", "{{.Comment}}", ours]),
        "Imported from -\n"
    );
    docker.ok(&["rmi", theirs]);
}

/// The template function `json` is docker/cli's `json.Encoder` with `SetEscapeHTML(false)`: `<`,
/// `>` and `&` print as they are. The rows of `history` (like those of `images` and `ps`) are
/// formatter contexts whose own `MarshalJSON` is `json.Marshal`, so `{{json .}}` of a row stays
/// escaped.
#[test]
fn json_in_templates_escapes_what_docker_escapes() {
    let docker = dockerd();
    let env = Env::new();
    let reference = "berth-it/json-escape:1";
    let tarball = rootfs(&env, "json-escape", "");
    docker.ok(&[
        "import",
        "-m",
        "x > y && z <w>",
        "-c",
        r#"CMD ["sh", "-c", "echo a > b && echo <c>"]"#,
        path(&tarball),
        reference,
    ]);
    let saved = env.path("json-escape.tar");
    docker.ok(&["save", "-o", path(&saved), reference]);
    env.ok(&["load", "-i", path(&saved)]);
    for template in [
        "{{json .Config.Cmd}}",
        "{{json .Comment}}",
        "{{json .RepoTags}} {{json .Config.Cmd}}",
    ] {
        assert_eq!(
            env.ok(&["inspect", "-f", template, reference]),
            docker.ok(&["image", "inspect", "-f", template, reference]),
            "inspect -f {template}"
        );
    }
    // CreatedSince ages between the two runs; everything else must be the same bytes.
    let without_age = |line: &str| {
        let start = line.find(r#""CreatedSince":""#).expect("CreatedSince");
        let end = start + line[start..].find(r#"","#).expect("end of CreatedSince") + 3;
        format!("{}{}", &line[..start], &line[end..])
    };
    for template in ["{{json .Comment}}", "{{json .CreatedBy}}", "{{json .}}"] {
        let args = ["history", "--no-trunc", "--format", template, reference];
        let (berth_says, docker_says) = (env.ok(&args), docker.ok(&args));
        if template == "{{json .}}" {
            assert!(
                berth_says.contains(r"x \u003e y \u0026\u0026 z \u003cw\u003e"),
                "{berth_says}"
            );
            assert_eq!(
                without_age(&berth_says),
                without_age(&docker_says),
                "{template}"
            );
        } else {
            assert_eq!(berth_says, docker_says, "history --format {template}");
        }
    }
    assert_eq!(
        env.ok(&["inspect", "-f", "{{json .Comment}}", reference]),
        "\"x > y && z <w>\"\n"
    );
    docker.ok(&["rmi", reference]);
}

/// `inspect -f` templates, each asked of three images at once: what Docker 20.10's CLI prints from
/// its typed `types.ImageInspect` (Go zero values for empty fields: `{{.Author}}` empty,
/// `{{.Config.Env}}` `[]`, `{{.Config.Healthcheck}}` `<nil>`, `{{json .Config}}` every field of
/// `container.Config`), and, when the typed pass fails (`{{.Id}}`: the Go field is `ID`; an unknown
/// field), from the raw JSON with missingkey=error.
const TYPED_TEMPLATES: &[&str] = &[
    "{{.Author}}|{{.Parent}}|{{.DockerVersion}}|{{.Config.User}}|{{.Config.WorkingDir}}|{{.Config.Env}}",
    "{{.Config.Cmd}}|{{json .Config.Cmd}}|{{.Config.Entrypoint}}|{{.Config.Healthcheck}}|{{.Config.StopTimeout}}",
    "{{json .Config}}",
    "{{json .ContainerConfig}}",
    "{{.Config.ExposedPorts}}|{{.Config.Volumes}}|{{.Config.Labels}}|{{index .Config.Labels \"nope\"}}|{{.Config.Labels.nope}}",
    "{{.Container}}|{{.VirtualSize}}|{{.Size}}|{{.Created}}|{{.Comment}}|{{.Os}}|{{.Architecture}}|{{.Variant}}|{{.OsVersion}}",
    "{{.RootFS}}|{{json .RootFS}}|{{.RootFS.BaseLayer}}",
    "{{.ID}}|{{len .RepoTags}}|{{.RepoDigests}}|{{json .RepoTags}}",
    "{{if .Config.Healthcheck}}{{.Config.Healthcheck.Interval}} {{json .Config.Healthcheck}}{{end}}",
    // The raw pass: `Env` is null there, so `<no value>`; `Variant` and an unknown field are errors.
    "{{.Id}} {{.Config.Env}} {{.Author}} {{json .Config}}",
    "{{.Id}} {{.Variant}}",
    "{{.Nope}}",
];

/// Docker's errors, line by line: `template parsing error: template: :1:10: executing "" at
/// <.Variant>: map has no entry for key "Variant"`. berth's are the same bytes, position included.
fn error_lines(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Docker's `GraphDriver` (its storage directories) as berth prints it: Docker's type, empty. In
/// `{{json .}}` output and in the plain, indented output.
pub(crate) fn without_graph_driver(json: &str) -> String {
    let (start, end, empty) = match json.find(r#","GraphDriver":"#) {
        Some(start) => (
            start,
            json.find(r#","RootFS":"#),
            r#","GraphDriver":{"Data":null,"Name":""}"#,
        ),
        None => (
            json.find(",\n        \"GraphDriver\": {").expect("GraphDriver"),
            json.find(",\n        \"RootFS\": {"),
            ",\n        \"GraphDriver\": {\n            \"Data\": null,\n            \"Name\": \"\"\n        }",
        ),
    };
    let end = end.expect("RootFS after GraphDriver");
    format!("{}{empty}{}", &json[..start], &json[end..])
}

#[test]
fn inspect_templates_see_dockers_typed_values() {
    let docker = dockerd();
    let env = Env::new();
    let changed = "berth-it/typed:changed";
    let plain = "berth-it/typed:plain";
    let ours = "berth-it/typed:berth";
    let tarball = rootfs(&env, "typed", "");
    docker.ok(&[
        "import",
        "-c",
        "EXPOSE 80",
        "-c",
        "HEALTHCHECK --interval=30s CMD true",
        "-c",
        "VOLUME /v",
        "-c",
        "LABEL a=b<c",
        "-c",
        "ENV A=1",
        "-c",
        "WORKDIR /srv",
        path(&tarball),
        changed,
    ]);
    docker.ok(&["import", "-m", "plain", path(&tarball), plain]);
    let saved = env.path("typed.tar");
    docker.ok(&["save", "-o", path(&saved), changed, plain]);
    env.ok(&["load", "-i", path(&saved)]);
    env.ok(&[
        "import",
        "-c",
        r#"ENTRYPOINT ["/bin/hello"]"#,
        "-c",
        "USER 1000",
        path(&rootfs(&env, "typed-berth", "z")),
        ours,
    ]);
    let archive = env.path("typed-berth.tar");
    env.ok(&["save", "-o", path(&archive), ours]);
    docker.ok(&["load", "-i", path(&archive)]);

    let images = [changed, plain, ours];
    for template in TYPED_TEMPLATES {
        let args = [&["inspect", "-f", template][..], &images].concat();
        let berth_says = env.berth().args(&args).output().unwrap();
        let docker_args = [&["image"][..], &args].concat();
        let docker_says = docker.docker().args(&docker_args).output().unwrap();
        assert_eq!(
            (
                String::from_utf8_lossy(&berth_says.stdout),
                berth_says.status.code(),
                error_lines(&berth_says.stderr),
            ),
            (
                String::from_utf8_lossy(&docker_says.stdout),
                docker_says.status.code(),
                error_lines(&docker_says.stderr),
            ),
            "inspect -f {template}: berth, then dockerd {}",
            docker.version
        );
    }
    for image in images {
        // The typed value's own encoding, byte for byte, but for the GraphDriver berth does not
        // have and the tag times (`Metadata`, last).
        let docker_json =
            without_graph_driver(&docker.ok(&["image", "inspect", "-f", "{{json .}}", image]));
        let berth_json = env.ok(&["inspect", "-f", "{{json .}}", image]);
        let before_metadata = |json: &str| json[..json.find(r#","Metadata":"#).unwrap()].to_owned();
        assert_eq!(
            before_metadata(&berth_json),
            before_metadata(&docker_json),
            "{{{{json .}}}} of {image}"
        );

        // The plain output: Docker 20.10's, line for line, but for the graph driver's data and
        // the tag times (`Metadata`, last).
        let docker_plain = without_graph_driver(&docker.ok(&["image", "inspect", image]));
        let berth_plain = env.ok(&["inspect", image]);
        let before_metadata =
            |text: &str| text[..text.find(r#""Metadata": {"#).unwrap()].to_owned();
        assert_eq!(
            before_metadata(&berth_plain),
            before_metadata(&docker_plain),
            "inspect {image}"
        );
    }
    for image in images {
        docker.ok(&["rmi", image]);
    }
}

/// A busybox root file system holding `marker` (so that its layer is this test's own).
fn busybox_rootfs(env: &Env, marker: &str) -> PathBuf {
    let tree = crate::common::busybox_tree(env, &format!("{marker}-busybox"), &["sh", "echo"]);
    std::fs::write(tree.join("etc/berth-test"), format!("{marker}\n")).unwrap();
    let out = env.path(&format!("{marker}-busybox.tar"));
    crate::common::tar_tree(&tree, &out, "");
    out
}

/// A busybox image holding `marker`, made by Docker (`import` as `image`) and loaded by berth from
/// `docker save`, so that both sides hold the same image under the same name.
fn busybox_on_both(docker: &Dockerd, env: &Env, marker: &str, image: &str) {
    docker.ok(&["import", path(&busybox_rootfs(env, marker)), image]);
    let saved = env.path(&format!("{marker}.tar"));
    docker.ok(&["save", "-o", path(&saved), image]);
    env.ok(&["load", "-i", path(&saved)]);
}

/// `commit` records the container's image as the new image's parent, as `docker commit` does:
/// `inspect` shows it as `Parent`, and `history` (Docker 20.10's `ImageHistory`) fills the IMAGE
/// column from the local parent chain instead of printing `<missing>`. Both sides commit a
/// container of the same base image (made by Docker, loaded by berth from `docker save`).
#[test]
fn commit_records_the_parent_docker_records() {
    let docker = dockerd();
    let env = Env::new();
    let base = "berth-it/parent:base";
    busybox_on_both(docker, &env, "parent", base);
    let base_id = env
        .ok(&["inspect", "-f", "{{.Id}}", base])
        .trim()
        .to_owned();

    let command = ["sh", "-c", "echo hi > /hello.txt"];
    let container = "berth-it-parent";
    docker.ok(&[
        &["run", "--network", "none", "--name", container, base][..],
        &command,
    ]
    .concat());
    let theirs = "berth-it/parent:docker";
    docker.ok(&["commit", container, theirs]);
    docker.ok(&["rm", container]);
    env.ok(&[&["run", "--name", container, base][..], &command].concat());
    let ours = "berth-it/parent:berth";
    env.ok(&["commit", container, ours]);
    env.ok(&["rm", container]);

    let template = "{{.Parent}}";
    assert_eq!(
        env.ok(&["inspect", "-f", template, ours]),
        docker.ok(&["image", "inspect", "-f", template, theirs])
    );
    assert_eq!(env.ok(&["inspect", "-f", template, ours]).trim(), base_id);
    let plain: Value = serde_json::from_str(&env.ok(&["inspect", ours])).unwrap();
    assert_eq!(plain[0]["Parent"], base_id.as_str());

    // Below the image's own row, the parent's ID; the rest of the rows are the same.
    let rows = |out: String| -> Vec<String> { out.lines().map(str::to_owned).collect() };
    let args = |image: &'static str| {
        [
            "history",
            "--no-trunc",
            "--format",
            "{{.ID}}|{{.CreatedBy}}|{{.Size}}",
            image,
        ]
    };
    let (berth_rows, docker_rows) = (rows(env.ok(&args(ours))), rows(docker.ok(&args(theirs))));
    assert_eq!(berth_rows.len(), 2, "{berth_rows:?}");
    assert_eq!(
        berth_rows[1..],
        docker_rows[1..],
        "history rows below the top"
    );
    assert!(
        berth_rows[1].starts_with(&format!("{base_id}|")),
        "{berth_rows:?}"
    );
    assert_eq!(rows(env.ok(&["history", "-q", ours]))[1], base_id[7..19]);

    env.ok(&["rmi", ours]);
    env.ok(&["system", "check"]);
    for image in [theirs, base] {
        docker.ok(&["rmi", image]);
    }
}

/// What one side printed for a command: stdout, stderr (Docker's `Error response from daemon: `
/// written as berth's `Error: `: berth has no daemon) and whether it succeeded.
fn transcript(mut command: Command) -> (String, String, bool) {
    let out = command.output().expect("run the command");
    let stderr =
        String::from_utf8_lossy(&out.stderr).replace("Error response from daemon: ", "Error: ");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
        out.status.success(),
    )
}

/// `rmi` of images in a parent chain, as Docker 20.10 does it (moby's `ImageDelete`): a parent that
/// loses its last name stays while a child needs it (hidden from `images`, shown by `images -a`,
/// never dangling), cannot be deleted by ID even with `-f`, and goes with its last child unless
/// `--no-prune`; `Deleted:` lines name the image, then the chain ID of every layer freed; a
/// container keeps the layers of an image `-f` deleted, and `ps` then shows the image's ID. Both
/// sides hold the same images (a base and a child committed from it, saved by Docker, loaded by
/// berth) under the same names and run the same commands; every command's output and exit status
/// must agree.
#[test]
fn rmi_of_parents_and_children_matches_docker() {
    let docker = dockerd();
    let env = Env::new();
    let (base, child, child2) = (
        "berth-it/rmi-chain:base",
        "berth-it/rmi-chain:child",
        "berth-it/rmi-chain:child2",
    );
    docker.ok(&["import", path(&busybox_rootfs(&env, "rmi-chain")), base]);
    let container = "berth-it-rmi-chain";
    docker.ok(&[
        "run",
        "--network",
        "none",
        "--name",
        container,
        base,
        "sh",
        "-c",
        "echo hi > /hi.txt",
    ]);
    docker.ok(&["commit", container, child]);
    docker.ok(&["rm", container]);
    docker.ok(&["tag", child, child2]);
    let saved = env.path("rmi-chain.tar");
    docker.ok(&["save", "-o", path(&saved), base, child, child2]);
    let id = |reference: &str| {
        docker
            .ok(&["image", "inspect", "-f", "{{.Id}}", reference])
            .trim()
            .to_owned()
    };
    let (base_id, child_id) = (id(base), id(child));
    let (base_short, child_short) = (&base_id[7..19], &child_id[7..19]);

    // Puts both sides back to the saved images (Docker's load restores the parent too).
    let reload = || {
        for reference in [base, child, child2] {
            if docker
                .docker()
                .args(["image", "inspect", reference])
                .output()
                .unwrap()
                .status
                .success()
            {
                continue;
            }
            docker.ok(&["load", "-i", path(&saved)]);
            break;
        }
        // The archive names every image: loading it puts back their names too.
        env.ok(&["load", "-i", path(&saved)]);
    };
    // Container IDs differ between the sides: each side's own is written `CONTAINER`.
    let containers = std::cell::RefCell::<(String, String)>::default();
    let compare = |args: &[&str], same_stderr: bool| {
        let (ours_id, theirs_id) = containers.borrow().clone();
        let unify = |(out, err, ok): (String, String, bool), own: &str| {
            if own.is_empty() {
                return (out, err, ok);
            }
            let short = &own[..12];
            (
                out.replace(short, "CONTAINER"),
                err.replace(short, "CONTAINER"),
                ok,
            )
        };
        let theirs = unify(
            transcript({
                let mut c = docker.docker();
                c.args(args);
                c
            }),
            &theirs_id,
        );
        let ours = unify(
            transcript({
                let mut c = env.berth();
                c.args(args);
                c
            }),
            &ours_id,
        );
        if same_stderr {
            assert_eq!(ours, theirs, "berth {args:?} (left) and docker (right)");
        } else {
            assert_eq!(
                (&ours.0, ours.2),
                (&theirs.0, theirs.2),
                "berth {args:?} (left) and docker (right); stderr: {} | {}",
                ours.1,
                theirs.1
            );
        }
    };
    let same = |args: &[&str]| compare(args, true);
    // Whether `images ARGS -q --no-trunc` lists the image `id`, on both sides alike.
    let same_listing = |args: &[&str], id: &str, listed: bool| {
        let mut full = args.to_vec();
        full.extend(["-q", "--no-trunc"]);
        let ours = env.ok(&full).lines().any(|l| l == id);
        let theirs = docker.ok(&full).lines().any(|l| l == id);
        assert_eq!(
            (ours, theirs),
            (listed, listed),
            "images {args:?} lists {id}"
        );
    };

    reload();
    // The parent's last name goes; the image stays for its child, as an intermediate image.
    same(&["rmi", base]);
    same_listing(&["images"], &base_id, false);
    same_listing(&["images", "-a"], &base_id, true);
    same_listing(&["images", "-f", "dangling=true"], &base_id, false);
    same_listing(&["images", "-a", "-f", "dangling=true"], &base_id, false);
    same(&["rmi", base_short]);
    same(&["rmi", "-f", base_short]);
    // Two tags: by ID only with force.
    same(&["rmi", child_short]);
    // A container of the child keeps its layers when -f deletes the image (and its pruned parent).
    *containers.borrow_mut() = (
        env.ok(&["create", "--name", container, child, "true"])
            .trim()
            .to_owned(),
        docker
            .ok(&["create", "--name", container, child, "true"])
            .trim()
            .to_owned(),
    );
    same(&["rmi", child2]);
    same(&["rmi", child]);
    same(&["rmi", "-f", child2]);
    same(&[
        "ps",
        "-a",
        "--filter",
        &format!("name={container}"),
        "--format",
        "{{.Image}}",
    ]);
    same(&[
        "ps",
        "-a",
        "--filter",
        &format!("name={container}"),
        "--no-trunc",
        "--format",
        "{{.Image}}",
    ]);
    same(&["rm", container]);
    *containers.borrow_mut() = Default::default();

    reload();
    // --no-prune leaves the untagged parent, now dangling; deleting it by ID frees its layer.
    same(&["rmi", base]);
    same(&["rmi", "--no-prune", "-f", child_short]);
    same_listing(&["images"], &base_id, true);
    same_listing(&["images", "-f", "dangling=true"], &base_id, true);
    same(&["rmi", base_short]);

    reload();
    // The last child takes its untagged parent with it.
    same(&["rmi", base, child, child2]);
    // Missing images: with -f only reported. Docker 20.10's client words the error itself, echoing
    // the argument as given; berth follows today's daemon (`No such image: abc:latest`).
    compare(
        &["rmi", "-f", "berth-it/rmi-chain:nosuch", base_short],
        false,
    );
    compare(&["rmi", "berth-it/rmi-chain:nosuch"], false);
    let out = env.fails(&["rmi", base_short]);
    assert!(
        out.contains(&format!("Error: No such image: {base_short}:latest")),
        "{out}"
    );
    env.ok(&["system", "check"]);
    assert_eq!(env.ok(&["images", "-a", "-q"]), "");
}

/// The runtime's error in a `run` failure: what follows `unable to start container process: `, up
/// to Docker's `: unknown` or the closing `.`.
fn runtime_reason(stderr: &str) -> String {
    // The 20.10 CLI may also print `level=error msg="error waiting for container: context
    // canceled"` when the container fails at once, before or after the daemon's answer (a race
    // in the CLI): that line is not the reason.
    let first = stderr
        .lines()
        .find(|line| !line.contains("error waiting for container"))
        .unwrap_or_default();
    let reason = first
        .split_once("unable to start container process: ")
        .map_or(first, |(_, rest)| rest);
    reason
        .trim_end_matches('.')
        .trim_end_matches(": unknown")
        .to_owned()
}

/// `run` of a command the runtime cannot start, beside `docker run` on the same image (both on
/// runc): the same exit status (127 not found, 126 not executable), the same runtime error, the ID
/// printed first with `-d`, and the container left `Created`.
#[test]
fn commands_that_cannot_start_fail_as_docker_run_does() {
    let docker = dockerd();
    let env = Env::new();
    let image = "berth-it/cannot-start:1";
    busybox_on_both(docker, &env, "cannot-start", image);
    let commands: &[&[&str]] = &[
        &["/nonexistent"],
        &["nosuchcommand", "x"],
        &["/etc/passwd"],
        &["/etc"],
    ];
    for (i, command) in commands.iter().enumerate() {
        for detach in [false, true] {
            let name = format!("berth-it-cannot-start-{i}-{detach}");
            let mut args = vec!["run", "--name", &name];
            if detach {
                args.push("-d");
            }
            let mut docker_args = args.clone();
            docker_args.extend(["--network", "none"]);
            let finish = |args: &mut Vec<&str>| {
                args.push(image);
                args.extend(command.iter());
            };
            finish(&mut args);
            finish(&mut docker_args);
            let theirs = docker.docker().args(&docker_args).output().unwrap();
            let ours = env.berth().args(&args).output().unwrap();
            let (their_err, our_err) = (
                String::from_utf8_lossy(&theirs.stderr),
                String::from_utf8_lossy(&ours.stderr),
            );
            assert_eq!(
                ours.status.code(),
                theirs.status.code(),
                "{args:?}: berth said {our_err} docker said {their_err}"
            );
            assert_eq!(
                runtime_reason(&our_err),
                runtime_reason(&their_err),
                "{args:?}"
            );
            assert_eq!(
                ours.stdout.is_empty(),
                theirs.stdout.is_empty(),
                "{args:?}: the ID"
            );
            let status = [
                "ps",
                "-a",
                "--filter",
                &format!("name={name}"),
                "--format",
                "{{.Status}}",
            ];
            assert_eq!(env.ok(&status), docker.ok(&status), "{args:?}");
            assert_eq!(env.ok(&status), "Created\n", "{args:?}");
            env.ok(&["rm", &name]);
            docker.ok(&["rm", &name]);
        }
    }
}

/// Container commands beside Docker's: the exit status and output of `run`, the COMMAND column of
/// `ps` (an argument that holds spaces quoted), and what `rm`, `rm -f` and `start` do with a container
/// that is not there.
#[test]
fn container_commands_match_docker() {
    let docker = dockerd();
    let env = Env::new();
    let image = "berth-it/containers:1";
    busybox_on_both(docker, &env, "containers", image);
    let name = "berth-it-containers";
    let run = ["--name", name, image, "sh", "-c", "echo hi there; exit 2"];
    let theirs = docker
        .docker()
        .args(["run", "--network", "none"])
        .args(run)
        .output()
        .unwrap();
    let ours = env.berth().arg("run").args(run).output().unwrap();
    assert_eq!(
        (ours.status.code(), &ours.stdout),
        (theirs.status.code(), &theirs.stdout)
    );
    let filter = format!("name={name}");
    for format in ["{{.Command}}", "{{.Image}}", "{{.Names}}"] {
        for trunc in [&[][..], &["--no-trunc"][..]] {
            let args = [
                &["ps", "-a", "--filter", &filter, "--format", format][..],
                trunc,
            ]
            .concat();
            assert_eq!(env.ok(&args), docker.ok(&args), "{args:?}");
        }
    }
    let status = ["ps", "-a", "--filter", &filter, "--format", "{{.Status}}"];
    assert!(env.ok(&status).starts_with("Exited (2) "));
    assert!(docker.ok(&status).starts_with("Exited (2) "));

    let missing = "berth-it-no-such-container";
    for args in [
        &["rm", missing][..],
        &["rm", "-f", missing],
        &["rm", "-f", missing, name],
        &["start", missing],
        &["kill", missing],
    ] {
        let (ours, theirs) = (
            transcript({
                let mut c = env.berth();
                c.args(args);
                c
            }),
            transcript({
                let mut c = docker.docker();
                c.args(args);
                c
            }),
        );
        assert_eq!(
            (&ours.0, ours.2),
            (&theirs.0, theirs.2),
            "{args:?}: {} | {}",
            ours.1,
            theirs.1
        );
        assert!(
            ours.1.contains(&format!("No such container: {missing}")),
            "{args:?}: {}",
            ours.1
        );
    }
}

/// `rmi` of a pulled image, beside Docker pulling the same image from the same registry: the
/// repository's digest reference goes with its last tag (`Untagged: repo@sha256:…`), a digest
/// reference can be removed on its own, and deleting by ID removes every reference, then the image
/// and its layers.
#[test]
fn rmi_of_pulled_images_matches_docker() {
    let docker = dockerd();
    let Some(registry) = crate::common::Registry::start() else {
        return;
    };
    let env = Env::new();
    let pushed = format!("{}/berth-it/rmi-digest:1", registry.host());
    env.ok(&["import", path(&busybox_rootfs(&env, "rmi-digest")), &pushed]);
    env.ok(&["push", &pushed]);
    let id = env
        .ok(&["inspect", "-f", "{{.Id}}", &pushed])
        .trim()
        .to_owned();
    let digest = env
        .ok(&["inspect", "-f", "{{index .RepoDigests 0}}", &pushed])
        .trim()
        .to_owned();
    let (ours, theirs) = (Env::new(), docker);
    let same = |args: &[&str]| {
        let mine = ours.berth().args(args).output().unwrap();
        let other = theirs.docker().args(args).output().unwrap();
        assert_eq!(
            (String::from_utf8_lossy(&mine.stdout), mine.status.code()),
            (String::from_utf8_lossy(&other.stdout), other.status.code()),
            "berth {args:?} (left) and docker (right): {} | {}",
            String::from_utf8_lossy(&mine.stderr),
            String::from_utf8_lossy(&other.stderr)
        );
    };
    let pull = || {
        ours.ok(&["pull", "-q", &pushed]);
        theirs.ok(&["pull", "-q", &pushed]);
    };
    let other_tag = "berth-it/rmi-digest:other";
    pull();
    same(&["inspect", "-f", "{{.Id}} {{.RepoDigests}}", &pushed]);
    same(&["tag", &pushed, other_tag]);
    // The repository's last tag takes its digest reference with it.
    same(&["rmi", &pushed]);
    same(&["inspect", "-f", "{{.RepoTags}} {{.RepoDigests}}", other_tag]);
    pull();
    // A digest reference on its own: the tag stays.
    same(&["rmi", &digest]);
    same(&["inspect", "-f", "{{.RepoTags}} {{.RepoDigests}}", other_tag]);
    pull();
    // By ID, with references in two repositories: only with force, and then all of them go.
    same(&["rmi", &id[7..19]]);
    same(&["rmi", "-f", &id[7..19]]);
    same(&["images", "-q", "--filter", "reference=berth-it/rmi-digest"]);
    // Pulled by digest alone, its digest reference is its only reference: rmi of it deletes it.
    ours.ok(&["pull", "-q", &digest]);
    theirs.ok(&["pull", "-q", &digest]);
    same(&["rmi", &digest]);
    same(&[
        "images",
        "-q",
        "-a",
        "--filter",
        "reference=*/berth-it/rmi-digest",
    ]);
    // The same reference twice (security checklist 41): the first removes, the second is missing.
    pull();
    same(&["rmi", &pushed, &pushed]);
    let mine = ours.berth().args(["rmi", &pushed]).output().unwrap();
    let other = theirs.docker().args(["rmi", &pushed]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&mine.stderr),
        String::from_utf8_lossy(&other.stderr)
    );
    ours.ok(&["system", "check"]);
}

/// `run --add-host`, `--shm-size` and `--ulimit` (issue #15: `build` takes the same) give the
/// container what Docker's give it, and bad values are refused with the Docker CLI's words.
/// (`host-gateway` is left out: this engine has a bridge gateway to map it to; berth, like an
/// engine without one, refuses it, which `containers.rs` checks.)
#[test]
fn run_host_settings_match_docker() {
    let docker = dockerd();
    let env = Env::new();
    let image = "berth-it/settings:1";
    busybox_on_both(docker, &env, "settings", image);
    // `db\.internal`, not `db`: the container's random hex host name may hold `db`.
    let script = "busybox grep -E 'db\\.internal|v6' /etc/hosts; busybox df -k /dev/shm | busybox tail -1 | \
                  busybox awk '{print $2}'; ulimit -n; ulimit -Hn; ulimit -c";
    for flags in [
        &["--add-host", "db.internal:10.9.8.7", "--add-host=v6:::1"][..],
        &[
            "--shm-size",
            "8m",
            "--ulimit",
            "nofile=300:400",
            "--ulimit",
            "core=-1",
        ][..],
        &["--shm-size", "1.5M", "--ulimit", "nofile=512"][..],
        &[][..],
    ] {
        let args = [
            &["run", "--rm", "--network", "none"][..],
            flags,
            &[image, "sh", "-c", script],
        ]
        .concat();
        let ours = env.ok(&args);
        let theirs = docker.ok(&args);
        // Docker's engine keeps its own default nofile limit (from dockerd's): compare it only where set.
        if flags.iter().any(|f| f.starts_with("nofile")) {
            assert_eq!(ours, theirs, "{flags:?}");
        } else {
            let cut = |out: &str| {
                out.lines()
                    .take(out.lines().count() - 3)
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            assert_eq!(cut(&ours), cut(&theirs), "{flags:?}");
        }
    }
    for flag in [
        "--ulimit=nofile=x",
        "--ulimit=as=1",
        "--shm-size=lots",
        "--add-host=db",
        "--add-host=db:1.2.3",
    ] {
        let ours = env
            .berth()
            .args(["run", flag, image, "true"])
            .output()
            .unwrap();
        let theirs = docker
            .docker()
            .args(["run", flag, image, "true"])
            .output()
            .unwrap();
        let first_line = |stderr: &[u8]| {
            let text = String::from_utf8_lossy(stderr).into_owned();
            let line = text.lines().next().unwrap_or_default().to_owned();
            line.trim_start_matches("berth: ")
                .trim_start_matches("docker: ")
                .trim_start_matches("Error response from daemon: ")
                .to_owned()
        };
        assert_eq!(ours.status.code(), theirs.status.code(), "{flag}");
        assert_eq!(
            first_line(&ours.stderr),
            first_line(&theirs.stderr),
            "{flag}: {:?} {:?}",
            String::from_utf8_lossy(&ours.stderr),
            String::from_utf8_lossy(&theirs.stderr)
        );
    }
}
