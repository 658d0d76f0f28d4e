//! Docker 20.10's words for refused command lines (checked against the real CLI in
//! tests/it/words.rs); here the argument walk and the arity rules, table-driven.

use clap::{CommandFactory, Parser};

use super::*;
use crate::args::Cli;

fn root() -> Command {
    let mut root = Cli::command();
    root.build();
    root
}

fn argv(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_owned).collect()
}

#[test]
fn walks_to_the_command() {
    let root = root();
    let cases: &[(&str, &[&str])] = &[
        ("berth images -a", &["images"]),
        ("berth --root /x image ls extra", &["image", "ls"]),
        (
            "berth --root=/x --log-level debug image rm x",
            &["image", "rm"],
        ),
        ("berth images -f dangling=true image", &["images"]),
        ("berth nosuch image", &[]),
        ("berth -- images", &[]),
    ];
    for (line, want) in cases {
        assert_eq!(command_path(&root, &argv(line)), *want, "{line}");
    }
    assert_eq!(
        first_word(&root, &argv("berth --root /x help tag")),
        Some((3, "help"))
    );
}

#[test]
fn refusals() {
    let root = root();
    let cases: &[(&str, u8, &str)] = &[
        ("berth foo", 1, "berth: 'foo' is not a berth command.\nSee 'berth --help'\n"),
        (
            "berth tag a",
            1,
            "\"berth tag\" requires exactly 2 arguments.\nSee 'berth tag --help'.\n\nUsage:  berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\nCreate a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n",
        ),
        (
            "berth tag a b c",
            1,
            "\"berth tag\" requires exactly 2 arguments.\nSee 'berth tag --help'.\n\nUsage:  berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\nCreate a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n",
        ),
        (
            "berth rmi",
            1,
            "\"berth rmi\" requires at least 1 argument.\nSee 'berth rmi --help'.\n\nUsage:  berth rmi [OPTIONS] IMAGE [IMAGE...]\n\nRemove one or more images\n",
        ),
        (
            "berth images a b",
            1,
            "\"berth images\" requires at most 1 argument.\nSee 'berth images --help'.\n\nUsage:  berth images [OPTIONS] [REPOSITORY[:TAG]]\n\nList images\n",
        ),
        ("berth images --bogus", 125, "unknown flag: --bogus\nSee 'berth images --help'.\n"),
        ("berth images --bogus=1", 125, "unknown flag: --bogus\nSee 'berth images --help'.\n"),
        ("berth images -x", 125, "unknown shorthand flag: 'x' in -x\nSee 'berth images --help'.\n"),
        ("berth --bogus", 125, "unknown flag: --bogus\nSee 'berth --help'.\n"),
        (
            "berth images -f dangling",
            125,
            "invalid argument \"dangling\" for \"-f, --filter\" flag: bad format of filter (expected name=value)\nSee 'berth images --help'.\n",
        ),
        ("berth images --filter", 125, "flag needs an argument: --filter\nSee 'berth images --help'.\n"),
    ];
    for (line, code, message) in cases {
        let words = argv(line);
        let error = Cli::try_parse_from(&words).unwrap_err();
        let refusal = refuse(&error, &root, &words);
        assert_eq!(
            (refusal.code, refusal.message.as_str(), refusal.to_stdout),
            (*code, *message, false),
            "{line}"
        );
    }
}

#[test]
fn a_management_command_alone_is_its_help() {
    let root = root();
    let words = argv("berth image");
    let refusal = refuse(&Cli::try_parse_from(&words).unwrap_err(), &root, &words);
    assert!(refusal.to_stdout && refusal.code == 0, "{refusal:?}");
    assert!(
        refusal.message.contains("Usage: berth image"),
        "{}",
        refusal.message
    );
    let words = argv("berth image nosuch");
    let refusal = refuse(&Cli::try_parse_from(&words).unwrap_err(), &root, &words);
    assert!(!refusal.to_stdout && refusal.code == 1, "{refusal:?}");
    assert!(
        refusal.message.starts_with("\nManage images"),
        "{}",
        refusal.message
    );
}

#[test]
fn every_command_has_a_docker_usage_line() {
    let root = root();
    let cases: &[(&[&str], &str)] = &[
        (&["load"], "berth load [OPTIONS]"),
        (&["save"], "berth save [OPTIONS] IMAGE [IMAGE...]"),
        (
            &["commit"],
            "berth commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
        ),
        (&["image", "prune"], "berth image prune [OPTIONS]"),
    ];
    for (path, want) in cases {
        let path: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
        let cmd = find(&root, &path).unwrap();
        assert_eq!(usage_line(cmd, &full_name(&path)), *want);
    }
}
