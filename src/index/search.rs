//! Ranked search over the document level with filters, and snippets with highlights from the
//! paragraph level.

use super::IndexError;
use super::indexer::{check_fresh, date_of, date_value, open_existing};
use super::query::{ParsedQuery, parse_query};
use super::schema::{self, Fields, LEVEL_DOC, LEVEL_PARA};
use crate::corpus::{DocKey, Lang};
use crate::layout::DataDir;
use crate::segment::Segmenter;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeSet;
use std::ops::Bound;
use std::path::Path;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Term, Value};
use tantivy::{DocAddress, ReloadPolicy, Searcher, TantivyDocument};

/// Longest snippet, in chars; a longer paragraph is cut around its first highlight.
const SNIPPET_CHARS: usize = 200;
/// Chars kept before the first highlight when a paragraph is cut.
const SNIPPET_LEAD: usize = 60;

/// Most hits a search returns (`--limit`).
pub const MAX_LIMIT: usize = 10_000;
/// Most snippets per hit (`--snippets`).
pub const MAX_SNIPPETS: usize = 100;

/// A search: the query and its filters.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// tantivy query syntax (see [`parse_query`]).
    pub query: String,
    /// Only documents dated on or after this day.
    pub from: Option<NaiveDate>,
    /// Only documents dated on or before this day.
    pub to: Option<NaiveDate>,
    pub doc_type: Option<String>,
    pub body: Option<String>,
    pub lang: Option<Lang>,
    /// Maximum number of hits (1..=[`MAX_LIMIT`]).
    pub limit: usize,
    /// Snippets per hit (0..=[`MAX_SNIPPETS`]).
    pub snippets: usize,
}

impl SearchRequest {
    /// A request with no filters, 10 hits and 3 snippets per hit.
    pub fn new(query: impl Into<String>) -> Self {
        Self {
            query: query.into(),
            from: None,
            to: None,
            doc_type: None,
            body: None,
            lang: None,
            limit: 10,
            snippets: 3,
        }
    }
}

/// The answer to a [`SearchRequest`] (the `--json` output).
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub query: String,
    /// Documents matching the query and filters (hits are the best `limit` of them).
    pub total: usize,
    pub hits: Vec<SearchHit>,
}

/// One matching document.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub id: String,
    pub title: String,
    pub date: NaiveDate,
    pub score: f32,
    pub body: String,
    pub doc_type: String,
    pub lang: Lang,
    /// Best matching paragraphs, best first.
    pub snippets: Vec<Snippet>,
}

/// A piece of a paragraph with the matched words marked.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Snippet {
    /// Index of the paragraph in its document.
    pub paragraph: u32,
    /// The snippet, from the document's original text.
    pub text: String,
    /// Char offsets `[start, end)` of each highlight in the document's original text.
    pub highlights: Vec<[usize; 2]>,
    /// Char offsets of `text` in the document's original text.
    pub char_start: usize,
    pub char_end: usize,
}

/// Parses a `--from`/`--to` bound: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`. A partial date means its
/// first day, or its last day when `end` is set.
pub fn parse_date_bound(s: &str, end: bool) -> Result<NaiveDate, IndexError> {
    let bad = || {
        IndexError::Request(format!(
            "`{s}` is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)"
        ))
    };
    let parts: Vec<&str> = s.trim().split('-').collect();
    let num = |p: &str| p.parse::<u32>().map_err(|_| bad());
    let (y, m, d) = match parts.as_slice() {
        [y] if y.len() == 4 => (num(y)?, None, None),
        [y, m] if y.len() == 4 => (num(y)?, Some(num(m)?), None),
        [y, m, d] if y.len() == 4 => (num(y)?, Some(num(m)?), Some(num(d)?)),
        _ => return Err(bad()),
    };
    let y = i32::try_from(y).map_err(|_| bad())?;
    let date = match (m, d, end) {
        (None, _, false) => NaiveDate::from_ymd_opt(y, 1, 1),
        (None, _, true) => NaiveDate::from_ymd_opt(y, 12, 31),
        (Some(m), None, false) => NaiveDate::from_ymd_opt(y, m, 1),
        (Some(m), None, true) => NaiveDate::from_ymd_opt(y, m, 1)
            .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
            .and_then(|d| d.pred_opt()),
        (Some(m), Some(d), _) => NaiveDate::from_ymd_opt(y, m, d),
    };
    date.ok_or_else(bad)
}

/// Opens the committed index of `data` for reading.
pub(crate) fn open_searcher(data: &DataDir) -> Result<Searcher, IndexError> {
    let path = schema::index_path(data);
    let Some(index) = open_existing(&path)? else {
        if let Some(old) = schema::older_indexes(data).into_iter().next() {
            return Err(IndexError::OldLayout(old));
        }
        return Err(IndexError::NoIndex(data.index_dir()));
    };
    check_fresh(&index, &path)?;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(|e| IndexError::tantivy(&path, e))?;
    Ok(reader.searcher())
}

pub(crate) fn term_query(field: tantivy::schema::Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// Searches the index of `data`.
pub fn search(data: &DataDir, req: &SearchRequest) -> Result<SearchResults, IndexError> {
    run_search(req, &schema::index_path(data), || open_searcher(data))
}

/// Searches the index at `path`, opened by `open` once the request is found valid.
pub(crate) fn run_search(
    req: &SearchRequest,
    path: &Path,
    open: impl FnOnce() -> Result<Searcher, IndexError>,
) -> Result<SearchResults, IndexError> {
    if !(1..=MAX_LIMIT).contains(&req.limit) {
        return Err(IndexError::Request(format!(
            "--limit must be between 1 and {MAX_LIMIT}, not {}",
            req.limit
        )));
    }
    if req.snippets > MAX_SNIPPETS {
        return Err(IndexError::Request(format!(
            "--snippets must be between 0 and {MAX_SNIPPETS}, not {}",
            req.snippets
        )));
    }
    if let (Some(from), Some(to)) = (req.from, req.to)
        && from > to
    {
        return Err(IndexError::Request(format!(
            "--from {from} is after --to {to}"
        )));
    }
    let parsed = parse_query(&req.query)?;
    let searcher = open()?;
    let path = path.to_path_buf();
    let f = schema::fields();

    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Must, parsed.query.box_clone()),
        (Occur::Must, term_query(f.level, LEVEL_DOC)),
    ];
    if req.from.is_some() || req.to.is_some() {
        let bound = |d: Option<NaiveDate>| match d {
            Some(d) => Bound::Included(Term::from_field_date(f.date, date_value(d))),
            None => Bound::Unbounded,
        };
        clauses.push((
            Occur::Must,
            Box::new(RangeQuery::new(bound(req.from), bound(req.to))),
        ));
    }
    for (field, value) in [
        (f.doc_type, req.doc_type.clone()),
        (f.body, req.body.clone()),
        (f.lang, req.lang.map(|l| l.as_str().to_string())),
    ] {
        if let Some(v) = value {
            clauses.push((Occur::Must, term_query(field, &v.trim().to_lowercase())));
        }
    }
    let query = BooleanQuery::new(clauses);
    let (top, total) = searcher
        .search(
            &query,
            &(TopDocs::with_limit(req.limit).order_by_score(), Count),
        )
        .map_err(|e| IndexError::tantivy(&path, e))?;

    let mut hits = Vec::with_capacity(top.len());
    for (score, addr) in top {
        let doc = load(&searcher, addr, &path)?;
        let id = text_of(&doc, f.id);
        let lang = lang_of(&doc, &f, &path)?;
        let snippets = if req.snippets == 0 {
            Vec::new()
        } else {
            let key = DocKey::new(id.as_str(), lang).to_string();
            snippets(&searcher, &parsed, &key, req.snippets, &path)?
        };
        hits.push(SearchHit {
            title: text_of(&doc, f.title_stored),
            date: date_field(&doc, &f, &path)?,
            score,
            body: text_of(&doc, f.body),
            doc_type: text_of(&doc, f.doc_type),
            lang,
            snippets,
            id,
        });
    }
    Ok(SearchResults {
        query: req.query.clone(),
        total,
        hits,
    })
}

pub(crate) fn load(
    searcher: &Searcher,
    addr: DocAddress,
    path: &Path,
) -> Result<TantivyDocument, IndexError> {
    searcher.doc(addr).map_err(|e| IndexError::tantivy(path, e))
}

pub(crate) fn text_of(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

pub(crate) fn u64_of(doc: &TantivyDocument, field: tantivy::schema::Field) -> u64 {
    doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0)
}

pub(crate) fn date_field(
    doc: &TantivyDocument,
    f: &Fields,
    path: &Path,
) -> Result<NaiveDate, IndexError> {
    doc.get_first(f.date)
        .and_then(|v| v.as_datetime())
        .and_then(date_of)
        .ok_or_else(|| IndexError::Corrupt {
            path: path.to_path_buf(),
            message: format!("entry of `{}` has no date", text_of(doc, f.id)),
        })
}

/// The language of an index entry.
pub(crate) fn lang_of(doc: &TantivyDocument, f: &Fields, path: &Path) -> Result<Lang, IndexError> {
    let lang = text_of(doc, f.lang);
    lang.parse().map_err(|_| IndexError::Corrupt {
        path: path.to_path_buf(),
        message: format!("entry of `{}` has language `{lang}`", text_of(doc, f.id)),
    })
}

/// A stored paragraph entry.
pub(crate) struct StoredParagraph {
    pub id: String,
    pub index: u32,
    pub char_start: usize,
    /// Normalised text (what was tokenized).
    pub text: String,
    /// Original text (same chars count).
    pub original: String,
}

pub(crate) fn stored_paragraph(doc: &TantivyDocument) -> StoredParagraph {
    let f = schema::fields();
    let text = text_of(doc, f.para_text);
    let original = doc
        .get_first(f.para_original)
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_else(|| text.clone());
    StoredParagraph {
        id: text_of(doc, f.id),
        index: u32::try_from(u64_of(doc, f.paragraph)).unwrap_or(u32::MAX),
        char_start: usize::try_from(u64_of(doc, f.char_start)).unwrap_or(0),
        text,
        original,
    }
}

/// The best `n` paragraphs of the document version `key` (`<id>.<lang>`) for the query.
fn snippets(
    searcher: &Searcher,
    parsed: &ParsedQuery,
    key: &str,
    n: usize,
    path: &Path,
) -> Result<Vec<Snippet>, IndexError> {
    let f = schema::fields();
    let in_document = |query: Box<dyn Query>| {
        BooleanQuery::new(vec![
            (Occur::Must, query),
            (Occur::Must, term_query(f.level, LEVEL_PARA)),
            (Occur::Must, term_query(f.key, key)),
        ])
    };
    let best = |query: &BooleanQuery| {
        searcher
            .search(query, &TopDocs::with_limit(n).order_by_score())
            .map_err(|e| IndexError::tantivy(path, e))
    };
    let mut top = best(&in_document(parsed.query.box_clone()))?;
    if top.is_empty()
        && !(parsed.highlight_terms.is_empty() && parsed.highlight_literals.is_empty())
    {
        // The document matches as a whole but no paragraph does alone (`上海精神 AND 主权`
        // with the two in different paragraphs): show the paragraphs with the query's terms.
        let terms = parsed
            .highlight_terms
            .iter()
            .map(|t| (Occur::Should, term_query(f.text, t)));
        let literals = parsed
            .highlight_literals
            .iter()
            .map(|l| (Occur::Should, chars_phrase(f.chars, l)));
        let any_term = BooleanQuery::new(terms.chain(literals).collect());
        top = best(&in_document(Box::new(any_term)))?;
    }
    let mut out = Vec::with_capacity(top.len());
    for (_, addr) in top {
        let p = stored_paragraph(&load(searcher, addr, path)?);
        let mut spans = highlight_spans(&p.text, &parsed.highlight_terms);
        spans.extend(literal_spans(&p.text, &parsed.highlight_literals));
        out.push(make_snippet(&p, &merge_spans(spans, false)));
    }
    Ok(out)
}

/// The query "the Han string `literal` stands here" on a character field.
pub(crate) fn chars_phrase(field: tantivy::schema::Field, literal: &str) -> Box<dyn Query> {
    let terms: Vec<Term> = schema::han_char_terms(literal)
        .iter()
        .map(|t| Term::from_field_text(field, t))
        .collect();
    match terms.as_slice() {
        [] => Box::new(BooleanQuery::new(Vec::new())),
        [one] => Box::new(TermQuery::new(one.clone(), IndexRecordOption::WithFreqs)),
        _ => Box::new(PhraseQuery::new(terms)),
    }
}

/// Byte spans of every occurrence of each of `literals` in `text`.
pub(crate) fn literal_spans(text: &str, literals: &BTreeSet<String>) -> Vec<(usize, usize)> {
    literals
        .iter()
        .flat_map(|l| literal_occurrences(text, l))
        .collect()
}

/// Byte spans of every place where `needle` starts in `text`, overlapping ones included
/// (`多多` stands twice in `多多多`). Each search resumes one char after the last match, so the
/// scan stays linear in the text plus the needle's length per match.
pub(crate) fn literal_occurrences<'a>(
    text: &'a str,
    needle: &'a str,
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let mut from = 0;
    std::iter::from_fn(move || {
        if needle.is_empty() {
            return None;
        }
        let start = from + text.get(from..)?.find(needle)?;
        let step = text[start..].chars().next().map_or(1, char::len_utf8);
        from = start + step;
        Some((start, start + needle.len()))
    })
}

/// Byte spans of `text` whose tokens (main or sub-word) are among `terms`; overlapping and
/// touching spans are merged, so that a word jieba cuts in pieces (`差/序/格局`) is marked as
/// one.
pub(crate) fn highlight_spans(text: &str, terms: &BTreeSet<String>) -> Vec<(usize, usize)> {
    if terms.is_empty() {
        return Vec::new();
    }
    merge_spans(
        Segmenter::global()
            .tokenize(text, Lang::Zh)
            .into_iter()
            .filter(|t| terms.contains(&t.term))
            .map(|t| (t.byte_start, t.byte_end))
            .collect(),
        true,
    )
}

/// Spans sorted, with overlapping ones (and touching ones, if `touching`) merged: two
/// occurrences of a string side by side stay two highlights.
fn merge_spans(mut spans: Vec<(usize, usize)>, touching: bool) -> Vec<(usize, usize)> {
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s < last.1 || (touching && s == last.1) => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// Char index of each byte offset of `text` (`text.len()` included).
pub(crate) fn char_index(text: &str) -> impl Fn(usize) -> usize + '_ {
    let starts: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    move |byte| starts.partition_point(|&b| b < byte)
}

fn make_snippet(p: &StoredParagraph, spans: &[(usize, usize)]) -> Snippet {
    let to_char = char_index(&p.text);
    let spans: Vec<(usize, usize)> = spans
        .iter()
        .map(|&(s, e)| (to_char(s), to_char(e)))
        .collect();
    let n = p.original.chars().count();
    let (start, end) = if n <= SNIPPET_CHARS {
        (0, n)
    } else {
        let first = spans.first().map_or(0, |s| s.0);
        let start = first.saturating_sub(SNIPPET_LEAD).min(n - SNIPPET_CHARS);
        (start, start + SNIPPET_CHARS)
    };
    Snippet {
        paragraph: p.index,
        text: p.original.chars().skip(start).take(end - start).collect(),
        highlights: spans
            .into_iter()
            .filter(|&(s, e)| s >= start && e <= end)
            .map(|(s, e)| [p.char_start + s, p.char_start + e])
            .collect(),
        char_start: p.char_start + start,
        char_end: p.char_start + end,
    }
}
