use proptest::prelude::*;
use serde_json::{json, Value};

use super::{Missing, Template};

fn data() -> Value {
    json!({
        "ID": "sha256:415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27",
        "Repository": "fixture/busybox",
        "RepoTags": ["fixture/busybox:1", "fixture/busybox:latest"],
        "Size": 1_984_192,
        "Empty": [],
        "Config": {"Env": ["GREETING=hello", "PATH=/bin"], "Labels": {"b": "2", "a": "1"}, "Cmd": null, "Tty": false},
        "Names": "a,b",
        "Comment": "x > y & z",
    })
}

fn check(template: &str, want: &str) {
    let t =
        Template::parse(template, Missing::NoValue).unwrap_or_else(|e| panic!("{template}: {e}"));
    assert_eq!(
        t.execute(&data())
            .unwrap_or_else(|e| panic!("{template}: {e}")),
        want,
        "{template}"
    );
}

#[test]
fn evaluates_like_go() {
    let cases: &[(&str, &str)] = &[
        ("plain text", "plain text"),
        ("{{.Repository}}", "fixture/busybox"),
        ("{{.Size}}", "1984192"),
        ("{{.RepoTags}}", "[fixture/busybox:1 fixture/busybox:latest]"),
        ("{{.Config.Env}}", "[GREETING=hello PATH=/bin]"),
        ("{{.Config.Labels}}", "map[a:1 b:2]"),
        ("{{.Config.Nope}}", "<no value>"),
        ("{{.Config.Tty}}", "false"),
        ("{{json .Config.Labels}}", "{\"a\":\"1\",\"b\":\"2\"}"),
        ("{{json .Comment}}", "\"x \\u003e y \\u0026 z\""),
        ("{{index .Config.Labels \"a\"}}", "1"),
        ("{{index .RepoTags 1}}", "fixture/busybox:latest"),
        ("{{len .RepoTags}}", "2"),
        ("{{range .RepoTags}}{{.}};{{end}}", "fixture/busybox:1;fixture/busybox:latest;"),
        ("{{range $i, $t := .RepoTags}}{{$i}}={{$t}} {{end}}", "0=fixture/busybox:1 1=fixture/busybox:latest "),
        ("{{range $k, $v := .Config.Labels}}{{$k}}{{$v}}{{end}}", "a1b2"),
        ("{{range .Empty}}x{{else}}none{{end}}", "none"),
        ("{{if .Config.Cmd}}cmd{{else}}no cmd{{end}}", "no cmd"),
        ("{{if eq .Repository \"x\"}}1{{else if eq .Repository \"fixture/busybox\"}}2{{else}}3{{end}}", "2"),
        ("{{with .Config}}{{.Tty}}{{end}}", "false"),
        ("{{.Repository | upper}}", "FIXTURE/BUSYBOX"),
        ("{{upper .Repository | lower}}", "fixture/busybox"),
        ("{{title \"hello world\"}}", "Hello World"),
        ("{{join .RepoTags \", \"}}", "fixture/busybox:1, fixture/busybox:latest"),
        ("{{split .Names \",\"}}", "[a b]"),
        ("{{truncate .ID 19}}", "sha256:415e85863be7"),
        ("{{pad .Repository 1 2}}|", " fixture/busybox  |"),
        ("{{printf \"%s-%v\" .Repository .Size}}", "fixture/busybox-1984192"),
        ("{{$.Repository}}", "fixture/busybox"),
        ("{{$x := .Size}}{{$x}}", "1984192"),
        ("a {{- \" b \" -}} c", "a b c"),
        ("{{/* a comment */}}x", "x"),
        ("{{(index .RepoTags 0)}}", "fixture/busybox:1"),
        ("{{and .Size .Repository}}", "fixture/busybox"),
        ("{{or .Empty \"fallback\"}}", "fallback"),
        ("{{not .Config.Tty}}", "true"),
        ("{{lt 1 2}} {{ge 1 2}} {{ne \"a\" \"b\"}}", "true false true"),
        ("{{print \"a\" 1 2 \"b\"}}", "a1 2b"),
        ("{{.ID}}\\t{{.Size}}", "sha256:415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27\t1984192"),
    ];
    for (template, want) in cases {
        check(template, want);
    }
}

#[test]
fn errors_are_errors_not_panics() {
    let parse_errors = [
        "{{",
        "{{.A",
        "{{if .A}}",
        "{{end}}",
        "{{else}}",
        "{{range}}{{end}}",
        "{{\"unterminated}}",
        "{{template \"x\"}}",
        "{{|}}",
        "{{(.A}}",
    ];
    for template in parse_errors {
        assert!(
            Template::parse(template, Missing::NoValue).is_err(),
            "{template}"
        );
    }
    let exec_errors = [
        "{{nosuchfunc .}}",
        "{{.Repository.Sub}}",
        "{{join .Size \",\"}}",
        "{{index .RepoTags 9}}",
        "{{$undefined}}",
        "{{.Size 1}}",
    ];
    for template in exec_errors {
        let t = Template::parse(template, Missing::NoValue).unwrap();
        assert!(t.execute(&data()).is_err(), "{template}");
    }
    let strict = Template::parse("{{.Nope}}", Missing::Error).unwrap();
    assert_eq!(
        strict.execute(&data()).unwrap_err().to_string(),
        "template: executing: can't evaluate field Nope"
    );
}

proptest! {
    #[test]
    fn never_panics(source in "\\PC{0,64}") {
        if let Ok(t) = Template::parse(&source, Missing::NoValue) {
            let _ = t.execute(&data());
        }
    }

    #[test]
    fn never_panics_on_template_like_input(source in "(\\{\\{|\\}\\}|\\.|[A-Za-z]{1,6}| |\\||\\$|\\(|\\)|\"|-|[0-9]){0,24}") {
        if let Ok(t) = Template::parse(&source, Missing::NoValue) {
            let _ = t.execute(&data());
        }
    }
}
