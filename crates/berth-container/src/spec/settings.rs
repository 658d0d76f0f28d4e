//! The host settings Docker takes as flags of `run`, `create` and `build`: `--add-host`, `--shm-size`
//! and `--ulimit`, parsed as the Docker CLI parses them (docker/cli `opts.ValidateExtraHost`,
//! go-units `RAMInBytes` and `ParseUlimit`), with its messages.

use std::net::IpAddr;

use oci_spec::runtime::{PosixRlimit, PosixRlimitBuilder, PosixRlimitType};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// `/dev/shm`'s size when `--shm-size` is not given or 0: Docker's `DefaultSHMSize`, 64 MiB.
pub const DEFAULT_SHM_SIZE: u64 = 64 * 1024 * 1024;

/// go-units' `binaryMap`.
const BINARY_UNITS: &[(char, u64)] = &[
    ('k', 1 << 10),
    ('m', 1 << 20),
    ('g', 1 << 30),
    ('t', 1 << 40),
    ('p', 1 << 50),
];

/// What `--add-host` takes instead of an address where Docker's daemon has a bridge gateway.
const HOST_GATEWAY: &str = "host-gateway";

/// One `--add-host HOST:IP` line of the container's `/etc/hosts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraHost {
    pub host: String,
    /// As given (Docker writes it unnormalized), checked to be an IPv4 or IPv6 address.
    pub ip: String,
}

impl ExtraHost {
    /// Docker 20.10's rule: split at the first `:` (so IPv6 addresses work), a non-empty name, an IP
    /// address after it. `host-gateway` names the daemon's bridge gateway; berth has no bridge, so it
    /// is refused as dockerd refuses it without one.
    pub fn parse(value: &str) -> Result<ExtraHost> {
        let invalid = |reason: String| Error::InvalidFlag {
            flag: "--add-host",
            value: value.to_owned(),
            reason,
        };
        let Some((host, ip)) = value.split_once(':').filter(|(host, _)| !host.is_empty()) else {
            return Err(invalid(format!(
                "bad format for add-host: {}",
                go_quote(value)
            )));
        };
        if ip == HOST_GATEWAY {
            return Err(Error::NoHostGateway);
        }
        if ip.trim().parse::<IpAddr>().is_err() {
            return Err(invalid(format!(
                "invalid IP address in add-host: {}",
                go_quote(ip)
            )));
        }
        Ok(ExtraHost {
            host: host.to_owned(),
            ip: ip.to_owned(),
        })
    }

    /// The `/etc/hosts` line, as moby's `etchosts` writes it.
    pub fn line(&self) -> String {
        format!("{}\t{}\n", self.ip, self.host)
    }
}

/// `--shm-size`: go-units' `RAMInBytes` (`64m`, `1g`, `1.5GiB`, `1024`: binary multiples, the unit's
/// `i` and `b` optional, any case). 0 means Docker's default, [`DEFAULT_SHM_SIZE`].
pub fn parse_shm_size(value: &str) -> Result<u64> {
    let invalid = |reason: String| Error::InvalidFlag {
        flag: "--shm-size",
        value: value.to_owned(),
        reason,
    };
    let size_error = || invalid(format!("invalid size: '{value}'"));
    // `^(\d+(\.\d+)*) ?([kmgtp])?i?b?$`, case-insensitive.
    let number_end = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(value.len());
    let (number, mut unit) = value.split_at(number_end);
    if number.is_empty()
        || number
            .split('.')
            .any(|part| part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(size_error());
    }
    unit = unit.strip_prefix(' ').unwrap_or(unit);
    let lower = unit.to_ascii_lowercase();
    let mut rest = lower.as_str();
    let multiplier: u64 = match rest.chars().next() {
        Some(c @ ('k' | 'm' | 'g' | 't' | 'p')) => {
            rest = &rest[1..];
            BINARY_UNITS
                .iter()
                .find(|(unit, _)| *unit == c)
                .map_or(1, |(_, bytes)| *bytes)
        }
        _ => 1,
    };
    rest = rest.strip_prefix('i').unwrap_or(rest);
    rest = rest.strip_prefix('b').unwrap_or(rest);
    if !rest.is_empty() {
        return Err(size_error());
    }
    let Ok(size) = number.parse::<f64>() else {
        return Err(invalid(format!(
            "strconv.ParseFloat: parsing {}: invalid syntax",
            go_quote(number)
        )));
    };
    // Go converts the float product to int64 (truncating), as here; sizes past 2^63 are nonsense.
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let bytes = (size * multiplier as f64) as u64;
    Ok(if bytes == 0 { DEFAULT_SHM_SIZE } else { bytes })
}

/// One `--ulimit NAME=SOFT[:HARD]`. `-1` (or `infinity`) is unlimited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

/// The names Docker takes (`as` is left out in go-units: it breaks Docker's container init).
const ULIMIT_NAMES: &[(&str, PosixRlimitType)] = &[
    ("core", PosixRlimitType::RlimitCore),
    ("cpu", PosixRlimitType::RlimitCpu),
    ("data", PosixRlimitType::RlimitData),
    ("fsize", PosixRlimitType::RlimitFsize),
    ("locks", PosixRlimitType::RlimitLocks),
    ("memlock", PosixRlimitType::RlimitMemlock),
    ("msgqueue", PosixRlimitType::RlimitMsgqueue),
    ("nice", PosixRlimitType::RlimitNice),
    ("nofile", PosixRlimitType::RlimitNofile),
    ("nproc", PosixRlimitType::RlimitNproc),
    ("rss", PosixRlimitType::RlimitRss),
    ("rtprio", PosixRlimitType::RlimitRtprio),
    ("rttime", PosixRlimitType::RlimitRttime),
    ("sigpending", PosixRlimitType::RlimitSigpending),
    ("stack", PosixRlimitType::RlimitStack),
];

impl Ulimit {
    /// go-units' `ParseUlimit`, with its messages.
    pub fn parse(value: &str) -> Result<Ulimit> {
        let invalid = |reason: String| Error::InvalidFlag {
            flag: "--ulimit",
            value: value.to_owned(),
            reason,
        };
        let Some((name, limits)) = value.split_once('=') else {
            return Err(invalid(format!("invalid ulimit argument: {value}")));
        };
        if !ULIMIT_NAMES.iter().any(|(n, _)| *n == name) {
            return Err(invalid(format!("invalid ulimit type: {name}")));
        }
        let number = |text: &str| -> Result<i64> {
            if text == "infinity" {
                return Ok(-1);
            }
            text.parse::<i64>().map_err(|e| {
                let why = if matches!(
                    e.kind(),
                    std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow
                ) {
                    "value out of range"
                } else {
                    "invalid syntax"
                };
                invalid(format!(
                    "strconv.ParseInt: parsing {}: {why}",
                    go_quote(text)
                ))
            })
        };
        let parts: Vec<&str> = limits.split(':').collect();
        let (soft, hard) = match parts.as_slice() {
            [soft] => {
                let soft = number(soft)?;
                (soft, soft)
            }
            [soft, hard] => {
                let hard = number(hard)?;
                (number(soft)?, hard)
            }
            _ => {
                return Err(invalid(format!(
                "too many limit value arguments - {limits}, can only have up to two, `soft[:hard]`"
            )))
            }
        };
        if hard != -1 {
            if soft == -1 {
                return Err(invalid(format!("ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: {hard}")));
            }
            if soft > hard {
                return Err(invalid(format!(
                    "ulimit soft limit must be less than or equal to hard limit: {soft} > {hard}"
                )));
            }
        }
        Ok(Ulimit {
            name: name.to_owned(),
            soft,
            hard,
        })
    }

    /// The OCI rlimit: `-1` becomes `RLIM_INFINITY` (Go's `uint64(-1)`, as moby converts it).
    pub fn rlimit(&self) -> Result<PosixRlimit> {
        let Some((_, typ)) = ULIMIT_NAMES.iter().find(|(n, _)| *n == self.name) else {
            return Err(Error::InvalidArgument {
                what: "ulimit name",
                value: self.name.clone(),
            });
        };
        #[allow(clippy::cast_sign_loss)]
        let (soft, hard) = (self.soft as u64, self.hard as u64);
        PosixRlimitBuilder::default()
            .typ(*typ)
            .soft(soft)
            .hard(hard)
            .build()
            .map_err(|e| Error::InvalidArgument {
                what: "ulimit",
                value: e.to_string(),
            })
    }
}

/// Go's `%q` for the strings these messages quote (printable ASCII in the common case).
fn go_quote(text: &str) -> String {
    format!("{text:?}")
}

/// The process's rlimits: the spec's defaults, each `--ulimit` replacing the one of its type (a later
/// flag of the same name wins, as in Docker's map of them).
pub(crate) fn apply_ulimits(
    defaults: Vec<PosixRlimit>,
    ulimits: &[Ulimit],
) -> Result<Vec<PosixRlimit>> {
    let mut rlimits = defaults;
    for ulimit in ulimits {
        let rlimit = ulimit.rlimit()?;
        rlimits.retain(|r| r.typ() != rlimit.typ());
        rlimits.push(rlimit);
    }
    Ok(rlimits)
}
