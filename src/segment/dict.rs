//! The bundled domain dictionary, stopword list and alias table (`corpus/dict/`), and their
//! parsers. The files are compiled into the binary so that an installed `scoway` segments the
//! same way wherever it runs.

use crate::corpus::Lang;
use std::collections::HashSet;

/// `corpus/dict/user_dict.txt`: `word frequency tag` lines.
pub const USER_DICT: &str = include_str!("../../corpus/dict/user_dict.txt");
/// `corpus/dict/stopwords.txt`: one word a line.
pub const STOPWORDS: &str = include_str!("../../corpus/dict/stopwords.txt");
/// `corpus/dict/aliases.tsv`: `lang<TAB>canonical<TAB>alias...` lines.
pub const ALIASES: &str = include_str!("../../corpus/dict/aliases.tsv");

/// A malformed line in one of the dictionary files.
#[derive(Debug, thiserror::Error)]
#[error("{file}, line {line}: {message}")]
pub struct DictError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// One entry of the user dictionary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DictEntry {
    pub word: String,
    /// Frequency floor (see the file's header).
    pub freq: usize,
    /// jieba part-of-speech tag (`nt`, `nz`, `ns`, ...).
    pub tag: String,
    /// 1-based line number in the file.
    pub line: usize,
}

fn content_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
}

/// Parses a user dictionary. Every line must have a word, a frequency > 0 and a tag: jieba
/// silently gives a bare word frequency 0, which makes the entry useless, so it is an error here.
pub fn parse_user_dict(text: &str, file: &str) -> Result<Vec<DictEntry>, DictError> {
    let err = |line: usize, message: String| DictError {
        file: file.to_string(),
        line,
        message,
    };
    let mut entries = Vec::new();
    let mut seen = HashSet::new();
    for (line, l) in content_lines(text) {
        let fields: Vec<&str> = l.split_whitespace().collect();
        let [word, freq, tag] = fields[..] else {
            return Err(err(
                line,
                format!(
                    "expected `word frequency tag`, found {} field(s): `{l}`",
                    fields.len()
                ),
            ));
        };
        let freq: usize = freq.parse().map_err(|e| {
            err(
                line,
                format!("frequency `{freq}` of `{word}` is not a number: {e}"),
            )
        })?;
        if freq == 0 {
            return Err(err(
                line,
                format!("frequency of `{word}` is 0: the entry would have no effect"),
            ));
        }
        if !seen.insert(word.to_string()) {
            return Err(err(line, format!("`{word}` is listed twice")));
        }
        entries.push(DictEntry {
            word: word.to_string(),
            freq,
            tag: tag.to_string(),
            line,
        });
    }
    Ok(entries)
}

/// Parses a stopword list (lower-cased).
pub fn parse_stopwords(text: &str) -> HashSet<String> {
    content_lines(text)
        .map(|(_, l)| l.trim().to_lowercase())
        .collect()
}

/// One alias group: every member means the first one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasGroup {
    pub lang: Lang,
    /// The canonical name first, then its aliases.
    pub members: Vec<String>,
    pub line: usize,
}

/// Parses an alias table.
pub fn parse_aliases(text: &str, file: &str) -> Result<Vec<AliasGroup>, DictError> {
    let mut groups = Vec::new();
    for (line, l) in content_lines(text) {
        let mut fields = l.split('\t').map(str::trim);
        let lang = fields.next().unwrap_or_default();
        let lang: Lang = lang.parse().map_err(|message| DictError {
            file: file.to_string(),
            line,
            message,
        })?;
        let members: Vec<String> = fields.filter(|f| !f.is_empty()).map(String::from).collect();
        if members.len() < 2 {
            return Err(DictError {
                file: file.to_string(),
                line,
                message: format!(
                    "an alias group needs a canonical name and at least one alias: `{l}`"
                ),
            });
        }
        groups.push(AliasGroup {
            lang,
            members,
            line,
        });
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_files_parse_and_are_big_enough() {
        let entries = parse_user_dict(USER_DICT, "user_dict.txt").unwrap();
        assert!(entries.len() >= 150, "only {} entries", entries.len());
        for required in [
            "上海精神",
            "三股势力",
            "地区反恐怖机构",
            "政府首脑（总理）理事会",
            "上合组织开发银行",
            "元首理事会",
            "上海合作组织",
            "上合组织",
            "印度尼西亚",
        ] {
            assert!(
                entries.iter().any(|e| e.word == required),
                "{required} missing"
            );
        }
        assert!(parse_stopwords(STOPWORDS).contains("的"));
        assert!(parse_stopwords(STOPWORDS).contains("the"));
        let aliases = parse_aliases(ALIASES, "aliases.tsv").unwrap();
        assert!(
            aliases
                .iter()
                .any(|g| g.members.contains(&"上合组织".to_string()))
        );
    }

    #[test]
    fn a_line_without_frequency_is_an_error() {
        let e = parse_user_dict("上海精神\n", "d.txt").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.to_string().contains("d.txt, line 1"), "{e}");
        assert!(parse_user_dict("上海精神 0 nz\n", "d.txt").is_err());
        assert!(parse_user_dict("上海精神 x nz\n", "d.txt").is_err());
        assert!(parse_user_dict("# c\n\n上海精神 10 nz\n", "d.txt").is_ok());
    }

    #[test]
    fn malformed_alias_lines_are_errors() {
        assert!(parse_aliases("xx\ta\tb\n", "a.tsv").is_err());
        assert!(parse_aliases("zh\ta\n", "a.tsv").is_err());
        assert_eq!(
            parse_aliases("zh\ta\tb\n", "a.tsv").unwrap()[0].members,
            ["a", "b"]
        );
    }
}
