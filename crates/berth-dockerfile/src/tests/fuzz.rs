//! The parser and the lexer never panic, whatever the input.

use proptest::prelude::*;

use crate::{parse, Lexer, NoVars};

fn dockerfile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("FROM a\n".to_owned()),
        Just("RUN <<EOF\n".to_owned()),
        Just("EOF\n".to_owned()),
        Just("\\\n".to_owned()),
        Just("# escape=`\n".to_owned()),
        Just("COPY <<-'A' <<B /x\n".to_owned()),
        Just("ONBUILD ".to_owned()),
        Just("HEALTHCHECK --interval=1s CMD [\"a\"]\n".to_owned()),
        Just("ENV a=\"b\\\" c\n".to_owned()),
        "[ -~\t\n\"'`\\\\$<{}\\[\\]é]{0,40}",
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn parse_never_panics(text in dockerfile_text()) {
        let _ = parse(&text);
    }

    #[test]
    fn lexer_never_panics(word in "[ -~\t\n'\"`\\\\${}:#%/?*+-]{0,30}") {
        for escape in ['\\', '`'] {
            let lexer = Lexer::new(escape);
            let _ = lexer.process(&word, &NoVars);
            let raw = Lexer { raw_quotes: true, raw_escapes: true, skip_unset_env: true, ..lexer };
            let _ = raw.process(&word, &NoVars);
        }
    }

    #[test]
    fn ignore_never_panics(pattern in "[!*?\\[\\]\\\\/a.^-]{0,12}", path in "[a*/.\\\\\\]-]{0,12}") {
        if let Ok(matcher) = crate::ignore::Matcher::new(&[pattern]) {
            let _ = matcher.matches(&path);
        }
    }
}

/// Deep nesting that BuildKit (Go, growable stacks) takes must not exhaust berth's stack.
#[test]
fn deep_nesting_does_not_overflow() {
    let depth = 8_000;
    let onbuilds = format!("FROM a\n{}RUN x\n", "ONBUILD ".repeat(depth));
    let error = parse(&onbuilds).unwrap_err();
    assert!(error.to_string().contains("Chaining ONBUILD"), "{error}");
    let nested = format!("{}x{}", "${a:-".repeat(depth), "}".repeat(depth));
    let error = Lexer::new('\\').word(&nested, &NoVars).unwrap_err();
    assert!(
        error.to_string().contains("nested substitutions"),
        "{error}"
    );
    let _ = parse(&format!(
        "FROM a\nRUN {nested}\nCOPY <<EOF /x\n{nested}\nEOF\n"
    ));
    let pattern = format!("${{v#{}}}", "*a".repeat(depth));
    let vars = vec![("v".to_owned(), "ab".repeat(50))];
    assert_eq!(
        Lexer::new('\\').word(&pattern, &vars).unwrap(),
        "ab".repeat(50)
    );
    let matcher = crate::ignore::Matcher::new(&["**/".repeat(depth) + "x"]).unwrap();
    assert!(matcher.matches("a/b/x").unwrap());
}
