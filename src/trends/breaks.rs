//! Structural breaks in the mean of a series: binary segmentation with an L2 cost.
//!
//! The method and its threshold are described in
//! [`dictionary::BREAKS`](super::dictionary::BREAKS).

use super::dictionary as dict;
use super::{PolarsContext, TrendsError};
use polars::prelude::*;

/// Parameters of the break detection.
#[derive(Debug, Clone, Copy)]
pub struct BreakOptions {
    /// Multiplier of `σ² ln(n)` in the threshold; larger finds fewer breaks. 1 is the
    /// Schwarz (BIC) penalty for one more mean; the default, 2, is stricter because the
    /// difference-based σ² is itself inflated by the shifts.
    pub penalty: f64,
    /// Minimum length of a segment, in periods (at least 1).
    pub min_segment: usize,
}

impl Default for BreakOptions {
    fn default() -> Self {
        Self {
            penalty: 2.0,
            min_segment: 2,
        }
    }
}

/// One accepted split of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// Index of the first value of the new segment.
    pub index: usize,
    /// Mean of the final segment ending just before `index`.
    pub mean_before: f64,
    /// Mean of the final segment starting at `index`.
    pub mean_after: f64,
    pub sse_reduction: f64,
}

/// The result of segmenting one series.
#[derive(Debug, Clone, PartialEq)]
pub struct Segmentation {
    /// Splits in index order.
    pub splits: Vec<Split>,
    /// `penalty × σ² × ln(n)`.
    pub threshold: f64,
}

/// Segments `x` by binary segmentation (see the module docs).
pub fn segment(x: &[f64], opts: BreakOptions) -> Segmentation {
    let n = x.len();
    let min_seg = opts.min_segment.max(1);
    if n < 2 || x.iter().any(|v| !v.is_finite()) {
        return Segmentation {
            splits: Vec::new(),
            threshold: f64::NAN,
        };
    }
    let sigma2 = x.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum::<f64>() / (2.0 * (n - 1) as f64);
    let threshold = opts.penalty * sigma2 * (n as f64).ln();
    // Prefix sums make the cost of any segment O(1).
    let mut s1 = vec![0.0; n + 1];
    let mut s2 = vec![0.0; n + 1];
    for (i, v) in x.iter().enumerate() {
        s1[i + 1] = s1[i] + v;
        s2[i + 1] = s2[i] + v * v;
    }
    let cost = |a: usize, b: usize| -> f64 {
        let len = (b - a) as f64;
        let sum = s1[b] - s1[a];
        (s2[b] - s2[a] - sum * sum / len).max(0.0)
    };
    let best_split = |a: usize, b: usize| -> Option<(usize, f64)> {
        if b - a < 2 * min_seg {
            return None;
        }
        let whole = cost(a, b);
        (a + min_seg..=b - min_seg)
            .map(|t| (t, whole - cost(a, t) - cost(t, b)))
            .max_by(|l, r| l.1.total_cmp(&r.1))
    };
    // A relative tolerance keeps floating-point noise on a flat series from passing as a break.
    let tolerance = 1e-12 * (1.0 + s2[n]);
    let mut segments = vec![(0usize, n)];
    let mut accepted: Vec<(usize, f64)> = Vec::new();
    if sigma2 > 0.0 {
        loop {
            let candidate = segments
                .iter()
                .enumerate()
                .filter_map(|(i, &(a, b))| best_split(a, b).map(|(t, gain)| (i, t, gain)))
                .max_by(|l, r| l.2.total_cmp(&r.2));
            let Some((i, t, gain)) = candidate else { break };
            if gain <= threshold || gain <= tolerance {
                break;
            }
            let (a, b) = segments[i];
            segments.splice(i..=i, [(a, t), (t, b)]);
            accepted.push((t, gain));
        }
    }
    accepted.sort_by_key(|(t, _)| *t);
    let mean = |a: usize, b: usize| (s1[b] - s1[a]) / (b - a) as f64;
    let mut bounds: Vec<usize> = vec![0];
    bounds.extend(accepted.iter().map(|(t, _)| *t));
    bounds.push(n);
    let splits = accepted
        .iter()
        .enumerate()
        .map(|(j, &(t, gain))| Split {
            index: t,
            mean_before: mean(bounds[j], t),
            mean_after: mean(t, bounds[j + 2]),
            sse_reduction: gain,
        })
        .collect();
    Segmentation { splits, threshold }
}

/// The `breaks` frame from a by-year trend frame: every (body, lang, dimension) series of
/// `share_paragraphs`, segmented.
pub fn breaks(trends_by_year: &DataFrame, opts: BreakOptions) -> Result<DataFrame, TrendsError> {
    let ctx = || "finding breaks in the yearly series".to_string();
    let sorted = trends_by_year
        .clone()
        .lazy()
        .select([
            col("body"),
            col("lang"),
            col("dimension"),
            col("year"),
            col("share_paragraphs"),
        ])
        .sort(
            ["body", "lang", "dimension", "year"],
            SortMultipleOptions::default(),
        )
        .collect()
        .context(ctx)?;
    let text = |name: &str| -> Result<Vec<String>, TrendsError> {
        Ok(sorted
            .column(name)
            .and_then(|c| c.str().cloned())
            .context(ctx)?
            .iter()
            .map(|v| v.unwrap_or_default().to_string())
            .collect())
    };
    let (body, lang, dimension) = (text("body")?, text("lang")?, text("dimension")?);
    let year: Vec<i32> = sorted
        .column("year")
        .and_then(|c| c.i32().cloned())
        .context(ctx)?
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect();
    let share: Vec<f64> = sorted
        .column("share_paragraphs")
        .and_then(|c| c.f64().cloned())
        .context(ctx)?
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect();

    let mut out = BreakRows::default();
    let mut start = 0;
    while start < sorted.height() {
        let key = (&body[start], &lang[start], &dimension[start]);
        let mut end = start + 1;
        while end < sorted.height() && (&body[end], &lang[end], &dimension[end]) == key {
            end += 1;
        }
        let seg = segment(&share[start..end], opts);
        for split in seg.splits {
            out.body.push(key.0.clone());
            out.lang.push(key.1.clone());
            out.dimension.push(key.2.clone());
            out.break_year.push(year[start + split.index]);
            out.previous_year.push(year[start + split.index - 1]);
            out.mean_before.push(split.mean_before);
            out.mean_after.push(split.mean_after);
            out.shift.push(split.mean_after - split.mean_before);
            out.sse_reduction.push(split.sse_reduction);
            out.threshold.push(seg.threshold);
            out.periods.push((end - start) as i64);
        }
        start = end;
    }
    let df = DataFrame::new_infer_height(vec![
        Column::new("body".into(), out.body),
        Column::new("lang".into(), out.lang),
        Column::new("dimension".into(), out.dimension),
        Column::new("break_year".into(), out.break_year),
        Column::new("previous_year".into(), out.previous_year),
        Column::new("mean_before".into(), out.mean_before),
        Column::new("mean_after".into(), out.mean_after),
        Column::new("shift".into(), out.shift),
        Column::new("sse_reduction".into(), out.sse_reduction),
        Column::new("threshold".into(), out.threshold),
        Column::new("periods".into(), out.periods),
    ])
    .context(ctx)?;
    dict::BREAKS.conform(df.lazy()).collect().context(ctx)
}

#[derive(Default)]
struct BreakRows {
    body: Vec<String>,
    lang: Vec<String>,
    dimension: Vec<String>,
    break_year: Vec<i32>,
    previous_year: Vec<i32>,
    mean_before: Vec<f64>,
    mean_after: Vec<f64>,
    shift: Vec<f64>,
    sse_reduction: Vec<f64>,
    threshold: Vec<f64>,
    periods: Vec<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_clean_step() {
        let x = [0.1, 0.1, 0.1, 0.1, 0.1, 0.4, 0.4, 0.4, 0.4, 0.4];
        let seg = segment(&x, BreakOptions::default());
        assert_eq!(seg.splits.len(), 1, "{seg:?}");
        let s = &seg.splits[0];
        assert_eq!(s.index, 5);
        assert!((s.mean_before - 0.1).abs() < 1e-12);
        assert!((s.mean_after - 0.4).abs() < 1e-12);
        // SSE of the whole series: 10 values at ±0.15 from 0.25 = 10 × 0.0225; after: 0.
        assert!((s.sse_reduction - 0.225).abs() < 1e-9);
        // σ² = 0.3² / (2 × 9) = 0.005; threshold = 2 × 0.005 × ln 10.
        assert!((seg.threshold - 2.0 * 0.005 * 10f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn finds_two_steps_and_respects_min_segment() {
        let x = [0.0, 0.0, 0.0, 0.6, 0.6, 0.6, 0.2, 0.2, 0.2];
        let seg = segment(&x, BreakOptions::default());
        let idx: Vec<usize> = seg.splits.iter().map(|s| s.index).collect();
        assert_eq!(idx, vec![3, 6]);
        assert!((seg.splits[1].mean_before - 0.6).abs() < 1e-12);
        assert!((seg.splits[1].mean_after - 0.2).abs() < 1e-12);
        // A step of one period cannot be a segment of its own with min_segment = 2.
        let spike = [0.0, 0.0, 0.0, 0.9, 0.0, 0.0, 0.0];
        let seg = segment(&spike, BreakOptions::default());
        assert!(seg.splits.iter().all(|s| s.index >= 2 && s.index <= 5));
    }

    #[test]
    fn flat_short_or_noisy_series_have_no_break() {
        assert!(
            segment(&[0.3; 8], BreakOptions::default())
                .splits
                .is_empty()
        );
        assert!(
            segment(&[0.1, 0.9, 0.1], BreakOptions::default())
                .splits
                .is_empty()
        );
        // Alternating noise: σ² is large compared with any split's gain.
        let noise = [0.2, 0.3, 0.2, 0.3, 0.2, 0.3, 0.2, 0.3];
        assert!(segment(&noise, BreakOptions::default()).splits.is_empty());
    }

    #[test]
    fn penalty_controls_sensitivity() {
        let x = [0.10, 0.12, 0.09, 0.11, 0.16, 0.18, 0.15, 0.17];
        let low = segment(
            &x,
            BreakOptions {
                penalty: 0.5,
                min_segment: 2,
            },
        );
        let high = segment(
            &x,
            BreakOptions {
                penalty: 50.0,
                min_segment: 2,
            },
        );
        assert!(!low.splits.is_empty());
        assert!(high.splits.is_empty());
        assert_eq!(low.splits[0].index, 4);
    }
}
