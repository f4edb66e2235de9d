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
