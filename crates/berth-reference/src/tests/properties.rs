//! Properties over generated input: no panics on arbitrary strings, canonical and familiar forms
//! parse back to the same reference, and everything the grammar generates is accepted.

use proptest::prelude::*;

use crate::{familiar_match, grammar, try_familiar_match, AnyReference, Reference, MAX_PATH_LEN};

/// Strings made of the characters that matter to the grammar, so that many of them parse.
fn reference_like() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9:/@._\\-\\[\\]%K]{0,80}"
}

/// `domain`, without the single-label names (but `localhost`) that normalization reads as a path, and with
/// at least one `:` in an IPv6 address (Docker reads `[abc]/x` as a path, and rejects it).
fn domain() -> impl Strategy<Value = String> {
    let label = "[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?";
    let regex = |pattern: &str| proptest::string::string_regex(pattern).expect("valid regex");
    let host = prop_oneof![
        regex(&format!("{label}(\\.{label}){{1,3}}")),
        regex("[0-9]{1,3}(\\.[0-9]{1,3}){3}"),
        regex("\\[[a-fA-F0-9]{0,4}:[a-fA-F0-9:]{0,16}\\]"),
        regex("localhost"),
    ];
    (host, proptest::option::of("[0-9]{1,5}"))
        .prop_map(|(host, port)| port.map_or(host.clone(), |port| format!("{host}:{port}")))
}

fn path() -> impl Strategy<Value = String> {
    let component = "[a-z0-9]{1,8}((\\.|_|__|-{1,3})[a-z0-9]{1,8}){0,3}";
    proptest::collection::vec(component, 1..5).prop_map(|components| components.join("/"))
}

fn tag() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}"
}

fn digest() -> impl Strategy<Value = String> {
    prop_oneof!["sha256:[a-f0-9]{64}", "sha512:[a-f0-9]{128}"]
}

/// Docker's familiar form reads back differently when a Docker Hub path starts with something
/// host-like (`docker.io/foo.com/bar` prints as `foo.com/bar`), or is 64 hex characters.
fn familiar_form_is_ambiguous(reference: &Reference) -> bool {
    if crate::is_full_id(&reference.familiar_string()) {
        return true;
    }
    reference.domain() == crate::DEFAULT_DOMAIN
        && reference
            .familiar_name()
            .split_once('/')
            .is_some_and(|(first, _)| first.contains(['.', ':']) || first == "localhost")
}

/// Escapes every glob metacharacter, so the pattern matches only `s` itself.
fn glob_literal(s: &str) -> String {
    s.chars().fold(String::new(), |mut escaped, c| {
        if matches!(c, '*' | '?' | '[' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
        escaped
    })
}

fn check_round_trips(reference: &Reference) -> Result<(), TestCaseError> {
    let canonical = reference.to_string();
    prop_assert!(
        grammar::match_reference(&canonical).is_some(),
        "{canonical:?} is outside the grammar"
    );
    prop_assert!(reference.path().len() <= MAX_PATH_LEN);
    prop_assert_eq!(
        Reference::parse_normalized(&canonical),
        Ok(reference.clone())
    );
    prop_assert_eq!(Reference::parse(&canonical), Ok(reference.clone()));
    if !familiar_form_is_ambiguous(reference) {
        prop_assert_eq!(
            Reference::parse_normalized(&reference.familiar_string()),
            Ok(reference.clone())
        );
    }
    prop_assert!(familiar_match(
        &glob_literal(&reference.familiar_string()),
        reference
    ));
    prop_assert!(familiar_match(
        &glob_literal(&reference.familiar_name()),
        reference
    ));
    Ok(())
}

proptest! {
    #[test]
    fn arbitrary_strings_never_panic(input in any::<String>(), pattern in any::<String>()) {
        let parsed = Reference::parse_normalized(&input);
        let _ = Reference::parse(&input);
        let _ = AnyReference::parse(&input);
        let _ = Reference::parse_docker_ref(&input);
        if let Ok(reference) = parsed {
            check_round_trips(&reference)?;
            let _ = try_familiar_match(&pattern, &reference);
        }
    }

    #[test]
    fn valid_references_round_trip(input in reference_like(), pattern in "[a-z*?\\[\\]\\\\^/:-]{0,12}") {
        if let Ok(reference) = Reference::parse_normalized(&input) {
            check_round_trips(&reference)?;
            let _ = try_familiar_match(&pattern, &reference);
        }
    }

    #[test]
    fn generated_references_parse(
        domain in proptest::option::of(domain()),
        path in path(),
        tag in proptest::option::of(tag()),
        digest in proptest::option::of(digest()),
    ) {
        let mut input = domain.as_ref().map_or(path.clone(), |domain| format!("{domain}/{path}"));
        if let Some(tag) = &tag {
            input = format!("{input}:{tag}");
        }
        if let Some(digest) = &digest {
            input = format!("{input}@{digest}");
        }
        prop_assume!(!crate::is_full_id(&input));
        let reference = Reference::parse_normalized(&input);
        prop_assert!(reference.is_ok(), "{:?}: {:?}", input, reference);
        let reference = reference.unwrap();
        prop_assert_eq!(reference.tag(), tag.as_deref());
        prop_assert_eq!(reference.digest().map(ToString::to_string), digest);
        prop_assert!(reference.name().ends_with(&path), "{:?} lost its path", input);
        if let Some(domain) = domain.filter(|d| d != crate::LEGACY_DEFAULT_DOMAIN) {
            prop_assert_eq!(reference.domain(), domain);
        }
        check_round_trips(&reference)?;
    }
}
