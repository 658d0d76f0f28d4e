//! The line parser, through BuildKit's dump format (`(cmd ["flags"] "arg" ...)`), and its errors.

use crate::parser::{parse, parse_dump};
use crate::Heredoc;

fn check(input: &str, expected: &str) {
    match parse_dump(input) {
        Ok(dump) => assert_eq!(dump, expected, "{input:?}"),
        Err(err) => panic!("{input:?}: {err}"),
    }
}

#[test]
fn dumps() {
    let cases = [
        // Comments, blank lines, continuations with comments and empty lines inside.
        ("FROM a\n# c\n\nRUN a \\\n  # inside\n\n  b\n", "(from \"a\")\n(run \"a   b\")\n"),
        ("FROM a\nRUN a\\\n b\\\nc\n", "(from \"a\")\n(run \"a bc\")\n"),
        // A continuation at end of file is taken as it is.
        ("FROM a\nRUN a \\", "(from \"a\")\n(run \"a\")\n"),
        // An escaped escape is not a continuation.
        ("FROM a\nRUN a \\\\\nRUN b\n", "(from \"a\")\n(run \"a \\\\\\\\\")\n(run \"b\")\n"),
        // A lone continuation character on its own line.
        ("FROM a\nRUN a \\\n\\\n b\n", "(from \"a\")\n(run \"a  b\")\n"),
        // CRLF line endings and leading whitespace.
        ("FROM a\r\n   RUN b \\\r\n c\r\n", "(from \"a\")\n(run \"b  c\")\n"),
        // The escape directive; a later directive-like comment is a comment.
        ("# escape=`\nFROM a\nRUN a `\n b\n# escape=\\\nRUN c \\\n", "(from \"a\")\n(run \"a  b\")\n(run \"c \\\\\")\n"),
        // Directives end at the first line that is not one (a blank line too).
        ("\n# escape=`\nFROM a\nRUN a \\\n b\n", "(from \"a\")\n(run \"a  b\")\n"),
        ("# syntax=docker/dockerfile:1\n# check=skip=all\n# escape=`\nFROM a\n", "(from \"a\")\n"),
        // JSON and shell forms.
        ("FROM a\nCMD [\"a\", \"b c\"]\nCMD [ \"a\"\nCMD ['a']\nCMD []\n", "(from \"a\")\n(cmd \"a\" \"b c\")\n(cmd \"[ \\\"a\\\"\")\n(cmd \"['a']\")\n(cmd)\n"),
        ("FROM a\nCOPY [\"a b\", \"/c\"]\nCOPY a  b\t/c\nVOLUME /a /b\n", "(from \"a\")\n(copy \"a b\" \"/c\")\n(copy \"a\" \"b\" \"/c\")\n(volume \"/a\" \"/b\")\n"),
        // Flags, `--` ends them.
        ("FROM --platform=$P a AS b\nCOPY --from=b --chown=1:2 -- --x /y\n", "(from [\"--platform=$P\"] \"a\" \"AS\" \"b\")\n(copy [\"--from=b\" \"--chown=1:2\"] \"--x\" \"/y\")\n"),
        ("FROM a\nRUN --mount=type=cache,target=\"/x y\" make\n", "(from \"a\")\n(run [\"--mount=type=cache,target=/x y\"] \"make\")\n"),
        // ENV and LABEL, both forms; quotes kept for expansion.
        ("FROM a\nENV A B C\nENV A=\"b c\" D=e\\ f\nLABEL \"k\"=v\n", "(from \"a\")\n(env \"A\" \"B C\" \"\")\n(env \"A\" \"\\\"b c\\\"\" \"=\" \"D\" \"e\\\\ f\" \"=\")\n(label \"\\\"k\\\"\" \"v\" \"=\")\n"),
        ("FROM a\nARG A B=c \"D=e f\"\n", "(from \"a\")\n(arg \"A\" \"B=c\" \"\\\"D=e f\\\"\")\n"),
        // ONBUILD and HEALTHCHECK.
        ("FROM a\nONBUILD RUN [\"a\"]\nONBUILD ADD . /app\n", "(from \"a\")\n(onbuild (run \"a\"))\n(onbuild (add \".\" \"/app\"))\n"),
        ("FROM a\nHEALTHCHECK --interval=5s CMD [\"a\"]\nHEALTHCHECK NONE\n", "(from \"a\")\n(healthcheck [\"--interval=5s\"] \"CMD\" \"a\")\n(healthcheck \"NONE\")\n"),
        // Unknown instructions keep no arguments (the error comes later).
        ("FROM a\nFOO bar\n", "(from \"a\")\n(foo)\n"),
        // A byte order mark.
        ("\u{feff}FROM a\n", "(from \"a\")\n"),
    ];
    for (input, expected) in cases {
        check(input, expected);
    }
}

#[test]
fn syntax_errors() {
    let cases = [
        ("", "file with no instructions"),
        ("# only a comment\n\n", "file with no instructions"),
        (
            "# escape=x\nFROM a\n",
            "invalid escape token 'x' does not match ` or \\",
        ),
        (
            "# escape=\\\n# escape=`\nFROM a\n",
            "only one escape parser directive can be used",
        ),
        ("FROM a\nENV A\n", "ENV must have two arguments"),
        (
            "FROM a\nENV A=b c\n",
            "Syntax error - can't find = in \"c\". Must be of the form: name=value",
        ),
        (
            "FROM a\nCMD [\"a\", 1]\n",
            "when using JSON array syntax, arrays must be comprised of strings only",
        ),
        ("FROM a\nRUN <<EOF\nno end\n", "unterminated heredoc"),
    ];
    for (input, expected) in cases {
        let error = parse(input)
            .err()
            .unwrap_or_else(|| panic!("{input:?} parsed"));
        assert_eq!(error.to_string(), expected, "{input:?}");
    }
}

fn doc(name: &str, content: &str, expand: bool, chomp: bool, file_descriptor: u32) -> Heredoc {
    Heredoc {
        name: name.into(),
        file_descriptor,
        expand,
        chomp,
        content: content.into(),
    }
}

/// BuildKit's TestParseExtractsHeredoc cases, one instruction each.
#[test]
fn heredocs() {
    let cases: Vec<(&str, Vec<Heredoc>)> = vec![
        ("USER <<INVALID\nINVALID\n", vec![]),
        (
            "RUN <<EMPTY\nEMPTY\n",
            vec![doc("EMPTY", "", true, false, 0)],
        ),
        (
            "RUN 3<<EMPTY2\nEMPTY2\n",
            vec![doc("EMPTY2", "", true, false, 3)],
        ),
        ("RUN \"<<NOHEREDOC\"\n", vec![]),
        (
            "RUN <<INDENT\n\tfoo\n\tbar\nINDENT\n",
            vec![doc("INDENT", "\tfoo\n\tbar\n", true, false, 0)],
        ),
        (
            "RUN <<-UNINDENT\n\tbaz\n\tquux\nUNINDENT\n",
            vec![doc("UNINDENT", "\tbaz\n\tquux\n", true, true, 0)],
        ),
        (
            "RUN <<-UNINDENT2\n\tbaz\n\tquux\n\tUNINDENT2\n",
            vec![doc("UNINDENT2", "\tbaz\n\tquux\n", true, true, 0)],
        ),
        (
            "RUN <<-'NOEXPAND'\n\tdon't expand $NAME\nNOEXPAND\n",
            vec![doc("NOEXPAND", "\tdon't expand $NAME\n", false, true, 0)],
        ),
        (
            "RUN <<COMMENT\n# internal comment\necho foo bar # trailing\nCOMMENT\n",
            vec![doc(
                "COMMENT",
                "# internal comment\necho foo bar # trailing\n",
                true,
                false,
                0,
            )],
        ),
        (
            "RUN --mount=type=cache,target=/foo <<MOUNT\necho hello\nMOUNT\n",
            vec![doc("MOUNT", "echo hello\n", true, false, 0)],
        ),
        (
            "COPY <<FILE1 <<FILE2 /dest\ncontent 1\nFILE1\ncontent 2\nFILE2\n",
            vec![
                doc("FILE1", "content 1\n", true, false, 0),
                doc("FILE2", "content 2\n", true, false, 0),
            ],
        ),
        (
            "COPY <<EOF /quotes\n\"foo\"\n'bar'\nEOF\n",
            vec![doc("EOF", "\"foo\"\n'bar'\n", true, false, 0)],
        ),
        (
            "COPY <<X <<Y /dest\nY\nX\nX\nY\n",
            vec![
                doc("X", "Y\n", true, false, 0),
                doc("Y", "X\n", true, false, 0),
            ],
        ),
        (
            "RUN <<COMPLEX python3\nprint('hello world')\nCOMPLEX\n",
            vec![doc("COMPLEX", "print('hello world')\n", true, false, 0)],
        ),
        (
            "COPY <<file.txt /dest\nhello world\nfile.txt\n",
            vec![doc("file.txt", "hello world\n", true, false, 0)],
        ),
        (
            "RUN <<eo'f'\necho foo\neof\n",
            vec![doc("eof", "echo foo\n", false, false, 0)],
        ),
        (
            "RUN <<eo\\'f\necho foo\neo'f\n",
            vec![doc("eo'f", "echo foo\n", true, false, 0)],
        ),
        (
            "RUN <<'e'o\\'f\necho foo\neo'f\n",
            vec![doc("eo'f", "echo foo\n", false, false, 0)],
        ),
        (
            "RUN <<'one two'\necho bar\none two\n",
            vec![doc("one two", "echo bar\n", false, false, 0)],
        ),
        ("RUN <<$EOF\n$EOF\n", vec![doc("$EOF", "", true, false, 0)]),
        ("RUN <<  EOF\nEOF\n", vec![doc("EOF", "", true, false, 0)]),
        (
            "RUN <<  EOF  > foo\nEOF\n",
            vec![doc("EOF", "", true, false, 0)],
        ),
        // JSON form has no heredocs; ONBUILD looks at its trigger.
        ("RUN [\"<<EOF\"]\n", vec![]),
        (
            "ONBUILD RUN <<EOF\nx\nEOF\n",
            vec![doc("EOF", "x\n", true, false, 0)],
        ),
    ];
    for (instruction, expected) in cases {
        let text = format!("FROM alpine\n{instruction}");
        let parsed = parse(&text).unwrap_or_else(|err| panic!("{instruction:?}: {err}"));
        assert_eq!(parsed.nodes[1].heredocs, expected, "{instruction:?}");
        assert_eq!(
            parsed.nodes.len(),
            2 + usize::from(instruction.starts_with("USER")),
            "{instruction:?}"
        );
    }
}

#[test]
fn lines_and_warnings() {
    let parsed =
        parse("# syntax=x\nFROM a\n\nRUN a \\\n\n  b\nCOPY <<EOF /x\nhi\nEOF\nUSER u\n").unwrap();
    let lines: Vec<(usize, usize)> = parsed
        .nodes
        .iter()
        .map(|n| (n.lines.start, n.lines.end))
        .collect();
    assert_eq!(lines, [(2, 2), (4, 6), (7, 9), (10, 10)]);
    assert_eq!(parsed.warnings.len(), 1);
    assert_eq!(
        parsed.warnings[0].message,
        "Empty continuation line found in: RUN a   b"
    );
    assert_eq!(parsed.directives.syntax.as_deref(), Some("x"));
}
