//! Wiring the stages together: `build` (segment → index → code), and the whole job for
//! `run` and `demo`.
//!
//! `build` segments each paragraph once and hands the same tokens to the indexer and the
//! coder. The index is incremental (only new or changed documents are re-indexed, in one
//! atomic tantivy commit); codes are cached per document, keyed by the document's hash and
//! the codebook's hash, so a changed codebook recodes everything and nothing else does.

use crate::code::{self, Codebook, Coder, DocumentCodes};
use crate::corpus::ingest::{self, FileReport, IngestError, IngestOptions, MetaLookup, Overrides};
use crate::corpus::{DocHeader, DocKey, DocMeta, DocStore, Document, StoreError};
use crate::index::{IndexError, Indexer, IndexerOptions};
use crate::layout::DataDir;
use crate::segment::{Segmenter, Token};
use crate::trends::{self, ExportOptions, ExportReport, TrendsError};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Codebook(#[from] code::CodebookError),
    #[error(transparent)]
    Codes(#[from] code::store::CodeStoreError),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot start {threads} worker threads: {message}")]
    Threads { threads: usize, message: String },
    #[error("the document store {0} is empty: ingest documents first (`scoway ingest DIR`)")]
    EmptyStore(PathBuf),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Trends(#[from] TrendsError),
}

/// Options of [`build`].
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Codebook file; `None` uses the bundled one.
    pub codebook: Option<PathBuf>,
    /// Worker threads for segmenting, indexing and coding; `None` uses every core.
    pub threads: Option<usize>,
}

/// What [`build`] did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BuildReport {
    pub documents: usize,
    pub paragraphs: usize,
    /// Documents (re)indexed because they were new or changed.
    pub indexed: usize,
    /// Documents removed from the index because they left the store.
    pub removed: usize,
    /// Documents coded in this run (the others reused cached codes).
    pub coded: usize,
    pub seconds: f64,
    /// Where the time went.
    pub timings: BuildTimings,
}

/// Seconds spent in each phase of [`build`]. `read`, `segment`, `index_add`, `code` and `cache_encode`
/// run inside the parallel section and are summed over the worker threads (so with several
/// threads they can add up to more than `parallel`, which is the section's wall time).
#[derive(Debug, Clone, Default, Serialize)]
pub struct BuildTimings {
    /// Reading every document's header from the store (while the coder is built beside it).
    pub load: f64,
    /// Index writer, cached codes.
    pub prepare: f64,
    /// Wall time of the parallel segment + index + code section.
    pub parallel: f64,
    /// Reading the documents to segment from the store (in the workers).
    pub read: f64,
    pub segment: f64,
    /// Handing documents to the index writer (tantivy indexes them in its own threads).
    pub index_add: f64,
    pub code: f64,
    /// Waiting for the index writer to finish, commit and merge.
    pub commit: f64,
    /// Encoding the code cache's entries (in the workers).
    pub cache_encode: f64,
    /// Collecting the code cache's entries.
    pub cache_write: f64,
    /// Writing the codes' Parquet files and the code cache, and publishing them.
    pub codes_write: f64,
}

/// Sums durations from several threads.
#[derive(Default)]
struct Clock(std::sync::atomic::AtomicU64);

impl Clock {
    fn time<T>(&self, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let out = f();
        let nanos = u64::try_from(t.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.0
            .fetch_add(nanos, std::sync::atomic::Ordering::Relaxed);
        out
    }

    fn seconds(&self) -> f64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e9
    }
}

/// The code cache in the codes directory: one JSON line per document ([`CachedCodes`]),
/// rewritten whole by every build (one file, not one per document: creating a thousand small
/// files cost more than writing them).
const CACHE_FILE: &str = "cache.jsonl";
/// Where earlier versions kept one cache file per document.
const LEGACY_CACHE_DIR: &str = "cache";

/// Segments, indexes and codes every stored document that needs it.
pub fn build(data: &DataDir, opts: &BuildOptions) -> Result<BuildReport, PipelineError> {
    let started = Instant::now();
    let mut timings = BuildTimings::default();
    let mut phase = Instant::now();
    let mut lap = |slot: &mut f64| {
        *slot = phase.elapsed().as_secs_f64();
        phase = Instant::now();
    };
    // Building the segmenter (loading jieba's dictionary) and the coder (compiling its
    // patterns) overlaps with reading the store.
    Segmenter::load_in_background();
    let store = DocStore::open(data.store_dir())?;
    let (headers, coding) = std::thread::scope(|s| {
        let coding = s.spawn(|| -> Result<(Codebook, Coder), PipelineError> {
            let codebook = Codebook::load(opts.codebook.as_deref())?;
            let coder = Coder::new(&codebook)?;
            Ok((codebook, coder))
        });
        let headers = store.headers();
        let coding = coding
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (headers, coding)
    });
    let headers = headers?;
    lap(&mut timings.load);
    if headers.is_empty() {
        return Err(PipelineError::EmptyStore(store.dir().to_path_buf()));
    }
    let (codebook, coder) = coding?;
    let codebook_hash = codebook.hash();
    let threads = opts
        .threads
        .unwrap_or_else(rayon::current_num_threads)
        .max(1);
    let mut indexer = Indexer::open_with(data, IndexerOptions::with_threads(threads))?;

    // Versions are keyed `<id>.<lang>` (DocKey's text form), as in the index.
    let (keys, headers): (Vec<DocKey>, Vec<DocHeader>) = headers.into_iter().unzip();
    let names: Vec<String> = headers.iter().map(|h| h.meta.key().to_string()).collect();
    let in_store: HashMap<&str, &str> = names
        .iter()
        .zip(&headers)
        .map(|(k, h)| (k.as_str(), h.sha256.as_str()))
        .collect();
    let stale: Vec<String> = indexer
        .indexed()
        .keys()
        .filter(|key| !in_store.contains_key(key.as_str()))
        .cloned()
        .collect();
    let needs_index: HashSet<&str> = names
        .iter()
        .zip(&headers)
        .filter(|(k, h)| indexer.indexed().get(k.as_str()) != Some(&h.sha256))
        .map(|(k, _)| k.as_str())
        .collect();

    let codes_dir = data.codes_dir();
    let cache_path = codes_dir.join(CACHE_FILE);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| PipelineError::Threads {
            threads,
            message: e.to_string(),
        })?;
    let mut cached = pool.install(|| {
        read_cache(&cache_path, |key, sha, hash| {
            !needs_index.contains(key) && in_store.get(key) == Some(&sha) && hash == codebook_hash
        })
    });
    let segmenter = Segmenter::global();
    lap(&mut timings.prepare);
    let clocks: [Clock; 5] = Default::default();
    let [read_clock, seg_clock, index_clock, code_clock, cache_clock] = &clocks;
    // Only the documents to segment are read whole, each by the worker that segments it: an
    // unchanged store costs no text reading, and the texts are never all in memory at once.
    let fresh: Vec<(String, DocumentCodes, Vec<u8>)> = pool.install(|| {
        names
            .par_iter()
            .zip(&keys)
            .filter(|(key, _)| !cached.contains_key(key.as_str()))
            .map_init(TokenBuffers::default, |buffers, (key, doc_key)| {
                let doc = read_clock.time(|| read_document(&store, doc_key))?;
                let doc = &doc;
                let tokens = seg_clock.time(|| buffers.segment(segmenter, doc));
                if needs_index.contains(key.as_str()) {
                    index_clock.time(|| indexer.upsert(doc, tokens))?;
                }
                let codes = code_clock.time(|| coder.code_document(doc, tokens));
                let line = cache_clock.time(|| {
                    code::cache::encode(&codes).map_err(|e| PipelineError::Io {
                        path: cache_path.clone(),
                        source: std::io::Error::other(e),
                    })
                })?;
                Ok((key.clone(), codes, line))
            })
            .collect::<Result<_, PipelineError>>()
    })?;
    lap(&mut timings.parallel);
    timings.read = read_clock.seconds();
    timings.segment = seg_clock.seconds();
    timings.index_add = index_clock.seconds();
    timings.code = code_clock.seconds();
    timings.cache_encode = cache_clock.seconds();
    for key in &stale {
        indexer.remove(key)?;
    }
    indexer.commit()?;
    lap(&mut timings.commit);

    let coded = fresh.len();
    let mut all: HashMap<String, (DocumentCodes, Vec<u8>)> = fresh
        .into_iter()
        .map(|(id, codes, line)| (id, (codes, line)))
        .collect();
    all.extend(cached.drain());
    let rows: Vec<(DocMeta, DocumentCodes, Vec<u8>)> = names
        .iter()
        .zip(&headers)
        .filter_map(|(key, h)| {
            all.remove(key)
                .map(|(codes, line)| (h.meta.clone(), codes, line))
        })
        .collect();
    let (metas, lines): (Vec<(DocMeta, DocumentCodes)>, Vec<Vec<u8>>) = rows
        .into_iter()
        .map(|(meta, codes, line)| ((meta, codes), line))
        .unzip();
    lap(&mut timings.cache_write);
    // The cache goes into the same new set of codes as the Parquet files: they are replaced
    // together.
    let write_cache = |dir: &Path| write_cache(&dir.join(CACHE_FILE), lines.iter());
    // Earlier versions kept one cache file per document in `cache/`: owned, so not carried over.
    let own = [CACHE_FILE, LEGACY_CACHE_DIR];
    code::store::write_codes(data, &codebook, &metas, &own, &write_cache)?;
    lap(&mut timings.codes_write);

    let report = BuildReport {
        documents: headers.len(),
        paragraphs: headers.iter().map(|h| h.paragraph_count).sum(),
        indexed: needs_index.len(),
        removed: stale.len(),
        coded,
        seconds: started.elapsed().as_secs_f64(),
        timings,
    };
    // Freeing the codes of every paragraph of the corpus (millions of small maps and strings)
    // took about a fifth of a build that changed one document; the caller need not wait for it.
    std::thread::spawn(move || drop((metas, lines)));
    Ok(report)
}

/// What [`ingest_build_export`] did, stage by stage.
#[derive(Debug)]
pub struct RunReport {
    pub ingest: Vec<FileReport>,
    pub build: BuildReport,
    pub export: ExportReport,
}

impl RunReport {
    /// What ingest rejected (files, entries of JSON arrays, unreadable paths of a folder).
    pub fn rejected(&self) -> impl Iterator<Item = &IngestError> {
        self.ingest.iter().flat_map(FileReport::errors)
    }
}

/// The offline half of the main job: ingest `inputs`, build, and export every frame and chart
/// into `out`. A rejected file is reported, not fatal: the others go on through the pipeline.
pub fn ingest_build_export(
    data: &DataDir,
    inputs: &[PathBuf],
    catalog: Option<MetaLookup<'_>>,
    out: &Path,
    build_opts: &BuildOptions,
    export_opts: &ExportOptions,
) -> Result<RunReport, PipelineError> {
    let store = DocStore::open(data.store_dir())?;
    let ingest = ingest::ingest_paths(
        &store,
        inputs,
        &Overrides::default(),
        catalog,
        &IngestOptions::default(),
    )?;
    let build = build(data, build_opts)?;
    let export = trends::export(data, out, export_opts)?;
    Ok(RunReport {
        ingest,
        build,
        export,
    })
}

/// The stored document `key`, which the store listed a moment ago.
fn read_document(store: &DocStore, key: &DocKey) -> Result<Document, PipelineError> {
    store.get(key)?.ok_or_else(|| {
        PipelineError::Store(StoreError::Read {
            path: store.path_of(key),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "the document was removed from the store while `build` ran; run `build` again",
            ),
        })
    })
}

/// Token vectors of one worker, reused from document to document (see
/// [`Segmenter::tokenize_into`]).
#[derive(Default)]
struct TokenBuffers {
    paragraphs: Vec<Vec<Token>>,
    spare: Vec<Token>,
}

impl TokenBuffers {
    /// Tokens of every paragraph of `doc`, as [`segment_document`] gives them.
    fn segment(&mut self, segmenter: &Segmenter, doc: &Document) -> &[Vec<Token>] {
        let n = doc.paragraphs.len();
        if self.paragraphs.len() < n {
            self.paragraphs.resize_with(n, Vec::new);
        }
        for unused in &mut self.paragraphs[n..] {
            self.spare.append(unused);
        }
        for (p, out) in doc.paragraphs.iter().zip(&mut self.paragraphs) {
            segmenter.tokenize_into(doc.paragraph_text(p), out, &mut self.spare);
        }
        &self.paragraphs[..n]
    }
}

/// Tokens of every paragraph of `doc`, in paragraph order.
pub fn segment_document(segmenter: &Segmenter, doc: &Document) -> Vec<Vec<Token>> {
    doc.paragraphs
        .iter()
        .map(|p| segmenter.tokenize(doc.paragraph_text(p), doc.meta.lang))
        .collect()
}

/// The entries of the code cache that `keep(key, sha256, codebook hash)` accepts (`key` as
/// `<id>.<lang>`), by key: their codes and their line as it is in the file. A missing or unreadable cache, or a line that does not
/// parse, only means more documents to code.
fn read_cache(
    path: &Path,
    keep: impl Fn(&str, &str, &str) -> bool + Sync,
) -> HashMap<String, (DocumentCodes, Vec<u8>)> {
    let Ok(bytes) = std::fs::read(path) else {
        return HashMap::new();
    };
    let lines: Vec<&[u8]> = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    lines
        .into_par_iter()
        .filter_map(|line| {
            let entry = code::cache::CacheEntry::parse(line)?;
            let key = DocKey::new(entry.doc_id(), entry.lang()).to_string();
            keep(&key, entry.sha256(), entry.codebook_hash())
                .then(|| (key, (entry.codes(), line.to_vec())))
        })
        .collect()
}

/// Writes the code cache, one JSON entry a line, to `path` (inside the new set of codes).
fn write_cache<'a>(path: &Path, lines: impl Iterator<Item = &'a Vec<u8>>) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    for line in lines {
        out.write_all(line)?;
        out.write_all(b"\n")?;
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()
}

/// The bundled fixture corpus used by `scoway demo`: documents written by the scoway
/// developers in the style of summit declarations. They are test texts, not SCO documents.
pub mod demo_corpus {
    include!(concat!(env!("OUT_DIR"), "/demo_corpus.rs"));

    /// What the exports call a corpus of these fixtures.
    pub const FIXTURE_CORPUS: &str = "bundled fixtures, not SCO documents";

    /// The documents of the fixture corpus (its files other than `NOTICE`).
    pub fn documents() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
        DEMO_CORPUS.iter().filter(|(name, _)| *name != "NOTICE")
    }

    /// Whether `sha256` is the hash of a fixture file's bytes, as ingest records it: the
    /// exports recognise fixture documents by it, wherever they were ingested from.
    pub fn is_fixture(sha256: &str) -> bool {
        static HASHES: std::sync::OnceLock<std::collections::HashSet<String>> =
            std::sync::OnceLock::new();
        HASHES
            .get_or_init(|| {
                documents()
                    .map(|(_, text)| crate::corpus::ingest::sha256_hex(text.as_bytes()))
                    .collect()
            })
            .contains(sha256)
    }

    /// Writes the fixture corpus into `dir` (created if needed) and returns `dir`.
    pub fn write_to(dir: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
        std::fs::create_dir_all(dir)?;
        for (name, text) in DEMO_CORPUS {
            std::fs::write(dir.join(name), text)?;
        }
        Ok(dir.to_path_buf())
    }
}
