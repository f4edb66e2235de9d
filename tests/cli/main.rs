//! Integration tests: run the `scoway` binary as a user would.
//!
//! One test binary (modules below) rather than one per file: every binary links polars and
//! tantivy, and linking dominates the build time of the test suite.

mod common;

mod browser;
mod charts;
mod code;
mod endorsements;
mod fetch;
mod formats;
mod ingest;
mod parallel;
mod pipeline;
mod pipes;
mod search;
mod serve;
mod show;
mod trends;
mod webdriver;
