use super::*;
use proptest::prelude::*;
use std::path::PathBuf;

fn seg() -> &'static Segmenter {
    Segmenter::global()
}

fn words(text: &str) -> Vec<&str> {
    seg().cut(text).into_iter().map(|w| w.text).collect()
}

fn terms_at(tokens: &[Token], text: &str, surface: &str) -> Vec<String> {
    tokens
        .iter()
        .filter(|t| &text[t.byte_start..t.byte_end] == surface)
        .map(|t| t.term.clone())
        .collect()
}

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

#[test]
fn every_dictionary_entry_comes_out_whole() {
    let entries = seg().user_entries();
    assert!(entries.len() >= 150);
    let mut broken = Vec::new();
    for e in entries {
        if words(e) != [e.as_str()] {
            broken.push(format!("{e} alone → {:?}", words(e)));
        }
        for context in [
            format!("各方支持{e}。"),
            format!("{e}的作用，"),
            format!("在{e}框架内"),
        ] {
            if !words(&context).contains(&e.as_str()) {
                broken.push(format!("{context} → {:?}", words(&context)));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "entries split by the segmenter:\n{}",
        broken.join("\n")
    );
}

#[test]
fn without_the_domain_dictionary_entries_are_split() {
    let plain = Segmenter::new(SegmenterOptions {
        domain_dict: false,
        hmm: false,
    })
    .unwrap();
    let cut: Vec<&str> = plain.cut("三股势力").into_iter().map(|w| w.text).collect();
    assert_ne!(cut, ["三股势力"]);
    assert!(plain.user_entries().is_empty());
}

#[test]
fn entries_with_punctuation_are_joined_in_both_widths() {
    assert!(words("成员国政府首脑（总理）理事会会议").contains(&"成员国政府首脑（总理）理事会"));
    let t = "政府首脑(总理)理事会";
    let toks = seg().tokenize(t, Lang::Zh);
    let main: Vec<&Token> = toks.iter().filter(|t| !t.subword).collect();
    assert_eq!(main.len(), 1, "{toks:?}");
    assert_eq!(main[0].term, "政府首脑（总理）理事会");
    assert!(toks.iter().any(|t| t.subword && t.term == "总理"));
}

#[test]
fn compounds_have_subwords_at_their_position() {
    let text = "打击地区反恐怖机构";
    let toks = seg().tokenize(text, Lang::Zh);
    let main: Vec<(&str, u32)> = toks
        .iter()
        .filter(|t| !t.subword)
        .map(|t| (t.term.as_str(), t.position))
        .collect();
    assert_eq!(main, [("打击", 0), ("地区反恐怖机构", 1)]);
    for sub in ["反恐怖", "机构", "地区"] {
        let t = toks
            .iter()
            .find(|t| t.term == sub)
            .unwrap_or_else(|| panic!("{sub} missing: {toks:?}"));
        assert!(t.subword);
        assert_eq!(t.position, 1);
        assert_eq!(&text[t.byte_start..t.byte_end], sub);
    }
    // A query is main tokens only.
    let q = seg().query_tokens(text);
    assert!(q.iter().all(|t| !t.subword));
    assert_eq!(q.len(), 2);
}

#[test]
fn names_are_not_split_and_places_are_not_subwords() {
    let toks = seg().tokenize("印度尼西亚代表", Lang::Zh);
    assert!(toks.iter().all(|t| t.term != "印度"), "{toks:?}");
    let toks = seg().tokenize("上海合作组织", Lang::Zh);
    assert!(toks.iter().all(|t| t.term != "上海"), "{toks:?}");
    assert!(toks.iter().any(|t| t.term == "组织" && t.subword));
    let toks = seg().tokenize("印度和印度尼西亚", Lang::Zh);
    assert_eq!(toks.iter().filter(|t| t.term == "印度").count(), 1);
}

#[test]
fn aliases_map_to_one_term_in_both_directions() {
    for (a, b) in [
        ("上合组织", "上海合作组织"),
        ("上合", "上海合作组织"),
        ("地区反恐机构", "地区反恐怖机构"),
        ("SCO", "Shanghai Cooperation Organization"),
        ("the Shanghai Cooperation Organisation", "SCO"),
        ("ШОС", "Шанхайской организации сотрудничества"),
    ] {
        let ta = seg().query_tokens(a);
        let tb = seg().query_tokens(b);
        assert_eq!(ta.len(), 1, "{a}: {ta:?}");
        assert_eq!(tb.len(), 1, "{b}: {tb:?}");
        assert_eq!(ta[0].term, tb[0].term, "{a} vs {b}");
    }
    // The words of a several-word alias stay searchable as sub-words.
    let toks = seg().tokenize("Shanghai Cooperation Organisation summit", Lang::En);
    assert!(
        toks.iter().any(|t| t.subword && t.term == "cooper"),
        "{toks:?}"
    );
    assert_eq!(toks.iter().filter(|t| !t.subword).count(), 2);
}

#[test]
fn stopwords_are_dropped_but_keep_their_position() {
    let toks = seg().tokenize("中国的立场", Lang::Zh);
    let main: Vec<(&str, u32)> = toks.iter().map(|t| (t.term.as_str(), t.position)).collect();
    assert_eq!(main, [("中国", 0), ("立场", 2)]);
    let toks = seg().tokenize("The member states of the SCO", Lang::En);
    let main: Vec<(&str, u32)> = toks
        .iter()
        .filter(|t| !t.subword)
        .map(|t| (t.term.as_str(), t.position))
        .collect();
    assert_eq!(main[0], ("member", 1));
    assert_eq!(main[1], ("state", 2));
    assert_eq!(main[2].1, 5);
}

#[test]
fn russian_and_english_are_stemmed_and_lower_cased() {
    let a = seg().query_tokens("сотрудничества");
    let b = seg().query_tokens("Сотрудничество");
    assert_eq!(a[0].term, b[0].term);
    let a = seg().query_tokens("Declarations");
    assert_eq!(a[0].term, "declar");
    // Letters inside Chinese text go through the same analyzer.
    let t = "ＳＣＯ峰会";
    let n = crate::text::normalize(t, Default::default());
    let toks = seg().tokenize(&n, Lang::Zh);
    assert!(
        toks.iter()
            .any(|t| t.term == seg().query_tokens("SCO")[0].term)
    );
}

#[test]
fn offsets_point_at_the_surface() {
    let text = "各方重申恪守“上海精神”，打击三股势力。";
    let toks = seg().tokenize(text, Lang::Zh);
    assert_eq!(terms_at(&toks, text, "上海精神"), ["上海精神"]);
    assert!(terms_at(&toks, text, "三股势力").contains(&"三股势力".to_string()));
    let p_strike = toks.iter().find(|t| t.term == "打击").unwrap().position;
    let p_forces = toks.iter().find(|t| t.term == "三股势力").unwrap().position;
    assert_eq!(p_forces, p_strike + 1);
}

/// The domain dictionary must not damage ordinary segmentation: on the SIGHAN 2005 PKU test
/// set, word F1 with it may be at most 0.5 points below plain jieba.
#[test]
fn domain_dictionary_costs_at_most_half_a_point_on_pku() {
    let gold = std::fs::read_to_string(shared("bench/icwb2/pku_test_gold.utf8")).unwrap();
    let plain = Segmenter::new(SegmenterOptions {
        domain_dict: false,
        hmm: false,
    })
    .unwrap();
    let base = score_gold_text(&plain, &gold);
    let ours = score_gold_text(seg(), &gold);
    eprintln!(
        "PKU word F1: plain jieba {:.4} (P {:.4}, R {:.4}), with the domain dictionary {:.4} (P {:.4}, R {:.4})",
        base.f1(),
        base.precision(),
        base.recall(),
        ours.f1(),
        ours.precision(),
        ours.recall()
    );
    assert!(base.gold > 100_000, "gold has {} words", base.gold);
    assert!(base.f1() > 0.80, "plain jieba F1 {:.4}", base.f1());
    let loss = (base.f1() - ours.f1()) * 100.0;
    assert!(
        loss <= 0.5,
        "F1 plain {:.4}, with the domain dictionary {:.4}: {loss:.2} points lost",
        base.f1(),
        ours.f1()
    );
}

proptest! {
    #[test]
    fn tokens_are_well_formed(text in "[\\PC]{0,60}|[上海合作组织印度尼西亚反恐怖机构的 ,，。a-zA-Zа-я]{0,60}") {
        let toks = seg().tokenize(&text, Lang::Zh);
        let mut last_main = None;
        for t in &toks {
            prop_assert!(text.is_char_boundary(t.byte_start) && text.is_char_boundary(t.byte_end));
            prop_assert!(t.byte_start < t.byte_end);
            prop_assert!(!t.term.is_empty());
            if t.subword {
                prop_assert_eq!(Some(t.position), last_main);
            } else {
                prop_assert!(last_main.is_none_or(|p| t.position > p));
                last_main = Some(t.position);
            }
        }
        let cut = seg().cut(&text);
        for w in cut.windows(2) {
            prop_assert!(w[0].byte_end <= w[1].byte_start);
        }
    }
}

/// The words of `text` found one Han run at a time (jieba called once per run) and entries
/// with punctuation found by Aho-Corasick: what `raw_words` must give with its one call per
/// span of Han text and punctuation and its anchored search of entries.
fn raw_words_per_run(seg: &Segmenter, text: &str) -> Vec<(usize, usize, WordKind)> {
    let mut words = Vec::new();
    let mut iter = text.char_indices().peekable();
    while let Some((start, c)) = iter.next() {
        let cls = class(c);
        let mut end = start + c.len_utf8();
        if cls == Class::Punct {
            words.push(RawWord {
                start,
                end,
                kind: WordKind::Punct,
            });
            continue;
        }
        while let Some(&(i, n)) = iter.peek() {
            if class(n) != cls {
                break;
            }
            end = i + n.len_utf8();
            iter.next();
        }
        match cls {
            Class::Han => seg.han_words(text, start, end, &mut words),
            Class::Alnum => words.push(RawWord {
                start,
                end,
                kind: WordKind::Alnum,
            }),
            Class::Space | Class::Punct => {}
        }
    }
    // Entries with punctuation found by a general matcher, over every text.
    let ac = aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(seg.merge.iter().map(|p| p.text.as_str()))
        .unwrap();
    let matches = ac
        .find_iter(text)
        .map(|m| (m.start(), m.end(), seg.merge[m.pattern().as_usize()].term));
    let words = seg.merge_entries(matches, words);
    words
        .into_iter()
        .map(|w| (w.start, w.end, w.kind))
        .collect()
}

#[test]
fn spans_segment_like_runs_on_awkward_text() {
    for text in [
        "中国\r\n美国，日本。\u{2A6E5}印度尼西亚\u{2A6E5}上海合作组织",
        "1998年，中国-美国+日本#韩国&朝鲜.越南_老挝%缅甸",
        "ＳＣＯ２００１年成员国政府首脑（总理）理事会会议〇〇一年々",
        "政府首脑(总理)理事会和成员国政府首脑(总理)理事会（总理）政府首脑（总理）理事会",
        "（政府首脑（总理）理事会）(",
        "Шанхайская организация сотрудничества ШОС上合组织",
        "",
        " \u{3000}　，",
    ] {
        let spans: Vec<_> = seg()
            .raw_words(text)
            .into_iter()
            .map(|w| (w.start, w.end, w.kind))
            .collect();
        assert_eq!(spans, raw_words_per_run(seg(), text), "{text}");
    }
}

proptest! {
    #[test]
    fn spans_segment_like_runs(text in "[\\PC]{0,40}|[上海合作组织印度尼西亚反恐怖机构的政府首脑（总理）理事会 ,，。、\r\n+#&._%\\-a-zA-Z0-9１２Ｓа-я〇\u{2A6E0}-\u{2A6FF}\u{20000}-\u{20010}]{0,60}") {
        let spans: Vec<_> = seg()
            .raw_words(&text)
            .into_iter()
            .map(|w| (w.start, w.end, w.kind))
            .collect();
        prop_assert_eq!(spans, raw_words_per_run(seg(), &text));
    }
}

proptest! {
    #[test]
    fn reused_buffers_give_the_same_tokens(
        a in "[上海合作组织印度尼西亚反恐怖机构地区的 ,，。a-zA-Z]{0,40}",
        b in "[上海合作组织印度尼西亚反恐怖机构地区的 ,，。a-zA-Z]{0,40}",
    ) {
        let (mut out, mut spare) = (Vec::new(), Vec::new());
        for text in [&a, &b, &a] {
            seg().tokenize_into(text, &mut out, &mut spare);
            prop_assert_eq!(&out, &seg().tokenize(text, Lang::Zh));
        }
    }
}

proptest! {
    #[test]
    fn entries_with_punctuation_are_found_like_a_general_matcher(
        text in "(政府首脑|（|总理|）|理事会|成员国|\\(|\\)|,|、|的| |中国|1){0,16}"
    ) {
        let spans: Vec<_> = seg()
            .raw_words(&text)
            .into_iter()
            .map(|w| (w.start, w.end, w.kind))
            .collect();
        prop_assert_eq!(spans, raw_words_per_run(seg(), &text));
    }
}

/// With the HMM, jieba guesses words that a word alone may not give back: the name tags
/// then come from tagging in context, and the words are still those of the per-run way.
#[test]
fn spans_segment_like_runs_with_the_hmm() {
    let hmm = Segmenter::new(SegmenterOptions {
        domain_dict: true,
        hmm: true,
    })
    .unwrap();
    let gold = std::fs::read_to_string(shared("bench/icwb2/pku_test.utf8")).unwrap();
    for line in gold.lines().take(400) {
        let spans: Vec<_> = hmm
            .raw_words(line)
            .into_iter()
            .map(|w| (w.start, w.end, w.kind))
            .collect();
        assert_eq!(spans, raw_words_per_run(&hmm, line), "{line}");
    }
}
