//! Table tests against Go's own output. Every expectation was printed by Go 1.19's `text/template`
//! (the Go of Debian's docker.io 20.10) executing the same template over [`data`]'s Go twin:
//!
//! ```go
//! type RootFS struct { Type string; Layers []string; BaseLayer string }
//! type Data struct {
//!     Repository, Tag string; Size int; RepoTags []string; Labels map[string]string
//!     Empty []string; NilPtr *int; Float float64; Time, Zero time.Time; Dur time.Duration
//!     Flag bool; Uint uint64; Neg int; RootFS RootFS; Any interface{}; Zoned time.Time
//!     Size64 int64
//! }
//! ```
//!
//! with Docker's functions registered as docker/cli registers them, and Docker's `\t`/`\n`
//! replacement applied to the source first. The suite does not need Go.

use super::super::{GoField, GoStruct, GoTime, GoValue, Missing, Template};

/// The Go twin's value (`main.Data`).
#[allow(clippy::approx_constant)]
fn data() -> GoValue {
    let strings = |items: &[&str]| GoValue::strings(Some(items));
    let labels = GoValue::map(
        Some(
            [("b", "2"), ("a", "1")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), GoValue::string(v)))
                .collect(),
        ),
        GoValue::string(""),
    );
    let any = GoValue::map(
        Some(
            [(
                "k".to_owned(),
                GoValue::Slice(Some(vec![
                    GoValue::string("x"),
                    GoValue::Number(serde_json::Number::from_f64(1.5).unwrap()),
                    GoValue::Nil,
                    GoValue::Bool(true),
                ])),
            )]
            .into(),
        ),
        GoValue::Nil,
    );
    let root_fs = GoStruct::new("main.RootFS")
        .field(GoField::new("Type", GoValue::string("layers")))
        .field(GoField::new("Layers", strings(&["sha256:22c6"])))
        .field(GoField::new("BaseLayer", GoValue::string("")));
    let float = |f: f64| GoValue::Number(serde_json::Number::from_f64(f).unwrap());
    GoStruct::new("main.Data")
        .field(GoField::new(
            "Repository",
            GoValue::string("fixture/busybox"),
        ))
        .field(GoField::new("Tag", GoValue::string("1.36")))
        .field(GoField::new("Size", GoValue::int(1_984_192)))
        .field(GoField::new(
            "RepoTags",
            strings(&["fixture/busybox:1", "fixture/busybox:latest"]),
        ))
        .field(GoField::new("Labels", labels))
        .field(GoField::new("Empty", GoValue::strings::<&str>(None)))
        .field(GoField::new("NilPtr", GoValue::NilPointer))
        .field(GoField::new("Float", float(3.14159)))
        // 2026-11-27T21:23:51.410744101Z
        .field(GoField::new(
            "Time",
            GoValue::Time(Box::new(GoTime::utc(1_795_814_631, 410_744_101))),
        ))
        .field(GoField::new(
            "Zero",
            GoValue::Time(Box::new(GoTime::zero())),
        ))
        .field(GoField::new("Dur", GoValue::Duration(90_500_000_000)))
        .field(GoField::new("Flag", GoValue::Bool(true)))
        .field(GoField::new("Uint", GoValue::uint(u64::MAX)))
        .field(GoField::new("Neg", GoValue::int(-42)))
        .field(GoField::new("RootFS", root_fs.into()))
        .field(GoField::new("Any", any))
        // 2009-02-03T04:05:06.000007-03:30, in a zone without a name (`time.FixedZone("", …)`).
        .field(GoField::new(
            "Zoned",
            GoValue::Time(Box::new(GoTime {
                unix: 1_233_646_506,
                nanos: 7000,
                offset: -(3 * 3600 + 30 * 60),
                zone: String::new(),
            })),
        ))
        .field(GoField::new("Size64", GoValue::int64(5051)))
        .into()
}

/// Runs each template as the Docker CLI does (parse, then execute over [`data`]) and compares
/// with Go's output or Go's error.
fn check(cases: &[(&str, Result<&str, &str>)]) {
    check_over(&data(), Missing::NoValue, cases);
}

fn check_over(data: &GoValue, missing: Missing, cases: &[(&str, Result<&str, &str>)]) {
    let mut failures = Vec::new();
    for (template, want) in cases {
        let got = Template::parse(template, missing)
            .and_then(|t| t.execute_go(data))
            .map_err(|e| e.to_string());
        let want = want.map(str::to_owned).map_err(str::to_owned);
        if got != want {
            failures.push(format!("{template}\n   got: {got:?}\n  want: {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `printf`, `print` and `println`: Go's `fmt` verbs, flags, widths, precisions, argument
/// indexes, error forms (berth issue #12).
#[test]
fn printf_matches_go() {
    check(&[
        (
            r#"{{printf "%-12s|" .Repository}}"#,
            Ok(r"fixture/busybox|"),
        ),
        (r#"{{printf "%12s|" .Repository}}"#, Ok(r"fixture/busybox|")),
        (
            r#"{{printf "%5d|%-5d|%05d|%+d|% d|%x|%X|%o|%O|%b|%#x|%#o|%#b" 42 42 42 42 42 255 255 8 8 5 255 8 5}}"#,
            Ok(r"   42|42   |00042|+42| 42|ff|FF|10|0o10|101|0xff|010|0b101"),
        ),
        (
            r#"{{printf "%.3s|%.10s|%8.3s|%-8.3s|" .Repository .Tag .Repository .Repository}}"#,
            Ok(r"fix|1.36|     fix|fix     |"),
        ),
        (
            r#"{{printf "%x|%X|% x|%#x|%# x|%.2x" "hi" "hi" "abc" "abc" "abc" "abcdef"}}"#,
            Ok(r"6869|6869|61 62 63|0x616263|0x61 0x62 0x63|6162"),
        ),
        (
            r#"{{printf "%q|%+q|%#q|%#q" "a\"b\t" "héllo" "raw" "with`tick"}}"#,
            Ok(r#""a\"b\t"|"h\u00e9llo"|`raw`|"with`tick""#),
        ),
        (
            r#"{{printf "%q" "a\"b\n"}}"#,
            Err(r"template: :1: unterminated quoted string"),
        ),
        (
            r#"{{printf "%v|%+v|%#v" .RootFS .RootFS .RootFS}}"#,
            Ok(
                r#"{layers [sha256:22c6] }|{Type:layers Layers:[sha256:22c6] BaseLayer:}|main.RootFS{Type:"layers", Layers:[]string{"sha256:22c6"}, BaseLayer:""}"#,
            ),
        ),
        (
            r#"{{printf "%v|%v|%v|%v" .Labels .RepoTags .Empty .NilPtr}}"#,
            Ok(r"map[a:1 b:2]|[fixture/busybox:1 fixture/busybox:latest]|[]|<nil>"),
        ),
        (
            r#"{{printf "%d" .Repository}}"#,
            Ok(r"%!d(string=fixture/busybox)"),
        ),
        (r#"{{printf "%s" 42}}"#, Ok(r"%!s(int=42)")),
        (r#"{{printf "%d %d" 1}}"#, Ok(r"1 %!d(MISSING)")),
        (
            r#"{{printf "%d" 1 2 "x"}}"#,
            Ok(r"1%!(EXTRA int=2, string=x)"),
        ),
        (r#"{{printf "%"}}"#, Ok(r"%!(NOVERB)")),
        (r#"{{printf "%!"}}"#, Ok(r"%!!(MISSING)")),
        (r#"{{printf "%z" 3}}"#, Ok(r"%!z(int=3)")),
        (
            r#"{{printf "%e|%E|%f|%F|%g|%G|%.2e|%.3f|%.3g|%10.2f|%-10.2f|%010.2f|%+.1f" 1234.5678 1234.5678 1234.5678 1234.5678 1234.5678 1234.5678 1234.5678 1234.5678 1234.5678 3.14159 3.14159 -3.14159 2.25}}"#,
            Ok(
                r"1.234568e+03|1.234568E+03|1234.567800|1234.567800|1234.5678|1234.5678|1.23e+03|1234.568|1.23e+03|      3.14|3.14      |-000003.14|+2.2",
            ),
        ),
        (
            r#"{{printf "%v|%v|%v|%v|%v|%v|%v" 1e6 1e21 100000.0 0.0001 0.00001 1.5 -0.0}}"#,
            Ok(r"1e+06|1e+21|100000|0.0001|1e-05|1.5|-0"),
        ),
        (
            r#"{{printf "%g|%g|%g|%.0f|%.1f|%.2f" 1e-7 123456789.0 0.000123 2.5 0.25 1.005}}"#,
            Ok(r"1e-07|1.23456789e+08|0.000123|2|0.2|1.00"),
        ),
        (
            r#"{{printf "%#g|%#.3g|%#e|%#.0f|%#v" 1.0 2.0 3.0 4.0 5.0}}"#,
            Ok(r"1.00000|2.00|3.000000e+00|4.|5"),
        ),
        (
            r#"{{printf "%x|%X|%.3x|%b" 1.5 -1024.0 3.14159 1.0}}"#,
            Ok(r"0x1.8p+00|-0X1P+10|0x1.922p+01|4503599627370496p-52"),
        ),
        (
            r#"{{printf "%t|%v|%5t|%-6t|" true false true false}}"#,
            Ok(r"true|false| true|false |"),
        ),
        (
            r#"{{printf "%c|%c|%q|%U|%#U|%+q" 65 233 97 9731 9731 233}}"#,
            Ok(r"A|é|'a'|U+2603|U+2603 '☃'|'\u00e9'"),
        ),
        (
            r#"{{printf "%*d|%-*d|%.*f|%*d" 5 42 5 42 2 3.14159 -4 7}}"#,
            Ok(r"   42|42   |3.14|7   "),
        ),
        (r#"{{printf "%*d" "x" 42}}"#, Ok(r"%!(BADWIDTH)42")),
        (r#"{{printf "%.*d" -1 42}}"#, Ok(r"%!(BADPREC)42")),
        (r#"{{printf "%[2]d %[1]d" 1 2}}"#, Ok(r"2 1")),
        (r#"{{printf "%[3]d" 1 2}}"#, Ok(r"%!d(BADINDEX)")),
        (r#"{{printf "%[1]d %d %d" 1 2}}"#, Ok(r"1 2 %!d(MISSING)")),
        (r#"{{printf "%d%%|%5%|" 50}}"#, Ok(r"50%|%|")),
        (
            r#"{{printf "%v|%d|%s|%.1f|%x" .Dur .Dur .Dur .Dur .Dur}}"#,
            Ok(r"1m30.5s|90500000000|1m30.5s|%!f(time.Duration=90500000000)|316d33302e3573"),
        ),
        (
            r#"{{printf "%v|%s|%d|%q" .Time.Month .Time.Month .Time.Month .Time.Month}}"#,
            Ok(r#"November|November|11|"November""#),
        ),
        (
            r#"{{printf "%v" .Time}}"#,
            Ok(r"2026-11-27 21:23:51.410744101 +0000 UTC"),
        ),
        (
            r#"{{printf "%s|%30s|" .Time .Zero}}"#,
            Ok(r"2026-11-27 21:23:51.410744101 +0000 UTC| 0001-01-01 00:00:00 +0000 UTC|"),
        ),
        (
            r#"{{printf "%#v" .Time}}"#,
            Ok(r"time.Date(2026, time.November, 27, 21, 23, 51, 410744101, time.UTC)"),
        ),
        (
            r#"{{printf "%v|%d|%x|%#v" .Uint .Uint .Uint .Uint}}"#,
            Ok(r"18446744073709551615|18446744073709551615|ffffffffffffffff|0xffffffffffffffff"),
        ),
        (
            r#"{{printf "%v|%d|%x|%X|%o|%+d|%05d" .Neg .Neg .Neg .Neg .Neg .Neg .Neg}}"#,
            Ok(r"-42|-42|-2a|-2A|-52|-42|-0042"),
        ),
        (
            r#"{{printf "%v|%d|%s" .Any .Any .Any}}"#,
            Ok(
                r"map[k:[x 1.5 <nil> true]]|map[%!d(string=k):[%!d(string=x) %!d(float64=1.5) <nil> %!d(bool=true)]]|map[k:[x %!s(float64=1.5) <nil> %!s(bool=true)]]",
            ),
        ),
        (
            r#"{{printf "%#v" .Any}}"#,
            Ok(r#"map[string]interface {}{"k":[]interface {}{"x", 1.5, interface {}(nil), true}}"#),
        ),
        (
            r#"{{printf "%#v|%#v|%#v" .Labels .RepoTags .Repository}}"#,
            Ok(
                r#"map[string]string{"a":"1", "b":"2"}|[]string{"fixture/busybox:1", "fixture/busybox:latest"}|"fixture/busybox""#,
            ),
        ),
        (
            r#"{{printf "%v|%s|%d" nil nil nil}}"#,
            Ok(r"<nil>|%!s(<nil>)|%!d(<nil>)"),
        ),
        (
            r#"{{printf "%T|%T|%T|%T|%T|%T|%T" 1 1.5 "s" true .Labels .RootFS .Time}}"#,
            Ok(r"int|float64|string|bool|map[string]string|main.RootFS|time.Time"),
        ),
        (
            r#"{{printf "%6.2v|%-8v|%08v|" 3.14159 "ab" 42}}"#,
            Ok(r"   3.1|ab      |00000042|"),
        ),
        (
            r#"{{printf "%05s|%-05s|%05q" "ab" "ab" "ab"}}"#,
            Ok(r#"000ab|ab   |0"ab""#),
        ),
        (
            r#"{{printf "%.0d|%5.0d|%.3d|%08.3d" 0 0 7 7}}"#,
            Ok(r"|     |007|     007"),
        ),
        (
            r#"{{printf "%d|%s" .Flag .Flag}}"#,
            Ok(r"%!d(bool=true)|%!s(bool=true)"),
        ),
        (
            r#"{{printf "%s" .RepoTags}}"#,
            Ok(r"[fixture/busybox:1 fixture/busybox:latest]"),
        ),
        (
            r#"{{printf "%d" .RepoTags}}"#,
            Ok(r"[%!d(string=fixture/busybox:1) %!d(string=fixture/busybox:latest)]"),
        ),
        (
            r#"{{printf "%5s|%-5s|" "héllo wörld" "é"}}"#,
            Ok(r"héllo wörld|é    |"),
        ),
        (r#"{{printf "%s %s" "a"}}"#, Ok(r"a %!s(MISSING)")),
        (
            r#"{{printf "%100000000d" 1}}|{{printf "%1000000000000000000000000d" 1}}"#,
            Ok(r"%!(NOVERB)%!(EXTRA int=1)|%!(NOVERB)%!(EXTRA int=1)"),
        ),
        (r#"{{printf "%v %v" 0x1F 0o17}}"#, Ok(r"31 15")),
        (r#"{{printf "%v %v %v" 'a' 1_000 -7}}"#, Ok(r"97 1000 -7")),
        (r#"{{printf "%v" 1e3}}"#, Ok(r"1000")),
        (
            r#"{{print 1 2 "a" "b" 3 .Flag nil}}"#,
            Ok(r"1 2ab3 true <nil>"),
        ),
        (r#"{{println 1 "a" .Flag}}"#, Ok("1 a true\n")),
        (
            r#"{{printf "%v" .Float}} {{.Float}} {{.Size}} {{.Dur}} {{.Time}} {{.Time.Month}}"#,
            Ok(r"3.14159 3.14159 1984192 1m30.5s 2026-11-27 21:23:51.410744101 +0000 UTC November"),
        ),
        (r#"{{printf "%p" "x"}}"#, Ok(r"%!p(string=x)")),
        (r#"{{printf "%w" "x"}}"#, Ok(r"%!w(string=x)")),
        (r#"{{printf "%6.3v" "abcdef"}}"#, Ok(r"   abc")),
        (r#"{{printf "%3c|%-3c|" 65 66}}"#, Ok(r"  A|B  |")),
        (r#"{{printf "%+v|% v|%#v" -5 5 -5}}"#, Ok(r"-5| 5|-5")),
        (
            r#"{{printf "%.3v|%.10v" 3.14159 1234.5678}}"#,
            Ok(r"3.14|1234.5678"),
        ),
    ]);
}

/// Errors (worded and placed as Go's), `define`/`template`/`block`, `break`/`continue`,
/// variables, time methods, literals (berth issues #12 and #13).
#[test]
fn templates_match_go() {
    check(&[
        (
            r"{{.Foo}}",
            Err(
                r#"template: :1:2: executing "" at <.Foo>: can't evaluate field Foo in type main.Data"#,
            ),
        ),
        (
            r"{{.Repository.Foo}}",
            Err(
                r#"template: :1:13: executing "" at <.Repository.Foo>: can't evaluate field Foo in type string"#,
            ),
        ),
        (
            r"{{.RootFS.Foo}}",
            Err(
                r#"template: :1:9: executing "" at <.RootFS.Foo>: can't evaluate field Foo in type main.RootFS"#,
            ),
        ),
        (
            r"{{.RootFS.Type.Foo}}",
            Err(
                r#"template: :1:9: executing "" at <.RootFS.Type.Foo>: can't evaluate field Foo in type string"#,
            ),
        ),
        (
            r"{{.Labels.a.b}}",
            Err(
                r#"template: :1:9: executing "" at <.Labels.a.b>: can't evaluate field b in type string"#,
            ),
        ),
        (
            r"{{.Any.k.x}}",
            Err(
                r#"template: :1:6: executing "" at <.Any.k.x>: can't evaluate field x in type interface {}"#,
            ),
        ),
        (
            r"text\n\n{{if .Flag}}\n {{.RootFS.Nope}}{{end}}",
            Err(
                r#"template: :4:10: executing "" at <.RootFS.Nope>: can't evaluate field Nope in type main.RootFS"#,
            ),
        ),
        (
            r"{{nosuch .}}",
            Err(r#"template: :1: function "nosuch" not defined"#),
        ),
        (r"{{if}}", Err(r"template: :1: missing value for if")),
        (
            r"{{range}}{{end}}",
            Err(r"template: :1: missing value for range"),
        ),
        (r"{{if .Flag}}", Err(r"template: :1: unexpected EOF")),
        (r"{{end}}", Err(r"template: :1: unexpected {{end}}")),
        (r"{{else}}", Err(r"template: :1: unexpected {{else}}")),
        (
            r#"{{"unterminated}}"#,
            Err(r"template: :1: unterminated quoted string"),
        ),
        (r"{{|}}", Err(r#"template: :1: unexpected "|" in command"#)),
        (
            r"{{(.Repository}}",
            Err(r"template: :1: unclosed left paren"),
        ),
        (r"{{)}}", Err(r#"template: :1: unexpected ")" in command"#)),
        (r"{{", Err(r"template: :1: unclosed action")),
        (r"{{.Repository", Err(r"template: :1: unclosed action")),
        (r"{{$x}}", Err(r#"template: :1: undefined variable "$x""#)),
        (
            r"{{$x = 1}}",
            Err(r#"template: :1:7: executing "" at <1>: undefined variable: $x"#),
        ),
        (
            r#"{{template "zz" .}}"#,
            Err(
                r#"template: :1:11: executing "" at <{{template "zz" .}}>: template "zz" not defined"#,
            ),
        ),
        (
            r#"{{template "zz"}}"#,
            Err(
                r#"template: :1:11: executing "" at <{{template "zz"}}>: template "zz" not defined"#,
            ),
        ),
        (
            r"{{template zz}}",
            Err(r#"template: :1: unexpected "zz" in template clause"#),
        ),
        (
            r#"{{define "a"}}x{{end}}{{define "a"}}y{{end}}"#,
            Err(r#"template: :1: template: multiple definition of template "a""#),
        ),
        (
            r#"{{define "a"}}{{end}}{{define "a"}}y{{end}}{{template "a"}}"#,
            Ok(r"y"),
        ),
        (
            r"{{index .RepoTags 9}}",
            Err(
                r#"template: :1:2: executing "" at <index .RepoTags 9>: error calling index: index out of range: 9"#,
            ),
        ),
        (
            r"{{index .RepoTags 2}}",
            Err(
                r#"template: :1:2: executing "" at <index .RepoTags 2>: error calling index: reflect: slice index out of range"#,
            ),
        ),
        (r"{{index .Repository 1}}", Ok(r"105")),
        (
            r"{{index .Labels 1}}",
            Err(
                r#"template: :1:2: executing "" at <index .Labels 1>: error calling index: value has type int; should be string"#,
            ),
        ),
        (
            r"{{index nil 1}}",
            Err(
                r#"template: :1:2: executing "" at <index nil 1>: error calling index: index of untyped nil"#,
            ),
        ),
        (
            r"{{index .Size 1}}",
            Err(
                r#"template: :1:2: executing "" at <index .Size 1>: error calling index: can't index item of type int"#,
            ),
        ),
        (
            r#"{{index .RepoTags "x"}}"#,
            Err(
                r#"template: :1:2: executing "" at <index .RepoTags "x">: error calling index: cannot index slice/array with type string"#,
            ),
        ),
        (
            r"{{len .Size}}",
            Err(
                r#"template: :1:2: executing "" at <len .Size>: error calling len: len of type int"#,
            ),
        ),
        (
            r"{{len .NilPtr}}",
            Err(
                r#"template: :1:2: executing "" at <len .NilPtr>: error calling len: len of nil pointer"#,
            ),
        ),
        (
            r"{{upper 1}}",
            Err(r#"template: :1:8: executing "" at <1>: expected string; found 1"#),
        ),
        (
            r"{{upper .Size}}",
            Err(
                r#"template: :1:8: executing "" at <.Size>: wrong type for value; expected string; got int"#,
            ),
        ),
        (
            r"{{.Size | upper}}",
            Err(
                r#"template: :1:10: executing "" at <upper>: wrong type for value; expected string; got int"#,
            ),
        ),
        (
            r#"{{upper "a" "b"}}"#,
            Err(
                r#"template: :1:2: executing "" at <upper>: wrong number of args for upper: want 1 got 2"#,
            ),
        ),
        (
            r"{{join .RepoTags}}",
            Err(
                r#"template: :1:2: executing "" at <join>: wrong number of args for join: want 2 got 1"#,
            ),
        ),
        (
            r#"{{join .Size ","}}"#,
            Err(
                r#"template: :1:7: executing "" at <.Size>: wrong type for value; expected []string; got int"#,
            ),
        ),
        (
            r"{{printf 1}}",
            Err(r#"template: :1:9: executing "" at <1>: expected string; found 1"#),
        ),
        (
            r"{{printf .Size}}",
            Err(
                r#"template: :1:9: executing "" at <.Size>: wrong type for value; expected string; got int"#,
            ),
        ),
        (
            r"{{printf}}",
            Err(
                r#"template: :1:2: executing "" at <printf>: wrong number of args for printf: want at least 1 got 0"#,
            ),
        ),
        (
            r#"{{eq .Size "x"}}"#,
            Err(
                r#"template: :1:2: executing "" at <eq .Size "x">: error calling eq: incompatible types for comparison"#,
            ),
        ),
        (
            r"{{eq .Size}}",
            Err(
                r#"template: :1:2: executing "" at <eq .Size>: error calling eq: missing argument for comparison"#,
            ),
        ),
        (
            r"{{lt true false}}",
            Err(
                r#"template: :1:2: executing "" at <lt true false>: error calling lt: invalid type for comparison"#,
            ),
        ),
        (
            r#"{{lt 1 "x"}}"#,
            Err(
                r#"template: :1:2: executing "" at <lt 1 "x">: error calling lt: incompatible types for comparison"#,
            ),
        ),
        (
            r"{{lt 1.5 2}}",
            Err(
                r#"template: :1:2: executing "" at <lt 1.5 2>: error calling lt: incompatible types for comparison"#,
            ),
        ),
        (
            r"{{eq 1 1.0}}",
            Err(
                r#"template: :1:2: executing "" at <eq 1 1.0>: error calling eq: incompatible types for comparison"#,
            ),
        ),
        (r"{{eq .Uint 5}}", Ok(r"false")),
        (r"{{eq .Flag true false}}", Ok(r"true")),
        (
            r"{{eq .RepoTags .RepoTags}}",
            Err(
                r#"template: :1:2: executing "" at <eq .RepoTags .RepoTags>: error calling eq: non-comparable type [fixture/busybox:1 fixture/busybox:latest]: []string"#,
            ),
        ),
        (
            r"{{.Size 1}}",
            Err(
                r#"template: :1:2: executing "" at <.Size>: Size has arguments but cannot be invoked as function"#,
            ),
        ),
        (
            r"{{.Repository 1}}",
            Err(
                r#"template: :1:2: executing "" at <.Repository>: Repository has arguments but cannot be invoked as function"#,
            ),
        ),
        (
            r#"{{"x" 1}}"#,
            Err(
                r#"template: :1:2: executing "" at <"x">: can't give argument to non-function "x""#,
            ),
        ),
        (
            r"{{nil}}",
            Err(r#"template: :1:2: executing "" at <nil>: nil is not a command"#),
        ),
        (
            r"{{. 1}}",
            Err(r#"template: :1:2: executing "" at <.>: can't give argument to non-function ."#),
        ),
        (
            r"{{$x := 1}}{{$x 2}}",
            Err(r#"template: :1:13: executing "" at <$x>: can't give argument to non-function $x"#),
        ),
        (
            r"{{.Labels.a 1}}",
            Err(
                r#"template: :1:9: executing "" at <.Labels.a>: a is not a method but has arguments"#,
            ),
        ),
        (
            r"{{range .Size}}x{{end}}",
            Err(r#"template: :1:8: executing "" at <.Size>: range can't iterate over 1984192"#),
        ),
        (
            r"{{range 3}}x{{end}}",
            Err(r#"template: :1:8: executing "" at <3>: range can't iterate over 3"#),
        ),
        (
            r"{{range .Repository}}x{{end}}",
            Err(
                r#"template: :1:8: executing "" at <.Repository>: range can't iterate over fixture/busybox"#,
            ),
        ),
        (r"{{range .Empty}}x{{else}}none{{end}}", Ok(r"none")),
        (
            r"{{range .NilPtr}}x{{else}}none{{end}}",
            Err(r#"template: :1:8: executing "" at <.NilPtr>: range can't iterate over <nil>"#),
        ),
        (
            r"{{range $i, $t := .RepoTags}}{{$i}}={{$t}};{{end}}",
            Ok(r"0=fixture/busybox:1;1=fixture/busybox:latest;"),
        ),
        (
            r"{{range $k, $v := .Labels}}{{$k}}{{$v}}{{end}}",
            Ok(r"a1b2"),
        ),
        (
            r#"{{range .RepoTags}}{{if eq . "fixture/busybox:latest"}}{{break}}{{end}}[{{.}}]{{end}}"#,
            Ok(r"[fixture/busybox:1]"),
        ),
        (
            r#"{{range .RepoTags}}{{if eq . "fixture/busybox:1"}}{{continue}}{{end}}[{{.}}]{{end}}"#,
            Ok(r"[fixture/busybox:latest]"),
        ),
        (
            r"{{break}}",
            Err(r"template: :1: {{break}} outside {{range}}"),
        ),
        (r"{{$x := 1}}{{$x = 2}}{{$x}}", Ok(r"2")),
        (r"{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", Ok(r"2")),
        (r"{{with $x := .Tag}}{{$x}}{{end}}", Ok(r"1.36")),
        (
            r"{{with .Empty}}x{{else with .Tag}}t={{.}}{{end}}",
            Err(r"template: :1: unexpected <with> in else"),
        ),
        (
            r"{{if .Empty}}a{{else if .Flag}}b{{else}}c{{end}}",
            Ok(r"b"),
        ),
        (r"{{and 1 0 (index .RepoTags 9)}}", Ok(r"0")),
        (r#"{{or 0 "" .Tag}}"#, Ok(r"1.36")),
        (r#"{{or 0 ""}}"#, Ok(r"")),
        (
            r"{{and}}",
            Err(
                r#"template: :1:2: executing "" at <and>: wrong number of args for and: want at least 1 got 0"#,
            ),
        ),
        (
            r"{{not}}",
            Err(
                r#"template: :1:2: executing "" at <not>: wrong number of args for not: want 1 got 0"#,
            ),
        ),
        (r#"{{.Repository | printf "%s!"}}"#, Ok(r"fixture/busybox!")),
        (r#"{{"a" | printf "%s-%s" "b"}}"#, Ok(r"b-a")),
        (
            r"{{.Time.Year}}-{{.Time.Month}}-{{.Time.Day}} {{.Time.Hour}}:{{.Time.Minute}}:{{.Time.Second}}",
            Ok(r"2026-November-27 21:23:51"),
        ),
        (
            r"{{.Time.Foo}}",
            Err(
                r#"template: :1:7: executing "" at <.Time.Foo>: can't evaluate field Foo in type time.Time"#,
            ),
        ),
        (
            r"{{.Time.Year 1}}",
            Err(
                r#"template: :1:7: executing "" at <.Time.Year>: wrong number of args for Year: want 0 got 1"#,
            ),
        ),
        (
            r"{{.Time.Format}}",
            Err(
                r#"template: :1:7: executing "" at <.Time.Format>: wrong number of args for Format: want 1 got 0"#,
            ),
        ),
        (
            r"{{.Time.Format 1}}",
            Err(r#"template: :1:15: executing "" at <1>: expected string; found 1"#),
        ),
        (
            r#"{{.Time.Format "2006" "x"}}"#,
            Err(
                r#"template: :1:7: executing "" at <.Time.Format>: wrong number of args for Format: want 1 got 2"#,
            ),
        ),
        (
            r"{{.Dur.Seconds}} {{.Dur.Minutes}} {{.Dur.Hours}} {{.Dur.Milliseconds}}",
            Ok(r"90.5 1.5083333333333333 0.025138888888888888 90500"),
        ),
        (r"{{.Time.Month.String}}", Ok(r"November")),
        (
            r"{{.Zero.IsZero}} {{.Time.IsZero}} {{.Time.Unix}} {{.Time.UnixNano}} {{.Zero.Unix}}",
            Ok(r"true false 1795814631 1795814631410744101 -62135596800"),
        ),
        (
            r"{{.Time.YearDay}} {{.Time.Weekday}} {{.Time.Nanosecond}} {{.Time.UTC}}",
            Ok(r"331 Friday 410744101 2026-11-27 21:23:51.410744101 +0000 UTC"),
        ),
        (r#"{{"2006" | .Time.Format}}"#, Ok(r"2026")),
        (r"{{$t := .Time}}{{$t.Year}}", Ok(r"2026")),
        (r"{{(.Time).Year}}", Ok(r"2026")),
        (r"{{with .Time}}{{.Year}}{{end}}", Ok(r"2026")),
        (
            r#"{{printf "%d-%02d" .Time.Year .Time.Month}}"#,
            Ok(r"2026-11"),
        ),
        (
            r"{{json .Time}} {{json .Zero}} {{json .Time.Month}} {{json .Dur}}",
            Ok(r#""2026-11-27T21:23:51.410744101Z" "0001-01-01T00:00:00Z" 11 90500000000"#),
        ),
        (r"{{if eq .Time.Month 11}}nov{{end}}", Ok(r"nov")),
        (
            r#"{{define "row"}}[{{.}}]{{end}}{{range .RepoTags}}{{template "row" .}}{{end}}"#,
            Ok(r"[fixture/busybox:1][fixture/busybox:latest]"),
        ),
        (
            r#"{{define "t"}}{{$}}{{end}}{{template "t" .Tag}}"#,
            Ok(r"1.36"),
        ),
        (
            r#"{{define "t"}}{{.}}{{end}}{{template "t"}}"#,
            Ok(r"<no value>"),
        ),
        (r#"{{block "b" .Tag}}<{{.}}>{{end}}"#, Ok(r"<1.36>")),
        (
            r#"{{define "b"}}override{{end}}{{block "b" .Tag}}<{{.}}>{{end}}"#,
            Err(r#"template: :1: template: multiple definition of template "b""#),
        ),
        (
            r#"{{define "a"}}A{{template "b" .}}{{end}}{{define "b"}}B{{.Tag}}{{end}}{{template "a" .}}"#,
            Ok(r"AB1.36"),
        ),
        (
            r#"{{define "x"}}{{.Nope}}{{end}}{{template "x" .}}"#,
            Err(
                r#"template: :1:16: executing "x" at <.Nope>: can't evaluate field Nope in type main.Data"#,
            ),
        ),
        (
            r#"{{define "x"}}{{$y}}{{end}}"#,
            Err(r#"template: :1: undefined variable "$y""#),
        ),
        (r#"{{define "x"}}X{{end}}"#, Ok(r"")),
        (r#"{{template "x" .}}{{define "x"}}X{{end}}"#, Ok(r"X")),
        (
            r#"{{define "x" "y"}}{{end}}"#,
            Err(r#"template: :1: unexpected "\"y\"" in define clause"#),
        ),
        (
            r"{{define x}}{{end}}",
            Err(r#"template: :1: unexpected "x" in define clause"#),
        ),
        (
            r#"{{block "b"}}{{end}}"#,
            Err(r"template: :1: missing value for block clause"),
        ),
        (
            r"line1\n  {{.Foo}}",
            Err(
                r#"template: :2:4: executing "" at <.Foo>: can't evaluate field Foo in type main.Data"#,
            ),
        ),
        (r#"a {{- " b " -}} c"#, Ok(r"a b c")),
        (r"{{- /* comment */ -}} x", Ok(r"x")),
        (r"{{/* unclosed", Err(r"template: :1: unclosed comment")),
        (
            r#"{{.Repository}}{{"\u00e9\x41\101"}}"#,
            Ok(r"fixture/busyboxéAA"),
        ),
        (r"{{`raw\n`}}", Ok("raw\n")),
        (
            r"{{'a'}} {{'\n'}}",
            Err(r"template: :1: unterminated character constant"),
        ),
        (
            r"{{0x1F}} {{1e3}} {{1.5}} {{-2}} {{+3}}",
            Ok(r"31 1000 1.5 -2 3"),
        ),
        (
            r"{{99999999999999999999}}",
            Err(r#"template: :1: integer overflow: "99999999999999999999""#),
        ),
        (
            r"{{1.2.3}}",
            Err(r#"template: :1: unexpected ".3" in operand"#),
        ),
        (
            r#"{{.Labels.zz}}|{{index .Labels "zz"}}|{{index .Any "zz"}}"#,
            Ok(r"<no value>||<no value>"),
        ),
        (
            r#"{{print .Labels.zz}}|{{printf "%v" .Labels.zz}}|{{printf "%d" .Labels.zz}}"#,
            Ok(r"<nil>|<nil>|%!d(<nil>)"),
        ),
        (r"{{.Repository |}}", Ok(r"fixture/busybox")),
        (
            r"{{.Repository | 1}}",
            Err(r"template: :1: non executable command in pipeline stage 2"),
        ),
        (r"{{}}", Err(r"template: :1: missing value for command")),
        (
            r#"{{printf "%d"1}}"#,
            Err(r#"template: :1: unexpected "1" in operand"#),
        ),
        (
            r"{{ .Foo }}",
            Err(
                r#"template: :1:3: executing "" at <.Foo>: can't evaluate field Foo in type main.Data"#,
            ),
        ),
        (
            r"{{- .Foo}}",
            Err(
                r#"template: :1:4: executing "" at <.Foo>: can't evaluate field Foo in type main.Data"#,
            ),
        ),
        (
            r"{{if .Flag}}{{.Foo}}{{end}}",
            Err(
                r#"template: :1:14: executing "" at <.Foo>: can't evaluate field Foo in type main.Data"#,
            ),
        ),
        (
            r"{{$x := .Foo}}",
            Err(
                r#"template: :1:8: executing "" at <.Foo>: can't evaluate field Foo in type main.Data"#,
            ),
        ),
        (
            r"{{(.Foo)}}",
            Err(
                r#"template: :1:3: executing "" at <.Foo>: can't evaluate field Foo in type main.Data"#,
            ),
        ),
        (
            r"{{(.Foo).Bar}}",
            Err(
                r#"template: :1:3: executing "" at <.Foo>: can't evaluate field Foo in type main.Data"#,
            ),
        ),
        (
            r"{{(.RootFS).Foo}}",
            Err(
                r#"template: :1:3: executing "" at <.RootFS>: can't evaluate field Foo in type main.RootFS"#,
            ),
        ),
        (
            r"{{$.Foo}}",
            Err(
                r#"template: :1:3: executing "" at <$.Foo>: can't evaluate field Foo in type main.Data"#,
            ),
        ),
        (
            r"{{with $x := .RootFS}}{{$x.Foo}}{{end}}",
            Err(
                r#"template: :1:26: executing "" at <$x.Foo>: can't evaluate field Foo in type main.RootFS"#,
            ),
        ),
        (
            r#"{{.RootFS.Foo | printf "%s"}}"#,
            Err(
                r#"template: :1:9: executing "" at <.RootFS.Foo>: can't evaluate field Foo in type main.RootFS"#,
            ),
        ),
        (
            r#"{{printf "%s" .RootFS.Foo}}"#,
            Err(
                r#"template: :1:21: executing "" at <.RootFS.Foo>: can't evaluate field Foo in type main.RootFS"#,
            ),
        ),
        (
            r#"{{index .Labels "a" | .Foo}}"#,
            Err(
                r#"template: :1:22: executing "" at <.Foo>: can't evaluate field Foo in type main.Data"#,
            ),
        ),
        (
            r#"{{template "x" .Foo}}{{define "x"}}{{end}}"#,
            Err(
                r#"template: :1:15: executing "" at <.Foo>: can't evaluate field Foo in type main.Data"#,
            ),
        ),
        (
            r"{{'ab'}}",
            Err(r"template: :1: malformed character constant: 'ab'"),
        ),
        (
            r"{{range $i, $e := .RepoTags}}{{$e.Foo}}{{end}}",
            Err(
                r#"template: :1:33: executing "" at <$e.Foo>: can't evaluate field Foo in type string"#,
            ),
        ),
        (
            r"{{range .RepoTags}}{{else if .Flag}}x{{end}}",
            Err(r"template: :1: unexpected <if> in input"),
        ),
        (
            r"{{range .Empty}}{{else if .Flag}}e{{end}}",
            Err(r"template: :1: unexpected <if> in input"),
        ),
        (
            r"{{with .Empty}}{{else .Flag}}{{end}}",
            Err(r#"template: :1: unexpected ".Flag" in else"#),
        ),
        (
            r#"{{.Any.k}} {{index .Any "k" 1}} {{len .Any.k}}"#,
            Ok(r"[x 1.5 <nil> true] 1.5 4"),
        ),
        (r#"{{.Time.Year | printf "%d!"}}"#, Ok(r"2026!")),
        (
            r"{{and .Flag .Tag}} {{or .Empty .Tag}} {{not .Empty}}",
            Ok(r"1.36 1.36 true"),
        ),
        (r"{{1x}}", Err(r#"template: :1: bad number syntax: "1x""#)),
        (
            r"{{$x, $y := 1}}",
            Err(r"template: :1: too many declarations in command"),
        ),
        (
            r#"{{if .Flag}}{{define "a"}}x{{end}}{{end}}"#,
            Err(r"template: :1: unexpected <define> in command"),
        ),
        (
            r#"{{define "a"}}{{define "b"}}{{end}}{{end}}"#,
            Err(r"template: :1: unexpected <define> in command"),
        ),
        (
            r#"{{template "a" 1 2}}"#,
            Err(
                r#"template: :1:11: executing "" at <{{template "a" 1 2}}>: template "a" not defined"#,
            ),
        ),
        (
            r#"{{define "a"}}{{break}}{{end}}"#,
            Err(r"template: :1: {{break}} outside {{range}}"),
        ),
        (r"{{end 1}}", Err(r#"template: :1: unexpected "1" in end"#)),
        (
            r"{{else 1}}",
            Err(r#"template: :1: unexpected "1" in else"#),
        ),
        (r#"{{ define "a" }}A{{ end }}{{ template "a" }}"#, Ok(r"A")),
        (
            r#"{{if .Flag}}{{block "x" .Tag}}[{{.}}]{{end}}{{end}}"#,
            Ok(r"[1.36]"),
        ),
    ]);
}

/// `time.Time` values: `String()`, `Format` with every element of Go's reference layout, the
/// methods, `%#v` and JSON (berth issue #12: `{{.Metadata.LastTagTime.Year}}`).
#[test]
fn time_values_match_go() {
    check(&[
        (
            r#"{{.Time.Format "2006-01-02T15:04:05.999999999Z07:00"}}|{{.Zoned.Format "2006-01-02T15:04:05.999999999Z07:00"}}"#,
            Ok(r"2026-11-27T21:23:51.410744101Z|2009-02-03T04:05:06.000007-03:30"),
        ),
        (
            r#"{{.Time.Format "Mon Jan _2 15:04:05 MST 2006"}}|{{.Zoned.Format "Mon Jan _2 15:04:05 MST 2006"}}"#,
            Ok(r"Fri Nov 27 21:23:51 UTC 2026|Tue Feb  3 04:05:06 -0330 2009"),
        ),
        (
            r#"{{.Time.Format "Monday, 02-Jan-06 15:04:05 MST"}}|{{.Time.Format "January 2, 2006 3:04:05 PM"}}|{{.Zoned.Format "3:4:5 pm"}}"#,
            Ok(r"Friday, 27-Nov-26 21:23:51 UTC|November 27, 2026 9:23:51 PM|4:5:6 am"),
        ),
        (
            r#"{{.Time.Format "02 Jan 06 15:04 -0700"}}|{{.Zoned.Format "02 Jan 06 15:04 -0700"}}|{{.Zoned.Format "-07 -07:00 -070000 -07:00:00 Z07 Z0700 Z07:00:00 Z070000"}}"#,
            Ok(
                r"27 Nov 26 21:23 +0000|03 Feb 09 04:05 -0330|-03 -03:30 -033000 -03:30:00 -03 -0330 -03:30:00 -033000",
            ),
        ),
        (
            r#"{{.Time.Format "Z07 Z0700 Z07:00 Z07:00:00 Z070000 -07"}}"#,
            Ok(r"Z Z Z Z Z +00"),
        ),
        (
            r#"{{.Time.Format "2006-01-02 15:04:05.000"}}|{{.Time.Format "15:04:05,000000"}}|{{.Time.Format ".999"}}|{{.Time.Format ".9"}}|{{.Zoned.Format ".999999999"}}|{{.Zoned.Format ".000000000000"}}"#,
            Ok(r"2026-11-27 21:23:51.410|21:23:51,410744|.41|.4|.000007|.000007000"),
        ),
        (
            r#"{{.Time.Format "002 __2 _2 1 01 3 03 4 04 5 05 06 PM pm Jan January Mon Monday"}}|{{.Zoned.Format "002 __2 _2 1 01 3 03 4 04 5 05 06"}}"#,
            Ok(
                r"331 331 27 11 11 9 09 23 23 51 51 26 PM pm Nov November Fri Friday|034  34  3 2 02 4 04 5 05 6 06 09",
            ),
        ),
        (
            r#"{{.Time.Format "_2006 Janet Monty MSTX 2006x 1.05"}}|{{.Time.Format "2006.09"}}|{{.Time.Format "Jan.999"}}|{{.Time.Format ""}}"#,
            Ok(r"_2026 Janet Monty UTCX 2026x 11.51|2026.09|Nov.41|"),
        ),
        (
            r#"{{.Zero.Format "2006-01-02 15:04:05 Mon Jan 002"}}|{{.Zero}}|{{.Zoned}}|{{.Zoned.Year}} {{.Zoned.Month}} {{.Zoned.Day}} {{.Zoned.Hour}} {{.Zoned.Weekday}} {{.Zoned.YearDay}}"#,
            Ok(
                r"0001-01-01 00:00:00 Mon Jan 001|0001-01-01 00:00:00 +0000 UTC|2009-02-03 04:05:06.000007 -0330 -0330|2009 February 3 4 Tuesday 34",
            ),
        ),
        (
            r"{{.Zoned.Unix}} {{.Zoned.UnixNano}} {{.Zoned.UnixMilli}} {{.Zoned.UnixMicro}} {{.Zoned.UTC}} {{.Zoned.Nanosecond}}",
            Ok(
                r"1233646506 1233646506000007000 1233646506000 1233646506000007 2009-02-03 07:35:06.000007 +0000 UTC 7000",
            ),
        ),
        (
            r#"{{printf "%v|%#v" .Zoned .Zero}}"#,
            Ok(
                r"2009-02-03 04:05:06.000007 -0330 -0330|time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)",
            ),
        ),
        (
            r"{{json .Zoned}}",
            Ok(r#""2009-02-03T04:05:06.000007-03:30""#),
        ),
    ]);
}

/// Go's other builtins: `html`, `js`, `urlquery`, `slice`, `call`.
#[test]
fn builtins_match_go() {
    check(&[
        (
            r#"{{html "<a href=\"x\">&'</a>"}}|{{html 1 "<" nil}}|{{html .RootFS}}"#,
            Ok(
                r"&lt;a href=&#34;x&#34;&gt;&amp;&#39;&lt;/a&gt;|1&lt;&lt;no value&gt;|{layers [sha256:22c6] }",
            ),
        ),
        (
            r#"{{js "a\\b'\"<>&=\u0001é\u2028"}}"#,
            Ok(r#"a\\b\'\"\u003C\u003E\u0026\u003D\u0001é\u2028"#),
        ),
        (
            r#"{{urlquery "a b/c?d=é&~_.-"}}|{{urlquery .RepoTags}}"#,
            Ok(
                r"a+b%2Fc%3Fd%3D%C3%A9%26~_.-|%5Bfixture%2Fbusybox%3A1+fixture%2Fbusybox%3Alatest%5D",
            ),
        ),
        (
            r"{{slice .Repository 1 4}}|{{slice .RepoTags 1}}|{{slice .RepoTags 0 1 2}}|{{slice .Repository}}",
            Ok(r"ixt|[fixture/busybox:latest]|[fixture/busybox:1]|fixture/busybox"),
        ),
        (
            r"{{slice .Repository 1 2 3}}",
            Err(
                r#"template: :1:2: executing "" at <slice .Repository 1 2 3>: error calling slice: cannot 3-index slice a string"#,
            ),
        ),
        (
            r"{{slice .RepoTags 2 1}}",
            Err(
                r#"template: :1:2: executing "" at <slice .RepoTags 2 1>: error calling slice: invalid slice index: 2 > 1"#,
            ),
        ),
        (
            r"{{slice .RepoTags 5}}",
            Err(
                r#"template: :1:2: executing "" at <slice .RepoTags 5>: error calling slice: index out of range: 5"#,
            ),
        ),
        (
            r"{{slice .Size 1}}",
            Err(
                r#"template: :1:2: executing "" at <slice .Size 1>: error calling slice: can't slice item of type int"#,
            ),
        ),
        (
            r"{{slice nil 1}}",
            Err(
                r#"template: :1:2: executing "" at <slice nil 1>: error calling slice: slice of untyped nil"#,
            ),
        ),
        (
            r#"{{slice .RepoTags "a"}}"#,
            Err(
                r#"template: :1:2: executing "" at <slice .RepoTags "a">: error calling slice: cannot index slice/array with type string"#,
            ),
        ),
        (
            r"{{call .Repository}}",
            Err(
                r#"template: :1:2: executing "" at <call .Repository>: error calling call: non-function of type string"#,
            ),
        ),
        (
            r"{{call nil}}",
            Err(r#"template: :1:2: executing "" at <call nil>: error calling call: call of nil"#),
        ),
        (
            r"{{call}}",
            Err(
                r#"template: :1:2: executing "" at <call>: wrong number of args for call: want at least 1 got 0"#,
            ),
        ),
        (r"{{.Repository | html}}", Ok(r"fixture/busybox")),
        (
            r#"{{"é" | slice .Repository 0 1 | printf "%q"}}"#,
            Err(
                r#"template: :1:9: executing "" at <slice .Repository 0 1>: error calling slice: cannot 3-index slice a string"#,
            ),
        ),
    ]);
}

/// Integers of a sized type (`int64`, Docker's `Size`) keep their type in `%T` and error forms.
#[test]
fn sized_integers_match_go() {
    check(&[
        (
            r#"{{.Size64}} {{printf "%v|%s|%T|%x|%#v|%q" .Size64 .Size64 .Size64 .Size64 .Size64 .Size64}}"#,
            Ok(r"5051 5051|%!s(int64=5051)|int64|13bb|5051|'Ꮋ'"),
        ),
        (
            r"{{if gt .Size64 1000}}big{{end}} {{eq .Size64 5051}} {{lt .Size64 .Size}} {{json .Size64}}",
            Ok(r"big true true 5051"),
        ),
        (
            r#"{{index .Repository 1}} {{printf "%*d|" 6 .Size64}} {{printf "%.*s" 3 "abcdef"}}"#,
            Ok(r"105   5051| abc"),
        ),
        (
            r"{{slice .RepoTags .Neg}}",
            Err(
                r#"template: :1:2: executing "" at <slice .RepoTags .Neg>: error calling slice: index out of range: -42"#,
            ),
        ),
        (
            r"{{pad .Tag .Size64 1}}",
            Err(
                r#"template: :1:11: executing "" at <.Size64>: wrong type for value; expected int; got int64"#,
            ),
        ),
        (
            r"{{.Size64.Foo}}",
            Err(
                r#"template: :1:9: executing "" at <.Size64.Foo>: can't evaluate field Foo in type int64"#,
            ),
        ),
        (r"{{print .Size64 .Size64}}", Ok(r"5051 5051")),
    ]);
}

/// JSON decoded as the Docker CLI decodes raw inspect data for its second try of `inspect -f`
/// (`json.Decoder` with `UseNumber`: numbers are `json.Number`), with `missingkey=error`.
#[test]
fn decoded_json_matches_go() {
    let doc = r#"{"Id":"sha256:c04d","Size":1984192,"Small":5051,"Frac":0.5,"Tiny":1e-7,"Neg":-3,"Env":null,"Tags":["a","b"],"Labels":{"a":"1"}}"#;
    let data = GoValue::decoded_json(&serde_json::from_str(doc).unwrap());
    check_over(
        &data,
        Missing::Error,
        &[
            (
                r"{{.Size}} {{.Small}} {{.Frac}} {{.Tiny}} {{.Neg}}",
                Ok(r"1984192 5051 0.5 1e-7 -3"),
            ),
            (
                r"{{json .}}",
                Ok(
                    r#"{"Env":null,"Frac":0.5,"Id":"sha256:c04d","Labels":{"a":"1"},"Neg":-3,"Size":1984192,"Small":5051,"Tags":["a","b"],"Tiny":1e-7}"#,
                ),
            ),
            (r"{{json .Size}} {{json .Tiny}}", Ok(r"1984192 1e-7")),
            (
                r#"{{printf "%d|%v|%.0f|%T" .Size .Size .Size .Size}}"#,
                Ok(r"%!d(json.Number=1984192)|1984192|%!f(json.Number=)|json.Number"),
            ),
            (
                r"{{.Size.Foo}}",
                Err(
                    r#"template: :1:7: executing "" at <.Size.Foo>: can't evaluate field Foo in type interface {}"#,
                ),
            ),
            (
                r"{{.Env.X}}",
                Err(
                    r#"template: :1:6: executing "" at <.Env.X>: nil pointer evaluating interface {}.X"#,
                ),
            ),
            (
                r"{{.Nope}}",
                Err(r#"template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope""#),
            ),
            (
                r"{{index .Tags 1}} {{len .Tags}} {{.Labels.a}}",
                Ok(r"b 2 1"),
            ),
            (
                r"{{if gt .Size 1000.0}}big{{end}}",
                Err(
                    r#"template: :1:5: executing "" at <gt .Size 1000.0>: error calling gt: incompatible types for comparison"#,
                ),
            ),
            (
                r"{{if gt .Size 1000}}big{{end}}",
                Err(
                    r#"template: :1:5: executing "" at <gt .Size 1000>: error calling gt: incompatible types for comparison"#,
                ),
            ),
            (r"{{range $i, $t := .Tags}}{{$i}}{{$t}}{{end}}", Ok(r"0a1b")),
            (
                r"{{.Tags}} {{.Labels}} {{.}}",
                Ok(
                    r"[a b] map[a:1] map[Env:<nil> Frac:0.5 Id:sha256:c04d Labels:map[a:1] Neg:-3 Size:1984192 Small:5051 Tags:[a b] Tiny:1e-7]",
                ),
            ),
            (
                r"{{.Frac.Int64}}",
                Err(
                    r#"template: :1:7: executing "" at <.Frac.Int64>: error calling Int64: strconv.ParseInt: parsing "0.5": invalid syntax"#,
                ),
            ),
            (
                r#"{{.Size.Int64}} {{.Frac.Float64}} {{.Size.String}} {{printf "%T %#v %x %5.2s|" .Size .Size .Small .Small}}"#,
                Ok(r#"1984192 0.5 1984192 json.Number "1984192" 35303531    50|"#),
            ),
            (
                r#"{{if eq .Size "1984192"}}eq{{end}} {{len .Small}}"#,
                Ok(r"eq 4"),
            ),
        ],
    );
}
