//! Image arguments as Docker's engine reads them before any lookup (`reference.ParseAnyReference`):
//! a name that is no reference is `invalid reference format…`, never `No such image`.

use berth_reference::AnyReference;
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

/// The name the daemon says it could not find (`nosuch:latest`).
pub use berth_store::not_found_name;

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
}
