//! Whiteouts at scale (issue #13 item 6): the first run of an image whose top layer adds 50,000
//! files and whites out the 50,000 files of the layer below, beside the first run of an image whose
//! one layer holds 100,000 plain files. Both create 100,000 files, so the difference between the
//! two rows is what the whiteouts cost (it was quadratic: 52 s against 2.85 s).

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::{
    measure::{Case, Measurement, Role},
    q, setup,
    workload::{pack, sha256_file, write_base},
    Bench,
};

pub const WHITEOUTS: &str = "whiteouts/berth";
pub const PLAIN: &str = "whiteouts/plain-files";

const WHITEOUT_IMAGE: &str = "bench/whiteouts:latest";
const PLAIN_IMAGE: &str = "bench/plain-files:latest";
/// Files whited out (and files added) by the top layer; the plain image holds twice as many.
const FILES: usize = 50_000;
const FILES_QUICK: usize = 2_000;
const RUNS: usize = 3;

pub fn measure(bench: &Bench) -> anyhow::Result<Vec<Measurement>> {
    let files = if bench.quick { FILES_QUICK } else { FILES };
    let dir = bench.path("whiteouts");
    let pristine = dir.join("pristine-store");
    let whiteouts = archive(&dir, WHITEOUT_IMAGE, &whiteout_layers(&dir, files)?)?;
    let plain = archive(&dir, PLAIN_IMAGE, &[plain_layer(&dir, files)?])?;
    for archive in [&whiteouts, &plain] {
        setup(&format!(
            "{} load -q -i {} > /dev/null",
            bench.berth(&pristine),
            q(archive)
        ))?;
    }
    let store = dir.join("store");
    let reset = format!(
        "{berth} rm -f $({berth} ps -aq) > /dev/null 2>&1; rm -rf {0} && cp -a {1} {0} && sync",
        q(&store),
        q(&pristine),
        berth = bench.berth(&store),
    );
    let operation =
        format!("first run of an image whose top layer adds {files} files and whites out {files}");
    let cases = vec![
        Case::new(
            WHITEOUTS,
            &operation,
            Role::Berth,
            "berth run --rm",
            format!(
                "{} run --rm {WHITEOUT_IMAGE} /bin/true",
                bench.berth(&store)
            ),
        )
        .prepare(reset.clone())
        .floor(PLAIN)
        .max_runs(RUNS),
        Case::new(
            PLAIN,
            &operation,
            Role::Floor,
            &format!("berth run --rm of one layer of {} plain files", 2 * files),
            format!("{} run --rm {PLAIN_IMAGE} /bin/true", bench.berth(&store)),
        )
        .prepare(reset)
        .max_runs(RUNS),
    ];
    bench.compare(cases)
}

/// A base (busybox, to run `/bin/true`) and `count` files `many/f<i>` in one layer.
fn base_tree(tree: &Path, prefix: &str, count: usize) -> anyhow::Result<()> {
    write_base(tree)?;
    let many = tree.join("many");
    std::fs::create_dir_all(&many)?;
    for index in 0..count {
        std::fs::write(many.join(format!("{prefix}{index}")), b"x")?;
    }
    Ok(())
}

/// The layers of the whiteout image: `many/f<i>`, then a layer that adds `added/g<i>` and whites
/// out every `many/f<i>`. `added/` sorts before `many/`, so the new files come first in the tar:
/// the order in which every whiteout had to be checked against every file the layer created.
fn whiteout_layers(dir: &Path, files: usize) -> anyhow::Result<Vec<PathBuf>> {
    let lower = dir.join("lower");
    base_tree(&lower, "f", files)?;
    let upper = dir.join("upper");
    std::fs::create_dir_all(upper.join("added"))?;
    std::fs::create_dir_all(upper.join("many"))?;
    for index in 0..files {
        std::fs::write(upper.join(format!("added/g{index}")), b"x")?;
        std::fs::write(upper.join(format!("many/.wh.f{index}")), b"")?;
    }
    let mut tars = Vec::new();
    for tree in [lower, upper] {
        let tar = tree.with_extension("tar");
        pack(&tree, &tar)?;
        std::fs::remove_dir_all(&tree)?;
        tars.push(tar);
    }
    Ok(tars)
}

/// One layer of `2 * files` plain files: as many files created as the whiteout image's two layers.
fn plain_layer(dir: &Path, files: usize) -> anyhow::Result<PathBuf> {
    let tree = dir.join("plain");
    base_tree(&tree, "f", 2 * files)?;
    let tar = tree.with_extension("tar");
    pack(&tree, &tar)?;
    std::fs::remove_dir_all(&tree)?;
    Ok(tar)
}

/// A docker-archive (`manifest.json`, the config, the layer tars) of `layers`, for `berth load`.
fn archive(dir: &Path, reference: &str, layers: &[PathBuf]) -> anyhow::Result<PathBuf> {
    let name = reference.replace(['/', ':'], "-");
    let content = dir.join(format!("{name}-archive"));
    std::fs::create_dir_all(&content)?;
    let mut diff_ids = Vec::new();
    let mut layer_names = Vec::new();
    for layer in layers {
        let diff_id = sha256_file(layer)?;
        let hex = diff_id.trim_start_matches("sha256:").to_owned();
        std::fs::create_dir_all(content.join(&hex))?;
        std::fs::rename(layer, content.join(&hex).join("layer.tar"))
            .with_context(|| format!("failed to move {}", layer.display()))?;
        layer_names.push(format!("{hex}/layer.tar"));
        diff_ids.push(diff_id);
    }
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))?;
    let config_name = format!("{}.json", berth_digest::Digest::sha256(&config).encoded());
    std::fs::write(content.join(&config_name), &config)?;
    let manifest = serde_json::json!([{
        "Config": config_name,
        "RepoTags": [reference],
        "Layers": layer_names,
    }]);
    std::fs::write(
        content.join("manifest.json"),
        serde_json::to_vec(&manifest)?,
    )?;
    let tar = dir.join(format!("{name}.tar"));
    setup(&format!(
        "tar -cf {} -C {} . && rm -rf {}",
        q(&tar),
        q(&content),
        q(&content)
    ))?;
    Ok(tar)
}
