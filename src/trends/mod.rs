//! Theme trends: polars frames built from the coder's output, and their export.
//!
//! The coder (`scoway build`) writes `documents.parquet`, `paragraph_codes.parquet` and
//! `evidence.parquet` into the codes directory. This stage reads them lazily ([`Codes`]) and
//! derives, with polars' lazy API:
//!
//! - [`documents`], [`paragraph_codes`], [`document_scores`] (one row per document ×
//!   dimension),
//! - [`trends`] (one row per period × body × language × dimension, with rates, shares,
//!   year-on-year change, a rolling mean and bootstrap confidence intervals),
//! - [`term_emergence`] (first and last appearance of every codebook term, yearly counts),
//! - [`breaks`] (structural breaks of the yearly series, binary segmentation),
//!
//! and [`export`] writes them all (Parquet, CSV, charts, `DATA_DICTIONARY.md`,
//! `manifest.json`). Every statistic is defined in [`dictionary`], which is also the declared
//! schema of the files.

mod bootstrap;
mod breaks;
pub mod dictionary;
mod emergence;
mod export;
mod frames;
mod passages;
mod table;
#[cfg(test)]
mod tests;

pub use breaks::{BreakOptions, breaks, segment};
pub use emergence::term_emergence;
pub use export::{
    ExportOptions, ExportReport, FIXTURE_SUBTITLE, export, export_codes, fixture_note,
};
pub use frames::{document_scores, documents, evidence, paragraph_codes, trends};
pub use passages::passages;
pub use table::{TableFormat, TrendFilter, frame_to_json, render_json, render_markdown};

use crate::layout::DataDir;
use dictionary::FrameSpec;
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// The pooled level of `body` and `lang` in the trend frames.
pub const ALL: &str = "all";

/// Errors of the trends stage. Messages name the file, the column or the option at fault.
#[derive(Debug, thiserror::Error)]
pub enum TrendsError {
    #[error(
        "no codes in {}: {missing} is missing (run `scoway build` first)",
        dir.display()
    )]
    NoCodes { dir: PathBuf, missing: &'static str },
    #[error("{}: column `{column}`: {message}", path.display())]
    Schema {
        path: PathBuf,
        column: String,
        message: String,
    },
    #[error("{context}: {source}")]
    Polars {
        context: String,
        #[source]
        source: PolarsError,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: invalid JSON: {source}", path.display())]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("codebook: {0}")]
    Codebook(#[from] crate::code::CodebookError),
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    #[error("document store {}: {message}", path.display())]
    Store { path: PathBuf, message: String },
    #[error("invalid option {option}: {message}")]
    Option {
        option: &'static str,
        message: String,
    },
    #[error(transparent)]
    Publish(#[from] crate::publish::PublishError),
    #[error("refusing to export into {}: {reason}", path.display())]
    OutDir { path: PathBuf, reason: String },
    #[error("endorsement tables: {0}")]
    EndorseTable(#[from] crate::endorse::TableError),
}

/// Adds a context to polars errors.
pub(crate) trait PolarsContext<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, TrendsError>;
}

impl<T> PolarsContext<T> for PolarsResult<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, TrendsError> {
        self.map_err(|source| TrendsError::Polars {
            context: what(),
            source,
        })
    }
}

/// How trend periods are formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PeriodBy {
    /// Calendar year of the document date.
    #[default]
    Year,
    /// Summit meeting: body and meeting number (or date, when the number is missing).
    Meeting,
}

impl PeriodBy {
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodBy::Year => "year",
            PeriodBy::Meeting => "meeting",
        }
    }
}

/// Parameters of [`trends`].
#[derive(Debug, Clone)]
pub struct TrendOptions {
    pub by: PeriodBy,
    /// Bootstrap resamples per row (0 disables the bootstrap: the interval collapses to the
    /// point estimate).
    pub resamples: usize,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// Confidence level of the interval, in (0, 1).
    pub confidence: f64,
}

/// Default seed: the date the SCO was founded (15 June 2001).
pub const DEFAULT_SEED: u64 = 20_010_615;
/// Default number of bootstrap resamples.
pub const DEFAULT_RESAMPLES: usize = 1000;

impl Default for TrendOptions {
    fn default() -> Self {
        Self {
            by: PeriodBy::Year,
            resamples: DEFAULT_RESAMPLES,
            seed: DEFAULT_SEED,
            confidence: 0.95,
        }
    }
}

impl TrendOptions {
    pub(crate) fn check(&self) -> Result<(), TrendsError> {
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(TrendsError::Option {
                option: "confidence",
                message: format!("{} is not strictly between 0 and 1", self.confidence),
            });
        }
        Ok(())
    }
}

/// The text of `manifest.json` in a codes directory, `None` when there is none.
fn read_manifest(dir: &Path) -> Result<Option<String>, TrendsError> {
    let path = dir.join("manifest.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(TrendsError::Io { path, source }),
    }
}

/// The coder's output, conformed to the declared input schema. The files are read once into
/// memory: every frame is then a lazy query over them.
#[derive(Clone)]
pub struct Codes {
    pub documents: LazyFrame,
    pub paragraph_codes: LazyFrame,
    pub evidence: LazyFrame,
    /// Dimension keys: the five of [`crate::code::DIMENSIONS`] in order, then any other key
    /// found in the paragraph codes.
    pub dimensions: Vec<String>,
    /// `manifest.json` of the codes directory, when present.
    pub manifest: Option<serde_json::Value>,
    /// The document store, for the text of the passages (`None`: no passages).
    pub store_dir: Option<PathBuf>,
    /// Document × dimension statistics, computed once (see `frames::document_stats`).
    pub(crate) doc_stats: std::sync::OnceLock<DataFrame>,
}

impl Codes {
    /// Opens `data.codes_dir()`. A missing directory or file is [`TrendsError::NoCodes`];
    /// a missing column or a column of an unusable type is [`TrendsError::Schema`].
    pub fn open(data: &DataDir) -> Result<Codes, TrendsError> {
        let mut codes = Self::open_dir(&data.codes_dir())?;
        codes.store_dir = Some(data.store_dir());
        Ok(codes)
    }

    /// Opens a codes directory.
    ///
    /// `scoway build` replaces the directory as a whole while this reads it, possibly between
    /// two of its files; the manifest (which names the set's generation) is read before and
    /// after the frames, and a changed one means reading again, so the frames always come from
    /// one set.
    pub fn open_dir(dir: &Path) -> Result<Codes, TrendsError> {
        let mut attempts = 0;
        loop {
            let before = read_manifest(dir)?;
            let codes = Self::open_dir_once(dir)?;
            let after = read_manifest(dir)?;
            attempts += 1;
            if before == after || attempts == 5 {
                return Ok(codes);
            }
        }
    }

    fn open_dir_once(dir: &Path) -> Result<Codes, TrendsError> {
        let scan = |spec: &FrameSpec, file: &'static str| -> Result<LazyFrame, TrendsError> {
            let path = dir.join(file);
            if !path.is_file() {
                return Err(TrendsError::NoCodes {
                    dir: dir.to_path_buf(),
                    missing: file,
                });
            }
            let pl_path = PlRefPath::try_from_path(&path).context(|| path.display().to_string())?;
            let mut lf = LazyFrame::scan_parquet(pl_path, ScanArgsParquet::default())
                .context(|| path.display().to_string())?;
            let schema = lf
                .collect_schema()
                .context(|| format!("reading the schema of {}", path.display()))?;
            check_input_schema(&path, spec, &schema)?;
            let df = spec
                .conform(lf)
                .collect()
                .context(|| format!("reading {}", path.display()))?;
            Ok(df.lazy())
        };
        let documents = scan(&dictionary::IN_DOCUMENTS, "documents.parquet")?;
        let paragraph_codes = scan(&dictionary::IN_PARAGRAPH_CODES, "paragraph_codes.parquet")?;
        let evidence = scan(&dictionary::IN_EVIDENCE, "evidence.parquet")?;
        let manifest_path = dir.join("manifest.json");
        let manifest = match read_manifest(dir)? {
            Some(text) => {
                Some(
                    serde_json::from_str(&text).map_err(|source| TrendsError::Json {
                        path: manifest_path.clone(),
                        source,
                    })?,
                )
            }
            None => None,
        };
        Codes::new(documents, paragraph_codes, evidence, manifest)
    }

    /// Builds [`Codes`] from in-memory frames (tests, benchmarks); they are conformed to the
    /// declared input schema.
    pub fn from_frames(
        documents: DataFrame,
        paragraph_codes: DataFrame,
        evidence: DataFrame,
    ) -> Result<Codes, TrendsError> {
        let check = |spec: &FrameSpec, df: DataFrame| -> Result<LazyFrame, TrendsError> {
            check_input_schema(Path::new(spec.name), spec, df.schema())?;
            Ok(spec.conform(df.lazy()))
        };
        Codes::new(
            check(&dictionary::IN_DOCUMENTS, documents)?,
            check(&dictionary::IN_PARAGRAPH_CODES, paragraph_codes)?,
            check(&dictionary::IN_EVIDENCE, evidence)?,
            None,
        )
    }

    fn new(
        documents: LazyFrame,
        paragraph_codes: LazyFrame,
        evidence: LazyFrame,
        manifest: Option<serde_json::Value>,
    ) -> Result<Codes, TrendsError> {
        let found = paragraph_codes
            .clone()
            .select([col("dimension").unique()])
            .collect()
            .context(|| "reading the dimensions of paragraph_codes".to_string())?;
        let mut extra: Vec<String> = found
            .column("dimension")
            .and_then(|c| c.str().cloned())
            .context(|| "paragraph_codes.dimension".to_string())?
            .iter()
            .flatten()
            .filter(|d| !crate::code::DIMENSIONS.contains(d))
            .map(str::to_string)
            .collect();
        extra.sort();
        let mut dimensions: Vec<String> = crate::code::DIMENSIONS
            .iter()
            .map(|d| d.to_string())
            .collect();
        dimensions.extend(extra);
        Ok(Codes {
            documents,
            paragraph_codes,
            evidence,
            dimensions,
            manifest,
            store_dir: None,
            doc_stats: std::sync::OnceLock::new(),
        })
    }

    /// `codebook_hash` from the codes manifest, when recorded.
    pub fn codebook_hash(&self) -> Option<&str> {
        self.manifest.as_ref()?.get("codebook_hash")?.as_str()
    }
}

/// Checks that every declared input column exists with a type we can cast from.
fn check_input_schema(path: &Path, spec: &FrameSpec, schema: &Schema) -> Result<(), TrendsError> {
    for column in spec.columns {
        let Some(found) = schema.get(column.name) else {
            return Err(TrendsError::Schema {
                path: path.to_path_buf(),
                column: column.name.to_string(),
                message: format!(
                    "missing (expected {}); the codes were written by another scoway version: \
                     run `scoway build` again",
                    column.ty.name()
                ),
            });
        };
        let want = column.ty.dtype();
        let ok = found == &want
            || (want.is_integer() && found.is_integer())
            || (want.is_float() && (found.is_float() || found.is_integer()))
            || (want == DataType::Date && found.is_temporal())
            || found == &DataType::Null;
        if !ok {
            return Err(TrendsError::Schema {
                path: path.to_path_buf(),
                column: column.name.to_string(),
                message: format!("expected {}, found {found}", column.ty.name()),
            });
        }
    }
    Ok(())
}
