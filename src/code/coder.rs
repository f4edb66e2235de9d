//! The coder: paragraphs → multi-label codes, scores and evidence.
//!
//! How a paragraph is read (see `corpus/codebook/README.md` for the rules in prose):
//!
//! 1. A *view* of the paragraph is made: lower-cased, runs of whitespace folded to one space,
//!    with a map back to the paragraph's bytes.
//! 2. One Aho-Corasick automaton per language finds every literal entry (terms, window
//!    anchors, exclusion phrases) in the view, overlapping matches included; the `regex`
//!    crate finds the pattern rules (a `RegexSet` first tells which patterns can match at all).
//! 3. A match must start and end on a word boundary: never inside a token of the segmenter
//!    (sub-word tokens are ignored, they overlap their compound), nor between two letters or
//!    digits. A prefix term (`terroris*`) runs on to the end of its word. A window anchor
//!    counts only with one of its cues nearby in the same sentence.
//! 4. Leftmost-longest selection among the surviving matches: at each place the longest entry
//!    wins and swallows whatever lies inside it, so nested entries are never counted twice and
//!    an exclusion phrase silences every term inside it. Entries with the very same span are
//!    merged, keeping at most one hit per dimension.
//!
//! The boundary check runs before the selection on purpose: a longer match that cuts a word
//! in two must not hide a shorter one that respects the words.

use super::DIMENSIONS;
use super::codebook::{Codebook, CodebookError, Scoring, Side};
use crate::corpus::document::{Document, Lang};
use crate::segment::{Token, is_han};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// Which kind of codebook rule produced a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    /// A window rule: an anchor with a cue nearby.
    Window,
    /// A term of an indicator (literal, prefix or wildcard phrase).
    Term,
    /// A regular-expression pattern.
    Pattern,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Term => "term",
            Rule::Pattern => "pattern",
            Rule::Window => "window",
        }
    }
}

/// One hit: where, what, and which indicator it counts for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub dimension: String,
    pub indicator: String,
    /// The codebook term: a term as written, a window rule's anchor, or a pattern's label.
    pub term: String,
    /// The slice of the document's original text that matched.
    pub matched: String,
    /// Char offsets into the document's original text, end exclusive.
    pub char_start: usize,
    pub char_end: usize,
    /// Effective weight: the term's (or indicator's) weight, times the boilerplate factor for
    /// boilerplate terms.
    pub weight: f64,
    pub rule: Rule,
    #[serde(default)]
    pub boilerplate: bool,
    /// The cue that licensed a window hit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cue: Option<String>,
}

/// Codes of one paragraph. The maps have an entry for every dimension, zero or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParagraphCodes {
    pub index: u32,
    /// Tokens of the paragraph (main tokens, stopwords excluded).
    pub tokens: u64,
    /// The dimensions the paragraph is coded for, in codebook order.
    pub labels: Vec<String>,
    /// The coded dimension with the most weighted hits.
    pub dominant: Option<String>,
    /// Weighted hits per 1,000 tokens.
    pub scores: BTreeMap<String, f64>,
    pub hits: BTreeMap<String, u64>,
    pub weighted_hits: BTreeMap<String, f64>,
    pub evidence: Vec<Evidence>,
    /// The procedural rule that silenced some dimensions of the paragraph (an attendance
    /// list, the next venue), when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedural: Option<String>,
}

/// Per-dimension figures of a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionSummary {
    pub hits: u64,
    pub weighted_hits: f64,
    /// Weighted hits per 1,000 tokens of the document.
    pub per_1k_tokens: f64,
    pub coded_paragraphs: u64,
    /// `coded_paragraphs / paragraphs` (0 for a document without paragraphs).
    pub share_coded: f64,
}

/// Figures of a whole document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentSummary {
    pub tokens: u64,
    pub paragraphs: u64,
    /// Paragraphs coded for at least one dimension.
    pub coded_paragraphs: u64,
    /// The dimension with the most weighted hits per 1,000 tokens, among dimensions with at
    /// least one coded paragraph; `None` when no paragraph is coded.
    pub dominant: Option<String>,
    pub dimensions: BTreeMap<String, DimensionSummary>,
}

/// Codes of one document (cached as JSON by the pipeline).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentCodes {
    pub doc_id: String,
    /// The language of the coded version (a document's versions are coded apart).
    pub lang: Lang,
    /// sha256 of the document's raw bytes (from [`Document::sha256`]).
    pub sha256: String,
    pub codebook_hash: String,
    pub paragraphs: Vec<ParagraphCodes>,
    pub document: DocumentSummary,
}

/// What a match counts for.
#[derive(Debug, Clone)]
struct Target {
    dim: usize,
    indicator: String,
    term: String,
    /// Effective weight (boilerplate factor applied).
    weight: f64,
    boilerplate: bool,
    rule: Rule,
    /// Index into [`LangRules::windows`] for a window anchor.
    window: Option<usize>,
}

#[derive(Debug)]
struct WindowRule {
    cues: Vec<String>,
    window: usize,
    side: Side,
}

/// One literal string of the automaton and everything it stands for.
#[derive(Debug, Default)]
struct Entry {
    prefix: bool,
    /// A Chinese suffix term (`*论坛`): may start inside a word.
    suffix: bool,
    exclusion: bool,
    targets: Vec<usize>,
}

#[derive(Debug)]
struct RegexRule {
    /// The expression; compiled on its first use ([`RegexRule::regex`]).
    source: String,
    compiled: OnceLock<Option<Regex>>,
    target: usize,
    /// Runs on to the end of the word (a wildcard phrase ending in `*`).
    prefix: bool,
    /// Counts beside the hits inside it (see [`super::Pattern::overlay`]).
    overlay: bool,
    /// A match holding a match of this does not count (see [`super::Pattern::unless`]).
    unless: Option<Regex>,
}

impl RegexRule {
    fn new(source: String, target: usize, prefix: bool) -> RegexRule {
        RegexRule {
            source,
            compiled: OnceLock::new(),
            target,
            prefix,
            overlay: false,
            unless: None,
        }
    }

    /// The compiled expression. Compiling on first use keeps `Coder::new` cheap: most rules
    /// are for languages a corpus does not have, and the [`RegexSet`] (compiled up front,
    /// which checks every expression) tells which ones can match at all. `None` only if the
    /// expression compiles in the set but not alone, which the checks in `Coder::new` rule out.
    fn regex(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| {
                RegexBuilder::new(&self.source)
                    .case_insensitive(true)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .ok()
            })
            .as_ref()
    }
}

/// The compiled rules of one language.
#[derive(Debug, Default)]
struct LangRules {
    ac: Option<AhoCorasick>,
    entries: Vec<Entry>,
    regexes: Vec<RegexRule>,
    /// The expressions of `regexes`, in order, for the pre-filter set.
    set_sources: Vec<String>,
    /// The pre-filter, compiled on first use: most corpora have one language, and the sets of
    /// the others (the member-state lists of Russian and English are large) need not be built.
    /// `None` inside when it cannot be compiled: every expression is then tried in turn.
    set: OnceLock<Option<RegexSet>>,
    windows: Vec<WindowRule>,
    targets: Vec<Target>,
    /// The patterns of the procedural rule (the target is unused), compiled on first use.
    procedural: Vec<(String, RegexRule)>,
}

impl LangRules {
    /// The pre-filter set, compiled on first use.
    fn prefilter(&self) -> Option<&RegexSet> {
        self.set
            .get_or_init(|| {
                RegexSetBuilder::new(&self.set_sources)
                    .case_insensitive(true)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .ok()
            })
            .as_ref()
    }
}

/// A compiled codebook, ready to code documents.
#[derive(Debug)]
pub struct Coder {
    langs: [LangRules; 3],
    scoring: Scoring,
    codebook_hash: String,
    /// Dimensions silenced in a procedural paragraph.
    silenced: [bool; 5],
}

/// Compiled size allowed for the pattern set of one language: the lists of member states in
/// the partial-endorsement patterns, case-insensitive over Cyrillic, outgrow the default 10 MB.
const REGEX_SIZE_LIMIT: usize = 64 << 20;

fn lang_slot(lang: Lang) -> usize {
    match lang {
        Lang::Zh => 0,
        Lang::Ru => 1,
        Lang::En => 2,
    }
}

/// The regular expression of a term with wildcards inside (`энергетическ* безопасност*`),
/// to be matched against the lower-cased view.
fn wildcard_regex(term: &str) -> String {
    let mut re = String::new();
    for c in term.to_lowercase().chars() {
        match c {
            '*' => re.push_str(r"\w*"),
            ' ' => re.push_str(r"\s+"),
            '-' | '–' => re.push_str(r"\s*[-–]\s*"),
            c => re.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
        }
    }
    re
}

impl Coder {
    /// Compiles the codebook's terms and patterns.
    pub fn new(codebook: &Codebook) -> Result<Coder, CodebookError> {
        let scoring = codebook.scoring();
        let mut langs: [LangRules; 3] = Default::default();
        // (lang slot, needle, prefix) → entry index
        let mut entry_of: [HashMap<(String, bool, bool), usize>; 3] = Default::default();
        // (expression, codebook span, what it is) of every regex rule, in rule order.
        let mut regex_sources: [Vec<(String, std::ops::Range<usize>, String)>; 3] =
            Default::default();

        let mut entry = |langs: &mut [LangRules; 3],
                         slot: usize,
                         needle: String,
                         prefix: bool,
                         suffix: bool| {
            let rules = &mut langs[slot];
            *entry_of[slot]
                .entry((needle, prefix, suffix))
                .or_insert_with(|| {
                    rules.entries.push(Entry {
                        prefix,
                        suffix,
                        ..Entry::default()
                    });
                    rules.entries.len() - 1
                })
        };

        for ex in codebook.exclusions() {
            let slot = lang_slot(ex.lang);
            for p in &ex.phrases {
                let e = entry(&mut langs, slot, p.to_lowercase(), false, false);
                langs[slot].entries[e].exclusion = true;
            }
        }
        for (dim, d) in codebook.dimensions().iter().enumerate() {
            for ind in &d.indicators {
                for t in &ind.terms {
                    let slot = lang_slot(t.lang);
                    let base = t.weight.unwrap_or(ind.weight);
                    let target = Target {
                        dim,
                        indicator: ind.key.clone(),
                        term: t.text.clone(),
                        weight: if t.boilerplate {
                            base * scoring.boilerplate_factor
                        } else {
                            base
                        },
                        boilerplate: t.boilerplate,
                        rule: Rule::Term,
                        window: None,
                    };
                    langs[slot].targets.push(target);
                    let ti = langs[slot].targets.len() - 1;
                    if t.has_inner_wildcard() {
                        let source = wildcard_regex(&t.text);
                        regex_sources[slot].push((source.clone(), t.span.clone(), t.text.clone()));
                        langs[slot]
                            .regexes
                            .push(RegexRule::new(source, ti, t.is_prefix()));
                    } else {
                        let e = entry(&mut langs, slot, t.needle(), t.is_prefix(), t.is_suffix());
                        langs[slot].entries[e].targets.push(ti);
                    }
                }
                for p in &ind.patterns {
                    let slot = lang_slot(p.lang);
                    langs[slot].targets.push(Target {
                        dim,
                        indicator: ind.key.clone(),
                        term: p.label.clone(),
                        weight: p.weight.unwrap_or(ind.weight),
                        boilerplate: false,
                        rule: Rule::Pattern,
                        window: None,
                    });
                    let ti = langs[slot].targets.len() - 1;
                    regex_sources[slot].push((p.regex.clone(), 0..0, p.label.clone()));
                    let mut rule = RegexRule::new(p.regex.clone(), ti, false);
                    rule.overlay = p.overlay;
                    if let Some(u) = &p.unless {
                        rule.unless = Some(compile(codebook, u, 0..0, &p.label)?);
                    }
                    langs[slot].regexes.push(rule);
                }
                for w in &ind.windows {
                    let slot = lang_slot(w.lang);
                    langs[slot].windows.push(WindowRule {
                        cues: w.cues.iter().map(|c| c.to_lowercase()).collect(),
                        window: w.window,
                        side: w.side,
                    });
                    let wi = langs[slot].windows.len() - 1;
                    for a in &w.anchors {
                        langs[slot].targets.push(Target {
                            dim,
                            indicator: ind.key.clone(),
                            term: a.clone(),
                            weight: w.weight.unwrap_or(ind.weight),
                            boilerplate: false,
                            rule: Rule::Window,
                            window: Some(wi),
                        });
                        let ti = langs[slot].targets.len() - 1;
                        let e = entry(&mut langs, slot, a.to_lowercase(), false, false);
                        langs[slot].entries[e].targets.push(ti);
                    }
                }
            }
        }
        for (slot, rules) in langs.iter_mut().enumerate() {
            // Needles in entry order: pattern id == entry index.
            let mut needles: Vec<(String, usize)> = entry_of[slot]
                .iter()
                .map(|((n, _, _), i)| (n.clone(), *i))
                .collect();
            needles.sort_by_key(|(_, i)| *i);
            if !needles.is_empty() {
                let ac = AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    // Every paragraph goes through it: the DFA searches Chinese text about a
                    // third faster than the default, for a few ms more to build it.
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(needles.iter().map(|(n, _)| n.as_str()))
                    .map_err(|e| {
                        codebook.error_at(0..0, "(all terms)".into(), format!("automaton: {e}"))
                    })?;
                rules.ac = Some(ac);
            }
            // Patterns were checked when the codebook was loaded, and wildcard terms are
            // escaped text: the expressions are compiled when a paragraph first needs them.
            rules.set_sources = regex_sources[slot]
                .iter()
                .map(|(source, _, _)| source.clone())
                .collect();
        }
        let mut silenced = [false; 5];
        if let Some(proc_rule) = codebook.procedural() {
            for &d in &proc_rule.silences {
                silenced[d] = true;
            }
            for p in &proc_rule.patterns {
                langs[lang_slot(p.lang)]
                    .procedural
                    .push((p.label.clone(), RegexRule::new(p.regex.clone(), 0, false)));
            }
        }
        Ok(Coder {
            langs,
            scoring,
            codebook_hash: codebook.hash(),
            silenced,
        })
    }

    /// The scoring parameters of the codebook.
    pub fn scoring(&self) -> Scoring {
        self.scoring
    }

    /// The codebook hash recorded in [`DocumentCodes`].
    pub fn codebook_hash(&self) -> &str {
        &self.codebook_hash
    }

    /// Codes every paragraph of `doc`; `tokens[i]` are the tokens of paragraph `i` (as
    /// [`crate::segment::Segmenter::tokenize`] returns them). A paragraph without tokens is
    /// still coded, with word boundaries only between letters and digits.
    pub fn code_document(&self, doc: &Document, tokens: &[Vec<Token>]) -> DocumentCodes {
        let mut original_index: Option<Vec<usize>> = None;
        let mut paragraphs = Vec::with_capacity(doc.paragraphs.len());
        for (i, p) in doc.paragraphs.iter().enumerate() {
            let text = doc.text.get(p.byte_start..p.byte_end).unwrap_or("");
            let toks: &[Token] = tokens.get(i).map_or(&[], Vec::as_slice);
            let mut hits = self.find_hits(doc.meta.lang, text, toks);
            let procedural = self.procedural_rule(doc.meta.lang, text);
            if procedural.is_some() {
                let targets = &self.langs[lang_slot(doc.meta.lang)].targets;
                hits.retain(|h| !self.silenced[targets[h.target].dim]);
            }
            let mut evidence = Vec::with_capacity(hits.len());
            if !hits.is_empty() {
                let idx = original_index.get_or_insert_with(|| {
                    doc.original
                        .char_indices()
                        .map(|(b, _)| b)
                        .chain(std::iter::once(doc.original.len()))
                        .collect()
                });
                let char_of = char_index(text);
                let rules = &self.langs[lang_slot(doc.meta.lang)];
                for h in hits {
                    let t = &rules.targets[h.target];
                    let cs = p.char_start + char_of.get(h.start).copied().unwrap_or(0);
                    let ce = p.char_start + char_of.get(h.end).copied().unwrap_or(0);
                    let matched = match (idx.get(cs), idx.get(ce)) {
                        (Some(&a), Some(&b)) if a <= b => doc.original[a..b].to_string(),
                        // An original whose chars do not line up with the normalised text
                        // (a damaged store): fall back on the normalised slice.
                        _ => text.get(h.start..h.end).unwrap_or("").to_string(),
                    };
                    evidence.push(Evidence {
                        dimension: DIMENSIONS[t.dim].to_string(),
                        indicator: t.indicator.clone(),
                        term: t.term.clone(),
                        matched,
                        char_start: cs,
                        char_end: ce,
                        weight: t.weight,
                        rule: t.rule,
                        boilerplate: t.boilerplate,
                        cue: h.cue,
                    });
                }
            }
            let n_tokens = toks.iter().filter(|t| !t.subword).count() as u64;
            let sentences = sentence_starts(text, p.char_start);
            let mut codes = self.score_paragraph(p.index, n_tokens, evidence, &sentences);
            codes.procedural = procedural;
            paragraphs.push(codes);
        }
        let document = summarise(&paragraphs);
        DocumentCodes {
            doc_id: doc.meta.id.clone(),
            lang: doc.meta.lang,
            sha256: doc.sha256.clone(),
            codebook_hash: self.codebook_hash.clone(),
            paragraphs,
            document,
        }
    }

    /// The label of the first procedural pattern that matches the paragraph, if any.
    fn procedural_rule(&self, lang: Lang, text: &str) -> Option<String> {
        let rules = &self.langs[lang_slot(lang)].procedural;
        if rules.is_empty() {
            return None;
        }
        let lowered = text.to_lowercase();
        rules
            .iter()
            .find(|(_, rule)| rule.regex().is_some_and(|re| re.is_match(&lowered)))
            .map(|(label, _)| label.clone())
    }

    /// `sentence_starts`: the document char offset where each sentence of the paragraph
    /// starts, ascending (the first is the paragraph's start).
    fn score_paragraph(
        &self,
        index: u32,
        tokens: u64,
        evidence: Vec<Evidence>,
        sentence_starts: &[usize],
    ) -> ParagraphCodes {
        let mut hits = [0u64; 5];
        let mut weighted = [0f64; 5];
        // (dimension, sentence) → weighted hits
        let mut per_sentence: BTreeMap<(usize, usize), f64> = BTreeMap::new();
        for e in &evidence {
            if let Some(d) = DIMENSIONS.iter().position(|k| *k == e.dimension) {
                hits[d] += 1;
                weighted[d] += e.weight;
                let sentence = sentence_starts
                    .partition_point(|&s| s <= e.char_start)
                    .saturating_sub(1);
                *per_sentence.entry((d, sentence)).or_default() += e.weight;
            }
        }
        let mut strength = [0f64; 5];
        for ((d, _), w) in per_sentence {
            strength[d] += w.min(self.scoring.sentence_cap);
        }
        let (labels, dominant) = decide(&self.scoring, &hits, &weighted, &strength);
        let per_1k = |w: f64| w * 1000.0 / tokens.max(1) as f64;
        ParagraphCodes {
            index,
            tokens,
            labels,
            dominant,
            scores: DIMENSIONS
                .iter()
                .zip(weighted)
                .map(|(k, w)| (k.to_string(), per_1k(w)))
                .collect(),
            hits: DIMENSIONS
                .iter()
                .zip(hits)
                .map(|(k, h)| (k.to_string(), h))
                .collect(),
            weighted_hits: DIMENSIONS
                .iter()
                .zip(weighted)
                .map(|(k, w)| (k.to_string(), w))
                .collect(),
            evidence,
            procedural: None,
        }
    }

    /// The hits in one paragraph's normalised text, as byte spans of that text, in order.
    fn find_hits(&self, lang: Lang, text: &str, tokens: &[Token]) -> Vec<Hit> {
        let rules = &self.langs[lang_slot(lang)];
        if text.is_empty() || (rules.ac.is_none() && rules.set_sources.is_empty()) {
            return Vec::new();
        }
        let view = View::new(text);
        let interior = interior_mask(text, tokens);
        let boundary = |b: usize| b >= text.len() || !interior[b];
        let word_end = |mut b: usize| {
            while b < text.len() && interior[b] {
                b += text[b..].chars().next().map_or(1, char::len_utf8);
            }
            b
        };
        let word_start = |mut b: usize| {
            while b > 0 && b < text.len() && interior[b] {
                b -= 1;
                while b > 0 && !text.is_char_boundary(b) {
                    b -= 1;
                }
            }
            b
        };

        let mut cands: Vec<Cand> = Vec::new();
        let mut overlays: Vec<Hit> = Vec::new();
        if let Some(ac) = &rules.ac {
            for m in ac.find_overlapping_iter(view.text.as_ref()) {
                let entry = &rules.entries[m.pattern().as_usize()];
                let mut start = view.src(m.start());
                let mut end = view.src(m.end());
                let mut widened = false;
                if !boundary(start) {
                    if !entry.suffix {
                        continue;
                    }
                    start = word_start(start);
                    widened = true;
                }
                if entry.prefix {
                    end = word_end(end);
                } else if !boundary(end) {
                    continue;
                }
                let mut targets = Vec::new();
                for &ti in &entry.targets {
                    let t = &rules.targets[ti];
                    match t.window {
                        None => targets.push((ti, None)),
                        Some(wi) => {
                            if let Some(cue) =
                                find_cue(&view, m.start(), m.end(), &rules.windows[wi], &boundary)
                            {
                                targets.push((ti, Some(cue)));
                            }
                        }
                    }
                }
                if entry.exclusion || !targets.is_empty() {
                    cands.push(Cand {
                        start,
                        end,
                        exclusion: entry.exclusion,
                        widened,
                        targets,
                    });
                }
            }
        }
        if !rules.set_sources.is_empty() {
            let candidates: Vec<usize> = match rules.prefilter() {
                Some(set) => set.matches(&view.text).iter().collect(),
                None => (0..rules.regexes.len()).collect(),
            };
            for i in candidates {
                let r = &rules.regexes[i];
                let Some(regex) = r.regex() else { continue };
                for m in regex.find_iter(&view.text) {
                    if r.unless.as_ref().is_some_and(|u| u.is_match(m.as_str())) {
                        continue;
                    }
                    let mut start = view.src(m.start());
                    let mut end = view.src(m.end());
                    if r.overlay && start < end {
                        // An overlay pattern spans a phrase (a list of states and its verb, a
                        // document title): widen it to whole words rather than drop it.
                        start = word_start(start);
                        end = word_end(end);
                        overlays.push(Hit {
                            start,
                            end,
                            target: r.target,
                            cue: None,
                        });
                        continue;
                    }
                    if start == end || !boundary(start) {
                        continue;
                    }
                    if r.prefix {
                        end = word_end(end);
                    } else if !boundary(end) {
                        continue;
                    }
                    cands.push(Cand {
                        start,
                        end,
                        exclusion: false,
                        widened: false,
                        targets: vec![(r.target, None)],
                    });
                }
            }
        }
        let mut hits = select(cands, &rules.targets);
        if !overlays.is_empty() {
            merge_overlays(&mut hits, overlays, &rules.targets);
        }
        hits
    }
}

fn compile(
    codebook: &Codebook,
    source: &str,
    span: std::ops::Range<usize>,
    what: &str,
) -> Result<Regex, CodebookError> {
    RegexBuilder::new(source)
        .case_insensitive(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            codebook.error_at(
                span,
                what.to_string(),
                format!("cannot compile `{source}`: {e}"),
            )
        })
}

/// The document char offset where each sentence of a paragraph starts: after a full stop,
/// question or exclamation mark or semicolon (Chinese or Latin; a Latin one followed by a
/// space or a Han character), the paragraph's own start first.
fn sentence_starts(text: &str, char_start: usize) -> Vec<usize> {
    let mut starts = vec![char_start];
    let mut chars = text.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        let ends = match c {
            '。' | '！' | '？' | '；' => true,
            // A Latin mark ends a sentence before a space, or before a Han character (Chinese
            // typed with Latin punctuation, as in the paper).
            '.' | '!' | '?' | ';' => chars
                .peek()
                .is_some_and(|(_, n)| n.is_whitespace() || is_han(*n)),
            _ => false,
        };
        if ends && chars.peek().is_some() {
            starts.push(char_start + i + 1);
        }
    }
    starts
}

/// Labels and dominant dimension from per-dimension hits and weighted hits.
/// `strength` is what the relative rule compares: the weighted hits with each sentence's
/// share capped at [`Scoring::sentence_cap`].
fn decide(
    scoring: &Scoring,
    hits: &[u64; 5],
    weighted: &[f64; 5],
    strength: &[f64; 5],
) -> (Vec<String>, Option<String>) {
    let top = strength.iter().copied().fold(0.0, f64::max);
    let top_weighted = weighted.iter().copied().fold(0.0, f64::max);
    // A small tolerance: weights such as 0.2 × 5 must reach a threshold of 1.0.
    let eps = 1e-9;
    let coded: Vec<usize> = (0..5)
        .filter(|&d| {
            weighted[d] + eps >= scoring.code_threshold
                && weighted[d] > 0.0
                && strength[d] + eps >= scoring.relative_threshold * top
                && weighted[d] + eps >= scoring.min_share * top_weighted
        })
        .collect();
    let dominant = coded
        .iter()
        .copied()
        .max_by(|&a, &b| {
            weighted[a]
                .total_cmp(&weighted[b])
                .then(hits[a].cmp(&hits[b]))
                // Earlier dimension wins a full tie.
                .then(b.cmp(&a))
        })
        .map(|d| DIMENSIONS[d].to_string());
    (
        coded
            .into_iter()
            .map(|d| DIMENSIONS[d].to_string())
            .collect(),
        dominant,
    )
}

fn summarise(paragraphs: &[ParagraphCodes]) -> DocumentSummary {
    let tokens: u64 = paragraphs.iter().map(|p| p.tokens).sum();
    let n = paragraphs.len() as u64;
    let mut dimensions = BTreeMap::new();
    let mut best: Option<(f64, u64, usize)> = None;
    for (d, key) in DIMENSIONS.iter().enumerate() {
        let hits: u64 = paragraphs.iter().filter_map(|p| p.hits.get(*key)).sum();
        let weighted: f64 = paragraphs
            .iter()
            .filter_map(|p| p.weighted_hits.get(*key))
            .sum();
        let coded = paragraphs
            .iter()
            .filter(|p| p.labels.iter().any(|l| l == key))
            .count() as u64;
        let per_1k = weighted * 1000.0 / tokens.max(1) as f64;
        if coded > 0 {
            let better = match best {
                None => true,
                Some((w, h, _)) => per_1k > w || (per_1k == w && hits > h),
            };
            if better {
                best = Some((per_1k, hits, d));
            }
        }
        dimensions.insert(
            key.to_string(),
            DimensionSummary {
                hits,
                weighted_hits: weighted,
                per_1k_tokens: per_1k,
                coded_paragraphs: coded,
                share_coded: if n == 0 { 0.0 } else { coded as f64 / n as f64 },
            },
        );
    }
    DocumentSummary {
        tokens,
        paragraphs: n,
        coded_paragraphs: paragraphs.iter().filter(|p| !p.labels.is_empty()).count() as u64,
        dominant: best.map(|(_, _, d)| DIMENSIONS[d].to_string()),
        dimensions,
    }
}

/// Adds the overlay hits: each swallows the hits of its own dimension inside it (two
/// patterns for the same document title count once, and so does the `纲要` inside
/// `《…纲要》`), and leaves those of other dimensions alone.
fn merge_overlays(hits: &mut Vec<Hit>, mut overlays: Vec<Hit>, targets: &[Target]) {
    overlays.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end), h.target));
    let mut kept: Vec<Hit> = Vec::with_capacity(overlays.len());
    for o in overlays {
        let dim = targets[o.target].dim;
        let inside = |h: &Hit| targets[h.target].dim == dim && h.start >= o.start && h.end <= o.end;
        if kept
            .iter()
            .any(|k| targets[k.target].dim == dim && o.start >= k.start && o.end <= k.end)
        {
            continue;
        }
        hits.retain(|h| !inside(h));
        kept.push(o);
    }
    hits.extend(kept);
    hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end), h.target));
}

/// A selected hit: a byte span of the paragraph's normalised text and its target.
#[derive(Debug)]
struct Hit {
    start: usize,
    end: usize,
    target: usize,
    cue: Option<String>,
}

#[derive(Debug)]
struct Cand {
    start: usize,
    end: usize,
    exclusion: bool,
    /// A suffix term widened to its word's start: an exact entry of the same span wins.
    widened: bool,
    targets: Vec<(usize, Option<String>)>,
}

/// Leftmost-longest selection; candidates with the same span are merged, one hit per
/// dimension (window before term before pattern, then codebook order).
fn select(mut cands: Vec<Cand>, targets: &[Target]) -> Vec<Hit> {
    cands.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(b.exclusion.cmp(&a.exclusion))
    });
    let mut hits = Vec::new();
    let mut taken_end = 0;
    let mut i = 0;
    while i < cands.len() {
        let (start, end) = (cands[i].start, cands[i].end);
        let mut j = i;
        while j < cands.len() && cands[j].start == start && cands[j].end == end {
            j += 1;
        }
        if start >= taken_end {
            taken_end = end;
            if !cands[i..j].iter().any(|c| c.exclusion) {
                let mut group: Vec<(usize, Option<String>, bool)> = cands[i..j]
                    .iter_mut()
                    .flat_map(|c| {
                        let widened = c.widened;
                        std::mem::take(&mut c.targets)
                            .into_iter()
                            .map(move |(t, cue)| (t, cue, widened))
                    })
                    .collect();
                group.sort_by_key(|(t, _, widened)| {
                    (targets[*t].dim, *widened, targets[*t].rule, *t)
                });
                let mut last_dim = None;
                for (t, cue, _) in group {
                    if last_dim == Some(targets[t].dim) {
                        continue;
                    }
                    last_dim = Some(targets[t].dim);
                    hits.push(Hit {
                        start,
                        end,
                        target: t,
                        cue,
                    });
                }
            }
        }
        i = j;
    }
    hits
}

/// The lower-cased, whitespace-folded text the automaton and the patterns search.
struct View<'a> {
    text: Cow<'a, str>,
    /// Byte of the paragraph text where each view byte's char starts, with one extra entry for
    /// the end; `None` when the view is the paragraph text itself (the common case in
    /// Chinese: nothing to lower-case, no run of whitespace).
    to_src: Option<Vec<usize>>,
}

impl<'a> View<'a> {
    fn new(src: &'a str) -> View<'a> {
        let mut prev_space = false;
        let unchanged = src.chars().all(|c| {
            let ok = if c == ' ' {
                !prev_space
            } else {
                !c.is_whitespace() && lower_one(c) == c
            };
            prev_space = c == ' ';
            ok
        });
        if unchanged {
            return View {
                text: Cow::Borrowed(src),
                to_src: None,
            };
        }
        View::folded(src)
    }

    /// The view built char by char, with its map back to `src`.
    fn folded(src: &str) -> View<'static> {
        let mut text = String::with_capacity(src.len());
        let mut to_src = Vec::with_capacity(src.len() + 1);
        let mut in_ws = false;
        for (b, c) in src.char_indices() {
            let out = if c.is_whitespace() {
                if in_ws {
                    continue;
                }
                in_ws = true;
                ' '
            } else {
                in_ws = false;
                lower_one(c)
            };
            text.push(out);
            to_src.extend(std::iter::repeat_n(b, out.len_utf8()));
        }
        to_src.push(src.len());
        View {
            text: Cow::Owned(text),
            to_src: Some(to_src),
        }
    }

    fn src(&self, view_byte: usize) -> usize {
        match &self.to_src {
            None if view_byte <= self.text.len() => view_byte,
            None => usize::MAX,
            Some(map) => map.get(view_byte).copied().unwrap_or(usize::MAX),
        }
    }
}

/// `c` lower-cased when that gives exactly one char, so that every view char stands for one
/// source char; else `c`. ASCII and Han chars (nearly all of a paragraph) skip Unicode's
/// case tables, which cost a seventh of the coding time.
fn lower_one(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    if is_han(c) || is_cjk_punctuation(c) {
        return c;
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// A letter or digit of an alphabetic script: two of them in a row are inside one word.
fn is_wordy(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        !is_han(c) && !is_cjk_punctuation(c) && c.is_alphanumeric()
    }
}

/// Punctuation and spaces common in Chinese text (the general punctuation block with `“”—…`,
/// CJK brackets and stops, full-width signs): no case, neither letter nor digit.
fn is_cjk_punctuation(c: char) -> bool {
    matches!(c,
        '\u{2000}'..='\u{206F}'
        | '\u{3000}'..='\u{3004}'
        | '\u{3008}'..='\u{3020}'
        | '\u{FF01}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}')
}

/// `mask[b]` is true when byte offset `b` of `text` lies inside a word: strictly inside a
/// main token, or between two letters/digits of an alphabetic script.
fn interior_mask(text: &str, tokens: &[Token]) -> Vec<bool> {
    let mut mask = vec![false; text.len() + 1];
    for t in tokens.iter().filter(|t| !t.subword) {
        let end = t.byte_end.min(text.len());
        for m in mask.iter_mut().take(end).skip(t.byte_start + 1) {
            *m = true;
        }
    }
    let mut prev = false;
    for (b, c) in text.char_indices() {
        let wordy = is_wordy(c);
        if prev && wordy {
            mask[b] = true;
        }
        prev = wordy;
    }
    mask
}

/// Char index of every byte offset of `text` that starts a char (and of `text.len()`).
fn char_index(text: &str) -> Vec<usize> {
    let mut idx = vec![0; text.len() + 1];
    let mut n = 0;
    for (b, _) in text.char_indices() {
        idx[b] = n;
        n += 1;
    }
    idx[text.len()] = n;
    idx
}

const SENTENCE_END: [char; 9] = ['。', '！', '？', '；', '.', '!', '?', ';', '\n'];

/// The first cue of `rule` within its window of the anchor at view bytes `start..end`, in the
/// same sentence. Cues match at a word start and may run on inside the word (`против` matches
/// `противодействие`).
fn find_cue(
    view: &View,
    start: usize,
    end: usize,
    rule: &WindowRule,
    boundary: &dyn Fn(usize) -> bool,
) -> Option<String> {
    let text: &str = &view.text;
    let mut regions: Vec<(usize, usize)> = Vec::with_capacity(2);
    if matches!(rule.side, Side::Before | Side::Both) {
        let mut from = start;
        for (b, c) in text[..start].char_indices().rev().take(rule.window) {
            if SENTENCE_END.contains(&c) {
                break;
            }
            from = b;
        }
        regions.push((from, start));
    }
    if matches!(rule.side, Side::After | Side::Both) {
        let mut to = end;
        for (b, c) in text[end..].char_indices().take(rule.window) {
            if SENTENCE_END.contains(&c) {
                break;
            }
            to = end + b + c.len_utf8();
        }
        regions.push((end, to));
    }
    for cue in &rule.cues {
        for &(from, to) in &regions {
            let region = &text[from..to];
            if region
                .match_indices(cue.as_str())
                .any(|(i, _)| boundary(view.src(from + i)))
            {
                return Some(cue.clone());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests;
