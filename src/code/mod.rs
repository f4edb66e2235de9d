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

pub mod cache;
mod codebook;
mod coder;
pub mod gold;
pub mod store;
pub mod validate;

pub use codebook::{
    BUNDLED, Codebook, CodebookError, Dimension, Exclusion, Indicator, Pattern, Procedural,
    Scoring, Side, Term, TermInfo, Window,
};
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

use crate::corpus::document::{DocMeta, Document, Lang, Paragraph};
use crate::segment::{Segmenter, Token};

/// A document made from a bare text (for `scoway code --text` and gold units), normalised like
/// an ingested one: its script is detected, and traditional characters are converted to
/// simplified ones, the script of the codebook. With `split`, the text is cut into paragraphs as
/// ingest cuts it; without, the whole text is one paragraph (one coding unit). `None` for a
/// text with no content.
pub fn document_from_text(id: &str, text: &str, lang: Lang, split: bool) -> Option<Document> {
    let meta = DocMeta {
        id: id.to_string(),
        date: chrono::NaiveDate::default(),
        body: String::new(),
        doc_type: String::new(),
        lang,
        title: String::new(),
        source_url: None,
        meeting_no: None,
        city: None,
        script: Default::default(),
    };
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(text.as_bytes()))
    };
    if split {
        return Document::from_original(meta, text.to_string(), sha, "text".into());
    }
    let (normalized, script) = crate::text::normalize_detecting(text);
    if normalized.trim().is_empty() {
        return None;
    }
    let paragraph = Paragraph {
        index: 0,
        char_start: 0,
        char_end: normalized.chars().count(),
        byte_start: 0,
        byte_end: normalized.len(),
    };
    Some(Document {
        meta: DocMeta { script, ..meta },
        sha256: sha,
        source: "text".into(),
        original: text.to_string(),
        text: normalized,
        paragraphs: vec![paragraph],
    })
}

/// The tokens of every paragraph of `doc`, as the pipeline computes them.
pub fn segment_document(doc: &Document) -> Vec<Vec<Token>> {
    let seg = Segmenter::global();
    doc.paragraphs
        .iter()
        .map(|p| seg.tokenize(doc.paragraph_text(p), doc.meta.lang))
        .collect()
}
