//! `import` (a ~90 MB gzip rootfs and a rootfs of many small files) and the store's read-only
//! views (`images`, `inspect`, `history`) with a thousand images in the store.

use super::{
    measure::{Case, Measurement, Role},
    q, setup, Bench,
};

pub const IMPORT: &str = "import/berth";
pub const IMPORT_FLOOR: &str = "import/floor";
pub const IMAGES: &str = "images/berth";
pub const INSPECT: &str = "inspect/berth";
pub const HISTORY: &str = "history/berth";

pub fn measure(bench: &Bench) -> anyhow::Result<Vec<Measurement>> {
    let mut measurements = import(bench)?;
    measurements.extend(views(bench)?);
    Ok(measurements)
}

/// The decompress-and-hash floor of issue 3: `pigz -dc FILE | openssl dgst -sha256`.
fn decompress_and_hash(file: &std::path::Path) -> (String, String) {
    let gunzip = if crate::util::have("pigz") {
        "pigz"
    } else {
        "gzip"
    };
    (
        format!("{gunzip} -dc | openssl dgst -sha256"),
        format!("{gunzip} -dc {} | openssl dgst -sha256", q(file)),
    )
}

fn import(bench: &Bench) -> anyhow::Result<Vec<Measurement>> {
    let workload = &bench.workload;
    let store = bench.path("import-store");
    let layout = bench.path("import-umoci");
    let reset_store = format!("rm -rf {}", q(&store));
    let reset_layout = format!(
        "rm -rf {0} && umoci init --layout {0} && umoci new --image {0}:latest",
        q(&layout)
    );
    let mut cases = Vec::new();
    let rootfs = format!(
        "import ({} gzip rootfs)",
        super::workload::megabytes(super::workload::file_size(&workload.layers[0].tar_gz))
    );
    for (prefix, operation, file) in [
        ("import", rootfs.as_str(), &workload.layers[0].tar_gz),
        (
            "import-small",
            "import (many small files)",
            &workload.small_tar_gz,
        ),
    ] {
        let (floor_tool, floor_command) = decompress_and_hash(file);
        let floor_id = format!("{prefix}/floor");
        cases.push(
            Case::new(
                &format!("{prefix}/berth"),
                operation,
                Role::Berth,
                "berth import",
                format!(
                    "{} import {} bench/imported:latest",
                    bench.berth(&store),
                    q(file)
                ),
            )
            .prepare(reset_store.clone())
            .floor(&floor_id),
        );
        cases.push(
            Case::new(
                &format!("{prefix}/umoci"),
                operation,
                Role::Peer,
                "umoci raw add-layer",
                format!(
                    "gzip -dc {} | umoci raw add-layer --image {}:latest /dev/stdin",
                    q(file),
                    q(&layout)
                ),
            )
            .prepare(reset_layout.clone()),
        );
        cases.push(Case::new(
            &floor_id,
            operation,
            Role::Floor,
            &floor_tool,
            floor_command,
        ));
    }
    bench.compare(cases)
}

fn views(bench: &Bench) -> anyhow::Result<Vec<Measurement>> {
    let workload = &bench.workload;
    let store = bench.path("many-images");
    eprintln!(
        "bench: importing {} images into {}",
        workload.many_images,
        store.display()
    );
    setup(&format!(
        "for i in $(seq 1 {}); do {} import -m \"bench image $i\" {} bench/many:$i > /dev/null || exit 1; done",
        workload.many_images,
        bench.berth(&store),
        q(&workload.tiny_tar)
    ))?;
    let middle = workload.many_images.div_ceil(2);
    let berth = bench.berth(&store);
    let many = workload.many_images;
    let images_operation = format!("images ({many} images in the store)");
    let inspect_operation = format!("inspect ({many} images in the store)");
    let history_operation = format!("history ({many} images in the store)");
    let cases = vec![
        Case::new(
            IMAGES,
            &images_operation,
            Role::Berth,
            "berth images",
            format!("{berth} images"),
        )
        .light(),
        Case::new(
            INSPECT,
            &inspect_operation,
            Role::Berth,
            "berth inspect",
            format!("{berth} inspect bench/many:{middle}"),
        )
        .light(),
        Case::new(
            HISTORY,
            &history_operation,
            Role::Berth,
            "berth history",
            format!("{berth} history bench/many:{middle}"),
        )
        .light(),
        Case::new(
            "images/umoci-ls",
            &images_operation,
            Role::Peer,
            "umoci ls",
            format!("umoci ls --layout {}", q(&store)),
        )
        .light(),
        Case::new(
            "inspect/skopeo",
            &inspect_operation,
            Role::Peer,
            "skopeo inspect",
            format!(
                "skopeo inspect oci:{}:docker.io/bench/many:{middle}",
                store.display()
            ),
        )
        .light(),
    ];
    bench.compare(cases)
}
