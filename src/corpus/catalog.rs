//! The document catalogue: one row per SCO summit document (facts and source URLs, no text).
//!
//! The bundled catalogue is `corpus/catalog.tsv` (see `docs/fetching.md` for the
//! columns and how the rows were confirmed). [`Catalog::load`] reads another file with the
//! same columns, and [`Catalog::merge`] lays its rows over another catalogue's (users add
//! rows, e.g. of a summit after the release, without editing the installed files).
//!
//! Only what the tool needs fails a row, with an error naming the file, line and field: the
//! id, the date and the body. Anything else a user may get wrong is kept with a warning
//! ([`Catalog::warnings`]): a `confirmed_by` cell of free text (a note, not a URL), an unknown
//! document type, a meeting number that is not a number (dropped), a malformed source URL
//! (fetching that URL fails, with the same message).

use super::document::{DocKey, DocMeta, Lang, validate_id};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The bundled catalogue, compiled into the binary.
pub const BUNDLED_TSV: &str = include_str!("../../corpus/catalog.tsv");

/// Columns a catalogue file must have (in any order; other columns are ignored).
pub const REQUIRED_COLUMNS: [&str; 13] = [
    "id",
    "date",
    "body",
    "meeting_no",
    "city",
    "host_country",
    "doc_type",
    "title_zh",
    "title_en",
    "url_zh",
    "url_en",
    "url_ru",
    "confirmed_by",
];

/// Bodies a row may name.
pub const BODIES: [&str; 2] = ["CHS", "CHG"];
/// Document types a row may name.
pub const DOC_TYPES: [&str; 3] = ["declaration", "communique", "statement"];

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read catalogue {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("catalogue {path}: the header lacks column `{column}` (expected: {expected})", expected = REQUIRED_COLUMNS.join(", "))]
    MissingColumn { path: PathBuf, column: String },
    #[error("catalogue {path}: the header has column `{column}` twice")]
    DuplicateColumn { path: PathBuf, column: String },
    #[error("catalogue {path}, line {line}: {found} tab-separated fields, expected {expected}")]
    FieldCount {
        path: PathBuf,
        line: usize,
        found: usize,
        expected: usize,
    },
    #[error("catalogue {path}, line {line}, field `{field}`: {message}")]
    Field {
        path: PathBuf,
        line: usize,
        field: String,
        message: String,
    },
    #[error("catalogue {path}, line {line}: id `{id}` is already used on line {first_line}")]
    DuplicateId {
        path: PathBuf,
        line: usize,
        id: String,
        first_line: usize,
    },
    #[error("catalogue {path} has no rows")]
    Empty { path: PathBuf },
}

/// Where a catalogue row came from, for messages.
fn place(path: &Path, line: usize) -> String {
    format!("catalogue {}, line {line}", path.display())
}

/// One catalogue row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CatalogEntry {
    pub id: String,
    pub date: NaiveDate,
    /// `CHS` or `CHG`.
    pub body: String,
    pub meeting_no: Option<u32>,
    pub city: Option<String>,
    pub host_country: Option<String>,
    /// `declaration`, `communique` or `statement`.
    pub doc_type: String,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub url_zh: Option<String>,
    pub url_en: Option<String>,
    pub url_ru: Option<String>,
    /// Addresses of the pages that confirmed the row (empty when unconfirmed).
    pub confirmed_by: Vec<String>,
    /// A `confirmed_by` cell that is not a list of URLs (e.g. "press release, 2026-07-05"),
    /// kept as the user wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed_note: Option<String>,
    /// File of the row.
    #[serde(skip)]
    pub file: PathBuf,
    /// Line of the row in its file (1-based).
    #[serde(skip)]
    pub line: usize,
}

impl CatalogEntry {
    /// Source URL of the document's text in `lang`, if the catalogue has one.
    pub fn url(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::Zh => self.url_zh.as_deref(),
            Lang::En => self.url_en.as_deref(),
            Lang::Ru => self.url_ru.as_deref(),
        }
    }

    /// The source URL in `lang`, checked: `Err` says (file, line, field) why it cannot be
    /// fetched; `Ok(None)` when the catalogue has none.
    pub fn checked_url(&self, lang: Lang) -> Result<Option<&str>, String> {
        match self.url(lang) {
            None => Ok(None),
            Some(url) => check_url(url).map(|()| Some(url)).map_err(|m| {
                format!(
                    "{}, field `url_{}`: {m}",
                    place(&self.file, self.line),
                    lang.as_str()
                )
            }),
        }
    }

    /// Languages with a source URL, in the order zh, ru, en.
    pub fn langs(&self) -> Vec<Lang> {
        Lang::ALL
            .into_iter()
            .filter(|l| self.url(*l).is_some())
            .collect()
    }

    /// Store key of the `lang` version: the catalogue id and the language (the language
    /// versions of a document are its parallel versions, one id).
    pub fn key(&self, lang: Lang) -> DocKey {
        DocKey::new(self.id.clone(), lang)
    }

    /// The catalogue title in `lang`: `title_zh` for Chinese, `title_en` for English and
    /// Russian (the catalogue has no Russian titles), each falling back to the other.
    pub fn title(&self, lang: Lang) -> &str {
        let (first, second) = match lang {
            Lang::Zh => (&self.title_zh, &self.title_en),
            Lang::En | Lang::Ru => (&self.title_en, &self.title_zh),
        };
        first
            .as_deref()
            .or(second.as_deref())
            .unwrap_or(self.id.as_str())
    }

    /// Metadata of the `lang` version of this document.
    pub fn meta(&self, lang: Lang) -> DocMeta {
        DocMeta {
            id: self.id.clone(),
            date: self.date,
            body: self.body.clone(),
            doc_type: self.doc_type.clone(),
            lang,
            title: self.title(lang).to_string(),
            source_url: self.url(lang).map(str::to_string),
            meeting_no: self.meeting_no,
            city: self.city.clone(),
            script: Default::default(),
        }
    }
}

/// A validated catalogue, in file order (rows merged from another file follow, or replace
/// the row of the same id in place).
#[derive(Debug, Clone)]
pub struct Catalog {
    entries: Vec<CatalogEntry>,
    by_id: HashMap<String, usize>,
    source: PathBuf,
    /// Every file merged in, in order (the first is `source`).
    sources: Vec<PathBuf>,
    warnings: Vec<String>,
}

impl Catalog {
    /// Reads and validates a catalogue file.
    pub fn load(path: &Path) -> Result<Catalog, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Catalog::parse(&text, path)
    }

    /// The catalogue bundled with the program (`corpus/catalog.tsv`).
    pub fn bundled() -> Catalog {
        // Validated by the `bundled_catalogue_is_valid` test: failing here is a build defect.
        Catalog::parse(BUNDLED_TSV, Path::new("corpus/catalog.tsv"))
            .unwrap_or_else(|e| panic!("the bundled catalogue is invalid: {e}"))
    }

    /// Parses catalogue text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Catalog, CatalogError> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
            .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
        let Some((_, header)) = lines.next() else {
            return Err(CatalogError::Empty {
                path: path.to_path_buf(),
            });
        };
        let header: Vec<&str> = header.trim_start_matches('\u{feff}').split('\t').collect();
        let mut col: HashMap<&str, usize> = HashMap::new();
        for (i, name) in header.iter().enumerate() {
            let name = name.trim();
            if col.insert(name, i).is_some() {
                return Err(CatalogError::DuplicateColumn {
                    path: path.to_path_buf(),
                    column: name.to_string(),
                });
            }
        }
        for required in REQUIRED_COLUMNS {
            if !col.contains_key(required) {
                return Err(CatalogError::MissingColumn {
                    path: path.to_path_buf(),
                    column: required.to_string(),
                });
            }
        }

        let mut entries = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        let mut warnings = Vec::new();
        for (line, row) in lines {
            let fields: Vec<&str> = row.split('\t').collect();
            if fields.len() != header.len() {
                return Err(CatalogError::FieldCount {
                    path: path.to_path_buf(),
                    line,
                    found: fields.len(),
                    expected: header.len(),
                });
            }
            let row = Row {
                path,
                line,
                fields: &fields,
                col: &col,
            };
            let entry = row.entry(&mut warnings)?;
            if let Some(&first) = by_id.get(&entry.id) {
                return Err(CatalogError::DuplicateId {
                    path: path.to_path_buf(),
                    line,
                    id: entry.id,
                    first_line: entries.get(first).map_or(0, |e: &CatalogEntry| e.line),
                });
            }
            by_id.insert(entry.id.clone(), entries.len());
            entries.push(entry);
        }
        if entries.is_empty() {
            return Err(CatalogError::Empty {
                path: path.to_path_buf(),
            });
        }
        Ok(Catalog {
            entries,
            by_id,
            source: path.to_path_buf(),
            sources: vec![path.to_path_buf()],
            warnings,
        })
    }

    /// Lays the rows of `other` over this catalogue: a row whose id is already here replaces
    /// it (with a note in [`Catalog::warnings`]), the others are added after the rows here.
    pub fn merge(&mut self, other: Catalog) {
        self.warnings.extend(other.warnings);
        self.sources.extend(other.sources);
        for entry in other.entries {
            match self.by_id.get(&entry.id).copied() {
                Some(i) => {
                    if let Some(old) = self.entries.get_mut(i) {
                        self.warnings.push(format!(
                            "{}: `{}` replaces the row of the same id in {}, line {}",
                            place(&entry.file, entry.line),
                            entry.id,
                            old.file.display(),
                            old.line
                        ));
                        *old = entry;
                    }
                }
                None => {
                    self.by_id.insert(entry.id.clone(), self.entries.len());
                    self.entries.push(entry);
                }
            }
        }
    }

    /// Problems that did not stop the catalogue from loading (see the module docs), and
    /// rows replaced by [`Catalog::merge`], each naming its file and line.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Every file of this catalogue, in the order merged.
    pub fn sources(&self) -> &[PathBuf] {
        &self.sources
    }

    /// The files of this catalogue, for messages: `a.tsv + b.tsv`.
    pub fn describe_sources(&self) -> String {
        self.sources
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" + ")
    }

    /// The row with this id. A language suffix (`<id>.en`) is accepted too.
    pub fn get(&self, id: &str) -> Option<&CatalogEntry> {
        self.by_id
            .get(id)
            .or_else(|| {
                let (base, lang) = id.rsplit_once('.')?;
                lang.parse::<Lang>().ok()?;
                self.by_id.get(base)
            })
            .and_then(|&i| self.entries.get(i))
    }

    /// Metadata for a document-store id (`<id>` or `<id>.<lang>`) in `lang`, with the id
    /// kept as given: the lookup the ingest stage uses for files named after catalogue ids.
    pub fn meta_for(&self, id: &str, lang: Lang) -> Option<DocMeta> {
        let entry = self.get(id)?;
        let mut meta = entry.meta(lang);
        meta.id = id.to_string();
        Some(meta)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, CatalogEntry> {
        self.entries.iter()
    }

    pub fn entries(&self) -> &[CatalogEntry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The file the catalogue was first read from (see [`Catalog::sources`] for all).
    pub fn source(&self) -> &Path {
        &self.source
    }
}

impl<'a> IntoIterator for &'a Catalog {
    type Item = &'a CatalogEntry;
    type IntoIter = std::slice::Iter<'a, CatalogEntry>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

/// One data line, with the header's column positions.
struct Row<'a> {
    path: &'a Path,
    line: usize,
    fields: &'a [&'a str],
    col: &'a HashMap<&'a str, usize>,
}

impl Row<'_> {
    fn get(&self, name: &str) -> &str {
        self.col
            .get(name)
            .and_then(|&i| self.fields.get(i))
            .map_or("", |s| s.trim())
    }

    fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name))
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }

    fn err(&self, field: &str, message: impl fmt::Display) -> CatalogError {
        CatalogError::Field {
            path: self.path.to_path_buf(),
            line: self.line,
            field: field.to_string(),
            message: message.to_string(),
        }
    }

    fn warn(&self, warnings: &mut Vec<String>, field: &str, message: impl fmt::Display) {
        warnings.push(format!(
            "{}, field `{field}`: {message}",
            place(self.path, self.line)
        ));
    }

    /// A source URL. A malformed one is kept (fetching it fails, saying why) with a warning:
    /// the row's other languages and its metadata stay usable.
    fn url(&self, field: &str, warnings: &mut Vec<String>) -> Option<String> {
        let raw = self.opt(field)?;
        if let Err(m) = check_url(&raw) {
            self.warn(warnings, field, format!("{m}; it cannot be fetched"));
        }
        Some(raw)
    }

    fn entry(&self, warnings: &mut Vec<String>) -> Result<CatalogEntry, CatalogError> {
        let id = self.get("id").to_string();
        validate_id(&id).map_err(|m| self.err("id", m))?;

        let date_raw = self.get("date");
        let date = NaiveDate::parse_from_str(date_raw, "%Y-%m-%d")
            .ok()
            .filter(|_| date_raw.len() == 10)
            .ok_or_else(|| {
                self.err(
                    "date",
                    format!("`{date_raw}` is not an ISO date (YYYY-MM-DD)"),
                )
            })?;

        let body = self.get("body").to_string();
        if !BODIES.contains(&body.as_str()) {
            return Err(self.err(
                "body",
                format!("unknown body `{body}` (expected {})", BODIES.join(" or ")),
            ));
        }
        let doc_type = self.get("doc_type").to_string();
        if doc_type.is_empty() {
            return Err(self.err(
                "doc_type",
                format!("empty (expected one of {})", DOC_TYPES.join(", ")),
            ));
        }
        if !DOC_TYPES.contains(&doc_type.as_str()) {
            self.warn(
                warnings,
                "doc_type",
                format!(
                    "unknown document type `{doc_type}` (known: {}); kept as written",
                    DOC_TYPES.join(", ")
                ),
            );
        }
        let meeting_no = match self.opt("meeting_no") {
            None => None,
            Some(raw) => match raw.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    self.warn(
                        warnings,
                        "meeting_no",
                        format!("`{raw}` is not a whole number; left empty"),
                    );
                    None
                }
            },
        };
        let (confirmed_by, confirmed_note) = match self.get("confirmed_by") {
            "" | "unconfirmed" => (Vec::new(), None),
            list => {
                let urls: Vec<String> = list.split_whitespace().map(str::to_string).collect();
                if urls.iter().all(|u| check_url(u).is_ok()) {
                    (urls, None)
                } else {
                    self.warn(
                        warnings,
                        "confirmed_by",
                        format!(
                            "`{list}` is not a list of URLs; kept as a note (write \
                             `unconfirmed` or space-separated URLs of the confirming pages)"
                        ),
                    );
                    let urls = urls.into_iter().filter(|u| check_url(u).is_ok()).collect();
                    (urls, Some(list.to_string()))
                }
            }
        };
        Ok(CatalogEntry {
            id,
            date,
            body,
            meeting_no,
            city: self.opt("city"),
            host_country: self.opt("host_country"),
            doc_type,
            title_zh: self.opt("title_zh"),
            title_en: self.opt("title_en"),
            url_zh: self.url("url_zh", warnings),
            url_en: self.url("url_en", warnings),
            url_ru: self.url("url_ru", warnings),
            confirmed_by,
            confirmed_note,
            file: self.path.to_path_buf(),
            line: self.line,
        })
    }
}

/// An absolute http(s) URL with a host.
pub fn check_url(raw: &str) -> Result<(), String> {
    let url = url::Url::parse(raw).map_err(|e| format!("`{raw}` is not a valid URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("`{raw}` is not an http(s) URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{raw}` has no host"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id\tdate\tbody\tmeeting_no\tcity\thost_country\tdoc_type\ttitle_zh\ttitle_en\turl_zh\turl_en\turl_ru\tconfirmed_by";

    fn parse(rows: &[&str]) -> Result<Catalog, CatalogError> {
        let mut text = String::from(HEADER);
        for r in rows {
            text.push('\n');
            text.push_str(r);
        }
        Catalog::parse(&text, Path::new("test.tsv"))
    }

    const GOOD: &str = "chs-2019-declaration\t2019-06-14\tCHS\t19\tBishkek\tKyrgyzstan\tdeclaration\t比什凯克宣言\tBishkek Declaration\thttp://example.cn/zh\t\t\thttp://example.cn/a http://example.cn/b";

    #[test]
    fn bundled_catalogue_is_valid() {
        let c = Catalog::parse(BUNDLED_TSV, Path::new("corpus/catalog.tsv")).unwrap();
        assert!(c.len() >= 68, "{} rows", c.len());
        assert!(c.warnings().is_empty(), "{:?}", c.warnings());
        assert!(
            c.iter()
                .any(|e| e.body == "CHS" && e.doc_type == "declaration")
        );
        assert!(
            c.iter()
                .any(|e| e.body == "CHG" && e.doc_type == "communique")
        );
        let first = c.get("chs-2001-declaration").unwrap();
        assert_eq!(first.date, NaiveDate::from_ymd_opt(2001, 6, 15).unwrap());
        assert_eq!(first.meeting_no, Some(1));
    }

    #[test]
    fn meta_per_language() {
        let c = parse(&[GOOD]).unwrap();
        let e = c.get("chs-2019-declaration").unwrap();
        let zh = e.meta(Lang::Zh);
        assert_eq!(zh.id, "chs-2019-declaration");
        assert_eq!(zh.title, "比什凯克宣言");
        assert_eq!(zh.source_url.as_deref(), Some("http://example.cn/zh"));
        assert_eq!(zh.meeting_no, Some(19));
        assert_eq!(zh.city.as_deref(), Some("Bishkek"));
        let ru = e.meta(Lang::Ru);
        assert_eq!(ru.id, "chs-2019-declaration");
        assert_eq!(e.key(Lang::Ru).to_string(), "chs-2019-declaration.ru");
        assert_eq!(ru.title, "Bishkek Declaration");
        assert_eq!(ru.source_url, None);
        assert_eq!(e.confirmed_by.len(), 2);
        assert_eq!(e.langs(), vec![Lang::Zh]);
        assert_eq!(c.get("chs-2019-declaration.en").map(|e| e.line), Some(2));
        assert_eq!(
            c.meta_for("chs-2019-declaration.en", Lang::En).unwrap().id,
            "chs-2019-declaration.en"
        );
        assert!(c.get("chs-2019-declaration.xx").is_none());
    }

    fn err_text(rows: &[&str]) -> String {
        parse(rows).unwrap_err().to_string()
    }

    #[test]
    fn errors_name_line_and_field() {
        let bad_date = GOOD.replace("2019-06-14", "2019-6-14");
        assert_eq!(
            err_text(&[GOOD, &bad_date.replace("chs-2019", "chs-2020")]),
            "catalogue test.tsv, line 3, field `date`: `2019-6-14` is not an ISO date (YYYY-MM-DD)"
        );
        let e = err_text(&[&GOOD.replace("\tCHS\t", "\tCHX\t")]);
        assert!(
            e.contains("line 2, field `body`: unknown body `CHX`"),
            "{e}"
        );
        let e = err_text(&[&GOOD.replace("chs-2019-declaration", "chs 2019")]);
        assert!(e.contains("line 2, field `id`"), "{e}");
        assert_eq!(
            err_text(&[GOOD, GOOD]),
            "catalogue test.tsv, line 3: id `chs-2019-declaration` is already used on line 2"
        );
        let e = err_text(&[&GOOD.replacen('\t', " ", 1)]);
        assert!(
            e.contains("line 2: 12 tab-separated fields, expected 13"),
            "{e}"
        );
    }

    #[test]
    fn what_the_tool_does_not_need_is_kept_with_a_warning() {
        let row = GOOD
            .replace("\tdeclaration\t", "\tspeech\t")
            .replace("\t19\t", "\tXIX\t")
            .replace("http://example.cn/zh", "not a url")
            .replace(
                "http://example.cn/a http://example.cn/b",
                "press release of 2019-06-14 http://example.cn/a",
            );
        let c = parse(&[&row]).unwrap();
        let e = &c.entries()[0];
        assert_eq!(e.doc_type, "speech");
        assert_eq!(e.meeting_no, None);
        assert_eq!(e.confirmed_by, vec!["http://example.cn/a".to_string()]);
        assert_eq!(
            e.confirmed_note.as_deref(),
            Some("press release of 2019-06-14 http://example.cn/a")
        );
        let w = c.warnings().join("\n");
        for needle in [
            "catalogue test.tsv, line 2, field `doc_type`: unknown document type `speech`",
            "line 2, field `meeting_no`: `XIX` is not a whole number",
            "line 2, field `url_zh`: `not a url` is not a valid URL",
            "line 2, field `confirmed_by`: `press release of 2019-06-14",
        ] {
            assert!(w.contains(needle), "{needle} not in {w}");
        }
        // The malformed URL cannot be fetched, and says why.
        let why = e.checked_url(Lang::Zh).unwrap_err();
        assert!(
            why.starts_with("catalogue test.tsv, line 2, field `url_zh`: `not a url`"),
            "{why}"
        );
        // `unconfirmed` is a documented value, not a problem.
        let c = parse(&[&GOOD.replace("http://example.cn/a http://example.cn/b", "unconfirmed")])
            .unwrap();
        assert!(c.warnings().is_empty(), "{:?}", c.warnings());
        assert!(c.entries()[0].confirmed_by.is_empty());
    }

    #[test]
    fn a_user_catalogue_adds_and_replaces_rows() {
        let mut c = Catalog::parse(BUNDLED_TSV, Path::new("corpus/catalog.tsv")).unwrap();
        let bundled = c.len();
        let user = format!(
            "{HEADER}\n\
             chs-2026-declaration\t2026-07-05\tCHS\t26\tBishkek\tKyrgyzstan\tdeclaration\t\
             比什凯克宣言\tBishkek Declaration\t\t\t\tunconfirmed\n\
             chs-2001-declaration\t2001-06-15\tCHS\t1\tShanghai\tChina\tdeclaration\t\
             上海合作组织成立宣言\tDeclaration\thttp://mirror.example/2001\t\t\tmy own check\n"
        );
        c.merge(Catalog::parse(&user, Path::new("mine.tsv")).unwrap());
        assert_eq!(c.len(), bundled + 1);
        let new = c.get("chs-2026-declaration").unwrap();
        assert_eq!(new.city.as_deref(), Some("Bishkek"));
        assert_eq!(new.file, Path::new("mine.tsv"));
        assert_eq!(
            c.get("chs-2001-declaration").unwrap().url_zh.as_deref(),
            Some("http://mirror.example/2001")
        );
        assert_eq!(
            c.entries()[0].id,
            "chs-2001-declaration",
            "replaced in place"
        );
        let w = c.warnings().join("\n");
        assert!(
            w.contains(
                "catalogue mine.tsv, line 3: `chs-2001-declaration` replaces the row of the same \
                 id in corpus/catalog.tsv"
            ),
            "{w}"
        );
        assert!(
            w.contains("line 3, field `confirmed_by`: `my own check`"),
            "{w}"
        );
        assert_eq!(c.describe_sources(), "corpus/catalog.tsv + mine.tsv");
    }

    #[test]
    fn header_is_checked() {
        let e = Catalog::parse("id\tdate\nx\t2001-01-01", Path::new("h.tsv"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("lacks column `body`"), "{e}");
        let e = Catalog::parse(HEADER, Path::new("h.tsv"))
            .unwrap_err()
            .to_string();
        assert_eq!(e, "catalogue h.tsv has no rows");
    }

    #[test]
    fn blank_lines_comments_and_crlf_are_tolerated() {
        let text = format!("# a comment\r\n{HEADER}\r\n\r\n{GOOD}\r\n");
        let c = Catalog::parse(&text, Path::new("t.tsv")).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c.entries()[0].line, 4);
        assert_eq!(c.entries()[0].confirmed_by[1], "http://example.cn/b");
    }
}
