//! Segmentation: jieba-rs with the domain dictionary in `corpus/dict/` for Chinese, tantivy's
//! analyzers (with stemming) for Russian and English.
//!
//! OWNER: helper A (segment + index). Interface used by other stages:
//! - `Segmenter::global() -> &'static Segmenter` (bundled dictionary, loaded once)
//! - `Segmenter::tokenize(&self, text: &str, lang: Lang) -> Vec<Token>`

/// One token of a paragraph's normalised text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The indexed term (lower-cased; stemmed for ru/en).
    pub term: String,
    /// Byte offsets into the text that was tokenized, end exclusive.
    pub byte_start: usize,
    pub byte_end: usize,
    /// Token position. A sub-word token shares the position of its compound.
    pub position: u32,
    /// True for a sub-word of a longer token (e.g. `反恐怖` inside `地区反恐怖机构`).
    pub subword: bool,
}
