//! `scoway`: a text-mining pipeline for the summit declarations and communiqués of the
//! Shanghai Cooperation Organisation (SCO).
//!
//! Data flows one way, one module per stage, each stage reading the previous stage's output
//! from a data directory (`--data-dir`):
//!
//! ```text
//! corpus (catalogue, fetch, ingest → document store)
//!   → text (normalise, paragraphs, sentences)
//!   → segment (jieba-rs + domain dictionary; tantivy analyzers for ru/en)
//!   → index (tantivy: documents and paragraphs; search, snippets, KWIC)
//!   → code (codebook of the five "SCO Way" dimensions, coder, evidence, validation)
//!   → trends (polars frames: documents, paragraph codes, scores, trends, emergence, breaks)
//!   → report (tables and charts)
//! ```
//!
//! [`pipeline`] wires the stages together for `build`, `run` and `demo`.

pub mod align;
pub mod code;
pub mod corpus;
pub mod endorse;
pub mod index;
pub mod layout;
pub mod pipeline;
pub mod publish;
pub mod report;
pub mod segment;
pub mod serve;
pub mod text;
pub mod trends;
