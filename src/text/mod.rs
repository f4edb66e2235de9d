//! Text normalisation and structure: width and punctuation folding, script detection and
//! traditional→simplified conversion, paragraphs and sentences.
//!
//! Normalisation maps each char to exactly one char, so offsets into the normalised text are
//! offsets into the original text too: every hit can point back to what the source said.

mod normalize;
mod script;
mod structure;

pub use normalize::{NormalizeOptions, normalize, normalize_detecting};
pub use script::{Script, detect_script, is_han, to_simplified};
pub use structure::{paragraph_spans, sentence_spans};

/// Whether `c` is East Asian wide or full-width (CJK ideographs, kana, hangul, CJK punctuation,
/// full-width forms): two terminal columns, a whole em in a chart.
pub fn is_wide(c: char) -> bool {
    matches!(
        u32::from(c),
        0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD
    )
}
