//! `scoway endorsements`, the `endorsements` and `endorsement_strength` frames of `export`,
//! the grade chart, and `trends --strength`, on our fixtures (`tests/fixtures/endorse/`).

use crate::common::{fixture, run_json, run_ok, scoway};
use polars::prelude::*;
use serde_json::Value;
use std::path::Path;

fn ingested() -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    run_ok(
        data.path(),
        &["ingest", fixture("endorse").to_str().unwrap()],
    );
    data
}

fn rows(v: &Value) -> &Vec<Value> {
    v["endorsements"].as_array().expect("endorsements")
}

fn find<'a>(v: &'a Value, doc: &str, lang: &str, paragraph: u64) -> Vec<&'a Value> {
    rows(v)
        .iter()
        .filter(|r| r["doc_id"] == doc && r["lang"] == lang && r["paragraph"] == paragraph)
        .collect()
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn endorsements_json_gives_subjects_grades_proposers_and_the_absent() {
    let data = ingested();
    let v = run_json(data.path(), &["endorsements", "--json"]);
    assert_eq!(v["documents"], 4);
    assert_eq!(v["total"], 12, "{v:#}");

    // A list without India (China proposed the initiative).
    let list = find(&v, "fx-end-2018-declaration", "zh", 1);
    assert_eq!(list.len(), 1);
    let list = list[0];
    assert_eq!(list["subject_kind"], "list");
    assert_eq!(
        strings(&list["subject_states"]),
        ["KZ", "KG", "PK", "RU", "TJ", "UZ"]
    );
    assert_eq!(list["verb"], "重申支持");
    assert_eq!(list["grade"], 5);
    assert_eq!(strings(&list["proposers"]), ["CN"]);
    assert_eq!(strings(&list["absent"]), ["IN"]);
    // The spans quote the original text of the stored document.
    let stored = crate::common::stored_doc(data.path(), "fx-end-2018-declaration");
    let original = stored["original"].as_str().unwrap();
    for (span, quoted) in [
        ("subject_span", "subject"),
        ("verb_span", "verb"),
        ("object_span", "object"),
    ] {
        let (s, e) = (
            list[span]["byte_start"].as_u64().unwrap() as usize,
            list[span]["byte_end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&original[s..e], list[quoted].as_str().unwrap(), "{span}");
        let (cs, ce) = (
            list[span]["char_start"].as_u64().unwrap() as usize,
            list[span]["char_end"].as_u64().unwrap() as usize,
        );
        let by_chars: String = original.chars().skip(cs).take(ce - cs).collect();
        assert_eq!(by_chars, list[quoted].as_str().unwrap(), "{span}");
    }

    // A full list: nobody absent.
    let full = find(&v, "fx-end-2021-communique", "zh", 1)[0];
    assert_eq!(full["subject_states"].as_array().unwrap().len(), 8);
    assert_eq!(strings(&full["absent"]), Vec::<&str>::new());
    // A single state's proposal, noted; the "相关" form; a negation.
    let note = find(&v, "fx-end-2018-declaration", "zh", 2)[0];
    assert_eq!(
        (note["grade"].as_u64(), note["verb_label"].as_str()),
        (Some(1), Some("note"))
    );
    assert_eq!(strings(&note["proposers"]), ["KZ"]);
    let partial = find(&v, "fx-end-2018-declaration", "zh", 3)[0];
    assert_eq!(partial["subject_kind"], "partial");
    assert!(partial["absent"].is_null());
    let negated = find(&v, "fx-end-2018-declaration", "zh", 4)[0];
    assert_eq!(negated["negated"], true);
    // The thanks paragraph has no statement.
    assert!(find(&v, "fx-end-2018-declaration", "zh", 5).is_empty());
    // Russian and English.
    let ru = find(&v, "fx-end-2021-communique", "ru", 1)[0];
    assert_eq!(strings(&ru["proposers"]), ["KZ"]);
    assert_eq!(ru["subject_kind"], "heads_of_delegation");
    let en = find(&v, "fx-end-2022-declaration", "en", 1)[0];
    assert_eq!(strings(&en["absent"]), ["IN"]);
    assert_eq!(find(&v, "fx-end-2022-declaration", "en", 3).len(), 2);
}

#[test]
fn endorsements_filter_by_object_member_and_dates_and_draw_the_chart() {
    let data = ingested();
    let v = run_json(
        data.path(),
        &[
            "endorsements",
            "--object",
            "一带一路",
            "--member",
            "印方",
            "--json",
        ],
    );
    let roles: Vec<(&str, &str)> = rows(&v)
        .iter()
        .map(|r| {
            (
                r["doc_id"].as_str().unwrap(),
                r["member_role"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("fx-end-2018-declaration", "absent"),
            ("fx-end-2021-communique", "endorses")
        ]
    );
    let v = run_json(
        data.path(),
        &[
            "endorsements",
            "--from",
            "2022",
            "--to",
            "2022-12-31",
            "--json",
        ],
    );
    assert_eq!(v["total"], 4);
    assert!(rows(&v).iter().all(|r| r["year"] == 2022));

    let text = run_ok(data.path(), &["endorsements", "--object", "一带一路"]);
    assert!(text.contains("2018 — 1 statement(s)"), "{text}");
    assert!(text.contains("absent: IN"), "{text}");
    assert!(text.contains("重申支持"), "{text}");

    let charts = tempfile::tempdir().unwrap();
    run_ok(
        data.path(),
        &[
            "endorsements",
            "--object",
            "一带一路",
            "--chart",
            charts.path().to_str().unwrap(),
        ],
    );
    let svg = std::fs::read_to_string(charts.path().join("endorsements.svg")).expect("svg");
    assert!(
        svg.contains("IN 印度共和国"),
        "the chart has a row per member"
    );
}

#[test]
fn endorsements_refuse_an_unknown_member_and_read_a_bare_text() {
    let data = ingested();
    let out = scoway(data.path())
        .args(["endorsements", "--member", "Atlantis"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--member Atlantis") && err.contains("membership"),
        "{err}"
    );

    let empty = tempfile::tempdir().unwrap();
    let v = run_json(
        empty.path(),
        &[
            "endorsements",
            "--text",
            "各代表团团长注意到乌方关于举办论坛的倡议。\n\n本段没有表态。",
            "--date",
            "2020-11-30",
            "--json",
        ],
    );
    assert_eq!(v["total"], 1);
    assert_eq!(strings(&rows(&v)[0]["proposers"]), ["UZ"]);
}

fn read_parquet(path: &Path) -> DataFrame {
    LazyFrame::scan_parquet(
        PlRefPath::try_from_path(path).unwrap(),
        ScanArgsParquet::default(),
    )
    .unwrap()
    .collect()
    .unwrap()
}

#[test]
fn export_writes_the_endorsement_frames_and_chart_and_trends_splits_strength() {
    let data = ingested();
    run_ok(data.path(), &["build"]);
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("export");
    run_ok(data.path(), &["export", "--out", out.to_str().unwrap()]);
    let endorsements = read_parquet(&out.join("endorsements.parquet"));
    assert_eq!(
        endorsements.schema().as_ref(),
        &scoway::trends::dictionary::ENDORSEMENTS.schema()
    );
    assert_eq!(endorsements.height(), 12);
    assert!(out.join("endorsements.csv").is_file());
    let strength = read_parquet(&out.join("endorsement_strength.parquet"));
    let pooled = strength
        .lazy()
        .filter(col("dimension").eq(lit("all")))
        .sort(["year"], SortMultipleOptions::default())
        .collect()
        .unwrap();
    let years: Vec<Option<i32>> = pooled
        .column("year")
        .unwrap()
        .i32()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(years, [Some(2018), Some(2021), Some(2022)]);
    let n: Vec<Option<i64>> = pooled
        .column("endorsements")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(n, [Some(4), Some(4), Some(4)]);
    assert!(out.join("charts/endorsements_belt_and_road.svg").is_file());
    let dictionary = std::fs::read_to_string(out.join("DATA_DICTIONARY.md")).unwrap();
    assert!(dictionary.contains("## `endorsements`") && dictionary.contains("`absent_members`"));

    let csv = run_ok(data.path(), &["trends", "--strength", "--format", "csv"]);
    let header = csv.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("year,dimension,endorsements,strong"),
        "{csv}"
    );
    let md = run_ok(data.path(), &["trends", "--strength"]);
    assert!(md.contains("| year | all |"), "{md}");
    let by_meeting = scoway(data.path())
        .args(["trends", "--strength", "--by", "meeting"])
        .output()
        .unwrap();
    assert!(!by_meeting.status.success());
    assert!(String::from_utf8_lossy(&by_meeting.stderr).contains("by year only"));
    let json = run_json(data.path(), &["trends", "--strength", "--format", "json"]);
    let first = &json.as_array().expect("rows")[0];
    assert_eq!(
        (first["year"].as_i64(), first["dimension"].as_str()),
        (Some(2018), Some("all"))
    );
    // 2018: strong, weak, moderate and a negated statement: 1 of 3 affirmed is strong.
    assert!(md.contains("| 2018 | 33% / 33% (4) |"), "{md}");
}

#[test]
fn users_edit_the_verb_and_membership_tables() {
    let data = ingested();
    // A verb table of one's own: 注意到 graded 3, and nothing else counts.
    let mine = data.path().join("my-verbs.tsv");
    std::fs::write(
        &mine,
        "lang\tverb\tgrade\tlabel\tstrength\trequires\tunless\nzh\t注意到\t3\tnote\tmoderate\t\t\n",
    )
    .unwrap();
    let v = run_json(
        data.path(),
        &[
            "endorsements",
            "--lang",
            "zh",
            "--verbs",
            mine.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(v["total"], 1, "{v:#}");
    assert_eq!(rows(&v)[0]["grade"], 3);

    // The same file in <data-dir>/endorse/ is read without the option.
    std::fs::create_dir_all(data.path().join("endorse")).unwrap();
    std::fs::copy(&mine, data.path().join("endorse/verbs.tsv")).unwrap();
    let v = run_json(data.path(), &["endorsements", "--lang", "zh", "--json"]);
    assert_eq!(v["total"], 1);

    // A bad membership file: the message names the file, line and field.
    let bad = data.path().join("bad-membership.tsv");
    std::fs::write(
        &bad,
        "code\tname_zh\tname_ru\tname_en\tforms_zh\tforms_ru\tforms_en\tstatuses\tnote\n\
         KZ\t哈萨克斯坦共和国\tКазахстан\tKazakhstan\t\t\t\tmember:2001-02-30\t\n",
    )
    .unwrap();
    let out = scoway(data.path())
        .args(["endorsements", "--membership", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad-membership.tsv") && err.contains("line 2") && err.contains("statuses"),
        "{err}"
    );
}
