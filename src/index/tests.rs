//! Unit tests of the index: documents are built by hand (texts we wrote, not SCO documents).

use super::*;
use crate::corpus::{DocMeta, Document, Lang, Paragraph};
use crate::layout::DataDir;
use crate::segment::{Segmenter, Token};
use chrono::NaiveDate;
use proptest::prelude::*;
use rayon::prelude::*;

fn doc(id: &str, date: &str, lang: Lang, title: &str, paras: &[&str]) -> Document {
    doc_with_original(id, date, lang, title, paras, None)
}

/// A document; `original` (same char count as the joined paragraphs) replaces the original text.
fn doc_with_original(
    id: &str,
    date: &str,
    lang: Lang,
    title: &str,
    paras: &[&str],
    original: Option<&str>,
) -> Document {
    let text = paras.join("\n\n");
    let mut paragraphs = Vec::new();
    let mut byte = 0;
    let mut chr = 0;
    for (i, p) in paras.iter().enumerate() {
        let n = p.chars().count();
        paragraphs.push(Paragraph {
            index: i as u32,
            char_start: chr,
            char_end: chr + n,
            byte_start: byte,
            byte_end: byte + p.len(),
        });
        byte += p.len() + 2;
        chr += n + 2;
    }
    let original = original.map_or_else(|| text.clone(), String::from);
    assert_eq!(original.chars().count(), text.chars().count());
    Document {
        meta: DocMeta {
            id: id.into(),
            date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
            body: "CHS".into(),
            doc_type: "declaration".into(),
            lang,
            title: title.into(),
            source_url: None,
            meeting_no: None,
            city: None,
            script: Default::default(),
        },
        sha256: format!("sha-{id}-{}", text.len()),
        source: "test".into(),
        original,
        text,
        paragraphs,
    }
}

fn tokens_of(d: &Document) -> Vec<Vec<Token>> {
    d.paragraphs
        .iter()
        .map(|p| Segmenter::global().tokenize(d.paragraph_text(p), d.meta.lang))
        .collect()
}

fn build(data: &DataDir, docs: &[Document]) -> IndexReport {
    let ix = Indexer::open(data).unwrap();
    for d in docs {
        ix.upsert(d, &tokens_of(d)).unwrap();
    }
    ix.commit().unwrap()
}

fn ids(data: &DataDir, q: &str) -> Vec<String> {
    let mut req = SearchRequest::new(q);
    req.limit = 100;
    let mut v: Vec<String> = search(data, &req)
        .unwrap_or_else(|e| panic!("{q}: {e}"))
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    v.sort();
    v
}

fn corpus() -> Vec<Document> {
    vec![
        doc(
            "zh-a",
            "2001-06-15",
            Lang::Zh,
            "测试宣言甲",
            &[
                "各成员国支持地区反恐怖机构的工作。",
                "成员国决心坚决打击三股势力，维护地区安全。",
                "上合组织秘书长发表讲话。",
            ],
        ),
        doc(
            "zh-b",
            "2010-06-11",
            Lang::Zh,
            "测试公报乙",
            &["印度尼西亚代表出席了会议。", "各方愿意打击一切三股势力。"],
        ),
        doc(
            "zh-c",
            "2020-11-10",
            Lang::Zh,
            "测试声明丙",
            &[
                "印度代表团出席了会议。",
                "上海合作组织成立以来，各方恪守上海精神。",
            ],
        ),
        doc(
            "en-d",
            "2019-06-14",
            Lang::En,
            "Test declaration D",
            &[
                "The member states of the Shanghai Cooperation Organisation reaffirmed their commitment.",
            ],
        ),
        doc(
            "ru-e",
            "2019-06-14",
            Lang::Ru,
            "Тестовая декларация",
            &[
                "Государства-члены Шанхайской организации сотрудничества подтвердили приверженность.",
            ],
        ),
    ]
}

fn built() -> (tempfile::TempDir, DataDir) {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path());
    let report = build(&data, &corpus());
    assert_eq!(report.upserted, 5);
    assert_eq!(report.documents, 5);
    (dir, data)
}

#[test]
fn sub_words_find_their_compound() {
    let (_d, data) = built();
    assert_eq!(ids(&data, "反恐怖"), ["zh-a"]);
    assert_eq!(ids(&data, "机构"), ["zh-a"]);
    assert_eq!(ids(&data, "势力"), ["zh-a", "zh-b"]);
}

#[test]
fn phrases_match_with_and_without_slop() {
    let (_d, data) = built();
    for q in [
        "\"地区反恐怖机构\"",
        "\"地区反恐怖机构\"~2",
        "\"支持地区反恐怖机构\"",
        "\"支持地区反恐怖机构\"~2",
    ] {
        assert_eq!(ids(&data, q), ["zh-a"], "{q}");
    }
    // zh-b says 打击一切三股势力: one word between, so only a phrase with slop finds it.
    assert_eq!(ids(&data, "\"打击三股势力\""), ["zh-a"]);
    assert_eq!(ids(&data, "打击三股势力"), ["zh-a"]);
    assert_eq!(ids(&data, "\"打击三股势力\"~2"), ["zh-a", "zh-b"]);
    // Order matters in a phrase without slop.
    assert!(ids(&data, "\"三股势力打击\"").is_empty());
}

#[test]
fn a_string_is_found_inside_a_longer_name_but_a_whole_word_ranks_first() {
    let (_d, data) = built();
    // 印度 stands in zh-c as a word and in zh-b inside 印度尼西亚.
    assert_eq!(ids(&data, "印度"), ["zh-b", "zh-c"]);
    let res = search(&data, &SearchRequest::new("印度")).unwrap();
    assert_eq!(res.hits[0].id, "zh-c", "{:?}", res.hits);
    assert!(res.hits[0].score > res.hits[1].score);
    assert_eq!(ids(&data, "印度尼西亚"), ["zh-b"]);
    let lines = kwic(&data, &KwicRequest::new("印度")).unwrap();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let mut words = KwicRequest::new("印度");
    words.words = true;
    let lines = kwic(&data, &words).unwrap();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].id, "zh-c");
}

#[test]
fn aliases_work_in_both_directions() {
    let (_d, data) = built();
    // zh-a says 上合组织 (inside 上合组织秘书长), zh-c says 上海合作组织.
    assert_eq!(ids(&data, "上合组织"), ["zh-a", "zh-c"]);
    assert_eq!(ids(&data, "上海合作组织"), ["zh-a", "zh-c"]);
    assert_eq!(ids(&data, "SCO"), ["en-d"]);
    assert_eq!(
        ids(&data, "\"Shanghai Cooperation Organization\""),
        ["en-d"]
    );
    assert_eq!(ids(&data, "ШОС"), ["ru-e"]);
}

#[test]
fn queries_are_normalised_like_documents() {
    let (_d, data) = built();
    assert_eq!(ids(&data, "ＳＣＯ"), ["en-d"]);
    assert_eq!(ids(&data, "states"), ["en-d"]);
    assert_eq!(ids(&data, "Сотрудничество"), ["ru-e"]);
}

#[test]
fn boolean_operators_and_fields() {
    let (_d, data) = built();
    assert_eq!(ids(&data, "三股势力 AND 印度尼西亚"), ["zh-b"]);
    assert_eq!(ids(&data, "三股势力 NOT 印度尼西亚"), ["zh-a"]);
    assert_eq!(ids(&data, "印度 OR 印度尼西亚"), ["zh-b", "zh-c"]);
    assert_eq!(ids(&data, "title:公报"), ["zh-b"]);
    assert_eq!(ids(&data, "year:2010"), ["zh-b"]);
}

#[test]
fn filters_restrict_the_hits() {
    let (_d, data) = built();
    let run = |f: &dyn Fn(&mut SearchRequest)| {
        let mut r = SearchRequest::new("三股势力 OR 上海精神 OR SCO OR ШОС");
        f(&mut r);
        let mut v: Vec<String> = search(&data, &r)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect();
        v.sort();
        v
    };
    assert_eq!(run(&|_| {}), ["en-d", "ru-e", "zh-a", "zh-b", "zh-c"]);
    assert_eq!(
        run(&|r| r.from = Some(parse_date_bound("2010", false).unwrap())),
        ["en-d", "ru-e", "zh-b", "zh-c"]
    );
    assert_eq!(
        run(&|r| r.to = Some(parse_date_bound("2010-06", true).unwrap())),
        ["zh-a", "zh-b"]
    );
    assert_eq!(run(&|r| r.lang = Some(Lang::Ru)), ["ru-e"]);
    assert_eq!(run(&|r| r.body = Some("chs".into())).len(), 5);
    assert!(run(&|r| r.doc_type = Some("communique".into())).is_empty());
    let mut r = SearchRequest::new("三股势力");
    r.limit = 1;
    let res = search(&data, &r).unwrap();
    assert_eq!((res.total, res.hits.len()), (2, 1));
}

#[test]
fn snippets_point_into_the_original_text() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path());
    // The original has full-width letters; the normalised text half-width ones.
    let d = doc_with_original(
        "zh-w",
        "2005-07-05",
        Lang::Zh,
        "宽度",
        &["前言。", "SCO各方支持地区反恐怖机构。"],
        Some("前言。\n\nＳＣＯ各方支持地区反恐怖机构。"),
    );
    build(&data, std::slice::from_ref(&d));
    for (q, want) in [
        ("机构", vec!["机构"]),
        ("SCO 地区反恐怖机构", vec!["ＳＣＯ", "地区反恐怖机构"]),
    ] {
        let res = search(&data, &SearchRequest::new(q)).unwrap();
        let s = &res.hits[0].snippets[0];
        assert_eq!(s.paragraph, 1);
        assert_eq!(s.text, d.original_chars(s.char_start, s.char_end));
        let got: Vec<String> = s
            .highlights
            .iter()
            .map(|[a, b]| d.original_chars(*a, *b))
            .collect();
        assert_eq!(got, want, "{q}");
    }
}

#[test]
fn kwic_lists_every_occurrence_with_context() {
    let (_d, data) = built();
    let lines = kwic(&data, &KwicRequest::new("三股势力")).unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].id, "zh-a", "sorted by date");
    assert_eq!(lines[0].hit, "三股势力");
    assert_eq!(lines[0].left, "成员国决心坚决打击");
    assert_eq!(lines[0].right, "，维护地区安全。");
    let mut req = KwicRequest::new("三股势力");
    req.window = 2;
    req.sort = KwicSort::Doc;
    let lines = kwic(&data, &req).unwrap();
    assert_eq!(lines[1].left, "一切");
    assert_eq!(lines[1].right, "。");
    // A word inside a compound, and a string that ends inside a compound at a sub-word end.
    let lines = kwic(&data, &KwicRequest::new("反恐怖机构")).unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].hit, "反恐怖机构");
    // A stopword is a string like any other; as a word it is nothing to look for.
    assert_eq!(kwic(&data, &KwicRequest::new("的")).unwrap().len(), 1);
    let mut words = KwicRequest::new("的");
    words.words = true;
    assert!(kwic(&data, &words).is_err());
}

#[test]
fn upsert_replaces_and_remove_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path());
    let docs = corpus();
    build(&data, &docs[..3]);
    let mut ix = Indexer::open(&data).unwrap();
    assert_eq!(ix.indexed().len(), 3);
    assert_eq!(ix.indexed()["zh-b.zh"], docs[1].sha256);
    let changed = doc(
        "zh-b",
        "2010-06-11",
        Lang::Zh,
        "改过",
        &["各方讨论了粮食安全。"],
    );
    ix.upsert(&changed, &tokens_of(&changed)).unwrap();
    ix.remove("zh-a.zh").unwrap();
    let report = ix.commit().unwrap();
    assert_eq!(
        (report.upserted, report.removed, report.documents),
        (1, 1, 2)
    );
    assert_eq!(ids(&data, "粮食安全"), ["zh-b"]);
    assert_eq!(ids(&data, "印度尼西亚"), Vec::<String>::new());
    assert!(ids(&data, "反恐怖").is_empty());
    let ix = Indexer::open(&data).unwrap();
    assert_eq!(ix.indexed().len(), 2);
    assert_eq!(ix.indexed()["zh-b.zh"], changed.sha256);
    assert!(!ix.indexed().contains_key("zh-a.zh"));
}

#[test]
fn an_interrupted_build_leaves_the_previous_index() {
    let (_d, data) = built();
    let before = Indexer::open(&data).unwrap().indexed().clone();
    {
        let mut ix = Indexer::open(&data).unwrap();
        let new = doc(
            "zh-new",
            "2024-07-04",
            Lang::Zh,
            "新",
            &["各方讨论了粮食安全。"],
        );
        ix.upsert(&new, &tokens_of(&new)).unwrap();
        ix.remove("zh-a.zh").unwrap();
        // Dropped without commit, as when the process dies.
    }
    let ix = Indexer::open(&data).unwrap();
    assert_eq!(ix.indexed(), &before);
    drop(ix);
    assert!(ids(&data, "粮食安全").is_empty());
    assert_eq!(ids(&data, "机构"), ["zh-a"]);
}

#[test]
fn upserts_run_in_parallel_and_no_document_is_lost() {
    // Every round replaces all documents from two threads into two indexing threads: each
    // hand-over carries a delete of the document's older version, and a delete applied out of
    // order would remove the new version too (tantivy's queue is kept in order by
    // `Indexer::upsert`). A lost document is rare per round, so there are several rounds.
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path());
    let round_docs = |round: usize| -> Vec<Document> {
        (0..40)
            .map(|i| {
                doc(
                    &format!("p-{i:02}"),
                    "2015-07-10",
                    Lang::Zh,
                    "并行",
                    &[
                        &format!(
                            "第{i}段第{round}轮：各方支持上海精神。{}",
                            "。".repeat(round)
                        ),
                        "成员国打击三股势力。",
                    ],
                )
            })
            .collect()
    };
    let mut req = SearchRequest::new("上海精神");
    req.limit = 100;
    for round in 0..24 {
        let docs = round_docs(round);
        let ix = Indexer::open_with(&data, IndexerOptions::with_threads(2)).unwrap();
        docs.par_iter()
            .try_for_each(|d| ix.upsert(d, &tokens_of(d)))
            .unwrap();
        let report = ix.commit().unwrap();
        assert_eq!(
            (report.documents, report.paragraphs),
            (40, 80),
            "round {round}"
        );
        assert_eq!(search(&data, &req).unwrap().total, 40, "round {round}");
    }
}

#[test]
fn a_document_whose_tokens_do_not_fit_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path());
    let d = corpus().remove(0);
    let ix = Indexer::open(&data).unwrap();
    let e = ix.upsert(&d, &tokens_of(&d)[..1]).unwrap_err();
    assert!(e.to_string().contains("zh-a"), "{e}");
}

#[test]
fn malformed_queries_are_errors_that_say_why() {
    let (_d, data) = built();
    for (q, says) in [
        ("\"unclosed", "quote"),
        ("AND", "between two terms"),
        ("机构 AND", "between two terms"),
        ("NOT", "between two terms"),
        ("(((", "parenthes"),
        ("date:[", "range"),
        ("", "empty"),
        ("，。", "nothing to search"),
        ("nosuchfield:x", "unknown field"),
        ("year:abc", "integer"),
        ("date:2001", "RFC 3339"),
    ] {
        let e = search(&data, &SearchRequest::new(q)).unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, IndexError::Query { .. }), "{q}: {msg}");
        assert!(msg.contains(&format!("`{q}`")), "{msg}");
        assert!(msg.contains(says), "{q}: {msg}");
    }
    let mut r = SearchRequest::new("机构");
    r.limit = 0;
    assert!(matches!(search(&data, &r), Err(IndexError::Request(_))));
}

#[test]
fn searching_without_an_index_says_to_build() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path());
    let e = search(&data, &SearchRequest::new("机构")).unwrap_err();
    let msg = e.to_string();
    assert!(msg.starts_with("no index in "), "{msg}");
    assert!(msg.ends_with("run `scoway build` first"), "{msg}");
    assert!(kwic(&data, &KwicRequest::new("机构")).is_err());
}

#[test]
fn date_bounds_parse() {
    let d = |s: &str, end| parse_date_bound(s, end).map(|d| d.to_string());
    assert_eq!(d("2001", false).unwrap(), "2001-01-01");
    assert_eq!(d("2001", true).unwrap(), "2001-12-31");
    assert_eq!(d("2004-02", true).unwrap(), "2004-02-29");
    assert_eq!(d("2004-02-03", true).unwrap(), "2004-02-03");
    for bad in ["01", "2001-13", "2001-02-30", "x", "2001-1-1-1"] {
        assert!(d(bad, false).is_err(), "{bad}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn parse_query_never_panics(q in "\\PC{0,40}") {
        let _ = parse_query(&q);
    }

    #[test]
    fn parse_query_never_panics_on_syntax(q in "[\"()\\[\\]{}:~^*+\\-! a-z0-9上合组织TOANDORNOT]{0,30}") {
        let _ = parse_query(&q);
    }
}

#[test]
fn touching_highlights_merge_into_one() {
    // Whatever pieces the segmenter cuts 差序格局 into, all of them looked for mark one span.
    let text = "中国社会的差序格局与礼治秩序";
    let terms: std::collections::BTreeSet<String> = Segmenter::global()
        .tokenize("差序格局", Lang::Zh)
        .into_iter()
        .map(|t| t.term)
        .collect();
    let start = text.find("差序格局").unwrap();
    assert_eq!(
        search::highlight_spans(text, &terms),
        [(start, start + "差序格局".len())]
    );
}

/// Documents where jieba does not cut at the string searched for (our own sentences).
fn multipolar() -> Vec<Document> {
    vec![
        doc(
            "mp-a",
            "2005-07-05",
            Lang::Zh,
            "多极化声明",
            &[
                "各方支持世界多极化和国际关系民主化。",
                "多极多极世界正在形成。",
            ],
        ),
        doc(
            "mp-b",
            "2006-06-15",
            Lang::Zh,
            "测试",
            &["推动建立多极世界。"],
        ),
        doc(
            "mp-c",
            "2007-08-16",
            Lang::Zh,
            "测试",
            &["各方讨论了极化问题。"],
        ),
        doc(
            "mp-d",
            "2008-08-28",
            Lang::Zh,
            "测试",
            &["各方决心打击。三股势力猖獗。"],
        ),
    ]
}

#[test]
fn a_han_string_is_found_wherever_it_stands() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path());
    build(&data, &multipolar());
    assert_eq!(ids(&data, "多极"), ["mp-a", "mp-b"]);
    assert_eq!(ids(&data, "\"多极\""), ["mp-a", "mp-b"]);
    assert_eq!(ids(&data, "text:多极"), ["mp-a", "mp-b"]);
    assert_eq!(ids(&data, "极化"), ["mp-a", "mp-c"]);
    assert_eq!(ids(&data, "极"), ["mp-a", "mp-b", "mp-c"]);
    // In either script.
    assert_eq!(ids(&data, "多極"), ["mp-a", "mp-b"]);
    // Titles too, and only there with `title:`.
    assert_eq!(ids(&data, "title:多极"), ["mp-a"]);
    // Boolean operators and filters work on strings as on words.
    assert_eq!(ids(&data, "多极 AND 极化"), ["mp-a"]);
    assert_eq!(ids(&data, "多极 NOT 极化"), ["mp-b"]);
    assert_eq!(ids(&data, "多极 OR 问题"), ["mp-a", "mp-b", "mp-c"]);
    assert_eq!(ids(&data, "多极 AND year:2006"), ["mp-b"]);
    let mut r = SearchRequest::new("多极");
    r.from = Some(parse_date_bound("2006", false).unwrap());
    assert_eq!(search(&data, &r).unwrap().hits.len(), 1);
    // A string never spans two paragraphs, nor punctuation; with slop, the words may.
    assert!(ids(&data, "民主化多极").is_empty());
    assert!(ids(&data, "\"打击三股势力\"").is_empty());
    assert!(ids(&data, "打击三股势力").is_empty());
    assert_eq!(ids(&data, "\"打击三股势力\"~1"), ["mp-d"]);
    assert_eq!(ids(&data, "三股势力猖獗"), ["mp-d"]);
    // KWIC: every occurrence, overlapping ones too.
    let lines = kwic(&data, &KwicRequest::new("多极")).unwrap();
    let hits: Vec<(&str, u32, &str)> = lines
        .iter()
        .map(|l| (l.id.as_str(), l.paragraph, l.hit.as_str()))
        .collect();
    assert_eq!(
        hits,
        [
            ("mp-a", 0, "多极"),
            ("mp-a", 1, "多极"),
            ("mp-a", 1, "多极"),
            ("mp-b", 0, "多极")
        ]
    );
    assert_eq!(kwic(&data, &KwicRequest::new("极多")).unwrap().len(), 1);
}

#[test]
fn a_highlight_covers_exactly_the_string() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path());
    let docs = multipolar();
    build(&data, &docs);
    let mut r = SearchRequest::new("多极");
    r.snippets = 5;
    let res = search(&data, &r).unwrap();
    let mut marked = Vec::new();
    for hit in &res.hits {
        let d = docs.iter().find(|d| d.meta.id == hit.id).unwrap();
        for s in &hit.snippets {
            for [a, b] in &s.highlights {
                marked.push((hit.id.clone(), d.original_chars(*a, *b)));
            }
        }
    }
    marked.sort();
    let want: Vec<(String, String)> = [("mp-a", 3), ("mp-b", 1)]
        .iter()
        .flat_map(|&(id, n)| std::iter::repeat_n((id.to_string(), "多极".to_string()), n))
        .collect();
    assert_eq!(marked, want);
}

#[test]
fn huge_limits_and_windows_are_errors() {
    let (_d, data) = built();
    let mut r = SearchRequest::new("机构");
    r.limit = usize::MAX;
    let e = search(&data, &r).unwrap_err().to_string();
    assert!(e.contains("--limit") && e.contains("10000"), "{e}");
    let mut r = SearchRequest::new("机构");
    r.snippets = usize::MAX;
    let e = search(&data, &r).unwrap_err().to_string();
    assert!(e.contains("--snippets"), "{e}");
    let mut k = KwicRequest::new("机构");
    k.window = usize::MAX;
    let e = kwic(&data, &k).unwrap_err().to_string();
    assert!(e.contains("--window") && e.contains("500"), "{e}");
    k.window = MAX_WINDOW;
    assert_eq!(kwic(&data, &k).unwrap().len(), 1);
}

#[test]
fn deep_and_long_queries_are_refused_before_the_parser() {
    // Runs on a test thread (2 MB of stack): nothing below may recurse once per level.
    for q in [
        "(".repeat(10_000) + "机构" + &")".repeat(10_000),
        "(".repeat(MAX_QUERY_DEPTH + 1) + "机构" + &")".repeat(MAX_QUERY_DEPTH + 1),
        "NOT ".repeat(MAX_QUERY_DEPTH + 1) + "机构",
        "机构 ".repeat(MAX_QUERY_CHARS),
    ] {
        let e = parse_query(&q).unwrap_err().to_string();
        assert!(e.contains("at most"), "{e}");
        assert!(e.len() < 400, "the message quotes the query in full: {e}");
    }
    let ok = "(".repeat(MAX_QUERY_DEPTH) + "机构" + &")".repeat(MAX_QUERY_DEPTH);
    assert!(parse_query(&ok).is_ok());
    // The longest queries allowed, of every nesting form the grammar has, still parse or fail
    // cleanly.
    let fill = |unit: &str| unit.repeat(MAX_QUERY_CHARS / unit.chars().count());
    for q in [
        fill("-"),
        fill("+"),
        fill("-+"),
        fill("\""),
        fill("~"),
        fill("^"),
        fill("a AND "),
        fill("a OR "),
        fill("a:"),
        fill("[a TO "),
        fill("多极"),
    ] {
        let _ = parse_query(&q);
    }
}

#[test]
fn an_index_of_an_older_layout_asks_for_a_rebuild_and_goes() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path());
    let old = data.index_dir().join("v2");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(old.join("meta.json"), "{}").unwrap();
    let e = search(&data, &SearchRequest::new("机构")).unwrap_err();
    assert!(matches!(e, IndexError::OldLayout(_)), "{e}");
    assert!(e.to_string().contains("scoway build"), "{e}");
    let report = build(&data, &corpus());
    assert!(report.rebuilt);
    assert!(!old.exists());
    assert_eq!(ids(&data, "机构"), ["zh-a"]);
}

#[test]
fn a_string_is_looked_for_by_its_pairs_of_chars() {
    assert_eq!(schema::han_char_terms("多"), ["多"]);
    assert_eq!(schema::han_char_terms("多极化"), ["多极", "极化"]);
    assert!(schema::han_char_terms("").is_empty());
}

#[test]
fn overlapping_occurrences_and_nested_spans() {
    let occ: Vec<(usize, usize)> = search::literal_occurrences("多多多", "多多").collect();
    assert_eq!(occ, [(0, 6), (3, 9)]);
    assert_eq!(search::literal_occurrences("abc", "").count(), 0);
    assert_eq!(search::literal_occurrences("", "多").count(), 0);
    assert_eq!(
        kwic::drop_nested(vec![(5, 9), (0, 4), (0, 9), (2, 3), (10, 12), (10, 11)]),
        [(0, 9), (10, 12)]
    );
}

#[test]
fn a_kwic_page_is_the_start_of_the_whole_listing() {
    let (_dir, data) = built();
    let snapshot = IndexSnapshot::open(&data).unwrap();
    for term in ["三股势力", "上海精神", "机构", "合作"] {
        for sort in [KwicSort::Date, KwicSort::Doc] {
            let req = KwicRequest {
                sort,
                ..KwicRequest::new(term)
            };
            let all = kwic(&data, &req).unwrap();
            assert_eq!(snapshot.kwic(&req).unwrap(), all, "{term}");
            for max in [1, 2, 3, all.len(), all.len() + 5] {
                let page = snapshot.kwic_page(&req, max).unwrap();
                assert_eq!(
                    page.lines[..],
                    all[..max.min(all.len())],
                    "{term} {sort:?} {max}"
                );
                assert_eq!(page.complete, max >= all.len(), "{term} {max}");
            }
        }
    }
}
