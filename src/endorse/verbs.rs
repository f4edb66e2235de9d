//! The endorsement verbs and their grades (`corpus/endorse/verbs.tsv`, editable by users).

use super::TableError;
use crate::corpus::document::Lang;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::str::FromStr;

/// The bundled verb table.
pub const BUNDLED_VERBS: &str = include_str!("../../corpus/endorse/verbs.tsv");

/// The class of a grade used by `trends --strength`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    Strong,
    Moderate,
    Weak,
}

impl Strength {
    pub fn as_str(self) -> &'static str {
        match self {
            Strength::Strong => "strong",
            Strength::Moderate => "moderate",
            Strength::Weak => "weak",
        }
    }
}

impl FromStr for Strength {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "strong" => Ok(Strength::Strong),
            "moderate" => Ok(Strength::Moderate),
            "weak" => Ok(Strength::Weak),
            other => Err(format!(
                "unknown strength `{other}` (expected strong, moderate or weak)"
            )),
        }
    }
}

/// One verb (or verb phrase) of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verb {
    pub lang: Lang,
    /// The phrase as written in the texts (matched without case for ru and en).
    pub phrase: String,
    /// 1 (weakest, "note") to 9; the bundled table uses 1–5.
    pub grade: u8,
    /// A key shared by the equivalents of the three languages (`reaffirm_support`).
    pub label: String,
    pub strength: Strength,
    /// Cues of which one must follow the verb in its sentence (`强调` counts only with
    /// `重要意义` after it); empty: none needed.
    pub requires: Vec<String>,
    /// What, right after the verb, means it is not an endorsement (`在…支持下`).
    pub unless: Vec<String>,
}

/// The verb table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerbTable {
    pub verbs: Vec<Verb>,
}

const COLUMNS: [&str; 7] = [
    "lang", "verb", "grade", "label", "strength", "requires", "unless",
];

impl VerbTable {
    /// The bundled table (`corpus/endorse/verbs.tsv`).
    pub fn bundled() -> VerbTable {
        // Checked by a unit test; an error here is a build defect.
        VerbTable::parse(BUNDLED_VERBS, Path::new("corpus/endorse/verbs.tsv"))
            .unwrap_or_else(|e| panic!("the bundled verb table is invalid: {e}"))
    }

    pub fn load(path: &Path) -> Result<VerbTable, TableError> {
        VerbTable::parse(&super::read_table(path)?, path)
    }

    /// Parses the tab-separated table; every error names `path`, the line and the field.
    pub fn parse(text: &str, path: &Path) -> Result<VerbTable, TableError> {
        let err = |line: usize, field: &str, message: String| TableError::Line {
            path: path.to_path_buf(),
            line,
            field: field.to_string(),
            message,
        };
        let lines = super::table_rows(text, path, &COLUMNS)?;
        let mut verbs: Vec<Verb> = Vec::new();
        for (line, row) in lines {
            let mut cells: Vec<&str> = row.split('\t').map(str::trim).collect();
            // Trailing empty optional columns may be left out.
            while cells.len() < COLUMNS.len() && cells.len() >= 5 {
                cells.push("");
            }
            if cells.len() != COLUMNS.len() {
                return Err(err(
                    line,
                    "row",
                    format!(
                        "{} tab-separated fields, expected {}",
                        cells.len(),
                        COLUMNS.len()
                    ),
                ));
            }
            let lang: Lang = cells[0].parse().map_err(|m| err(line, "lang", m))?;
            let phrase = fold_spaces(cells[1]);
            if phrase.is_empty() {
                return Err(err(line, "verb", "the verb is empty".into()));
            }
            let grade: u8 = cells[2]
                .parse()
                .ok()
                .filter(|g| (1..=9).contains(g))
                .ok_or_else(|| {
                    err(
                        line,
                        "grade",
                        format!("`{}` is not a grade from 1 to 9", cells[2]),
                    )
                })?;
            let label = cells[3].to_string();
            if label.is_empty() || label.contains(char::is_whitespace) {
                return Err(err(
                    line,
                    "label",
                    format!("`{label}` is not a one-word label"),
                ));
            }
            let strength: Strength = cells[4].parse().map_err(|m| err(line, "strength", m))?;
            let list = |cell: &str| -> Vec<String> {
                cell.split('|')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(|c| lower(lang, c))
                    .collect()
            };
            let phrase = lower(lang, &phrase);
            if verbs.iter().any(|v| v.lang == lang && v.phrase == phrase) {
                return Err(err(
                    line,
                    "verb",
                    format!("`{phrase}` ({lang}) is listed twice"),
                ));
            }
            verbs.push(Verb {
                lang,
                phrase,
                grade,
                label,
                strength,
                requires: list(cells[5]),
                unless: list(cells[6]),
            });
        }
        Ok(VerbTable { verbs })
    }

    /// The verbs of `lang`.
    pub fn of(&self, lang: Lang) -> impl Iterator<Item = &Verb> {
        self.verbs.iter().filter(move |v| v.lang == lang)
    }
}

fn fold_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Russian and English are matched without case; Chinese as written.
fn lower(lang: Lang, s: &str) -> String {
    match lang {
        Lang::Zh => s.to_string(),
        Lang::Ru | Lang::En => super::extract::fold_case(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_bundled_table_grades_the_verbs_of_the_three_languages() {
        let t = VerbTable::bundled();
        let grade = |lang: Lang, phrase: &str| {
            t.of(lang)
                .find(|v| v.phrase == phrase)
                .map(|v| v.grade)
                .unwrap_or_else(|| panic!("{phrase} missing"))
        };
        assert!(grade(Lang::Zh, "重申支持") > grade(Lang::Zh, "支持"));
        assert!(grade(Lang::Zh, "支持") > grade(Lang::Zh, "欢迎"));
        assert!(grade(Lang::Zh, "欢迎") > grade(Lang::Zh, "高度评价"));
        assert_eq!(grade(Lang::Zh, "肯定"), grade(Lang::Zh, "高度评价"));
        assert!(grade(Lang::Zh, "肯定") > grade(Lang::Zh, "注意到"));
        assert_eq!(
            grade(Lang::Ru, "вновь подтверждают поддержку"),
            grade(Lang::Zh, "重申支持")
        );
        assert_eq!(
            grade(Lang::Ru, "принимают к сведению"),
            grade(Lang::Zh, "注意到")
        );
        assert_eq!(grade(Lang::En, "take note of"), grade(Lang::Zh, "注意到"));
        assert_eq!(
            grade(Lang::En, "reaffirm their support for"),
            grade(Lang::Zh, "重申支持")
        );
        // Every label has one grade in every language.
        for v in &t.verbs {
            for lang in Lang::ALL {
                let same: Vec<u8> = t
                    .of(lang)
                    .filter(|w| w.label == v.label)
                    .map(|w| w.grade)
                    .collect();
                assert!(!same.is_empty(), "{} has no {lang} equivalent", v.label);
                assert!(
                    same.iter().all(|g| *g == v.grade),
                    "{} graded twice",
                    v.label
                );
            }
        }
    }

    const HEADER: &str = "lang\tverb\tgrade\tlabel\tstrength\trequires\tunless\n";

    #[test]
    fn bad_rows_name_line_and_field() {
        let parse = |rows: &str| {
            VerbTable::parse(&format!("{HEADER}{rows}"), Path::new("v.tsv"))
                .unwrap_err()
                .to_string()
        };
        let e = parse("zh\t支持\t4\tsupport\tstrong\nzh\t欢迎\tten\twelcome\tmoderate\n");
        assert!(
            e.contains("v.tsv") && e.contains("line 3") && e.contains("grade"),
            "{e}"
        );
        let e = parse("xx\t支持\t4\tsupport\tstrong\n");
        assert!(e.contains("line 2") && e.contains("lang"), "{e}");
        let e = parse("en\tsupport\t4\tsupport\tvery\n");
        assert!(e.contains("strength") && e.contains("very"), "{e}");
        let e = parse("en\tSupport\t4\tsupport\tstrong\nen\tsupport\t3\tsupport\tstrong\n");
        assert!(e.contains("twice"), "{e}");
    }

    #[test]
    fn optional_columns_may_be_left_out() {
        let t = VerbTable::parse(
            &format!("{HEADER}en\tTake  note of\t1\tnote\tweak\n"),
            Path::new("v"),
        )
        .unwrap();
        assert_eq!(t.verbs[0].phrase, "take note of");
        assert!(t.verbs[0].requires.is_empty());
    }

    proptest! {
        #[test]
        fn parser_never_panics(s in "\\PC*") {
            let _ = VerbTable::parse(&s, Path::new("p.tsv"));
            let _ = VerbTable::parse(&format!("{HEADER}{s}"), Path::new("p.tsv"));
        }
    }
}
