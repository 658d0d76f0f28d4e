//! `pull` and `push` of the big image through the loopback registries, against skopeo.

use super::{
    floors,
    image::{FAMILIAR_NAME, IMAGE_NAME, LAYOUT_TAG},
    measure::{Case, Measurement, Role},
    q,
    registry::Pair,
    setup, Bench,
};

pub const PULL: &str = "pull/berth";
pub const PULL_SKOPEO: &str = "pull/skopeo";
pub const PUSH: &str = "push/berth";
pub const PUSH_SKOPEO: &str = "push/skopeo";

pub fn measure(bench: &Bench, registries: &Pair) -> anyhow::Result<Vec<Measurement>> {
    let source = format!("{}/bench/big:latest", registries.source.host());
    let target = format!("{}/bench/push:latest", registries.target.host());
    setup(&format!(
        "skopeo copy --insecure-policy -q --dest-tls-verify=false oci:{}:{LAYOUT_TAG} docker://{source}",
        bench.workload.oci_layout.display()
    ))?;
    let base_store = bench.base_store();
    setup(&format!(
        "{} tag {FAMILIAR_NAME} {target}",
        bench.berth(&base_store)
    ))?;

    let pull_store = bench.path("pull-store");
    let pull_layout = bench.path("pull-skopeo");
    let empty_target = format!("rm -rf {}", q(&registries.target.storage.join("docker")));
    let size = bench.workload.big_image_size();
    let pull = &format!("pull ({size} image, empty store)");
    let push = &format!("push ({size} image, empty repository)");
    let cases = vec![
        Case::new(
            PULL,
            pull,
            Role::Berth,
            "berth pull",
            format!("{} pull -q {source}", bench.berth(&pull_store)),
        )
        .prepare(format!("rm -rf {}", q(&pull_store)))
        .floor(floors::SHA256_PARALLEL_GZ),
        Case::new(
            PULL_SKOPEO,
            pull,
            Role::Peer,
            "skopeo copy docker: oci:",
            format!(
                "skopeo copy --insecure-policy -q --src-tls-verify=false docker://{source} oci:{}:latest",
                pull_layout.display()
            ),
        )
        .prepare(format!("rm -rf {}", q(&pull_layout))),
        Case::new(
            PUSH,
            push,
            Role::Berth,
            "berth push",
            format!("{} push -q {target}", bench.berth(&base_store)),
        )
        .prepare(empty_target.clone()),
        Case::new(
            PUSH_SKOPEO,
            push,
            Role::Peer,
            "skopeo copy oci: docker:",
            format!(
                "skopeo copy --insecure-policy -q --dest-tls-verify=false oci:{}:{IMAGE_NAME} docker://{target}",
                base_store.display()
            ),
        )
        .prepare(empty_target),
    ];
    bench.compare(cases)
}
