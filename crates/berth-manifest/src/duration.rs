//! Go's `time.ParseDuration`, exactly (integer nanoseconds, checked arithmetic, Go's messages): the
//! one parser of Go durations for HEALTHCHECK options (`--change`, Dockerfiles), `until=` filters
//! and `logs --since/--until`.

/// Parses a Go duration (`1m30s`, `1.5h`, `300ms`) into nanoseconds, with Go's messages.
pub fn parse_go_duration(text: &str) -> Result<i64, String> {
    let quoted = format!("\"{text}\"");
    let invalid = || format!("time: invalid duration {quoted}");
    let mut s = text;
    let negative = match s.as_bytes().first() {
        Some(b'-') => {
            s = &s[1..];
            true
        }
        Some(b'+') => {
            s = &s[1..];
            false
        }
        _ => false,
    };
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    while !s.is_empty() {
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &s[..int_len];
        s = &s[int_len..];
        let mut frac_part = "";
        if let Some(rest) = s.strip_prefix('.') {
            let len = rest.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &rest[..len];
            s = &rest[len..];
            if int_part.is_empty() && frac_part.is_empty() {
                return Err(invalid());
            }
        } else if int_part.is_empty() {
            return Err(invalid());
        }
        let unit_len = s
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        let unit = &s[..unit_len];
        s = &s[unit_len..];
        if unit.is_empty() {
            return Err(format!("time: missing unit in duration {quoted}"));
        }
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit \"{unit}\" in duration {quoted}"
                ))
            }
        };
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| invalid())?
        };
        let mut value = whole.checked_mul(scale).ok_or_else(invalid)?;
        let (fraction, fraction_scale) = leading_fraction(frac_part);
        if fraction > 0 {
            // As Go computes it: in float64, which is nanosecond-exact for fractions of an hour.
            #[allow(
                clippy::cast_precision_loss,
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss
            )]
            let nanos = (fraction as f64 * (scale as f64 / fraction_scale)) as u128;
            value = value.checked_add(nanos).ok_or_else(invalid)?;
        }
        total = total.checked_add(value).ok_or_else(invalid)?;
        if total > 1 << 63 {
            return Err(invalid());
        }
    }
    let total = i128::try_from(total).map_err(|_| invalid())?;
    let signed = if negative { -total } else { total };
    i64::try_from(signed).map_err(|_| invalid())
}

/// Go's `leadingFraction`: the fraction's digits as an integer and its scale (10^digits); the
/// digits after the integer would overflow are ignored.
fn leading_fraction(digits: &str) -> (u64, f64) {
    let mut value: u64 = 0;
    let mut scale = 1.0;
    for digit in digits.bytes() {
        let Some(next) = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(digit - b'0')))
            .filter(|v| *v <= 1 << 63)
        else {
            break;
        };
        value = next;
        scale *= 10.0;
    }
    (value, scale)
}

#[cfg(test)]
mod tests {
    use super::parse_go_duration;

    /// Go's own `time.ParseDuration` table (time_test.go), and its messages.
    #[test]
    fn go_durations() {
        let cases: &[(&str, Result<i64, &str>)] = &[
            ("0", Ok(0)),
            ("5s", Ok(5_000_000_000)),
            ("30s", Ok(30_000_000_000)),
            ("1478s", Ok(1_478_000_000_000)),
            ("-5s", Ok(-5_000_000_000)),
            ("+5s", Ok(5_000_000_000)),
            ("-0", Ok(0)),
            ("5.0s", Ok(5_000_000_000)),
            ("5.6s", Ok(5_600_000_000)),
            (".5s", Ok(500_000_000)),
            ("1.s", Ok(1_000_000_000)),
            ("1.004s", Ok(1_004_000_000)),
            ("100.00100s", Ok(100_001_000_000)),
            ("10ns", Ok(10)),
            ("11us", Ok(11_000)),
            ("12µs", Ok(12_000)),
            ("12μs", Ok(12_000)),
            ("13ms", Ok(13_000_000)),
            ("15m", Ok(900_000_000_000)),
            ("16h", Ok(57_600_000_000_000)),
            ("3h30m", Ok(12_600_000_000_000)),
            ("10.5s4m", Ok(250_500_000_000)),
            ("-2m3.4s", Ok(-123_400_000_000)),
            ("1h2m3s4ms5us6ns", Ok(3_723_004_005_006)),
            ("39h9m14.425s", Ok(140_954_425_000_000)),
            ("52763797000ns", Ok(52_763_797_000)),
            ("0.3333333333333333333h", Ok(1_200_000_000_000)),
            ("9007199254740993ns", Ok(9_007_199_254_740_993)),
            ("9223372036854775807ns", Ok(i64::MAX)),
            ("9223372036.854775807s", Ok(i64::MAX)),
            ("-9223372036854775808ns", Ok(i64::MIN)),
            ("0.100000000000000000000h", Ok(360_000_000_000)),
            ("", Err("time: invalid duration \"\"")),
            ("3", Err("time: missing unit in duration \"3\"")),
            ("-", Err("time: invalid duration \"-\"")),
            ("s", Err("time: invalid duration \"s\"")),
            (".", Err("time: invalid duration \".\"")),
            ("-.", Err("time: invalid duration \"-.\"")),
            (".s", Err("time: invalid duration \".s\"")),
            ("+.s", Err("time: invalid duration \"+.s\"")),
            ("3000000h", Err("time: invalid duration \"3000000h\"")),
            (
                "9223372036854775808ns",
                Err("time: invalid duration \"9223372036854775808ns\""),
            ),
            (
                "9223372036854775.808us",
                Err("time: invalid duration \"9223372036854775.808us\""),
            ),
            ("1d", Err("time: unknown unit \"d\" in duration \"1d\"")),
            // Near u128's end: an error, never an overflow.
            (
                "94522879700260684295381835.9h",
                Err("time: invalid duration \"94522879700260684295381835.9h\""),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(
                parse_go_duration(input).as_ref().map_err(String::as_str),
                want.as_ref().map_err(|e| *e),
                "{input:?}"
            );
        }
    }
}
