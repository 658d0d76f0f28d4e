use proptest::prelude::*;
use serde_json::{json, Value};

use super::{go_duration, GoField, GoStruct, GoTime, GoValue, Missing, Template};

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
        // docker/cli's `json` is an Encoder with SetEscapeHTML(false): nothing is escaped.
        ("{{json .Comment}}", "\"x > y & z\""),
        ("{{json .Config}}", "{\"Cmd\":null,\"Env\":[\"GREETING=hello\",\"PATH=/bin\"],\"Labels\":{\"a\":\"1\",\"b\":\"2\"},\"Tty\":false}"),
        ("{{.Config}}", "map[Cmd:<nil> Env:[GREETING=hello PATH=/bin] Labels:map[a:1 b:2] Tty:false]"),
        ("{{.Config.Cmd}}", "<no value>"),
        ("{{index .Config.Labels \"zz\"}}", "<no value>"),
        ("{{.Config.Nope.Deeper}}", "<no value>"),
        // docker/cli's padWithSpace leaves an empty string empty.
        ("{{pad \"\" 2 2}}|", "|"),
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

/// A typed value shaped like Docker 20.10's `types.ImageInspect` for an image made by
/// `docker import -c 'EXPOSE 80' -c 'HEALTHCHECK --interval=30s CMD true' -c 'LABEL a=b<c'`.
fn typed() -> GoValue {
    let strings = |items: &[&str]| GoValue::strings(Some(items));
    let empty_struct = || GoValue::from(GoStruct::new("struct {}"));
    let healthcheck = GoStruct::new("container.HealthConfig")
        .field(GoField::new("Test", strings(&["CMD-SHELL", "true"])).omitempty())
        .field(GoField::new("Interval", GoValue::Duration(30_000_000_000)).omitempty())
        .field(GoField::new("Timeout", GoValue::Duration(0)).omitempty())
        .field(GoField::new("Retries", GoValue::int(0)).omitempty());
    let config = GoStruct::new("container.Config")
        .field(GoField::new("User", GoValue::string("")))
        .field(
            GoField::new(
                "ExposedPorts",
                GoValue::map(
                    Some([("80/tcp".to_owned(), empty_struct())].into()),
                    empty_struct(),
                ),
            )
            .omitempty(),
        )
        .field(GoField::new("Env", GoValue::strings::<&str>(None)))
        .field(GoField::new("Healthcheck", healthcheck.into()).omitempty())
        .field(GoField::new(
            "Labels",
            GoValue::map(
                Some([("a".to_owned(), GoValue::string("b<c"))].into()),
                GoValue::string(""),
            ),
        ))
        .field(GoField::new("StopTimeout", GoValue::NilPointer).omitempty());
    let rootfs = GoStruct::new("types.RootFS")
        .field(GoField::new("Type", GoValue::string("layers")))
        .field(GoField::new("Layers", strings(&["sha256:22c6"])).omitempty())
        .field(GoField::new("BaseLayer", GoValue::string("")).omitempty());
    let metadata = GoStruct::new("types.ImageMetadata").field(
        GoField::new(
            "LastTagTime",
            // 2026-11-27T21:23:51.410744101Z
            GoValue::Time(Box::new(GoTime::utc(1_795_814_631, 410_744_101))),
        )
        .omitempty(),
    );
    GoStruct::new("types.ImageInspect")
        .field(GoField::new("ID", GoValue::string("sha256:c04d")).json("Id"))
        .field(GoField::new("Parent", GoValue::string("")))
        .field(GoField::new("Config", config.into()))
        .field(GoField::new("Variant", GoValue::string("")).omitempty())
        .field(GoField::new("RootFS", rootfs.into()))
        .field(GoField::new("Metadata", metadata.into()))
        .into()
}

/// Each expectation is what Docker 20.10's CLI printed for the same data.
#[test]
fn typed_values_print_like_go() {
    let cases: &[(&str, &str)] = &[
        ("{{.ID}}|{{.Parent}}|{{.Variant}}|", "sha256:c04d|||"),
        ("{{.Config.User}}|{{.Config.Env}}|{{json .Config.Env}}", "|[]|null"),
        ("{{.Config.ExposedPorts}}", "map[80/tcp:{}]"),
        ("{{json .Config.ExposedPorts}}", "{\"80/tcp\":{}}"),
        ("{{.Config.Healthcheck.Interval}} {{.Config.Healthcheck.Timeout}}", "30s 0s"),
        ("{{json .Config.Healthcheck}}", "{\"Test\":[\"CMD-SHELL\",\"true\"],\"Interval\":30000000000}"),
        ("{{.Config.StopTimeout}}", "<nil>"),
        ("{{if .Config.StopTimeout}}y{{else}}n{{end}}", "n"),
        ("{{index .Config.Labels \"a\"}}|{{index .Config.Labels \"zz\"}}|{{.Config.Labels.zz}}", "b<c||<no value>"),
        ("{{json .Config.Labels}}", "{\"a\":\"b<c\"}"),
        ("{{.RootFS}}", "{layers [sha256:22c6] }"),
        ("{{json .RootFS}}", "{\"Type\":\"layers\",\"Layers\":[\"sha256:22c6\"]}"),
        ("{{.Metadata.LastTagTime}}", "2026-11-27 21:23:51.410744101 +0000 UTC"),
        ("{{.Metadata}}", "{2026-11-27 21:23:51.410744101 +0000 UTC}"),
        (
            "{{json .}}",
            "{\"Id\":\"sha256:c04d\",\"Parent\":\"\",\"Config\":{\"User\":\"\",\"ExposedPorts\":{\"80/tcp\":{}},\"Env\":null,\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"true\"],\"Interval\":30000000000},\"Labels\":{\"a\":\"b<c\"}},\"RootFS\":{\"Type\":\"layers\",\"Layers\":[\"sha256:22c6\"]},\"Metadata\":{\"LastTagTime\":\"2026-11-27T21:23:51.410744101Z\"}}",
        ),
    ];
    let data = typed();
    for (template, want) in cases {
        let t = Template::parse(template, Missing::NoValue).unwrap();
        assert_eq!(t.execute_go(&data).unwrap(), *want, "{template}");
    }
    // A struct's unknown field is an error whatever `missingkey` says; Docker then tries again
    // over the raw JSON with missingkey=error.
    let t = Template::parse("{{.Id}}", Missing::NoValue).unwrap();
    assert_eq!(
        t.execute_go(&data).unwrap_err().to_string(),
        r#"template: :1:2: executing "" at <.Id>: can't evaluate field Id in type types.ImageInspect"#
    );
    let raw = GoValue::from_json(&json!({"Id": "sha256:c04d", "Config": {"Env": null}}));
    let strict = t.with_missing(Missing::Error);
    assert_eq!(strict.execute_go(&raw).unwrap(), "sha256:c04d");
    let env = Template::parse("{{.Config.Env}}|{{.Config.Env.X}}", Missing::Error).unwrap();
    assert_eq!(
        env.execute_go(&raw).unwrap_err().to_string(),
        r#"template: :1:25: executing "" at <.Config.Env.X>: nil pointer evaluating interface {}.X"#
    );
    for (template, want) in [
        (
            "{{.Variant}}",
            r#"template: :1:2: executing "" at <.Variant>: map has no entry for key "Variant""#,
        ),
        (
            "{{.Config.Foo.Bar}}",
            r#"template: :1:9: executing "" at <.Config.Foo.Bar>: map has no entry for key "Foo""#,
        ),
    ] {
        let strict = Template::parse(template, Missing::Error).unwrap();
        assert_eq!(strict.execute_go(&raw).unwrap_err().to_string(), want);
    }
}

/// The rows of `images`, `history`, `ps`: `{{json .}}` is the row's own `MarshalJSON`
/// (`json.Marshal`, escaped, keys sorted); a field's `json` escapes nothing.
#[test]
fn formatter_rows_escape_only_themselves() {
    let row = GoValue::formatter_context(&json!({
        "ID": "<missing>", "CreatedBy": "sh -c a > b && c", "Size": "20B",
    }));
    for (template, want) in [
        (
            "{{json .}}",
            r#"{"CreatedBy":"sh -c a \u003e b \u0026\u0026 c","ID":"\u003cmissing\u003e","Size":"20B"}"#,
        ),
        (
            "{{json $}}",
            r#"{"CreatedBy":"sh -c a \u003e b \u0026\u0026 c","ID":"\u003cmissing\u003e","Size":"20B"}"#,
        ),
        ("{{json .CreatedBy}}", r#""sh -c a > b && c""#),
        ("{{json .ID}}", r#""<missing>""#),
    ] {
        let t = Template::parse(template, Missing::Error).unwrap();
        assert_eq!(t.execute_go(&row).unwrap(), want, "{template}");
    }
}

#[test]
fn durations_print_like_go() {
    for (nanos, want) in [
        (0, "0s"),
        (1, "1ns"),
        (1_500, "1.5µs"),
        (500_000_000, "500ms"),
        (1_000_000_000, "1s"),
        (30_000_000_000, "30s"),
        (90_500_000_000, "1m30.5s"),
        (7_200_000_000_000, "2h0m0s"),
        (-5_000_000_000, "-5s"),
    ] {
        assert_eq!(go_duration(nanos), want, "{nanos}");
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
        "{{template x}}",
        "{{nosuchfunc .}}",
        "{{$undefined}}",
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
        "{{template \"x\"}}",
        "{{.Repository.Sub}}",
        "{{join .Size \",\"}}",
        "{{index .RepoTags 9}}",
        "{{.Size 1}}",
    ];
    for template in exec_errors {
        let t = Template::parse(template, Missing::NoValue).unwrap();
        assert!(t.execute(&data()).is_err(), "{template}");
    }
    let strict = Template::parse("{{.Nope}}", Missing::Error).unwrap();
    assert_eq!(
        strict.execute(&data()).unwrap_err().to_string(),
        r#"template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope""#
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

    /// The keywords and functions mixed at random: `define`d templates calling each other,
    /// `break` where it may not be, `printf` verbs.
    #[test]
    fn never_panics_on_keywords(source in "(\\{\\{|\\}\\}| |define |template |block |range |if |else |end|break|continue|with |\"a\" |\\.|\\$x := |\\$x|printf \"%[-+# 0-9.*]{0,3}[a-zA-Z%]\" |index |slice |\\(|\\)|\\||1 |-1 |nil ){0,20}") {
        if let Ok(t) = Template::parse(&source, Missing::NoValue) {
            let _ = t.execute(&data());
        }
    }
}

mod go_oracle;
mod limits;

proptest! {
    /// Any format string over any of the value kinds: Go's `fmt` never fails, and neither may
    /// berth's.
    #[test]
    fn printf_never_panics(format in "([%#0-9.*+ \\-\\[\\]a-zA-Z|é]){0,24}") {
        let args = [
            GoValue::int(-42),
            GoValue::uint(u64::MAX),
            GoValue::Number(serde_json::Number::from_f64(-1.5e-7).unwrap()),
            GoValue::string("héllo"),
            GoValue::Bool(true),
            GoValue::Nil,
            GoValue::NilPointer,
            GoValue::Duration(-90_000),
            GoValue::Time(Box::new(GoTime::zero())),
            GoValue::from_json(&json!({"a": [1, "b", null], "c": {"d": 2.5}})),
            typed(),
        ];
        for n in 0..args.len() {
            let template = format!("{{{{printf {:?} {}}}}}", format, (0..n).map(|i| format!("(index $.Args {i})")).collect::<Vec<_>>().join(" "));
            let data = GoStruct::new("main.T").field(GoField::new("Args", GoValue::Slice(Some(args.to_vec()))));
            if let Ok(t) = Template::parse(&template, Missing::NoValue) {
                let _ = t.execute_go(&data.into());
            }
        }
    }
}
