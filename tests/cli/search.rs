//! Integration tests: `scoway search` and `scoway kwic` on our fixture documents
//! (`tests/fixtures/search/`, texts we wrote).

use crate::common::{fixture, run_json, run_ok, scoway};
use serde_json::Value;
use std::path::Path;

/// A data directory with the search fixtures ingested and built.
fn built() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fx = fixture("search");
    run_ok(dir.path(), &["ingest", fx.to_str().unwrap()]);
    run_ok(dir.path(), &["build"]);
    dir
}

fn search(data: &Path, args: &[&str]) -> Value {
    let mut all = vec!["search"];
    all.extend_from_slice(args);
    all.push("--json");
    run_json(data, &all)
}

fn hit_ids(v: &Value) -> Vec<String> {
    let mut ids: Vec<String> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

/// The highlighted texts of a hit's snippets, cut from its document's original `chars`.
fn highlighted(hit: &Value, chars: &[char]) -> Vec<String> {
    hit["snippets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["highlights"].as_array().unwrap().clone())
        .map(|h| {
            chars[h[0].as_u64().unwrap() as usize..h[1].as_u64().unwrap() as usize]
                .iter()
                .collect()
        })
        .collect()
}

/// The original text of a stored document, as chars.
fn original(data: &Path, id: &str) -> Vec<char> {
    let doc: Value = crate::common::stored_doc(data, id);
    doc["original"].as_str().unwrap().chars().collect()
}

#[test]
fn search_json_has_ranked_hits_with_snippets_pointing_into_the_original() {
    let dir = built();
    let v = search(dir.path(), &["三股势力"]);
    assert_eq!(v["query"], "三股势力");
    assert_eq!(v["total"], 2);
    assert_eq!(
        hit_ids(&v),
        ["srch-chs-2002-declaration", "srch-chs-2018-declaration"]
    );
    let hits = v["hits"].as_array().unwrap();
    assert!(hits[0]["score"].as_f64().unwrap() >= hits[1]["score"].as_f64().unwrap());
    for hit in hits {
        for key in [
            "id", "title", "date", "score", "body", "doc_type", "lang", "snippets",
        ] {
            assert!(hit.get(key).is_some(), "{key} missing in {hit}");
        }
        let chars = original(dir.path(), hit["id"].as_str().unwrap());
        let snippets = hit["snippets"].as_array().unwrap();
        assert!(!snippets.is_empty());
        for s in snippets {
            let (a, b) = (
                s["char_start"].as_u64().unwrap() as usize,
                s["char_end"].as_u64().unwrap() as usize,
            );
            assert_eq!(
                s["text"].as_str().unwrap(),
                chars[a..b].iter().collect::<String>()
            );
            let hl = s["highlights"].as_array().unwrap();
            assert!(!hl.is_empty(), "{s}");
            for h in hl {
                let (x, y) = (
                    h[0].as_u64().unwrap() as usize,
                    h[1].as_u64().unwrap() as usize,
                );
                assert_eq!(chars[x..y].iter().collect::<String>(), "三股势力");
            }
        }
    }
}

#[test]
fn sub_words_phrases_and_slop() {
    let dir = built();
    let d = dir.path();
    let y2002 = ["srch-chs-2002-declaration"];
    assert_eq!(hit_ids(&search(d, &["反恐怖"])), y2002);
    assert_eq!(hit_ids(&search(d, &["\"地区反恐怖机构\""])), y2002);
    assert_eq!(hit_ids(&search(d, &["\"地区反恐怖机构\"~2"])), y2002);
    // 2018 says 打击一切三股势力: found by the phrase only with slop.
    assert_eq!(hit_ids(&search(d, &["\"打击三股势力\""])), y2002);
    assert_eq!(
        hit_ids(&search(d, &["\"打击三股势力\"~2"])),
        ["srch-chs-2002-declaration", "srch-chs-2018-declaration"]
    );
    // The highlight of a sub-word is the sub-word, not its compound.
    let v = search(d, &["机构"]);
    let chars = original(d, "srch-chs-2002-declaration");
    let marked = highlighted(&v["hits"][0], &chars);
    assert!(!marked.is_empty());
    assert!(marked.iter().all(|m| m == "机构"), "{marked:?}");
}

#[test]
fn india_is_found_inside_indonesia_and_ranks_below_the_word() {
    let dir = built();
    // 印度 stands as a word in 2018 and inside 印度尼西亚 in 2002.
    let v = search(dir.path(), &["印度"]);
    assert_eq!(
        hit_ids(&v),
        ["srch-chs-2002-declaration", "srch-chs-2018-declaration"]
    );
    assert_eq!(v["hits"][0]["id"], "srch-chs-2018-declaration", "{v}");
    let chars = original(dir.path(), "srch-chs-2002-declaration");
    let marked = highlighted(&v["hits"][1], &chars);
    assert!(
        !marked.is_empty() && marked.iter().all(|m| m == "印度"),
        "{marked:?}"
    );
    assert_eq!(
        hit_ids(&search(dir.path(), &["印度尼西亚"])),
        ["srch-chs-2002-declaration"]
    );
    let k = run_json(dir.path(), &["kwic", "印度", "--json"]);
    assert_eq!(k["total"], 2, "{k}");
    let k = run_json(dir.path(), &["kwic", "印度", "--words", "--json"]);
    assert_eq!(k["total"], 1);
    assert_eq!(k["lines"][0]["id"], "srch-chs-2018-declaration");
}

#[test]
fn huge_limits_windows_and_deep_queries_are_clear_errors() {
    let dir = built();
    let huge = usize::MAX.to_string();
    let huge_query = "(".repeat(10_000) + "机构" + &")".repeat(10_000);
    let deep = "(".repeat(100) + "机构" + &")".repeat(100);
    for (args, says) in [
        (vec!["search", "机构", "--limit", huge.as_str()], "--limit"),
        (vec!["search", "机构", "--limit", "0"], "--limit"),
        (vec!["search", "机构", "--limit", "10001"], "1..=10000"),
        (
            vec!["search", "机构", "--snippets", huge.as_str()],
            "--snippets",
        ),
        (vec!["kwic", "机构", "--window", huge.as_str()], "--window"),
        (vec!["kwic", "机构", "--window", "501"], "0..=500"),
        (vec!["search", huge_query.as_str()], "at most 4096"),
        (vec!["search", deep.as_str()], "at most 64"),
    ] {
        let out = scoway(dir.path()).args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{:?}: {err}", &args[..2]);
        assert!(err.contains(says), "{:?}: {err}", &args[..2]);
        assert!(!err.contains("panicked") && err.len() < 1000, "{err}");
    }
    run_ok(
        dir.path(),
        &["search", "机构", "--limit", "10000", "--snippets", "100"],
    );
    run_ok(dir.path(), &["kwic", "机构", "--window", "500"]);
}

#[test]
fn aliases_find_each_other() {
    let dir = built();
    let d = dir.path();
    let all_zh = [
        "srch-chg-2021-communique",
        "srch-chs-2002-declaration",
        "srch-chs-2018-declaration",
    ];
    // 2002 and 2021 say 上合组织, 2018 and 2021 say 上海合作组织.
    assert_eq!(hit_ids(&search(d, &["上合组织"])), all_zh);
    assert_eq!(hit_ids(&search(d, &["上海合作组织"])), all_zh);
    // SCO: written out in the English fixture, full-width ＳＣＯ in the 2018 one.
    assert_eq!(
        hit_ids(&search(d, &["SCO"])),
        ["srch-chs-2018-declaration", "srch-chs-2019-declaration-en"]
    );
    assert_eq!(
        hit_ids(&search(d, &["ШОС"])),
        ["srch-chs-2019-declaration-ru"]
    );
}

#[test]
fn filters_and_limit() {
    let dir = built();
    let d = dir.path();
    let q = "上海精神 OR 三股势力 OR 粮食安全 OR SCO OR ШОС";
    assert_eq!(search(d, &[q])["total"], 5);
    assert_eq!(
        hit_ids(&search(d, &[q, "--from", "2018", "--to", "2019-06"])),
        [
            "srch-chs-2018-declaration",
            "srch-chs-2019-declaration-en",
            "srch-chs-2019-declaration-ru"
        ]
    );
    assert_eq!(
        hit_ids(&search(d, &[q, "--to", "2002-06-07"])),
        ["srch-chs-2002-declaration"]
    );
    assert_eq!(
        hit_ids(&search(d, &[q, "--type", "communique"])),
        ["srch-chg-2021-communique"]
    );
    assert_eq!(
        hit_ids(&search(d, &[q, "--body", "chg"])),
        ["srch-chg-2021-communique"]
    );
    assert_eq!(
        hit_ids(&search(d, &[q, "--lang", "en"])),
        ["srch-chs-2019-declaration-en"]
    );
    let v = search(d, &[q, "--limit", "2"]);
    assert_eq!(v["total"], 5);
    assert_eq!(v["hits"].as_array().unwrap().len(), 2);
}

#[test]
fn terminal_output_marks_the_terms() {
    let dir = built();
    let out = run_ok(dir.path(), &["search", "三股势力"]);
    assert!(out.contains("【三股势力】"), "{out}");
    assert!(out.contains("srch-chs-2002-declaration"), "{out}");
    let out = run_ok(dir.path(), &["kwic", "三股势力", "--window", "5"]);
    let lines: Vec<&str> = out.lines().filter(|l| l.contains('【')).collect();
    assert_eq!(lines.len(), 3, "{out}");
    // Sorted by date: 2002 first.
    assert!(lines[0].starts_with("2002-06-07"), "{out}");
    assert!(
        lines[0].contains("心坚决打击 【三股势力】 ，维护本地"),
        "{out}"
    );
}

#[test]
fn kwic_json_with_context_offsets_and_sort() {
    let dir = built();
    let d = dir.path();
    let k = run_json(
        d,
        &[
            "kwic",
            "上合组织",
            "--window",
            "4",
            "--sort",
            "doc",
            "--json",
        ],
    );
    let lines = k["lines"].as_array().unwrap();
    assert_eq!(k["total"], lines.len());
    assert_eq!(lines.len(), 4, "{k}");
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    for l in lines {
        let chars = original(d, l["id"].as_str().unwrap());
        let (a, b) = (
            l["char_start"].as_u64().unwrap() as usize,
            l["char_end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            l["hit"].as_str().unwrap(),
            chars[a..b].iter().collect::<String>()
        );
        let left: String = chars[a.saturating_sub(4)..a].iter().collect();
        assert!(left.ends_with(l["left"].as_str().unwrap()), "{l}");
        assert!(l["left"].as_str().unwrap().chars().count() <= 4);
        assert!(l["right"].as_str().unwrap().chars().count() <= 4);
    }
    let by_date = run_json(d, &["kwic", "三股势力", "--json"]);
    let dates: Vec<&str> = by_date["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2002-06-07", "2018-06-10", "2018-06-10"]);
}

#[test]
fn malformed_queries_fail_cleanly() {
    let dir = built();
    for q in ["\"unclosed", "AND", "(((", "date:[", "nosuchfield:x"] {
        let out = scoway(dir.path()).args(["search", q]).output().unwrap();
        assert!(!out.status.success(), "{q} succeeded");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("invalid query `{q}`")), "{q}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let out = scoway(dir.path())
        .args(["search", "机构", "--from", "20x1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("20x1"));
}

#[test]
fn searching_before_build_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["search", "机构"][..], &["kwic", "机构"][..]] {
        let out = scoway(dir.path()).args(args).output().unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no index in"), "{err}");
        assert!(err.contains("run `scoway build` first"), "{err}");
    }
}

#[test]
fn a_changed_document_is_reindexed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = tempfile::tempdir().unwrap();
    let file = src.path().join("srch-chg-2021-communique.md");
    let text = std::fs::read_to_string(fixture("search/srch-chg-2021-communique.md")).unwrap();
    std::fs::write(&file, &text).unwrap();
    run_ok(d, &["ingest", file.to_str().unwrap()]);
    run_ok(d, &["build"]);
    assert_eq!(search(d, &["粮食安全"])["total"], 1);
    std::fs::write(&file, text.replace("粮食安全", "能源安全")).unwrap();
    run_ok(d, &["ingest", file.to_str().unwrap()]);
    run_ok(d, &["build"]);
    assert_eq!(search(d, &["粮食安全"])["total"], 0);
    assert_eq!(search(d, &["能源安全"])["total"], 1);
}

#[test]
fn a_document_matched_across_paragraphs_still_shows_its_evidence() {
    // 上海精神 and 三股势力 stand in two different paragraphs of the 2002 fixture: no single
    // paragraph matches the query, the document does, and its snippets show both terms.
    let dir = built();
    let v = search(dir.path(), &["\"上海精神\" AND 三股势力", "--to", "2010"]);
    assert_eq!(hit_ids(&v), ["srch-chs-2002-declaration"]);
    let chars = original(dir.path(), "srch-chs-2002-declaration");
    let snippets = v["hits"][0]["snippets"].as_array().unwrap();
    let paragraphs: Vec<u64> = snippets
        .iter()
        .map(|s| s["paragraph"].as_u64().unwrap())
        .collect();
    assert_eq!(paragraphs.len(), 2, "{snippets:?}");
    assert_ne!(paragraphs[0], paragraphs[1]);
    let mut marked = highlighted(&v["hits"][0], &chars);
    marked.sort();
    assert_eq!(marked, ["三股势力", "上海精神"]);
}

#[test]
fn either_script_finds_text_in_either_script() {
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("trad.md"),
        "+++\nid = \"fx-trad\"\ndate = 2007-08-16\n+++\n（測試樣例）成員國反對霸權主義和強權政治。",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("simp.md"),
        "+++\nid = \"fx-simp\"\ndate = 2008-08-28\n+++\n（测试样例）成员国坚持睦邻友好。",
    )
    .unwrap();
    run_ok(data.path(), &["ingest", dir.path().to_str().unwrap()]);
    run_ok(data.path(), &["build"]);
    // A simplified query finds the traditional text; the snippet quotes it as written.
    let v = search(data.path(), &["霸权主义"]);
    assert_eq!(hit_ids(&v), ["fx-trad"]);
    let snippet = &v["hits"][0]["snippets"][0];
    assert!(
        snippet["text"].as_str().unwrap().contains("霸權主義"),
        "{snippet}"
    );
    let [s, e] = [0, 1].map(|i| snippet["highlights"][0][i].as_u64().unwrap() as usize);
    let original = original(data.path(), "fx-trad");
    assert_eq!(original[s..e].iter().collect::<String>(), "霸權主義");
    // A traditional query finds the simplified text.
    assert_eq!(hit_ids(&search(data.path(), &["睦鄰友好"])), ["fx-simp"]);
    let kwic = run_json(data.path(), &["kwic", "成員國", "--json"]);
    let hits: Vec<&str> = kwic["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["hit"].as_str().unwrap())
        .collect();
    assert_eq!(hits, ["成員國", "成员国"], "{kwic:#}");
}
