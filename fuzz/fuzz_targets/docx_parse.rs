//! Arbitrary bytes as a Word .docx file (a zip archive), and arbitrary XML as its
//! `word/document.xml`: the reader must return text or an error, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let _ = scoway::corpus::docx::extract(data);
    // Most random bytes are not a zip archive; wrap them as the document part too.
    let mut archive = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut archive);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        if zip.start_file("word/document.xml", stored).is_err() || zip.write_all(data).is_err() {
            return;
        }
        if zip.finish().is_err() {
            return;
        }
    }
    let _ = scoway::corpus::docx::extract(archive.get_ref());
});
