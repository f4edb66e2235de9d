//! Endorsements: who supports what, how strongly, and who is missing.
//!
//! Declarations and communiqués are written by consensus, so the signal is often who is *not*
//! in a sentence ("哈萨克斯坦共和国、……和乌兹别克斯坦共和国重申支持……" without India). This
//! stage finds, in every paragraph, the endorsement statements: the subject (all member
//! states, the heads of delegation, a named list of states, an unnamed part such as
//! "相关代表团团长", or one state), the verb and its grade (the editable table
//! `corpus/endorse/verbs.tsv`), the object and its proposer when named, and, for a list, the
//! members absent from it on the document's date (`corpus/membership.tsv`).
//!
//! - [`Membership`]: the membership facts, [`Membership::members_on`].
//! - [`VerbTable`]: the verbs and their grades.
//! - [`Extractor`]: the statements of a paragraph ([`Extractor::paragraph`]) or of a stored
//!   document ([`Extractor::document`]), with evidence spans into the original text.
//! - [`frame`]: the `endorsements` frame, the strength table of `trends --strength` and the
//!   member × year grade grid of the chart.
//!
//! The rules are documented in `docs/endorsements.md`.

mod extract;
pub mod frame;
mod membership;
mod verbs;

pub use extract::{Extractor, ObjectKind, Statement, SubjectKind, fold_case};
pub use membership::{BUNDLED_MEMBERSHIP, Membership, State, Status};
pub use verbs::{BUNDLED_VERBS, Strength, Verb, VerbTable};

use crate::corpus::document::Document;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The folder of a data directory where users keep their own tables (`verbs.tsv`,
/// `membership.tsv`), read instead of the bundled ones.
pub fn user_tables_dir(data_root: &Path) -> PathBuf {
    data_root.join("endorse")
}

/// The membership and verb tables to use: the files given, else those of
/// [`user_tables_dir`] when `data_root` has them, else the bundled ones.
pub fn load_tables(
    data_root: Option<&Path>,
    membership: Option<&Path>,
    verbs: Option<&Path>,
) -> Result<(Membership, VerbTable), TableError> {
    let user = |name: &str| {
        data_root
            .map(|root| user_tables_dir(root).join(name))
            .filter(|p| p.is_file())
    };
    let membership = match membership
        .map(Path::to_path_buf)
        .or_else(|| user("membership.tsv"))
    {
        Some(path) => Membership::load(&path)?,
        None => Membership::bundled(),
    };
    let verbs = match verbs.map(Path::to_path_buf).or_else(|| user("verbs.tsv")) {
        Some(path) => VerbTable::load(&path)?,
        None => VerbTable::bundled(),
    };
    Ok((membership, verbs))
}

/// Errors of reading the membership and verb tables: they name the file, the line and the
/// field.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("{}: line {line}, field `{field}`: {message}", path.display())]
    Line {
        path: PathBuf,
        line: usize,
        field: String,
        message: String,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Reads a table file.
fn read_table(path: &Path) -> Result<String, TableError> {
    std::fs::read_to_string(path).map_err(|source| TableError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The lines of a table that hold data, with their 1-based numbers: no blank lines, no `#`
/// comments.
fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
}

/// The data rows of a tab-separated table (`#` lines are comments, blank lines skipped), with
/// their line numbers, after a header that must be exactly `columns`.
fn table_rows<'a>(
    text: &'a str,
    path: &Path,
    columns: &[&str],
) -> Result<impl Iterator<Item = (usize, &'a str)>, TableError> {
    let err = |line: usize, message: String| TableError::Line {
        path: path.to_path_buf(),
        line,
        field: "header".into(),
        message,
    };
    let mut lines = data_lines(text);
    let Some((header_line, header)) = lines.next() else {
        return Err(err(1, "the file has no header line".into()));
    };
    let found: Vec<&str> = header.split('\t').map(str::trim).collect();
    if found != columns {
        return Err(err(
            header_line,
            format!("expected the columns {}", columns.join(", ")),
        ));
    }
    Ok(lines)
}

/// A span of the document: char offsets into the document text (the same in the original and
/// the normalised text, like the offsets of the coder's evidence) and byte offsets into
/// [`Document::original`], end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EvidenceSpan {
    pub char_start: usize,
    pub char_end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
}

/// One endorsement statement of a stored document, with the evidence quoted from the
/// original text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endorsement {
    /// The paragraph's number in the document (as in `paragraph_codes.paragraph`).
    pub paragraph: u32,
    pub subject_kind: SubjectKind,
    /// The subject as written (for a carried subject, as written earlier in the sentence).
    pub subject: String,
    /// Codes of the states of a list or single-state subject.
    pub subject_states: Vec<String>,
    pub subject_carried: bool,
    /// Codes of the member states on the document date that a list leaves out (empty when the
    /// subject is every member; `None` for a single state or an unnamed part).
    pub absent: Option<Vec<String>>,
    pub verb: String,
    pub verb_label: String,
    pub grade: u8,
    pub strength: Strength,
    pub negated: bool,
    pub object: String,
    pub object_kind: ObjectKind,
    pub proposers: Vec<String>,
    pub subject_span: EvidenceSpan,
    pub verb_span: EvidenceSpan,
    pub object_span: EvidenceSpan,
}

impl Endorsement {
    /// The member states (codes) that the statement says endorse: every member on `date` for
    /// an all-members subject, the states named otherwise, nobody for an unnamed part.
    pub fn endorsers<'a>(&'a self, members_on_date: &[&'a str]) -> Vec<&'a str> {
        if self.subject_kind.is_everyone() {
            members_on_date.to_vec()
        } else {
            self.subject_states.iter().map(String::as_str).collect()
        }
    }
}

impl Extractor {
    /// The endorsements of every paragraph of a stored document, dated by its metadata.
    pub fn document(&self, doc: &Document) -> Vec<Endorsement> {
        // Byte offset of every char of the original, plus its end.
        let original_bytes: Vec<usize> = doc
            .original
            .char_indices()
            .map(|(b, _)| b)
            .chain(std::iter::once(doc.original.len()))
            .collect();
        let mut out = Vec::new();
        for p in &doc.paragraphs {
            let text = doc.paragraph_text(p);
            // Offsets of the paragraph's chars, for byte → char.
            let char_of: Vec<usize> = text
                .char_indices()
                .map(|(b, _)| b)
                .chain(std::iter::once(text.len()))
                .collect();
            let span = |r: &std::ops::Range<usize>| -> EvidenceSpan {
                let to_char = |b: usize| char_of.partition_point(|&x| x < b);
                let (cs, ce) = (
                    p.char_start + to_char(r.start),
                    p.char_start + to_char(r.end),
                );
                let byte = |c: usize| original_bytes.get(c).copied().unwrap_or(doc.original.len());
                EvidenceSpan {
                    char_start: cs,
                    char_end: ce,
                    byte_start: byte(cs),
                    byte_end: byte(ce),
                }
            };
            let quote = |s: &EvidenceSpan| -> String {
                doc.original
                    .get(s.byte_start..s.byte_end)
                    .unwrap_or_default()
                    .to_string()
            };
            for st in self.paragraph(text, doc.meta.lang, Some(doc.meta.date)) {
                let (subject_span, verb_span, object_span) =
                    (span(&st.subject), span(&st.verb), span(&st.object));
                out.push(Endorsement {
                    paragraph: p.index,
                    subject_kind: st.subject_kind,
                    subject: quote(&subject_span),
                    subject_states: st.subject_states,
                    subject_carried: st.subject_carried,
                    absent: st.absent,
                    verb: quote(&verb_span),
                    verb_label: st.verb_label,
                    grade: st.grade,
                    strength: st.strength,
                    negated: st.negated,
                    object: quote(&object_span),
                    object_kind: st.object_kind,
                    proposers: st.proposers,
                    subject_span,
                    verb_span,
                    object_span,
                });
            }
        }
        out
    }
}
