//! Platform parsing, normalization and manifest selection (containerd's semantics).

use oci_spec::image::ImageIndex;

use crate::{host_platform, select_manifest, Platform};

/// os, architecture, variant
type Parts<'a> = (&'a str, &'a str, Option<&'a str>);

#[test]
fn parse_table() {
    let host = host_platform();
    let cases: Vec<(&str, Result<Parts, ()>)> = vec![
        ("linux/amd64", Ok(("linux", "amd64", None))),
        ("linux/x86_64", Ok(("linux", "amd64", None))),
        ("Linux/AMD64", Ok(("linux", "amd64", None))),
        ("linux/arm64/v8", Ok(("linux", "arm64", Some("v8")))),
        ("linux/aarch64", Ok(("linux", "arm64", None))),
        ("linux/arm64", Ok(("linux", "arm64", None))),
        ("linux/arm", Ok(("linux", "arm", None))),
        ("linux/arm/v7", Ok(("linux", "arm", Some("v7")))),
        ("linux/arm/v6", Ok(("linux", "arm", Some("v6")))),
        ("linux/armhf", Ok(("linux", "arm", None))),
        ("linux/armel", Ok(("linux", "arm", Some("v6")))),
        ("linux/i386", Ok(("linux", "386", None))),
        ("windows/amd64", Ok(("windows", "amd64", None))),
        ("macos/arm64", Ok(("darwin", "arm64", None))),
        ("linux/riscv64", Ok(("linux", "riscv64", None))),
        ("arm64", Ok((host.os.as_str(), "arm64", None))),
        ("aarch64", Ok((host.os.as_str(), "arm64", None))),
        ("", Err(())),
        ("linux/", Err(())),
        ("linux/amd64/v2/x", Err(())),
        ("linux/am d64", Err(())),
        ("nonsense", Err(())),
        ("linux/*", Err(())),
    ];
    for (input, want) in cases {
        let got = Platform::parse(input);
        match (want, got) {
            (Ok((os, arch, variant)), Ok(p)) => {
                assert_eq!(
                    (p.os.as_str(), p.architecture.as_str(), p.variant.as_deref()),
                    (os, arch, variant),
                    "{input}"
                );
            }
            (Err(()), Err(e)) => assert_eq!(e.to_string(), format!("invalid platform: {input:?}")),
            (want, got) => panic!("{input}: want {want:?}, got {got:?}"),
        }
    }
    assert_eq!(
        Platform::parse("linux").unwrap(),
        Platform {
            os: "linux".to_owned(),
            ..host.clone()
        }
    );
    assert_eq!(
        Platform::parse("linux/arm64/v8").unwrap().to_string(),
        "linux/arm64/v8"
    );
    assert_eq!(
        Platform::parse("linux/amd64").unwrap().to_string(),
        "linux/amd64"
    );
}

#[test]
fn normalize_and_match() {
    let p = |s: &str| Platform::parse(s).unwrap();
    let raw = |os: &str, arch: &str, variant: Option<&str>| Platform::new(os, arch, variant);
    let cases = [
        (
            raw("linux", "arm64", None),
            raw("linux", "arm64", Some("v8")),
            true,
        ),
        (raw("linux", "aarch64", None), p("linux/arm64/v8"), true),
        (
            raw("linux", "arm", None),
            raw("linux", "arm", Some("v7")),
            true,
        ),
        (
            raw("linux", "arm", Some("7")),
            raw("linux", "arm", Some("v7")),
            true,
        ),
        (
            raw("linux", "arm", Some("v6")),
            raw("linux", "arm", Some("v7")),
            false,
        ),
        (
            raw("linux", "x86_64", None),
            raw("linux", "amd64", Some("v1")),
            true,
        ),
        (
            raw("linux", "amd64", None),
            raw("linux", "amd64", Some("v2")),
            false,
        ),
        (
            raw("Linux", "AMD64", None),
            raw("linux", "amd64", None),
            true,
        ),
        (
            raw("linux", "amd64", None),
            raw("windows", "amd64", None),
            false,
        ),
        (
            raw("linux", "arm64", Some("9")),
            raw("linux", "arm64", Some("v9")),
            true,
        ),
    ];
    for (a, b, want) in cases {
        assert_eq!(a.matches(&b), want, "{a} vs {b}");
        assert_eq!(b.matches(&a), want, "{b} vs {a}");
    }
    assert_eq!(
        raw("linux", "aarch64", Some("v8")).normalize(),
        raw("linux", "arm64", None)
    );
    assert_eq!(
        raw("linux", "i386", None).normalize(),
        raw("linux", "386", None)
    );
    let oci = p("linux/arm/v7").to_oci();
    assert_eq!(Platform::from_oci(&oci), p("linux/arm/v7"));
}

#[test]
fn host_is_sane() {
    let host = host_platform();
    assert!(!host.os.is_empty() && !host.architecture.is_empty());
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    assert_eq!(host.to_string(), "linux/amd64");
}

fn entry(
    digest_byte: char,
    platform: Option<(&str, &str, Option<&str>)>,
    annotation: Option<&str>,
) -> String {
    let digest = format!("sha256:{}", digest_byte.to_string().repeat(64));
    let platform = platform
        .map(|(os, arch, variant)| {
            let variant = variant
                .map(|v| format!(r#","variant":"{v}""#))
                .unwrap_or_default();
            format!(r#","platform":{{"os":"{os}","architecture":"{arch}"{variant}}}"#)
        })
        .unwrap_or_default();
    let annotations = annotation
        .map(|a| format!(r#","annotations":{{"vnd.docker.reference.type":"{a}","vnd.docker.reference.digest":"sha256:{}"}}"#, "a".repeat(64)))
        .unwrap_or_default();
    format!(
        r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{digest}","size":1{platform}{annotations}}}"#
    )
}

fn index(entries: &[String]) -> ImageIndex {
    let json = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{}]}}"#,
        entries.join(",")
    );
    serde_json::from_str(&json).unwrap()
}

#[test]
fn select_table() {
    let multi = index(&[
        entry('1', Some(("linux", "amd64", None)), None),
        entry('2', Some(("linux", "arm", Some("v6"))), None),
        entry('3', Some(("linux", "arm", Some("v7"))), None),
        entry('4', Some(("linux", "arm64", Some("v8"))), None),
        entry(
            '5',
            Some(("unknown", "unknown", None)),
            Some("attestation-manifest"),
        ),
        entry('6', Some(("linux", "386", None)), None),
        entry('7', Some(("windows", "amd64", None)), None),
    ]);
    let only_armv7_and_386 = index(&[
        entry('3', Some(("linux", "arm", Some("v7"))), None),
        entry('6', Some(("linux", "386", None)), None),
    ]);
    let attest_only = index(&[entry(
        '5',
        Some(("unknown", "unknown", None)),
        Some("attestation-manifest"),
    )]);
    let attest_by_annotation = index(&[
        entry(
            '8',
            Some(("linux", "amd64", None)),
            Some("attestation-manifest"),
        ),
        entry('9', None, None),
    ]);
    let cases: Vec<(&ImageIndex, &str, Option<char>)> = vec![
        (&multi, "linux/amd64", Some('1')),
        (&multi, "linux/arm64", Some('4')),
        (&multi, "linux/arm64/v8", Some('4')),
        (&multi, "linux/aarch64", Some('4')),
        (&multi, "linux/arm/v7", Some('3')),
        (&multi, "linux/arm", Some('3')),
        (&multi, "linux/arm/v6", Some('2')),
        (&multi, "linux/386", Some('6')),
        (&multi, "windows/amd64", Some('7')),
        (&multi, "linux/s390x", None),
        (&multi, "linux/arm/v5", None),
        (&only_armv7_and_386, "linux/arm64", Some('3')),
        (&only_armv7_and_386, "linux/amd64", Some('6')),
        (&attest_only, "linux/amd64", None),
        (&attest_by_annotation, "linux/amd64", Some('9')),
    ];
    for (index, want_platform, want) in cases {
        let got = select_manifest(index, &Platform::parse(want_platform).unwrap());
        let got = got.map(|d| d.digest().to_string().chars().last().unwrap());
        assert_eq!(got, want, "{want_platform}");
    }
}
