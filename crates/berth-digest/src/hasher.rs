use sha2::Digest as _;

use crate::{Algorithm, Digest};

/// An incremental hash for one [`Algorithm`].
#[derive(Clone)]
pub struct Hasher {
    state: State,
}

#[derive(Clone)]
enum State {
    // ring's assembly sha256 is the hot path of every pull, load and import.
    Sha256(ring::digest::Context),
    Sha512(sha2::Sha512),
}

impl Hasher {
    pub fn new(algorithm: Algorithm) -> Hasher {
        let state = match algorithm {
            Algorithm::Sha256 => State::Sha256(ring::digest::Context::new(&ring::digest::SHA256)),
            Algorithm::Sha512 => State::Sha512(sha2::Sha512::default()),
        };
        Hasher { state }
    }

    pub fn sha256() -> Hasher {
        Hasher::new(Algorithm::Sha256)
    }

    pub fn algorithm(&self) -> Algorithm {
        match self.state {
            State::Sha256(_) => Algorithm::Sha256,
            State::Sha512(_) => Algorithm::Sha512,
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        match &mut self.state {
            State::Sha256(context) => context.update(data),
            State::Sha512(hasher) => hasher.update(data),
        }
    }

    pub fn finish(self) -> Digest {
        match self.state {
            State::Sha256(context) => {
                Digest::from_raw(Algorithm::Sha256, context.finish().as_ref())
            }
            State::Sha512(hasher) => Digest::from_raw(Algorithm::Sha512, &hasher.finalize()),
        }
    }
}

impl std::io::Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
