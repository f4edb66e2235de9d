//! Gold files: hand-coded units for [`validate`](super::validate).
//!
//! A gold file is JSON Lines, one coding unit a line:
//!
//! ```json
//! {"text": "...", "labels": ["recognition"], "coder1": ["recognition"], "coder2": []}
//! ```
//!
//! - `text` and `labels` are required: `labels` is the reference set (adjudicated where the
//!   coders differ), a list of dimension keys, possibly empty.
//! - `coder1`, `coder2`, ... (any `coder` followed by digits) are the label sets of individual
//!   human coders, optional; when one unit has them, every unit must have the same coders, so
//!   that their agreement is computed over the same units.
//! - `lang` (`zh`, `ru`, `en`) is optional; by default it is guessed from the script.
//! - `doc`, `para`, `id`, `note` and `source` name or comment the unit and are kept for reports.
//!
//! This is the shared format of `../shared/gold/real/` and loads as it is.

use super::DIMENSIONS;
use crate::corpus::document::Lang;
use serde::Serialize;
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoldUnit {
    /// Line of the gold file (1-based).
    pub line: usize,
    pub text: String,
    /// The reference labels (adjudicated where the coders differ).
    pub labels: Vec<String>,
    pub lang: Lang,
    /// Label sets of the individual coders, in the order of their names (`coder1`, `coder2`, ...).
    pub coders: Vec<(String, Vec<String>)>,
    /// The document and paragraph the unit comes from, when the file says so.
    pub doc: Option<String>,
    pub para: Option<u64>,
}

impl GoldUnit {
    /// A short name of the unit for reports: `doc ¶para`, else `line N`.
    pub fn name(&self) -> String {
        match (&self.doc, self.para) {
            (Some(d), Some(p)) => format!("{d} ¶{p}"),
            _ => format!("line {}", self.line),
        }
    }
}

/// Reads a gold file. Blank lines are skipped; every other line must be a unit.
pub fn load_gold(path: &Path) -> Result<Vec<GoldUnit>, GoldError> {
    let text = std::fs::read_to_string(path).map_err(|source| GoldError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_gold(&text, path)
}

/// Whether `key` names a coder's label set: `coder` followed by one or more digits.
fn is_coder_key(key: &str) -> bool {
    key.strip_prefix("coder")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Sort key of a coder name: `coder2` before `coder10`.
fn coder_order(key: &str) -> (usize, String) {
    (key.len(), key.to_string())
}

fn label_set(value: &serde_json::Value, field: &str) -> Result<Vec<String>, String> {
    let items = value
        .as_array()
        .ok_or_else(|| format!("`{field}` must be a list of dimension keys"))?;
    let mut labels = Vec::with_capacity(items.len());
    for item in items {
        let l = item
            .as_str()
            .ok_or_else(|| format!("`{field}` holds {item}, not a dimension key"))?;
        if !DIMENSIONS.contains(&l) {
            return Err(format!(
                "unknown label `{l}` in `{field}`; labels are dimension keys: {}",
                DIMENSIONS.join(", ")
            ));
        }
        if labels.iter().any(|x: &String| x == l) {
            return Err(format!("label `{l}` is given twice in `{field}`"));
        }
        labels.push(l.to_string());
    }
    Ok(labels)
}

fn parse_unit(line: usize, json: &str) -> Result<GoldUnit, String> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("not a gold unit ({e})"))?;
    let obj = value
        .as_object()
        .ok_or_else(|| "not a gold unit (a JSON object is expected)".to_string())?;
    let mut text = None;
    let mut labels = None;
    let mut lang = None;
    let mut coders = Vec::new();
    let mut doc = None;
    let mut para = None;
    for (key, v) in obj {
        match key.as_str() {
            "text" => {
                let t = v.as_str().ok_or("`text` must be a string")?;
                text = Some(t.to_string());
            }
            "labels" => labels = Some(label_set(v, "labels")?),
            "lang" => {
                let l = v.as_str().ok_or("`lang` must be a string")?;
                lang = Some(l.parse::<Lang>()?);
            }
            "doc" | "id" => doc = v.as_str().map(str::to_string).or(Some(v.to_string())),
            "para" => para = v.as_u64(),
            "note" | "source" => {}
            k if is_coder_key(k) => coders.push((k.to_string(), label_set(v, k)?)),
            k => {
                return Err(format!(
                    "unknown field `{k}`; a unit has text, labels, coder1, coder2, ..., lang, \
                     doc, para, note, source"
                ));
            }
        }
    }
    let text = text.ok_or("missing field `text`")?;
    if text.trim().is_empty() {
        return Err("`text` is empty".into());
    }
    let labels = labels.ok_or("missing field `labels`")?;
    coders.sort_by_key(|(k, _)| coder_order(k));
    let lang = lang.unwrap_or_else(|| crate::corpus::ingest::detect_lang(&text));
    Ok(GoldUnit {
        line,
        text,
        labels,
        lang,
        coders,
        doc,
        para,
    })
}

/// Parses gold JSON Lines; `path` only names the file in errors.
pub fn parse_gold(text: &str, path: &Path) -> Result<Vec<GoldUnit>, GoldError> {
    let err = |line: usize, message: String| GoldError::Line {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut units: Vec<GoldUnit> = Vec::new();
    for (i, raw_line) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw_line.trim().trim_start_matches('\u{FEFF}');
        if trimmed.is_empty() {
            continue;
        }
        let unit = parse_unit(line, trimmed).map_err(|m| err(line, m))?;
        if let Some(first) = units.first() {
            let names = |u: &GoldUnit| u.coders.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
            let (want, got) = (names(first), names(&unit));
            if want != got {
                return Err(err(
                    line,
                    format!(
                        "the unit has coders [{}] but line {} has [{}]: every unit needs the \
                         same coders",
                        got.join(", "),
                        first.line,
                        want.join(", ")
                    ),
                ));
            }
        }
        units.push(unit);
    }
    if units.is_empty() {
        return Err(GoldError::Empty(path.to_path_buf()));
    }
    Ok(units)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn gold_errors_name_file_and_line() {
        let path = Path::new("gold.jsonl");
        let ok = "{\"text\": \"安全合作\", \"labels\": [\"security_spillover\"]}\n";
        let units = parse_gold(&format!("{ok}\n{ok}"), path).unwrap();
        assert_eq!(units.len(), 2);
        assert_eq!(units[1].line, 3);
        assert_eq!(units[0].lang, Lang::Zh);
        for (bad, line, what) in [
            (format!("{ok}{{\"text\": \"x\"}}\n"), 2, "missing field `labels`"),
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
            (
                "{\"text\": \"x\", \"labels\": [], \"coderA\": []}\n".to_string(),
                1,
                "unknown field `coderA`",
            ),
            (
                "{\"text\": \"x\", \"labels\": [], \"coder1\": [\"recognition\", \"recognition\"]}\n"
                    .to_string(),
                1,
                "twice in `coder1`",
            ),
            (
                format!("{{\"text\": \"x\", \"labels\": [], \"coder1\": []}}\n{ok}"),
                2,
                "same coders",
            ),
        ] {
            let e = parse_gold(&bad, path).unwrap_err().to_string();
            assert!(e.contains("gold.jsonl"), "{e}");
            assert!(e.contains(&format!("line {line}")), "{e}");
            assert!(e.contains(what), "{what}: {e}");
        }
        assert!(matches!(parse_gold("\n\n", path), Err(GoldError::Empty(_))));
    }

    #[test]
    fn shared_format_with_coders_loads() {
        let line = r#"{"doc": "chg-2020-communique", "para": 19, "text": "成员国重申支持", "labels": ["balanced_power"], "coder10": [], "coder2": ["networked_circles"], "coder1": ["balanced_power"]}"#;
        let units = parse_gold(line, Path::new("g.jsonl")).unwrap();
        let u = &units[0];
        assert_eq!(u.doc.as_deref(), Some("chg-2020-communique"));
        assert_eq!(u.para, Some(19));
        assert_eq!(u.name(), "chg-2020-communique ¶19");
        let names: Vec<&str> = u.coders.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["coder1", "coder2", "coder10"]);
        assert_eq!(u.coders[1].1, ["networked_circles"]);
    }

    proptest! {
        #[test]
        fn parsing_never_panics(s in "\\PC{0,200}") {
            let _ = parse_gold(&s, Path::new("p.jsonl"));
        }

        #[test]
        fn written_units_read_back(
            labels in proptest::sample::subsequence(DIMENSIONS.to_vec(), 0..=5),
            coder in proptest::sample::subsequence(DIMENSIONS.to_vec(), 0..=5),
            text in "[a-z安全合作 ]{1,30}",
        ) {
            prop_assume!(!text.trim().is_empty());
            let line = serde_json::json!({"text": text, "labels": labels, "coder1": coder});
            let units = parse_gold(&line.to_string(), Path::new("p.jsonl")).unwrap();
            prop_assert_eq!(&units[0].labels, &labels.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            prop_assert_eq!(&units[0].coders[0].1, &coder.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        }
    }
}
