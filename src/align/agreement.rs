//! Do the language versions of a document get the same codes? Per aligned paragraph pair and
//! dimension: agreement, Krippendorff's alpha across the two languages, the share of pairs with
//! identical label sets, and the disagreeing pairs with their evidence side by side.
//!
//! A finding that holds in Chinese but not in Russian depends on the language version used; this
//! is how a user sees it.

use super::{AlignedPair, align};
use crate::code::validate::krippendorff_alpha_nominal;
use crate::code::{Coder, DIMENSIONS, DocumentCodes, Evidence, segment_document};
use crate::corpus::{Document, Lang};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One version of a document with its codes.
pub struct CodedVersion<'a> {
    pub doc: &'a Document,
    pub codes: &'a DocumentCodes,
}

/// What one side of an aligned pair says.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub lang: Lang,
    pub paragraphs: Vec<u32>,
    /// The original text of the paragraphs, joined by a blank line.
    pub text: String,
    /// The union of the paragraphs' labels, in codebook order.
    pub labels: Vec<String>,
    pub evidence: Vec<Evidence>,
}

/// An aligned pair whose two sides are coded differently.
#[derive(Debug, Clone, Serialize)]
pub struct Disagreement {
    pub id: String,
    pub kind: String,
    /// Dimensions coded on one side only.
    pub dimensions: Vec<String>,
    pub a: Side,
    pub b: Side,
}

/// One aligned pair, compactly: which paragraphs, how matched, and the labels of each side.
#[derive(Debug, Clone, Serialize)]
pub struct AlignedRow {
    pub id: String,
    pub a: Vec<u32>,
    pub b: Vec<u32>,
    pub kind: String,
    pub method: super::Method,
    pub labels_a: Vec<String>,
    pub labels_b: Vec<String>,
}

/// Per-dimension agreement over aligned pairs.
#[derive(Debug, Clone, Serialize)]
pub struct DimensionAgreement {
    pub dimension: String,
    /// Pairs coded for the dimension in both languages, in `a` only, in `b` only.
    pub both: usize,
    pub only_a: usize,
    pub only_b: usize,
    /// Share of pairs on which the two languages agree for this dimension.
    pub agreement: f64,
    /// Krippendorff's alpha (binary), the two languages as the two coders; `None` when
    /// neither language codes the dimension (or both always do).
    pub alpha: Option<f64>,
}

/// Agreement between two languages over the aligned paragraphs of one or more documents.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageAgreement {
    pub lang_a: Lang,
    pub lang_b: Lang,
    /// Documents compared.
    pub documents: Vec<String>,
    /// Aligned pairs with paragraphs on both sides (pairs with one side empty are counted in
    /// `unmatched` and left out of the figures).
    pub pairs: usize,
    pub unmatched: usize,
    /// Share of pairs whose two label sets are identical.
    pub identical: f64,
    pub dimensions: Vec<DimensionAgreement>,
    pub disagreements: Vec<Disagreement>,
    /// Every aligned pair, those without counterpart included.
    pub aligned: Vec<AlignedRow>,
}

/// An aligned pair with what each side says.
pub type ComparedPair = (AlignedPair, Side, Side);

/// The compared pairs of one document, with its id.
pub type ComparedDocument = (String, Vec<ComparedPair>);

/// The aligned pairs of two coded versions of one document, with both sides' labels.
pub fn compare(a: &CodedVersion<'_>, b: &CodedVersion<'_>) -> Vec<ComparedPair> {
    let pairs = align(a.doc, b.doc);
    pairs
        .into_iter()
        .map(|pair| {
            let sa = side(a, &pair.a);
            let sb = side(b, &pair.b);
            (pair, sa, sb)
        })
        .collect()
}

fn side(v: &CodedVersion<'_>, paragraphs: &[u32]) -> Side {
    let originals = v.doc.original_paragraphs();
    let wanted: BTreeSet<u32> = paragraphs.iter().copied().collect();
    let mut labels = BTreeSet::new();
    let mut evidence = Vec::new();
    for pc in v
        .codes
        .paragraphs
        .iter()
        .filter(|p| wanted.contains(&p.index))
    {
        labels.extend(pc.labels.iter().cloned());
        evidence.extend(pc.evidence.iter().cloned());
    }
    let text = v
        .doc
        .paragraphs
        .iter()
        .zip(&originals)
        .filter(|(p, _)| wanted.contains(&p.index))
        .map(|(_, t)| *t)
        .collect::<Vec<_>>()
        .join("\n\n");
    Side {
        lang: v.doc.meta.lang,
        paragraphs: paragraphs.to_vec(),
        text,
        labels: DIMENSIONS
            .iter()
            .filter(|d| labels.contains(**d))
            .map(|d| d.to_string())
            .collect(),
        evidence,
    }
}

/// Pools the aligned pairs of several documents (all in the languages `lang_a`, `lang_b`).
pub fn summarise(lang_a: Lang, lang_b: Lang, compared: &[ComparedDocument]) -> LanguageAgreement {
    let mut units: BTreeMap<&str, Vec<[u8; 2]>> = BTreeMap::new();
    let (mut pairs, mut unmatched, mut identical) = (0, 0, 0);
    let mut disagreements = Vec::new();
    let mut rows = Vec::new();
    for (id, aligned) in compared {
        for (pair, a, b) in aligned {
            rows.push(AlignedRow {
                id: id.clone(),
                a: pair.a.clone(),
                b: pair.b.clone(),
                kind: pair.kind(),
                method: pair.method,
                labels_a: a.labels.clone(),
                labels_b: b.labels.clone(),
            });
            if pair.a.is_empty() || pair.b.is_empty() {
                unmatched += 1;
                continue;
            }
            pairs += 1;
            if a.labels == b.labels {
                identical += 1;
            } else {
                let differ: Vec<String> = DIMENSIONS
                    .iter()
                    .filter(|d| {
                        a.labels.iter().any(|l| l == *d) != b.labels.iter().any(|l| l == *d)
                    })
                    .map(|d| d.to_string())
                    .collect();
                disagreements.push(Disagreement {
                    id: id.clone(),
                    kind: pair.kind(),
                    dimensions: differ,
                    a: a.clone(),
                    b: b.clone(),
                });
            }
            for d in DIMENSIONS {
                let has = |s: &Side| u8::from(s.labels.iter().any(|l| l == d));
                units.entry(d).or_default().push([has(a), has(b)]);
            }
        }
    }
    let dimensions = DIMENSIONS
        .iter()
        .map(|d| {
            let u = units.get(d).map(Vec::as_slice).unwrap_or_default();
            let count = |want: [u8; 2]| u.iter().filter(|x| **x == want).count();
            let (both, only_a, only_b) = (count([1, 1]), count([1, 0]), count([0, 1]));
            DimensionAgreement {
                dimension: d.to_string(),
                both,
                only_a,
                only_b,
                agreement: if u.is_empty() {
                    0.0
                } else {
                    1.0 - (only_a + only_b) as f64 / u.len() as f64
                },
                alpha: krippendorff_alpha_nominal(u),
            }
        })
        .collect();
    LanguageAgreement {
        lang_a,
        lang_b,
        documents: compared.iter().map(|(id, _)| id.clone()).collect(),
        pairs,
        unmatched,
        identical: if pairs == 0 {
            0.0
        } else {
            identical as f64 / pairs as f64
        },
        dimensions,
        disagreements,
        aligned: rows,
    }
}

/// Codes every version of `docs` and compares each pair of languages (zh–ru, zh–en, ru–en, or
/// only `only` when given) over the documents that exist in both. Language pairs without a
/// shared document are left out.
pub fn across_languages(
    docs: &[Document],
    coder: &Coder,
    only: Option<(Lang, Lang)>,
) -> Vec<LanguageAgreement> {
    let coded: Vec<DocumentCodes> = docs
        .iter()
        .map(|d| coder.code_document(d, &segment_document(d)))
        .collect();
    let mut by_id: BTreeMap<&str, BTreeMap<Lang, usize>> = BTreeMap::new();
    for (k, d) in docs.iter().enumerate() {
        by_id.entry(&d.meta.id).or_default().insert(d.meta.lang, k);
    }
    let lang_pairs = match only {
        Some(pair) => vec![pair],
        None => vec![
            (Lang::Zh, Lang::Ru),
            (Lang::Zh, Lang::En),
            (Lang::Ru, Lang::En),
        ],
    };
    lang_pairs
        .into_iter()
        .filter_map(|(la, lb)| {
            let compared: Vec<ComparedDocument> = by_id
                .iter()
                .filter_map(|(id, versions)| {
                    let (&ka, &kb) = (versions.get(&la)?, versions.get(&lb)?);
                    let a = CodedVersion {
                        doc: &docs[ka],
                        codes: &coded[ka],
                    };
                    let b = CodedVersion {
                        doc: &docs[kb],
                        codes: &coded[kb],
                    };
                    Some((id.to_string(), compare(&a, &b)))
                })
                .collect();
            (!compared.is_empty()).then(|| summarise(la, lb, &compared))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::{Codebook, document_from_text};

    fn coded(text: &str, lang: Lang) -> (Document, DocumentCodes) {
        let doc = document_from_text("d", text, lang, true).unwrap();
        let coder = Coder::new(&Codebook::load(None).unwrap()).unwrap();
        let codes = coder.code_document(&doc, &segment_document(&doc));
        (doc, codes)
    }

    #[test]
    fn pairs_coded_alike_agree_and_a_difference_is_listed() {
        let (zh, zh_codes) = coded(
            "（测试样例）宣言\n\n一、成员国将共同打击恐怖主义、分裂主义和极端主义。\n\n二、成员国尊重各国主权和领土完整。",
            Lang::Zh,
        );
        let (en, en_codes) = coded(
            "(test fixture) Declaration\n\n1. The member states will jointly combat terrorism, separatism and extremism.\n\n2. The member states will meet again next year.",
            Lang::En,
        );
        let a = CodedVersion {
            doc: &zh,
            codes: &zh_codes,
        };
        let b = CodedVersion {
            doc: &en,
            codes: &en_codes,
        };
        let compared = vec![("d".to_string(), compare(&a, &b))];
        let s = summarise(Lang::Zh, Lang::En, &compared);
        assert_eq!(s.pairs, 3);
        let security = &s.dimensions[0];
        assert_eq!((security.both, security.only_a, security.only_b), (1, 0, 0));
        // ¶2 says sovereignty in Chinese only: one disagreement, on recognition.
        assert_eq!(s.disagreements.len(), 1, "{:#?}", s.disagreements);
        assert_eq!(s.disagreements[0].dimensions, ["recognition"]);
        assert!(s.disagreements[0].a.text.contains("主权"));
        assert!(!s.disagreements[0].a.evidence.is_empty());
        assert!((s.identical - 2.0 / 3.0).abs() < 1e-9);
    }
}
