//! `/trends`: the five series by year (or meeting) with their confidence bands and breaks, split
//! by body and language, drawn as SVG by the report module's chart code; each year links to
//! `/trends/{dimension}/{year}`, the paragraphs coded for the dimension that year with their
//! evidence. The JSON twin of `/trends` is `scoway trends --format json`.

use super::doc::{evidence_text, legend};
use super::layout::{dim_class, downloads, json_twin, page};
use super::security::{ApiError, MAX_YEAR_PARAGRAPHS, Params};
use super::{Library, Reply, ServeError};
use crate::code::{Evidence, Rule};
use crate::corpus::DocKey;
use crate::report::{SeriesPoint, TrendLine};
use crate::trends::{ALL, PeriodBy, PolarsContext, TrendFilter, frame_to_json, render_json};
use maud::{Markup, PreEscaped, html};
use polars::prelude::*;
use std::collections::BTreeMap;

const BODIES: [&str; 4] = ["all", "CHS", "CHG", "other"];
const LANGS: [&str; 4] = ["all", "zh", "ru", "en"];

fn filter_of(params: &Params) -> Result<TrendFilter, ApiError> {
    Ok(TrendFilter {
        body: params.choice("body", &BODIES, ALL)?.to_string(),
        lang: params.choice("lang", &LANGS, ALL)?.to_string(),
    })
}

fn filter_query(filter: &TrendFilter) -> String {
    format!("body={}&lang={}", filter.body, filter.lang)
}

pub fn handle(lib: &Library, params: &Params) -> Result<Reply, ApiError> {
    let filter = filter_of(params)?;
    let by = match params.choice("by", &["year", "meeting"], "year")? {
        "meeting" => PeriodBy::Meeting,
        _ => PeriodBy::Year,
    };
    let err = |e: ServeError| ApiError::from(e).json(params.json);
    let tables = lib.trends(by).map_err(err)?;
    let rows = filter
        .apply(&tables.frame, by, &lib.codes.dimensions)
        .map_err(|e| err(e.into()))?;
    if params.json {
        return render_json(&rows, &filter, &tables.options)
            .map(Reply::Json)
            .map_err(|e| err(e.into()));
    }
    let mut query = filter_query(&filter);
    if by == PeriodBy::Meeting {
        query.push_str("&by=meeting");
    }
    let json = json_twin("/trends", &query);
    let form = html! {
        form.query method="get" action="/trends" {
            label { "Body" select name="body" { @for b in BODIES { option value=(b) selected[b == filter.body] { (b) } } } }
            label { "Language" select name="lang" { @for l in LANGS { option value=(l) selected[l == filter.lang] { (l) } } } }
            label { "Period" select name="by" {
                option value="year" selected[by == PeriodBy::Year] { "year" }
                option value="meeting" selected[by == PeriodBy::Meeting] { "meeting" }
            } }
            button type="submit" { "Show" }
        }
    };
    let content = match by {
        PeriodBy::Year => {
            charts(lib, &tables.frame, tables.breaks.as_ref(), &filter).map_err(err)?
        }
        PeriodBy::Meeting => meeting_table(&rows).map_err(err)?,
    };
    let mut files = vec![
        "trends.csv",
        "trends.parquet",
        "trends_meeting.csv",
        "breaks.csv",
        "charts/heatmap.svg",
    ];
    let chart_files: Vec<String> = lib
        .codes
        .dimensions
        .iter()
        .map(|d| format!("charts/trend_{d}.svg"))
        .collect();
    files.extend(chart_files.iter().map(String::as_str));
    let body = html! {
        h1 { "Trends" }
        p.muted { "Share of paragraphs coded for each dimension, with " (format!("{:.0}", tables.options.confidence * 100.0)) "% bootstrap intervals (" (tables.options.resamples) " resamples) and breaks. Click a year to read the paragraphs behind it." }
        (form)
        (legend())
        (content)
        (downloads(&json, &lib.exports.present(&files)))
    };
    Ok(Reply::Html(page("Trends", &json, body)))
}

fn strs(df: &DataFrame, name: &str) -> Result<Vec<String>, ServeError> {
    Ok(df
        .column(name)
        .and_then(|c| c.cast(&DataType::String))
        .and_then(|c| c.str().cloned())
        .context(|| format!("reading column {name}"))?
        .iter()
        .map(|v| v.unwrap_or_default().to_string())
        .collect())
}

fn ints(df: &DataFrame, name: &str) -> Result<Vec<i64>, ServeError> {
    Ok(df
        .column(name)
        .and_then(|c| c.cast(&DataType::Int64))
        .and_then(|c| c.i64().cloned())
        .context(|| format!("reading column {name}"))?
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect())
}

fn floats(df: &DataFrame, name: &str) -> Result<Vec<f64>, ServeError> {
    Ok(df
        .column(name)
        .and_then(|c| c.cast(&DataType::Float64))
        .and_then(|c| c.f64().cloned())
        .context(|| format!("reading column {name}"))?
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect())
}

/// One chart per dimension (a line per body, or the chosen body) and its years as links.
fn charts(
    lib: &Library,
    frame: &DataFrame,
    breaks: Option<&DataFrame>,
    filter: &TrendFilter,
) -> Result<Markup, ServeError> {
    let rows = frame
        .clone()
        .lazy()
        .filter(col("lang").eq(lit(filter.lang.as_str())))
        .sort(
            ["body", "dimension", "year"],
            SortMultipleOptions::default(),
        )
        .collect()
        .context(|| "selecting the trend rows".to_string())?;
    let (body, dimension, year) = (
        strs(&rows, "body")?,
        strs(&rows, "dimension")?,
        ints(&rows, "year")?,
    );
    let (share, low, high) = (
        floats(&rows, "share_paragraphs")?,
        floats(&rows, "ci_low")?,
        floats(&rows, "ci_high")?,
    );
    let bodies: Vec<String> = if filter.body == ALL {
        let mut b: Vec<String> = body.iter().filter(|b| *b != ALL).cloned().collect();
        b.sort_by_key(|x| (x != "CHS", x != "CHG", x.clone()));
        b.dedup();
        b
    } else {
        vec![filter.body.clone()]
    };
    let mut brk: Vec<(String, String, i32, f64)> = Vec::new();
    if let Some(b) = breaks {
        let b = b
            .clone()
            .lazy()
            .filter(col("lang").eq(lit(filter.lang.as_str())))
            .collect()
            .context(|| "selecting the breaks".to_string())?;
        let (bb, bd, by, bs) = (
            strs(&b, "body")?,
            strs(&b, "dimension")?,
            ints(&b, "break_year")?,
            floats(&b, "shift")?,
        );
        for i in 0..b.height() {
            brk.push((
                bb[i].clone(),
                bd[i].clone(),
                i32::try_from(by[i]).unwrap_or(0),
                bs[i],
            ));
        }
    }
    let mut out = String::new();
    for d in &lib.codes.dimensions {
        let mut series = Vec::new();
        // year → share, of the pooled (or chosen) body, for the year links.
        let mut years: BTreeMap<i64, f64> = BTreeMap::new();
        let link_body = if filter.body == ALL {
            ALL
        } else {
            filter.body.as_str()
        };
        for i in 0..rows.height() {
            if &dimension[i] == d && body[i] == link_body {
                years.insert(year[i], share[i]);
            }
        }
        for b in &bodies {
            let points: Vec<SeriesPoint> = (0..rows.height())
                .filter(|&i| &body[i] == b && &dimension[i] == d)
                .map(|i| SeriesPoint {
                    x: i32::try_from(year[i]).unwrap_or(0),
                    y: 100.0 * share[i],
                    low: 100.0 * low[i],
                    high: 100.0 * high[i],
                })
                .collect();
            if points.is_empty() {
                continue;
            }
            let breaks = brk
                .iter()
                .filter(|(bb, bd, _, _)| bb == b && bd == d)
                .map(|(_, _, y, s)| (*y, 100.0 * s))
                .collect();
            series.push(TrendLine {
                label: b.clone(),
                points,
                breaks,
            });
        }
        let svg = crate::report::line_chart_svg(d, &series, None)?;
        let svg = clickable_years(&svg, &years, |y| {
            format!("/trends/{d}/{y}?{}", filter_query(filter))
        });
        let markup = html! {
            section.trend id={ "dim-" (d) } data-dimension=(d) {
                h2 { span class={ "swatch " (dim_class(d)) } {} (d) " " span.muted { (crate::report::dimension_label(d)) } }
                div.chart { (PreEscaped(svg)) }
                p.years {
                    @for (y, s) in &years {
                        a href={ "/trends/" (d) "/" (y) "?" (filter_query(filter)) } title={ (format!("{:.1}", 100.0 * s)) "% of paragraphs" } { (y) }
                        " "
                    }
                }
            }
        };
        out.push_str(&markup.into_string());
    }
    Ok(PreEscaped(out))
}

/// `svg` (a chart of [`crate::report::line_chart_svg`]) with a transparent link over the
/// column of every year in `years`, so that clicking a year in the chart opens it. The columns
/// are placed from the x-axis labels (years, centred on their tick) and the y-axis labels (the
/// plot's height); a chart with fewer than two year labels is returned as it is.
fn clickable_years(svg: &str, years: &BTreeMap<i64, f64>, href: impl Fn(i64) -> String) -> String {
    static LABEL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let label = LABEL.get_or_init(|| {
        regex::Regex::new(
            r#"<text x="(-?[0-9.]+)" y="(-?[0-9.]+)"[^>]*text-anchor="(middle|end)"[^>]*>\s*([0-9]+)\s*</text>"#,
        )
        .expect("a valid pattern")
    });
    let mut ticks: Vec<(f64, f64)> = Vec::new(); // (year, x)
    let (mut axis_y, mut top) = (f64::MIN, f64::MAX);
    for c in label.captures_iter(svg) {
        let (Ok(x), Ok(y), Ok(value)) = (
            c[1].parse::<f64>(),
            c[2].parse::<f64>(),
            c[4].parse::<f64>(),
        ) else {
            continue;
        };
        if &c[3] == "middle" && (1900.0..=2100.0).contains(&value) {
            ticks.push((value, x));
            axis_y = axis_y.max(y);
        } else if &c[3] == "end" {
            top = top.min(y);
        }
    }
    let (Some(&(y0, x0)), Some(&(y1, x1))) = (ticks.first(), ticks.last()) else {
        return svg.to_string();
    };
    if y1 <= y0 || top >= axis_y || !svg.ends_with("</svg>\n") && !svg.ends_with("</svg>") {
        return svg.to_string();
    }
    let step = (x1 - x0) / (y1 - y0);
    let overlay = html! {
        g.year-links {
            @for (year, share) in years {
                @let x = x0 + (*year as f64 - y0) * step - step / 2.0;
                a href=(href(*year)) data-year=(year) {
                    rect x=(format!("{x:.1}")) y=(format!("{top:.1}")) width=(format!("{step:.1}")) height=(format!("{:.1}", axis_y - top)) fill="transparent" {
                        title { (year) ": " (format!("{:.1}", 100.0 * share)) "% of paragraphs" }
                    }
                }
            }
        }
    };
    let end = svg.rfind("</svg>").unwrap_or(svg.len());
    format!("{}{}{}", &svg[..end], overlay.into_string(), &svg[end..])
}

/// By meeting: a periods × dimensions table of shares.
fn meeting_table(rows: &DataFrame) -> Result<Markup, ServeError> {
    let json = frame_to_json(rows).context(|| "rendering the trend table".to_string())?;
    let mut by_period: BTreeMap<(String, String), BTreeMap<String, f64>> = BTreeMap::new();
    let mut dims: Vec<String> = Vec::new();
    for r in &json {
        let get = |k: &str| {
            r.get(k)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let d = get("dimension");
        if !dims.contains(&d) {
            dims.push(d.clone());
        }
        let share = r
            .get("share_paragraphs")
            .and_then(|v| v.as_f64())
            .unwrap_or(f64::NAN);
        by_period
            .entry((get("period_start"), get("period")))
            .or_default()
            .insert(d, share);
    }
    Ok(html! {
        table.meetings {
            tr { th { "meeting" } @for d in &dims { th class=(dim_class(d)) { span.swatch {} (d) } } }
            @for ((start, period), shares) in &by_period {
                tr { td { (period) " " span.muted { (start) } } @for d in &dims {
                    td.num { @if let Some(s) = shares.get(d) { (format!("{:.1}%", 100.0 * s)) } }
                } }
            }
        }
    })
}

/// A paragraph coded for a dimension in a year, with its evidence for that dimension.
#[derive(serde::Serialize)]
struct CodedParagraph {
    id: String,
    lang: String,
    date: String,
    title: String,
    body: String,
    paragraph: i64,
    score: f64,
    text: String,
    /// Char offset of `text` in the document's original text (evidence offsets are the
    /// document's).
    char_start: usize,
    evidence: Vec<Evidence>,
}

pub fn handle_year(
    lib: &Library,
    dimension: &str,
    year: &str,
    params: &Params,
) -> Result<Reply, ApiError> {
    let filter = filter_of(params)?;
    if !lib.codes.dimensions.iter().any(|d| d == dimension) {
        return Err(
            ApiError::not_found(format!("no dimension `{dimension}` in the codes"))
                .json(params.json),
        );
    }
    let year: i32 = year
        .parse()
        .ok()
        .filter(|y| (1900..=2100).contains(y))
        .ok_or_else(|| params.bad(format!("`{year}` is not a year from 1900 to 2100")))?;
    let err = |e: ServeError| ApiError::from(e).json(params.json);
    let (total, paragraphs) = coded_paragraphs(lib, dimension, year, &filter).map_err(err)?;
    if params.json {
        return Ok(Reply::Json(serde_json::json!({
            "dimension": dimension,
            "year": year,
            "body": filter.body,
            "lang": filter.lang,
            "total": total,
            "truncated": total > paragraphs.len(),
            "paragraphs": paragraphs,
        })));
    }
    let json = json_twin(
        &format!("/trends/{dimension}/{year}"),
        &filter_query(&filter),
    );
    let body = html! {
        h1 { span class={ "swatch " (dim_class(dimension)) } {} (dimension) " in " (year) }
        p.meta #total {
            (total) " paragraph" @if total != 1 { "s" } " coded for " code { (dimension) } " in " (year)
            " (body " (filter.body) ", language " (filter.lang) ")"
            @if total > paragraphs.len() { "; the first " (paragraphs.len()) " are listed" }
            " · " a href={ "/trends?" (filter_query(&filter)) "#dim-" (dimension) } { "back to the trends" }
        }
        @for p in &paragraphs {
            @let chars: Vec<char> = p.text.chars().collect();
            @let shifted: Vec<Evidence> = p.evidence.iter().map(|e| Evidence {
                char_start: e.char_start.saturating_sub(p.char_start),
                char_end: e.char_end.saturating_sub(p.char_start),
                ..e.clone()
            }).collect();
            div.para.coded {
                div.num { a href={ "/doc/" (p.id) "?lang=" (p.lang) "#p" (p.paragraph) } { "¶" (p.paragraph) } }
                div {
                    div.meta { a href={ "/doc/" (p.id) "?lang=" (p.lang) "#p" (p.paragraph) } { (p.title) } " · " (p.date) " · " (p.body) " · " (p.lang) " · score " (format!("{:.1}", p.score)) }
                    p { (evidence_text(&chars, 0, chars.len(), &shifted)) }
                }
            }
        }
        (downloads(&json, &lib.exports.present(&["passages.csv", "evidence.csv"])))
    };
    Ok(Reply::Html(page(
        &format!("{dimension} {year}"),
        &json,
        body,
    )))
}

fn coded_paragraphs(
    lib: &Library,
    dimension: &str,
    year: i32,
    filter: &TrendFilter,
) -> Result<(usize, Vec<CodedParagraph>), ServeError> {
    let mut docs = lib
        .codes
        .documents
        .clone()
        .filter(col("year").eq(lit(year)));
    if filter.body != ALL {
        docs = match filter.body.as_str() {
            "other" => docs.filter(col("body").neq(lit("CHS")).and(col("body").neq(lit("CHG")))),
            b => docs.filter(col("body").eq(lit(b))),
        };
    }
    if filter.lang != ALL {
        docs = docs.filter(col("lang").eq(lit(filter.lang.as_str())));
    }
    let coded = lib
        .codes
        .paragraph_codes
        .clone()
        .filter(col("dimension").eq(lit(dimension)).and(col("coded")))
        .select([col("doc_id"), col("lang"), col("paragraph"), col("score")])
        .join(
            docs.select([
                col("id").alias("doc_id"),
                col("lang"),
                col("date"),
                col("title"),
                col("body"),
            ]),
            [col("doc_id"), col("lang")],
            [col("doc_id"), col("lang")],
            JoinArgs::new(JoinType::Inner),
        )
        .sort_by_exprs(
            [col("date"), col("doc_id"), col("lang"), col("paragraph")],
            SortMultipleOptions::default(),
        )
        .collect()
        .context(|| format!("finding the paragraphs coded for {dimension} in {year}"))?;
    let total = coded.height();
    let coded = coded.head(Some(MAX_YEAR_PARAGRAPHS));
    let (ids, langs, paras) = (
        strs(&coded, "doc_id")?,
        strs(&coded, "lang")?,
        ints(&coded, "paragraph")?,
    );
    let (dates, titles, bodies, scores) = (
        strs(&coded, "date")?,
        strs(&coded, "title")?,
        strs(&coded, "body")?,
        floats(&coded, "score")?,
    );

    let keys = coded
        .select(["doc_id", "lang", "paragraph"])
        .context(|| "keys".to_string())?;
    let ev = lib
        .codes
        .evidence
        .clone()
        .filter(col("dimension").eq(lit(dimension)))
        .join(
            keys.lazy(),
            [col("doc_id"), col("lang"), col("paragraph")],
            [col("doc_id"), col("lang"), col("paragraph")],
            JoinArgs::new(JoinType::Inner),
        )
        .sort_by_exprs(
            [
                col("doc_id"),
                col("lang"),
                col("paragraph"),
                col("char_start"),
            ],
            SortMultipleOptions::default(),
        )
        .collect()
        .context(|| format!("reading the evidence for {dimension} in {year}"))?;
    let mut evidence: BTreeMap<(String, String, i64), Vec<Evidence>> = BTreeMap::new();
    {
        let (id, lang, para) = (
            strs(&ev, "doc_id")?,
            strs(&ev, "lang")?,
            ints(&ev, "paragraph")?,
        );
        let (ind, term, matched, rule) = (
            strs(&ev, "indicator")?,
            strs(&ev, "term")?,
            strs(&ev, "matched")?,
            strs(&ev, "rule")?,
        );
        let (cs, ce, w) = (
            ints(&ev, "char_start")?,
            ints(&ev, "char_end")?,
            floats(&ev, "weight")?,
        );
        for i in 0..ev.height() {
            evidence
                .entry((id[i].clone(), lang[i].clone(), para[i]))
                .or_default()
                .push(Evidence {
                    dimension: dimension.to_string(),
                    indicator: ind[i].clone(),
                    term: term[i].clone(),
                    matched: matched[i].clone(),
                    char_start: usize::try_from(cs[i]).unwrap_or(0),
                    char_end: usize::try_from(ce[i]).unwrap_or(0),
                    weight: w[i],
                    rule: match rule[i].as_str() {
                        "window" => Rule::Window,
                        "pattern" => Rule::Pattern,
                        _ => Rule::Term,
                    },
                    boilerplate: false,
                    cue: None,
                });
        }
    }
    let mut out = Vec::with_capacity(coded.height());
    let mut docs_cache: BTreeMap<(String, String), Option<crate::corpus::Document>> =
        BTreeMap::new();
    for i in 0..coded.height() {
        let doc = docs_cache
            .entry((ids[i].clone(), langs[i].clone()))
            .or_insert_with(|| {
                let lang = langs[i].parse().ok()?;
                lib.store
                    .get(&DocKey::new(ids[i].as_str(), lang))
                    .ok()
                    .flatten()
            });
        let (text, char_start) = doc
            .as_ref()
            .and_then(|d| {
                let p = d
                    .paragraphs
                    .iter()
                    .find(|p| i64::from(p.index) == paras[i])?;
                Some((d.original_chars(p.char_start, p.char_end), p.char_start))
            })
            .unwrap_or_else(|| {
                (
                    "(this paragraph is no longer in the document store)".to_string(),
                    0,
                )
            });
        out.push(CodedParagraph {
            id: ids[i].clone(),
            lang: langs[i].clone(),
            date: dates[i].clone(),
            title: titles[i].clone(),
            body: bodies[i].clone(),
            paragraph: paras[i],
            score: scores[i],
            text,
            char_start,
            evidence: evidence
                .remove(&(ids[i].clone(), langs[i].clone(), paras[i]))
                .unwrap_or_default(),
        });
    }
    Ok((total, out))
}
