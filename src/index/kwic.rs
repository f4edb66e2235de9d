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

/// [`kwic`] over the index at `path`, opened by `open` once the term is found valid.
pub(crate) fn run_kwic(
    req: &KwicRequest,
    path: &std::path::Path,
    open: impl FnOnce() -> Result<tantivy::Searcher, IndexError>,
) -> Result<Vec<KwicLine>, IndexError> {
    let term = normalize_detecting(req.term.trim()).0;
    let seg = Segmenter::global();
    let wanted = seg.query_tokens(&term);
    if wanted.is_empty() {
        return Err(IndexError::Query {
            query: req.term.clone(),
            message: "nothing to look for: the term is empty or only stopwords and punctuation"
                .into(),
        });
    }
    let searcher = open()?;
    let path = path.to_path_buf();
    let f = schema::fields();
    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Must, term_query(f.level, LEVEL_PARA))];
    let distinct: BTreeSet<&str> = wanted.iter().map(|t| t.term.as_str()).collect();
    for t in distinct {
        clauses.push((Occur::Must, term_query(f.text, t)));
    }
    let candidates = searcher
        .search(&BooleanQuery::new(clauses), &DocSetCollector)
        .map_err(|e| IndexError::tantivy(&path, e))?;

    let mut lines = Vec::new();
    for addr in candidates {
        let doc = load(&searcher, addr, &path)?;
        let p = stored_paragraph(&doc);
        let date = date_field(&doc, &f, &path)?;
        let lang = lang_of(&doc, &f, &path)?;
        let to_char = char_index(&p.text);
        let original: Vec<char> = p.original.chars().collect();
        for (s, e) in occurrences(seg, &p.text, &term, &wanted) {
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
                left: flat(cs.saturating_sub(req.window), cs),
                hit: flat(cs, ce),
                right: flat(ce, (ce + req.window).min(original.len())),
            });
        }
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
