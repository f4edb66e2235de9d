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
//! the previous token's (0 at the start), each one ASCII char `0x20 + n` when `n < 0x60`
//! (nearly always: terms are short, positions grow by 0 or 1), else `\x01` and the number in
//! decimal ending with `,`. A position below the previous one is `\x02` and the position in
//! decimal ending with `,`.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Largest number written as one char.
const SMALL: usize = 0x5F;
const SMALL_BASE: u8 = 0x20;
const DECIMAL: char = '\u{1}';
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
                self.push_decimal(position as usize);
            }
        }
        self.last = position;
        self.buf.push_str(term);
    }

    fn push_number(&mut self, n: usize) {
        if n <= SMALL {
            self.buf.push(char::from(SMALL_BASE + n as u8));
        } else {
            self.buf.push(DECIMAL);
            self.push_decimal(n);
        }
    }

    fn push_decimal(&mut self, mut n: usize) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for &d in &digits[i..] {
            self.buf.push(char::from(d));
        }
        self.buf.push(',');
    }

    pub(crate) fn finish(self) -> String {
        self.buf
    }
}

/// Reads a number written by [`TokenEncoder::push_number`] at `bytes[at..]`: the number, the
/// index after it, and whether it was an absolute position.
fn read_number(bytes: &[u8], at: usize) -> Option<(usize, usize, bool)> {
    let b = *bytes.get(at)?;
    match b {
        0x20..=0x7F => Some((usize::from(b - SMALL_BASE), at + 1, false)),
        0x01 | 0x02 => {
            let (n, next) = read_decimal(bytes, at + 1)?;
            Some((n, next, b == 0x02))
        }
        _ => None,
    }
}

/// Reads a decimal number ending with `,`: the number and the index after the comma.
fn read_decimal(bytes: &[u8], mut at: usize) -> Option<(usize, usize)> {
    let mut n: usize = 0;
    let mut digits = 0;
    while let Some(&b) = bytes.get(at) {
        at += 1;
        match b {
            b'0'..=b'9' => {
                n = n.checked_mul(10)?.checked_add(usize::from(b - b'0'))?;
                digits += 1;
            }
            b',' if digits > 0 => return Some((n, at)),
            _ => return None,
        }
    }
    None
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
        assert_eq!(decode("\u{22} ab\u{0}"), [("ab".to_string(), 0)]);
        assert_eq!(decode("\u{25} ab"), []);
        assert_eq!(decode("\u{1}2"), []);
        assert_eq!(decode("\u{1},  ab"), []);
        assert_eq!(decode("\u{1}99999999999999999999999, a"), []);
        // A length that ends inside a multi-byte char.
        assert_eq!(decode("\u{21} 上"), []);
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
