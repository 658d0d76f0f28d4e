//! Container IDs (64 hex digits, like Docker's) and random `adjective_surname` names.

use crate::error::{Error, Result};

/// A subset of moby's `pkg/namesgenerator` lists.
const ADJECTIVES: &[&str] = &[
    "admiring",
    "adoring",
    "affectionate",
    "agitated",
    "amazing",
    "angry",
    "awesome",
    "beautiful",
    "blissful",
    "bold",
    "boring",
    "brave",
    "busy",
    "charming",
    "clever",
    "compassionate",
    "competent",
    "condescending",
    "confident",
    "cool",
    "cranky",
    "crazy",
    "dazzling",
    "determined",
    "distracted",
    "dreamy",
    "eager",
    "ecstatic",
    "elastic",
    "elated",
    "elegant",
    "eloquent",
    "epic",
    "exciting",
    "fervent",
    "festive",
    "flamboyant",
    "focused",
    "friendly",
    "frosty",
    "funny",
    "gallant",
    "gifted",
    "goofy",
    "gracious",
    "great",
    "happy",
    "hardcore",
    "heuristic",
    "hopeful",
    "hungry",
    "infallible",
    "inspiring",
    "intelligent",
    "interesting",
    "jolly",
    "jovial",
    "keen",
    "kind",
    "laughing",
    "loving",
    "lucid",
    "magical",
    "modest",
    "musing",
    "mystifying",
    "naughty",
    "nervous",
    "nice",
    "nifty",
    "nostalgic",
    "objective",
    "optimistic",
    "peaceful",
    "pedantic",
    "pensive",
    "practical",
    "priceless",
    "quirky",
    "quizzical",
    "recursing",
    "relaxed",
    "reverent",
    "romantic",
    "sad",
    "serene",
    "sharp",
    "silly",
    "sleepy",
    "stoic",
    "strange",
    "stupefied",
    "suspicious",
    "sweet",
    "tender",
    "thirsty",
    "trusting",
    "unruffled",
    "upbeat",
    "vibrant",
    "vigilant",
    "vigorous",
    "wizardly",
    "wonderful",
    "xenodochial",
    "youthful",
    "zealous",
    "zen",
];

const SURNAMES: &[&str] = &[
    "agnesi",
    "albattani",
    "allen",
    "almeida",
    "archimedes",
    "ardinghelli",
    "aryabhata",
    "babbage",
    "banach",
    "bardeen",
    "bartik",
    "bassi",
    "bell",
    "benz",
    "bhabha",
    "bohr",
    "booth",
    "borg",
    "bose",
    "brahmagupta",
    "brattain",
    "brown",
    "carson",
    "cerf",
    "chandrasekhar",
    "clarke",
    "curie",
    "darwin",
    "davinci",
    "dijkstra",
    "dirac",
    "edison",
    "einstein",
    "elion",
    "engelbart",
    "euclid",
    "euler",
    "fermat",
    "fermi",
    "feynman",
    "franklin",
    "galileo",
    "gates",
    "goldberg",
    "goodall",
    "hamilton",
    "hawking",
    "heisenberg",
    "hermann",
    "hodgkin",
    "hopper",
    "hypatia",
    "jackson",
    "jang",
    "jennings",
    "johnson",
    "kalam",
    "kapitsa",
    "keller",
    "kepler",
    "knuth",
    "kowalevski",
    "lalande",
    "lamarr",
    "lamport",
    "leakey",
    "lederberg",
    "lovelace",
    "lumiere",
    "mahavira",
    "mayer",
    "mccarthy",
    "mcclintock",
    "meitner",
    "mendel",
    "minsky",
    "moore",
    "morse",
    "napier",
    "newton",
    "nobel",
    "noether",
    "pascal",
    "pasteur",
    "perlman",
    "pike",
    "poincare",
    "ptolemy",
    "raman",
    "ramanujan",
    "ritchie",
    "rosalind",
    "sammet",
    "shannon",
    "shaw",
    "shockley",
    "sinoussi",
    "stonebraker",
    "swanson",
    "tesla",
    "thompson",
    "torvalds",
    "turing",
    "varahamihira",
    "visvesvaraya",
    "volhard",
    "wescoff",
    "wiles",
    "williams",
    "wilson",
    "wing",
    "wozniak",
    "wright",
    "yalow",
    "yonath",
];

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    let mut filled = 0;
    while filled < N {
        match rustix::rand::getrandom(&mut bytes[filled..], rustix::rand::GetRandomFlags::empty()) {
            Ok(n) => filled += n,
            Err(rustix::io::Errno::INTR) => {}
            Err(_) => {
                // No entropy syscall: fall back to the clock and pid, still unique enough for a name.
                let seed = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos())
                    ^ u128::from(
                        rustix::process::getpid()
                            .as_raw_nonzero()
                            .get()
                            .unsigned_abs(),
                    );
                for (i, b) in bytes.iter_mut().enumerate().skip(filled) {
                    *b = seed.to_le_bytes()[i % 16];
                }
                filled = N;
            }
        }
    }
    bytes
}

/// `N` random bytes as `2 * N` lowercase hex digits.
pub(crate) fn random_hex<const N: usize>() -> String {
    random_bytes::<N>()
        .iter()
        .fold(String::with_capacity(2 * N), |mut hex, b| {
            use std::fmt::Write;
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// A random `adjective_surname`; after a collision, a digit is appended as Docker does.
pub fn random_name(retry: usize) -> String {
    let [a, b, c, d] = random_bytes::<4>();
    let adjective = ADJECTIVES[usize::from(u16::from_le_bytes([a, b])) % ADJECTIVES.len()];
    let surname = SURNAMES[usize::from(u16::from_le_bytes([c, d])) % SURNAMES.len()];
    if retry > 0 {
        format!("{adjective}_{surname}{}", random_bytes::<1>()[0] % 10)
    } else {
        format!("{adjective}_{surname}")
    }
}

/// Docker's container name rule: `[a-zA-Z0-9][a-zA-Z0-9_.-]+` (a leading `/` is accepted and dropped).
pub fn validate_name(name: &str) -> Result<String> {
    let bare = name.strip_prefix('/').unwrap_or(name);
    let mut bytes = bare.bytes();
    let valid = bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && bare.len() >= 2
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-');
    if valid {
        Ok(bare.to_owned())
    } else {
        Err(Error::InvalidName(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_names() {
        let hex = random_hex::<8>();
        assert_eq!(hex.len(), 16);
        assert!(hex
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_ne!(random_hex::<8>(), hex);
        let name = random_name(0);
        let (adjective, surname) = name.split_once('_').unwrap();
        assert!(ADJECTIVES.contains(&adjective) && SURNAMES.contains(&surname));
        assert!(validate_name(&random_name(3)).is_ok());
        for (name, ok) in [
            ("web", true),
            ("/web", true),
            ("a.b-c_d", true),
            ("a", false),
            ("_web", false),
            ("we b", false),
            ("", false),
            ("../x", false),
        ] {
            assert_eq!(validate_name(name).is_ok(), ok, "{name}");
        }
    }
}
