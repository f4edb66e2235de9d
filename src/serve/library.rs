//! What the server reads, opened once and read-only: the document store, the index, the codes,
//! the codebook, and an export folder. Tables that take long to compute (trends, terms) are
//! computed once, on first use, and kept: the data directory does not change under a server.

use super::ServeError;
use crate::code::{Codebook, Coder};
use crate::corpus::DocStore;
use crate::corpus::fetch::{FetchDir, ProvenanceRecord};
use crate::index::IndexSnapshot;
use crate::layout::DataDir;
use crate::trends::{
    self, BreakOptions, Codes, DEFAULT_RESAMPLES, DEFAULT_SEED, PeriodBy, TrendOptions,
};
use polars::prelude::DataFrame;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Everything the pages are made from.
pub struct Library {
    pub(crate) data: DataDir,
    pub(crate) store: DocStore,
    pub(crate) index: IndexSnapshot,
    pub(crate) codes: Codes,
    pub(crate) codebook: Codebook,
    pub(crate) coder: Coder,
    pub(crate) exports: Exports,
    /// The last fetch record of each document version (`<id>.<lang>`), when it was fetched.
    pub(crate) provenance: std::collections::HashMap<String, ProvenanceRecord>,
    trends_by: Mutex<BTreeMap<&'static str, Arc<TrendTables>>>,
    terms: OnceLock<Result<Arc<TermTables>, String>>,
}

/// The trend frame of one period kind, with the breaks of the yearly series.
pub struct TrendTables {
    pub options: TrendOptions,
    pub frame: DataFrame,
    /// Empty by meeting (breaks are found in yearly series).
    pub breaks: Option<DataFrame>,
}

/// `term_emergence` and `term_yearly`.
pub struct TermTables {
    pub emergence: DataFrame,
    pub yearly: DataFrame,
}

impl Library {
    /// Opens the data directory `data` read-only. `codebook` is the `--codebook` file (the
    /// bundled codebook when `None`); `exports` an export folder whose files the pages offer.
    pub fn open(
        data: &DataDir,
        codebook: Option<&Path>,
        exports: Option<&Path>,
    ) -> Result<Library, ServeError> {
        let store = DocStore::open_read_only(data.store_dir())?;
        let index = IndexSnapshot::open(data)?;
        let codes = Codes::open(data)?;
        let codebook = Codebook::load(codebook)?;
        let coder = Coder::new(&codebook)?;
        let exports = match exports {
            Some(dir) => Exports::scan(dir)?,
            None => Exports::default(),
        };
        // A fetch directory that cannot be read only costs the pages their provenance.
        let provenance = FetchDir::new(data.fetch_dir()).latest().unwrap_or_default();
        Ok(Library {
            provenance,
            data: data.clone(),
            store,
            index,
            codes,
            codebook,
            coder,
            exports,
            trends_by: Mutex::new(BTreeMap::new()),
            terms: OnceLock::new(),
        })
    }

    pub fn data(&self) -> &DataDir {
        &self.data
    }

    /// The trend tables by year or meeting, computed on first use.
    pub fn trends(&self, by: PeriodBy) -> Result<Arc<TrendTables>, ServeError> {
        let mut cache = self.trends_by.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = cache.get(by.as_str()) {
            return Ok(t.clone());
        }
        let options = TrendOptions {
            by,
            resamples: DEFAULT_RESAMPLES,
            seed: DEFAULT_SEED,
            confidence: 0.95,
        };
        let frame = trends::trends(&self.codes, &options)?;
        let breaks = match by {
            PeriodBy::Year => Some(trends::breaks(&frame, BreakOptions::default())?),
            PeriodBy::Meeting => None,
        };
        let tables = Arc::new(TrendTables {
            options,
            frame,
            breaks,
        });
        cache.insert(by.as_str(), tables.clone());
        Ok(tables)
    }

    /// The term tables, computed on first use.
    pub fn terms(&self) -> Result<Arc<TermTables>, ServeError> {
        self.terms
            .get_or_init(|| {
                trends::term_emergence(&self.codes, &self.codebook.all_terms())
                    .map(|(emergence, yearly)| Arc::new(TermTables { emergence, yearly }))
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(ServeError::Computed)
    }

    /// Computes the tables every page needs, so that no visitor waits for them.
    pub fn warm_up(&self) -> Result<(), ServeError> {
        // The segmenter loads its dictionaries on first use (a third of a second).
        crate::segment::Segmenter::global();
        self.trends(PeriodBy::Year)?;
        self.terms()?;
        Ok(())
    }
}

/// The files of an export folder (`scoway export --out DIR`, `scoway run --out DIR`) that the
/// pages offer for download, listed once: only these names are ever served.
#[derive(Debug, Default)]
pub struct Exports {
    files: BTreeMap<String, PathBuf>,
}

/// How deep below the export folder files are offered (`charts/trend_x.svg` is one level down).
const EXPORT_DEPTH: usize = 2;

impl Exports {
    /// Lists the regular files of `dir` (symbolic links are not followed), by their path
    /// relative to `dir` with `/` separators.
    pub fn scan(dir: &Path) -> Result<Exports, ServeError> {
        if !dir.is_dir() {
            return Err(ServeError::Exports {
                path: dir.to_path_buf(),
                message: "not a folder".into(),
            });
        }
        let mut files = BTreeMap::new();
        for entry in walkdir::WalkDir::new(dir)
            .max_depth(EXPORT_DEPTH)
            .follow_links(false)
        {
            let entry = entry.map_err(|e| ServeError::Exports {
                path: dir.to_path_buf(),
                message: e.to_string(),
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(dir) else {
                continue;
            };
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            if super::security::is_safe_export_name(&name) {
                files.insert(name, entry.path().to_path_buf());
            }
        }
        Ok(Exports { files })
    }

    pub fn get(&self, name: &str) -> Option<&Path> {
        self.files.get(name).map(PathBuf::as_path)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Those of `names` that the export holds, in the order given.
    pub fn present<'a>(&self, names: &[&'a str]) -> Vec<&'a str> {
        names.iter().copied().filter(|n| self.contains(n)).collect()
    }
}
