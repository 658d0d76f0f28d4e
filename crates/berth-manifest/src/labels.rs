//! The `label=` and `label!=` filters of `images`, `ps` and the prunes, on a config's labels.

use std::collections::BTreeMap;

/// `label=k`, `label=k=v` must all match; `label!=k`, `label!=k=v` must all not match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelFilter {
    wanted: Vec<String>,
    unwanted: Vec<String>,
}

impl LabelFilter {
    /// `label=spec`: a key, or `key=value`.
    pub fn want(&mut self, spec: &str) {
        self.wanted.push(spec.to_owned());
    }

    /// `label!=spec`.
    pub fn refuse(&mut self, spec: &str) {
        self.unwanted.push(spec.to_owned());
    }

    /// No label filter at all: everything matches.
    pub fn is_empty(&self) -> bool {
        self.wanted.is_empty() && self.unwanted.is_empty()
    }

    /// True if `labels` (`None`: a config without any) pass every filter.
    pub fn matches(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        let matches = |spec: &String| match spec.split_once('=') {
            Some((k, v)) => labels
                .and_then(|l| l.get(k))
                .is_some_and(|actual| actual == v),
            None => labels.is_some_and(|l| l.contains_key(spec)),
        };
        self.wanted.iter().all(matches) && !self.unwanted.iter().any(matches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        let labels: BTreeMap<String, String> = [("a".to_owned(), "1".to_owned())].into();
        // label= specs, label!= specs, whether `a=1` passes, whether no labels at all pass
        let cases: &[(&[&str], &[&str], bool, bool)] = &[
            (&[], &[], true, true),
            (&["a"], &[], true, false),
            (&["a=1"], &[], true, false),
            (&["a=2"], &[], false, false),
            (&["b"], &[], false, false),
            (&[], &["a"], false, true),
            (&[], &["b"], true, true),
            (&["a"], &["a=2"], true, false),
        ];
        for (wanted, unwanted, with, without) in cases {
            let mut filter = LabelFilter::default();
            wanted.iter().for_each(|spec| filter.want(spec));
            unwanted.iter().for_each(|spec| filter.refuse(spec));
            assert_eq!(filter.is_empty(), wanted.is_empty() && unwanted.is_empty());
            assert_eq!(
                filter.matches(Some(&labels)),
                *with,
                "{wanted:?} {unwanted:?}"
            );
            assert_eq!(filter.matches(None), *without, "{wanted:?} {unwanted:?}");
        }
    }
}
