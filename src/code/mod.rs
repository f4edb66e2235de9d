//! Coding: the codebook of the five "SCO Way" dimensions, the coder, its evidence, the
//! validation metrics, and the Parquet output read by the trends stage.
//!
//! - [`Codebook`] is loaded from TOML (the bundled `corpus/codebook/sco_way.toml` or a file
//!   given with `--codebook`) and checked: every error names the line and the key.
//! - [`Coder`] codes the paragraphs of a [`Document`](crate::corpus::document::Document)
//!   with one Aho-Corasick automaton per language for the literal terms and the `regex` crate
//!   for the pattern rules, reusing the tokens the pipeline already computed for word
//!   boundaries and token counts.
//! - [`validate`] compares the coder with a hand-coded gold file.
//! - [`store::write_codes`] writes `documents.parquet`, `paragraph_codes.parquet`,
//!   `evidence.parquet` and `manifest.json` into the codes directory, atomically.
//!
//! The coding rules (scores, the coded threshold, down-weighting of boilerplate) are documented
//! in `corpus/codebook/README.md`.

mod codebook;
mod coder;
pub mod store;
pub mod validate;

pub use codebook::{Codebook, CodebookError, TermInfo};
pub use coder::{
    Coder, DimensionSummary, DocumentCodes, DocumentSummary, Evidence, ParagraphCodes, Rule,
};

/// The stable keys of the five dimensions, in the order of the paper.
pub const DIMENSIONS: [&str; 5] = [
    "security_spillover",
    "recognition",
    "balanced_power",
    "differential_institutions",
    "networked_circles",
];
