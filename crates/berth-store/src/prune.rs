//! `image prune --filter` (moby's `ImagesPrune` filters `until`, `label`, `label!`), evaluated on an
//! image's config; the caller parses the flags (a time bound, the label specs) and picks the
//! candidates ([`crate::ImageDeleter::prune_candidates`]).

use berth_manifest::LabelFilter;

use crate::{
    error::{Error, Result},
    Image,
};

/// Which images a prune may take, besides the dangling/all rule.
#[derive(Debug, Clone, Default)]
pub struct PruneFilter {
    /// `until=`: only images created before this time (Unix seconds).
    pub until: Option<i64>,
    pub labels: LabelFilter,
}

impl PruneFilter {
    /// True if `image` passes `until=` and the label filters. Reads its config only when asked to;
    /// an image without a creation time counts as made at the epoch.
    pub fn admits(&self, image: &Image) -> Result<bool> {
        if self.until.is_none() && self.labels.is_empty() {
            return Ok(true);
        }
        let config =
            berth_manifest::parse_config(&image.config).map_err(|source| Error::InvalidConfig {
                digest: image.id.clone(),
                source,
            })?;
        if let Some(until) = self.until {
            let created = config
                .created
                .as_deref()
                .and_then(|c| berth_manifest::timefmt::parse_rfc3339(c).ok())
                .map_or(0, time::OffsetDateTime::unix_timestamp);
            if created >= until {
                return Ok(false);
            }
        }
        Ok(self
            .labels
            .matches(config.config.as_ref().map(|c| &c.labels)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    /// until, label= specs, label!= specs, admitted
    type Case = (
        Option<i64>,
        &'static [&'static str],
        &'static [&'static str],
        bool,
    );

    #[test]
    fn until_and_labels_choose_images() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("root")).unwrap();
        let config =
            serde_json::to_vec(&serde_json::json!({"architecture": "amd64", "os": "linux",
            "created": "2001-09-09T01:46:40Z", "config": {"Labels": {"keep": "no"}},
            "rootfs": {"type": "layers", "diff_ids": []}}))
            .unwrap();
        let mut image = store
            .resolve(
                &crate::testutil::named_image(&store, "a", "a", &[])
                    .1
                    .to_string(),
            )
            .unwrap();
        image.config = config;
        let created = 1_000_000_000;
        let cases: &[Case] = &[
            (None, &[], &[], true),
            (Some(created + 1), &[], &[], true),
            (Some(created), &[], &[], false),
            (Some(created - 1), &[], &[], false),
            (None, &["keep"], &[], true),
            (None, &["keep=no"], &[], true),
            (None, &["keep=yes"], &[], false),
            (None, &[], &["keep"], false),
            (None, &[], &["other"], true),
            (Some(created + 1), &["keep=yes"], &[], false),
        ];
        for (until, wanted, unwanted, admitted) in cases {
            let mut filter = PruneFilter {
                until: *until,
                ..PruneFilter::default()
            };
            wanted.iter().for_each(|spec| filter.labels.want(spec));
            unwanted.iter().for_each(|spec| filter.labels.refuse(spec));
            assert_eq!(
                filter.admits(&image).unwrap(),
                *admitted,
                "{until:?} {wanted:?} {unwanted:?}"
            );
        }
        // A config without a creation time counts as made at the epoch.
        let (_, plain) = crate::testutil::named_image(&store, "b", "b", &[]);
        let plain = store.resolve(&plain.to_string()).unwrap();
        let until_one = PruneFilter {
            until: Some(1),
            ..PruneFilter::default()
        };
        assert!(until_one.admits(&plain).unwrap());
    }
}
