//! The frame of every page: head, navigation, our stylesheet, and the pieces pages share
//! (dimension colours, links to the JSON twin and to export files).

use crate::code::DIMENSIONS;
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// Our stylesheet, served as `/static/scoway.css` (the CSP allows no inline style).
pub const CSS: &str = r#"
:root { --ink: #1d2430; --muted: #5c6675; --line: #d9dee5; --paper: #fbfbf8; --accent: #1f5fa8; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
  color: var(--ink); background: var(--paper); line-height: 1.6; }
header.top { background: #17324d; color: #fff; padding: .5rem 1.2rem; display: flex; gap: 1.4rem;
  align-items: baseline; flex-wrap: wrap; }
header.top a { color: #fff; text-decoration: none; }
header.top a.brand { font-weight: 700; letter-spacing: .03em; }
header.top nav a { margin-right: 1rem; opacity: .9; }
header.top nav a:hover { opacity: 1; text-decoration: underline; }
main { max-width: 78rem; margin: 0 auto; padding: 1rem 1.2rem 3rem; }
h1 { font-size: 1.45rem; margin: .6rem 0; }
h2 { font-size: 1.15rem; margin: 1.4rem 0 .4rem; }
a { color: var(--accent); }
.muted, .meta { color: var(--muted); font-size: .92rem; }
.error { color: #a11; font-weight: 600; }
form.query { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: .6rem 0 1rem; }
form.query label { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted); }
form.query input, form.query select, form.query button { font: inherit; padding: .3rem .45rem;
  border: 1px solid #aab3bf; border-radius: 4px; background: #fff; }
form.query input[type=search] { min-width: 22rem; }
form.query button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
ol.hits { padding-left: 1.4rem; }
ol.hits > li { margin-bottom: 1rem; }
.snippet { margin: .2rem 0 .2rem .2rem; }
mark.hl { background: #ffe38a; padding: 0 .05em; }
.pager a, .pager span { margin-right: .6rem; }
.downloads { margin: 1.5rem 0 0; padding: .6rem .8rem; border: 1px solid var(--line); border-radius: 6px;
  background: #fff; font-size: .92rem; }
.downloads a { margin-right: .9rem; }
table { border-collapse: collapse; margin: .5rem 0; background: #fff; }
th, td { border: 1px solid var(--line); padding: .2rem .5rem; text-align: left; vertical-align: top; font-size: .92rem; }
th { background: #eef1f5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.versions { display: grid; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); gap: 1.5rem; }
.version h2 { margin-top: .4rem; }
.para { display: grid; grid-template-columns: 3.2rem 1fr; gap: .5rem; margin: 0 0 .7rem; }
.para:target { background: #fff7d6; outline: 2px solid #f0c400; }
.para .num { color: var(--muted); font-size: .85rem; text-align: right; }
.para .num a { color: inherit; text-decoration: none; }
.strip { display: flex; gap: 2px; margin-bottom: .2rem; }
.strip span { width: 1.3rem; height: .45rem; border-radius: 2px; background: #e4e7eb; }
.para p { margin: 0; white-space: pre-wrap; }
.kwic td.left { text-align: right; white-space: nowrap; }
.kwic td.hit { font-weight: 700; white-space: nowrap; }
.kwic td.right { white-space: nowrap; }
.chart { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: .6rem 0; overflow-x: auto; }
.chart svg { width: 100%; height: auto; max-width: 1100px; display: block; }
.years a { display: inline-block; min-width: 3.2rem; }
.legend span { margin-right: .8rem; }
.d0 { --dim: #1f77b4; } .d1 { --dim: #d62728; } .d2 { --dim: #2ca02c; } .d3 { --dim: #9467bd; }
.d4 { --dim: #ff7f0e; } .d5 { --dim: #17becf; }
mark.ev { background: color-mix(in srgb, var(--dim) 22%, white); border-bottom: 2px solid var(--dim);
  padding: 0 .05em; color: inherit; }
.strip span.on { background: var(--dim); }
.strip span.hit { background: color-mix(in srgb, var(--dim) 35%, white); }
.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; background: var(--dim);
  vertical-align: middle; margin-right: .25rem; }
code { background: #eef1f5; padding: 0 .2rem; border-radius: 3px; }
"#;

/// The CSS class of a dimension's colour (`d0` … `d4` for the five, `d5` for any other).
pub fn dim_class(dimension: &str) -> &'static str {
    match DIMENSIONS.iter().position(|d| *d == dimension) {
        Some(0) => "d0",
        Some(1) => "d1",
        Some(2) => "d2",
        Some(3) => "d3",
        Some(4) => "d4",
        _ => "d5",
    }
}

/// A whole page. `json_href` is the address of the page's JSON twin ("" for none).
pub fn page(title: &str, json_href: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · scoway" }
                link rel="stylesheet" href="/static/scoway.css";
            }
            body {
                header.top {
                    a.brand href="/" { "scoway" }
                    nav {
                        a href="/search" { "Search" }
                        a href="/kwic" { "KWIC" }
                        a href="/trends" { "Trends" }
                        a href="/terms" { "Terms" }
                        a href="/codebook" { "Codebook" }
                    }
                    @if !json_href.is_empty() {
                        a.json href=(json_href) { "JSON" }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// The address of the JSON twin of `path?query`.
pub fn json_twin(path: &str, query: &str) -> String {
    if query.is_empty() {
        format!("{path}?format=json")
    } else {
        format!("{path}?{query}&format=json")
    }
}

/// The download box: the JSON twin and the export files that exist among `files`.
pub fn downloads(json_href: &str, files: &[&str]) -> Markup {
    html! {
        div.downloads {
            "Download: "
            a href=(json_href) { "this page as JSON" }
            @for f in files {
                a href={ "/export/" (f) } download { (f) }
            }
        }
    }
}

/// Characters `chars[from..to]` with the char spans `marks` (sorted; overlapping ones after the
/// first are skipped) wrapped by `wrap`.
pub fn marked_text<'a>(
    chars: &'a [char],
    from: usize,
    to: usize,
    marks: &[(usize, usize)],
    wrap: impl Fn(usize, &str) -> Markup + 'a,
) -> Markup {
    let to = to.min(chars.len());
    let from = from.min(to);
    let mut out = String::new();
    let mut at = from;
    for (i, &(a, b)) in marks.iter().enumerate() {
        let (a, b) = (a.clamp(from, to), b.clamp(from, to));
        if a < at || a >= b {
            continue;
        }
        out.push_str(&escape(&chars[at..a]));
        let text: String = chars[a..b].iter().collect();
        out.push_str(&wrap(i, &text).into_string());
        at = b;
    }
    out.push_str(&escape(&chars[at..to]));
    PreEscaped(out)
}

fn escape(chars: &[char]) -> String {
    let text: String = chars.iter().collect();
    html! { (text) }.into_string()
}

/// `application/x-www-form-urlencoded` encoding of one query value.
pub fn url_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_text_escapes_every_piece() {
        let chars: Vec<char> = "a<b>\"c\" <script>".chars().collect();
        let out = marked_text(&chars, 0, chars.len(), &[(1, 4), (2, 3)], |_, t| {
            html! { mark { (t) } }
        })
        .into_string();
        assert_eq!(
            out, "a<mark>&lt;b&gt;</mark>&quot;c&quot; &lt;script&gt;",
            "the overlapping second span is skipped"
        );
    }
}
