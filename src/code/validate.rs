//! Validation of the coder against hand-coded gold files ([`super::gold`]).
//!
//! Each unit is coded as one paragraph, and the coder's labels are compared with the
//! reference labels per dimension: precision, recall, F1, and Krippendorff's alpha (nominal,
//! the coder and the reference as two coders). Macro-F1 is the mean F1 over the dimensions
//! present in the reference (a dimension no unit has cannot be recalled, and its F1 says
//! nothing). When the gold file carries the label sets of individual human coders, the coder is
//! also compared with each of them, and the humans' own agreement (alpha per dimension across
//! the coders, and macro-F1 of one coder against another) is reported beside it as the ceiling.
//! For units with exactly one reference label, the coder's dominant dimension is compared with
//! it (accuracy).

pub use super::gold::{GoldError, GoldUnit, load_gold, parse_gold};
use super::{Coder, DIMENSIONS, ParagraphCodes, document_from_text, segment_document};
use crate::corpus::document::Lang;
use serde::Serialize;
use std::collections::BTreeMap;

/// Agreement figures of one dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionMetrics {
    pub dimension: String,
    /// Units whose reference labels include the dimension.
    pub support: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    /// 0 when the coder never codes the dimension.
    pub precision: f64,
    /// 0 when the reference never has the dimension.
    pub recall: f64,
    pub f1: f64,
    /// Krippendorff's alpha (nominal, coder vs reference); `None` when undefined (both give
    /// every unit the same value, so there is no variation to agree on).
    pub alpha: Option<f64>,
}

/// The coder's reading of one gold unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitResult {
    pub line: usize,
    /// `doc ¶para` when the gold file names them, else `line N`.
    pub name: String,
    pub lang: Lang,
    pub gold: Vec<String>,
    pub predicted: Vec<String>,
    pub dominant: Option<String>,
    pub weighted_hits: BTreeMap<String, f64>,
    /// The individual coders' labels, when the gold file has them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coders: Vec<(String, Vec<String>)>,
    /// Document and paragraph, when the gold file names them: the same pair in two
    /// languages is one paragraph in two language versions.
    #[serde(skip)]
    pub place: Option<(String, u64)>,
}

/// The same paragraph in several languages (gold units with the same `doc` and `para`): how
/// often the coder gives every version the same labels, beside how often the gold does.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossLanguage {
    /// Pairs of units: one paragraph, two languages.
    pub pairs: usize,
    /// Share of the pairs whose coded labels are identical.
    pub identical_coded: f64,
    /// Share of the pairs whose gold labels are identical.
    pub identical_gold: f64,
    /// Per language pair (`en-ru`, ...): pairs and share identical as coded.
    pub by_pair: BTreeMap<String, (usize, f64)>,
}

/// Per-dimension figures of one label source against a reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// What the labels are compared with: `labels` (the reference) or a coder's name.
    pub reference: String,
    /// What is compared: `scoway` or a coder's name.
    pub candidate: String,
    pub dimensions: Vec<DimensionMetrics>,
    /// Mean F1 over [`Comparison::macro_dimensions`].
    pub macro_f1: f64,
    /// The dimensions present in the reference (support > 0); all five when none is.
    pub macro_dimensions: Vec<String>,
}

/// How far the human coders agree with one another: the ceiling for the coder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HumanAgreement {
    pub coders: Vec<String>,
    /// Krippendorff's alpha per dimension across all the human coders (binary, nominal).
    pub alpha: BTreeMap<String, Option<f64>>,
    /// Every pair of coders, the second compared with the first (F1 is symmetric).
    pub pairs: Vec<Comparison>,
    /// Mean of the pairs' macro-F1.
    pub macro_f1: f64,
}

/// Figures of the units of one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LanguageFigures {
    pub lang: Lang,
    pub units: usize,
    pub macro_f1: f64,
    pub dimensions: Vec<DimensionMetrics>,
}

/// Everything `scoway validate` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationReport {
    pub units: usize,
    /// scoway against the reference labels.
    pub dimensions: Vec<DimensionMetrics>,
    /// Mean F1 over the dimensions present in the reference ([`Self::macro_dimensions`]).
    pub macro_f1: f64,
    pub macro_dimensions: Vec<String>,
    /// Units with exactly one reference label.
    pub single_label_units: usize,
    /// Share of single-label units whose dominant dimension is the reference label; `None`
    /// without single-label units.
    pub dominant_accuracy: Option<f64>,
    /// Single-label units: reference label → predicted dominant (or `none`) → count.
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
    /// scoway against each human coder, when the gold file has coders.
    pub against_coders: Vec<Comparison>,
    /// The human coders among themselves, when the gold file has two or more.
    pub human_agreement: Option<HumanAgreement>,
    /// scoway against the reference, per language, when the set has more than one language.
    pub by_language: Vec<LanguageFigures>,
    /// Agreement across language versions, when the set has the same paragraph in two or more.
    pub cross_language: Option<CrossLanguage>,
    pub results: Vec<UnitResult>,
}

/// Codes one gold unit as a single paragraph.
pub fn code_unit(coder: &Coder, unit: &GoldUnit) -> Option<ParagraphCodes> {
    let doc = document_from_text(
        &format!("gold-line-{}", unit.line),
        &unit.text,
        unit.lang,
        false,
    )?;
    let tokens = segment_document(&doc);
    coder
        .code_document(&doc, &tokens)
        .paragraphs
        .into_iter()
        .next()
}

/// Codes every unit and compares with the gold labels (and the coders', when present).
pub fn validate(coder: &Coder, units: &[GoldUnit]) -> ValidationReport {
    let results: Vec<UnitResult> = units
        .iter()
        .map(|u| {
            let codes = code_unit(coder, u);
            UnitResult {
                line: u.line,
                name: u.name(),
                lang: u.lang,
                gold: u.labels.clone(),
                predicted: codes.as_ref().map(|c| c.labels.clone()).unwrap_or_default(),
                dominant: codes.as_ref().and_then(|c| c.dominant.clone()),
                weighted_hits: codes.map(|c| c.weighted_hits).unwrap_or_default(),
                coders: u.coders.clone(),
                place: u.doc.clone().zip(u.para),
            }
        })
        .collect();
    report(results)
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

fn has(labels: &[String], d: &str) -> bool {
    labels.iter().any(|l| l == d)
}

/// Per-dimension figures of `candidate` label sets against `reference` ones, unit by unit.
pub fn compare(
    reference_name: &str,
    candidate_name: &str,
    pairs: &[(&[String], &[String])],
) -> Comparison {
    let mut dimensions = Vec::new();
    for d in DIMENSIONS {
        let coded: Vec<[u8; 2]> = pairs
            .iter()
            .map(|(r, c)| [u8::from(has(r, d)), u8::from(has(c, d))])
            .collect();
        let count = |want: [u8; 2]| coded.iter().filter(|x| **x == want).count();
        let (tp, fp, fn_) = (count([1, 1]), count([0, 1]), count([1, 0]));
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        dimensions.push(DimensionMetrics {
            dimension: d.to_string(),
            support: tp + fn_,
            true_positives: tp,
            false_positives: fp,
            false_negatives: fn_,
            precision,
            recall,
            f1,
            alpha: krippendorff_alpha_nominal(&coded),
        });
    }
    let present: Vec<&DimensionMetrics> = dimensions.iter().filter(|m| m.support > 0).collect();
    let counted: Vec<&DimensionMetrics> = if present.is_empty() {
        dimensions.iter().collect()
    } else {
        present
    };
    let macro_f1 = counted.iter().map(|m| m.f1).sum::<f64>() / counted.len() as f64;
    Comparison {
        reference: reference_name.to_string(),
        candidate: candidate_name.to_string(),
        macro_dimensions: counted.iter().map(|m| m.dimension.clone()).collect(),
        macro_f1,
        dimensions,
    }
}

fn human_agreement(results: &[UnitResult]) -> Option<HumanAgreement> {
    let coders: Vec<String> = results
        .first()?
        .coders
        .iter()
        .map(|(k, _)| k.clone())
        .collect();
    if coders.len() < 2 {
        return None;
    }
    let alpha = DIMENSIONS
        .iter()
        .map(|d| {
            let rows: Vec<Vec<u8>> = results
                .iter()
                .map(|r| r.coders.iter().map(|(_, l)| u8::from(has(l, d))).collect())
                .collect();
            (d.to_string(), krippendorff_alpha_nominal(&rows))
        })
        .collect();
    let mut pairs = Vec::new();
    for a in 0..coders.len() {
        for b in a + 1..coders.len() {
            let units: Vec<(&[String], &[String])> = results
                .iter()
                .filter_map(|r| {
                    Some((r.coders.get(a)?.1.as_slice(), r.coders.get(b)?.1.as_slice()))
                })
                .collect();
            pairs.push(compare(&coders[a], &coders[b], &units));
        }
    }
    let macro_f1 = pairs.iter().map(|p| p.macro_f1).sum::<f64>() / pairs.len() as f64;
    Some(HumanAgreement {
        coders,
        alpha,
        pairs,
        macro_f1,
    })
}

/// Whether two label sets hold the same labels, in any order.
pub fn same_labels(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}

fn cross_language(results: &[UnitResult]) -> Option<CrossLanguage> {
    let mut by_place: BTreeMap<&(String, u64), Vec<&UnitResult>> = BTreeMap::new();
    for r in results {
        if let Some(place) = &r.place {
            by_place.entry(place).or_default().push(r);
        }
    }
    let (mut pairs, mut coded, mut gold) = (0usize, 0usize, 0usize);
    let mut by_pair: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for versions in by_place.values() {
        for (i, a) in versions.iter().enumerate() {
            for b in &versions[i + 1..] {
                if a.lang == b.lang {
                    continue;
                }
                pairs += 1;
                let same = same_labels(&a.predicted, &b.predicted);
                coded += usize::from(same);
                gold += usize::from(same_labels(&a.gold, &b.gold));
                let mut names = [a.lang.as_str(), b.lang.as_str()];
                names.sort();
                let e = by_pair.entry(names.join("-")).or_default();
                e.0 += 1;
                e.1 += usize::from(same);
            }
        }
    }
    (pairs > 0).then(|| CrossLanguage {
        pairs,
        identical_coded: ratio(coded, pairs),
        identical_gold: ratio(gold, pairs),
        by_pair: by_pair
            .into_iter()
            .map(|(k, (n, same))| (k, (n, ratio(same, n))))
            .collect(),
    })
}

/// The figures for a set of unit results.
pub fn report(results: Vec<UnitResult>) -> ValidationReport {
    let against_reference: Vec<(&[String], &[String])> = results
        .iter()
        .map(|r| (r.gold.as_slice(), r.predicted.as_slice()))
        .collect();
    let main = compare("labels", "scoway", &against_reference);
    let coder_names: Vec<String> = results
        .first()
        .map(|r| r.coders.iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    let against_coders = coder_names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let units: Vec<(&[String], &[String])> = results
                .iter()
                .filter_map(|r| Some((r.coders.get(i)?.1.as_slice(), r.predicted.as_slice())))
                .collect();
            compare(name, "scoway", &units)
        })
        .collect();
    let mut langs: Vec<Lang> = results.iter().map(|r| r.lang).collect();
    langs.sort_by_key(|l| l.as_str());
    langs.dedup();
    let by_language = if langs.len() > 1 {
        langs
            .iter()
            .map(|&lang| {
                let units: Vec<(&[String], &[String])> = results
                    .iter()
                    .filter(|r| r.lang == lang)
                    .map(|r| (r.gold.as_slice(), r.predicted.as_slice()))
                    .collect();
                let c = compare("labels", "scoway", &units);
                LanguageFigures {
                    lang,
                    units: units.len(),
                    macro_f1: c.macro_f1,
                    dimensions: c.dimensions,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let single: Vec<&UnitResult> = results.iter().filter(|r| r.gold.len() == 1).collect();
    let mut confusion: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut correct = 0;
    for r in &single {
        let predicted = r.dominant.clone().unwrap_or_else(|| "none".into());
        if predicted == r.gold[0] {
            correct += 1;
        }
        *confusion
            .entry(r.gold[0].clone())
            .or_default()
            .entry(predicted)
            .or_default() += 1;
    }
    ValidationReport {
        units: results.len(),
        dimensions: main.dimensions,
        macro_f1: main.macro_f1,
        macro_dimensions: main.macro_dimensions,
        single_label_units: single.len(),
        dominant_accuracy: (!single.is_empty()).then(|| ratio(correct, single.len())),
        confusion,
        against_coders,
        human_agreement: human_agreement(&results),
        by_language,
        cross_language: cross_language(&results),
        results,
    }
}

/// Krippendorff's alpha for nominal data: `1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c · n_k`,
/// with `o` the coincidence matrix (each unit with m ≥ 2 values adds 1/(m−1) for every ordered
/// pair of its values; units with fewer values are not pairable and are left out) and `n` the
/// number of pairable values. Rows may differ in length (missing values). `None` when all
/// values are equal (the expected disagreement is 0).
pub fn krippendorff_alpha_nominal<U: AsRef<[u8]>>(units: &[U]) -> Option<f64> {
    let mut values: Vec<u8> = units
        .iter()
        .flat_map(|u| u.as_ref().iter().copied())
        .collect();
    values.sort_unstable();
    values.dedup();
    let idx = |v: u8| values.binary_search(&v).unwrap_or(0);
    let k = values.len();
    let mut o = vec![vec![0f64; k]; k];
    for u in units {
        let u = u.as_ref();
        let m = u.len();
        if m < 2 {
            continue;
        }
        for (i, a) in u.iter().enumerate() {
            for (j, b) in u.iter().enumerate() {
                if i != j {
                    o[idx(*a)][idx(*b)] += 1.0 / (m as f64 - 1.0);
                }
            }
        }
    }
    let n_c: Vec<f64> = o.iter().map(|row| row.iter().sum()).collect();
    let n: f64 = n_c.iter().sum();
    let mut observed = 0.0;
    let mut expected = 0.0;
    for c in 0..k {
        for kk in 0..k {
            if c != kk {
                observed += o[c][kk];
                expected += n_c[c] * n_c[kk];
            }
        }
    }
    if expected == 0.0 {
        return None;
    }
    Some(1.0 - (n - 1.0) * observed / expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha_perfect_agreement_is_one() {
        let units = [[1u8, 1], [0, 0], [1, 1], [0, 0]];
        assert_eq!(krippendorff_alpha_nominal(&units), Some(1.0));
    }

    #[test]
    fn alpha_matches_a_hand_computation() {
        // 10 units, two coders, binary. Pairs: (1,1)×3, (0,0)×4, (1,0)×2, (0,1)×1.
        // o_01 = o_10 = 3; n_1 = 2·3 + 3 = 9, n_0 = 2·4 + 3 = 11; n = 20.
        // alpha = 1 − 19 · 6 / (2 · 9 · 11) = 1 − 114/198.
        let mut units = vec![[1u8, 1]; 3];
        units.extend([[0, 0]; 4]);
        units.extend([[1, 0]; 2]);
        units.push([0, 1]);
        let a = krippendorff_alpha_nominal(&units).unwrap();
        assert!((a - (1.0 - 114.0 / 198.0)).abs() < 1e-12, "{a}");
    }

    #[test]
    fn alpha_matches_krippendorffs_nominal_example() {
        // Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the nominal
        // example with 3 coders and no missing data would need missing values; instead a
        // 3-coder case checked by hand: units (a,a,b), (b,b,b), (a,a,a), (a,b,b).
        // o_ab = o_ba = (2 + 2)/2 = 2; n_a = 6, n_b = 6, n = 12;
        // alpha = 1 − 11 · 4 / (2 · 36) = 1 − 44/72.
        let units = [[0u8, 0, 1], [1, 1, 1], [0, 0, 0], [0, 1, 1]];
        let a = krippendorff_alpha_nominal(&units).unwrap();
        assert!((a - (1.0 - 44.0 / 72.0)).abs() < 1e-12, "{a}");
    }

    #[test]
    fn alpha_is_undefined_without_variation() {
        assert_eq!(krippendorff_alpha_nominal(&[[0u8, 0], [0, 0]]), None);
    }

    #[test]
    fn systematic_disagreement_is_negative() {
        let units = [[0u8, 1], [1, 0], [0, 1], [1, 0]];
        assert!(krippendorff_alpha_nominal(&units).unwrap() < 0.0);
    }

    fn result(gold: &[&str], predicted: &[&str], dominant: Option<&str>) -> UnitResult {
        UnitResult {
            line: 1,
            name: "line 1".into(),
            lang: Lang::Zh,
            gold: gold.iter().map(|s| s.to_string()).collect(),
            predicted: predicted.iter().map(|s| s.to_string()).collect(),
            dominant: dominant.map(str::to_string),
            weighted_hits: BTreeMap::new(),
            coders: Vec::new(),
            place: None,
        }
    }

    #[test]
    fn precision_recall_f1_and_accuracy() {
        let r = report(vec![
            result(&["recognition"], &["recognition"], Some("recognition")),
            result(
                &["recognition"],
                &["balanced_power"],
                Some("balanced_power"),
            ),
            result(
                &["balanced_power"],
                &["balanced_power", "recognition"],
                Some("balanced_power"),
            ),
            result(&["balanced_power", "recognition"], &[], None),
        ]);
        let rec = &r.dimensions[1];
        assert_eq!(rec.dimension, "recognition");
        assert_eq!(
            (rec.true_positives, rec.false_positives, rec.false_negatives),
            (1, 1, 2)
        );
        assert!((rec.precision - 0.5).abs() < 1e-12);
        assert!((rec.recall - 1.0 / 3.0).abs() < 1e-12);
        assert!((rec.f1 - 0.4).abs() < 1e-12);
        assert_eq!(r.single_label_units, 3);
        assert!((r.dominant_accuracy.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.confusion["recognition"]["balanced_power"], 1);
        // Dimensions nobody codes have F1 0 and no alpha, and are left out of macro-F1.
        assert_eq!(r.dimensions[0].f1, 0.0);
        assert_eq!(r.dimensions[0].alpha, None);
        assert_eq!(r.macro_dimensions, ["recognition", "balanced_power"]);
        let expected_macro = (r.dimensions[1].f1 + r.dimensions[2].f1) / 2.0;
        assert!((r.macro_f1 - expected_macro).abs() < 1e-12);
    }

    #[test]
    fn human_agreement_and_per_coder_figures() {
        let mut rows = Vec::new();
        for (gold, pred, c1, c2) in [
            (
                &["recognition"][..],
                &["recognition"][..],
                &["recognition"][..],
                &["recognition"][..],
            ),
            (&["balanced_power"], &[], &["balanced_power"], &[]),
            (&[], &[], &[], &[]),
            (
                &["recognition"],
                &["recognition"],
                &["recognition"],
                &["balanced_power"],
            ),
        ] {
            let mut r = result(gold, pred, None);
            r.coders = vec![("coder1".into(), owned(c1)), ("coder2".into(), owned(c2))];
            rows.push(r);
        }
        let r = report(rows);
        assert_eq!(r.macro_dimensions, ["recognition", "balanced_power"]);
        // recognition perfect, balanced_power recall 0.
        assert!((r.macro_f1 - 0.5).abs() < 1e-12, "{}", r.macro_f1);
        assert_eq!(r.against_coders.len(), 2);
        assert_eq!(r.against_coders[0].reference, "coder1");
        let h = r.human_agreement.unwrap();
        assert_eq!(h.coders, ["coder1", "coder2"]);
        assert_eq!(h.pairs.len(), 1);
        // coder2 vs coder1: recognition P=1 R=0.5 → F1 2/3; balanced_power tp 0, fp 1, fn 1 → 0.
        let rec = &h.pairs[0].dimensions[1];
        assert!((rec.f1 - 2.0 / 3.0).abs() < 1e-12);
        assert!(h.alpha["recognition"].is_some());
    }

    #[test]
    fn alpha_allows_missing_values() {
        // A unit with one value is not pairable and changes nothing.
        let full: Vec<Vec<u8>> = vec![vec![1, 1], vec![0, 0], vec![1, 0]];
        let mut with_single = full.clone();
        with_single.push(vec![1]);
        assert_eq!(
            krippendorff_alpha_nominal(&full),
            krippendorff_alpha_nominal(&with_single)
        );
    }

    fn owned(l: &[&str]) -> Vec<String> {
        l.iter().map(|s| s.to_string()).collect()
    }
}
