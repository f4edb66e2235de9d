//! Literal recall, as a property: for Han strings drawn at random from the fixture corpus and
//! from the real text in `../shared/spec/sco-way-paper.zh.txt`, `search` returns exactly the
//! documents where the string stands and KWIC lists every occurrence. The index is built once,
//! through ingest and the build pipeline, and queried through the library.

use super::query::has_alias;
use super::*;
use crate::corpus::ingest::{IngestOptions, Overrides, ingest_paths};
use crate::corpus::{DocStore, Document, Lang};
use crate::layout::DataDir;
use crate::pipeline::{BuildOptions, build, demo_corpus};
use crate::segment::is_han;
use crate::text::normalize_detecting;
use proptest::prelude::*;
use proptest::sample::Index as Pick;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// `../shared/` beside the repository, or `$SCOWAY_SHARED`; fails loudly when missing.
fn shared(rel: &str) -> PathBuf {
    let dir = std::env::var_os("SCOWAY_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let path = dir.join(rel);
    assert!(
        path.exists(),
        "this test needs {} (shared data beside the repository; set SCOWAY_SHARED)",
        path.display()
    );
    path
}

struct Corpus {
    _dir: tempfile::TempDir,
    data: DataDir,
    docs: Vec<Document>,
    /// Maximal runs of Han chars of every paragraph.
    runs: Vec<Vec<char>>,
}

fn corpus() -> Corpus {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path().join("data"));
    let store = DocStore::open(data.store_dir()).unwrap();
    let fixtures = demo_corpus::write_to(&dir.path().join("fixtures")).unwrap();
    std::fs::remove_file(fixtures.join("NOTICE")).unwrap();
    let paper = Overrides {
        id: Some("sco-way-paper".into()),
        date: chrono::NaiveDate::from_ymd_opt(2020, 1, 1),
        body: Some("CHS".into()),
        doc_type: Some("article".into()),
        lang: Some(Lang::Zh),
        title: Some("上合模式".into()),
    };
    let opts = IngestOptions::default();
    for (paths, overrides) in [
        (vec![fixtures], Overrides::default()),
        (vec![shared("spec/sco-way-paper.zh.txt")], paper),
    ] {
        for report in ingest_paths(&store, &paths, &overrides, None, &opts).unwrap() {
            for d in &report.documents {
                assert!(d.is_ok(), "{}: {:?}", report.path.display(), d);
            }
        }
    }
    build(&data, &BuildOptions::default()).unwrap();
    let docs = store.load_all().unwrap();
    assert!(docs.len() >= 25, "{} documents", docs.len());
    let mut runs = Vec::new();
    for d in &docs {
        for p in &d.paragraphs {
            let mut run = Vec::new();
            for c in d.paragraph_text(p).chars().chain([' ']) {
                if is_han(c) {
                    run.push(c);
                } else if !run.is_empty() {
                    runs.push(std::mem::take(&mut run));
                }
            }
        }
    }
    assert!(runs.len() > 1000, "{} runs of Han text", runs.len());
    Corpus {
        _dir: dir,
        data,
        docs,
        runs,
    }
}

/// Places where `needle` starts in `hay`, counted one char at a time.
fn count_naively(hay: &str, needle: &str) -> usize {
    hay.char_indices()
        .filter(|&(i, _)| hay[i..].starts_with(needle))
        .count()
}

fn check(c: &Corpus, s: &str) -> Result<(), TestCaseError> {
    let mut expected = BTreeSet::new();
    let mut occurrences = 0;
    for d in &c.docs {
        let n: usize = d
            .paragraphs
            .iter()
            .map(|p| count_naively(d.paragraph_text(p), s))
            .sum();
        occurrences += n;
        if n > 0 || normalize_detecting(&d.meta.title).0.contains(s) {
            expected.insert(d.key().to_string());
        }
    }
    let mut req = SearchRequest::new(s);
    req.limit = MAX_LIMIT;
    req.snippets = 0;
    let res = search(&c.data, &req).map_err(|e| TestCaseError::fail(format!("{s}: {e}")))?;
    let found: BTreeSet<String> = res
        .hits
        .iter()
        .map(|h| format!("{}.{}", h.id, h.lang))
        .collect();
    if has_alias(s) {
        // The words of an alias group also find its other names.
        prop_assert!(
            found.is_superset(&expected),
            "{s}: {found:?} ⊉ {expected:?}"
        );
    } else {
        prop_assert_eq!(&found, &expected, "search {}", s);
    }
    let lines = kwic(&c.data, &KwicRequest::new(s))
        .map_err(|e| TestCaseError::fail(format!("{s}: {e}")))?;
    let literal = lines
        .iter()
        .filter(|l| normalize_detecting(&l.hit).0 == s)
        .count();
    prop_assert_eq!(literal, occurrences, "kwic {}", s);
    if !has_alias(s) {
        prop_assert_eq!(lines.len(), occurrences, "kwic {}", s);
    }
    Ok(())
}

#[test]
fn search_and_kwic_find_every_han_string_where_it_stands() {
    let c = corpus();
    // The examples of the issue that asked for this, where the segmenter does not cut.
    for s in ["多极", "上海", "上海合作", "合作组织", "的"] {
        check(&c, s).unwrap();
    }
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 3000,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let strings = (any::<Pick>(), any::<Pick>(), 1usize..=6).prop_map(|(run, start, len)| {
        let run = run.get(&c.runs);
        let start = start.index(run.len());
        let end = (start + len).min(run.len());
        run[start..end].iter().collect::<String>()
    });
    let result = runner.run(&strings, |s| check(&c, &s));
    if let Err(e) = result {
        panic!("{e}");
    }
}
