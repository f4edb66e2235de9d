//! Text of PDF files: the text layer, read with `pdf-extract` (which handles the simple and
//! the CID fonts, Chinese ones included, through their ToUnicode maps), rebuilt into
//! paragraphs from the position of every character.
//!
//! `pdf-extract` hands over characters with their position and size. Characters on one
//! baseline form a line; a paragraph ends at a wider gap between lines, before an indented
//! line, or after a line that ends early: when the first word of the next line would have
//! fitted at its end, the break was not made by wrapping. Page furniture is dropped:
//! lines at the top or bottom of the pages that repeat on most pages (running headers and
//! footers, digits ignored so that "Page 3 of 9" repeats too) and bare page numbers.
//!
//! `pdf-extract` panics on some malformed files; [`extract`] catches that and returns
//! [`PdfError::Unreadable`] instead, without the panic message on stderr. A form XObject
//! that draws itself would make it recurse until the stack overflows (an abort, which no
//! `catch_unwind` catches): such nesting is measured first, with bounds, and refused.
//!
//! Why `pdf-extract`: it is pure Rust on `lopdf` (no native PDF library to install), reads
//! Type0/CID fonts through their ToUnicode maps (how Chinese PDFs carry their text), and its
//! `OutputDev` hands over every character with its position, which paragraph rebuilding
//! needs. `lopdf`'s own text extraction gives neither positions nor CID fonts; `pdfium-render`
//! and the poppler bindings need a C library at run time.

use super::html::collapse_whitespace;
use chrono::NaiveDate;
use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};
use regex::Regex;
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{LazyLock, Once};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PdfError {
    #[error("not a readable PDF: {0}")]
    Malformed(String),
    #[error("the PDF is encrypted and cannot be opened without its password")]
    Encrypted,
    #[error("the PDF has no pages")]
    NoPages,
    #[error(
        "has no text layer (scanned?): none of its {pages} page(s) holds text; run OCR on it \
         first (e.g. `ocrmypdf in.pdf out.pdf`)"
    )]
    NoTextLayer { pages: usize },
    #[error(
        "its {glyphs} characters cannot be read as text (fonts without a Unicode mapping); \
         convert it with another tool or run OCR on it"
    )]
    NoUnicode { glyphs: usize },
    #[error("the PDF reader failed on this file (malformed or unsupported PDF): {0}")]
    Unreadable(String),
    #[error(
        "its drawings are nested too deeply (a form that draws itself, or a chain of more \
         than {MAX_FORM_DEPTH}): refusing it"
    )]
    FormsTooDeep,
}

/// What [`extract`] read out of a PDF.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PdfText {
    /// Paragraphs in reading order, whitespace-collapsed, none empty.
    pub paragraphs: Vec<String>,
    /// `Title` of the document information dictionary, when present.
    pub title: Option<String>,
    /// `CreationDate` of the document information dictionary, when present.
    pub created: Option<NaiveDate>,
    pub pages: usize,
    /// Lines dropped as running headers, footers or page numbers.
    pub furniture_lines: usize,
}

/// Reads the text layer of a PDF.
pub fn extract(bytes: &[u8]) -> Result<PdfText, PdfError> {
    match without_panic_message(|| read(bytes)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown error".into());
            Err(PdfError::Unreadable(message))
        }
    }
}

fn read(bytes: &[u8]) -> Result<PdfText, PdfError> {
    let mut doc =
        pdf_extract::Document::load_mem(bytes).map_err(|e| PdfError::Malformed(e.to_string()))?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(PdfError::Encrypted);
    }
    let pages = doc.get_pages().len();
    if pages == 0 {
        return Err(PdfError::NoPages);
    }
    let (title, created) = info(&doc);
    check_forms(&doc)?;
    read_unicode_cmaps_as_identity(&mut doc);
    let mut collector = Collector::default();
    pdf_extract::output_doc(&doc, &mut collector)
        .map_err(|e| PdfError::Malformed(e.to_string()))?;
    let glyphs: usize = collector.pages.iter().map(|p| p.len()).sum();
    if glyphs == 0 && collector.unmapped == 0 {
        return Err(PdfError::NoTextLayer { pages });
    }
    if glyphs == 0 {
        return Err(PdfError::NoUnicode {
            glyphs: collector.unmapped,
        });
    }
    let mut text = layout(&collector.pages);
    text.title = title;
    text.created = created;
    text.pages = pages;
    Ok(text)
}

/// Predefined CMaps whose character codes are Unicode code units (UCS-2 or UTF-16): common in
/// Chinese PDFs with fonts that are not embedded (STSong-Light, `UniGB-UCS2-H`).
/// `pdf-extract` knows only `Identity-H` among predefined CMaps and panics on the others.
const UNICODE_CMAPS: &[&[u8]] = &[
    b"UniGB-UCS2-H",
    b"UniGB-UTF16-H",
    b"UniCNS-UCS2-H",
    b"UniCNS-UTF16-H",
    b"UniJIS-UCS2-H",
    b"UniJIS-UTF16-H",
    b"UniKS-UCS2-H",
    b"UniKS-UTF16-H",
];

/// A ToUnicode map that maps every two-byte code to itself.
const IDENTITY_TO_UNICODE: &str = "/CIDInit /ProcSet findresource begin\n12 dict begin\n\
    begincmap\n/CMapName /Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n\
    <0000> <FFFF>\nendcodespacerange\n1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\n\
    endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";

/// Makes the fonts encoded with a Unicode CMap readable by `pdf-extract`: their two-byte
/// codes are read as `Identity-H` codes, and, without a ToUnicode map of their own, mapped to
/// the same Unicode value.
fn read_unicode_cmaps_as_identity(doc: &mut pdf_extract::Document) {
    use pdf_extract::{Dictionary, Object, Stream};
    let fonts: Vec<_> = doc
        .objects
        .iter()
        .filter_map(|(id, object)| {
            let dict = object.as_dict().ok()?;
            let is_type0 = dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Type0");
            let encoding = dict.get(b"Encoding").and_then(Object::as_name).ok()?;
            (is_type0 && UNICODE_CMAPS.contains(&encoding)).then_some(*id)
        })
        .collect();
    if fonts.is_empty() {
        return;
    }
    let to_unicode = doc.add_object(Stream::new(
        Dictionary::new(),
        IDENTITY_TO_UNICODE.as_bytes().to_vec(),
    ));
    for id in fonts {
        if let Ok(Object::Dictionary(font)) = doc.get_object_mut(id) {
            font.set("Encoding", Object::Name(b"Identity-H".to_vec()));
            if !font.has(b"ToUnicode") {
                font.set("ToUnicode", Object::Reference(to_unicode));
            }
        }
    }
}

/// How deep form XObjects (drawings that draw other drawings) may nest. `pdf-extract`
/// follows them by recursion: a form that draws itself would overflow the stack, which aborts
/// the process (no `catch_unwind` catches that), so such files are refused before.
const MAX_FORM_DEPTH: usize = 24;
/// How many form drawings a file may make in all (a tree of forms that each draw the next
/// twice is exponential).
const MAX_FORM_CALLS: usize = 100_000;

fn check_forms(doc: &pdf_extract::Document) -> Result<(), PdfError> {
    let mut calls = 0;
    for page_id in doc.get_pages().into_values() {
        let Ok(page) = doc.get_dictionary(page_id) else {
            continue;
        };
        let content = doc.get_page_content(page_id).unwrap_or_default();
        forms_drawn(doc, &content, inherited_resources(doc, page), 0, &mut calls)?;
    }
    Ok(())
}

/// The resources of a page, its own or an ancestor's in the page tree.
fn inherited_resources<'a>(
    doc: &'a pdf_extract::Document,
    page: &'a pdf_extract::Dictionary,
) -> Option<&'a pdf_extract::Dictionary> {
    let mut node = page;
    // Bounded: a page tree may loop.
    for _ in 0..64 {
        if let Some(resources) = dict_entry(doc, node, b"Resources") {
            return Some(resources);
        }
        node = dict_entry(doc, node, b"Parent")?;
    }
    None
}

fn dict_entry<'a>(
    doc: &'a pdf_extract::Document,
    dict: &'a pdf_extract::Dictionary,
    key: &[u8],
) -> Option<&'a pdf_extract::Dictionary> {
    let object = dict.get(key).ok()?;
    doc.dereference(object).ok()?.1.as_dict().ok()
}

/// Follows the `Do` operators of `content` into the form XObjects they draw, as
/// `pdf-extract` will, but with bounds.
fn forms_drawn(
    doc: &pdf_extract::Document,
    content: &[u8],
    resources: Option<&pdf_extract::Dictionary>,
    depth: usize,
    calls: &mut usize,
) -> Result<(), PdfError> {
    // An undecodable stream is left to `pdf-extract`, which reports it.
    let Ok(content) = pdf_extract::content::Content::decode(content) else {
        return Ok(());
    };
    let xobjects = resources.and_then(|r| dict_entry(doc, r, b"XObject"));
    for op in content.operations.iter().filter(|op| op.operator == "Do") {
        let Some(stream) = op
            .operands
            .first()
            .and_then(|o| o.as_name().ok())
            .and_then(|name| xobjects?.get(name).ok())
            .and_then(|o| doc.dereference(o).ok())
            .and_then(|(_, o)| o.as_stream().ok())
        else {
            continue;
        };
        if stream.dict.get(b"Subtype").and_then(|s| s.as_name()).ok() != Some(b"Form".as_slice()) {
            continue;
        }
        *calls += 1;
        if depth + 1 > MAX_FORM_DEPTH || *calls > MAX_FORM_CALLS {
            return Err(PdfError::FormsTooDeep);
        }
        let inner = dict_entry(doc, &stream.dict, b"Resources").or(resources);
        let bytes = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        forms_drawn(doc, &bytes, inner, depth + 1, calls)?;
    }
    Ok(())
}

thread_local! {
    static QUIET_PANICS: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, catching a panic; while it runs, a panic on this thread prints nothing (the
/// caller reports it as an error of the file). Other threads keep the usual panic message.
fn without_panic_message<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET_PANICS.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET_PANICS.with(|q| q.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET_PANICS.with(|q| q.set(false));
    result
}

/// `Title` and `CreationDate` of the information dictionary.
fn info(doc: &pdf_extract::Document) -> (Option<String>, Option<NaiveDate>) {
    let Some(dict) = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok())
    else {
        return (None, None);
    };
    let string = |key: &[u8]| {
        dict.get(key)
            .ok()
            .and_then(|o| o.as_str().ok())
            .map(pdf_string)
            .map(|s| collapse_whitespace(&s))
            .filter(|s| !s.is_empty())
    };
    let created = string(b"CreationDate").and_then(|d| pdf_date(&d));
    (string(b"Title"), created)
}

/// A PDF text string: UTF-16BE after a byte-order mark, otherwise PDFDocEncoding (read as
/// Latin-1, which it matches for letters).
fn pdf_string(bytes: &[u8]) -> String {
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => {
            let units: Vec<u16> = utf16
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        None => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// `D:20190614093000+08'00'` → 2019-06-14.
fn pdf_date(s: &str) -> Option<NaiveDate> {
    let digits = s.strip_prefix("D:").unwrap_or(s);
    let y = digits.get(0..4)?.parse().ok()?;
    let m = digits.get(4..6).and_then(|m| m.parse().ok()).unwrap_or(1);
    let d = digits.get(6..8).and_then(|d| d.parse().ok()).unwrap_or(1);
    NaiveDate::from_ymd_opt(y, m, d)
}

// ---------------------------------------------------------------------------------------
// Characters and their positions.

/// One character as drawn: its baseline position (y grows upwards, as in PDF), advance width
/// and font size, in page units.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub size: f64,
    pub text: String,
}

/// Receives the characters of every page from `pdf-extract`.
#[derive(Default)]
struct Collector {
    pages: Vec<Vec<Glyph>>,
    /// Characters drawn whose font has no Unicode mapping for them.
    unmapped: usize,
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _page_num: u32,
        _media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.pages.push(Vec::new());
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        if char.is_empty() {
            self.unmapped += 1;
            return Ok(());
        }
        // The font size in page units: the text matrix scales (and may rotate) it.
        let sx = font_size * (trm.m11 + trm.m21);
        let sy = font_size * (trm.m12 + trm.m22);
        let size = (sx * sy).abs().sqrt();
        let size = if size.is_finite() && size > 0.0 {
            size
        } else {
            1.0
        };
        let glyph = Glyph {
            x: trm.m31,
            y: trm.m32,
            width: width * size,
            size,
            text: char.to_string(),
        };
        if glyph.x.is_finite()
            && glyph.y.is_finite()
            && let Some(page) = self.pages.last_mut()
        {
            page.push(glyph);
        }
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Lines and paragraphs.

/// One line of a page.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    text: String,
    /// Baseline (y grows upwards).
    y: f64,
    left: f64,
    right: f64,
    size: f64,
    /// Width of the line's first word (its first character, for Chinese).
    first_word: f64,
}

/// Groups the characters of a page into lines, top to bottom, each left to right.
fn lines_of(glyphs: &[Glyph]) -> Vec<Line> {
    let mut sorted: Vec<&Glyph> = glyphs.iter().collect();
    sorted.sort_by(|a, b| b.y.total_cmp(&a.y));
    let mut groups: Vec<Vec<&Glyph>> = Vec::new();
    for g in sorted {
        match groups.last_mut() {
            Some(group)
                if group
                    .first()
                    .is_some_and(|first| (first.y - g.y).abs() <= 0.4 * first.size.max(g.size)) =>
            {
                group.push(g)
            }
            _ => groups.push(vec![g]),
        }
    }
    groups
        .into_iter()
        .filter_map(|mut group| {
            group.sort_by(|a, b| a.x.total_cmp(&b.x));
            let mut text = String::new();
            let mut end: Option<f64> = None;
            let mut size: f64 = 0.0;
            for g in &group {
                size = size.max(g.size);
                // A gap wider than a quarter of the font size is a space the file did not draw.
                if let Some(end) = end
                    && g.x > end + 0.25 * g.size
                    && !text.ends_with(char::is_whitespace)
                    && !g.text.starts_with(char::is_whitespace)
                {
                    text.push(' ');
                }
                push_expanding_ligatures(&mut text, &g.text);
                end = Some(g.x + g.width);
            }
            let text = collapse_whitespace(&text);
            let first = group.first()?;
            // Chinese wraps at any character, other scripts at spaces.
            let first_word = match group.iter().position(|g| is_cjk(&g.text)) {
                Some(0) => first.width,
                wide => group
                    .iter()
                    .take(wide.unwrap_or(group.len()))
                    .take_while(|g| !g.text.starts_with(char::is_whitespace))
                    .map(|g| g.width)
                    .sum(),
            };
            (!text.is_empty()).then(|| Line {
                text,
                y: first.y,
                left: first.x,
                right: end.unwrap_or(first.x),
                size,
                first_word,
            })
        })
        .collect()
}

/// Appends `glyph`, with the typographic ligatures fonts draw as one glyph (ﬁ, ﬂ, ...)
/// written out as the letters they stand for: a search for "first" must find "ﬁrst".
fn push_expanding_ligatures(text: &mut String, glyph: &str) {
    for c in glyph.chars() {
        match c {
            '\u{FB00}' => text.push_str("ff"),
            '\u{FB01}' => text.push_str("fi"),
            '\u{FB02}' => text.push_str("fl"),
            '\u{FB03}' => text.push_str("ffi"),
            '\u{FB04}' => text.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => text.push_str("st"),
            c => text.push(c),
        }
    }
}

fn is_cjk(text: &str) -> bool {
    text.chars().next().is_some_and(|c| {
        matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
    })
}

/// How many lines at the top and at the bottom of a page may be running headers or footers.
const FURNITURE_ZONE: usize = 3;

static PAGE_NUMBER: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"(?i)^[-–—\s]*(page|p\.|стр\.?|страница)?\s*\d{1,4}(\s*(/|of|из)\s*\d{1,4})?[-–—\s]*$",
        r"^第\s*\d{1,4}\s*页(\s*[,，/]?\s*共\s*\d{1,4}\s*页)?$",
        r"^[-–—\s]*[0-9０-９]{1,4}[-–—\s]*$",
        // Roman numerals up to 39, as front matter is numbered.
        r"(?i)^[-–—\s]*x{0,3}(ix|iv|v?i{0,3})[-–—\s]*$",
    ]
    .iter()
    .filter_map(|p| Regex::new(p).ok())
    .collect()
});

fn is_page_number(line: &str) -> bool {
    PAGE_NUMBER.iter().any(|re| re.is_match(line))
}

/// The line with its digits masked, so that "Page 3" and "Page 4" compare equal.
fn furniture_key(line: &str) -> String {
    line.chars()
        .map(|c| if c.is_numeric() { '#' } else { c })
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Rebuilds the paragraphs of every page and drops the page furniture.
fn layout(pages: &[Vec<Glyph>]) -> PdfText {
    let mut pages: Vec<Vec<Line>> = pages.iter().map(|g| lines_of(g)).collect();
    let furniture_lines = drop_furniture(&mut pages);
    let mut paragraphs: Vec<String> = Vec::new();
    // The space left at the end of the last line of the previous page, and its font size.
    let mut previous_end: Option<(f64, f64)> = None;
    for lines in &pages {
        let page_paragraphs = paragraphs_of_page(lines);
        for (i, p) in page_paragraphs.iter().enumerate() {
            // A paragraph goes on over the page break when the next page does not start with
            // an indent, and the last line of the page ended where wrapping put it.
            let continues = i == 0
                && !p.indented
                && previous_end.is_some_and(|(gap, size)| gap <= p.first_word + 0.5 * size);
            match paragraphs.last_mut() {
                Some(last) if continues => *last = join_lines(last, &p.text),
                _ => paragraphs.push(p.text.clone()),
            }
        }
        if let Some(last) = page_paragraphs.last() {
            previous_end = Some((last.end_gap, last.size));
        }
    }
    PdfText {
        paragraphs,
        furniture_lines,
        ..PdfText::default()
    }
}

/// Removes running headers and footers and page numbers; returns how many lines went.
fn drop_furniture(pages: &mut [Vec<Line>]) -> usize {
    let zone = |lines: &[Line]| -> Vec<usize> {
        let n = lines.len();
        let mut idx: Vec<usize> = (0..n.min(FURNITURE_ZONE)).collect();
        idx.extend(n.saturating_sub(FURNITURE_ZONE).max(FURNITURE_ZONE.min(n))..n);
        idx
    };
    // On how many pages each masked line appears in the zones.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for lines in pages.iter() {
        let mut keys: Vec<String> = zone(lines)
            .into_iter()
            .map(|i| furniture_key(&lines[i].text))
            .collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            *seen.entry(k).or_default() += 1;
        }
    }
    let n_pages = pages.len();
    // "Most pages": more than half of them, and at least two.
    let repeated =
        |key: &str| n_pages >= 2 && seen.get(key).is_some_and(|&n| n >= 2 && n * 2 > n_pages);
    let mut dropped = 0;
    for lines in pages.iter_mut() {
        let drop: Vec<usize> = zone(lines)
            .into_iter()
            .filter(|&i| {
                let text = &lines[i].text;
                is_page_number(text) || repeated(&furniture_key(text))
            })
            .collect();
        dropped += drop.len();
        let mut i = 0;
        lines.retain(|_| {
            let keep = !drop.contains(&i);
            i += 1;
            keep
        });
    }
    dropped
}

struct PageParagraph {
    text: String,
    /// The first line is indented (a paragraph start, not a continuation from the last page).
    indented: bool,
    /// Width of the first word of the first line.
    first_word: f64,
    /// Space between the end of the last line and the right margin of the page.
    end_gap: f64,
    size: f64,
}

fn paragraphs_of_page(lines: &[Line]) -> Vec<PageParagraph> {
    let Some(size) = median(lines.iter().map(|l| l.size)) else {
        return Vec::new();
    };
    let left = lines.iter().map(|l| l.left).fold(f64::INFINITY, f64::min);
    let right = lines
        .iter()
        .map(|l| l.right)
        .fold(f64::NEG_INFINITY, f64::max);
    // The usual distance between baselines of one paragraph.
    let pitch = median(
        lines
            .windows(2)
            .map(|w| w[0].y - w[1].y)
            .filter(|gap| *gap > 0.0 && *gap < 3.0 * size),
    )
    .unwrap_or(1.2 * size);
    let indented = |l: &Line| l.left > left + 0.9 * l.size;
    // Whether `l` ended before the margin although the first word of `next` would have fitted.
    let ends_early = |l: &Line, next: &Line| right - l.right > next.first_word + 0.5 * l.size;

    let mut out: Vec<PageParagraph> = Vec::new();
    let mut prev: Option<&Line> = None;
    for line in lines {
        let starts_new = match prev {
            None => true,
            Some(p) => p.y - line.y > 1.4 * pitch || indented(line) || ends_early(p, line),
        };
        match out.last_mut() {
            Some(last) if !starts_new => last.text = join_lines(&last.text, &line.text),
            _ => out.push(PageParagraph {
                text: line.text.clone(),
                indented: indented(line),
                first_word: line.first_word,
                end_gap: 0.0,
                size: line.size,
            }),
        }
        if let Some(last) = out.last_mut() {
            last.end_gap = right - line.right;
        }
        prev = Some(line);
    }
    out
}

/// Joins two lines of one paragraph: a space between words, nothing between Chinese
/// characters; a word hyphenated at the line end is rejoined (without the hyphen before a
/// lower-case letter, with it before a capital: "Asia-Pacific").
fn join_lines(first: &str, second: &str) -> String {
    // A soft hyphen marks where a word was broken, and nothing else.
    if let Some(head) = first.strip_suffix('\u{AD}') {
        return format!("{head}{second}");
    }
    let mut chars = first.chars().rev();
    let broken_at_hyphen =
        chars.next() == Some('-') && chars.next().is_some_and(char::is_alphabetic);
    match second.chars().next() {
        Some(c) if broken_at_hyphen && c.is_lowercase() => {
            format!("{}{second}", &first[..first.len() - 1])
        }
        Some(c) if broken_at_hyphen && c.is_alphabetic() => format!("{first}{second}"),
        _ => collapse_whitespace(&format!("{first}\n{second}")),
    }
}

fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The glyphs of `text` drawn from (x, y) at `size`, each character `size` wide (CJK) or
    /// half of it (others).
    fn line(text: &str, x: f64, y: f64, size: f64) -> Vec<Glyph> {
        let mut x = x;
        text.chars()
            .map(|c| {
                let width = if c.is_ascii() { 0.5 } else { 1.0 } * size;
                let g = Glyph {
                    x,
                    y,
                    width,
                    size,
                    text: c.to_string(),
                };
                x += width;
                g
            })
            .collect()
    }

    /// Wraps `paragraphs` into lines of `cols` characters (Chinese at any character, other
    /// text at spaces), the first line of each indented by `indent` characters.
    fn wrap(paragraphs: &[&str], cols: usize, indent: usize) -> Vec<(String, usize)> {
        let mut lines = Vec::new();
        for p in paragraphs {
            let mut current = String::new();
            let mut at = indent;
            let mut start = indent;
            let cjk = p.chars().any(|c| is_cjk(&c.to_string()));
            let units: Vec<String> = if cjk {
                p.chars().map(|c| c.to_string()).collect()
            } else {
                p.split(' ').map(|w| format!("{w} ")).collect()
            };
            for unit in units {
                let len = unit.trim_end().chars().count();
                if at + len > cols && !current.is_empty() {
                    lines.push((current.trim_end().to_string(), start));
                    current.clear();
                    at = 0;
                    start = 0;
                }
                current.push_str(&unit);
                at += unit.chars().count();
            }
            lines.push((current.trim_end().to_string(), start));
        }
        lines
    }

    /// Typesets `paragraphs` on pages of `per_page` lines (size 10, 14 apart, left margin 50;
    /// Chinese characters 10 wide, others 5), with a running header and a page number.
    fn typeset(paragraphs: &[&str], cols: usize, per_page: usize) -> Vec<Vec<Glyph>> {
        let lines = wrap(paragraphs, cols, 2);
        lines
            .chunks(per_page)
            .enumerate()
            .map(|(i, chunk)| {
                let mut glyphs = line("（测试样例）夹具机构简报", 50.0, 800.0, 9.0);
                let mut y = 760.0;
                for (text, indent) in chunk {
                    let unit = if text.chars().any(|c| is_cjk(&c.to_string())) {
                        10.0
                    } else {
                        5.0
                    };
                    glyphs.extend(line(text, 50.0 + *indent as f64 * unit, y, 10.0));
                    y -= 14.0;
                }
                glyphs.extend(line(&format!("- {} -", i + 1), 290.0, 40.0, 9.0));
                glyphs
            })
            .collect()
    }

    #[test]
    fn paragraphs_are_rebuilt_across_lines_and_pages_and_furniture_dropped() {
        let paragraphs = [
            "第一条成员国重申恪守上海精神，愿在平等互利基础上深化经贸、交通和能源合作，推动本组织健康发展。",
            "第二条成员国强调应当加强在信息安全领域的合作，维护地区和平稳定与繁荣，并支持联合国在国际事务中的中心协调作用。",
            "二〇一九年六月十四日于比什凯克",
        ];
        let pages = typeset(&paragraphs, 20, 5);
        assert_eq!(
            pages.len(),
            2,
            "the second paragraph runs over the page break"
        );
        let text = layout(&pages);
        assert_eq!(text.paragraphs, paragraphs);
        assert_eq!(text.furniture_lines, 4, "two headers, two page numbers");
    }

    #[test]
    fn latin_lines_join_with_spaces_and_end_where_the_next_word_would_have_fitted() {
        let paragraphs = [
            "(Test fixture) The member states reaffirm their commitment to the Shanghai Spirit and to the Charter of the organisation.",
            "They support a multipolar world.",
            "They also support the central role of the United Nations in world affairs, and they say so in every fixture.",
        ];
        // No indents: only the line ends tell where a paragraph ends.
        let mut glyphs = Vec::new();
        for (i, (text, _)) in wrap(&paragraphs, 40, 0).iter().enumerate() {
            glyphs.extend(line(text, 50.0, 700.0 - 14.0 * i as f64, 10.0));
        }
        let text = layout(&[glyphs]);
        assert_eq!(text.paragraphs, paragraphs);
    }

    #[test]
    fn hyphenated_words_are_rejoined() {
        assert_eq!(join_lines("their com-", "mitment"), "their commitment");
        assert_eq!(join_lines("Asia-", "Pacific"), "Asia-Pacific");
        assert_eq!(join_lines("上海", "精神"), "上海精神");
        assert_eq!(join_lines("multi\u{AD}", "polar"), "multipolar");
    }

    #[test]
    fn ligatures_are_written_out() {
        let lines = lines_of(&line("\u{FB01}rst e\u{FB00}ort", 50.0, 700.0, 10.0));
        assert_eq!(lines[0].text, "first effort");
    }

    #[test]
    fn words_spaced_by_position_get_a_space() {
        // Two words drawn apart without a space character between them.
        let mut glyphs = line("Shanghai", 50.0, 700.0, 10.0);
        glyphs.extend(line("Spirit", 50.0 + 8.0 * 5.0 + 4.0, 700.0, 10.0));
        let lines = lines_of(&glyphs);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text, "Shanghai Spirit");
    }

    #[test]
    fn page_numbers_in_many_forms() {
        for s in [
            "3",
            "- 3 -",
            "— 12 —",
            "Page 3",
            "Page 3 of 9",
            "第 3 页",
            "第3页 共9页",
            "Стр. 4",
            "iv",
            "３",
        ] {
            assert!(is_page_number(s), "{s}");
        }
        for s in ["3. Cooperation", "第三条", "一、", "civil", "Article 3"] {
            assert!(!is_page_number(s), "{s}");
        }
    }

    #[test]
    fn malformed_bytes_are_an_error_not_a_panic() {
        assert!(matches!(
            extract(b"not a pdf at all"),
            Err(PdfError::Malformed(_))
        ));
        assert!(
            extract(
                b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"
            )
            .is_err()
        );
    }

    #[test]
    fn pdf_dates_and_strings() {
        assert_eq!(
            pdf_date("D:20190614093000+08'00'"),
            NaiveDate::from_ymd_opt(2019, 6, 14)
        );
        assert_eq!(pdf_date("D:2019"), NaiveDate::from_ymd_opt(2019, 1, 1));
        assert_eq!(pdf_date("garbage"), None);
        assert_eq!(pdf_string(&[0xFE, 0xFF, 0x4E, 0x0A, 0x6D, 0x77]), "上海");
        assert_eq!(pdf_string(b"Plain"), "Plain");
    }

    proptest! {
        #[test]
        fn extract_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut input = b"%PDF-1.4\n".to_vec();
            input.extend(bytes);
            let _ = extract(&input);
        }
    }
}
