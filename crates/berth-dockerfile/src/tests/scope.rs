//! Which variables an instruction sees, and which instructions expand.

use std::collections::BTreeMap;

use crate::{
    expand, expands_variables, parse, predefined_args, Instruction, Lexer, Platform, Scope,
};

fn platform(os: &str, arch: &str, variant: Option<&str>) -> Platform {
    Platform {
        os: os.into(),
        architecture: arch.into(),
        variant: variant.map(Into::into),
    }
}

fn args(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Expands every instruction of the first stage as the builder will: the global scope for
/// FROM, the stage scope for the rest, ENV and ARG updating the scope.
fn run(text: &str, build_args: &BTreeMap<String, String>) -> Vec<Instruction> {
    let dockerfile = parse(text).unwrap();
    let lexer = Lexer::new(dockerfile.directives.escape);
    let predefined = predefined_args(
        &platform("linux", "amd64", None),
        &platform("linux", "arm64", Some("v8")),
        None,
        build_args,
    );
    let global = Scope::global(&dockerfile, predefined, build_args).unwrap();
    let stage = &dockerfile.stages[0];
    let mut out =
        vec![expand(&Instruction::From(stage.from.clone()), &lexer, &global.vars).unwrap()];
    let mut scope = Scope::stage(&["PATH=/usr/bin".to_owned()]);
    for located in &stage.instructions {
        let instruction = if expands_variables(&located.instruction) {
            expand(&located.instruction, &lexer, &scope.vars).unwrap()
        } else {
            located.instruction.clone()
        };
        scope
            .apply(&lexer, &instruction, build_args, &global)
            .unwrap();
        out.push(instruction);
    }
    out
}

#[test]
fn global_args_reach_from_only() {
    let text = "ARG IMAGE=alpine\nARG TAG=${IMAGE}-3\nFROM --platform=$BUILDPLATFORM $IMAGE:$TAG\nWORKDIR /$IMAGE\nARG IMAGE\nWORKDIR /$IMAGE/$TARGETARCH\nARG TARGETARCH\nWORKDIR /$TARGETARCH$TARGETVARIANT\n";
    let got = run(text, &BTreeMap::new());
    let Instruction::From(from) = &got[0] else {
        panic!()
    };
    assert_eq!(from.image, "alpine:alpine-3");
    assert_eq!(from.platform.as_deref(), Some("linux/amd64"));
    assert_eq!(got[1], Instruction::Workdir("/".into()));
    assert_eq!(got[3], Instruction::Workdir("/alpine/".into()));
    assert_eq!(got[5], Instruction::Workdir("/arm64".into()));
}

#[test]
fn build_args_and_env_order() {
    let text = "FROM scratch\nARG A=default\nENV B=$A-env\nARG A\nWORKDIR /$A/$B\nENV A=env\nARG A=arg\nUSER $A:$PATH\nLABEL \"k $A\"=\"v ${B%-env}\"\n";
    let got = run(text, &args(&[("A", "given")]));
    assert_eq!(got[4], Instruction::Workdir("/given/given-env".into()));
    // The last of ENV and ARG wins, as in BuildKit's state environment.
    assert_eq!(got[7], Instruction::User("given:/usr/bin".into()));
    let Instruction::Label(labels) = &got[8] else {
        panic!()
    };
    assert_eq!(
        (labels[0].key.as_str(), labels[0].value.as_str()),
        ("k given", "v given")
    );
}

#[test]
fn what_is_not_expanded() {
    let text = "FROM scratch\nENV X=1\nRUN echo $X\nCMD echo $X\nENTRYPOINT [\"$X\"]\nHEALTHCHECK CMD $X\nSHELL [\"$X\"]\nONBUILD RUN $X\nMAINTAINER $X\nEXPOSE $X ${X}0/udp\nVOLUME $X\nSTOPSIGNAL $X\n";
    let got = run(text, &BTreeMap::new());
    let dockerfile = parse(text).unwrap();
    for (index, located) in dockerfile.stages[0]
        .instructions
        .iter()
        .enumerate()
        .skip(1)
        .take(7)
    {
        assert_eq!(got[index + 1], located.instruction, "{}", located.original);
    }
    assert_eq!(
        got[9],
        Instruction::Expose(vec!["1".into(), "10/udp".into()])
    );
    assert_eq!(got[10], Instruction::Volume(vec!["1".into()]));
    assert_eq!(got[11], Instruction::Stopsignal("1".into()));
}

#[test]
fn copy_and_add() {
    let text = "FROM scratch\nENV D=/dst F=f\nCOPY --chown=$F --from=base a$F \"b\"'c' $D/\nCOPY <<EOF <<'RAW' /x/\n'$F' \"$F\" \\$F\nEOF\n$F\nRAW\nCOPY --from=$F a b\n";
    let dockerfile = parse(text).unwrap();
    let lexer = Lexer::new('\\');
    let vars = vec![
        ("D".to_owned(), "/dst".to_owned()),
        ("F".to_owned(), "f".to_owned()),
    ];
    let Instruction::Copy(copy) = expand(
        &dockerfile.stages[0].instructions[1].instruction,
        &lexer,
        &vars,
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(copy.paths.sources, ["af", "bc"]);
    assert_eq!(copy.paths.dest, "/dst/");
    assert_eq!(copy.chown.as_deref(), Some("f"));
    assert_eq!(copy.from.as_deref(), Some("base"));
    let Instruction::Copy(copy) = expand(
        &dockerfile.stages[0].instructions[2].instruction,
        &lexer,
        &vars,
    )
    .unwrap() else {
        panic!()
    };
    assert_eq!(copy.paths.contents[0].data, "'f' \"f\" $F\n");
    assert_eq!(copy.paths.contents[1].data, "$F\n");
    let error = expand(
        &dockerfile.stages[0].instructions[3].instruction,
        &lexer,
        &vars,
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("variable expansion is not supported for --from"),
        "{error}"
    );
}

#[test]
fn predefined() {
    let build = platform("linux", "amd64", None);
    let target = platform("linux", "arm", Some("v7"));
    let got = predefined_args(
        &build,
        &target,
        Some("final"),
        &args(&[("BUILDOS", "other")]),
    );
    let get = |key: &str| got.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    assert_eq!(get("BUILDPLATFORM"), Some("linux/amd64"));
    assert_eq!(get("BUILDOS"), Some("other"));
    assert_eq!(get("BUILDVARIANT"), Some(""));
    assert_eq!(get("TARGETPLATFORM"), Some("linux/arm/v7"));
    assert_eq!(get("TARGETARCH"), Some("arm"));
    assert_eq!(get("TARGETVARIANT"), Some("v7"));
    assert_eq!(get("TARGETSTAGE"), Some("final"));
}
