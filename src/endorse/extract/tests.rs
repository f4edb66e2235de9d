//! Fixture sentences below are ours, written for these tests in the style of the documents.

use super::*;
use proptest::prelude::*;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn extract(text: &str, lang: Lang, on: &str) -> Vec<Statement> {
    Extractor::bundled().paragraph(text, lang, Some(date(on)))
}

fn quote<'a>(text: &'a str, r: &Range<usize>) -> &'a str {
    &text[r.clone()]
}

fn codes(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn zh_a_list_without_one_member_names_the_absent_one() {
    let t = "哈萨克斯坦共和国、吉尔吉斯共和国、巴基斯坦伊斯兰共和国、俄罗斯联邦、塔吉克斯坦共和国和乌兹别克斯坦共和国重申支持中方提出的“互联互通”倡议，肯定各方为此所做工作。";
    let s = extract(t, Lang::Zh, "2019-06-14");
    assert_eq!(s.len(), 2, "{s:#?}");
    assert_eq!(s[0].subject_kind, SubjectKind::List);
    assert_eq!(
        s[0].subject_states,
        codes(&["KZ", "KG", "PK", "RU", "TJ", "UZ"])
    );
    assert_eq!(quote(t, &s[0].verb), "重申支持");
    assert_eq!(s[0].grade, 5);
    assert_eq!(s[0].object_kind, ObjectKind::Initiative);
    assert_eq!(s[0].proposers, codes(&["CN"]));
    // China proposed it; India is the member missing.
    assert_eq!(s[0].absent, Some(codes(&["IN"])));
    assert!(quote(t, &s[0].object).starts_with("中方提出的"));
    // The second verb opens a clause: the same list is its subject.
    assert_eq!(quote(t, &s[1].verb), "肯定");
    assert!(s[1].subject_carried);
    assert_eq!(s[1].subject_states, s[0].subject_states);
    assert_eq!(s[1].absent, Some(codes(&["IN"])));
}

#[test]
fn zh_an_object_fronted_by_dui_before_biaoshi() {
    let t = "成员国对哈方关于举办上合组织青年论坛的倡议表示欢迎。各方对单边制裁表示不支持。";
    let s = extract(t, Lang::Zh, "2020-11-30");
    assert_eq!(s.len(), 2, "{s:#?}");
    assert_eq!(s[0].subject_kind, SubjectKind::AllMembers);
    assert_eq!(quote(t, &s[0].object), "哈方关于举办上合组织青年论坛的倡议");
    assert_eq!(s[0].proposers, codes(&["KZ"]));
    assert_eq!(s[0].grade, 3);
    assert!(s[1].negated);
    assert_eq!(quote(t, &s[1].object), "单边制裁");
    // Without a subject before `对`, nothing.
    assert!(extract("对单边制裁表示支持。", Lang::Zh, "2020-11-30").is_empty());
}

#[test]
fn zh_an_object_after_a_comma_ends_before_the_next_verb() {
    let t = "团长们强调，继续发展上合组织大学具有重要意义，注意到大学协调委员会会议成果。";
    let s = extract(t, Lang::Zh, "2020-11-30");
    assert_eq!(s.len(), 2, "{s:#?}");
    assert_eq!(quote(t, &s[0].object), "继续发展上合组织大学具有重要意义");
    assert_eq!(quote(t, &s[1].object), "大学协调委员会会议成果");
    assert!(s[1].subject_carried);
}

#[test]
fn zh_a_full_list_has_nobody_absent_and_the_date_decides_who_the_members_were() {
    let t = "中华人民共和国、哈萨克斯坦共和国、吉尔吉斯共和国、俄罗斯联邦、塔吉克斯坦共和国和乌兹别克斯坦共和国支持建立能源俱乐部。";
    let before = extract(t, Lang::Zh, "2010-06-11");
    assert_eq!(before[0].absent, Some(Vec::new()));
    let after = extract(t, Lang::Zh, "2018-06-10");
    assert_eq!(after[0].absent, Some(codes(&["IN", "PK"])));
}

#[test]
fn zh_group_subjects_partial_subjects_and_single_states() {
    let t = "相关代表团团长强调，落实《地区合作联合行动计划》具有重要意义。";
    let s = extract(t, Lang::Zh, "2020-11-30");
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].subject_kind, SubjectKind::Partial);
    assert_eq!(quote(t, &s[0].subject), "相关代表团团长");
    assert_eq!(s[0].absent, None);
    assert_eq!(s[0].object_kind, ObjectKind::Document);
    assert!(quote(t, &s[0].object).starts_with("落实《"));

    let t = "各代表团团长注意到哈方关于举办上合组织青年论坛的倡议。";
    let s = extract(t, Lang::Zh, "2020-11-30");
    assert_eq!(s[0].subject_kind, SubjectKind::HeadsOfDelegation);
    assert_eq!(s[0].grade, 1);
    assert_eq!(s[0].proposers, codes(&["KZ"]));
    assert_eq!(s[0].absent, Some(Vec::new()));

    let t = "俄方欢迎成员国关于深化地方合作的建议。";
    let s = extract(t, Lang::Zh, "2020-11-30");
    assert_eq!(s[0].subject_kind, SubjectKind::Single);
    assert_eq!(s[0].subject_states, codes(&["RU"]));
    assert_eq!(s[0].object_kind, ObjectKind::Proposal);
    assert_eq!(s[0].absent, None);
}

#[test]
fn zh_negation_and_what_is_no_statement() {
    let t = "成员国不支持以任何借口采取单边制裁。";
    let s = extract(t, Lang::Zh, "2020-11-30");
    assert_eq!(s.len(), 1);
    assert!(s[0].negated);
    assert_eq!(s[0].subject_kind, SubjectKind::AllMembers);
    // A noun, a phrase without a subject, a supported-by phrase, `强调` without its cue.
    for t in [
        "提高中小微企业多边合作支持措施的有效性。",
        "支持各国自主选择发展道路。",
        "在中方支持下举行了论坛。",
        "各代表团团长强调，改善民生是首要任务之一。",
        "本段没有任何表态。",
    ] {
        assert!(extract(t, Lang::Zh, "2020-11-30").is_empty(), "{t}");
    }
}

#[test]
fn zh_a_clause_opening_with_a_verb_takes_the_sentence_subject() {
    let t = "各代表团团长表示将积极落实会议成果，支持塔吉克斯坦共和国担任轮值主席国。";
    let s = extract(t, Lang::Zh, "2020-11-30");
    assert_eq!(s.len(), 1);
    assert!(s[0].subject_carried);
    assert_eq!(s[0].subject_kind, SubjectKind::HeadsOfDelegation);
    assert_eq!(quote(t, &s[0].object), "塔吉克斯坦共和国担任轮值主席国");
}

#[test]
fn ru_lists_sides_and_grades() {
    let t = "Республика Казахстан, Кыргызская Республика, Исламская Республика Пакистан, Российская Федерация, Республика Таджикистан и Республика Узбекистан вновь подтверждают поддержку инициативы Китайской Народной Республики о сопряжении.";
    let s = extract(t, Lang::Ru, "2019-06-14");
    assert_eq!(s.len(), 1, "{s:#?}");
    assert_eq!(s[0].subject_kind, SubjectKind::List);
    assert_eq!(
        s[0].subject_states,
        codes(&["KZ", "KG", "PK", "RU", "TJ", "UZ"])
    );
    assert_eq!(s[0].grade, 5);
    assert_eq!(s[0].proposers, codes(&["CN"]));
    assert_eq!(s[0].absent, Some(codes(&["IN"])));

    let t = "Главы делегаций приняли к сведению инициативу казахстанской стороны о проведении форума. Государства-члены не поддерживают односторонние санкции.";
    let s = extract(t, Lang::Ru, "2020-11-30");
    assert_eq!(s.len(), 2, "{s:#?}");
    assert_eq!(s[0].subject_kind, SubjectKind::HeadsOfDelegation);
    assert_eq!(s[0].grade, 1);
    assert_eq!(s[0].proposers, codes(&["KZ"]));
    assert!(s[1].negated && s[1].subject_kind == SubjectKind::AllMembers);

    let t = "Заинтересованные государства-члены приветствуют проведение фестиваля.";
    let s = extract(t, Lang::Ru, "2020-11-30");
    assert_eq!(s[0].subject_kind, SubjectKind::Partial);
    assert_eq!(s[0].object_kind, ObjectKind::Event);
}

#[test]
fn en_lists_sides_negation_and_carried_subjects() {
    let t = "Kazakhstan, Kyrgyzstan, Pakistan, Russia, Tajikistan and Uzbekistan reaffirmed their support for the Belt and Road Initiative put forward by China.";
    let s = extract(t, Lang::En, "2019-06-14");
    assert_eq!(s.len(), 1, "{s:#?}");
    assert_eq!(
        s[0].subject_states,
        codes(&["KZ", "KG", "PK", "RU", "TJ", "UZ"])
    );
    assert_eq!(s[0].grade, 5);
    assert_eq!(s[0].proposers, codes(&["CN"]));
    assert_eq!(s[0].absent, Some(codes(&["IN"])));

    let t = "The Heads of Delegation noted the Kazakh side's initiative to hold a youth forum, and welcomed the outcome of the meeting of ministers.";
    let s = extract(t, Lang::En, "2020-11-30");
    assert_eq!(s.len(), 2, "{s:#?}");
    assert_eq!(s[0].grade, 1);
    assert_eq!(s[0].proposers, codes(&["KZ"]));
    assert!(s[1].subject_carried && s[1].grade == 3);
    assert_eq!(s[1].object_kind, ObjectKind::Event);

    let t = "Some member states do not support the proposal. The heads of delegation noted that cooperation matters.";
    let s = extract(t, Lang::En, "2020-11-30");
    assert_eq!(s.len(), 1, "{s:#?}");
    assert!(s[0].negated);
    assert_eq!(s[0].subject_kind, SubjectKind::Partial);
}

#[test]
fn en_and_ru_objects_end_before_the_next_verb_and_its_joining_word() {
    let t = "The member states support the initiative and welcome the forum.";
    let s = extract(t, Lang::En, "2020-11-30");
    assert_eq!(s.len(), 2, "{s:#?}");
    assert_eq!(quote(t, &s[0].object), "the initiative");
    assert!(s[1].subject_carried);
    let t = "Государства – члены ШОС поддерживают инициативу и приветствуют проведение форума.";
    let s = extract(t, Lang::Ru, "2020-11-30");
    assert_eq!(s.len(), 2, "{s:#?}");
    assert_eq!(s[0].subject_kind, SubjectKind::AllMembers);
    assert_eq!(quote(t, &s[0].object), "инициативу");
    assert_eq!(s[1].object_kind, ObjectKind::Event);
}

/// The development set: a real communiqué, read from `../shared` at test time.
#[test]
fn the_2020_communique_unit_19_lists_six_members_without_india_and_unit_37_is_partial() {
    let dir = std::env::var_os("SCOWAY_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let path = dir.join("gold/real/chg-2020-communique.zh.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "this test needs {} (the shared data beside the repository; set SCOWAY_SHARED): {e}",
            path.display()
        )
    });
    let units: Vec<serde_json::Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let unit = |n: u64| -> String {
        let u = units
            .iter()
            .find(|u| u["para"].as_u64() == Some(n))
            .unwrap_or_else(|| panic!("unit {n} missing from {}", path.display()));
        let (normalised, _) = crate::text::normalize_detecting(u["text"].as_str().unwrap());
        normalised
    };
    let on = date("2020-11-30");
    let ex = Extractor::bundled();

    let t19 = unit(19);
    let s = ex.paragraph(&t19, Lang::Zh, Some(on));
    let first = s.first().expect("unit 19 has a statement");
    assert_eq!(first.subject_kind, SubjectKind::List);
    assert_eq!(first.subject_states.len(), 6);
    assert!(!first.subject_states.contains(&"IN".to_string()));
    assert_eq!(&t19[first.verb.clone()], "重申支持");
    assert_eq!(first.proposers, codes(&["CN"]));
    assert_eq!(first.absent, Some(codes(&["IN"])));

    let t37 = unit(37);
    let s = ex.paragraph(&t37, Lang::Zh, Some(on));
    assert_eq!(s.len(), 1, "{s:#?}");
    assert_eq!(s[0].subject_kind, SubjectKind::Partial);
    assert_eq!(&t37[s[0].subject.clone()], "相关代表团团长");

    // Unit 20: the member states note a Russian initiative.
    let t20 = unit(20);
    let s = ex.paragraph(&t20, Lang::Zh, Some(on));
    let note = s
        .iter()
        .find(|s| s.grade == 1)
        .expect("unit 20 notes an initiative");
    assert_eq!(note.subject_kind, SubjectKind::AllMembers);
    assert_eq!(note.proposers, codes(&["RU"]));
    // The attendance paragraphs say nothing of the kind.
    for n in [1, 2, 3, 4] {
        assert!(
            ex.paragraph(&unit(n), Lang::Zh, Some(on)).is_empty(),
            "unit {n}"
        );
    }
}

proptest! {
    #[test]
    fn extraction_never_panics_and_spans_are_char_boundaries(
        s in "(\\PC|各代表团团长|成员国|支持|注意到|不|哈方|、|，|。|the |member states |support |not |, |and )*",
        lang in prop_oneof![Just(Lang::Zh), Just(Lang::Ru), Just(Lang::En)],
    ) {
        let ex = Extractor::bundled();
        for st in ex.paragraph(&s, lang, Some(date("2020-01-01"))) {
            for r in [&st.subject, &st.verb, &st.object] {
                prop_assert!(r.start <= r.end && r.end <= s.len());
                prop_assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
            }
            prop_assert!(st.verb.start < st.verb.end);
        }
    }
}
