//! Image arguments as Docker's engine reads them before any lookup (`reference.ParseAnyReference`):
//! a name that is no reference is `invalid reference format…`, never `No such image`.

use berth_reference::{AnyReference, Reference};
use berth_store::{Image, Store};

/// The reference error for `name`, in Docker's words, if it is neither an ID nor a valid name.
pub fn invalid(name: &str) -> Option<berth_reference::Error> {
    AnyReference::parse(name).err()
}

/// `Ok` if `name` can name an image (an ID, a digest, a reference); else Docker's error.
pub fn check(name: &str) -> anyhow::Result<()> {
    match invalid(name) {
        Some(error) => Err(error.into()),
        None => Ok(()),
    }
}

/// The name the daemon says it could not find: a name with its default tag (`nosuch:latest`),
/// anything else (an ID, a digest) as given.
pub fn not_found_name(arg: &str) -> String {
    match Reference::parse_normalized(arg) {
        Ok(reference) if !berth_reference::is_full_id(arg) => {
            reference.with_default_tag().familiar_string()
        }
        _ => arg.to_owned(),
    }
}

/// The image `name` names, or Docker's daemon words: `invalid reference format…` for no name,
/// `No such image: nosuch:latest` for a name nothing has.
pub fn resolve(store: &Store, name: &str) -> anyhow::Result<Image> {
    check(name)?;
    match store.resolve(name) {
        Err(berth_store::Error::NoSuchImage(_)) => {
            anyhow::bail!("No such image: {}", not_found_name(name))
        }
        other => Ok(other?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_words() {
        let cases: &[(&str, Option<&str>)] = &[
            ("busybox", None),
            ("415e85863be7", None),
            ("sha256:abc", None),
            (
                "UPPER/x",
                Some("invalid reference format: repository name (UPPER/x) must be lowercase"),
            ),
            ("a@b", Some("invalid reference format")),
            ("a:b:c", Some("invalid reference format")),
        ];
        for (name, want) in cases {
            assert_eq!(
                invalid(name).map(|e| e.to_string()).as_deref(),
                *want,
                "{name}"
            );
        }
    }

    #[test]
    fn names_not_found() {
        let id = "415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27";
        let cases = [
            ("nosuch", "nosuch:latest".to_owned()),
            ("docker.io/library/x:1", "x:1".to_owned()),
            ("415e85", "415e85:latest".to_owned()),
            (id, id.to_owned()),
        ];
        for (arg, want) in cases {
            assert_eq!(not_found_name(arg), want, "{arg}");
        }
    }
}
