//! OWNER: helper D. Fetcher.
