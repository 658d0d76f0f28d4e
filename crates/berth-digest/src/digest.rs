use std::{fmt, str::FromStr};

use crate::{Algorithm, Error, Hasher};

/// A validated `algorithm:encoded` content digest.
///
/// Invariant: `algorithm` is known and `encoded` is lowercase hex of `algorithm.hex_len()` characters,
/// so `encoded()` can be joined onto a directory path without escaping it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: Algorithm,
    encoded: Box<str>,
}

/// Longest string worth looking at: `sha512:` plus 128 hex characters.
const MAX_DIGEST_LEN: usize = 7 + 128;

impl Digest {
    /// Parses and validates `algorithm:encoded`.
    pub fn parse(s: &str) -> Result<Digest, Error> {
        // The common case in one pass: a well-formed sha256 digest passes every check below.
        if let Some(encoded) = s.strip_prefix("sha256:") {
            if let Ok(digest) = Digest::from_parts(Algorithm::Sha256, encoded) {
                return Ok(digest);
            }
        }
        let Some((algorithm, encoded)) = s.split_once(':') else {
            return Err(Error::InvalidFormat(truncate(s)));
        };
        if algorithm.is_empty() || encoded.is_empty() || s.len() > MAX_DIGEST_LEN + 32 {
            return Err(Error::InvalidFormat(truncate(s)));
        }
        if !is_algorithm_grammar(algorithm) || !is_encoded_grammar(encoded) {
            return Err(Error::InvalidFormat(truncate(s)));
        }
        let algorithm = Algorithm::from_name(algorithm)
            .ok_or_else(|| Error::UnsupportedAlgorithm(algorithm.to_owned()))?;
        Digest::from_parts(algorithm, encoded)
    }

    /// Builds a digest from an algorithm and its encoded part, validating the encoding.
    pub fn from_parts(algorithm: Algorithm, encoded: &str) -> Result<Digest, Error> {
        if encoded.len() != algorithm.hex_len() {
            return Err(Error::InvalidLength {
                algorithm: algorithm.name(),
                expected: algorithm.hex_len(),
                actual: encoded.len(),
            });
        }
        if !encoded
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(Error::InvalidHex(truncate(encoded)));
        }
        Ok(Digest {
            algorithm,
            encoded: encoded.into(),
        })
    }

    /// Digest of raw digest bytes (as returned by a hash function).
    pub(crate) fn from_raw(algorithm: Algorithm, raw: &[u8]) -> Digest {
        use std::fmt::Write;
        let mut encoded = String::with_capacity(raw.len() * 2);
        for byte in raw {
            let _ = write!(encoded, "{byte:02x}");
        }
        Digest {
            algorithm,
            encoded: encoded.into(),
        }
    }

    /// The sha256 digest of `data`.
    pub fn sha256(data: &[u8]) -> Digest {
        Digest::compute(Algorithm::Sha256, data)
    }

    /// The digest of `data` with `algorithm`.
    pub fn compute(algorithm: Algorithm, data: &[u8]) -> Digest {
        let mut hasher = Hasher::new(algorithm);
        hasher.update(data);
        hasher.finish()
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The hex part, safe to use as a file name.
    pub fn encoded(&self) -> &str {
        &self.encoded
    }

    /// The first 12 hex characters, as Docker prints short IDs.
    pub fn short(&self) -> &str {
        &self.encoded[..12]
    }

    /// Checks that `data` hashes to this digest.
    pub fn verify(&self, data: &[u8]) -> Result<(), Error> {
        let actual = Digest::compute(self.algorithm, data);
        if actual == *self {
            Ok(())
        } else {
            Err(Error::DigestMismatch {
                expected: self.clone(),
                actual,
            })
        }
    }
}

/// `[a-z0-9]+([+._-][a-z0-9]+)*` from the OCI image spec.
fn is_algorithm_grammar(s: &str) -> bool {
    s.split(['+', '.', '_', '-']).all(|part| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// `[a-zA-Z0-9=_-]+` from the OCI image spec.
fn is_encoded_grammar(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-'))
}

/// Keeps error messages short when handed a huge string.
fn truncate(s: &str) -> String {
    const MAX: usize = 200;
    if s.len() <= MAX {
        return s.to_owned();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.encoded)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

impl FromStr for Digest {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Digest::parse(s)
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Digest::parse(&s).map_err(serde::de::Error::custom)
    }
}
