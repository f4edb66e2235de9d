//! Ingest local files (`.txt`, `.md`, `.html`/`.htm`, `.json`, `.pdf`, `.docx`) into the
//! document store.
//!
//! Metadata comes from, in order of precedence: command-line overrides, TOML front matter
//! (`+++ … +++`), a sidecar table (`metadata.csv` / `metadata.tsv` in the file's folder, rows
//! keyed by a `file` or `id` column), the page's own title and date (HTML), the catalogue
//! row whose id matches the file stem, and last the file's own properties (the title and
//! creation date a PDF or Word file records: the day a file was made is seldom the day a
//! document was adopted, so it only serves when nothing else gives a date). A document without a date is rejected: a made-up date
//! would silently corrupt every time series built on it.

use super::document::{DocKey, DocMeta, Document, Lang, validate_id};
use super::docx::{self, DocxError};
use super::encoding::{self, DecodeError};
use super::html;
use super::pdf::{self, PdfError};
use super::store::{DocStore, PutOutcome, StoreError};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Looks up catalogue metadata by document id, in a language: the catalogue, decoupled from
/// ingest so that any table (the bundled catalogue, a user's own) can serve.
pub type MetaLookup<'a> = &'a dyn Fn(&str, Lang) -> Option<DocMeta>;

/// File extensions `ingest` reads.
pub const SUPPORTED_EXTENSIONS: [&str; 7] = ["txt", "md", "html", "htm", "json", "pdf", "docx"];

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Decode { path: PathBuf, source: DecodeError },
    #[error("{path}: unsupported file type (expected one of: txt, md, html, htm, json, pdf, docx)")]
    Unsupported { path: PathBuf },
    #[error("{path}: {source}")]
    Pdf { path: PathBuf, source: PdfError },
    #[error("{path}: {source}")]
    Docx { path: PathBuf, source: DocxError },
    #[error("{path}: the document is empty (no text after extraction)")]
    Empty { path: PathBuf },
    #[error(
        "{path}: no date: give `date = YYYY-MM-DD` in the front matter, a `date` column in \
         metadata.csv/tsv, a catalogue id as the file name, or `--date`"
    )]
    MissingDate { path: PathBuf },
    #[error("{}: {}field `{field}`: {message}", .path.display(), line_prefix(*.line))]
    Field {
        path: PathBuf,
        line: Option<usize>,
        field: String,
        message: String,
    },
    #[error("{}: {}{message}", .path.display(), line_prefix(*.line))]
    Syntax {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("{path}: {message}")]
    Usage { path: PathBuf, message: String },
    #[error("{path}: skipped: {reason}")]
    Skipped { path: PathBuf, reason: String },
    #[error(
        "{path}: `{key}` is already taken in this batch by {first} (same id and language); \
         give one of them another id, or another `lang` if it is a translation"
    )]
    DuplicateInBatch {
        path: PathBuf,
        key: String,
        first: PathBuf,
    },
    #[error(
        "{path}: field `date`: {date} is outside {min}–{max}; if that is really the date, pass \
         --any-date",
        min = SANE_YEARS.start(),
        max = SANE_YEARS.end()
    )]
    DateOutOfRange { path: PathBuf, date: NaiveDate },
    #[error(
        "{path}: the document's text is {size_mb:.1} MB, more than the {limit_mb} MB one document \
         may have (building it would need about {need_gb:.0} GB of memory); split the file into \
         its documents, or pass --max-document-mb {suggest} if this machine has the memory"
    )]
    TooLarge {
        path: PathBuf,
        size_mb: f64,
        limit_mb: u32,
        need_gb: f64,
        suggest: u64,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn line_prefix(line: Option<usize>) -> String {
    line.map(|l| format!("line {l}, ")).unwrap_or_default()
}

impl IngestError {
    fn field(path: &Path, line: Option<usize>, field: &str, message: impl fmt::Display) -> Self {
        IngestError::Field {
            path: path.to_path_buf(),
            line,
            field: field.to_string(),
            message: message.to_string(),
        }
    }
}

/// How files are found and checked on the way in. (Chinese in traditional characters is
/// always detected and converted for analysis; see [`crate::text::normalize_detecting`].)
#[derive(Debug, Clone, Copy, Default)]
pub struct IngestOptions {
    /// Follow symbolic links inside a folder even when they point outside it.
    pub follow_links: bool,
    /// Accept dates outside [`SANE_YEARS`] (a typo such as year 0201 is refused otherwise).
    pub any_date: bool,
    /// Largest text of one document, in MB (2^20 bytes of UTF-8); `None`:
    /// [`DEFAULT_MAX_DOCUMENT_MB`].
    pub max_document_mb: Option<u32>,
}

/// Largest text of one document accepted by default, in MB. A summit declaration is a few
/// tens of kilobytes and a whole year of a ministry's bulletins a few megabytes; building one
/// document holds all its tokens at once (about 50 times its text in memory: a 200 MB file
/// needed 10 GB), so a larger one is refused with advice rather than left to exhaust memory.
pub const DEFAULT_MAX_DOCUMENT_MB: u32 = 32;

/// Years a document date may fall in unless [`IngestOptions::any_date`] is set: the SCO was
/// founded in 2001 and its forerunner, the "Shanghai Five", in 1996; a date outside this range
/// is almost certainly a typo, and would stretch every chart over centuries.
pub const SANE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// Metadata given on the command line (`--id`, `--date`, ...): it overrides every other source.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub id: Option<String>,
    pub date: Option<NaiveDate>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub doc_type: Option<String>,
    pub lang: Option<Lang>,
}

impl Overrides {
    fn is_per_document(&self) -> bool {
        self.id.is_some() || self.title.is_some()
    }

    fn layer(&self) -> PartialMeta {
        PartialMeta {
            id: self.id.clone(),
            date: self.date,
            title: self.title.clone(),
            body: self.body.clone(),
            doc_type: self.doc_type.clone(),
            lang: self.lang,
            ..PartialMeta::default()
        }
    }
}

/// Metadata from one source; missing fields are filled from lower-precedence sources.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PartialMeta {
    pub id: Option<String>,
    pub date: Option<NaiveDate>,
    pub body: Option<String>,
    pub doc_type: Option<String>,
    pub lang: Option<Lang>,
    pub title: Option<String>,
    pub source_url: Option<String>,
    pub meeting_no: Option<u32>,
    pub city: Option<String>,
}

impl PartialMeta {
    /// Fills every field still missing here from `lower`.
    fn or(mut self, lower: PartialMeta) -> PartialMeta {
        macro_rules! fill {
            ($($f:ident),*) => { $( if self.$f.is_none() { self.$f = lower.$f; } )* };
        }
        fill!(
            id, date, body, doc_type, lang, title, source_url, meeting_no, city
        );
        self
    }

    fn from_meta(m: DocMeta) -> PartialMeta {
        PartialMeta {
            id: Some(m.id),
            date: Some(m.date),
            body: Some(m.body),
            doc_type: Some(m.doc_type),
            lang: Some(m.lang),
            title: Some(m.title),
            source_url: m.source_url,
            meeting_no: m.meeting_no,
            city: m.city,
        }
    }
}

/// What happened to one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Ingested {
    pub key: DocKey,
    pub outcome: PutOutcome,
}

/// What happened to one input path: a file (a JSON file may hold several documents, each
/// stored or rejected on its own), or a path of a folder that was skipped.
#[derive(Debug)]
pub struct FileReport {
    pub path: PathBuf,
    /// One entry per document of the file, in order. A file that cannot be read or parsed at
    /// all has one error here.
    pub documents: Vec<Result<Ingested, IngestError>>,
    /// What the user should know although it stopped nothing (a link not followed, invalid
    /// bytes replaced).
    pub warnings: Vec<String>,
}

impl FileReport {
    fn failed(path: PathBuf, err: IngestError) -> Self {
        FileReport {
            path,
            documents: vec![Err(err)],
            warnings: Vec::new(),
        }
    }

    /// The documents that were stored.
    pub fn stored(&self) -> impl Iterator<Item = &Ingested> {
        self.documents.iter().filter_map(|d| d.as_ref().ok())
    }

    /// The errors of the documents (or of the file) that were rejected.
    pub fn errors(&self) -> impl Iterator<Item = &IngestError> {
        self.documents.iter().filter_map(|d| d.as_ref().err())
    }

    /// True when something of this path was rejected.
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }
}

/// sha256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Ingests files and folders (recursively). Every file gets a report; a bad file (or a bad
/// entry of a JSON array) never stops the others, and nothing already stored is lost.
///
/// Inside a folder, symbolic links are followed only when they stay inside it, unless
/// [`IngestOptions::follow_links`]; every path that is skipped is reported. Two files of one
/// batch that would store the same id in the same language are refused (the second one): they
/// would otherwise replace each other at every run. The same id in two languages is one
/// document's parallel versions, and both are kept.
pub fn ingest_paths(
    store: &DocStore,
    paths: &[PathBuf],
    overrides: &Overrides,
    catalog: Option<MetaLookup<'_>>,
    opts: &IngestOptions,
) -> Result<Vec<FileReport>, IngestError> {
    let (files, mut reports) = collect_files(paths, opts)?;
    if overrides.is_per_document() && files.len() != 1 {
        return Err(IngestError::Usage {
            path: paths.first().cloned().unwrap_or_default(),
            message: format!(
                "--id and --title name a single document, but {} files were given",
                files.len()
            ),
        });
    }
    let mut sidecars: HashMap<PathBuf, Result<Sidecar, IngestError>> = HashMap::new();
    let mut taken: HashMap<DocKey, PathBuf> = HashMap::new();
    for path in files {
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let sidecar = sidecars
            .entry(dir.clone())
            .or_insert_with(|| Sidecar::load(&dir));
        let report = match sidecar {
            Ok(sidecar) => ingest_file(
                store,
                &path,
                sidecar.row_for(&path),
                overrides,
                catalog,
                opts,
                &mut taken,
            ),
            Err(e) => FileReport::failed(
                path.clone(),
                IngestError::Syntax {
                    path: path.clone(),
                    line: None,
                    message: format!("its folder's sidecar table is unusable: {e}"),
                },
            ),
        };
        reports.push(report);
    }
    Ok(reports)
}

/// Expands folders into their supported files, sorted; explicit files are kept as given.
/// Also returns a report for every path of a folder that was skipped (unreadable, a dangling
/// link, a loop, a link out of the folder).
fn collect_files(
    paths: &[PathBuf],
    opts: &IngestOptions,
) -> Result<(Vec<PathBuf>, Vec<FileReport>), IngestError> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| IngestError::Read {
            path: path.clone(),
            source,
        })?;
        if !meta.is_dir() {
            files.push(path.clone());
            continue;
        }
        let root = std::fs::canonicalize(path).map_err(|source| IngestError::Read {
            path: path.clone(),
            source,
        })?;
        let mut found = Vec::new();
        let walk = walkdir::WalkDir::new(path)
            .follow_links(opts.follow_links)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walk {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let at = err.path().unwrap_or(path).to_path_buf();
                    let reason = if err.loop_ancestor().is_some() {
                        "a symbolic link loop".to_string()
                    } else {
                        match err.io_error() {
                            Some(io) => format!("cannot read it: {io}"),
                            None => err.to_string(),
                        }
                    };
                    skipped.push(FileReport::failed(
                        at.clone(),
                        IngestError::Skipped { path: at, reason },
                    ));
                    continue;
                }
            };
            if entry.path_is_symlink() && !opts.follow_links {
                match link_inside(entry.path(), &root) {
                    Err(reason) => {
                        let at = entry.path().to_path_buf();
                        skipped.push(FileReport::failed(
                            at.clone(),
                            IngestError::Skipped { path: at, reason },
                        ));
                        continue;
                    }
                    Ok(false) => {
                        skipped.push(FileReport {
                            path: entry.path().to_path_buf(),
                            documents: Vec::new(),
                            warnings: vec![format!(
                                "not followed: a symbolic link that leads out of {} (pass \
                                 --follow-links to follow it)",
                                path.display()
                            )],
                        });
                        continue;
                    }
                    Ok(true) => {}
                }
            }
            let is_file = if entry.path_is_symlink() {
                entry.path().is_file()
            } else {
                entry.file_type().is_file()
            };
            if is_file && is_document_file(entry.path()) {
                found.push(entry.into_path());
            }
        }
        found.sort();
        files.extend(found);
    }
    Ok((files, skipped))
}

/// Whether the symbolic link `link` resolves to a path inside `root` (canonical); an error
/// says why it cannot be resolved at all (dangling, a loop).
fn link_inside(link: &Path, root: &Path) -> Result<bool, String> {
    match std::fs::canonicalize(link) {
        Ok(target) => Ok(target.starts_with(root)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let target = std::fs::read_link(link)
                .map(|t| t.display().to_string())
                .unwrap_or_else(|_| "?".into());
            Err(format!("a dangling symbolic link (to {target})"))
        }
        Err(e) => Err(format!("a symbolic link that cannot be resolved: {e}")),
    }
}

/// A file a folder walk picks up: a supported extension, not a README or a sidecar table.
fn is_document_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.starts_with("readme") || name.starts_with("metadata.") {
        return false;
    }
    extension(path).is_some_and(|e| SUPPORTED_EXTENSIONS.contains(&e.as_str()))
}

fn extension(path: &Path) -> Option<String> {
    path.extension().map(|e| e.to_string_lossy().to_lowercase())
}

/// Ingests one file. `sidecar` is its row of the folder's metadata table, if any; `taken`
/// holds the keys stored so far in this batch and the file each came from.
pub fn ingest_file(
    store: &DocStore,
    path: &Path,
    sidecar: Option<&PartialMeta>,
    overrides: &Overrides,
    catalog: Option<MetaLookup<'_>>,
    opts: &IngestOptions,
    taken: &mut HashMap<DocKey, PathBuf>,
) -> FileReport {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(source) => {
            return FileReport::failed(
                path.to_path_buf(),
                IngestError::Read {
                    path: path.to_path_buf(),
                    source,
                },
            );
        }
    };
    let ParsedFile {
        documents: parsed,
        warnings,
    } = match parse_file(path, &bytes) {
        Ok(parsed) => parsed,
        Err(err) => return FileReport::failed(path.to_path_buf(), err),
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let single = parsed.len() == 1;
    let documents = parsed
        .into_iter()
        .map(|doc| {
            let doc = doc?;
            let mut meta = overrides.layer().or(doc.meta);
            if single {
                meta = meta.or(sidecar.cloned().unwrap_or_default());
            }
            // The page's own title and date rank below the sidecar table: a researcher's table
            // is a deliberate correction, a page header is not.
            meta = meta.or(doc.page);
            let meta = complete_meta(path, &stem, meta, doc.properties, &doc.text, catalog)?;
            if !opts.any_date && !SANE_YEARS.contains(&meta.year()) {
                return Err(IngestError::DateOutOfRange {
                    path: path.to_path_buf(),
                    date: meta.date,
                });
            }
            let limit_mb = opts.max_document_mb.unwrap_or(DEFAULT_MAX_DOCUMENT_MB);
            if doc.text.len() as u64 > u64::from(limit_mb) << 20 {
                let size_mb = doc.text.len() as f64 / f64::from(1u32 << 20);
                return Err(IngestError::TooLarge {
                    path: path.to_path_buf(),
                    size_mb,
                    limit_mb,
                    need_gb: size_mb * 50.0 / 1024.0,
                    suggest: size_mb.ceil() as u64,
                });
            }
            let key = meta.key();
            if let Some(first) = taken.get(&key) {
                return Err(IngestError::DuplicateInBatch {
                    path: path.to_path_buf(),
                    key: key.to_string(),
                    first: first.clone(),
                });
            }
            let outcome = store_text(
                store,
                meta,
                doc.text,
                doc.sha256,
                path.display().to_string(),
            )
            .map_err(|e| match e {
                IngestError::Empty { .. } => IngestError::Empty {
                    path: path.to_path_buf(),
                },
                other => other,
            })?;
            taken.insert(key.clone(), path.to_path_buf());
            Ok(Ingested { key, outcome })
        })
        .collect();
    FileReport {
        path: path.to_path_buf(),
        documents,
        warnings,
    }
}

/// What [`parse_file`] read out of one file.
#[derive(Debug)]
pub struct ParsedFile {
    /// One entry per document (a JSON array has several), each parsed or rejected on its own.
    pub documents: Vec<Result<ParsedDoc, IngestError>>,
    /// What the user should know about the file although nothing was rejected (bytes that
    /// were not valid in its encoding and were replaced).
    pub warnings: Vec<String>,
}

/// One document read out of a file, before its metadata is completed.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedDoc {
    /// Metadata the file states about itself (front matter, JSON fields).
    pub meta: PartialMeta,
    /// What an HTML page says of itself (title, date): weaker than a sidecar table.
    pub page: PartialMeta,
    /// What a PDF or Word file's properties say (title, creation date): weaker than the
    /// catalogue.
    pub properties: PartialMeta,
    /// Plain text, paragraphs separated by blank lines.
    pub text: String,
    /// sha256 of the bytes this document came from.
    pub sha256: String,
}

/// What kind of JSON value `v` is, for error messages.
fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Decodes and parses the bytes of a file named `path` (the extension picks the format).
///
/// Pure: it touches no file system, which makes it the entry point for fuzzing.
/// A JSON array's entries are parsed one by one: a bad entry is an error of its own, and the
/// others are still returned.
pub fn parse_file(path: &Path, bytes: &[u8]) -> Result<ParsedFile, IngestError> {
    let ext = extension(path).unwrap_or_default();
    if !SUPPORTED_EXTENSIONS.contains(&ext.as_str()) {
        return Err(IngestError::Unsupported {
            path: path.to_path_buf(),
        });
    }
    // Binary formats carry their own text encoding.
    let binary = match ext.as_str() {
        "pdf" => {
            let text = pdf::extract(bytes).map_err(|source| IngestError::Pdf {
                path: path.to_path_buf(),
                source,
            })?;
            let mut warnings = Vec::new();
            if text.furniture_lines > 0 {
                warnings.push(format!(
                    "dropped {} line(s) of page furniture (running headers, footers, page \
                     numbers) from {} page(s)",
                    text.furniture_lines, text.pages
                ));
            }
            Some((text.paragraphs, text.title, text.created, warnings))
        }
        "docx" => {
            let text = docx::extract(bytes).map_err(|source| IngestError::Docx {
                path: path.to_path_buf(),
                source,
            })?;
            Some((text.paragraphs, text.title, text.created, Vec::new()))
        }
        _ => None,
    };
    if let Some((paragraphs, title, created, warnings)) = binary {
        return Ok(ParsedFile {
            documents: vec![Ok(ParsedDoc {
                meta: PartialMeta::default(),
                page: PartialMeta::default(),
                properties: PartialMeta {
                    title,
                    date: created,
                    ..PartialMeta::default()
                },
                text: paragraphs.join("\n\n"),
                sha256: sha256_hex(bytes),
            })],
            warnings,
        });
    }
    let decoded = encoding::decode(bytes, None).map_err(|source| IngestError::Decode {
        path: path.to_path_buf(),
        source,
    })?;
    let mut warnings: Vec<String> = decoded.warning().into_iter().collect();
    let documents = match ext.as_str() {
        "json" => parse_json(path, &decoded.text)?,
        "html" | "htm" => {
            let page = html::extract(&decoded.text, None);
            if page.capped_tags > 0 {
                warnings.push(format!(
                    "markup nested deeper than {} levels: {} deeper tags were read as line \
                     breaks",
                    html::MAX_NESTING,
                    page.capped_tags
                ));
            }
            vec![Ok(ParsedDoc {
                meta: PartialMeta::default(),
                text: page.paragraphs.join("\n\n"),
                page: PartialMeta {
                    title: page.title,
                    date: page.date,
                    ..PartialMeta::default()
                },
                properties: PartialMeta::default(),
                sha256: sha256_hex(bytes),
            })]
        }
        _ => {
            let (meta, body) = split_front_matter(path, &decoded.text)?;
            vec![Ok(ParsedDoc {
                meta,
                page: PartialMeta::default(),
                properties: PartialMeta::default(),
                text: body.to_string(),
                sha256: sha256_hex(bytes),
            })]
        }
    };
    Ok(ParsedFile {
        documents,
        warnings,
    })
}

/// Fills defaults and the catalogue row, and checks that the result is a complete record.
fn complete_meta(
    path: &Path,
    stem: &str,
    meta: PartialMeta,
    properties: PartialMeta,
    text: &str,
    catalog: Option<MetaLookup<'_>>,
) -> Result<DocMeta, IngestError> {
    let named = meta.id.clone().unwrap_or_else(|| stem.to_string());
    // `chg-2020-communique.zh` names the document `chg-2020-communique` in Chinese: the
    // language suffix is the version's language, not part of the id (unless the metadata
    // says the version is in another language, when the name is kept whole).
    let (id, lang) = match DocKey::parse(&named) {
        Some(key) if meta.lang.is_none_or(|l| l == key.lang) => (key.id, key.lang),
        _ => {
            let lang = meta.lang.unwrap_or_else(|| detect_lang(text));
            (named, lang)
        }
    };
    // A file named `<catalogue id>` or `<catalogue id>.<lang>` takes that row's metadata.
    let catalogue_layer = catalog
        .and_then(|lookup| lookup(&id, lang))
        .map(PartialMeta::from_meta)
        .unwrap_or_default();
    let mut meta = meta.or(catalogue_layer).or(properties);
    meta.id = Some(id.clone());
    validate_id(&id).map_err(|m| IngestError::field(path, None, "id", m))?;
    let date = meta.date.ok_or_else(|| IngestError::MissingDate {
        path: path.to_path_buf(),
    })?;
    let title = meta
        .title
        .filter(|t| !t.trim().is_empty())
        .or_else(|| first_line_title(text))
        .unwrap_or_else(|| id.clone());
    Ok(DocMeta {
        id,
        date,
        body: meta.body.unwrap_or_else(|| "other".into()),
        doc_type: meta.doc_type.unwrap_or_else(|| "other".into()),
        lang,
        title,
        source_url: meta.source_url,
        meeting_no: meta.meeting_no,
        city: meta.city,
        script: Default::default(),
    })
}

fn first_line_title(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = line.trim_start_matches('#').trim();
    (line.chars().count() <= 80 && !line.is_empty()).then(|| line.to_string())
}

/// Guesses the language from the letters used: Han → zh, Cyrillic → ru, otherwise en.
pub fn detect_lang(text: &str) -> Lang {
    let (mut han, mut cyrillic, mut latin) = (0usize, 0usize, 0usize);
    for c in text.chars().take(20_000) {
        match c {
            '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' => han += 1,
            '\u{0400}'..='\u{04FF}' => cyrillic += 1,
            c if c.is_ascii_alphabetic() => latin += 1,
            _ => {}
        }
    }
    // A Han character carries about as much as a word: weigh it against letters accordingly.
    if han * 4 >= cyrillic + latin && han > 0 {
        Lang::Zh
    } else if cyrillic > latin {
        Lang::Ru
    } else {
        Lang::En
    }
}

/// Normalises `original`, splits it into paragraphs and stores the document.
///
/// This is the single entry into the store for every source (local files, fetched pages).
pub fn store_text(
    store: &DocStore,
    meta: DocMeta,
    original: String,
    sha256: String,
    source: String,
) -> Result<PutOutcome, IngestError> {
    let doc = build_document(meta, original, sha256, source).ok_or_else(|| IngestError::Empty {
        path: PathBuf::new(),
    })?;
    Ok(store.put(&doc)?)
}

/// Builds the stored form of a document; `None` when it has no text (see
/// [`Document::from_original`]).
pub fn build_document(
    meta: DocMeta,
    original: String,
    sha256: String,
    source: String,
) -> Option<Document> {
    Document::from_original(meta, original, sha256, source)
}

/// Splits `+++`-delimited TOML front matter from the text.
fn split_front_matter<'a>(
    path: &Path,
    text: &'a str,
) -> Result<(PartialMeta, &'a str), IngestError> {
    let trimmed = text.trim_start_matches('\u{FEFF}');
    let Some(rest) = trimmed
        .strip_prefix("+++\n")
        .or_else(|| trimmed.strip_prefix("+++\r\n"))
    else {
        return Ok((PartialMeta::default(), text));
    };
    let close = rest
        .match_indices("+++")
        .find(|(i, _)| *i == 0 || rest.as_bytes()[i - 1] == b'\n')
        .map(|(i, _)| i)
        .ok_or_else(|| IngestError::Syntax {
            path: path.to_path_buf(),
            line: Some(1),
            message: "front matter opened with `+++` is never closed".into(),
        })?;
    let toml_src = &rest[..close];
    let body = rest[close + 3..].trim_start_matches(['\r', '\n']);
    let table: toml::Table = toml::from_str(toml_src).map_err(|e| IngestError::Syntax {
        path: path.to_path_buf(),
        line: e.span().map(|s| {
            2 + toml_src[..s.start.min(toml_src.len())]
                .matches('\n')
                .count()
        }),
        message: format!("front matter is not valid TOML: {}", e.message()),
    })?;
    let line_of = |key: &str| {
        toml_src
            .lines()
            .position(|l| {
                l.trim_start()
                    .strip_prefix(key)
                    .is_some_and(|r| r.trim_start().starts_with('='))
            })
            .map(|i| i + 2)
    };
    let get = |key: &str| -> Result<Option<String>, IngestError> {
        match table.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(toml::Value::Integer(i)) => Ok(Some(i.to_string())),
            Some(toml::Value::Datetime(d)) => Ok(Some(d.to_string())),
            Some(other) => Err(IngestError::field(
                path,
                line_of(key),
                key,
                format!("expected a string, found {}", other.type_str()),
            )),
        }
    };
    let mut meta = PartialMeta::default();
    let mut fields = FieldParser {
        path,
        meta: &mut meta,
    };
    for key in table.keys() {
        let line = line_of(key);
        if let Some(value) = get(key)? {
            fields.set(key, &value, line)?;
        }
    }
    Ok((meta, body))
}

/// Parses metadata fields by name, with errors naming the field (and line).
struct FieldParser<'a> {
    path: &'a Path,
    meta: &'a mut PartialMeta,
}

impl FieldParser<'_> {
    fn set(&mut self, key: &str, value: &str, line: Option<usize>) -> Result<(), IngestError> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(());
        }
        let m = &mut *self.meta;
        match key {
            "id" => m.id = Some(value.to_string()),
            "date" => {
                m.date = Some(parse_date(value).ok_or_else(|| {
                    IngestError::field(
                        self.path,
                        line,
                        key,
                        format!("`{value}` is not a date (expected YYYY-MM-DD)"),
                    )
                })?)
            }
            "body" => m.body = Some(value.to_string()),
            "doc_type" | "type" => m.doc_type = Some(value.to_string()),
            "lang" | "language" => {
                m.lang = Some(
                    value
                        .parse()
                        .map_err(|e| IngestError::field(self.path, line, key, e))?,
                )
            }
            "title" => m.title = Some(value.to_string()),
            "source_url" | "url" => m.source_url = Some(value.to_string()),
            "meeting_no" => {
                m.meeting_no = Some(value.parse().map_err(|_| {
                    IngestError::field(
                        self.path,
                        line,
                        key,
                        format!("`{value}` is not a whole number"),
                    )
                })?)
            }
            "city" => m.city = Some(value.to_string()),
            // Other keys (notes, `fixture`, `file`) are the user's own and are ignored.
            _ => {}
        }
        Ok(())
    }
}

/// Parses `2004-06-17`, `2004/6/17`, `2004.06.17` or `2004年6月17日`: a four-digit year, then
/// month and day, digits only (`-0001-01-01` is not year 1).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let s = s.split(['T', ' ']).next().unwrap_or(s);
    let s = s.strip_suffix('日').unwrap_or(s);
    let parts: Vec<&str> = s.split(['-', '/', '.', '年', '月']).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let year = parts[0].parse().ok()?;
    let month = parts[1].parse().ok()?;
    let day = parts[2].parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day).filter(|_| parts[0].len() == 4)
}

/// JSON input: one object or an array of objects, each with metadata fields and the text as
/// `text` (or `content`) or `paragraphs` (array of strings).
fn parse_json(path: &Path, src: &str) -> Result<Vec<Result<ParsedDoc, IngestError>>, IngestError> {
    let value: serde_json::Value = serde_json::from_str(src).map_err(|e| IngestError::Syntax {
        path: path.to_path_buf(),
        line: Some(e.line()),
        message: format!("invalid JSON: {e}"),
    })?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        other => vec![other],
    };
    let many = items.len() > 1;
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let where_ = |field: &str| {
                if many {
                    format!("[{i}].{field}")
                } else {
                    field.to_string()
                }
            };
            let serde_json::Value::Object(obj) = &item else {
                return Err(IngestError::field(
                    path,
                    None,
                    &where_(""),
                    "expected a JSON object",
                ));
            };
            let text = match (
                obj.get("text").or_else(|| obj.get("content")),
                obj.get("paragraphs"),
            ) {
                (Some(serde_json::Value::String(t)), _) => t.clone(),
                (_, Some(serde_json::Value::Array(ps))) => ps
                    .iter()
                    .map(|p| {
                        p.as_str().map(str::to_string).ok_or_else(|| {
                            IngestError::field(
                                path,
                                None,
                                &where_("paragraphs"),
                                "every paragraph must be a string",
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?
                    .join("\n\n"),
                (text, paragraphs) => {
                    // Name what is there when it has the wrong type, not just "missing".
                    let (field, found) = match (text, paragraphs) {
                        (Some(v), _) => ("text", json_type(v)),
                        (None, Some(v)) => ("paragraphs", json_type(v)),
                        (None, None) => ("text", "nothing"),
                    };
                    return Err(IngestError::field(
                        path,
                        None,
                        &where_(field),
                        format!(
                            "found {found}: give the text as `text` (a string) or `paragraphs` \
                             (an array of strings)"
                        ),
                    ));
                }
            };
            let mut meta = PartialMeta::default();
            let mut fields = FieldParser {
                path,
                meta: &mut meta,
            };
            for (key, value) in obj {
                let value = match value {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) => n.to_string(),
                    _ => continue,
                };
                if !matches!(key.as_str(), "text" | "content") {
                    fields.set(key, &value, None).map_err(|e| match e {
                        IngestError::Field { message, .. } => {
                            IngestError::field(path, None, &where_(key), message)
                        }
                        other => other,
                    })?;
                }
            }
            if many && meta.id.is_none() {
                return Err(IngestError::field(
                    path,
                    None,
                    &where_("id"),
                    "missing: every document of a JSON array needs an id",
                ));
            }
            Ok(ParsedDoc {
                meta,
                page: PartialMeta::default(),
                properties: PartialMeta::default(),
                text,
                sha256: sha256_hex(item.to_string().as_bytes()),
            })
        })
        .collect())
}

/// A folder's `metadata.csv` / `metadata.tsv`: one row per document, keyed by `file` or `id`.
#[derive(Debug, Default)]
pub struct Sidecar {
    by_file: HashMap<String, PartialMeta>,
    by_id: HashMap<String, PartialMeta>,
}

impl Sidecar {
    /// Loads the sidecar table of `dir`, or an empty one when there is none.
    pub fn load(dir: &Path) -> Result<Sidecar, IngestError> {
        for (name, delimiter) in [("metadata.csv", b','), ("metadata.tsv", b'\t')] {
            let path = dir.join(name);
            if path.is_file() {
                return Self::parse(&path, delimiter);
            }
        }
        Ok(Sidecar::default())
    }

    fn parse(path: &Path, delimiter: u8) -> Result<Sidecar, IngestError> {
        let bytes = std::fs::read(path).map_err(|source| IngestError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let text = encoding::decode(&bytes, None)
            .map_err(|source| IngestError::Decode {
                path: path.to_path_buf(),
                source,
            })?
            .text;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| IngestError::Syntax {
                path: path.to_path_buf(),
                line: Some(1),
                message: e.to_string(),
            })?
            .iter()
            .map(|h| h.trim().to_lowercase())
            .collect();
        if !headers.iter().any(|h| h == "file" || h == "id") {
            return Err(IngestError::Syntax {
                path: path.to_path_buf(),
                line: Some(1),
                message: "the header needs a `file` or an `id` column".into(),
            });
        }
        let mut sidecar = Sidecar::default();
        for record in reader.records() {
            let record = record.map_err(|e| IngestError::Syntax {
                path: path.to_path_buf(),
                line: e.position().map(|p| p.line() as usize),
                message: e.to_string(),
            })?;
            let line = record.position().map(|p| p.line() as usize);
            let mut meta = PartialMeta::default();
            let mut file = None;
            let mut fields = FieldParser {
                path,
                meta: &mut meta,
            };
            for (key, value) in headers.iter().zip(record.iter()) {
                if key == "file" {
                    file = Some(value.trim().to_string());
                } else {
                    fields.set(key, value, line)?;
                }
            }
            match (file, &meta.id) {
                (Some(f), _) if !f.is_empty() => {
                    sidecar.by_file.insert(f, meta);
                }
                (_, Some(id)) => {
                    sidecar.by_id.insert(id.clone(), meta);
                }
                _ => {
                    return Err(IngestError::Syntax {
                        path: path.to_path_buf(),
                        line,
                        message: "row has neither `file` nor `id`".into(),
                    });
                }
            }
        }
        Ok(sidecar)
    }

    /// The row describing `path`: by file name, then by id equal to the file stem.
    pub fn row_for(&self, path: &Path) -> Option<&PartialMeta> {
        let name = path.file_name()?.to_string_lossy();
        let stem = path.file_stem()?.to_string_lossy();
        self.by_file
            .get(name.as_ref())
            .or_else(|| self.by_id.get(stem.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{NormalizeOptions, normalize};
    use proptest::prelude::*;

    fn meta(id: &str) -> DocMeta {
        DocMeta::for_test(id)
    }

    #[test]
    fn parses_dates_in_common_forms() {
        let d = NaiveDate::from_ymd_opt(2004, 6, 17);
        for s in [
            "2004-06-17",
            "2004/6/17",
            "2004.06.17",
            "2004年6月17日",
            "2004-06-17T00:00:00",
        ] {
            assert_eq!(parse_date(s), d, "{s}");
        }
        for s in [
            "2004-13-01",
            "17.06.2004",
            "June 2004",
            "",
            "04-06-17",
            "-0001-01-01",
            "2004--06-17",
            "+2004-06-17",
        ] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }

    #[test]
    fn front_matter_fields_and_errors_name_the_line() {
        let p = Path::new("f.md");
        let (m, body) = split_front_matter(
            p,
            "+++\nid = \"x-1\"\ndate = 2004-06-17\nlang = \"zh\"\n+++\n正文。",
        )
        .unwrap();
        assert_eq!(m.id.as_deref(), Some("x-1"));
        assert_eq!(m.date, NaiveDate::from_ymd_opt(2004, 6, 17));
        assert_eq!(body, "正文。");
        let err =
            split_front_matter(p, "+++\nid = \"x\"\ndate = \"2004-99-01\"\n+++\nx").unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.md: line 3, field `date`: `2004-99-01` is not a date (expected YYYY-MM-DD)"
        );
        let err = split_front_matter(p, "+++\nid = \n+++\nx").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("f.md: line 2, front matter is not valid TOML"),
            "{err}"
        );
    }

    #[test]
    fn paragraphs_carry_char_and_byte_spans() {
        let doc = build_document(
            meta("a"),
            "标题\n\n一、ＳＣＯ成员国。\n二、second".into(),
            "s".into(),
            "src".into(),
        )
        .unwrap();
        assert_eq!(doc.text, "标题\n\n一、SCO成员国。\n二、second");
        let texts: Vec<&str> = doc
            .paragraphs
            .iter()
            .map(|p| doc.paragraph_text(p))
            .collect();
        assert_eq!(texts, vec!["标题", "一、SCO成员国。", "二、second"]);
        let p = doc.paragraphs[1];
        assert_eq!(
            doc.original_chars(p.char_start, p.char_end),
            "一、ＳＣＯ成员国。"
        );
    }

    #[test]
    fn detects_language_from_script() {
        assert_eq!(detect_lang("上海合作组织成员国元首 SCO"), Lang::Zh);
        assert_eq!(
            detect_lang("Шанхайская организация сотрудничества"),
            Lang::Ru
        );
        assert_eq!(detect_lang("Shanghai Cooperation Organisation"), Lang::En);
    }

    #[test]
    fn traditional_text_is_converted_and_its_script_recorded() {
        let doc = build_document(
            meta("t"),
            "反對霸權主義。\n\n尊重各國主權。".into(),
            "s".into(),
            "src".into(),
        )
        .unwrap();
        assert_eq!(doc.meta.script, crate::corpus::Script::Traditional);
        assert_eq!(doc.text, "反对霸权主义。\n\n尊重各国主权。");
        assert_eq!(
            doc.original_paragraphs(),
            vec!["反對霸權主義。", "尊重各國主權。"]
        );
    }

    #[test]
    fn a_language_suffix_of_the_name_is_the_language_not_part_of_the_id() {
        let p = Path::new("chg-2020-communique.zh.txt");
        let dated = PartialMeta {
            date: NaiveDate::from_ymd_opt(2020, 11, 30),
            ..PartialMeta::default()
        };
        let m = complete_meta(
            p,
            "chg-2020-communique.zh",
            dated.clone(),
            PartialMeta::default(),
            "文本",
            None,
        )
        .unwrap();
        assert_eq!((m.id.as_str(), m.lang), ("chg-2020-communique", Lang::Zh));
        let m = complete_meta(
            p,
            "x.ru",
            dated.clone(),
            PartialMeta::default(),
            "text",
            None,
        )
        .unwrap();
        assert_eq!((m.id.as_str(), m.lang), ("x", Lang::Ru));
        // A stated language that contradicts the suffix keeps the name whole.
        let en = PartialMeta {
            lang: Some(Lang::En),
            ..dated
        };
        let m = complete_meta(p, "x.ru", en, PartialMeta::default(), "text", None).unwrap();
        assert_eq!((m.id.as_str(), m.lang), ("x.ru", Lang::En));
    }

    /// The entries of a JSON array, parsed: each one stands alone.
    fn json_entries(src: &str) -> Vec<Result<ParsedDoc, String>> {
        parse_json(Path::new("d.json"), src)
            .unwrap()
            .into_iter()
            .map(|r| r.map_err(|e| e.to_string()))
            .collect()
    }

    #[test]
    fn json_arrays_need_ids_and_text() {
        let docs = json_entries(
            r#"[{"id":"a","date":"2001-06-15","text":"x"},{"id":"b","date":"2002-06-07","paragraphs":["p1","p2"]}]"#,
        );
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].as_ref().unwrap().text, "p1\n\np2");
        let docs = json_entries(r#"[{"id":"a","text":"x"},{"date":"2001-01-01","text":"y"}]"#);
        assert!(docs[0].is_ok());
        assert_eq!(
            docs[1].as_ref().unwrap_err(),
            "d.json: field `[1].id`: missing: every document of a JSON array needs an id"
        );
        let err = json_entries(r#"{"id":"a","date":"2001-01-01"}"#)
            .remove(0)
            .unwrap_err();
        assert!(err.contains("field `text`: found nothing"), "{err}");
        let err = json_entries(r#"{"id":"a","date":"2001-01-01","text":5}"#)
            .remove(0)
            .unwrap_err();
        assert!(err.contains("field `text`: found a number"), "{err}");
        let docs = json_entries(
            r#"[{"id":"a","date":"2001-01-01","text":"x"},{"id":"b","date":"2001-01-01","paragraphs":"y"},{"id":"c","date":"2001-01-01","text":"z"}]"#,
        );
        let err = docs[1].as_ref().unwrap_err();
        assert!(
            err.contains("field `[1].paragraphs`: found a string"),
            "{err}"
        );
        assert!(docs[0].is_ok() && docs[2].is_ok(), "{docs:?}");
        assert!(parse_json(Path::new("d.json"), "[1,").is_err());
    }

    proptest! {
        #[test]
        fn file_parser_never_panics(
            bytes in proptest::collection::vec(any::<u8>(), 0..400),
            ext in prop::sample::select(vec!["txt", "md", "html", "json", "bin", "pdf", "docx"]),
        ) {
            let _ = parse_file(Path::new(&format!("f.{ext}")), &bytes);
        }

        #[test]
        fn front_matter_parser_never_panics(s in "(\\+\\+\\+\n)?[ -~\n]{0,200}") {
            let _ = split_front_matter(Path::new("x.md"), &s);
        }

        #[test]
        fn paragraph_spans_slice_the_original(s in "[a-zＡ-Ｚ一二三。，\n ]{0,200}") {
            if let Some(doc) = build_document(meta("p"), s.clone(), "h".into(), "s".into()) {
                let originals = doc.original_paragraphs();
                for (p, original) in doc.paragraphs.iter().zip(originals) {
                    // Normalisation maps char to char: the original span normalises to the paragraph.
                    let by_chars = doc.original_chars(p.char_start, p.char_end);
                    prop_assert_eq!(&by_chars, original);
                    prop_assert_eq!(normalize(original, NormalizeOptions::default()), doc.paragraph_text(p));
                }
            }
        }
    }
}
