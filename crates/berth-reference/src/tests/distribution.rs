//! The published vectors of distribution/reference (v0.6.0): `reference_test.go` and
//! `normalize_test.go`, with the outputs Docker's `ParseNormalizedNamed` gives for each input.

use super::{check, check_raw, SHA256_F};
use crate::{familiar_match, try_familiar_match, AnyReference, Digest, Error, Reference};

const INVALID: &str = "invalid reference format";
const UPPERCASE: &str = "repository name must be lowercase";
const TOO_LONG: &str = "repository name must not be more than 255 characters";
const EMPTY: &str = "repository name must have at least one component";

/// `TestReferenceParse`: distribution's `Parse`, which does not normalize.
#[test]
fn reference_parse_raw() {
    let long_path_ok = format!("{}a", "a/".repeat(127));
    let long_name_ok = format!("example.com/{}", "a".repeat(255));
    let sha512_f = format!("sha512:{}", "f".repeat(128));
    let cases: Vec<(String, Result<[&str; 4], &str>)> = vec![
        ("test_com".into(), Ok(["", "test_com", "", ""])),
        ("test.com:tag".into(), Ok(["", "test.com", "tag", ""])),
        ("test.com:5000".into(), Ok(["", "test.com", "5000", ""])),
        (
            "test.com/repo:tag".into(),
            Ok(["test.com", "test.com/repo", "tag", ""]),
        ),
        (
            "test:5000/repo".into(),
            Ok(["test:5000", "test:5000/repo", "", ""]),
        ),
        (
            "test:5000/repo:tag".into(),
            Ok(["test:5000", "test:5000/repo", "tag", ""]),
        ),
        (
            format!("test:5000/repo@{SHA256_F}"),
            Ok(["test:5000", "test:5000/repo", "", SHA256_F]),
        ),
        (
            format!("test:5000/repo:tag@{SHA256_F}"),
            Ok(["test:5000", "test:5000/repo", "tag", SHA256_F]),
        ),
        (String::new(), Err(EMPTY)),
        (":justtag".into(), Err(INVALID)),
        (format!("@{SHA256_F}"), Err(INVALID)),
        (
            format!("repo@sha256:{}", "f".repeat(34)),
            Err("invalid checksum digest length for sha256: expected 64 hex characters, got 34"),
        ),
        (
            format!("validname@invaliddigest:{}", "f".repeat(64)),
            Err("unsupported digest algorithm: \"invaliddigest\""),
        ),
        ("Uppercase:tag".into(), Err(UPPERCASE)),
        ("test:5000/Uppercase/lowercase:tag".into(), Err(UPPERCASE)),
        (
            "lowercase:Uppercase".into(),
            Ok(["", "lowercase", "Uppercase", ""]),
        ),
        (format!("domain/{}:tag", "a".repeat(256)), Err(TOO_LONG)),
        (
            format!("{long_path_ok}:tag-puts-this-over-max"),
            Ok(["a", &long_path_ok, "tag-puts-this-over-max", ""]),
        ),
        ("aa/asdf$$^/aa".into(), Err(INVALID)),
        (
            "sub-dom1.foo.com/bar/baz/quux".into(),
            Ok(["sub-dom1.foo.com", "sub-dom1.foo.com/bar/baz/quux", "", ""]),
        ),
        (
            "sub-dom1.foo.com/bar/baz/quux:some-long-tag".into(),
            Ok([
                "sub-dom1.foo.com",
                "sub-dom1.foo.com/bar/baz/quux",
                "some-long-tag",
                "",
            ]),
        ),
        (
            "b.gcr.io/test.example.com/my-app:test.example.com".into(),
            Ok([
                "b.gcr.io",
                "b.gcr.io/test.example.com/my-app",
                "test.example.com",
                "",
            ]),
        ),
        (
            "xn--n3h.com/myimage:xn--n3h.com".into(),
            Ok(["xn--n3h.com", "xn--n3h.com/myimage", "xn--n3h.com", ""]),
        ),
        (
            format!("xn--7o8h.com/myimage:xn--7o8h.com@{SHA256_F}"),
            Ok([
                "xn--7o8h.com",
                "xn--7o8h.com/myimage",
                "xn--7o8h.com",
                SHA256_F,
            ]),
        ),
        (
            "foo_bar.com:8080".into(),
            Ok(["", "foo_bar.com", "8080", ""]),
        ),
        (
            "foo/foo_bar.com:8080".into(),
            Ok(["foo", "foo/foo_bar.com", "8080", ""]),
        ),
        ("192.168.1.1".into(), Ok(["", "192.168.1.1", "", ""])),
        ("192.168.1.1:tag".into(), Ok(["", "192.168.1.1", "tag", ""])),
        (
            "192.168.1.1:5000".into(),
            Ok(["", "192.168.1.1", "5000", ""]),
        ),
        (
            "192.168.1.1/repo".into(),
            Ok(["192.168.1.1", "192.168.1.1/repo", "", ""]),
        ),
        (
            "192.168.1.1:5000/repo".into(),
            Ok(["192.168.1.1:5000", "192.168.1.1:5000/repo", "", ""]),
        ),
        (
            "192.168.1.1:5000/repo:5050".into(),
            Ok(["192.168.1.1:5000", "192.168.1.1:5000/repo", "5050", ""]),
        ),
        ("[2001:db8::1]".into(), Err(INVALID)),
        ("[2001:db8::1]:5000".into(), Err(INVALID)),
        ("[2001:db8::1]:tag".into(), Err(INVALID)),
        (
            "[2001:db8::1]/repo".into(),
            Ok(["[2001:db8::1]", "[2001:db8::1]/repo", "", ""]),
        ),
        (
            "[2001:db8:1:2:3:4:5:6]/repo:tag".into(),
            Ok([
                "[2001:db8:1:2:3:4:5:6]",
                "[2001:db8:1:2:3:4:5:6]/repo",
                "tag",
                "",
            ]),
        ),
        (
            "[2001:db8::1]:5000/repo".into(),
            Ok(["[2001:db8::1]:5000", "[2001:db8::1]:5000/repo", "", ""]),
        ),
        (
            "[2001:db8::1]:5000/repo:tag".into(),
            Ok(["[2001:db8::1]:5000", "[2001:db8::1]:5000/repo", "tag", ""]),
        ),
        (
            format!("[2001:db8::1]:5000/repo@{SHA256_F}"),
            Ok([
                "[2001:db8::1]:5000",
                "[2001:db8::1]:5000/repo",
                "",
                SHA256_F,
            ]),
        ),
        (
            format!("[2001:db8::1]:5000/repo:tag@{SHA256_F}"),
            Ok([
                "[2001:db8::1]:5000",
                "[2001:db8::1]:5000/repo",
                "tag",
                SHA256_F,
            ]),
        ),
        (
            "[2001:db8::]:5000/repo".into(),
            Ok(["[2001:db8::]:5000", "[2001:db8::]:5000/repo", "", ""]),
        ),
        (
            "[::1]:5000/repo".into(),
            Ok(["[::1]:5000", "[::1]:5000/repo", "", ""]),
        ),
        ("[fe80::1%eth0]:5000/repo".into(), Err(INVALID)),
        ("[fe80::1%@invalidzone]:5000/repo".into(), Err(INVALID)),
        (
            format!("example.com/{}:tag", "a".repeat(255)),
            Ok(["example.com", &long_name_ok, "tag", ""]),
        ),
        // berth difference: distribution's test binary does not register sha512; berth supports it.
        (
            format!("validname@sha512:{}", "f".repeat(128)),
            Ok(["", "validname", "", &sha512_f]),
        ),
    ];
    for (input, expected) in cases {
        check_raw(&input, expected);
    }
}

/// `TestReferenceParse`'s inputs through `ParseNormalizedNamed`, as `docker pull` sees them.
#[test]
fn reference_parse_normalized() {
    let long_path_ok = format!("{}a", "a/".repeat(127));
    let cases: Vec<(String, Result<String, &str>)> = vec![
        ("test_com".into(), Ok("docker.io/library/test_com".into())),
        (
            "test.com:tag".into(),
            Ok("docker.io/library/test.com:tag".into()),
        ),
        (
            "test.com:5000".into(),
            Ok("docker.io/library/test.com:5000".into()),
        ),
        ("test.com/repo:tag".into(), Ok("test.com/repo:tag".into())),
        ("test:5000/repo".into(), Ok("test:5000/repo".into())),
        ("test:5000/repo:tag".into(), Ok("test:5000/repo:tag".into())),
        (
            format!("test:5000/repo@{SHA256_F}"),
            Ok(format!("test:5000/repo@{SHA256_F}")),
        ),
        (
            format!("test:5000/repo:tag@{SHA256_F}"),
            Ok(format!("test:5000/repo:tag@{SHA256_F}")),
        ),
        (String::new(), Err(INVALID)),
        (":justtag".into(), Err(INVALID)),
        (format!("@{SHA256_F}"), Err(INVALID)),
        (
            format!("repo@sha256:{}", "f".repeat(34)),
            Err("invalid checksum digest length for sha256: expected 64 hex characters, got 34"),
        ),
        (
            format!("validname@invaliddigest:{}", "f".repeat(64)),
            Err("unsupported digest algorithm: \"invaliddigest\""),
        ),
        (
            "Uppercase:tag".into(),
            Err("invalid reference format: repository name (library/Uppercase) must be lowercase"),
        ),
        (
            "test:5000/Uppercase/lowercase:tag".into(),
            Err(
                "invalid reference format: repository name (Uppercase/lowercase) must be lowercase",
            ),
        ),
        (
            "lowercase:Uppercase".into(),
            Ok("docker.io/library/lowercase:Uppercase".into()),
        ),
        (format!("domain/{}:tag", "a".repeat(256)), Err(TOO_LONG)),
        // The path is exactly 255 characters; `a` is not a domain, so it lands on Docker Hub.
        (
            format!("{long_path_ok}:tag-puts-this-over-max"),
            Ok(format!("docker.io/{long_path_ok}:tag-puts-this-over-max")),
        ),
        ("aa/asdf$$^/aa".into(), Err(INVALID)),
        (
            "sub-dom1.foo.com/bar/baz/quux".into(),
            Ok("sub-dom1.foo.com/bar/baz/quux".into()),
        ),
        (
            "sub-dom1.foo.com/bar/baz/quux:some-long-tag".into(),
            Ok("sub-dom1.foo.com/bar/baz/quux:some-long-tag".into()),
        ),
        (
            "b.gcr.io/test.example.com/my-app:test.example.com".into(),
            Ok("b.gcr.io/test.example.com/my-app:test.example.com".into()),
        ),
        (
            "xn--n3h.com/myimage:xn--n3h.com".into(),
            Ok("xn--n3h.com/myimage:xn--n3h.com".into()),
        ),
        (
            format!("xn--7o8h.com/myimage:xn--7o8h.com@{SHA256_F}"),
            Ok(format!("xn--7o8h.com/myimage:xn--7o8h.com@{SHA256_F}")),
        ),
        (
            "foo_bar.com:8080".into(),
            Ok("docker.io/library/foo_bar.com:8080".into()),
        ),
        (
            "foo/foo_bar.com:8080".into(),
            Ok("docker.io/foo/foo_bar.com:8080".into()),
        ),
        (
            "192.168.1.1".into(),
            Ok("docker.io/library/192.168.1.1".into()),
        ),
        (
            "192.168.1.1:tag".into(),
            Ok("docker.io/library/192.168.1.1:tag".into()),
        ),
        (
            "192.168.1.1:5000".into(),
            Ok("docker.io/library/192.168.1.1:5000".into()),
        ),
        ("192.168.1.1/repo".into(), Ok("192.168.1.1/repo".into())),
        (
            "192.168.1.1:5000/repo".into(),
            Ok("192.168.1.1:5000/repo".into()),
        ),
        (
            "192.168.1.1:5000/repo:5050".into(),
            Ok("192.168.1.1:5000/repo:5050".into()),
        ),
        ("[2001:db8::1]".into(), Err(INVALID)),
        ("[2001:db8::1]:5000".into(), Err(INVALID)),
        ("[2001:db8::1]:tag".into(), Err(INVALID)),
        ("[2001:db8::1]/repo".into(), Ok("[2001:db8::1]/repo".into())),
        (
            "[2001:db8:1:2:3:4:5:6]/repo:tag".into(),
            Ok("[2001:db8:1:2:3:4:5:6]/repo:tag".into()),
        ),
        (
            "[2001:db8::1]:5000/repo".into(),
            Ok("[2001:db8::1]:5000/repo".into()),
        ),
        (
            "[2001:db8::1]:5000/repo:tag".into(),
            Ok("[2001:db8::1]:5000/repo:tag".into()),
        ),
        (
            format!("[2001:db8::1]:5000/repo@{SHA256_F}"),
            Ok(format!("[2001:db8::1]:5000/repo@{SHA256_F}")),
        ),
        (
            format!("[2001:db8::1]:5000/repo:tag@{SHA256_F}"),
            Ok(format!("[2001:db8::1]:5000/repo:tag@{SHA256_F}")),
        ),
        (
            "[2001:db8::]:5000/repo".into(),
            Ok("[2001:db8::]:5000/repo".into()),
        ),
        ("[::1]:5000/repo".into(), Ok("[::1]:5000/repo".into())),
        ("[fe80::1%eth0]:5000/repo".into(), Err(INVALID)),
        ("[fe80::1%@invalidzone]:5000/repo".into(), Err(INVALID)),
        (
            format!("example.com/{}:tag", "a".repeat(255)),
            Ok(format!("example.com/{}:tag", "a".repeat(255))),
        ),
    ];
    for (input, expected) in cases {
        check(&input, expected.as_deref().map_err(|e| *e));
    }
}

/// `TestValidateReferenceName`.
#[test]
fn validate_reference_name() {
    let hex = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";
    let docker_io_hex = format!("docker.io/{hex}");
    let docker_io_library_hex = format!("docker.io/library/{hex}");
    let hex_error =
        format!("invalid repository name ({hex}), cannot specify 64-byte hexadecimal strings");
    let song = "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev";
    let song_normalized = format!("docker.io/library/{song}");
    let cases: Vec<(&str, Result<&str, &str>)> = vec![
        ("docker/docker", Ok("docker.io/docker/docker")),
        ("library/debian", Ok("docker.io/library/debian")),
        ("debian", Ok("docker.io/library/debian")),
        ("localhost/library/debian", Ok("localhost/library/debian")),
        ("localhost/debian", Ok("localhost/debian")),
        // distribution v3 takes an uppercase first component for a host; Docker 20.10 does not.
        (
            "LOCALDOMAIN/library/debian",
            Err("invalid reference format: repository name (LOCALDOMAIN/library/debian) must be lowercase"),
        ),
        (
            "LOCALDOMAIN/debian",
            Err("invalid reference format: repository name (LOCALDOMAIN/debian) must be lowercase"),
        ),
        ("docker.io/docker/docker", Ok("docker.io/docker/docker")),
        ("docker.io/library/debian", Ok("docker.io/library/debian")),
        ("docker.io/debian", Ok("docker.io/library/debian")),
        (
            "index.docker.io/docker/docker",
            Ok("docker.io/docker/docker"),
        ),
        (
            "index.docker.io/library/debian",
            Ok("docker.io/library/debian"),
        ),
        ("index.docker.io/debian", Ok("docker.io/library/debian")),
        (
            "127.0.0.1:5000/docker/docker",
            Ok("127.0.0.1:5000/docker/docker"),
        ),
        (
            "127.0.0.1:5000/library/debian",
            Ok("127.0.0.1:5000/library/debian"),
        ),
        ("127.0.0.1:5000/debian", Ok("127.0.0.1:5000/debian")),
        ("192.168.0.1", Ok("docker.io/library/192.168.0.1")),
        ("192.168.0.1:80", Ok("docker.io/library/192.168.0.1:80")),
        ("192.168.0.1:8/debian", Ok("192.168.0.1:8/debian")),
        ("192.168.0.2:25000/debian", Ok("192.168.0.2:25000/debian")),
        (song, Ok(&song_normalized)),
        ("[fc00::1]:5000/docker", Ok("[fc00::1]:5000/docker")),
        (
            "[fc00::1]:5000/docker/docker",
            Ok("[fc00::1]:5000/docker/docker"),
        ),
        (
            "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
            Ok("[fc00:1:2:3:4:5:6:7]:5000/library/debian"),
        ),
        // With a host in front, 64 hex characters are a name, not an ID.
        (&docker_io_hex, Ok(&docker_io_library_hex)),
        (
            "Docker/docker",
            Err("invalid reference format: repository name (Docker/docker) must be lowercase"),
        ),
        (
            "DOCKER/docker",
            Err("invalid reference format: repository name (DOCKER/docker) must be lowercase"),
        ),
        ("https://github.com/docker/docker", Err(INVALID)),
        (
            "docker/Docker",
            Err("invalid reference format: repository name (docker/Docker) must be lowercase"),
        ),
        ("-docker", Err(INVALID)),
        ("-docker/docker", Err(INVALID)),
        ("-docker.io/docker/docker", Err(INVALID)),
        ("docker///docker", Err(INVALID)),
        (
            "docker.io/docker/Docker",
            Err("invalid reference format: repository name (docker/Docker) must be lowercase"),
        ),
        ("docker.io/docker///docker", Err(INVALID)),
        ("[fc00::1]", Err(INVALID)),
        ("[fc00::1]:5000", Err(INVALID)),
        ("fc00::1:5000/debian", Err(INVALID)),
        ("[fe80::1%eth0]:5000/debian", Err(INVALID)),
        ("[2001:db8:3:4::192.0.2.33]:5000/debian", Err(INVALID)),
        (hex, Err(&hex_error)),
    ];
    for (input, expected) in cases {
        check(input, expected);
    }
}

/// `TestValidateRemoteName`.
#[test]
fn validate_remote_name() {
    let hex = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";
    let hex_error =
        format!("invalid repository name ({hex}), cannot specify 64-byte hexadecimal strings");
    let song = "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev";
    let song_normalized = format!("docker.io/library/{song}");
    let phrase = "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255";
    let long_namespace = format!("{phrase}_{phrase}_{phrase}_{phrase}/docker");
    let cases: Vec<(&str, Result<&str, &str>)> = vec![
        ("docker/docker", Ok("docker.io/docker/docker")),
        (song, Ok(&song_normalized)),
        ("docker-rules/docker", Ok("docker.io/docker-rules/docker")),
        (
            "docker---rules/docker",
            Ok("docker.io/docker---rules/docker"),
        ),
        ("doc/docker", Ok("docker.io/doc/docker")),
        ("d/docker", Ok("docker.io/d/docker")),
        ("jess/t", Ok("docker.io/jess/t")),
        ("dock__er/docker", Ok("docker.io/dock__er/docker")),
        (
            "docker/Docker",
            Err("invalid reference format: repository name (docker/Docker) must be lowercase"),
        ),
        ("docker///docker", Err(INVALID)),
        (hex, Err(&hex_error)),
        ("-docker/docker", Err(INVALID)),
        ("docker-/docker", Err(INVALID)),
        ("-docker-/docker", Err(INVALID)),
        ("____/____", Err(INVALID)),
        ("_docker/_docker", Err(INVALID)),
        ("dock..er/docker", Err(INVALID)),
        ("dock_.er/docker", Err(INVALID)),
        ("dock-.er/docker", Err(INVALID)),
        ("docker/", Err(INVALID)),
        (&long_namespace, Err(TOO_LONG)),
    ];
    for (input, expected) in cases {
        check(input, expected);
    }
}

/// `TestParseRepositoryInfo`: every spelling of a repository gives the same familiar name, full
/// name, domain and path.
#[test]
fn parse_repository_info() {
    // (path, familiar name, full name, ambiguous spelling or "", domain)
    let cases = [
        (
            "fooo",
            "localhost/fooo",
            "localhost/fooo",
            "localhost/fooo",
            "localhost",
        ),
        (
            "fooo/bar",
            "localhost/fooo/bar",
            "localhost/fooo/bar",
            "localhost/fooo/bar",
            "localhost",
        ),
        (
            "fooo/bar",
            "fooo/bar",
            "docker.io/fooo/bar",
            "index.docker.io/fooo/bar",
            "docker.io",
        ),
        (
            "library/ubuntu",
            "ubuntu",
            "docker.io/library/ubuntu",
            "library/ubuntu",
            "docker.io",
        ),
        (
            "nonlibrary/ubuntu",
            "nonlibrary/ubuntu",
            "docker.io/nonlibrary/ubuntu",
            "",
            "docker.io",
        ),
        (
            "other/library",
            "other/library",
            "docker.io/other/library",
            "",
            "docker.io",
        ),
        (
            "private/moonbase",
            "127.0.0.1:8000/private/moonbase",
            "127.0.0.1:8000/private/moonbase",
            "",
            "127.0.0.1:8000",
        ),
        (
            "privatebase",
            "127.0.0.1:8000/privatebase",
            "127.0.0.1:8000/privatebase",
            "",
            "127.0.0.1:8000",
        ),
        (
            "private/moonbase",
            "example.com/private/moonbase",
            "example.com/private/moonbase",
            "",
            "example.com",
        ),
        (
            "privatebase",
            "example.com/privatebase",
            "example.com/privatebase",
            "",
            "example.com",
        ),
        (
            "private/moonbase",
            "example.com:8000/private/moonbase",
            "example.com:8000/private/moonbase",
            "",
            "example.com:8000",
        ),
        (
            "privatebasee",
            "example.com:8000/privatebasee",
            "example.com:8000/privatebasee",
            "",
            "example.com:8000",
        ),
        (
            "library/ubuntu-12.04-base",
            "ubuntu-12.04-base",
            "docker.io/library/ubuntu-12.04-base",
            "index.docker.io/library/ubuntu-12.04-base",
            "docker.io",
        ),
        (
            "library/foo",
            "foo",
            "docker.io/library/foo",
            "docker.io/foo",
            "docker.io",
        ),
        (
            "library/foo/bar",
            "library/foo/bar",
            "docker.io/library/foo/bar",
            "",
            "docker.io",
        ),
        (
            "store/foo/bar",
            "store/foo/bar",
            "docker.io/store/foo/bar",
            "",
            "docker.io",
        ),
    ];
    for (path, familiar_name, full_name, ambiguous_name, domain) in cases {
        for input in [familiar_name, full_name, ambiguous_name]
            .into_iter()
            .filter(|s| !s.is_empty())
        {
            let reference =
                Reference::parse_normalized(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            let actual = (
                reference.familiar_name(),
                reference.to_string(),
                reference.domain(),
                reference.path(),
            );
            assert_eq!(
                actual,
                (familiar_name.to_owned(), full_name.to_owned(), domain, path),
                "{input:?}"
            );
            assert_eq!(reference.name(), full_name, "{input:?}");
        }
    }
}

/// `TestParseReferenceWithTagAndDigest`.
#[test]
fn parse_reference_with_tag_and_digest() {
    let short =
        "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
    let reference = Reference::parse_normalized(short).unwrap();
    assert_eq!(reference.to_string(), format!("docker.io/library/{short}"));
    assert_eq!(reference.tag(), Some("latest"));
    assert_eq!(
        reference.digest().map(ToString::to_string).as_deref(),
        Some("sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa")
    );
    assert_eq!(reference.familiar_string(), short);
}

/// `TestInvalidReferenceComponents`. (`WithDigest(ref, "foo")` cannot be written: `with_digest`
/// takes a [`Digest`], and `foo` does not parse as one.)
#[test]
fn invalid_reference_components() {
    check("-foo", Err(INVALID));
    let busybox = Reference::parse_normalized("busybox").unwrap();
    assert_eq!(busybox.with_tag("-foo"), Err(Error::InvalidTag));
    assert!(Digest::parse("foo").is_err());
}

/// `TestNormalizedSplitHostname`.
#[test]
fn normalized_split_hostname() {
    let cases = [
        ("test.com/foo", "test.com", "foo"),
        ("test_com/foo", "docker.io", "test_com/foo"),
        ("docker/migrator", "docker.io", "docker/migrator"),
        ("test.com:8080/foo", "test.com:8080", "foo"),
        ("test-com:8080/foo", "test-com:8080", "foo"),
        ("foo", "docker.io", "library/foo"),
        ("xn--n3h.com/foo", "xn--n3h.com", "foo"),
        ("xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo"),
        ("docker.io/foo", "docker.io", "library/foo"),
        ("docker.io/library/foo", "docker.io", "library/foo"),
        ("docker.io/library/foo/bar", "docker.io", "library/foo/bar"),
    ];
    for (input, domain, path) in cases {
        let reference =
            Reference::parse_normalized(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(
            (reference.domain(), reference.path()),
            (domain, path),
            "{input:?}"
        );
    }
}

/// `TestParseAnyReference`.
#[test]
fn parse_any_reference() {
    let hex = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";
    let cases: Vec<(String, String, bool)> = vec![
        ("redis".into(), "docker.io/library/redis".into(), false),
        (
            "redis:latest".into(),
            "docker.io/library/redis:latest".into(),
            false,
        ),
        (
            "docker.io/library/redis:latest".into(),
            "docker.io/library/redis:latest".into(),
            false,
        ),
        (
            format!("redis@sha256:{hex}"),
            format!("docker.io/library/redis@sha256:{hex}"),
            false,
        ),
        (
            format!("docker.io/library/redis@sha256:{hex}"),
            format!("docker.io/library/redis@sha256:{hex}"),
            false,
        ),
        (
            "dmcgowan/myapp".into(),
            "docker.io/dmcgowan/myapp".into(),
            false,
        ),
        (
            "dmcgowan/myapp:latest".into(),
            "docker.io/dmcgowan/myapp:latest".into(),
            false,
        ),
        (
            "docker.io/mcgowan/myapp:latest".into(),
            "docker.io/mcgowan/myapp:latest".into(),
            false,
        ),
        (
            format!("dmcgowan/myapp@sha256:{hex}"),
            format!("docker.io/dmcgowan/myapp@sha256:{hex}"),
            false,
        ),
        (
            format!("docker.io/dmcgowan/myapp@sha256:{hex}"),
            format!("docker.io/dmcgowan/myapp@sha256:{hex}"),
            false,
        ),
        (hex.into(), format!("sha256:{hex}"), true),
        (format!("sha256:{hex}"), format!("sha256:{hex}"), true),
        (
            hex[..63].into(),
            format!("docker.io/library/{}", &hex[..63]),
            false,
        ),
        ("dbcc1".into(), "docker.io/library/dbcc1".into(), false),
    ];
    for (input, equivalent, is_digest) in cases {
        let any = AnyReference::parse(&input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(any.to_string(), equivalent, "{input:?}");
        assert_eq!(
            matches!(any, AnyReference::Digest(_)),
            is_digest,
            "{input:?}"
        );
        if let AnyReference::Named(reference) = any {
            assert_eq!(Ok(reference), Reference::parse(&equivalent), "{input:?}");
        }
    }
}

/// `TestParseDockerRef`.
#[test]
fn parse_docker_ref() {
    let digest = "sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582";
    let cases: Vec<(String, String)> = vec![
        ("busybox".into(), "docker.io/library/busybox:latest".into()),
        (
            "busybox:latest".into(),
            "docker.io/library/busybox:latest".into(),
        ),
        (
            format!("busybox@{digest}"),
            format!("docker.io/library/busybox@{digest}"),
        ),
        (
            "library/busybox".into(),
            "docker.io/library/busybox:latest".into(),
        ),
        (
            "docker.io/busybox".into(),
            "docker.io/library/busybox:latest".into(),
        ),
        (
            "docker.io/library/busybox".into(),
            "docker.io/library/busybox:latest".into(),
        ),
        (
            "docker.io/busybox:latest".into(),
            "docker.io/library/busybox:latest".into(),
        ),
        (
            "library/busybox:latest".into(),
            "docker.io/library/busybox:latest".into(),
        ),
        (
            "docker.io/library/busybox:latest".into(),
            "docker.io/library/busybox:latest".into(),
        ),
        (
            "gcr.io/library/busybox".into(),
            "gcr.io/library/busybox:latest".into(),
        ),
        (
            format!("gcr.io/library/busybox:latest@{digest}"),
            format!("gcr.io/library/busybox@{digest}"),
        ),
    ];
    for (input, expected) in cases {
        let reference =
            Reference::parse_docker_ref(&input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(reference.to_string(), expected, "{input:?}");
        assert_eq!(Reference::parse(&expected), Ok(reference), "{input:?}");
    }
}

/// `TestMatchError`: a malformed pattern is an error, not a silent mismatch.
#[test]
fn match_error() {
    let foo = Reference::parse_normalized("foo").unwrap();
    assert_eq!(try_familiar_match("[-x]", &foo), Err(Error::BadPattern));
    assert!(!familiar_match("[-x]", &foo));
}

/// `TestMatch`.
#[test]
fn familiar_match_vectors() {
    let cases = [
        ("foo", "foo/**/ba[rz]", false),
        ("foo/any/bat", "foo/**/ba[rz]", false),
        ("foo/a/bar", "foo/**/ba[rz]", true),
        ("foo/b/baz", "foo/**/ba[rz]", true),
        ("foo/c/baz:tag", "foo/**/ba[rz]", true),
        ("foo/c/baz:tag", "foo/*/baz:tag", true),
        ("foo/c/baz:tag", "foo/c/baz:tag", true),
        ("example.com/foo/c/baz:tag", "*/foo/c/baz", true),
        ("example.com/foo/c/baz:tag", "example.com/foo/c/baz", true),
    ];
    for (input, pattern, expected) in cases {
        let reference = Reference::parse_normalized(input).unwrap();
        assert_eq!(
            try_familiar_match(pattern, &reference),
            Ok(expected),
            "{pattern:?} against {input:?}"
        );
    }
}
