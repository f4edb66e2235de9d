//! Acquiring documents: the document model, the catalogue, fetching from official sources,
//! decoding and extracting text, ingesting local files, and the document store.

pub mod catalog;
pub mod document;
pub mod docx;
pub mod encoding;
pub mod fetch;
pub mod html;
pub mod ingest;
pub mod pdf;
pub mod store;
pub mod suggest;

pub use document::{DocKey, DocMeta, Document, Lang, Paragraph, Script};
pub use store::{DocHeader, DocStore, PutOutcome, StoreError};
