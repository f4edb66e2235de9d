//! Validation of the coder against hand-coded gold files.
//!
//! A gold file is JSON Lines, one coding unit a line:
//! `{"text": "...", "labels": ["recognition", ...]}` (an optional `"lang"`; by default the
//! language is guessed from the script). Each unit is coded as one paragraph, and the coder's
//! labels are compared with the gold labels per dimension: precision, recall, F1, and
//! Krippendorff's alpha (nominal, two coders: the coder and the gold). For units with exactly
//! one gold label, the coder's dominant dimension is compared with it (accuracy).

use super::{Coder, DIMENSIONS, ParagraphCodes, document_from_text, segment_document};
use crate::corpus::document::Lang;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Errors of reading a gold file; they name the file and the line.
#[derive(Debug, thiserror::Error)]
pub enum GoldError {
    #[error("cannot read gold file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("gold file {path}, line {line}: {message}")]
    Line {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("gold file {0} has no units")]
    Empty(PathBuf),
}

/// One hand-coded unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldUnit {
    /// Line of the gold file (1-based).
    pub line: usize,
    pub text: String,
    pub labels: Vec<String>,
    pub lang: Lang,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnit {
    text: String,
    labels: Vec<String>,
    #[serde(default)]
    lang: Option<String>,
    /// Free-text provenance or comment; ignored.
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    source: Option<String>,
}

/// Reads a gold file. Blank lines are skipped; every other line must be a unit.
pub fn load_gold(path: &Path) -> Result<Vec<GoldUnit>, GoldError> {
    let text = std::fs::read_to_string(path).map_err(|source| GoldError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_gold(&text, path)
}

/// Parses gold JSON Lines; `path` only names the file in errors.
pub fn parse_gold(text: &str, path: &Path) -> Result<Vec<GoldUnit>, GoldError> {
    let err = |line: usize, message: String| GoldError::Line {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut units = Vec::new();
    for (i, raw_line) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw_line.trim().trim_start_matches('\u{FEFF}');
        if trimmed.is_empty() {
            continue;
        }
        let raw: RawUnit = serde_json::from_str(trimmed)
            .map_err(|e| err(line, format!("not a gold unit ({e})")))?;
        if raw.text.trim().is_empty() {
            return Err(err(line, "`text` is empty".into()));
        }
        let mut labels = Vec::new();
        for l in raw.labels {
            if !DIMENSIONS.contains(&l.as_str()) {
                return Err(err(
                    line,
                    format!(
                        "unknown label `{l}`; labels are dimension keys: {}",
                        DIMENSIONS.join(", ")
                    ),
                ));
            }
            if labels.contains(&l) {
                return Err(err(line, format!("label `{l}` is given twice")));
            }
            labels.push(l);
        }
        let lang = match raw.lang {
            Some(l) => l.parse::<Lang>().map_err(|m| err(line, m))?,
            None => crate::corpus::ingest::detect_lang(&raw.text),
        };
        units.push(GoldUnit {
            line,
            text: raw.text,
            labels,
            lang,
        });
    }
    if units.is_empty() {
        return Err(GoldError::Empty(path.to_path_buf()));
    }
    Ok(units)
}

/// Agreement figures of one dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionMetrics {
    pub dimension: String,
    /// Units whose gold labels include the dimension.
    pub support: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    /// 0 when the coder never codes the dimension.
    pub precision: f64,
    /// 0 when the gold never has the dimension.
    pub recall: f64,
    pub f1: f64,
    /// Krippendorff's alpha (nominal, coder vs gold); `None` when undefined (both coders give
    /// every unit the same value, so there is no variation to agree on).
    pub alpha: Option<f64>,
}

/// The coder's reading of one gold unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitResult {
    pub line: usize,
    pub gold: Vec<String>,
    pub predicted: Vec<String>,
    pub dominant: Option<String>,
    pub weighted_hits: BTreeMap<String, f64>,
}

/// Everything `scoway validate` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationReport {
    pub units: usize,
    pub dimensions: Vec<DimensionMetrics>,
    /// Mean of the five F1s.
    pub macro_f1: f64,
    /// Units with exactly one gold label.
    pub single_label_units: usize,
    /// Share of single-label units whose dominant dimension is the gold label; `None` without
    /// single-label units.
    pub dominant_accuracy: Option<f64>,
    /// Single-label units: gold label → predicted dominant (or `none`) → count.
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
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

/// Codes every unit and compares with the gold labels.
pub fn validate(coder: &Coder, units: &[GoldUnit]) -> ValidationReport {
    let results: Vec<UnitResult> = units
        .iter()
        .map(|u| {
            let codes = code_unit(coder, u);
            UnitResult {
                line: u.line,
                gold: u.labels.clone(),
                predicted: codes.as_ref().map(|c| c.labels.clone()).unwrap_or_default(),
                dominant: codes.as_ref().and_then(|c| c.dominant.clone()),
                weighted_hits: codes.map(|c| c.weighted_hits).unwrap_or_default(),
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

/// The figures for a set of unit results.
pub fn report(results: Vec<UnitResult>) -> ValidationReport {
    let mut dimensions = Vec::new();
    for d in DIMENSIONS {
        let pairs: Vec<(bool, bool)> = results
            .iter()
            .map(|r| {
                (
                    r.gold.iter().any(|l| l == d),
                    r.predicted.iter().any(|l| l == d),
                )
            })
            .collect();
        let tp = pairs.iter().filter(|(g, p)| *g && *p).count();
        let fp = pairs.iter().filter(|(g, p)| !*g && *p).count();
        let fn_ = pairs.iter().filter(|(g, p)| *g && !*p).count();
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        let coded: Vec<[u8; 2]> = pairs
            .iter()
            .map(|(g, p)| [u8::from(*g), u8::from(*p)])
            .collect();
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
    let macro_f1 = dimensions.iter().map(|m| m.f1).sum::<f64>() / dimensions.len() as f64;
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
        dimensions,
        macro_f1,
        single_label_units: single.len(),
        dominant_accuracy: (!single.is_empty()).then(|| ratio(correct, single.len())),
        confusion,
        results,
    }
}

/// Krippendorff's alpha for nominal data, every unit coded by the same coders, no missing
/// values: `1 − (n − 1) · Σ_{c≠k} o_ck / Σ_{c≠k} n_c · n_k`, with `o` the coincidence matrix
/// (each unit with m values adds 1/(m−1) for every ordered pair of its values) and `n` the
/// number of pairable values. `None` when all values are equal (the expected disagreement is 0).
pub fn krippendorff_alpha_nominal<const M: usize>(units: &[[u8; M]]) -> Option<f64> {
    if M < 2 {
        return None;
    }
    let mut values: Vec<u8> = units.iter().flatten().copied().collect();
    values.sort_unstable();
    values.dedup();
    let idx = |v: u8| values.binary_search(&v).unwrap_or(0);
    let k = values.len();
    let mut o = vec![vec![0f64; k]; k];
    for u in units {
        for (i, a) in u.iter().enumerate() {
            for (j, b) in u.iter().enumerate() {
                if i != j {
                    o[idx(*a)][idx(*b)] += 1.0 / (M as f64 - 1.0);
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
            gold: gold.iter().map(|s| s.to_string()).collect(),
            predicted: predicted.iter().map(|s| s.to_string()).collect(),
            dominant: dominant.map(str::to_string),
            weighted_hits: BTreeMap::new(),
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
        // Dimensions nobody codes have F1 0 and no alpha.
        assert_eq!(r.dimensions[0].f1, 0.0);
        assert_eq!(r.dimensions[0].alpha, None);
        let expected_macro = r.dimensions.iter().map(|d| d.f1).sum::<f64>() / 5.0;
        assert!((r.macro_f1 - expected_macro).abs() < 1e-12);
    }

    #[test]
    fn gold_errors_name_file_and_line() {
        let path = Path::new("gold.jsonl");
        let ok = "{\"text\": \"安全合作\", \"labels\": [\"security_spillover\"]}\n";
        let units = parse_gold(&format!("{ok}\n{ok}"), path).unwrap();
        assert_eq!(units.len(), 2);
        assert_eq!(units[1].line, 3);
        assert_eq!(units[0].lang, Lang::Zh);
        for (bad, line, what) in [
            (format!("{ok}{{\"text\": \"x\"}}\n"), 2, "not a gold unit"),
            (format!("{ok}{ok}not json\n"), 3, "not a gold unit"),
            (
                "{\"text\": \"x\", \"labels\": [\"security\"]}\n".to_string(),
                1,
                "unknown label `security`",
            ),
            (
                "{\"text\": \" \", \"labels\": []}\n".to_string(),
                1,
                "empty",
            ),
        ] {
            let e = parse_gold(&bad, path).unwrap_err().to_string();
            assert!(e.contains("gold.jsonl"), "{e}");
            assert!(e.contains(&format!("line {line}")), "{e}");
            assert!(e.contains(what), "{e}");
        }
        assert!(matches!(parse_gold("\n\n", path), Err(GoldError::Empty(_))));
    }
}
