//! Timestamps as Docker prints them: RFC 3339 in UTC with nanoseconds.

use std::time::SystemTime;

use time::{format_description::well_known::Rfc3339, OffsetDateTime};

pub fn format_rfc3339(at: SystemTime) -> String {
    OffsetDateTime::from(at)
        .format(&Rfc3339)
        .unwrap_or_default()
}

pub fn now_rfc3339() -> String {
    format_rfc3339(SystemTime::now())
}
