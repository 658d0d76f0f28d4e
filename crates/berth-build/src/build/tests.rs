//! The driver on a real store, with Dockerfiles that need no runtime (scratch and metadata):
//! the stored image's config and history, names, and refusals.

use super::*;

struct NoFetch;

impl crate::copy::Fetch for NoFetch {
    fn fetch(&self, url: &str) -> std::io::Result<(Box<dyn std::io::Read + Send>, Option<i64>)> {
        Err(std::io::Error::other(format!(
            "no network in this test: {url}"
        )))
    }
}

fn host() -> Platform {
    let oci = berth_manifest::host_platform().to_oci();
    Platform {
        os: oci.os().to_string(),
        architecture: oci.architecture().to_string(),
        variant: oci.variant().clone(),
    }
}

fn build_text(
    store: &Store,
    text: &str,
    target: Option<&str>,
    tags: Vec<Reference>,
) -> Result<Built> {
    let options = BuildOptions {
        dockerfile: text,
        dockerfile_name: "Dockerfile",
        build_args: BTreeMap::from([("V".to_owned(), "from-arg".to_owned())]),
        target,
        platform: host(),
        labels: BTreeMap::from([("cli".to_owned(), "label".to_owned())]),
        tags,
        no_cache: false,
        network: Network::None,
        add_hosts: Vec::new(),
        shm_size: None,
        ulimits: Vec::new(),
        runtime: String::new(),
        context: None,
        fetch: &NoFetch,
    };
    build(store, &options, &mut Progress::quiet())
}

#[test]
fn metadata_builds_are_stored_with_buildkits_config() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let text = "ARG BASE=scratch\nFROM $BASE AS first\nARG V\nENV FROM_ARG=$V\nLABEL a=1\nFROM first\nCMD [\"/app\"]\nWORKDIR /\nFROM scratch AS unused\n";
    let tag = Reference::parse_normalized("built:1").unwrap();
    let built = build_text(&store, text, Some("1"), vec![tag.clone()]);
    // `--target` names a stage by name only.
    assert_eq!(
        built.unwrap_err().to_string(),
        "target stage \"1\" could not be found"
    );
    let built = build_text(
        &store,
        &text.replace("FROM first\n", "FROM first AS second\n"),
        Some("second"),
        vec![tag],
    )
    .unwrap();
    let image = store.resolve("built:1").unwrap();
    assert_eq!(image.id, built.id);
    let config = berth_manifest::parse_config(&image.config).unwrap();
    let inner = config.config.clone().unwrap();
    assert_eq!(
        inner.env,
        [
            format!("PATH={}", crate::config::DEFAULT_PATH),
            "FROM_ARG=from-arg".to_owned()
        ]
    );
    assert_eq!(inner.cmd, ["/app"]);
    assert_eq!(inner.working_dir, "/");
    assert_eq!(inner.labels.get("a").map(String::as_str), Some("1"));
    assert_eq!(inner.labels.get("cli").map(String::as_str), Some("label"));
    assert!(config.rootfs.diff_ids.is_empty());
    let history: Vec<(String, bool)> = config
        .history
        .iter()
        .map(|h| (h.created_by.clone().unwrap_or_default(), h.empty_layer))
        .collect();
    let want = [
        ("ARG V", true),
        ("ENV FROM_ARG=from-arg", true),
        ("LABEL a=1", true),
        ("CMD [\"/app\"]", true),
        ("WORKDIR /", true),
    ];
    let want: Vec<(String, bool)> = want.iter().map(|(s, e)| ((*s).to_owned(), *e)).collect();
    assert_eq!(history, want);
    assert!(config.history.iter().all(|h| h.created.is_some()));
    assert_eq!(config.created, config.history.last().unwrap().created);
}

#[test]
fn refusals_name_the_instruction() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let cases = [
        (
            "FROM --platform=linux/s390x scratch\n",
            "platform linux/s390x is not supported",
        ),
        ("FROM scratch\nSTOPSIGNAL NOPE\n", "Invalid signal: NOPE"),
        (
            "FROM scratch\nEXPOSE 80-70\n",
            "invalid range specified for containerPort: 80-70",
        ),
        (
            "FROM missing-image:1\n",
            "docker.io/library/missing-image:1: not found",
        ),
    ];
    for (text, want) in cases {
        let error = build_text(&store, text, None, Vec::new()).expect_err(text);
        assert!(error.to_string().starts_with(want), "{text}: {error}");
        if !text.starts_with("FROM missing") {
            assert!(error.lines().is_some(), "{text}");
        }
    }
    // Nothing was named.
    assert!(store.images().unwrap().is_empty());
}

/// A RUN's flags and what `run_network` makes of them.
type NetworkCase<'a> = (&'a [(&'a str, &'a str)], Result<Option<Network>, &'a str>);

#[test]
fn run_network_flags_are_buildkits_modes() {
    let run = |flags: &[(&str, &str)]| berth_dockerfile::Run {
        command: berth_dockerfile::Command::Shell("true".into()),
        heredocs: Vec::new(),
        flags: flags
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
    };
    let cases: &[NetworkCase<'_>] = &[
        (&[], Ok(None)),
        (&[("network", "default")], Ok(Some(Network::Slirp))),
        (&[("network", "none")], Ok(Some(Network::None))),
        (&[("network", "host")], Ok(Some(Network::Host))),
        (&[("network", "")], Err("unsupported network mode \"\"")),
        (
            &[("network", "bridge")],
            Err("unsupported network mode \"bridge\""),
        ),
        (
            &[("mount", "type=cache,target=/c")],
            Err("RUN --mount is not supported by berth yet"),
        ),
    ];
    for (flags, want) in cases {
        let got = run_network(&run(flags)).map_err(|e| e.to_string());
        assert_eq!(got, want.map_err(str::to_owned), "{flags:?}");
    }
}
