//! `scoway ingest`: formats, encodings, metadata sources, rejections, idempotence.

use crate::common::{fixture, run_json, scoway};
use serde_json::Value;
use std::path::Path;

fn stored(data: &Path, id: &str) -> Value {
    let path = data.join("store").join(format!("{id}.json"));
    let bytes =
        std::fs::read(&path).unwrap_or_else(|e| panic!("{} is not stored: {e}", path.display()));
    serde_json::from_slice(&bytes).expect("stored document is JSON")
}

fn stored_ids(data: &Path) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(data.join("store"))
        .expect("store exists")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_string_lossy()
                .strip_suffix(".json")
                .map(str::to_string)
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn folder_ingest_stores_good_files_and_rejects_bad_ones_by_name() {
    let data = tempfile::tempdir().unwrap();
    let out = scoway(data.path())
        .arg("ingest")
        .arg(fixture("ingest"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "rejections give exit code 1:\n{stderr}"
    );
    for (file, reason) in [
        ("no-date.txt", "no date"),
        ("empty.txt", "empty"),
        ("binary.txt", "binary"),
        ("chg-gbk.html", "no date"),
    ] {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(file) && l.contains(reason)),
            "stderr names {file} ({reason}):\n{stderr}"
        );
    }
    assert_eq!(
        stored_ids(data.path()),
        vec![
            "fx-ingest-en-2012",
            "fx-ingest-json-2018",
            "fx-ingest-ru-2009",
            "fx-ingest-utf16-2006",
            "fx-ingest-zh-2003",
        ]
    );

    let zh = stored(data.path(), "fx-ingest-zh-2003");
    assert_eq!(zh["meta"]["date"], "2003-05-29");
    assert_eq!(zh["meta"]["body"], "CHS");
    assert_eq!(zh["meta"]["meeting_no"], 3);
    assert_eq!(zh["paragraphs"].as_array().unwrap().len(), 4);

    // Sidecar table supplies metadata, language from the table.
    let ru = stored(data.path(), "fx-ingest-ru-2009");
    assert_eq!(ru["meta"]["lang"], "ru");
    assert_eq!(ru["meta"]["doc_type"], "communique");
    assert_eq!(
        ru["meta"]["title"],
        "(тестовый пример) Совместное коммюнике"
    );
    let en = stored(data.path(), "fx-ingest-en-2012");
    // Hard-wrapped lines are one paragraph.
    assert_eq!(en["paragraphs"].as_array().unwrap().len(), 3);

    let utf16 = stored(data.path(), "fx-ingest-utf16-2006");
    assert!(
        utf16["original"]
            .as_str()
            .unwrap()
            .contains("上海精神是本组织发展的根本")
    );
    assert_eq!(
        utf16["meta"]["lang"], "zh",
        "language detected from the text"
    );

    let json = stored(data.path(), "fx-ingest-json-2018");
    assert_eq!(json["paragraphs"].as_array().unwrap().len(), 3);
}

#[test]
fn gbk_html_is_decoded_and_stripped_of_navigation_and_scripts() {
    let data = tempfile::tempdir().unwrap();
    let report = run_json(
        data.path(),
        &[
            "ingest",
            fixture("ingest/chg-gbk.html").to_str().unwrap(),
            "--date",
            "2004-09-23",
            "--body",
            "CHG",
            "--type",
            "communique",
            "--json",
        ],
    );
    assert_eq!(report["added"], 1);
    let doc = stored(data.path(), "chg-gbk");
    let text = doc["original"].as_str().unwrap();
    assert!(
        text.contains("各方支持在上海合作组织框架内推进交通、能源和电信领域的项目合作。"),
        "{text}"
    );
    for noise in ["不应出现在正文里", "首页", "责任编辑", "color:red"] {
        assert!(
            !text.contains(noise),
            "`{noise}` leaked into the text:\n{text}"
        );
    }
    assert_eq!(doc["meta"]["title"], "（测试样例）政府首脑会晤联合公报");
    assert_eq!(doc["meta"]["body"], "CHG");
    assert!(doc["paragraphs"].as_array().unwrap().len() >= 4, "{doc}");
}

#[test]
fn same_bytes_are_a_no_op_and_a_changed_file_replaces_its_old_version() {
    let data = tempfile::tempdir().unwrap();
    let file = fixture("ingest/zh-frontmatter.md");
    let first = run_json(data.path(), &["ingest", file.to_str().unwrap(), "--json"]);
    assert_eq!(first["added"], 1);
    let again = run_json(data.path(), &["ingest", file.to_str().unwrap(), "--json"]);
    assert_eq!(
        (again["added"].clone(), again["unchanged"].clone()),
        (0.into(), 1.into())
    );
    // A copy of the same file (same id) is unchanged too.
    let copy = fixture("ingest-dup");
    let dup = run_json(data.path(), &["ingest", copy.to_str().unwrap(), "--json"]);
    assert_eq!(dup["unchanged"], 1);

    // The same bytes under another file name (so another default id) are recognised by hash.
    let plain = tempfile::tempdir().unwrap();
    let (a, b) = (plain.path().join("a.txt"), plain.path().join("b.txt"));
    std::fs::write(&a, "（测试样例）各方重申上海精神。").unwrap();
    std::fs::copy(&a, &b).unwrap();
    run_json(
        data.path(),
        &[
            "ingest",
            a.to_str().unwrap(),
            "--date",
            "2005-07-05",
            "--json",
        ],
    );
    let same = run_json(
        data.path(),
        &[
            "ingest",
            b.to_str().unwrap(),
            "--date",
            "2005-07-05",
            "--json",
        ],
    );
    assert_eq!(same["unchanged"], 1);
    assert_eq!(same["files"][0]["status"], "unchanged (same bytes as a)");
    std::fs::remove_file(data.path().join("store/a.json")).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let changed = dir.path().join("zh.md");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("深化合作", "全面深化合作");
    std::fs::write(&changed, text).unwrap();
    let replaced = run_json(
        data.path(),
        &["ingest", changed.to_str().unwrap(), "--json"],
    );
    assert_eq!(replaced["replaced"], 1);
    assert!(
        stored(data.path(), "fx-ingest-zh-2003")["original"]
            .as_str()
            .unwrap()
            .contains("全面深化合作")
    );
    assert_eq!(stored_ids(data.path()), vec!["fx-ingest-zh-2003"]);
}

#[test]
fn a_rejected_file_loses_nothing_already_stored() {
    let data = tempfile::tempdir().unwrap();
    let good = fixture("ingest/zh-frontmatter.md");
    run_json(data.path(), &["ingest", good.to_str().unwrap(), "--json"]);
    let before = std::fs::read(data.path().join("store/fx-ingest-zh-2003.json")).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("fx-ingest-zh-2003.md");
    std::fs::write(
        &bad,
        "+++\nid = \"fx-ingest-zh-2003\"\ndate = \"2003-02-30\"\n+++\n正文。",
    )
    .unwrap();
    let out = scoway(data.path())
        .arg("ingest")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 3, field `date`: `2003-02-30` is not a date"),
        "error names line and field:\n{stderr}"
    );
    let after = std::fs::read(data.path().join("store/fx-ingest-zh-2003.json")).unwrap();
    assert_eq!(before, after);
}

#[test]
fn options_override_metadata_for_a_single_file_only() {
    let data = tempfile::tempdir().unwrap();
    let file = fixture("ingest/no-date.txt");
    let report = run_json(
        data.path(),
        &[
            "ingest",
            file.to_str().unwrap(),
            "--id",
            "my-doc",
            "--date",
            "2010-06-11",
            "--title",
            "My title",
            "--lang",
            "zh",
            "--json",
        ],
    );
    assert_eq!(report["added"], 1);
    let doc = stored(data.path(), "my-doc");
    assert_eq!(doc["meta"]["date"], "2010-06-11");
    assert_eq!(doc["meta"]["title"], "My title");

    let out = scoway(data.path())
        .args(["ingest", "--id", "x"])
        .arg(fixture("ingest"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("single document"));
}

#[test]
fn traditional_chinese_can_be_converted_on_ingest() {
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trad.txt");
    std::fs::write(&file, "（測試樣例）上海合作組織成員國元首重申上海精神。").unwrap();
    run_json(
        data.path(),
        &[
            "ingest",
            file.to_str().unwrap(),
            "--date",
            "2007-08-16",
            "--to-simplified",
            "--json",
        ],
    );
    let doc = stored(data.path(), "trad");
    assert!(
        doc["text"].as_str().unwrap().contains("上海合作组织成员国"),
        "{doc}"
    );
    assert!(
        doc["original"]
            .as_str()
            .unwrap()
            .contains("上海合作組織成員國")
    );
}
