//! `scoway ingest` on hostile and uncommon input: deeply nested HTML, UTF-8 with a few bad
//! bytes, PDF and Word files generated here from our own fixture text.

use crate::common::{scoway, stored_doc, stored_keys};
use std::path::Path;

/// Writes `files` (name, bytes) into a fresh folder.
fn folder(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

/// Runs `scoway ingest DIR --json`, returning the exit code, the parsed report and stderr.
fn ingest_json(data: &Path, dir: &Path) -> (Option<i32>, serde_json::Value, String) {
    let out = scoway(data)
        .args(["ingest", dir.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("ingest --json printed no JSON ({e}); stderr:\n{stderr}"));
    (out.status.code(), report, stderr)
}

fn original(data: &Path, key: &str) -> String {
    stored_doc(data, key)["original"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_deeply_nested_page_is_extracted_and_the_rest_of_the_batch_is_stored() {
    let depth = 50_000;
    let mut page = String::from(
        "<html><head><title>Nested fixture page</title>\
         <meta name=\"pubdate\" content=\"2019-06-14\"></head><body>",
    );
    page.push_str(&"<div>".repeat(depth));
    page.push_str(&"<table><tr><td>".repeat(depth / 10));
    page.push_str("<p>(Test fixture) A paragraph under fifty thousand nested blocks.</p>");
    page.push_str("<p>(Test fixture) And another one, its sibling.</p>");
    page.push_str(&"</td></tr></table>".repeat(depth / 10));
    page.push_str("</body></html>");
    let dir = folder(&[
        ("a-deep.html", page.as_bytes()),
        (
            "b-plain.md",
            "+++\nid = \"plain\"\ndate = 2019-06-14\n+++\n(Test fixture) The file after it."
                .as_bytes(),
        ),
    ]);
    let data = tempfile::tempdir().unwrap();
    let (code, report, stderr) = ingest_json(data.path(), dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(report["added"], 2, "{report:#}");
    assert_eq!(stored_keys(data.path()), vec!["a-deep.en", "plain.en"]);
    let warning = format!("{:#}", report["files"][0]["warnings"]);
    assert!(
        warning.contains("markup nested deeper than 512 levels"),
        "{report:#}"
    );
    assert_eq!(
        original(data.path(), "a-deep.en"),
        "(Test fixture) A paragraph under fifty thousand nested blocks.\n\n\
         (Test fixture) And another one, its sibling."
    );
}

#[test]
fn utf8_with_a_few_invalid_bytes_is_stored_as_utf8_with_a_warning_naming_the_offsets() {
    let text = "（测试样例）成员国元首重申恪守上海精神，愿在平等互利基础上深化经贸、交通和能源合作。\
                成员国强调，应当加强在信息安全领域的合作，维护地区和平与稳定。";
    let mut bytes = text.as_bytes().to_vec();
    let first = 3 * 10;
    bytes.insert(first, 0xFF);
    let second = bytes.len() - 3 * 8;
    bytes.insert(second, 0xC3);
    let dir = folder(&[("broken.txt", &bytes), ("valid.txt", text.as_bytes())]);
    let data = tempfile::tempdir().unwrap();
    let out = scoway(data.path())
        .args([
            "ingest",
            dir.path().to_str().unwrap(),
            "--date",
            "2019-06-14",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "broken.txt: invalid UTF-8 at byte offsets {first}, {second} replaced with U+FFFD"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("valid.txt: invalid"), "{stderr}");
    let doc = stored_doc(data.path(), "broken");
    assert_eq!(doc["meta"]["lang"], "zh", "not taken for a Latin text");
    let stored = doc["original"].as_str().unwrap();
    assert_eq!(stored.matches('\u{FFFD}').count(), 2, "{stored}");
    assert_eq!(
        stored.replace('\u{FFFD}', ""),
        text,
        "everything else is the text itself"
    );
}

/// A small PDF writer for the tests: text drawn line by line in Courier (every character
/// 0.6 em wide, so wrapping by characters is wrapping by width) or, for Chinese, in a CID
/// font (Identity-H, one em per character, the code of each character its Unicode value)
/// with a ToUnicode map, as Chinese PDFs carry them.
mod pdf_writer {
    use std::fmt::Write;

    /// One line of text: position of its baseline start, font size, text.
    pub struct TextLine {
        pub x: f64,
        pub y: f64,
        pub size: f64,
        pub text: String,
    }

    pub enum Font {
        Courier,
        /// A CID font with Identity-H encoding and a ToUnicode map.
        Cjk,
        /// A CID font not embedded, with the predefined `UniGB-UCS2-H` encoding (the codes are
        /// Unicode values) and no ToUnicode map, as older Chinese PDF generators write.
        CjkUcs2,
    }

    /// Wraps `paragraphs` to lines of at most `cols` characters (at spaces; Chinese at any
    /// character), the first line of each indented by `indent` characters, and lays them out
    /// on pages of `per_page` lines with a running header and a page number.
    pub fn typeset(
        paragraphs: &[&str],
        cols: usize,
        indent: usize,
        per_page: usize,
        header: &str,
        size: f64,
        char_width: f64,
    ) -> Vec<Vec<TextLine>> {
        let mut lines: Vec<(String, usize)> = Vec::new();
        for p in paragraphs {
            let cjk = p.chars().any(|c| c as u32 >= 0x2E80);
            let units: Vec<String> = if cjk {
                p.chars().map(String::from).collect()
            } else {
                p.split(' ').map(|w| format!("{w} ")).collect()
            };
            let (mut current, mut at, mut start) = (String::new(), indent, indent);
            for unit in units {
                if at + unit.trim_end().chars().count() > cols && !current.is_empty() {
                    lines.push((current.trim_end().to_string(), start));
                    (current, at, start) = (String::new(), 0, 0);
                }
                at += unit.chars().count();
                current.push_str(&unit);
            }
            lines.push((current.trim_end().to_string(), start));
        }
        let count = lines.len().div_ceil(per_page);
        lines
            .chunks(per_page)
            .enumerate()
            .map(|(i, chunk)| {
                let mut page = vec![TextLine {
                    x: 72.0,
                    y: 800.0,
                    size: size * 0.8,
                    text: header.to_string(),
                }];
                for (j, (text, indent)) in chunk.iter().enumerate() {
                    page.push(TextLine {
                        x: 72.0 + *indent as f64 * char_width * size,
                        y: 760.0 - 1.5 * size * j as f64,
                        size,
                        text: text.clone(),
                    });
                }
                page.push(TextLine {
                    x: 280.0,
                    y: 40.0,
                    size: size * 0.8,
                    text: format!("Page {} of {count}", i + 1),
                });
                page
            })
            .collect()
    }

    fn escape(text: &str) -> String {
        text.replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)")
    }

    /// The content stream of one page.
    fn content(lines: &[TextLine], font: &Font) -> String {
        let mut s = String::new();
        for l in lines {
            // Courier for ASCII lines (headers, page numbers, Latin text), the CID font for
            // the others.
            let (name, shown) = match font {
                Font::Cjk | Font::CjkUcs2 if !l.text.is_ascii() => {
                    let hex: String = l
                        .text
                        .chars()
                        .map(|c| format!("{:04X}", c as u32))
                        .collect();
                    ("F2", format!("<{hex}>"))
                }
                _ => ("F1", format!("({})", escape(&l.text))),
            };
            let _ = writeln!(
                s,
                "BT /{name} {} Tf {} {} Td {shown} Tj ET",
                l.size, l.x, l.y
            );
        }
        s
    }

    /// A complete PDF of `pages`; an empty page gets a filled rectangle and no text (as a
    /// scanned page has an image and no text).
    pub fn pdf(pages: &[Vec<TextLine>], font: Font, info: &[(&str, &str)]) -> Vec<u8> {
        let mut objects: Vec<String> = Vec::new();
        // 1 catalogue, 2 page tree, 3 Courier, 4 CJK font, 5 CID font, 6 descriptor, 7 ToUnicode
        objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
        let first_page = 9;
        let kids: Vec<String> = (0..pages.len())
            .map(|i| format!("{} 0 R", first_page + 2 * i))
            .collect();
        objects.push(format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        ));
        objects.push(
            "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>"
                .into(),
        );
        objects.push(match font {
            Font::CjkUcs2 => "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding \
                 /UniGB-UCS2-H /DescendantFonts [5 0 R] >>"
                .into(),
            _ => "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H \
                 /DescendantFonts [5 0 R] /ToUnicode 7 0 R >>"
                .into(),
        });
        objects.push(
            "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo \
             << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 6 0 R \
             /DW 1000 >>"
                .into(),
        );
        objects.push(
            "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 -200 1000 \
             900] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>"
                .into(),
        );
        let mut chars: Vec<char> = pages
            .iter()
            .flatten()
            .flat_map(|l| l.text.chars())
            .filter(|c| !c.is_ascii())
            .collect();
        chars.sort();
        chars.dedup();
        let mut cmap = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CMapName /Fixture-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\n\
             endcodespacerange\n",
        );
        for block in chars.chunks(100) {
            let _ = writeln!(cmap, "{} beginbfchar", block.len());
            for c in block {
                let _ = writeln!(cmap, "<{:04X}> <{:04X}>", *c as u32, *c as u32);
            }
            cmap.push_str("endbfchar\n");
        }
        cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        objects.push(stream(&cmap));
        let info_entries: Vec<String> = info
            .iter()
            .map(|(k, v)| format!("/{k} ({})", escape(v)))
            .collect();
        objects.push(format!("<< {} >>", info_entries.join(" ")));
        for page in pages {
            let n = objects.len() + 1;
            objects.push(format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << \
                 /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                n + 1
            ));
            let body = if page.is_empty() {
                "0.5 g 72 72 451 698 re f\n".to_string()
            } else {
                content(page, &font)
            };
            objects.push(stream(&body));
        }
        assemble(&objects, Some(8))
    }

    /// A PDF file of `objects` (object `i + 1` is `objects[i]`; object 1 the catalogue), with
    /// its cross-reference table.
    pub fn assemble(objects: &[String], info: Option<usize>) -> Vec<u8> {
        let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
        for offset in offsets {
            let _ = writeln!(table, "{offset:010} 00000 n ");
        }
        out.extend(table.as_bytes());
        let info = info.map(|n| format!(" /Info {n} 0 R")).unwrap_or_default();
        out.extend(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    pub fn stream(body: &str) -> String {
        format!("<< /Length {} >>\nstream\n{body}\nendstream", body.len())
    }
}

const EN_PARAGRAPHS: [&str; 3] = [
    "(Test fixture) The member states of this invented organisation reaffirm their commitment to the spirit of mutual trust, mutual benefit, equality and consultation.",
    "They support a multipolar world, the central role of the United Nations in world affairs and the peaceful settlement of disputes by dialogue.",
    "This paragraph was written for the tests of scoway and is not part of any real document.",
];

const ZH_PARAGRAPHS: [&str; 3] = [
    "（测试样例）成员国元首重申恪守互信、互利、平等、协商、尊重多样文明、谋求共同发展的精神，推动本组织健康稳定发展。",
    "成员国强调，应当加强在信息安全、打击跨国有组织犯罪和非法贩运毒品等领域的合作，维护地区和平与稳定。",
    "二〇一九年六月十四日于比什凯克",
];

#[test]
fn pdf_files_are_ingested_with_paragraphs_rebuilt_and_page_furniture_dropped() {
    use pdf_writer::{Font, pdf, typeset};
    let en_pages = typeset(
        &EN_PARAGRAPHS,
        60,
        4,
        2,
        "(Test fixture) Fixture Bulletin No. 7",
        11.0,
        0.6,
    );
    assert_eq!(en_pages.len(), 4, "page breaks fall inside paragraphs");
    let en = pdf(
        &en_pages,
        Font::Courier,
        &[
            ("Title", "(Test fixture) A bulletin"),
            ("CreationDate", "D:20190614120000Z"),
        ],
    );
    let zh_pages = typeset(&ZH_PARAGRAPHS, 30, 2, 3, "Fixture bulletin", 12.0, 1.0);
    let zh = pdf(&zh_pages, Font::Cjk, &[]);
    let zh_ucs2 = pdf(&zh_pages, Font::CjkUcs2, &[]);
    let scanned = pdf(&[vec![], vec![]], Font::Courier, &[]);
    let mut truncated = en.clone();
    truncated.truncate(300);
    let dir = folder(&[
        ("fx-bulletin.pdf", &en),
        ("chs-2019-declaration.zh.pdf", &zh),
        ("chs-2019-communique.zh.pdf", &zh_ucs2),
        ("scanned.pdf", &scanned),
        ("truncated.pdf", &truncated),
    ]);
    let data = tempfile::tempdir().unwrap();
    let (code, report, stderr) = ingest_json(data.path(), dir.path());
    assert_eq!(code, Some(1), "two files are rejected: {stderr}");
    assert_eq!(report["added"], 3, "{report:#}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let rejected: Vec<String> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "rejected")
        .map(|f| f["error"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(rejected.len(), 2, "{report:#}");
    assert!(
        rejected[0].contains("scanned.pdf: has no text layer (scanned?)"),
        "{rejected:?}"
    );
    assert!(rejected[1].contains("truncated.pdf: "), "{rejected:?}");

    // Latin text: metadata from the file's properties (no catalogue row, no sidecar).
    let doc = stored_doc(data.path(), "fx-bulletin");
    assert_eq!(doc["meta"]["lang"], "en");
    assert_eq!(doc["meta"]["date"], "2019-06-14");
    assert_eq!(doc["meta"]["title"], "(Test fixture) A bulletin");
    assert_eq!(doc["original"], EN_PARAGRAPHS.join("\n\n"));

    // Chinese text in a CID font: the catalogue row named by the file.
    let doc = stored_doc(data.path(), "chs-2019-declaration.zh");
    assert_eq!(doc["meta"]["id"], "chs-2019-declaration");
    assert_eq!(doc["meta"]["body"], "CHS");
    assert_eq!(doc["meta"]["date"], "2019-06-14");
    assert_eq!(doc["original"], ZH_PARAGRAPHS.join("\n\n"));
    // The same text with a predefined Unicode CMap and no ToUnicode map.
    let doc = stored_doc(data.path(), "chs-2019-communique.zh");
    assert_eq!(doc["original"], ZH_PARAGRAPHS.join("\n\n"));
    let warnings = report["files"][0]["warnings"].to_string();
    assert!(warnings.contains("page furniture"), "{report:#}");
}

/// A .docx file: the parts Word writes that matter here.
fn docx(paragraphs: &[&str], core: Option<(&str, &str)>) -> Vec<u8> {
    use std::io::Write;
    let body: String = paragraphs
        .iter()
        .map(|p| {
            let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
            // Split every paragraph into two runs, as Word does at a formatting change.
            let cut = p
                .char_indices()
                .nth(p.chars().count() / 2)
                .map_or(0, |(i, _)| i);
            format!(
                "<w:p><w:pPr><w:jc w:val=\"both\"/></w:pPr><w:r><w:t>{}</w:t></w:r>\
                 <w:r><w:rPr><w:i/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
                escape(&p[..cut]),
                escape(&p[cut..])
            )
        })
        .collect();
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:body>{body}<w:sectPr/></w:body></w:document>"
    );
    let mut parts = vec![
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>".to_string(),
        ),
        ("word/document.xml", document),
    ];
    if let Some((title, created)) = core {
        parts.push((
            "docProps/core.xml",
            format!(
                "<?xml version=\"1.0\"?><cp:coreProperties \
                 xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
                 xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\">\
                 <dc:title>{title}</dc:title><dcterms:created>{created}</dcterms:created></cp:coreProperties>"
            ),
        ));
    }
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, contents) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(contents.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

#[test]
fn docx_files_are_ingested_with_their_paragraphs_and_properties() {
    let ru = [
        "(тестовый пример) Государства-члены подтверждают приверженность духу взаимного доверия.",
        "Они выступают за многополярный мир & диалог.",
    ];
    let dir = folder(&[
        (
            "fx-word.ru.docx",
            &docx(
                &ru,
                Some(("(тестовый пример) Заявление", "2020-11-10T09:00:00Z")),
            ),
        ),
        ("chs-2019-declaration.zh.docx", &docx(&ZH_PARAGRAPHS, None)),
        (
            "old-word.docx",
            b"\xD0\xCF\x11\xE0 an old binary .doc renamed",
        ),
    ]);
    let data = tempfile::tempdir().unwrap();
    let (code, report, stderr) = ingest_json(data.path(), dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(report["added"], 2, "{report:#}");
    assert!(
        stderr.contains("old-word.docx: not a Word .docx file"),
        "{stderr}"
    );
    let doc = stored_doc(data.path(), "fx-word.ru");
    assert_eq!(doc["meta"]["date"], "2020-11-10");
    assert_eq!(doc["meta"]["title"], "(тестовый пример) Заявление");
    assert_eq!(doc["original"], ru.join("\n\n"));
    let doc = stored_doc(data.path(), "chs-2019-declaration.zh");
    assert_eq!(doc["meta"]["date"], "2019-06-14", "the catalogue row");
    assert_eq!(doc["original"], ZH_PARAGRAPHS.join("\n\n"));
}

#[test]
fn a_pdf_whose_drawing_draws_itself_is_refused_and_the_batch_goes_on() {
    use pdf_writer::{Font, assemble, pdf, stream, typeset};
    // The page draws form X1, and X1 draws X1: followed blindly, that recursion never ends.
    let looping = assemble(
        &[
            "<< /Type /Catalog /Pages 2 0 R >>".into(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << \
             /X1 5 0 R >> >> /Contents 4 0 R >>"
                .into(),
            stream("/X1 Do"),
            "<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Length 6 >>\nstream\n/X1 Do\n\
             endstream"
                .into(),
        ],
        None,
    );
    let good = pdf(
        // One page: no running header to tell apart; the page number still goes.
        &typeset(&EN_PARAGRAPHS[..1], 60, 4, 10, "", 11.0, 0.6),
        Font::Courier,
        &[("CreationDate", "D:20190614")],
    );
    let dir = folder(&[("a-looping.pdf", &looping), ("b-good.pdf", &good)]);
    let data = tempfile::tempdir().unwrap();
    let (code, report, stderr) = ingest_json(data.path(), dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(report["added"], 1, "{report:#}");
    assert!(
        format!("{report}").contains("a-looping.pdf: its drawings are nested too deeply"),
        "{report:#}"
    );
    assert_eq!(original(data.path(), "b-good.en"), EN_PARAGRAPHS[0]);
}
