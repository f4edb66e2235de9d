//! Pre-tokenized text for the index writer, cheaper than tantivy's `PreTokenizedString`.
//!
//! A `TantivyDocument` keeps a `PreTokenizedString` as JSON and the indexing thread parses it
//! back, with a heap string per token on each side: that was most of the indexing time. The
//! indexer instead writes a field's tokens into one string, `<term length>,<position>,<term>`
//! per token (tantivy's postings keep only the term and the position), and the writer's copy
//! of the index registers [`EncodedTokenizer`] under the field's tokenizer name; it reads the
//! tokens back into one reused token. Searches open the index on their own and analyse
//! queries with [`super::QueryTokenizer`], so the encoding never leaves the writer.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Builds the encoded token string of one field value.
#[derive(Debug, Default)]
pub(crate) struct TokenEncoder {
    buf: String,
}

impl TokenEncoder {
    pub(crate) fn with_capacity(bytes: usize) -> Self {
        Self {
            buf: String::with_capacity(bytes),
        }
    }

    pub(crate) fn push(&mut self, term: &str, position: u32) {
        push_number(&mut self.buf, term.len() as u64);
        self.buf.push(',');
        push_number(&mut self.buf, u64::from(position));
        self.buf.push(',');
        self.buf.push_str(term);
    }

    pub(crate) fn finish(self) -> String {
        self.buf
    }
}

fn push_number(buf: &mut String, mut n: u64) {
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
        buf.push(char::from(d));
    }
}

/// Reads a decimal number ending with `,` at `bytes[at..]`: the number and the index after
/// the comma.
fn read_number(bytes: &[u8], mut at: usize) -> Option<(usize, usize)> {
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
        self.token = Token::default();
        EncodedTokenStream {
            rest: text,
            token: &mut self.token,
        }
    }
}

impl TokenStream for EncodedTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let bytes = self.rest.as_bytes();
        let Some((len, at)) = read_number(bytes, 0) else {
            return false;
        };
        let Some((position, at)) = read_number(bytes, at) else {
            return false;
        };
        let Some(term) = at.checked_add(len).and_then(|end| self.rest.get(at..end)) else {
            return false;
        };
        self.token.text.clear();
        self.token.text.push_str(term);
        self.token.position = position;
        self.token.position_length = 1;
        self.rest = &self.rest[at + len..];
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

    fn decode(s: &str) -> Vec<(String, usize)> {
        let mut t = EncodedTokenizer::default();
        let mut stream = t.token_stream(s);
        let mut out = Vec::new();
        while stream.advance() {
            out.push((stream.token().text.clone(), stream.token().position));
        }
        out
    }

    #[test]
    fn round_trips_any_term() {
        let mut e = TokenEncoder::default();
        let terms = [
            "上海合作组织",
            "a,b",
            "12,3,x",
            "",
            "shanghai cooper organis",
            "Ж",
        ];
        for (i, t) in terms.iter().enumerate() {
            e.push(t, (i * 1000) as u32);
        }
        let decoded = decode(&e.finish());
        let expected: Vec<(String, usize)> = terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.to_string(), i * 1000))
            .collect();
        assert_eq!(decoded, expected);
        assert_eq!(decode(&TokenEncoder::default().finish()), []);
    }

    #[test]
    fn malformed_input_ends_the_stream() {
        assert_eq!(decode("2,0,ab9"), [("ab".to_string(), 0)]);
        assert_eq!(decode("x,0,ab"), []);
        assert_eq!(decode("5,0,ab"), []);
        assert_eq!(decode("1,,a"), []);
        assert_eq!(decode("99999999999999999999999,0,a"), []);
        // A length that ends inside a multi-byte char.
        assert_eq!(decode("1,0,上"), []);
    }
}
