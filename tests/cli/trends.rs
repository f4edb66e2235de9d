//! Integration tests: trends.
