//! Go's `time.Time` as templates see it: `String()`, `Format` with Go's reference-time layouts, and
//! the methods Docker users call (`{{.Metadata.LastTagTime.Year}}`).

use std::fmt::Write as _;

use super::{
    funcs::CallError,
    value::{GoValue, Named},
};

/// Seconds from 0001-01-01T00:00:00Z (Go's zero `time.Time`) to the Unix epoch.
const ZERO_TIME_UNIX: i64 = -62_135_596_800;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// A `time.Time`: an instant and the zone it is shown in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoTime {
    /// Seconds since the Unix epoch.
    pub unix: i64,
    /// Nanoseconds within the second, `0..1_000_000_000`.
    pub nanos: u32,
    /// The zone's offset east of UTC, in seconds.
    pub offset: i32,
    /// The zone's name (`UTC`); empty for a fixed offset without one, printed as `+0200`.
    pub zone: String,
}

/// A time's calendar fields in its zone.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    year_day: u32,
    weekday: usize,
    hour: u32,
    minute: u32,
    second: u32,
}

impl GoTime {
    /// A UTC time, as a `time.Time` decoded from an API's JSON `...Z`.
    pub fn utc(unix: i64, nanos: u32) -> GoTime {
        GoTime {
            unix,
            nanos,
            offset: 0,
            zone: "UTC".to_owned(),
        }
    }

    /// Go's zero `time.Time`: `0001-01-01 00:00:00 +0000 UTC`.
    pub fn zero() -> GoTime {
        GoTime::utc(ZERO_TIME_UNIX, 0)
    }

    pub fn is_zero(&self) -> bool {
        self.unix == ZERO_TIME_UNIX && self.nanos == 0
    }

    fn civil(&self) -> Civil {
        let local = self.unix + i64::from(self.offset);
        let days = local.div_euclid(86_400);
        let seconds = u32::try_from(local.rem_euclid(86_400)).unwrap_or(0);
        let (year, month, day) = civil_from_days(days);
        let year_day = u32::try_from(days - days_from_civil(year, 1, 1)).unwrap_or(0) + 1;
        Civil {
            year,
            month,
            day,
            year_day,
            // 1970-01-01 was a Thursday.
            weekday: usize::try_from((days + 4).rem_euclid(7)).unwrap_or(0),
            hour: seconds / 3600,
            minute: seconds / 60 % 60,
            second: seconds % 60,
        }
    }

    /// `String()`: `2006-01-02 15:04:05.999999999 -0700 MST`.
    pub fn string(&self) -> String {
        self.format("2006-01-02 15:04:05.999999999 -0700 MST")
    }

    /// `Format(layout)`, with Go's reference time `Mon Jan 2 15:04:05 MST 2006`.
    pub fn format(&self, layout: &str) -> String {
        let civil = self.civil();
        let mut out = String::new();
        let mut rest = layout;
        while !rest.is_empty() {
            let (prefix, chunk, suffix) = next_chunk(rest);
            out.push_str(prefix);
            match chunk {
                Some(chunk) => self.write_chunk(&mut out, chunk, &civil),
                None => break,
            }
            rest = suffix;
        }
        out
    }

    fn write_chunk(&self, out: &mut String, chunk: Chunk, c: &Civil) {
        let hour12 = match c.hour % 12 {
            0 => 12,
            h => h,
        };
        let month = MONTHS[c.month as usize - 1];
        let weekday = WEEKDAYS[c.weekday];
        let _ = match chunk {
            Chunk::Year => write!(out, "{:02}", c.year.abs() % 100),
            Chunk::LongYear => write_int(out, c.year, 4),
            Chunk::Month => write!(out, "{}", &month[..3]),
            Chunk::LongMonth => write!(out, "{month}"),
            Chunk::NumMonth => write!(out, "{}", c.month),
            Chunk::ZeroMonth => write!(out, "{:02}", c.month),
            Chunk::WeekDay => write!(out, "{}", &weekday[..3]),
            Chunk::LongWeekDay => write!(out, "{weekday}"),
            Chunk::Day => write!(out, "{}", c.day),
            Chunk::UnderDay => write!(out, "{:>2}", c.day),
            Chunk::ZeroDay => write!(out, "{:02}", c.day),
            Chunk::UnderYearDay => write!(out, "{:>3}", c.year_day),
            Chunk::ZeroYearDay => write!(out, "{:03}", c.year_day),
            Chunk::Hour => write!(out, "{:02}", c.hour),
            Chunk::Hour12 => write!(out, "{hour12}"),
            Chunk::ZeroHour12 => write!(out, "{hour12:02}"),
            Chunk::Minute => write!(out, "{}", c.minute),
            Chunk::ZeroMinute => write!(out, "{:02}", c.minute),
            Chunk::Second => write!(out, "{}", c.second),
            Chunk::ZeroSecond => write!(out, "{:02}", c.second),
            Chunk::Pm(upper) => {
                let pm = if c.hour >= 12 { "PM" } else { "AM" };
                if upper {
                    write!(out, "{pm}")
                } else {
                    write!(out, "{}", pm.to_lowercase())
                }
            }
            Chunk::Zone(style) => {
                self.write_zone(out, style);
                Ok(())
            }
            Chunk::ZoneName if !self.zone.is_empty() => write!(out, "{}", self.zone),
            Chunk::ZoneName => {
                let minutes = self.offset / 60;
                let sign = if minutes < 0 { '-' } else { '+' };
                let minutes = minutes.abs();
                write!(out, "{sign}{:02}{:02}", minutes / 60, minutes % 60)
            }
            Chunk::Fraction { digits, trim, sep } => {
                let all = format!("{:09}", self.nanos);
                let mut n = digits.min(9);
                if trim {
                    n = all[..n].trim_end_matches('0').len();
                    if n == 0 {
                        return;
                    }
                }
                write!(out, "{sep}{}", &all[..n])
            }
        };
    }

    fn write_zone(&self, out: &mut String, style: ZoneStyle) {
        if self.offset == 0 && style.iso {
            out.push('Z');
            return;
        }
        let minutes = self.offset / 60;
        out.push(if minutes < 0 { '-' } else { '+' });
        let (minutes, seconds) = (minutes.abs(), self.offset.abs() % 60);
        let _ = write!(out, "{:02}", minutes / 60);
        if style.colon {
            out.push(':');
        }
        if !style.short {
            let _ = write!(out, "{:02}", minutes % 60);
        }
        if style.seconds {
            if style.colon {
                out.push(':');
            }
            let _ = write!(out, "{seconds:02}");
        }
    }

    /// A method of `time.Time` a template calls (`{{.T.Year}}`, `{{.T.Format "2006"}}`); `None`
    /// when `time.Time` has no such method.
    pub fn method(&self, name: &str, args: &[GoValue]) -> Option<Result<GoValue, CallError>> {
        let c = self.civil();
        let int = |n: i64| Some(Ok(GoValue::int(n)));
        let no_args = |value: Option<Result<GoValue, CallError>>| {
            if args.is_empty() {
                value
            } else {
                Some(Err(CallError::Arity(format!(
                    "wrong number of args for {name}: want 0 got {}",
                    args.len()
                ))))
            }
        };
        match name {
            "Year" => no_args(int(c.year)),
            "Month" => no_args(Some(Ok(GoValue::Named(Named {
                type_name: "time.Month",
                value: i64::from(c.month),
                text: Some(MONTHS[c.month as usize - 1]),
            })))),
            "Day" => no_args(int(c.day.into())),
            "Hour" => no_args(int(c.hour.into())),
            "Minute" => no_args(int(c.minute.into())),
            "Second" => no_args(int(c.second.into())),
            "Nanosecond" => no_args(int(self.nanos.into())),
            "YearDay" => no_args(int(c.year_day.into())),
            "Weekday" => no_args(Some(Ok(GoValue::Named(Named {
                type_name: "time.Weekday",
                value: i64::try_from(c.weekday).unwrap_or(0),
                text: Some(WEEKDAYS[c.weekday]),
            })))),
            "Unix" => no_args(int(self.unix)),
            "UnixMilli" => no_args(int(self.sub_second(1_000))),
            "UnixMicro" => no_args(int(self.sub_second(1_000_000))),
            "UnixNano" => no_args(int(self.sub_second(1_000_000_000))),
            "IsZero" => no_args(Some(Ok(GoValue::Bool(self.is_zero())))),
            "String" => no_args(Some(Ok(GoValue::String(self.string())))),
            "UTC" => no_args(Some(Ok(GoValue::Time(Box::new(GoTime::utc(
                self.unix, self.nanos,
            )))))),
            "Format" => Some(match args {
                [GoValue::String(layout)] => Ok(GoValue::String(self.format(layout))),
                [_] => Err(CallError::Arg {
                    index: 0,
                    expected: "string",
                }),
                _ => Err(CallError::Arity(format!(
                    "wrong number of args for Format: want 1 got {}",
                    args.len()
                ))),
            }),
            _ => None,
        }
    }

    /// The time in units of `1/per` second since the epoch (wrapping like Go's `int64`).
    fn sub_second(&self, per: i64) -> i64 {
        self.unix
            .wrapping_mul(per)
            .wrapping_add(i64::from(self.nanos) / (1_000_000_000 / per))
    }
}

fn write_int(out: &mut String, n: i64, width: usize) -> std::fmt::Result {
    if n < 0 {
        write!(out, "-{:0width$}", n.unsigned_abs())
    } else {
        write!(out, "{n:0width$}")
    }
}

/// Howard Hinnant's `civil_from_days`: (year, month, day) of a day count from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// Howard Hinnant's `days_from_civil`.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ZoneStyle {
    /// `Z07:00`: `Z` for UTC.
    iso: bool,
    colon: bool,
    /// `-07`: hours only.
    short: bool,
    seconds: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    Pm(bool),
    ZoneName,
    Zone(ZoneStyle),
    Fraction {
        digits: usize,
        trim: bool,
        sep: char,
    },
}

/// Go's `nextStdChunk`: the text before the first layout element, the element, and the rest.
fn next_chunk(layout: &str) -> (&str, Option<Chunk>, &str) {
    let b = layout.as_bytes();
    let at = |i: usize, s: &str| layout.get(i..).is_some_and(|rest| rest.starts_with(s));
    let lower_at = |i: usize| b.get(i).is_some_and(u8::is_ascii_lowercase);
    let zone = |iso, colon, short, seconds| {
        Chunk::Zone(ZoneStyle {
            iso,
            colon,
            short,
            seconds,
        })
    };
    for i in 0..b.len() {
        let found: Option<(Chunk, usize)> = match b[i] {
            b'J' if at(i, "January") => Some((Chunk::LongMonth, 7)),
            b'J' if at(i, "Jan") && !lower_at(i + 3) => Some((Chunk::Month, 3)),
            b'M' if at(i, "Monday") => Some((Chunk::LongWeekDay, 6)),
            b'M' if at(i, "Mon") && !lower_at(i + 3) => Some((Chunk::WeekDay, 3)),
            b'M' if at(i, "MST") => Some((Chunk::ZoneName, 3)),
            b'0' => match b.get(i + 1) {
                Some(b'1') => Some((Chunk::ZeroMonth, 2)),
                Some(b'2') => Some((Chunk::ZeroDay, 2)),
                Some(b'3') => Some((Chunk::ZeroHour12, 2)),
                Some(b'4') => Some((Chunk::ZeroMinute, 2)),
                Some(b'5') => Some((Chunk::ZeroSecond, 2)),
                Some(b'6') => Some((Chunk::Year, 2)),
                Some(b'0') if b.get(i + 2) == Some(&b'2') => Some((Chunk::ZeroYearDay, 3)),
                _ => None,
            },
            b'1' if b.get(i + 1) == Some(&b'5') => Some((Chunk::Hour, 2)),
            b'1' => Some((Chunk::NumMonth, 1)),
            b'2' if at(i, "2006") => Some((Chunk::LongYear, 4)),
            b'2' => Some((Chunk::Day, 1)),
            // `_2006` is a literal `_` and the year.
            b'_' if at(i, "_2006") => {
                return (&layout[..=i], Some(Chunk::LongYear), &layout[i + 5..]);
            }
            b'_' if at(i, "_2") => Some((Chunk::UnderDay, 2)),
            b'_' if at(i, "__2") => Some((Chunk::UnderYearDay, 3)),
            b'3' => Some((Chunk::Hour12, 1)),
            b'4' => Some((Chunk::Minute, 1)),
            b'5' => Some((Chunk::Second, 1)),
            b'P' if at(i, "PM") => Some((Chunk::Pm(true), 2)),
            b'p' if at(i, "pm") => Some((Chunk::Pm(false), 2)),
            b'-' if at(i, "-070000") => Some((zone(false, false, false, true), 7)),
            b'-' if at(i, "-07:00:00") => Some((zone(false, true, false, true), 9)),
            b'-' if at(i, "-0700") => Some((zone(false, false, false, false), 5)),
            b'-' if at(i, "-07:00") => Some((zone(false, true, false, false), 6)),
            b'-' if at(i, "-07") => Some((zone(false, false, true, false), 3)),
            b'Z' if at(i, "Z070000") => Some((zone(true, false, false, true), 7)),
            b'Z' if at(i, "Z07:00:00") => Some((zone(true, true, false, true), 9)),
            b'Z' if at(i, "Z0700") => Some((zone(true, false, false, false), 5)),
            b'Z' if at(i, "Z07:00") => Some((zone(true, true, false, false), 6)),
            b'Z' if at(i, "Z07") => Some((zone(true, false, true, false), 3)),
            sep @ (b'.' | b',') if matches!(b.get(i + 1), Some(b'0' | b'9')) => {
                let digit = b[i + 1];
                let mut j = i + 1;
                while b.get(j) == Some(&digit) {
                    j += 1;
                }
                if b.get(j).is_some_and(u8::is_ascii_digit) {
                    None
                } else {
                    let chunk = Chunk::Fraction {
                        digits: j - (i + 1),
                        trim: digit == b'9',
                        sep: char::from(sep),
                    };
                    return (&layout[..i], Some(chunk), &layout[j..]);
                }
            }
            _ => None,
        };
        if let Some((chunk, len)) = found {
            return (&layout[..i], Some(chunk), &layout[i + len..]);
        }
    }
    (layout, None, "")
}

impl GoTime {
    /// `GoString()` (`%#v`): `time.Date(2026, time.November, 27, 21, 23, 51, 410744101, time.UTC)`.
    pub fn go_string(&self) -> String {
        let c = self.civil();
        let zone = if self.offset == 0 && self.zone == "UTC" {
            "time.UTC".to_owned()
        } else {
            format!("time.Location({})", super::fmt::quote(&self.zone, false))
        };
        format!(
            "time.Date({}, time.{}, {}, {}, {}, {}, {}, {zone})",
            c.year,
            MONTHS[c.month as usize - 1],
            c.day,
            c.hour,
            c.minute,
            c.second,
            self.nanos
        )
    }
}
