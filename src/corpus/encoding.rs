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
    /// Byte offsets of the invalid sequences that were replaced with U+FFFD (only for a file
    /// that is almost all valid UTF-8; empty otherwise).
    pub replaced_at: Vec<usize>,
}

impl Decoded {
    /// A warning naming the replaced bytes, when there were any.
    pub fn warning(&self) -> Option<String> {
        const SHOWN: usize = 10;
        if self.replaced_at.is_empty() {
            return None;
        }
        let mut offsets: Vec<String> = self
            .replaced_at
            .iter()
            .take(SHOWN)
            .map(usize::to_string)
            .collect();
        if self.replaced_at.len() > SHOWN {
            offsets.push(format!("and {} more", self.replaced_at.len() - SHOWN));
        }
        Some(format!(
            "invalid UTF-8 at byte offset{} {} replaced with U+FFFD (the rest of the file is \
             valid UTF-8)",
            if self.replaced_at.len() == 1 { "" } else { "s" },
            offsets.join(", ")
        ))
    }
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
    // A few bad bytes in a UTF-8 file (a truncated copy, a stray Latin-1 byte) would make the
    // detector pick a legacy encoding and turn the whole text into mojibake.
    if let Some(replaced_at) = mostly_utf8(bytes) {
        let text = String::from_utf8_lossy(bytes).into_owned();
        if text.trim().is_empty() {
            return Err(DecodeError::Empty);
        }
        return Ok(Decoded {
            text,
            encoding: encoding_rs::UTF_8.name(),
            method: "detected",
            replaced_at,
        });
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
        replaced_at: Vec::new(),
    })
}

/// The byte offsets of the invalid sequences of `bytes` when it is almost all valid UTF-8:
/// it has valid multi-byte characters, at least 20 for each invalid sequence. A legacy
/// encoding (GBK, windows-1251, windows-1252) hardly ever forms valid multi-byte UTF-8 by
/// chance, so its text fails this test at once.
fn mostly_utf8(bytes: &[u8]) -> Option<Vec<usize>> {
    const VALID_PER_INVALID: usize = 20;
    let mut invalid = Vec::new();
    let mut multibyte = 0usize;
    let mut rest = bytes;
    let mut offset = 0;
    loop {
        let (valid, bad_len) = match std::str::from_utf8(rest) {
            Ok(s) => (s, None),
            Err(e) => {
                let (valid, _) = rest.split_at(e.valid_up_to());
                // `valid` is valid UTF-8 by construction.
                let valid = std::str::from_utf8(valid).unwrap_or_default();
                (
                    valid,
                    Some(e.error_len().unwrap_or(rest.len() - e.valid_up_to())),
                )
            }
        };
        multibyte += valid.chars().filter(|c| !c.is_ascii()).count();
        let Some(bad_len) = bad_len else { break };
        invalid.push(offset + valid.len());
        // Give up early on text that is plainly not UTF-8.
        if invalid.len() > 1 + multibyte / VALID_PER_INVALID + 64 {
            return None;
        }
        let skip = valid.len() + bad_len.max(1);
        offset += skip;
        rest = rest.get(skip..).unwrap_or_default();
    }
    (!invalid.is_empty() && multibyte >= VALID_PER_INVALID * invalid.len()).then_some(invalid)
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
    fn utf8_with_a_few_bad_bytes_stays_utf8_and_names_the_offsets() {
        let text = "上海合作组织成员国元首理事会会议在比什凯克举行。各方重申上海精神，\
                    支持多边主义。成员国将继续深化务实合作。";
        let mut bytes = text.as_bytes().to_vec();
        // A stray windows-1252 byte, and a character cut in half.
        bytes.insert(27, 0xE9);
        let cut = bytes.len() - 30;
        bytes.insert(cut, 0xE4);
        let d = decode(&bytes, None).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.replaced_at, vec![27, cut]);
        assert!(
            d.text.starts_with("上海合作组织成员国\u{FFFD}元首理事会"),
            "{}",
            d.text
        );
        assert_eq!(d.text.matches('\u{FFFD}').count(), 2);
        let w = d.warning().unwrap();
        assert!(
            w.contains(&format!("byte offsets 27, {cut} replaced")),
            "{w}"
        );
        assert_eq!(decode(text.as_bytes(), None).unwrap().warning(), None);
    }

    #[test]
    fn legacy_encodings_are_not_taken_for_broken_utf8() {
        let text = "Les États membres réaffirment l'esprit de Shanghai. Ça a été décidé à Pékin.";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
        let d = decode(&bytes, None).unwrap();
        assert_eq!((d.text.as_str(), d.replaced_at.len()), (text, 0));
        let ru = "Государства-члены подтверждают приверженность Шанхайскому духу.";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(ru);
        assert_eq!(decode(&bytes, None).unwrap().text, ru);
        // One accented byte in otherwise plain ASCII is not "almost all UTF-8".
        assert_eq!(mostly_utf8(b"caf\xe9 au lait"), None);
    }

    proptest::proptest! {
        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = decode(&bytes, None);
        }
    }

    #[test]
    fn sniffs_meta_charset() {
        let html =
            br#"<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">"#;
        assert_eq!(sniff_meta_charset(html), Some(encoding_rs::GBK));
    }
}
