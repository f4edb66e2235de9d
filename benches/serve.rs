//! `cargo bench --bench serve`: 1,000 requests over the pages of `scoway serve` on the 50 MB
//! benchmark corpus (the SIGHAN 2005 PKU test text of `../shared/bench/icwb2/`, repeated, as
//! `benches/pipeline.rs` makes it; `SCOWAY_BENCH_MB` changes the size).
//!
//! The corpus is ingested and built once with the `scoway` binary into
//! `target/bench-serve/<MB>mb/` (kept for the next run); the server runs in this process over
//! it, and every request is timed by the server itself (its `Server-Timing` header: the time
//! to make the page, without the network). Printed, and written to `target/bench-serve.json`.
//! Measured, never asserted.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

const MB: f64 = 1024.0 * 1024.0;
const REQUESTS: usize = 1000;

fn shared() -> PathBuf {
    std::env::var_os("SCOWAY_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// The PKU lines repeated to `target_mb`, as documents of 200 lines with front matter.
fn write_corpus(dir: &Path, target_mb: f64) -> (usize, usize) {
    let path = shared().join("bench/icwb2/pku_test.utf8");
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("this benchmark needs {}: {e}", path.display()));
    let base: Vec<&str> = raw
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty())
        .collect();
    let mut lines = Vec::new();
    let mut bytes = 0usize;
    while (bytes as f64) < target_mb * MB {
        for l in &base {
            bytes += l.len() + 1;
            lines.push(*l);
        }
    }
    std::fs::create_dir_all(dir).expect("corpus folder");
    let mut docs = 0;
    for (i, chunk) in lines.chunks(200).enumerate() {
        let year = 2001 + (i % 25);
        let body = if i % 3 == 0 { "CHG" } else { "CHS" };
        let text = format!(
            "+++\nid = \"bench-{i:05}\"\ndate = \"{year}-06-15\"\nbody = \"{body}\"\n\
             doc_type = \"declaration\"\nlang = \"zh\"\ntitle = \"PKU benchmark chunk {i}\"\n+++\n{}\n",
            chunk.join("\n")
        );
        std::fs::write(dir.join(format!("bench-{i:05}.txt")), text).expect("write document");
        docs += 1;
    }
    (docs, bytes)
}

fn scoway(data: &Path, args: &[&str]) {
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_scoway"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("scoway runs");
    assert!(status.success(), "scoway {args:?} failed");
    eprintln!(
        "scoway {} took {:.1} s",
        args[0],
        started.elapsed().as_secs_f64()
    );
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The replayed requests: (kind, path and query), in a fixed interleaved order.
fn requests(n: usize) -> Vec<(&'static str, String)> {
    // Words of the PKU text (news of the late 1990s) and the codebook.
    let words = [
        "合作", "经济", "发展", "安全", "国家", "主权", "中国", "世界", "和平", "改革", "上海",
        "地区", "国际", "人民", "政府", "组织", "互利", "平等", "稳定", "贸易",
    ];
    let dims = [
        "security_spillover",
        "recognition",
        "balanced_power",
        "differential_institutions",
        "networked_circles",
    ];
    let enc = |s: &str| -> String { url::form_urlencoded::byte_serialize(s.as_bytes()).collect() };
    let mut out = Vec::with_capacity(n);
    let mut i = 0usize;
    while out.len() < n {
        let w = words[i % words.len()];
        let w2 = words[(i * 7 + 3) % words.len()];
        let year = 2001 + (i * 11) % 25;
        let doc = (i * 37) % 1000;
        let dim = dims[i % dims.len()];
        let json = if i.is_multiple_of(5) {
            "&format=json"
        } else {
            ""
        };
        let r = match i % 10 {
            0 | 1 => ("search", format!("/search?q={}{json}", enc(w))),
            2 => (
                "search",
                format!(
                    "/search?q={}&from=2005&to=2015&body=CHS&page=2{json}",
                    enc(&format!("{w} AND {w2}"))
                ),
            ),
            3 => ("doc", format!("/doc/bench-{doc:05}?lang=zh{json}")),
            4 => ("doc", format!("/doc/bench-{:05}{json}", (doc + 500) % 1000)),
            5 => (
                "kwic",
                format!(
                    "/kwic?term={}&sort={}{json}",
                    enc(w),
                    if i.is_multiple_of(2) { "date" } else { "doc" }
                ),
            ),
            6 => (
                "trends",
                format!(
                    "/trends?body={}&lang=all{json}",
                    ["all", "CHS", "CHG"][i % 3]
                ),
            ),
            7 => (
                "trends_year",
                format!("/trends/{dim}/{year}?body=all{json}"),
            ),
            8 => (
                "terms",
                format!(
                    "/terms{}",
                    if json.is_empty() { "" } else { "?format=json" }
                ),
            ),
            _ => (
                "codebook",
                format!(
                    "/codebook{}",
                    if json.is_empty() { "" } else { "?format=json" }
                ),
            ),
        };
        out.push(r);
        i += 1;
    }
    out
}

fn main() {
    let target_mb: f64 = std::env::var("SCOWAY_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50.0);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-serve")
        .join(format!("{target_mb}mb"));
    let data = root.join("data");
    let marker = root.join("built");
    if !marker.exists() {
        let _ = std::fs::remove_dir_all(&root);
        let (docs, bytes) = write_corpus(&root.join("input"), target_mb);
        eprintln!("{docs} documents, {:.1} MB", bytes as f64 / MB);
        scoway(
            &data,
            &["ingest", root.join("input").to_str().expect("utf-8 path")],
        );
        scoway(&data, &["build"]);
        std::fs::write(&marker, format!("{docs} {bytes}\n")).expect("marker");
    }
    let corpus = std::fs::read_to_string(&marker).unwrap_or_default();

    let started = Instant::now();
    let lib = scoway::serve::Library::open(&scoway::layout::DataDir::new(&data), None, None)
        .expect("the benchmark data directory opens");
    let opened = started.elapsed().as_secs_f64();
    lib.warm_up().expect("trend and term tables");
    let warmed = started.elapsed().as_secs_f64() - opened;
    eprintln!("opened in {opened:.2} s, tables computed in {warmed:.2} s");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let lib = Arc::new(lib);
    runtime.spawn(scoway::serve::serve(listener, lib));

    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let reqs = requests(REQUESTS);
    // One round of every kind first, so that caches of the operating system are warm.
    for (_, path) in reqs.iter().take(10) {
        let _ = client.get(format!("http://{addr}{path}")).send();
    }
    let mut by_kind: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut all = Vec::with_capacity(reqs.len());
    let mut client_ms = Vec::with_capacity(reqs.len());
    let mut failures = 0;
    let wall = Instant::now();
    for (kind, path) in &reqs {
        let t = Instant::now();
        let r = client
            .get(format!("http://{addr}{path}"))
            .send()
            .expect("request");
        let server_ms = r
            .headers()
            .get("server-timing")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split("dur=").nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN);
        if !r.status().is_success() {
            failures += 1;
            eprintln!("{} {path}", r.status());
        }
        let _ = r.bytes();
        client_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        by_kind.entry(kind).or_default().push(server_ms);
        all.push(server_ms);
    }
    let wall = wall.elapsed().as_secs_f64();

    let stats = |v: &mut Vec<f64>| -> Value {
        v.sort_by(f64::total_cmp);
        json!({
            "n": v.len(),
            "p50_ms": round2(percentile(v, 0.50)),
            "p95_ms": round2(percentile(v, 0.95)),
            "p99_ms": round2(percentile(v, 0.99)),
            "max_ms": round2(v.last().copied().unwrap_or(f64::NAN)),
        })
    };
    let mut kinds = serde_json::Map::new();
    println!(
        "{:<12} {:>5} {:>8} {:>8} {:>8} {:>8}",
        "page", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    for (kind, v) in by_kind.iter_mut() {
        let s = stats(v);
        println!(
            "{:<12} {:>5} {:>8} {:>8} {:>8} {:>8}",
            kind, s["n"], s["p50_ms"], s["p95_ms"], s["p99_ms"], s["max_ms"]
        );
        kinds.insert(kind.to_string(), s);
    }
    let overall = stats(&mut all);
    let client = stats(&mut client_ms);
    println!("all (server) {overall}");
    println!("all (client, with HTTP on loopback) {client}");
    println!("{REQUESTS} requests in {wall:.1} s, {failures} failed");
    let report = json!({
        "corpus": corpus.trim(),
        "corpus_mb": target_mb,
        "open_s": round2(opened),
        "tables_s": round2(warmed),
        "requests": REQUESTS,
        "failures": failures,
        "wall_s": round2(wall),
        "server": overall,
        "client": client,
        "pages": kinds,
        "load_average": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
    });
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-serve.json");
    match std::fs::write(
        &out,
        serde_json::to_string_pretty(&report).unwrap_or_default(),
    ) {
        Ok(()) => println!("written to {}", out.display()),
        Err(e) => eprintln!("cannot write {}: {e}", out.display()),
    }
}
