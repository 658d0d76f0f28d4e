//! `berth build` proven against the real builders (issue #15): every Dockerfile of
//! tests/build-corpus is built by Docker 20.10's BuildKit (the oracle), by Docker 20.10's legacy
//! builder, by buildah and by berth, and the images are compared by one function
//! ([`compare::compare`]): config, history, file system. A build that must fail is compared by exit
//! code and BuildKit's key message. The oracle's side is built once per run and shared by the tests
//! below; each test builds its cases in sequence.

mod compare;
mod flatten;
mod image;
mod known;
mod tools;
mod world;

use std::fmt::Write;
use std::sync::{Once, OnceLock};
use std::time::Instant;

use crate::common::Env;

use compare::compare;
use image::read_docker_archive;
use known::{unexplained, KNOWN};
use tools::{Built, Tool};
use world::{Case, World};

/// The issue asks for at least this many Dockerfiles.
const MIN_CASES: usize = 60;

struct Oracle {
    world: World,
    cases: Vec<Case>,
    /// BuildKit's build of each case, in `cases` order.
    buildkit: Vec<Built>,
}

static ORACLE: OnceLock<Option<Oracle>> = OnceLock::new();

/// The corpus's own dockerd: BuildKit's cache and images there are the corpus's alone, so another
/// test removing an image with the same layers (the busybox trees are alike) from the shared
/// engine cannot take a cached snapshot from under a corpus build. Stopped when the run ends.
static CORPUS_DOCKERD: OnceLock<crate::common::Dockerd> = OnceLock::new();

fn corpus_dockerd() -> &'static crate::common::Dockerd {
    CORPUS_DOCKERD.get_or_init(|| crate::common::private_dockerd("corpus"))
}

/// The world and BuildKit's builds, made by the first test that needs them.
fn oracle() -> Option<&'static Oracle> {
    ORACLE
        .get_or_init(|| {
            let world = World::start()?;
            let cases = world::cases();
            let started = Instant::now();
            let out = world.dir.path().join("out");
            std::fs::create_dir_all(&out).unwrap();
            let buildkit = cases
                .iter()
                .map(|case| {
                    let context = world.context(case, &world.dir.path().join("ctx"));
                    tools::buildkit(case, &context, &out, &tag(case, "buildkit"), &[])
                })
                .collect();
            eprintln!(
                "build corpus: BuildKit built {} cases in {:.1?}",
                cases.len(),
                started.elapsed()
            );
            Some(Oracle {
                world,
                cases,
                buildkit,
            })
        })
        .as_ref()
}

/// The legacy builder's build of each case, in `cases` order. Each of its steps is a container
/// committed by the dockerd, mostly waiting (~90 s for the corpus on 2 shared cores): the berth
/// test starts these builds in a thread of their own, beside the test threads, and the legacy
/// test compares them (or builds them itself when run alone).
static LEGACY: OnceLock<Vec<Built>> = OnceLock::new();
static LEGACY_STARTED: Once = Once::new();

fn legacy_builds(oracle: &'static Oracle) -> &'static [Built] {
    LEGACY.get_or_init(|| {
        let started = Instant::now();
        let out = oracle.world.dir.path().join("legacy");
        std::fs::create_dir_all(&out).unwrap();
        let built = oracle
            .cases
            .iter()
            .map(|case| {
                let context = oracle.world.context(case, &out.join("ctx"));
                tools::legacy(case, &context, &out, &tag(case, "legacy"))
            })
            .collect();
        eprintln!(
            "build corpus: the legacy builder built {} cases in {:.1?}",
            oracle.cases.len(),
            started.elapsed()
        );
        built
    })
}

fn start_legacy_builds(oracle: &'static Oracle) {
    LEGACY_STARTED.call_once(|| {
        std::thread::spawn(move || legacy_builds(oracle));
    });
}

fn tag(case: &Case, tool: &str) -> String {
    format!("corpus-{}:{tool}", case.name)
}

/// BuildKit gives what each case says: an image, or the failure with its key message; a twin
/// case's own Dockerfile is refused by this BuildKit with the message its `twin:` names.
#[test]
fn buildkit_builds_the_corpus_as_each_case_says() {
    let Some(oracle) = oracle() else { return };
    assert!(
        oracle.cases.len() >= MIN_CASES,
        "the corpus has {} cases, the issue asks for {MIN_CASES}",
        oracle.cases.len()
    );
    let mut failures = String::new();
    for (case, built) in oracle.cases.iter().zip(&oracle.buildkit) {
        if let Some(problem) = expectation_problem(case, built) {
            let _ = writeln!(failures, "{}: {problem}\n{}", case.name, built.text());
        }
        if let Some(message) = case.twin.as_ref().filter(|m| !m.starts_with("not run:")) {
            let context = oracle
                .world
                .context(case, &oracle.world.dir.path().join("twin"));
            let mut original = case.clone();
            original.twin = None;
            let out = oracle.world.dir.path();
            let refused = tools::buildkit(&original, &context, out, &tag(case, "twin"), &[]);
            if refused.output.status.success() || !refused.text().contains(message.as_str()) {
                let _ = writeln!(
                    failures,
                    "{}: BuildKit should refuse the Dockerfile with {message:?}\n{}",
                    case.name,
                    refused.text()
                );
            }
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

/// Why `built` is not what `case` expects, if it is not.
fn expectation_problem(case: &Case, built: &Built) -> Option<String> {
    match (&case.error, built.archive.is_some()) {
        (None, true) => None,
        (None, false) => Some("the build failed".to_owned()),
        (Some(_), true) => Some("the build should have failed".to_owned()),
        (Some(message), false) => {
            let code = built.output.status.code();
            if code != Some(1) {
                Some(format!("exit code {code:?}, BuildKit's is 1"))
            } else if !contains_all(&built.text(), message) {
                Some(format!("the output lacks {message:?}"))
            } else {
                None
            }
        }
    }
}

/// The comparison is sound: BuildKit rebuilding every case without its cache gives images that
/// compare equal to the first (nothing compared varies from build to build).
#[test]
fn buildkit_rebuilt_without_cache_compares_equal() {
    let Some(oracle) = oracle() else { return };
    let out = oracle.world.dir.path().join("rebuild");
    std::fs::create_dir_all(&out).unwrap();
    let mut failures = String::new();
    for (case, first) in oracle.cases.iter().zip(&oracle.buildkit) {
        let Some(first_archive) = &first.archive else {
            continue;
        };
        let context = oracle.world.context(case, &out.join("ctx"));
        let again = tools::buildkit(case, &context, &out, &tag(case, "again"), &["--no-cache"]);
        let Some(archive) = &again.archive else {
            let _ = writeln!(
                failures,
                "{}: the rebuild failed\n{}",
                case.name,
                again.text()
            );
            continue;
        };
        let differences = compare(
            &read_docker_archive(first_archive),
            &read_docker_archive(archive),
        );
        for difference in differences {
            let _ = writeln!(failures, "{}: {difference}", case.name);
        }
    }
    assert!(
        failures.is_empty(),
        "BuildKit differs from itself:\n{failures}"
    );
}

/// Each tool's image of each case against BuildKit's: every difference is in the table of
/// [`known::KNOWN`] or fails the test; so is every entry of the table that explained nothing.
fn against_buildkit(tool: Tool) {
    let Some(oracle) = oracle() else { return };
    let started = Instant::now();
    if tool == Tool::Berth {
        start_legacy_builds(oracle);
    }
    let legacy = (tool == Tool::Legacy).then(|| legacy_builds(oracle));
    let out = oracle.world.dir.path().join(tool.name());
    std::fs::create_dir_all(&out).unwrap();
    let env = Env::new();
    let mut used = vec![false; KNOWN.len()];
    let mut failures = String::new();
    let mut listed = String::new();
    for (i, (case, oracle_built)) in oracle.cases.iter().zip(&oracle.buildkit).enumerate() {
        let own;
        let built = if let Some(legacy) = legacy {
            &legacy[i]
        } else {
            let tag = tag(case, tool.name());
            let context = oracle.world.context(case, &out.join("ctx"));
            own = match tool {
                Tool::Buildah => {
                    let store = (out.join("store"), oracle.world.buildah_driver);
                    tools::buildah(case, &context, (&store.0, store.1), &out, &tag)
                }
                Tool::Berth => tools::berth(case, &context, &env, &out, &tag),
                Tool::Legacy => unreachable!("the legacy builds are made by legacy_builds"),
            };
            &own
        };
        let differences = match (&case.error, &oracle_built.archive, &built.archive) {
            (Some(message), _, _) => error_differences(tool, message, oracle_built, built),
            (None, Some(theirs), Some(ours)) => {
                compare(&read_docker_archive(theirs), &read_docker_archive(ours))
            }
            (None, _, _) => vec![compare::Difference {
                place: "build".to_owned(),
                left: "an image".to_owned(),
                right: format!("no image: {}", last_line(built)),
            }],
        };
        let (left, explained) = unexplained(tool, case, differences, &mut used);
        for difference in left {
            let _ = writeln!(failures, "{}: {difference}", case.name);
        }
        for (difference, reason) in explained {
            let _ = writeln!(listed, "{}: {difference}\n    (known: {reason})", case.name);
        }
    }
    for (known, used) in KNOWN.iter().zip(used) {
        if known.tool == tool && !used {
            let _ = writeln!(
                failures,
                "stale entry of the known differences: {} {} {}",
                known.case, known.place, known.reason
            );
        }
    }
    eprintln!(
        "build corpus: {} built (or waited for) and compared {} cases in {:.1?}; \
         known differences from BuildKit:\n{listed}",
        tool.name(),
        oracle.cases.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} differs from BuildKit (- BuildKit, + {}):\n{failures}",
        tool.name(),
        tool.name()
    );
}

/// A build that must fail: it fails as BuildKit's does, with BuildKit's exit code; berth also
/// with BuildKit's key message (buildah words its own).
fn error_differences(
    tool: Tool,
    message: &str,
    oracle: &Built,
    built: &Built,
) -> Vec<compare::Difference> {
    let mut out = Vec::new();
    if built.archive.is_some() {
        out.push(compare::Difference {
            place: "build".to_owned(),
            left: "refused".to_owned(),
            right: "an image".to_owned(),
        });
        return out;
    }
    let (theirs, ours) = (oracle.output.status.code(), built.output.status.code());
    if theirs != ours {
        out.push(compare::Difference {
            place: "exit code".to_owned(),
            left: format!("{theirs:?}"),
            right: format!("{ours:?}"),
        });
    }
    if tool == Tool::Berth && !contains_all(&built.text(), message) {
        out.push(compare::Difference {
            place: "message".to_owned(),
            left: message.to_owned(),
            right: last_line(built),
        });
    }
    out
}

/// The error a build printed: its last stderr line that names an error (or a panic), else its last.
fn last_line(built: &Built) -> String {
    let stderr = String::from_utf8_lossy(&built.output.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    lines
        .iter()
        .rev()
        .find(|l| l.contains("rror") || l.contains("panicked") || l.contains("not implemented"))
        .or(lines.last())
        .map_or_else(String::new, |l| (*l).to_owned())
}

#[test]
fn legacy_builder_differs_from_buildkit_only_as_listed() {
    against_buildkit(Tool::Legacy);
}

#[test]
fn buildah_differs_from_buildkit_only_as_listed() {
    against_buildkit(Tool::Buildah);
}

#[test]
fn berth_builds_the_corpus_as_buildkit() {
    against_buildkit(Tool::Berth);
}

/// Whether `text` has each ` | `-separated part of `message`.
fn contains_all(text: &str, message: &str) -> bool {
    message.split(" | ").all(|part| text.contains(part))
}
