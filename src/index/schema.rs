//! The schema, its fields, and the tokenizers every open index registers.

use crate::segment::{Segmenter, is_han};
use crate::text::normalize_detecting;
use std::path::PathBuf;
use std::sync::LazyLock;
use tantivy::Index;
use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING,
    Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    LowerCaser, RawTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer, TokenizerManager,
};

/// Name of the tokenizer of the `text` and `title` fields: [`QueryTokenizer`] for queries;
/// the index writer registers its decoder of pre-tokenized text under the same name.
pub const TEXT_TOKENIZER: &str = "scoway";
/// Name of the tokenizer of the character fields (`chars`, `title_chars`): [`HanCharTokenizer`]
/// for queries; the index writer registers its decoder under the same name.
pub const CHARS_TOKENIZER: &str = "scoway_chars";
/// Name of the tokenizer of keyword fields (`body`, `doc_type`, `lang`): whole value, lower-cased.
pub const KEYWORD_TOKENIZER: &str = "keyword";

/// Schema version: the directory under `index/` (a new schema gets a new directory).
pub const SCHEMA_DIR: &str = "v3";

/// `level` values.
pub const LEVEL_DOC: &str = "doc";
pub const LEVEL_PARA: &str = "para";

/// Handles of the schema's fields.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub level: Field,
    /// The document version's key, `<id>.<lang>` ([`crate::corpus::DocKey`]): what an update
    /// or a removal deletes by.
    pub key: Field,
    pub id: Field,
    pub title: Field,
    pub title_stored: Field,
    pub text: Field,
    /// Every Han character of the normalised text, and every pair of neighbouring Han
    /// characters, as a token at the char offset of its (first) char (a document's paragraphs
    /// far apart): a phrase of them finds a string wherever it stands, whatever the segmenter
    /// cut (see [`han_char_terms`]).
    pub chars: Field,
    /// The same for the title (document level only).
    pub title_chars: Field,
    pub date: Field,
    pub year: Field,
    pub body: Field,
    pub doc_type: Field,
    pub lang: Field,
    pub sha256: Field,
    pub paragraph: Field,
    pub char_start: Field,
    pub char_end: Field,
    pub para_text: Field,
    pub para_original: Field,
}

/// The schema and its fields, built once.
pub static SCHEMA: LazyLock<(Schema, Fields)> = LazyLock::new(build_schema);

fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let analysed = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TEXT_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let chars = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(CHARS_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let keyword = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(KEYWORD_TOKENIZER)
                .set_index_option(IndexRecordOption::Basic),
        )
        .set_stored();
    let fields = Fields {
        level: b.add_text_field("level", STRING),
        key: b.add_text_field("key", STRING),
        id: b.add_text_field("id", STRING | STORED),
        title: b.add_text_field("title", analysed.clone()),
        title_stored: b.add_text_field("title_stored", STORED),
        text: b.add_text_field("text", analysed),
        chars: b.add_text_field("chars", chars.clone()),
        title_chars: b.add_text_field("title_chars", chars),
        date: b.add_date_field(
            "date",
            DateOptions::default()
                .set_indexed()
                .set_stored()
                .set_fast()
                .set_precision(DateTimePrecision::Seconds),
        ),
        year: b.add_i64_field("year", INDEXED | STORED | FAST),
        body: b.add_text_field("body", keyword.clone()),
        doc_type: b.add_text_field("doc_type", keyword.clone()),
        lang: b.add_text_field("lang", keyword),
        sha256: b.add_text_field("sha256", STORED),
        paragraph: b.add_u64_field("paragraph", INDEXED | STORED | FAST),
        char_start: b.add_u64_field("char_start", STORED),
        char_end: b.add_u64_field("char_end", STORED),
        para_text: b.add_text_field("para_text", STORED),
        para_original: b.add_text_field("para_original", STORED),
    };
    (b.build(), fields)
}

/// The fields of the schema.
pub fn fields() -> Fields {
    SCHEMA.1
}

/// The directory of the current schema's index.
pub fn index_path(data: &crate::layout::DataDir) -> PathBuf {
    data.index_dir().join(SCHEMA_DIR)
}

/// Indexes of earlier schemas beside the current one (`index/v1`, `index/v2`, ...).
pub fn older_indexes(data: &crate::layout::DataDir) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(data.index_dir()) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name != SCHEMA_DIR
                && name.len() > 1
                && name.starts_with('v')
                && name[1..].bytes().all(|b| b.is_ascii_digit())
                && e.path().join("meta.json").exists()
        })
        .map(|e| e.path())
        .collect()
}

/// Tokenizers for the schema's fields.
pub fn tokenizers() -> TokenizerManager {
    let m = TokenizerManager::default();
    m.register(
        TEXT_TOKENIZER,
        TextAnalyzer::from(QueryTokenizer::default()),
    );
    m.register(
        CHARS_TOKENIZER,
        TextAnalyzer::from(HanCharTokenizer::default()),
    );
    m.register(
        KEYWORD_TOKENIZER,
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
    m
}

/// Registers our tokenizers on an opened or created index.
pub fn register(index: &Index) {
    let m = tokenizers();
    for name in [TEXT_TOKENIZER, CHARS_TOKENIZER, KEYWORD_TOKENIZER] {
        if let Some(t) = m.get(name) {
            index.tokenizers().register(name, t);
        }
    }
}

/// tantivy tokenizer for queries: normalises the text like documents
/// ([`crate::text::normalize`]) and returns [`Segmenter::query_tokens`] (main tokens, stopword
/// gaps kept as position gaps, aliases mapped).
#[derive(Debug, Clone, Default)]
pub struct QueryTokenizer {
    tokens: Vec<Token>,
}

/// Token stream over a prepared list of tokens.
pub struct VecTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    next: usize,
}

impl<'a> VecTokenStream<'a> {
    fn over(tokens: &'a mut Vec<Token>) -> Self {
        if tokens.is_empty() {
            // `token()` must have something to point at even before the first advance.
            tokens.push(Token::default());
            return VecTokenStream { next: 1, tokens };
        }
        VecTokenStream { tokens, next: 0 }
    }
}

impl TokenStream for VecTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next.saturating_sub(1)]
    }

    fn token_mut(&mut self) -> &mut Token {
        let i = self.next.saturating_sub(1);
        &mut self.tokens[i]
    }
}

impl Tokenizer for QueryTokenizer {
    type TokenStream<'a> = VecTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream<'a> {
        let text = normalize_detecting(text).0;
        self.tokens.clear();
        self.tokens.extend(
            Segmenter::global()
                .query_tokens(&text)
                .into_iter()
                .map(|t| Token {
                    offset_from: t.byte_start,
                    offset_to: t.byte_end,
                    position: t.position as usize,
                    text: t.term,
                    position_length: 1,
                }),
        );
        VecTokenStream::over(&mut self.tokens)
    }
}

/// The Han text of a query term, normalised like documents with whitespace dropped, or `None`
/// when the term has anything but Han characters and whitespace (or no Han character): what
/// the character fields are searched for.
pub fn han_literal(text: &str) -> Option<String> {
    let normalized = normalize_detecting(text).0;
    let mut out = String::with_capacity(normalized.len());
    for c in normalized.chars() {
        if is_han(c) {
            out.push(c);
        } else if !c.is_whitespace() {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The terms a Han string is looked for by in the character fields, at consecutive
/// positions: its one char, or each pair of neighbouring chars. The fields hold every Han char
/// and every pair of neighbouring Han chars at the position of its first char, so a phrase of
/// pairs matches exactly where the string stands, and pairs, far rarer than single chars,
/// keep the phrase fast.
pub fn han_char_terms(literal: &str) -> Vec<String> {
    let chars: Vec<char> = literal.chars().collect();
    match chars.as_slice() {
        [] => Vec::new(),
        [one] => vec![one.to_string()],
        _ => chars.windows(2).map(|w| w.iter().collect()).collect(),
    }
}

/// tantivy tokenizer of the character fields for queries: a Han term (see [`han_literal`])
/// becomes its [`han_char_terms`]; any other term gives no token, so that the character fields
/// never match a part of it.
#[derive(Debug, Clone, Default)]
pub struct HanCharTokenizer {
    tokens: Vec<Token>,
}

impl Tokenizer for HanCharTokenizer {
    type TokenStream<'a> = VecTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream<'a> {
        self.tokens.clear();
        if let Some(literal) = han_literal(text) {
            self.tokens
                .extend(han_char_terms(&literal).into_iter().enumerate().map(
                    |(position, text)| Token {
                        offset_from: 0,
                        offset_to: 0,
                        position,
                        text,
                        position_length: 1,
                    },
                ));
        }
        VecTokenStream::over(&mut self.tokens)
    }
}
