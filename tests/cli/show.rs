//! `scoway show ID`: a stored document's metadata, provenance and paragraphs.

use crate::common::{run_json, run_ok, scoway};
use std::path::Path;

/// A store holding `fx-show-2019` in Chinese and Russian and `fx-other-2001` in Chinese.
fn store_with_versions() -> (tempfile::TempDir, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (
            "fx-show-2019.zh.md",
            "+++\ndate = 2019-06-14\nbody = \"CHS\"\ntitle = \"（测试样例）展示用夹具\"\n+++\n\
             （测试样例）第一段：ＳＣＯ成员国重申上海精神。\n\n第二段：各方支持多边主义。",
        ),
        (
            "fx-show-2019.ru.md",
            "+++\ndate = 2019-06-14\n+++\n(тестовый пример) Первый абзац.\n\nВторой абзац.",
        ),
        (
            "fx-other-2001.md",
            "+++\ndate = 2001-06-15\n+++\n（测试样例）另一份文件。",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let data = tempfile::tempdir().unwrap();
    run_ok(data.path(), &["ingest", dir.path().to_str().unwrap()]);
    (data, dir)
}

fn show_err(data: &Path, args: &[&str]) -> String {
    let out = scoway(data).arg("show").args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?} must fail");
    assert!(out.stdout.is_empty());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn show_prints_metadata_and_the_paragraphs_as_stored() {
    let (data, _dir) = store_with_versions();
    let out = run_ok(data.path(), &["show", "fx-show-2019", "--lang", "zh"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "fx-show-2019.zh  （测试样例）展示用夹具", "{out}");
    assert!(
        lines[1].starts_with("date 2019-06-14  body CHS  type other  lang zh  script simplified"),
        "{out}"
    );
    assert!(out.contains("versions: zh and ru"), "{out}");
    assert!(out.contains("fetched: no (ingested from a file)"), "{out}");
    assert!(out.contains("fx-show-2019.zh.md"), "the source file: {out}");
    assert!(
        out.contains("\n[1] （测试样例）第一段：ＳＣＯ成员国重申上海精神。\n"),
        "original text, full-width letters kept: {out}"
    );
    assert!(out.contains("\n[2] 第二段：各方支持多边主义。\n"), "{out}");
    assert!(!out.contains("normalised:"), "{out}");

    let out = run_ok(
        data.path(),
        &["show", "fx-show-2019", "--lang", "zh", "--normalized"],
    );
    assert!(
        out.contains("    normalised: （测试样例）第一段：SCO成员国重申上海精神。"),
        "{out}"
    );
    assert!(out.contains("    (normalised: the same)"), "{out}");

    // `<id>.<lang>` names a version too.
    let out = run_ok(data.path(), &["show", "fx-show-2019.ru"]);
    assert!(out.contains("[2] Второй абзац."), "{out}");
}

#[test]
fn show_json_has_meta_and_paragraph_spans() {
    let (data, _dir) = store_with_versions();
    let v = run_json(
        data.path(),
        &[
            "show",
            "fx-show-2019",
            "--lang",
            "zh",
            "--json",
            "--normalized",
        ],
    );
    assert_eq!(v["key"], "fx-show-2019.zh");
    assert_eq!(v["meta"]["date"], "2019-06-14");
    assert_eq!(v["languages"], serde_json::json!(["zh", "ru"]));
    assert!(v["provenance"].is_null());
    let ps = v["paragraphs"].as_array().unwrap();
    assert_eq!(ps.len(), 2);
    assert_eq!(
        ps[0]["original"],
        "（测试样例）第一段：ＳＣＯ成员国重申上海精神。"
    );
    assert_eq!(
        ps[0]["normalized"],
        "（测试样例）第一段：SCO成员国重申上海精神。"
    );
    assert_eq!(ps[1]["char_start"], ps[0]["char_end"].as_u64().unwrap() + 2);
    let plain = run_json(data.path(), &["show", "fx-other-2001", "--json"]);
    assert!(plain["paragraphs"][0].get("normalized").is_none());
}

#[test]
fn show_names_the_nearest_ids_and_the_languages_there_are() {
    let (data, _dir) = store_with_versions();
    let err = show_err(data.path(), &["fx-show-2018"]);
    assert!(
        err.contains("no document `fx-show-2018` in the store")
            && err.contains("the nearest ids: fx-show-2019"),
        "{err}"
    );
    let err = show_err(data.path(), &["fx-show-2019"]);
    assert!(
        err.contains("stored in zh and ru: choose one with --lang zh or --lang ru"),
        "{err}"
    );
    let err = show_err(data.path(), &["fx-show-2019", "--lang", "en"]);
    assert!(
        err.contains("stored in zh and ru but not in en: use --lang zh or --lang ru"),
        "{err}"
    );
    let empty = tempfile::tempdir().unwrap();
    let err = show_err(empty.path(), &["anything"]);
    assert!(err.contains("is empty"), "{err}");
}

#[test]
fn show_names_the_fetch_record_of_a_fetched_version() {
    let (data, _dir) = store_with_versions();
    let fetch = data.path().join("fetch");
    std::fs::create_dir_all(fetch.join("raw")).unwrap();
    std::fs::write(fetch.join("raw/fx-show-2019.zh.0000.html"), "<p>raw</p>").unwrap();
    let record = serde_json::json!({
        "doc_id": "fx-show-2019.zh", "id": "fx-show-2019", "lang": "zh",
        "url": "https://example.org/fixture.html",
        "request_url": "http://127.0.0.1:1/fixture.html",
        "final_url": "http://127.0.0.1:1/fixture.html",
        "status": 200, "outcome": "fetched", "attempts": 2,
        "sha256": "0000", "bytes": 10, "file": "raw/fx-show-2019.zh.0000.html",
        "fetched_at": "2026-12-01T10:00:00Z", "tool": "scoway test"
    });
    std::fs::write(fetch.join("provenance.jsonl"), format!("{record}\n")).unwrap();
    let out = run_ok(data.path(), &["show", "fx-show-2019.zh"]);
    assert!(
        out.contains(
            "fetched: 2026-12-01T10:00:00Z from http://127.0.0.1:1/fixture.html (HTTP 200, 10 \
             bytes, 2 attempts), raw file raw/fx-show-2019.zh.0000.html"
        ),
        "{out}"
    );
    assert!(
        out.contains("note: the stored text was not read from that fetch"),
        "{out}"
    );
    let v = run_json(data.path(), &["show", "fx-show-2019.zh", "--json"]);
    assert_eq!(v["provenance"]["url"], "https://example.org/fixture.html");
    // The Russian version has no fetch record.
    let out = run_ok(data.path(), &["show", "fx-show-2019", "--lang", "ru"]);
    assert!(out.contains("fetched: no"), "{out}");
}
