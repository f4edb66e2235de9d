//! `scoway parallel`: the language versions of a document, aligned and compared
//! (`tests/fixtures/parallel/`, texts we wrote in zh, ru and en).

use crate::common::{fixture, run_json, run_ok, scoway};
use serde_json::Value;

fn compared() -> (tempfile::TempDir, Value) {
    let data = tempfile::tempdir().unwrap();
    run_ok(
        data.path(),
        &["ingest", fixture("parallel").to_str().unwrap()],
    );
    let v = run_json(data.path(), &["parallel", "--json"]);
    (data, v)
}

fn pair<'a>(v: &'a Value, a: &str, b: &str) -> &'a Value {
    v["language_pairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["lang_a"] == a && p["lang_b"] == b)
        .unwrap_or_else(|| panic!("no {a}–{b} in {v:#}"))
}

/// The aligned paragraph groups of one document, as `(a, b)` index lists.
fn alignment(p: &Value, id: &str) -> Vec<(Vec<u64>, Vec<u64>)> {
    let nums = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect()
    };
    p["aligned"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == id)
        .map(|r| (nums(&r["a"]), nums(&r["b"])))
        .collect()
}

#[test]
fn versions_are_aligned_by_number_then_by_length() {
    let (_data, v) = compared();
    let zh_ru = pair(&v, "zh", "ru");
    assert_eq!(
        zh_ru["documents"],
        serde_json::json!(["fx-par-2019-declaration", "fx-par-2021-communique"])
    );
    // The Russian preamble is two paragraphs, and so is its paragraph 4.
    assert_eq!(
        alignment(zh_ru, "fx-par-2019-declaration"),
        vec![
            (vec![0], vec![0]),
            (vec![1], vec![1, 2]),
            (vec![2], vec![3]),
            (vec![3], vec![4]),
            (vec![4], vec![5]),
            (vec![5], vec![6, 7]),
            (vec![6], vec![8]),
            (vec![7], vec![9]),
            (vec![8], vec![10]),
            (vec![9], vec![11]),
        ]
    );
    let numbered: Vec<&Value> = zh_ru["aligned"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == "fx-par-2019-declaration" && r["method"] == "numbered")
        .collect();
    assert_eq!(numbered.len(), 8, "paragraphs 1–8 are anchors");
    // The English declaration lacks paragraph 7: it has no counterpart.
    let zh_en = pair(&v, "zh", "en");
    assert_eq!(zh_en["unmatched"], 1);
    assert!(alignment(zh_en, "fx-par-2019-declaration").contains(&(vec![8], vec![])));
    // The communiqué has no numbers: lengths align it paragraph by paragraph.
    let one_to_one: Vec<(Vec<u64>, Vec<u64>)> = (0..8).map(|i| (vec![i], vec![i])).collect();
    assert_eq!(alignment(zh_ru, "fx-par-2021-communique"), one_to_one);
}

#[test]
fn agreement_figures_add_up_and_disagreements_show_both_sides() {
    let (_data, v) = compared();
    for p in v["language_pairs"].as_array().unwrap() {
        let pairs = p["pairs"].as_u64().unwrap();
        let disagreements = p["disagreements"].as_array().unwrap();
        let identical = p["identical"].as_f64().unwrap();
        let expected = (pairs - disagreements.len() as u64) as f64 / pairs as f64;
        assert!((identical - expected).abs() < 1e-9, "{p:#}");
        for d in p["dimensions"].as_array().unwrap() {
            let differ = d["only_a"].as_u64().unwrap() + d["only_b"].as_u64().unwrap();
            let agreement = d["agreement"].as_f64().unwrap();
            assert!(
                (agreement - (1.0 - differ as f64 / pairs as f64)).abs() < 1e-9,
                "{d:#}"
            );
        }
        for d in disagreements {
            assert_ne!(d["a"]["labels"], d["b"]["labels"], "{d:#}");
            assert!(!d["dimensions"].as_array().unwrap().is_empty());
            for side in ["a", "b"] {
                assert!(!d[side]["text"].as_str().unwrap().is_empty(), "{d:#}");
                let coded = !d[side]["labels"].as_array().unwrap().is_empty();
                let evidence = !d[side]["evidence"].as_array().unwrap().is_empty();
                assert!(!coded || evidence, "a coded side shows its evidence: {d:#}");
            }
        }
    }
}

#[test]
fn the_text_report_and_its_errors() {
    let (data, _) = compared();
    let text = run_ok(
        data.path(),
        &["parallel", "--langs", "zh,ru", "--show", "1"],
    );
    assert!(
        text.starts_with("zh – ru: 2 document(s), 18 aligned paragraph pairs"),
        "{text}"
    );
    assert!(!text.contains("zh – en"), "{text}");
    for (args, message) in [
        (&["parallel", "--doc", "nope"][..], "no document `nope`"),
        (
            &["parallel", "--langs", "zh,zh"][..],
            "names one language twice",
        ),
        (&["parallel", "--langs", "zh"][..], "is not two languages"),
    ] {
        let out = scoway(data.path()).args(args).output().unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{args:?}: {err}");
    }
    let empty = tempfile::tempdir().unwrap();
    run_ok(
        empty.path(),
        &[
            "ingest",
            fixture("corpus/fx-chs-2001-declaration.txt")
                .to_str()
                .unwrap(),
        ],
    );
    let out = scoway(empty.path()).arg("parallel").output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no document is stored in two languages"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
