//! Full-text index (tantivy): documents and paragraphs, search with filters and highlighted
//! snippets, keyword in context.
//!
//! One tantivy index in `<data-dir>/index/v3` holds two granularities, told apart by the `level`
//! field: one entry per document (ranking of documents) and one per paragraph (snippets, KWIC).
//! Beside the words, the `chars` and `title_chars` fields index every Han character at its
//! char offset, so that a Han query string is found wherever it stands (a phrase of chars),
//! whatever the segmenter cut; see [`parse_query`].
//!
//! Text is indexed from the tokens of [`crate::segment::Segmenter::tokenize`], handed to
//! tantivy's writer in a compact encoding (see `encoded.rs`; tantivy's own
//! `PreTokenizedString` costs a JSON round trip per field), and the tokenizer registered for
//! queries produces the same main tokens (see [`QueryTokenizer`]), so a query is analysed
//! exactly like the documents.
//!
//! The map of indexed documents (id → sha256) travels in the payload of the tantivy commit that
//! indexed them, so the index and the map can never disagree: a build that dies before
//! [`Indexer::commit`] leaves the previous index and map as they were.

mod encoded;
mod indexer;
mod kwic;
mod query;
mod read_only;
mod schema;
mod search;

pub use indexer::{IndexReport, Indexer, IndexerOptions};
pub use kwic::{KwicLine, KwicPage, KwicRequest, KwicSort, MAX_WINDOW, kwic};
pub use query::{MAX_QUERY_CHARS, MAX_QUERY_DEPTH, ParsedQuery, parse_query};
pub use read_only::IndexSnapshot;
pub use schema::{HanCharTokenizer, QueryTokenizer, han_literal};
pub use search::{
    MAX_LIMIT, MAX_SNIPPETS, SearchHit, SearchRequest, SearchResults, Snippet, parse_date_bound,
    search,
};

use std::path::PathBuf;

/// Errors of the index stage.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("no index in {0}: run `scoway build` first")]
    NoIndex(PathBuf),
    #[error(
        "the index in {0} was built with another dictionary or analyzer: run `scoway build` to \
         rebuild it"
    )]
    Stale(PathBuf),
    #[error(
        "the index in {0} was made by an older scoway (another index layout): run `scoway \
         build` to rebuild it"
    )]
    OldLayout(PathBuf),
    #[error("cannot create index directory {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("another process is writing the index in {0} (is a `scoway build` running?)")]
    Locked(PathBuf),
    #[error("index in {path}: {source}")]
    Tantivy {
        path: PathBuf,
        source: tantivy::TantivyError,
    },
    #[error("index in {path} is corrupt: {message}")]
    Corrupt { path: PathBuf, message: String },
    #[error("cannot index document `{id}`: {message}")]
    Document { id: String, message: String },
    #[error("invalid query `{query}`: {message}")]
    Query { query: String, message: String },
    #[error("invalid search option: {0}")]
    Request(String),
}

impl IndexError {
    fn tantivy(path: &std::path::Path, source: tantivy::TantivyError) -> Self {
        match source {
            tantivy::TantivyError::LockFailure(..) => IndexError::Locked(path.to_path_buf()),
            source => IndexError::Tantivy {
                path: path.to_path_buf(),
                source,
            },
        }
    }
}

#[cfg(test)]
mod literal_tests;
#[cfg(test)]
mod tests;
