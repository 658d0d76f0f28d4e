//! `--change` instructions: every instruction, exec and shell forms, Docker's error messages.

use serde_json::json;

use crate::{apply_change, apply_changes, ContainerConfig};

/// A config with some state to change, as JSON (Docker's keys).
fn base() -> ContainerConfig {
    serde_json::from_value(json!({
        "Env": ["PATH=/usr/bin:/bin", "HOME=/root"],
        "Cmd": ["/bin/sh"],
        "WorkingDir": "/srv",
        "Hostname": "abc"
    }))
    .unwrap()
}

/// Applies `changes` to `base()` and compares the config's JSON with `want`.
fn check(changes: &[&str], want: &serde_json::Value) {
    let mut config = base();
    apply_changes(&mut config, changes).unwrap_or_else(|e| panic!("{changes:?}: {e}"));
    assert_eq!(&serde_json::to_value(&config).unwrap(), want, "{changes:?}");
}

#[test]
fn instructions() {
    let env = json!(["PATH=/usr/bin:/bin", "HOME=/root"]);
    let cases: Vec<(Vec<&str>, serde_json::Value)> = vec![
        (vec![r#"CMD ["/app", "--flag"]"#], json!({"Env": env, "Cmd": ["/app", "--flag"], "WorkingDir": "/srv", "Hostname": "abc"})),
        (vec!["cmd echo $HOME > /x"], json!({"Env": env, "Cmd": ["/bin/sh", "-c", "echo $HOME > /x"], "WorkingDir": "/srv", "Hostname": "abc"})),
        (vec![r#"CMD ["/app", 1]x"#], json!({"Env": env, "Cmd": ["/bin/sh", "-c", r#"["/app", 1]x"#], "WorkingDir": "/srv", "Hostname": "abc"})),
        // ENTRYPOINT clears Cmd unless CMD came first (moby dispatchEntrypoint).
        (vec![r#"ENTRYPOINT ["/init"]"#], json!({"Env": env, "WorkingDir": "/srv", "Entrypoint": ["/init"], "Hostname": "abc"})),
        (vec!["CMD [\"x\"]", "Entrypoint /init run"], json!({"Env": env, "Cmd": ["x"], "WorkingDir": "/srv", "Entrypoint": ["/bin/sh", "-c", "/init run"], "Hostname": "abc"})),
        (vec!["ENV A=1 B=\"two words\" PATH=$PATH:/opt"], json!({"Env": ["PATH=/usr/bin:/bin:/opt", "HOME=/root", "A=1", "B=two words"], "Cmd": ["/bin/sh"], "WorkingDir": "/srv", "Hostname": "abc"})),
        (vec!["ENV GREETING hello big world"], json!({"Env": ["PATH=/usr/bin:/bin", "HOME=/root", "GREETING=hello big world"], "Cmd": ["/bin/sh"], "WorkingDir": "/srv", "Hostname": "abc"})),
        (vec!["env X='$HOME' Y=${HOME}/a Z=${NOPE:-dflt} W=a\\ b"], json!({"Env": ["PATH=/usr/bin:/bin", "HOME=/root", "X=$HOME", "Y=/root/a", "Z=dflt", "W=a b"], "Cmd": ["/bin/sh"], "WorkingDir": "/srv", "Hostname": "abc"})),
        (vec!["EXPOSE 80 53/udp 8000-8001/TCP"], json!({"ExposedPorts": {"53/udp": {}, "80/tcp": {}, "8000/tcp": {}, "8001/tcp": {}}, "Env": env, "Cmd": ["/bin/sh"], "WorkingDir": "/srv", "Hostname": "abc"})),
        (vec!["LABEL a=b \"c d\"=\"e f\"", "LABEL legacy value here"], json!({"Env": env, "Cmd": ["/bin/sh"], "WorkingDir": "/srv", "Labels": {"a": "b", "c d": "e f", "legacy": "value here"}, "Hostname": "abc"})),
        (vec!["ONBUILD RUN make /src"], json!({"Env": env, "Cmd": ["/bin/sh"], "WorkingDir": "/srv", "OnBuild": ["RUN make /src"], "Hostname": "abc"})),
        (vec!["USER nobody:nogroup"], json!({"User": "nobody:nogroup", "Env": env, "Cmd": ["/bin/sh"], "WorkingDir": "/srv", "Hostname": "abc"})),
        (vec![r#"VOLUME ["/data", "/logs"]"#, "VOLUME /a /b"], json!({"Env": env, "Cmd": ["/bin/sh"], "Volumes": {"/a": {}, "/b": {}, "/data": {}, "/logs": {}}, "WorkingDir": "/srv", "Hostname": "abc"})),
        (vec!["WORKDIR app/../web"], json!({"Env": env, "Cmd": ["/bin/sh"], "WorkingDir": "/srv/web", "Hostname": "abc"})),
        (vec!["WORKDIR /data"], json!({"Env": env, "Cmd": ["/bin/sh"], "WorkingDir": "/data", "Hostname": "abc"})),
        (vec!["WORKDIR $HOME"], json!({"Env": env, "Cmd": ["/bin/sh"], "WorkingDir": "/root", "Hostname": "abc"})),
        (vec!["HEALTHCHECK --interval=30s --timeout=1m30s --start-period=1.5s --start-interval=500ms --retries=3 CMD curl -f http://localhost/"],
            json!({"Env": env, "Cmd": ["/bin/sh"], "Healthcheck": {"Test": ["CMD-SHELL", "curl -f http://localhost/"], "Interval": 30_000_000_000_i64, "Timeout": 90_000_000_000_i64, "StartPeriod": 1_500_000_000, "StartInterval": 500_000_000, "Retries": 3}, "WorkingDir": "/srv", "Hostname": "abc"})),
        (vec![r#"HEALTHCHECK CMD ["/check", "-v"]"#], json!({"Env": env, "Cmd": ["/bin/sh"], "Healthcheck": {"Test": ["CMD", "/check", "-v"]}, "WorkingDir": "/srv", "Hostname": "abc"})),
        (vec!["healthcheck none"], json!({"Env": env, "Cmd": ["/bin/sh"], "Healthcheck": {"Test": ["NONE"]}, "WorkingDir": "/srv", "Hostname": "abc"})),
        (vec!["ENV A=1\nLABEL x=$A", "# a comment", ""], json!({"Env": ["PATH=/usr/bin:/bin", "HOME=/root", "A=1"], "Cmd": ["/bin/sh"], "WorkingDir": "/srv", "Labels": {"x": "1"}, "Hostname": "abc"})),
    ];
    for (changes, want) in &cases {
        check(changes, want);
    }
}

#[test]
fn errors() {
    let cases = [
        // The Docker 20.10 engine's words, checked against it (tests/it/words.rs).
        ("RUN make", "run is not a valid change command"),
        ("from scratch", "from is not a valid change command"),
        ("MAINTAINER me", "maintainer is not a valid change command"),
        ("STOPSIGNAL 9", "stopsignal is not a valid change command"),
        (
            "stopsignal SIGTERM",
            "stopsignal is not a valid change command",
        ),
        ("SHELL [\"a\"]", "shell is not a valid change command"),
        ("", "file with no instructions"),
        ("# only a comment", "file with no instructions"),
        ("ENV", "ENV requires at least one argument"),
        ("ENV ONLYKEY", "ENV must have two arguments"),
        (
            "ENV a=1 b",
            "Syntax error - can't find = in \"b\". Must be of the form: name=value",
        ),
        ("ENV =x", "ENV names can not be blank"),
        ("LABEL", "LABEL requires at least one argument"),
        ("EXPOSE", "EXPOSE requires at least one argument"),
        ("EXPOSE 80/foo", "invalid proto: foo"),
        ("EXPOSE http", "invalid containerPort: http"),
        (
            "EXPOSE 90-80",
            "invalid range specified for container port: 90-80",
        ),
        ("USER", "USER requires exactly one argument"),
        ("WORKDIR", "WORKDIR requires exactly one argument"),
        ("VOLUME", "VOLUME requires at least one argument"),
        (
            r#"VOLUME ["/a", ""]"#,
            "VOLUME specified can not be an empty string",
        ),
        (
            r#"CMD ["a", 1]"#,
            "when using JSON array syntax, arrays must be comprised of strings only",
        ),
        ("ONBUILD", "ONBUILD requires at least one argument"),
        (
            "ONBUILD ONBUILD RUN x",
            "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
        ),
        ("ONBUILD from x", "FROM isn't allowed as an ONBUILD trigger"),
        ("HEALTHCHECK", "HEALTHCHECK requires at least one argument"),
        ("HEALTHCHECK NONE x", "HEALTHCHECK NONE takes no arguments"),
        ("HEALTHCHECK CMD", "Missing command after HEALTHCHECK CMD"),
        (
            "HEALTHCHECK TEST x",
            "Unknown type \"TEST\" in HEALTHCHECK (try CMD)",
        ),
        (
            "HEALTHCHECK --retries=-1 CMD x",
            "--retries cannot be negative (-1)",
        ),
        (
            "HEALTHCHECK --interval=1us CMD x",
            "Interval \"interval\" cannot be less than 1ms",
        ),
        (
            "HEALTHCHECK --interval=5 CMD x",
            "time: missing unit in duration \"5\"",
        ),
        (
            "HEALTHCHECK --interval=5x CMD x",
            "time: unknown unit \"x\" in duration \"5x\"",
        ),
        ("HEALTHCHECK --bogus=1 CMD x", "Unknown flag: bogus"),
        (
            "HEALTHCHECK --interval CMD x",
            "Missing a value on flag: interval",
        ),
        ("ENV --foo a=b", "Unknown flag: foo"),
    ];
    for (change, want) in cases {
        let mut config = base();
        let error = apply_change(&mut config, change).unwrap_err();
        assert_eq!(error.to_string(), want, "{change}");
        assert_eq!(config, base(), "{change}: config changed despite the error");
    }
    // A bad change anywhere in the list leaves the config untouched.
    let mut config = base();
    assert!(apply_changes(&mut config, &["ENV A=1", "RUN x"]).is_err());
    assert_eq!(config, base());
}
