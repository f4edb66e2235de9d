//! Benchmark of the trends stage: `scoway export` (every frame, Parquet + CSV, charts,
//! dictionary, manifest) and the trend table of `scoway trends`, on a synthetic codes
//! directory of 10,000 documents.
//!
//! Run: `cargo bench --bench trends` (optionally `-- --docs N --runs R`). The target is under
//! 2 seconds of wall time for the export of 10,000 documents, charts included. Prints figures;
//! asserts nothing about time.

use polars::prelude::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use scoway::code::DIMENSIONS;
use scoway::layout::DataDir;
use scoway::trends::{self, Codes, ExportOptions, PeriodBy, TrendOptions};
use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

struct Args {
    docs: usize,
    runs: usize,
}

fn args() -> Args {
    let mut a = Args {
        docs: 10_000,
        runs: 3,
    };
    let argv: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < argv.len() {
        let next = argv.get(i + 1).and_then(|v| v.parse().ok());
        match (argv[i].as_str(), next) {
            ("--docs", Some(n)) => {
                a.docs = n;
                i += 1;
            }
            ("--runs", Some(n)) => {
                a.runs = n;
                i += 1;
            }
            _ => {} // cargo passes `--bench`
        }
        i += 1;
    }
    a
}

/// Writes a synthetic codes directory: `docs` documents from 2001 to 2025 (CHS, CHG, other;
/// zh, ru, en), 10–40 paragraphs each, hits drawn with probabilities that drift by year (and
/// shift in 2012 for one dimension), and one evidence row per hit.
fn generate(codes_dir: &Path, docs: usize) -> (usize, usize) {
    std::fs::create_dir_all(codes_dir).expect("create codes dir");
    let mut rng = StdRng::seed_from_u64(2001);
    let bodies = ["CHS", "CHG", "other"];
    let langs = ["zh", "ru", "en"];
    let terms = ["安全", "主权", "多极化", "宪章", "观察员国"];

    let mut d = DocCols::default();
    let mut p = ParaCols::default();
    let mut e = EvCols::default();
    for n in 0..docs {
        let year = 2001 + (n % 25) as i32;
        let body = bodies[n % 7 % 3];
        let lang = langs[n / 25 % 3];
        let date = chrono::NaiveDate::from_ymd_opt(year, 1 + (n % 12) as u32, 1 + (n % 28) as u32)
            .expect("valid date");
        let id = format!("syn-{n:05}");
        let paragraphs = rng.random_range(10..=40i64);
        let (mut tokens, mut coded_any) = (0i64, 0i64);
        for par in 0..paragraphs {
            let ptokens = rng.random_range(20..=120i64);
            tokens += ptokens;
            let mut any = false;
            for (k, dim) in DIMENSIONS.iter().enumerate() {
                let t = f64::from(year - 2001) / 24.0;
                let prob = match k {
                    0 => 0.45 - 0.15 * t,
                    1 => 0.30,
                    2 => 0.10 + 0.20 * t,
                    3 => 0.25,
                    _ => {
                        if year >= 2012 {
                            0.35
                        } else {
                            0.12
                        }
                    }
                };
                let hits = if rng.random::<f64>() < prob {
                    rng.random_range(1..=3i64)
                } else {
                    0
                };
                any |= hits > 0;
                for h in 0..hits {
                    e.doc_id.push(id.clone());
                    e.paragraph.push(par);
                    e.dimension.push(dim);
                    e.indicator.push("synthetic");
                    e.term.push(terms[k]);
                    e.char_start.push(par * 200 + h * 10);
                    e.char_end.push(par * 200 + h * 10 + 2);
                }
                p.doc_id.push(id.clone());
                p.paragraph.push(par);
                p.tokens.push(ptokens);
                p.dimension.push(dim);
                p.hits.push(hits);
                p.weighted.push(hits as f64);
                p.coded.push(hits > 0);
            }
            coded_any += i64::from(any);
        }
        d.id.push(id);
        d.date.push(date);
        d.year.push(year);
        d.body.push(body);
        d.lang.push(lang);
        d.meeting.push(if body == "other" {
            None
        } else {
            Some(year - 2000)
        });
        d.tokens.push(tokens);
        d.paragraphs.push(paragraphs);
        d.coded.push(coded_any);
    }
    let n_docs = d.id.len();
    let n_ev = e.doc_id.len();
    let mut documents = df!(
        "id" => d.id,
        "date" => d.date,
        "year" => d.year,
        "body" => d.body,
        "doc_type" => vec!["declaration"; n_docs],
        "lang" => d.lang,
        "title" => vec!["合成文件 synthetic"; n_docs],
        "meeting_no" => d.meeting,
        "city" => vec![None::<&str>; n_docs],
        "tokens" => d.tokens,
        "paragraphs" => d.paragraphs,
        "coded_paragraphs" => d.coded,
        "dominant" => vec![Some("security_spillover"); n_docs],
        "sha256" => vec!["0".repeat(64); n_docs],
    )
    .expect("documents");
    let n_rows = p.doc_id.len();
    let mut paragraph_codes = df!(
        "doc_id" => p.doc_id,
        "paragraph" => p.paragraph,
        "tokens" => p.tokens,
        "dimension" => p.dimension,
        "hits" => p.hits,
        "weighted_hits" => p.weighted.clone(),
        "score" => p.weighted,
        "coded" => p.coded,
    )
    .expect("paragraph_codes");
    let mut evidence = df!(
        "doc_id" => e.doc_id,
        "paragraph" => e.paragraph,
        "dimension" => e.dimension,
        "indicator" => e.indicator,
        "term" => e.term.clone(),
        "matched" => e.term,
        "char_start" => e.char_start,
        "char_end" => e.char_end,
        "weight" => vec![1.0; n_ev],
        "rule" => vec!["term"; n_ev],
    )
    .expect("evidence");
    for (name, df) in [
        ("documents.parquet", &mut documents),
        ("paragraph_codes.parquet", &mut paragraph_codes),
        ("evidence.parquet", &mut evidence),
    ] {
        let file = File::create(codes_dir.join(name)).expect("create parquet");
        ParquetWriter::new(file).finish(df).expect("write parquet");
    }
    std::fs::write(
        codes_dir.join("manifest.json"),
        r#"{"codebook_hash": "synthetic", "scoway_version": "bench", "documents": 0}"#,
    )
    .expect("manifest");
    (n_rows, n_ev)
}

#[derive(Default)]
struct DocCols {
    id: Vec<String>,
    date: Vec<chrono::NaiveDate>,
    year: Vec<i32>,
    body: Vec<&'static str>,
    lang: Vec<&'static str>,
    meeting: Vec<Option<i32>>,
    tokens: Vec<i64>,
    paragraphs: Vec<i64>,
    coded: Vec<i64>,
}

#[derive(Default)]
struct ParaCols {
    doc_id: Vec<String>,
    paragraph: Vec<i64>,
    tokens: Vec<i64>,
    dimension: Vec<&'static str>,
    hits: Vec<i64>,
    weighted: Vec<f64>,
    coded: Vec<bool>,
}

#[derive(Default)]
struct EvCols {
    doc_id: Vec<String>,
    paragraph: Vec<i64>,
    dimension: Vec<&'static str>,
    indicator: Vec<&'static str>,
    term: Vec<&'static str>,
    char_start: Vec<i64>,
    char_end: Vec<i64>,
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn summary(label: &str, mut times: Vec<Duration>) {
    times.sort();
    let min = times.first().copied().unwrap_or_default();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    let max = times.last().copied().unwrap_or_default();
    println!(
        "{label:<44} min {}  median {}  max {}  ({} runs)",
        secs(min),
        secs(median),
        secs(max),
        times.len()
    );
}

fn main() {
    let a = args();
    let tmp = tempfile::tempdir().expect("temp dir");
    let data = DataDir::new(tmp.path().join("data"));
    let t = Instant::now();
    let (rows, ev) = generate(&data.codes_dir(), a.docs);
    println!(
        "synthetic codes: {} documents, {rows} paragraph × dimension rows, {ev} evidence rows \
         (generated and written in {})",
        a.docs,
        secs(t.elapsed())
    );
    println!("threads: {} (rayon)", rayon::current_num_threads());

    let mut export_times = Vec::new();
    let mut no_chart_times = Vec::new();
    let mut table_times = Vec::new();
    let mut meeting_times = Vec::new();
    let mut meeting_plain_times = Vec::new();
    for run in 0..a.runs {
        let out = tmp.path().join(format!("out{run}"));
        let t = Instant::now();
        let report = trends::export(&data, &out, &ExportOptions::default()).expect("export");
        export_times.push(t.elapsed());
        if run == 0 {
            let bytes: u64 = report
                .files
                .iter()
                .filter_map(|f| std::fs::metadata(f).ok())
                .map(|m| m.len())
                .sum();
            println!(
                "export wrote {} files ({:.1} MB), {} breaks; frames: {}",
                report.files.len(),
                bytes as f64 / 1e6,
                report.breaks,
                report
                    .frames
                    .iter()
                    .map(|(n, r)| format!("{n}={r}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        println!(
            "  run {run}: {}",
            report
                .timings
                .iter()
                .map(|(step, t)| format!("{step} {:.0} ms", t.as_secs_f64() * 1000.0))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let out = tmp.path().join(format!("plain{run}"));
        let t = Instant::now();
        trends::export(
            &data,
            &out,
            &ExportOptions {
                charts: false,
                ..ExportOptions::default()
            },
        )
        .expect("export without charts");
        no_chart_times.push(t.elapsed());

        let t = Instant::now();
        let codes = Codes::open(&data).expect("open codes");
        let frame = trends::trends(
            &codes,
            &TrendOptions {
                by: PeriodBy::Year,
                ..TrendOptions::default()
            },
        )
        .expect("trends");
        let rows = trends::TrendFilter::default()
            .apply(&frame, PeriodBy::Year, &codes.dimensions)
            .expect("filter");
        let md = trends::render_markdown(
            &rows,
            &trends::TrendFilter::default(),
            &TrendOptions::default(),
            &codes.dimensions,
        )
        .expect("markdown");
        table_times.push(t.elapsed());
        std::hint::black_box(md);

        for (by, resamples, times) in [
            (PeriodBy::Meeting, 1000, &mut meeting_times),
            (PeriodBy::Meeting, 0, &mut meeting_plain_times),
        ] {
            let t = Instant::now();
            let frame = trends::trends(
                &codes,
                &TrendOptions {
                    by,
                    resamples,
                    ..TrendOptions::default()
                },
            )
            .expect("trends by meeting");
            times.push(t.elapsed());
            std::hint::black_box(frame);
        }
    }
    println!();
    summary(
        &format!("export, {} docs, charts included", a.docs),
        export_times.clone(),
    );
    summary(
        &format!("export, {} docs, --no-charts", a.docs),
        no_chart_times,
    );
    summary(
        &format!("trend table by year (md), {} docs", a.docs),
        table_times,
    );
    summary("trends by meeting, 1000 resamples", meeting_times);
    summary("trends by meeting, no bootstrap", meeting_plain_times);
    let median = {
        let mut t = export_times;
        t.sort();
        t[t.len() / 2]
    };
    println!(
        "\ntarget: export of 10,000 documents with charts under 2 s: {} (median {})",
        if median < Duration::from_secs(2) {
            "met"
        } else {
            "NOT met"
        },
        secs(median)
    );
}
