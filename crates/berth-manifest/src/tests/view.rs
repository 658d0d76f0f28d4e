//! Inspect and history views of the fixture images, against Docker's own output.

use serde_json::Value;
use time::macros::datetime;

use crate::{fill_ancestor_ids, history_rows, parse_config, Error, ImageFacts, InspectView};

const DOCKER_COMMIT_CONFIG: &[u8] =
    include_bytes!("../../tests/data/docker-20.10-commit-config.json");
const DOCKER_BASE_CONFIG: &[u8] = include_bytes!("../../tests/data/docker-20.10-base-config.json");
const DOCKER_INSPECT: &[u8] = include_bytes!("../../tests/data/docker-20.10-inspect.json");
const DOCKER_HISTORY: &str = include_str!("../../tests/data/docker-20.10-history.jsonl");

const COMMIT_ID: &str = "sha256:415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27";
const BASE_ID: &str = "sha256:2eefd5de9cacfc447de0273443c4ea6277c19370b634fd517dfe50e78a4440e2";

fn commit_facts() -> ImageFacts {
    ImageFacts {
        id: COMMIT_ID.parse().unwrap(),
        repo_tags: vec![
            "fixture/busybox:1".to_owned(),
            "fixture/busybox:latest".to_owned(),
        ],
        repo_digests: vec![],
        parent: Some(BASE_ID.parse().unwrap()),
        config: parse_config(DOCKER_COMMIT_CONFIG).unwrap(),
        size: 1_984_192,
        last_tag_time: Some(datetime!(2026-11-27 17:51:08.787570154 UTC)),
    }
}

#[test]
fn inspect_matches_fixture_values() {
    let docker: Value = serde_json::from_slice(DOCKER_INSPECT).unwrap();
    let docker = &docker[0];
    let ours: Value = serde_json::to_value(InspectView::new(&commit_facts())).unwrap();
    for key in [
        "Id",
        "RepoTags",
        "RepoDigests",
        "Parent",
        "Comment",
        "Created",
        "DockerVersion",
        "Author",
        "Architecture",
        "Os",
        "Size",
        "RootFS",
        "Metadata",
    ] {
        assert_eq!(ours[key], docker[key], "{key}");
    }
    for key in ["Env", "Cmd", "WorkingDir"] {
        assert_eq!(ours["Config"][key], docker["Config"][key], "Config.{key}");
    }
}

#[test]
fn history_matches_fixture() {
    let config = parse_config(DOCKER_COMMIT_CONFIG).unwrap();
    let rows = history_rows(&config, &COMMIT_ID.parse().unwrap(), &[1_984_172, 20]).unwrap();
    let docker: Vec<Value> = DOCKER_HISTORY
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), docker.len());
    for (row, docker) in rows.iter().zip(&docker) {
        assert_eq!(row.created_by, docker["CreatedBy"].as_str().unwrap());
        assert_eq!(row.comment, docker["Comment"].as_str().unwrap());
        let created = row.created.unwrap().replace_nanosecond(0).unwrap();
        assert_eq!(
            crate::timefmt::format_rfc3339_nano(created),
            docker["CreatedAt"].as_str().unwrap()
        );
    }
    assert_eq!((rows[0].size, rows[1].size), (20, 1_984_172));
    assert_eq!(
        rows[0].id.as_ref().map(ToString::to_string).as_deref(),
        Some(COMMIT_ID)
    );
    // Docker 20.10 filled the second ID from its local parent chain.
    assert_eq!(rows[1].id, None);
    let mut filled = rows.clone();
    fill_ancestor_ids(&mut filled, &[BASE_ID.parse().unwrap()]);
    let ids: Vec<String> = filled
        .iter()
        .map(|row| row.id.as_ref().unwrap().to_string())
        .collect();
    let docker_ids: Vec<&str> = docker.iter().map(|d| d["ID"].as_str().unwrap()).collect();
    assert_eq!(ids, docker_ids);
    // A chain longer than the history, or none: the rows stay as they are.
    let mut longer = rows.clone();
    fill_ancestor_ids(
        &mut longer,
        &[BASE_ID.parse().unwrap(), COMMIT_ID.parse().unwrap()],
    );
    assert_eq!(longer, filled);
    let mut none = rows.clone();
    fill_ancestor_ids(&mut none, &[]);
    assert_eq!(none, rows);
    assert!(!rows[0].empty_layer);

    let base = parse_config(DOCKER_BASE_CONFIG).unwrap();
    let cases: [(&[u64], &str); 2] = [
        (
            &[],
            "layer sizes do not line up with rootfs.diff_ids: 0 sizes for 1 layers",
        ),
        (
            &[1, 2],
            "layer sizes do not line up with rootfs.diff_ids: 2 sizes for 1 layers",
        ),
    ];
    for (sizes, want) in cases {
        let error = history_rows(&base, &BASE_ID.parse().unwrap(), sizes).unwrap_err();
        assert_eq!(error.to_string(), want);
    }
    let mut too_many = base.clone();
    too_many.history.push(too_many.history[0].clone());
    assert!(matches!(
        history_rows(&too_many, &BASE_ID.parse().unwrap(), &[1]),
        Err(Error::TooManyHistoryLayers)
    ));
    let mut with_empty = base;
    with_empty.history.push(crate::History {
        empty_layer: true,
        created_by: Some("ENV A=1".to_owned()),
        ..crate::History::default()
    });
    let rows = history_rows(&with_empty, &BASE_ID.parse().unwrap(), &[7]).unwrap();
    assert_eq!(
        (rows[0].size, rows[0].empty_layer, rows[0].created),
        (0, true, None)
    );
    assert_eq!(rows[1].size, 7);
}
