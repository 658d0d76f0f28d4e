//! The work one execution may do is bounded (berth issue #13, item 9): a template that would run
//! for ever or fill the memory stops with an error that names the limit.

use super::super::{GoValue, Missing, Template, MAX_BUILT, MAX_NESTING, MAX_OUTPUT, MAX_STEPS};

fn error_of(template: &str) -> String {
    let data = GoValue::from_json(&serde_json::json!({"Name": "x"}));
    Template::parse(template, Missing::NoValue)
        .and_then(|t| t.execute_go(&data))
        .expect_err(template)
        .to_string()
}

#[test]
fn runaway_templates_stop_with_an_error() {
    // A list of 5000 strings, ranged over inside itself: 25 million iterations.
    let list = r#"{{$a := split (printf "%5000s" "") ""}}"#;
    // Doubling a string 40 times: a terabyte.
    let doubling = format!(
        r#"{{{{$s := "0123456789abcdef"}}}}{}"#,
        r#"{{$s = printf "%s%s" $s $s}}"#.repeat(40)
    );
    let text = "x".repeat(10_000);
    let cases = [
        // Range over an integer is Go 1.22's; Docker 20.10's Go refuses it at once.
        (
            "{{range 1048576}}{{range 1048576}}{{end}}{{end}}".to_owned(),
            r#"template: :1:8: executing "" at <1048576>: range can't iterate over 1048576"#
                .to_owned(),
        ),
        (
            format!("{list}{{{{range $a}}}}{{{{range $a}}}}{{{{end}}}}{{{{end}}}}"),
            format!(
                r#"template: :1:59: executing "" at <$a>: template stopped after {MAX_STEPS} steps (berth's limit)"#
            ),
        ),
        (
            doubling,
            format!(
                r#"template: :1:623: executing "" at <printf "%s%s" $s $s>: template built more than {MAX_BUILT} bytes of strings (berth's limit)"#
            ),
        ),
        (
            format!("{list}{{{{range $a}}}}{{{{range $a}}}}{text}{{{{end}}}}{{{{end}}}}"),
            format!(
                r#"template: :1:59: executing "" at <$a>: template output exceeds {MAX_OUTPUT} bytes (berth's limit)"#
            ),
        ),
        (
            r#"{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}"#.to_owned(),
            r#"template: :1:25: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (100)"#
                .to_owned(),
        ),
        (
            r#"{{len (split (printf "%3000000s" "") "")}}"#.to_owned(),
            r#"template: :1:7: executing "" at <split (printf "%3000000s" "") "">: error calling split: split would make 3000000 strings, more than berth allows"#
                .to_owned(),
        ),
        // Reading a big list again in each iteration copies it each time: charged by its size.
        (
            format!("{list}{{{{range $a}}}}{{{{len $a}}}}{{{{end}}}}"),
            format!(
                r#"template: :1:57: executing "" at <$a>: template stopped after {MAX_STEPS} steps (berth's limit)"#
            ),
        ),
        // A long separator times many parts: refused before the one big allocation.
        (
            r#"{{join (split (printf "%1000s" "") "") (printf "%100000s" "")}}"#.to_owned(),
            format!(
                r#"template: :1:2: executing "" at <join (split (printf "%1000s" "") "") (printf "%100000s" "")>: error calling join: the joined string would exceed {MAX_BUILT} bytes (berth's limit)"#
            ),
        ),
    ];
    for (template, want) in cases {
        let start = std::time::Instant::now();
        assert_eq!(error_of(&template), want, "{template:.80}");
        // Stopped, not merely finished: well under a second in a release build.
        assert!(start.elapsed().as_secs() < 60, "{template:.80}");
    }
}

/// Templates calling themselves inside the deepest nesting the parser allows cannot overflow the
/// stack of the CLI's main thread (8 MiB).
#[test]
fn deep_recursion_is_an_error_not_a_crash() {
    let nested = format!(
        r#"{{{{define "r"}}}}{}{{{{template "r" .}}}}{}{{{{end}}}}{{{{template "r" .}}}}"#,
        "{{if true}}".repeat(99),
        "{{end}}".repeat(99)
    );
    let outcome = std::thread::Builder::new()
        .stack_size(8 * 1024 * 1024)
        .spawn(move || error_of(&nested))
        .unwrap()
        .join()
        .unwrap();
    assert!(
        outcome.ends_with(&format!(
            "template nested more than {MAX_NESTING} deep when run (berth's limit)"
        )),
        "{outcome}"
    );
}
