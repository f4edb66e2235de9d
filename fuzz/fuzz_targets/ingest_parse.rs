//! Arbitrary bytes under every supported extension: ingest must return an error, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let ext = ["txt", "md", "html", "json", "htm"][usize::from(selector) % 5];
    let _ = scoway::corpus::ingest::parse_file(Path::new(&format!("fuzz.{ext}")), bytes);
});
