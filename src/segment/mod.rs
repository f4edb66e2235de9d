//! Segmentation: jieba-rs with the domain dictionary in `corpus/dict/` for Chinese, tantivy's
//! analyzers (with stemming) for Russian and English.
//!
//! Text is analysed by script, not by the document's language: runs of Han characters go to
//! jieba, runs of letters and digits go through tantivy's `SimpleTokenizer`, `LowerCaser`,
//! `StopWordFilter` and the Russian and English `Stemmer`s (each stemmer leaves the other
//! alphabet alone). A query therefore needs no language to be analysed exactly like the
//! documents it should find.
//!
//! [`Segmenter::tokenize`] returns, for each word, a *main* token, and for a compound word also
//! *sub-word* tokens at the same position: `地区反恐怖机构` is indexed as itself and as `地区`,
//! `反恐`, `反恐怖`, `恐怖`, `机构`, all at one position, so both `机构` and the phrase
//! `"打击地区反恐怖机构"` find it. Place and person names are never split (a search for `印度`
//! must not find `印度尼西亚`), and a place name is never a sub-word (`上海` does not find
//! `上海合作组织`). Stopwords are dropped but keep their position, so phrases count them.
//! Members of an alias group (`corpus/dict/aliases.tsv`) are indexed as the group's canonical
//! name, so `上合组织` and `上海合作组织` find each other.

mod dict;
pub mod eval;

pub use dict::{AliasGroup, DictEntry, DictError, parse_aliases, parse_stopwords, parse_user_dict};
pub use eval::{WordScore, score_gold_text};

use crate::corpus::Lang;
use jieba_rs::Jieba;
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{LazyLock, RwLock, RwLockReadGuard};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
    TokenStream,
};

/// One token of a paragraph's normalised text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The indexed term (lower-cased; stemmed for ru/en).
    pub term: String,
    /// Byte offsets into the text that was tokenized, end exclusive.
    pub byte_start: usize,
    pub byte_end: usize,
    /// Token position. A sub-word token shares the position of its compound.
    pub position: u32,
    /// True for a sub-word of a longer token (e.g. `反恐怖` inside `地区反恐怖机构`).
    pub subword: bool,
}

/// One word of a segmentation ([`Segmenter::cut`]): a span of the input, never whitespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word<'a> {
    pub text: &'a str,
    /// Byte offsets into the input, end exclusive.
    pub byte_start: usize,
    pub byte_end: usize,
}

/// How to build a [`Segmenter`].
#[derive(Debug, Clone, Copy)]
pub struct SegmenterOptions {
    /// Load the bundled domain dictionary and alias table (`corpus/dict/`).
    pub domain_dict: bool,
    /// Let jieba guess unknown words with its HMM. Off by default: on the PKU benchmark jieba
    /// scores better without it, and a query (short, out of context) is segmented more like the
    /// same words inside a document.
    pub hmm: bool,
}

impl Default for SegmenterOptions {
    fn default() -> Self {
        Self {
            domain_dict: true,
            hmm: false,
        }
    }
}

/// A fingerprint of everything that decides how text is analysed (dictionary files and the
/// analysis rules' version): an index built with another fingerprint must be rebuilt.
pub fn analysis_fingerprint() -> String {
    use sha2::{Digest, Sha256};
    /// Bump when the analysis rules in this module change.
    const RULES_VERSION: &str = "scoway-segment-1";
    let mut h = Sha256::new();
    for part in [
        RULES_VERSION,
        dict::USER_DICT,
        dict::STOPWORDS,
        dict::ALIASES,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex::encode(&h.finalize()[..12])
}

/// Longest term the index keeps (in bytes), as tantivy's `RemoveLongFilter`.
const MAX_TERM_BYTES: usize = 60;

/// Most words whose sub-words or name tag are remembered. Without the HMM every such word is a
/// dictionary word, so the cache stays far below this; the bound is for HMM-guessed words.
const WORD_CACHE_LIMIT: usize = 1 << 20;

/// Adds the entries a worker computed to a shared word cache, up to [`WORD_CACHE_LIMIT`].
fn publish_fresh<V>(cache: &RwLock<FxHashMap<Box<str>, V>>, fresh: Vec<(Box<str>, V)>) {
    if fresh.is_empty() {
        return;
    }
    let mut cache = cache.write().unwrap_or_else(|e| e.into_inner());
    for (word, value) in fresh {
        if cache.len() >= WORD_CACHE_LIMIT {
            break;
        }
        cache.entry(word).or_insert(value);
    }
}

/// What the segmenter knows about a term beyond jieba, found with one map lookup per word.
#[derive(Debug, Default)]
struct Special {
    /// A stopword (for Han text; letters are filtered by their analyzer).
    stop: bool,
    /// Canonical term of a one-word alias.
    alias: Option<Box<str>>,
    /// Several-word aliases whose first term this is: (terms, canonical term), longest first.
    multi: Vec<(Vec<String>, String)>,
    /// Tag of our dictionary entry; it overrides jieba's tag of the same word.
    user_tag: Option<Box<str>>,
}

/// A dictionary entry with punctuation as it may be written (`（` or `(`), found from its
/// first char that is not Han (its anchor): such entries are few, and their anchors rare in
/// running text, so this beats a general matcher, whose prefilter keeps stopping at the
/// bytes Chinese punctuation shares.
#[derive(Debug)]
struct MergePattern {
    text: String,
    anchor: char,
    /// Byte offset of the anchor's first occurrence in `text`.
    anchor_at: usize,
    /// Index into `Segmenter::merge_terms`.
    term: usize,
}

/// A sub-word of a Han compound: its byte span inside the compound, and its term when an
/// alias maps it to another one.
#[derive(Debug)]
struct SubSpan {
    start: u32,
    end: u32,
    alias: Option<Box<str>>,
}

/// jieba plus our dictionary, stopwords, aliases and tantivy's analyzers for letters.
pub struct Segmenter {
    jieba: Jieba,
    hmm: bool,
    /// Dictionary entries with punctuation (`政府首脑（总理）理事会`), which jieba cannot produce:
    /// joined after segmentation when their ends fall on word boundaries.
    merge: Vec<MergePattern>,
    merge_terms: Vec<String>,
    /// The anchors of `merge`: a text without any of them has nothing to merge.
    merge_chars: Vec<char>,
    /// Stopwords, alias members and our dictionary's tags, by term.
    specials: FxHashMap<Box<str>, Special>,
    has_aliases: bool,
    /// The canonical terms of the alias groups (what their members are indexed as).
    alias_targets: HashSet<String>,
    /// Lower-cased stopwords.
    stopwords: HashSet<String>,
    /// SimpleTokenizer → RemoveLong → LowerCaser → StopWordFilter → Stemmer(ru) → Stemmer(en).
    letters: TextAnalyzer,
    user_entries: Vec<String>,
    /// Sub-words of the Han compounds seen so far. Finding them takes a dictionary lookup for
    /// every substring and a tagging of each candidate (is it a place name?); a corpus repeats
    /// its compounds, so each is worked out once.
    subword_cache: RwLock<SubwordMap>,
    /// [`Segmenter::name_of_word`] of the words of three or more chars seen so far.
    name_cache: RwLock<FxHashMap<Box<str>, Option<bool>>>,
    /// One bit per char of [`CJK_MAIN`]: whether a term of `specials` starts with it.
    special_first_chars: Vec<u64>,
}

/// The main block of CJK unified ideographs, where nearly every Han char of a text is.
const CJK_MAIN: std::ops::RangeInclusive<u32> = 0x4E00..=0x9FFF;

fn cjk_main_index(c: char) -> Option<usize> {
    let u = c as u32;
    CJK_MAIN
        .contains(&u)
        .then(|| (u - CJK_MAIN.start()) as usize)
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segmenter")
            .field("user_entries", &self.user_entries.len())
            .field("stopwords", &self.stopwords.len())
            .field("hmm", &self.hmm)
            .finish()
    }
}

static GLOBAL: LazyLock<Segmenter> = LazyLock::new(|| {
    // The bundled files are part of the program, not user input; a unit test parses them.
    Segmenter::new(SegmenterOptions::default()).expect("the bundled dictionary files are valid")
});

/// Script class of a character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Han,
    Alnum,
    Space,
    Punct,
}

/// Classes of the non-Han blocks most frequent in Chinese text (general punctuation, CJK
/// symbols and punctuation, full-width forms), worked out once with the Unicode tests of
/// [`class`].
static CLASS_TABLE: LazyLock<Vec<(u32, Vec<Class>)>> = LazyLock::new(|| {
    [(0x2000u32, 0x2070u32), (0x3000, 0x3040), (0xFF00, 0xFFF0)]
        .into_iter()
        .map(|(from, to)| {
            let classes = (from..to)
                .map(|u| char::from_u32(u).map_or(Class::Punct, unicode_class))
                .collect();
            (from, classes)
        })
        .collect()
});

fn unicode_class(c: char) -> Class {
    if is_han(c) {
        Class::Han
    } else if c.is_whitespace() {
        Class::Space
    } else if c.is_alphanumeric() {
        Class::Alnum
    } else {
        Class::Punct
    }
}

#[inline]
fn class(c: char) -> Class {
    if c.is_ascii() {
        // The same answers as the Unicode tests below, without their table lookups.
        if c.is_ascii_alphanumeric() {
            Class::Alnum
        } else if matches!(c, '\t'..='\r' | ' ') {
            Class::Space
        } else {
            Class::Punct
        }
    } else if is_han(c) {
        Class::Han
    } else {
        let u = c as u32;
        for (from, classes) in CLASS_TABLE.iter() {
            if let Some(&cls) = u.checked_sub(*from).and_then(|i| classes.get(i as usize)) {
                return cls;
            }
        }
        unicode_class(c)
    }
}

/// CJK unified ideographs, as jieba counts them.
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2EBEF}'
        | '\u{2F800}'..='\u{2FA1F}')
}

/// ASCII punctuation that jieba keeps in a block with Han chars, letters and digits.
fn is_jieba_ascii_joiner(c: char) -> bool {
    matches!(c, '+' | '#' | '&' | '.' | '_' | '%' | '-')
}

/// Whether a jieba tag marks a name that must not be split into sub-words.
fn is_name_tag(tag: &str) -> bool {
    tag.starts_with("ns") || tag.starts_with("nr")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordKind {
    /// A jieba word; `name` when it is a place or person name.
    Han {
        name: bool,
    },
    Alnum,
    Punct,
    /// A dictionary entry with punctuation, joined from several words.
    Merged(usize),
}

#[derive(Debug, Clone, Copy)]
struct RawWord {
    start: usize,
    end: usize,
    kind: WordKind,
}

#[derive(Debug, Clone)]
enum UnitKind<'a> {
    Han {
        decompose: bool,
    },
    Alnum,
    /// A merged entry or a several-word alias: its words become sub-words.
    Compound(Vec<Unit<'a>>),
}

/// A word as the indexer sees it: a term (alias-mapped) or a stopword.
#[derive(Debug, Clone)]
struct Unit<'a> {
    start: usize,
    end: usize,
    term: Cow<'a, str>,
    /// What the dictionaries say about `term` (before any alias mapping).
    special: Option<&'a Special>,
    stop: bool,
    kind: UnitKind<'a>,
}

impl Segmenter {
    /// The segmenter with the bundled dictionary, built once.
    pub fn global() -> &'static Segmenter {
        &GLOBAL
    }

    /// Starts building [`Segmenter::global`] on a thread of its own, so that loading jieba's
    /// dictionary (most of a short command's start) overlaps with the caller's other work.
    pub fn load_in_background() {
        std::thread::spawn(|| {
            Segmenter::global();
        });
    }

    /// Builds a segmenter; `options.domain_dict: false` gives plain jieba (for benchmarks).
    pub fn new(options: SegmenterOptions) -> Result<Self, DictError> {
        let mut jieba = Jieba::new();
        let mut specials: FxHashMap<Box<str>, Special> = FxHashMap::default();
        let mut merge_patterns = Vec::new();
        let mut merge_terms = Vec::new();
        let mut user_entries = Vec::new();
        let stopwords: HashSet<String> = parse_stopwords(dict::STOPWORDS).into_iter().collect();
        for w in &stopwords {
            specials.entry(w.as_str().into()).or_default().stop = true;
        }
        if options.domain_dict {
            for e in parse_user_dict(dict::USER_DICT, "corpus/dict/user_dict.txt")? {
                if e.word.chars().all(is_han) {
                    // The file's frequency is a floor: an entry jieba would still split gets
                    // the frequency that keeps it whole, with a margin for context.
                    let freq = if jieba.has_word(&e.word) {
                        e.freq.max(jieba.suggest_freq(&e.word))
                    } else {
                        e.freq.max(2 * jieba.suggest_freq(&e.word))
                    };
                    jieba.add_word(&e.word, Some(freq), Some(&e.tag));
                } else {
                    let id = merge_terms.len();
                    merge_patterns.push((e.word.clone(), id));
                    let half = e
                        .word
                        .replace('（', "(")
                        .replace('）', ")")
                        .replace('、', ",");
                    if half != e.word {
                        merge_patterns.push((half, id));
                    }
                    merge_terms.push(e.word.clone());
                }
                specials.entry(e.word.as_str().into()).or_default().user_tag = Some(e.tag.into());
                user_entries.push(e.word);
            }
        }
        let mut merge = Vec::with_capacity(merge_patterns.len());
        let mut merge_chars: Vec<char> = Vec::new();
        for (text, term) in merge_patterns {
            // Entries with only Han chars went to jieba; the others have an anchor.
            let Some((anchor_at, anchor)) = text.char_indices().find(|&(_, c)| !is_han(c)) else {
                continue;
            };
            if !merge_chars.contains(&anchor) {
                merge_chars.push(anchor);
            }
            merge.push(MergePattern {
                text,
                anchor,
                anchor_at,
                term,
            });
        }
        let letters = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TERM_BYTES))
            .filter(LowerCaser)
            .filter(StopWordFilter::remove(stopwords.iter().cloned()))
            .filter(Stemmer::new(Language::Russian))
            .filter(Stemmer::new(Language::English))
            .build();
        let mut seg = Segmenter {
            jieba,
            hmm: options.hmm,
            merge,
            merge_terms,
            merge_chars,
            specials,
            has_aliases: false,
            alias_targets: HashSet::new(),
            stopwords,
            letters,
            user_entries,
            subword_cache: Default::default(),
            name_cache: Default::default(),
            special_first_chars: Vec::new(),
        };
        seg.index_specials();
        if options.domain_dict {
            seg.load_aliases(&parse_aliases(dict::ALIASES, "corpus/dict/aliases.tsv")?);
            seg.index_specials();
        }
        Ok(seg)
    }

    /// Marks the first chars of the special terms in `special_first_chars`.
    fn index_specials(&mut self) {
        let chars = (CJK_MAIN.end() - CJK_MAIN.start() + 1) as usize;
        let mut bits = vec![0u64; chars.div_ceil(64)];
        for term in self.specials.keys() {
            if let Some(i) = term.chars().next().and_then(cjk_main_index) {
                bits[i / 64] |= 1 << (i % 64);
            }
        }
        self.special_first_chars = bits;
    }

    fn load_aliases(&mut self, groups: &[AliasGroup]) {
        let mut single: Vec<(String, String)> = Vec::new();
        let mut multi: Vec<(String, Vec<String>, String)> = Vec::new();
        for g in groups {
            let analysed: Vec<Vec<String>> = g
                .members
                .iter()
                .map(|m| {
                    self.units(m)
                        .into_iter()
                        .map(|u| u.term.into_owned())
                        .collect()
                })
                .filter(|terms: &Vec<String>| !terms.is_empty())
                .collect();
            let Some(first) = analysed.first() else {
                continue;
            };
            let canonical = first.join(" ");
            for terms in &analysed {
                match terms.as_slice() {
                    [one] => {
                        if *one != canonical {
                            single.push((one.clone(), canonical.clone()));
                        }
                    }
                    [head, ..] => multi.push((head.clone(), terms.clone(), canonical.clone())),
                    [] => {}
                }
            }
        }
        self.has_aliases = !single.is_empty() || !multi.is_empty();
        self.alias_targets
            .extend(single.iter().map(|(_, c)| c.clone()));
        self.alias_targets
            .extend(multi.iter().map(|(_, _, c)| c.clone()));
        // A later group wins a one-word alias, as it would in a map filled in file order.
        for (one, canonical) in single {
            self.specials.entry(one.into()).or_default().alias = Some(canonical.into());
        }
        for (head, terms, canonical) in multi {
            self.specials
                .entry(head.into())
                .or_default()
                .multi
                .push((terms, canonical));
        }
        for s in self.specials.values_mut() {
            s.multi.sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));
        }
    }

    fn special(&self, term: &str) -> Option<&Special> {
        // Most words start with a char no special term starts with: no need to hash them.
        if let Some(i) = term.chars().next().and_then(cjk_main_index)
            && self.special_first_chars[i / 64] & (1 << (i % 64)) == 0
        {
            return None;
        }
        self.specials.get(term)
    }

    /// Entries of the bundled user dictionary (empty without the domain dictionary).
    pub fn user_entries(&self) -> &[String] {
        &self.user_entries
    }

    /// Whether `word` (lower-cased) is a stopword.
    pub fn is_stopword(&self, word: &str) -> bool {
        self.stopwords.contains(&word.to_lowercase())
    }

    /// Segments `text` into words: jieba words for Han runs, runs of letters and digits, and
    /// single punctuation characters; whitespace is skipped. This is the segmentation scored
    /// against the PKU gold standard.
    pub fn cut<'a>(&self, text: &'a str) -> Vec<Word<'a>> {
        self.raw_words(text)
            .into_iter()
            .map(|w| Word {
                text: &text[w.start..w.end],
                byte_start: w.start,
                byte_end: w.end,
            })
            .collect()
    }

    fn raw_words(&self, text: &str) -> Vec<RawWord> {
        let mut words = Vec::with_capacity(text.len() / 4);
        // Where the text has a char of `merge_chars` (only non-Han chars can be one).
        let mut anchors: Vec<(usize, char)> = Vec::new();
        // Han runs and the punctuation and spaces between them go to jieba in one call (see
        // `span_words`); letters and digits, and the ASCII punctuation jieba would join to
        // them, end such a span.
        let mut span: Option<usize> = None;
        let mut names = NameLookup::new(self);
        let mut iter = text.char_indices().peekable();
        while let Some((start, c)) = iter.next() {
            let cls = class(c);
            if cls != Class::Han && self.merge_chars.contains(&c) {
                anchors.push((start, c));
            }
            let in_span = match cls {
                Class::Han => true,
                Class::Space | Class::Punct => !is_jieba_ascii_joiner(c),
                Class::Alnum => false,
            };
            if in_span {
                span.get_or_insert(start);
                continue;
            }
            if let Some(from) = span.take() {
                self.span_words(text, from, start, &mut names, &mut words);
            }
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
                if class(n) != Class::Alnum {
                    break;
                }
                if self.merge_chars.contains(&n) {
                    anchors.push((i, n));
                }
                end = i + n.len_utf8();
                iter.next();
            }
            words.push(RawWord {
                start,
                end,
                kind: WordKind::Alnum,
            });
        }
        if let Some(from) = span {
            self.span_words(text, from, text.len(), &mut names, &mut words);
        }
        names.finish();
        if anchors.is_empty() {
            words
        } else {
            self.merge_entries(self.merge_matches(text, &anchors), words)
        }
    }

    /// Words of `text[start..end]`, which has Han chars, punctuation and spaces but no letters,
    /// digits or ASCII chars that jieba joins to them. jieba splits such a text into exactly
    /// our Han runs, and gives every other char as a word of its own: one call does the work
    /// of one call per Han run, at a fraction of the cost.
    fn span_words(
        &self,
        text: &str,
        start: usize,
        end: usize,
        names: &mut NameLookup<'_>,
        out: &mut Vec<RawWord>,
    ) {
        // jieba's `cut` is much cheaper than its `tag`, and only words of three or more chars
        // need their tag (see `is_name`): they get it from the cache of names.
        let first = out.len();
        for t in self.jieba.cut(&text[start..end], self.hmm) {
            let kind = match t.word.chars().next().map(class) {
                Some(Class::Han) if t.end - t.start < 3 => WordKind::Han { name: false },
                Some(Class::Han) => match names.get(t.word) {
                    Some(name) => WordKind::Han { name },
                    None => {
                        // Alone, the word is cut otherwise (an HMM guess): tag it in context.
                        out.truncate(first);
                        return self.span_words_tagged(text, start, end, out);
                    }
                },
                Some(Class::Punct) => WordKind::Punct,
                _ => continue,
            };
            out.push(RawWord {
                start: start + t.byte_start,
                end: start + t.byte_end,
                kind,
            });
        }
    }

    /// [`Segmenter::span_words`] with jieba's tags of the words in context.
    fn span_words_tagged(&self, text: &str, start: usize, end: usize, out: &mut Vec<RawWord>) {
        for t in self.jieba.tag(&text[start..end], self.hmm) {
            let kind = match t.word.chars().next().map(class) {
                Some(Class::Han) => WordKind::Han {
                    name: self.is_name(&t),
                },
                Some(Class::Punct) => WordKind::Punct,
                _ => continue,
            };
            out.push(RawWord {
                start: start + t.byte_start,
                end: start + t.byte_end,
                kind,
            });
        }
    }

    /// Whether a jieba word is a name that must stay whole. Only words of three or more chars
    /// are ever split, so only they need the tag (and the map lookup is worth saving on every
    /// short word).
    fn is_name(&self, t: &jieba_rs::Tag<'_>) -> bool {
        t.end - t.start >= 3
            && is_name_tag(
                self.special(t.word)
                    .and_then(|s| s.user_tag.as_deref())
                    .unwrap_or(t.tag),
            )
    }

    /// [`Segmenter::is_name`] of a word of three or more chars from its own tagging: the
    /// same as in context when jieba gives the word back whole (its tag is then its
    /// dictionary tag, or for a word the HMM guessed, the tag guessed from its chars alone),
    /// `None` when it does not.
    fn name_of_word(&self, word: &str) -> Option<bool> {
        if let Some(tag) = self.special(word).and_then(|s| s.user_tag.as_deref()) {
            return Some(is_name_tag(tag));
        }
        match self.jieba.tag(word, self.hmm).as_slice() {
            [one] if one.word == word => Some(is_name_tag(one.tag)),
            _ => None,
        }
    }

    fn han_words(&self, text: &str, start: usize, end: usize, out: &mut Vec<RawWord>) {
        for t in self.jieba.tag(&text[start..end], self.hmm) {
            out.push(RawWord {
                start: start + t.byte_start,
                end: start + t.byte_end,
                kind: WordKind::Han {
                    name: self.is_name(&t),
                },
            });
        }
    }

    /// Occurrences of merge patterns in `text`, whose anchors are at `anchors`: leftmost
    /// first, the longest where several start at the same place, none overlapping: (start,
    /// end, term index).
    fn merge_matches(&self, text: &str, anchors: &[(usize, char)]) -> Vec<(usize, usize, usize)> {
        let mut found = Vec::new();
        for &(at, c) in anchors {
            for p in self.merge.iter().filter(|p| p.anchor == c) {
                if let Some(start) = at.checked_sub(p.anchor_at)
                    && text.get(start..).is_some_and(|t| t.starts_with(&p.text))
                {
                    found.push((start, start + p.text.len(), p.term));
                }
            }
        }
        found.sort_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
        let mut matches = Vec::with_capacity(found.len());
        let mut free_from = 0;
        for m in found {
            if m.0 >= free_from {
                free_from = m.1;
                matches.push(m);
            }
        }
        matches
    }

    /// Joins the words covered exactly by a match (start, end, term index) into one.
    fn merge_entries(
        &self,
        matches: impl IntoIterator<Item = (usize, usize, usize)>,
        words: Vec<RawWord>,
    ) -> Vec<RawWord> {
        let mut out = Vec::with_capacity(words.len());
        let mut i = 0;
        for (m_start, m_end, term) in matches {
            let Some(first) = words[i..].iter().position(|w| w.start >= m_start) else {
                break;
            };
            let first = i + first;
            if words[first].start != m_start {
                continue;
            }
            let Some(last) = words[first..].iter().position(|w| w.end >= m_end) else {
                continue;
            };
            let last = first + last;
            if words[last].end != m_end {
                continue;
            }
            out.extend_from_slice(&words[i..first]);
            out.push(RawWord {
                start: m_start,
                end: m_end,
                kind: WordKind::Merged(term),
            });
            i = last + 1;
        }
        out.extend_from_slice(&words[i..]);
        out
    }

    /// Words of `text` as index units (stopwords marked), before aliases are applied.
    fn units<'a>(&'a self, text: &'a str) -> Vec<Unit<'a>> {
        let raw = self.raw_words(text);
        // The analyzer needs `&mut`; clone it only for text that has letters.
        let mut letters = None;
        let mut units = Vec::with_capacity(raw.len());
        for w in raw {
            if let Some(u) = self.unit(text, w, &mut letters) {
                units.push(u);
            }
        }
        units
    }

    fn unit<'a>(
        &'a self,
        text: &'a str,
        w: RawWord,
        letters: &mut Option<TextAnalyzer>,
    ) -> Option<Unit<'a>> {
        let surface = &text[w.start..w.end];
        match w.kind {
            WordKind::Punct => None,
            WordKind::Han { name } => {
                let special = self.special(surface);
                let stop = special.is_some_and(|s| s.stop);
                Some(Unit {
                    start: w.start,
                    end: w.end,
                    term: Cow::Borrowed(surface),
                    special,
                    stop,
                    kind: UnitKind::Han {
                        decompose: !name && !stop && surface.chars().nth(2).is_some(),
                    },
                })
            }
            WordKind::Alnum => {
                let mut stream = letters
                    .get_or_insert_with(|| self.letters.clone())
                    .token_stream(surface);
                let term = if stream.advance() {
                    Some(std::mem::take(&mut stream.token_mut().text))
                } else {
                    None
                };
                let stop = term.is_none();
                let term = term.unwrap_or_else(|| surface.to_lowercase());
                Some(Unit {
                    start: w.start,
                    end: w.end,
                    special: self.special(&term),
                    stop,
                    term: Cow::Owned(term),
                    kind: UnitKind::Alnum,
                })
            }
            WordKind::Merged(term) => {
                let inner = &text[w.start..w.end];
                let children = self
                    .raw_words_plain(inner)
                    .into_iter()
                    .filter_map(|c| {
                        let c = RawWord {
                            start: w.start + c.start,
                            end: w.start + c.end,
                            kind: c.kind,
                        };
                        self.unit(text, c, letters)
                    })
                    .collect();
                let term = self.merge_terms[term].as_str();
                Some(Unit {
                    start: w.start,
                    end: w.end,
                    term: Cow::Borrowed(term),
                    special: self.special(term),
                    stop: false,
                    kind: UnitKind::Compound(children),
                })
            }
        }
    }

    /// Words of a merged entry's text, without merging it again.
    fn raw_words_plain(&self, text: &str) -> Vec<RawWord> {
        let mut words = Vec::new();
        let mut iter = text.char_indices().peekable();
        while let Some((start, c)) = iter.next() {
            let cls = class(c);
            let mut end = start + c.len_utf8();
            if cls == Class::Punct {
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
                Class::Han => self.han_words(text, start, end, &mut words),
                Class::Alnum => words.push(RawWord {
                    start,
                    end,
                    kind: WordKind::Alnum,
                }),
                _ => {}
            }
        }
        words
    }

    fn apply_aliases<'a>(&'a self, mut units: Vec<Unit<'a>>) -> Vec<Unit<'a>> {
        if !self.has_aliases {
            return units;
        }
        if !units
            .iter()
            .any(|u| u.special.is_some_and(|s| !s.multi.is_empty()))
        {
            // Only one-word aliases: map them in place.
            for u in &mut units {
                if !u.stop
                    && let Some(c) = u.special.and_then(|s| s.alias.as_deref())
                {
                    u.term = Cow::Borrowed(c);
                }
            }
            return units;
        }
        let mut out = Vec::with_capacity(units.len());
        let mut rest = units.into_iter();
        let mut pending: std::collections::VecDeque<Unit<'a>> = std::collections::VecDeque::new();
        while let Some(mut u) = pending.pop_front().or_else(|| rest.next()) {
            let Some(special) = u.special else {
                out.push(u);
                continue;
            };
            let candidates = &special.multi;
            if !candidates.is_empty() {
                let longest = candidates.first().map_or(0, |(t, _)| t.len());
                while pending.len() + 1 < longest {
                    match rest.next() {
                        Some(next) => pending.push_back(next),
                        None => break,
                    }
                }
                let matched = candidates.iter().find(|(terms, _)| {
                    terms.len() <= pending.len() + 1
                        && terms[0] == u.term
                        && pending
                            .iter()
                            .zip(&terms[1..])
                            .all(|(p, t)| p.term == t.as_str())
                });
                if let Some((terms, canonical)) = matched {
                    let mut children = Vec::with_capacity(terms.len());
                    let start = u.start;
                    children.push(u);
                    children.extend(pending.drain(..terms.len() - 1));
                    let end = children.last().map_or(start, |c| c.end);
                    out.push(Unit {
                        start,
                        end,
                        term: Cow::Borrowed(canonical.as_str()),
                        special: None,
                        stop: false,
                        kind: UnitKind::Compound(children),
                    });
                    continue;
                }
            }
            if !u.stop
                && let Some(c) = &special.alias
            {
                u.term = Cow::Borrowed(c);
            }
            out.push(u);
        }
        out
    }

    /// Tokens of `text` for indexing: main tokens and, at the same positions, sub-words of
    /// compounds. Byte offsets point into `text`. `lang` is accepted for the callers' sake;
    /// analysis goes by script (see the module documentation).
    pub fn tokenize(&self, text: &str, lang: Lang) -> Vec<Token> {
        let _ = lang;
        self.tokens(text, true)
    }

    /// True when `term` (as indexed) stands for the members of an alias group: a token with
    /// this term may be written another way in the text.
    pub fn is_alias_target(&self, term: &str) -> bool {
        self.alias_targets.contains(term)
    }

    /// Main tokens only, analysed exactly like [`Segmenter::tokenize`]: what a query becomes.
    pub fn query_tokens(&self, text: &str) -> Vec<Token> {
        self.tokens(text, false)
    }

    /// Like [`Segmenter::tokenize`], into `out`, reusing the strings of the tokens already in
    /// `out` and in `spare` (where the tokens `out` no longer needs go): a caller that
    /// tokenizes many texts saves an allocation per token.
    pub(crate) fn tokenize_into(&self, text: &str, out: &mut Vec<Token>, spare: &mut Vec<Token>) {
        self.tokens_into(text, true, out, spare);
    }

    fn tokens(&self, text: &str, subwords: bool) -> Vec<Token> {
        let mut out = Vec::new();
        self.tokens_into(text, subwords, &mut out, &mut Vec::new());
        out
    }

    fn tokens_into(
        &self,
        text: &str,
        subwords: bool,
        out: &mut Vec<Token>,
        spare: &mut Vec<Token>,
    ) {
        let units = self.apply_aliases(self.units(text));
        let mut sink = TokenSink { out, spare, len: 0 };
        let mut subs = SubwordLookup::new(self);
        let mut position = 0u32;
        for u in units {
            if u.stop {
                position += 1;
                continue;
            }
            let first = sink.len;
            sink.push(&u.term, u.start, u.end, position, false);
            if subwords {
                subs.push(text, u.start, u.end, &u.kind, position, &mut sink);
                if sink.len > first + 1 {
                    sink.dedup_subwords(first);
                }
            }
            position += 1;
        }
        subs.finish();
        sink.finish();
    }

    /// Dictionary words inside a Han compound, except place names and stopwords.
    fn han_subwords(&self, word: &str) -> Box<[SubSpan]> {
        let bounds: Vec<usize> = word
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(word.len()))
            .collect();
        let n = bounds.len() - 1;
        let mut spans = Vec::new();
        for len in 2..n {
            for i in 0..=n - len {
                let sub = &word[bounds[i]..bounds[i + len]];
                if !self.jieba.has_word(sub) {
                    continue;
                }
                let special = self.special(sub);
                if special.is_some_and(|s| s.stop) || self.is_place(sub, special) {
                    continue;
                }
                // A compound is a jieba word, far shorter than 4 GB.
                spans.push(SubSpan {
                    start: bounds[i] as u32,
                    end: bounds[i + len] as u32,
                    alias: special.and_then(|s| s.alias.clone()),
                });
            }
        }
        spans.into_boxed_slice()
    }

    fn is_place(&self, word: &str, special: Option<&Special>) -> bool {
        if let Some(tag) = special.and_then(|s| s.user_tag.as_deref()) {
            return tag.starts_with("ns");
        }
        // jieba has no tag lookup, only `tag()` on a text.
        match self.jieba.tag(word, false).as_slice() {
            [one] => one.tag.starts_with("ns"),
            _ => false,
        }
    }
}

/// Names of words during one [`Segmenter::raw_words`] call, read-locking the shared cache
/// once per call (as [`SubwordLookup`]).
struct NameLookup<'s> {
    seg: &'s Segmenter,
    cache: Option<RwLockReadGuard<'s, FxHashMap<Box<str>, Option<bool>>>>,
    fresh: Vec<(Box<str>, Option<bool>)>,
}

impl<'s> NameLookup<'s> {
    fn new(seg: &'s Segmenter) -> Self {
        Self {
            seg,
            cache: None,
            fresh: Vec::new(),
        }
    }

    fn get(&mut self, word: &str) -> Option<bool> {
        let cache = self.cache.get_or_insert_with(|| {
            // A poisoned lock only means a thread panicked while inserting complete entries.
            self.seg
                .name_cache
                .read()
                .unwrap_or_else(|e| e.into_inner())
        });
        if let Some(&name) = cache.get(word) {
            return name;
        }
        if let Some((_, name)) = self.fresh.iter().find(|(w, _)| **w == *word) {
            return *name;
        }
        let name = self.seg.name_of_word(word);
        self.fresh.push((word.into(), name));
        name
    }

    fn finish(mut self) {
        self.cache = None;
        publish_fresh(&self.seg.name_cache, self.fresh);
    }
}

/// Compound → its sub-words.
type SubwordMap = FxHashMap<Box<str>, Box<[SubSpan]>>;

/// Sub-words of compounds during one [`Segmenter::tokens_into`] call: the shared cache is
/// read-locked once per call (not once per word), and what it lacked is added at the end.
struct SubwordLookup<'s> {
    seg: &'s Segmenter,
    cache: Option<RwLockReadGuard<'s, SubwordMap>>,
    fresh: Vec<(Box<str>, Box<[SubSpan]>)>,
}

impl<'s> SubwordLookup<'s> {
    fn new(seg: &'s Segmenter) -> Self {
        Self {
            seg,
            cache: None,
            fresh: Vec::new(),
        }
    }

    fn push(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        kind: &UnitKind<'_>,
        position: u32,
        out: &mut TokenSink<'_>,
    ) {
        match kind {
            UnitKind::Han { decompose: true } => self.han(&text[start..end], start, position, out),
            UnitKind::Han { decompose: false } | UnitKind::Alnum => {}
            UnitKind::Compound(children) => {
                for c in children.iter().filter(|c| !c.stop) {
                    let term = c
                        .special
                        .and_then(|s| s.alias.as_deref())
                        .unwrap_or(&c.term);
                    out.push(term, c.start, c.end, position, true);
                    self.push(text, c.start, c.end, &c.kind, position, out);
                }
            }
        }
    }

    fn han(&mut self, word: &str, base: usize, position: u32, out: &mut TokenSink<'_>) {
        let emit = |spans: &[SubSpan], out: &mut TokenSink<'_>| {
            for s in spans {
                let (start, end) = (s.start as usize, s.end as usize);
                let term = s.alias.as_deref().unwrap_or(&word[start..end]);
                out.push(term, base + start, base + end, position, true);
            }
        };
        let cache = self.cache.get_or_insert_with(|| {
            // A poisoned lock only means a thread panicked while inserting complete entries.
            self.seg
                .subword_cache
                .read()
                .unwrap_or_else(|e| e.into_inner())
        });
        if let Some(spans) = cache.get(word) {
            emit(spans, out);
        } else if let Some((_, spans)) = self.fresh.iter().find(|(w, _)| **w == *word) {
            emit(spans, out);
        } else {
            let spans = self.seg.han_subwords(word);
            emit(&spans, out);
            self.fresh.push((word.into(), spans));
        }
    }

    fn finish(mut self) {
        self.cache = None;
        publish_fresh(&self.seg.subword_cache, self.fresh);
    }
}

/// Tokens written over the start of a vector, reusing the strings already there or in
/// `spare`; [`TokenSink::finish`] moves the rest to `spare`.
struct TokenSink<'o> {
    out: &'o mut Vec<Token>,
    spare: &'o mut Vec<Token>,
    len: usize,
}

impl TokenSink<'_> {
    fn push(
        &mut self,
        term: &str,
        byte_start: usize,
        byte_end: usize,
        position: u32,
        subword: bool,
    ) {
        if let Some(t) = self.out.get_mut(self.len) {
            t.term.clear();
            t.term.push_str(term);
            t.byte_start = byte_start;
            t.byte_end = byte_end;
            t.position = position;
            t.subword = subword;
        } else if let Some(mut t) = self.spare.pop() {
            t.term.clear();
            t.term.push_str(term);
            t.byte_start = byte_start;
            t.byte_end = byte_end;
            t.position = position;
            t.subword = subword;
            self.out.push(t);
        } else {
            self.out.push(Token {
                term: term.to_string(),
                byte_start,
                byte_end,
                position,
                subword,
            });
        }
        self.len += 1;
    }

    /// Drops sub-words (after the compound at `first`) that repeat the compound or another
    /// sub-word (same term and span).
    fn dedup_subwords(&mut self, first: usize) {
        let out = &mut *self.out;
        let mut kept = first + 1;
        for i in first + 1..self.len {
            let dup = out[first..kept].iter().any(|k| {
                k.byte_start == out[i].byte_start
                    && k.byte_end == out[i].byte_end
                    && k.term == out[i].term
            });
            if !dup {
                out.swap(kept, i);
                kept += 1;
            }
        }
        self.len = kept;
    }

    fn finish(self) {
        if self.out.len() > self.len {
            self.spare.extend(self.out.drain(self.len..));
        }
    }
}

#[cfg(test)]
mod tests;
