//! `berth build` beside Docker's BuildKit (the 20.10 engine's) and buildah, on the workload the
//! issue names: FROM a Debian minbase, COPY of a 20,000-file context (the "small" tree), a RUN
//! that writes ~110 MB in 40,000 files (two copies of it), a few metadata instructions. Measured:
//! the cold build (no cache), the no-op rebuild, the rebuild after one context file changed, and a
//! RUN layer's commit beside `tar -c | gzip -1 | sha256sum` of the same files.

use std::path::{Path, PathBuf};

use super::{
    engine::Engine,
    measure::{Case, Measurement, Role},
    q, quote, setup, Bench, Outcome,
};
use crate::util;

pub const COLD: &str = "build-cold/berth";
pub const COLD_BUILDKIT: &str = "build-cold/buildkit";
pub const COLD_BUILDAH: &str = "build-cold/buildah";
pub const NOOP: &str = "build-noop/berth";
pub const NOOP_BUILDKIT: &str = "build-noop/buildkit";
pub const CHANGE: &str = "build-change/berth";
pub const CHANGE_BUILDKIT: &str = "build-change/buildkit";
pub const CHANGE_FLOOR: &str = "build-change/floor";
pub const RUN_LAYER: &str = "build-run-layer/berth";
pub const RUN_LAYER_FLOOR: &str = "build-run-layer/floor";

const BASE: &str = "bench/minbase:latest";
const WITH_APP: &str = "bench/with-app:latest";
const BUILT: &str = "bench/built:latest";
/// Runs of the rows that take tens of seconds.
const SLOW_RUNS: usize = 3;

const DOCKERFILE: &str = "FROM bench/minbase:latest
ENV APP_HOME=/app LANG=C.UTF-8
LABEL org.opencontainers.image.title=bench
WORKDIR /app
COPY app/ /app/
RUN for i in 1 2; do cp -a /app /opt/copy$i; done
EXPOSE 8080
USER 1000
CMD [\"/bin/sh\"]
";

/// The RUN-layer case: the same RUN on an image that already holds the files.
const RUN_DOCKERFILE: &str = "FROM bench/with-app:latest
RUN for i in 1 2; do cp -a /app /opt/copy$i; done
";

/// Shell that writes back and drops the page cache, then reads `warm` (files and trees, on
/// their own file system only) and the builders' programs back into it, so that every measured
/// build starts with free memory and its inputs cached. Without it the rows measured the order
/// of the rounds: the builds fill the page cache by gigabytes a round (buildah's most), and a
/// build that had to reclaim pages as it wrote on these two cores took longer (berth's cold
/// build: 2.3 s with memory free, 2.6-2.9 s right after a buildah build; in the bench its first
/// round 2.4 s and the later ones 2.9-3.6 s, BuildKit's steady).
fn settled(warm: &[&Path]) -> String {
    let trees: Vec<String> = warm.iter().map(|path| q(path)).collect();
    format!(
        "sync && echo 3 > /proc/sys/vm/drop_caches \
         && find {trees} -xdev -type f -print0 | xargs -0 -r cat > /dev/null \
         && for p in {PROGRAMS}; do command -v $p; done | xargs -r cat > /dev/null",
        trees = trees.join(" "),
    )
}

/// The programs the builds run (read back after the cache is dropped; those running stay).
const PROGRAMS: &str = "docker dockerd containerd containerd-shim-runc-v2 runc crun buildah \
                        slirp4netns";

pub fn measure(bench: &Bench) -> anyhow::Result<Outcome> {
    let minbase_cache = util::root().join("target");
    let minbase = match crate::debian_minbase::minbase(&minbase_cache) {
        Ok(minbase) => minbase,
        Err(why) => {
            return Ok(Outcome::Skipped(format!(
                "the build rows are missing: no Debian minbase could be made here ({why})"
            )))
        }
    };
    let context = prepare_context(bench)?;
    // One archive of the base, loaded by all three tools, so they start from the same image ID.
    let pristine = bench.path("build-pristine");
    let base_archive = bench.path("minbase-docker.tar");
    setup(&format!(
        "{berth} import {tar} {BASE} > /dev/null && {berth} save -o {archive} {BASE} \
         && {berth} run --rm {BASE} true",
        berth = bench.berth(&pristine),
        tar = q(&minbase.tar),
        archive = q(&base_archive),
    ))?;
    let engine = Engine::start(&bench.path("dockerd"))?;
    let docker = engine.docker();
    setup(&format!(
        "{docker} load -q -i {} > /dev/null",
        q(&base_archive)
    ))?;
    let buildah_root = bench.path("buildah");
    let buildah = format!(
        "buildah --root {} --runroot {} --storage-driver overlay",
        q(&buildah_root.join("root")),
        q(&buildah_root.join("run"))
    );
    setup(&format!(
        "{buildah} pull -q docker-archive:{} > /dev/null && {buildah} tag $({buildah} images -q | head -1) {BASE}",
        q(&base_archive)
    ))?;

    let store = bench.path("build-store");
    let ctx = q(&context);
    let reset_store = bench.fresh_copy(&pristine, &store);
    let docker_data = bench.path("dockerd");
    let berth_settled = settled(&[&context, &store, &bench.berth]);
    let buildkit_settled = settled(&[&context, &docker_data]);
    let berth = bench.berth(&store);
    let cold = "cold build (Debian minbase, COPY 20,000 files, RUN writing 110 MB)";
    let mut cases = vec![
        Case::new(
            COLD,
            cold,
            Role::Berth,
            "berth build --no-cache",
            format!("{berth} build -q --network host --no-cache -t {BUILT} {ctx}"),
        )
        .prepare(format!("{reset_store} && {berth_settled}"))
        .max_runs(SLOW_RUNS),
        Case::new(
            COLD_BUILDKIT,
            cold,
            Role::Peer,
            "docker build --no-cache (BuildKit)",
            format!("{docker} build -q --no-cache --network host -t {BUILT} {ctx}"),
        )
        .prepare(format!(
            "{docker} rmi -f {BUILT} >/dev/null 2>&1; {docker} builder prune -af > /dev/null; \
             {buildkit_settled}"
        ))
        .max_runs(SLOW_RUNS),
    ];
    if util::have("buildah") {
        cases.push(
            Case::new(
                COLD_BUILDAH,
                cold,
                Role::Peer,
                "buildah bud (no layer cache)",
                format!("{buildah} bud -q --isolation chroot --network host -t {BUILT} {ctx}"),
            )
            .prepare(format!(
                "{buildah} rmi -f {BUILT} >/dev/null 2>&1; {}",
                settled(&[&context, &buildah_root])
            ))
            .max_runs(SLOW_RUNS),
        );
    }
    let mut measurements = bench.runner.compare(cases)?;

    // Warm: one build each to fill the caches, then the same build again.
    setup(&format!(
        "{reset_store} && {berth} build -q --network host -t {BUILT} {ctx} > /dev/null"
    ))?;
    setup(&format!(
        "{docker} build -q --network host -t {BUILT} {ctx} > /dev/null"
    ))?;
    let noop = "no-op rebuild (nothing changed)";
    measurements.extend(bench.runner.compare(vec![
        Case::new(
            NOOP,
            noop,
            Role::Berth,
            "berth build",
            format!("{berth} build -q --network host -t {BUILT} {ctx}"),
        )
        .light(),
        Case::new(
            NOOP_BUILDKIT,
            noop,
            Role::Peer,
            "docker build (BuildKit)",
            format!("{docker} build -q --network host -t {BUILT} {ctx}"),
        )
        .light(),
    ])?);
    let change = "rebuild after one context file changed";
    let touch = format!("date +%s%N > {}", q(&context.join("app/changing.txt")));
    let copies = bench.path("build-change-floor");
    measurements.extend(bench.runner.compare(vec![
        Case::new(
            CHANGE,
            change,
            Role::Berth,
            "berth build",
            format!("{berth} build -q --network host -t {BUILT} {ctx}"),
        )
        .prepare(format!("{touch} && {berth_settled}"))
        .floor(CHANGE_FLOOR)
        .max_runs(SLOW_RUNS),
        // The files any builder writes again, prepared as the rebuilds are (no sync): the COPY's
        // copy of the context and the RUN's two; no archiving, compressing or hashing at all.
        Case::new(
            CHANGE_FLOOR,
            change,
            Role::Floor,
            "cp -a of the context three times (the COPY, the RUN's two copies)",
            format!(
                "for i in 0 1 2; do cp -a {app} {out}/copy$i; done",
                app = q(&context.join("app")),
                out = q(&copies),
            ),
        )
        .prepare(format!(
            "{} && {}",
            bench.fresh_dir(&copies),
            settled(&[&context])
        ))
        .max_runs(SLOW_RUNS),
        Case::new(
            CHANGE_BUILDKIT,
            change,
            Role::Peer,
            "docker build (BuildKit)",
            format!("{docker} build -q --network host -t {BUILT} {ctx}"),
        )
        .prepare(format!("{touch} && {buildkit_settled}"))
        .max_runs(SLOW_RUNS),
    ])?);
    drop(engine);

    measurements.extend(run_layer(bench, &pristine, &context)?);
    // The build rows keep what they set aside to the end (three stores a row): a delete of one
    // between the rows would slow the creates of the rows after it (see `Bench::set_aside`).
    bench.empty_trash();
    Ok(Outcome::Measured(measurements))
}

/// A RUN that copies the context twice, built on an image that has it, beside the same copy in a
/// plain directory followed by `tar -c | gzip -1 | sha256sum`: what committing its upper directory
/// costs at least.
fn run_layer(bench: &Bench, pristine: &Path, context: &Path) -> anyhow::Result<Vec<Measurement>> {
    let with_app = bench.path("build-with-app");
    let run_context = bench.path("build-run-context");
    std::fs::create_dir_all(&run_context)?;
    std::fs::write(run_context.join("Dockerfile"), RUN_DOCKERFILE)?;
    let only_app = bench.path("build-app-context");
    std::fs::create_dir_all(&only_app)?;
    std::fs::write(
        only_app.join("Dockerfile"),
        format!("FROM {BASE}\nCOPY app/ /app/\n"),
    )?;
    setup(&format!(
        "rm -rf {app} && cp -a {ctx}/app {app} && cp -a {pristine} {store} \
         && {berth} build -q -t {WITH_APP} {only} > /dev/null && {berth} run --rm {WITH_APP} true",
        app = q(&only_app.join("app")),
        ctx = q(context),
        pristine = q(pristine),
        store = q(&with_app),
        berth = bench.berth(&with_app),
        only = q(&only_app),
    ))?;
    let store = bench.path("build-run-store");
    let out = bench.path("build-run-floor");
    let operation = "RUN writing 110 MB in 40,000 files, committed as a layer";
    bench.runner.compare(vec![
        Case::new(
            RUN_LAYER,
            operation,
            Role::Berth,
            "berth build (RUN + commit)",
            format!(
                "{} build -q --network host --no-cache -t {BUILT} {}",
                bench.berth(&store),
                q(&run_context)
            ),
        )
        .prepare(format!(
            "{} && {}",
            bench.fresh_copy(&with_app, &store),
            settled(&[&run_context, &store, &bench.berth])
        ))
        .floor(RUN_LAYER_FLOOR)
        .max_runs(SLOW_RUNS),
        Case::new(
            RUN_LAYER_FLOOR,
            operation,
            Role::Floor,
            "cp -a twice, then tar -c | gzip -1 | sha256sum",
            format!(
                "for i in 1 2; do cp -a {app} {out}/copy$i; done && tar -cf - -C {out} . | gzip -1 | sha256sum > /dev/null",
                app = q(&only_app.join("app")),
                out = q(&out),
            ),
        )
        .prepare(format!(
            "{} && {}",
            bench.fresh_dir(&out),
            settled(&[&only_app])
        ))
        .max_runs(SLOW_RUNS),
    ])
}

/// The build context: the Dockerfile and the small tree (20,000 files) as `app/`.
fn prepare_context(bench: &Bench) -> anyhow::Result<PathBuf> {
    let context = bench.path("build-context");
    std::fs::create_dir_all(&context)?;
    std::fs::write(context.join("Dockerfile"), DOCKERFILE)?;
    setup(&format!(
        "rm -rf {app} && cp -a {tree} {app} && date +%s%N > {app}/changing.txt",
        app = q(&context.join("app")),
        tree = quote(&bench.workload.small_tree.to_string_lossy()),
    ))?;
    Ok(context)
}
