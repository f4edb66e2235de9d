//! Acquiring documents: the document model, the catalogue, fetching from official sources,
//! decoding and extracting text, ingesting local files, and the document store.

pub mod catalog;
pub mod document;
pub mod encoding;
pub mod fetch;
pub mod html;
pub mod ingest;
pub mod store;

pub use document::{DocMeta, Document, Lang, Paragraph};
pub use store::{DocStore, PutOutcome, StoreError};
