//! Whole-pipeline benchmark on real Chinese text: the SIGHAN 2005 PKU test set in
//! `../shared/bench/icwb2/`, repeated to 50 MB (override with `SCOWAY_BENCH_MB`).
//!
//! `cargo bench --bench pipeline` measures, in one run:
//! - bare jieba-rs `cut` throughput (same HMM setting as scoway's segmenter);
//! - ingest, and segment + index + code (`build`) with 1 thread and with every core;
//! - the share of `build` spent coding (target: coding adds at most 20 %);
//! - peak resident memory of each build (target: at most 1.5 GB);
//! - 1,000 mixed term / phrase / boolean queries with snippets: p50 and p99 latency;
//! - word F1 on the PKU gold with and without the domain dictionary.
//!
//! Figures are printed and written to `target/bench-pipeline.json`. They are measurements,
//! not assertions: no figure fails the run.

use scoway::code::{Codebook, Coder};
use scoway::corpus::DocStore;
use scoway::corpus::ingest::{self, IngestOptions, Overrides};
use scoway::index::{self, SearchRequest};
use scoway::layout::DataDir;
use scoway::pipeline::{self, BuildOptions};
use scoway::segment::{Segmenter, SegmenterOptions, eval};
use std::path::{Path, PathBuf};
use std::time::Instant;

const MB: f64 = 1024.0 * 1024.0;

fn shared() -> PathBuf {
    let dir = std::env::var_os("SCOWAY_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    assert!(
        dir.join("bench/icwb2/pku_test.utf8").exists(),
        "the benchmark needs {}/bench/icwb2/ (set SCOWAY_SHARED)",
        dir.display()
    );
    dir
}

/// Peak resident set size of this process so far, in MB (Linux `VmHWM`).
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Resets the peak RSS counter so the next reading covers only what follows.
fn reset_peak_rss() {
    // Linux ≥ 4.0: writing 5 to clear_refs resets VmHWM to the current RSS.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

struct Corpus {
    lines: Vec<String>,
    bytes: usize,
}

fn load_corpus(target_mb: f64) -> Corpus {
    let raw = std::fs::read_to_string(shared().join("bench/icwb2/pku_test.utf8"))
        .expect("read pku_test.utf8");
    let base: Vec<String> = raw
        .lines()
        .map(|l| l.trim_end_matches('\r').to_string())
        .filter(|l| !l.trim().is_empty())
        .collect();
    let mut lines = Vec::new();
    let mut bytes = 0;
    while (bytes as f64) < target_mb * MB {
        for l in &base {
            bytes += l.len() + 1;
            lines.push(l.clone());
        }
    }
    Corpus { lines, bytes }
}

/// Writes the corpus as documents of about 200 lines each, with front matter.
fn write_documents(corpus: &Corpus, dir: &Path) -> usize {
    std::fs::create_dir_all(dir).expect("create input dir");
    let mut n = 0;
    for (i, chunk) in corpus.lines.chunks(200).enumerate() {
        let year = 2001 + (i % 25);
        let body = if i % 3 == 0 { "CHG" } else { "CHS" };
        let text = format!(
            "+++\nid = \"bench-{i:05}\"\ndate = \"{year}-06-15\"\nbody = \"{body}\"\n\
             doc_type = \"declaration\"\nlang = \"zh\"\ntitle = \"PKU benchmark chunk {i}\"\n+++\n{}\n",
            chunk.join("\n")
        );
        std::fs::write(dir.join(format!("bench-{i:05}.txt")), text).expect("write input");
        n += 1;
    }
    n
}

fn mbps(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / MB / secs
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn main() {
    let target_mb: f64 = std::env::var("SCOWAY_BENCH_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50.0);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut report = serde_json::Map::new();
    let mut put = |k: &str, v: serde_json::Value| {
        println!("{k:<44} {v}");
        report.insert(k.to_string(), v);
    };

    let corpus = load_corpus(target_mb);
    let profile = std::env::var("SCOWAY_BENCH_PROFILE").unwrap_or_default();
    if profile == "dump" {
        // Every token of a set of texts, to compare two versions of the segmenter.
        use std::fmt::Write as _;
        let seg = Segmenter::global();
        let mut texts: Vec<String> = std::fs::read_to_string(shared().join("bench/icwb2/pku_test.utf8"))
            .expect("pku")
            .lines()
            .map(String::from)
            .collect();
        for p in ["spec/sco-way-paper.zh.txt", "bench/icwb2/pku_training_words.utf8"] {
            texts.extend(std::fs::read_to_string(shared().join(p)).expect("text").lines().map(String::from));
        }
        for e in walkdir_texts(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")) {
            texts.extend(e.lines().map(String::from));
        }
        texts.extend(seg.user_entries().iter().cloned());
        texts.extend(include_str!("../corpus/dict/aliases.tsv").split(['\t', '\n']).map(String::from));
        let mut out = String::new();
        for t in &texts {
            let _ = writeln!(out, "{t}\n T {:?}\n Q {:?}\n C {:?}", seg.tokenize(t, scoway::corpus::Lang::Zh), seg.query_tokens(t), seg.cut(t));
        }
        std::fs::write(std::env::var("SCOWAY_DUMP").expect("SCOWAY_DUMP"), out).expect("write dump");
        return;
    }
    if profile == "tokenize" {
        // scoway's tokenize of the normalised lines against jieba alone, one thread, best
        // of three, for a profiler or a quick comparison.
        let seg = Segmenter::global();
        let jieba = jieba_rs::Jieba::new();
        let lines: Vec<String> = corpus
            .lines
            .iter()
            .map(|l| scoway::text::normalize(l, Default::default()))
            .collect();
        let best = |f: &dyn Fn(&str) -> usize| {
            (0..3)
                .map(|_| {
                    let t = Instant::now();
                    let n: usize = lines.iter().map(|l| f(l)).sum();
                    std::hint::black_box(n);
                    mbps(corpus.bytes, t.elapsed().as_secs_f64())
                })
                .fold(0.0, f64::max)
        };
        let tok = best(&|l| seg.tokenize(l, scoway::corpus::Lang::Zh).len());
        let cut = best(&|l| seg.cut(l).len());
        let tag = best(&|l| jieba.tag(l, false).len());
        let bare = best(&|l| jieba.cut(l, false).len());
        println!(
            "MB/s: tokenize {tok:.1}, scoway cut {cut:.1}, jieba tag {tag:.1}, jieba cut {bare:.1}; tokenize / jieba cut {:.2}",
            tok / bare
        );
        return;
    }
    if profile == "build" {
        // Only ingest + one single-thread build, for a profiler.
        let work = tempfile::tempdir().expect("temp dir");
        let input = work.path().join("input");
        write_documents(&corpus, &input);
        let data = DataDir::new(work.path().join("data"));
        let store = DocStore::open(data.store_dir()).expect("open store");
        ingest::ingest_paths(
            &store,
            std::slice::from_ref(&input),
            &Overrides::default(),
            None,
            &IngestOptions::default(),
        )
        .expect("ingest");
        let threads = std::env::var("SCOWAY_BENCH_THREADS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1);
        let t = Instant::now();
        let built = pipeline::build(
            &data,
            &BuildOptions {
                codebook: None,
                threads: Some(threads),
            },
        )
        .expect("build");
        let secs = t.elapsed().as_secs_f64();
        println!(
            "build {:.2} s, {:.2} MB/s, peak RSS {:.0} MB\n{:#?}",
            secs,
            mbps(corpus.bytes, secs),
            peak_rss_mb(),
            built.timings
        );
        return;
    }
    put(
        "corpus_mb",
        serde_json::json!((corpus.bytes as f64 / MB * 10.0).round() / 10.0),
    );
    put("cores", serde_json::json!(cores));

    // Bare jieba-rs, as scoway's segmenter configures it (no HMM), one thread.
    let jieba = jieba_rs::Jieba::new();
    let t = Instant::now();
    let mut words = 0usize;
    for l in &corpus.lines {
        words += jieba.cut(l, false).len();
    }
    let bare = mbps(corpus.bytes, t.elapsed().as_secs_f64());
    put("bare_jieba_cut_mb_per_s", serde_json::json!(round2(bare)));
    std::hint::black_box(words);

    // scoway tokenize alone (jieba + dictionary + sub-words + stopwords), one thread.
    let seg = Segmenter::global();
    let t = Instant::now();
    let mut tokens = 0usize;
    for l in &corpus.lines {
        tokens += seg.tokenize(l, scoway::corpus::Lang::Zh).len();
    }
    let tok = mbps(corpus.bytes, t.elapsed().as_secs_f64());
    put("scoway_tokenize_mb_per_s", serde_json::json!(round2(tok)));
    std::hint::black_box(tokens);

    let work = tempfile::tempdir().expect("temp dir");
    let input = work.path().join("input");
    let docs = write_documents(&corpus, &input);
    put("documents", serde_json::json!(docs));

    let mut build_secs = Vec::new();
    for (label, threads) in [("1_thread", 1usize), ("all_cores", cores)] {
        let data = DataDir::new(work.path().join(format!("data-{label}")));
        let store = DocStore::open(data.store_dir()).expect("open store");
        reset_peak_rss();
        let t = Instant::now();
        let reports = ingest::ingest_paths(
            &store,
            std::slice::from_ref(&input),
            &Overrides::default(),
            None,
            &IngestOptions::default(),
        )
        .expect("ingest");
        let ingest_secs = t.elapsed().as_secs_f64();
        assert!(
            reports.iter().all(|r| r.result.is_ok()),
            "every chunk ingests"
        );
        let t = Instant::now();
        let built = pipeline::build(
            &data,
            &BuildOptions {
                codebook: None,
                threads: Some(threads),
            },
        )
        .expect("build");
        let secs = t.elapsed().as_secs_f64();
        build_secs.push(secs);
        put(
            &format!("ingest_{label}_s"),
            serde_json::json!(round2(ingest_secs)),
        );
        put(&format!("build_{label}_s"), serde_json::json!(round2(secs)));
        put(
            &format!("build_{label}_mb_per_s"),
            serde_json::json!(round2(mbps(corpus.bytes, secs))),
        );
        put(
            &format!("ingest_plus_build_{label}_mb_per_s"),
            serde_json::json!(round2(mbps(corpus.bytes, secs + ingest_secs))),
        );
        put(
            &format!("peak_rss_{label}_mb"),
            serde_json::json!(round2(peak_rss_mb())),
        );
        put(
            &format!("build_{label}_phases_s"),
            serde_json::json!({
                "load": round2(built.timings.load),
                "prepare": round2(built.timings.prepare),
                "parallel_wall": round2(built.timings.parallel),
                "segment_cpu": round2(built.timings.segment),
                "index_add_cpu": round2(built.timings.index_add),
                "code_cpu": round2(built.timings.code),
                "commit": round2(built.timings.commit),
                "cache_write": round2(built.timings.cache_write),
                "codes_write": round2(built.timings.codes_write),
            }),
        );
        assert_eq!(built.documents, docs);
    }
    let single = mbps(corpus.bytes, build_secs[0]);
    put(
        "single_thread_vs_bare_cut",
        serde_json::json!(round2(single / bare)),
    );
    put(
        "all_cores_vs_single_thread",
        serde_json::json!(round2(build_secs[0] / build_secs[1])),
    );

    // Coding alone on the same documents, one thread, with the tokens precomputed: its share
    // of the single-thread build is what coding adds.
    let data = DataDir::new(work.path().join("data-1_thread"));
    let store = DocStore::open(data.store_dir()).expect("open store");
    let all = store.load_all().expect("load documents");
    let segmented: Vec<_> = all
        .iter()
        .map(|d| pipeline::segment_document(seg, d))
        .collect();
    let coder = Coder::new(&Codebook::load(None).expect("bundled codebook")).expect("coder");
    let t = Instant::now();
    for (doc, toks) in all.iter().zip(&segmented) {
        std::hint::black_box(coder.code_document(doc, toks));
    }
    let code_secs = t.elapsed().as_secs_f64();
    put("coding_1_thread_s", serde_json::json!(round2(code_secs)));
    put(
        "coding_added_to_build_percent",
        serde_json::json!(round2(100.0 * code_secs / (build_secs[0] - code_secs))),
    );
    drop(segmented);

    // 1,000 mixed queries with snippets on the index just built.
    let queries = make_queries(&corpus, 1000);
    let mut latencies = Vec::with_capacity(queries.len());
    let mut hits = 0usize;
    for q in &queries {
        let req = SearchRequest::new(q.clone());
        let t = Instant::now();
        let res = index::search(&data, &req).expect("query runs");
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        hits += usize::from(!res.hits.is_empty());
    }
    latencies.sort_by(f64::total_cmp);
    put("queries", serde_json::json!(queries.len()));
    put("queries_with_hits", serde_json::json!(hits));
    put(
        "query_p50_ms",
        serde_json::json!(round2(percentile(&latencies, 0.50))),
    );
    put(
        "query_p99_ms",
        serde_json::json!(round2(percentile(&latencies, 0.99))),
    );

    // Word F1 on the PKU gold, with and without the domain dictionary.
    let gold = std::fs::read_to_string(shared().join("bench/icwb2/pku_test_gold.utf8"))
        .expect("read gold");
    let with = eval::score_gold_text(seg, &gold).f1();
    let plain = Segmenter::new(SegmenterOptions {
        domain_dict: false,
        ..SegmenterOptions::default()
    })
    .expect("segmenter without dictionary");
    let without = eval::score_gold_text(&plain, &gold).f1();
    put("pku_f1_with_domain_dict", serde_json::json!(round4(with)));
    put(
        "pku_f1_without_domain_dict",
        serde_json::json!(round4(without)),
    );
    put(
        "pku_f1_cost_points",
        serde_json::json!(round2(100.0 * (without - with))),
    );

    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-pipeline.json");
    let json = serde_json::to_string_pretty(&report).expect("serialise report");
    if let Err(e) = std::fs::write(&out, json) {
        eprintln!("cannot write {}: {e}", out.display());
    } else {
        println!("written to {}", out.display());
    }
}

fn walkdir_texts(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        let mut entries: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(s) = std::fs::read_to_string(&p) {
                out.push(s);
            }
        }
    }
    out
}

/// Terms (frequent gold words), two-word phrases, phrases with slop and boolean pairs.
fn make_queries(corpus: &Corpus, n: usize) -> Vec<String> {
    let seg = Segmenter::global();
    let mut words: Vec<String> = Vec::new();
    for l in corpus.lines.iter().take(400) {
        for w in seg.cut(l) {
            if w.text.chars().count() >= 2
                && w.text.chars().all(scoway::segment::is_han)
                && !seg.is_stopword(w.text)
            {
                words.push(w.text.to_string());
            }
        }
    }
    let mut queries = Vec::with_capacity(n);
    let mut i = 0usize;
    while queries.len() < n && words.len() > 2 {
        let a = &words[(i * 7) % words.len()];
        let b = &words[(i * 7 + 1) % words.len()];
        queries.push(match i % 4 {
            0 => a.clone(),
            1 => format!("\"{a}{b}\""),
            2 => format!("\"{a} {b}\"~2"),
            _ => format!("{a} AND {b}"),
        });
        i += 1;
    }
    queries
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round4(x: f64) -> f64 {
    (x * 10000.0).round() / 10000.0
}
