//! The instruction model and BuildKit's instruction errors.

use crate::{
    parse, Add, ArgDefinition, Command, CommandLine, Copy, From, HealthConfig, Healthcheck,
    Instruction, KeyValue, Onbuild, Run, SourceContent, SourcesAndDest,
};

fn first(instruction: &str) -> Instruction {
    let text = format!("FROM scratch\n{instruction}\n");
    let dockerfile = parse(&text).unwrap_or_else(|err| panic!("{instruction:?}: {err}"));
    dockerfile.stages[0].instructions[0].instruction.clone()
}

fn strings(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

fn kv(key: &str, value: &str, no_delimiter: bool) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: value.into(),
        no_delimiter,
    }
}

fn paths(sources: &[&str], dest: &str) -> SourcesAndDest {
    SourcesAndDest {
        sources: strings(sources),
        contents: Vec::new(),
        dest: dest.into(),
        json: false,
    }
}

#[test]
fn instructions() {
    let second = |s: &str| 1_000_000_000 * s.parse::<i64>().unwrap();
    let cases: Vec<(&str, Instruction)> = vec![
        ("RUN echo hi", Instruction::Run(Run { command: Command::Shell("echo hi".into()), heredocs: vec![], flags: vec![] })),
        ("RUN [\"a\", \"b\"]", Instruction::Run(Run { command: Command::Exec(strings(&["a", "b"])), heredocs: vec![], flags: vec![] })),
        (
            "RUN --network=none --mount=type=cache,target=/c --mount=type=tmpfs,target=/t true",
            Instruction::Run(Run {
                command: Command::Shell("true".into()),
                heredocs: vec![],
                flags: vec![
                    ("network".into(), "none".into()),
                    ("mount".into(), "type=cache,target=/c".into()),
                    ("mount".into(), "type=tmpfs,target=/t".into()),
                ],
            }),
        ),
        ("CMD []", Instruction::Cmd(CommandLine { command: Command::Exec(vec![]), heredocs: vec![] })),
        ("CMD", Instruction::Cmd(CommandLine { command: Command::Shell(String::new()), heredocs: vec![] })),
        ("ENTRYPOINT [\"/bin/sh\", \"-c\"]", Instruction::Entrypoint(CommandLine { command: Command::Exec(strings(&["/bin/sh", "-c"])), heredocs: vec![] })),
        ("ENTRYPOINT top -b", Instruction::Entrypoint(CommandLine { command: Command::Shell("top -b".into()), heredocs: vec![] })),
        ("LABEL a=b \"c d\"=\"e f\"", Instruction::Label(vec![kv("a", "b", false), kv("\"c d\"", "\"e f\"", false)])),
        ("MAINTAINER Jane <j@x>", Instruction::Maintainer("Jane <j@x>".into())),
        ("EXPOSE 8080/tcp 443 80", Instruction::Expose(strings(&["443", "80", "8080/tcp"]))),
        ("ENV A B C", Instruction::Env(vec![kv("A", "B C", true)])),
        ("ENV A=1 B=\"2 3\"", Instruction::Env(vec![kv("A", "1", false), kv("B", "\"2 3\"", false)])),
        (
            "ADD --chown=1:2 --chmod=644 --checksum=sha256:abc --link https://x/y /z/",
            Instruction::Add(Add {
                paths: paths(&["https://x/y"], "/z/"),
                chown: Some("1:2".into()),
                chmod: Some("644".into()),
                checksum: Some("sha256:abc".into()),
                link: true,
                keep_git_dir: None,
                unpack: None,
                exclude: vec![],
            }),
        ),
        (
            "COPY --from=build --chown=app --exclude=*.md --exclude=x a b /dst/",
            Instruction::Copy(Copy {
                paths: paths(&["a", "b"], "/dst/"),
                from: Some("build".into()),
                chown: Some("app".into()),
                chmod: None,
                link: false,
                parents: false,
                exclude: strings(&["*.md", "x"]),
            }),
        ),
        (
            "COPY <<-EOF /f\n\thello $X\nEOF",
            Instruction::Copy(Copy {
                paths: SourcesAndDest {
                    sources: vec![],
                    contents: vec![SourceContent { path: "EOF".into(), data: "hello $X\n".into(), expand: true }],
                    dest: "/f".into(),
                    json: false,
                },
                from: None,
                chown: None,
                chmod: None,
                link: false,
                parents: false,
                exclude: vec![],
            }),
        ),
        ("VOLUME [\"/a\", \" /b \"]", Instruction::Volume(strings(&["/a", "/b"]))),
        ("USER app:app", Instruction::User("app:app".into())),
        ("WORKDIR /a b", Instruction::Workdir("/a b".into())),
        ("ARG A B=c D=", Instruction::Arg(vec![
            ArgDefinition { key: "A".into(), value: None },
            ArgDefinition { key: "B".into(), value: Some("c".into()) },
            ArgDefinition { key: "D".into(), value: Some(String::new()) },
        ])),
        ("ONBUILD  run echo", Instruction::Onbuild(Onbuild { expression: "run echo".into() })),
        ("ONBUILD RUN <<EOF\nx\nEOF", Instruction::Onbuild(Onbuild { expression: "RUN <<EOF\nx\nEOF".into() })),
        ("STOPSIGNAL SIGKILL", Instruction::Stopsignal("SIGKILL".into())),
        ("HEALTHCHECK NONE", Instruction::Healthcheck(Healthcheck::None)),
        (
            "HEALTHCHECK --interval=5s --timeout=1m30s --start-period=1.5s --start-interval=500ms --retries=3 CMD curl -f x",
            Instruction::Healthcheck(Healthcheck::Check(HealthConfig {
                test: strings(&["CMD-SHELL", "curl -f x"]),
                interval: second("5"),
                timeout: second("90"),
                start_period: 1_500_000_000,
                start_interval: 500_000_000,
                retries: 3,
            })),
        ),
        (
            "HEALTHCHECK cmd [\"true\"]",
            Instruction::Healthcheck(Healthcheck::Check(HealthConfig {
                test: strings(&["CMD", "true"]),
                interval: 0,
                timeout: 0,
                start_period: 0,
                start_interval: 0,
                retries: 0,
            })),
        ),
        ("SHELL [\"powershell\", \"-c\"]", Instruction::Shell(strings(&["powershell", "-c"]))),
    ];
    for (input, expected) in cases {
        assert_eq!(first(input), expected, "{input:?}");
    }
}

#[test]
fn stages() {
    let text = "ARG V=1\nARG W\nFROM --platform=$BUILDPLATFORM golang:$V AS Build\nRUN make\nFROM scratch\nCOPY --from=build /a /b\n";
    let dockerfile = parse(text).unwrap();
    assert_eq!(dockerfile.meta_args.len(), 2);
    let globals: Vec<_> = dockerfile.global_args().map(|a| a.key.as_str()).collect();
    assert_eq!(globals, ["V", "W"]);
    assert_eq!(
        dockerfile.stages[0].from,
        From {
            image: "golang:$V".into(),
            name: Some("build".into()),
            platform: Some("$BUILDPLATFORM".into())
        }
    );
    assert_eq!(dockerfile.stages[0].lines.start, 3);
    assert_eq!(dockerfile.stage_index("BUILD"), Some(0));
    assert_eq!(dockerfile.stage_index("1"), Some(1));
    assert_eq!(dockerfile.stage_index("2"), None);
    assert_eq!(dockerfile.stage("nope"), None);
    assert_eq!(dockerfile.stages[1].instructions[0].lines.start, 6);
}

#[test]
fn errors() {
    let cases = [
        ("FROM a\nUNKNOWN bar\n", "dockerfile parse error on line 2: unknown instruction: UNKNOWN"),
        ("FROM a\nrunn x\n", "dockerfile parse error on line 2: unknown instruction: runn (did you mean run?)"),
        ("FROM a\nCOPY x\n", "dockerfile parse error on line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined"),
        ("FROM a\nCOPY --form=x a b\n", "dockerfile parse error on line 2: unknown flag: --form (did you mean from?)"),
        ("FROM a\nCOPY --from a b\n", "dockerfile parse error on line 2: missing a value on flag: --from"),
        ("FROM a\nCOPY --from=x --from=y a b\n", "dockerfile parse error on line 2: duplicate flag specified: --from"),
        ("FROM a\nCOPY --link=maybe a b\n", "dockerfile parse error on line 2: expecting boolean value for flag --link, not: maybe"),
        ("FROM a\nCOPY a <<EOF\nEOF\n", "dockerfile parse error on line 2: COPY cannot accept a heredoc as a destination"),
        ("FROM a b\n", "dockerfile parse error on line 1: FROM requires either one or three arguments"),
        ("FROM a AS 1x\n", "dockerfile parse error on line 1: invalid name for build stage: \"1x\", name can't start with a number or contain symbols"),
        ("FROM a\nWORKDIR\n", "dockerfile parse error on line 2: WORKDIR requires exactly one argument"),
        ("FROM a\nENV\n", "dockerfile parse error on line 2: ENV requires at least one argument"),
        ("FROM a\nARG =x\n", "dockerfile parse error on line 2: ARG names can not be blank"),
        ("FROM a\nEXPOSE\n", "dockerfile parse error on line 2: EXPOSE requires at least one argument"),
        ("FROM a\nVOLUME [\"\"]\n", "dockerfile parse error on line 2: VOLUME specified can not be an empty string"),
        ("FROM a\nSHELL sh -c\n", "dockerfile parse error on line 2: SHELL requires the arguments to be in JSON form"),
        ("FROM a\nONBUILD ONBUILD RUN x\n", "dockerfile parse error on line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
        ("FROM a\nONBUILD FROM x\n", "dockerfile parse error on line 2: FROM isn't allowed as an ONBUILD trigger"),
        ("FROM a\nHEALTHCHECK NONE x\n", "dockerfile parse error on line 2: HEALTHCHECK NONE takes no arguments"),
        ("FROM a\nHEALTHCHECK CMD\n", "dockerfile parse error on line 2: Missing command after HEALTHCHECK CMD"),
        ("FROM a\nHEALTHCHECK RUN x\n", "dockerfile parse error on line 2: Unknown type \"RUN\" in HEALTHCHECK (try CMD)"),
        ("FROM a\nHEALTHCHECK --interval=1 CMD x\n", "dockerfile parse error on line 2: time: missing unit in duration \"1\""),
        ("FROM a\nHEALTHCHECK --interval=1x CMD x\n", "dockerfile parse error on line 2: time: unknown unit \"x\" in duration \"1x\""),
        ("FROM a\nHEALTHCHECK --timeout=10us CMD x\n", "dockerfile parse error on line 2: Interval \"timeout\" cannot be less than 1ms"),
        ("FROM a\nHEALTHCHECK --retries=-1 CMD x\n", "dockerfile parse error on line 2: --retries cannot be negative (-1)"),
        ("FROM a\nHEALTHCHECK --retries=x CMD x\n", "dockerfile parse error on line 2: strconv.ParseInt: parsing \"x\": invalid syntax"),
        ("FROM a\nRUN --mont=x y\n", "dockerfile parse error on line 2: unknown flag: --mont (did you mean mount?)"),
        ("RUN x\n", "no build stage in current context"),
        ("FROM a\nRUN a \\\n b\nBAD\n", "dockerfile parse error on line 4: unknown instruction: BAD (did you mean ADD?)"),
    ];
    for (input, expected) in cases {
        let error = parse(input)
            .err()
            .unwrap_or_else(|| panic!("{input:?} parsed"));
        assert_eq!(error.to_string(), expected, "{input:?}");
    }
}

#[test]
fn onbuild_triggers_parse_back() {
    let dockerfile =
        parse("FROM a\nONBUILD COPY <<EOF /x\nhi $X\nEOF\nONBUILD RUN make\n").unwrap();
    let triggers: Vec<String> = dockerfile.stages[0]
        .instructions
        .iter()
        .map(|located| match &located.instruction {
            Instruction::Onbuild(onbuild) => onbuild.expression.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    let parsed = crate::parse_instructions(&triggers.join("\n")).unwrap();
    assert_eq!(parsed.len(), 2);
    let Instruction::Copy(copy) = &parsed[0].instruction else {
        panic!()
    };
    assert_eq!(copy.paths.contents[0].data, "hi $X\n");
    assert_eq!(
        parsed[1].instruction,
        Instruction::Run(Run {
            command: Command::Shell("make".into()),
            heredocs: vec![],
            flags: vec![]
        })
    );
}
