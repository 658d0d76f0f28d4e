//! The methods of Go values that templates call: `time.Time`'s (`{{.Metadata.LastTagTime.Year}}`,
//! `{{.T.Format "2006-01-02"}}`), `time.Duration`'s (`{{.Interval.Seconds}}`), and `String` of
//! the named types that have one.

use super::{
    funcs::CallError,
    value::{go_duration, GoValue, Named},
};

/// Calls method `name` of `value` with `args`; `None` when the value's type has no such method.
pub fn call(value: &GoValue, name: &str, args: &[GoValue]) -> Option<Result<GoValue, CallError>> {
    match value {
        GoValue::Time(time) => time.method(name, args),
        GoValue::Duration(nanos) => Some(no_args(name, args, duration(*nanos, name)?)),
        GoValue::JsonNumber(n) => {
            let value = json_number(n, name)?;
            Some(value.and_then(|value| no_args(name, args, value)))
        }
        GoValue::Named(Named {
            text: Some(text), ..
        }) if name == "String" => Some(no_args(name, args, GoValue::String((*text).to_owned()))),
        _ => None,
    }
}

fn no_args(name: &str, args: &[GoValue], value: GoValue) -> Result<GoValue, CallError> {
    if args.is_empty() {
        Ok(value)
    } else {
        Err(CallError::Arity(format!(
            "wrong number of args for {name}: want 0 got {}",
            args.len()
        )))
    }
}

/// `json.Number`'s methods: `String`, `Int64`, `Float64` (their errors are Go's `strconv`'s).
fn json_number(n: &serde_json::Number, name: &str) -> Option<Result<GoValue, CallError>> {
    let text = n.to_string();
    Some(match name {
        "String" => Ok(GoValue::String(text)),
        "Int64" => n
            .as_i64()
            .filter(|_| !n.is_f64())
            .map(GoValue::int)
            .ok_or_else(|| {
                CallError::Failed(format!(
                    "strconv.ParseInt: parsing {text:?}: invalid syntax"
                ))
            }),
        "Float64" => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map(GoValue::Number)
            .ok_or_else(|| {
                CallError::Failed(format!(
                    "strconv.ParseFloat: parsing {text:?}: invalid syntax"
                ))
            }),
        _ => return None,
    })
}

/// `time.Duration`'s methods without arguments.
fn duration(nanos: i64, name: &str) -> Option<GoValue> {
    const SECOND: i64 = 1_000_000_000;
    let float = |f: f64| serde_json::Number::from_f64(f).map(GoValue::Number);
    match name {
        "Hours" => float(float_units(nanos, 3600 * SECOND)),
        "Minutes" => float(float_units(nanos, 60 * SECOND)),
        "Seconds" => float(float_units(nanos, SECOND)),
        "Milliseconds" => Some(GoValue::int(nanos / 1_000_000)),
        "Microseconds" => Some(GoValue::int(nanos / 1_000)),
        "Nanoseconds" => Some(GoValue::int(nanos)),
        "String" => Some(GoValue::String(go_duration(nanos))),
        _ => None,
    }
}

/// Go's `Duration.Seconds` and friends: whole units plus the fraction, as a float64 (Go converts
/// the same way, losing the same precision).
#[allow(clippy::cast_precision_loss)]
fn float_units(nanos: i64, unit: i64) -> f64 {
    let (whole, fraction) = (nanos / unit, nanos % unit);
    whole as f64 + fraction as f64 / unit as f64
}
