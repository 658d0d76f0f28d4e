//! Media type strings and the questions asked of them.
//!
//! oci-spec's `MediaType` knows the OCI types; Docker's types arrive as `MediaType::Other`.
//! The helpers here take `&str` so they work on both and on raw `Content-Type` headers.

/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image config.
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// OCI uncompressed layer.
pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
/// OCI gzip layer.
pub const OCI_LAYER_TAR_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// OCI zstd layer.
pub const OCI_LAYER_TAR_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
/// OCI non-distributable layers (deprecated in image-spec 1.1, still readable).
pub const OCI_LAYER_NONDISTRIBUTABLE_TAR: &str =
    "application/vnd.oci.image.layer.nondistributable.v1.tar";
pub const OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP: &str =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
pub const OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD: &str =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
/// OCI empty descriptor (`{}`, 2 bytes).
pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";
/// OCI image layout header.
pub const OCI_LAYOUT_HEADER: &str = "application/vnd.oci.layout.header.v1+json";

/// Docker schema2 manifest.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list.
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker image config.
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
/// Docker gzip layer.
pub const DOCKER_LAYER_TAR_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
/// Docker uncompressed layer (rare, but Docker reads it).
pub const DOCKER_LAYER_TAR: &str = "application/vnd.docker.image.rootfs.diff.tar";
/// Docker foreign (Windows base) layer, fetched from its `urls`.
pub const DOCKER_LAYER_FOREIGN_TAR_GZIP: &str =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
/// Docker schema1 manifest, unsigned. Unsupported (Docker dropped it in v28.2).
pub const DOCKER_SCHEMA1_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v1+json";
/// Docker schema1 manifest, signed. Unsupported.
pub const DOCKER_SCHEMA1_SIGNED_MANIFEST: &str =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";

/// Manifest and index types berth reads, most preferred first: the `Accept` header of a manifest GET.
pub const ACCEPTED_MANIFEST_TYPES: &[&str] = &[
    OCI_INDEX,
    DOCKER_MANIFEST_LIST,
    OCI_MANIFEST,
    DOCKER_MANIFEST,
];

/// How a layer (or an image archive) is compressed: the one list berth reads, detected by magic
/// bytes ([`Compression::detect`]) and named by media types ([`layer_compression`]). Only `None`,
/// `Gzip` and `Zstd` have OCI layer media types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    None,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

/// Longest magic number [`Compression::detect`] looks at (xz's).
pub const COMPRESSION_MAGIC_LEN: usize = 6;

impl Compression {
    /// Detects the compression from the first bytes of a stream, as Docker's `DetectCompression` does.
    /// Anything unrecognised is taken to be plain (a tar parser then decides whether it is a tar).
    pub fn detect(prefix: &[u8]) -> Compression {
        if prefix.starts_with(&[0x1f, 0x8b, 0x08]) {
            Compression::Gzip
        } else if prefix.starts_with(b"BZh") {
            Compression::Bzip2
        } else if prefix.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Compression::Xz
        } else if prefix.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "uncompressed",
            Compression::Gzip => "gzip",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
        }
    }

    /// The OCI layer media type for a blob stored with this compression, if OCI has one.
    pub fn layer_media_type(self) -> Option<&'static str> {
        match self {
            Compression::None => Some(OCI_LAYER_TAR),
            Compression::Gzip => Some(OCI_LAYER_TAR_GZIP),
            Compression::Zstd => Some(OCI_LAYER_TAR_ZSTD),
            Compression::Bzip2 | Compression::Xz => None,
        }
    }
}

impl std::fmt::Display for Compression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The media type without parameters, trimmed, lowercased (`Application/JSON; charset=utf-8` -> `application/json`).
pub fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Whether two media types (or `Content-Type` values) are the same, ignoring parameters and case.
pub fn same_type(a: &str, b: &str) -> bool {
    essence(a) == essence(b)
}

/// An image manifest (OCI or Docker schema2); schema1 is not.
pub fn is_manifest(media_type: &str) -> bool {
    matches!(essence(media_type).as_str(), OCI_MANIFEST | DOCKER_MANIFEST)
}

/// An image index or Docker manifest list.
pub fn is_index(media_type: &str) -> bool {
    matches!(
        essence(media_type).as_str(),
        OCI_INDEX | DOCKER_MANIFEST_LIST
    )
}

/// A Docker schema1 manifest (signed or not).
pub fn is_schema1(media_type: &str) -> bool {
    matches!(
        essence(media_type).as_str(),
        DOCKER_SCHEMA1_MANIFEST | DOCKER_SCHEMA1_SIGNED_MANIFEST
    )
}

/// An image config (OCI or Docker).
pub fn is_config(media_type: &str) -> bool {
    matches!(essence(media_type).as_str(), OCI_CONFIG | DOCKER_CONFIG)
}

/// A layer type berth can unpack (including Docker foreign and OCI non-distributable layers).
pub fn is_layer(media_type: &str) -> bool {
    layer_compression(media_type).is_some()
}

/// The compression of a layer media type, or `None` if it is not a layer type.
pub fn layer_compression(media_type: &str) -> Option<Compression> {
    match essence(media_type).as_str() {
        OCI_LAYER_TAR | OCI_LAYER_NONDISTRIBUTABLE_TAR | DOCKER_LAYER_TAR => {
            Some(Compression::None)
        }
        OCI_LAYER_TAR_GZIP
        | OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP
        | DOCKER_LAYER_TAR_GZIP
        | DOCKER_LAYER_FOREIGN_TAR_GZIP => Some(Compression::Gzip),
        OCI_LAYER_TAR_ZSTD | OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD => Some(Compression::Zstd),
        _ => None,
    }
}

/// A layer whose blob lives outside the registry (Docker foreign, OCI non-distributable).
pub fn is_foreign_layer(media_type: &str) -> bool {
    matches!(
        essence(media_type).as_str(),
        DOCKER_LAYER_FOREIGN_TAR_GZIP
            | OCI_LAYER_NONDISTRIBUTABLE_TAR
            | OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP
            | OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD
    )
}

/// The OCI media type of a layer of a Docker media type (the same bytes); others as they are.
pub fn oci_layer_type(media_type: &str) -> &str {
    match media_type {
        DOCKER_LAYER_TAR_GZIP => OCI_LAYER_TAR_GZIP,
        DOCKER_LAYER_TAR => OCI_LAYER_TAR,
        DOCKER_LAYER_FOREIGN_TAR_GZIP => OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP,
        other => other,
    }
}
