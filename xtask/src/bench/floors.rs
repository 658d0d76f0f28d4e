//! The physical floors: what the plain tools take to hash, decompress, unpack and copy the same
//! bytes, so every berth figure reads as "x times the limit".

use super::{
    measure::{Case, Measurement, Role},
    q,
    workload::Workload,
    Bench,
};

/// `openssl dgst -sha256` of the three gzip layer blobs, all at once: the floor of pull and of
/// loading an OCI archive (issues 4 and 5 name it).
pub const SHA256_PARALLEL_GZ: &str = "floor/sha256-parallel-gz";
/// The same over the three uncompressed layer tars: the floor of loading a docker-archive.
pub const SHA256_PARALLEL_TAR: &str = "floor/sha256-parallel-tar";
/// Both digests of every layer (the blob's, and the diff_id after `gzip -dc`), all at once: the
/// work a verifying pull or OCI load cannot skip.
pub const VERIFY_PARALLEL_GZ: &str = "floor/verify-parallel-gz";
/// `cp` of the three uncompressed layers, then `sync` of the copies: storing bytes durably, which
/// the store does (fsync before rename) and hashing alone does not.
pub const CP_SYNC_TAR: &str = "floor/cp-sync-tar";
/// The same for the three gzip blobs: what writing an archive of them durably costs.
pub const CP_SYNC_GZ: &str = "floor/cp-sync-gz";
/// `cp` of the three layer blobs: the floor of save.
pub const CP_BLOBS: &str = "floor/cp-blobs";

const OPERATION: &str = "floors (3-layer image)";

pub fn measure(bench: &Bench) -> anyhow::Result<Vec<Measurement>> {
    let workload = &bench.workload;
    let blobs = Workload::quoted(&workload.layer_blobs());
    let tars = Workload::quoted(&workload.layer_tars());
    let zsts = Workload::quoted(&workload.layer_zsts());
    let unpacked = bench.path("floor-unpacked");
    let copied = bench.path("floor-copied");
    let fresh = |dir: &std::path::Path| bench.fresh_dir(dir);
    let cases = vec![
        Case::new(
            "floor/sha256sum",
            OPERATION,
            Role::Floor,
            "sha256sum (gz blobs, one after another)",
            format!("sha256sum {blobs}"),
        ),
        Case::new(
            SHA256_PARALLEL_GZ,
            OPERATION,
            Role::Floor,
            "openssl dgst -sha256 (gz blobs, in parallel)",
            parallel_sha256(&workload.layer_blobs()),
        ),
        Case::new(
            SHA256_PARALLEL_TAR,
            OPERATION,
            Role::Floor,
            "openssl dgst -sha256 (tar layers, in parallel)",
            parallel_sha256(&workload.layer_tars()),
        ),
        Case::new(
            VERIFY_PARALLEL_GZ,
            OPERATION,
            Role::Floor,
            "openssl dgst + gzip -dc | openssl dgst (gz blobs, in parallel)",
            parallel_verify(&workload.layer_blobs()),
        ),
        Case::new(
            "floor/gzip-dc",
            OPERATION,
            Role::Floor,
            "gzip -dc",
            format!("gzip -dc {blobs} > /dev/null"),
        ),
        Case::new(
            "floor/zstd-dc",
            OPERATION,
            Role::Floor,
            "zstd -dc (same layers, zstd -3)",
            format!("zstd -q -dc {zsts} > /dev/null"),
        ),
        Case::new(
            "floor/tar-x",
            OPERATION,
            Role::Floor,
            "tar -x (uncompressed layers)",
            format!(
                "for layer in {tars}; do tar -xf \"$layer\" -C {}; done",
                q(&unpacked)
            ),
        )
        .prepare(fresh(&unpacked)),
        Case::new(
            CP_BLOBS,
            OPERATION,
            Role::Floor,
            "cp (gz blobs)",
            format!("cp {blobs} {}", q(&copied)),
        )
        .prepare(fresh(&copied)),
        Case::new(
            CP_SYNC_GZ,
            OPERATION,
            Role::Floor,
            "cp + sync (gz blobs)",
            format!("cp {blobs} {0} && sync {0}/*", q(&copied)),
        )
        .prepare(fresh(&copied)),
        Case::new(
            CP_SYNC_TAR,
            OPERATION,
            Role::Floor,
            "cp + sync (tar layers)",
            format!("cp {tars} {0} && sync {0}/*", q(&copied)),
        )
        .prepare(fresh(&copied)),
    ];
    bench.compare(cases)
}

/// For every gzip file, its digest and its uncompressed digest, all started at once.
fn parallel_verify(files: &[&std::path::Path]) -> String {
    let mut jobs: Vec<String> = files
        .iter()
        .map(|file| {
            format!(
                "openssl dgst -sha256 {0} > /dev/null & gzip -dc {0} | openssl dgst -sha256 > /dev/null &",
                q(file)
            )
        })
        .collect();
    jobs.push("wait".to_owned());
    jobs.join(" ")
}

/// One `openssl dgst -sha256` per file, all started at once.
pub fn parallel_sha256(files: &[&std::path::Path]) -> String {
    let mut jobs: Vec<String> = files
        .iter()
        .map(|file| format!("openssl dgst -sha256 {} > /dev/null &", q(file)))
        .collect();
    jobs.push("wait".to_owned());
    jobs.join(" ")
}
