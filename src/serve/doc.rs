//! `/doc/{id}`: one document version with its metadata and provenance, its paragraphs (anchors
//! `#p{n}`) with a strip of their dimensions and the codebook terms that fired highlighted in the
//! dimension's colour, and the other language versions beside it. The JSON twin is
//! `scoway code --doc ID --lang L --json`.

use super::layout::{dim_class, downloads, json_twin, marked_text, page};
use super::security::{ApiError, Params, document_id};
use super::{Library, Reply};
use crate::code::{DIMENSIONS, DocumentCodes, Evidence, ParagraphCodes};
use crate::corpus::{DocKey, Document, Lang};
use maud::{Markup, html};

pub fn handle(lib: &Library, id: &str, params: &Params) -> Result<Reply, ApiError> {
    let id = document_id(id, params.json)?;
    let wanted = params.lang("lang")?;
    let store_err =
        |e: crate::corpus::StoreError| ApiError::from(super::ServeError::from(e)).json(params.json);
    let langs = lib.store.langs_of(id).map_err(store_err)?;
    let lang = match wanted {
        Some(l) if langs.contains(&l) => l,
        Some(l) => {
            return Err(
                ApiError::not_found(format!("document `{id}` has no version in {l}"))
                    .json(params.json),
            );
        }
        None => *langs.first().ok_or_else(|| {
            ApiError::not_found(format!("no document `{id}` in the store")).json(params.json)
        })?,
    };
    let doc = lib
        .store
        .get(&DocKey::new(id, lang))
        .map_err(store_err)?
        .ok_or_else(|| ApiError::not_found(format!("no document `{id}` ({lang})")))?;
    let codes = code(lib, &doc);
    if params.json {
        return serde_json::to_value(&codes)
            .map(Reply::Json)
            .map_err(|e| params.bad(e.to_string()));
    }
    let others: Vec<(Document, DocumentCodes)> = langs
        .iter()
        .filter(|&&l| l != lang)
        .filter_map(|&l| lib.store.get(&DocKey::new(id, l)).ok().flatten())
        .map(|d| {
            let c = code(lib, &d);
            (d, c)
        })
        .collect();
    Ok(Reply::Html(render(lib, &doc, &codes, &others)))
}

/// Codes `doc` as `scoway code --doc` does.
fn code(lib: &Library, doc: &Document) -> DocumentCodes {
    let tokens = crate::code::segment_document(doc);
    lib.coder.code_document(doc, &tokens)
}

fn render(
    lib: &Library,
    doc: &Document,
    codes: &DocumentCodes,
    others: &[(Document, DocumentCodes)],
) -> Markup {
    let m = &doc.meta;
    let json = json_twin(&format!("/doc/{}", m.id), &format!("lang={}", m.lang));
    let body = html! {
        h1 #title { (m.title) }
        table.meta {
            tr { th { "id" } td { code { (m.id) } } th { "language" } td { (m.lang) " (" (m.script.as_str()) ")" } }
            tr { th { "date" } td { (m.date) } th { "body · type" } td { (m.body) " · " (m.doc_type) } }
            tr {
                th { "meeting" } td { @if let Some(n) = m.meeting_no { "No. " (n) } @if let Some(c) = &m.city { " · " (c) } }
                th { "versions" }
                td {
                    @for l in Lang::ALL {
                        @if l == m.lang { strong { (l) } " " }
                        @else if others.iter().any(|(o, _)| o.meta.lang == l) { a href={ "/doc/" (m.id) "?lang=" (l) } { (l) } " " }
                    }
                }
            }
            tr { th { "source" } td colspan="3" {
                @if let Some(url) = &m.source_url { a href=(url) rel="noreferrer noopener" { (url) } br; }
                span.muted { (doc.source) }
            } }
            tr { th { "sha256" } td colspan="3" { code { (doc.sha256) } } }
            @if let Some(r) = lib.provenance.get(&m.key().to_string()) {
                tr.provenance { th { "fetched" } td colspan="3" {
                    a href=(r.final_url) rel="noreferrer noopener" { (r.final_url) }
                    " · " (r.fetched_at) " · HTTP " (r.status) " · " (r.bytes) " bytes · " (r.outcome)
                    @if r.sha256 != doc.sha256 { " · " strong.error { "the stored text is not from these bytes (sha256 " code { (r.sha256.get(..12).unwrap_or(&r.sha256)) } ")" } }
                } }
            }
            tr { th { "coded" } td colspan="3" {
                (codes.document.coded_paragraphs) " of " (codes.document.paragraphs) " paragraphs; dominant: "
                (codes.document.dominant.as_deref().unwrap_or("none"))
                "; codebook " code { (codes.codebook_hash.get(..12).unwrap_or(&codes.codebook_hash)) }
            } }
        }
        (legend())
        div.versions {
            section.version.main lang=(m.lang.as_str()) {
                h2 { (m.lang) }
                (paragraphs(doc, codes, true))
            }
            @for (o, oc) in others {
                section.version.other lang=(o.meta.lang.as_str()) {
                    h2 { a href={ "/doc/" (o.meta.id) "?lang=" (o.meta.lang) } { (o.meta.lang) ": " (o.meta.title) } }
                    (paragraphs(o, oc, false))
                }
            }
        }
        (downloads(&json, &lib.exports.present(&["evidence.csv", "passages.csv", "document_scores.csv"])))
    };
    page(&m.title, &json, body)
}

/// The colour key of the dimensions.
pub fn legend() -> Markup {
    html! {
        p.legend {
            @for d in DIMENSIONS {
                span class=(dim_class(d)) { span.swatch {} (d) " " span.muted { (crate::report::dimension_label(d)) } }
            }
        }
    }
}

/// The paragraphs of `doc` in its original text, with their strips and evidence. The version
/// shown (`main`) has the `#p{n}` anchors; a version beside it `#{lang}-p{n}`.
fn paragraphs(doc: &Document, codes: &DocumentCodes, main: bool) -> Markup {
    let chars: Vec<char> = doc.original.chars().collect();
    let prefix = if main {
        "p".to_string()
    } else {
        format!("{}-p", doc.meta.lang)
    };
    html! {
        @for (i, p) in doc.paragraphs.iter().enumerate() {
            @let pc = codes.paragraphs.get(i);
            div.para id={ (prefix) (p.index) } {
                div.num { a href={ "#" (prefix) (p.index) } { "¶" (p.index) } }
                div {
                    @if let Some(pc) = pc { (strip(pc)) }
                    p { (evidence_text(&chars, p.char_start, p.char_end, pc.map_or(&[][..], |c| &c.evidence))) }
                }
            }
        }
    }
}

/// Five small cells: full colour for a coded dimension, pale for hits below the threshold.
fn strip(pc: &ParagraphCodes) -> Markup {
    html! {
        div.strip {
            @for d in DIMENSIONS {
                @let coded = pc.labels.iter().any(|l| l == d);
                @let hits = pc.hits.get(d).copied().unwrap_or(0);
                @let state = if coded { "on" } else if hits > 0 { "hit" } else { "off" };
                span class={ (dim_class(d)) " " (state) } data-dimension=(d)
                    title={ (d) ": " (hits) " hits, score " (format!("{:.1}", pc.scores.get(d).copied().unwrap_or(0.0))) (if coded { ", coded" } else { "" }) } {}
            }
        }
    }
}

/// Text between two char offsets of the document with `evidence` marked in the colour of its
/// dimension; the hover names the indicator, weight and rule of every hit on the span.
pub fn evidence_text(chars: &[char], from: usize, to: usize, evidence: &[Evidence]) -> Markup {
    let mut spans: Vec<(usize, usize)> = evidence
        .iter()
        .map(|e| (e.char_start, e.char_end))
        .collect();
    spans.sort_unstable();
    spans.dedup();
    marked_text(chars, from, to, &spans, |i, text| {
        let (a, b) = spans[i];
        let on_span: Vec<&Evidence> = evidence
            .iter()
            .filter(|e| (e.char_start, e.char_end) == (a, b))
            .collect();
        let first = on_span.first().map_or("", |e| e.dimension.as_str());
        let title = on_span
            .iter()
            .map(|e| {
                format!(
                    "{}: {}, weight {:.2}, rule {} ({})",
                    e.dimension,
                    e.indicator,
                    e.weight,
                    e.rule.as_str(),
                    e.term
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        html! { mark class={ "ev " (dim_class(first)) } data-dimension=(first) title=(title) { (text) } }
    })
}
