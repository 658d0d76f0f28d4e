//! `.dockerignore`: moby/patternmatcher's test vectors, as tables.

use crate::ignore::{clean, ignore_file_for, read_patterns, Matcher};
use crate::Error;

/// (pattern, path, matched by the path itself, matched by it or a parent).
const SINGLE: &[(&str, &str, bool, bool)] = &[
    ("**", "file", true, true),
    ("**", "file/", true, true),
    ("**/", "file", true, true),
    ("**/", "file/", true, true),
    ("**", "/", true, true),
    ("**/", "/", true, true),
    ("**", "dir/file", true, true),
    ("**/", "dir/file", true, true),
    ("**", "dir/file/", true, true),
    ("**/", "dir/file/", true, true),
    ("**/**", "dir/file", true, true),
    ("**/**", "dir/file/", true, true),
    ("dir/**", "dir/file", true, true),
    ("dir/**", "dir/file/", true, true),
    ("dir/**", "dir/dir2/file", true, true),
    ("dir/**", "dir/dir2/file/", true, true),
    ("**/dir", "dir", true, true),
    ("**/dir", "dir/file", false, true),
    ("**/dir2/*", "dir/dir2/file", true, true),
    ("**/dir2/*", "dir/dir2/file/", false, true),
    ("**/dir2/**", "dir/dir2/dir3/file", true, true),
    ("**/dir2/**", "dir/dir2/dir3/file/", true, true),
    ("**file", "file", true, true),
    ("**file", "dir/file", true, true),
    ("**/file", "dir/file", true, true),
    ("**file", "dir/dir/file", true, true),
    ("**/file", "dir/dir/file", true, true),
    ("**/file*", "dir/dir/file", true, true),
    ("**/file*", "dir/dir/file.txt", true, true),
    ("**/file*txt", "dir/dir/file.txt", true, true),
    ("**/file*.txt", "dir/dir/file.txt", true, true),
    ("**/file*.txt*", "dir/dir/file.txt", true, true),
    ("**/**/*.txt", "dir/dir/file.txt", true, true),
    ("**/**/*.txt2", "dir/dir/file.txt", false, false),
    ("**/*.txt", "file.txt", true, true),
    ("**/**/*.txt", "file.txt", true, true),
    ("a**/*.txt", "a/file.txt", true, true),
    ("a**/*.txt", "a/dir/file.txt", true, true),
    ("a**/*.txt", "a/dir/dir/file.txt", true, true),
    ("a/*.txt", "a/dir/file.txt", false, false),
    ("a/*.txt", "a/file.txt", true, true),
    ("a/*.txt**", "a/file.txt", true, true),
    ("a[b-d]e", "ae", false, false),
    ("a[b-d]e", "ace", true, true),
    ("a[b-d]e", "aae", false, false),
    ("a[^b-d]e", "aze", true, true),
    (".*", ".foo", true, true),
    (".*", "foo", false, false),
    ("abc.def", "abcdef", false, false),
    ("abc.def", "abc.def", true, true),
    ("abc.def", "abcZdef", false, false),
    ("abc?def", "abcZdef", true, true),
    ("abc?def", "abcdef", false, false),
    ("**/foo/bar", "foo/bar", true, true),
    ("**/foo/bar", "dir/foo/bar", true, true),
    ("**/foo/bar", "dir/dir2/foo/bar", true, true),
    ("abc/**", "abc", false, false),
    ("abc/**", "abc/def", true, true),
    ("abc/**", "abc/def/ghi", true, true),
    ("**/.foo", ".foo", true, true),
    ("**/.foo", "bar.foo", false, false),
    ("a(b)c/def", "a(b)c/def", true, true),
    ("a(b)c/def", "a(b)c/xyz", false, false),
    ("a.|)$(}+{bc", "a.|)$(}+{bc", true, true),
    (
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        true,
        true,
    ),
    (
        "dist/*.whl",
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        true,
        true,
    ),
    ("a\\\\", "a\\", true, true),
    ("a\\*b", "a*b", true, true),
];

#[test]
fn single_patterns() {
    for (pattern, path, exact, or_parent) in SINGLE {
        let matcher = Matcher::new(&[pattern]).unwrap_or_else(|err| panic!("{pattern}: {err}"));
        let own = matcher.patterns_match_path_only(path);
        assert_eq!(own, *exact, "{pattern} on {path} (the path alone)");
        assert_eq!(
            matcher.matches(path).unwrap(),
            *or_parent,
            "{pattern} on {path}"
        );
    }
}

#[test]
fn several_patterns() {
    let cases: &[(&[&str], &str, bool)] = &[
        (&["**", "!util/docker/web"], "util/docker/web/foo", false),
        (
            &["**", "!util/docker/web", "util/docker/web/foo"],
            "util/docker/web/foo",
            true,
        ),
        (
            &[
                "**",
                "!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            ],
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            false,
        ),
        (
            &["**", "!dist/*.whl"],
            "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
            false,
        ),
        (&["*"], "fileutils.go", true),
        (&["*.go"], "fileutils.go", true),
        (&["!fileutils.go", "*.go"], "fileutils.go", true),
        (&["docs", "!docs/README.md"], "docs/README.md", false),
        (&["docs/", "!docs/README.md"], "docs/README.md", false),
        (&["docs/*", "!docs/README.md"], "docs/README.md", false),
        (&["*.go", "!fileutils.go"], "fileutils.go", false),
        (&[], "any/path/there", false),
    ];
    for (patterns, path, expected) in cases {
        let matcher = Matcher::new(patterns).unwrap();
        assert_eq!(
            matcher.matches(path).unwrap(),
            *expected,
            "{patterns:?} on {path}"
        );
    }
    assert!(Matcher::new(&["docs", "  !docs/README.md  "])
        .unwrap()
        .has_exclusions());
    assert!(matches!(Matcher::new(&["!"]), Err(Error::IllegalExclusion)));
}

/// Go's filepath.Match cases as patternmatcher's `Matches` runs them: (pattern, path, matched,
/// bad pattern).
#[test]
fn filepath_match_cases() {
    let cases: &[(&str, &str, bool, bool)] = &[
        ("abc", "abc", true, false),
        ("*", "abc", true, false),
        ("*c", "abc", true, false),
        ("a*", "a", true, false),
        ("a*", "abc", true, false),
        ("a*", "ab/c", true, false),
        ("a*/b", "abc/b", true, false),
        ("a*/b", "a/c/b", false, false),
        ("a*b*c*d*e*/f", "axbxcxdxe/f", true, false),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/f", true, false),
        ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false, false),
        ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false, false),
        ("a*b?c*x", "abxbbxdbxebxczzx", true, false),
        ("a*b?c*x", "abxbbxdbxebxczzy", false, false),
        ("ab[c]", "abc", true, false),
        ("ab[b-d]", "abc", true, false),
        ("ab[e-g]", "abc", false, false),
        ("ab[^c]", "abc", false, false),
        ("ab[^b-d]", "abc", false, false),
        ("ab[^e-g]", "abc", true, false),
        ("a\\*b", "a*b", true, false),
        ("a\\*b", "ab", false, false),
        ("a?b", "a☺b", true, false),
        ("a[^a]b", "a☺b", true, false),
        ("a???b", "a☺b", false, false),
        ("a[^a][^a][^a]b", "a☺b", false, false),
        ("[a-ζ]*", "α", true, false),
        ("*[a-ζ]", "A", false, false),
        ("a?b", "a/b", false, false),
        ("a*b", "a/b", false, false),
        ("[\\]a]", "]", true, false),
        ("[\\-]", "-", true, false),
        ("[x\\-]", "x", true, false),
        ("[x\\-]", "-", true, false),
        ("[x\\-]", "z", false, false),
        ("[\\-x]", "x", true, false),
        ("[\\-x]", "-", true, false),
        ("[\\-x]", "a", false, false),
        ("[]a]", "]", false, true),
        ("[-]", "-", false, true),
        ("[x-]", "x", false, true),
        ("[x-]", "-", false, true),
        ("[x-]", "z", false, true),
        ("[-x]", "x", false, true),
        ("[-x]", "-", false, true),
        ("[-x]", "a", false, true),
        ("\\", "a", false, true),
        ("[a-b-c]", "a", false, true),
        ("[", "a", false, true),
        ("[^", "a", false, true),
        ("[^bc", "a", false, true),
        ("a[", "a", false, true),
        ("a[", "ab", false, true),
        ("*x", "xxx", true, false),
    ];
    for (pattern, path, expected, bad) in cases {
        let result = Matcher::new(&[pattern]).and_then(|m| m.matches_at_depth(&clean(path)));
        match result {
            Ok(matched) => {
                assert!(!bad, "{pattern}: expected a bad pattern");
                assert_eq!(matched, *expected, "{pattern} on {path}");
            }
            Err(Error::BadPattern { .. }) => {
                assert!(bad, "{pattern} on {path}: unexpected bad pattern");
            }
            Err(err) => panic!("{pattern}: {err}"),
        }
    }
}

#[test]
fn reading_the_file() {
    let text =
        "\u{feff}# comment\n  \n/abs\n./rel/../x/\n !  spaced \n#!notexcl\n\tnode_modules\n!\n";
    assert_eq!(
        read_patterns(text),
        ["abs", "x", "!spaced", "node_modules", "!"]
    );
    assert_eq!(read_patterns("/\n"), ["/"]);
}

#[test]
fn clean_paths() {
    let cases = [
        ("", "."),
        ("./a//b/", "a/b"),
        ("/../a", "/a"),
        ("a/../..", ".."),
        ("a/./b/../c", "a/c"),
        ("//", "/"),
    ];
    for (input, expected) in cases {
        assert_eq!(clean(input), expected, "{input}");
    }
}

#[test]
fn which_ignore_file() {
    let present = ["build/Dockerfile.dev.dockerignore", ".dockerignore"];
    let exists = |path: &str| present.contains(&path);
    assert_eq!(
        ignore_file_for("build/Dockerfile.dev", &exists).as_deref(),
        Some("build/Dockerfile.dev.dockerignore")
    );
    assert_eq!(
        ignore_file_for("Dockerfile", &exists).as_deref(),
        Some(".dockerignore")
    );
    assert_eq!(ignore_file_for("Dockerfile", &|_: &str| false), None);
}
