use std::io::{Read, Write};

use proptest::prelude::*;

use crate::{Algorithm, Digest, Error, Expected, HashingReader, HashingWriter};

const EMPTY_SHA256: &str =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const ABC_SHA512: &str = "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

fn check(input: &str, expected: Result<(), &str>) {
    let actual = Digest::parse(input)
        .map(|d| assert_eq!(d.to_string(), input))
        .map_err(|e| e.to_string());
    match (&actual, expected) {
        (Ok(()), Ok(())) => {}
        (Err(message), Err(want)) => assert!(
            message.contains(want),
            "{input:?}: {message:?} lacks {want:?}"
        ),
        _ => panic!("{input:?}: got {actual:?}, expected {expected:?}"),
    }
}

#[test]
fn parse_table() {
    let hex64 = "a".repeat(64);
    let cases: Vec<(String, Result<(), &str>)> = vec![
        (EMPTY_SHA256.into(), Ok(())),
        (ABC_SHA512.into(), Ok(())),
        (
            format!("sha256:{}", "A".repeat(64)),
            Err("not lowercase hex"),
        ),
        (
            format!("sha256:{}", "a".repeat(63)),
            Err("expected 64 hex characters, got 63"),
        ),
        (format!("sha256:{}", "a".repeat(65)), Err("got 65")),
        (format!("sha512:{hex64}"), Err("expected 128")),
        ("sha256:../../x".into(), Err("invalid digest format")),
        (
            format!("sha256:{}/x", "a".repeat(62)),
            Err("invalid digest format"),
        ),
        ("sha256:baddigeststring".into(), Err("got 15")),
        (format!("md5:{hex64}"), Err("unsupported digest algorithm")),
        (
            format!("blake3:{hex64}"),
            Err("unsupported digest algorithm"),
        ),
        (format!("SHA256:{hex64}"), Err("invalid digest format")),
        (format!(":{hex64}"), Err("invalid digest format")),
        ("sha256:".into(), Err("invalid digest format")),
        ("sha256".into(), Err("invalid digest format")),
        (String::new(), Err("invalid digest format")),
        (format!("sha256:{hex64}\n"), Err("invalid digest format")),
        (format!("sha256:{hex64}\0"), Err("invalid digest format")),
        (
            format!("sha256+b64:{hex64}"),
            Err("unsupported digest algorithm"),
        ),
    ];
    for (input, expected) in cases {
        check(&input, expected);
    }
}

#[test]
fn known_answers() {
    assert_eq!(Digest::sha256(b"").to_string(), EMPTY_SHA256);
    assert_eq!(
        Digest::compute(Algorithm::Sha512, b"abc").to_string(),
        ABC_SHA512
    );
    let d = Digest::sha256(b"abc");
    assert_eq!(
        d.encoded(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(d.short(), "ba7816bf8f01");
    assert!(d.verify(b"abc").is_ok());
    assert!(matches!(
        d.verify(b"abd"),
        Err(Error::DigestMismatch { .. })
    ));
}

#[test]
fn serde_round_trip_and_rejects_bad() {
    let d = Digest::sha256(b"x");
    let json = serde_json::to_string(&d).unwrap();
    assert_eq!(serde_json::from_str::<Digest>(&json).unwrap(), d);
    assert!(serde_json::from_str::<Digest>("\"sha256:../../etc/passwd\"").is_err());
}

fn read_all<R: Read>(mut reader: R) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    reader.read_to_end(&mut out)?;
    Ok(out)
}

#[test]
fn reader_verifies_at_eof() {
    let data = b"hello world".to_vec();
    let good = Expected::new(Digest::sha256(&data), Some(data.len() as u64));
    assert_eq!(
        read_all(HashingReader::verifying(&data[..], good.clone())).unwrap(),
        data
    );

    // Wrong digest: the error surfaces at EOF, not before.
    let wrong = Expected::new(Digest::sha256(b"other"), Some(data.len() as u64));
    let err = read_all(HashingReader::verifying(&data[..], wrong)).unwrap_err();
    assert!(
        matches!(
            crate::as_digest_error(&err),
            Some(Error::DigestMismatch { .. })
        ),
        "{err}"
    );

    // Too short.
    let short = Expected::new(Digest::sha256(&data), Some(data.len() as u64 + 1));
    let err = read_all(HashingReader::verifying(&data[..], short)).unwrap_err();
    assert!(
        matches!(
            crate::as_digest_error(&err),
            Some(Error::SizeMismatch { .. })
        ),
        "{err}"
    );

    // Too long: fails as soon as the size is passed.
    let long = Expected::new(Digest::sha256(&data), Some(4));
    let err = read_all(HashingReader::verifying(&data[..], long)).unwrap_err();
    assert!(
        matches!(
            crate::as_digest_error(&err),
            Some(Error::SizeMismatch { expected: 4, .. })
        ),
        "{err}"
    );
}

#[test]
fn reader_finish_drains_the_stream() {
    let data = vec![7u8; 100_000];
    let mut reader = HashingReader::new(&data[..], Algorithm::Sha256);
    let mut head = [0u8; 10];
    reader.read_exact(&mut head).unwrap();
    let (digest, count) = reader.finish().unwrap();
    assert_eq!(count, 100_000);
    assert_eq!(digest, Digest::sha256(&data));
}

#[test]
fn writer_verifies() {
    let data = b"some blob";
    let expected = Expected::new(Digest::sha256(data), Some(data.len() as u64));
    let mut writer = HashingWriter::verifying(Vec::new(), expected.clone());
    writer.write_all(data).unwrap();
    let (out, digest, size) = writer.finish().unwrap();
    assert_eq!((out.as_slice(), size), (&data[..], 9));
    assert_eq!(digest, expected.digest);

    let mut writer = HashingWriter::verifying(Vec::new(), expected.clone());
    writer.write_all(b"some blo!").unwrap();
    assert!(writer.finish().is_err());

    let mut writer = HashingWriter::verifying(Vec::new(), expected);
    assert!(writer.write_all(b"some blob and more").is_err());
}

proptest! {
    #[test]
    fn parse_never_panics(s in "\\PC{0,200}") {
        let _ = Digest::parse(&s);
    }

    #[test]
    fn valid_digests_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        for algorithm in [Algorithm::Sha256, Algorithm::Sha512] {
            let d = Digest::compute(algorithm, &bytes);
            prop_assert_eq!(Digest::parse(&d.to_string()).unwrap(), d.clone());
            let (reader_digest, n) = HashingReader::new(&bytes[..], algorithm).finish().unwrap();
            prop_assert_eq!(reader_digest, d);
            prop_assert_eq!(n, bytes.len() as u64);
        }
    }

    #[test]
    fn chunking_does_not_change_the_digest(bytes in proptest::collection::vec(any::<u8>(), 0..4096), split in 0usize..4096) {
        let split = split.min(bytes.len());
        let mut hasher = crate::Hasher::sha256();
        hasher.update(&bytes[..split]);
        hasher.update(&bytes[split..]);
        prop_assert_eq!(hasher.finish(), Digest::sha256(&bytes));
    }
}
