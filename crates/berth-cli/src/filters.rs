//! `--filter key=value` parsing and the predicates shared by `images`, `ps` and `search`.

use std::{collections::BTreeMap, time::SystemTime};

use anyhow::bail;
use berth_manifest::LabelFilter;

#[derive(Debug, Default, Clone)]
pub struct Filters {
    values: BTreeMap<String, Vec<String>>,
}

impl Filters {
    /// Parses `key=value` filters, refusing keys the command does not know (Docker's daemon:
    /// `Invalid filter 'x'`). A filter without `=` never gets here: clap refuses it ([`parse_arg`]).
    pub fn parse(raw: &[String], allowed: &[&str]) -> anyhow::Result<Filters> {
        let mut filters = Filters::default();
        for filter in raw {
            let Some((key, value)) = filter.split_once('=') else {
                bail!("bad format of filter (expected name=value)");
            };
            let key = key.trim().to_lowercase();
            if !allowed.contains(&key.as_str()) {
                bail!("Invalid filter '{key}'");
            }
            filters.add(&key, value.trim());
        }
        Ok(filters)
    }

    pub fn add(&mut self, key: &str, value: &str) {
        self.values
            .entry(key.to_owned())
            .or_default()
            .push(value.to_owned());
    }

    pub fn first(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    pub fn all(&self, key: &str) -> Option<&[String]> {
        self.values.get(key).map(Vec::as_slice)
    }

    /// A boolean filter (`dangling=true`); Docker accepts `true/false/1/0`.
    pub fn bool(&self, key: &str) -> anyhow::Result<Option<bool>> {
        match self.first(key) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") || v == "1" => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") || v == "0" => Ok(Some(false)),
            // Docker's daemon prints the filter's values as a Go slice.
            Some(v) => bail!("Invalid filter '{key}=[{v}]'"),
        }
    }

    /// Every `key=value` given, keys in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().flat_map(|(key, values)| {
            values
                .iter()
                .map(move |value| (key.as_str(), value.as_str()))
        })
    }

    /// The `label=` and `label!=` filters.
    pub fn labels(&self) -> LabelFilter {
        let mut labels = LabelFilter::default();
        self.all("label")
            .unwrap_or_default()
            .iter()
            .for_each(|spec| labels.want(spec));
        self.all("label!")
            .unwrap_or_default()
            .iter()
            .for_each(|spec| labels.refuse(spec));
        labels
    }

    /// `label=k`, `label=k=v` must all match; `label!=k`, `label!=k=v` must all not match.
    pub fn labels_match(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        self.labels().matches(labels)
    }
}

/// The `--filter` flag's value parser: Docker's CLI refuses a filter without `=` as a flag error
/// (`invalid argument "x" for "-f, --filter" flag: bad format of filter (expected name=value)`, exit 125).
pub fn parse_arg(value: &str) -> Result<String, String> {
    if value.contains('=') {
        Ok(value.to_owned())
    } else {
        Err("bad format of filter (expected name=value)".to_owned())
    }
}

/// `until=`: a timestamp (RFC 3339, date, or Unix seconds) or a Go duration before now (`10m`, `1h30m`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeBound(i64);

impl TimeBound {
    pub fn parse(value: &str, now: SystemTime) -> anyhow::Result<TimeBound> {
        let now_secs = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        // Docker's `GetTimestamp`: "0" is a Unix time, any other Go duration is a time ago.
        if let Some(nanos) = (value != "0")
            .then(|| berth_manifest::parse_go_duration(value).ok())
            .flatten()
        {
            return Ok(TimeBound(now_secs.saturating_sub(nanos / 1_000_000_000)));
        }
        if let Ok(seconds) = value.split('.').next().unwrap_or_default().parse::<i64>() {
            return Ok(TimeBound(seconds));
        }
        if let Ok(time) = berth_manifest::timefmt::parse_rfc3339(value) {
            return Ok(TimeBound(time.unix_timestamp()));
        }
        let date = time::macros::format_description!("[year]-[month]-[day]");
        if let Ok(date) = time::Date::parse(value, &date) {
            return Ok(TimeBound(date.midnight().assume_utc().unix_timestamp()));
        }
        // Docker's daemon (`filters.GetTimestamp` in `image prune` and `images`).
        bail!("failed to parse value as time or duration: {value:?}")
    }

    /// The bound, in Unix seconds.
    pub fn unix_seconds(self) -> i64 {
        self.0
    }

    /// True if something created at `created` (Unix seconds) is older than the bound.
    pub fn admits(self, created: i64) -> bool {
        created < self.0
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;

    #[test]
    fn parse_and_reject() {
        let ok = Filters::parse(
            &["dangling=true".into(), "label!=a=b".into()],
            &["dangling", "label!"],
        )
        .unwrap();
        assert_eq!(ok.bool("dangling").unwrap(), Some(true));
        assert_eq!(ok.first("label!"), Some("a=b"));
        let cases: &[(&str, &str)] = &[
            ("nope=1", "Invalid filter 'nope'"),
            ("dangling", "bad format of filter (expected name=value)"),
        ];
        for (raw, message) in cases {
            let err = Filters::parse(&[(*raw).to_owned()], &["dangling"]).unwrap_err();
            assert_eq!(err.to_string(), *message);
        }
        let bad_bool = Filters::parse(&["dangling=maybe".into()], &["dangling"]).unwrap();
        assert_eq!(
            bad_bool.bool("dangling").unwrap_err().to_string(),
            "Invalid filter 'dangling=[maybe]'"
        );
        assert_eq!(parse_arg("a=b"), Ok("a=b".to_owned()));
        assert!(parse_arg("dangling").is_err());
    }

    #[test]
    fn until_bounds() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let cases: &[(&str, i64)] = &[
            ("1h", 1_000_000 - 3600),
            ("1h30m", 1_000_000 - 5400),
            ("90s", 1_000_000 - 90),
            ("1.5h", 1_000_000 - 5400),
            ("1500ms", 1_000_000 - 1),
            // Go's durations may be signed: a bound in the future.
            ("-10m", 1_000_000 + 600),
            // "0" is a Unix time, not a duration (Docker's GetTimestamp).
            ("0", 0),
            ("500000", 500_000),
            ("1970-01-02", 86400),
            ("1970-01-01T00:01:00Z", 60),
        ];
        for (value, want) in cases {
            assert_eq!(
                TimeBound::parse(value, now).unwrap(),
                TimeBound(*want),
                "{value}"
            );
        }
        assert_eq!(
            TimeBound::parse("yesterday", now).unwrap_err().to_string(),
            "failed to parse value as time or duration: \"yesterday\""
        );
    }
}
