use std::ops::Range;

/// Splits text into paragraphs; returns trimmed byte ranges, in order, never empty.
///
/// Blank lines always separate paragraphs. Inside a block, a line break also starts a new
/// paragraph when the line before ends a sentence (`。；：！？.!?;:`) or the next line starts
/// with a paragraph number (`1.`, `12、`, `一、`, `（三）`, `第五条`); otherwise the lines are one
/// hard-wrapped paragraph.
pub fn paragraph_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut current: Option<Range<usize>> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim();
        if trimmed.is_empty() {
            spans.extend(current.take());
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let range = start + lead..start + lead + trimmed.len();
        current = Some(match current.take() {
            Some(prev) if !ends_paragraph(&text[prev.clone()]) && !starts_numbered(trimmed) => {
                prev.start..range.end
            }
            Some(prev) => {
                spans.push(prev);
                range
            }
            None => range,
        });
    }
    spans.extend(current);
    spans
}

fn ends_paragraph(s: &str) -> bool {
    let last = s
        .trim_end_matches(['"', '\'', '）', ')', '」', '”', '’'])
        .chars()
        .last();
    matches!(
        last,
        Some('。' | '；' | '：' | '！' | '？' | '.' | '!' | '?' | ';' | ':' | '…')
    ) || s.chars().count() < 40 && !s.contains(' ')
}

fn starts_numbered(line: &str) -> bool {
    let line = line.trim_start_matches(['（', '(']);
    let digits = line.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 {
        return matches!(
            line[digits..].chars().next(),
            Some('.' | '、' | ')' | '）' | '．')
        );
    }
    const NUMERALS: &str = "一二三四五六七八九十百零〇";
    let n = line.chars().take_while(|c| NUMERALS.contains(*c)).count();
    if n > 0 {
        let after = line.chars().nth(n);
        return matches!(after, Some('、' | '）' | ')' | '．' | '.'));
    }
    line.starts_with('第')
        && line
            .chars()
            .take(6)
            .any(|c| matches!(c, '条' | '章' | '节'))
}

/// Splits a paragraph into sentences; returns trimmed byte ranges.
pub fn sentence_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end_here = match c {
            '。' | '！' | '？' | '；' => true,
            '.' | '!' | '?' => chars.peek().is_none_or(|(_, n)| n.is_whitespace()),
            _ => false,
        };
        if end_here {
            let mut end = i + c.len_utf8();
            // Keep a closing quote or bracket with its sentence.
            while let Some(&(j, n)) = chars.peek() {
                if matches!(n, '"' | '”' | '’' | '」' | '）' | ')') {
                    end = j + n.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            push_trimmed(text, start..end, &mut spans);
            start = end;
        }
    }
    push_trimmed(text, start..text.len(), &mut spans);
    spans
}

fn push_trimmed(text: &str, r: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let t = s.trim();
    if !t.is_empty() {
        out.push(r.start + lead..r.start + lead + t.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paras(t: &str) -> Vec<&str> {
        paragraph_spans(t).into_iter().map(|r| &t[r]).collect()
    }

    #[test]
    fn splits_lines_that_end_sentences_and_numbered_lines() {
        let t = "上海合作组织成员国元首宣言\n\n一、成员国重申上海精神。\n二、成员国反对集团化\n三、各方支持\n";
        assert_eq!(
            paras(t),
            vec![
                "上海合作组织成员国元首宣言",
                "一、成员国重申上海精神。",
                "二、成员国反对集团化",
                "三、各方支持"
            ]
        );
    }

    #[test]
    fn joins_hard_wrapped_lines() {
        let t = "The member states reaffirm their commitment to the\nShanghai Spirit and to mutual trust.\n\n2. They oppose bloc approaches.";
        assert_eq!(
            paras(t),
            vec![
                "The member states reaffirm their commitment to the\nShanghai Spirit and to mutual trust.",
                "2. They oppose bloc approaches."
            ]
        );
    }

    #[test]
    fn splits_sentences() {
        let t = "各方重申上海精神。成员国反对“集团化”！ It works. Really?";
        let s: Vec<&str> = sentence_spans(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(
            s,
            vec![
                "各方重申上海精神。",
                "成员国反对“集团化”！",
                "It works.",
                "Really?"
            ]
        );
    }
}
