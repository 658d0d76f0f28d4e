//! Containers: the first `run` of a new image (unpacking included), a warm `run --rm`, and
//! `commit` of 50 MB of changes, against the runtimes run by hand and `tar`.

use std::process::{Command, Stdio};

use anyhow::Context as _;

use super::{
    image::FAMILIAR_NAME,
    measure::{Case, Measurement, Role},
    q, setup, Bench, Outcome,
};
use crate::util;

pub const FIRST_RUN: &str = "first-run/berth";
pub const FIRST_RUN_FLOOR: &str = "first-run/floor";
pub const WARM_RUN: &str = "warm-run/berth-runc";
pub const WARM_RUN_CRUN: &str = "warm-run/berth-crun";
pub const COMMIT: &str = "commit/berth";
pub const COMMIT_FLOOR: &str = "commit/floor";

const FIRST_RUN_RUNS: usize = 3;
const SMALL_NAME: &str = "bench/small:latest";
const COMMIT_CONTAINER: &str = "bench-commit";

pub fn measure(bench: &Bench) -> anyhow::Result<Outcome> {
    let runs = Command::new(&bench.berth)
        .args(["run", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !runs {
        return Ok(Outcome::Skipped(
            "the container rows (first run, warm `run --rm`, commit) are missing: this berth has no `run` command".to_owned(),
        ));
    }
    let runtimes: Vec<&str> = ["runc", "crun"]
        .into_iter()
        .filter(|runtime| util::have(runtime))
        .collect();
    if runtimes.is_empty() {
        return Ok(Outcome::Skipped(
            "the container rows are missing: neither runc nor crun is installed".to_owned(),
        ));
    }
    let mut measurements = first_run(bench)?;
    measurements.extend(warm_run(bench, &runtimes)?);
    measurements.extend(commit(bench)?);
    Ok(Outcome::Measured(measurements))
}

fn first_run(bench: &Bench) -> anyhow::Result<Vec<Measurement>> {
    let workload = &bench.workload;
    // Pristine stores to copy before every run, so each run meets an image never unpacked.
    let small_pristine = bench.path("small-pristine");
    setup(&format!(
        "{} import {} {SMALL_NAME} > /dev/null",
        bench.berth(&small_pristine),
        q(&workload.small_tar_gz)
    ))?;
    let store = bench.path("first-run-store");
    let unpacked = bench.path("first-run-unpacked");
    let copy_of = |pristine: &std::path::Path| bench.fresh_copy(pristine, &store);
    let fresh_dir = format!("{} && sync", bench.fresh_dir(&unpacked));
    let big = &format!(
        "first run of a new image ({}, unpack included)",
        workload.big_image_size()
    );
    let small = "first run of a new image (many small files)";
    let blobs = super::workload::Workload::quoted(&workload.layer_blobs());
    let cases = vec![
        Case::new(
            FIRST_RUN,
            big,
            Role::Berth,
            "berth run --rm",
            format!("{} run --rm {FAMILIAR_NAME} /bin/true", bench.berth(&store)),
        )
        .prepare(copy_of(&bench.base_store()))
        .floor(FIRST_RUN_FLOOR),
        Case::new(
            FIRST_RUN_FLOOR,
            big,
            Role::Floor,
            "tar -xzf of its layers",
            format!(
                "for layer in {blobs}; do tar -xzf \"$layer\" -C {}; done",
                q(&unpacked)
            ),
        )
        .prepare(fresh_dir.clone()),
        Case::new(
            "first-run-small/berth",
            small,
            Role::Berth,
            "berth run --rm",
            format!("{} run --rm {SMALL_NAME} /bin/true", bench.berth(&store)),
        )
        .prepare(copy_of(&small_pristine))
        .floor("first-run-small/floor"),
        Case::new(
            "first-run-small/floor",
            small,
            Role::Floor,
            "tar -xzf of its layer",
            format!("tar -xzf {} -C {}", q(&workload.small_tar_gz), q(&unpacked)),
        )
        .prepare(fresh_dir),
    ];
    // Resetting a store of 20,000 unpacked files takes long: three runs each.
    let cases = cases
        .into_iter()
        .map(|case| case.max_runs(FIRST_RUN_RUNS))
        .collect();
    bench.compare(cases)
}

fn warm_run(bench: &Bench, runtimes: &[&str]) -> anyhow::Result<Vec<Measurement>> {
    let store = bench.warm_store()?;
    let bundle = bench.path("bundle");
    write_bundle(bench, &bundle)?;
    let operation = "warm run --rm /bin/true (image already unpacked)";
    let mut cases = Vec::new();
    for runtime in runtimes {
        let floor_id = format!("warm-run/{runtime}-floor");
        cases.push(
            Case::new(
                &format!("warm-run/berth-{runtime}"),
                operation,
                Role::Berth,
                &format!("berth run --rm --runtime {runtime}"),
                format!(
                    "{} run --rm --runtime {runtime} {FAMILIAR_NAME} /bin/true",
                    bench.berth(&store)
                ),
            )
            .floor(&floor_id)
            .light(),
        );
        cases.push(
            Case::new(
                &floor_id,
                operation,
                Role::Floor,
                &format!("{runtime} run (a prepared bundle)"),
                runtime_run(runtime, &bundle),
            )
            .light(),
        );
    }
    bench.compare(cases)
}

fn commit(bench: &Bench) -> anyhow::Result<Vec<Measurement>> {
    let store = bench.warm_store()?;
    let berth = bench.berth(&store);
    setup(&format!(
        "{berth} rm -f {COMMIT_CONTAINER} > /dev/null 2>&1; \
         {berth} run --name {COMMIT_CONTAINER} -v {}:/changes-source:ro {FAMILIAR_NAME} cp -a /changes-source /changes",
        q(&bench.workload.changes)
    ))?;
    let output = bench.path("changes.tar.gz");
    let operation = &format!(
        "commit ({} of changes)",
        super::workload::megabytes(bench.workload.changes_size())
    );
    let cases = vec![
        Case::new(
            COMMIT,
            operation,
            Role::Berth,
            "berth commit",
            format!("{berth} commit {COMMIT_CONTAINER} bench/committed:latest"),
        )
        .floor(COMMIT_FLOOR),
        Case::new(
            COMMIT_FLOOR,
            operation,
            Role::Floor,
            "tar -czf of the changes",
            format!(
                "tar -czf {} -C {} .",
                q(&output),
                q(&bench.workload.changes)
            ),
        )
        .prepare(format!("rm -f {}", q(&output))),
    ];
    let measurements = bench.compare(cases)?;
    setup(&format!("{berth} rm -f {COMMIT_CONTAINER} > /dev/null"))?;
    Ok(measurements)
}

/// The cgroup v2 hierarchy of a cgroup v1+v2 "hybrid" host.
const UNIFIED_CGROUP: &str = "/sys/fs/cgroup/unified";

/// `RUNTIME run` of the bundle. crun 1.8 refuses hybrid hosts whose v2 hierarchy has controllers;
/// there it runs as berth runs it, in a private mount namespace without the v2 mount.
fn runtime_run(runtime: &str, bundle: &std::path::Path) -> String {
    let run = format!("{runtime} run --bundle {} bench-floor-{runtime}", q(bundle));
    let hybrid = std::fs::read_to_string(format!("{UNIFIED_CGROUP}/cgroup.controllers"))
        .is_ok_and(|controllers| !controllers.trim().is_empty());
    if runtime == "crun" && hybrid {
        format!(
            "unshare -m sh -c {}",
            super::quote(&format!("umount -l {UNIFIED_CGROUP} && exec {run}"))
        )
    } else {
        run
    }
}

/// An OCI bundle over the first layer's tree, read-only, on the host network as berth's
/// containers are: what the runtime alone costs.
fn write_bundle(bench: &Bench, bundle: &std::path::Path) -> anyhow::Result<()> {
    let _ = std::fs::remove_dir_all(bundle);
    std::fs::create_dir_all(bundle)?;
    util::run(Command::new("runc").arg("spec").arg("--bundle").arg(bundle))?;
    let path = bundle.join("config.json");
    let mut spec: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)?;
    spec["process"]["terminal"] = false.into();
    spec["process"]["args"] = serde_json::json!(["/bin/true"]);
    spec["root"]["path"] = bench.workload.layers[0]
        .tree
        .to_string_lossy()
        .into_owned()
        .into();
    spec["root"]["readonly"] = true.into();
    let namespaces = spec["linux"]["namespaces"]
        .as_array_mut()
        .context("runc spec has no namespaces")?;
    namespaces.retain(|namespace| namespace["type"] != "network");
    std::fs::write(&path, serde_json::to_vec_pretty(&spec)?)?;
    Ok(())
}
