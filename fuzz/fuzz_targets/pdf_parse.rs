//! Arbitrary bytes as a PDF: the reader must return text or an error, never panic (the PDF
//! library's own panics are caught inside `pdf::extract`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = scoway::corpus::pdf::extract(data);
});
