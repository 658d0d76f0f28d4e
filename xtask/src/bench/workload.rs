//! Deterministic workloads: the same seed gives the same bytes on every machine.
//!
//! Bulk bytes come from AES-128-CTR over zeros (`openssl enc`, gigabytes per second, seeded by a
//! fixed key), small decisions (file sizes, names) from SplitMix64. Text files are slices of a
//! generated word corpus, so they compress about as well as source code and documentation do.
//! Trees are packed with GNU tar in name order with fixed owners and mtimes, and gzip runs with
//! `-n`, so the archives are byte-identical from run to run.

use std::{
    fmt::Write as _,
    io::{Read, Write},
    path::{Path, PathBuf},
    process::{Child, ChildStdout, Command, Stdio},
};

use anyhow::Context as _;

use crate::util;

use super::{image, q};

/// Bump when the generator changes, so cached workloads are rebuilt.
const GENERATOR_VERSION: u32 = 1;
const MIB: u64 = 1024 * 1024;
/// A fixed mtime for every archive entry (2023-11-14), so tarballs are reproducible.
const ENTRY_MTIME: &str = "@1700000000";

pub struct Sizes {
    pub name: &'static str,
    /// Per layer of the 3-layer image: incompressible bytes, then compressible text bytes.
    pub layer_random: u64,
    pub layer_text: u64,
    pub small_files: usize,
    pub changes_bytes: u64,
    pub many_images: usize,
}

impl Sizes {
    pub fn full() -> Sizes {
        Sizes {
            name: "full",
            layer_random: 80 * MIB,
            layer_text: 48 * MIB,
            small_files: 20_000,
            changes_bytes: 50 * MIB,
            many_images: 1_000,
        }
    }

    pub fn quick() -> Sizes {
        Sizes {
            name: "quick",
            layer_random: 2 * MIB,
            layer_text: MIB,
            small_files: 500,
            changes_bytes: 2 * MIB,
            many_images: 50,
        }
    }
}

/// One layer of the big image, as a tree, a tar and a gzip blob.
#[derive(Clone)]
pub struct Layer {
    pub tree: PathBuf,
    pub tar: PathBuf,
    pub tar_gz: PathBuf,
    /// The same tar recompressed with zstd, for the `zstd -dc` floor.
    pub tar_zst: PathBuf,
    pub diff_id: String,
    pub digest: String,
}

#[derive(Clone)]
pub struct Workload {
    pub dir: PathBuf,
    pub many_images: usize,
    pub small_files: usize,
    pub layers: Vec<Layer>,
    /// The big image as an OCI layout, an OCI archive and a docker-archive (uncompressed layers).
    pub oci_layout: PathBuf,
    pub oci_archive: PathBuf,
    pub docker_archive: PathBuf,
    /// A rootfs of many small files, for import and first run.
    pub small_tree: PathBuf,
    pub small_tar_gz: PathBuf,
    /// A one-file tarball, imported many times to fill a store with images.
    pub tiny_tar: PathBuf,
    /// 50 MB of changes a container makes before `commit`.
    pub changes: PathBuf,
}

impl Workload {
    /// Generates the workloads into `bench_dir/workload-<size>` unless an identical generation is
    /// already there.
    pub fn prepare(bench_dir: &Path, sizes: &Sizes) -> anyhow::Result<Workload> {
        let dir = bench_dir.join(format!("workload-{}", sizes.name));
        let stamp = dir.join("stamp");
        let expected = format!(
            "generator {GENERATOR_VERSION} random {} text {} small {} changes {} images {}\n",
            sizes.layer_random,
            sizes.layer_text,
            sizes.small_files,
            sizes.changes_bytes,
            sizes.many_images
        );
        let workload = Workload::at(&dir, sizes);
        if std::fs::read_to_string(&stamp).ok().as_deref() == Some(expected.as_str()) {
            eprintln!("bench: reusing the workloads in {}", dir.display());
            return workload.with_digests();
        }
        eprintln!("bench: generating the workloads in {}", dir.display());
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        workload.generate(sizes)?;
        std::fs::write(&stamp, expected)?;
        workload.with_digests()
    }

    fn at(dir: &Path, sizes: &Sizes) -> Workload {
        let layers = (1..=3)
            .map(|n| Layer {
                tree: dir.join(format!("layer{n}")),
                tar: dir.join(format!("layer{n}.tar")),
                tar_gz: dir.join(format!("layer{n}.tar.gz")),
                tar_zst: dir.join(format!("layer{n}.tar.zst")),
                diff_id: String::new(),
                digest: String::new(),
            })
            .collect();
        Workload {
            dir: dir.to_path_buf(),
            many_images: sizes.many_images,
            small_files: sizes.small_files,
            layers,
            oci_layout: dir.join("big-oci"),
            oci_archive: dir.join("big-oci.tar"),
            docker_archive: dir.join("big-docker.tar"),
            small_tree: dir.join("small"),
            small_tar_gz: dir.join("small.tar.gz"),
            tiny_tar: dir.join("tiny.tar"),
            changes: dir.join("changes"),
        }
    }

    fn generate(&self, sizes: &Sizes) -> anyhow::Result<()> {
        let mut random = RandomBytes::start("berth-bench")?;
        let mut rng = SplitMix64(0x6265_7274_6862_656e);
        let corpus = text_corpus(&mut rng);
        for (index, layer) in self.layers.iter().enumerate() {
            if index == 0 {
                write_base(&layer.tree)?;
            }
            let bulk = layer.tree.join(format!("usr/share/bench{}", index + 1));
            let budget = Budget {
                random_bytes: sizes.layer_random,
                text_bytes: sizes.layer_text,
                random_sizes: (256 * 1024, 4 * MIB),
                text_sizes: (2 * 1024, 256 * 1024),
                files_per_dir: 16,
            };
            write_bulk(&bulk, &budget, &mut rng, &mut random, &corpus)?;
            pack(&layer.tree, &layer.tar)?;
            gzip(&layer.tar, &layer.tar_gz)?;
            util::run(
                Command::new("zstd")
                    .args(["-q", "-3", "-f", "-o"])
                    .arg(&layer.tar_zst)
                    .arg(&layer.tar),
            )?;
        }

        write_base(&self.small_tree)?;
        write_small_files(
            &self.small_tree.join("usr/lib/small"),
            sizes.small_files,
            &mut rng,
            &mut random,
            &corpus,
        )?;
        let small_tar = self.dir.join("small.tar");
        pack(&self.small_tree, &small_tar)?;
        gzip(&small_tar, &self.small_tar_gz)?;
        std::fs::remove_file(&small_tar)?;

        let tiny = self.dir.join("tiny");
        std::fs::create_dir_all(&tiny)?;
        std::fs::write(tiny.join("hello"), "hello from berth bench\n")?;
        pack(&tiny, &self.tiny_tar)?;

        let budget = Budget {
            random_bytes: sizes.changes_bytes * 3 / 5,
            text_bytes: sizes.changes_bytes * 2 / 5,
            random_sizes: (4 * 1024, 2 * MIB),
            text_sizes: (1024, 128 * 1024),
            files_per_dir: 32,
        };
        write_bulk(&self.changes, &budget, &mut rng, &mut random, &corpus)?;
        random.stop();

        let digested = Workload {
            layers: self
                .layers
                .iter()
                .map(Layer::with_digests)
                .collect::<anyhow::Result<_>>()?,
            ..Workload::at(&self.dir, sizes)
        };
        image::write_oci_layout(&digested)?;
        image::write_docker_archive(&digested)?;
        util::run(
            Command::new("tar")
                .args(["--sort=name", "--owner=0", "--group=0", "--numeric-owner"])
                .arg(format!("--mtime={ENTRY_MTIME}"))
                .arg("-cf")
                .arg(&self.oci_archive)
                .arg("-C")
                .arg(&self.oci_layout)
                .arg("."),
        )?;
        Ok(())
    }

    fn with_digests(self) -> anyhow::Result<Workload> {
        let layers = self
            .layers
            .iter()
            .map(Layer::with_digests)
            .collect::<anyhow::Result<_>>()?;
        Ok(Workload { layers, ..self })
    }

    pub fn layer_blobs(&self) -> Vec<&Path> {
        self.layers
            .iter()
            .map(|layer| layer.tar_gz.as_path())
            .collect()
    }

    pub fn layer_tars(&self) -> Vec<&Path> {
        self.layers
            .iter()
            .map(|layer| layer.tar.as_path())
            .collect()
    }

    pub fn layer_zsts(&self) -> Vec<&Path> {
        self.layers
            .iter()
            .map(|layer| layer.tar_zst.as_path())
            .collect()
    }

    /// The shell words naming paths, quoted.
    pub fn quoted(paths: &[&Path]) -> String {
        paths
            .iter()
            .map(|path| q(path))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The big image's compressed size, for the report's labels.
    pub fn big_image_size(&self) -> String {
        megabytes(self.layer_blobs().iter().map(|path| file_size(path)).sum())
    }

    pub fn changes_size(&self) -> u64 {
        tree_size(&self.changes)
    }

    /// A paragraph for the report: what each workload holds.
    pub fn describe(&self) -> Vec<String> {
        let total = |paths: &[&Path]| paths.iter().map(|path| file_size(path)).sum::<u64>();
        vec![
            format!(
                "3-layer image `bench/big:latest`: {} gzip-compressed ({} uncompressed); each layer is \
                 about 60% incompressible bytes and 40% generated text, in files of 2 KiB to 4 MiB; the \
                 first layer adds busybox-static so containers can run",
                megabytes(total(&self.layer_blobs())),
                megabytes(total(&self.layer_tars()))
            ),
            format!(
                "many small files: a rootfs of {} files (64 B to 16 KiB) in 50-file directories, {} gzip-compressed",
                self.small_files,
                megabytes(file_size(&self.small_tar_gz))
            ),
            format!(
                "{} images in one store (`berth import` of a one-file tarball, each with its own message)",
                self.many_images
            ),
            format!(
                "container changes for `commit`: {} in {} files",
                megabytes(tree_size(&self.changes)),
                count_files(&self.changes)
            ),
        ]
    }
}

impl Layer {
    fn with_digests(&self) -> anyhow::Result<Layer> {
        Ok(Layer {
            tree: self.tree.clone(),
            tar: self.tar.clone(),
            tar_gz: self.tar_gz.clone(),
            tar_zst: self.tar_zst.clone(),
            diff_id: sha256_file(&self.tar)?,
            digest: sha256_file(&self.tar_gz)?,
        })
    }
}

struct Budget {
    random_bytes: u64,
    text_bytes: u64,
    random_sizes: (u64, u64),
    text_sizes: (u64, u64),
    files_per_dir: usize,
}

/// Files of incompressible and text content, interleaved, until both budgets are spent.
fn write_bulk(
    dir: &Path,
    budget: &Budget,
    rng: &mut SplitMix64,
    random: &mut RandomBytes,
    corpus: &[u8],
) -> anyhow::Result<()> {
    let (mut random_left, mut text_left) = (budget.random_bytes, budget.text_bytes);
    let mut buffer = Vec::new();
    let mut index = 0_usize;
    while random_left > 0 || text_left > 0 {
        let subdir = dir.join(format!("d{:03}", index / budget.files_per_dir));
        if index % budget.files_per_dir == 0 {
            std::fs::create_dir_all(&subdir)?;
        }
        let random_turn = text_left == 0 || (random_left > 0 && rng.below(2) == 0);
        let (name, size) = if random_turn {
            let size = rng.between(budget.random_sizes).min(random_left);
            random_left -= size;
            random.fill(&mut buffer, size)?;
            (format!("blob{index:05}.bin"), size)
        } else {
            let size = rng.between(budget.text_sizes).min(text_left);
            text_left -= size;
            fill_text(&mut buffer, size, rng, corpus);
            (format!("text{index:05}.txt"), size)
        };
        debug_assert_eq!(buffer.len() as u64, size);
        std::fs::write(subdir.join(name), &buffer)?;
        index += 1;
    }
    Ok(())
}

/// `count` files of 64 B to 16 KiB, nine in ten text, fifty to a directory.
fn write_small_files(
    dir: &Path,
    count: usize,
    rng: &mut SplitMix64,
    random: &mut RandomBytes,
    corpus: &[u8],
) -> anyhow::Result<()> {
    let mut buffer = Vec::new();
    for index in 0..count {
        let subdir = dir.join(format!("d{:03}", index / 50));
        if index % 50 == 0 {
            std::fs::create_dir_all(&subdir)?;
        }
        if rng.below(10) == 0 {
            random.fill(&mut buffer, rng.between((1024, 16 * 1024)))?;
            std::fs::write(subdir.join(format!("f{index:05}.so")), &buffer)?;
        } else {
            fill_text(&mut buffer, rng.between((64, 4096)), rng, corpus);
            std::fs::write(subdir.join(format!("f{index:05}.py")), &buffer)?;
        }
    }
    Ok(())
}

/// What every rootfs needs to run a container: busybox-static with its applets, users, /tmp.
pub(super) fn write_base(tree: &Path) -> anyhow::Result<()> {
    for dir in ["bin", "etc", "tmp", "root", "proc", "sys", "dev"] {
        std::fs::create_dir_all(tree.join(dir))?;
    }
    std::fs::copy("/bin/busybox", tree.join("bin/busybox"))
        .context("busybox-static is needed for the bench images")?;
    for applet in ["sh", "true", "cp", "cat", "ls", "mkdir", "rm", "echo"] {
        std::os::unix::fs::symlink("busybox", tree.join("bin").join(applet))?;
    }
    std::fs::write(tree.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n")?;
    std::fs::write(tree.join("etc/group"), "root:x:0:\n")?;
    Ok(())
}

/// A reproducible tar of a tree: name order, root-owned, one mtime.
pub(super) fn pack(tree: &Path, tar: &Path) -> anyhow::Result<()> {
    util::run(
        Command::new("tar")
            .args(["--sort=name", "--owner=0", "--group=0", "--numeric-owner"])
            .arg(format!("--mtime={ENTRY_MTIME}"))
            .arg("-cf")
            .arg(tar)
            .arg("-C")
            .arg(tree)
            .arg("."),
    )
}

fn gzip(input: &Path, output: &Path) -> anyhow::Result<()> {
    util::run(Command::new("sh").arg("-c").arg(format!(
        "gzip -n -6 -c {} > {}",
        q(input),
        q(output)
    )))
}

/// A corpus of generated words and lines to cut text files from.
fn text_corpus(rng: &mut SplitMix64) -> Vec<u8> {
    const SYLLABLES: &[&str] = &[
        "ber", "th", "con", "tai", "ner", "im", "age", "lay", "er", "dig", "est", "man", "i",
        "fest", "pull", "push", "reg", "is", "try", "sto", "re", "tar", "ball", "ex", "port",
        "load",
    ];
    const CORPUS_BYTES: usize = 256 * 1024;
    let words: Vec<String> = (0..600)
        .map(|_| {
            (0..=rng.below(3))
                .map(|_| SYLLABLES[rng.index(SYLLABLES.len())])
                .collect()
        })
        .collect();
    let mut corpus = Vec::with_capacity(CORPUS_BYTES + 64);
    while corpus.len() < CORPUS_BYTES {
        corpus.extend_from_slice(words[rng.index(words.len())].as_bytes());
        corpus.push(match rng.below(12) {
            0 => b'\n',
            1 => b'.',
            2 => b'_',
            _ => b' ',
        });
    }
    corpus
}

/// `size` bytes of text: slices of the corpus at random offsets.
fn fill_text(buffer: &mut Vec<u8>, size: u64, rng: &mut SplitMix64, corpus: &[u8]) {
    buffer.clear();
    let size = usize::try_from(size).expect("file sizes fit in memory");
    while buffer.len() < size {
        let start = rng.index(corpus.len() - 4096);
        let length = (64 + rng.index(4032)).min(size - buffer.len());
        buffer.extend_from_slice(&corpus[start..start + length]);
    }
}

/// SplitMix64: small, fast, and good enough to choose sizes and names.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.below(len as u64)).expect("below a usize bound")
    }

    fn between(&mut self, (low, high): (u64, u64)) -> u64 {
        low + self.below(high - low + 1)
    }
}

/// A keyed AES-128-CTR keystream from `openssl enc`: deterministic incompressible bytes.
struct RandomBytes {
    child: Child,
    stream: ChildStdout,
}

impl RandomBytes {
    fn start(seed: &str) -> anyhow::Result<RandomBytes> {
        let key = seed.bytes().chain(std::iter::repeat(0)).take(16).fold(
            String::new(),
            |mut key, byte| {
                let _ = write!(key, "{byte:02x}");
                key
            },
        );
        let mut child = Command::new("openssl")
            .args(["enc", "-aes-128-ctr", "-nosalt", "-K", &key])
            .args([
                "-iv",
                "00000000000000000000000000000000",
                "-in",
                "/dev/zero",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("failed to start openssl enc for the workload generator")?;
        let stream = child.stdout.take().expect("stdout is piped");
        Ok(RandomBytes { child, stream })
    }

    fn fill(&mut self, buffer: &mut Vec<u8>, size: u64) -> anyhow::Result<()> {
        buffer.resize(usize::try_from(size)?, 0);
        self.stream
            .read_exact(buffer)
            .context("the openssl keystream ended early")
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `sha256:<hex>` of a file, through berth's own hasher.
pub fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("failed to open {}", path.display()))?;
    let mut hasher = berth_digest::Hasher::sha256();
    let mut buffer = vec![0_u8; 1024 * 1024];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.write_all(&buffer[..read])?;
    }
    Ok(hasher.finish().to_string())
}

pub fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |metadata| metadata.len())
}

fn tree_size(dir: &Path) -> u64 {
    walk(dir).iter().map(|path| file_size(path)).sum()
}

fn count_files(dir: &Path) -> usize {
    walk(dir).len()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => pending.push(entry.path()),
                Ok(kind) if kind.is_file() => files.push(entry.path()),
                _ => {}
            }
        }
    }
    files
}

/// Decimal megabytes, as Docker and the report print sizes.
#[allow(clippy::cast_precision_loss)] // sizes far below 2^52
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}
