//! The files of an image archive, read in one pass and kept off the host file system.
//!
//! Every regular file goes either into memory (the small layout documents, and other files up to
//! [`SMALL_FILE_MAX`] within an overall [`MEMORY_BUDGET`]) or into a store ingest file, keyed by its
//! cleaned archive path. A large file is also tried as a layer while it streams past (its diff_id
//! computed, its entries checked), so a layer is decompressed exactly once. Symlinks and hard links
//! are remembered as names and resolved lexically inside the archive, one hop at most, the way
//! containers/image reads a docker-archive.

use std::{
    collections::BTreeMap,
    fs::File,
    io::{self, Cursor, Read},
    os::unix::fs::FileExt,
    sync::{
        atomic::{AtomicBool, Ordering},
        Mutex,
    },
};

use berth_digest::Digest;
use berth_store::{LayerInfo, PendingBlob, Store};

use super::{
    lines::{docker_lines, stored_chains, Documents, LayerLines},
    LoadOptions,
};
use crate::{
    compression::{peek, Compression},
    digester::{digest_layer, Entries, LayerDigests, Limits, Sink, Tee},
    entry::{check_layer_entry, check_name, clean_components},
    error::{Error, Result},
    fileat::FileAt,
    progress::{Progress, Reporter},
    scan::{copy_entry, count_entry, for_each_entry, for_each_entry_seeking},
};

/// `manifest.json` cap, as containers/image `iolimits.MaxTarFileManifestSize`.
pub const MAX_ARCHIVE_MANIFEST_BYTES: u64 = 1024 * 1024;
/// `index.json`, `oci-layout`, `repositories` and configs cap (containers/image `MaxManifestBodySize`).
pub const MAX_DOCUMENT_BYTES: u64 = 4 * 1024 * 1024;
/// Files up to this size stay in memory (configs, small layers, legacy `json` and `VERSION` files).
const SMALL_FILE_MAX: u64 = 256 * 1024;
/// Memory all in-memory files may take together; beyond it, small files go to disk too.
const MEMORY_BUDGET: u64 = 64 * 1024 * 1024;
/// Bytes per read when a plain layer is copied out of an archive file.
const PLAIN_BUFFER: usize = 1 << 20;
/// Most entries an archive may have (names are kept in memory).
pub const MAX_ENTRIES: usize = 100_000;

/// The documents at the root of an archive that are read into memory whatever their size, with caps.
const DOCUMENTS: &[(&str, u64)] = &[
    ("manifest.json", MAX_ARCHIVE_MANIFEST_BYTES),
    ("index.json", MAX_DOCUMENT_BYTES),
    ("oci-layout", MAX_DOCUMENT_BYTES),
    ("repositories", MAX_DOCUMENT_BYTES),
];

pub(crate) enum Content {
    Memory(Vec<u8>),
    Pending {
        blob: PendingBlob,
        /// The outcome of trying the file as a layer while it streamed in.
        layer: std::result::Result<ScannedLayer, String>,
    },
}

/// A layer found while streaming: its digests, and its plain-tar conversion if it was bzip2/xz.
pub(crate) struct ScannedLayer {
    pub digests: LayerDigests,
    pub converted: Option<Box<PendingBlob>>,
}

#[derive(Default)]
pub(crate) struct Files {
    pub contents: BTreeMap<String, Content>,
    /// Link name -> target, both cleaned archive paths.
    links: BTreeMap<String, String>,
    memory_used: u64,
    /// Entries seen so far.
    entries: usize,
    /// Told about the large files (layers) as they are stored.
    reporter: Reporter,
    /// Reading only to index the archive (`index_stream`): nothing goes to the store.
    index_only: bool,
    /// Which line each layer file draws.
    lines: LayerLines,
}

impl Files {
    /// Streams the archive `reader` (already decompressed) into memory and the store's ingest area;
    /// `lines` says which line each layer file draws (drawn at once when they are Docker's).
    pub fn read(
        store: &Store,
        reader: impl Read,
        limits: &Limits,
        reporter: &Reporter,
        lines: LayerLines,
    ) -> Result<Files> {
        let mut files = Files {
            reporter: reporter.clone(),
            lines,
            ..Files::default()
        };
        files.lines.announce(reporter);
        let rest = for_each_entry(reader, |entry| files.visit(store, entry, limits, None))?;
        drain(rest)?;
        Ok(files)
    }

    /// After a streamed read with [`LayerLines::AfterRead`]: draws Docker's lines for the layers
    /// read, each complete (named after their files when the layout cannot be indexed).
    pub fn draw_lines_read(&mut self, store: &Store, options: &LoadOptions) {
        if !matches!(self.lines, LayerLines::AfterRead) {
            return;
        }
        let deferred = BTreeMap::new();
        let index = Index {
            files: self,
            deferred: &deferred,
            archive: None,
        };
        let lines = docker_lines(&index, stored_chains(store), options);
        let reporter = &self.reporter;
        match &lines {
            Some(LayerLines::Docker { order, .. }) => {
                for (file, id, total) in order {
                    reporter.emit(Progress::Layer {
                        file: file.clone(),
                        id: Some(id.clone()),
                        current: *total,
                        total: *total,
                    });
                }
            }
            _ => {
                for (key, content) in &self.contents {
                    if let Content::Pending { blob, .. } = content {
                        reporter.emit(Progress::Layer {
                            file: key.clone(),
                            id: Some(crate::progress::layer_id(key)),
                            current: blob.size(),
                            total: blob.size(),
                        });
                    }
                }
            }
        }
        self.lines = lines.unwrap_or_default();
    }

    /// Reads a whole (decompressed) archive stream for its layout alone, and decides Docker's lines
    /// from it: the layout documents and small files are read into memory, the large files only
    /// noted by size, links remembered; nothing goes to the store. `None` when the stream is no
    /// archive berth can index (the load then names lines after files, and reports its own error).
    pub fn index_stream(
        store: &Store,
        reader: impl Read,
        options: &LoadOptions,
    ) -> Option<LayerLines> {
        let mut files = Files {
            index_only: true,
            ..Files::default()
        };
        let mut deferred = BTreeMap::new();
        for_each_entry(reader, |entry| {
            files.visit(store, entry, &options.limits, Some(&mut deferred))
        })
        .ok()?;
        let index = Index {
            files: &files,
            deferred: &deferred,
            archive: None,
        };
        docker_lines(&index, stored_chains(store), options)
    }

    /// Reads an uncompressed archive file that starts at `start` in `archive`. Small files are read
    /// as the headers are walked; the large ones (layers) are skipped over. The archive is then
    /// indexed (its layout documents and configs read, the store's layer chains looked up), so the
    /// layers draw Docker's lines ([`LayerLines`]); then the large files are stored and scanned
    /// several at a time, one per core, each read with its own positioned reads.
    pub fn read_seekable(
        store: &Store,
        archive: &File,
        start: u64,
        options: &LoadOptions,
    ) -> Result<Files> {
        let (limits, reporter) = (&options.limits, &options.progress);
        let mut files = Files {
            reporter: reporter.clone(),
            ..Files::default()
        };
        let mut deferred = BTreeMap::new();
        let whole = FileAt::new(archive, start, u64::MAX - start);
        let rest = for_each_entry_seeking(whole, |entry| {
            files.visit(store, entry, limits, Some(&mut deferred))
        })?;
        drain(rest)?;
        let index = Index {
            files: &files,
            deferred: &deferred,
            archive: Some((archive, start)),
        };
        files.lines = docker_lines(&index, stored_chains(store), options).unwrap_or_else(|| {
            tracing::debug!("archive layout not indexed: layer lines named after their files");
            LayerLines::ByFileName
        });
        files.lines.announce(reporter);
        let run = IngestRun {
            store,
            archive,
            start,
            limits,
            reporter,
            lines: &files.lines,
        };
        let ingested = ingest_in_parallel(&run, deferred)?;
        files.contents.extend(ingested);
        Ok(files)
    }

    /// One archive entry: a file is kept (or, with `deferred`, a large one is noted by its offset
    /// and size for later), a link remembered; anything else is ignored.
    fn visit<R: Read>(
        &mut self,
        store: &Store,
        entry: &mut tar::Entry<'_, R>,
        limits: &Limits,
        mut deferred: Option<&mut BTreeMap<String, (u64, u64)>>,
    ) -> Result<()> {
        self.entries += 1;
        if self.entries > MAX_ENTRIES {
            return Err(Error::TooManyEntries { limit: MAX_ENTRIES });
        }
        let name_bytes = entry.path_bytes().into_owned();
        let components = check_name(&name_bytes)?;
        let Ok(name) = String::from_utf8(components.join(&b'/')) else {
            return Ok(()); // no layout names non-UTF-8 files
        };
        // A later entry of the same name replaces an earlier one, whatever either is.
        if let Some(deferred) = deferred.as_deref_mut() {
            deferred.remove(&name);
        }
        let entry_type = entry.header().entry_type();
        if entry_type.is_file() || entry_type == tar::EntryType::Continuous {
            self.links.remove(&name);
            match self.read_file(store, &name, entry, limits, deferred.is_some())? {
                Some(content) => {
                    self.contents.insert(name, content);
                }
                None => {
                    self.contents.remove(&name);
                    if let Some(deferred) = deferred {
                        deferred.insert(name, (entry.raw_file_position(), entry.size()));
                    }
                }
            }
        } else if entry_type.is_symlink() || entry_type.is_hard_link() {
            let target = entry.link_name_bytes().unwrap_or_default().into_owned();
            // A symlink is relative to its directory; a hard link names a path from the root.
            let base = if entry_type.is_symlink() && !target.starts_with(b"/") {
                name.rsplit_once('/')
                    .map_or("", |(dir, _)| dir)
                    .as_bytes()
                    .to_vec()
            } else {
                Vec::new()
            };
            let joined = [base, b"/".to_vec(), target.clone()].concat();
            let target = clean_components(&joined)
                .and_then(|c| String::from_utf8(c.join(&b'/')).ok())
                .ok_or_else(|| {
                    Error::UnsafeArchivePath(String::from_utf8_lossy(&target).into_owned())
                })?;
            self.contents.remove(&name);
            self.links.insert(name, target);
        }
        Ok(())
    }

    /// The file's content, or `None` when `defer` is set and the file is to be ingested later.
    fn read_file<R: Read>(
        &mut self,
        store: &Store,
        name: &str,
        entry: &mut tar::Entry<'_, R>,
        limits: &Limits,
        defer: bool,
    ) -> Result<Option<Content>> {
        let size = entry.size();
        if let Some((_, cap)) = DOCUMENTS.iter().find(|(document, _)| *document == name) {
            if size > *cap {
                return Err(Error::FileTooLarge {
                    what: name.to_owned(),
                    limit: *cap,
                });
            }
            return self.read_into_memory(name, entry, size).map(Some);
        }
        if size <= SMALL_FILE_MAX && self.memory_used + size <= MEMORY_BUDGET {
            let content = self.read_into_memory(name, entry, size)?;
            return match content {
                // A small bzip2/xz layer still needs converting into a blob: through the ingest path
                // (not while only indexing).
                Content::Memory(bytes) if needs_conversion(&bytes) && !self.index_only => {
                    self.memory_used -= size;
                    Self::ingest_file(store, name, &mut Cursor::new(bytes), size, limits).map(Some)
                }
                content => Ok(Some(content)),
            };
        }
        if defer {
            return Ok(None);
        }
        let mut metered = self
            .reporter
            .layer_reader(name, self.lines.id(name), size, entry);
        Self::ingest_file(store, name, &mut metered, size, limits).map(Some)
    }

    fn ingest_file(
        store: &Store,
        name: &str,
        entry: &mut impl Read,
        size: u64,
        limits: &Limits,
    ) -> Result<Content> {
        let mut ingest = store.ingest()?;
        let mut converted = store.ingest()?;
        let Some((compression, mut input)) =
            peek(&mut *entry).map_err(|e| Error::from_io(e, Error::io(format!("read {name}"))))?
        else {
            // Nothing to read: an empty file (once the memory budget is spent), or one cut short.
            return if size == 0 {
                Ok(Content::Memory(Vec::new()))
            } else {
                Err(Error::Truncated)
            };
        };
        // A plain tar's blob digest is its diff_id, which the layer scan computes on its helper
        // thread: the ingest does not hash the same bytes a second time (unless the scan fails).
        let plain = compression == Compression::None && ingest.defer_digest();
        let layer = {
            let mut tee = Tee::new(&mut input, Some(&mut ingest));
            let scanned = digest_layer(
                &mut tee,
                Sink::ConvertOnly(&mut converted),
                limits,
                Entries::Check,
            );
            // Whatever the layer scan made of it, the file is stored whole.
            io::copy(&mut tee, &mut io::sink())
                .map_err(|e| Error::from_io(e, Error::io(format!("read {name}"))))?;
            match scanned {
                // A store I/O failure is not a property of the file.
                Err(error @ Error::Io { .. }) => return Err(error),
                Err(error) => Err(error.to_string()),
                Ok(digests) => Ok(digests),
            }
        };
        if ingest.size() != size {
            return Err(Error::Truncated);
        }
        if plain {
            let digest = match &layer {
                Ok(digests) if digests.info.uncompressed_size == size => {
                    digests.info.diff_id.clone()
                }
                _ => hash_ingested(&ingest, name)?,
            };
            ingest.set_digest(digest);
        }
        let layer = layer.map(|digests| ScannedLayer {
            converted: None,
            digests,
        });
        let layer = match layer {
            Ok(mut scanned) if scanned.digests.compression.layer_media_type().is_none() => {
                scanned.converted = Some(Box::new(converted.finish()?));
                Ok(scanned)
            }
            other => other,
        };
        Ok(Content::Pending {
            blob: ingest.finish()?,
            layer,
        })
    }

    /// Tells the reporter about a layer small enough to have been read into memory (its bytes were
    /// not reported as they came, as it was not yet known to be a layer): one report, complete.
    pub fn report_in_memory_layer(&self, key: &str) {
        if let Some(Content::Memory(bytes)) = self.contents.get(key) {
            let size = bytes.len() as u64;
            self.reporter.emit(Progress::Layer {
                file: key.to_owned(),
                id: self.lines.id(key),
                current: size,
                total: size,
            });
        }
    }

    fn read_into_memory<R: Read>(
        &mut self,
        name: &str,
        entry: &mut tar::Entry<'_, R>,
        size: u64,
    ) -> Result<Content> {
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        copy_entry(entry, &mut bytes, &format!("read {name}"))?;
        self.memory_used += size;
        Ok(Content::Memory(bytes))
    }

    /// The key of the file that `path` names: itself, or the target of a link (one hop).
    pub fn resolve(&self, path: &str) -> Result<String> {
        self.resolve_among(path, |key| self.contents.contains_key(key))
    }

    /// [`Files::resolve`] among the files `exists` knows.
    fn resolve_among(&self, path: &str, exists: impl Fn(&str) -> bool) -> Result<String> {
        let name = clean_archive_path(path)?;
        if exists(&name) {
            return Ok(name);
        }
        if let Some(target) = self.links.get(&name) {
            if exists(target) {
                return Ok(target.clone());
            }
        }
        Err(Error::MissingFile(path.to_owned()))
    }

    pub fn get(&self, key: &str) -> Result<&Content> {
        self.contents
            .get(key)
            .ok_or_else(|| Error::MissingFile(key.to_owned()))
    }

    /// Reads a whole file of at most `max` bytes.
    pub fn read_small(&self, key: &str, max: u64) -> Result<Vec<u8>> {
        let too_large = || Error::FileTooLarge {
            what: key.to_owned(),
            limit: max,
        };
        match self.get(key)? {
            Content::Memory(bytes) if bytes.len() as u64 > max => Err(too_large()),
            Content::Memory(bytes) => Ok(bytes.clone()),
            Content::Pending { blob, .. } if blob.size() > max => Err(too_large()),
            Content::Pending { blob, .. } => berth_store::fs::read_bounded(blob.reader()?, max)
                .map_err(|e| match berth_store::fs::exceeded_limit(&e) {
                    Some(_) => too_large(),
                    None => Error::io(format!("read {key}"))(e),
                }),
        }
    }

    /// The digest and size of a file's bytes.
    pub fn digest(&self, key: &str) -> Result<(Digest, u64)> {
        Ok(match self.get(key)? {
            Content::Memory(bytes) => (Digest::sha256(bytes), bytes.len() as u64),
            Content::Pending { blob, .. } => (blob.digest().clone(), blob.size()),
        })
    }

    /// The file as a layer: its digests, scanning it now if it was kept in memory.
    pub fn layer(&self, key: &str, limits: &Limits) -> Result<LayerDigests> {
        match self.get(key)? {
            Content::Memory(bytes) => {
                digest_layer(Cursor::new(bytes), Sink::Nowhere, limits, Entries::Check)
            }
            Content::Pending {
                layer: Ok(scanned), ..
            } => Ok(scanned.digests.clone()),
            Content::Pending {
                layer: Err(reason), ..
            } => Err(Error::InvalidArchive(format!(
                "{key} is not a valid layer: {reason}"
            ))),
        }
    }

    /// Whether a file's layer scan needed conversion to plain tar (bzip2/xz layers).
    pub fn converted_layer(&self, key: &str) -> Option<(Digest, u64)> {
        match self.contents.get(key) {
            Some(Content::Pending {
                layer:
                    Ok(ScannedLayer {
                        converted: Some(blob),
                        ..
                    }),
                ..
            }) => Some((blob.digest().clone(), blob.size())),
            _ => None,
        }
    }

    /// Takes a file out to commit it.
    pub fn take(&mut self, key: &str) -> Option<Content> {
        self.contents.remove(key)
    }
}

/// Most bytes read after the end of an archive: GNU tar pads to its record size (10 KiB by default),
/// and nothing after the end is used. An endless input (`load < /dev/zero`) ends here.
const MAX_TRAILER_BYTES: u64 = 16 * 1024 * 1024;

/// Reads what follows the end-of-archive blocks (so a compressed archive is decompressed and
/// checked to its end), up to [`MAX_TRAILER_BYTES`]; the rest is left unread, as Go's archive/tar
/// leaves it.
fn drain(rest: impl Read) -> Result<()> {
    let read = io::copy(&mut rest.take(MAX_TRAILER_BYTES), &mut io::sink())
        .map_err(|e| Error::from_io(e, Error::io("read the archive")))?;
    if read == MAX_TRAILER_BYTES {
        tracing::debug!("more than {MAX_TRAILER_BYTES} bytes follow the archive: not read");
    }
    Ok(())
}

/// An archive read before its large files are: what indexing sees.
struct Index<'a> {
    files: &'a Files,
    /// The large files, by key: offset from the archive's start and size.
    deferred: &'a BTreeMap<String, (u64, u64)>,
    /// The archive file and where the archive starts in it; `None` for a stream, whose large
    /// files are not read again.
    archive: Option<(&'a File, u64)>,
}

impl Documents for Index<'_> {
    fn has(&self, key: &str) -> bool {
        self.files.contents.contains_key(key) || self.deferred.contains_key(key)
    }

    fn resolve(&self, path: &str) -> Option<String> {
        self.files.resolve_among(path, |key| self.has(key)).ok()
    }

    fn read(&self, key: &str, max: u64) -> Option<Vec<u8>> {
        if self.files.contents.contains_key(key) {
            return self.files.read_small(key, max).ok();
        }
        let &(offset, size) = self.deferred.get(key)?;
        let (archive, start) = self.archive?;
        if size > max {
            return None;
        }
        let mut bytes = vec![0u8; usize::try_from(size).ok()?];
        archive.read_exact_at(&mut bytes, start + offset).ok()?;
        Some(bytes)
    }

    fn size(&self, key: &str) -> Option<u64> {
        match self.files.contents.get(key) {
            Some(Content::Memory(bytes)) => Some(bytes.len() as u64),
            Some(Content::Pending { blob, .. }) => Some(blob.size()),
            None => self.deferred.get(key).map(|(_, size)| *size),
        }
    }
}

/// What every large file's ingest of one archive file shares.
struct IngestRun<'a> {
    store: &'a Store,
    archive: &'a File,
    start: u64,
    limits: &'a Limits,
    reporter: &'a Reporter,
    lines: &'a LayerLines,
}

/// Stores and scans the large files of an archive, largest first, one per core at a time. The first
/// failure stops the others and is returned.
fn ingest_in_parallel(
    run: &IngestRun<'_>,
    deferred: BTreeMap<String, (u64, u64)>,
) -> Result<Vec<(String, Content)>> {
    let mut jobs: Vec<(String, u64, u64)> = deferred
        .into_iter()
        .map(|(name, (offset, size))| (name, offset, size))
        .collect();
    jobs.sort_by_key(|(_, _, size)| *size);
    // Two jobs per core (each layer's digest is itself two threads, pipeline.rs): the scheduler
    // shares the cores out evenly, where a fixed pair of workers would leave the last of three
    // layers to one core.
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get() * 2)
        .min(jobs.len());
    let jobs = Mutex::new(jobs);
    let failed = AtomicBool::new(false);
    let done = Mutex::new(Vec::new());
    let first_error = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let Some((name, offset, size)) = jobs.lock().ok().and_then(|mut j| j.pop())
                    else {
                        return;
                    };
                    let range = Range {
                        offset: run.start + offset,
                        size,
                        name: &name,
                    };
                    match ingest_range(run, &range) {
                        Ok(content) => {
                            if let Ok(mut done) = done.lock() {
                                done.push((name, content));
                            }
                        }
                        Err(error) => {
                            failed.store(true, Ordering::Relaxed);
                            if let Ok(mut first) = first_error.lock() {
                                first.get_or_insert(error);
                            }
                        }
                    }
                }
            });
        }
    });
    if let Some(error) = first_error.into_inner().ok().flatten() {
        return Err(error);
    }
    Ok(done.into_inner().unwrap_or_default())
}

/// Stores one large file of an archive file, scanned as a layer: a plain tar with [`ingest_plain`],
/// anything else through the streaming scan.
/// A large file inside an archive file.
struct Range<'a> {
    offset: u64,
    size: u64,
    name: &'a str,
}

fn ingest_range(run: &IngestRun<'_>, range: &Range<'_>) -> Result<Content> {
    let &Range { offset, size, name } = range;
    let archive = run.archive;
    let mut prefix = [0u8; 8];
    let n = archive
        .read_at(&mut prefix, offset)
        .map_err(Error::io(format!("read {name}")))?;
    if n > 0 && Compression::detect(&prefix[..n]) == Compression::None {
        return ingest_plain(run, range);
    }
    let id = run.lines.id(name);
    Files::ingest_file(
        run.store,
        name,
        &mut run
            .reporter
            .layer_reader(name, id, size, FileAt::new(archive, offset, size)),
        size,
        run.limits,
    )
}

/// A plain-tar file of an archive file, in two cheap passes instead of one streaming scan: the bytes
/// are copied into the store and hashed once (the blob digest is the diff_id), then the tar headers
/// are walked with seeks over the file data. The outcome is what the streaming scan would give.
fn ingest_plain(run: &IngestRun<'_>, range: &Range<'_>) -> Result<Content> {
    let &Range { offset, size, name } = range;
    let (archive, limits) = (run.archive, run.limits);
    let mut meter = run
        .reporter
        .layer_reader(name, run.lines.id(name), size, io::empty());
    let mut ingest = run.store.ingest()?;
    ingest.defer_digest();
    let mut hasher = berth_digest::Hasher::sha256();
    let mut buffer = vec![0u8; PLAIN_BUFFER];
    let mut done = 0u64;
    while done < size {
        let want = buffer
            .len()
            .min(usize::try_from(size - done).unwrap_or(usize::MAX));
        let n = match archive.read_at(&mut buffer[..want], offset + done) {
            Ok(0) => return Err(Error::Truncated),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(format!("read {name}"))(e)),
        };
        hasher.update(&buffer[..n]);
        io::Write::write_all(&mut ingest, &buffer[..n])
            .map_err(Error::io("write into the store"))?;
        done += n as u64;
        meter.add(n as u64);
    }
    let diff_id = hasher.finish();
    let mut content_size = 0u64;
    let walked = match limits.max_uncompressed_size {
        Some(limit) if size > limit => Err(Error::TooLarge { limit }),
        _ => for_each_entry_seeking(FileAt::new(archive, offset, size), |entry| {
            check_layer_entry(entry)?;
            count_entry(entry, &mut content_size);
            Ok::<(), Error>(())
        })
        .map(drop),
    };
    let layer = match walked {
        // A store or archive I/O failure is not a property of the file.
        Err(error @ Error::Io { .. }) => return Err(error),
        Err(error) => Err(error.to_string()),
        Ok(()) => Ok(ScannedLayer {
            digests: LayerDigests {
                compression: Compression::None,
                compressed_size: size,
                info: LayerInfo {
                    diff_id: diff_id.clone(),
                    uncompressed_size: size,
                    content_size: Some(content_size),
                },
            },
            converted: None,
        }),
    };
    ingest.set_digest(diff_id);
    Ok(Content::Pending {
        blob: ingest.finish()?,
        layer,
    })
}

/// The digest of what an ingest holds, read back (a large file that did not scan as a layer).
fn hash_ingested(ingest: &berth_store::Ingest, name: &str) -> Result<Digest> {
    let mut file = ingest.contents();
    let mut hasher = berth_digest::Hasher::sha256();
    io::copy(&mut file, &mut hasher).map_err(Error::io(format!("read {name} back")))?;
    Ok(hasher.finish())
}

fn needs_conversion(bytes: &[u8]) -> bool {
    Compression::detect(bytes).layer_media_type().is_none()
}

/// A path named by a layout document: relative, inside the archive, cleaned.
pub fn clean_archive_path(path: &str) -> Result<String> {
    let unsafe_path = || Error::UnsafeArchivePath(path.to_owned());
    if path.is_empty() || path.starts_with('/') || path.contains('\0') || path.contains('\\') {
        return Err(unsafe_path());
    }
    let components = clean_components(path.as_bytes()).ok_or_else(unsafe_path)?;
    if components.is_empty() {
        return Err(unsafe_path());
    }
    String::from_utf8(components.join(&b'/')).map_err(|_| unsafe_path())
}
