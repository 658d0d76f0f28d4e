//! Platforms (`linux/arm64/v8`): parsing, normalization and matching, as containerd's
//! `platforms` package does them, so berth picks the same manifest from an index as Docker.

use std::fmt;
use std::str::FromStr;

use oci_spec::image::{Descriptor, ImageIndex};

use crate::media_type;
use crate::Error;

/// An OS, CPU architecture and optional variant / OS version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
    pub os_version: Option<String>,
}

/// Annotation that marks BuildKit attestation manifests in an index.
pub const REFERENCE_TYPE_ANNOTATION: &str = "vnd.docker.reference.type";
/// Its value for attestations.
pub const ATTESTATION_MANIFEST: &str = "attestation-manifest";

const KNOWN_OS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
    "zos",
];
const KNOWN_ARCH: &[&str] = &[
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "ppc64",
    "ppc64le",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
];

impl Platform {
    /// A platform from its parts; an empty variant means none.
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Platform {
        Platform {
            os: os.to_owned(),
            architecture: architecture.to_owned(),
            variant: variant.filter(|v| !v.is_empty()).map(str::to_owned),
            os_version: None,
        }
    }

    /// Parses `os[/arch[/variant]]` or a bare `arch` / `os`, like containerd's `platforms.Parse`:
    /// a bare OS gets the host's architecture, a bare architecture the host's OS;
    /// `linux/arm/v7` keeps `v7` but `linux/arm` has no variant; `linux/arm64/v8` keeps `v8`.
    pub fn parse(specifier: &str) -> Result<Platform, Error> {
        let invalid = || Error::InvalidPlatform(specifier.to_owned());
        let parts: Vec<&str> = specifier.split('/').collect();
        let component_ok = |part: &&str| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
        };
        if parts.len() > 3 || !parts.iter().all(component_ok) {
            return Err(invalid());
        }
        let os = normalize_os(parts[0]);
        match parts[..] {
            [_] if KNOWN_OS.contains(&os.as_str()) => {
                let host = host_platform();
                Ok(Platform { os, ..host })
            }
            [arch] => {
                let (architecture, variant) = normalize_arch(arch, "");
                if !KNOWN_ARCH.contains(&architecture.as_str()) {
                    return Err(invalid());
                }
                let variant = variant.filter(|v| !(architecture == "arm" && v == "v7"));
                Ok(Platform {
                    os: host_platform().os,
                    architecture,
                    variant,
                    os_version: None,
                })
            }
            [_, arch] => {
                let (architecture, variant) = normalize_arch(arch, "");
                let variant = variant.filter(|v| !(architecture == "arm" && v == "v7"));
                Ok(Platform {
                    os,
                    architecture,
                    variant,
                    os_version: None,
                })
            }
            [_, arch, variant] => {
                let (architecture, variant) = normalize_arch(arch, variant);
                let variant = match variant {
                    None if architecture == "arm64" => Some("v8".to_owned()),
                    other => other,
                };
                Ok(Platform {
                    os,
                    architecture,
                    variant,
                    os_version: None,
                })
            }
            _ => Err(invalid()),
        }
    }

    /// containerd's `platforms.Normalize`: canonical OS, architecture and variant names
    /// (`aarch64` -> `arm64`, `x86_64` -> `amd64`, `i386` -> `386`, `arm` -> `arm/v7`,
    /// `arm64/v8` -> `arm64`).
    #[must_use]
    pub fn normalize(&self) -> Platform {
        let (architecture, variant) = normalize_arch(
            &self.architecture,
            self.variant.as_deref().unwrap_or_default(),
        );
        Platform {
            os: normalize_os(&self.os),
            architecture,
            variant,
            os_version: self.os_version.clone(),
        }
    }

    /// Whether `other` is this platform once both are normalized (containerd's `Match`):
    /// `linux/arm64` matches `linux/arm64/v8`, `linux/arm` matches `linux/arm/v7`.
    /// The OS version is not compared (it matters only on Windows).
    pub fn matches(&self, other: &Platform) -> bool {
        let (a, b) = (self.normalize(), other.normalize());
        a.os == b.os && a.architecture == b.architecture && a.variant == b.variant
    }

    /// From an index descriptor's platform.
    pub fn from_oci(platform: &oci_spec::image::Platform) -> Platform {
        Platform {
            os: platform.os().to_string(),
            architecture: platform.architecture().to_string(),
            variant: platform.variant().clone().filter(|v| !v.is_empty()),
            os_version: platform.os_version().clone().filter(|v| !v.is_empty()),
        }
    }

    /// To oci-spec's type.
    pub fn to_oci(&self) -> oci_spec::image::Platform {
        let mut platform = oci_spec::image::Platform::default();
        platform.set_os(self.os.as_str().into());
        platform.set_architecture(self.architecture.as_str().into());
        platform.set_variant(self.variant.clone());
        platform.set_os_version(self.os_version.clone());
        platform
    }

    /// The platforms this one can run, best first (containerd's `platformVector`):
    /// `amd64/v3` runs v2, v1 and `386`; `arm/v7` runs v6 and v5; `arm64` runs `arm/v8` .. `arm/v5`.
    fn compatible(&self) -> Vec<Platform> {
        let me = self.normalize();
        let with = |architecture: &str, variant: Option<String>| Platform {
            os: me.os.clone(),
            architecture: architecture.to_owned(),
            variant,
            os_version: None,
        };
        let version = |variant: &Option<String>| {
            variant
                .as_deref()
                .and_then(|v| v.trim_start_matches('v').parse::<u32>().ok())
        };
        let mut vector = vec![me.clone()];
        match me.architecture.as_str() {
            "amd64" => {
                if let Some(level) = version(&me.variant) {
                    for lower in (1..level).rev() {
                        let variant = (lower > 1).then(|| format!("v{lower}"));
                        vector.push(with("amd64", variant));
                    }
                }
                vector.push(with("386", None));
            }
            "arm" => {
                if let Some(level) = version(&me.variant) {
                    for lower in (5..level).rev() {
                        vector.push(with("arm", Some(format!("v{lower}"))));
                    }
                }
            }
            "arm64" => {
                if me.variant.as_deref().is_some_and(|v| v.starts_with("v9")) {
                    vector.push(with("arm64", None));
                }
                for lower in (5..=8).rev() {
                    vector.push(with("arm", Some(format!("v{lower}"))));
                }
            }
            _ => {}
        }
        vector
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

impl FromStr for Platform {
    type Err = Error;
    fn from_str(s: &str) -> Result<Platform, Error> {
        Platform::parse(s)
    }
}

fn normalize_os(os: &str) -> String {
    let os = os.to_ascii_lowercase();
    if os == "macos" {
        "darwin".to_owned()
    } else {
        os
    }
}

/// containerd's `normalizeArch`.
fn normalize_arch(arch: &str, variant: &str) -> (String, Option<String>) {
    let arch = arch.to_ascii_lowercase();
    let variant = variant.to_ascii_lowercase();
    let (arch, variant) = match arch.as_str() {
        "i386" => ("386".to_owned(), String::new()),
        "x86_64" | "x86-64" | "amd64" => (
            "amd64".to_owned(),
            if variant == "v1" {
                String::new()
            } else {
                variant
            },
        ),
        "aarch64" | "arm64" => {
            let variant = match variant.as_str() {
                "8" | "v8" | "v8.0" => String::new(),
                "9" | "9.0" | "v9.0" => "v9".to_owned(),
                _ => variant,
            };
            ("arm64".to_owned(), variant)
        }
        "armhf" => ("arm".to_owned(), "v7".to_owned()),
        "armel" => ("arm".to_owned(), "v6".to_owned()),
        "arm" => {
            let variant = match variant.as_str() {
                "" | "7" => "v7".to_owned(),
                "5" | "6" | "8" => format!("v{variant}"),
                _ => variant,
            };
            ("arm".to_owned(), variant)
        }
        _ => (arch, variant),
    };
    (arch, (!variant.is_empty()).then_some(variant))
}

/// The platform berth itself was built for, from `std::env::consts` (no I/O, so no
/// `/proc/cpuinfo` variant detection: 32-bit arm is assumed to be v7, like containerd's default).
pub fn host_platform() -> Platform {
    let little = cfg!(target_endian = "little");
    let (architecture, variant) = match std::env::consts::ARCH {
        "x86_64" => ("amd64", None),
        "x86" => ("386", None),
        "aarch64" => ("arm64", None),
        "arm" => ("arm", Some("v7")),
        "powerpc64" if little => ("ppc64le", None),
        "powerpc64" => ("ppc64", None),
        "powerpc" => ("ppc", None),
        "riscv64" => ("riscv64", None),
        "s390x" => ("s390x", None),
        "loongarch64" => ("loong64", None),
        "mips64" if little => ("mips64le", None),
        "mips" if little => ("mipsle", None),
        "sparc64" => ("sparc64", None),
        other => (other, None),
    };
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    Platform::new(os, architecture, variant)
}

/// Whether an index entry is a BuildKit attestation rather than a runnable image.
pub fn is_attestation(descriptor: &Descriptor) -> bool {
    let by_annotation = descriptor
        .annotations()
        .as_ref()
        .and_then(|a| a.get(REFERENCE_TYPE_ANNOTATION))
        .is_some_and(|v| v == ATTESTATION_MANIFEST);
    let by_platform = descriptor.platform().as_ref().is_some_and(|p| {
        p.os().to_string() == "unknown" && p.architecture().to_string() == "unknown"
    });
    by_annotation || by_platform
}

/// The manifest of `index` that best runs on `want`, like containerd's `platforms.Only`:
/// an exact (normalized) match first, then compatible platforms in containerd's order
/// (`arm64` falls back to `arm/v8`..`arm/v5`, `amd64` to `386`). Attestations and entries that
/// are not image manifests or indexes are skipped. Entries without a platform are a last
/// resort (the caller must then check the config's platform). Ties go to the first entry.
pub fn select_manifest<'a>(index: &'a ImageIndex, want: &Platform) -> Option<&'a Descriptor> {
    let vector = want.compatible();
    let mut best: Option<(usize, &Descriptor)> = None;
    for descriptor in index.manifests() {
        let media = descriptor.media_type().to_string();
        if !(media_type::is_manifest(&media) || media_type::is_index(&media))
            || is_attestation(descriptor)
        {
            continue;
        }
        let rank = match descriptor.platform() {
            Some(platform) => {
                let have = Platform::from_oci(platform);
                if have.normalize().os != vector[0].os {
                    continue;
                }
                match vector.iter().position(|candidate| candidate.matches(&have)) {
                    Some(rank) => rank,
                    None => continue,
                }
            }
            None => vector.len(),
        };
        if best.is_none_or(|(best_rank, _)| rank < best_rank) {
            best = Some((rank, descriptor));
        }
    }
    best.map(|(_, descriptor)| descriptor)
}
