//! Wiring the stages together: `build` (segment → index → code), and the whole job for
//! `run` and `demo`.
//!
//! `build` segments each paragraph once and hands the same tokens to the indexer and the
//! coder. The index is incremental (only new or changed documents are re-indexed, in one
//! atomic tantivy commit); codes are cached per document, keyed by the document's hash and
//! the codebook's hash, so a changed codebook recodes everything and nothing else does.

/// The bundled fixture corpus used by `scoway demo`: documents written by the scoway
/// developers in the style of summit declarations. They are test texts, not SCO documents.
pub mod demo_corpus {
    include!(concat!(env!("OUT_DIR"), "/demo_corpus.rs"));

    /// Writes the fixture corpus into `dir` (created if needed) and returns `dir`.
    pub fn write_to(dir: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
        std::fs::create_dir_all(dir)?;
        for (name, text) in DEMO_CORPUS {
            std::fs::write(dir.join(name), text)?;
        }
        Ok(dir.to_path_buf())
    }
}
