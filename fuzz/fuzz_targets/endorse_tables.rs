//! Arbitrary membership and verb tables (users edit both): parsing must return a table or an
//! error naming the line and field, never panic; a parsed table must build an extractor that
//! reads a paragraph without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scoway::corpus::document::Lang;
use scoway::endorse::{Extractor, Membership, VerbTable};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let membership = Membership::parse(text, Path::new("fuzz-membership.tsv"));
    let verbs = VerbTable::parse(text, Path::new("fuzz-verbs.tsv"));
    if let Ok(membership) = membership {
        let ex = Extractor::new(membership, &VerbTable::bundled());
        let _ = ex.paragraph("哈方和俄方支持中方提出的倡议。", Lang::Zh, None);
    }
    if let Ok(verbs) = verbs {
        let ex = Extractor::new(Membership::bundled(), &verbs);
        for (lang, para) in [
            (Lang::Zh, "各代表团团长注意到哈方关于举办论坛的倡议。"),
            (Lang::En, "The member states do not support it, and welcomed the forum."),
            (Lang::Ru, "Главы делегаций приветствуют инициативу."),
        ] {
            let _ = ex.paragraph(para, lang, None);
        }
    }
});
