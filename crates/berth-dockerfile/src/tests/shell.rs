use std::collections::BTreeMap;

use super::shell_vectors::{WORD, WORDS};
use crate::{Lexer, NoVars, Vars};

fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn env_list(entries: &[&str]) -> Vec<(String, String)> {
    entries
        .iter()
        .map(|entry| match entry.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => ((*entry).to_owned(), String::new()),
        })
        .collect()
}

#[test]
fn buildkit_word_vectors() {
    let env = vars(&[
        ("PWD", "/home"),
        ("SHELL", "bash"),
        ("KOREAN", "한국어"),
        ("NULL", ""),
    ]);
    let lexer = Lexer::new('\\');
    for (input, expected) in WORD {
        let got = lexer.word(input, &env);
        match expected {
            Some(expected) => assert_eq!(got.as_deref().ok(), Some(*expected), "{input}: {got:?}"),
            None => assert!(got.is_err(), "{input}: expected an error, got {got:?}"),
        }
    }
}

#[test]
fn buildkit_words_vectors() {
    let lexer = Lexer::new('\\');
    for (env, input, expected) in WORDS {
        let env = env_list(env);
        let got = lexer.words(input, &env);
        match expected {
            Some(expected) => {
                let want: Vec<String> = expected.iter().map(|w| (*w).to_owned()).collect();
                assert_eq!(got.ok(), Some(want), "{input}");
            }
            None => assert!(got.is_err(), "{input}: expected an error"),
        }
    }
}

/// input, variables, expected (`Err(())` for an error), matched, unmatched: BuildKit's
/// TestProcessWithMatches cases.
#[test]
fn matches_and_operators() {
    type Case = (
        &'static str,
        &'static [(&'static str, &'static str)],
        Result<&'static str, ()>,
        &'static [&'static str],
        &'static [&'static str],
    );
    let foo_bar: &[(&str, &str)] = &[("FOO", "xxx"), ("BAR", "")];
    let cases: &[Case] = &[
        ("x", &[("DUMMY", "dummy")], Ok("x"), &[], &[]),
        (
            "x ${UNUSED}",
            &[("DUMMY", "dummy")],
            Ok("x "),
            &[],
            &["UNUSED"],
        ),
        ("x ${FOO}", &[("FOO", "y")], Ok("x y"), &["FOO"], &[]),
        (
            "${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}",
            foo_bar,
            Ok("xxx  ccc"),
            &["FOO", "BAR"],
            &["BAZ"],
        ),
        (
            "${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}",
            foo_bar,
            Ok("xxx bbb ccc"),
            &["FOO", "BAR"],
            &["BAZ"],
        ),
        ("${FOO:-}", foo_bar, Ok("xxx"), &["FOO"], &[]),
        ("${FOO:-}", &[], Ok(""), &[], &["FOO"]),
        (
            "${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}",
            foo_bar,
            Ok("aaa bbb "),
            &["FOO", "BAR"],
            &["BAZ"],
        ),
        (
            "${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}",
            foo_bar,
            Ok("aaa  "),
            &["FOO", "BAR"],
            &["BAZ"],
        ),
        ("${FOO?aaa}", foo_bar, Ok("xxx"), &["FOO"], &[]),
        ("${BAR?bbb}", foo_bar, Ok(""), &["BAR"], &[]),
        ("${BAZ?ccc}", foo_bar, Err(()), &[], &[]),
        ("${FOO:?aaa}", foo_bar, Ok("xxx"), &["FOO"], &[]),
        ("${BAR:?bbb}", foo_bar, Err(()), &[], &[]),
        ("${BAZ:?ccc}", foo_bar, Err(()), &[], &[]),
        ("${BAZ:?}", foo_bar, Err(()), &[], &[]),
        ("${FOO=aaa}", foo_bar, Err(()), &[], &[]),
        ("${FOO=:aaa}", foo_bar, Err(()), &[], &[]),
        ("${FOO=}", &[], Err(()), &[], &[]),
        (
            "${FOO#()[]{\\}^$.\\*\\?|\\\\}",
            &[("FOO", "()[]{}^$.*?|\\x")],
            Ok("x"),
            &["FOO"],
            &[],
        ),
        ("${FOO%%\\**}", &[("FOO", "xx**")], Ok("xx"), &["FOO"], &[]),
        ("${FOO#*x*y}", &[("FOO", "xxyy")], Ok("y"), &["FOO"], &[]),
        ("${FOO#*}", &[("FOO", "xxyy")], Ok("xxyy"), &["FOO"], &[]),
        (
            "${FOO#$BAR}",
            &[("FOO", "xxyy"), ("BAR", "x")],
            Ok("xyy"),
            &["FOO", "BAR"],
            &[],
        ),
        (
            "${FOO#$BAR}",
            &[("FOO", "xxyy"), ("BAR", "")],
            Ok("xxyy"),
            &["FOO", "BAR"],
            &[],
        ),
        ("${FOO#}", &[("FOO", "xxyy")], Ok("xxyy"), &["FOO"], &[]),
        ("${FOO##*x}", &[("FOO", "xxyy")], Ok("yy"), &["FOO"], &[]),
        ("${FOO##}", &[("FOO", "xxyy")], Ok("xxyy"), &["FOO"], &[]),
        ("${FOO#?\\?}", &[("FOO", "???y")], Ok("?y"), &["FOO"], &[]),
        (
            "${ABC:-.}${FOO%x}${ABC:-.}",
            &[("FOO", "xxyy")],
            Ok(".xxyy."),
            &["FOO"],
            &["ABC"],
        ),
        (
            "${FOO%%\\**\\*}",
            &[("FOO", "a***yy*")],
            Ok("a"),
            &["FOO"],
            &[],
        ),
        ("${FOO%}", &[("FOO", "xxyy")], Ok("xxyy"), &["FOO"], &[]),
        (
            "${FOO%%$BAR}",
            &[("FOO", "xxyy"), ("BAR", "")],
            Ok("xxyy"),
            &["FOO", "BAR"],
            &[],
        ),
        ("${FOO:#}", &[], Err(()), &[], &[]),
        ("${FOO:##}", &[], Err(()), &[], &[]),
        ("${FOO:%}", &[], Err(()), &[], &[]),
        ("${FOO:%%}", &[], Err(()), &[], &[]),
        (
            "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
            &[("FOO", "/foo*/*/*.txt"), ("NEEDLE", "\\*/")],
            Ok("/foo.*/*.txt - /foo..*.txt"),
            &["FOO", "NEEDLE"],
            &[],
        ),
        (
            "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
            &[("FOO", "/tmp/tmp/bar.txt"), ("NEEDLE", "/tmp")],
            Ok("/tmp/bar.txt - /bar.txt"),
            &["FOO", "NEEDLE"],
            &[],
        ),
        (
            "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
            &[
                ("FOO", "/a/foo/b/c.txt"),
                ("NEEDLE", "/?/"),
                ("REPLACEMENT", "/"),
            ],
            Ok("/foo/b/c.txt - /foo/c.txt"),
            &["FOO", "NEEDLE", "REPLACEMENT"],
            &[],
        ),
        (
            "${FOO/$NEEDLE/$REPLACEMENT}",
            &[
                ("FOO", "http://google.de"),
                ("NEEDLE", "http://"),
                ("REPLACEMENT", "https://"),
            ],
            Ok("https://google.de"),
            &["FOO", "NEEDLE", "REPLACEMENT"],
            &[],
        ),
        (
            "${FOO//\\//\\/}",
            &[("FOO", "/tmp/foo.txt")],
            Ok("\\/tmp\\/foo.txt"),
            &["FOO"],
            &[],
        ),
        (
            "${FOO/$BAR/ww}",
            &[("FOO", "xxyy"), ("BAR", "")],
            Ok("wwxxyy"),
            &["FOO", "BAR"],
            &[],
        ),
        ("${FOO//ww}", &[("FOO", "xxyy")], Err(()), &[], &[]),
        ("${FOO//}", &[("FOO", "xxyy")], Err(()), &[], &[]),
        ("${FOO///}", &[("FOO", "xxyy")], Ok("xxyy"), &["FOO"], &[]),
        ("${FOO///}", &[], Ok(""), &[], &["FOO"]),
        // berth's own: replace-all over every match, an empty pattern, a newline is not matched.
        (
            "${FOO//o/0}",
            &[("FOO", "foo boo")],
            Ok("f00 b00"),
            &["FOO"],
            &[],
        ),
        (
            "${FOO%.*}",
            &[("FOO", "archive.tar.gz")],
            Ok("archive.tar"),
            &["FOO"],
            &[],
        ),
        (
            "${FOO%%.*}",
            &[("FOO", "archive.tar.gz")],
            Ok("archive"),
            &["FOO"],
            &[],
        ),
        ("${FOO#*/}", &[("FOO", "a/b/c")], Ok("b/c"), &["FOO"], &[]),
        ("${FOO##*/}", &[("FOO", "a/b/c")], Ok("c"), &["FOO"], &[]),
        ("${FOO#*}", &[("FOO", "a\nb")], Ok("a\nb"), &["FOO"], &[]),
        ("${FOO##*}", &[("FOO", "a\nb")], Ok("\nb"), &["FOO"], &[]),
    ];
    let lexer = Lexer::new('\\');
    for (input, env, expected, matched, unmatched) in cases {
        let env = vars(env);
        let got = lexer.process(input, &env);
        match expected {
            Err(()) => assert!(got.is_err(), "{input}: expected an error, got {got:?}"),
            Ok(expected) => {
                let got = got.unwrap_or_else(|err| panic!("{input}: {err}"));
                assert_eq!(got.word, *expected, "{input}");
                let want: Vec<String> = matched.iter().map(|s| (*s).to_owned()).collect();
                assert_eq!(
                    got.matched.into_iter().collect::<Vec<_>>().len(),
                    want.len(),
                    "{input} matched"
                );
                let want_unmatched: std::collections::BTreeSet<String> =
                    unmatched.iter().map(|s| (*s).to_owned()).collect();
                assert_eq!(got.unmatched, want_unmatched, "{input} unmatched");
            }
        }
    }
}

#[test]
fn error_messages() {
    let set: Vec<(String, String)> = env_list(&["VAR=plain", "ARG=x"]);
    let empty = env_list(&["VAR=", "ARG=x"]);
    let unset = env_list(&["ARG=x"]);
    let lexer = Lexer::new('\\');
    let cases: &[(&str, &dyn Vars, Result<&str, &str>)] = &[
        ("${VAR:?message here$ARG}", &set, Ok("plain")),
        ("${VAR:?message here$ARG}", &empty, Err("failed to process \"${VAR:?message here$ARG}\": VAR: message herex")),
        ("${VAR:?message here$ARG}", &unset, Err("failed to process \"${VAR:?message here$ARG}\": VAR: message herex")),
        ("${VAR?message here$ARG}", &set, Ok("plain")),
        ("${VAR?message here$ARG}", &empty, Ok("")),
        ("${VAR?message here$ARG}", &unset, Err("failed to process \"${VAR?message here$ARG}\": VAR: message herex")),
        ("${VAR?}", &unset, Err("failed to process \"${VAR?}\": VAR: is not allowed to be unset")),
        ("${VAR:?}", &empty, Err("failed to process \"${VAR:?}\": VAR: is not allowed to be empty")),
        ("${}", &NoVars, Err("failed to process \"${}\": syntax error: bad substitution")),
        ("${a", &NoVars, Err("failed to process \"${a\": unsupported modifier (\u{fffd}) in substitution")),
        ("${a:-b", &NoVars, Err("failed to process \"${a:-b\": syntax error: missing '}'")),
        ("${a:x}", &NoVars, Err("failed to process \"${a:x}\": unsupported modifier (:x) in substitution")),
        ("${a/b", &NoVars, Err("failed to process \"${a/b\": syntax error: missing '/' in ${}")),
        ("'abc", &NoVars, Err("failed to process \"'abc\": unexpected end of statement while looking for matching single-quote")),
        ("\"abc", &NoVars, Err("failed to process \"\\\"abc\": unexpected end of statement while looking for matching double-quote")),
        ("${a#\\x}", &NoVars, Err("failed to process \"${a#\\\\x}\": invalid pattern (\\x) in substitution: invalid escape '\\x'")),
    ];
    for (input, env, expected) in cases {
        let got = lexer.word(input, *env).map_err(|err| err.to_string());
        let want = expected.map(str::to_owned).map_err(str::to_owned);
        assert_eq!(got, want, "{input}");
    }
}

#[test]
fn backtick_escape() {
    let env = vars(&[("A", "x")]);
    let lexer = Lexer::new('`');
    let cases = [
        ("c:\\path\\$A", "c:\\path\\x"),
        ("`$A", "$A"),
        ("\"`\"q`\"\"", "\"q\""),
        ("a` b", "a b"),
    ];
    for (input, expected) in cases {
        assert_eq!(lexer.word(input, &env).unwrap(), expected, "{input}");
    }
}

#[test]
fn nested_expansion_shares_the_word_buffer() {
    // As in BuildKit: the nested ${...} restarts the word being built.
    let lexer = Lexer::new('\\');
    assert_eq!(lexer.words("a${x:-b}c", &NoVars).unwrap(), ["bc"]);
    assert_eq!(lexer.word("a${x:-b}c", &NoVars).unwrap(), "abc");
}

#[test]
fn skip_unset_and_raw_modes() {
    let lexer = Lexer {
        raw_quotes: true,
        raw_escapes: true,
        skip_unset_env: true,
        ..Lexer::new('\\')
    };
    let env = vars(&[("SET", "v")]);
    let cases = [
        (
            "$UNSET ${UNSET} ${UNSET:-d} ${UNSET/a/b} $SET",
            "$UNSET ${UNSET} ${UNSET:-d} ${UNSET/a/b} v",
        ),
        ("'q' \"d\" \\e", "'q' \"d\" \\e"),
    ];
    for (input, expected) in cases {
        assert_eq!(lexer.word(input, &env).unwrap(), expected, "{input}");
    }
    let heredoc_content = Lexer {
        skip_process_quotes: true,
        ..Lexer::new('\\')
    };
    assert_eq!(
        heredoc_content
            .word("echo '$SET' \"$SET\"\n", &env)
            .unwrap(),
        "echo 'v' \"v\"\n"
    );
}
