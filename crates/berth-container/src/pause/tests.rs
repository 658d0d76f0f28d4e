use super::*;

fn check(stat: &str, expected: Option<ProcStat>) {
    assert_eq!(parse_proc_stat(stat), expected, "{stat:?}");
}

#[test]
fn proc_stat_fields_are_counted_from_the_last_parenthesis() {
    let tail = "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18";
    for (stat, expected) in [
        (
            format!("29271 (sleep) S {tail} 1260678 2322432 316"),
            Some((false, 1_260_678)),
        ),
        // A command name with spaces and a parenthesis of its own.
        (format!("7 (a) b (c)) R {tail} 42 0"), Some((false, 42))),
        (format!("8 (berth) Z {tail} 99 0"), Some((true, 99))),
        (format!("8 (berth) X {tail} 99 0"), Some((true, 99))),
        ("8 (berth) S 1 2 3".to_owned(), None),
        ("garbage".to_owned(), None),
        (format!("8 (berth) S {tail} notanumber 0"), None),
    ] {
        check(
            &stat,
            expected.map(|(dead, start_time)| ProcStat { dead, start_time }),
        );
    }
}

#[test]
fn an_owner_is_alive_only_as_the_same_process() {
    let me = Owner::current();
    assert!(me.start_time.is_some(), "/proc/self/stat is readable here");
    assert!(me.is_alive());
    // The same PID with another start time: a later process that reused the PID.
    let reused = Owner {
        start_time: me.start_time.map(|t| t + 1),
        ..me
    };
    assert!(!reused.is_alive());

    // A child that has exited but is not reaped yet (a zombie) is gone; so is one that was reaped.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = i32::try_from(child.id()).unwrap();
    let owner = Owner {
        pid,
        start_time: proc_stat(pid).map(|s| s.start_time),
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while proc_stat(pid).is_some_and(|s| !s.dead) {
        assert!(std::time::Instant::now() < deadline, "true did not exit");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(!owner.is_alive(), "a zombie counts as gone");
    child.wait().unwrap();
    assert!(!owner.is_alive(), "a reaped process is gone");
}

#[test]
fn markers_round_trip_and_damaged_ones_are_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(read_marker(dir.path()), Marker::Absent));
    let owner = Owner {
        pid: 12,
        start_time: Some(34),
    };
    std::fs::write(
        dir.path().join(MARKER_FILE),
        serde_json::to_vec(&owner).unwrap(),
    )
    .unwrap();
    assert!(matches!(read_marker(dir.path()), Marker::Owner(o) if o == owner));
    // What a commit killed in the middle of writing it leaves.
    std::fs::write(dir.path().join(MARKER_FILE), b"{\"pid\":1").unwrap();
    assert!(matches!(read_marker(dir.path()), Marker::Unreadable));
    remove_marker(dir.path()).unwrap();
    remove_marker(dir.path()).unwrap();
    assert!(matches!(read_marker(dir.path()), Marker::Absent));
    // Without a lock file (never paused, or being removed) a recovery takes no lock and creates none.
    assert!(lock(dir.path(), false).unwrap().is_none());
    assert!(!dir.path().join(LOCK_FILE).exists());
    assert!(lock(dir.path(), true).unwrap().is_some());
    assert!(lock(dir.path(), false).unwrap().is_some());
}
