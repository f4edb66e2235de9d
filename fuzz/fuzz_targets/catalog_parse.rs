//! Arbitrary catalogue files (users extend the catalogue with rows of their own): parsing must
//! return a catalogue or an error naming the line, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = scoway::corpus::catalog::Catalog::parse(text, std::path::Path::new("fuzz.tsv"));
    }
});
