use super::*;
use berth_dockerfile::{expand, parse, Lexer};

/// Applies every metadata instruction of a one-stage Dockerfile to a scratch config.
fn applied(text: &str) -> StageImage {
    let dockerfile = parse(text).unwrap();
    let lexer = Lexer::new(dockerfile.directives.escape);
    let mut image = StageImage::new(scratch_config("linux", "amd64", None));
    for located in &dockerfile.stages[0].instructions {
        let vars: Vec<(String, String)> = Vec::new();
        let instruction = expand(&located.instruction, &lexer, &vars).unwrap();
        assert!(image.apply_metadata(&instruction, "t").unwrap(), "{text}");
    }
    image
}

fn created_by(image: &StageImage) -> Vec<String> {
    image
        .config
        .history
        .iter()
        .map(|h| h.created_by.clone().unwrap_or_default())
        .collect()
}

#[test]
fn history_strings_are_buildkits() {
    let cases: &[(&str, &str)] = &[
        ("ENV A=b C=\"d e\"", "ENV A=b C=d e"),
        ("ENV A b c", "ENV A=b c"),
        ("LABEL a=1 \"b c\"=2", "LABEL a=1 b c=2"),
        ("MAINTAINER Jo <jo@x>", "MAINTAINER Jo <jo@x>"),
        ("CMD echo hi", "CMD [\"/bin/sh\" \"-c\" \"echo hi\"]"),
        ("CMD [\"a\", \"b c\"]", "CMD [\"a\" \"b c\"]"),
        ("CMD []", "CMD []"),
        ("ENTRYPOINT [\"/x\"]", "ENTRYPOINT [\"/x\"]"),
        (
            "EXPOSE 80 53/udp 8000-8001",
            "EXPOSE map[53/udp:{} 80/tcp:{} 8000/tcp:{} 8001/tcp:{}]",
        ),
        ("USER app:app", "USER app:app"),
        ("VOLUME /a /b", "VOLUME [/a /b]"),
        ("VOLUME [\"/c\"]", "VOLUME [/c]"),
        ("STOPSIGNAL SIGKILL", "STOPSIGNAL SIGKILL"),
        ("SHELL [\"/bin/bash\", \"-c\"]", "SHELL [/bin/bash -c]"),
        (
            "HEALTHCHECK NONE",
            "HEALTHCHECK &{[\"NONE\"] \"0s\" \"0s\" \"0s\" '\\x00'}",
        ),
        (
            "HEALTHCHECK --interval=5m --timeout=3s --retries=3 CMD curl -f http://x/",
            "HEALTHCHECK &{[\"CMD-SHELL\" \"curl -f http://x/\"] \"5m0s\" \"3s\" \"0s\" '\\x03'}",
        ),
    ];
    for (line, want) in cases {
        let image = applied(&format!("FROM scratch\n{line}\n"));
        assert_eq!(created_by(&image), [*want], "{line}");
        assert!(image.config.history[0].empty_layer, "{line}");
        assert_eq!(
            image.config.history[0].comment.as_deref(),
            Some(HISTORY_COMMENT)
        );
    }
}

#[test]
fn config_fields() {
    let image = applied(
        "FROM scratch\nENV PATH=/x A=1\nSHELL [\"/bin/bash\", \"-c\"]\nCMD run\nENTRYPOINT e\nLABEL l=v\nEXPOSE 80\nVOLUME /v\nUSER u\nSTOPSIGNAL 9\nONBUILD RUN x\n",
    );
    let c = image.config.config.unwrap();
    assert_eq!(c.env, ["PATH=/x", "A=1"]);
    // ENTRYPOINT after CMD in the same stage keeps CMD.
    assert_eq!(c.cmd, ["/bin/bash", "-c", "run"]);
    assert_eq!(c.entrypoint, ["/bin/bash", "-c", "e"]);
    assert!(c.args_escaped);
    assert_eq!(c.labels["l"], "v");
    assert!(c.exposed_ports.contains_key("80/tcp"));
    assert!(c.volumes.contains_key("/v"));
    assert_eq!(c.user, "u");
    assert_eq!(c.stop_signal, "9");
    assert_eq!(c.on_build, ["RUN x"]);
    assert_eq!(c.working_dir, "/");
    // ONBUILD writes no history.
    assert_eq!(image.config.history.len(), 9);

    // ENTRYPOINT resets an inherited CMD.
    let mut base = scratch_config("linux", "amd64", None);
    base.config.as_mut().unwrap().cmd = vec!["old".into()];
    let mut image = StageImage::new(base);
    let dockerfile = parse("FROM x\nENTRYPOINT [\"e\"]\n").unwrap();
    image
        .apply_metadata(&dockerfile.stages[0].instructions[0].instruction, "t")
        .unwrap();
    assert!(image.config.config.unwrap().cmd.is_empty());
}

#[test]
fn workdir_is_relative_to_the_previous() {
    let mut image = StageImage::new(scratch_config("linux", "amd64", None));
    let cases = [
        ("/a", "/a", true),
        ("b", "/a/b", true),
        ("../c/./d/", "/a/c/d", true),
        ("/", "/", false),
        ("/x/..", "/x/..", false),
        // Absolute: kept as written (Docker 20.10); relative: joined and cleaned.
        ("/a/b/./c//d/", "/a/b/./c//d/", true),
        ("e", "/a/b/c/d/e", true),
    ];
    for (path, want, layer) in cases {
        assert_eq!(image.workdir(path), (want.to_owned(), layer), "{path}");
    }
}

type Case<'a> = (
    &'a [(&'a str, Option<&'a str>)],
    &'a [(&'a str, &'a str)],
    &'a str,
);

#[test]
fn run_strings_name_the_stage_args() {
    let args = vec!["/bin/sh".to_owned(), "-c".to_owned(), "make".to_owned()];
    let cases: &[Case] = &[
        (&[], &[], "RUN /bin/sh -c make"),
        (
            &[("X", Some("1"))],
            &[("X", "1")],
            "RUN |1 X=1 /bin/sh -c make",
        ),
        // An ENV of the same name wins (the step's env); an ARG without value is empty.
        (
            &[("X", Some("1")), ("Y", None)],
            &[("X", "env")],
            "RUN |2 X=env Y= /bin/sh -c make",
        ),
    ];
    for (build_args, env, want) in cases {
        let build_args: Vec<(String, Option<String>)> = build_args
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
            .collect();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(run_created_by(&args, &build_args, &env), *want);
    }
}

#[test]
fn go_formats() {
    for (nanos, want) in [
        (0, "0s"),
        (1_500_000_000, "1.5s"),
        (300_000_000_000, "5m0s"),
        (3_600_000_000_000, "1h0m0s"),
        (500_000_000, "500ms"),
        (90_000_000_000, "1m30s"),
    ] {
        assert_eq!(go_duration(nanos), want);
    }
    assert_eq!(go_quote_rune(3), "'\\x03'");
    assert_eq!(go_quote_rune(65), "'A'");
    assert_eq!(go_quote_rune(10), "'\\n'");
    assert_eq!(go_quote("a\"b\\"), "\"a\\\"b\\\\\"");
}

#[test]
fn base_configs_keep_only_buildkits_fields() {
    let mut base = scratch_config("linux", "amd64", None);
    base.created = Some("2020".into());
    base.extra
        .insert("container".into(), serde_json::json!("abc"));
    let inner = base.config.as_mut().unwrap();
    inner.env.clear();
    inner
        .extra
        .insert("Hostname".into(), serde_json::json!("h"));
    inner
        .extra
        .insert("StopTimeout".into(), serde_json::json!(5));
    let base = base_config(base);
    assert_eq!(base.created, None);
    assert!(base.extra.is_empty());
    let inner = base.config.unwrap();
    assert_eq!(inner.env, [format!("PATH={DEFAULT_PATH}")]);
    assert_eq!(inner.extra.keys().collect::<Vec<_>>(), ["StopTimeout"]);
}

#[test]
fn signals_are_mobys() {
    for (signal, valid) in [
        ("SIGTERM", true),
        ("term", true),
        ("9", true),
        ("0", false),
        ("SIGRTMIN+3", true),
        ("RTMAX-15", true),
        ("RTMIN+16", false),
        ("NOPE", false),
        ("", false),
    ] {
        assert_eq!(valid_signal(signal), valid, "{signal}");
    }
}

#[test]
fn run_heredocs_as_buildkit_runs_them() {
    let cases: &[(&str, &[&str])] = &[
        (
            "RUN <<EOF\necho a\necho b\nEOF\n",
            &["/bin/sh", "-c", "echo a\necho b\n"],
        ),
        (
            "RUN <<-EOF\n\techo a\nEOF\n",
            &["/bin/sh", "-c", "echo a\n"],
        ),
        (
            "RUN cat <<EOF > /x\nhello\nEOF\n",
            &["/bin/sh", "-c", "cat <<EOF > /x\nhello\nEOF"],
        ),
        ("RUN echo plain\n", &["/bin/sh", "-c", "echo plain"]),
        ("RUN [\"a\", \"b\"]\n", &["a", "b"]),
    ];
    for (line, want) in cases {
        let dockerfile = parse(&format!("FROM scratch\n{line}")).unwrap();
        let berth_dockerfile::Instruction::Run(run) =
            &dockerfile.stages[0].instructions[0].instruction
        else {
            panic!("{line}");
        };
        assert_eq!(
            run_args(&ContainerConfig::default(), run),
            (want.iter().map(|s| (*s).to_owned()).collect(), None),
            "{line}"
        );
    }
    let dockerfile = parse("FROM scratch\nRUN <<-SCRIPT\n\t#!/bin/cat\n\thi\nSCRIPT\n").unwrap();
    let berth_dockerfile::Instruction::Run(run) = &dockerfile.stages[0].instructions[0].instruction
    else {
        panic!();
    };
    assert_eq!(
        run_args(&ContainerConfig::default(), run),
        (
            vec!["/dev/pipes/SCRIPT".to_owned()],
            Some(("SCRIPT".to_owned(), "#!/bin/cat\nhi\n".to_owned()))
        )
    );
}
