//! Where each stage keeps its output inside the data directory.
//!
//! Every path used by more than one stage is defined here, so that the stages agree on the
//! layout without knowing about each other.

use std::path::{Path, PathBuf};

/// The data directory (`--data-dir`, default `./data`) and the paths of each stage inside it.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Document store: one JSON file per document (`<id>.json`).
    pub fn store_dir(&self) -> PathBuf {
        self.root.join("store")
    }

    /// tantivy indexes (documents and paragraphs).
    pub fn index_dir(&self) -> PathBuf {
        self.root.join("index")
    }

    /// Coder output: `documents.parquet`, `paragraph_codes.parquet`, `evidence.parquet`.
    pub fn codes_dir(&self) -> PathBuf {
        self.root.join("codes")
    }

    /// A catalogue of the user's own (`catalog.tsv`), merged over the bundled one by the
    /// commands that read the catalogue.
    pub fn user_catalog(&self) -> PathBuf {
        self.root.join("catalog.tsv")
    }

    /// Fetcher output: raw downloaded bytes and their provenance records.
    pub fn fetch_dir(&self) -> PathBuf {
        self.root.join("fetch")
    }
}
