//! `image prune --filter`: moby's `ImagesPrune` filters (`dangling`, `until`, `label`, `label!`).

use std::time::SystemTime;

use berth_store::{Image, Store};

use crate::{
    facts,
    filters::{Filters, TimeBound},
};

/// The filters moby's `ImagesPrune` knows (`Invalid filter 'x'` for any other).
const ALLOWED: &[&str] = &["dangling", "label", "label!", "until"];

/// Which images a prune may take, besides the dangling/all rule.
pub struct PruneFilter {
    filters: Filters,
    /// `until=`: only images created before it.
    until: Option<TimeBound>,
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
            filters,
            until,
            all,
        })
    }

    /// True if `image` passes `until=` and the label filters. Reads its config only when asked to.
    pub fn admits(&self, store: &Store, image: &Image) -> anyhow::Result<bool> {
        let by_labels = self.filters.all("label").is_some() || self.filters.all("label!").is_some();
        if self.until.is_none() && !by_labels {
            return Ok(true);
        }
        let facts = facts::facts(store, image.clone())?;
        if let Some(until) = self.until {
            let created = facts
                .created
                .map_or(0, time::OffsetDateTime::unix_timestamp);
            if !until.admits(created) {
                return Ok(false);
            }
        }
        Ok(!by_labels
            || self
                .filters
                .labels_match(facts.config.config.as_ref().map(|c| &c.labels)))
    }
}
