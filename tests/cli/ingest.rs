//! `scoway ingest`: formats, encodings, metadata sources, rejections, idempotence.

use crate::common::{fixture, run_json, scoway, stored_doc, stored_file, stored_keys};
use serde_json::Value;
use std::path::Path;

fn stored(data: &Path, id: &str) -> Value {
    stored_doc(data, id)
}

/// The ids of the stored versions (with their language: `<id>.<lang>`).
fn stored_ids(data: &Path) -> Vec<String> {
    stored_keys(data)
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
            "fx-ingest-en-2012.en",
            "fx-ingest-json-2018.zh",
            "fx-ingest-ru-2009.ru",
            "fx-ingest-utf16-2006.zh",
            "fx-ingest-zh-2003.zh",
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
    assert_eq!(same["files"][0]["status"], "unchanged (same bytes as a.zh)");
    std::fs::remove_file(stored_file(data.path(), "a")).unwrap();

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
    assert_eq!(stored_ids(data.path()), vec!["fx-ingest-zh-2003.zh"]);
}

#[test]
fn a_rejected_file_loses_nothing_already_stored() {
    let data = tempfile::tempdir().unwrap();
    let good = fixture("ingest/zh-frontmatter.md");
    run_json(data.path(), &["ingest", good.to_str().unwrap(), "--json"]);
    let before = std::fs::read(stored_file(data.path(), "fx-ingest-zh-2003")).unwrap();

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
    let after = std::fs::read(stored_file(data.path(), "fx-ingest-zh-2003")).unwrap();
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
fn traditional_chinese_is_detected_and_converted_on_ingest() {
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
            "--json",
        ],
    );
    let doc = stored(data.path(), "trad");
    assert_eq!(doc["meta"]["script"], "traditional", "{doc}");
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

/// Writes `files` (name, contents) into a fresh folder.
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn a_catalogue_file_name_with_a_language_suffix_is_that_rows_version_in_that_language() {
    let data = tempfile::tempdir().unwrap();
    let dir = folder(&[
        (
            "chg-2020-communique.zh.txt",
            "（测试样例）各代表团团长重申支持上海合作组织框架内的经贸合作。",
        ),
        (
            "chg-2020-communique.ru.txt",
            "(тестовый пример) Главы делегаций подтвердили поддержку торгово-экономического сотрудничества.",
        ),
    ]);
    let v = run_json(
        data.path(),
        &["ingest", dir.path().to_str().unwrap(), "--json"],
    );
    assert_eq!(v["added"], 2, "{v:#}");
    assert_eq!(
        stored_ids(data.path()),
        vec!["chg-2020-communique.ru", "chg-2020-communique.zh"]
    );
    let zh = stored(data.path(), "chg-2020-communique.zh");
    assert_eq!(zh["meta"]["id"], "chg-2020-communique");
    assert_eq!(zh["meta"]["date"], "2020-11-30", "the catalogue row's date");
    assert_eq!(zh["meta"]["body"], "CHG");
    let catalog = run_json(data.path(), &["catalog", "--year", "2020", "--json"]);
    let row = catalog["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "chg-2020-communique")
        .unwrap()
        .clone();
    assert_eq!(row["status"]["zh"], "ingested", "{row:#}");
    assert_eq!(row["status"]["ru"], "ingested", "{row:#}");
}

#[test]
fn two_files_with_one_id_and_language_in_a_batch_the_second_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let dir = folder(&[
        (
            "a/same.md",
            "+++\nid = \"dup\"\ndate = 2001-06-15\n+++\n第一份。",
        ),
        (
            "b/same.md",
            "+++\nid = \"dup\"\ndate = 2001-06-15\n+++\n第二份。",
        ),
        (
            "c/same.md",
            "+++\nid = \"dup\"\ndate = 2001-06-15\n+++\nThe English version.",
        ),
    ]);
    let out = scoway(data.path())
        .args(["ingest", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("b/same.md: `dup.zh` is already taken in this batch by")
            && stderr.contains("a/same.md"),
        "{stderr}"
    );
    assert_eq!(stored_ids(data.path()), vec!["dup.en", "dup.zh"]);
    assert!(
        stored(data.path(), "dup.zh")["original"]
            .as_str()
            .unwrap()
            .contains("第一份")
    );
    // Again: the same outcome, nothing swaps.
    let again = scoway(data.path())
        .args(["ingest", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stored(data.path(), "dup.zh")["original"]
            .as_str()
            .unwrap()
            .contains("第一份")
    );
}

#[test]
fn each_entry_of_a_json_array_stands_alone() {
    let data = tempfile::tempdir().unwrap();
    let dir = folder(&[(
        "batch.json",
        r#"[{"id":"j-a","date":"2001-06-15","text":"第一篇。"},
            {"id":"j-b","date":"2001-13-15","text":"日期错误。"},
            {"id":"j-c","date":"2002-06-07","text":"第三篇。"}]"#,
    )]);
    let out = scoway(data.path())
        .args(["ingest", dir.path().join("batch.json").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("field `[1].date`"), "{stderr}");
    assert!(
        stderr.contains("2 added, 0 replaced, 0 unchanged, 1 rejected"),
        "{stderr}"
    );
    assert_eq!(stored_ids(data.path()), vec!["j-a.zh", "j-c.zh"]);
}

#[test]
fn dates_outside_1900_2100_need_any_date() {
    let data = tempfile::tempdir().unwrap();
    let dir = folder(&[
        (
            "neg.md",
            "+++\nid = \"neg\"\ndate = \"-0001-01-01\"\n+++\n正文。",
        ),
        (
            "old.md",
            "+++\nid = \"old\"\ndate = \"0201-06-15\"\n+++\n正文。",
        ),
        (
            "far.md",
            "+++\nid = \"far\"\ndate = \"9999-01-01\"\n+++\n正文。",
        ),
    ]);
    let out = scoway(data.path())
        .args(["ingest", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`-0001-01-01` is not a date"), "{stderr}");
    assert!(
        stderr.contains(
            "0201-06-15 is outside 1900–2100; if that is really the date, pass --any-date"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("9999-01-01 is outside"), "{stderr}");
    assert!(!data.path().join("store/old.zh.json").exists());
    let out = scoway(data.path())
        .args([
            "ingest",
            dir.path().to_str().unwrap(),
            "--any-date",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["added"], 2, "{v:#}");
    assert_eq!(v["rejected"], 1, "-0001 is still not a date: {v:#}");
}

#[cfg(unix)]
#[test]
fn links_out_of_the_folder_dangling_links_and_loops_are_reported() {
    use std::os::unix::fs::symlink;
    let data = tempfile::tempdir().unwrap();
    let outside = folder(&[(
        "secret.txt",
        "+++\nid = \"secret\"\ndate = 2001-06-15\n+++\n不应被读取。",
    )]);
    let dir = folder(&[(
        "good.md",
        "+++\nid = \"good\"\ndate = 2001-06-15\n+++\n正文。",
    )]);
    let d = dir.path();
    symlink(outside.path().join("secret.txt"), d.join("secret.txt")).unwrap();
    symlink(d.join("good.md"), d.join("alias.md")).unwrap();
    symlink(d.join("nowhere.txt"), d.join("dangling.txt")).unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    symlink(d, d.join("sub/loop")).unwrap();

    let out = scoway(data.path())
        .args(["ingest", d.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a dangling link is an error: {stderr}"
    );
    assert!(
        stderr.contains("secret.txt: not followed: a symbolic link that leads out of"),
        "{stderr}"
    );
    assert!(
        stderr.contains("dangling.txt: skipped: a dangling symbolic link"),
        "{stderr}"
    );
    assert_eq!(stored_ids(data.path()), vec!["good.zh"], "{stderr}");

    // Asked to follow links, scoway reads the outside file and reports the loop.
    let out = scoway(data.path())
        .args(["ingest", d.to_str().unwrap(), "--follow-links"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("a symbolic link loop"), "{stderr}");
    assert_eq!(
        stored_ids(data.path()),
        vec!["good.zh", "secret.zh"],
        "{stderr}"
    );
}

#[test]
fn a_document_too_large_to_build_is_refused_with_advice() {
    // 2 MB of text against a limit lowered to 1 MB (the default, 32 MB, works the same way).
    let data = tempfile::tempdir().unwrap();
    let big = format!(
        "+++\nid = \"big\"\ndate = \"2010-06-11\"\n+++\n{}",
        "成员国加强安全合作。\n\n".repeat(70_000)
    );
    let dir = folder(&[
        ("big.md", big.as_str()),
        (
            "small.md",
            "+++\nid = \"small\"\ndate = \"2010-06-11\"\n+++\n正文。",
        ),
    ]);
    let out = scoway(data.path())
        .args([
            "ingest",
            dir.path().to_str().unwrap(),
            "--max-document-mb",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("big.md"), "{stderr}");
    assert!(stderr.contains("more than the 1 MB"), "{stderr}");
    assert!(stderr.contains("--max-document-mb 3"), "{stderr}");
    // The rest of the batch is stored; the advice works.
    assert!(data.path().join("store/small.zh.json").exists());
    assert!(!data.path().join("store/big.zh.json").exists());
    let out = scoway(data.path())
        .args([
            "ingest",
            dir.path().to_str().unwrap(),
            "--max-document-mb",
            "3",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(data.path().join("store/big.zh.json").exists());
    // Absurd values are refused by the option parser.
    let out = scoway(data.path())
        .args([
            "ingest",
            dir.path().to_str().unwrap(),
            "--max-document-mb",
            "0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
