//! Which Chinese script a text is written in, and conversion to simplified characters that
//! keeps every character's position.
//!
//! Many Chinese copies of SCO documents in circulation are reposts in traditional characters
//! (Hong Kong, Taiwan, big5 pages). The codebook and the dictionary are written in simplified
//! characters, so a traditional text is converted before it is segmented, indexed and coded;
//! the original is kept, and because the conversion maps one character to one character, every
//! offset into the converted text is an offset into the original.

use serde::{Deserialize, Serialize};
use std::fmt;
use zhconv::{Variant, zhconv};

/// The writing system of a document's Chinese text, detected at ingest.
///
/// Traditional and mixed texts are converted to simplified characters for segmentation,
/// indexing and coding (the codebook and the dictionary are in simplified characters); the
/// original text is kept as it was, and every offset still points into it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Script {
    /// No Chinese characters that tell the scripts apart (a Russian or English text, or Han
    /// characters common to both scripts).
    #[default]
    None,
    Simplified,
    Traditional,
    /// Both scripts in substantial amounts (a repost that converted only part of the text).
    Mixed,
}

impl Script {
    pub fn as_str(self) -> &'static str {
        match self {
            Script::None => "none",
            Script::Simplified => "simplified",
            Script::Traditional => "traditional",
            Script::Mixed => "mixed",
        }
    }

    /// Whether text in this script is converted to simplified characters before analysis.
    pub fn needs_conversion(self) -> bool {
        matches!(self, Script::Traditional | Script::Mixed)
    }
}

impl fmt::Display for Script {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Share of script-specific characters below which the minority script is taken for noise
/// (a simplified text quoting one traditional name, or a traditional page with a simplified
/// headline): under 10 % it does not make a text mixed.
const MINORITY_SHARE: f32 = 0.1;

/// Detects the script of `text` from the characters that exist in only one of the scripts.
///
/// Characters shared by both scripts (most of them) say nothing; a text with no
/// script-specific character at all is [`Script::None`].
pub fn detect_script(text: &str) -> Script {
    if !text.chars().any(is_han) {
        return Script::None;
    }
    // The share of simplified-only characters among all script-specific ones; NaN when there is
    // none of either.
    let simplified_share = zhconv::is_hans_confidence(text);
    if simplified_share.is_nan() {
        Script::None
    } else if simplified_share >= 1.0 - MINORITY_SHARE {
        Script::Simplified
    } else if simplified_share <= MINORITY_SHARE {
        Script::Traditional
    } else {
        Script::Mixed
    }
}

/// Converts traditional characters to simplified ones, one character for one character.
///
/// The conversion tables work on phrases (乾燥 → 干燥 but 乾隆 stays), so each line is converted
/// as a whole; where a phrase rule would change a line's length, that line is converted
/// character by character instead, so that positions never shift.
pub fn to_simplified(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if !line.chars().any(is_han) {
            out.push_str(line);
            continue;
        }
        let converted = zhconv(line, Variant::ZhHans);
        if converted.chars().count() == line.chars().count() {
            out.push_str(&converted);
        } else {
            out.extend(line.chars().map(simplified_char));
        }
    }
    out
}

/// The simplified form of one character, or the character itself when its conversion is not
/// exactly one character.
fn simplified_char(c: char) -> char {
    if !is_han(c) {
        return c;
    }
    let mut buf = [0u8; 4];
    let one = zhconv(c.encode_utf8(&mut buf), Variant::ZhHans);
    let mut chars = one.chars();
    match (chars.next(), chars.next()) {
        (Some(s), None) => s,
        _ => c,
    }
}

/// CJK unified ideographs: the main block, extensions A to H (simplified forms of rare
/// characters live in the later extensions; the range also holds the compatibility supplement)
/// and the compatibility block.
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{323AF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tells_the_scripts_apart() {
        assert_eq!(
            detect_script("上海合作组织成员国元首理事会会议宣言"),
            Script::Simplified
        );
        assert_eq!(
            detect_script("上海合作組織成員國元首理事會會議宣言"),
            Script::Traditional
        );
        assert_eq!(
            detect_script("上海合作组织成员国元首理事会。上海合作組織成員國元首理事會會議"),
            Script::Mixed
        );
        assert_eq!(
            detect_script("Declaration of the heads of state"),
            Script::None
        );
        // Characters common to both scripts say nothing.
        assert_eq!(detect_script("上海合作"), Script::None);
    }

    #[test]
    fn converts_to_simplified_in_place() {
        assert_eq!(
            to_simplified("上海合作組織成員國\n反對霸權主義"),
            "上海合作组织成员国\n反对霸权主义"
        );
        assert_eq!(to_simplified("Совет глав"), "Совет глав");
    }

    proptest! {
        #[test]
        fn conversion_keeps_every_position(s in "[\\p{Han}a-zА-я，。\n ]{0,80}") {
            let converted = to_simplified(&s);
            prop_assert_eq!(converted.chars().count(), s.chars().count());
            for (a, b) in s.chars().zip(converted.chars()) {
                prop_assert_eq!(is_han(a), is_han(b));
            }
        }
    }
}
