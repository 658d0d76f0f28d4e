//! Images: index entries grouped by image ID (the config digest), resolved the way Docker resolves them.

use std::collections::BTreeMap;

use berth_digest::Digest;
use berth_reference::Reference;
use oci_spec::image::ImageManifest;

use crate::{
    error::{Error, Result},
    index::{annotations, IndexEntry},
    Store, MAX_JSON_BYTES,
};

/// One `index.json` descriptor with its parsed name.
#[derive(Debug, Clone)]
pub struct ImageEntry {
    pub name: Option<Reference>,
    pub entry: IndexEntry,
}

/// An image: everything in the index whose manifest points at the same config.
#[derive(Debug, Clone)]
pub struct Image {
    /// Docker's image ID: the config digest.
    pub id: Digest,
    /// The manifest berth uses for this image (the most recently named one).
    pub manifest_digest: Digest,
    pub manifest_media_type: String,
    pub manifest_size: u64,
    pub manifest: ImageManifest,
    /// The raw config JSON, verified against `id`.
    pub config: Vec<u8>,
    /// Every name (tag or digest reference) pointing at this image, in lexical order of the full
    /// names (as Docker's reference store lists them).
    pub names: Vec<Reference>,
    /// The repo digests (`name@sha256:…`) pulls and pushes recorded, sorted.
    pub repo_digests: Vec<String>,
    pub last_tag_time: Option<String>,
}

impl Image {
    /// Layer digests in order, as stored.
    pub fn layer_digests(&self) -> Result<Vec<Digest>> {
        self.manifest
            .layers()
            .iter()
            .map(|layer| oci_digest(layer.digest()))
            .collect()
    }

    /// Distinct repositories among the names (Docker's "referenced in multiple repositories" check).
    pub fn repositories(&self) -> Vec<String> {
        let mut repos: Vec<String> = self.names.iter().map(Reference::name).collect();
        repos.sort();
        repos.dedup();
        repos
    }
}

/// Whether naming an image counts as tagging it, for Docker's `LastTagTime`: `tag`, `commit` and
/// `import` do (moby's `TagImageWithReference`); `pull`, `load` and `push` name it without (they add
/// the reference directly), so a loaded image shows the zero time until it is tagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagTime {
    /// Now.
    Now,
    /// Whatever the image had.
    Keep,
}

/// What `rmi` (or `image prune`) did, in the order Docker prints it: a name removed, an image or a
/// layer (by chain ID) deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    Untagged(Reference),
    Deleted(Digest),
}

pub(crate) fn oci_digest(digest: &oci_spec::image::Digest) -> Result<Digest> {
    Digest::parse(digest.as_ref()).map_err(Error::Verify)
}

impl Store {
    /// Every descriptor of `index.json`, with names parsed.
    pub fn entries(&self) -> Result<Vec<ImageEntry>> {
        let index = self.index()?;
        index
            .manifests
            .into_iter()
            .map(|entry| {
                let name = match entry.ref_name() {
                    Some(name) => Some(
                        Reference::parse(name)
                            .map_err(|_| Error::InvalidStoredReference(name.to_owned()))?,
                    ),
                    None => None,
                };
                Ok(ImageEntry { name, entry })
            })
            .collect()
    }

    /// Reads and parses a manifest blob.
    pub fn read_manifest(&self, digest: &Digest) -> Result<ImageManifest> {
        let bytes = self.read_blob(digest, MAX_JSON_BYTES)?;
        serde_json::from_slice(&bytes).map_err(|source| Error::InvalidDocument {
            digest: digest.clone(),
            source,
        })
    }

    /// All images, grouped by ID, in the order their first descriptor appears in `index.json`.
    pub fn images(&self) -> Result<Vec<Image>> {
        self.groups()?
            .into_iter()
            .map(|group| self.load_group(group))
            .collect()
    }

    /// Index entries grouped by image ID, without reading any config: the ID comes from the entry's
    /// `io.berth.image.id` annotation, or (for entries other tools wrote) from its manifest, read once.
    pub(crate) fn groups(&self) -> Result<Vec<Group>> {
        let mut by_id: BTreeMap<Digest, usize> = BTreeMap::new();
        let mut id_of_manifest: BTreeMap<Digest, Digest> = BTreeMap::new();
        let mut groups: Vec<Group> = Vec::new();
        for ImageEntry { name, entry } in self.entries()? {
            let id = match id_of_manifest.get(&entry.digest) {
                Some(id) => id.clone(),
                None => {
                    let id = match entry
                        .annotations
                        .get(annotations::IMAGE_ID)
                        .and_then(|id| Digest::parse(id).ok())
                    {
                        Some(id) => id,
                        None => self.config_of(&entry)?,
                    };
                    id_of_manifest.insert(entry.digest.clone(), id.clone());
                    id
                }
            };
            let index = *by_id.entry(id.clone()).or_insert_with(|| {
                groups.push(Group {
                    id,
                    entries: Vec::new(),
                });
                groups.len() - 1
            });
            groups[index].entries.push(ImageEntry { name, entry });
        }
        Ok(groups)
    }

    /// Reads the manifest and config of a group's first entry and gathers every name.
    fn load_group(&self, group: Group) -> Result<Image> {
        let first = &group.entries[0].entry;
        let manifest = self.read_manifest(&first.digest)?;
        let mut image = self.load(first, manifest, group.id)?;
        for ImageEntry { name, entry } in group.entries {
            merge_entry(&mut image, name, &entry);
        }
        // Docker's reference store lists an image's references in lexical order of their full
        // form (`RepoTags`, `RepoDigests`, the rows of `images`, what `rmi` untags first).
        image.names.sort_by_cached_key(ToString::to_string);
        image.repo_digests.sort();
        Ok(image)
    }

    fn config_of(&self, entry: &IndexEntry) -> Result<Digest> {
        let manifest = self.read_manifest(&entry.digest)?;
        oci_digest(manifest.config().digest())
    }

    fn load(&self, entry: &IndexEntry, manifest: ImageManifest, id: Digest) -> Result<Image> {
        let config = self.read_blob(&id, MAX_JSON_BYTES)?;
        Ok(Image {
            id,
            manifest_digest: entry.digest.clone(),
            manifest_media_type: entry.media_type.clone(),
            manifest_size: entry.size,
            manifest,
            config,
            names: Vec::new(),
            repo_digests: Vec::new(),
            last_tag_time: None,
        })
    }

    /// Finds an image like Docker's daemon: a full ID (`sha256:<hex>` or 64 hex), then a name (with the
    /// default tag added), then a unique ID prefix. Only the image found is read from `blobs/`.
    pub fn resolve(&self, reference_or_id: &str) -> Result<Image> {
        let not_found = || Error::NoSuchImage(reference_or_id.to_owned());
        let mut groups = self.groups()?;
        let full_id = if berth_reference::is_full_id(reference_or_id) {
            Some(format!("sha256:{reference_or_id}"))
        } else if reference_or_id.starts_with("sha256:") {
            Some(reference_or_id.to_owned())
        } else {
            None
        };
        let found = if let Some(id) = full_id.as_deref().and_then(|s| Digest::parse(s).ok()) {
            groups.iter().position(|group| group.id == id)
        } else {
            let by_name = Reference::parse_normalized(reference_or_id)
                .ok()
                .and_then(|reference| find_by_name(&groups, &reference.with_default_tag()));
            by_name.or_else(|| {
                let prefix = reference_or_id
                    .strip_prefix("sha256:")
                    .unwrap_or(reference_or_id);
                let hex = !prefix.is_empty()
                    && prefix
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
                let mut matches = groups
                    .iter()
                    .enumerate()
                    .filter(|(_, g)| hex && g.id.encoded().starts_with(prefix));
                match (matches.next(), matches.next()) {
                    (Some((index, _)), None) => Some(index),
                    _ => None,
                }
            })
        };
        let index = found.ok_or_else(not_found)?;
        self.load_group(groups.swap_remove(index))
    }

    /// Writes a new image made here (import, commit, build): its config blob, an OCI manifest of
    /// the config and `layers` (already in the store), and the image under `names`. Returns the
    /// image ID (the config digest) and the manifest digest.
    pub fn add_new_image(
        &self,
        config: &[u8],
        layers: Vec<oci_spec::image::Descriptor>,
        names: &[Reference],
    ) -> Result<(Digest, Digest)> {
        use berth_manifest::{descriptor, image_manifest, manifest_bytes, media_type};
        let config_digest = self.write_blob(config)?;
        let manifest = image_manifest(
            descriptor(media_type::OCI_CONFIG, &config_digest, config.len() as u64),
            layers,
        );
        let bytes = manifest_bytes(&manifest);
        let manifest_digest = self.write_blob(&bytes)?;
        let entry = IndexEntry::new(
            media_type::OCI_MANIFEST,
            manifest_digest.clone(),
            bytes.len() as u64,
        );
        self.add_image(&entry, names, &[])?;
        Ok((config_digest, manifest_digest))
    }

    /// Records an image under `names` (moving each name off any image that had it) and its repo digests,
    /// as a tagging ([`TagTime::Now`]). An image left with no name stays, unnamed, like Docker's
    /// dangling images.
    pub fn add_image(
        &self,
        manifest: &IndexEntry,
        names: &[Reference],
        repo_digests: &[String],
    ) -> Result<()> {
        self.add_image_with(manifest, names, repo_digests, TagTime::Now)
    }

    /// [`Store::add_image`], saying whether naming the image updates its `LastTagTime`.
    pub fn add_image_with(
        &self,
        manifest: &IndexEntry,
        names: &[Reference],
        repo_digests: &[String],
        tag_time: TagTime,
    ) -> Result<()> {
        let now = crate::now_rfc3339();
        // The image ID, creation time and size, so that listing and lookups read no blob.
        let manifest_doc = self.read_manifest(&manifest.digest)?;
        let image_id = oci_digest(manifest_doc.config().digest())?;
        let created = crate::summary::created_of(&self.read_blob(&image_id, MAX_JSON_BYTES)?);
        let size: u64 = self.layer_sizes(&manifest_doc)?.iter().sum();
        self.update_index(|index| {
            let tagged_at = match tag_time {
                TagTime::Now => Some(now.clone()),
                TagTime::Keep => last_tag_time(&index.manifests, &image_id),
            };
            let facts = ImageFacts {
                id: &image_id,
                created: created.as_deref(),
                size,
            };
            let base = base_entry(&mut index.manifests, manifest, &facts, repo_digests);
            for name in names {
                name_entry(&mut index.manifests, &base, name, tagged_at.as_ref());
            }
            // Unnamed and now also named elsewhere: the unnamed descriptor is no longer needed.
            let named_digests: Vec<Digest> = index
                .manifests
                .iter()
                .filter(|e| e.ref_name().is_some())
                .map(|e| e.digest.clone())
                .collect();
            index
                .manifests
                .retain(|e| e.ref_name().is_some() || !named_digests.contains(&e.digest));
            if !index.manifests.iter().any(|e| e.digest == base.digest) {
                index.manifests.push(base);
            }
            Ok(())
        })
    }

    /// Points `name` at `image` (Docker's `tag`).
    pub fn tag(&self, image: &Image, name: &Reference) -> Result<()> {
        let entry = IndexEntry::new(
            &image.manifest_media_type,
            image.manifest_digest.clone(),
            image.manifest_size,
        );
        self.add_image(&entry, std::slice::from_ref(name), &[])
    }

    /// Removes one name. The image itself stays (unnamed) if nothing else names it.
    pub fn untag(&self, name: &Reference) -> Result<bool> {
        let full = name.to_string();
        self.update_index(|index| {
            let removed = take_named(&mut index.manifests, &full);
            let found = !removed.is_empty();
            for old in removed {
                keep_if_orphaned(&mut index.manifests, old);
            }
            Ok(found)
        })
    }

    /// Removes the repo digest `repo_digest` (`name@sha256:…`, as recorded by a pull or push) from
    /// every descriptor that records it (Docker's untag of a digest reference). Returns whether any did.
    pub fn remove_repo_digest(&self, repo_digest: &str) -> Result<bool> {
        self.update_index(|index| {
            let mut found = false;
            for entry in &mut index.manifests {
                let Some(recorded) = entry.annotations.get(annotations::REPO_DIGESTS) else {
                    continue;
                };
                let kept: Vec<&str> = recorded
                    .split(' ')
                    .filter(|d| !d.is_empty() && *d != repo_digest)
                    .collect();
                if kept.len() == recorded.split(' ').filter(|d| !d.is_empty()).count() {
                    continue;
                }
                found = true;
                if kept.is_empty() {
                    entry.annotations.remove(annotations::REPO_DIGESTS);
                } else {
                    let kept = kept.join(" ");
                    entry
                        .annotations
                        .insert(annotations::REPO_DIGESTS.into(), kept);
                }
            }
            Ok(found)
        })
    }

    /// Drops every descriptor of the image `id` from the index (its blobs go at the next garbage collection).
    pub fn forget_image(&self, id: &Digest) -> Result<Vec<Reference>> {
        // Grouping uses the recorded image IDs: no manifest is read for the other images.
        let manifests: Vec<Digest> = self
            .groups()?
            .into_iter()
            .filter(|group| group.id == *id)
            .flat_map(|group| group.entries.into_iter().map(|e| e.entry.digest))
            .collect();
        self.update_index(|index| {
            let mut names = Vec::new();
            index.manifests.retain(|entry| {
                if !manifests.contains(&entry.digest) {
                    return true;
                }
                if let Some(name) = entry.ref_name().and_then(|n| Reference::parse(n).ok()) {
                    names.push(name);
                }
                false
            });
            crate::parent::forget_parent(&mut index.manifests, id);
            Ok(names)
        })
    }
}

/// What `index.json` records of an image beside each of its descriptors, so that listing and
/// lookups read no blob.
struct ImageFacts<'a> {
    id: &'a Digest,
    created: Option<&'a str>,
    size: u64,
}

/// The image's own tag time, from the names it has (the latest, as `Image` reads it).
fn last_tag_time(entries: &[IndexEntry], image_id: &Digest) -> Option<String> {
    let image_id = image_id.to_string();
    entries
        .iter()
        .filter(|e| e.annotations.get(annotations::IMAGE_ID) == Some(&image_id))
        .filter_map(|e| e.annotations.get(annotations::LAST_TAG_TIME))
        .max()
        .cloned()
}

/// The unnamed descriptor of the manifest: the image's facts, its repo digests (the new ones
/// joined to those already recorded, on every descriptor of the manifest) and its parent.
fn base_entry(
    entries: &mut [IndexEntry],
    manifest: &IndexEntry,
    facts: &ImageFacts<'_>,
    repo_digests: &[String],
) -> IndexEntry {
    let mut base = manifest.clone();
    base.annotations.clear();
    base.annotations
        .insert(annotations::IMAGE_ID.into(), facts.id.to_string());
    base.annotations.insert(
        annotations::IMAGE_CREATED.into(),
        facts.created.unwrap_or_default().to_owned(),
    );
    base.annotations
        .insert(annotations::IMAGE_SIZE.into(), facts.size.to_string());
    if !repo_digests.is_empty() {
        let mut all: Vec<String> = existing_repo_digests(entries, &base.digest);
        for digest in repo_digests {
            if !all.contains(digest) {
                all.push(digest.clone());
            }
        }
        for entry in entries.iter_mut().filter(|e| e.digest == base.digest) {
            entry
                .annotations
                .insert(annotations::REPO_DIGESTS.into(), all.join(" "));
        }
        base.annotations
            .insert(annotations::REPO_DIGESTS.into(), all.join(" "));
    } else if let Some(existing) = entries
        .iter()
        .find(|e| e.digest == base.digest)
        .and_then(|e| e.annotations.get(annotations::REPO_DIGESTS))
    {
        base.annotations
            .insert(annotations::REPO_DIGESTS.into(), existing.clone());
    }
    if let Some(parent) = crate::parent::recorded_parent(entries, facts.id) {
        base.annotations
            .insert(annotations::PARENT.into(), parent.to_owned());
    }
    base
}

/// Points `name` at the image of `base`; the descriptor it displaces stays, unnamed, if nothing
/// else names its manifest.
fn name_entry(
    entries: &mut Vec<IndexEntry>,
    base: &IndexEntry,
    name: &Reference,
    tagged_at: Option<&String>,
) {
    let full = name.to_string();
    let displaced = take_named(entries, &full);
    let mut named = base.clone();
    named
        .annotations
        .insert(annotations::REF_NAME.into(), full.clone());
    named
        .annotations
        .insert(annotations::IMAGE_NAME.into(), full);
    if let Some(tagged_at) = tagged_at {
        named
            .annotations
            .insert(annotations::LAST_TAG_TIME.into(), tagged_at.clone());
    }
    entries.push(named);
    for old in displaced {
        keep_if_orphaned(entries, old);
    }
}

/// Takes the descriptors named `full` (a full reference) out of `entries`.
fn take_named(entries: &mut Vec<IndexEntry>, full: &str) -> Vec<IndexEntry> {
    let named: Vec<IndexEntry> = entries
        .iter()
        .filter(|e| e.ref_name() == Some(full))
        .cloned()
        .collect();
    entries.retain(|e| e.ref_name() != Some(full));
    named
}

fn existing_repo_digests(entries: &[IndexEntry], digest: &Digest) -> Vec<String> {
    entries
        .iter()
        .find(|e| e.digest == *digest)
        .and_then(|e| e.annotations.get(annotations::REPO_DIGESTS))
        .map(|s| {
            s.split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// After a name moved away from `old`'s manifest: if no descriptor names that manifest any more,
/// keep it as an unnamed (dangling) image.
fn keep_if_orphaned(entries: &mut Vec<IndexEntry>, mut old: IndexEntry) {
    if entries.iter().any(|e| e.digest == old.digest) {
        return;
    }
    old.annotations.remove(annotations::REF_NAME);
    old.annotations.remove(annotations::IMAGE_NAME);
    // The image keeps its last tag time (Docker keeps it with the image, not the name).
    entries.push(old);
}

fn merge_entry(image: &mut Image, name: Option<Reference>, entry: &IndexEntry) {
    if let Some(name) = name {
        if !image.names.contains(&name) {
            image.names.push(name);
        }
    }
    let tagged_at = entry.annotations.get(annotations::LAST_TAG_TIME);
    if tagged_at.is_some() && tagged_at > image.last_tag_time.as_ref() {
        image.last_tag_time = tagged_at.cloned();
    }
    if let Some(digests) = entry.annotations.get(annotations::REPO_DIGESTS) {
        for digest in digests.split(' ').filter(|s| !s.is_empty()) {
            if !image.repo_digests.iter().any(|d| d == digest) {
                image.repo_digests.push(digest.to_owned());
            }
        }
    }
}

/// The index entries of one image, before any blob is read.
pub(crate) struct Group {
    pub(crate) id: Digest,
    pub(crate) entries: Vec<ImageEntry>,
}

/// A group named `reference`; for `name@digest`, also one whose repo digests or manifest digest match.
fn find_by_name(groups: &[Group], reference: &Reference) -> Option<usize> {
    if let Some(index) = groups
        .iter()
        .position(|g| g.entries.iter().any(|e| e.name.as_ref() == Some(reference)))
    {
        return Some(index);
    }
    let digest = reference.digest()?;
    let wanted = reference.to_string();
    groups.iter().position(|group| {
        group.entries.iter().any(|ImageEntry { name, entry }| {
            let repo_digests = entry
                .annotations
                .get(annotations::REPO_DIGESTS)
                .map_or("", String::as_str);
            repo_digests.split(' ').any(|d| d == wanted)
                || (entry.digest == *digest
                    && name.as_ref().is_some_and(|n| n.name() == reference.name()))
        })
    })
}
