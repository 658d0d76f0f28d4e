//! `save` and `load` of the big image, against skopeo's copies between the same formats.

use super::{
    floors,
    image::{FAMILIAR_NAME, IMAGE_NAME},
    measure::{Case, Measurement, Role},
    q, Bench,
};

pub const SAVE: &str = "save/berth";
pub const SAVE_SKOPEO: &str = "save/skopeo";
pub const LOAD_DOCKER: &str = "load-docker/berth";
pub const LOAD_DOCKER_SKOPEO: &str = "load-docker/skopeo";
pub const LOAD_OCI: &str = "load-oci/berth";

pub fn measure(bench: &Bench) -> anyhow::Result<Vec<Measurement>> {
    let mut measurements = save(bench)?;
    measurements.extend(load(bench)?);
    Ok(measurements)
}

fn save(bench: &Bench) -> anyhow::Result<Vec<Measurement>> {
    let store = bench.base_store();
    let berth = bench.berth(&store);
    let output = bench.path("saved.tar");
    let remove_output = format!("rm -f {}", q(&output));
    let size = bench.workload.big_image_size();
    let docker = &format!("save (docker-archive, {size} image)");
    let oci = &format!("save (OCI archive, {size} image)");
    let skopeo_source = format!("oci:{}:{IMAGE_NAME}", store.display());
    let cases = vec![
        Case::new(
            SAVE,
            docker,
            Role::Berth,
            "berth save (Docker 25+ hybrid, the default)",
            format!("{berth} save -o {} {FAMILIAR_NAME}", q(&output)),
        )
        .prepare(remove_output.clone())
        .floor(floors::CP_BLOBS),
        Case::new(
            "save-docker/berth",
            docker,
            Role::Berth,
            "berth save --format docker",
            format!(
                "{berth} save --format docker -o {} {FAMILIAR_NAME}",
                q(&output)
            ),
        )
        .prepare(remove_output.clone())
        .floor(floors::CP_BLOBS),
        Case::new(
            SAVE_SKOPEO,
            docker,
            Role::Peer,
            "skopeo copy oci: docker-archive:",
            format!(
                "skopeo copy --insecure-policy -q {skopeo_source} docker-archive:{}:{FAMILIAR_NAME}",
                output.display()
            ),
        )
        .prepare(remove_output.clone()),
        Case::new(
            "save-oci/berth",
            oci,
            Role::Berth,
            "berth save --format oci",
            format!("{berth} save --format oci -o {} {FAMILIAR_NAME}", q(&output)),
        )
        .prepare(remove_output.clone())
        .floor(floors::CP_BLOBS),
        Case::new(
            "save-oci/skopeo",
            oci,
            Role::Peer,
            "skopeo copy oci: oci-archive:",
            format!(
                "skopeo copy --insecure-policy -q {skopeo_source} oci-archive:{}:{FAMILIAR_NAME}",
                output.display()
            ),
        )
        .prepare(remove_output),
    ];
    bench.compare(cases)
}

fn load(bench: &Bench) -> anyhow::Result<Vec<Measurement>> {
    let workload = &bench.workload;
    let store = bench.path("load-store");
    let berth = bench.berth(&store);
    let layout = bench.path("load-skopeo");
    let reset_store = format!("rm -rf {}", q(&store));
    let reset_layout = format!("rm -rf {}", q(&layout));
    let docker = "load (docker-archive, uncompressed layers)";
    let oci = "load (OCI archive, gzip layers)";
    let cases = vec![
        Case::new(
            LOAD_DOCKER,
            docker,
            Role::Berth,
            "berth load",
            format!("{berth} load -q -i {}", q(&workload.docker_archive)),
        )
        .prepare(reset_store.clone())
        .floor(floors::SHA256_PARALLEL_TAR),
        Case::new(
            LOAD_DOCKER_SKOPEO,
            docker,
            Role::Peer,
            "skopeo copy docker-archive: oci:",
            format!(
                "skopeo copy --insecure-policy -q docker-archive:{} oci:{}:latest",
                workload.docker_archive.display(),
                layout.display()
            ),
        )
        .prepare(reset_layout.clone()),
        Case::new(
            LOAD_OCI,
            oci,
            Role::Berth,
            "berth load",
            format!("{berth} load -q -i {}", q(&workload.oci_archive)),
        )
        .prepare(reset_store)
        .floor(floors::SHA256_PARALLEL_GZ),
        Case::new(
            "load-oci/skopeo",
            oci,
            Role::Peer,
            "skopeo copy oci-archive: oci:",
            format!(
                "skopeo copy --insecure-policy -q oci-archive:{} oci:{}:latest",
                workload.oci_archive.display(),
                layout.display()
            ),
        )
        .prepare(reset_layout),
    ];
    bench.compare(cases)
}
