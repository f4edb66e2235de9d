//! The codebook: dimensions, indicators, terms, patterns, context (window) rules, exclusions
//! and the scoring parameters, read from TOML and checked.
//!
//! The format is documented in `corpus/codebook/README.md`. Every error names the codebook,
//! the line and the key, so that a researcher editing the file finds the mistake at once.

use super::DIMENSIONS;
use crate::corpus::document::Lang;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The codebook that ships with scoway.
pub const BUNDLED: &str = include_str!("../../corpus/codebook/sco_way.toml");

/// Errors of loading or compiling a codebook. Messages name the file, the line and the key.
#[derive(Debug, thiserror::Error)]
pub enum CodebookError {
    #[error("cannot read codebook {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("codebook {origin}, line {line}, key `{key}`: {message}")]
    Invalid {
        /// The file, or `bundled`.
        origin: String,
        line: usize,
        key: String,
        message: String,
    },
}

/// One term of the codebook, as it appears in the evidence (`term` column): a literal term
/// (a trailing `*` marks a prefix), the anchor of a window rule, or the label of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermInfo {
    pub dimension: String,
    pub indicator: String,
    pub term: String,
    pub lang: Lang,
}

/// Scoring parameters (`[scoring]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scoring {
    /// Weighted hits a paragraph needs before it is coded for a dimension.
    pub code_threshold: f64,
    /// A dimension is coded only when its weighted hits reach this share of the paragraph's
    /// strongest dimension (0 turns the rule off).
    pub relative_threshold: f64,
    /// For the relative rule only, a dimension's weighted hits in one sentence count at most
    /// this much: the rule compares how many sentences of the paragraph carry each dimension,
    /// so that a sentence listing five documents does not hide the other dimensions of a
    /// one- or two-sentence paragraph (`f64::INFINITY`: hits are compared as they are).
    pub sentence_cap: f64,
    /// A dimension is coded only when its weighted hits (uncapped) reach this share of the
    /// strongest dimension's: a single mention in a long passage about something else stays
    /// uncoded even when the sentence cap puts it close to the strongest (0 turns it off).
    pub min_share: f64,
    /// Factor applied to the weight of terms flagged `boilerplate`.
    pub boilerplate_factor: f64,
    /// Default window (in chars) of window rules.
    pub window: usize,
}

/// A literal term of an indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// As written in the codebook (with a trailing `*` for a prefix term).
    pub text: String,
    pub lang: Lang,
    /// Own weight, overriding the indicator's.
    pub weight: Option<f64>,
    pub boilerplate: bool,
    pub(crate) span: Range<usize>,
}

impl Term {
    /// True for a prefix term (`безопасност*`): the match runs on to the end of the word.
    pub fn is_prefix(&self) -> bool {
        self.text.ends_with('*')
    }

    /// True when a `*` ends a word inside the term (`энергетическ* безопасност*`): such a term
    /// is matched with a regular expression instead of the automaton.
    pub fn has_inner_wildcard(&self) -> bool {
        self.text
            .trim_start_matches('*')
            .trim_end_matches('*')
            .contains('*')
    }

    /// The text to search for: lower-cased, without the `*`.
    pub fn needle(&self) -> String {
        self.text.trim_matches('*').to_lowercase()
    }

    /// True for a Chinese suffix term (`*论坛`): it also matches at the end of a longer word
    /// (医学论坛, 旅游论坛), whose start the match then takes. For heads of compounds that the
    /// segmenter keeps in one word.
    pub fn is_suffix(&self) -> bool {
        self.text.starts_with('*')
    }
}

/// A regular-expression rule of an indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub lang: Lang,
    pub regex: String,
    /// What the evidence records as the term.
    pub label: String,
    pub weight: Option<f64>,
    /// The match counts beside the terms inside it: it neither swallows them nor is swallowed
    /// (a named document, `《…协定》`, is an institution whatever its title is about).
    pub overlay: bool,
    /// A match in which this expression is found does not count (`《…》` but not the UN
    /// Charter).
    pub unless: Option<String>,
}

/// Paragraphs that only record the meeting (who attended, who chaired, where the next meeting
/// is held, thanks to the host): a match of one of the patterns silences the listed dimensions
/// in the paragraph, whose names of bodies and officials say nothing about them.
#[derive(Debug, Clone, PartialEq)]
pub struct Procedural {
    pub note: String,
    /// Indices into [`DIMENSIONS`] of the silenced dimensions.
    pub silences: Vec<usize>,
    pub patterns: Vec<Pattern>,
}

/// Which side of the anchor a window rule looks at for its cue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Before,
    After,
    Both,
}

/// A context rule: an anchor term counts only with a cue within `window` chars, in the same
/// sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub lang: Lang,
    pub anchors: Vec<String>,
    pub cues: Vec<String>,
    pub window: usize,
    pub side: Side,
    pub weight: Option<f64>,
}

/// An indicator of a dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub key: String,
    pub weight: f64,
    pub note: String,
    pub terms: Vec<Term>,
    pub patterns: Vec<Pattern>,
    pub windows: Vec<Window>,
}

/// A dimension of the codebook.
#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    pub key: String,
    pub name: String,
    pub definition: String,
    pub indicators: Vec<Indicator>,
}

/// Phrases that block every term inside them (`印度尼西亚` blocks `印度`).
#[derive(Debug, Clone, PartialEq)]
pub struct Exclusion {
    pub lang: Lang,
    pub phrases: Vec<String>,
    pub note: String,
}

/// A loaded and checked codebook.
#[derive(Debug, Clone)]
pub struct Codebook {
    source: String,
    path: Option<PathBuf>,
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) scoring: Scoring,
    /// In the order of [`DIMENSIONS`].
    pub(crate) dimensions: Vec<Dimension>,
    pub(crate) exclusions: Vec<Exclusion>,
    pub(crate) procedural: Option<Procedural>,
}

impl Codebook {
    /// Loads the codebook at `path`, or the bundled default when `path` is `None`.
    pub fn load(path: Option<&Path>) -> Result<Codebook, CodebookError> {
        match path {
            None => Codebook::parse(BUNDLED, None),
            Some(p) => {
                let source = std::fs::read_to_string(p).map_err(|source| CodebookError::Read {
                    path: p.to_path_buf(),
                    source,
                })?;
                Codebook::parse(&source, Some(p))
            }
        }
    }

    /// Parses and checks codebook TOML; `path` only names the source in errors.
    pub fn parse(source: &str, path: Option<&Path>) -> Result<Codebook, CodebookError> {
        let origin = path.map_or_else(|| "bundled".to_string(), |p| p.display().to_string());
        let ctx = Ctx {
            source,
            origin: &origin,
        };
        let raw: RawCodebook = toml::from_str(source).map_err(|e| ctx.toml_error(&e))?;
        let mut book = Codebook {
            source: source.to_string(),
            path: path.map(Path::to_path_buf),
            name: raw.name.unwrap_or_else(|| "unnamed codebook".into()),
            version: raw.version.unwrap_or_default(),
            scoring: ctx.scoring(raw.scoring)?,
            dimensions: Vec::new(),
            exclusions: Vec::new(),
            procedural: None,
        };
        for key in raw.dimensions.keys() {
            if !DIMENSIONS.contains(&key.get_ref().as_str()) {
                return Err(ctx.error(
                    key.span(),
                    format!("dimensions.{}", key.get_ref()),
                    format!(
                        "unknown dimension `{}`; the dimensions are {}",
                        key.get_ref(),
                        DIMENSIONS.join(", ")
                    ),
                ));
            }
        }
        let mut raw_dims: HashMap<String, Spanned<RawDimension>> = raw
            .dimensions
            .into_iter()
            .map(|(k, v)| (k.into_inner(), v))
            .collect();
        for key in DIMENSIONS {
            let Some(dim) = raw_dims.remove(key) else {
                return Err(ctx.error(
                    0..0,
                    format!("dimensions.{key}"),
                    format!("the codebook does not define the dimension `{key}`"),
                ));
            };
            let mut dim = ctx.dimension(key, dim)?;
            for w in dim
                .indicators
                .iter_mut()
                .flat_map(|i| i.windows.iter_mut())
                .filter(|w| w.window == 0)
            {
                w.window = book.scoring.window;
            }
            book.dimensions.push(dim);
        }
        for (i, ex) in raw.exclusions.into_iter().enumerate() {
            let key = format!("exclusions[{i}]");
            let span = ex.span();
            let ex = ex.into_inner();
            let lang = ctx.lang(&ex.lang, &format!("{key}.lang"))?;
            let mut phrases = Vec::new();
            for (j, p) in ex.phrases.into_iter().enumerate() {
                phrases.push(ctx.phrase(p, &format!("{key}.phrases[{j}]"))?);
            }
            if phrases.is_empty() {
                return Err(ctx.error(span, key, "an exclusion needs at least one phrase".into()));
            }
            book.exclusions.push(Exclusion {
                lang,
                phrases,
                note: ex.note.unwrap_or_default(),
            });
        }
        if let Some(raw) = raw.procedural {
            book.procedural = Some(ctx.procedural(raw)?);
        }
        Ok(book)
    }

    /// sha256 (hex) of the TOML source.
    pub fn hash(&self) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(self.source.as_bytes()))
    }

    /// Every term that can appear in the evidence, in codebook order: literal terms, window
    /// anchors and pattern labels (exclusions never produce evidence and are left out).
    pub fn all_terms(&self) -> Vec<TermInfo> {
        let mut out = Vec::new();
        for d in &self.dimensions {
            for ind in &d.indicators {
                let mut push = |term: &str, lang: Lang| {
                    out.push(TermInfo {
                        dimension: d.key.clone(),
                        indicator: ind.key.clone(),
                        term: term.to_string(),
                        lang,
                    })
                };
                for t in &ind.terms {
                    push(&t.text, t.lang);
                }
                for w in &ind.windows {
                    for a in &w.anchors {
                        push(a, w.lang);
                    }
                }
                for p in &ind.patterns {
                    push(&p.label, p.lang);
                }
            }
        }
        out
    }

    /// The file the codebook was read from; `None` for the bundled one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The TOML source.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// `name` and `version` from the codebook.
    pub fn name(&self) -> (&str, &str) {
        (&self.name, &self.version)
    }

    /// The scoring parameters.
    pub fn scoring(&self) -> Scoring {
        self.scoring
    }

    /// The dimensions, in the order of [`DIMENSIONS`].
    pub fn dimensions(&self) -> &[Dimension] {
        &self.dimensions
    }

    /// The exclusion phrases.
    pub fn exclusions(&self) -> &[Exclusion] {
        &self.exclusions
    }

    /// The rule for procedural paragraphs, if the codebook has one.
    pub fn procedural(&self) -> Option<&Procedural> {
        self.procedural.as_ref()
    }

    /// The error for a rule that fails to compile.
    pub(crate) fn error_at(
        &self,
        span: Range<usize>,
        key: String,
        message: String,
    ) -> CodebookError {
        let origin = self
            .path
            .as_ref()
            .map_or_else(|| "bundled".to_string(), |p| p.display().to_string());
        Ctx {
            source: &self.source,
            origin: &origin,
        }
        .error(span, key, message)
    }
}

// ---------------------------------------------------------------------------------------------
// The TOML as written.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCodebook {
    name: Option<String>,
    version: Option<String>,
    #[serde(default)]
    scoring: Option<Spanned<RawScoring>>,
    #[serde(default)]
    exclusions: Vec<Spanned<RawExclusion>>,
    #[serde(default)]
    procedural: Option<Spanned<RawProcedural>>,
    dimensions: BTreeMap<Spanned<String>, Spanned<RawDimension>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcedural {
    note: Option<String>,
    silences: Vec<Spanned<String>>,
    patterns: Vec<Spanned<RawPattern>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScoring {
    code_threshold: Option<Spanned<f64>>,
    relative_threshold: Option<Spanned<f64>>,
    sentence_cap: Option<Spanned<f64>>,
    min_share: Option<Spanned<f64>>,
    boilerplate_factor: Option<Spanned<f64>>,
    window: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExclusion {
    lang: Spanned<String>,
    phrases: Vec<Spanned<String>>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDimension {
    name: Option<String>,
    definition: Option<String>,
    #[serde(default)]
    indicators: Vec<Spanned<RawIndicator>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    key: Spanned<String>,
    weight: Option<Spanned<f64>>,
    note: Option<Spanned<String>>,
    #[serde(default)]
    zh: Vec<Spanned<RawTerm>>,
    #[serde(default)]
    ru: Vec<Spanned<RawTerm>>,
    #[serde(default)]
    en: Vec<Spanned<RawTerm>>,
    #[serde(default)]
    patterns: Vec<Spanned<RawPattern>>,
    #[serde(default)]
    windows: Vec<Spanned<RawWindow>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPattern {
    lang: Spanned<String>,
    regex: Spanned<String>,
    label: Option<String>,
    weight: Option<Spanned<f64>>,
    overlay: Option<bool>,
    unless: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    lang: Spanned<String>,
    anchors: Vec<Spanned<String>>,
    cues: Vec<Spanned<String>>,
    window: Option<Spanned<i64>>,
    side: Option<Side>,
    weight: Option<Spanned<f64>>,
}

/// A term: a string, or a table `{ term = "...", weight = 0.5, boilerplate = true }`.
struct RawTerm {
    term: String,
    weight: Option<f64>,
    boilerplate: bool,
}

impl<'de> Deserialize<'de> for RawTerm {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawTerm;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a term string or a table { term, weight, boilerplate }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawTerm, E> {
                Ok(RawTerm {
                    term: v.to_string(),
                    weight: None,
                    boilerplate: false,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawTerm, A::Error> {
                let (mut term, mut weight, mut boilerplate) = (None, None, false);
                while let Some(k) = map.next_key::<String>()? {
                    match k.as_str() {
                        "term" => term = Some(map.next_value::<String>()?),
                        "weight" => weight = Some(map.next_value::<f64>()?),
                        "boilerplate" => boilerplate = map.next_value::<bool>()?,
                        other => {
                            return Err(de::Error::unknown_field(
                                other,
                                &["term", "weight", "boilerplate"],
                            ));
                        }
                    }
                }
                let term = term.ok_or_else(|| de::Error::missing_field("term"))?;
                Ok(RawTerm {
                    term,
                    weight,
                    boilerplate,
                })
            }
        }
        d.deserialize_any(V)
    }
}

// ---------------------------------------------------------------------------------------------
// Checking.

struct Ctx<'a> {
    source: &'a str,
    origin: &'a str,
}

fn line_of(source: &str, offset: usize) -> usize {
    let offset = offset.min(source.len());
    source.as_bytes()[..offset]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

impl Ctx<'_> {
    fn error(&self, span: Range<usize>, key: String, message: String) -> CodebookError {
        CodebookError::Invalid {
            origin: self.origin.to_string(),
            line: line_of(self.source, span.start),
            key,
            message,
        }
    }

    /// A TOML syntax or type error: toml gives a byte span; the key is read from the source
    /// around it (the `key =` on that line, under the nearest table header above).
    fn toml_error(&self, e: &toml::de::Error) -> CodebookError {
        let span = e.span().unwrap_or(0..0);
        let line = line_of(self.source, span.start);
        let lines: Vec<&str> = self.source.lines().collect();
        let this = lines.get(line.saturating_sub(1)).copied().unwrap_or("");
        let key_on_line = this
            .split_once('=')
            .map(|(k, _)| k.trim().to_string())
            .filter(|k| !k.is_empty() && !k.starts_with('#') && !k.contains('"'));
        let header = lines[..line.saturating_sub(1).min(lines.len())]
            .iter()
            .rev()
            .chain(std::iter::once(&this))
            .find_map(|l| {
                let t = l.trim();
                t.starts_with('[')
                    .then(|| t.trim_matches(['[', ']']).trim().to_string())
            });
        let header_here = this.trim().starts_with('[');
        let key = match (header, key_on_line) {
            (Some(h), Some(k)) if !header_here => format!("{h}.{k}"),
            (Some(h), _) => h,
            (None, Some(k)) => k,
            (None, None) => "(top level)".to_string(),
        };
        CodebookError::Invalid {
            origin: self.origin.to_string(),
            line,
            key,
            message: e.message().trim().to_string(),
        }
    }

    fn lang(&self, s: &Spanned<String>, key: &str) -> Result<Lang, CodebookError> {
        s.get_ref()
            .parse::<Lang>()
            .map_err(|m| self.error(s.span(), key.to_string(), m))
    }

    fn weight(&self, w: Option<&Spanned<f64>>, key: &str) -> Result<Option<f64>, CodebookError> {
        match w {
            None => Ok(None),
            Some(w) if w.get_ref().is_finite() && *w.get_ref() > 0.0 => Ok(Some(*w.get_ref())),
            Some(w) => Err(self.error(
                w.span(),
                key.to_string(),
                format!("a weight must be a positive number, not {}", w.get_ref()),
            )),
        }
    }

    fn window_len(&self, w: &Spanned<i64>, key: &str) -> Result<usize, CodebookError> {
        match usize::try_from(*w.get_ref()) {
            Ok(n) if (1..=200).contains(&n) => Ok(n),
            _ => Err(self.error(
                w.span(),
                key.to_string(),
                format!("a window is 1 to 200 chars, not {}", w.get_ref()),
            )),
        }
    }

    fn phrase(&self, p: Spanned<String>, key: &str) -> Result<String, CodebookError> {
        let text = p.get_ref().trim();
        if text.is_empty() {
            return Err(self.error(p.span(), key.to_string(), "empty term".into()));
        }
        if text.contains('*') {
            return Err(self.error(
                p.span(),
                key.to_string(),
                format!(
                    "`{text}`: `*` is for indicator terms, not exclusion phrases, anchors or cues"
                ),
            ));
        }
        Ok(collapse_ws(text))
    }

    fn scoring(&self, raw: Option<Spanned<RawScoring>>) -> Result<Scoring, CodebookError> {
        let mut s = Scoring {
            code_threshold: 1.0,
            relative_threshold: 0.0,
            sentence_cap: f64::INFINITY,
            min_share: 0.0,
            boilerplate_factor: 0.2,
            window: 12,
        };
        let Some(raw) = raw.map(Spanned::into_inner) else {
            return Ok(s);
        };
        let check = |v: &Spanned<f64>, key: &str, lo: f64, hi: f64| {
            let x = *v.get_ref();
            if x.is_finite() && x >= lo && x <= hi {
                Ok(x)
            } else {
                Err(self.error(
                    v.span(),
                    format!("scoring.{key}"),
                    format!("must be between {lo} and {hi}, not {x}"),
                ))
            }
        };
        if let Some(v) = &raw.code_threshold {
            s.code_threshold = check(v, "code_threshold", 0.0, 1000.0)?;
        }
        if let Some(v) = &raw.relative_threshold {
            s.relative_threshold = check(v, "relative_threshold", 0.0, 1.0)?;
        }
        if let Some(v) = &raw.min_share {
            s.min_share = check(v, "min_share", 0.0, 1.0)?;
        }
        if let Some(v) = &raw.sentence_cap {
            s.sentence_cap = check(v, "sentence_cap", 0.1, 1000.0)?;
        }
        if let Some(v) = &raw.boilerplate_factor {
            s.boilerplate_factor = check(v, "boilerplate_factor", 0.0, 1.0)?;
        }
        if let Some(v) = &raw.window {
            s.window = self.window_len(v, "scoring.window")?;
        }
        Ok(s)
    }

    fn pattern(&self, p: RawPattern, pkey: &str) -> Result<Pattern, CodebookError> {
        let lang = self.lang(&p.lang, &format!("{pkey}.lang"))?;
        let re = p.regex.get_ref().clone();
        // Parsed, not compiled: compiling every pattern at every load would cost more than
        // coding a document; the coder compiles them when it first needs them.
        let hir = regex_syntax::ParserBuilder::new()
            .case_insensitive(true)
            .build()
            .parse(&re)
            .map_err(|e| {
                self.error(
                    p.regex.span(),
                    format!("{pkey}.regex"),
                    format!("invalid regular expression: {e}"),
                )
            })?;
        if hir.properties().minimum_len() == Some(0) {
            return Err(self.error(
                p.regex.span(),
                format!("{pkey}.regex"),
                "the pattern matches the empty string".into(),
            ));
        }
        let unless = match p.unless {
            Some(u) => {
                if let Err(e) = regex_syntax::ParserBuilder::new()
                    .case_insensitive(true)
                    .build()
                    .parse(u.get_ref())
                {
                    return Err(self.error(
                        u.span(),
                        format!("{pkey}.unless"),
                        format!("invalid regular expression: {e}"),
                    ));
                }
                Some(u.into_inner())
            }
            None => None,
        };
        Ok(Pattern {
            lang,
            label: p.label.unwrap_or_else(|| re.clone()),
            regex: re,
            weight: self.weight(p.weight.as_ref(), &format!("{pkey}.weight"))?,
            overlay: p.overlay.unwrap_or(false),
            unless,
        })
    }

    fn procedural(&self, raw: Spanned<RawProcedural>) -> Result<Procedural, CodebookError> {
        let span = raw.span();
        let raw = raw.into_inner();
        let mut silences = Vec::new();
        for (i, d) in raw.silences.iter().enumerate() {
            match DIMENSIONS.iter().position(|k| k == d.get_ref()) {
                Some(x) => silences.push(x),
                None => {
                    return Err(self.error(
                        d.span(),
                        format!("procedural.silences[{i}]"),
                        format!(
                            "unknown dimension `{}`; the dimensions are {}",
                            d.get_ref(),
                            DIMENSIONS.join(", ")
                        ),
                    ));
                }
            }
        }
        let mut patterns = Vec::new();
        for (j, p) in raw.patterns.into_iter().enumerate() {
            patterns.push(self.pattern(p.into_inner(), &format!("procedural.patterns[{j}]"))?);
        }
        if patterns.is_empty() {
            return Err(self.error(
                span,
                "procedural".into(),
                "the procedural rule needs at least one pattern".into(),
            ));
        }
        Ok(Procedural {
            note: raw.note.unwrap_or_default(),
            silences,
            patterns,
        })
    }

    fn dimension(&self, key: &str, raw: Spanned<RawDimension>) -> Result<Dimension, CodebookError> {
        let span = raw.span();
        let raw = raw.into_inner();
        if raw.indicators.is_empty() {
            return Err(self.error(
                span,
                format!("dimensions.{key}"),
                "a dimension needs at least one indicator".into(),
            ));
        }
        let mut indicators: Vec<Indicator> = Vec::new();
        // (lang, needle, prefix) → key of the first entry: a stretch of text counts at most once
        // per dimension, so the same term twice in one dimension is a mistake.
        let mut seen: HashMap<(Lang, String, bool), String> = HashMap::new();
        for (i, ind) in raw.indicators.into_iter().enumerate() {
            let ikey = format!("dimensions.{key}.indicators[{i}]");
            let ind_span = ind.span();
            let ind = ind.into_inner();
            let k = ind.key.get_ref().trim().to_string();
            if k.is_empty()
                || !k
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(self.error(
                    ind.key.span(),
                    format!("{ikey}.key"),
                    format!("indicator key `{k}` must be lower-case ASCII letters, digits and `_`"),
                ));
            }
            if indicators.iter().any(|x| x.key == k) {
                return Err(self.error(
                    ind.key.span(),
                    format!("{ikey}.key"),
                    format!("indicator `{k}` is defined twice in `{key}`"),
                ));
            }
            let weight = self
                .weight(ind.weight.as_ref(), &format!("{ikey}.weight"))?
                .unwrap_or(1.0);
            let note = match ind.note {
                Some(n) if !n.get_ref().trim().is_empty() => n.into_inner(),
                Some(n) => {
                    return Err(self.error(
                        n.span(),
                        format!("{ikey}.note"),
                        "the note is empty: say why the indicator indicates the dimension".into(),
                    ));
                }
                None => {
                    return Err(self.error(
                        ind_span,
                        format!("{ikey}.note"),
                        format!("indicator `{k}` has no note saying why it indicates `{key}`"),
                    ));
                }
            };
            let mut terms = Vec::new();
            for (lang, list, lname) in [
                (Lang::Zh, ind.zh, "zh"),
                (Lang::Ru, ind.ru, "ru"),
                (Lang::En, ind.en, "en"),
            ] {
                for (j, t) in list.into_iter().enumerate() {
                    let tkey = format!("{ikey}.{lname}[{j}]");
                    let span = t.span();
                    let t = t.into_inner();
                    let text = collapse_ws(t.term.trim());
                    if text.trim_matches('*').is_empty() {
                        return Err(self.error(span, tkey, "empty term".into()));
                    }
                    if let Err(m) = check_wildcards(&text) {
                        return Err(self.error(span, tkey, format!("`{text}`: {m}")));
                    }
                    let w = match t.weight {
                        Some(w) if !(w.is_finite() && w > 0.0) => {
                            return Err(self.error(
                                span,
                                format!("{tkey}.weight"),
                                format!("a weight must be a positive number, not {w}"),
                            ));
                        }
                        w => w,
                    };
                    let term = Term {
                        text,
                        lang,
                        weight: w,
                        boilerplate: t.boilerplate,
                        span: span.clone(),
                    };
                    let id = (lang, term.needle(), term.is_prefix());
                    if let Some(first) = seen.get(&id) {
                        return Err(self.error(
                            span,
                            tkey,
                            format!(
                                "`{}` is already a term of `{first}`: within a dimension a term \
                                 is listed once",
                                term.text
                            ),
                        ));
                    }
                    seen.insert(id, format!("{key}.{k}"));
                    terms.push(term);
                }
            }
            let mut patterns = Vec::new();
            for (j, p) in ind.patterns.into_iter().enumerate() {
                patterns.push(self.pattern(p.into_inner(), &format!("{ikey}.patterns[{j}]"))?);
            }
            let mut windows = Vec::new();
            for (j, w) in ind.windows.into_iter().enumerate() {
                let wkey = format!("{ikey}.windows[{j}]");
                let wspan = w.span();
                let w = w.into_inner();
                let lang = self.lang(&w.lang, &format!("{wkey}.lang"))?;
                let mut anchors = Vec::new();
                for (n, a) in w.anchors.into_iter().enumerate() {
                    anchors.push(self.phrase(a, &format!("{wkey}.anchors[{n}]"))?);
                }
                let mut cues = Vec::new();
                for (n, c) in w.cues.into_iter().enumerate() {
                    cues.push(self.phrase(c, &format!("{wkey}.cues[{n}]"))?);
                }
                if anchors.is_empty() || cues.is_empty() {
                    return Err(self.error(
                        wspan,
                        wkey,
                        "a window rule needs at least one anchor and one cue".into(),
                    ));
                }
                let window = match &w.window {
                    Some(n) => self.window_len(n, &format!("{wkey}.window"))?,
                    None => 0, // filled in with the codebook default below
                };
                windows.push(Window {
                    lang,
                    anchors,
                    cues,
                    window,
                    side: w.side.unwrap_or(Side::Before),
                    weight: self.weight(w.weight.as_ref(), &format!("{wkey}.weight"))?,
                });
            }
            if terms.is_empty() && patterns.is_empty() && windows.is_empty() {
                return Err(self.error(
                    ind_span,
                    ikey,
                    format!("indicator `{k}` has no terms, patterns or windows"),
                ));
            }
            indicators.push(Indicator {
                key: k,
                weight,
                note,
                terms,
                patterns,
                windows,
            });
        }
        Ok(Dimension {
            key: key.to_string(),
            name: raw.name.unwrap_or_else(|| key.to_string()),
            definition: raw.definition.unwrap_or_default(),
            indicators,
        })
    }
}

/// A `*` ends a word: it is followed by nothing, a space or a hyphen, and preceded by at least
/// two letters of that word (three for a one-word prefix term, which would match too much).
fn check_wildcards(text: &str) -> Result<(), String> {
    if let Some(rest) = text.strip_prefix('*') {
        let han = rest.chars().filter(|c| crate::segment::is_han(*c)).count();
        if han < 2 || han != rest.chars().count() {
            return Err(
                "a leading `*` makes a Chinese suffix term (`*论坛`): it needs two or more Han \
                 characters and nothing else"
                    .into(),
            );
        }
        return Ok(());
    }
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c != '*' {
            continue;
        }
        if !matches!(chars.get(i + 1), None | Some(' ' | '-' | '–')) {
            return Err("`*` may only end a word (before a space, a hyphen or the end)".into());
        }
        let stem = chars[..i]
            .iter()
            .rev()
            .take_while(|c| c.is_alphanumeric())
            .count();
        let one_word = !chars.iter().any(|c| matches!(c, ' ' | '-' | '–'));
        let need = if one_word { 3 } else { 2 };
        if stem < need {
            return Err(format!(
                "a word ending in `*` needs at least {need} letters before it"
            ));
        }
    }
    Ok(())
}

/// Runs of whitespace become one space, as in the text the coder searches.
pub(crate) fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_ws = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !in_ws {
                out.push(' ');
            }
            in_ws = true;
        } else {
            out.push(c);
            in_ws = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal(extra: &str) -> String {
        let mut s = String::from("name = \"t\"\n");
        s.push_str(extra);
        for d in DIMENSIONS {
            s.push_str(&format!(
                "\n[[dimensions.{d}.indicators]]\nkey = \"k\"\nnote = \"why\"\nzh = [\"词{d}\"]\n"
            ));
        }
        s
    }

    fn invalid(src: &str) -> (usize, String, String) {
        match Codebook::parse(src, Some(Path::new("cb.toml"))) {
            Err(CodebookError::Invalid {
                line, key, message, ..
            }) => (line, key, message),
            other => panic!("expected an Invalid error, got {other:?}"),
        }
    }

    #[test]
    fn bundled_codebook_loads_with_all_dimensions() {
        let cb = Codebook::load(None).expect("bundled codebook is valid");
        let keys: Vec<&str> = cb.dimensions().iter().map(|d| d.key.as_str()).collect();
        assert_eq!(keys, DIMENSIONS);
        for d in cb.dimensions() {
            for ind in &d.indicators {
                assert!(
                    !ind.note.trim().is_empty(),
                    "{}.{} has a note",
                    d.key,
                    ind.key
                );
            }
            for lang in Lang::ALL {
                assert!(
                    d.indicators
                        .iter()
                        .any(|i| i.terms.iter().any(|t| t.lang == lang)),
                    "{} has {lang} terms",
                    d.key
                );
            }
        }
        assert_eq!(cb.hash().len(), 64);
        assert!(cb.all_terms().len() > 100);
    }

    #[test]
    fn minimal_codebook_parses_and_hash_follows_source() {
        let a = Codebook::parse(&minimal(""), None).unwrap();
        let b = Codebook::parse(&minimal("version = \"2\"\n"), None).unwrap();
        assert_ne!(a.hash(), b.hash());
        assert_eq!(a.all_terms().len(), 5);
        assert_eq!(a.scoring().code_threshold, 1.0);
    }

    #[test]
    fn toml_syntax_error_names_line_and_key() {
        let src = minimal("").replacen("note = \"why\"", "note = \"why", 1);
        let (line, key, _) = invalid(&src);
        assert_eq!(line, 5);
        assert!(key.contains("note"), "{key}");
    }

    #[test]
    fn unknown_field_names_line_and_key() {
        let src = minimal("").replacen("key = \"k\"", "key = \"k\"\nwieght = 2.0", 1);
        let (line, key, message) = invalid(&src);
        assert_eq!(line, 5, "{message}");
        assert!(key.contains("wieght"), "{key}");
        assert!(message.contains("wieght"), "{message}");
    }

    #[test]
    fn bad_regex_names_line_and_key() {
        let src = minimal("").replacen(
            "zh = [\"词security_spillover\"]",
            "zh = [\"词\"]\npatterns = [{ lang = \"zh\", regex = \"(安全\" }]",
            1,
        );
        let (line, key, message) = invalid(&src);
        assert_eq!(line, 7);
        assert_eq!(
            key,
            "dimensions.security_spillover.indicators[0].patterns[0].regex"
        );
        assert!(message.contains("regular expression"), "{message}");
    }

    #[test]
    fn unknown_and_missing_dimensions_are_errors() {
        let src = minimal("").replace("networked_circles", "networked_circle");
        let (_, key, message) = invalid(&src);
        assert_eq!(key, "dimensions.networked_circle");
        assert!(message.contains("unknown dimension"));
    }

    #[test]
    fn duplicate_term_in_a_dimension_is_an_error() {
        let src = minimal("").replacen(
            "zh = [\"词security_spillover\"]",
            "zh = [\"安全\", \"安全\"]",
            1,
        );
        let (line, key, _) = invalid(&src);
        assert_eq!(line, 6);
        assert_eq!(key, "dimensions.security_spillover.indicators[0].zh[1]");
    }

    #[test]
    fn term_tables_and_bad_weights() {
        let src = minimal("").replacen(
            "zh = [\"词security_spillover\"]",
            "zh = [{ term = \"元首理事会\", boilerplate = true }, { term = \"x\", weight = -1.0 }]",
            1,
        );
        let (_, key, message) = invalid(&src);
        assert_eq!(
            key,
            "dimensions.security_spillover.indicators[0].zh[1].weight"
        );
        assert!(message.contains("positive"));
    }

    #[test]
    fn missing_note_is_an_error() {
        let src = minimal("").replacen("note = \"why\"\n", "", 1);
        let (line, key, _) = invalid(&src);
        assert_eq!(line, 3);
        assert_eq!(key, "dimensions.security_spillover.indicators[0].note");
    }
}
