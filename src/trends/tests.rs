//! Frames checked against values computed by hand on a five-document fixture.
//!
//! Fixture (only two dimensions have matches; the other three have rows with zeros):
//!
//! | doc | date       | body | lang | meeting | paragraphs (tokens): S hits/coded, R hits/coded |
//! |-----|------------|------|------|---------|--------------------------------------------------|
//! | d1  | 2001-06-15 | CHS  | zh   | 1       | p0 (60): S 2 ✓; p1 (40): R 1 ✓ (weight 0.5)       |
//! | d2  | 2001-09-14 | CHG  | zh   | 1       | p0 (50): S 1 ✓, R 1 ✓                             |
//! | d3  | 2002-06-07 | CHS  | zh   | 2       | p0 (50): S 1 ✓; p1 (50); p2 (50): S 3 ✓, R 2 ✓; p3 (50) |
//! | d4  | 2003-05-29 | CHS  | zh   | –       | p0 (50): R 1 ✓; p1 (50)                           |
//! | d5  | 2003-05-29 | CHS  | ru   | 3       | p0 (40): S 1 ✓; p1 (40): R 1 ✓                    |
//!
//! S = security_spillover, R = recognition.

use super::*;
use crate::code::{DIMENSIONS, TermInfo};
use crate::corpus::document::Lang;
use chrono::NaiveDate;

const S: &str = "security_spillover";
const R: &str = "recognition";

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("fixture date")
}

/// (doc, paragraph, tokens, S hits, R hits); coded = hits > 0; weight 1 except d1's R (0.5).
const PARAGRAPHS: &[(&str, i64, i64, i64, i64)] = &[
    ("d1", 0, 60, 2, 0),
    ("d1", 1, 40, 0, 1),
    ("d2", 0, 50, 1, 1),
    ("d3", 0, 50, 1, 0),
    ("d3", 1, 50, 0, 0),
    ("d3", 2, 50, 3, 2),
    ("d3", 3, 50, 0, 0),
    ("d4", 0, 50, 0, 1),
    ("d4", 1, 50, 0, 0),
    ("d5", 0, 40, 1, 0),
    ("d5", 1, 40, 0, 1),
];

/// The language of a fixture document (d5 is the Russian one).
fn lang_of(doc: &str) -> &'static str {
    if doc == "d5" { "ru" } else { "zh" }
}

// The tables are built as tuples of column vectors, one per column.
#[allow(clippy::type_complexity)]
pub(crate) fn fixture() -> Codes {
    let documents = df!(
        "id" => ["d1", "d2", "d3", "d4", "d5"],
        "date" => [date("2001-06-15"), date("2001-09-14"), date("2002-06-07"), date("2003-05-29"), date("2003-05-29")],
        "year" => [2001i32, 2001, 2002, 2003, 2003],
        "body" => ["CHS", "CHG", "CHS", "CHS", "CHS"],
        "doc_type" => ["declaration", "communique", "declaration", "declaration", "declaration"],
        "lang" => ["zh", "zh", "zh", "zh", "ru"],
        "script" => ["simplified", "simplified", "simplified", "traditional", "none"],
        "title" => ["宣言一", "公报一", "宣言二", "宣言三", "Декларация"],
        "meeting_no" => [Some(1i32), Some(1), Some(2), None, Some(3)],
        "city" => [Some("上海"), None, Some("圣彼得堡"), None, None],
        "tokens" => [100i64, 50, 200, 100, 80],
        "paragraphs" => [2i64, 1, 4, 2, 2],
        "coded_paragraphs" => [2i64, 1, 2, 1, 2],
        "dominant" => [Some(S), Some(S), Some(S), Some(R), Some(S)],
        "sha256" => ["h1", "h2", "h3", "h4", "h5"],
    )
    .expect("documents fixture");

    let mut rows: (
        Vec<&str>,
        Vec<i64>,
        Vec<i64>,
        Vec<&str>,
        Vec<i64>,
        Vec<f64>,
        Vec<bool>,
    ) = Default::default();
    for &(doc, p, tokens, s_hits, r_hits) in PARAGRAPHS {
        for dim in DIMENSIONS {
            let hits = match dim {
                S => s_hits,
                R => r_hits,
                _ => 0,
            };
            let weight = if doc == "d1" && dim == R { 0.5 } else { 1.0 };
            rows.0.push(doc);
            rows.1.push(p);
            rows.2.push(tokens);
            rows.3.push(dim);
            rows.4.push(hits);
            rows.5.push(hits as f64 * weight);
            rows.6.push(hits > 0);
        }
    }
    let scores: Vec<f64> = rows.5.clone();
    let langs: Vec<&str> = rows.0.iter().map(|d| lang_of(d)).collect();
    let paragraph_codes = df!(
        "doc_id" => rows.0,
        "lang" => langs,
        "paragraph" => rows.1,
        "tokens" => rows.2,
        "dimension" => rows.3,
        "hits" => rows.4,
        "weighted_hits" => rows.5,
        "score" => scores,
        "coded" => rows.6,
    )
    .expect("paragraph_codes fixture");

    // (doc, paragraph, dimension, indicator, term, count)
    let ev: &[(&str, i64, &str, &str, &str, usize)] = &[
        ("d1", 0, S, "core", "安全", 2),
        ("d1", 1, R, "thin", "主权", 1),
        ("d2", 0, S, "core", "安全", 1),
        ("d2", 0, R, "thin", "主权", 1),
        ("d3", 0, S, "core", "安全", 1),
        ("d3", 2, S, "core", "恐怖主义", 2),
        ("d3", 2, S, "core", "安全", 1),
        ("d3", 2, R, "thin", "主权", 2),
        ("d4", 0, R, "thin", "主权", 1),
        ("d5", 0, S, "core", "безопасность", 1),
        ("d5", 1, R, "thin", "суверенитет", 1),
    ];
    let mut e: (
        Vec<&str>,
        Vec<i64>,
        Vec<&str>,
        Vec<&str>,
        Vec<&str>,
        Vec<i64>,
    ) = Default::default();
    for &(doc, p, dim, ind, term, n) in ev {
        for k in 0..n {
            e.0.push(doc);
            e.1.push(p);
            e.2.push(dim);
            e.3.push(ind);
            e.4.push(term);
            e.5.push(10 * k as i64);
        }
    }
    let n = e.0.len();
    let langs: Vec<&str> = e.0.iter().map(|d| lang_of(d)).collect();
    let evidence = df!(
        "doc_id" => e.0,
        "lang" => langs,
        "paragraph" => e.1,
        "dimension" => e.2,
        "indicator" => e.3,
        "term" => e.4.clone(),
        "matched" => e.4,
        "char_start" => e.5.clone(),
        "char_end" => e.5.iter().map(|s| s + 2).collect::<Vec<_>>(),
        "weight" => vec![1.0; n],
        "rule" => vec!["term"; n],
    )
    .expect("evidence fixture");
    Codes::from_frames(documents, paragraph_codes, evidence).expect("fixture conforms")
}

fn opts(by: PeriodBy) -> TrendOptions {
    TrendOptions {
        by,
        ..TrendOptions::default()
    }
}

/// The value of `column` in the single row of `df` matching `keys`.
fn cell(df: &DataFrame, keys: &[(&str, &str)], column: &str) -> AnyValue<'static> {
    let mut pred = lit(true);
    for (k, v) in keys {
        pred = pred.and(col(*k).cast(DataType::String).eq(lit(*v)));
    }
    let rows = df.clone().lazy().filter(pred).collect().expect("filter");
    assert_eq!(
        rows.height(),
        1,
        "{keys:?} selects {} rows in\n{df}",
        rows.height()
    );
    rows.column(column)
        .expect("column")
        .get(0)
        .expect("row")
        .into_static()
}

fn f(df: &DataFrame, keys: &[(&str, &str)], column: &str) -> Option<f64> {
    match cell(df, keys, column) {
        AnyValue::Null => None,
        v => Some(v.extract::<f64>().expect("numeric")),
    }
}

fn i(df: &DataFrame, keys: &[(&str, &str)], column: &str) -> i64 {
    cell(df, keys, column).extract::<i64>().expect("integer")
}

fn close(a: Option<f64>, b: f64) {
    let a = a.expect("a value, not null");
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

#[test]
fn documents_and_paragraph_codes_keep_every_row() {
    let codes = fixture();
    let docs = documents(&codes).collect().unwrap();
    assert_eq!(docs.height(), 5);
    assert_eq!(docs.schema().as_ref(), &dictionary::DOCUMENTS.schema());
    let pc = paragraph_codes(&codes).collect().unwrap();
    assert_eq!(pc.height(), PARAGRAPHS.len() * 5);
    let d5 = [("doc_id", "d5"), ("paragraph", "0"), ("dimension", S)];
    assert_eq!(cell(&pc, &d5, "lang"), AnyValue::String("ru").into_static());
    assert_eq!(i(&pc, &d5, "year"), 2003);
}

#[test]
fn document_scores_rates_shares_and_ranks() {
    let codes = fixture();
    let ds = document_scores(&codes).unwrap().collect().unwrap();
    assert_eq!(ds.height(), 5 * 5);
    let k = |doc, dim| [("doc_id", doc), ("dimension", dim)];
    // d1: 2 S hits in 100 tokens, 1 of 2 paragraphs coded.
    close(f(&ds, &k("d1", S), "rate_per_1k"), 20.0);
    close(f(&ds, &k("d1", S), "share_coded"), 0.5);
    close(f(&ds, &k("d1", S), "weighted_score"), 20.0);
    // d1's R match weighs 0.5: weighted score 0.5 × 1000 / 100 = 5.
    close(f(&ds, &k("d1", R), "weighted_score"), 5.0);
    close(f(&ds, &k("d1", R), "rate_per_1k"), 10.0);
    assert_eq!(i(&ds, &k("d1", S), "rank"), 1);
    assert_eq!(i(&ds, &k("d1", R), "rank"), 2);
    // The three dimensions without matches tie at rank 3 ("min" ranking).
    assert_eq!(i(&ds, &k("d1", "balanced_power"), "rank"), 3);
    assert_eq!(i(&ds, &k("d1", "networked_circles"), "hits"), 0);
    // d3: S 4 hits / 200 tokens, 2 of 4 paragraphs.
    close(f(&ds, &k("d3", S), "rate_per_1k"), 20.0);
    close(f(&ds, &k("d3", S), "share_coded"), 0.5);
    assert_eq!(i(&ds, &k("d3", S), "coded_paragraphs"), 2);
    // d4: R ranks first, S ties with the rest.
    assert_eq!(i(&ds, &k("d4", R), "rank"), 1);
    assert_eq!(i(&ds, &k("d4", S), "rank"), 2);
}

#[test]
fn trends_by_year_pooled() {
    let codes = fixture();
    let t = trends(&codes, &opts(PeriodBy::Year)).unwrap();
    assert_eq!(t.schema().as_ref(), &dictionary::TRENDS.schema());
    let k = |year, dim| {
        [
            ("period", year),
            ("body", ALL),
            ("lang", ALL),
            ("dimension", dim),
        ]
    };

    // 2001: d1 + d2, 3 paragraphs, 150 tokens; S 3 hits in 2 coded paragraphs.
    assert_eq!(i(&t, &k("2001", S), "documents"), 2);
    assert_eq!(i(&t, &k("2001", S), "paragraphs"), 3);
    assert_eq!(i(&t, &k("2001", S), "tokens"), 150);
    assert_eq!(i(&t, &k("2001", S), "hits"), 3);
    assert_eq!(i(&t, &k("2001", S), "coded_paragraphs"), 2);
    close(f(&t, &k("2001", S), "share_paragraphs"), 2.0 / 3.0);
    close(f(&t, &k("2001", S), "pooled_rate"), 20.0);
    // Document rates 20 (d1) and 20 (d2).
    close(f(&t, &k("2001", S), "mean_rate"), 20.0);
    // R: document rates 10 (d1) and 20 (d2); pooled 2 × 1000 / 150.
    close(f(&t, &k("2001", R), "mean_rate"), 15.0);
    close(f(&t, &k("2001", R), "pooled_rate"), 2000.0 / 150.0);
    // 5 hits in 2001: S 3, R 2.
    close(f(&t, &k("2001", S), "hit_share"), 0.6);
    close(f(&t, &k("2001", R), "hit_share"), 0.4);
    close(f(&t, &k("2001", "balanced_power"), "hit_share"), 0.0);
    assert_eq!(f(&t, &k("2001", S), "yoy_change"), None);
    assert_eq!(f(&t, &k("2001", S), "rolling_mean_3"), None);
    assert_eq!(i(&t, &k("2001", S), "year"), 2001);
    let days = date("2001-06-15")
        .signed_duration_since(date("1970-01-01"))
        .num_days();
    assert_eq!(
        cell(&t, &k("2001", S), "period_start"),
        AnyValue::Date(days as i32)
    );

    // 2002: d3, S share 2/4, R 1/4; hit shares 4/6 and 2/6.
    close(f(&t, &k("2002", S), "share_paragraphs"), 0.5);
    close(f(&t, &k("2002", R), "share_paragraphs"), 0.25);
    close(f(&t, &k("2002", S), "hit_share"), 4.0 / 6.0);
    close(f(&t, &k("2002", S), "yoy_change"), 0.5 - 2.0 / 3.0);
    close(f(&t, &k("2002", R), "yoy_change"), 0.25 - 2.0 / 3.0);
    assert_eq!(f(&t, &k("2002", S), "rolling_mean_3"), None);

    // 2003: d4 (zh) + d5 (ru) pooled: 4 paragraphs, 180 tokens.
    close(f(&t, &k("2003", S), "share_paragraphs"), 0.25);
    close(f(&t, &k("2003", R), "share_paragraphs"), 0.5);
    // S document rates: d4 0, d5 1000/80 = 12.5.
    close(f(&t, &k("2003", S), "mean_rate"), 6.25);
    close(f(&t, &k("2003", R), "mean_rate"), 11.25);
    close(f(&t, &k("2003", S), "yoy_change"), -0.25);
    close(f(&t, &k("2003", R), "yoy_change"), 0.25);
    close(
        f(&t, &k("2003", S), "rolling_mean_3"),
        (2.0 / 3.0 + 0.5 + 0.25) / 3.0,
    );
    close(
        f(&t, &k("2003", R), "rolling_mean_3"),
        (2.0 / 3.0 + 0.25 + 0.5) / 3.0,
    );
}

#[test]
fn trends_by_year_split_by_body_and_language() {
    let codes = fixture();
    let t = trends(&codes, &opts(PeriodBy::Year)).unwrap();
    let k = |year, body, lang, dim| {
        [
            ("period", year),
            ("body", body),
            ("lang", lang),
            ("dimension", dim),
        ]
    };
    close(f(&t, &k("2001", "CHS", "zh", S), "share_paragraphs"), 0.5);
    close(f(&t, &k("2001", "CHG", "zh", S), "share_paragraphs"), 1.0);
    close(f(&t, &k("2003", "CHS", "zh", S), "share_paragraphs"), 0.0);
    close(f(&t, &k("2003", "CHS", "ru", S), "share_paragraphs"), 0.5);
    close(f(&t, &k("2003", "CHS", ALL, R), "share_paragraphs"), 0.5);
    // CHS zh: 2001 0.5, 2002 0.5, 2003 0.0.
    close(f(&t, &k("2002", "CHS", "zh", S), "yoy_change"), 0.0);
    close(f(&t, &k("2003", "CHS", "zh", S), "yoy_change"), -0.5);
    close(
        f(&t, &k("2003", "CHS", "zh", S), "rolling_mean_3"),
        1.0 / 3.0,
    );
    // CHG has one year only, and the ru series starts in 2003.
    assert_eq!(f(&t, &k("2001", "CHG", ALL, S), "yoy_change"), None);
    assert_eq!(f(&t, &k("2003", "CHS", "ru", S), "yoy_change"), None);
    // 3 years × (CHS zh, CHS ru, CHS all, CHG zh, CHG all, all zh, all ru, all all) rows
    // that exist: 2001: CHS zh/all, CHG zh/all, all zh/all = 6; 2002: CHS zh/all, all zh/all
    // = 4; 2003: CHS zh/ru/all, all zh/ru/all = 6 → 16 × 5 dimensions.
    assert_eq!(t.height(), 16 * 5);
}

#[test]
fn trends_by_meeting() {
    let codes = fixture();
    let t = trends(&codes, &opts(PeriodBy::Meeting)).unwrap();
    assert_eq!(t.schema().as_ref(), &dictionary::TRENDS_MEETING.schema());
    let k = |period, lang, dim| [("period", period), ("lang", lang), ("dimension", dim)];
    close(f(&t, &k("CHS #1", ALL, S), "share_paragraphs"), 0.5);
    close(f(&t, &k("CHG #1", ALL, S), "share_paragraphs"), 1.0);
    close(f(&t, &k("CHS #2", ALL, S), "share_paragraphs"), 0.5);
    // d4 has no meeting number: its period is its date.
    close(
        f(&t, &k("CHS 2003-05-29", "zh", R), "share_paragraphs"),
        0.5,
    );
    close(f(&t, &k("CHS #3", "ru", S), "share_paragraphs"), 0.5);
    // The CHS series: #1 (0.5), #2 (0.5), then the two 2003 meetings ordered by label.
    close(f(&t, &k("CHS #2", ALL, S), "yoy_change"), 0.0);
    close(f(&t, &k("CHS #3", ALL, S), "yoy_change"), 0.0);
    close(f(&t, &k("CHS 2003-05-29", ALL, S), "yoy_change"), -0.5);
    close(
        f(&t, &k("CHS 2003-05-29", ALL, S), "rolling_mean_3"),
        (0.5 + 0.5 + 0.0) / 3.0,
    );
    // No pooled-body rows by meeting.
    let bodies = t
        .column("body")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .any(|b| b == ALL);
    assert!(!bodies);
}

#[test]
fn bootstrap_interval_brackets_the_share_and_is_reproducible() {
    let codes = fixture();
    let a = trends(&codes, &opts(PeriodBy::Year)).unwrap();
    let b = trends(&codes, &opts(PeriodBy::Year)).unwrap();
    assert!(a.equals_missing(&b), "same seed, same intervals");
    let share = a.column("share_paragraphs").unwrap().f64().unwrap();
    let low = a.column("ci_low").unwrap().f64().unwrap();
    let high = a.column("ci_high").unwrap().f64().unwrap();
    let mut wide = 0;
    for ((s, l), h) in share.iter().zip(low.iter()).zip(high.iter()) {
        let (s, l, h) = (s.unwrap(), l.unwrap(), h.unwrap());
        assert!(l <= s && s <= h, "{l} <= {s} <= {h}");
        assert!((0.0..=1.0).contains(&l) && (0.0..=1.0).contains(&h));
        if h > l {
            wide += 1;
        }
    }
    assert!(
        wide > 10,
        "shares strictly between 0 and 1 have a real interval"
    );
    // (That another seed draws other resamples is checked in `bootstrap`, on a sample large
    // enough for the quantiles to move: with n ≤ 4 paragraphs they hardly can.)
    let none = trends(
        &codes,
        &TrendOptions {
            resamples: 0,
            ..opts(PeriodBy::Year)
        },
    )
    .unwrap();
    assert!(
        none.column("ci_low")
            .unwrap()
            .equals(none.column("share_paragraphs").unwrap())
    );
}

#[test]
fn term_emergence_lists_every_codebook_term() {
    let codes = fixture();
    let term = |dim: &str, ind: &str, t: &str, lang| TermInfo {
        dimension: dim.into(),
        indicator: ind.into(),
        term: t.into(),
        lang,
    };
    let terms = vec![
        term(S, "core", "安全", Lang::Zh),
        term(S, "core", "恐怖主义", Lang::Zh),
        term(R, "thin", "主权", Lang::Zh),
        term(R, "thin", "不干涉内政", Lang::Zh),
        term(R, "thin", "суверенитет", Lang::Ru),
    ];
    let (em, yearly) = term_emergence(&codes, &terms).unwrap();
    assert_eq!(em.schema().as_ref(), &dictionary::TERM_EMERGENCE.schema());
    assert_eq!(
        em.height(),
        6,
        "five codebook terms and one found only in the evidence"
    );
    let k = |t| [("term", t)];
    assert_eq!(i(&em, &k("安全"), "hits"), 5);
    assert_eq!(i(&em, &k("安全"), "documents"), 3);
    assert_eq!(i(&em, &k("安全"), "years"), 2);
    assert_eq!(cell(&em, &k("安全"), "first_doc").to_string(), "\"d1\"");
    assert_eq!(cell(&em, &k("安全"), "last_doc").to_string(), "\"d3\"");
    assert_eq!(
        cell(&em, &k("安全"), "yearly_counts").to_string(),
        "\"2001:3 2002:2\""
    );
    assert_eq!(
        cell(&em, &k("主权"), "yearly_counts").to_string(),
        "\"2001:2 2002:2 2003:1\""
    );
    assert_eq!(cell(&em, &k("主权"), "last_doc").to_string(), "\"d4\"");
    assert_eq!(i(&em, &k("恐怖主义"), "hits"), 2);
    // Never matched: listed, with nulls.
    assert_eq!(i(&em, &k("不干涉内政"), "hits"), 0);
    assert_eq!(cell(&em, &k("不干涉内政"), "first_date"), AnyValue::Null);
    assert_eq!(cell(&em, &k("不干涉内政"), "yearly_counts"), AnyValue::Null);
    assert_eq!(
        cell(&em, &k("不干涉内政"), "in_codebook"),
        AnyValue::Boolean(true)
    );
    // Found, but not in the codebook.
    assert_eq!(
        cell(&em, &k("безопасность"), "in_codebook"),
        AnyValue::Boolean(false)
    );
    assert_eq!(cell(&em, &k("безопасность"), "lang").to_string(), "\"ru\"");
    // Codebook order first, then the unknown term.
    let order: Vec<&str> = em
        .column("term")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(
        order,
        [
            "安全",
            "恐怖主义",
            "主权",
            "不干涉内政",
            "суверенитет",
            "безопасность"
        ]
    );
    // term_yearly: 安全 2001 → 3 hits in 2 documents.
    let y = [("term", "安全"), ("year", "2001")];
    assert_eq!(i(&yearly, &y, "hits"), 3);
    assert_eq!(i(&yearly, &y, "documents"), 2);
    assert_eq!(yearly.height(), 2 + 1 + 3 + 1 + 1);
}

#[test]
fn breaks_frame_reports_years_and_shift() {
    let years: Vec<i32> = (2001..=2010).collect();
    let share: Vec<f64> = years
        .iter()
        .map(|y| if *y < 2006 { 0.1 } else { 0.4 })
        .collect();
    let n = years.len();
    let t = df!(
        "body" => vec![ALL; n],
        "lang" => vec![ALL; n],
        "dimension" => vec![S; n],
        "year" => years,
        "share_paragraphs" => share,
    )
    .unwrap();
    let b = breaks(&t, BreakOptions::default()).unwrap();
    assert_eq!(b.schema().as_ref(), &dictionary::BREAKS.schema());
    assert_eq!(b.height(), 1);
    assert_eq!(i(&b, &[], "break_year"), 2006);
    assert_eq!(i(&b, &[], "previous_year"), 2005);
    close(f(&b, &[], "shift"), 0.3);
    assert_eq!(i(&b, &[], "periods"), 10);
}

#[test]
fn missing_codes_say_run_build_first() {
    let dir = tempfile::tempdir().unwrap();
    let data = crate::layout::DataDir::new(dir.path());
    let err = Codes::open(&data).err().expect("no codes");
    let msg = err.to_string();
    assert!(msg.contains("run `scoway build` first"), "{msg}");
    assert!(msg.contains("documents.parquet"), "{msg}");
}

#[test]
fn a_missing_input_column_is_named() {
    let codes = fixture();
    let docs = codes
        .documents
        .clone()
        .drop(by_name(["tokens"], true, false))
        .collect()
        .unwrap();
    let pc = codes.paragraph_codes.clone().collect().unwrap();
    let ev = codes.evidence.clone().collect().unwrap();
    let err = Codes::from_frames(docs, pc, ev)
        .err()
        .expect("missing column");
    assert!(err.to_string().contains("column `tokens`"), "{err}");
}

#[test]
fn export_round_trips_with_the_declared_schema() {
    let codes = fixture();
    let dir = tempfile::tempdir().unwrap();
    let opts = ExportOptions {
        charts: false,
        ..ExportOptions::default()
    };
    let report = export::export_codes(&codes, dir.path(), &opts).unwrap();
    for spec in dictionary::EXPORTED {
        let parquet = dir.path().join(format!("{}.parquet", spec.name));
        let csv = dir.path().join(format!("{}.csv", spec.name));
        assert!(report.files.contains(&parquet) && report.files.contains(&csv));
        let from_parquet = LazyFrame::scan_parquet(
            PlRefPath::try_from_path(&parquet).unwrap(),
            ScanArgsParquet::default(),
        )
        .unwrap()
        .collect()
        .unwrap();
        assert_eq!(
            from_parquet.schema().as_ref(),
            &spec.schema(),
            "{}",
            spec.name
        );
        let from_csv = LazyCsvReader::new(PlRefPath::try_from_path(&csv).unwrap())
            .with_schema(Some(std::sync::Arc::new(spec.schema())))
            .finish()
            .unwrap()
            .collect()
            .unwrap();
        assert!(
            from_csv.equals_missing(&from_parquet),
            "{}: CSV and Parquet differ\n{from_csv}\n{from_parquet}",
            spec.name
        );
        for c in spec.columns.iter().filter(|c| !c.nullable) {
            assert_eq!(
                from_parquet.column(c.name).unwrap().null_count(),
                0,
                "{}.{} is declared non-null",
                spec.name,
                c.name
            );
        }
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["corpus"]["sha256"]["d3.zh"], "h3");
    assert_eq!(manifest["parameters"]["seed"], DEFAULT_SEED);
    assert_eq!(manifest["frames"]["documents"], 5);
    let dict = std::fs::read_to_string(dir.path().join("DATA_DICTIONARY.md")).unwrap();
    assert!(dict.contains("`rolling_mean_3`"));
}

#[test]
fn passages_come_from_the_store_and_skip_changed_documents() {
    use crate::corpus::document::{DocMeta, Document, Paragraph};
    use crate::corpus::store::DocStore;
    let dir = tempfile::tempdir().unwrap();
    let store = DocStore::open(dir.path()).unwrap();
    let doc = |id: &str, sha: &str, paras: &[&str]| {
        let text = paras.join("\n\n");
        let mut paragraphs = Vec::new();
        let (mut chars, mut bytes) = (0usize, 0usize);
        for (k, p) in paras.iter().enumerate() {
            let (n_chars, n_bytes) = (p.chars().count(), p.len());
            paragraphs.push(Paragraph {
                index: k as u32,
                char_start: chars,
                char_end: chars + n_chars,
                byte_start: bytes,
                byte_end: bytes + n_bytes,
            });
            chars += n_chars + 2;
            bytes += n_bytes + 2;
        }
        Document {
            meta: DocMeta {
                id: id.into(),
                date: date("2002-06-07"),
                body: "CHS".into(),
                doc_type: "declaration".into(),
                lang: Lang::Zh,
                title: "fixture".into(),
                source_url: None,
                meeting_no: None,
                city: None,
                script: Default::default(),
            },
            sha256: sha.into(),
            source: "fixture".into(),
            original: text.clone(),
            text,
            paragraphs,
        }
    };
    // d3 as coded; d1 changed since the build (another hash); the others are missing.
    store
        .put(&doc(
            "d3",
            "h3",
            &[
                "段落零（测试用）。",
                "段落一。",
                "段落二：安全与主权。",
                "段落三。",
            ],
        ))
        .unwrap();
    store.put(&doc("d1", "changed", &["甲。", "乙。"])).unwrap();
    let mut codes = fixture();
    codes.store_dir = Some(dir.path().to_path_buf());
    let (p, warnings) = passages(&codes).unwrap();
    assert_eq!(p.schema().as_ref(), &dictionary::PASSAGES.schema());
    assert_eq!(p.height(), 2, "d3 has evidence in paragraphs 0 and 2\n{p}");
    let k = |par| [("doc_id", "d3"), ("paragraph", par)];
    assert_eq!(
        cell(&p, &k("2"), "text"),
        AnyValue::String("段落二：安全与主权。").into_static()
    );
    assert_eq!(
        cell(&p, &k("2"), "dimensions").to_string(),
        "\"recognition security_spillover\""
    );
    assert_eq!(i(&p, &k("2"), "hits"), 5);
    assert_eq!(i(&p, &k("2"), "char_start"), 9 + 2 + 4 + 2);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("changed") && w.contains("d1")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("not in the store")),
        "{warnings:?}"
    );

    codes.store_dir = Some(dir.path().join("nowhere"));
    let (p, warnings) = passages(&codes).unwrap();
    assert_eq!(p.height(), 0);
    assert!(warnings[0].contains("no document store"));
}

#[test]
fn export_of_empty_codes_writes_empty_frames() {
    let empty = |spec: &dictionary::FrameSpec| DataFrame::empty_with_schema(&spec.schema());
    let codes = Codes::from_frames(
        empty(&dictionary::IN_DOCUMENTS),
        empty(&dictionary::IN_PARAGRAPH_CODES),
        empty(&dictionary::IN_EVIDENCE),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let report = export::export_codes(&codes, dir.path(), &ExportOptions::default()).unwrap();
    // Nothing but the codebook's terms, listed as never seen.
    for (name, rows) in &report.frames {
        if name != "term_emergence" {
            assert_eq!(*rows, 0, "{name}");
        }
    }
    let em = read_back(&dir.path().join("term_emergence.parquet"));
    let terms = crate::code::Codebook::load(None).unwrap().all_terms();
    assert!(em.height() > 0 && em.height() <= terms.len());
    assert_eq!(em.column("hits").unwrap().i64().unwrap().sum(), Some(0));
    assert_eq!(em.column("first_date").unwrap().null_count(), em.height());
    assert!(
        report.warnings.iter().any(|w| w.contains("no charts")),
        "{:?}",
        report.warnings
    );
    let t = read_back(&dir.path().join("trends.parquet"));
    assert_eq!(t.schema().as_ref(), &dictionary::TRENDS.schema());
}

fn read_back(path: &std::path::Path) -> DataFrame {
    LazyFrame::scan_parquet(
        PlRefPath::try_from_path(path).unwrap(),
        ScanArgsParquet::default(),
    )
    .unwrap()
    .collect()
    .unwrap()
}
