//! From raw bytes to checked text: content type, encoding, main-text extraction, and the
//! checks that keep a wrong page out of the corpus (too short, wrong language), with
//! warnings when the page's own title or date disagree with the catalogue.

use crate::corpus::catalog::CatalogEntry;
use crate::corpus::document::Lang;
use crate::corpus::encoding;
use crate::corpus::html::{self, collapse_whitespace, script_shares};

/// A page that passed the checks.
#[derive(Debug, Clone)]
pub struct Page {
    pub paragraphs: Vec<String>,
    /// Site rule used (`generic`, `text` for plain text).
    pub site: &'static str,
    /// Encoding and how it was chosen, e.g. `GBK (declared)`.
    pub encoding: String,
    pub title: Option<String>,
    pub date: Option<chrono::NaiveDate>,
    /// Paragraphs in other languages were dropped from a bilingual page.
    pub language_filtered: bool,
    pub warnings: Vec<String>,
}

/// What the bytes are, from the Content-Type header or, without one, a look at the bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Html,
    Text,
}

impl Kind {
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Html => "html",
            Kind::Text => "txt",
        }
    }
}

/// The media type and charset of a Content-Type header value.
pub fn parse_content_type(value: &str) -> (String, Option<String>) {
    let mut parts = value.split(';');
    let mime = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset = parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("charset"))
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
    });
    (mime, charset)
}

/// Decides how to read a response; `Err` for media types that are not text.
pub fn kind_of(content_type: Option<&str>, bytes: &[u8]) -> Result<Kind, String> {
    let mime = content_type.map(|ct| parse_content_type(ct).0);
    match mime.as_deref() {
        Some("text/html" | "application/xhtml+xml") => Ok(Kind::Html),
        Some("text/plain") => Ok(Kind::Text),
        None | Some("" | "application/octet-stream") if looks_like_html(bytes) => Ok(Kind::Html),
        None | Some("") => {
            Err("the response has no Content-Type and does not look like HTML".into())
        }
        Some(other) => Err(format!(
            "not an HTML page (Content-Type: {other}); save the document by hand and add it \
             with `scoway ingest`"
        )),
    }
}

fn looks_like_html(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let trimmed = head.trim_start_matches('\u{feff}').trim_start();
    trimmed.starts_with('<')
        && (head.contains("<html")
            || head.contains("<!doctype html")
            || head.contains("<body")
            || head.contains("<p"))
}

/// The language of one paragraph by its letters (a Han character weighs about a word).
fn paragraph_lang(p: &str) -> Option<Lang> {
    let s = script_shares(p);
    if s.letters == 0 {
        return None;
    }
    let n = s.letters as f64;
    let (cjk, cyr, lat) = (s.cjk * n, s.cyrillic * n, s.latin * n);
    Some(if cjk > 0.0 && cjk * 4.0 >= cyr + lat {
        Lang::Zh
    } else if cyr > lat {
        Lang::Ru
    } else {
        Lang::En
    })
}

fn chars(p: &str) -> usize {
    p.chars().filter(|c| !c.is_whitespace()).count()
}

/// Share of the text (by characters of paragraphs with letters) that a page must have in the
/// catalogue row's language to be kept whole; below it, a page with enough text in that
/// language is treated as bilingual and only those paragraphs are kept.
const SAME_LANGUAGE_SHARE: f64 = 0.8;

/// Reads, extracts and checks a fetched page.
pub fn process(
    bytes: &[u8],
    content_type: Option<&str>,
    entry: &CatalogEntry,
    lang: Lang,
    catalogue_url: &str,
    min_chars: usize,
) -> Result<Page, String> {
    let kind = kind_of(content_type, bytes)?;
    let charset = content_type.and_then(|ct| parse_content_type(ct).1);
    let decoded = encoding::decode(bytes, charset.as_deref())
        .map_err(|e| format!("cannot decode the page: {e}"))?;
    let encoding = format!("{} ({})", decoded.encoding, decoded.method);

    let mut capped_tags = 0;
    let (paragraphs, site, title, date) = match kind {
        Kind::Html => {
            let e = html::extract(&decoded.text, Some(catalogue_url));
            capped_tags = e.capped_tags;
            (e.paragraphs, e.site, e.title, e.date)
        }
        Kind::Text => {
            let paragraphs = decoded
                .text
                .replace("\r\n", "\n")
                .split("\n\n")
                .map(collapse_whitespace)
                .filter(|p| !p.is_empty())
                .collect();
            (paragraphs, "text", None, None)
        }
    };

    let mut warnings: Vec<String> = decoded.warning().into_iter().collect();
    if capped_tags > 0 {
        warnings.push(format!(
            "markup nested deeper than {} levels: {capped_tags} deeper tags were read as line \
             breaks",
            html::MAX_NESTING
        ));
    }
    let checked = check_language(paragraphs, lang, min_chars)?;
    if checked.filtered {
        warnings.push(format!(
            "bilingual page: kept the {} of {} paragraphs written in {lang}",
            checked.paragraphs.len(),
            checked.total
        ));
    }
    let paragraphs = checked.paragraphs;

    let total: usize = paragraphs.iter().map(|p| chars(p)).sum();
    if total < min_chars {
        return Err(format!(
            "implausibly short: {total} characters of text (at least {min_chars} expected); the \
             page may be an index, an error page or a changed template"
        ));
    }

    if let Some(page_title) = &title {
        let expected = match lang {
            Lang::Zh => entry.title_zh.as_deref(),
            Lang::En => entry.title_en.as_deref(),
            Lang::Ru => None,
        };
        if let Some(expected) = expected
            && !titles_agree(page_title, expected)
        {
            warnings.push(format!(
                "the page's title \"{page_title}\" differs from the catalogue's \"{expected}\""
            ));
        }
    }
    if let Some(page_date) = date {
        let days = (page_date - entry.date).num_days();
        // Pages are published on the day or within days of signing; Moscow and Beijing
        // dates can differ by one. Anything else is a repost or a different document.
        if !(-1..=3).contains(&days) {
            warnings.push(format!(
                "the page is dated {page_date}, the catalogue {}",
                entry.date
            ));
        }
    }

    Ok(Page {
        paragraphs,
        site,
        encoding,
        title,
        date,
        language_filtered: checked.filtered,
        warnings,
    })
}

/// Paragraphs that passed the language check.
#[derive(Debug)]
struct LanguageChecked {
    paragraphs: Vec<String>,
    /// Paragraphs in other languages were dropped (a bilingual page).
    filtered: bool,
    /// Paragraphs before filtering.
    total: usize,
}

/// Keeps a page in the expected language whole, keeps only the paragraphs in that language
/// of a bilingual page, and rejects a page in another language.
fn check_language(
    paragraphs: Vec<String>,
    lang: Lang,
    min_chars: usize,
) -> Result<LanguageChecked, String> {
    let langs: Vec<Option<Lang>> = paragraphs.iter().map(|p| paragraph_lang(p)).collect();
    let with_letters: usize = paragraphs
        .iter()
        .zip(&langs)
        .filter(|(_, l)| l.is_some())
        .map(|(p, _)| chars(p))
        .sum();
    let in_lang: usize = paragraphs
        .iter()
        .zip(&langs)
        .filter(|(_, l)| **l == Some(lang))
        .map(|(p, _)| chars(p))
        .sum();
    let n = paragraphs.len();
    if with_letters == 0 || in_lang as f64 >= SAME_LANGUAGE_SHARE * with_letters as f64 {
        return Ok(LanguageChecked {
            paragraphs,
            filtered: false,
            total: n,
        });
    }
    if in_lang >= min_chars.max(1) {
        let kept: Vec<String> = paragraphs
            .into_iter()
            .zip(&langs)
            .filter(|(_, l)| l.is_none() || **l == Some(lang))
            .map(|(p, _)| p)
            .collect();
        return Ok(LanguageChecked {
            paragraphs: kept,
            filtered: true,
            total: n,
        });
    }
    let all = paragraphs.join("\n");
    let s = script_shares(&all);
    Err(format!(
        "wrong language: the catalogue row is {lang}, but the text is {:.0}% CJK, {:.0}% \
         Cyrillic and {:.0}% Latin letters",
        s.cjk * 100.0,
        s.cyrillic * 100.0,
        s.latin * 100.0
    ))
}

/// Titles agree when, letters and digits only (Chinese in simplified characters), one holds
/// the other or they share most character pairs.
pub fn titles_agree(a: &str, b: &str) -> bool {
    let squash = |s: &str| -> Vec<char> {
        zhconv::zhconv(s, zhconv::Variant::ZhHans)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (a, b) = (squash(a), squash(b));
    if a.is_empty() || b.is_empty() {
        return true;
    }
    let (sa, sb): (String, String) = (a.iter().collect(), b.iter().collect());
    if sa.contains(&sb) || sb.contains(&sa) {
        return true;
    }
    let pairs = |v: &[char]| -> std::collections::HashSet<(char, char)> {
        v.windows(2).map(|w| (w[0], w[1])).collect()
    };
    let (pa, pb) = (pairs(&a), pairs(&b));
    if pa.is_empty() || pb.is_empty() {
        return false;
    }
    let common = pa.intersection(&pb).count();
    2.0 * common as f64 / (pa.len() + pb.len()) as f64 >= 0.6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        assert_eq!(
            parse_content_type("text/html; charset=\"GBK\""),
            ("text/html".into(), Some("GBK".into()))
        );
        assert_eq!(kind_of(Some("text/html"), b"x"), Ok(Kind::Html));
        assert_eq!(
            kind_of(Some("text/plain; charset=utf-8"), b"x"),
            Ok(Kind::Text)
        );
        assert_eq!(kind_of(None, b"  <!DOCTYPE html><html>"), Ok(Kind::Html));
        assert!(
            kind_of(Some("application/pdf"), b"%PDF-1.4")
                .unwrap_err()
                .contains("application/pdf")
        );
        assert!(kind_of(None, b"%PDF-1.4").is_err());
    }

    #[test]
    fn titles() {
        assert!(titles_agree(
            "上海合作组织成员国元首理事会比什凯克宣言（全文）",
            "上海合作组织成员国元首理事会比什凯克宣言"
        ));
        assert!(titles_agree(
            "上海合作組織成員國元首理事會比什凱克宣言",
            "上海合作组织成员国元首理事会比什凯克宣言"
        ));
        assert!(titles_agree(
            "Bishkek Declaration of the Council of Heads of State of the SCO",
            "Bishkek Declaration of the Council of Heads of State of the Shanghai Cooperation Organization"
        ));
        assert!(!titles_agree(
            "外交部发言人答记者问",
            "上海合作组织成员国元首理事会比什凯克宣言"
        ));
    }

    #[test]
    fn language_check_keeps_filters_or_rejects() {
        let zh = "上海合作组织成员国重申恪守上海精神，坚持互信、互利、平等、协商。".to_string();
        let en = "The member states reaffirm their commitment to the Shanghai Spirit.".to_string();
        let c = check_language(vec![zh.clone(), "2019".into()], Lang::Zh, 10).unwrap();
        assert!(!c.filtered);
        assert_eq!(c.paragraphs.len(), 2);
        let c = check_language(
            vec![zh.clone(), en.clone(), zh.clone(), en.clone()],
            Lang::En,
            10,
        )
        .unwrap();
        assert!(c.filtered);
        assert_eq!(c.total, 4);
        assert_eq!(c.paragraphs, vec![en.clone(), en.clone()]);
        let e = check_language(vec![zh.clone()], Lang::Ru, 10).unwrap_err();
        assert!(
            e.starts_with("wrong language: the catalogue row is ru, but the text is 100% CJK"),
            "{e}"
        );
    }
}
