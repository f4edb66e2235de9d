//! Finding endorsement statements in a paragraph.
//!
//! How a paragraph is read (the rules in prose are in `docs/endorsements.md`):
//!
//! 1. Every verb of the verb table, every form of every state of the membership table and
//!    every group phrase ("各代表团团长", "member states", "заинтересованные государства-члены")
//!    is found in the paragraph (Russian and English without case, on word boundaries). Verbs
//!    overlapping each other are reduced leftmost-longest: `重申支持` is one verb, not `支持`.
//! 2. The subject of a verb is what ends right before it, once adverbs (`一致`, `also`,
//!    `также`) and a negation (`不`, `do not`, `не`) are set aside: a group phrase, or one or
//!    more state names joined by `、`, `和`, `,`, `and`, `и` (a single state or a named list).
//!    When the verb opens a clause (after `，`, `;`, `and`, `并`), the subject is the one already
//!    given in the same sentence: that of the previous statement, or a group phrase opening an
//!    earlier clause. Anything else (`多边合作支持措施`) is no statement: a subject is never
//!    guessed.
//! 3. The object runs from the verb to the end of its clause (Chinese: `，；：。`; Russian and
//!    English: `;`, `, and`, the next verb or the end of the sentence). A verb right before
//!    `，` takes the rest of the sentence (`强调，……具有重要意义`). Its kind comes from its words
//!    (`倡议` initiative, `建议` proposal, `《》` document, `会议` event ...), its proposers from
//!    the states named in it with a proposer's mark (`中方提出的`, `哈方关于`, `put forward by`,
//!    `the Kazakh side's`, `инициативу Республики Таджикистан`).
//!
//! Offsets are byte offsets into the paragraph text given, always on char boundaries.

use super::membership::Membership;
use super::verbs::{Strength, VerbTable};
use crate::corpus::document::Lang;
use aho_corasick::AhoCorasick;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ops::Range;

/// Who endorses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// The member states as a whole (`成员国`, `各方`, `member states`).
    AllMembers,
    /// The heads of delegation (`各代表团团长`, `团长们`): every member present.
    HeadsOfDelegation,
    /// Some members, unnamed (`相关代表团团长`, `some member states`).
    Partial,
    /// Two or more states named.
    List,
    /// One state (`中方`, `the Kazakh side`).
    Single,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::AllMembers => "all_members",
            SubjectKind::HeadsOfDelegation => "heads_of_delegation",
            SubjectKind::Partial => "partial",
            SubjectKind::List => "list",
            SubjectKind::Single => "single",
        }
    }

    /// Whether every member state on the date is meant.
    pub fn is_everyone(self) -> bool {
        matches!(
            self,
            SubjectKind::AllMembers | SubjectKind::HeadsOfDelegation
        )
    }
}

/// What is endorsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Initiative,
    Proposal,
    Document,
    Event,
    Other,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Initiative => "initiative",
            ObjectKind::Proposal => "proposal",
            ObjectKind::Document => "document",
            ObjectKind::Event => "event",
            ObjectKind::Other => "other",
        }
    }
}

/// One endorsement statement of a paragraph; spans are byte ranges of the paragraph text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub subject_kind: SubjectKind,
    pub subject: Range<usize>,
    /// The states of a list or a single-state subject (codes, in the order of the text).
    pub subject_states: Vec<String>,
    /// The subject was given earlier in the sentence (the verb opens a clause).
    pub subject_carried: bool,
    /// Members on the date neither in a list subject nor proposers of the object; empty when
    /// everyone endorses; `None` when it cannot be said (a single state, an unnamed part, or
    /// no date).
    pub absent: Option<Vec<String>>,
    pub verb: Range<usize>,
    pub verb_label: String,
    pub grade: u8,
    pub strength: Strength,
    pub negated: bool,
    pub object: Range<usize>,
    pub object_kind: ObjectKind,
    /// Codes of the states named as proposers of the object.
    pub proposers: Vec<String>,
}

/// Group phrases: who, without naming states.
const GROUPS_ZH: &[(&str, SubjectKind)] = &[
    ("成员国", SubjectKind::AllMembers),
    ("各成员国", SubjectKind::AllMembers),
    ("上合组织成员国", SubjectKind::AllMembers),
    ("上海合作组织成员国", SubjectKind::AllMembers),
    ("本组织成员国", SubjectKind::AllMembers),
    ("各方", SubjectKind::AllMembers),
    ("成员国元首", SubjectKind::AllMembers),
    ("各成员国元首", SubjectKind::AllMembers),
    ("元首们", SubjectKind::AllMembers),
    ("成员国领导人", SubjectKind::AllMembers),
    ("各代表团团长", SubjectKind::HeadsOfDelegation),
    ("各国代表团团长", SubjectKind::HeadsOfDelegation),
    ("代表团团长们", SubjectKind::HeadsOfDelegation),
    ("团长们", SubjectKind::HeadsOfDelegation),
    ("相关代表团团长", SubjectKind::Partial),
    ("有关代表团团长", SubjectKind::Partial),
    ("部分代表团团长", SubjectKind::Partial),
    ("一些代表团团长", SubjectKind::Partial),
    ("相关成员国", SubjectKind::Partial),
    ("有关成员国", SubjectKind::Partial),
    ("部分成员国", SubjectKind::Partial),
    ("一些成员国", SubjectKind::Partial),
    ("相关国家", SubjectKind::Partial),
    ("有关国家", SubjectKind::Partial),
];

const GROUPS_EN: &[(&str, SubjectKind)] = &[
    ("member states", SubjectKind::AllMembers),
    ("sco member states", SubjectKind::AllMembers),
    ("member states of the sco", SubjectKind::AllMembers),
    (
        "member states of the shanghai cooperation organisation",
        SubjectKind::AllMembers,
    ),
    (
        "member states of the shanghai cooperation organization",
        SubjectKind::AllMembers,
    ),
    ("the parties", SubjectKind::AllMembers),
    ("the sides", SubjectKind::AllMembers),
    ("heads of state", SubjectKind::AllMembers),
    ("heads of delegation", SubjectKind::HeadsOfDelegation),
    ("heads of delegations", SubjectKind::HeadsOfDelegation),
    ("some member states", SubjectKind::Partial),
    ("several member states", SubjectKind::Partial),
    ("interested member states", SubjectKind::Partial),
    ("relevant member states", SubjectKind::Partial),
    ("member states concerned", SubjectKind::Partial),
    ("some heads of delegation", SubjectKind::Partial),
    (
        "heads of delegation of the interested member states",
        SubjectKind::Partial,
    ),
    (
        "heads of delegation of interested member states",
        SubjectKind::Partial,
    ),
    ("relevant heads of delegation", SubjectKind::Partial),
];

const GROUPS_RU: &[(&str, SubjectKind)] = &[
    ("государства-члены", SubjectKind::AllMembers),
    ("государства-члены шос", SubjectKind::AllMembers),
    ("государства – члены", SubjectKind::AllMembers),
    ("государства – члены шос", SubjectKind::AllMembers),
    ("государства-члены организации", SubjectKind::AllMembers),
    ("стороны", SubjectKind::AllMembers),
    ("главы государств-членов", SubjectKind::AllMembers),
    ("главы государств", SubjectKind::AllMembers),
    ("главы делегаций", SubjectKind::HeadsOfDelegation),
    ("заинтересованные государства-члены", SubjectKind::Partial),
    ("ряд государств-членов", SubjectKind::Partial),
    ("некоторые государства-члены", SubjectKind::Partial),
    (
        "главы делегаций заинтересованных государств-членов",
        SubjectKind::Partial,
    ),
    ("заинтересованные стороны", SubjectKind::Partial),
];

/// Adverbs and auxiliaries between a subject and its verb.
const FILLERS_ZH: &[&str] = &[
    "一致",
    "均",
    "都",
    "也",
    "还",
    "再次",
    "继续",
    "将",
    "愿",
    "表示",
    "进一步",
    "同时",
    "充分",
    "坚定",
    "全力",
    "高度",
    "积极",
    "热烈",
    "一贯",
    "始终",
];
const FILLERS_EN: &[&str] = &[
    "also",
    "further",
    "again",
    "once again",
    "fully",
    "strongly",
    "firmly",
    "warmly",
    "unanimously",
    "will",
    "would",
    "shall",
    "continue to",
    "do",
    "does",
    "did",
    "have",
    "has",
    "consistently",
    "jointly",
    "therefore",
];
const FILLERS_RU: &[&str] = &[
    "также",
    "полностью",
    "решительно",
    "твердо",
    "твёрдо",
    "единогласно",
    "неизменно",
    "активно",
    "и впредь",
    "будут",
    "всецело",
];
const NEGATIONS_ZH: &[&str] = &["不", "并不", "未", "没有", "尚未"];
const NEGATIONS_EN: &[&str] = &["not", "cannot", "never"];
const NEGATIONS_RU: &[&str] = &["не"];
/// Words that open a new clause sharing the sentence's subject.
const CLAUSE_WORDS_ZH: &[&str] = &["并", "并且", "同时"];
const CLAUSE_WORDS_EN: &[&str] = &["and", "but"];
const CLAUSE_WORDS_RU: &[&str] = &["и", "а также"];
/// Separators of a list of states.
const LIST_SEPARATORS_ZH: &[&str] = &["、", "和", "以及", "及", "与", "同"];
const LIST_SEPARATORS_EN: &[&str] = &[", and", ",", "and"];
const LIST_SEPARATORS_RU: &[&str] = &[",", "и"];

/// Object kinds by their words, in order of precedence (an initiative to hold a meeting is an
/// initiative).
const KINDS: &[(ObjectKind, &[&str])] = &[
    (ObjectKind::Initiative, &["倡议", "initiative", "инициатив"]),
    (
        ObjectKind::Proposal,
        &["建议", "提议", "proposal", "предложени"],
    ),
    (
        ObjectKind::Document,
        &[
            "《",
            "》",
            "纲要",
            "计划",
            "构想",
            "协定",
            "协议",
            "宣言",
            "声明",
            "备忘录",
            "agreement",
            "programme",
            "program",
            "plan",
            "concept",
            "declaration",
            "statement",
            "memorandum",
            "strategy",
            "charter",
            "соглашени",
            "программ",
            "план",
            "концепци",
            "деклараци",
            "заявлени",
            "меморандум",
            "стратеги",
            "хартия",
        ],
    ),
    (
        ObjectKind::Event,
        &[
            "会议",
            "论坛",
            "峰会",
            "会晤",
            "活动",
            "展览",
            "节",
            "运动会",
            "演习",
            "meeting",
            "forum",
            "summit",
            "conference",
            "festival",
            "exhibition",
            "games",
            "exercise",
            "встреч",
            "форум",
            "заседани",
            "саммит",
            "конференци",
            "фестивал",
            "выставк",
            "учени",
        ],
    ),
];

struct VerbEntry {
    grade: u8,
    label: String,
    strength: Strength,
    requires: Vec<String>,
    unless: Vec<String>,
}

/// Dictionaries of one language.
struct LangTables {
    lang: Lang,
    verbs: Option<AhoCorasick>,
    verb_entries: Vec<VerbEntry>,
    /// State forms and group phrases in one automaton: `who[i]` says which is which.
    who: Option<AhoCorasick>,
    who_entries: Vec<Who>,
}

#[derive(Debug, Clone)]
enum Who {
    State(String),
    Group(SubjectKind),
}

/// The extractor: the membership and verb tables, compiled.
pub struct Extractor {
    membership: Membership,
    tables: [LangTables; 3],
}

fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::Zh => 0,
        Lang::Ru => 1,
        Lang::En => 2,
    }
}

/// Lower-cases `s` char by char where that keeps the char's UTF-8 length, and turns line
/// breaks into spaces, so that byte offsets in the result are byte offsets in `s`.
pub fn fold_case(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '\n' || c == '\r' || c == '\t' {
                return ' ';
            }
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) if l.len_utf8() == c.len_utf8() => l,
                _ => c,
            }
        })
        .collect()
}

impl Extractor {
    /// The extractor of the bundled tables.
    pub fn bundled() -> Extractor {
        Extractor::new(Membership::bundled(), &VerbTable::bundled())
    }

    pub fn new(membership: Membership, verbs: &VerbTable) -> Extractor {
        let build = |lang: Lang| -> LangTables {
            let mut verb_patterns = Vec::new();
            let mut verb_entries = Vec::new();
            for v in verbs.of(lang) {
                verb_patterns.push(v.phrase.clone());
                verb_entries.push(VerbEntry {
                    grade: v.grade,
                    label: v.label.clone(),
                    strength: v.strength,
                    requires: v.requires.clone(),
                    unless: v.unless.clone(),
                });
            }
            let mut who_patterns = Vec::new();
            let mut who_entries = Vec::new();
            for state in &membership.states {
                for form in state.forms(lang) {
                    who_patterns.push(fold(lang, form));
                    who_entries.push(Who::State(state.code.clone()));
                }
            }
            let groups = match lang {
                Lang::Zh => GROUPS_ZH,
                Lang::Ru => GROUPS_RU,
                Lang::En => GROUPS_EN,
            };
            for (phrase, kind) in groups {
                who_patterns.push(fold(lang, phrase));
                who_entries.push(Who::Group(*kind));
            }
            let automaton = |patterns: &[String]| {
                let patterns: Vec<&String> = patterns.iter().filter(|p| !p.is_empty()).collect();
                if patterns.is_empty() {
                    None
                } else {
                    AhoCorasick::new(patterns).ok()
                }
            };
            // Empty patterns were left out of the automata: keep the entries in step.
            let verb_entries = verb_patterns
                .iter()
                .zip(verb_entries)
                .filter(|(p, _)| !p.is_empty())
                .map(|(_, e)| e)
                .collect();
            let who_entries = who_patterns
                .iter()
                .zip(who_entries)
                .filter(|(p, _)| !p.is_empty())
                .map(|(_, e)| e)
                .collect();
            LangTables {
                lang,
                verbs: automaton(&verb_patterns),
                verb_entries,
                who: automaton(&who_patterns),
                who_entries,
            }
        };
        let tables = [build(Lang::Zh), build(Lang::Ru), build(Lang::En)];
        Extractor { membership, tables }
    }

    pub fn membership(&self) -> &Membership {
        &self.membership
    }

    /// The endorsement statements of one paragraph (its normalised text), in text order.
    /// `date` (the document's) tells who the members were, for the absent members of a list.
    pub fn paragraph(&self, text: &str, lang: Lang, date: Option<NaiveDate>) -> Vec<Statement> {
        let t = &self.tables[lang_index(lang)];
        let Some(verbs_ac) = &t.verbs else {
            return Vec::new();
        };
        let view = fold(lang, text);
        let bounded = |r: &Range<usize>| lang == Lang::Zh || on_word_boundaries(&view, r);

        // Verbs, leftmost-longest among those on word boundaries.
        let mut verb_hits: Vec<(Range<usize>, usize)> = verbs_ac
            .find_overlapping_iter(&view)
            .map(|m| (m.range(), m.pattern().as_usize()))
            .filter(|(r, _)| bounded(r))
            .collect();
        verb_hits.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
        let mut verbs: Vec<(Range<usize>, usize)> = Vec::new();
        for (r, i) in verb_hits {
            if verbs.last().is_none_or(|(last, _)| r.start >= last.end) {
                verbs.push((r, i));
            }
        }
        if verbs.is_empty() {
            return Vec::new();
        }

        // State forms and group phrases, the longest at each end and at each start.
        let mut who_by_end: HashMap<usize, (usize, Who)> = HashMap::new();
        let mut who_by_start: HashMap<usize, (usize, Who)> = HashMap::new();
        let mut states_in_text: Vec<(Range<usize>, String)> = Vec::new();
        if let Some(who_ac) = &t.who {
            for m in who_ac.find_overlapping_iter(&view) {
                let r = m.range();
                if !bounded(&r) {
                    continue;
                }
                let Some(who) = t.who_entries.get(m.pattern().as_usize()) else {
                    continue;
                };
                if who_by_end
                    .get(&r.end)
                    .is_none_or(|(start, _)| r.start < *start)
                {
                    who_by_end.insert(r.end, (r.start, who.clone()));
                }
                if who_by_start
                    .get(&r.start)
                    .is_none_or(|(end, _)| r.end > *end)
                {
                    who_by_start.insert(r.start, (r.end, who.clone()));
                }
                if let Who::State(code) = who {
                    states_in_text.push((r, code.clone()));
                }
            }
        }
        // Nested forms (`印度` inside `印度共和国`) are one mention.
        states_in_text.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
        let mut mentions: Vec<(Range<usize>, String)> = Vec::new();
        for (r, code) in states_in_text {
            if mentions.last().is_none_or(|(last, _)| r.start >= last.end) {
                mentions.push((r, code));
            }
        }

        let sentences = crate::text::sentence_spans(text);
        let mut out: Vec<Statement> = Vec::new();
        for (k, (verb, entry_index)) in verbs.iter().enumerate() {
            let Some(entry) = t.verb_entries.get(*entry_index) else {
                continue;
            };
            let sentence = sentences
                .iter()
                .find(|s| s.start <= verb.start && verb.end <= s.end)
                .cloned()
                .unwrap_or(0..text.len());
            let after = &view[verb.end..];
            if entry.unless.iter().any(|u| {
                after.trim_start().starts_with(u.as_str())
                    && follows_word(t.lang, after.trim_start(), u)
            }) {
                continue;
            }
            let rest_of_sentence = &view[verb.end..sentence.end.max(verb.end)];
            if !entry.requires.is_empty()
                && !entry
                    .requires
                    .iter()
                    .any(|c| rest_of_sentence.contains(c.as_str()))
            {
                continue;
            }

            // What ends right before the verb.
            let (p, mut negated) = skip_back(t.lang, &view, sentence.start, verb.start);
            let mut subject = subject_ending_at(t.lang, &view, &who_by_end, sentence.start, p);
            // `成员国对……表示支持`: the object stands between `对` and `表示`.
            let mut fronted_object = None;
            if subject.is_none()
                && t.lang == Lang::Zh
                && let Some((object, before)) = fronted(&view, sentence.start, verb.start)
            {
                let (q, negation) = skip_back(t.lang, &view, sentence.start, before);
                subject = subject_ending_at(t.lang, &view, &who_by_end, sentence.start, q);
                negated ^= negation;
                fronted_object = subject.as_ref().map(|_| object);
            }
            let mut carried = false;
            if subject.is_none() && opens_clause(t.lang, &view, sentence.start, p) {
                carried = true;
                subject = carried_subject(
                    t.lang,
                    &view,
                    &who_by_start,
                    &out,
                    sentence.clone(),
                    verb.start,
                );
            }
            let Some((subject_kind, subject_span, subject_states)) = subject else {
                continue;
            };

            let next_verb = verbs.get(k + 1).map(|(r, _)| r.start);
            let object = fronted_object.unwrap_or_else(|| {
                object_span(t.lang, text, &view, verb.end, sentence.end, next_verb)
            });
            let object_text = &view[object.clone()];
            let object_kind = KINDS
                .iter()
                .find(|(_, words)| words.iter().any(|w| object_text.contains(w)))
                .map_or(ObjectKind::Other, |(kind, _)| *kind);
            let proposers = proposers(t.lang, &view, &object, object_kind, &mentions);

            // A subject carried from an earlier statement leaves out what that statement's
            // object's proposers left out ("……重申支持中方提出的倡议，肯定……").
            let excused: Vec<String> = if carried {
                out.iter()
                    .rev()
                    .find(|s| s.subject == subject_span && s.verb.start < verb.start)
                    .map(|s| s.proposers.clone())
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            let absent = match (subject_kind, date) {
                (SubjectKind::List, Some(date)) => Some(
                    self.membership
                        .members_on(date)
                        .into_iter()
                        // The proposer of the object is not missing from its endorsement.
                        .filter(|m| {
                            !subject_states.iter().any(|s| s == m)
                                && !proposers.iter().any(|s| s == m)
                                && !excused.iter().any(|s| s == m)
                        })
                        .map(str::to_string)
                        .collect(),
                ),
                (kind, _) if kind.is_everyone() => Some(Vec::new()),
                _ => None,
            };
            out.push(Statement {
                subject_kind,
                subject: subject_span,
                subject_states,
                subject_carried: carried,
                absent,
                verb: verb.clone(),
                verb_label: entry.label.clone(),
                grade: entry.grade,
                strength: entry.strength,
                negated,
                object,
                object_kind,
                proposers,
            });
        }
        out
    }
}

fn fold(lang: Lang, s: &str) -> String {
    match lang {
        Lang::Zh => s
            .chars()
            .map(|c| {
                if c == '\n' || c == '\r' || c == '\t' {
                    ' '
                } else {
                    c
                }
            })
            .collect(),
        Lang::Ru | Lang::En => fold_case(s),
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-'
}

fn on_word_boundaries(view: &str, r: &Range<usize>) -> bool {
    let before = view[..r.start].chars().next_back();
    let after = view[r.end..].chars().next();
    !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
}

/// Whether `word`, at the start of `s`, ends there as a word (always for Chinese).
fn follows_word(lang: Lang, s: &str, word: &str) -> bool {
    lang == Lang::Zh || !s[word.len()..].chars().next().is_some_and(is_word_char)
}

/// Whether `view[..end]` ends with `word`, and (ru, en) the word starts a word.
fn ends_with_word(lang: Lang, view: &str, floor: usize, end: usize, word: &str) -> Option<usize> {
    let head = &view[floor..end];
    if !head.ends_with(word) {
        return None;
    }
    let start = end - word.len();
    if lang != Lang::Zh && view[..start].chars().next_back().is_some_and(is_word_char) {
        return None;
    }
    Some(start)
}

fn trim_back(view: &str, floor: usize, mut p: usize) -> usize {
    while p > floor {
        match view[..p].chars().next_back() {
            Some(c) if c.is_whitespace() => p -= c.len_utf8(),
            _ => break,
        }
    }
    p
}

/// Steps back from `p` over spaces, adverbs and a negation; returns where the subject must
/// end and whether the verb is negated.
fn skip_back(lang: Lang, view: &str, floor: usize, mut p: usize) -> (usize, bool) {
    let (fillers, negations) = match lang {
        Lang::Zh => (FILLERS_ZH, NEGATIONS_ZH),
        Lang::Ru => (FILLERS_RU, NEGATIONS_RU),
        Lang::En => (FILLERS_EN, NEGATIONS_EN),
    };
    let mut negated = false;
    loop {
        p = trim_back(view, floor, p);
        let longest = |words: &[&str]| {
            words
                .iter()
                .filter_map(|w| ends_with_word(lang, view, floor, p, w))
                .min()
        };
        if let Some(start) = longest(negations) {
            negated = !negated;
            p = start;
        } else if let Some(start) = longest(fillers) {
            p = start;
        } else {
            return (p, negated);
        }
    }
}

/// For `……对X表示支持`: the span of X and where `对` starts, when the verb follows `表示` and
/// a `对` opens the object in the same clause.
fn fronted(view: &str, floor: usize, verb_start: usize) -> Option<(Range<usize>, usize)> {
    let mut p = trim_back(view, floor, verb_start);
    for negation in NEGATIONS_ZH {
        if view[floor..p].ends_with(negation) {
            p -= negation.len();
            break;
        }
    }
    let express = view[floor..p].strip_suffix("表示")?;
    let express_start = floor + express.len();
    let clause_start = express
        .rfind(['，', '；', '：'])
        .map_or(floor, |i| floor + i + '，'.len_utf8());
    let dui = view[clause_start..express_start].find('对')? + clause_start;
    let object_start = dui + '对'.len_utf8();
    let object_end = trim_back(view, object_start, express_start);
    (object_end > object_start).then_some((object_start..object_end, dui))
}

/// The subject ending at `p`: a group phrase, or states joined into a list.
fn subject_ending_at(
    lang: Lang,
    view: &str,
    who_by_end: &HashMap<usize, (usize, Who)>,
    floor: usize,
    p: usize,
) -> Option<(SubjectKind, Range<usize>, Vec<String>)> {
    let (start, who) = who_by_end.get(&p)?;
    if *start < floor {
        return None;
    }
    match who {
        Who::Group(kind) => Some((*kind, *start..p, Vec::new())),
        Who::State(code) => {
            let mut states = vec![code.clone()];
            let mut first = *start;
            let separators = match lang {
                Lang::Zh => LIST_SEPARATORS_ZH,
                Lang::Ru => LIST_SEPARATORS_RU,
                Lang::En => LIST_SEPARATORS_EN,
            };
            loop {
                let mut q = first;
                if lang == Lang::En {
                    q = trim_back(view, floor, q);
                    if let Some(s) = ends_with_word(lang, view, floor, q, "the") {
                        q = s;
                    }
                }
                q = trim_back(view, floor, q);
                let Some(sep_start) = separators
                    .iter()
                    .filter_map(|s| ends_with_word_or_punct(lang, view, floor, q, s))
                    .min()
                else {
                    break;
                };
                let mut r = trim_back(view, floor, sep_start);
                // `, and` may also be written `and` after a comma-less series.
                if lang == Lang::En
                    && let Some(s) = ends_with_word(lang, view, floor, r, "the")
                {
                    r = trim_back(view, floor, s);
                }
                match who_by_end.get(&r) {
                    Some((s, Who::State(code))) if *s >= floor => {
                        states.push(code.clone());
                        first = *s;
                    }
                    _ => break,
                }
            }
            states.reverse();
            states.dedup();
            let kind = if states.len() > 1 {
                SubjectKind::List
            } else {
                SubjectKind::Single
            };
            Some((kind, first..p, states))
        }
    }
}

fn ends_with_word_or_punct(
    lang: Lang,
    view: &str,
    floor: usize,
    end: usize,
    sep: &str,
) -> Option<usize> {
    if sep.chars().all(char::is_alphanumeric) {
        ends_with_word(lang, view, floor, end, sep)
    } else {
        view[floor..end].ends_with(sep).then(|| end - sep.len())
    }
}

/// Whether the verb at `p` opens a clause (sentence start, after a comma, `and`, `并` ...).
fn opens_clause(lang: Lang, view: &str, floor: usize, p: usize) -> bool {
    let p = trim_back(view, floor, p);
    if p <= floor {
        return true;
    }
    if let Some(c) = view[..p].chars().next_back()
        && matches!(c, '，' | '；' | '：' | ',' | ';' | ':')
    {
        return true;
    }
    let words = match lang {
        Lang::Zh => CLAUSE_WORDS_ZH,
        Lang::Ru => CLAUSE_WORDS_RU,
        Lang::En => CLAUSE_WORDS_EN,
    };
    words
        .iter()
        .any(|w| ends_with_word(lang, view, floor, p, w).is_some())
}

/// The subject already given in the sentence: that of the previous statement, or a group
/// phrase opening a clause, whichever comes last before the verb.
fn carried_subject(
    lang: Lang,
    view: &str,
    who_by_start: &HashMap<usize, (usize, Who)>,
    earlier: &[Statement],
    sentence: Range<usize>,
    verb_start: usize,
) -> Option<(SubjectKind, Range<usize>, Vec<String>)> {
    let previous = earlier
        .iter()
        .rev()
        .find(|s| s.subject.start >= sentence.start && s.verb.start < verb_start)
        .map(|s| (s.subject_kind, s.subject.clone(), s.subject_states.clone()));
    let mut clause_group: Option<(SubjectKind, Range<usize>, Vec<String>)> = None;
    let mut clause_start = sentence.start;
    let head = &view[sentence.start..verb_start];
    let mut starts = vec![sentence.start];
    for (i, c) in head.char_indices() {
        if matches!(c, '，' | '；' | '：' | ',' | ';' | ':') {
            starts.push(sentence.start + i + c.len_utf8());
        }
    }
    for s in starts {
        let mut at = s;
        while let Some(c) = view[at..].chars().next() {
            if c.is_whitespace() {
                at += c.len_utf8();
            } else {
                break;
            }
        }
        if lang == Lang::En && view[at..].starts_with("the ") {
            at += 4;
        }
        if let Some((end, Who::Group(kind))) = who_by_start.get(&at)
            && *end <= verb_start
        {
            clause_group = Some((*kind, at..*end, Vec::new()));
            clause_start = at;
        }
    }
    match (previous, clause_group) {
        (Some(p), Some(g)) => Some(if g.1.start > p.1.start && clause_start > p.1.start {
            g
        } else {
            p
        }),
        (p, g) => p.or(g),
    }
}

/// The object: from the verb to the end of its clause.
fn object_span(
    lang: Lang,
    text: &str,
    view: &str,
    verb_end: usize,
    sentence_end: usize,
    next_verb: Option<usize>,
) -> Range<usize> {
    let sentence_end = sentence_end.max(verb_end).min(text.len());
    let mut start = verb_end;
    let skip_space = |mut at: usize| {
        while let Some(c) = view[at..sentence_end].chars().next() {
            if c.is_whitespace() {
                at += c.len_utf8();
            } else {
                break;
            }
        }
        at
    };
    start = skip_space(start);
    // `强调，……` / `stressed: ...`: the object is the rest of the sentence.
    if let Some(c) = view[start..sentence_end].chars().next()
        && matches!(c, '，' | '：' | ',' | ':')
    {
        start = skip_space(start + c.len_utf8());
        // Up to the clause of the next verb, if one follows in the sentence.
        let mut end = sentence_end;
        if let Some(n) = next_verb
            && n > start
            && n < sentence_end
            && let Some(i) = view[start..n].rfind(['，', '；', ',', ';'])
        {
            end = start + i;
        }
        let end = trim_end(view, start, end);
        return start..end;
    }
    let clause_end = match lang {
        Lang::Zh => view[start..sentence_end]
            .find(['，', '；', '：', '。', '！', '？'])
            .map_or(sentence_end, |i| start + i),
        Lang::Ru | Lang::En => {
            let tail = &view[start..sentence_end];
            let mut end = tail.find(';').map_or(sentence_end, |i| start + i);
            for marker in [", and ", ", и ", ", а также "] {
                if let Some(i) = tail.find(marker) {
                    end = end.min(start + i);
                }
            }
            if let Some(n) = next_verb
                && n > start
            {
                end = end.min(n);
            }
            // `support X and welcome Y`: the joining word is not part of X.
            let mut end = trim_end(view, start, end);
            for word in [" and", " и", " а также"] {
                if view[start..end].ends_with(word) {
                    end -= word.len();
                }
            }
            end
        }
    };
    let end = trim_end(view, start, clause_end.max(start));
    start..end
}

/// `end` moved back over spaces and closing punctuation (but not quotes or brackets).
fn trim_end(view: &str, start: usize, mut end: usize) -> usize {
    while end > start {
        match view[..end].chars().next_back() {
            Some(c)
                if c.is_whitespace()
                    || matches!(
                        c,
                        '.' | ',' | ';' | ':' | '。' | '，' | '；' | '：' | '!' | '?' | '！' | '？'
                    ) =>
            {
                end -= c.len_utf8()
            }
            _ => break,
        }
    }
    end
}

/// The states named in the object as its proposers.
fn proposers(
    lang: Lang,
    view: &str,
    object: &Range<usize>,
    kind: ObjectKind,
    mentions: &[(Range<usize>, String)],
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (r, code) in mentions {
        if r.start < object.start || r.end > object.end {
            continue;
        }
        let after = &view[r.end..object.end];
        let before = &view[object.start..r.start];
        let proposing = match lang {
            Lang::Zh => {
                [
                    "提出的",
                    "提出",
                    "关于",
                    "的倡议",
                    "倡议",
                    "的建议",
                    "的提议",
                    "所提",
                ]
                .iter()
                .any(|m| after.starts_with(m))
                    || before.ends_with('应')
            }
            Lang::En => {
                after.starts_with("'s ")
                    || after.starts_with("’s ")
                    || before.ends_with("by ")
                    || before.ends_with("by the ")
                    || (matches!(kind, ObjectKind::Initiative | ObjectKind::Proposal)
                        && (before.ends_with("of ") || before.ends_with("of the ")))
                    || view[r.clone()].ends_with(" side")
                        && matches!(kind, ObjectKind::Initiative | ObjectKind::Proposal)
            }
            Lang::Ru => {
                let last_word = before.trim_end().rsplit(' ').next().unwrap_or("");
                last_word.starts_with("инициатив")
                    || last_word.starts_with("предложени")
                    || before.ends_with("выдвинутую ")
                    || (view[r.clone()].contains("сторон")
                        && matches!(kind, ObjectKind::Initiative | ObjectKind::Proposal))
            }
        };
        if proposing && !out.contains(code) {
            out.push(code.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests;
