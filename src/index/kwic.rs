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
    let searcher = open_searcher(data)?;
    let path = schema::index_path(data);
    let f = schema::fields();
    let mut found_by: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(literal) = &literal {
        found_by.push((Occur::Should, chars_phrase(f.chars, literal)));
    }
    if with_words && !wanted.is_empty() {
        let distinct: BTreeSet<&str> = wanted.iter().map(|t| t.term.as_str()).collect();
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
    let candidates = searcher
        .search(&BooleanQuery::new(clauses), &DocSetCollector)
        .map_err(|e| IndexError::tantivy(&path, e))?;

    let mut lines = Vec::new();
    for addr in candidates {
        let doc = load(&searcher, addr, &path)?;
        let p = stored_paragraph(&doc);
        let date = date_field(&doc, &f, &path)?;
        let lang = lang_of(&doc, &f, &path)?;
        let spans = match &literal {
            Some(literal) => {
                let exact: Vec<(usize, usize)> = literal_occurrences(&p.text, literal).collect();
                if with_words && !wanted.is_empty() {
                    with_other_names(exact, occurrences(seg, &p.text, &term, &wanted))
                } else {
                    exact
                }
            }
            None => occurrences(seg, &p.text, &term, &wanted),
        };
        if spans.is_empty() {
            continue;
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
                left: flat(cs.saturating_sub(req.window), cs),
                hit: flat(cs, ce),
                right: flat(ce, ce.saturating_add(req.window).min(original.len())),
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
