//! `/terms`: when each codebook term first and last appears, and its counts by year (the
//! `term_emergence` frame of `scoway export`; the JSON twin is its rows and the `term_yearly`
//! rows).

use super::layout::{dim_class, downloads, json_twin, page, url_encode};
use super::security::{ApiError, Params};
use super::{Library, Reply, ServeError};
use crate::trends::{PolarsContext, frame_to_json};
use maud::html;
use serde_json::Value;

pub fn handle(lib: &Library, params: &Params) -> Result<Reply, ApiError> {
    let err = |e: ServeError| ApiError::from(e).json(params.json);
    let tables = lib.terms().map_err(err)?;
    let rows = frame_to_json(&tables.emergence)
        .context(|| "rendering term_emergence".to_string())
        .map_err(|e| err(e.into()))?;
    if params.json {
        let yearly = frame_to_json(&tables.yearly)
            .context(|| "rendering term_yearly".to_string())
            .map_err(|e| err(e.into()))?;
        return Ok(Reply::Json(serde_json::json!({
            "codebook_hash": lib.codebook.hash(),
            "terms": rows,
            "yearly": yearly,
        })));
    }
    let json = json_twin("/terms", "");
    let text = |r: &Value, k: &str| -> String {
        match r.get(k) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(v) => v.to_string(),
        }
    };
    let body = html! {
        h1 { "Terms" }
        p.muted { "When each codebook term first and last appears in the corpus, and how often, by year. A term links to its KWIC lines." }
        table.terms {
            tr { th { "dimension" } th { "indicator" } th { "term" } th { "lang" } th { "first" } th { "last" } th { "hits" } th { "documents" } th { "by year" } }
            @for r in &rows {
                @let d = text(r, "dimension");
                @let term = text(r, "term");
                tr {
                    td class=(dim_class(&d)) { span.swatch {} (d) }
                    td { (text(r, "indicator")) }
                    td { a href={ "/kwic?term=" (url_encode(term.trim_end_matches('*'))) } { (term) } }
                    td { (text(r, "lang")) }
                    td { (text(r, "first_date")) " " @let f = text(r, "first_doc"); @if !f.is_empty() { a.muted href={ "/doc/" (f) } { (f) } } }
                    td { (text(r, "last_date")) " " @let l = text(r, "last_doc"); @if !l.is_empty() { a.muted href={ "/doc/" (l) } { (l) } } }
                    td.num { (text(r, "hits")) }
                    td.num { (text(r, "documents")) }
                    td.muted { (text(r, "yearly_counts")) }
                }
            }
        }
        (downloads(&json, &lib.exports.present(&["term_emergence.csv", "term_emergence.parquet", "term_yearly.csv"])))
    };
    Ok(Reply::Html(page("Terms", &json, body)))
}
