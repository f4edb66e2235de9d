//! Text of Word files (`.docx`, Office Open XML): a zip archive whose `word/document.xml`
//! holds the body. Every `<w:p>` is a paragraph made of its `<w:t>` runs (a `<w:br>` also
//! ends one, as `<br>` does in HTML); deleted text (`<w:delText>`) and field codes
//! (`<w:instrText>`) are not text of the document. `docProps/core.xml` gives the title and
//! the creation date when present.
//!
//! Read with `zip` and `quick-xml` (both already used here) rather than a Word crate: the
//! text needs one part of the archive and a streaming pass over it, which also cannot be
//! made to recurse by deeply nested XML.

use super::html::collapse_whitespace;
use chrono::NaiveDate;
use quick_xml::events::Event;
use std::io::Read;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DocxError {
    #[error(
        "not a Word .docx file (not a zip archive: {0}); a .doc from before Word 2007 must be saved as .docx first"
    )]
    NotZip(String),
    #[error("not a Word .docx file: the archive has no word/document.xml")]
    NoDocument,
    #[error("{part}: {message}")]
    Part { part: &'static str, message: String },
    #[error("{part} unpacks to more than {limit} MB; refusing it (a zip bomb?)")]
    TooLarge { part: &'static str, limit: u64 },
}

/// What [`extract`] read out of a Word file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DocxText {
    /// Paragraphs in order, whitespace-collapsed, none empty.
    pub paragraphs: Vec<String>,
    /// `dc:title` of `docProps/core.xml`.
    pub title: Option<String>,
    /// `dcterms:created` of `docProps/core.xml`.
    pub created: Option<NaiveDate>,
}

const DOCUMENT: &str = "word/document.xml";
const CORE: &str = "docProps/core.xml";
/// No document of ours comes near this; a part larger than this unpacked is hostile.
const MAX_PART_MB: u64 = 64;

/// Reads the paragraphs and the core properties of a `.docx` file.
pub fn extract(bytes: &[u8]) -> Result<DocxText, DocxError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| DocxError::NotZip(e.to_string()))?;
    let document = read_part(&mut archive, DOCUMENT)?.ok_or(DocxError::NoDocument)?;
    let paragraphs = body_paragraphs(&document).map_err(|message| DocxError::Part {
        part: DOCUMENT,
        message,
    })?;
    // The properties are a nicety: a broken core.xml does not lose the text.
    let (title, created) = match read_part(&mut archive, CORE) {
        Ok(Some(core)) => core_properties(&core),
        _ => (None, None),
    };
    Ok(DocxText {
        paragraphs,
        title,
        created,
    })
}

fn read_part<R: std::io::Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &'static str,
) -> Result<Option<Vec<u8>>, DocxError> {
    let file = match archive.by_name(name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => {
            return Err(DocxError::Part {
                part: name,
                message: e.to_string(),
            });
        }
    };
    let limit = MAX_PART_MB * 1024 * 1024;
    let mut out = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| DocxError::Part {
            part: name,
            message: format!("cannot unpack: {e}"),
        })?;
    if out.len() as u64 > limit {
        return Err(DocxError::TooLarge {
            part: name,
            limit: MAX_PART_MB,
        });
    }
    Ok(Some(out))
}

/// The paragraphs of `word/document.xml`.
fn body_paragraphs(xml: &[u8]) -> Result<Vec<String>, String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    // Depth of `<w:t>` elements we are in (text outside them is markup whitespace).
    let mut in_text = 0usize;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            format!(
                "not well-formed XML at byte {}: {e}",
                reader.error_position()
            )
        })?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                b"t" => in_text += 1,
                b"p" => end_paragraph(&mut current, &mut paragraphs),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"br" | b"cr" => end_paragraph(&mut current, &mut paragraphs),
                b"tab" => current.push('\t'),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = in_text.saturating_sub(1),
                b"p" => end_paragraph(&mut current, &mut paragraphs),
                _ => {}
            },
            Event::Text(t) if in_text > 0 => {
                current.push_str(&t.decode().map_err(|e| e.to_string())?);
            }
            Event::CData(t) if in_text > 0 => {
                current.push_str(&t.decode().map_err(|e| e.to_string())?);
            }
            Event::GeneralRef(r) if in_text > 0 => current.push_str(&resolve_reference(&r)?),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    end_paragraph(&mut current, &mut paragraphs);
    Ok(paragraphs)
}

fn end_paragraph(current: &mut String, paragraphs: &mut Vec<String>) {
    let text = collapse_whitespace(current);
    current.clear();
    if !text.is_empty() {
        paragraphs.push(text);
    }
}

/// `&amp;`, `&#x4E0A;` and the like.
fn resolve_reference(r: &quick_xml::events::BytesRef<'_>) -> Result<String, String> {
    if let Some(c) = r.resolve_char_ref().map_err(|e| e.to_string())? {
        return Ok(c.to_string());
    }
    let name = r.decode().map_err(|e| e.to_string())?;
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(str::to_string)
        .ok_or_else(|| format!("unknown entity `&{name};`"))
}

/// `dc:title` and the date of `dcterms:created` in `docProps/core.xml`.
fn core_properties(xml: &[u8]) -> (Option<String>, Option<NaiveDate>) {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let (mut title, mut created) = (None, None);
    let mut field: Option<&'static str> = None;
    let mut value = String::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Err(_) | Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                field = match e.local_name().as_ref() {
                    b"title" => Some("title"),
                    b"created" => Some("created"),
                    _ => None,
                };
                value.clear();
            }
            Ok(Event::Text(t)) if field.is_some() => {
                value.push_str(&t.decode().unwrap_or_default());
            }
            Ok(Event::GeneralRef(r)) if field.is_some() => {
                value.push_str(&resolve_reference(&r).unwrap_or_default());
            }
            Ok(Event::End(_)) => {
                let text = collapse_whitespace(&value);
                match field.take() {
                    Some("title") if !text.is_empty() => title = Some(text),
                    Some("created") => {
                        created = text
                            .get(..10)
                            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
                    }
                    _ => {}
                }
            }
            Ok(_) => {}
        }
        buf.clear();
    }
    (title, created)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Write;

    /// A zip archive of `parts` (name, contents).
    pub(crate) fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut out);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            for (name, contents) in parts {
                zip.start_file(*name, options).unwrap();
                zip.write_all(contents.as_bytes()).unwrap();
            }
            zip.finish().unwrap();
        }
        out.into_inner()
    }

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    #[test]
    fn paragraphs_runs_breaks_entities_and_deleted_text() {
        let body = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {W}><w:body>
<w:p><w:r><w:t>（测试样例）成员国</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>重申</w:t></w:r><w:r><w:t xml:space="preserve">上海精神。</w:t></w:r></w:p>
<w:p><w:r><w:t>Trade &amp; transport</w:t><w:tab/><w:t>&#x4E0A;合</w:t></w:r><w:del><w:r><w:delText>删掉的字</w:delText></w:r></w:del></w:p>
<w:p><w:r><w:fldChar w:fldCharType="begin"/><w:instrText>PAGE</w:instrText><w:t>第一行</w:t><w:br/><w:t>第二行</w:t></w:r></w:p>
<w:p></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>表格里的段落</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
</w:body></w:document>"#
        );
        let core = r#"<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><dc:title>夹具 &amp; 标题</dc:title><dcterms:created>2019-06-14T08:00:00Z</dcterms:created></cp:coreProperties>"#;
        let d = extract(&zip_of(&[(DOCUMENT, &body), (CORE, core)])).unwrap();
        assert_eq!(
            d.paragraphs,
            vec![
                "（测试样例）成员国重申上海精神。",
                "Trade & transport 上合",
                "第一行",
                "第二行",
                "表格里的段落"
            ]
        );
        assert_eq!(d.title.as_deref(), Some("夹具 & 标题"));
        assert_eq!(d.created, NaiveDate::from_ymd_opt(2019, 6, 14));
        // Without core.xml there is simply no title.
        let d = extract(&zip_of(&[(DOCUMENT, &body)])).unwrap();
        assert_eq!((d.title, d.created), (None, None));
    }

    #[test]
    fn bad_files_are_errors_naming_what_is_wrong() {
        assert!(matches!(
            extract(b"PK\x03\x04 broken"),
            Err(DocxError::NotZip(_))
        ));
        assert_eq!(
            extract(&zip_of(&[("other.xml", "<a/>")])),
            Err(DocxError::NoDocument)
        );
        let err = extract(&zip_of(&[(DOCUMENT, "<w:document><w:p></w:document>")])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("word/document.xml: not well-formed XML"),
            "{err}"
        );
    }

    proptest! {
        #[test]
        fn never_panics_on_any_document_xml(xml in "[<>/a-z:= \"&;#x0-9]{0,200}") {
            let _ = extract(&zip_of(&[(DOCUMENT, &xml)]));
        }

        #[test]
        fn never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = extract(&bytes);
        }
    }
}
