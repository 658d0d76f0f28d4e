//! Timestamps as Go writes them: `time.RFC3339Nano` (`2026-11-27T17:51:08.692423744Z`,
//! trailing zeros of the fraction dropped, no fraction when it is zero).

use std::fmt::Write;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::Error;

/// Formats like Go's `t.Format(time.RFC3339Nano)`.
pub fn format_rfc3339_nano(time: OffsetDateTime) -> String {
    let mut out = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    );
    let nanos = time.nanosecond();
    if nanos != 0 {
        let fraction = format!("{nanos:09}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    let offset = time.offset();
    if offset.is_utc() {
        out.push('Z');
    } else {
        let (hours, minutes, _) = offset.as_hms();
        let sign = if offset.is_negative() { '-' } else { '+' };
        let _ = write!(
            out,
            "{sign}{:02}:{:02}",
            hours.unsigned_abs(),
            minutes.unsigned_abs()
        );
    }
    out
}

/// Parses an RFC 3339 timestamp (any precision, any offset).
pub fn parse_rfc3339(input: &str) -> Result<OffsetDateTime, Error> {
    OffsetDateTime::parse(input, &Rfc3339).map_err(|_| Error::InvalidTime(input.to_owned()))
}

/// Go's zero `time.Time` as RFC 3339: what Docker prints for a time it never set.
pub const GO_ZERO_TIME: &str = "0001-01-01T00:00:00Z";
