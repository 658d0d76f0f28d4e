//! Numbers as Go's `strconv` writes them: integers in any base, and floats in `%e %f %g %b %x`
//! with Go's rules for the shortest form and for when `%g` switches to an exponent.

use std::fmt::Write as _;

/// Decimal digits of a float's magnitude: `0.d1d2d3… × 10^point`, no trailing zeros (none at all
/// for zero), as Go's `decimalSlice`.
struct Digits {
    digits: Vec<u8>,
    point: i32,
}

impl Digits {
    /// The shortest digits that read back as `abs` (Go's `ryuFtoaShortest`; Rust's `{:e}` gives
    /// the same digits).
    fn shortest(abs: f64) -> Digits {
        if abs == 0.0 {
            return Digits {
                digits: Vec::new(),
                point: 0,
            };
        }
        Digits::from_exponent_form(&format!("{abs:e}"))
    }

    /// `significant` digits, correctly rounded (ties to even, as Go), trailing zeros dropped.
    fn rounded(abs: f64, significant: usize) -> Digits {
        if abs == 0.0 {
            return Digits {
                digits: Vec::new(),
                point: 0,
            };
        }
        Digits::from_exponent_form(&format!("{abs:.*e}", significant.saturating_sub(1)))
    }

    /// Parses Rust's `1.2345e6`.
    fn from_exponent_form(s: &str) -> Digits {
        let (mantissa, exponent) = s.split_once('e').unwrap_or((s, "0"));
        let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        let point = exponent.parse::<i32>().unwrap_or(0) + 1;
        Digits { digits, point }
    }

    /// `%e` with `precision` digits after the point (Go's `fmtE`).
    fn write_e(&self, out: &mut String, precision: usize, e: char) {
        out.push(char::from(*self.digits.first().unwrap_or(&b'0')));
        if precision > 0 {
            out.push('.');
            for i in 1..=precision {
                out.push(char::from(*self.digits.get(i).unwrap_or(&b'0')));
            }
        }
        out.push(e);
        let exponent = if self.digits.is_empty() {
            0
        } else {
            self.point - 1
        };
        out.push(if exponent < 0 { '-' } else { '+' });
        let _ = write!(out, "{:02}", exponent.unsigned_abs());
    }

    /// `%f` with `precision` digits after the point (Go's `fmtF`).
    fn write_f(&self, out: &mut String, precision: usize) {
        let digit = |i: i64| -> char {
            usize::try_from(i)
                .ok()
                .and_then(|i| self.digits.get(i))
                .map_or('0', |d| char::from(*d))
        };
        if self.point > 0 {
            for i in 0..self.point {
                out.push(digit(i64::from(i)));
            }
        } else {
            out.push('0');
        }
        if precision > 0 {
            out.push('.');
            for i in 1..=precision {
                out.push(digit(i64::from(self.point) + to_i64(i) - 1));
            }
        }
    }
}

/// `strconv.FormatFloat(v, verb, precision, 64)` for `verb` in `e E f F g G b x X`; `precision`
/// `None` is the shortest form. Negative values (and `-0`) start with `-`; infinities are `+Inf`
/// and `-Inf`.
pub fn format_float(v: f64, verb: char, precision: Option<usize>) -> String {
    if v.is_nan() {
        return "NaN".to_owned();
    }
    let mut out = String::new();
    if v.is_sign_negative() {
        out.push('-');
    }
    if v.is_infinite() {
        out.push_str(if v < 0.0 { "Inf" } else { "+Inf" });
        return out;
    }
    let abs = v.abs();
    match verb {
        'e' | 'E' => {
            let digits = match precision {
                Some(p) => Digits::rounded(abs, p + 1),
                None => Digits::shortest(abs),
            };
            let precision = precision.unwrap_or(digits.digits.len().saturating_sub(1));
            digits.write_e(&mut out, precision, verb);
        }
        'f' | 'F' => match precision {
            Some(p) => {
                let _ = write!(out, "{abs:.p$}");
            }
            None => {
                let digits = Digits::shortest(abs);
                let precision = (to_i64(digits.digits.len()) - i64::from(digits.point)).max(0);
                digits.write_f(&mut out, usize::try_from(precision).unwrap_or(0));
            }
        },
        'g' | 'G' => {
            let e = if verb == 'g' { 'e' } else { 'E' };
            let (digits, mut precision, exponent_precision) = match precision {
                None => {
                    let digits = Digits::shortest(abs);
                    let n = digits.digits.len();
                    (digits, n, 6)
                }
                Some(p) => {
                    let p = p.max(1);
                    let digits = Digits::rounded(abs, p);
                    let n = digits.digits.len();
                    let mut eprec = p;
                    if eprec > n && i64::try_from(n).unwrap_or(0) >= i64::from(digits.point) {
                        eprec = n;
                    }
                    (digits, p, eprec)
                }
            };
            let n = digits.digits.len();
            let exponent = i64::from(digits.point) - 1;
            if exponent < -4 || exponent >= to_i64(exponent_precision) {
                if precision > n {
                    precision = n;
                }
                digits.write_e(&mut out, precision.saturating_sub(1), e);
            } else {
                if to_i64(precision) > i64::from(digits.point) {
                    precision = n;
                }
                let after = (to_i64(precision) - i64::from(digits.point)).max(0);
                digits.write_f(&mut out, usize::try_from(after).unwrap_or(0));
            }
        }
        'b' => {
            let (mantissa, exponent) = binary_parts(abs);
            let _ = write!(out, "{mantissa}p");
            let exponent = exponent - 52;
            out.push(if exponent < 0 { '-' } else { '+' });
            out.push_str(&exponent.unsigned_abs().to_string());
        }
        _ => write_hex_float(&mut out, abs, precision, verb == 'X'),
    }
    out
}

/// The 53-bit mantissa and the binary exponent of a finite float: `mantissa / 2^52 × 2^exponent`.
fn binary_parts(abs: f64) -> (u64, i32) {
    let bits = abs.to_bits();
    let exponent = i32::try_from((bits >> 52) & 0x7ff).unwrap_or(0);
    let mantissa = bits & ((1 << 52) - 1);
    if exponent == 0 {
        (mantissa, -1022)
    } else {
        (mantissa | (1 << 52), exponent - 1023)
    }
}

/// `%x` of a float: `0x1.8p+01`, rounded to `precision` hex digits when given (Go's `fmtX`).
fn write_hex_float(out: &mut String, abs: f64, precision: Option<usize>, upper: bool) {
    let (mut mantissa, mut exponent) = binary_parts(abs);
    if mantissa == 0 {
        exponent = 0;
    }
    mantissa <<= 60 - 52;
    while mantissa != 0 && mantissa & (1 << 60) == 0 {
        mantissa <<= 1;
        exponent -= 1;
    }
    if let Some(p) = precision.filter(|p| *p < 15) {
        let shift = p * 4;
        let extra = (mantissa << shift) & ((1 << 60) - 1);
        mantissa >>= 60 - shift;
        if extra | (mantissa & 1) > 1 << 59 {
            mantissa += 1;
        }
        mantissa <<= 60 - shift;
        if mantissa & (1 << 61) != 0 {
            mantissa >>= 1;
            exponent += 1;
        }
    }
    let hex: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    out.push_str(if upper { "0X" } else { "0x" });
    out.push(char::from(b'0' + u8::from(mantissa >> 60 & 1 == 1)));
    mantissa <<= 4;
    let digits = match precision {
        None if mantissa != 0 => usize::MAX,
        None => 0,
        Some(p) => p,
    };
    if digits > 0 {
        out.push('.');
        let mut written = 0;
        while written < digits && (digits != usize::MAX || mantissa != 0) {
            out.push(char::from(
                hex[usize::try_from(mantissa >> 60 & 15).unwrap_or(0)],
            ));
            mantissa <<= 4;
            written += 1;
        }
    }
    out.push(if upper { 'P' } else { 'p' });
    out.push(if exponent < 0 { '-' } else { '+' });
    let _ = write!(out, "{:02}", exponent.unsigned_abs());
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Digits of `u` in `base` (2, 8, 10 or 16), upper-case hex when `upper`.
pub fn digits(u: u64, base: u32, upper: bool) -> String {
    match (base, upper) {
        (2, _) => format!("{u:b}"),
        (8, _) => format!("{u:o}"),
        (16, false) => format!("{u:x}"),
        (16, true) => format!("{u:X}"),
        _ => u.to_string(),
    }
}
