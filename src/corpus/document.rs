//! The document model shared by every stage.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

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
}

impl DocMeta {
    pub fn year(&self) -> i32 {
        self.date.year()
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
