use super::*;
use crate::code::{Codebook, document_from_text, segment_document};
use proptest::prelude::*;

/// A codebook with one indicator per dimension; `extra` is TOML added to the first indicator of
/// `security_spillover` (its terms are `zh`), and `tail` is appended at the end.
fn book(zh: &str, extra: &str, tail: &str) -> Codebook {
    let mut s = String::from("name = \"test\"\n[scoring]\ncode_threshold = 1.0\n");
    s.push_str("relative_threshold = 0.0\nboilerplate_factor = 0.25\n");
    s.push_str(&format!(
        "\n[[dimensions.security_spillover.indicators]]\nkey = \"s\"\nnote = \"n\"\nzh = {zh}\n{extra}\n"
    ));
    for d in &DIMENSIONS[1..] {
        s.push_str(&format!(
            "\n[[dimensions.{d}.indicators]]\nkey = \"k\"\nnote = \"n\"\nen = [\"zzz-{d}\"]\n"
        ));
    }
    s.push_str(tail);
    Codebook::parse(&s, None).unwrap_or_else(|e| panic!("test codebook: {e}\n{s}"))
}

/// Codes `text` as one paragraph, with the real segmenter's tokens.
fn code(cb: &Codebook, text: &str, lang: Lang) -> ParagraphCodes {
    let doc = document_from_text("t", text, lang, false).expect("text");
    let tokens = segment_document(&doc);
    let coder = Coder::new(cb).expect("coder");
    coder.code_document(&doc, &tokens).paragraphs.remove(0)
}

/// Codes `text` as one paragraph with the given tokens (term, byte range).
fn code_with_tokens(cb: &Codebook, text: &str, toks: &[(usize, usize, bool)]) -> ParagraphCodes {
    let doc = document_from_text("t", text, Lang::Zh, false).expect("text");
    let tokens: Vec<Token> = toks
        .iter()
        .enumerate()
        .map(|(i, &(s, e, subword))| Token {
            term: doc.text[s..e].to_string(),
            byte_start: s,
            byte_end: e,
            position: i as u32,
            subword,
        })
        .collect();
    Coder::new(cb)
        .expect("coder")
        .code_document(&doc, &[tokens])
        .paragraphs
        .remove(0)
}

fn terms(p: &ParagraphCodes) -> Vec<(&str, &str)> {
    p.evidence
        .iter()
        .map(|e| (e.term.as_str(), e.matched.as_str()))
        .collect()
}

#[test]
fn nested_terms_count_once_longest_wins() {
    let cb = book(r#"["安全", "能源安全", "三股势力", "势力"]"#, "", "");
    let p = code(&cb, "维护能源安全，打击三股势力，保障安全。", Lang::Zh);
    assert_eq!(
        terms(&p),
        vec![
            ("能源安全", "能源安全"),
            ("三股势力", "三股势力"),
            ("安全", "安全")
        ]
    );
    assert_eq!(p.hits["security_spillover"], 3);
}

#[test]
fn nested_term_of_another_indicator_is_not_core_security() {
    let tail = r#"
[[dimensions.security_spillover.indicators]]
key = "spill"
note = "n"
zh = ["能源安全"]
"#;
    let cb = book(r#"["安全"]"#, "", tail);
    let p = code(&cb, "共同维护地区能源安全。", Lang::Zh);
    assert_eq!(p.evidence.len(), 1);
    assert_eq!(p.evidence[0].indicator, "spill");
}

#[test]
fn word_boundaries_come_from_main_tokens_not_subwords() {
    // 印度尼西亚 is one token: 印度 inside it is not a word of the text.
    let cb = book(r#"["印度"]"#, "", "");
    let text = "印度尼西亚和印度";
    let idn = "印度尼西亚".len();
    let p = code_with_tokens(
        &cb,
        text,
        &[
            (0, idn, false),
            (0, "印度".len(), true), // a sub-word must not open a boundary
            (idn, idn + "和".len(), false),
            (idn + "和".len(), text.len(), false),
        ],
    );
    assert_eq!(terms(&p), vec![("印度", "印度")]);
    assert_eq!(p.evidence[0].char_start, 6);
    // Sub-word tokens are not counted either.
    assert_eq!(p.tokens, 3);
}

#[test]
fn word_boundaries_with_the_real_segmenter() {
    let cb = book(r#"["印度", "主权"]"#, "", "");
    let p = code(&cb, "印度尼西亚总统访问了印度。", Lang::Zh);
    assert_eq!(terms(&p), vec![("印度", "印度")]);
    // Latin words are never cut, tokens or not.
    let cb = book(r#"["x"]"#, r#"en = ["un", "secur*"]"#, "");
    let p = code(&cb, "The UN and unity; security, insecurity.", Lang::En);
    assert_eq!(terms(&p), vec![("un", "UN"), ("secur*", "security")]);
}

#[test]
fn phrases_fold_case_and_whitespace() {
    let cb = book(
        r#"["x"]"#,
        r#"en = ["territorial integrity"]
ru = ["территориальн* целостност*"]"#,
        "",
    );
    let p = code(&cb, "Respect for Territorial\n  Integrity.", Lang::En);
    assert_eq!(
        terms(&p),
        vec![("territorial integrity", "Territorial\n  Integrity")]
    );
    let p = code(&cb, "уважение территориальной целостности", Lang::Ru);
    assert_eq!(
        terms(&p),
        vec![("территориальн* целостност*", "территориальной целостности")]
    );
    assert_eq!(p.evidence[0].rule, Rule::Term);
}

#[test]
fn prefix_terms_run_to_the_end_of_the_word() {
    let cb = book(r#"["x"]"#, r#"ru = ["безопасност*"]"#, "");
    let p = code(&cb, "Обеспечение безопасности и безопасность.", Lang::Ru);
    assert_eq!(
        terms(&p),
        vec![
            ("безопасност*", "безопасности"),
            ("безопасност*", "безопасность")
        ]
    );
    // A prefix still starts at a word start.
    let p = code(&cb, "кибербезопасность", Lang::Ru);
    assert!(p.evidence.is_empty());
}

#[test]
fn pattern_rules() {
    let cb = book(
        r#"["x"]"#,
        r#"patterns = [{ lang = "zh", label = "…部长会议", regex = "(交通|能源)部长会议" }]"#,
        "",
    );
    let p = code(&cb, "各方欢迎交通部长会议的成果。", Lang::Zh);
    assert_eq!(terms(&p), vec![("…部长会议", "交通部长会议")]);
    assert_eq!(p.evidence[0].rule, Rule::Pattern);
}

#[test]
fn window_rules_need_a_cue_in_the_same_sentence() {
    let cb = book(
        r#"[{ term = "集团化", weight = 0.5 }]"#,
        r#"windows = [{ lang = "zh", anchors = ["集团化"], cues = ["反对"], window = 10 }]"#,
        "",
    );
    let with_cue = code(&cb, "各方反对以集团化思维处理问题。", Lang::Zh);
    assert_eq!(with_cue.evidence.len(), 1);
    assert_eq!(with_cue.evidence[0].rule, Rule::Window);
    assert_eq!(with_cue.evidence[0].cue.as_deref(), Some("反对"));
    assert_eq!(with_cue.evidence[0].weight, 1.0);
    // Without a cue the bare term counts, at its own (lower) weight.
    let bare = code(&cb, "有人谈到集团化。", Lang::Zh);
    assert_eq!(bare.evidence.len(), 1);
    assert_eq!(bare.evidence[0].rule, Rule::Term);
    assert_eq!(bare.evidence[0].weight, 0.5);
    // A cue in the previous sentence, or too far away, does not count.
    let other = code(&cb, "我们反对。有人谈到集团化。", Lang::Zh);
    assert_eq!(other.evidence[0].rule, Rule::Term);
    let far = code(&cb, "反对一二三四五六七八九十一二三集团化", Lang::Zh);
    assert_eq!(far.evidence[0].rule, Rule::Term);
}

#[test]
fn window_rule_sides() {
    let cb = book(
        r#"["x"]"#,
        r#"windows = [{ lang = "zh", side = "after", anchors = ["能源"], cues = ["安全"], window = 12 }]"#,
        "",
    );
    assert_eq!(
        code(&cb, "发展能源合作以维护安全。", Lang::Zh)
            .evidence
            .len(),
        1
    );
    assert_eq!(
        code(&cb, "维护安全并发展能源合作。", Lang::Zh)
            .evidence
            .len(),
        0
    );
}

#[test]
fn exclusions_silence_terms_inside_them() {
    let tail = r#"
[[exclusions]]
lang = "zh"
phrases = ["安全理事会"]
"#;
    let cb = book(r#"["安全", "理事会"]"#, "", tail);
    let p = code(&cb, "联合国安全理事会讨论了地区安全。", Lang::Zh);
    assert_eq!(terms(&p), vec![("安全", "安全")]);
    assert_eq!(p.evidence[0].char_start, 13);
}

#[test]
fn boilerplate_is_down_weighted_and_does_not_code_alone() {
    let cb = book(
        r#"[{ term = "元首理事会", boilerplate = true }, "反恐"]"#,
        "",
        "",
    );
    let p = code(&cb, "元首理事会会议举行。元首理事会决定。", Lang::Zh);
    assert_eq!(p.hits["security_spillover"], 2);
    assert!((p.weighted_hits["security_spillover"] - 0.5).abs() < 1e-12);
    assert!(p.evidence.iter().all(|e| e.boilerplate && e.weight == 0.25));
    assert!(p.labels.is_empty(), "boilerplate alone does not code");
    let p = code(&cb, "元首理事会决定加强反恐合作。", Lang::Zh);
    assert_eq!(p.labels, vec!["security_spillover"]);
}

#[test]
fn same_span_in_two_dimensions_counts_in_both() {
    let tail = r#"
[[dimensions.balanced_power.indicators]]
key = "b"
note = "n"
zh = ["共同安全"]
"#;
    let cb = book(r#"["共同安全", "安全"]"#, "", tail);
    let p = code(&cb, "维护共同安全。", Lang::Zh);
    let dims: Vec<&str> = p.evidence.iter().map(|e| e.dimension.as_str()).collect();
    assert_eq!(dims, vec!["security_spillover", "balanced_power"]);
}

#[test]
fn thresholds_and_dominant() {
    let mut src =
        String::from("name = \"t\"\n[scoring]\ncode_threshold = 2.0\nrelative_threshold = 0.5\n");
    let terms = [
        ("security_spillover", "安全"),
        ("recognition", "主权"),
        ("balanced_power", "多极化"),
        ("differential_institutions", "宪章"),
        ("networked_circles", "观察员国"),
    ];
    for (d, t) in terms {
        src.push_str(&format!(
            "[[dimensions.{d}.indicators]]\nkey = \"k\"\nnote = \"n\"\nzh = [\"{t}\"]\n"
        ));
    }
    let cb = Codebook::parse(&src, None).unwrap();
    // 安全 ×5, 主权 ×2 (≥ 2 but < 0.5 × 5), 宪章 ×3, 多极化 ×1 (< 2).
    let p = code(
        &cb,
        "安全、安全、安全、安全、安全；主权、主权；宪章、宪章、宪章；多极化。",
        Lang::Zh,
    );
    assert_eq!(
        p.labels,
        vec!["security_spillover", "differential_institutions"]
    );
    assert_eq!(p.dominant.as_deref(), Some("security_spillover"));
    assert_eq!(p.hits["recognition"], 2);
    let score = p.scores["security_spillover"];
    assert!((score - 5.0 * 1000.0 / p.tokens as f64).abs() < 1e-9);
}

#[test]
fn evidence_points_into_the_original_text() {
    let cb = book(r#"["x"]"#, r#"en = ["sco"]"#, "");
    // Full-width letters are folded by normalisation; the evidence shows what the source said.
    let text = "（ＳＣＯ） and “SCO”";
    let p = code(&cb, text, Lang::En);
    let spans: Vec<(usize, usize, &str)> = p
        .evidence
        .iter()
        .map(|e| (e.char_start, e.char_end, e.matched.as_str()))
        .collect();
    assert_eq!(spans, vec![(1, 4, "ＳＣＯ"), (11, 14, "SCO")]);
}

#[test]
fn document_summary() {
    let cb = Codebook::load(None).unwrap();
    let coder = Coder::new(&cb).unwrap();
    let doc = document_from_text(
        "d",
        "一、成员国将共同打击恐怖主义、分裂主义和极端主义。\n\n二、各方感谢东道主的热情接待。\n\n三、各方重申尊重主权、独立和领土完整，互不干涉内政。",
        Lang::Zh,
        true,
    )
    .unwrap();
    let codes = coder.code_document(&doc, &segment_document(&doc));
    assert_eq!(codes.document.paragraphs, 3);
    assert_eq!(codes.document.coded_paragraphs, 2);
    assert_eq!(codes.paragraphs[0].labels, vec!["security_spillover"]);
    assert!(codes.paragraphs[1].labels.is_empty());
    assert_eq!(codes.paragraphs[2].labels, vec!["recognition"]);
    let s = &codes.document.dimensions["security_spillover"];
    assert_eq!(s.coded_paragraphs, 1);
    assert!((s.share_coded - 1.0 / 3.0).abs() < 1e-12);
    assert!(
        (s.per_1k_tokens - s.weighted_hits * 1000.0 / codes.document.tokens as f64).abs() < 1e-9
    );
    assert_eq!(codes.sha256, doc.sha256);
    assert_eq!(codes.codebook_hash, cb.hash());
    assert!(codes.document.dominant.is_some());
    // Cached as JSON by the pipeline: the round trip is lossless.
    let json = serde_json::to_string(&codes).unwrap();
    assert_eq!(serde_json::from_str::<DocumentCodes>(&json).unwrap(), codes);
}

#[test]
fn missing_tokens_and_empty_paragraphs_do_not_panic() {
    let cb = Codebook::load(None).unwrap();
    let coder = Coder::new(&cb).unwrap();
    let doc = document_from_text("d", "安全合作。\n\n反恐。", Lang::Zh, true).unwrap();
    let codes = coder.code_document(&doc, &[]);
    assert_eq!(codes.paragraphs.len(), 2);
    assert_eq!(codes.paragraphs[0].tokens, 0);
    assert!(!codes.paragraphs[0].evidence.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Properties.

const PIECES: &[&str] = &[
    "安全",
    "能源安全",
    "三股势力",
    "反对",
    "集团化",
    "主权",
    "印度尼西亚",
    "印度",
    "上海精神",
    "元首理事会",
    "观察员国",
    "多极化",
    "的",
    "合作",
    "各方",
    "。",
    "，",
    "“",
    "”",
    "　",
    " ",
    "ＳＣＯ",
    "SCO",
    "security",
    "Security",
    "terrorism",
    "\n",
    "宪章",
    "不针对第三方",
    "给予蒙古国观察员地位",
    "交通部长会议",
    "联合国安全理事会",
];

fn paragraph() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 1..25).prop_map(|v| {
        let s: String = v.concat();
        // A paragraph never contains a blank line, and has some content.
        let s = s.replace('\n', "");
        if s.trim().is_empty() {
            "安全".to_string()
        } else {
            s
        }
    })
}

static BUNDLED: std::sync::LazyLock<Coder> =
    std::sync::LazyLock::new(|| Coder::new(&Codebook::load(None).unwrap()).unwrap());

fn codes_of(paragraphs: &[String]) -> (Document, DocumentCodes) {
    let coder = &*BUNDLED;
    let text = paragraphs.join("\n\n");
    let doc = document_from_text("p", &text, Lang::Zh, true).unwrap();
    let codes = coder.code_document(&doc, &segment_document(&doc));
    (doc, codes)
}

/// A paragraph's codes with evidence offsets made relative to the paragraph start.
fn relative(doc: &Document, codes: &DocumentCodes) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = doc
        .paragraphs
        .iter()
        .zip(&codes.paragraphs)
        .map(|(p, c)| {
            let mut c = c.clone();
            c.index = 0;
            for e in &mut c.evidence {
                e.char_start -= p.char_start;
                e.char_end -= p.char_start;
            }
            (
                doc.original_chars(p.char_start, p.char_end),
                serde_json::to_string(&c).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn coding_is_deterministic(paras in prop::collection::vec(paragraph(), 1..6)) {
        let (_, a) = codes_of(&paras);
        let (_, b) = codes_of(&paras);
        prop_assert_eq!(a, b);
    }

    #[test]
    fn coding_is_independent_of_paragraph_order(
        paras in prop::collection::vec(paragraph(), 1..6),
        seed in any::<u64>(),
    ) {
        let mut shuffled = paras.clone();
        // A deterministic shuffle driven by the seed.
        let n = shuffled.len();
        for i in (1..n).rev() {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) >> 33) as usize
                % (i + 1);
            shuffled.swap(i, j);
        }
        let (d1, c1) = codes_of(&paras);
        let (d2, c2) = codes_of(&shuffled);
        prop_assert_eq!(relative(&d1, &c1), relative(&d2, &c2));
        prop_assert_eq!(c1.document.coded_paragraphs, c2.document.coded_paragraphs);
        prop_assert_eq!(c1.document.tokens, c2.document.tokens);
        for d in DIMENSIONS {
            let (x, y) = (&c1.document.dimensions[d], &c2.document.dimensions[d]);
            prop_assert_eq!(x.hits, y.hits);
            prop_assert!((x.weighted_hits - y.weighted_hits).abs() < 1e-9);
        }
    }

    #[test]
    fn evidence_spans_slice_the_original_to_the_matched_term(
        paras in prop::collection::vec(paragraph(), 1..6),
    ) {
        let (doc, codes) = codes_of(&paras);
        for (p, c) in doc.paragraphs.iter().zip(&codes.paragraphs) {
            for e in &c.evidence {
                prop_assert!(p.char_start <= e.char_start && e.char_end <= p.char_end);
                prop_assert_eq!(doc.original_chars(e.char_start, e.char_end), e.matched.clone());
                if e.rule != Rule::Pattern {
                    // The matched text, normalised and lower-cased, is the term (or, for a
                    // prefix term, starts with it).
                    let norm = crate::code::codebook::collapse_ws(
                        &crate::text::normalize(&e.matched, Default::default()).to_lowercase(),
                    );
                    let whole = Regex::new(&format!("^{}$", wildcard_regex(&e.term))).unwrap();
                    prop_assert!(whole.is_match(&norm), "{:?} vs {:?}", norm, e.term);
                }
            }
        }
    }
}

/// Text mixing what the view changes (capitals, runs and kinds of whitespace, non-ASCII
/// capitals) with what it keeps (Han chars, CJK punctuation).
fn view_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "安全",
            "上海精神",
            "，",
            "。",
            "“",
            "”",
            "、",
            "《",
            "》",
            "（",
            "）",
            " ",
            "  ",
            "\t",
            "\u{3000}",
            "\n",
            "SCO",
            "sco",
            "Шос",
            "ШОС",
            "İ",
            "ǅ",
            "12",
            "-",
            "〇",
            "々",
        ]),
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The shortcut for text that needs no folding gives the same view, and the same offsets
    /// at char boundaries, as folding char by char.
    #[test]
    fn view_shortcut_matches_folding(text in view_text()) {
        let fast = View::new(&text);
        let slow = View::folded(&text);
        prop_assert_eq!(fast.text.as_ref(), slow.text.as_ref());
        // Matches start and end on char boundaries, the only offsets ever mapped back.
        for b in (0..=slow.text.len()).filter(|&b| slow.text.is_char_boundary(b)) {
            prop_assert_eq!(fast.src(b), slow.src(b), "view byte {}", b);
        }
        prop_assert_eq!(fast.src(slow.text.len() + 1), usize::MAX);
    }

    /// The shortcuts for ASCII, Han and CJK punctuation agree with Unicode's tables.
    #[test]
    fn char_shortcuts_match_unicode(c in any::<char>()) {
        let mut lower = c.to_lowercase();
        let unicode_lower = match (lower.next(), lower.next()) {
            (Some(l), None) => l,
            _ => c,
        };
        prop_assert_eq!(lower_one(c), unicode_lower);
        prop_assert_eq!(is_wordy(c), c.is_alphanumeric() && !is_han(c));
    }
}

#[test]
fn cjk_punctuation_has_no_case_and_is_no_word_char() {
    for c in ('\u{2000}'..='\u{206F}')
        .chain('\u{3000}'..='\u{3004}')
        .chain('\u{3008}'..='\u{3020}')
        .chain('\u{FF01}'..='\u{FF0F}')
        .chain('\u{FF1A}'..='\u{FF20}')
        .chain('\u{FF3B}'..='\u{FF40}')
        .chain('\u{FF5B}'..='\u{FF65}')
    {
        assert!(is_cjk_punctuation(c));
        assert!(!c.is_alphanumeric(), "{c:?}");
        assert_eq!(c.to_lowercase().collect::<String>(), c.to_string(), "{c:?}");
    }
}

#[test]
fn suffix_terms_match_the_head_of_a_compound() {
    // 医学论坛 is one token; `*论坛` finds it and takes the whole word as its evidence.
    let cb = book(r#"["*论坛"]"#, "", "");
    let text = "支持继续举办传统医学论坛。";
    let start = text.find("医学论坛").unwrap();
    let end = start + "医学论坛".len();
    let p = code_with_tokens(&cb, text, &[(start, end, false)]);
    assert_eq!(terms(&p), [("*论坛", "医学论坛")]);
    // A bare 论坛 between other words is found too.
    let p = code(&cb, "论坛", Lang::Zh);
    assert_eq!(p.evidence.len(), 1);
    // A leading `*` is for Chinese only.
    let bad = "name = \"t\"\n[[dimensions.security_spillover.indicators]]\nkey = \"s\"\nnote = \"n\"\nen = [\"*forum\"]\n";
    assert!(Codebook::parse(bad, None).is_err());
}

#[test]
fn overlay_patterns_keep_other_dimensions_inside_and_swallow_their_own() {
    let tail = r#"
[[dimensions.differential_institutions.indicators]]
key = "named"
note = "n"
zh = ["纲要"]
patterns = [
  { lang = "zh", label = "《…》", overlay = true, unless = "联合国", regex = "《[^《》]{1,40}》" },
  { lang = "zh", label = "《…纲要》", overlay = true, regex = "《[^《》]{1,40}纲要》" },
]
"#;
    let cb = book(r#"["粮食安全"]"#, "", tail);
    let p = code(&cb, "落实《粮食安全合作纲要》。", Lang::Zh);
    let dims: Vec<(&str, &str)> = p
        .evidence
        .iter()
        .map(|e| (e.dimension.as_str(), e.matched.as_str()))
        .collect();
    // The security term inside the title counts; the two title patterns and the 纲要 inside
    // count once for institutions.
    assert_eq!(
        dims,
        [
            ("differential_institutions", "《粮食安全合作纲要》"),
            ("security_spillover", "粮食安全"),
        ]
    );
    // `unless`: the UN Charter is no SCO instrument.
    let p = code(&cb, "维护《联合国宪章》。", Lang::Zh);
    assert!(p.evidence.is_empty(), "{:?}", p.evidence);
}

#[test]
fn procedural_paragraphs_silence_the_listed_dimensions() {
    let tail = r#"
[procedural]
note = "n"
silences = ["security_spillover"]
patterns = [{ lang = "zh", label = "出席会议", regex = "出席会议。?$" }]
"#;
    let cb = book(r#"["反恐"]"#, "", tail);
    let p = code(&cb, "地区反恐机构主任出席会议。", Lang::Zh);
    assert!(p.labels.is_empty());
    assert!(p.evidence.is_empty());
    assert_eq!(p.procedural.as_deref(), Some("出席会议"));
    let p = code(&cb, "成员国加强反恐合作。", Lang::Zh);
    assert_eq!(p.labels, ["security_spillover"]);
    assert_eq!(p.procedural, None);
}

#[test]
fn the_relative_rule_counts_sentences_not_repetitions() {
    // One sentence lists three institutional terms, another carries one security term: with
    // the sentence cap at 1, both dimensions are carried by one sentence and both are coded;
    // without it the security term is a third of the strongest and is dropped.
    let base = |cap: &str| {
        let s = format!(
            "name = \"t\"\n[scoring]\ncode_threshold = 1.0\nrelative_threshold = 0.5\n{cap}\n\
             [[dimensions.security_spillover.indicators]]\nkey = \"s\"\nnote = \"n\"\nzh = [\"安全\"]\n\
             [[dimensions.recognition.indicators]]\nkey = \"r\"\nnote = \"n\"\nen = [\"zzz\"]\n\
             [[dimensions.balanced_power.indicators]]\nkey = \"b\"\nnote = \"n\"\nen = [\"zzz\"]\n\
             [[dimensions.differential_institutions.indicators]]\nkey = \"d\"\nnote = \"n\"\nzh = [\"协定\", \"纲要\", \"论坛\"]\n\
             [[dimensions.networked_circles.indicators]]\nkey = \"n\"\nnote = \"n\"\nen = [\"zzz\"]\n"
        );
        Codebook::parse(&s, None).unwrap()
    };
    let text = "落实协定、纲要和论坛。加强安全。";
    let capped = code(&base("sentence_cap = 1.0"), text, Lang::Zh);
    assert_eq!(
        capped.labels,
        ["security_spillover", "differential_institutions"]
    );
    let uncapped = code(&base(""), text, Lang::Zh);
    assert_eq!(uncapped.labels, ["differential_institutions"]);
    // min_share still drops a mention far below the strongest.
    let shared = code(&base("sentence_cap = 1.0\nmin_share = 0.5"), text, Lang::Zh);
    assert_eq!(shared.labels, ["differential_institutions"]);
}

#[test]
fn sentence_starts_split_chinese_and_latin_punctuation() {
    assert_eq!(sentence_starts("甲。乙；丙", 10), [10, 12, 14]);
    assert_eq!(sentence_starts("One. Two", 0), [0, 4]);
    // A Latin full stop inside a number or before a Han character.
    assert_eq!(sentence_starts("1.5 亿.二", 0), [0, 6]);
}

#[test]
fn bundled_codebook_two_codes_the_real_patterns() {
    let cb = Codebook::load(None).unwrap();
    let cases = [
        (
            "成员国反对单边主义和保护主义，支持非歧视的多边贸易体制。",
            Lang::Zh,
            "balanced_power",
        ),
        (
            "相关代表团团长强调落实该计划具有重要意义。",
            Lang::Zh,
            "balanced_power",
        ),
        (
            "The member states oppose protectionism and support the multilateral trading system.",
            Lang::En,
            "balanced_power",
        ),
        (
            "Государства-члены поддерживают многостороннюю торговую систему и выступают против протекционизма.",
            Lang::Ru,
            "balanced_power",
        ),
        (
            "The heads of delegations took note of the initiative to establish a working group on poverty reduction.",
            Lang::En,
            "differential_institutions",
        ),
    ];
    for (text, lang, want) in cases {
        let p = code(&cb, text, lang);
        assert!(p.labels.iter().any(|l| l == want), "{text}: {:?}", p.labels);
    }
    // Procedural: attendance of bodies codes nothing in any language.
    for (text, lang) in [
        (
            "上合组织秘书长、上合组织地区反恐怖机构执行委员会主任出席会议。",
            Lang::Zh,
        ),
        (
            "The SCO Secretary-General and the Director of the Executive Committee of the SCO Regional Anti-Terrorist Structure attended the meeting.",
            Lang::En,
        ),
        (
            "В заседании приняли участие Генеральный секретарь ШОС и Директор Исполнительного комитета Региональной антитеррористической структуры ШОС.",
            Lang::Ru,
        ),
    ] {
        let p = code(&cb, text, lang);
        assert!(p.labels.is_empty(), "{text}: {:?}", p.labels);
        assert!(p.procedural.is_some(), "{text}");
    }
    // Word senses: international recognition is acclaim, not recognition.
    let p = code(
        &cb,
        "The exhibition won international recognition.",
        Lang::En,
    );
    assert!(p.labels.is_empty(), "{:?}", p.labels);
}
