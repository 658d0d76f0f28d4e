//! Go's `path.Match`, with the vectors of Go's `src/path/match_test.go`, plus the
//! `docker images --filter reference=` cases users rely on.

use crate::{
    familiar_match,
    glob::{path_match, BadPattern},
    try_familiar_match, Error, Reference,
};

#[test]
fn go_path_match() {
    let cases: &[(&str, &str, Result<bool, BadPattern>)] = &[
        ("abc", "abc", Ok(true)),
        ("*", "abc", Ok(true)),
        ("*c", "abc", Ok(true)),
        ("a*", "a", Ok(true)),
        ("a*", "abc", Ok(true)),
        ("a*", "ab/c", Ok(false)),
        ("a*/b", "abc/b", Ok(true)),
        ("a*/b", "a/c/b", Ok(false)),
        ("a*b*c*d*e*/f", "axbxcxdxe/f", Ok(true)),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/f", Ok(true)),
        ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", Ok(false)),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", Ok(false)),
        ("a*b?c*x", "abxbbxdbxebxczzx", Ok(true)),
        ("a*b?c*x", "abxbbxdbxebxczzy", Ok(false)),
        ("ab[c]", "abc", Ok(true)),
        ("ab[b-d]", "abc", Ok(true)),
        ("ab[e-g]", "abc", Ok(false)),
        ("ab[^c]", "abc", Ok(false)),
        ("ab[^b-d]", "abc", Ok(false)),
        ("ab[^e-g]", "abc", Ok(true)),
        ("a\\*b", "a*b", Ok(true)),
        ("a\\*b", "ab", Ok(false)),
        ("a?b", "a☺b", Ok(true)),
        ("a[^a]b", "a☺b", Ok(true)),
        ("a???b", "a☺b", Ok(false)),
        ("a[^a][^a][^a]b", "a☺b", Ok(false)),
        ("[a-ζ]*", "α", Ok(true)),
        ("*[a-ζ]", "A", Ok(false)),
        ("a?b", "a/b", Ok(false)),
        ("a*b", "a/b", Ok(false)),
        ("[\\]a]", "]", Ok(true)),
        ("[\\-]", "-", Ok(true)),
        ("[x\\-]", "x", Ok(true)),
        ("[x\\-]", "-", Ok(true)),
        ("[x\\-]", "z", Ok(false)),
        ("[\\-x]", "x", Ok(true)),
        ("[\\-x]", "-", Ok(true)),
        ("[\\-x]", "a", Ok(false)),
        ("[]a]", "]", Err(BadPattern)),
        ("[-]", "-", Err(BadPattern)),
        ("[x-]", "x", Err(BadPattern)),
        ("[x-]", "-", Err(BadPattern)),
        ("[x-]", "z", Err(BadPattern)),
        ("[-x]", "x", Err(BadPattern)),
        ("[-x]", "-", Err(BadPattern)),
        ("[-x]", "a", Err(BadPattern)),
        ("\\", "a", Err(BadPattern)),
        ("[a-b-c]", "a", Err(BadPattern)),
        ("[", "a", Err(BadPattern)),
        ("[^", "a", Err(BadPattern)),
        ("[^bc", "a", Err(BadPattern)),
        ("a[", "a", Err(BadPattern)),
        ("a[", "ab", Err(BadPattern)),
        ("a[", "x", Err(BadPattern)),
        ("a/b[", "x", Err(BadPattern)),
        ("*x", "xxx", Ok(true)),
        // Beyond Go's table.
        ("", "", Ok(true)),
        ("", "a", Ok(false)),
        ("**", "abc", Ok(true)),
        ("?", "", Ok(false)),
        ("a\\", "a", Err(BadPattern)),
        ("x*[", "abc", Err(BadPattern)),
    ];
    for &(pattern, name, expected) in cases {
        assert_eq!(
            path_match(pattern, name),
            expected,
            "path_match({pattern:?}, {name:?})"
        );
    }
}

/// `docker images --filter reference=PATTERN`: the pattern meets the familiar string first,
/// then the familiar name, so a pattern without a tag matches every tag of a repository.
#[test]
fn reference_filter() {
    let digest = format!("sha256:{}", "a".repeat(64));
    let cases: Vec<(&str, String, bool)> = vec![
        ("ubuntu", "ubuntu:14.04".into(), true),
        ("ubuntu:14.04", "ubuntu:14.04".into(), true),
        ("ubuntu:1*", "ubuntu:14.04".into(), true),
        ("ubuntu:2*", "ubuntu:14.04".into(), false),
        ("ubu*", "ubuntu:14.04".into(), true),
        ("*", "ubuntu:14.04".into(), true),
        // `*` never crosses a `/`, and canonical spellings do not match familiar forms.
        ("*", "user/app:1".into(), false),
        ("*/*", "user/app:1".into(), true),
        ("docker.io/library/ubuntu", "ubuntu:14.04".into(), false),
        ("library/ubuntu", "ubuntu:14.04".into(), false),
        ("localhost:5000/*", "localhost:5000/app:v1".into(), true),
        ("localhost:5000/app", "localhost:5000/app:v1".into(), true),
        ("ubuntu", format!("ubuntu@{digest}"), true),
        ("ubuntu@sha256:*", format!("ubuntu@{digest}"), true),
        ("ubuntu:14.04", format!("ubuntu:14.04@{digest}"), false),
        ("ubuntu:14.04@*", format!("ubuntu:14.04@{digest}"), true),
    ];
    for (pattern, input, expected) in cases {
        let reference = Reference::parse_normalized(&input).unwrap();
        assert_eq!(
            familiar_match(pattern, &reference),
            expected,
            "{pattern:?} against {input:?}"
        );
    }
    let ubuntu = Reference::parse_normalized("ubuntu").unwrap();
    assert_eq!(
        try_familiar_match("ubuntu[", &ubuntu),
        Err(Error::BadPattern)
    );
    assert_eq!(Error::BadPattern.to_string(), "syntax error in pattern");
}
