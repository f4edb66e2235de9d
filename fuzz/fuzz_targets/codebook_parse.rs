//! Arbitrary codebook TOML (`--codebook FILE`): loading and compiling must return a coder or
//! an error naming the line and key, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(book) = scoway::code::Codebook::parse(text, None)
    {
        let _ = scoway::code::Coder::new(&book);
    }
});
