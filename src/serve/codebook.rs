//! `/codebook`: the dimensions, indicators, terms and rules in force, with the codebook hash.

use super::layout::{dim_class, downloads, json_twin, page};
use super::security::{ApiError, Params};
use super::{Library, Reply};
use crate::code::Codebook;
use maud::html;
use serde_json::{Value, json};

/// The codebook as JSON: what the page shows.
pub fn codebook_json(cb: &Codebook, built_with: Option<&str>) -> Value {
    let (name, version) = cb.name();
    let s = cb.scoring();
    json!({
        "name": name,
        "version": version,
        "hash": cb.hash(),
        "source": cb.path().map_or_else(|| "bundled".to_string(), |p| p.display().to_string()),
        "codes_built_with": built_with,
        "scoring": {
            "code_threshold": s.code_threshold,
            "relative_threshold": s.relative_threshold,
            "boilerplate_factor": s.boilerplate_factor,
            "window": s.window,
        },
        "dimensions": cb.dimensions().iter().map(|d| json!({
            "key": d.key,
            "name": d.name,
            "definition": d.definition,
            "indicators": d.indicators.iter().map(|i| json!({
                "key": i.key,
                "weight": i.weight,
                "note": i.note,
                "terms": i.terms.iter().map(|t| json!({
                    "text": t.text, "lang": t.lang, "weight": t.weight, "boilerplate": t.boilerplate,
                })).collect::<Vec<_>>(),
                "patterns": i.patterns.iter().map(|p| json!({
                    "lang": p.lang, "regex": p.regex, "label": p.label, "weight": p.weight,
                })).collect::<Vec<_>>(),
                "windows": i.windows.iter().map(|w| json!({
                    "lang": w.lang, "anchors": w.anchors, "cues": w.cues, "window": w.window,
                    "side": format!("{:?}", w.side).to_lowercase(), "weight": w.weight,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "exclusions": cb.exclusions().iter().map(|e| json!({
            "lang": e.lang, "phrases": e.phrases, "note": e.note,
        })).collect::<Vec<_>>(),
    })
}

pub fn handle(lib: &Library, params: &Params) -> Result<Reply, ApiError> {
    let cb = &lib.codebook;
    let built_with = lib.codes.codebook_hash();
    if params.json {
        return Ok(Reply::Json(codebook_json(cb, built_with)));
    }
    let (name, version) = cb.name();
    let s = cb.scoring();
    let json = json_twin("/codebook", "");
    let weight = |w: Option<f64>| w.map(|w| format!(" ×{w}")).unwrap_or_default();
    let body = html! {
        h1 { "Codebook" }
        table.meta {
            tr { th { "name" } td { (name) " " (version) } }
            tr { th { "hash" } td { code #hash { (cb.hash()) } } }
            tr { th { "source" } td { (cb.path().map_or_else(|| "bundled".to_string(), |p| p.display().to_string())) } }
            tr { th { "codes built with" } td {
                @match built_with {
                    Some(h) if h == cb.hash() => { "this codebook" }
                    Some(h) => { strong.error { "another codebook: " code { (h) } " (run `scoway build` again)" } }
                    None => { "not recorded" }
                }
            } }
            tr { th { "scoring" } td {
                "coded from " (s.code_threshold) " weighted hits, and at least " (format!("{:.0}%", s.relative_threshold * 100.0))
                " of the paragraph's strongest dimension"
                @if s.sentence_cap.is_finite() { " (a sentence counting at most " (s.sentence_cap) ")" }
                @if s.min_share > 0.0 { " and " (format!("{:.0}%", s.min_share * 100.0)) " of its weighted hits" }
                "; boilerplate ×" (s.boilerplate_factor) "; window " (s.window) " chars"
            } }
            @if let Some(p) = cb.procedural() {
                tr { th { "procedural paragraphs" } td {
                    (p.note) " Silenced: "
                    (p.silences.iter().map(|&d| crate::code::DIMENSIONS[d]).collect::<Vec<_>>().join(", "))
                    ". Rules: "
                    (p.patterns.iter().map(|r| format!("{} ({})", r.label, r.lang.as_str())).collect::<Vec<_>>().join("; "))
                } }
            }
        }
        @for d in cb.dimensions() {
            section.dimension id={ "dim-" (d.key) } {
                h2 class=(dim_class(&d.key)) { span.swatch {} (d.key) " · " (d.name) }
                p { (d.definition) }
                table {
                    tr { th { "indicator" } th { "weight" } th { "terms" } th { "rules" } }
                    @for i in &d.indicators {
                        tr {
                            td { strong { (i.key) } br; span.muted { (i.note) } }
                            td.num { (i.weight) }
                            td { @for t in &i.terms {
                                span.term { (t.text) sub.muted { (t.lang) (weight(t.weight)) @if t.boilerplate { " boilerplate" } } } " "
                            } }
                            td {
                                @for p in &i.patterns { div { "pattern " code { (p.regex) } " → " (p.label) span.muted { " " (p.lang) (weight(p.weight)) } } }
                                @for w in &i.windows { div { "window: " (w.anchors.join(", ")) " with " (w.cues.join(", ")) span.muted { " within " (w.window) " chars " (format!("{:?}", w.side).to_lowercase()) ", " (w.lang) (weight(w.weight)) } } }
                            }
                        }
                    }
                }
            }
        }
        @if !cb.exclusions().is_empty() {
            h2 { "Exclusions" }
            ul { @for e in cb.exclusions() { li { (e.lang) ": " (e.phrases.join(", ")) " " span.muted { (e.note) } } } }
        }
        (downloads(&json, &lib.exports.present(&["DATA_DICTIONARY.md", "manifest.json"])))
    };
    Ok(Reply::Html(page("Codebook", &json, body)))
}
