//! `image prune --filter`: moby's `ImagesPrune` filters (`dangling`, `until`, `label`, `label!`),
//! parsed here and evaluated by `berth_store::PruneFilter`.

use std::time::SystemTime;

use crate::filters::{Filters, TimeBound};

/// The filters moby's `ImagesPrune` knows (`Invalid filter 'x'` for any other).
const ALLOWED: &[&str] = &["dangling", "label", "label!", "until"];

/// What `--filter` asks of a prune.
pub struct PruneFilter {
    /// `until=` and the label filters, which each candidate image must pass.
    pub images: berth_store::PruneFilter,
    /// `dangling=false` (or `0`) prunes every unused image, as `-a` does.
    pub all: bool,
}

impl PruneFilter {
    pub fn parse(raw: &[String], now: SystemTime) -> anyhow::Result<PruneFilter> {
        let filters = Filters::parse(raw, ALLOWED)?;
        let until = filters
            .first("until")
            .map(|value| TimeBound::parse(value, now))
            .transpose()?;
        // Docker's CLI always adds `dangling=<!all>`, so a value the daemon would refuse is never
        // alone: only an explicit false counts.
        let all = filters
            .all("dangling")
            .unwrap_or_default()
            .iter()
            .any(|value| value.eq_ignore_ascii_case("false") || value == "0");
        Ok(PruneFilter {
            images: berth_store::PruneFilter {
                until: until.map(TimeBound::unix_seconds),
                labels: filters.labels(),
            },
            all,
        })
    }
}
