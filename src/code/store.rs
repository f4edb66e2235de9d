//! Parquet output of the coder, read by the trends stage (`data/codes/`):
//!
//! - `documents.parquet`: one row per document (metadata, token and paragraph counts, dominant
//!   dimension, sha256);
//! - `paragraph_codes.parquet`: one row per paragraph × dimension, all five dimensions;
//! - `evidence.parquet`: one row per hit;
//! - `manifest.json`: codebook hash and source, scoway version, document count, and the audit of
//!   ubiquitous terms (see [`ubiquitous_terms`]).
//!
//! The files are written into a directory beside the codes directory, which then takes its
//! place in one step ([`crate::publish`]), so a reader never sees a half-written set or a mix of
//! two. Anything else in the codes directory is carried over into the new one.

use super::{Codebook, DIMENSIONS, DocumentCodes};
use crate::corpus::document::DocMeta;
use crate::layout::DataDir;
use crate::publish::StagedDir;
use polars::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};

/// Errors of writing the codes directory.
#[derive(Debug, thiserror::Error)]
pub enum CodeStoreError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot build or write the frame {path}: {message}")]
    Frame { path: PathBuf, message: String },
    #[error("cannot replace the codes in {path}: {message}")]
    Publish { path: PathBuf, message: String },
}

/// Files this module owns inside the codes directory.
const OWN_FILES: [&str; 4] = [
    "documents.parquet",
    "paragraph_codes.parquet",
    "evidence.parquet",
    "manifest.json",
];

/// A term is reported as ubiquitous when it is found in at least this share of the documents
/// of its language ...
pub const UBIQUITOUS_SHARE: f64 = 0.8;
/// ... and the language has at least this many documents (below that, shares mean little).
pub const UBIQUITOUS_MIN_DOCS: usize = 5;

/// A term found in nearly every document of its language, with whether the codebook already
/// flags it as boilerplate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UbiquitousTerm {
    pub lang: String,
    pub dimension: String,
    pub indicator: String,
    pub term: String,
    /// Documents of the language in which the term is found.
    pub documents: usize,
    /// `documents` / documents of the language.
    pub share: f64,
    /// True when every hit of the term is flagged boilerplate (down-weighted).
    pub flagged: bool,
}

/// The terms found in at least [`UBIQUITOUS_SHARE`] of the documents of their language (for
/// languages with at least [`UBIQUITOUS_MIN_DOCS`] documents), most widespread first. An
/// unflagged term here flattens its dimension's series: flag it `boilerplate` in the codebook.
pub fn ubiquitous_terms(docs: &[(DocMeta, DocumentCodes)]) -> Vec<UbiquitousTerm> {
    let mut per_lang: HashMap<String, usize> = HashMap::new();
    // (lang, dimension, indicator, term) → (documents, all hits flagged)
    let mut seen: BTreeMap<(String, String, String, String), (usize, bool)> = BTreeMap::new();
    for (meta, codes) in docs {
        let lang = meta.lang.as_str().to_string();
        *per_lang.entry(lang.clone()).or_default() += 1;
        let mut in_doc: HashMap<(&str, &str, &str), bool> = HashMap::new();
        for e in codes.paragraphs.iter().flat_map(|p| &p.evidence) {
            let flagged = in_doc
                .entry((&e.dimension, &e.indicator, &e.term))
                .or_insert(true);
            *flagged &= e.boilerplate;
        }
        for ((d, i, t), flagged) in in_doc {
            let entry = seen
                .entry((lang.clone(), d.to_string(), i.to_string(), t.to_string()))
                .or_insert((0, true));
            entry.0 += 1;
            entry.1 &= flagged;
        }
    }
    let mut out: Vec<UbiquitousTerm> = seen
        .into_iter()
        .filter_map(|((lang, dimension, indicator, term), (n, flagged))| {
            let total = *per_lang.get(&lang)?;
            let share = n as f64 / total as f64;
            (total >= UBIQUITOUS_MIN_DOCS && share >= UBIQUITOUS_SHARE).then_some(UbiquitousTerm {
                lang,
                dimension,
                indicator,
                term,
                documents: n,
                share,
                flagged,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.share
            .total_cmp(&a.share)
            .then_with(|| (&a.lang, &a.dimension, &a.term).cmp(&(&b.lang, &b.dimension, &b.term)))
    });
    out
}

fn frame_err(path: &Path) -> impl Fn(PolarsError) -> CodeStoreError + '_ {
    move |e| CodeStoreError::Frame {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> CodeStoreError + '_ {
    move |source| CodeStoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The `documents` frame.
pub fn documents_frame(docs: &[(DocMeta, DocumentCodes)]) -> PolarsResult<DataFrame> {
    let i64_of = |x: u64| i64::try_from(x).unwrap_or(i64::MAX);
    df!(
        "id" => docs.iter().map(|(m, _)| m.id.as_str()).collect::<Vec<_>>(),
        "date" => docs.iter().map(|(m, _)| m.date).collect::<Vec<_>>(),
        "year" => docs.iter().map(|(m, _)| m.year()).collect::<Vec<i32>>(),
        "body" => docs.iter().map(|(m, _)| m.body.as_str()).collect::<Vec<_>>(),
        "doc_type" => docs.iter().map(|(m, _)| m.doc_type.as_str()).collect::<Vec<_>>(),
        "lang" => docs.iter().map(|(m, _)| m.lang.as_str()).collect::<Vec<_>>(),
        "script" => docs.iter().map(|(m, _)| m.script.as_str()).collect::<Vec<_>>(),
        "title" => docs.iter().map(|(m, _)| m.title.as_str()).collect::<Vec<_>>(),
        "meeting_no" => docs
            .iter()
            .map(|(m, _)| m.meeting_no.and_then(|n| i32::try_from(n).ok()))
            .collect::<Vec<Option<i32>>>(),
        "city" => docs.iter().map(|(m, _)| m.city.as_deref()).collect::<Vec<Option<&str>>>(),
        "tokens" => docs.iter().map(|(_, c)| i64_of(c.document.tokens)).collect::<Vec<i64>>(),
        "paragraphs" => docs
            .iter()
            .map(|(_, c)| i64_of(c.document.paragraphs))
            .collect::<Vec<i64>>(),
        "coded_paragraphs" => docs
            .iter()
            .map(|(_, c)| i64_of(c.document.coded_paragraphs))
            .collect::<Vec<i64>>(),
        "dominant" => docs
            .iter()
            .map(|(_, c)| c.document.dominant.as_deref())
            .collect::<Vec<Option<&str>>>(),
        "sha256" => docs.iter().map(|(_, c)| c.sha256.as_str()).collect::<Vec<_>>(),
    )
}

/// The `paragraph_codes` frame: one row per paragraph × dimension.
pub fn paragraph_codes_frame(docs: &[(DocMeta, DocumentCodes)]) -> PolarsResult<DataFrame> {
    let n: usize = docs.iter().map(|(_, c)| c.paragraphs.len()).sum::<usize>() * DIMENSIONS.len();
    let mut doc_id = Vec::with_capacity(n);
    let mut lang = Vec::with_capacity(n);
    let mut paragraph = Vec::with_capacity(n);
    let mut tokens = Vec::with_capacity(n);
    let mut dimension = Vec::with_capacity(n);
    let mut hits = Vec::with_capacity(n);
    let mut weighted = Vec::with_capacity(n);
    let mut score = Vec::with_capacity(n);
    let mut coded = Vec::with_capacity(n);
    for (m, c) in docs {
        for p in &c.paragraphs {
            for d in DIMENSIONS {
                doc_id.push(m.id.as_str());
                lang.push(m.lang.as_str());
                paragraph.push(i64::from(p.index));
                tokens.push(i64::try_from(p.tokens).unwrap_or(i64::MAX));
                dimension.push(d);
                hits.push(
                    p.hits
                        .get(d)
                        .map_or(0, |h| i64::try_from(*h).unwrap_or(i64::MAX)),
                );
                weighted.push(p.weighted_hits.get(d).copied().unwrap_or(0.0));
                score.push(p.scores.get(d).copied().unwrap_or(0.0));
                coded.push(p.labels.iter().any(|l| l == d));
            }
        }
    }
    df!(
        "doc_id" => doc_id,
        "lang" => lang,
        "paragraph" => paragraph,
        "tokens" => tokens,
        "dimension" => dimension,
        "hits" => hits,
        "weighted_hits" => weighted,
        "score" => score,
        "coded" => coded,
    )
}

/// The `evidence` frame: one row per hit.
pub fn evidence_frame(docs: &[(DocMeta, DocumentCodes)]) -> PolarsResult<DataFrame> {
    let rows: Vec<(&DocMeta, i64, &super::Evidence)> = docs
        .iter()
        .flat_map(|(m, c)| {
            c.paragraphs
                .iter()
                .flat_map(move |p| p.evidence.iter().map(move |e| (m, i64::from(p.index), e)))
        })
        .collect();
    let off = |x: usize| i64::try_from(x).unwrap_or(i64::MAX);
    df!(
        "doc_id" => rows.iter().map(|r| r.0.id.as_str()).collect::<Vec<_>>(),
        "lang" => rows.iter().map(|r| r.0.lang.as_str()).collect::<Vec<_>>(),
        "paragraph" => rows.iter().map(|r| r.1).collect::<Vec<i64>>(),
        "dimension" => rows.iter().map(|r| r.2.dimension.as_str()).collect::<Vec<_>>(),
        "indicator" => rows.iter().map(|r| r.2.indicator.as_str()).collect::<Vec<_>>(),
        "term" => rows.iter().map(|r| r.2.term.as_str()).collect::<Vec<_>>(),
        "matched" => rows.iter().map(|r| r.2.matched.as_str()).collect::<Vec<_>>(),
        "char_start" => rows.iter().map(|r| off(r.2.char_start)).collect::<Vec<i64>>(),
        "char_end" => rows.iter().map(|r| off(r.2.char_end)).collect::<Vec<i64>>(),
        "weight" => rows.iter().map(|r| r.2.weight).collect::<Vec<f64>>(),
        "rule" => rows.iter().map(|r| r.2.rule.as_str()).collect::<Vec<_>>(),
    )
}

/// A label unique to this write: the time in nanoseconds and the process id.
fn generation() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos}-{}", std::process::id())
}

fn write_parquet(path: &Path, mut df: DataFrame) -> Result<(), CodeStoreError> {
    let file = File::create(path).map_err(io_err(path))?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Snappy)
        .finish(&mut df)
        .map_err(frame_err(path))?;
    Ok(())
}

/// Writes the codes of `docs` into `data.codes_dir()`, replacing the previous set as a whole
/// (see [`crate::publish`]): a reader sees the previous codes or the new ones, never a mix, even
/// when the build is killed. `extra` writes the caller's own files into the new set (the
/// pipeline's code cache, named in `extra_files`); anything else already in the codes directory
/// is carried over.
pub fn write_codes(
    data: &DataDir,
    codebook: &Codebook,
    docs: &[(DocMeta, DocumentCodes)],
    extra_files: &[&str],
    extra: &(dyn Fn(&Path) -> std::io::Result<()> + Sync),
) -> Result<(), CodeStoreError> {
    let codes_dir = data.codes_dir();
    let staged = StagedDir::new(&codes_dir).map_err(|e| CodeStoreError::Publish {
        path: codes_dir.clone(),
        message: e.to_string(),
    })?;
    let dir = staged.path();
    // The files are independent: written side by side, a build that changed one document
    // waits for the largest table, not for all of them in turn.
    let paragraphs = dir.join("paragraph_codes.parquet");
    let documents = dir.join("documents.parquet");
    let evidence = dir.join("evidence.parquet");
    let (extra_done, paragraphs_done, documents_done, evidence_done) = std::thread::scope(|s| {
        let extra = s.spawn(|| extra(dir).map_err(io_err(dir)));
        let paragraphs = s.spawn(|| {
            write_parquet(
                &paragraphs,
                paragraph_codes_frame(docs).map_err(frame_err(&paragraphs))?,
            )
        });
        let documents = s.spawn(|| {
            write_parquet(
                &documents,
                documents_frame(docs).map_err(frame_err(&documents))?,
            )
        });
        let evidence_done = evidence_frame(docs)
            .map_err(frame_err(&evidence))
            .and_then(|df| write_parquet(&evidence, df));
        let join = |h: std::thread::ScopedJoinHandle<'_, Result<(), CodeStoreError>>| {
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        };
        (
            join(extra),
            join(paragraphs),
            join(documents),
            evidence_done,
        )
    });
    extra_done?;
    paragraphs_done?;
    documents_done?;
    evidence_done?;

    let (name, version) = codebook.name();
    let manifest = serde_json::json!({
        "codebook_hash": codebook.hash(),
        "codebook_source": codebook
            .path()
            .map_or_else(|| "bundled".to_string(), |p| p.display().to_string()),
        "codebook_name": name,
        "codebook_version": version,
        "scoway_version": env!("CARGO_PKG_VERSION"),
        // Tells one set of codes from the next, for readers that must not mix two.
        "generation": generation(),
        "documents": docs.len(),
        "scoring": {
            "code_threshold": codebook.scoring().code_threshold,
            "relative_threshold": codebook.scoring().relative_threshold,
            "boilerplate_factor": codebook.scoring().boilerplate_factor,
        },
        "ubiquitous_terms": {
            "rule": format!(
                "terms found in at least {:.0}% of the documents of their language (languages \
                 with at least {UBIQUITOUS_MIN_DOCS} documents); `flagged` = boilerplate in the \
                 codebook (weight × boilerplate_factor)",
                UBIQUITOUS_SHARE * 100.0
            ),
            "terms": ubiquitous_terms(docs),
        },
    });
    let p = dir.join("manifest.json");
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| CodeStoreError::Frame {
        path: p.clone(),
        message: e.to_string(),
    })?;
    std::fs::write(&p, text).map_err(io_err(&p))?;

    let own: HashSet<&str> = OWN_FILES.iter().chain(extra_files).copied().collect();
    staged
        .publish(|name| own.contains(name))
        .map_err(|e| CodeStoreError::Publish {
            path: codes_dir.clone(),
            message: e.to_string(),
        })
}
