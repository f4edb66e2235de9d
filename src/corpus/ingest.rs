//! Ingest (owner: lead).
