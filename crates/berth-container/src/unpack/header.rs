//! Device numbers of tar headers, read with berth-archive's `scan::tar_numeric` (Go's `parseNumeric`, so as Docker reads them).

use crate::error::{Error, Result};

/// Linux keeps 12 bits of a device's major number and 20 of its minor (`new_encode_dev`): anything
/// larger would make `mknod` create some other device (major 4350 becomes 254, a host disk).
const MAX_MAJOR: u64 = (1 << 12) - 1;
const MAX_MINOR: u64 = (1 << 20) - 1;

/// A device entry's major and minor numbers: 0 for a header without them (V7), refused when not
/// numbers or out of the kernel's range.
pub(crate) fn device_numbers(header: &tar::Header, raw_name: &[u8]) -> Result<(u32, u32)> {
    let (major, minor) = if let Some(ustar) = header.as_ustar() {
        (&ustar.dev_major, &ustar.dev_minor)
    } else if let Some(gnu) = header.as_gnu() {
        (&gnu.dev_major, &gnu.dev_minor)
    } else {
        return Ok((0, 0));
    };
    let parse = |field: &[u8], max: u64| {
        let value = berth_archive::scan::tar_numeric(field)
            .ok_or_else(|| Error::invalid(raw_name, "device number is not a number"))?;
        if value > max {
            return Err(Error::invalid(
                raw_name,
                "device number is out of the kernel's range (major 0-4095, minor 0-1048575)",
            ));
        }
        Ok(u32::try_from(value).unwrap_or(u32::MAX))
    };
    Ok((parse(major, MAX_MAJOR)?, parse(minor, MAX_MINOR)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_go_reads_them() {
        let cases: &[(&[u8], Option<u64>)] = &[
            (b"0000644\0", Some(0o644)),
            (b"\0\0\0\0\0\0\0\0", Some(0)),
            (b"        ", Some(0)),
            (b"  755 \0", Some(0o755)),
            (b"\0\0 12\0", Some(0o12)),
            (b"12\x0034", Some(0o12)),
            (b"0010376\0", Some(4350)),
            (b"9\0", None),
            (b"abc\0", None),
            (&[0x80, 0, 0, 0, 0, 0, 0x10, 0xfe], Some(4350)),
            (&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], None),
            (
                &[0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                None,
            ),
            (b"", Some(0)),
        ];
        for (field, expected) in cases {
            assert_eq!(
                berth_archive::scan::tar_numeric(field),
                *expected,
                "{field:?}"
            );
        }
    }

    #[test]
    fn device_numbers_are_checked() {
        let header = |major: &[u8], minor: &[u8]| {
            let mut header = tar::Header::new_ustar();
            let ustar = header.as_ustar_mut().unwrap();
            ustar.dev_major.fill(0);
            ustar.dev_minor.fill(0);
            ustar.dev_major[..major.len()].copy_from_slice(major);
            ustar.dev_minor[..minor.len()].copy_from_slice(minor);
            header
        };
        let ok = |major: &[u8], minor: &[u8]| device_numbers(&header(major, minor), b"dev").ok();
        assert_eq!(ok(b"", b""), Some((0, 0)));
        assert_eq!(ok(b"0000001", b"0000003"), Some((1, 3)));
        assert_eq!(ok(b"0007777", b"3777777"), Some((4095, 1_048_575)));
        assert_eq!(ok(b"0010376", b"0000000"), None);
        assert_eq!(ok(b"0000001", b"4000000"), None);
        assert_eq!(ok(b"x", b""), None);
        assert_eq!(
            device_numbers(&tar::Header::new_old(), b"dev").ok(),
            Some((0, 0))
        );
    }
}
