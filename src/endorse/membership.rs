//! Membership facts: who was a member, an observer, a dialogue partner or an "SCO partner" of
//! the SCO on any date, and the names and short forms the texts use for each state
//! (`corpus/membership.tsv`, documented in `corpus/MEMBERSHIP.md`).

use super::TableError;
use crate::corpus::document::Lang;
use chrono::NaiveDate;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// The bundled membership table.
pub const BUNDLED_MEMBERSHIP: &str = include_str!("../../corpus/membership.tsv");

/// The status of a state in the SCO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Member,
    Observer,
    DialoguePartner,
    /// The status into which the 2025 Tianjin decision merged observers and dialogue partners.
    Partner,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Member,
        Status::Observer,
        Status::DialoguePartner,
        Status::Partner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Member => "member",
            Status::Observer => "observer",
            Status::DialoguePartner => "dialogue_partner",
            Status::Partner => "partner",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown status `{}` (expected member, observer, dialogue_partner or partner)",
                    s.trim()
                )
            })
    }
}

/// One state of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// ISO 3166-1 alpha-2 code, upper case (`KZ`).
    pub code: String,
    pub name_zh: String,
    pub name_ru: String,
    pub name_en: String,
    /// Other forms the texts use, per language (`哈方`, `Kazakh side`, `казахстанской
    /// стороны`); the full name is always a form too (see [`State::forms`]).
    pub forms_zh: Vec<String>,
    pub forms_ru: Vec<String>,
    pub forms_en: Vec<String>,
    /// Status changes in date order; each status lasts until the next one.
    pub statuses: Vec<(Status, NaiveDate)>,
    pub note: String,
}

impl State {
    /// The state's name in `lang`.
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.name_zh,
            Lang::Ru => &self.name_ru,
            Lang::En => &self.name_en,
        }
    }

    /// Every form of the state in `lang`, its name first.
    pub fn forms(&self, lang: Lang) -> impl Iterator<Item = &str> {
        let other = match lang {
            Lang::Zh => &self.forms_zh,
            Lang::Ru => &self.forms_ru,
            Lang::En => &self.forms_en,
        };
        std::iter::once(self.name(lang)).chain(other.iter().map(String::as_str))
    }

    /// The status on `date`, `None` before the first one.
    pub fn status_on(&self, date: NaiveDate) -> Option<Status> {
        self.statuses
            .iter()
            .take_while(|(_, since)| *since <= date)
            .last()
            .map(|(status, _)| *status)
    }

    /// Whether `text` names this state: its code or any of its forms in any language,
    /// compared without case.
    pub fn is_named(&self, text: &str) -> bool {
        let text = text.trim().to_lowercase();
        self.code.to_lowercase() == text
            || Lang::ALL
                .into_iter()
                .any(|lang| self.forms(lang).any(|f| f.to_lowercase() == text))
    }
}

/// The membership table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub states: Vec<State>,
}

const COLUMNS: [&str; 9] = [
    "code", "name_zh", "name_ru", "name_en", "forms_zh", "forms_ru", "forms_en", "statuses", "note",
];

impl Membership {
    /// The bundled table (`corpus/membership.tsv`).
    pub fn bundled() -> Membership {
        // The bundled file is checked by a unit test; an error here is a build defect.
        Membership::parse(BUNDLED_MEMBERSHIP, Path::new("corpus/membership.tsv"))
            .unwrap_or_else(|e| panic!("the bundled membership table is invalid: {e}"))
    }

    /// Reads a membership file.
    pub fn load(path: &Path) -> Result<Membership, TableError> {
        Membership::parse(&super::read_table(path)?, path)
    }

    /// Parses the tab-separated table (`#` lines are comments; the first other line is the
    /// header). Every error names `path`, the line and the field.
    pub fn parse(text: &str, path: &Path) -> Result<Membership, TableError> {
        let err = |line: usize, field: &str, message: String| TableError::Line {
            path: path.to_path_buf(),
            line,
            field: field.to_string(),
            message,
        };
        let lines = super::table_rows(text, path, &COLUMNS)?;
        let mut states: Vec<State> = Vec::new();
        for (line, row) in lines {
            let cells: Vec<&str> = row.split('\t').map(str::trim).collect();
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
            let code = cells[0].to_uppercase();
            if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(err(
                    line,
                    "code",
                    format!("`{}` is not a country code (letters, e.g. KZ)", cells[0]),
                ));
            }
            if states.iter().any(|s| s.code == code) {
                return Err(err(line, "code", format!("{code} is listed twice")));
            }
            for (i, name) in cells[1..4].iter().enumerate() {
                if name.is_empty() {
                    return Err(err(line, COLUMNS[i + 1], "the name is empty".into()));
                }
            }
            let forms = |cell: &str| -> Vec<String> {
                cell.split('|')
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(str::to_string)
                    .collect()
            };
            let statuses = parse_statuses(cells[7]).map_err(|m| err(line, "statuses", m))?;
            states.push(State {
                code,
                name_zh: cells[1].to_string(),
                name_ru: cells[2].to_string(),
                name_en: cells[3].to_string(),
                forms_zh: forms(cells[4]),
                forms_ru: forms(cells[5]),
                forms_en: forms(cells[6]),
                statuses,
                note: cells[8].to_string(),
            });
        }
        Ok(Membership { states })
    }

    /// The codes of the member states on `date`, in table order.
    pub fn members_on(&self, date: NaiveDate) -> Vec<&str> {
        self.with_status_on(Status::Member, date)
    }

    /// The codes of the states with `status` on `date`, in table order.
    pub fn with_status_on(&self, status: Status, date: NaiveDate) -> Vec<&str> {
        self.states
            .iter()
            .filter(|s| s.status_on(date) == Some(status))
            .map(|s| s.code.as_str())
            .collect()
    }

    pub fn state(&self, code: &str) -> Option<&State> {
        self.states.iter().find(|s| s.code == code)
    }

    /// The state named `text` (a code, a name or a form, any language, any case).
    pub fn find(&self, text: &str) -> Option<&State> {
        self.states.iter().find(|s| s.is_named(text))
    }
}

/// `member:2001-06-15;observer:...`: status changes in strictly increasing date order.
fn parse_statuses(cell: &str) -> Result<Vec<(Status, NaiveDate)>, String> {
    let mut out: Vec<(Status, NaiveDate)> = Vec::new();
    for part in cell.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((status, date)) = part.split_once(':') else {
            return Err(format!("`{part}` is not status:YYYY-MM-DD"));
        };
        let status: Status = status.parse()?;
        let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
            .map_err(|_| format!("`{}` is not a date (YYYY-MM-DD)", date.trim()))?;
        if let Some((_, last)) = out.last()
            && *last >= date
        {
            return Err(format!(
                "{status}:{date} does not come after {last}: list the statuses in date order"
            ));
        }
        out.push((status, date));
    }
    if out.is_empty() {
        return Err("no status (expected e.g. member:2001-06-15)".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_bundled_table_knows_who_the_members_were() {
        let m = Membership::bundled();
        assert_eq!(
            m.members_on(date("2001-06-15")),
            vec!["CN", "RU", "KZ", "KG", "TJ", "UZ"]
        );
        assert_eq!(m.members_on(date("2001-06-14")), Vec::<&str>::new());
        let in_2020 = m.members_on(date("2020-11-30"));
        assert_eq!(in_2020.len(), 8);
        assert!(in_2020.contains(&"IN") && in_2020.contains(&"PK"));
        assert!(!in_2020.contains(&"IR"));
        assert!(m.members_on(date("2023-07-04")).contains(&"IR"));
        assert!(!m.members_on(date("2024-07-03")).contains(&"BY"));
        assert_eq!(m.members_on(date("2024-07-04")).len(), 10);
        let by = m.state("BY").unwrap();
        assert_eq!(
            by.status_on(date("2010-01-01")),
            Some(Status::DialoguePartner)
        );
        assert_eq!(by.status_on(date("2016-01-01")), Some(Status::Observer));
        assert_eq!(
            m.state("MN").unwrap().status_on(date("2025-09-01")),
            Some(Status::Partner)
        );
        assert_eq!(m.find("哈方").map(|s| s.code.as_str()), Some("KZ"));
        assert_eq!(
            m.find("казахстанская сторона").map(|s| s.code.as_str()),
            Some("KZ")
        );
        assert_eq!(m.find("the Kazakh side"), None);
        assert_eq!(m.find("kazakh side").map(|s| s.code.as_str()), Some("KZ"));
        assert_eq!(m.find("in").map(|s| s.code.as_str()), Some("IN"));
    }

    const HEADER: &str =
        "code\tname_zh\tname_ru\tname_en\tforms_zh\tforms_ru\tforms_en\tstatuses\tnote\n";

    fn parse(rows: &str) -> Result<Membership, TableError> {
        Membership::parse(&format!("# comment\n{HEADER}{rows}"), Path::new("m.tsv"))
    }

    #[test]
    fn a_bad_date_names_the_line_and_field() {
        let e = parse(
            "KZ\t哈\tКаз\tKaz\t\t\t\tmember:2001-06-15\t\nXX\tx\tx\tx\t\t\t\tmember:2001-13-40\t\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("m.tsv") && e.contains("line 4") && e.contains("statuses"),
            "{e}"
        );
        assert!(e.contains("2001-13-40"), "{e}");
    }

    #[test]
    fn an_unknown_status_names_the_line() {
        let e = parse("KZ\t哈\tКаз\tKaz\t\t\t\tfriend:2001-06-15\t\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 3") && e.contains("unknown status `friend`"),
            "{e}"
        );
    }

    #[test]
    fn statuses_out_of_order_and_short_rows_are_refused() {
        let e = parse("KZ\t哈\tКаз\tKaz\t\t\t\tmember:2005-01-01;observer:2001-01-01\t\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("date order"), "{e}");
        let e = parse("KZ\t哈\n").unwrap_err().to_string();
        assert!(
            e.contains("line 3") && e.contains("2 tab-separated fields"),
            "{e}"
        );
        let e = Membership::parse("code\tname\n", Path::new("m.tsv"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1") && e.contains("header"), "{e}");
    }

    proptest! {
        #[test]
        fn parser_never_panics(s in "\\PC*") {
            let _ = Membership::parse(&s, Path::new("p.tsv"));
            let _ = parse(&s);
        }
    }
}
