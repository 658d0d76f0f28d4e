//! `ContainerId`: Docker's container ID, 64 lowercase hex digits, checked wherever one is read (a
//! record, a directory name), so that every later use (the 12-digit short form, a path, a runtime
//! argument) can rely on it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Digits in a container ID.
const ID_LEN: usize = 64;
/// Digits in the short form `ps` and the messages show (moby's `stringid.TruncateID`).
const SHORT_LEN: usize = 12;

/// A container ID: 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContainerId(String);

impl ContainerId {
    /// Checks `id`; anything but 64 lowercase hex digits is refused.
    pub fn parse(id: &str) -> Result<ContainerId> {
        let valid = id.len() == ID_LEN
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if valid {
            Ok(ContainerId(id.to_owned()))
        } else {
            Err(Error::InvalidArgument {
                what: "container ID",
                value: id.to_owned(),
            })
        }
    }

    /// A new random ID. Like Docker, an ID whose short form is all digits is avoided (it would read
    /// as a number).
    pub(crate) fn random() -> ContainerId {
        loop {
            let id = crate::names::random_hex::<{ ID_LEN / 2 }>();
            if !id[..SHORT_LEN].bytes().all(|b| b.is_ascii_digit()) {
                return ContainerId(id);
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 12 digits.
    pub fn short(&self) -> &str {
        &self.0[..SHORT_LEN]
    }
}

impl fmt::Display for ContainerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ContainerId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ContainerId {
    type Error = Error;

    fn try_from(id: String) -> Result<ContainerId> {
        ContainerId::parse(&id)
    }
}

impl From<ContainerId> for String {
    fn from(id: ContainerId) -> String {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27";

    #[test]
    fn ids_are_64_lowercase_hex_digits() {
        let upper = ID.to_ascii_uppercase();
        let cases: &[(&str, Option<&str>)] = &[
            (ID, Some("415e85863be7")),
            ("", None),
            ("x", None),
            (&ID[..63], None),
            (&upper, None),
            (
                "415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece2g",
                None,
            ),
            (
                "415e85863be7ea56734b173cef8b42c5db0f7641f0f3fce320f0815d302ece27a",
                None,
            ),
            // Multi-byte characters of the right byte length: never sliced.
            (
                "ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé",
                None,
            ),
        ];
        for (id, short) in cases {
            let parsed = ContainerId::parse(id);
            assert_eq!(parsed.as_ref().ok().map(ContainerId::short), *short, "{id}");
            if short.is_none() {
                assert_eq!(
                    parsed.unwrap_err().to_string(),
                    format!("invalid container ID: {id}")
                );
            }
        }
    }

    #[test]
    fn a_record_with_a_bad_id_does_not_deserialize() {
        let good: ContainerId = serde_json::from_str(&format!("\"{ID}\"")).unwrap();
        assert_eq!(good.as_str(), ID);
        assert_eq!(serde_json::to_string(&good).unwrap(), format!("\"{ID}\""));
        let error = serde_json::from_str::<ContainerId>("\"x\"").unwrap_err();
        assert_eq!(error.to_string(), "invalid container ID: x");
    }

    #[test]
    fn random_ids_are_valid_and_distinct() {
        let id = ContainerId::random();
        assert_eq!(ContainerId::parse(id.as_str()).unwrap(), id);
        assert!(!id.short().bytes().all(|b| b.is_ascii_digit()));
        assert_ne!(ContainerId::random(), id);
    }
}
