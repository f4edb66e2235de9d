//! Keyword in context: every occurrence of a term, with the text around it.

use super::IndexError;
use super::schema::{self, LEVEL_PARA};
use super::search::{
    char_index, date_field, lang_of, load, open_searcher, stored_paragraph, term_query,
};
use crate::corpus::Lang;
use crate::layout::DataDir;
use crate::segment::{Segmenter, Token};
use crate::text::normalize_detecting;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeSet, HashSet};
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

/// A KWIC request.
#[derive(Debug, Clone)]
pub struct KwicRequest {
    pub term: String,
    /// Chars of context on each side.
    pub window: usize,
    pub sort: KwicSort,
}

impl KwicRequest {
    /// `term` with 20 chars of context, sorted by date.
    pub fn new(term: impl Into<String>) -> Self {
        Self {
            term: term.into(),
            window: 20,
            sort: KwicSort::Date,
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
/// The index finds the paragraphs that contain all of the term's words; in each, an occurrence
/// is either a run of tokens that matches the term as a search would (stems, aliases, sub-words)
/// or the term's exact text starting and ending on word boundaries. `印度` therefore never
/// matches inside `印度尼西亚`.
pub fn kwic(data: &DataDir, req: &KwicRequest) -> Result<Vec<KwicLine>, IndexError> {
    run_kwic(req, &schema::index_path(data), || open_searcher(data))
}

/// The normalised term and its query tokens; an error when there is nothing to look for.
fn wanted_tokens(req: &KwicRequest) -> Result<(String, Vec<Token>), IndexError> {
    let term = normalize_detecting(req.term.trim()).0;
    let wanted = Segmenter::global().query_tokens(&term);
    if wanted.is_empty() {
        return Err(IndexError::Query {
            query: req.term.clone(),
            message: "nothing to look for: the term is empty or only stopwords and punctuation"
                .into(),
        });
    }
    Ok((term, wanted))
}

/// The paragraph entries holding every word of the term.
fn candidates(
    searcher: &tantivy::Searcher,
    wanted: &[Token],
    path: &std::path::Path,
) -> Result<HashSet<tantivy::DocAddress>, IndexError> {
    let f = schema::fields();
    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Must, term_query(f.level, LEVEL_PARA))];
    let distinct: BTreeSet<&str> = wanted.iter().map(|t| t.term.as_str()).collect();
    for t in distinct {
        clauses.push((Occur::Must, term_query(f.text, t)));
    }
    searcher
        .search(&BooleanQuery::new(clauses), &DocSetCollector)
        .map_err(|e| IndexError::tantivy(path, e))
}

/// The occurrences in one paragraph entry, in text order.
fn paragraph_lines(
    searcher: &tantivy::Searcher,
    addr: tantivy::DocAddress,
    (term, wanted): (&str, &[Token]),
    window: usize,
    path: &std::path::Path,
) -> Result<Vec<KwicLine>, IndexError> {
    let f = schema::fields();
    let doc = load(searcher, addr, path)?;
    let p = stored_paragraph(&doc);
    let date = date_field(&doc, &f, path)?;
    let lang = lang_of(&doc, &f, path)?;
    let to_char = char_index(&p.text);
    let original: Vec<char> = p.original.chars().collect();
    let mut lines = Vec::new();
    for (s, e) in occurrences(Segmenter::global(), &p.text, term, wanted) {
        let (cs, ce) = (to_char(s), to_char(e).min(original.len()));
        let flat = |a: usize, b: usize| -> String {
            original[a..b]
                .iter()
                .map(|&c| if c == '\n' { ' ' } else { c })
                .collect()
        };
        lines.push(KwicLine {
            id: p.id.clone(),
            date,
            lang,
            paragraph: p.index,
            char_start: p.char_start + cs,
            char_end: p.char_start + ce,
            left: flat(cs.saturating_sub(window), cs),
            hit: flat(cs, ce),
            right: flat(ce, (ce + window).min(original.len())),
        });
    }
    Ok(lines)
}

/// [`kwic`] over the index at `path`, opened by `open` once the term is found valid.
pub(crate) fn run_kwic(
    req: &KwicRequest,
    path: &std::path::Path,
    open: impl FnOnce() -> Result<tantivy::Searcher, IndexError>,
) -> Result<Vec<KwicLine>, IndexError> {
    let (term, wanted) = wanted_tokens(req)?;
    let searcher = open()?;
    let mut lines = Vec::new();
    for addr in candidates(&searcher, &wanted, path)? {
        lines.extend(paragraph_lines(
            &searcher,
            addr,
            (&term, &wanted),
            req.window,
            path,
        )?);
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

    // Token runs: the first wanted term anywhere, the others at the same relative positions.
    let base = wanted[0].position;
    for first in tokens.iter().filter(|t| t.term == wanted[0].term) {
        let mut end = first.byte_end;
        let all = wanted[1..].iter().all(|w| {
            let pos = first.position + (w.position - base);
            match tokens
                .iter()
                .find(|t| t.position == pos && t.term == w.term)
            {
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

    // A span inside a longer one found at the same place adds nothing.
    let spans: Vec<(usize, usize)> = found.into_iter().collect();
    spans
        .iter()
        .filter(|&&(s, e)| {
            !spans
                .iter()
                .any(|&(s2, e2)| (s2, e2) != (s, e) && s2 <= s && e <= e2)
        })
        .copied()
        .collect()
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
    let (term, wanted) = wanted_tokens(req)?;
    let found = candidates(searcher, &wanted, path)?;
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
        lines.extend(paragraph_lines(
            searcher,
            addr,
            (&term, &wanted),
            req.window,
            path,
        )?);
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
