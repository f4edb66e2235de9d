//! `/kwic?term=&sort=&page=`: every occurrence of a term in context, sortable by date or
//! document, each line linked to its paragraph, 100 a page (at most [`MAX_KWIC_LINES`]). The
//! JSON twin is `scoway kwic --json` for the page's lines; `total` is known (not null) on the
//! page where the listing ends, since only the paragraphs up to the page are read.

use super::layout::{downloads, json_twin, page, url_encode};
use super::security::{ApiError, KWIC_PER_PAGE, MAX_KWIC_LINES, Params};
use super::{Library, Reply};
use crate::index::{KwicLine, KwicRequest, KwicSort};
use maud::{Markup, html};

/// Chars of context on each side.
const WINDOW: usize = 30;

pub fn handle(lib: &Library, params: &Params) -> Result<Reply, ApiError> {
    let term = params.query("term")?;
    let sort = params.choice("sort", &["date", "doc"], "date")?;
    let last_page = MAX_KWIC_LINES.div_ceil(KWIC_PER_PAGE);
    let page_no = params.page(last_page)?;
    let Some(term) = term else {
        if params.json {
            return Err(params.bad("parameter `term` is missing"));
        }
        return Ok(Reply::Html(render(lib, None)));
    };
    let req = KwicRequest {
        term: term.to_string(),
        window: WINDOW,
        sort: if sort == "doc" {
            KwicSort::Doc
        } else {
            KwicSort::Date
        },
        // Every literal occurrence, as `scoway kwic` lists them by default.
        words: false,
    };
    let page = lib
        .index
        .kwic_page(&req, page_no * KWIC_PER_PAGE)
        .map_err(|e| ApiError::from(e).json(params.json))?;
    let listing = Listing {
        term,
        sort,
        page_no,
        paragraphs: page.paragraphs,
        total: page.complete.then_some(page.lines.len()),
        lines: page
            .lines
            .into_iter()
            .skip((page_no - 1) * KWIC_PER_PAGE)
            .collect(),
    };
    if params.json {
        return Ok(Reply::Json(serde_json::json!({
            "term": term,
            "total": listing.total,
            "paragraphs": listing.paragraphs,
            "page": page_no,
            "per_page": KWIC_PER_PAGE,
            "lines": listing.lines,
        })));
    }
    Ok(Reply::Html(render(lib, Some(&listing))))
}

/// One page of a KWIC listing.
struct Listing<'a> {
    term: &'a str,
    sort: &'static str,
    page_no: usize,
    /// Paragraph versions holding the term.
    paragraphs: usize,
    /// All the occurrences, when the listing ends on this page (otherwise unknown: only what
    /// the pages up to this one need is read).
    total: Option<usize>,
    lines: Vec<KwicLine>,
}

fn render(lib: &Library, listing: Option<&Listing>) -> Markup {
    let sort = listing.map_or("date", |l| l.sort);
    let query = |sort: &str, page: usize| {
        let mut q = format!(
            "term={}&sort={sort}",
            url_encode(listing.map_or("", |l| l.term))
        );
        if page > 1 {
            q.push_str(&format!("&page={page}"));
        }
        q
    };
    let json = listing.map_or_else(String::new, |l| json_twin("/kwic", &query(sort, l.page_no)));
    let last_page = MAX_KWIC_LINES.div_ceil(KWIC_PER_PAGE);
    let body = html! {
        h1 { "Keyword in context" }
        form.query method="get" action="/kwic" {
            label { "Term" input #term type="search" name="term" value=[listing.map(|l| l.term)] placeholder="上海精神"; }
            label { "Sort by" select name="sort" {
                option value="date" selected[sort == "date"] { "date" }
                option value="doc" selected[sort == "doc"] { "document" }
            } }
            button type="submit" { "Show" }
        }
        @if let Some(l) = listing {
            p.meta #total {
                @match l.total {
                    Some(n) => { (n) " occurrence" @if n != 1 { "s" } }
                    None => { "occurrences" }
                }
                " of " code { (l.term) } " in " (l.paragraphs) " paragraph" @if l.paragraphs != 1 { "s" }
                " · sort by "
                @if sort == "date" { strong { "date" } " · " a href={ "/kwic?" (query("doc", 1)) } { "document" } }
                @else { a href={ "/kwic?" (query("date", 1)) } { "date" } " · " strong { "document" } }
            }
            table.kwic {
                @for k in &l.lines {
                    tr {
                        td.meta { (k.date) }
                        td { a href={ "/doc/" (k.id) "?lang=" (k.lang) "#p" (k.paragraph) } { (k.id) " ¶" (k.paragraph) } }
                        td.meta { (k.lang) }
                        td.left { (k.left) }
                        td.hit { mark.hl { (k.hit) } }
                        td.right { (k.right) }
                    }
                }
            }
            p.pager {
                @if l.page_no > 1 { a rel="prev" href={ "/kwic?" (query(sort, l.page_no - 1)) } { "← previous" } }
                span { "page " (l.page_no) }
                @if l.total.is_none() && l.page_no < last_page { a rel="next" href={ "/kwic?" (query(sort, l.page_no + 1)) } { "next →" } }
            }
            (downloads(&json, &lib.exports.present(&["evidence.csv", "passages.csv"])))
        }
    };
    page("KWIC", &json, body)
}
