//! `ps --filter`: moby's container list filters (`id`, `name`, `label`, `exited`, `status`,
//! `ancestor`, `before`, `since`, `volume`, `network`), checked when they are added and evaluated
//! here; the CLI parses the flags and prints.

use berth_manifest::LabelFilter;
use berth_reference::Reference;

use crate::{
    containers::Containers,
    error::{Error, Result},
    record::Container,
};

/// Docker's container states a `status=` filter may name (berth's containers are never
/// `restarting`, `removing` or `dead`, so those select nothing).
const STATUSES: &[&str] = &[
    "created",
    "restarting",
    "running",
    "removing",
    "paused",
    "exited",
    "dead",
];

/// The filters of one `ps`.
#[derive(Debug, Clone, Default)]
pub struct ContainerFilter {
    ids: Vec<String>,
    names: Vec<String>,
    statuses: Vec<String>,
    exit_codes: Vec<i32>,
    /// Whether any `exited=` was given.
    exited: bool,
    ancestors: Vec<String>,
    networks: Vec<String>,
    volumes: Vec<String>,
    labels: LabelFilter,
    /// `before=` and `since=`: a container's name or ID (the first given counts).
    before: Option<String>,
    since: Option<String>,
}

impl ContainerFilter {
    /// The keys `ps --filter` knows (not `label!`, which only the image filters take).
    pub const KEYS: &'static [&'static str] = &[
        "id", "name", "label", "exited", "status", "ancestor", "before", "since", "volume",
        "network",
    ];

    /// Adds one `key=value` (a key of [`ContainerFilter::KEYS`]); a value its key cannot take is
    /// Docker's `invalid filter 'key=value'`.
    pub fn add(&mut self, key: &str, value: &str) -> Result<()> {
        let invalid = || Error::InvalidFilter(format!("{key}={value}"));
        match key {
            "id" => self.ids.push(value.to_owned()),
            "name" => self.names.push(value.to_owned()),
            "status" if STATUSES.contains(&value) => self.statuses.push(value.to_owned()),
            "status" => return Err(invalid()),
            "exited" => {
                self.exit_codes
                    .push(value.parse::<i32>().map_err(|_| invalid())?);
                self.exited = true;
            }
            "ancestor" => self.ancestors.push(value.to_owned()),
            "network" => self.networks.push(value.to_owned()),
            "volume" => self.volumes.push(value.to_owned()),
            "label" => self.labels.want(value),
            "before" => {
                self.before.get_or_insert_with(|| value.to_owned());
            }
            "since" => {
                self.since.get_or_insert_with(|| value.to_owned());
            }
            _ => return Err(Error::UnknownFilter(key.to_owned())),
        }
        Ok(())
    }

    /// A `status=` or `exited=` filter lists stopped containers too, as `-a` does.
    pub fn shows_all(&self) -> bool {
        !self.statuses.is_empty() || self.exited
    }

    /// True if `container` passes every filter but `before=` and `since=` (which need the other
    /// containers: [`Containers::select`]).
    pub fn matches(&self, container: &Container) -> bool {
        let record = &container.record;
        let any = |values: &[String], hit: &dyn Fn(&str) -> bool| {
            values.is_empty() || values.iter().any(|value| hit(value))
        };
        any(&self.ids, &|id| container.id().starts_with(id))
            && any(&self.names, &|name| {
                record.name.contains(name.trim_start_matches('/'))
            })
            && any(&self.statuses, &|status| {
                status == container.state.status.as_str()
            })
            && (!self.exited
                || (container.state.status == crate::Status::Exited
                    && container
                        .state
                        .exit_code
                        .is_some_and(|code| self.exit_codes.contains(&code))))
            && any(&self.ancestors, &|ancestor| {
                is_ancestor(ancestor, container)
            })
            && any(&self.networks, &|network| {
                network == record.host.network.name()
            })
            && any(&self.volumes, &|volume| {
                record
                    .host
                    .binds
                    .iter()
                    .any(|b| b.source == volume || b.destination == volume)
            })
            && self.labels.matches(Some(&record.config.labels))
    }
}

/// `ancestor=`: the image as the container was made from it (name or ID, an ID prefix), or a name
/// that normalizes to the same.
fn is_ancestor(ancestor: &str, container: &Container) -> bool {
    let record = &container.record;
    ancestor == record.image
        || record.image_id.to_string() == ancestor
        || record
            .image_id
            .encoded()
            .starts_with(ancestor.trim_start_matches("sha256:"))
        || Reference::parse_normalized(ancestor).is_ok_and(|wanted| {
            Reference::parse_normalized(&record.image)
                .is_ok_and(|mine| mine.with_default_tag() == wanted.with_default_tag())
        })
}

impl Containers<'_> {
    /// `ps`: the containers of `listed` (newest first, as [`Containers::list`] gives them) that
    /// `filter` selects; only running ones unless `all` (or the filter shows all). `before=` and
    /// `since=` name containers, found as [`Containers::get`] finds them.
    pub fn select<'c>(
        &self,
        listed: &'c [Container],
        filter: &ContainerFilter,
        all: bool,
    ) -> Result<Vec<&'c Container>> {
        let created = |name: &Option<String>| -> Result<Option<String>> {
            name.as_deref()
                .map(|name| Ok(self.get(name)?.record.created))
                .transpose()
        };
        let before = created(&filter.before)?;
        let since = created(&filter.since)?;
        let all = all || filter.shows_all();
        Ok(listed
            .iter()
            .filter(|container| all || container.is_running())
            .filter(|container| filter.matches(container))
            .filter(|container| {
                before
                    .as_ref()
                    .is_none_or(|bound| container.record.created < *bound)
            })
            .filter(|container| {
                since
                    .as_ref()
                    .is_none_or(|bound| container.record.created > *bound)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests;
