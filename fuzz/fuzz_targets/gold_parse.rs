//! Arbitrary gold files (`validate --gold FILE`): parsing must return units or an error naming
//! the line, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = scoway::code::validate::parse_gold(text, std::path::Path::new("fuzz.jsonl"));
    }
});
