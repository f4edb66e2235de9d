use super::script::{Script, detect_script, to_simplified};

/// Options of [`normalize`].
#[derive(Debug, Clone, Copy, Default)]
pub struct NormalizeOptions {
    /// Convert traditional Chinese characters to simplified ones.
    pub to_simplified: bool,
}

/// Normalises `text` char by char: the result has exactly as many chars as the input.
///
/// - full-width ASCII letters and digits become half-width (`ＳＣＯ２００１` → `SCO2001`);
///   full-width CJK punctuation (`，。（）`) is kept, it is part of the Chinese text;
/// - every whitespace char except `\n` (ideographic space, no-break space, tab, `\r`, zero-width
///   spaces, BOM) becomes an ASCII space;
/// - curly, angle and corner quotes become `"` or `'`;
/// - with `to_simplified`, traditional characters become simplified ones
///   ([`super::to_simplified`], one char for one char).
pub fn normalize(text: &str, options: NormalizeOptions) -> String {
    let folded: String = text.chars().map(fold_char).collect();
    if options.to_simplified {
        to_simplified(&folded)
    } else {
        folded
    }
}

fn fold_char(c: char) -> char {
    match c {
        '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        '\n' => '\n',
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => ' ',
        c if c.is_whitespace() => ' ',
        '“' | '”' | '„' | '‟' | '«' | '»' | '「' | '」' | '『' | '』' | '〝' | '〞' | '＂' => {
            '"'
        }
        '‘' | '’' | '‚' | '‛' | '＇' => '\'',
        c => c,
    }
}

/// Normalises `text` like [`normalize`], converting it to simplified characters when it is
/// written in traditional (or mixed) characters; returns the detected script too.
///
/// This is how every document, every `code --text`, every query and every KWIC term is
/// normalised: a traditional-character query finds simplified text and the reverse.
pub fn normalize_detecting(text: &str) -> (String, Script) {
    let folded = normalize(text, NormalizeOptions::default());
    let script = detect_script(&folded);
    if script.needs_conversion() {
        (to_simplified(&folded), script)
    } else {
        (folded, script)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_width_space_and_quotes() {
        let s = normalize(
            "ＳＣＯ　２００１年“上海精神”（总理）",
            NormalizeOptions::default(),
        );
        assert_eq!(s, "SCO 2001年\"上海精神\"（总理）");
    }

    #[test]
    fn converts_traditional_to_simplified() {
        let opts = NormalizeOptions {
            to_simplified: true,
        };
        assert_eq!(normalize("上海合作組織成員國", opts), "上海合作组织成员国");
    }

    #[test]
    fn detects_and_converts_traditional_text() {
        let (text, script) = normalize_detecting("反對「霸權主義」");
        assert_eq!(text, "反对\"霸权主义\"");
        assert_eq!(script, Script::Traditional);
        let (text, script) = normalize_detecting("反对霸权主义");
        assert_eq!(text, "反对霸权主义");
        assert_eq!(script, Script::Simplified);
    }

    proptest! {
        #[test]
        fn keeps_char_count(s in "\\PC*", simp in any::<bool>()) {
            let n = normalize(&s, NormalizeOptions { to_simplified: simp });
            prop_assert_eq!(n.chars().count(), s.chars().count());
        }
    }
}
