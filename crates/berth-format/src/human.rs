//! `docker/go-units` renderings: `HumanSizeWithPrecision(n, 3)` and `HumanDuration`.

use std::time::Duration;

const DECIMAL_UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

/// `units.HumanSizeWithPrecision(size, 3)`: base 1000, `%.3g` plus the unit, no space (`72.9MB`, `0B`).
#[allow(clippy::cast_precision_loss)]
pub fn size(bytes: u64) -> String {
    size_with_precision(bytes as f64, 3)
}

/// `units.HumanSize` (`%.4g`), used for SharedSize/UniqueSize.
#[allow(clippy::cast_precision_loss)]
pub fn size4(bytes: u64) -> String {
    size_with_precision(bytes as f64, 4)
}

fn size_with_precision(mut value: f64, precision: usize) -> String {
    let mut unit = 0;
    while value >= 1000.0 && unit < DECIMAL_UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{}{}", format_g(value, precision), DECIMAL_UNITS[unit])
}

/// Go's `%.Ng` for the non-negative values sizes produce: shortest of fixed/exponent, trailing zeros trimmed.
#[allow(clippy::cast_possible_truncation)]
pub fn format_g(value: f64, precision: usize) -> String {
    if value == 0.0 {
        return "0".to_owned();
    }
    let exponent = value.abs().log10().floor() as i32;
    // Rounding can carry into the next power of ten (999.95 -> "1e+03").
    let rounded: f64 = format!("{:.*e}", precision - 1, value)
        .parse()
        .unwrap_or(value);
    let exponent = if rounded.abs() >= 10f64.powi(exponent + 1) {
        exponent + 1
    } else {
        exponent
    };
    let precision_i32 = i32::try_from(precision).unwrap_or(i32::MAX);
    if exponent < -4 || exponent >= precision_i32 {
        let mantissa = format!("{:.*e}", precision - 1, value);
        let (digits, exp) = mantissa.split_once('e').unwrap_or((&mantissa, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let digits = trim_zeros(digits);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{digits}e{sign}{:02}", exp.abs())
    } else {
        let decimals = usize::try_from(precision_i32 - 1 - exponent).unwrap_or(0);
        trim_zeros(&format!("{value:.decimals$}"))
    }
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s.to_owned()
    }
}

/// `units.HumanDuration`: how long ago, in Docker's words (without the trailing " ago").
pub fn duration(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs();
    if seconds < 1 {
        return "Less than a second".to_owned();
    }
    if seconds == 1 {
        return "1 second".to_owned();
    }
    if seconds < 60 {
        return format!("{seconds} seconds");
    }
    let minutes = seconds / 60;
    if minutes == 1 {
        return "About a minute".to_owned();
    }
    if minutes < 60 {
        return format!("{minutes} minutes");
    }
    let hours = (elapsed.as_secs_f64() / 3600.0 + 0.5).floor();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let hours = hours as u64;
    if hours == 1 {
        return "About an hour".to_owned();
    }
    if hours < 48 {
        return format!("{hours} hours");
    }
    if hours < 24 * 7 * 2 {
        return format!("{} days", hours / 24);
    }
    if hours < 24 * 30 * 2 {
        return format!("{} weeks", hours / 24 / 7);
    }
    if hours < 24 * 365 * 2 {
        return format!("{} months", hours / 24 / 30);
    }
    format!("{} years", hours / 24 / 365)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn sizes_match_go_units() {
        let cases: &[(u64, &str)] = &[
            (0, "0B"),
            (1, "1B"),
            (999, "999B"),
            (1000, "1kB"),
            (1024, "1.02kB"),
            (20, "20B"),
            (1_984_192, "1.98MB"),
            (72_900_000, "72.9MB"),
            (5_610_000, "5.61MB"),
            (999_500_000, "1e+03MB"),
            (1_000_000_000, "1GB"),
            (123_456_789_012, "123GB"),
            (u64::MAX, "18.4EB"),
        ];
        for (bytes, want) in cases {
            assert_eq!(super::size(*bytes), *want, "{bytes}");
        }
        assert_eq!(super::size4(1_984_192), "1.984MB");
    }

    #[test]
    fn durations_match_go_units() {
        let s = Duration::from_secs;
        let cases: &[(Duration, &str)] = &[
            (Duration::from_millis(500), "Less than a second"),
            (s(1), "1 second"),
            (s(4), "4 seconds"),
            (s(59), "59 seconds"),
            (s(60), "About a minute"),
            (s(119), "About a minute"),
            (s(120), "2 minutes"),
            (s(59 * 60), "59 minutes"),
            (s(3600), "About an hour"),
            (s(5399), "About an hour"),
            (s(5400), "2 hours"),
            (s(47 * 3600), "47 hours"),
            (s(48 * 3600), "2 days"),
            (s(13 * 86400), "13 days"),
            (s(14 * 86400), "2 weeks"),
            (s(59 * 86400), "8 weeks"),
            (s(60 * 86400), "2 months"),
            (s(729 * 86400), "24 months"),
            (s(730 * 86400), "2 years"),
        ];
        for (elapsed, want) in cases {
            assert_eq!(super::duration(*elapsed), *want, "{elapsed:?}");
        }
    }
}
