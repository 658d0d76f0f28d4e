//! The grammar alone, with the vectors of distribution's `regexp_test.go` (`TestDomainRegexp`,
//! `TestFullNameRegexp`, `TestReferenceRegexp`, `TestIdentifierRegexp`).

use crate::grammar::{
    is_digest, is_domain, is_identifier, is_path_component, is_tag, match_name, match_reference,
};

#[test]
fn domain_regexp() {
    let cases = [
        ("test.com", true),
        ("test.com:10304", true),
        ("test.com:http", false),
        ("localhost", true),
        ("localhost:8080", true),
        ("a", true),
        ("a.b", true),
        ("ab.cd.com", true),
        ("a-b.com", true),
        ("-ab.com", false),
        ("ab-.com", false),
        ("ab.c-om", true),
        ("ab.-com", false),
        ("ab.com-", false),
        ("0101.com", true),
        ("001a.com", true),
        ("b.gbc.io:443", true),
        ("b.gbc.io", true),
        ("xn--n3h.com", true),
        ("Asdf.com", true),
        ("192.168.1.1:75050", true),
        ("192.168.1.1:750050", true),
        ("[fd00:1:2::3]:75050", true),
        ("[fd00:1:2::3]75050", false),
        ("[fd00:1:2::3]::75050", false),
        ("[fd00:1:2::3%eth0]:75050", false),
        ("[fd00123123123]:75050", true),
        ("[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050", true),
        ("[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:750505", true),
        ("fd00:1:2::3:75050", false),
        // Beyond distribution's table: empty pieces.
        ("", false),
        ("[]", false),
        ("[::1]:", false),
        ("a..b", false),
        ("a.", false),
        ("test.com:", false),
    ];
    for (input, expected) in cases {
        assert_eq!(is_domain(input), expected, "is_domain({input:?})");
    }
}

#[test]
fn full_name_regexp() {
    let long = format!("{}a", "a/".repeat(128));
    let long_path = format!("{}a", "a/".repeat(127));
    let cases: Vec<(&str, Option<(&str, &str)>)> = vec![
        ("", None),
        ("short", Some(("", "short"))),
        ("simple/name", Some(("simple", "name"))),
        ("library/ubuntu", Some(("library", "ubuntu"))),
        ("docker/stevvooe/app", Some(("docker", "stevvooe/app"))),
        (
            "aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb",
            Some(("aa", "aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb")),
        ),
        ("aa/aa/bb/bb/bb", Some(("aa", "aa/bb/bb/bb"))),
        ("a/a/a/a", Some(("a", "a/a/a"))),
        ("a/a/a/a/", None),
        ("a//a/a", None),
        ("a", Some(("", "a"))),
        ("a/aa", Some(("a", "aa"))),
        ("a/aa/a", Some(("a", "aa/a"))),
        ("foo.com", Some(("", "foo.com"))),
        ("foo.com/", None),
        ("foo.com:8080/bar", Some(("foo.com:8080", "bar"))),
        ("foo.com:http/bar", None),
        ("foo.com/bar", Some(("foo.com", "bar"))),
        ("foo.com/bar/baz", Some(("foo.com", "bar/baz"))),
        ("localhost:8080/bar", Some(("localhost:8080", "bar"))),
        (
            "sub-dom1.foo.com/bar/baz/quux",
            Some(("sub-dom1.foo.com", "bar/baz/quux")),
        ),
        ("blog.foo.com/bar/baz", Some(("blog.foo.com", "bar/baz"))),
        ("a^a", None),
        ("aa/asdf$$^/aa", None),
        ("asdf$$^/aa", None),
        ("aa-a/a", Some(("aa-a", "a"))),
        (&long, Some(("a", &long_path))),
        ("a-/a/a/a", None),
        ("foo.com/a-/a/a", None),
        ("-foo/bar", None),
        ("foo/bar-", None),
        ("foo-/bar", None),
        ("foo/-bar", None),
        ("_foo/bar", None),
        ("foo_bar", Some(("", "foo_bar"))),
        ("foo_bar.com", Some(("", "foo_bar.com"))),
        ("foo_bar.com:8080", None),
        ("foo_bar.com:8080/app", None),
        ("foo.com/foo_bar", Some(("foo.com", "foo_bar"))),
        ("____/____", None),
        ("_docker/_docker", None),
        ("docker_/docker_", None),
        (
            "b.gcr.io/test.example.com/my-app",
            Some(("b.gcr.io", "test.example.com/my-app")),
        ),
        ("xn--n3h.com/myimage", Some(("xn--n3h.com", "myimage"))),
        ("xn--7o8h.com/myimage", Some(("xn--7o8h.com", "myimage"))),
        (
            "example.com/xn--7o8h.com/myimage",
            Some(("example.com", "xn--7o8h.com/myimage")),
        ),
        (
            "example.com/some_separator__underscore/myimage",
            Some(("example.com", "some_separator__underscore/myimage")),
        ),
        ("example.com/__underscore/myimage", None),
        ("example.com/..dots/myimage", None),
        ("example.com/.dots/myimage", None),
        ("example.com/nodouble..dots/myimage", None),
        ("docker./docker", None),
        (".docker/docker", None),
        ("docker-/docker", None),
        ("-docker/docker", None),
        ("do..cker/docker", None),
        ("do__cker:8080/docker", None),
        ("do__cker/docker", Some(("", "do__cker/docker"))),
        (
            "registry.io/foo/project--id.module--name.ver---sion--name",
            Some((
                "registry.io",
                "foo/project--id.module--name.ver---sion--name",
            )),
        ),
        ("Asdf.com/foo/bar", Some(("Asdf.com", "foo/bar"))),
        ("Foo/FarB", None),
    ];
    for (input, expected) in cases {
        let actual = match_name(input).map(|(domain, path)| (domain.unwrap_or(""), path));
        assert_eq!(actual, expected, "match_name({input:?})");
    }
}

#[test]
fn reference_regexp() {
    let longest_tag = "t".repeat(128);
    let digest = "sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912";
    // (input, [name, tag, digest] or no match)
    let cases: Vec<(String, Option<[&str; 3]>)> = vec![
        (
            "registry.com:8080/myapp:tag".into(),
            Some(["registry.com:8080/myapp", "tag", ""]),
        ),
        (
            format!("registry.com:8080/myapp@{digest}"),
            Some(["registry.com:8080/myapp", "", digest]),
        ),
        (
            format!("registry.com:8080/myapp:tag2@{digest}"),
            Some(["registry.com:8080/myapp", "tag2", digest]),
        ),
        ("registry.com:8080/myapp@sha256:badbadbadbad".into(), None),
        ("registry.com:8080/myapp:invalid~tag".into(), None),
        ("bad_hostname.com:8080/myapp:tag".into(), None),
        // `localhost` alone is a name, and 8080 its tag.
        (
            format!("localhost:8080@{digest}"),
            Some(["localhost", "8080", digest]),
        ),
        (
            format!("localhost:8080/name@{digest}"),
            Some(["localhost:8080/name", "", digest]),
        ),
        (format!("localhost:http/name@{digest}"), None),
        (
            format!("localhost@{digest}"),
            Some(["localhost", "", digest]),
        ),
        ("registry.com:8080/myapp@bad".into(), None),
        ("registry.com:8080/myapp@2bad".into(), None),
        // Beyond distribution's table.
        ("name:".into(), None),
        ("name@".into(), None),
        ("name@sha256:".into(), None),
        (format!("name@{digest}@{digest}"), None),
        (format!("name:tag:tag@{digest}"), None),
        (
            format!("name:{}", "t".repeat(128)),
            Some(["name", &longest_tag, ""]),
        ),
        (format!("name:{}", "t".repeat(129)), None),
    ];
    for (input, expected) in cases {
        let actual = match_reference(&input).map(|parts| {
            let name = match parts.domain {
                Some(domain) => format!("{domain}/{}", parts.path),
                None => parts.path.to_owned(),
            };
            [
                name,
                parts.tag.unwrap_or("").to_owned(),
                parts.digest.unwrap_or("").to_owned(),
            ]
        });
        let expected = expected.map(|parts| parts.map(str::to_owned));
        assert_eq!(actual, expected, "match_reference({input:?})");
    }
}

#[test]
fn identifier_regexp() {
    let cases = [
        (
            "da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf9821",
            true,
        ),
        (
            "7EC43B381E5AEFE6E04EFB0B3F0693FF2A4A50652D64AEC573905F2DB5889A1C",
            false,
        ),
        (
            "da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf",
            false,
        ),
        (
            "sha256:da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf9821",
            false,
        ),
        (
            "da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf98218482",
            false,
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(is_identifier(input), expected, "is_identifier({input:?})");
        assert_eq!(crate::is_full_id(input), expected, "is_full_id({input:?})");
    }
}

#[test]
fn path_components() {
    let cases = [
        ("a", true),
        ("a.b", true),
        ("a_b", true),
        ("a__b", true),
        ("a___b", false),
        ("a-b", true),
        ("a---b", true),
        ("a._b", false),
        ("a-_b", false),
        ("a..b", false),
        ("a.", false),
        (".a", false),
        ("A", false),
        ("", false),
        ("a/b", false),
        ("0", true),
    ];
    for (input, expected) in cases {
        assert_eq!(
            is_path_component(input),
            expected,
            "is_path_component({input:?})"
        );
    }
}

#[test]
fn tags_and_digests() {
    let tags = [
        ("latest", true),
        ("_", true),
        ("14.04", true),
        ("v1.0-rc_1", true),
        ("Uppercase", true),
        (".hidden", false),
        ("-dash", false),
        ("", false),
        ("a:b", false),
        ("a/b", false),
        ("é", false),
    ];
    for (input, expected) in tags {
        assert_eq!(is_tag(input), expected, "is_tag({input:?})");
    }
    let f32 = "f".repeat(32);
    let digests = [
        (format!("sha256:{f32}"), true),
        (format!("SHA256:{}", "F".repeat(32)), true),
        (format!("sha256+b64u.x_y-z:{f32}"), true),
        (format!("sha256:{}", "f".repeat(31)), false),
        (format!("256:{f32}"), false),
        (format!("sha-256:{f32}"), false),
        (format!(":{f32}"), false),
        (format!("sha256:{f32}g"), false),
        ("sha256".to_owned(), false),
    ];
    for (input, expected) in digests {
        assert_eq!(is_digest(&input), expected, "is_digest({input:?})");
    }
}
