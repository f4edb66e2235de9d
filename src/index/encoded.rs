//! Pre-tokenized text for the index writer, cheaper than tantivy's `PreTokenizedString`.
//!
//! A `TantivyDocument` keeps a `PreTokenizedString` as JSON and the indexing thread parses it
//! back, with a heap string per token on each side: that was most of the indexing time. The
//! indexer instead writes a field's tokens (tantivy's postings keep only the term and the
//! position) into one string, and the writer's copy of the index registers
//! [`EncodedTokenizer`] under the field's tokenizer name; it reads the tokens back into one
//! reused token. Searches open the index on their own and analyse queries with
//! [`super::QueryTokenizer`], so the encoding never leaves the writer.
//!
//! Each token is `<length><step><term>`: the term's length in bytes, then its position minus
//! the previous token's (0 at the start), each as a little-endian base-32 number in printable
//! ASCII (`0x20 + digit` for every digit but the last, `0x40 + digit` for the last, which may
//! be up to 63): one char for the small numbers nearly all of them are. A position below the
//! previous one is `\x02` and the position itself.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

const DIGIT: u8 = 0x20;
const LAST_DIGIT: u8 = 0x40;
const ABSOLUTE: char = '\u{2}';

/// Builds the encoded token string of one field value.
#[derive(Debug, Default)]
pub(crate) struct TokenEncoder {
    buf: String,
    last: u32,
}

impl TokenEncoder {
    pub(crate) fn with_capacity(bytes: usize) -> Self {
        Self {
            buf: String::with_capacity(bytes),
            last: 0,
        }
    }

    pub(crate) fn push(&mut self, term: &str, position: u32) {
        self.push_number(term.len());
        match position.checked_sub(self.last) {
            Some(step) => self.push_number(step as usize),
            None => {
                self.buf.push(ABSOLUTE);
                self.push_number(position as usize);
            }
        }
        self.last = position;
        self.buf.push_str(term);
    }

    fn push_number(&mut self, mut n: usize) {
        while n >= 64 {
            self.buf.push(char::from(DIGIT + (n & 31) as u8));
            n >>= 5;
        }
        self.buf.push(char::from(LAST_DIGIT + n as u8));
    }

    pub(crate) fn finish(self) -> String {
        self.buf
    }
}

/// Reads a number written by [`TokenEncoder::push_number`] at `bytes[at..]`, maybe after
/// the mark of an absolute position: the number, the index after it, and whether it was
/// marked.
fn read_number(bytes: &[u8], mut at: usize) -> Option<(usize, usize, bool)> {
    let absolute = bytes.get(at) == Some(&(ABSOLUTE as u8));
    if absolute {
        at += 1;
    }
    let mut n: usize = 0;
    let mut shift = 0u32;
    loop {
        let b = *bytes.get(at)?;
        at += 1;
        let digit = match b {
            DIGIT..LAST_DIGIT => usize::from(b - DIGIT),
            LAST_DIGIT..=0x7F => usize::from(b - LAST_DIGIT),
            _ => return None,
        };
        n |= digit.checked_shl(shift).filter(|d| d >> shift == digit)?;
        if b >= LAST_DIGIT {
            return Some((n, at, absolute));
        }
        shift += 5;
    }
}

/// The writer-side tokenizer of the analysed fields: decodes what [`TokenEncoder`] wrote.
/// Malformed input ends the stream (it cannot come from the indexer).
#[derive(Debug, Clone, Default)]
pub(crate) struct EncodedTokenizer {
    token: Token,
}

/// Tokens of one encoded string.
pub(crate) struct EncodedTokenStream<'a> {
    rest: &'a str,
    token: &'a mut Token,
}

impl Tokenizer for EncodedTokenizer {
    type TokenStream<'a> = EncodedTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> EncodedTokenStream<'a> {
        // Steps count from position 0 (a default token's position is `usize::MAX`).
        self.token = Token {
            position: 0,
            ..Token::default()
        };
        EncodedTokenStream {
            rest: text,
            token: &mut self.token,
        }
    }
}

impl TokenStream for EncodedTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let bytes = self.rest.as_bytes();
        let Some((len, at, false)) = read_number(bytes, 0) else {
            return false;
        };
        let Some((step, at, absolute)) = read_number(bytes, at) else {
            return false;
        };
        let position = if absolute {
            step
        } else {
            match self.token.position.checked_add(step) {
                Some(p) => p,
                None => return false,
            }
        };
        let Some((term, rest)) = at
            .checked_add(len)
            .and_then(|end| Some((self.rest.get(at..end)?, self.rest.get(end..)?)))
        else {
            return false;
        };
        self.token.text.clear();
        self.token.text.push_str(term);
        self.token.position = position;
        self.token.position_length = 1;
        self.rest = rest;
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decode(s: &str) -> Vec<(String, usize)> {
        let mut t = EncodedTokenizer::default();
        let mut stream = t.token_stream(s);
        let mut out = Vec::new();
        while stream.advance() {
            out.push((stream.token().text.clone(), stream.token().position));
        }
        out
    }

    fn encode(tokens: &[(String, u32)]) -> String {
        let mut e = TokenEncoder::default();
        for (t, p) in tokens {
            e.push(t, *p);
        }
        e.finish()
    }

    #[test]
    fn round_trips_awkward_terms_and_positions() {
        let long = "长".repeat(40);
        let tokens: Vec<(String, u32)> = [
            ("上海合作组织", 0),
            ("a,b", 0),
            ("\u{1}2,\u{2}", 1),
            ("", 5),
            (long.as_str(), 200),
            ("Ж", 3),
            ("x", 1_000_000),
            ("y", 1_000_000),
            ("z", 7),
        ]
        .iter()
        .map(|(t, p)| (t.to_string(), *p))
        .collect();
        let expected: Vec<(String, usize)> = tokens
            .iter()
            .map(|(t, p)| (t.clone(), *p as usize))
            .collect();
        assert_eq!(decode(&encode(&tokens)), expected);
        assert_eq!(decode(""), []);
    }

    #[test]
    fn malformed_input_ends_the_stream() {
        // `"ab"` at position 0, then garbage.
        assert_eq!(decode("\u{42}\u{40}ab\u{0}"), [("ab".to_string(), 0)]);
        assert_eq!(decode("\u{45}\u{40}ab"), []);
        assert_eq!(decode("\u{42}"), []);
        assert_eq!(decode("\u{42}\u{25}"), []);
        assert_eq!(decode("\u{2}\u{42}\u{40}ab"), []);
        assert_eq!(decode(&"\u{3F}".repeat(20)), []);
        // A length that ends inside a multi-byte char.
        assert_eq!(decode("\u{41}\u{40}上"), []);
    }

    proptest! {
        #[test]
        fn round_trips(tokens in proptest::collection::vec((".{0,30}", 0u32..2000), 0..30)) {
            let expected: Vec<(String, usize)> =
                tokens.iter().map(|(t, p)| (t.clone(), *p as usize)).collect();
            prop_assert_eq!(decode(&encode(&tokens)), expected);
        }
    }
}
