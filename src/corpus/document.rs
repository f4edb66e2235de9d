//! The document model shared by every stage.

use crate::text::{normalize_detecting, paragraph_spans};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub use crate::text::Script;

/// Language of a document. Chinese and Russian are the SCO's official languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Zh,
    Ru,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Zh, Lang::Ru, Lang::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-hans" | "zh-hant" | "zh-tw" | "chinese" | "cn" => Ok(Lang::Zh),
            "ru" | "russian" => Ok(Lang::Ru),
            "en" | "english" => Ok(Lang::En),
            other => Err(format!(
                "unknown language `{other}` (expected zh, ru or en)"
            )),
        }
    }
}

/// What identifies a stored document version: the document's id and the language of the
/// version. `chs-2018-declaration` in Chinese and in Russian are one document in two versions,
/// two entries of the store, the index and the exports.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DocKey {
    pub id: String,
    pub lang: Lang,
}

impl DocKey {
    pub fn new(id: impl Into<String>, lang: Lang) -> Self {
        Self {
            id: id.into(),
            lang,
        }
    }

    /// Parses the `<id>.<lang>` form of [`fmt::Display`] (the store's file stems and the
    /// index's key field).
    pub fn parse(s: &str) -> Option<DocKey> {
        let (id, lang) = s.rsplit_once('.')?;
        let lang = match lang {
            "zh" => Lang::Zh,
            "ru" => Lang::Ru,
            "en" => Lang::En,
            _ => return None,
        };
        validate_id(id).ok()?;
        Some(DocKey::new(id, lang))
    }
}

/// `<id>.<lang>`: unambiguous because the language, always last, has no dot.
impl fmt::Display for DocKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.id, self.lang)
    }
}

/// Metadata of one document (see DESIGN.md, "Document metadata").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocMeta {
    /// Stable key, e.g. `chs-2001-declaration`. Only `[A-Za-z0-9._-]`.
    pub id: String,
    /// Date the document was signed or adopted.
    pub date: NaiveDate,
    /// `CHS` (heads of state), `CHG` (heads of government) or another body.
    pub body: String,
    /// `declaration`, `communique`, `statement`, ...
    pub doc_type: String,
    pub lang: Lang,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// Ordinal of the meeting (第N次) when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_no: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The script of the text, detected when the document is built ([`Script::None`] until
    /// then, and for documents stored before scoway detected scripts).
    #[serde(default)]
    pub script: Script,
}

impl DocMeta {
    pub fn year(&self) -> i32 {
        self.date.year()
    }

    /// The key of this document version in the store, the index and the exports.
    pub fn key(&self) -> DocKey {
        DocKey::new(self.id.clone(), self.lang)
    }
}

#[cfg(test)]
impl DocMeta {
    /// A complete record for unit tests: a CHS declaration in Chinese dated 2001-06-15.
    pub(crate) fn for_test(id: &str) -> DocMeta {
        DocMeta {
            id: id.into(),
            date: NaiveDate::from_ymd_opt(2001, 6, 15).expect("valid date"),
            body: "CHS".into(),
            doc_type: "declaration".into(),
            lang: Lang::Zh,
            title: "t".into(),
            source_url: None,
            meeting_no: None,
            city: None,
            script: Script::None,
        }
    }
}

/// Checks that an id can be used as a file name and an index key.
pub fn validate_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("id is empty".into());
    }
    if id.len() > 200 {
        return Err(format!("id `{id}` is longer than 200 bytes"));
    }
    if id.starts_with('.') {
        return Err(format!("id `{id}` must not start with `.`"));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "id `{id}` contains `{c}`; only ASCII letters, digits, `.`, `_` and `-` are allowed"
        ));
    }
    Ok(())
}

/// One paragraph, as a span of its document's text.
///
/// Normalisation maps characters one to one (see [`crate::text::normalize`]), so a char span
/// means the same characters in [`Document::original`] and [`Document::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paragraph {
    /// 0-based position of the paragraph in its document.
    pub index: u32,
    /// Char offsets (not bytes) into the document text, end exclusive.
    pub char_start: usize,
    pub char_end: usize,
    /// Byte offsets into [`Document::text`] (the normalised text), end exclusive.
    pub byte_start: usize,
    pub byte_end: usize,
}

/// A stored document: metadata, the text as extracted from the source, and its normalised form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub meta: DocMeta,
    /// sha256 (hex) of the raw bytes the document was read from.
    pub sha256: String,
    /// Where the bytes came from: a file path or a URL.
    pub source: String,
    /// Plain text as decoded and extracted from the source (before normalisation).
    pub original: String,
    /// Normalised text: exactly as many chars as `original`, char i derived from char i.
    pub text: String,
    pub paragraphs: Vec<Paragraph>,
}

impl Document {
    /// Builds the stored form of a document from the text as extracted from its source: the
    /// normalised text, the paragraphs, and the detected script (recorded in the metadata;
    /// traditional characters are converted to simplified ones in the normalised text).
    /// `None` when the text has no paragraph.
    pub fn from_original(
        mut meta: DocMeta,
        original: String,
        sha256: String,
        source: String,
    ) -> Option<Document> {
        let (text, script) = normalize_detecting(&original);
        meta.script = script;
        let spans = paragraph_spans(&text);
        if spans.is_empty() {
            return None;
        }
        // One pass over the text turns the ascending byte spans into char spans.
        let mut paragraphs = Vec::with_capacity(spans.len());
        let mut chars_before = 0;
        let mut byte_pos = 0;
        for (index, span) in spans.into_iter().enumerate() {
            chars_before += text[byte_pos..span.start].chars().count();
            let char_start = chars_before;
            chars_before += text[span.clone()].chars().count();
            byte_pos = span.end;
            paragraphs.push(Paragraph {
                index: u32::try_from(index).unwrap_or(u32::MAX),
                char_start,
                char_end: chars_before,
                byte_start: span.start,
                byte_end: span.end,
            });
        }
        Some(Document {
            meta,
            sha256,
            source,
            original,
            text,
            paragraphs,
        })
    }

    /// The key of this version in the store, the index and the exports.
    pub fn key(&self) -> DocKey {
        self.meta.key()
    }

    /// The normalised text of a paragraph.
    pub fn paragraph_text(&self, p: &Paragraph) -> &str {
        &self.text[p.byte_start..p.byte_end]
    }

    /// The original (un-normalised) text between two char offsets of the document.
    pub fn original_chars(&self, char_start: usize, char_end: usize) -> String {
        self.original
            .chars()
            .skip(char_start)
            .take(char_end.saturating_sub(char_start))
            .collect()
    }

    /// The original (un-normalised) text of every paragraph, in order, found in one pass over
    /// the document (slicing by char offsets one paragraph at a time would be quadratic).
    pub fn original_paragraphs(&self) -> Vec<&str> {
        let mut out = Vec::with_capacity(self.paragraphs.len());
        let mut chars = self.original.char_indices().enumerate().peekable();
        let byte_at = |chars: &mut std::iter::Peekable<_>, target: usize| -> usize {
            while let Some(&(i, (b, _))) = chars.peek() {
                if i >= target {
                    return b;
                }
                chars.next();
            }
            self.original.len()
        };
        for p in &self.paragraphs {
            let start = byte_at(&mut chars, p.char_start);
            let end = byte_at(&mut chars, p.char_end).max(start);
            out.push(&self.original[start..end]);
        }
        out
    }

    /// Char offset in the document of a byte offset inside paragraph `p`'s normalised text.
    pub fn char_offset_in(&self, p: &Paragraph, byte_in_paragraph: usize) -> usize {
        let para = self.paragraph_text(p);
        p.char_start
            + para
                .char_indices()
                .take_while(|(b, _)| *b < byte_in_paragraph)
                .count()
    }
}
