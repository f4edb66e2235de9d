//! Decoding raw bytes to text: BOM, then a declared charset (HTTP header or HTML
//! `<meta charset>`), then statistical detection (chardetng).

use encoding_rs::Encoding;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DecodeError {
    #[error("file is empty")]
    Empty,
    #[error("looks like a binary file (NUL bytes or control characters), not text")]
    Binary,
    #[error("cannot decode as {encoding}: the bytes are not valid in that encoding")]
    Malformed { encoding: &'static str },
}

/// Text decoded from bytes, and how the encoding was chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    /// WHATWG name of the encoding, e.g. `UTF-8`, `GBK`, `gb18030`, `Big5`, `UTF-16LE`.
    pub encoding: &'static str,
    /// `bom`, `declared` or `detected`.
    pub method: &'static str,
}

/// Decodes `bytes`. `declared` is a charset label from an HTTP header or an HTML meta tag.
///
/// GBK and GB2312 labels are decoded as GB18030, which is a superset: pages that declare
/// GB2312 often use GBK characters.
pub fn decode(bytes: &[u8], declared: Option<&str>) -> Result<Decoded, DecodeError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(DecodeError::Empty);
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return finish(encoding, &bytes[bom_len..], "bom");
    }
    if looks_like_utf16(bytes) {
        let le = bytes.iter().skip(1).step_by(2).filter(|b| **b == 0).count()
            > bytes.iter().step_by(2).filter(|b| **b == 0).count();
        let enc = if le {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        return finish(enc, bytes, "detected");
    }
    if is_binary(bytes) {
        return Err(DecodeError::Binary);
    }
    let declared = declared
        .and_then(|label| Encoding::for_label(label.trim().as_bytes()))
        .or_else(|| sniff_meta_charset(bytes));
    if let Some(enc) = declared {
        let enc = widen(enc);
        // A wrong declaration is common on old pages; only trust it if it decodes cleanly.
        if let Ok(d) = finish(enc, bytes, "declared") {
            return Ok(d);
        }
    }
    if std::str::from_utf8(bytes).is_ok() {
        return finish(encoding_rs::UTF_8, bytes, "detected");
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = widen(detector.guess(None, chardetng::Utf8Detection::Allow));
    finish(guess, bytes, "detected")
}

fn widen(enc: &'static Encoding) -> &'static Encoding {
    if enc == encoding_rs::GBK {
        encoding_rs::GB18030
    } else {
        enc
    }
}

fn finish(
    encoding: &'static Encoding,
    bytes: &[u8],
    method: &'static str,
) -> Result<Decoded, DecodeError> {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(DecodeError::Malformed {
            encoding: encoding.name(),
        });
    }
    if text.trim().is_empty() {
        return Err(DecodeError::Empty);
    }
    Ok(Decoded {
        text: text.into_owned(),
        encoding: encoding.name(),
        method,
    })
}

/// UTF-16 without a BOM: many NUL bytes, all at even or all at odd positions.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return false;
    }
    let sample = &bytes[..bytes.len().min(4096)];
    let even = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    let half = sample.len() / 2;
    (even > half / 3 && odd == 0) || (odd > half / 3 && even == 0)
}

fn is_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return true;
    }
    let controls = sample
        .iter()
        .filter(|b| **b < 0x20 && !matches!(**b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    controls * 20 > sample.len()
}

/// Finds `<meta charset=..>` or `<meta http-equiv=Content-Type content="..; charset=..">`
/// in the first bytes of an HTML page (ASCII-compatible encodings only).
pub fn sniff_meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let mut rest = head.as_str();
    while let Some(pos) = rest.find("charset") {
        rest = &rest[pos + "charset".len()..];
        let value = rest.trim_start_matches([' ', '=', '"', '\'']);
        let label: String = value
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            .collect();
        if let Some(enc) = Encoding::for_label(label.as_bytes()) {
            return Some(enc);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_with_and_without_bom() {
        let d = decode("上海精神".as_bytes(), None).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("上海精神", "UTF-8"));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("上海精神".as_bytes());
        let d = decode(&bom, None).unwrap();
        assert_eq!((d.text.as_str(), d.method), ("上海精神", "bom"));
    }

    #[test]
    fn decodes_gbk_declared_and_detected() {
        let text = "上海合作组织成员国元首理事会会议在比什凯克举行。各方重申上海精神。";
        let (bytes, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(decode(&bytes, Some("gb2312")).unwrap().text, text);
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.text, text);
        assert_eq!(d.method, "detected");
    }

    #[test]
    fn decodes_big5_and_utf16() {
        let text = "上海合作組織成員國元首理事會會議在比什凱克舉行，各方重申上海精神。";
        let (bytes, _, _) = encoding_rs::BIG5.encode(text);
        assert_eq!(decode(&bytes, None).unwrap().text, text);
        let utf16: Vec<u8> = "Shanghai Spirit 上海精神"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(
            decode(&utf16, None).unwrap().text,
            "Shanghai Spirit 上海精神"
        );
    }

    #[test]
    fn rejects_empty_and_binary() {
        assert_eq!(decode(b"  \n", None), Err(DecodeError::Empty));
        assert_eq!(
            decode(&[0x89, b'P', b'N', b'G', 0, 0, 1, 2, 3], None),
            Err(DecodeError::Binary)
        );
    }

    #[test]
    fn sniffs_meta_charset() {
        let html =
            br#"<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">"#;
        assert_eq!(sniff_meta_charset(html), Some(encoding_rs::GBK));
    }
}
