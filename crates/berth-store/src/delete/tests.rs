//! moby's deletion rules, table by table: each case builds a store of labelled images (names, repo
//! digests, a parent) and containers using them, runs one `rmi` or one prune, and compares what was
//! reported, the error and what is left.

use std::collections::BTreeMap;

use berth_digest::Digest;
use berth_reference::Reference;

use super::*;

/// An image: its label, its names (`repo:` first: a repo digest a pull recorded, not a name), and
/// the label of its parent.
type Img = (&'static str, &'static [&'static str], Option<&'static str>);
/// A container: the label of its image, and whether it runs.
type User = (&'static str, bool);

/// A store built from a table row, with the labels of its images.
struct World {
    _dir: tempfile::TempDir,
    store: Store,
    ids: BTreeMap<&'static str, Digest>,
    users: Vec<ImageUser>,
}

impl World {
    fn new(images: &[Img], users: &[User]) -> World {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("root")).unwrap();
        let mut ids = BTreeMap::new();
        let mut manifests = BTreeMap::new();
        for (label, names, _) in images {
            let (entry, id) =
                crate::testutil::named_image(&store, &format!("tmp/{label}"), label, &[]);
            let image = store.resolve(&id.to_string()).unwrap();
            for name in *names {
                match name.strip_prefix("repo:") {
                    Some(repo_digest) => store
                        .add_image(&entry, &[], &[repo_digest.to_owned()])
                        .unwrap(),
                    None => store.tag(&image, &reference(name)).unwrap(),
                }
            }
            store.untag(&reference(&format!("tmp/{label}"))).unwrap();
            ids.insert(*label, id);
            manifests.insert(*label, entry.digest);
        }
        for (label, _, parent) in images {
            if let Some(parent) = parent {
                store.set_parent(&ids[label], &ids[parent]).unwrap();
            }
        }
        let users = users
            .iter()
            .enumerate()
            .map(|(i, (label, running))| ImageUser {
                container: format!("container{i}"),
                image: ids[label].clone(),
                manifest: manifests[label].clone(),
                running: *running,
            })
            .collect();
        World {
            _dir: dir,
            store,
            ids,
            users,
        }
    }

    fn deleter(&self) -> ImageDeleter<'_> {
        ImageDeleter::new(&self.store, self.users.clone())
    }

    /// `{label}` becomes the image's full ID in an argument, its short ID in a message.
    fn expand(&self, text: &str, short: bool) -> String {
        let mut text = text.to_owned();
        for (label, id) in &self.ids {
            let shown = if short {
                id.short().to_owned()
            } else {
                id.to_string()
            };
            text = text.replace(&format!("{{{label}}}"), &shown);
        }
        text
    }

    /// Removals as Docker prints them, with labels for image IDs.
    fn lines(&self, done: &[Removal]) -> Vec<String> {
        done.iter()
            .map(|removal| match removal {
                Removal::Untagged(name) => format!("Untagged: {}", name.familiar_string()),
                Removal::Deleted(id) => {
                    let label = self.ids.iter().find(|(_, i)| *i == id).map(|(l, _)| *l);
                    format!("Deleted: {}", label.unwrap_or("?"))
                }
            })
            .collect()
    }

    /// What is left: each image's label and its references, familiar.
    fn left(&self) -> Vec<String> {
        let mut left: Vec<String> = self
            .store
            .images()
            .unwrap()
            .into_iter()
            .map(|image| {
                let label = self.ids.iter().find(|(_, i)| **i == image.id).unwrap().0;
                let mut refs: Vec<String> =
                    image.names.iter().map(Reference::familiar_string).collect();
                refs.extend(image.repo_digests.iter().map(|d| format!("repo:{d}")));
                format!("{label} {}", refs.join(" ")).trim_end().to_owned()
            })
            .collect();
        left.sort();
        left
    }
}

fn reference(name: &str) -> Reference {
    Reference::parse_normalized(name)
        .unwrap()
        .with_default_tag()
}

struct Rmi {
    images: &'static [Img],
    users: &'static [User],
    /// The argument; `{label}` stands for that image's ID.
    arg: &'static str,
    force: bool,
    no_prune: bool,
    done: &'static [&'static str],
    /// The error's message; `{label}` stands for that image's short ID.
    error: Option<&'static str>,
    left: &'static [&'static str],
}

const BASE: Rmi = Rmi {
    images: &[],
    users: &[],
    arg: "",
    force: false,
    no_prune: false,
    done: &[],
    error: None,
    left: &[],
};

fn check(name: &str, case: &Rmi) {
    let world = World::new(case.images, case.users);
    let mut deleter = world.deleter();
    let mut done = Vec::new();
    let options = DeleteOptions {
        force: case.force,
        prune: !case.no_prune,
    };
    let result = deleter.delete(&world.expand(case.arg, false), options, &mut done);
    assert_eq!(world.lines(&done), case.done, "{name}: done");
    assert_eq!(
        result.err().map(|e| e.to_string()),
        case.error.map(|e| world.expand(e, true)),
        "{name}: error"
    );
    assert_eq!(world.left(), case.left, "{name}: left");
}

#[test]
fn names_and_repositories() {
    let two_repos: &[Img] = &[("a", &["a:1", "b:1"], None)];
    let cases = [
        (
            "one name: untagged, then deleted",
            Rmi {
                images: &[("a", &["a:1"], None)],
                arg: "a:1",
                done: &["Untagged: a:1", "Deleted: a"],
                ..BASE
            },
        ),
        (
            "a name without its tag is the latest",
            Rmi {
                images: &[("a", &["a"], None)],
                arg: "a",
                done: &["Untagged: a:latest", "Deleted: a"],
                ..BASE
            },
        ),
        (
            "tagged in several repositories: only the name goes",
            Rmi {
                images: two_repos,
                arg: "a:1",
                done: &["Untagged: a:1"],
                left: &["a b:1"],
                ..BASE
            },
        ),
        (
            "by ID, tagged in several repositories",
            Rmi {
                images: two_repos,
                arg: "{a}",
                error: Some("conflict: unable to delete {a} (must be forced) - image is referenced in multiple repositories"),
                left: &["a a:1 b:1"],
                ..BASE
            },
        ),
        (
            "by ID with -f, tagged in several repositories",
            Rmi {
                images: two_repos,
                arg: "{a}",
                force: true,
                done: &["Untagged: a:1", "Untagged: b:1", "Deleted: a"],
                ..BASE
            },
        ),
        (
            "by ID, two tags in one repository is not one reference",
            Rmi {
                images: &[("a", &["a:1", "a:2"], None)],
                arg: "{a}",
                error: Some("conflict: unable to delete {a} (must be forced) - image is referenced in multiple repositories"),
                left: &["a a:1 a:2"],
                ..BASE
            },
        ),
        (
            "by ID, one name",
            Rmi {
                images: &[("a", &["a:1"], None)],
                arg: "{a}",
                done: &["Untagged: a:1", "Deleted: a"],
                ..BASE
            },
        ),
        (
            "missing: Docker's name for it",
            Rmi {
                images: &[("a", &["a:1"], None)],
                arg: "nosuch",
                error: Some("No such image: nosuch:latest"),
                left: &["a a:1"],
                ..BASE
            },
        ),
        (
            "dangling, by ID",
            Rmi {
                images: &[("a", &[], None)],
                arg: "{a}",
                done: &["Deleted: a"],
                ..BASE
            },
        ),
    ];
    for (name, case) in &cases {
        check(name, case);
    }
}

#[test]
fn containers() {
    let one: &[Img] = &[("a", &["a:1"], None)];
    let cases = [
        (
            "a stopped container's image, by its only name",
            Rmi {
                images: one,
                users: &[("a", false)],
                arg: "a:1",
                error: Some("conflict: unable to remove repository reference \"a:1\" (must force) - container container0 is using its referenced image {a}"),
                left: &["a a:1"],
                ..BASE
            },
        ),
        (
            "a running container's image, by its only name",
            Rmi {
                images: one,
                users: &[("a", true)],
                arg: "a:1",
                error: Some("conflict: unable to remove repository reference \"a:1\" (must force) - container container0 is using its referenced image {a}"),
                left: &["a a:1"],
                ..BASE
            },
        ),
        (
            "-f: a stopped container's image goes",
            Rmi {
                images: one,
                users: &[("a", false)],
                arg: "a:1",
                force: true,
                done: &["Untagged: a:1", "Deleted: a"],
                ..BASE
            },
        ),
        (
            "-f: a running container's image loses its name and stays",
            Rmi {
                images: one,
                users: &[("a", true)],
                arg: "a:1",
                force: true,
                done: &["Untagged: a:1"],
                left: &["a"],
                ..BASE
            },
        ),
        (
            "by ID, a stopped container",
            Rmi {
                images: one,
                users: &[("a", false)],
                arg: "{a}",
                error: Some("conflict: unable to delete {a} (must be forced) - image is being used by stopped container container0"),
                left: &["a a:1"],
                ..BASE
            },
        ),
        (
            "by ID with -f, a running container",
            Rmi {
                images: one,
                users: &[("a", false), ("a", true)],
                arg: "{a}",
                force: true,
                error: Some("conflict: unable to delete {a} (cannot be forced) - image is being used by running container container1"),
                left: &["a a:1"],
                ..BASE
            },
        ),
        (
            "a name of an image with two: the container does not matter",
            Rmi {
                images: &[("a", &["a:1", "b:1"], None)],
                users: &[("a", true)],
                arg: "b:1",
                done: &["Untagged: b:1"],
                left: &["a a:1"],
                ..BASE
            },
        ),
        (
            "another image's container does not matter",
            Rmi {
                images: &[("a", &["a:1"], None), ("b", &["b:1"], None)],
                users: &[("b", true)],
                arg: "a:1",
                done: &["Untagged: a:1", "Deleted: a"],
                left: &["b b:1"],
                ..BASE
            },
        ),
    ];
    for (name, case) in &cases {
        check(name, case);
    }
}

#[test]
fn parents_and_children() {
    let untagged_parent: &[Img] = &[("base", &[], None), ("child", &["child:1"], Some("base"))];
    let tagged_parent: &[Img] = &[
        ("base", &["base:1"], None),
        ("child", &["child:1"], Some("base")),
    ];
    let cases = [
        (
            "a parent's last name goes; the parent stays for its child",
            Rmi {
                images: tagged_parent,
                arg: "base:1",
                done: &["Untagged: base:1"],
                left: &["base", "child child:1"],
                ..BASE
            },
        ),
        (
            "a parent by ID, even with -f",
            Rmi {
                images: tagged_parent,
                arg: "{base}",
                force: true,
                error: Some("conflict: unable to delete {base} (cannot be forced) - image has dependent child images"),
                left: &["base base:1", "child child:1"],
                ..BASE
            },
        ),
        (
            "an untagged parent goes with its last child",
            Rmi {
                images: untagged_parent,
                arg: "child:1",
                done: &["Untagged: child:1", "Deleted: child", "Deleted: base"],
                ..BASE
            },
        ),
        (
            "--no-prune keeps the untagged parent",
            Rmi {
                images: untagged_parent,
                arg: "child:1",
                no_prune: true,
                done: &["Untagged: child:1", "Deleted: child"],
                left: &["base"],
                ..BASE
            },
        ),
        (
            "a tagged parent stays",
            Rmi {
                images: tagged_parent,
                arg: "child:1",
                done: &["Untagged: child:1", "Deleted: child"],
                left: &["base base:1"],
                ..BASE
            },
        ),
        (
            "an untagged parent with another child stays",
            Rmi {
                images: &[
                    ("base", &[], None),
                    ("child", &["child:1"], Some("base")),
                    ("other", &["other:1"], Some("base")),
                ],
                arg: "child:1",
                done: &["Untagged: child:1", "Deleted: child"],
                left: &["base", "other other:1"],
                ..BASE
            },
        ),
        (
            "an untagged parent a container uses stays",
            Rmi {
                images: untagged_parent,
                users: &[("base", false)],
                arg: "child:1",
                done: &["Untagged: child:1", "Deleted: child"],
                left: &["base"],
                ..BASE
            },
        ),
        (
            "untagged grandparents go too",
            Rmi {
                images: &[
                    ("root", &[], None),
                    ("base", &[], Some("root")),
                    ("child", &["child:1"], Some("base")),
                ],
                arg: "child:1",
                done: &[
                    "Untagged: child:1",
                    "Deleted: child",
                    "Deleted: base",
                    "Deleted: root",
                ],
                ..BASE
            },
        ),
    ];
    for (name, case) in &cases {
        check(name, case);
    }
}

#[test]
fn digest_references() {
    let tag_and_digest: &[Img] = &[(
        "a",
        &[
            "a:1",
            "a@sha256:0000000000000000000000000000000000000000000000000000000000000000",
        ],
        None,
    )];
    let cases = [
        (
            "a repository's last tag takes its digest references with it",
            Rmi {
                images: tag_and_digest,
                arg: "a:1",
                done: &["Untagged: a:1", "Untagged: a@sha256:0000000000000000000000000000000000000000000000000000000000000000", "Deleted: a"],
                ..BASE
            },
        ),
        (
            "by digest reference: the tag stays",
            Rmi {
                images: tag_and_digest,
                arg: "a@sha256:0000000000000000000000000000000000000000000000000000000000000000",
                done: &["Untagged: a@sha256:0000000000000000000000000000000000000000000000000000000000000000"],
                left: &["a a:1"],
                ..BASE
            },
        ),
        (
            "by ID: a tag and digests of one repository are one reference",
            Rmi {
                images: tag_and_digest,
                arg: "{a}",
                done: &["Untagged: a:1", "Untagged: a@sha256:0000000000000000000000000000000000000000000000000000000000000000", "Deleted: a"],
                ..BASE
            },
        ),
        (
            "recorded repo digests: another repository's keeps the image",
            Rmi {
                images: &[(
                    "a",
                    &[
                        "a:1",
                        "repo:docker.io/library/a@sha256:1111111111111111111111111111111111111111111111111111111111111111",
                        "repo:docker.io/library/b@sha256:0000000000000000000000000000000000000000000000000000000000000000",
                    ],
                    None,
                )],
                arg: "a:1",
                done: &["Untagged: a:1", "Untagged: a@sha256:1111111111111111111111111111111111111111111111111111111111111111"],
                left: &["a repo:docker.io/library/b@sha256:0000000000000000000000000000000000000000000000000000000000000000"],
                ..BASE
            },
        ),
    ];
    for (name, case) in &cases {
        check(name, case);
    }
}

#[test]
fn single_reference_follows_moby() {
    let cases: &[(&[&str], bool)] = &[
        (&[], false),
        (&["a:1"], true),
        (
            &["a@sha256:0000000000000000000000000000000000000000000000000000000000000000"],
            true,
        ),
        (&["a:1", "a:2"], false),
        (&["a:1", "b:1"], false),
        (
            &[
                "a:1",
                "a@sha256:0000000000000000000000000000000000000000000000000000000000000000",
            ],
            true,
        ),
        (
            &[
                "a:1",
                "b@sha256:0000000000000000000000000000000000000000000000000000000000000000",
            ],
            false,
        ),
        (
            &[
                "a@sha256:0000000000000000000000000000000000000000000000000000000000000000",
                "a@sha256:1111111111111111111111111111111111111111111111111111111111111111",
            ],
            true,
        ),
    ];
    for (names, want) in cases {
        let names: Vec<Reference> = names
            .iter()
            .map(|n| Reference::parse_normalized(n).unwrap())
            .collect();
        assert_eq!(single_reference(&names), *want, "{names:?}");
    }
}

#[test]
fn prune_takes_dangling_images_and_keeps_what_is_used() {
    /// Images, containers, `-a`, what the prune reports, what is left.
    type Case = (
        &'static str,
        &'static [Img],
        &'static [User],
        bool,
        &'static [&'static str],
        &'static [&'static str],
    );
    let cases: &[Case] = &[
        (
            "dangling goes, tagged stays",
            &[("a", &[], None), ("b", &["b:1"], None)],
            &[],
            false,
            &["Deleted: a"],
            &["b b:1"],
        ),
        (
            "-a: tagged goes too",
            &[("a", &[], None), ("b", &["b:1"], None)],
            &[],
            true,
            &["Deleted: a", "Untagged: b:1", "Deleted: b"],
            &[],
        ),
        (
            "a container's dangling image stays, without an error",
            &[("a", &[], None)],
            &[("a", false)],
            false,
            &[],
            &["a"],
        ),
        (
            "-a: a running container's image stays",
            &[("a", &["a:1"], None)],
            &[("a", true)],
            true,
            &[],
            &["a a:1"],
        ),
        (
            "an intermediate image goes with its dangling child, not on its own",
            &[("base", &[], None), ("child", &[], Some("base"))],
            &[],
            false,
            &["Deleted: child", "Deleted: base"],
            &[],
        ),
        (
            "a tagged child keeps its parent; without -a it stays",
            &[("base", &[], None), ("child", &["child:1"], Some("base"))],
            &[],
            false,
            &[],
            &["base", "child child:1"],
        ),
        (
            "-a: a tagged parent loses its name, then goes with its child",
            &[
                ("base", &["base:1"], None),
                ("child", &["child:1"], Some("base")),
            ],
            &[],
            true,
            &[
                "Untagged: base:1",
                "Untagged: child:1",
                "Deleted: child",
                "Deleted: base",
            ],
            &[],
        ),
    ];
    for (name, images, users, all, done, left) in cases {
        let world = World::new(images, users);
        let mut deleter = world.deleter();
        let mut removals = Vec::new();
        for image in deleter.prune_candidates(*all).unwrap() {
            deleter.prune(&image, &mut removals);
        }
        assert_eq!(world.lines(&removals), *done, "{name}: done");
        assert_eq!(world.left(), *left, "{name}: left");
    }
}

#[test]
fn roots_are_the_containers_manifests_once() {
    let world = World::new(
        &[("a", &["a:1"], None), ("b", &["b:1"], None)],
        &[("a", false), ("a", true), ("b", false)],
    );
    let roots = world.deleter().roots();
    assert_eq!(roots.len(), 2);
    assert!(roots.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn docker_echoes_a_missing_name_with_its_tag() {
    let id = "415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27";
    let cases = [
        ("nosuch", "nosuch:latest".to_owned()),
        ("docker.io/library/x:1", "x:1".to_owned()),
        ("415e85", "415e85:latest".to_owned()),
        (id, id.to_owned()),
    ];
    for (arg, want) in cases {
        assert_eq!(not_found_name(arg), want, "{arg}");
    }
}

/// `rmi -f` forgives an argument that names nothing (`NoImageNamed`); an image lost half-way or a
/// store that cannot be read is another error, which it does not forgive.
#[test]
fn a_missing_argument_is_its_own_error() {
    let world = World::new(&[("a", &["a:1"], None)], &[]);
    let options = DeleteOptions {
        force: true,
        prune: true,
    };
    let mut done = Vec::new();
    let missing = world.deleter().delete("nosuch", options, &mut done);
    assert!(
        matches!(&missing, Err(Error::NoImageNamed(name)) if name == "nosuch:latest"),
        "{missing:?}"
    );
    assert_eq!(
        missing.unwrap_err().to_string(),
        "No such image: nosuch:latest"
    );
    // index.json unreadable: the store's own error, not a missing image.
    std::fs::write(world.store.root().join("index.json"), b"{not json").unwrap();
    let broken = world.deleter().delete("a:1", options, &mut done);
    assert!(
        matches!(&broken, Err(error) if !matches!(error, Error::NoImageNamed(_) | Error::NoSuchImage(_))),
        "{broken:?}"
    );
    assert!(done.is_empty());
}

/// `rmi NAME` racing a prune: the prune deletes the image the untag left dangling before `rmi`
/// looks at it again. What is gone meanwhile is no error after an untag (nor for a quiet deletion,
/// as of a parent), but still one when `rmi` itself was to delete it by ID.
#[test]
fn an_image_deleted_meanwhile_by_another_command() {
    let world = World::new(&[("a", &["x:1"], None)], &[]);
    let id = world.ids["a"].clone();
    let options = DeleteOptions {
        force: false,
        prune: true,
    };
    let mut deleter = world.deleter();
    let mut done = Vec::new();
    let mut deletion = Deletion {
        deleter: &mut deleter,
        done: &mut done,
    };
    let image = world.store.resolve("x:1").unwrap();
    let name = reference("x:1");
    deletion.untag(&image, &name).unwrap();
    // The other command's prune.
    world.store.forget_image(&id).unwrap();
    deletion
        .delete_if_unreferenced(&id, &name, options)
        .unwrap();
    deletion.delete(&id, options, true).unwrap();
    assert!(matches!(
        deletion.delete(&id, options, false),
        Err(Error::NoSuchImage(_))
    ));
    assert_eq!(world.lines(&done), ["Untagged: x:1"]);
    assert!(world.left().is_empty());
}
