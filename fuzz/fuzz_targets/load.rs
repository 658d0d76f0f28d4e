//! `load` of arbitrary bytes never panics, and when it fails the store is exactly as it was:
//! no reference added, no blob committed (the oracle, beyond "no crash").
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // tmpfs when there is one: creating a store per input is fsync-bound on a disk (about 30 inputs/s
    // on the busy 2-core machine, 2,300 in /dev/shm).
    let shm = std::path::Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let dir = tempfile::tempdir_in(base).expect("temp dir");
    let store = berth_store::Store::open(&dir.path().join("root")).expect("store");
    let before = store.index().expect("index").to_bytes();
    let options = berth_archive::LoadOptions {
        limits: berth_archive::Limits {
            max_uncompressed_size: Some(64 * 1024 * 1024),
        },
        ..berth_archive::LoadOptions::default()
    };
    if berth_archive::load(&store, data, &options).is_err() {
        assert_eq!(
            store.index().expect("index").to_bytes(),
            before,
            "a failed load changed index.json"
        );
        let blobs = store.list_blobs().expect("blobs");
        assert!(
            blobs.is_empty(),
            "a failed load committed {} blobs",
            blobs.len()
        );
    }
});
