//! Keyword in context: every occurrence of a term, with the text around it.

use super::IndexError;
use super::query::has_alias;
use super::schema::han_literal;
use super::schema::{self, LEVEL_PARA};
use super::search::{
    char_index, chars_phrase, date_field, lang_of, literal_occurrences, load, open_searcher,
    stored_paragraph, term_query,
};
use crate::corpus::Lang;
use crate::layout::DataDir;
use crate::segment::{Segmenter, Token};
use crate::text::normalize_detecting;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::IndexRecordOption;

/// Order of KWIC lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KwicSort {
    /// By document date, then document, paragraph and offset.
    #[default]
    Date,
    /// By document id, paragraph and offset.
    Doc,
}

/// Most chars of context on each side (`--window`).
pub const MAX_WINDOW: usize = 500;

/// A KWIC request.
#[derive(Debug, Clone)]
pub struct KwicRequest {
    pub term: String,
    /// Chars of context on each side (0..=[`MAX_WINDOW`]).
    pub window: usize,
    pub sort: KwicSort,
    /// Whole words only: a Han term is then found where it stands as a word or sub-word (as
    /// search's words match it, aliases included), not inside any longer word.
    pub words: bool,
}

impl KwicRequest {
    /// `term` with 20 chars of context, sorted by date, every literal occurrence.
    pub fn new(term: impl Into<String>) -> Self {
        Self {
            term: term.into(),
            window: 20,
            sort: KwicSort::Date,
            words: false,
        }
    }
}

/// One occurrence.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct KwicLine {
    pub id: String,
    pub date: NaiveDate,
    pub lang: Lang,
    pub paragraph: u32,
    /// Char offsets of the occurrence in the document's original text.
    pub char_start: usize,
    pub char_end: usize,
    /// Up to `window` chars before the occurrence (within its paragraph; line breaks as spaces).
    pub left: String,
    /// The occurrence as the document writes it.
    pub hit: String,
    /// Up to `window` chars after it.
    pub right: String,
}

/// Every occurrence of `req.term` in the index of `data`.
///
/// A term of Han characters is found wherever that string stands in the normalised text
/// (overlapping occurrences included), whatever the segmenter cut: `多极` inside `多极化`; a
/// term of an alias group also where the group's other names stand, as search finds them. With
/// [`KwicRequest::words`], and for any other term, an occurrence is either a run of tokens
/// that matches the term as a search would (stems, aliases, sub-words) or the term's exact text
/// starting and ending on word boundaries; `印度` then never matches inside `印度尼西亚`.
pub fn kwic(data: &DataDir, req: &KwicRequest) -> Result<Vec<KwicLine>, IndexError> {
    run_kwic(req, &schema::index_path(data), || open_searcher(data))
}

/// What a request looks for: the normalised term, its query tokens, the Han string to find
/// literally (none with [`KwicRequest::words`] or for other scripts), and whether word matches
/// count too (other terms, and the other names of an alias group).
struct Plan {
    term: String,
    wanted: Vec<Token>,
    literal: Option<String>,
    with_words: bool,
}

/// The plan of a request; an error for a window out of range or nothing to look for.
fn plan(req: &KwicRequest) -> Result<Plan, IndexError> {
    if req.window > MAX_WINDOW {
        return Err(IndexError::Request(format!(
            "--window must be between 0 and {MAX_WINDOW}, not {}",
            req.window
        )));
    }
    let term = normalize_detecting(req.term.trim()).0;
    let seg = Segmenter::global();
    let literal = if req.words { None } else { han_literal(&term) };
    let wanted = seg.query_tokens(&term);
    // As in search, a term of an alias group also finds the group's other names.
    let with_words = literal.is_none() || has_alias(&term);
    if literal.is_none() && wanted.is_empty() {
        return Err(IndexError::Query {
            query: req.term.clone(),
            message: "nothing to look for: the term is empty or only stopwords and punctuation"
                .into(),
        });
    }
    Ok(Plan {
        term,
        wanted,
        literal,
        with_words,
    })
}

/// The paragraph entries that may hold an occurrence: the literal string as a phrase of
/// characters, or every word of the term.
fn candidates(
    searcher: &tantivy::Searcher,
    plan: &Plan,
    path: &std::path::Path,
) -> Result<HashSet<tantivy::DocAddress>, IndexError> {
    let f = schema::fields();
    let mut found_by: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(literal) = &plan.literal {
        found_by.push((Occur::Should, chars_phrase(f.chars, literal)));
    }
    if plan.with_words && !plan.wanted.is_empty() {
        let distinct: BTreeSet<&str> = plan.wanted.iter().map(|t| t.term.as_str()).collect();
        let all_words = distinct
            .into_iter()
            .map(|t| (Occur::Must, term_query(f.text, t)))
            .collect();
        found_by.push((Occur::Should, Box::new(BooleanQuery::new(all_words))));
    }
    let clauses: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Must, term_query(f.level, LEVEL_PARA)),
        (Occur::Must, Box::new(BooleanQuery::new(found_by))),
    ];
    searcher
        .search(&BooleanQuery::new(clauses), &DocSetCollector)
        .map_err(|e| IndexError::tantivy(path, e))
}

/// The occurrences in one paragraph entry, in text order.
fn paragraph_lines(
    searcher: &tantivy::Searcher,
    addr: tantivy::DocAddress,
    plan: &Plan,
    window: usize,
    path: &std::path::Path,
) -> Result<Vec<KwicLine>, IndexError> {
    let f = schema::fields();
    let seg = Segmenter::global();
    let doc = load(searcher, addr, path)?;
    let p = stored_paragraph(&doc);
    let date = date_field(&doc, &f, path)?;
    let lang = lang_of(&doc, &f, path)?;
    let spans = match &plan.literal {
        Some(literal) => {
            let exact: Vec<(usize, usize)> = literal_occurrences(&p.text, literal).collect();
            if plan.with_words && !plan.wanted.is_empty() {
                with_other_names(exact, occurrences(seg, &p.text, &plan.term, &plan.wanted))
            } else {
                exact
            }
        }
        None => occurrences(seg, &p.text, &plan.term, &plan.wanted),
    };
    if spans.is_empty() {
        return Ok(Vec::new());
    }
    let to_char = char_index(&p.text);
    let original: Vec<char> = p.original.chars().collect();
    let flat = |a: usize, b: usize| -> String {
        original
            .get(a..b)
            .unwrap_or_default()
            .iter()
            .map(|&c| if c == '\n' { ' ' } else { c })
            .collect()
    };
    let mut lines = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        let (cs, ce) = (
            to_char(s).min(original.len()),
            to_char(e).min(original.len()),
        );
        lines.push(KwicLine {
            id: p.id.clone(),
            date,
            lang,
            paragraph: p.index,
            char_start: p.char_start + cs,
            char_end: p.char_start + ce,
            left: flat(cs.saturating_sub(window), cs),
            hit: flat(cs, ce),
            right: flat(ce, ce.saturating_add(window).min(original.len())),
        });
    }
    Ok(lines)
}

/// [`kwic`] over the index at `path`, opened by `open` once the request is found valid.
pub(crate) fn run_kwic(
    req: &KwicRequest,
    path: &std::path::Path,
    open: impl FnOnce() -> Result<tantivy::Searcher, IndexError>,
) -> Result<Vec<KwicLine>, IndexError> {
    let plan = plan(req)?;
    let searcher = open()?;
    let mut lines = Vec::new();
    for addr in candidates(&searcher, &plan, path)? {
        lines.extend(paragraph_lines(&searcher, addr, &plan, req.window, path)?);
    }
    match req.sort {
        KwicSort::Date => lines.sort_by(|a, b| {
            (a.date, &a.id, a.lang, a.paragraph, a.char_start).cmp(&(
                b.date,
                &b.id,
                b.lang,
                b.paragraph,
                b.char_start,
            ))
        }),
        KwicSort::Doc => lines.sort_by(|a, b| {
            (&a.id, a.lang, a.paragraph, a.char_start).cmp(&(
                &b.id,
                b.lang,
                b.paragraph,
                b.char_start,
            ))
        }),
    }
    Ok(lines)
}

/// Byte spans of the occurrences of a term in `text` (normalised paragraph text).
pub(crate) fn occurrences(
    seg: &Segmenter,
    text: &str,
    term: &str,
    wanted: &[Token],
) -> Vec<(usize, usize)> {
    let tokens = seg.tokenize(text, Lang::Zh);
    let mut found: BTreeSet<(usize, usize)> = BTreeSet::new();
    let Some(head) = wanted.first() else {
        return Vec::new();
    };
    // Tokens by (position, term), so that each run is checked in constant time per word.
    let at: HashMap<(u32, &str), &Token> = tokens
        .iter()
        .map(|t| ((t.position, t.term.as_str()), t))
        .collect();

    // Token runs: the first wanted term anywhere, the others at the same relative positions.
    let base = head.position;
    for first in tokens.iter().filter(|t| t.term == head.term) {
        let mut end = first.byte_end;
        let all = wanted[1..].iter().all(|w| {
            let pos = first.position + (w.position - base);
            match at.get(&(pos, w.term.as_str())) {
                Some(t) => {
                    end = end.max(t.byte_end);
                    true
                }
                None => false,
            }
        });
        if all {
            found.insert((first.byte_start, end));
        }
    }

    // Exact text on word boundaries (words, sub-words, stopwords and punctuation all count).
    if !term.is_empty() {
        let mut starts: HashSet<usize> = HashSet::new();
        let mut ends: HashSet<usize> = HashSet::new();
        for t in &tokens {
            starts.insert(t.byte_start);
            ends.insert(t.byte_end);
        }
        for w in seg.cut(text) {
            starts.insert(w.byte_start);
            ends.insert(w.byte_end);
        }
        for (s, m) in text.match_indices(term) {
            let e = s + m.len();
            if starts.contains(&s) && ends.contains(&e) {
                found.insert((s, e));
            }
        }
    }

    drop_nested(found.into_iter().collect())
}

/// Every literal occurrence (sorted, from [`literal_occurrences`]), and the word matches that
/// overlap none of them: the other names of an alias group. A word match around a literal
/// occurrence (`上合组织` around `上合`) is that occurrence, not another one.
fn with_other_names(exact: Vec<(usize, usize)>, words: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    let mut all = exact.clone();
    for (s, e) in words {
        // The first literal occurrence ending after `s` is the only one that may overlap.
        let i = exact.partition_point(|&(_, end)| end <= s);
        if exact.get(i).is_none_or(|&(start, _)| start >= e) {
            all.push((s, e));
        }
    }
    all.sort_unstable();
    all
}

/// The spans not inside another one: a span inside a longer one found at the same place adds
/// nothing. One sort and one sweep (a paragraph may hold a hundred thousand hits).
pub(crate) fn drop_nested(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    // By start, longest first: a span is inside another iff an earlier one reaches its end.
    spans.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    spans.dedup();
    let mut reach = None;
    let mut kept = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        if reach.is_some_and(|r| e <= r) {
            continue;
        }
        reach = Some(reach.map_or(e, |r: usize| r.max(e)));
        kept.push((s, e));
    }
    kept
}

/// The first lines of a KWIC listing (see [`KwicPage`]).
///
/// The paragraphs holding the term are put in the listing's order from the index alone (date
/// and paragraph number from fast fields, the document version from [`KeyRanks`]), and only
/// as many are read as the first `max_lines` lines need: the cost follows the page, not the
/// number of occurrences of a common word.
pub(crate) fn run_kwic_page(
    req: &KwicRequest,
    path: &std::path::Path,
    searcher: &tantivy::Searcher,
    ranks: &KeyRanks,
    max_lines: usize,
) -> Result<KwicPage, IndexError> {
    let plan = plan(req)?;
    let found = candidates(searcher, &plan, path)?;
    let paragraphs = found.len();
    let tantivy_err = |e| IndexError::tantivy(path, e);
    let mut columns = Vec::new();
    for reader in searcher.segment_readers() {
        let fast = reader.fast_fields();
        columns.push((
            fast.date("date").map_err(tantivy_err)?,
            fast.u64("paragraph").map_err(tantivy_err)?,
        ));
    }
    // (date, version rank, paragraph, address): the listing's order, to the paragraph.
    let mut order: Vec<(i64, u32, u64, tantivy::DocAddress)> = found
        .into_iter()
        .map(|addr| {
            let (dates, paras) = &columns[addr.segment_ord as usize];
            let date = match req.sort {
                KwicSort::Date => dates
                    .first(addr.doc_id)
                    .map_or(i64::MIN, |d| d.into_timestamp_secs()),
                KwicSort::Doc => 0,
            };
            let rank = ranks.rank(addr);
            (date, rank, paras.first(addr.doc_id).unwrap_or(0), addr)
        })
        .collect();
    order.sort_unstable_by_key(|&(date, rank, para, addr)| {
        (date, rank, para, addr.segment_ord, addr.doc_id)
    });
    let mut lines = Vec::new();
    let mut read = 0;
    for &(_, _, _, addr) in &order {
        if lines.len() >= max_lines {
            break;
        }
        lines.extend(paragraph_lines(searcher, addr, &plan, req.window, path)?);
        read += 1;
    }
    let complete = read == order.len() && lines.len() <= max_lines;
    lines.truncate(max_lines);
    Ok(KwicPage {
        lines,
        paragraphs,
        complete,
    })
}

/// The first lines of a KWIC listing, in the order of [`kwic`].
#[derive(Debug, Clone, Serialize)]
pub struct KwicPage {
    pub lines: Vec<KwicLine>,
    /// Paragraph versions holding the term (all of them, read or not).
    pub paragraphs: usize,
    /// True when `lines` is the whole listing.
    pub complete: bool,
}

/// The rank of every index entry's document version in the order (id, language) of the KWIC
/// listing, read once from the `key` field's term dictionary.
#[derive(Debug, Default)]
pub(crate) struct KeyRanks {
    /// Per segment, per doc id: the rank (`u32::MAX` for none).
    by_segment: Vec<Vec<u32>>,
}

impl KeyRanks {
    pub(crate) fn build(
        searcher: &tantivy::Searcher,
        path: &std::path::Path,
    ) -> Result<KeyRanks, IndexError> {
        use tantivy::DocSet;
        let f = schema::fields();
        let tantivy_err = |e| IndexError::tantivy(path, e);
        let io_err = |e: std::io::Error| IndexError::Corrupt {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        // Every key in the index, sorted as the listing sorts (id, then zh, ru, en).
        let mut keys: Vec<crate::corpus::DocKey> = Vec::new();
        for reader in searcher.segment_readers() {
            let inverted = reader.inverted_index(f.key).map_err(tantivy_err)?;
            let mut stream = inverted.terms().stream().map_err(io_err)?;
            while stream.advance() {
                if let Some(key) = std::str::from_utf8(stream.key())
                    .ok()
                    .and_then(crate::corpus::DocKey::parse)
                {
                    keys.push(key);
                }
            }
        }
        keys.sort();
        keys.dedup();
        let mut by_segment = Vec::new();
        for reader in searcher.segment_readers() {
            let mut ranks = vec![u32::MAX; reader.max_doc() as usize];
            let inverted = reader.inverted_index(f.key).map_err(tantivy_err)?;
            let mut stream = inverted.terms().stream().map_err(io_err)?;
            while stream.advance() {
                let Some(key) = std::str::from_utf8(stream.key())
                    .ok()
                    .and_then(crate::corpus::DocKey::parse)
                else {
                    continue;
                };
                let rank = keys
                    .binary_search(&key)
                    .map_or(u32::MAX, |r| u32::try_from(r).unwrap_or(u32::MAX));
                let mut postings = inverted
                    .read_postings_from_terminfo(stream.value(), IndexRecordOption::Basic)
                    .map_err(io_err)?;
                let mut doc = postings.doc();
                while doc != tantivy::TERMINATED {
                    if let Some(slot) = ranks.get_mut(doc as usize) {
                        *slot = rank;
                    }
                    doc = postings.advance();
                }
            }
            by_segment.push(ranks);
        }
        Ok(KeyRanks { by_segment })
    }

    fn rank(&self, addr: tantivy::DocAddress) -> u32 {
        self.by_segment
            .get(addr.segment_ord as usize)
            .and_then(|r| r.get(addr.doc_id as usize))
            .copied()
            .unwrap_or(u32::MAX)
    }
}
