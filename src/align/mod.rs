//! Aligning the paragraphs of two language versions of one document.
//!
//! SCO documents are issued in Chinese and Russian (and often English), paragraph by paragraph,
//! but the versions do not cut paragraphs identically: a preamble may be one paragraph in one
//! language and two in another, a list may be merged. Alignment works in two steps:
//!
//! 1. **Numbered paragraphs** (`一、` / `1.` / `（三）` / `Статья 5` / `Article 5` ...) that both
//!    versions carry, in increasing order, are anchors: they split both versions into segments
//!    that must correspond.
//! 2. Inside each segment, a **length-based alignment** of the Gale–Church kind (Gale & Church
//!    1993): a dynamic programme over 1–1, 1–0, 0–1, 2–1, 1–2 and 2–2 matches, each costing the
//!    log prior of its kind plus the log probability of the length difference, with lengths
//!    compared through the ratio of the two versions' total lengths (a Chinese character carries
//!    more than a Russian or English letter).
//!
//! [`agreement`] compares the coder's codes across aligned paragraphs.

pub mod agreement;

use crate::corpus::Document;
use serde::Serialize;

/// Prior probabilities of the match kinds (Gale & Church 1993, table 5).
const PRIOR_1_1: f64 = 0.89;
const PRIOR_1_0: f64 = 0.0099 / 2.0;
const PRIOR_2_1: f64 = 0.089 / 2.0;
const PRIOR_2_2: f64 = 0.011;
/// Variance of the length difference per unit of length (Gale & Church's 6.8, for characters).
const VARIANCE: f64 = 6.8;

/// How a group of paragraphs was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Both groups start with the same paragraph number.
    Numbered,
    /// By length, between numbered anchors (or in a document without numbers).
    Length,
}

/// A group of paragraphs of version `a` matched with a group of version `b` (one of the two may
/// be empty: a paragraph with no counterpart).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlignedPair {
    /// Paragraph indices (`Paragraph::index`) in version `a`, in order.
    pub a: Vec<u32>,
    /// Paragraph indices in version `b`, in order.
    pub b: Vec<u32>,
    pub method: Method,
    /// The paragraph number both groups start with, for numbered anchors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    /// Cost of the match in the length model (−log probability; lower is more certain).
    pub cost: f64,
}

impl AlignedPair {
    /// `1-1`, `2-1`, `1-0`, ...
    pub fn kind(&self) -> String {
        format!("{}-{}", self.a.len(), self.b.len())
    }
}

/// Aligns the paragraphs of two versions.
pub fn align(a: &Document, b: &Document) -> Vec<AlignedPair> {
    let texts = |d: &Document| -> Vec<String> {
        d.original_paragraphs()
            .into_iter()
            .map(str::to_string)
            .collect()
    };
    let (ta, tb) = (texts(a), texts(b));
    let ia: Vec<u32> = a.paragraphs.iter().map(|p| p.index).collect();
    let ib: Vec<u32> = b.paragraphs.iter().map(|p| p.index).collect();
    align_texts(&ta, &tb)
        .into_iter()
        .map(|mut pair| {
            pair.a = pair.a.iter().map(|&i| ia[i as usize]).collect();
            pair.b = pair.b.iter().map(|&i| ib[i as usize]).collect();
            pair
        })
        .collect()
}

/// Aligns two lists of paragraph texts; the pairs hold positions in the lists.
pub fn align_texts(a: &[String], b: &[String]) -> Vec<AlignedPair> {
    let la: Vec<f64> = a.iter().map(|t| text_length(t)).collect();
    let lb: Vec<f64> = b.iter().map(|t| text_length(t)).collect();
    let (sum_a, sum_b): (f64, f64) = (la.iter().sum(), lb.iter().sum());
    // Length of b per unit of length of a, over the whole documents.
    let ratio = if sum_a > 0.0 && sum_b > 0.0 {
        sum_b / sum_a
    } else {
        1.0
    };
    let model = LengthModel { ratio };
    let anchors = anchors(a, b);
    // Segments run from one anchor to the next (the first from the start, the last to the
    // end). The anchor opens its segment, so a numbered paragraph continued by an unnumbered
    // one in one version is matched as a 1–2.
    let mut bounds: Vec<(usize, usize)> = vec![(0, 0)];
    bounds.extend(anchors.iter().map(|&(i, j, _)| (i, j)));
    bounds.push((a.len(), b.len()));
    // A paragraph with a number the other version lacks (and what follows it up to the next
    // anchor) has no counterpart: it is not merged into the paragraph before it.
    let common: std::collections::HashSet<u32> = anchors.iter().map(|&(_, _, n)| n).collect();
    let orphan = |texts: &[String], from: usize, to: usize| {
        (from + 1..to)
            .find(|&k| paragraph_number(&texts[k]).is_some_and(|n| !common.contains(&n)))
            .unwrap_or(to)
    };
    let mut pairs = Vec::new();
    for w in bounds.windows(2) {
        let ((i0, j0), (i1, j1)) = (w[0], w[1]);
        let (ci, cj) = (orphan(a, i0, i1), orphan(b, j0, j1));
        for mut p in model.align(&la[i0..ci], &lb[j0..cj]) {
            p.a.iter_mut().for_each(|x| *x += i0 as u32);
            p.b.iter_mut().for_each(|x| *x += j0 as u32);
            pairs.push(p);
        }
        let unmatched = |a: Vec<u32>, b: Vec<u32>| AlignedPair {
            a,
            b,
            method: Method::Numbered,
            number: None,
            cost: -PRIOR_1_0.ln(),
        };
        pairs.extend((ci..i1).map(|k| unmatched(vec![k as u32], vec![])));
        pairs.extend((cj..j1).map(|k| unmatched(vec![], vec![k as u32])));
    }
    // Mark the pairs that start at an anchor.
    for p in &mut pairs {
        if let (Some(&i), Some(&j)) = (p.a.first(), p.b.first())
            && let Some(&(_, _, n)) = anchors
                .iter()
                .find(|&&(ai, bj, _)| ai == i as usize && bj == j as usize)
        {
            p.method = Method::Numbered;
            p.number = Some(n);
        }
    }
    pairs
}

/// Non-whitespace characters: the length the model compares.
fn text_length(text: &str) -> f64 {
    text.chars().filter(|c| !c.is_whitespace()).count() as f64
}

/// The paragraph numbers both versions carry, as (position in a, position in b, number),
/// increasing in both: a number seen twice in one version (a sub-list restarting at 1) is left
/// out, and so is an anchor that would cross another.
fn anchors(a: &[String], b: &[String]) -> Vec<(usize, usize, u32)> {
    let numbers = |texts: &[String]| -> std::collections::HashMap<u32, Option<usize>> {
        let mut seen = std::collections::HashMap::new();
        for (i, t) in texts.iter().enumerate() {
            if let Some(n) = paragraph_number(t) {
                seen.entry(n)
                    .and_modify(|e: &mut Option<usize>| *e = None)
                    .or_insert(Some(i));
            }
        }
        seen
    };
    let (na, nb) = (numbers(a), numbers(b));
    let mut common: Vec<(usize, usize, u32)> = na
        .iter()
        .filter_map(|(n, i)| Some(((*i)?, nb.get(n).copied().flatten()?, *n)))
        .collect();
    common.sort_unstable();
    // The longest chain increasing in both positions (few anchors: quadratic is fine).
    let n = common.len();
    let mut best = vec![1usize; n];
    let mut prev = vec![usize::MAX; n];
    for k in 0..n {
        for m in 0..k {
            if common[m].1 < common[k].1 && best[m] + 1 > best[k] {
                best[k] = best[m] + 1;
                prev[k] = m;
            }
        }
    }
    let Some(mut k) = (0..n).max_by_key(|&k| best[k]) else {
        return Vec::new();
    };
    let mut chain = vec![common[k]];
    while prev[k] != usize::MAX {
        k = prev[k];
        chain.push(common[k]);
    }
    chain.reverse();
    chain
}

/// The number a paragraph opens with: `一、` `十二、` `1.` `1、` `1)` `(1)` `（一）` `第五条`
/// `Статья 5` `Article 5` `I.` — as an integer.
pub fn paragraph_number(text: &str) -> Option<u32> {
    let t = text.trim_start();
    let lower = t.to_lowercase();
    for word in ["статья", "article", "пункт"] {
        if let Some(rest) = lower.strip_prefix(word) {
            return leading_digits(rest.trim_start()).map(|(n, _)| n);
        }
    }
    if let Some(rest) = t.strip_prefix('第') {
        let (n, rest) = leading_chinese(rest)?;
        return rest.starts_with(['条', '章', '款']).then_some(n);
    }
    if let Some(rest) = t.strip_prefix(['(', '（']) {
        let (n, rest) = leading_digits(rest).or_else(|| leading_chinese(rest))?;
        return rest.starts_with([')', '）']).then_some(n);
    }
    if let Some((n, rest)) = leading_digits(t) {
        return rest
            .starts_with(['.', '、', ')', '．', '）'])
            .then_some(n)
            // `2019.` opens a sentence with a year, not a paragraph number.
            .filter(|&n| n < 1000);
    }
    if let Some((n, rest)) = leading_chinese(t) {
        return rest.starts_with('、').then_some(n);
    }
    leading_roman(t).and_then(|(n, rest)| rest.starts_with('.').then_some(n))
}

fn leading_digits(s: &str) -> Option<(u32, &str)> {
    let end = s
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit())
        .map_or(s.len(), |(i, _)| i);
    if end == 0 || end > 4 {
        return None;
    }
    Some((s[..end].parse().ok()?, &s[end..]))
}

/// A Chinese numeral below 100 (`一` … `九十九`).
fn leading_chinese(s: &str) -> Option<(u32, &str)> {
    let digit = |c: char| "〇一二三四五六七八九".chars().position(|d| d == c);
    let mut value: Option<u32> = None;
    let mut tens: Option<u32> = None;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        if let Some(d) = digit(c) {
            value = Some(value.unwrap_or(0) * 10 + d as u32);
        } else if c == '十' && tens.is_none() {
            tens = Some(value.unwrap_or(1));
            value = None;
        } else {
            break;
        }
        end = i + c.len_utf8();
        if end > 12 {
            return None;
        }
    }
    let n = match (tens, value) {
        (Some(t), v) => t * 10 + v.unwrap_or(0),
        (None, Some(v)) => v,
        (None, None) => return None,
    };
    (n > 0 && n < 100).then_some((n, &s[end..]))
}

fn leading_roman(s: &str) -> Option<(u32, &str)> {
    let end = s
        .char_indices()
        .find(|(_, c)| !matches!(c, 'I' | 'V' | 'X'))
        .map_or(s.len(), |(i, _)| i);
    if end == 0 || end > 5 {
        return None;
    }
    let value = |c: char| match c {
        'I' => 1,
        'V' => 5,
        _ => 10,
    };
    let digits: Vec<u32> = s[..end].chars().map(value).collect();
    let mut n = 0;
    for (k, &d) in digits.iter().enumerate() {
        if digits.get(k + 1).is_some_and(|&next| next > d) {
            n -= d as i32;
        } else {
            n += d as i32;
        }
    }
    u32::try_from(n)
        .ok()
        .filter(|&n| n > 0)
        .map(|n| (n, &s[end..]))
}

/// The Gale–Church length model.
struct LengthModel {
    /// Expected length in b per unit of length in a.
    ratio: f64,
}

impl LengthModel {
    /// −log P(match) of `len_a` against `len_b` for a match kind of prior `prior`.
    fn cost(&self, len_a: f64, len_b: f64, prior: f64) -> f64 {
        let b_in_a = len_b / self.ratio;
        let mean = (len_a + b_in_a) / 2.0;
        let delta = if mean > 0.0 {
            (len_a - b_in_a) / (VARIANCE * mean).sqrt()
        } else {
            0.0
        };
        // Two-tailed probability of a difference at least this large.
        let p = (2.0 * (1.0 - normal_cdf(delta.abs()))).max(1e-12);
        -prior.ln() - p.ln()
    }

    /// Aligns two lists of lengths by dynamic programming over the six match kinds.
    fn align(&self, la: &[f64], lb: &[f64]) -> Vec<AlignedPair> {
        let (n, m) = (la.len(), lb.len());
        if n == 0 && m == 0 {
            return Vec::new();
        }
        const MOVES: [(usize, usize, f64); 6] = [
            (1, 1, PRIOR_1_1),
            (1, 0, PRIOR_1_0),
            (0, 1, PRIOR_1_0),
            (2, 1, PRIOR_2_1),
            (1, 2, PRIOR_2_1),
            (2, 2, PRIOR_2_2),
        ];
        let width = m + 1;
        let mut cost = vec![f64::INFINITY; (n + 1) * width];
        let mut step = vec![usize::MAX; (n + 1) * width];
        cost[0] = 0.0;
        for i in 0..=n {
            for j in 0..=m {
                if i == 0 && j == 0 {
                    continue;
                }
                for (k, &(di, dj, prior)) in MOVES.iter().enumerate() {
                    if di > i || dj > j {
                        continue;
                    }
                    let before = cost[(i - di) * width + (j - dj)];
                    if !before.is_finite() {
                        continue;
                    }
                    let len_a: f64 = la[i - di..i].iter().sum();
                    let len_b: f64 = lb[j - dj..j].iter().sum();
                    let c = before + self.cost(len_a, len_b, prior);
                    if c < cost[i * width + j] {
                        cost[i * width + j] = c;
                        step[i * width + j] = k;
                    }
                }
            }
        }
        let mut pairs = Vec::new();
        let (mut i, mut j) = (n, m);
        while i > 0 || j > 0 {
            let Some(&(di, dj, _)) = MOVES.get(step[i * width + j]) else {
                break;
            };
            let here = cost[i * width + j] - cost[(i - di) * width + (j - dj)];
            pairs.push(AlignedPair {
                a: ((i - di) as u32..i as u32).collect(),
                b: ((j - dj) as u32..j as u32).collect(),
                method: Method::Length,
                number: None,
                cost: here,
            });
            i -= di;
            j -= dj;
        }
        pairs.reverse();
        pairs
    }
}

/// The standard normal distribution function (Abramowitz & Stegun 26.2.17, error < 7.5e-8).
fn normal_cdf(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.2316419 * x.abs());
    let poly = t
        * (0.319381530
            + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
    let tail = (-x * x / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt() * poly;
    if x >= 0.0 { 1.0 - tail } else { tail }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|t| t.to_string()).collect()
    }

    fn kinds(pairs: &[AlignedPair]) -> Vec<(Vec<u32>, Vec<u32>)> {
        pairs.iter().map(|p| (p.a.clone(), p.b.clone())).collect()
    }

    #[test]
    fn reads_paragraph_numbers_of_every_style() {
        for (text, n) in [
            ("一、成员国", 1),
            ("十二、成员国", 12),
            ("二十一、成员国", 21),
            ("（三）合作", 3),
            ("(4) cooperation", 4),
            ("5. The member states", 5),
            ("6、成员国", 6),
            ("第七条 宪章", 7),
            ("Статья 8. Цели", 8),
            ("Article 9", 9),
            ("XIV. Final", 14),
            ("IV. Final", 4),
        ] {
            assert_eq!(paragraph_number(text), Some(n), "{text}");
        }
        for text in [
            "2019. The year",
            "成员国一致认为",
            "In 2019, the",
            "Итак, 5 лет",
        ] {
            assert_eq!(paragraph_number(text), None, "{text}");
        }
    }

    #[test]
    fn numbered_paragraphs_anchor_and_lengths_align_the_rest() {
        // Chinese: title, preamble, 1, 2 (one paragraph), 3. Russian: title, preamble in two
        // paragraphs, 1, 2 in two paragraphs, 3.
        let zh = s(&[
            "宣言",
            "成员国元首举行会议，回顾了本组织成立以来的历程，讨论了合作的优先方向。",
            "一、成员国重申恪守宪章的宗旨和原则。",
            "二、成员国主张加强安全合作，共同打击恐怖主义、分裂主义和极端主义，维护地区和平稳定。",
            "三、成员国支持扩大经贸合作。",
        ]);
        let ru = s(&[
            "Декларация",
            "Главы государств-членов провели заседание и подвели итоги пути, пройденного Организацией.",
            "Они обсудили приоритетные направления сотрудничества.",
            "1. Государства-члены подтверждают приверженность целям и принципам Хартии.",
            "2. Государства-члены выступают за укрепление сотрудничества в сфере безопасности и совместную борьбу с терроризмом, сепаратизмом и экстремизмом.",
            "Они будут поддерживать мир и стабильность в регионе.",
            "3. Государства-члены поддерживают расширение торгово-экономического сотрудничества.",
        ]);
        let pairs = align_texts(&zh, &ru);
        assert_eq!(
            kinds(&pairs),
            vec![
                (vec![0], vec![0]),
                (vec![1], vec![1, 2]),
                (vec![2], vec![3]),
                (vec![3], vec![4, 5]),
                (vec![4], vec![6]),
            ]
        );
        assert_eq!(pairs[2].method, Method::Numbered);
        assert_eq!(pairs[2].number, Some(1));
        assert_eq!(pairs[1].method, Method::Length);
    }

    #[test]
    fn a_paragraph_missing_in_one_version_has_no_counterpart() {
        let a = s(&[
            "一、第一段，讲安全合作的内容，比较长的一段文字。",
            "二、第二段。",
            "三、第三段，讲经济合作。",
        ]);
        let b = s(&[
            "1. First paragraph, on security cooperation, a rather long text here.",
            "3. Third paragraph, on the economy.",
        ]);
        let pairs = align_texts(&a, &b);
        assert_eq!(
            kinds(&pairs),
            vec![(vec![0], vec![0]), (vec![1], vec![]), (vec![2], vec![1])]
        );
    }

    #[test]
    fn the_normal_distribution_function_is_right() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.96) - 0.975).abs() < 1e-4);
        assert!((normal_cdf(-1.0) - 0.158_655).abs() < 1e-5);
    }

    proptest! {
        #[test]
        fn every_paragraph_is_aligned_exactly_once_in_order(
            a in proptest::collection::vec("[一二三1-9、. a-zа-я]{0,30}", 0..12),
            b in proptest::collection::vec("[一二三1-9、. a-zа-я]{0,30}", 0..12),
        ) {
            let pairs = align_texts(&a, &b);
            let flat_a: Vec<u32> = pairs.iter().flat_map(|p| p.a.clone()).collect();
            let flat_b: Vec<u32> = pairs.iter().flat_map(|p| p.b.clone()).collect();
            prop_assert_eq!(flat_a, (0..a.len() as u32).collect::<Vec<_>>());
            prop_assert_eq!(flat_b, (0..b.len() as u32).collect::<Vec<_>>());
            prop_assert!(pairs.iter().all(|p| !(p.a.is_empty() && p.b.is_empty())));
        }
    }
}
