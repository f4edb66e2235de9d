//! Whole-pipeline benchmark on real Chinese text: the SIGHAN 2005 PKU test set in
//! `../shared/bench/icwb2/`, repeated to 50 MB (override with `SCOWAY_BENCH_MB`; 1 MB here is
//! 2^20 bytes).
//!
//! `cargo bench --bench pipeline` measures, in one run:
//! - bare jieba-rs `cut` and `tag` throughput (no HMM, as scoway's segmenter), and scoway's
//!   `tokenize` (jieba + dictionary + sub-words + stopwords + aliases), one thread, best of 3;
//!   and jieba `cut` once more before each round of builds (the single-core build is compared
//!   with the median of these, measured at about the same time: this machine's speed drifts);
//! - ingest + build (segment + index + code) in three set-ups, each in a child process of its
//!   own on a fresh data directory: `1_core` (`--threads 1`, the whole process pinned to one
//!   CPU: the real single-core figure, tantivy's indexing thread included), `1_thread`
//!   (`--threads 1` unpinned: one worker, while tantivy's indexing thread can use the other
//!   core) and `all_cores`;
//!   for each: wall and CPU seconds, MB/s, peak resident memory, and `build`'s own phases, of
//!   the median of `SCOWAY_BENCH_REPEAT` runs (default 3, the set-ups taking turns);
//! - the parts of a single-core build apart (child process pinned to one CPU, medians of 3
//!   runs): bare `cut` over
//!   the stored paragraphs, scoway's segmentation of them, and tantivy indexing of the finished
//!   tokens, and the floors of issue 13: segmentation ≤ 1.5 x bare `cut`, the single-core
//!   build ≤ 1.5 x (bare `cut` + indexing the finished tokens);
//! - the share of `build` spent coding (target: coding adds at most 20 %);
//! - 1,000 mixed term / phrase / boolean queries with snippets: p50 and p99 latency;
//! - fixed costs on the index just built, through the `scoway` binary as a user calls it:
//!   `search`, `kwic` and `code --text` (median of 5), `build` after one document changed, and
//!   ingest + build of one document into an empty data directory (medians of 3);
//! - word F1 on the PKU gold with and without the domain dictionary;
//! - with `SCOWAY_BENCH_PYTHON=/path/to/python` (a Python with jieba installed): Python jieba's
//!   `lcut(line, HMM=False)` on the PKU text repeated 10 times, against scoway's ingest + build;
//! - with `SCOWAY_BENCH_PYTHON` pointing at a Python with `rjieba` and `tantivy` (`pip install
//!   rjieba tantivy jieba`): the peer, `benches/peer_index.py` — the same files segmented with
//!   rjieba and indexed (documents and paragraphs, positions, dates) with tantivy-py — run whole
//!   in every round beside scoway's ingest + build, pinned to one core and on all cores: wall,
//!   CPU and peak RSS of both, the ratios and the verdicts against the targets (scoway ≥ 3 x the
//!   peer's wall time on all cores, ≥ 2 x its CPU time, peak RSS ≤ the peer's + 100 MB); with
//!   pure-Python `jieba` importable, that variant too, in the last round; and in every round
//!   `rjieba_literal`, the peer with scoway's literal-recall fields too (every Han char and
//!   char pair with positions, `peer_index.py --literal`): the like-for-like index.
//!
//! `SCOWAY_BENCH_PROFILE=digest` measures nothing: it prints a SHA-256 digest of everything a
//! change to the analysis or the index must leave alone (every token of every line, the hits,
//! scores and snippets of the 2,000 queries, KWIC listings, every document's codes) for
//! before/after checks; `SCOWAY_BENCH_DIGEST_DIR` also keeps the texts digested, to diff.
//!
//! `SCOWAY_BENCH_PROFILE=fixed` builds the corpus and measures the fixed costs alone.
//!
//! `SCOWAY_BENCH_PROFILE=index` measures the index alone: build on all cores, peak RSS, size
//! on disk, and the latency of 1,000 mixed and 1,000 literal queries.
//!
//! Figures are printed and written to `target/bench-pipeline.json`. They are measurements,
//! not assertions: no figure fails the run. `SCOWAY_BENCH_PROFILE=tokenize|build|code` runs
//! only that part (for a profiler).

use scoway::code::{Codebook, Coder};
use scoway::corpus::DocStore;
use scoway::corpus::ingest::{self, IngestOptions, Overrides};
use scoway::index::{self, Indexer, IndexerOptions, SearchRequest};
use scoway::layout::DataDir;
use scoway::pipeline::{self, BuildOptions, BuildReport};
use scoway::segment::{Segmenter, SegmenterOptions, eval};
use serde_json::{Value, json};
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

/// CPU seconds (user + system) used by this process so far, all threads.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    if rc != 0 {
        return f64::NAN;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// Pins this process (the calling thread, and so every thread it starts later) to one CPU.
fn pin_to_cpu(cpu: usize) {
    // SAFETY: the set is a plain bit mask owned by this frame.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        let rc = libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
        assert_eq!(rc, 0, "cannot pin the benchmark to CPU {cpu}");
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
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

/// Best throughput of `runs` passes of `f` over `lines`, in MB/s of `bytes`.
fn best_mbps(lines: &[String], bytes: usize, runs: usize, f: &dyn Fn(&str) -> usize) -> f64 {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            let n: usize = lines.iter().map(|l| f(l)).sum();
            std::hint::black_box(n);
            mbps(bytes, t.elapsed().as_secs_f64())
        })
        .fold(0.0, f64::max)
}

fn env_f64(name: &str) -> Option<f64> {
    std::env::var(name).ok().and_then(|s| s.parse().ok())
}

fn ingest_dir(data: &DataDir, input: &Path) {
    let store = DocStore::open(data.store_dir()).expect("open store");
    let reports = ingest::ingest_paths(
        &store,
        &[input.to_path_buf()],
        &Overrides::default(),
        None,
        &IngestOptions::default(),
    )
    .expect("ingest");
    assert!(
        reports.iter().all(|r| !r.has_errors()),
        "every chunk ingests"
    );
}

fn timings_json(report: &BuildReport) -> Value {
    let t = &report.timings;
    json!({
        "load": round2(t.load),
        "prepare": round2(t.prepare),
        "parallel_wall": round2(t.parallel),
        "read_cpu": round2(t.read),
        "segment_cpu": round2(t.segment),
        "index_add_cpu": round2(t.index_add),
        "code_cpu": round2(t.code),
        "cache_encode_cpu": round2(t.cache_encode),
        "cache_write": round2(t.cache_write),
        "commit": round2(t.commit),
        "codes_write": round2(t.codes_write),
    })
}

/// A child's input folder and data directory (`SCOWAY_BENCH_INPUT`, `SCOWAY_BENCH_DATA`),
/// after pinning the process to the CPU in `SCOWAY_BENCH_PIN`, if set.
fn child_setup() -> (PathBuf, DataDir) {
    let var = |n: &str| std::env::var(n).unwrap_or_else(|_| panic!("{n} is not set"));
    if let Some(cpu) = env_f64("SCOWAY_BENCH_PIN") {
        pin_to_cpu(cpu as usize);
    }
    let input = PathBuf::from(var("SCOWAY_BENCH_INPUT"));
    let data = DataDir::new(PathBuf::from(var("SCOWAY_BENCH_DATA")));
    (input, data)
}

/// Child process: ingest `SCOWAY_BENCH_INPUT` into `SCOWAY_BENCH_DATA` and build, optionally
/// pinned to one CPU; prints one JSON line.
fn child_build() {
    let (input, data) = child_setup();
    let threads = env_f64("SCOWAY_BENCH_THREADS").map(|t| t as usize);

    let (t, cpu) = (Instant::now(), cpu_seconds());
    ingest_dir(&data, &input);
    let (ingest_s, ingest_cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    let ingest_rss = peak_rss_mb();

    reset_peak_rss();
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let built = pipeline::build(
        &data,
        &BuildOptions {
            codebook: None,
            threads,
        },
    )
    .expect("build");
    let (build_s, build_cpu) = (t.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    println!(
        "{}",
        json!({
            "ingest_s": ingest_s,
            "ingest_cpu_s": ingest_cpu,
            "ingest_peak_rss_mb": ingest_rss,
            "build_s": build_s,
            "build_cpu_s": build_cpu,
            "build_peak_rss_mb": peak_rss_mb(),
            "documents": built.documents,
            "phases": timings_json(&built),
        })
    );
}

/// Child process, pinned to one CPU: the parts of a single-core build measured apart, on the
/// documents of `SCOWAY_BENCH_INPUT` — bare jieba `cut` over every paragraph, scoway's
/// segmentation of every paragraph, and tantivy indexing of those tokens, already computed,
/// with one indexing thread (commit included). Coding, the store and the code files are left
/// out. Prints one JSON line.
fn child_parts() {
    let (input, data) = child_setup();
    ingest_dir(&data, &input);
    let store = DocStore::open(data.store_dir()).expect("open store");
    let docs = store.load_all().expect("load documents");
    let jieba = jieba_rs::Jieba::new();
    let seg = Segmenter::global();
    // Dictionaries loaded before the clocks start.
    std::hint::black_box(seg.tokenize("上海合作组织", scoway::corpus::Lang::Zh));

    let t = Instant::now();
    let mut words = 0usize;
    for d in &docs {
        for p in &d.paragraphs {
            words += jieba.cut(d.paragraph_text(p), false).len();
        }
    }
    std::hint::black_box(words);
    let cut_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let tokens: Vec<_> = docs
        .iter()
        .map(|d| pipeline::segment_document(seg, d))
        .collect();
    let segment_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let indexer = Indexer::open_with(&data, IndexerOptions::with_threads(1)).expect("indexer");
    for (d, toks) in docs.iter().zip(&tokens) {
        indexer.upsert(d, toks).expect("upsert");
    }
    indexer.commit().expect("commit");
    let index_s = t.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({ "cut_s": cut_s, "segment_s": segment_s, "index_s": index_s })
    );
}

/// Runs [`child_build`] in a fresh process and returns what it printed.
fn run_child(input: &Path, data: &Path, threads: usize, pin: Option<usize>) -> Value {
    run_child_kind("build", input, data, threads, pin)
}

/// Runs the child `kind` (`build` or `parts`) in a fresh process and returns what it printed.
fn run_child_kind(
    kind: &str,
    input: &Path,
    data: &Path,
    threads: usize,
    pin: Option<usize>,
) -> Value {
    let exe = std::env::current_exe().expect("benchmark executable");
    let mut cmd = std::process::Command::new(exe);
    cmd.env("SCOWAY_BENCH_CHILD", kind)
        .env("SCOWAY_BENCH_INPUT", input)
        .env("SCOWAY_BENCH_DATA", data)
        .env("SCOWAY_BENCH_THREADS", threads.to_string())
        .stderr(std::process::Stdio::inherit());
    if let Some(cpu) = pin {
        cmd.env("SCOWAY_BENCH_PIN", cpu.to_string());
    }
    let out = cmd.output().expect("run the build child");
    assert!(out.status.success(), "build child failed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("child printed `{line}`: {e}"))
}

/// The CPU this process may run on first (to pin the single-core build to).
fn first_allowed_cpu() -> usize {
    // SAFETY: sched_getaffinity only writes the set it is given.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) == 0 {
            for cpu in 0..libc::CPU_SETSIZE as usize {
                if libc::CPU_ISSET(cpu, &set) {
                    return cpu;
                }
            }
        }
    }
    0
}

fn profile_tokenize(corpus: &Corpus) {
    let seg = Segmenter::global();
    let jieba = jieba_rs::Jieba::new();
    let lines: Vec<String> = corpus
        .lines
        .iter()
        .map(|l| scoway::text::normalize(l, Default::default()))
        .collect();
    let tok = best_mbps(&lines, corpus.bytes, 3, &|l| {
        seg.tokenize(l, scoway::corpus::Lang::Zh).len()
    });
    let bare = best_mbps(&lines, corpus.bytes, 3, &|l| jieba.cut(l, false).len());
    println!(
        "MB/s: scoway tokenize {tok:.1}, jieba cut {bare:.1}; tokenize / jieba cut {:.2}",
        tok / bare
    );
}

/// A temporary data directory with the corpus ingested (dropping the guard deletes it).
fn ingested(corpus: &Corpus) -> (tempfile::TempDir, DataDir) {
    let work = tempfile::tempdir().expect("temp dir");
    let input = work.path().join("input");
    write_documents(corpus, &input);
    let data = DataDir::new(work.path().join("data"));
    ingest_dir(&data, &input);
    (work, data)
}

fn profile_build(corpus: &Corpus) {
    let (_work, data) = ingested(corpus);
    let threads = env_f64("SCOWAY_BENCH_THREADS").map_or(1, |t| t as usize);
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
        "build {secs:.2} s, {:.2} MB/s, peak RSS {:.0} MB\n{}",
        mbps(corpus.bytes, secs),
        peak_rss_mb(),
        timings_json(&built)
    );
}

/// Coding alone, one thread, each document right after segmenting it (see [`time_coding`]).
fn profile_code(corpus: &Corpus) {
    let (_work, data) = ingested(corpus);
    let docs = DocStore::open(data.store_dir())
        .expect("open store")
        .load_all()
        .expect("load documents");
    let coding = time_coding(&docs, Segmenter::global());
    println!(
        "coder built in {:.3} s; coding {:.2} s, {:.1} MB/s, {} hits",
        coding.compile_s,
        coding.code_s,
        mbps(corpus.bytes, coding.code_s),
        coding.hits
    );
}

struct CodingTime {
    /// Compiling the bundled codebook (`Coder::new`).
    compile_s: f64,
    /// `code_document` over every document.
    code_s: f64,
    hits: usize,
}

/// Times coding as `build` does it: each document is coded right after it is segmented (its
/// tokens still in the cache); only the coding is timed.
fn time_coding(docs: &[scoway::corpus::Document], seg: &Segmenter) -> CodingTime {
    let t = Instant::now();
    let coder = Coder::new(&Codebook::load(None).expect("bundled codebook")).expect("coder");
    let compile_s = t.elapsed().as_secs_f64();
    let (mut code_s, mut hits) = (0.0, 0);
    for doc in docs {
        let tokens = pipeline::segment_document(seg, doc);
        let t = Instant::now();
        let codes = coder.code_document(doc, &tokens);
        code_s += t.elapsed().as_secs_f64();
        hits += codes
            .paragraphs
            .iter()
            .map(|p| p.evidence.len())
            .sum::<usize>();
    }
    CodingTime {
        compile_s,
        code_s,
        hits,
    }
}

/// Whether `python` can import `module` (and `tantivy`), or why not.
fn peer_available(python: &Path, module: &str) -> Result<(), String> {
    let out = std::process::Command::new(python)
        .args(["-c", &format!("import {module}, tantivy")])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} cannot import {module} and tantivy (pip install rjieba tantivy jieba)",
            python.display()
        ))
    }
}

/// Runs `benches/peer_index.py` whole on `input`, pinned to `pin` when given: what it printed
/// (documents, CPU seconds, peak RSS) with the process's wall time.
fn run_peer(
    python: &Path,
    input: &Path,
    index: &Path,
    segmenter: &str,
    literal: bool,
    pin: Option<usize>,
) -> Result<Value, String> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/peer_index.py");
    let mut cmd = std::process::Command::new(python);
    cmd.arg(&script)
        .arg(input)
        .arg(index)
        .args(["--segmenter", segmenter]);
    if literal {
        cmd.arg("--literal");
    }
    if let Some(cpu) = pin {
        cmd.args(["--cpu", &cpu.to_string()]);
    }
    let t = Instant::now();
    let out = cmd.output().map_err(|e| e.to_string())?;
    let wall_s = t.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut v: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .map_err(|e| format!("peer printed `{stdout}`: {e}"))?;
    v["wall_s"] = json!(wall_s);
    Ok(v)
}

/// Python jieba on the PKU text repeated 10 times: (MB/s, version), or why it was not run.
fn python_jieba(python: &Path, dir: &Path) -> Result<(f64, String), String> {
    let pku = std::fs::read_to_string(shared().join("bench/icwb2/pku_test.utf8"))
        .map_err(|e| e.to_string())?;
    let text = dir.join("pku10.txt");
    std::fs::write(&text, pku.repeat(10)).map_err(|e| e.to_string())?;
    let script = r#"
import sys, time, jieba
jieba.setLogLevel(60)
jieba.initialize()
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
size = sum(len(l.encode("utf-8")) + 1 for l in lines)
t = time.perf_counter()
n = 0
for l in lines:
    n += len(jieba.lcut(l, HMM=False))
print(size, time.perf_counter() - t, n, jieba.__version__)
"#;
    let out = std::process::Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(&text)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<&str> = stdout.split_whitespace().collect();
    match fields.as_slice() {
        [size, secs, _, version] => {
            let size: f64 = size.parse().map_err(|_| stdout.to_string())?;
            let secs: f64 = secs.parse().map_err(|_| stdout.to_string())?;
            Ok((size / MB / secs, version.to_string()))
        }
        _ => Err(format!("unexpected output `{stdout}`")),
    }
}

fn main() {
    match std::env::var("SCOWAY_BENCH_CHILD").as_deref() {
        Ok("build") => return child_build(),
        Ok("parts") => return child_parts(),
        _ => {}
    }
    let target_mb = env_f64("SCOWAY_BENCH_MB").unwrap_or(50.0);
    let corpus = load_corpus(target_mb);
    match std::env::var("SCOWAY_BENCH_PROFILE").as_deref() {
        Ok("tokenize") => return profile_tokenize(&corpus),
        Ok("build") => return profile_build(&corpus),
        Ok("code") => return profile_code(&corpus),
        Ok("index") => return profile_index(&corpus),
        Ok("digest") => return profile_digest(&corpus),
        Ok("fixed") => return profile_fixed(&corpus),
        _ => {}
    }

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut report = serde_json::Map::new();
    let mut put = |k: &str, v: Value| {
        println!("{k:<44} {v}");
        report.insert(k.to_string(), v);
    };
    put(
        "date_utc",
        json!(chrono::Utc::now().format("%Y-%m-%d %H:%M").to_string()),
    );
    put("load_average_at_start", json!(load_average()));
    put("cores", json!(cores));
    put(
        "corpus_mb",
        json!((corpus.bytes as f64 / MB * 10.0).round() / 10.0),
    );

    // Segmentation alone, one thread, on the normalised text that `build` segments.
    let lines: Vec<String> = corpus
        .lines
        .iter()
        .map(|l| scoway::text::normalize(l, Default::default()))
        .collect();
    let jieba = jieba_rs::Jieba::new();
    let bare = best_mbps(&lines, corpus.bytes, 3, &|l| jieba.cut(l, false).len());
    put("bare_jieba_cut_mb_per_s", json!(round2(bare)));
    let tag = best_mbps(&lines, corpus.bytes, 3, &|l| jieba.tag(l, false).len());
    put("bare_jieba_tag_mb_per_s", json!(round2(tag)));
    let seg = Segmenter::global();
    let tok = best_mbps(&lines, corpus.bytes, 3, &|l| {
        seg.tokenize(l, scoway::corpus::Lang::Zh).len()
    });
    put("scoway_tokenize_mb_per_s", json!(round2(tok)));

    let work = tempfile::tempdir().expect("temp dir");
    let input = work.path().join("input");
    let docs = write_documents(&corpus, &input);
    put("documents", json!(docs));

    // Each set-up is built `repeat` times, the set-ups taking turns so that a slow spell of
    // this shared machine hits them alike; the run with the median build time is reported.
    let repeat = env_f64("SCOWAY_BENCH_REPEAT").map_or(3, |r| (r as usize).max(1));
    put("build_repeats", json!(repeat));
    let pin = first_allowed_cpu();
    let setups = [
        ("1_core", 1usize, Some(pin)),
        ("1_thread", 1, None),
        ("all_cores", cores, None),
    ];
    let mut runs: Vec<Vec<Value>> = vec![Vec::new(); setups.len()];
    let python = std::env::var_os("SCOWAY_BENCH_PYTHON").map(PathBuf::from);
    let peer_ok = python.as_deref().map(|py| peer_available(py, "rjieba"));
    // (segmenter, setup) → runs of the peer
    let mut peer_runs: std::collections::BTreeMap<(String, &str), Vec<Value>> =
        std::collections::BTreeMap::new();
    let queried = work.path().join("data-queried");
    // Bare jieba once more in every round: this machine's speed drifts, so the single-core
    // build is compared with jieba measured at about the same time.
    let mut bare_rounds = Vec::with_capacity(repeat);
    for round in 0..repeat {
        bare_rounds.push(best_mbps(&lines, corpus.bytes, 1, &|l| {
            jieba.cut(l, false).len()
        }));
        for (i, &(label, threads, pinned)) in setups.iter().enumerate() {
            let data = work.path().join(format!("data-{label}-{round}"));
            let r = run_child(&input, &data, threads, pinned);
            assert_eq!(r["documents"], docs);
            runs[i].push(r);
            if label == "all_cores" && round + 1 == repeat {
                std::fs::rename(&data, &queried).expect("keep the data to query");
            } else {
                let _ = std::fs::remove_dir_all(&data);
            }
        }
        if let (Some(py), Some(Ok(()))) = (&python, &peer_ok) {
            // (name, segmenter, literal-recall fields too)
            let mut variants = vec![
                ("rjieba", "rjieba", false),
                ("rjieba_literal", "rjieba", true),
            ];
            if round + 1 == repeat && peer_available(py, "jieba").is_ok() {
                variants.push(("jieba", "jieba", false));
            }
            for (seg_name, segmenter, literal) in variants {
                for (label, pinned) in [("1_core", Some(pin)), ("all_cores", None)] {
                    let index = work.path().join(format!("peer-{seg_name}-{label}-{round}"));
                    match run_peer(py, &input, &index, segmenter, literal, pinned) {
                        Ok(v) => peer_runs
                            .entry((seg_name.to_string(), label))
                            .or_default()
                            .push(v),
                        Err(e) => eprintln!("peer {seg_name} {label}: {e}"),
                    }
                    let _ = std::fs::remove_dir_all(&index);
                }
            }
        }
    }
    let mut results = serde_json::Map::new();
    for ((label, _, _), mut rs) in setups.iter().zip(runs) {
        let build_s = |r: &Value| r["build_s"].as_f64().unwrap_or(f64::NAN);
        rs.sort_by(|a, b| build_s(a).total_cmp(&build_s(b)));
        put(
            &format!("build_{label}_s_all_runs"),
            json!(rs.iter().map(|r| round2(build_s(r))).collect::<Vec<_>>()),
        );
        let r = rs.swap_remove(rs.len() / 2);
        let f = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
        let (ingest_s, build_s) = (f("ingest_s"), f("build_s"));
        put(&format!("ingest_{label}_s"), json!(round2(ingest_s)));
        put(&format!("build_{label}_s"), json!(round2(build_s)));
        put(
            &format!("build_{label}_cpu_s"),
            json!(round2(f("build_cpu_s"))),
        );
        put(
            &format!("build_{label}_mb_per_s"),
            json!(round2(mbps(corpus.bytes, build_s))),
        );
        put(
            &format!("ingest_plus_build_{label}_mb_per_s"),
            json!(round2(mbps(corpus.bytes, ingest_s + build_s))),
        );
        put(
            &format!("peak_rss_build_{label}_mb"),
            json!(round2(f("build_peak_rss_mb"))),
        );
        put(&format!("build_{label}_phases_s"), r["phases"].clone());
        results.insert(label.to_string(), r);
    }
    let secs = |label: &str, k: &str| results[label][k].as_f64().unwrap_or(f64::NAN);
    drop(lines);
    bare_rounds.sort_by(f64::total_cmp);
    put(
        "bare_jieba_cut_mb_per_s_per_round",
        json!(bare_rounds.iter().map(|&b| round2(b)).collect::<Vec<_>>()),
    );
    let bare_median = bare_rounds[bare_rounds.len() / 2];
    let single = secs("1_core", "build_s");
    put(
        "single_core_build_vs_bare_cut",
        json!(round2(mbps(corpus.bytes, single) / bare_median)),
    );
    // The parts of the single-core build apart, for the floors below. Three runs, each part's
    // median: one run of a few seconds wanders with the machine.
    let parts: Vec<Value> = (0..3)
        .map(|i| {
            let data = work.path().join(format!("data-parts-{i}"));
            let parts = run_child_kind("parts", &input, &data, 1, Some(pin));
            let _ = std::fs::remove_dir_all(&data);
            parts
        })
        .collect();
    let part = |k: &str| {
        let mut v: Vec<f64> = parts
            .iter()
            .map(|p| p[k].as_f64().unwrap_or(f64::NAN))
            .collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    put("parts_1_core_bare_cut_s", json!(round2(part("cut_s"))));
    put("parts_1_core_segment_s", json!(round2(part("segment_s"))));
    put(
        "parts_1_core_index_tokens_s",
        json!(round2(part("index_s"))),
    );
    // The floors of issue 13: segmentation at most 1.5 x bare `cut`, and the single-core build
    // at most 1.5 x bare `cut` plus the indexing of the finished tokens.
    put(
        "floor_segment_over_bare_cut",
        json!(round2(part("segment_s") / part("cut_s"))),
    );
    put(
        "floor_1_core_build_over_cut_plus_index",
        json!(round2(single / (part("cut_s") + part("index_s")))),
    );
    put(
        "all_cores_vs_single_core",
        json!(round2(single / secs("all_cores", "build_s"))),
    );

    // Coding alone on the same documents, one thread, with the tokens precomputed: its share
    // of the single-core build is what coding adds.
    let data = DataDir::new(queried);
    let store = DocStore::open(data.store_dir()).expect("open store");
    let all = store.load_all().expect("load documents");
    let coding = time_coding(&all, seg);
    let code_secs = coding.compile_s + coding.code_s;
    put("coding_compile_codebook_s", json!(round2(coding.compile_s)));
    put("coding_1_thread_s", json!(round2(code_secs)));
    put(
        "coding_added_to_single_core_build_percent",
        json!(round2(100.0 * code_secs / (single - code_secs))),
    );
    drop(all);

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
    put("queries", json!(queries.len()));
    put("queries_with_hits", json!(hits));
    put("query_p50_ms", json!(round2(percentile(&latencies, 0.50))));
    put("query_p99_ms", json!(round2(percentile(&latencies, 0.99))));
    let fixed_work = work.path().join("fixed");
    for (k, v) in fixed_costs(&corpus, data.root(), &input, &fixed_work) {
        put(&k, v);
    }

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
    put("pku_f1_with_domain_dict", json!(round4(with)));
    put("pku_f1_without_domain_dict", json!(round4(without)));
    put(
        "pku_f1_cost_points",
        json!(round2(100.0 * (without - with))),
    );

    match (&python, &peer_ok) {
        (None, _) => put(
            "peer",
            json!("not run (set SCOWAY_BENCH_PYTHON to a Python with rjieba and tantivy)"),
        ),
        (Some(_), Some(Err(e))) => put("peer", json!(format!("not run: {e}"))),
        (Some(_), _) => {
            for ((seg_name, label), mut rs) in peer_runs {
                let wall = |r: &Value| r["wall_s"].as_f64().unwrap_or(f64::NAN);
                rs.sort_by(|a, b| wall(a).total_cmp(&wall(b)));
                let r = rs.swap_remove(rs.len() / 2);
                let f = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
                let ours = &results[label];
                let g = |k: &str| ours[k].as_f64().unwrap_or(f64::NAN);
                let our_wall = g("ingest_s") + g("build_s");
                let our_cpu = g("ingest_cpu_s") + g("build_cpu_s");
                let our_rss = g("ingest_peak_rss_mb").max(g("build_peak_rss_mb"));
                let key = format!("peer_{seg_name}_{label}");
                put(&format!("{key}_wall_s"), json!(round2(f("wall_s"))));
                put(&format!("{key}_cpu_s"), json!(round2(f("cpu_s"))));
                put(
                    &format!("{key}_peak_rss_mb"),
                    json!(round2(f("peak_rss_mb"))),
                );
                put(
                    &format!("scoway_{label}_ingest_plus_build_wall_s"),
                    json!(round2(our_wall)),
                );
                put(
                    &format!("scoway_{label}_ingest_plus_build_cpu_s"),
                    json!(round2(our_cpu)),
                );
                put(
                    &format!("scoway_{label}_peak_rss_mb"),
                    json!(round2(our_rss)),
                );
                let wall_ratio = f("wall_s") / our_wall;
                let cpu_ratio = f("cpu_s") / our_cpu;
                put(
                    &format!("{key}_wall_over_scoway"),
                    json!(round2(wall_ratio)),
                );
                put(&format!("{key}_cpu_over_scoway"), json!(round2(cpu_ratio)));
                put(
                    &format!("{key}_rss_scoway_minus_peer_mb"),
                    json!(round2(our_rss - f("peak_rss_mb"))),
                );
                if seg_name == "rjieba" && label == "all_cores" {
                    let verdict = |ok: bool| if ok { "met" } else { "not met" };
                    put(
                        "verdict_wall_3x_peer_all_cores",
                        json!(verdict(wall_ratio >= 3.0)),
                    );
                    put("verdict_cpu_2x_peer", json!(verdict(cpu_ratio >= 2.0)));
                    put(
                        "verdict_rss_within_peer_plus_100mb",
                        json!(verdict(our_rss <= f("peak_rss_mb") + 100.0)),
                    );
                }
            }
        }
    }
    match std::env::var_os("SCOWAY_BENCH_PYTHON") {
        None => put(
            "python_jieba",
            json!("not run (set SCOWAY_BENCH_PYTHON to a Python with jieba)"),
        ),
        Some(python) => match python_jieba(Path::new(&python), work.path()) {
            Ok((py, version)) => {
                put("python_jieba_version", json!(version));
                put("python_jieba_lcut_no_hmm_mb_per_s", json!(round2(py)));
                for label in ["1_core", "all_cores"] {
                    let ingest_build = mbps(
                        corpus.bytes,
                        secs(label, "ingest_s") + secs(label, "build_s"),
                    );
                    put(
                        &format!("ingest_plus_build_{label}_vs_python_jieba"),
                        json!(round2(ingest_build / py)),
                    );
                }
            }
            Err(e) => put("python_jieba", json!(format!("failed: {e}"))),
        },
    }
    put("load_average_at_end", json!(load_average()));

    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-pipeline.json");
    let json = serde_json::to_string_pretty(&report).expect("serialise report");
    if let Err(e) = std::fs::write(&out, json) {
        eprintln!("cannot write {}: {e}", out.display());
    } else {
        println!("written to {}", out.display());
    }
}

/// Median wall time, in milliseconds, of `runs` runs of the `scoway` binary with `args`
/// (output thrown away): a CLI call as a user makes it, process start included.
fn cli_ms(args: &[&std::ffi::OsStr], runs: usize) -> f64 {
    let mut times: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let t = Instant::now();
            let status = std::process::Command::new(env!("CARGO_BIN_EXE_scoway"))
                .args(args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::inherit())
                .status()
                .expect("run scoway");
            assert!(status.success(), "scoway {args:?} failed");
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// A term that stands in a few lines of the corpus only, so that a KWIC listing of it costs
/// little beyond the call's start.
fn rare_term(corpus: &Corpus) -> String {
    let seg = Segmenter::global();
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    let base = corpus.lines.len().min(2000);
    for l in &corpus.lines[..base] {
        for t in seg.query_tokens(l) {
            if t.term.chars().count() >= 2 && t.term.chars().all(scoway::segment::is_han) {
                *counts.entry(t.term).or_default() += 1;
            }
        }
    }
    let mut once: Vec<String> = counts
        .into_iter()
        .filter(|&(_, n)| n == 1)
        .map(|(t, _)| t)
        .collect();
    once.sort();
    once.into_iter().next().unwrap_or_else(|| "合作".into())
}

/// The fixed costs of issue 13 on the data directory `data` (built from the documents in
/// `input`): each CLI call's wall time (`search`, `kwic`, `code --text`, and `--help` for the
/// bare process start), a `build` after one document changed, and ingest + build of a single
/// document into an empty data directory. Changes one stored document of `data`.
fn fixed_costs(corpus: &Corpus, data: &Path, input: &Path, work: &Path) -> Vec<(String, Value)> {
    let os = |s: &str| std::ffi::OsString::from(s);
    // `scoway --data-dir DIR rest...`
    let in_dir = |dir: &Path, rest: &[&str]| -> Vec<std::ffi::OsString> {
        let mut v = vec![os("--data-dir"), dir.as_os_str().to_owned()];
        v.extend(rest.iter().map(|s| os(s)));
        v
    };
    let dd = |rest: &[&str]| in_dir(data, rest);
    let run = |args: Vec<std::ffi::OsString>, runs: usize| {
        let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        cli_ms(&refs, runs)
    };
    let term = rare_term(corpus);
    let mut out = Vec::new();
    let mut put = |k: &str, v: Value| out.push((k.to_string(), v));
    put("fixed_kwic_term", json!(term));
    put(
        "fixed_cli_help_ms",
        json!(round2(run(vec![os("--help")], 5))),
    );
    put(
        "fixed_cli_search_ms",
        json!(round2(run(dd(&["search", &term]), 5))),
    );
    put(
        "fixed_cli_kwic_ms",
        json!(round2(run(dd(&["kwic", &term]), 5))),
    );
    let text =
        "各成员国重申恪守《上海合作组织宪章》宗旨和原则，共同打击恐怖主义、分裂主义和极端主义。";
    put(
        "fixed_cli_code_text_ms",
        json!(round2(run(dd(&["code", "--text", text]), 5))),
    );

    // One document changed: ingest its new version, then `build` (the figure), three times.
    let first = std::fs::read_dir(input)
        .expect("read the input")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .min()
        .expect("an input file");
    let original = std::fs::read_to_string(&first).expect("read an input file");
    let changed_dir = work.join("one-changed");
    std::fs::create_dir_all(&changed_dir).expect("create a folder");
    let changed = changed_dir.join(first.file_name().expect("a file name"));
    let mut builds = Vec::new();
    for round in 0..3 {
        std::fs::write(&changed, format!("{original}第{round}次修改。\n")).expect("write");
        run(dd(&["ingest", &changed.to_string_lossy()]), 1);
        builds.push(run(dd(&["build"]), 1));
    }
    builds.sort_by(f64::total_cmp);
    put(
        "fixed_build_one_changed_document_ms",
        json!(round2(builds[builds.len() / 2])),
    );

    // A single document into an empty data directory.
    let mut fresh = Vec::new();
    for round in 0..3 {
        let dir = work.join(format!("one-document-{round}"));
        let ingest = run(in_dir(&dir, &["ingest", &first.to_string_lossy()]), 1);
        let build = run(in_dir(&dir, &["build"]), 1);
        fresh.push((build, ingest));
        let _ = std::fs::remove_dir_all(&dir);
    }
    fresh.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (build, ingest) = fresh[fresh.len() / 2];
    put("fixed_build_single_document_ms", json!(round2(build)));
    put("fixed_ingest_single_document_ms", json!(round2(ingest)));
    out
}

/// Fixed costs alone: the corpus ingested and built (all cores), then [`fixed_costs`].
fn profile_fixed(corpus: &Corpus) {
    let work = tempfile::tempdir().expect("temp dir");
    let input = work.path().join("input");
    write_documents(corpus, &input);
    let data = work.path().join("data");
    println!("{:<44} {}", "load_average_at_start", json!(load_average()));
    let t = Instant::now();
    let data_dir = DataDir::new(data.clone());
    ingest_dir(&data_dir, &input);
    pipeline::build(&data_dir, &BuildOptions::default()).expect("build");
    println!(
        "{:<44} {}",
        "ingest_plus_build_all_cores_s",
        round2(t.elapsed().as_secs_f64())
    );
    for (k, v) in fixed_costs(corpus, &data, &input, work.path()) {
        println!("{k:<44} {v}");
    }
    println!("{:<44} {}", "load_average_at_end", json!(load_average()));
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

/// Bytes of the files under `dir`.
fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            _ => e.metadata().map_or(0, |m| m.len()),
        })
        .sum()
}

/// `n` Han strings of 2 to 4 chars cut from the text at fixed strides, most of them across
/// word boundaries: what literal search adds. Strings of stopwords only are left out (the
/// index before literal search refused them as queries).
fn make_literal_queries(corpus: &Corpus, n: usize) -> Vec<String> {
    let seg = Segmenter::global();
    let runs: Vec<Vec<char>> = corpus
        .lines
        .iter()
        .take(400)
        .flat_map(|l| {
            scoway::text::normalize(l, Default::default())
                .split(|c: char| !scoway::segment::is_han(c))
                .filter(|r| r.chars().count() >= 4)
                .map(|r| r.chars().collect())
                .collect::<Vec<Vec<char>>>()
        })
        .collect();
    (0..n * 2)
        .filter_map(|i| {
            let run = runs.get((i * 7) % runs.len().max(1))?;
            let len = 2 + i % 3;
            let start = (i * 3) % (run.len() - len + 1);
            let s: String = run[start..start + len].iter().collect();
            (!seg.query_tokens(&s).is_empty()).then_some(s)
        })
        .take(n)
        .collect()
}

/// p50 and p99 latency in ms of `queries` (with snippets), and how many found something.
fn query_latencies(data: &DataDir, queries: &[String]) -> (f64, f64, usize) {
    let mut latencies = Vec::with_capacity(queries.len());
    let mut hits = 0usize;
    for q in queries {
        let req = SearchRequest::new(q.clone());
        let t = Instant::now();
        let res = index::search(data, &req).expect("query runs");
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        hits += usize::from(!res.hits.is_empty());
    }
    latencies.sort_by(f64::total_cmp);
    (
        round2(percentile(&latencies, 0.50)),
        round2(percentile(&latencies, 0.99)),
        hits,
    )
}

/// The cost of the index alone, for before/after comparisons of its design: ingest, build on
/// all cores (wall time, peak RSS of the build), the index's size on disk, and 1,000 mixed
/// queries and 1,000 literal ones (Han strings across word boundaries), with snippets.
fn profile_index(corpus: &Corpus) {
    let load_start = load_average();
    let (_work, data) = ingested(corpus);
    reset_peak_rss();
    let t = Instant::now();
    pipeline::build(&data, &BuildOptions::default()).expect("build");
    let build_s = t.elapsed().as_secs_f64();
    let rss = peak_rss_mb();
    let index_mb = dir_size(&data.index_dir()) as f64 / MB;
    let store_mb = dir_size(&data.store_dir()) as f64 / MB;
    let (p50, p99, hits) = query_latencies(&data, &make_queries(corpus, 1000));
    let literal = make_literal_queries(corpus, 1000);
    let (lp50, lp99, lhits) = query_latencies(&data, &literal);
    println!(
        "{}",
        json!({
            "corpus_mb": round2(corpus.bytes as f64 / MB),
            "load_average_start": load_start,
            "load_average_end": load_average(),
            "build_all_cores_s": round2(build_s),
            "build_peak_rss_mb": rss.round(),
            "index_mb": round2(index_mb),
            "store_mb": round2(store_mb),
            "mixed_queries_p50_ms": p50,
            "mixed_queries_p99_ms": p99,
            "mixed_queries_with_hits": hits,
            "literal_queries": literal.len(),
            "literal_queries_p50_ms": lp50,
            "literal_queries_p99_ms": lp99,
            "literal_queries_with_hits": lhits,
        })
    );
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round4(x: f64) -> f64 {
    (x * 10000.0).round() / 10000.0
}

/// What a change that claims "same tokens, codes and results" must leave alone, digested
/// (see the module documentation): built on one thread so that the index is deterministic.
fn profile_digest(corpus: &Corpus) {
    use sha2::{Digest, Sha256};
    use std::fmt::Write as _;
    let keep = std::env::var_os("SCOWAY_BENCH_DIGEST_DIR").map(PathBuf::from);
    let report = |name: &str, text: &str, items: usize| {
        let hash = hex::encode(Sha256::digest(text.as_bytes()));
        println!("{name:<8} {items:>9} items  sha256 {hash}");
        if let Some(dir) = &keep {
            std::fs::create_dir_all(dir).expect("create digest dir");
            std::fs::write(dir.join(format!("{name}.txt")), text).expect("write digest text");
        }
    };
    let seg = Segmenter::global();
    let (mut tokens, mut count) = (String::new(), 0usize);
    for line in &corpus.lines {
        let normalized = scoway::text::normalize(line, Default::default());
        for t in seg.tokenize(&normalized, scoway::corpus::Lang::Zh) {
            let _ = writeln!(
                tokens,
                "{}\t{}\t{}\t{}\t{}",
                t.term, t.byte_start, t.byte_end, t.position, t.subword
            );
            count += 1;
        }
        tokens.push('\n');
    }
    report("tokens", &tokens, count);

    let (_work, data) = ingested(corpus);
    pipeline::build(
        &data,
        &BuildOptions {
            codebook: None,
            threads: Some(1),
        },
    )
    .expect("build");
    let mut queries = make_queries(corpus, 1000);
    queries.extend(make_literal_queries(corpus, 1000));
    let (mut hits, mut found) = (String::new(), 0usize);
    for q in &queries {
        let mut req = SearchRequest::new(q.clone());
        req.limit = 20;
        let res = index::search(&data, &req).expect("query runs");
        let _ = writeln!(hits, "{q}\t{}", res.total);
        for h in &res.hits {
            found += 1;
            let _ = write!(hits, "  {} {:.4}", h.id, h.score);
            for s in &h.snippets {
                let _ = write!(hits, " [{} {:?}]", s.paragraph, s.highlights);
            }
            hits.push('\n');
        }
    }
    report("search", &hits, found);

    let (mut kwic, mut lines) = (String::new(), 0usize);
    for term in queries.iter().filter(|q| !q.contains(['"', ' '])).take(60) {
        for words in [false, true] {
            let mut req = scoway::index::KwicRequest::new(term.clone());
            req.words = words;
            let listing = index::kwic(&data, &req).expect("kwic runs");
            let _ = writeln!(kwic, "{term} words={words}\t{}", listing.len());
            for l in &listing {
                lines += 1;
                let _ = writeln!(
                    kwic,
                    "  {} {} {} {}",
                    l.id, l.paragraph, l.char_start, l.hit
                );
            }
        }
    }
    report("kwic", &kwic, lines);

    let mut cache: Vec<String> = walkdir::WalkDir::new(data.codes_dir())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "cache.jsonl")
        .flat_map(|e| {
            // The codes themselves, whatever the layout of the cache that holds them.
            std::fs::read_to_string(e.path())
                .expect("read code cache")
                .lines()
                .map(|line| {
                    let entry = scoway::code::cache::CacheEntry::parse(line.as_bytes())
                        .expect("a cache line of this version");
                    serde_json::to_string(&entry.codes()).expect("codes as JSON")
                })
                .collect::<Vec<_>>()
        })
        .collect();
    cache.sort();
    report("codes", &cache.join("\n"), cache.len());
}
