//! Word-level precision, recall and F1 of a segmentation against a gold one, compared by
//! character offsets (the SIGHAN bakeoff's measure).

use super::Segmenter;

/// Counts behind word precision/recall/F1. Add lines with [`WordScore::add`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WordScore {
    /// Words in the gold segmentation.
    pub gold: usize,
    /// Words in the system segmentation.
    pub system: usize,
    /// System words whose char span is exactly a gold word's.
    pub correct: usize,
}

fn spans<W: AsRef<str>>(words: &[W]) -> Vec<(usize, usize)> {
    let mut at = 0;
    words
        .iter()
        .map(|w| {
            let n = w.as_ref().chars().count();
            let s = (at, at + n);
            at += n;
            s
        })
        .collect()
}

impl WordScore {
    /// Scores one line: `gold` and `system` are the words of the same text, in order (the
    /// concatenation of each is the text, without whitespace).
    pub fn add<G: AsRef<str>, S: AsRef<str>>(&mut self, gold: &[G], system: &[S]) {
        let g = spans(gold);
        let s = spans(system);
        self.gold += g.len();
        self.system += s.len();
        let (mut i, mut j) = (0, 0);
        while i < g.len() && j < s.len() {
            match g[i].cmp(&s[j]) {
                std::cmp::Ordering::Equal => {
                    self.correct += 1;
                    i += 1;
                    j += 1;
                }
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
            }
        }
    }

    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.system)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.gold)
    }

    /// Harmonic mean of precision and recall (0 when both are 0).
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Scores `seg` on a gold file in the SIGHAN format (one sentence a line, words separated by
/// whitespace): each line's words are joined and segmented with [`Segmenter::cut`].
pub fn score_gold_text(seg: &Segmenter, gold: &str) -> WordScore {
    let mut score = WordScore::default();
    for line in gold.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        let text = words.concat();
        let system: Vec<&str> = seg.cut(&text).into_iter().map(|w| w.text).collect();
        score.add(&words, &system);
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_by_char_spans() {
        let mut s = WordScore::default();
        s.add(&["上海", "合作", "组织"], &["上海", "合作组织"]);
        assert_eq!((s.gold, s.system, s.correct), (3, 2, 1));
        assert!((s.precision() - 0.5).abs() < 1e-9);
        assert!((s.recall() - 1.0 / 3.0).abs() < 1e-9);
        assert!((s.f1() - 0.4).abs() < 1e-9);
        s.add(&["印度"], &["印度"]);
        assert_eq!((s.gold, s.system, s.correct), (4, 3, 2));
        assert_eq!(WordScore::default().f1(), 0.0);
    }
}
