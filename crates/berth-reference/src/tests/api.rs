//! The public API beyond distribution's tables: builders, familiar forms, canonical-only parsing,
//! the security checklist's reference items, and Docker's quirks that berth keeps on purpose.

use super::{check, SHA256_F};
use crate::{
    validate_tag, Digest, Error, Reference, DEFAULT_DOMAIN, DEFAULT_TAG, LEGACY_DEFAULT_DOMAIN,
};

const INVALID: &str = "invalid reference format";

fn reference(s: &str) -> Reference {
    Reference::parse_normalized(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

#[test]
fn constants() {
    assert_eq!(
        (DEFAULT_DOMAIN, LEGACY_DEFAULT_DOMAIN, DEFAULT_TAG),
        ("docker.io", "index.docker.io", "latest")
    );
}

/// The examples of the brief and of the Docker CLI reference (section 1.12).
#[test]
fn normalization_examples() {
    let with_digest = format!("docker.io/library/ubuntu:14.04@{SHA256_F}");
    let cases: Vec<(String, Result<String, String>)> = vec![
        ("ubuntu".into(), Ok("docker.io/library/ubuntu".into())),
        ("user/test".into(), Ok("docker.io/user/test".into())),
        (
            "index.docker.io/user/test".into(),
            Ok("docker.io/user/test".into()),
        ),
        (
            "index.docker.io/ubuntu:14.04".into(),
            Ok("docker.io/library/ubuntu:14.04".into()),
        ),
        (
            "hub.c.163.com/public/ubuntu:14.04".into(),
            Ok("hub.c.163.com/public/ubuntu:14.04".into()),
        ),
        ("localhost:5000/x".into(), Ok("localhost:5000/x".into())),
        ("localhost/x".into(), Ok("localhost/x".into())),
        ("[::1]:5000/x".into(), Ok("[::1]:5000/x".into())),
        (format!("ubuntu:14.04@{SHA256_F}"), Ok(with_digest)),
        (
            "test.com:5000".into(),
            Ok("docker.io/library/test.com:5000".into()),
        ),
        // A single component is always a Docker Hub name, even `localhost` or a host name.
        ("localhost".into(), Ok("docker.io/library/localhost".into())),
        (
            "example.com".into(),
            Ok("docker.io/library/example.com".into()),
        ),
        (
            "Uppercase".into(),
            Err(
                "invalid reference format: repository name (library/Uppercase) must be lowercase"
                    .into(),
            ),
        ),
        (
            "user/Test".into(),
            Err("invalid reference format: repository name (user/Test) must be lowercase".into()),
        ),
    ];
    for (input, expected) in cases {
        check(&input, expected.as_deref().map_err(String::as_str));
    }
}

/// Security checklist, reference items 1-3: rejected before any I/O, with a clear message.
#[test]
fn security_checklist() {
    let cases: Vec<(String, Result<String, String>)> =
        vec![
        (String::new(), Err(INVALID.into())),
        (":tag".into(), Err(INVALID.into())),
        (format!("@{SHA256_F}"), Err(INVALID.into())),
        (
            "Uppercase:t".into(),
            Err(
                "invalid reference format: repository name (library/Uppercase) must be lowercase"
                    .into(),
            ),
        ),
        ("a//b".into(), Err(INVALID.into())),
        ("-a/b".into(), Err(INVALID.into())),
        (
            format!("x/{}", "a".repeat(254)),
            Err("repository name must not be more than 255 characters".into()),
        ),
        (format!("ubuntu:{}", "t".repeat(129)), Err(INVALID.into())),
        (
            format!("ubuntu@sha256:{}", "a".repeat(63)),
            Err(
                "invalid checksum digest length for sha256: expected 64 hex characters, got 63"
                    .into(),
            ),
        ),
        (
            format!("ubuntu@sha256:{}", "A".repeat(64)),
            Err(format!("invalid checksum digest: {:?} is not lowercase hex", "A".repeat(64))),
        ),
        ("ubuntu@sha256:baddigeststring".into(), Err(INVALID.into())),
        ("ubuntu@sha256:../../x".into(), Err(INVALID.into())),
        (
            format!("ubuntu@md5:{}", "a".repeat(32)),
            Err("unsupported digest algorithm: \"md5\"".into()),
        ),
        (
            format!("ubuntu@blake3:{}", "a".repeat(64)),
            Err("unsupported digest algorithm: \"blake3\"".into()),
        ),
        (
            "test.com:5000".into(),
            Ok("docker.io/library/test.com:5000".into()),
        ),
        ("ubuntu".into(), Ok("docker.io/library/ubuntu".into())),
        ("[fe80::1%eth0]:5000/r".into(), Err(INVALID.into())),
        ("ubuntu\n".into(), Err(INVALID.into())),
        ("ubuntu\0".into(), Err(INVALID.into())),
        (" ubuntu".into(), Err(INVALID.into())),
    ];
    for (input, expected) in cases {
        check(&input, expected.as_deref().map_err(String::as_str));
    }
    assert_eq!(
        reference(&format!("ubuntu@sha512:{}", "b".repeat(128)))
            .digest()
            .map(|d| d.algorithm().name()),
        Some("sha512")
    );
}

/// Docker behaviours that look odd but that scripts can observe; berth reproduces them.
#[test]
fn docker_quirks() {
    let cases: Vec<(String, Result<String, String>)> = vec![
        // The lowercase check cuts at the first `:`, even inside a digest.
        (
            format!("Foo@{SHA256_F}"),
            Err(
                "invalid reference format: repository name (library/Foo@sha256) must be lowercase"
                    .into(),
            ),
        ),
        // An uppercase first component is no host (Docker 20.10's engine): the whole path is
        // checked, and it is not lowercase.
        (
            "Foo_Bar/x".into(),
            Err("invalid reference format: repository name (Foo_Bar/x) must be lowercase".into()),
        ),
        (
            "FOO/bar".into(),
            Err("invalid reference format: repository name (FOO/bar) must be lowercase".into()),
        ),
        // U+212A KELVIN SIGN lowercases to ASCII `k`, as in Go.
        (
            "\u{212a}".into(),
            Err(
                "invalid reference format: repository name (library/\u{212a}) must be lowercase"
                    .into(),
            ),
        ),
        (
            "\u{212a}x/foo".into(),
            Err(
                "invalid reference format: repository name (\u{212a}x/foo) must be lowercase"
                    .into(),
            ),
        ),
        ("é/foo".into(), Err(INVALID.into())),
        // A first component with a `.` but an invalid host name stays in the path, with no domain.
        ("foo_bar.com/x".into(), Ok("foo_bar.com/x".into())),
        // Only the path counts towards 255 characters.
        (
            format!("{}.com/{}", "h".repeat(100), "p".repeat(255)),
            Ok(format!("{}.com/{}", "h".repeat(100), "p".repeat(255))),
        ),
        (
            "p".repeat(247),
            Ok(format!("docker.io/library/{}", "p".repeat(247))),
        ),
        (
            "p".repeat(248),
            Err("repository name must not be more than 255 characters".into()),
        ),
    ];
    for (input, expected) in cases {
        check(&input, expected.as_deref().map_err(String::as_str));
    }
    let no_domain = reference("foo_bar.com/x");
    assert_eq!(
        (no_domain.domain(), no_domain.path(), no_domain.name()),
        ("", "foo_bar.com/x", "foo_bar.com/x".to_owned())
    );
    assert_eq!(no_domain.familiar_string(), "foo_bar.com/x");
}

#[test]
fn familiar_forms() {
    let cases: Vec<(String, &str, String)> = vec![
        ("ubuntu".into(), "ubuntu", "ubuntu".into()),
        (
            "docker.io/library/ubuntu:14.04".into(),
            "ubuntu",
            "ubuntu:14.04".into(),
        ),
        (
            format!("ubuntu@{SHA256_F}"),
            "ubuntu",
            format!("ubuntu@{SHA256_F}"),
        ),
        (
            format!("ubuntu:14.04@{SHA256_F}"),
            "ubuntu",
            format!("ubuntu:14.04@{SHA256_F}"),
        ),
        ("user/test".into(), "user/test", "user/test".into()),
        (
            "docker.io/library/foo/bar".into(),
            "library/foo/bar",
            "library/foo/bar".into(),
        ),
        (
            "localhost:5000/x:1".into(),
            "localhost:5000/x",
            "localhost:5000/x:1".into(),
        ),
        (
            "example.com/library/x".into(),
            "example.com/library/x",
            "example.com/library/x".into(),
        ),
        // Ambiguous familiar forms, exactly as Docker prints them.
        (
            "docker.io/foo.com/bar".into(),
            "foo.com/bar",
            "foo.com/bar".into(),
        ),
        (
            "docker.io/localhost/bar".into(),
            "localhost/bar",
            "localhost/bar".into(),
        ),
    ];
    for (input, name, string) in cases {
        let reference = reference(&input);
        assert_eq!(
            (
                reference.familiar_name().as_str(),
                reference.familiar_string()
            ),
            (name, string),
            "{input:?}"
        );
    }
    // ... which is why they do not parse back to the same reference.
    assert_eq!(reference("foo.com/bar").domain(), "foo.com");
}

#[test]
fn builders() {
    let digest = Digest::parse(SHA256_F).unwrap();
    let ubuntu = reference("ubuntu");
    assert!(ubuntu.is_name_only());
    assert_eq!(
        ubuntu.clone().with_default_tag().to_string(),
        "docker.io/library/ubuntu:latest"
    );
    assert_eq!(
        reference("ubuntu:14.04").with_default_tag().to_string(),
        "docker.io/library/ubuntu:14.04"
    );
    let pinned = format!("docker.io/library/ubuntu@{SHA256_F}");
    assert_eq!(reference(&pinned).with_default_tag().to_string(), pinned);

    let both = reference(&format!("ubuntu:14.04@{SHA256_F}"));
    assert_eq!(
        both.with_tag("16.04").map(|r| r.to_string()),
        Ok("docker.io/library/ubuntu:16.04".to_owned())
    );
    assert_eq!(both.with_digest(digest.clone()).to_string(), pinned);
    assert_eq!(both.name_only().to_string(), "docker.io/library/ubuntu");
    assert_eq!(both.name(), "docker.io/library/ubuntu");
    assert_eq!(
        (both.domain(), both.path(), both.tag(), both.digest()),
        ("docker.io", "library/ubuntu", Some("14.04"), Some(&digest))
    );

    for bad in ["", "-foo", ".foo", "a/b", "a:b", &"t".repeat(129)] {
        assert_eq!(ubuntu.with_tag(bad), Err(Error::InvalidTag), "{bad:?}");
        assert_eq!(validate_tag(bad), Err(Error::InvalidTag), "{bad:?}");
    }
    assert_eq!(validate_tag(&"t".repeat(128)), Ok(()));
    assert_eq!(Error::InvalidTag.to_string(), "invalid tag format");
}

/// `parse` is `ParseNamed`: only the canonical spelling is accepted.
#[test]
fn parse_canonical_only() {
    let cases: Vec<(&str, Result<&str, Error>)> = vec![
        ("docker.io/library/ubuntu", Ok("docker.io/library/ubuntu")),
        (
            "docker.io/library/ubuntu:14.04",
            Ok("docker.io/library/ubuntu:14.04"),
        ),
        ("localhost:5000/x", Ok("localhost:5000/x")),
        ("ubuntu", Err(Error::NameNotCanonical)),
        ("docker.io/ubuntu", Err(Error::NameNotCanonical)),
        (
            "index.docker.io/library/ubuntu",
            Err(Error::NameNotCanonical),
        ),
        ("user/test", Err(Error::NameNotCanonical)),
        (
            "docker.io/library/Ubuntu",
            Err(Error::RepositoryNameNotLowercase("library/Ubuntu".into())),
        ),
    ];
    for (input, expected) in cases {
        let actual = Reference::parse(input).map(|r| r.to_string());
        assert_eq!(
            actual.as_deref().map_err(Clone::clone),
            expected,
            "{input:?}"
        );
    }
    assert_eq!(
        Error::NameNotCanonical.to_string(),
        "repository name must be canonical"
    );
    assert_eq!(
        "ubuntu:14.04".parse::<Reference>(),
        Ok(reference("docker.io/library/ubuntu:14.04"))
    );
}

#[test]
fn ordering_groups_repositories() {
    let mut references: Vec<Reference> =
        ["ubuntu:b", "alpine", "ubuntu:a", "ubuntu", "localhost/x"]
            .into_iter()
            .map(reference)
            .collect();
    references.sort();
    let sorted: Vec<String> = references.iter().map(Reference::familiar_string).collect();
    assert_eq!(
        sorted,
        ["alpine", "ubuntu", "ubuntu:a", "ubuntu:b", "localhost/x"]
    );
}

/// Every message in Docker's wording.
#[test]
fn error_messages() {
    let cases = [
        (Error::InvalidFormat, "invalid reference format"),
        (Error::InvalidTag, "invalid tag format"),
        (
            Error::NameContainsUppercase,
            "repository name must be lowercase",
        ),
        (
            Error::RepositoryNameNotLowercase("library/Uppercase".into()),
            "invalid reference format: repository name (library/Uppercase) must be lowercase",
        ),
        (
            Error::NameEmpty,
            "repository name must have at least one component",
        ),
        (
            Error::NameTooLong,
            "repository name must not be more than 255 characters",
        ),
        (Error::NameNotCanonical, "repository name must be canonical"),
        (
            Error::HexadecimalName("ab".into()),
            "invalid repository name (ab), cannot specify 64-byte hexadecimal strings",
        ),
        (Error::BadPattern, "syntax error in pattern"),
    ];
    for (error, message) in cases {
        assert_eq!(error.to_string(), message);
    }
}

/// Megabyte inputs are refused in linear time, without recursion or backtracking.
#[test]
fn hostile_lengths() {
    let megabyte = 1 << 20;
    let cases: Vec<(String, Result<String, String>)> = vec![
        (
            "a/".repeat(megabyte / 2) + "a",
            Err("repository name must not be more than 255 characters".into()),
        ),
        (
            "a".repeat(megabyte),
            Err("repository name must not be more than 255 characters".into()),
        ),
        (format!("a:{}", "t".repeat(megabyte)), Err(INVALID.into())),
        (format!("a{}", "-".repeat(megabyte)), Err(INVALID.into())),
        ("[".repeat(megabyte) + "/a", Err(INVALID.into())),
        (":".repeat(megabyte), Err(INVALID.into())),
    ];
    for (input, expected) in cases {
        let actual = Reference::parse_normalized(&input)
            .map(|r| r.to_string())
            .map_err(|e| e.to_string());
        assert_eq!(actual, expected, "{}...", &input[..16]);
    }
    // The grammar takes any hex length of at least 32; berth_digest then refuses it, briefly.
    let long_digest = Reference::parse_normalized(&format!("a@sha256:{}", "f".repeat(megabyte)));
    assert!(
        matches!(long_digest, Err(Error::Digest(_))),
        "{long_digest:?}"
    );
    assert!(long_digest.unwrap_err().to_string().len() < 300);
    let ubuntu = reference("ubuntu");
    assert!(!crate::familiar_match(&"*a".repeat(1000), &ubuntu));
}
