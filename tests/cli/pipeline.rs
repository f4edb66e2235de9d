//! The whole pipeline as a user runs it: ingest → build (incremental, atomic) → search;
//! `run` and `demo`.

use crate::common::{fixture, run_json, run_ok, scoway, scoway_process, shared};
use std::path::Path;
use std::time::Duration;

fn ingest_fixture_corpus(data: &Path) {
    let report = run_json(
        data,
        &["ingest", fixture("corpus").to_str().unwrap(), "--json"],
    );
    assert_eq!(report["rejected"], 0, "{report}");
}

#[test]
fn real_text_from_the_paper_is_ingested_built_and_found() {
    let data = tempfile::tempdir().unwrap();
    let paper = shared("spec/sco-way-paper.zh.txt");
    let report = run_json(
        data.path(),
        &[
            "ingest",
            paper.to_str().unwrap(),
            "--date",
            "2024-04-01",
            "--json",
        ],
    );
    assert_eq!(report["added"], 1, "{report}");
    run_ok(data.path(), &["build"]);
    let found = run_json(data.path(), &["search", "差序格局", "--json"]);
    let hits = found["hits"].as_array().expect("hits array");
    assert_eq!(hits.len(), 1, "{found}");
    assert_eq!(hits[0]["id"], "sco-way-paper");
    assert_eq!(hits[0]["lang"], "zh");
    assert_eq!(hits[0]["date"], "2024-04-01");
    let snippet = &hits[0]["snippets"][0];
    assert!(
        snippet["text"].as_str().unwrap().contains("差序格局"),
        "{snippet}"
    );
}

#[test]
fn build_is_incremental() {
    let data = tempfile::tempdir().unwrap();
    ingest_fixture_corpus(data.path());
    let first = run_json(data.path(), &["build", "--json"]);
    assert_eq!(first["documents"], 26);
    assert_eq!(first["indexed"], 26);
    assert_eq!(first["coded"], 26);

    let again = run_json(data.path(), &["build", "--json"]);
    assert_eq!(
        (again["indexed"].clone(), again["coded"].clone()),
        (0.into(), 0.into())
    );

    // One changed document is re-indexed and recoded; nothing else is.
    let dir = tempfile::tempdir().unwrap();
    let src = fixture("corpus/fx-chs-2001-declaration.txt");
    let changed = dir.path().join("fx-chs-2001-declaration.txt");
    let text = std::fs::read_to_string(src).unwrap()
        + "\n十二、（测试样例）新增一段：各方重申上海精神。\n";
    std::fs::write(&changed, text).unwrap();
    let ingested = run_json(
        data.path(),
        &["ingest", changed.to_str().unwrap(), "--json"],
    );
    assert_eq!(ingested["replaced"], 1);
    let third = run_json(data.path(), &["build", "--json"]);
    assert_eq!(
        (third["indexed"].clone(), third["coded"].clone()),
        (1.into(), 1.into())
    );
    let found = run_json(data.path(), &["search", "新增一段", "--json"]);
    assert_eq!(found["hits"][0]["id"], "fx-chs-2001-declaration");
}

#[test]
fn a_killed_build_leaves_the_previous_index_usable() {
    let data = tempfile::tempdir().unwrap();
    let one = fixture("corpus/fx-chs-2001-declaration.txt");
    run_json(data.path(), &["ingest", one.to_str().unwrap(), "--json"]);
    run_ok(data.path(), &["build"]);
    let before = run_json(data.path(), &["search", "三股势力", "--json"]);
    assert_eq!(before["hits"][0]["id"], "fx-chs-2001-declaration");

    // Add the paper (large) so that the build has real work, then kill it at several moments.
    let paper = shared("spec/sco-way-paper.zh.txt");
    run_json(
        data.path(),
        &[
            "ingest",
            paper.to_str().unwrap(),
            "--date",
            "2024-04-01",
            "--json",
        ],
    );
    for delay_ms in [0, 20, 80] {
        let mut child = scoway_process(data.path())
            .arg("build")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn scoway build");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Whatever moment the build died at, the index answers, and still holds the
        // document of the previous build.
        let after = run_json(data.path(), &["search", "三股势力", "--json"]);
        let ids: Vec<&str> = after["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|h| h["id"].as_str())
            .collect();
        assert!(ids.contains(&"fx-chs-2001-declaration"), "{after}");
    }
    // And a full build afterwards completes and sees the new document.
    run_ok(data.path(), &["build"]);
    let found = run_json(data.path(), &["search", "差序格局", "--json"]);
    assert_eq!(found["hits"][0]["id"], "sco-way-paper");
}

#[test]
fn demo_runs_the_whole_pipeline_offline() {
    let out = tempfile::tempdir().unwrap();
    let output = scoway(&out.path().join("data"))
        .args(["demo", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "demo failed:\n{stderr}");
    assert!(
        stderr.contains("NOT documents of the Shanghai Cooperation Organisation"),
        "{stderr}"
    );
    for file in [
        "DATA_DICTIONARY.md",
        "manifest.json",
        "trends.md",
        "trends.parquet",
        "trends.csv",
        "documents.parquet",
        "paragraph_codes.parquet",
        "document_scores.parquet",
        "term_emergence.parquet",
        "breaks.parquet",
    ] {
        assert!(
            out.path().join(file).is_file(),
            "demo wrote no {file}: {stderr}"
        );
    }
    let charts = std::fs::read_dir(out.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .flat_map(|e| walk(&e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "png" || x == "svg"))
        .count();
    assert!(charts >= 2, "demo wrote {charts} charts");
    assert_says_fixtures_everywhere(out.path(), &stderr);
}

fn walk(path: &Path) -> Vec<std::path::PathBuf> {
    if path.is_dir() {
        std::fs::read_dir(path)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .flat_map(|e| walk(&e.path()))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        vec![path.to_path_buf()]
    }
}

#[test]
fn run_from_a_folder_builds_and_exports() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let stdout = run_ok(
        data.path(),
        &[
            "run",
            "--from-dir",
            fixture("corpus").to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    // The trend table is printed (dimensions as columns) and written beside the exports.
    assert!(
        stdout.contains("security_spillover") || stdout.contains("安全"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(out.path().join("trends.md")).unwrap(),
        stdout
    );
    assert!(out.path().join("trends.csv").is_file());
}

/// `scoway run` as on a machine without internet: port 9 (discard) on loopback refuses
/// connections, the same failure as no network.
fn run_offline(data: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    scoway(data)
        .args([
            "run",
            "--base-url",
            "http://127.0.0.1:9/",
            "--only",
            "chs-2001-declaration",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

fn manifest(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).expect("manifest.json is JSON")
}

/// The fixture warning in every output of a run on the bundled fixtures.
fn assert_says_fixtures_everywhere(out: &Path, stderr: &str) {
    assert!(
        stderr.contains("NOT documents of the Shanghai Cooperation Organisation"),
        "{stderr}"
    );
    let table = std::fs::read_to_string(out.join("trends.md")).unwrap();
    assert!(
        table.starts_with(
            "> **WARNING — FIXTURE CORPUS: all 26 documents are bundled fixtures, not SCO documents"
        ),
        "{table}"
    );
    let m = manifest(out);
    assert_eq!(
        m["corpus"]["description"],
        "bundled fixtures, not SCO documents"
    );
    assert_eq!(m["corpus"]["fixture_documents"], 26);
    for chart in ["charts/heatmap.svg", "charts/trend_recognition.svg"] {
        let svg = std::fs::read_to_string(out.join(chart)).unwrap();
        assert!(
            svg.contains("FIXTURE CORPUS: bundled test texts written by the scoway developers, not SCO documents"),
            "{chart} has no fixture subtitle"
        );
    }
}

#[test]
fn run_offline_with_nothing_stored_runs_on_the_fixtures_apart_and_says_so() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = run_offline(data.path(), out.path(), &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("cannot reach 127.0.0.1: no network?"),
        "{stderr}"
    );
    assert!(stderr.contains("BUNDLED FIXTURE CORPUS"), "{stderr}");
    assert_says_fixtures_everywhere(out.path(), &stderr);
    for file in [
        "trends.parquet",
        "documents.csv",
        "DATA_DICTIONARY.md",
        "evidence.parquet",
    ] {
        assert!(out.path().join(file).is_file(), "no {file}");
    }
    // The table printed is the one written.
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        std::fs::read_to_string(out.path().join("trends.md")).unwrap()
    );
    // The fixtures live in <out>/fixture-data; the user's data directory holds none.
    assert!(out.path().join("fixture-data/store").is_dir());
    assert!(stderr.contains("fixture-data"), "{stderr}");
    let store = data.path().join("store");
    assert!(
        !store.exists()
            || scoway::corpus::DocStore::open(&store)
                .unwrap()
                .keys()
                .unwrap()
                .is_empty(),
        "fixtures went into the user's store"
    );

    // A later run on real documents replaces the outputs, and the fixture data goes too.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("corpus/fx-chs-2001-declaration.txt")).unwrap()
        + "\n十二、本段为用户自己的文本（不是测试样例文件原文）。\n";
    std::fs::write(dir.path().join("fx-chs-2001-declaration.txt"), text).unwrap();
    let output = scoway(data.path())
        .arg("run")
        .arg("--from-dir")
        .arg(dir.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!out.path().join("fixture-data").exists());
    assert_eq!(manifest(out.path())["corpus"]["fixture_documents"], 0);
    assert!(
        !std::fs::read_to_string(out.path().join("trends.md"))
            .unwrap()
            .contains("FIXTURE")
    );
}

#[test]
fn run_offline_with_no_fallback_is_an_error() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = run_offline(data.path(), out.path(), &["--no-fallback"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the official sources cannot be reached (--no-fallback")
            && stderr.contains("scoway ingest DIR"),
        "{stderr}"
    );
    assert!(!out.path().join("manifest.json").exists());
    assert!(!out.path().join("fixture-data").exists());
}

#[test]
fn run_offline_carries_on_with_the_documents_already_stored() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    // A document of the user's own (not byte-equal to any fixture).
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("corpus/fx-chs-2001-declaration.txt")).unwrap()
        + "\n十二、本段为用户自己的文本。\n";
    let file = dir.path().join("fx-chs-2001-declaration.txt");
    std::fs::write(&file, text).unwrap();
    run_json(data.path(), &["ingest", file.to_str().unwrap(), "--json"]);

    let output = run_offline(data.path(), out.path(), &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("OFFLINE: carrying on with the 1 document(s) already in"),
        "{stderr}"
    );
    assert!(!stderr.contains("FIXTURE"), "{stderr}");
    assert!(!out.path().join("fixture-data").exists());
    let m = manifest(out.path());
    assert_eq!(m["corpus"]["documents"], 1);
    assert_eq!(
        m["corpus"]["description"],
        "documents of the data directory's store"
    );
}

/// Checks that `out` holds one complete export: every file its manifest lists exists, and no
/// Parquet file is empty.
fn assert_complete_export(out: &std::path::Path) -> String {
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("manifest.json")).expect("manifest.json is there"),
    )
    .expect("manifest.json is complete JSON");
    for file in manifest["files"].as_array().unwrap() {
        let path = out.join(file.as_str().unwrap());
        let len = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{} is listed but missing: {e}", path.display()))
            .len();
        assert!(len > 0, "{} is empty", path.display());
        if path.extension().is_some_and(|e| e == "parquet") {
            use polars::prelude::*;
            LazyFrame::scan_parquet(
                PlRefPath::try_from_path(&path).unwrap(),
                ScanArgsParquet::default(),
            )
            .and_then(LazyFrame::collect)
            .unwrap_or_else(|e| panic!("{} is not a whole Parquet file: {e}", path.display()));
        }
    }
    manifest["codes_manifest"]["generation"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The names beside `dir` that scoway's staging left (there must be none).
fn leftovers(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("scoway-staging") || n.contains("scoway-aside"))
        .collect()
}

#[test]
fn a_killed_export_or_build_leaves_one_complete_set_and_no_leftovers() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    run_ok(d, &["ingest", fixture("corpus").to_str().unwrap()]);
    run_ok(d, &["build"]);
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("out");
    run_ok(d, &["export", "--out", out.to_str().unwrap()]);
    std::fs::write(out.join("my-notes.txt"), "mine").unwrap();
    assert_complete_export(&out);
    for delay_ms in [5, 30, 60, 120, 250, 400] {
        let mut child = scoway_process(d)
            .args(["export", "--out", out.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn scoway export");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        assert_complete_export(&out);
        assert_eq!(
            std::fs::read_to_string(out.join("my-notes.txt")).unwrap(),
            "mine"
        );
    }
    run_ok(d, &["export", "--out", out.to_str().unwrap()]);
    assert_complete_export(&out);
    assert_eq!(leftovers(&out), Vec::<String>::new());
    assert_eq!(
        std::fs::read_to_string(out.join("my-notes.txt")).unwrap(),
        "mine"
    );

    // The codes directory: a killed build leaves the previous codes, whole.
    let codes = d.join("codes");
    let generation = |codes: &std::path::Path| -> String {
        let m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(codes.join("manifest.json")).unwrap())
                .unwrap();
        m["generation"].as_str().unwrap().to_string()
    };
    let before = generation(&codes);
    // A new document makes the next build write new codes.
    run_ok(
        d,
        &[
            "ingest",
            shared("spec/sco-way-paper.zh.txt").to_str().unwrap(),
            "--date",
            "2024-04-01",
        ],
    );
    let mut generations = vec![before];
    for delay_ms in [10, 50, 150, 300, 600] {
        let mut child = scoway_process(d)
            .arg("build")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn scoway build");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        for file in [
            "documents.parquet",
            "paragraph_codes.parquet",
            "evidence.parquet",
            "cache.jsonl",
        ] {
            let len = std::fs::metadata(codes.join(file)).map_or(0, |m| m.len());
            assert!(
                len > 0,
                "codes/{file} missing or empty after a kill at {delay_ms} ms"
            );
        }
        generations.push(generation(&codes));
        run_json(d, &["trends", "--format", "json"]);
    }
    run_ok(d, &["build"]);
    assert_eq!(leftovers(&codes), Vec::<String>::new());
    let trends = run_json(d, &["trends", "--format", "json"]);
    assert!(
        trends.to_string().contains("2024"),
        "the new document is coded"
    );
}
