//! The big image written by hand, once as an OCI image layout and once as a docker-archive with
//! uncompressed layers (the shape `docker save` wrote before Docker 25), so every tool starts from
//! the same bytes without any of them having produced them.

use std::process::Command;

use serde_json::json;

use crate::util;

use super::workload::{file_size, Workload};

pub const IMAGE_NAME: &str = "docker.io/bench/big:latest";
pub const FAMILIAR_NAME: &str = "bench/big:latest";
/// The tag under which skopeo finds the image in the hand-written layout (Docker's convention).
pub const LAYOUT_TAG: &str = "latest";
const CREATED: &str = "2023-11-14T22:13:20Z";

fn config(workload: &Workload) -> Vec<u8> {
    let diff_ids: Vec<&str> = workload
        .layers
        .iter()
        .map(|layer| layer.diff_id.as_str())
        .collect();
    let history: Vec<serde_json::Value> = (1..=workload.layers.len())
        .map(|n| json!({"created": CREATED, "created_by": format!("berth bench layer {n}")}))
        .collect();
    let config = json!({
        "architecture": "amd64",
        "os": "linux",
        "created": CREATED,
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": ["/bin/sh"],
        },
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    });
    serde_json::to_vec(&config).expect("a JSON value serializes")
}

pub fn write_oci_layout(workload: &Workload) -> anyhow::Result<()> {
    let layout = &workload.oci_layout;
    let blobs = layout.join("blobs/sha256");
    std::fs::create_dir_all(&blobs)?;
    std::fs::write(
        layout.join("oci-layout"),
        r#"{"imageLayoutVersion":"1.0.0"}"#,
    )?;
    let mut layers = Vec::new();
    for layer in &workload.layers {
        let target = blobs.join(hex(&layer.digest));
        if !target.exists() {
            std::fs::hard_link(&layer.tar_gz, &target)
                .or_else(|_| std::fs::copy(&layer.tar_gz, &target).map(|_| ()))?;
        }
        layers.push(json!({
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": layer.digest,
            "size": file_size(&layer.tar_gz),
        }));
    }
    let config = config(workload);
    let config_digest = berth_digest::Digest::sha256(&config).to_string();
    std::fs::write(blobs.join(hex(&config_digest)), &config)?;
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": config_digest,
            "size": config.len(),
        },
        "layers": layers,
    }))?;
    let manifest_digest = berth_digest::Digest::sha256(&manifest).to_string();
    std::fs::write(blobs.join(hex(&manifest_digest)), &manifest)?;
    let index = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": manifest_digest,
            "size": manifest.len(),
            "annotations": {
                "io.containerd.image.name": IMAGE_NAME,
                "org.opencontainers.image.ref.name": LAYOUT_TAG,
            },
        }],
    });
    std::fs::write(layout.join("index.json"), serde_json::to_vec(&index)?)?;
    Ok(())
}

pub fn write_docker_archive(workload: &Workload) -> anyhow::Result<()> {
    let dir = workload.dir.join("big-docker");
    std::fs::create_dir_all(&dir)?;
    let mut layer_paths = Vec::new();
    for layer in &workload.layers {
        let layer_dir = dir.join(hex(&layer.diff_id));
        std::fs::create_dir_all(&layer_dir)?;
        let target = layer_dir.join("layer.tar");
        if !target.exists() {
            std::fs::hard_link(&layer.tar, &target)
                .or_else(|_| std::fs::copy(&layer.tar, &target).map(|_| ()))?;
        }
        layer_paths.push(format!("{}/layer.tar", hex(&layer.diff_id)));
    }
    let config = config(workload);
    let config_name = format!(
        "{}.json",
        hex(&berth_digest::Digest::sha256(&config).to_string())
    );
    std::fs::write(dir.join(&config_name), &config)?;
    let manifest = json!([{
        "Config": config_name,
        "RepoTags": [FAMILIAR_NAME],
        "Layers": layer_paths,
    }]);
    std::fs::write(dir.join("manifest.json"), serde_json::to_vec(&manifest)?)?;
    util::run(
        Command::new("tar")
            .args(["--sort=name", "--owner=0", "--group=0", "--numeric-owner"])
            .arg("--mtime=@1700000000")
            .arg("-cf")
            .arg(&workload.docker_archive)
            .arg("-C")
            .arg(&dir)
            .arg("."),
    )?;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn hex(digest: &str) -> &str {
    digest.strip_prefix("sha256:").unwrap_or(digest)
}
