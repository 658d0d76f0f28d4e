//! `logs --since/--until`: docker/cli's `timetypes.GetTimestamp`. A value is a Go duration before
//! now (`10m`, `1h30m`, `-5s`), a Unix timestamp (`1700000000`, `1700000000.5`), or a date and time
//! in one of the RFC 3339-like forms Docker accepts (`2024-01-02`, `2024-01-02T15`, `…T15:04`,
//! `…T15:04:05`, with fractions, with `Z` or `±hh:mm`; without a zone, the local one). Errors read
//! as Docker's: Go's `time.Parse` messages for what looks like a date, else `failed to parse value
//! as time or duration: "VALUE"`.

use time::{OffsetDateTime, UtcOffset};

/// A point in time in nanoseconds since the Unix epoch; `None` for Docker's zero (no bound).
pub type Bound = Option<i128>;

const NANOS: i128 = 1_000_000_000;

/// Parses `value` relative to `now` (with `local`, the zone of values without one).
pub fn parse(value: &str, now: OffsetDateTime, local: UtcOffset) -> Result<Bound, String> {
    if value.is_empty() {
        return Ok(None);
    }
    if value != "0" {
        if let Ok(duration) = berth_manifest::parse_go_duration(value).map(i128::from) {
            // Go's `Time.Unix()`: whole seconds, rounded down.
            let at = now
                .unix_timestamp_nanos()
                .checked_sub(duration)
                .ok_or_else(|| format!("invalid duration {value}"))?;
            return Ok(nonzero(at.div_euclid(NANOS) * NANOS));
        }
    }
    let in_location = !(value.contains(['z', 'Z', '+']) || value.matches('-').count() == 3);
    let layout = layout_for(value, in_location);
    match parse_layout(value, &layout, local) {
        Ok(at) => Ok(nonzero(at)),
        Err(error) if value.contains('-') => Err(error),
        Err(_) => unix_timestamp(value)
            .map(nonzero)
            .ok_or_else(|| format!("failed to parse value as time or duration: {value:?}")),
    }
}

fn nonzero(at: i128) -> Bound {
    (at != 0).then_some(at)
}

/// The Go layout `GetTimestamp` picks for `value`.
fn layout_for(value: &str, in_location: bool) -> String {
    let zone = if in_location { "" } else { "Z07:00" };
    if value.contains('.') {
        return format!("2006-01-02T15:04:05.999999999{zone}");
    }
    if value.contains('T') {
        let mut colons = value.matches(':').count();
        if !in_location && !value.contains(['z', 'Z']) && colons > 0 {
            colons -= 1;
        }
        return match colons {
            0 => format!("2006-01-02T15{zone}"),
            1 => format!("2006-01-02T15:04{zone}"),
            _ => format!("2006-01-02T15:04:05{zone}"),
        };
    }
    format!("2006-01-02{zone}")
}

/// `seconds[.nanoseconds]` (docker's `parseTimestamp`).
fn unix_timestamp(value: &str) -> Option<i128> {
    let (seconds, fraction) = match value.split_once('.') {
        Some((s, f)) => (s, Some(f)),
        None => (value, None),
    };
    let seconds: i64 = seconds.parse().ok()?;
    let nanos = match fraction {
        None => 0,
        Some(f) => {
            // Where Go's ParseInt fails, so does Docker's parseTimestamp.
            if !f.bytes().all(|b| b.is_ascii_digit()) || f.parse::<i64>().is_err() {
                return None;
            }
            // Nanoseconds: the first nine digits count, the rest are below the resolution.
            let kept = f.get(..9).unwrap_or(f);
            let n: i128 = kept.parse().ok()?;
            let digits = u32::try_from(kept.len()).ok()?;
            n * 10i128.pow(9 - digits)
        }
    };
    Some(i128::from(seconds) * NANOS + nanos)
}

/// Go's `time.Parse` (or `ParseInLocation` with `local`) for the layouts of [`layout_for`], with
/// its error messages.
fn parse_layout(value: &str, layout: &str, local: UtcOffset) -> Result<i128, String> {
    let cannot = |rest: &str, element: &str| {
        format!("parsing time {value:?} as {layout:?}: cannot parse {rest:?} as {element:?}")
    };
    let out_of_range = |what: &str| format!("parsing time {value:?}: {what} out of range");
    let mut rest = value;
    let mut layout_rest = layout;
    let (mut year, mut month, mut day, mut hour, mut minute, mut second) =
        (0i32, 1u8, 1u8, 0u8, 0u8, 0u8);
    let mut nanos: u32 = 0;
    let mut offset = local;
    while !layout_rest.is_empty() {
        let (element, literal) = next_element(layout_rest);
        if !literal.is_empty() {
            match rest.strip_prefix(literal) {
                Some(r) => rest = r,
                None => return Err(cannot(rest, literal)),
            }
            layout_rest = &layout_rest[literal.len()..];
            continue;
        }
        let at_element = rest;
        layout_rest = &layout_rest[element.len()..];
        match element {
            "2006" => {
                let digits = rest
                    .get(..4)
                    .filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
                year = digits
                    .and_then(|d| d.parse().ok())
                    .ok_or_else(|| cannot(at_element, element))?;
                rest = &rest[4..];
            }
            "01" | "02" | "04" | "05" | "15" => {
                let (n, r) =
                    number(rest, element != "15").ok_or_else(|| cannot(at_element, element))?;
                rest = r;
                let (limit_ok, name) = match element {
                    "01" => ((1..=12).contains(&n), "month"),
                    "02" => ((1..=31).contains(&n), "day"),
                    "15" => (n < 24, "hour"),
                    "04" => (n < 60, "minute"),
                    _ => (n < 60, "second"),
                };
                if !limit_ok {
                    return Err(out_of_range(name));
                }
                let n = u8::try_from(n).unwrap_or(u8::MAX);
                match element {
                    "01" => month = n,
                    "02" => day = n,
                    "15" => hour = n,
                    "04" => minute = n,
                    _ => {
                        second = n;
                        // Go reads a fraction after the seconds even where the layout has none.
                        if !layout_rest.starts_with(".9") {
                            if let Some((f, r)) = fraction(rest) {
                                nanos = f;
                                rest = r;
                            }
                        }
                    }
                }
            }
            ".999999999" => {
                if let Some((f, r)) = fraction(rest) {
                    nanos = f;
                    rest = r;
                }
            }
            _ => {
                // "Z07:00"
                if let Some(r) = rest.strip_prefix('Z') {
                    offset = UtcOffset::UTC;
                    rest = r;
                } else {
                    let b = rest.as_bytes();
                    let shaped = b.len() >= 6
                        && (b[0] == b'+' || b[0] == b'-')
                        && b[3] == b':'
                        && [1, 2, 4, 5].iter().all(|&i| b[i].is_ascii_digit());
                    if !shaped {
                        return Err(cannot(at_element, element));
                    }
                    let hours: i8 = rest[1..3]
                        .parse()
                        .map_err(|_| cannot(at_element, element))?;
                    let minutes: i8 = rest[4..6]
                        .parse()
                        .map_err(|_| cannot(at_element, element))?;
                    let sign = if b[0] == b'-' { -1 } else { 1 };
                    offset = UtcOffset::from_hms(sign * hours, sign * minutes, 0)
                        .map_err(|_| out_of_range("time zone offset"))?;
                    rest = &rest[6..];
                }
            }
        }
    }
    if !rest.is_empty() {
        return Err(format!("parsing time {value:?}: extra text: {rest:?}"));
    }
    let month = time::Month::try_from(month).map_err(|_| out_of_range("month"))?;
    let date = time::Date::from_calendar_date(year, month, day).map_err(|_| out_of_range("day"))?;
    let time = time::Time::from_hms_nano(hour, minute, second, nanos)
        .map_err(|_| out_of_range("second"))?;
    Ok(date
        .with_time(time)
        .assume_offset(offset)
        .unix_timestamp_nanos())
}

/// The layout's next element: a Go layout word, or else the literal text before it.
fn next_element(layout: &str) -> (&str, &str) {
    const WORDS: [&str; 8] = ["2006", "01", "02", "15", "04", "05", ".999999999", "Z07:00"];
    if let Some(word) = WORDS.iter().find(|w| layout.starts_with(*w)) {
        return (word, "");
    }
    let end = (1..=layout.len())
        .find(|&i| i == layout.len() || WORDS.iter().any(|w| layout[i..].starts_with(w)))
        .unwrap_or(layout.len());
    ("", &layout[..end])
}

/// Go's `getnum`: one or two digits (two when `fixed`).
fn number(value: &str, fixed: bool) -> Option<(u32, &str)> {
    let b = value.as_bytes();
    if !b.first()?.is_ascii_digit() {
        return None;
    }
    if !b.get(1).is_some_and(u8::is_ascii_digit) {
        return (!fixed).then(|| (u32::from(b[0] - b'0'), &value[1..]));
    }
    Some((
        u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0'),
        &value[2..],
    ))
}

/// A `.digits` (or `,digits`) fraction of a second, in nanoseconds.
fn fraction(value: &str) -> Option<(u32, &str)> {
    let b = value.as_bytes();
    if b.len() < 2 || !(b[0] == b'.' || b[0] == b',') || !b[1].is_ascii_digit() {
        return None;
    }
    let end = 1 + value[1..].bytes().take_while(u8::is_ascii_digit).count();
    let digits = &value[1..end];
    let mut nanos: u32 = 0;
    let mut unit = 1_000_000_000;
    for d in digits.bytes().take(9) {
        unit /= 10;
        nanos += u32::from(d - b'0') * unit;
    }
    Some((nanos, &value[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(value: &str, want: Result<Bound, &str>) {
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap()
            + time::Duration::milliseconds(700);
        let got = parse(value, now, UtcOffset::UTC);
        assert_eq!(got, want.map_err(str::to_owned), "{value}");
    }

    #[test]
    fn parses_what_docker_parses() {
        let s = |seconds: i128| Ok(Some(seconds * NANOS));
        let cases: &[(&str, Result<Bound, &str>)] = &[
            ("", Ok(None)),
            ("0", Ok(None)),
            ("10m", s(1_700_000_000 - 600)),
            ("1h30m", s(1_700_000_000 - 5400)),
            ("1.5s", s(1_699_999_999)),
            ("-5s", s(1_700_000_005)),
            ("1700000000", s(1_700_000_000)),
            ("1700000000.5", Ok(Some(1_700_000_000 * NANOS + 500_000_000))),
            ("2023-11-14", s(1_699_920_000)),
            ("2023-11-14T22", s(1_700_000_000 - 13 * 60 - 20)),
            ("2023-11-14T22:13", s(1_700_000_000 - 20)),
            ("2023-11-14T22:13:20", s(1_700_000_000)),
            ("2023-11-14T22:13:20Z", s(1_700_000_000)),
            ("2023-11-14T22:13:20.25Z", Ok(Some(1_700_000_000 * NANOS + 250_000_000))),
            ("2023-11-14T23:13:20+01:00", s(1_700_000_000)),
            ("2023-11-14T22:13:20.5", Ok(Some(1_700_000_000 * NANOS + 500_000_000))),
            ("abc", Err("failed to parse value as time or duration: \"abc\"")),
            ("10M", Err("failed to parse value as time or duration: \"10M\"")),
            ("1e3", Err("failed to parse value as time or duration: \"1e3\"")),
            ("1700000000.x", Err("failed to parse value as time or duration: \"1700000000.x\"")),
            // Crafted values end in an error or a value, never an overflow (a 137-digit fraction
            // divided by a power of ten that had wrapped to 0).
            ("9999999999999999999999999999999h", Err("failed to parse value as time or duration: \"9999999999999999999999999999999h\"")),
            ("2026-13-01", Err("parsing time \"2026-13-01\": month out of range")),
            ("2026-12-05T25:00:00Z", Err("parsing time \"2026-12-05T25:00:00Z\": hour out of range")),
            ("2026-02-30", Err("parsing time \"2026-02-30\": day out of range")),
            ("2026-1-05", Err("parsing time \"2026-1-05\" as \"2006-01-02\": cannot parse \"1-05\" as \"01\"")),
            ("2026-12-05x", Err("parsing time \"2026-12-05x\": extra text: \"x\"")),
            ("2026-12-05T23:16:34+0100", Err("parsing time \"2026-12-05T23:16:34+0100\" as \"2006-01-02T15:04Z07:00\": cannot parse \":34+0100\" as \"Z07:00\"")),
            ("2026-12-05Tab", Err("parsing time \"2026-12-05Tab\" as \"2006-01-02T15\": cannot parse \"ab\" as \"15\"")),
        ];
        for (value, want) in cases {
            check(value, *want);
        }
        let long_fraction = format!("1.{}1", "0".repeat(136));
        check(&long_fraction, s(1));
    }
}
