//! `/search`: the query box with the CLI's syntax and filters, ranked documents, highlighted
//! snippets, paging. The JSON twin is `scoway search --json` for the page's hits.

use super::layout::{self, downloads, marked_text, page, url_encode};
use super::security::{ApiError, HITS_PER_PAGE, MAX_PAGE, Params};
use super::{Library, Reply};
use crate::index::{SearchRequest, SearchResults, parse_date_bound};
use maud::{Markup, html};

/// The filters of a search, as the form and the links carry them.
struct Form<'a> {
    q: Option<&'a str>,
    from: Option<&'a str>,
    to: Option<&'a str>,
    doc_type: Option<&'a str>,
    body: Option<&'a str>,
    lang: Option<&'a str>,
}

impl Form<'_> {
    /// The query string of this search at page `page`.
    fn query_string(&self, page: usize) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("q", self.q),
            ("from", self.from),
            ("to", self.to),
            ("type", self.doc_type),
            ("body", self.body),
            ("lang", self.lang),
        ] {
            if let Some(v) = v {
                parts.push(format!("{k}={}", url_encode(v)));
            }
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        parts.join("&")
    }
}

pub fn handle(lib: &Library, params: &Params) -> Result<Reply, ApiError> {
    let form = Form {
        q: params.query("q")?,
        from: params.text("from"),
        to: params.text("to"),
        doc_type: params.text("type"),
        body: params.text("body"),
        lang: params.text("lang"),
    };
    let page_no = params.page(MAX_PAGE)?;
    let lang = params.lang("lang")?;
    let date = |name: &str, end: bool| {
        params
            .text(name)
            .map(|s| {
                parse_date_bound(s, end).map_err(|e| params.bad(format!("parameter `{name}`: {e}")))
            })
            .transpose()
    };
    let (from, to) = (date("from", false)?, date("to", true)?);
    let Some(q) = form.q else {
        if params.json {
            return Err(params.bad("parameter `q` (the query) is missing"));
        }
        return Ok(Reply::Html(render(lib, &form, None, page_no)));
    };
    let req = SearchRequest {
        query: q.to_string(),
        from,
        to,
        doc_type: form.doc_type.map(str::to_string),
        body: form.body.map(str::to_string),
        lang,
        limit: page_no * HITS_PER_PAGE,
        snippets: 3,
    };
    let mut results = lib
        .index
        .search(&req)
        .map_err(|e| ApiError::from(e).json(params.json))?;
    results.hits = results
        .hits
        .into_iter()
        .skip((page_no - 1) * HITS_PER_PAGE)
        .collect();
    if params.json {
        let mut v = serde_json::to_value(&results).map_err(|e| params.bad(e.to_string()))?;
        if let Some(obj) = v.as_object_mut() {
            obj.insert("page".into(), page_no.into());
            obj.insert("per_page".into(), HITS_PER_PAGE.into());
        }
        return Ok(Reply::Json(v));
    }
    Ok(Reply::Html(render(lib, &form, Some(&results), page_no)))
}

fn render(lib: &Library, form: &Form, results: Option<&SearchResults>, page_no: usize) -> Markup {
    let json = layout::json_twin("/search", &form.query_string(page_no));
    let selected = |v: Option<&str>, want: &str| v.is_some_and(|v| v.eq_ignore_ascii_case(want));
    let body = html! {
        h1 { "Search" }
        form.query method="get" action="/search" {
            label { "Query" input #q type="search" name="q" value=[form.q] placeholder="三股势力, \"上海精神\" AND 主权, title:宣言" autofocus; }
            label { "From" input name="from" size="10" value=[form.from] placeholder="YYYY[-MM-DD]"; }
            label { "To" input name="to" size="10" value=[form.to] placeholder="YYYY[-MM-DD]"; }
            label { "Type" input name="type" size="12" value=[form.doc_type] placeholder="declaration"; }
            label { "Body" select name="body" {
                option value="" { "any" }
                @for b in ["CHS", "CHG"] { option value=(b) selected[selected(form.body, b)] { (b) } }
            } }
            label { "Language" select name="lang" {
                option value="" { "any" }
                @for l in ["zh", "ru", "en"] { option value=(l) selected[selected(form.lang, l)] { (l) } }
            } }
            button #go type="submit" { "Search" }
        }
        @match results {
            None => {
                p.muted { "Words must all match; \"a phrase\", AND, OR, NOT, parentheses and field:value (title, body, doc_type, lang, year, id) work as in `scoway search`." }
            }
            Some(r) => {
                p.meta #total { (r.total) " document" @if r.total != 1 { "s" } " match " code { (r.query) } }
                ol.hits start=((page_no - 1) * HITS_PER_PAGE + 1) {
                    @for hit in &r.hits {
                        li.hit {
                            a.doc href={ "/doc/" (hit.id) "?lang=" (hit.lang) } { (hit.title) }
                            " "
                            span.meta { (hit.id) " · " (hit.date) " · " (hit.body) " " (hit.doc_type) " · " (hit.lang) " · score " (format!("{:.2}", hit.score)) }
                            @for s in &hit.snippets {
                                div.snippet {
                                    a href={ "/doc/" (hit.id) "?lang=" (hit.lang) "#p" (s.paragraph) } { "¶" (s.paragraph) }
                                    " "
                                    (snippet_markup(s))
                                }
                            }
                        }
                    }
                }
                (pager(form, page_no, r.total))
            }
        }
        (downloads(&json, &lib.exports.present(&["documents.csv", "documents.parquet"])))
    };
    page("Search", &json, body)
}

fn snippet_markup(s: &crate::index::Snippet) -> Markup {
    let chars: Vec<char> = s.text.chars().collect();
    let marks: Vec<(usize, usize)> = s
        .highlights
        .iter()
        .map(|[a, b]| {
            (
                a.saturating_sub(s.char_start),
                b.saturating_sub(s.char_start),
            )
        })
        .collect();
    marked_text(
        &chars,
        0,
        chars.len(),
        &marks,
        |_, t| html! { mark.hl { (t) } },
    )
}

fn pager(form: &Form, page_no: usize, total: usize) -> Markup {
    let last = total.div_ceil(HITS_PER_PAGE).clamp(1, MAX_PAGE);
    html! {
        @if last > 1 {
            p.pager {
                @if page_no > 1 { a rel="prev" href={ "/search?" (form.query_string(page_no - 1)) } { "← previous" } }
                span { "page " (page_no) " of " (last) }
                @if page_no < last { a rel="next" href={ "/search?" (form.query_string(page_no + 1)) } { "next →" } }
            }
        }
    }
}
