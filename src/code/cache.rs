//! The code cache: one JSON line per coded document version, so that `build` codes only new or
//! changed documents.
//!
//! Most paragraphs of a corpus have no hit at all, and their full form (three maps with an entry
//! for every dimension) made up nearly all of the cache: 98 MB for 1,011 documents of the
//! benchmark corpus, read and parsed whole by every `build`, even one that changed a single
//! document. A line keeps such a paragraph as `[index, tokens]` and every other paragraph in
//! full; [`CacheEntry::codes`] gives back the very same [`DocumentCodes`].

use super::{DIMENSIONS, DocumentCodes, DocumentSummary, ParagraphCodes};
use crate::corpus::Lang;
use serde::{Deserialize, Serialize};

/// Tells this layout of a line from earlier ones, whose lines are then recoded, never misread.
const LAYOUT: u32 = 2;

/// A cached document version as written: [`DocumentCodes`] with its blank paragraphs folded.
#[derive(Serialize)]
struct LineRef<'a> {
    layout: u32,
    doc_id: &'a str,
    lang: Lang,
    sha256: &'a str,
    codebook_hash: &'a str,
    document: &'a DocumentSummary,
    /// `(index, tokens)` of the paragraphs without any hit, label or rule.
    blank: Vec<(u32, u64)>,
    coded: Vec<&'a ParagraphCodes>,
}

/// A cached document version as read back.
#[derive(Deserialize)]
struct Line {
    layout: u32,
    doc_id: String,
    lang: Lang,
    sha256: String,
    codebook_hash: String,
    document: DocumentSummary,
    blank: Vec<(u32, u64)>,
    coded: Vec<ParagraphCodes>,
}

/// One line of the cache, read back.
pub struct CacheEntry(Line);

impl CacheEntry {
    /// Reads one line; `None` when it is not a line of this layout.
    pub fn parse(line: &[u8]) -> Option<Self> {
        serde_json::from_slice::<Line>(line)
            .ok()
            .filter(|l| l.layout == LAYOUT)
            .map(Self)
    }

    pub fn doc_id(&self) -> &str {
        &self.0.doc_id
    }

    pub fn lang(&self) -> Lang {
        self.0.lang
    }

    /// sha256 of the document version that was coded.
    pub fn sha256(&self) -> &str {
        &self.0.sha256
    }

    /// Hash of the codebook that coded it.
    pub fn codebook_hash(&self) -> &str {
        &self.0.codebook_hash
    }

    /// The codes, exactly as the coder gave them.
    pub fn codes(self) -> DocumentCodes {
        let Line {
            doc_id,
            lang,
            sha256,
            codebook_hash,
            document,
            blank,
            coded,
            ..
        } = self.0;
        let mut paragraphs: Vec<ParagraphCodes> = blank
            .into_iter()
            .map(|(index, tokens)| blank_paragraph(index, tokens))
            .chain(coded)
            .collect();
        paragraphs.sort_by_key(|p| p.index);
        DocumentCodes {
            doc_id,
            lang,
            sha256,
            codebook_hash,
            paragraphs,
            document,
        }
    }
}

/// The cache line of `codes` (no trailing newline).
pub fn encode(codes: &DocumentCodes) -> serde_json::Result<Vec<u8>> {
    let (blank, coded): (Vec<&ParagraphCodes>, Vec<&ParagraphCodes>) =
        codes.paragraphs.iter().partition(|p| is_blank(p));
    serde_json::to_vec(&LineRef {
        layout: LAYOUT,
        doc_id: &codes.doc_id,
        lang: codes.lang,
        sha256: &codes.sha256,
        codebook_hash: &codes.codebook_hash,
        document: &codes.document,
        blank: blank.iter().map(|p| (p.index, p.tokens)).collect(),
        coded,
    })
}

/// The codes the coder gives a paragraph without any hit, label or rule.
fn blank_paragraph(index: u32, tokens: u64) -> ParagraphCodes {
    let zeros = || DIMENSIONS.iter().map(|d| (d.to_string(), 0.0)).collect();
    ParagraphCodes {
        index,
        tokens,
        labels: Vec::new(),
        dominant: None,
        scores: zeros(),
        hits: DIMENSIONS.iter().map(|d| (d.to_string(), 0)).collect(),
        weighted_hits: zeros(),
        evidence: Vec::new(),
        procedural: None,
    }
}

/// Whether `p` is exactly [`blank_paragraph`] of its index and tokens (a `-0.0` score is not).
fn is_blank(p: &ParagraphCodes) -> bool {
    let zero_at_every_dimension = |m: &std::collections::BTreeMap<String, f64>| {
        m.len() == DIMENSIONS.len()
            && DIMENSIONS
                .iter()
                .all(|d| m.get(*d).is_some_and(|v| v.to_bits() == 0))
    };
    p.labels.is_empty()
        && p.dominant.is_none()
        && p.evidence.is_empty()
        && p.procedural.is_none()
        && p.hits.len() == DIMENSIONS.len()
        && DIMENSIONS.iter().all(|d| p.hits.get(*d) == Some(&0))
        && zero_at_every_dimension(&p.scores)
        && zero_at_every_dimension(&p.weighted_hits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::{Codebook, Coder};
    use crate::corpus::{DocMeta, Document};
    use crate::segment::Segmenter;

    fn coded(text: &str) -> DocumentCodes {
        let codebook = Codebook::load(None).unwrap();
        let coder = Coder::new(&codebook).unwrap();
        let doc = Document::from_original(
            DocMeta::for_test("d"),
            text.to_string(),
            "sha".into(),
            "test".into(),
        )
        .unwrap();
        let tokens = crate::pipeline::segment_document(Segmenter::global(), &doc);
        coder.code_document(&doc, &tokens)
    }

    #[test]
    fn a_line_gives_back_the_very_same_codes() {
        let codes = coded(
            "各方重申恪守《上海合作组织宪章》的宗旨和原则。\n\n今天天气很好。\n\n\
             成员国将继续共同打击恐怖主义、分裂主义和极端主义。\n\n我们吃了午饭。",
        );
        assert!(codes.paragraphs.iter().any(is_blank), "a blank paragraph");
        assert!(
            codes.paragraphs.iter().any(|p| !is_blank(p)),
            "a coded paragraph"
        );
        let line = encode(&codes).unwrap();
        let back = CacheEntry::parse(&line).unwrap();
        assert_eq!((back.doc_id(), back.lang()), ("d", codes.lang));
        assert_eq!(back.sha256(), codes.sha256);
        assert_eq!(back.codes(), codes);
    }

    #[test]
    fn a_line_of_an_earlier_layout_is_not_read() {
        let codes = coded("今天天气很好。");
        let old = serde_json::to_vec(&serde_json::json!({
            "sha256": codes.sha256,
            "codebook_hash": codes.codebook_hash,
            "codes": codes,
        }))
        .unwrap();
        assert!(CacheEntry::parse(&old).is_none());
        assert!(CacheEntry::parse(b"{not json").is_none());
    }

    #[test]
    fn only_exact_zeros_fold() {
        let mut p = blank_paragraph(3, 10);
        assert!(is_blank(&p));
        p.scores.insert(DIMENSIONS[0].to_string(), -0.0);
        assert!(!is_blank(&p), "-0.0 would not come back as itself");
    }
}
