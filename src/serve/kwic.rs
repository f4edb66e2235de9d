//! `/kwic?term=&sort=`: every occurrence of a term in context, sortable by date or document,
//! each line linked to its paragraph. The JSON twin is `scoway kwic --json` (with `truncated`
//! when the term has more than [`MAX_KWIC_LINES`] occurrences, and the page's lines).

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
        return Ok(Reply::Html(render(lib, None, sort, &[], 0, page_no)));
    };
    let req = KwicRequest {
        term: term.to_string(),
        window: WINDOW,
        sort: if sort == "doc" {
            KwicSort::Doc
        } else {
            KwicSort::Date
        },
    };
    let mut lines = lib
        .index
        .kwic(&req)
        .map_err(|e| ApiError::from(e).json(params.json))?;
    let total = lines.len();
    lines.truncate(MAX_KWIC_LINES);
    let shown: Vec<KwicLine> = lines
        .into_iter()
        .skip((page_no - 1) * KWIC_PER_PAGE)
        .take(KWIC_PER_PAGE)
        .collect();
    if params.json {
        return Ok(Reply::Json(serde_json::json!({
            "term": term,
            "total": total,
            "truncated": total > MAX_KWIC_LINES,
            "page": page_no,
            "per_page": KWIC_PER_PAGE,
            "lines": shown,
        })));
    }
    Ok(Reply::Html(render(lib, Some(term), sort, &shown, total, page_no)))
}

fn render(
    lib: &Library,
    term: Option<&str>,
    sort: &str,
    lines: &[KwicLine],
    total: usize,
    page_no: usize,
) -> Markup {
    let query = |sort: &str, page: usize| {
        let mut q = format!("term={}&sort={sort}", url_encode(term.unwrap_or_default()));
        if page > 1 {
            q.push_str(&format!("&page={page}"));
        }
        q
    };
    let json = if term.is_some() {
        json_twin("/kwic", &query(sort, page_no))
    } else {
        String::new()
    };
    let shown_total = total.min(MAX_KWIC_LINES);
    let last = shown_total.div_ceil(KWIC_PER_PAGE).max(1);
    let body = html! {
        h1 { "Keyword in context" }
        form.query method="get" action="/kwic" {
            label { "Term" input #term type="search" name="term" value=[term] placeholder="上海精神"; }
            label { "Sort by" select name="sort" {
                option value="date" selected[sort == "date"] { "date" }
                option value="doc" selected[sort == "doc"] { "document" }
            } }
            button type="submit" { "Show" }
        }
        @if let Some(t) = term {
            p.meta #total {
                (total) " occurrence" @if total != 1 { "s" } " of " code { (t) }
                @if total > MAX_KWIC_LINES { " (the first " (MAX_KWIC_LINES) " are listed)" }
                " · sort by "
                @if sort == "date" { strong { "date" } " · " a href={ "/kwic?" (query("doc", 1)) } { "document" } }
                @else { a href={ "/kwic?" (query("date", 1)) } { "date" } " · " strong { "document" } }
            }
            table.kwic {
                @for l in lines {
                    tr {
                        td.meta { (l.date) }
                        td { a href={ "/doc/" (l.id) "?lang=" (l.lang) "#p" (l.paragraph) } { (l.id) " ¶" (l.paragraph) } }
                        td.meta { (l.lang) }
                        td.left { (l.left) }
                        td.hit { mark.hl { (l.hit) } }
                        td.right { (l.right) }
                    }
                }
            }
            @if last > 1 {
                p.pager {
                    @if page_no > 1 { a rel="prev" href={ "/kwic?" (query(sort, page_no - 1)) } { "← previous" } }
                    span { "page " (page_no) " of " (last) }
                    @if page_no < last { a rel="next" href={ "/kwic?" (query(sort, page_no + 1)) } { "next →" } }
                }
            }
            (downloads(&json, &lib.exports.present(&["evidence.csv", "passages.csv"])))
        }
    };
    page("KWIC", &json, body)
}
