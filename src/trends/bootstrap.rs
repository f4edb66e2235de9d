//! Percentile bootstrap of the share of paragraphs coded.
//!
//! Resampling the n paragraphs of a period with replacement and counting the coded ones gives
//! a Binomial(n, k/n) count. Drawing that count directly is the same distribution at O(1) per
//! resample instead of O(n); it is drawn by inverse transform sampling from the binomial's
//! cumulative distribution, tabulated once per (n, k). This keeps 1,000 resamples of every row
//! of a large corpus cheap.
//!
//! The random generator of an interval is seeded from the user's seed and (n, k) only, so an
//! interval depends on nothing but its data, the seed, the number of resamples and the level:
//! not on row order, threads, or which other rows exist. Rows with the same (n, k) share it.

use super::TrendOptions;
use polars::prelude::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use std::collections::HashMap;

/// The bounds of the interval of `share_paragraphs` for every row of a trend frame (columns
/// `paragraphs` and `coded_paragraphs`).
pub(crate) fn share_intervals(
    df: &DataFrame,
    opts: &TrendOptions,
) -> PolarsResult<(Vec<f64>, Vec<f64>)> {
    let int = |name: &str| -> PolarsResult<Vec<u64>> {
        Ok(df
            .column(name)?
            .cast(&DataType::Int64)?
            .i64()?
            .iter()
            .map(|v| v.unwrap_or(0).max(0) as u64)
            .collect())
    };
    let (n, k) = (int("paragraphs")?, int("coded_paragraphs")?);
    let mut unique: Vec<(u64, u64)> = n.iter().copied().zip(k.iter().copied()).collect();
    unique.sort_unstable();
    unique.dedup();
    let intervals: HashMap<(u64, u64), (f64, f64)> = unique
        .into_par_iter()
        .map(|(n, k)| {
            let seed = data_seed(opts.seed, n, k);
            (
                (n, k),
                share_interval(n, k, opts.resamples, opts.confidence, seed),
            )
        })
        .collect();
    Ok(n.iter()
        .zip(k.iter())
        .map(|key| {
            intervals
                .get(&(*key.0, *key.1))
                .copied()
                .unwrap_or((f64::NAN, f64::NAN))
        })
        .unzip())
}

/// The percentile interval of k/n from `resamples` Binomial(n, k/n)/n draws.
pub(crate) fn share_interval(
    n: u64,
    k: u64,
    resamples: usize,
    confidence: f64,
    seed: u64,
) -> (f64, f64) {
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let k = k.min(n);
    let p = k as f64 / n as f64;
    // With k = 0 or k = n every resample has the same share; so does a bootstrap of zero size.
    if k == 0 || k == n || resamples == 0 {
        return (p, p);
    }
    let table = BinomialTable::new(n, p);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut draws: Vec<u64> = (0..resamples)
        .map(|_| table.sample(rng.random::<f64>()))
        .collect();
    let alpha = (1.0 - confidence) / 2.0;
    let share = |count: f64| count / n as f64;
    (
        share(select_quantile(&mut draws, alpha)),
        share(select_quantile(&mut draws, 1.0 - alpha)),
    )
}

/// The cumulative distribution of Binomial(n, p) over the counts whose probability is not
/// negligible (relative to the mode: below 1e-17, far under the resolution of a uniform
/// `f64`), for inverse transform sampling.
struct BinomialTable {
    first: u64,
    cdf: Vec<f64>,
}

impl BinomialTable {
    /// `p` strictly between 0 and 1.
    fn new(n: u64, p: f64) -> Self {
        let odds = p / (1.0 - p);
        let mode = ((((n + 1) as f64) * p).floor() as u64).min(n);
        // pmf(j+1)/pmf(j) = (n-j)/(j+1) · p/(1-p): weights relative to the mode, both ways.
        let mut above = Vec::new();
        let (mut w, mut j) = (1.0f64, mode);
        while j < n {
            w *= (n - j) as f64 / (j + 1) as f64 * odds;
            j += 1;
            if w < 1e-17 {
                break;
            }
            above.push(w);
        }
        let mut below = Vec::new();
        let (mut w, mut j) = (1.0f64, mode);
        while j > 0 {
            w *= j as f64 / (n - j + 1) as f64 / odds;
            j -= 1;
            if w < 1e-17 {
                break;
            }
            below.push(w);
        }
        let first = mode - below.len() as u64;
        let weights = below
            .iter()
            .rev()
            .chain(std::iter::once(&1.0))
            .chain(above.iter());
        let mut cdf: Vec<f64> = weights
            .scan(0.0, |acc, w| {
                *acc += w;
                Some(*acc)
            })
            .collect();
        let total = cdf.last().copied().unwrap_or(1.0);
        for c in &mut cdf {
            *c /= total;
        }
        Self { first, cdf }
    }

    /// The count whose cumulative probability first reaches `u` in [0, 1).
    fn sample(&self, u: f64) -> u64 {
        let i = self.cdf.partition_point(|&c| c <= u);
        self.first + i.min(self.cdf.len() - 1) as u64
    }
}

/// Quantile of the values with linear interpolation between order statistics (Hyndman & Fan
/// type 7, numpy's default), by selection instead of a full sort.
fn select_quantile(values: &mut [u64], q: f64) -> f64 {
    let len = values.len();
    if len == 0 {
        return f64::NAN;
    }
    let h = (len - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let (_, &mut at_lo, above) = values.select_nth_unstable(lo);
    let next = above.iter().copied().min().unwrap_or(at_lo);
    at_lo as f64 + (h - lo as f64) * (next as f64 - at_lo as f64)
}

/// A seed from the user's seed and the data of an interval (splitmix64 finaliser: stable
/// across platforms and Rust versions).
fn data_seed(seed: u64, n: u64, k: u64) -> u64 {
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    mix(mix(mix(seed) ^ n) ^ k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_interpolates_like_numpy() {
        // numpy.quantile([1, 2, 3, 4], q) for q = 0, 0.25, 0.5, 1: 1, 1.75, 2.5, 4.
        for (q, want) in [(0.0, 1.0), (0.25, 1.75), (0.5, 2.5), (1.0, 4.0)] {
            let mut v = vec![3, 1, 4, 2];
            assert!((select_quantile(&mut v, q) - want).abs() < 1e-12, "{q}");
        }
        // numpy.quantile([1, 2, 3, 5, 6, 7, 9, 10, 11], 0.975) = 10.8
        let mut v = vec![9, 3, 7, 1, 11, 6, 2, 10, 5];
        assert!((select_quantile(&mut v, 0.975) - 10.8).abs() < 1e-12);
    }

    #[test]
    fn binomial_table_is_the_binomial_distribution() {
        // Binomial(4, 1/2): 1, 4, 6, 4, 1 sixteenths.
        let t = BinomialTable::new(4, 0.5);
        assert_eq!(t.first, 0);
        let want = [1.0, 5.0, 11.0, 15.0, 16.0].map(|c| c / 16.0);
        for (got, want) in t.cdf.iter().zip(want) {
            assert!((got - want).abs() < 1e-12, "{:?}", t.cdf);
        }
        assert_eq!(t.sample(0.0), 0);
        assert_eq!(t.sample(1.0 / 16.0), 1);
        assert_eq!(t.sample(0.5), 2);
        assert_eq!(t.sample(0.999_999), 4);
        // Moments of many draws: mean np, variance np(1-p).
        let (n, p) = (200u64, 0.3);
        let t = BinomialTable::new(n, p);
        let mut rng = StdRng::seed_from_u64(1);
        let draws: Vec<f64> = (0..40_000)
            .map(|_| t.sample(rng.random::<f64>()) as f64)
            .collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / draws.len() as f64;
        assert!((mean - 60.0).abs() < 0.15, "{mean}");
        assert!((var - 42.0).abs() < 1.5, "{var}");
        // Large n: the table covers the mass around the mean, not all n + 1 counts.
        let t = BinomialTable::new(1_000_000, 0.25);
        assert!(
            t.cdf.len() < 10_000 && t.first > 240_000,
            "{} {}",
            t.cdf.len(),
            t.first
        );
    }

    #[test]
    fn degenerate_shares_have_a_point_interval() {
        assert_eq!(share_interval(10, 0, 100, 0.95, 1), (0.0, 0.0));
        assert_eq!(share_interval(10, 10, 100, 0.95, 1), (1.0, 1.0));
        assert_eq!(share_interval(10, 4, 0, 0.95, 1), (0.4, 0.4));
        assert!(share_interval(0, 0, 100, 0.95, 1).0.is_nan());
    }

    #[test]
    fn interval_is_reproducible_and_brackets_the_share() {
        let a = share_interval(40, 10, 1000, 0.95, 7);
        let b = share_interval(40, 10, 1000, 0.95, 7);
        assert_eq!(a, b);
        assert!(a.0 < 0.25 && 0.25 < a.1, "{a:?}");
        // The normal approximation of the binomial: 0.25 ± 1.96·sqrt(0.25·0.75/40) ≈ ±0.134.
        assert!(
            (a.0 - 0.116).abs() < 0.05 && (a.1 - 0.384).abs() < 0.05,
            "{a:?}"
        );
        let others: Vec<_> = (8..13)
            .map(|s| share_interval(400, 100, 1000, 0.95, s))
            .collect();
        assert!(
            others.windows(2).any(|w| w[0] != w[1]),
            "other seeds draw other resamples: {others:?}"
        );
        let narrow = share_interval(40, 10, 1000, 0.5, 7);
        assert!(narrow.0 > a.0 && narrow.1 < a.1);
    }

    #[test]
    fn seeds_depend_on_the_data_and_the_user_seed() {
        assert_ne!(data_seed(1, 2, 3), data_seed(1, 3, 2));
        assert_ne!(data_seed(1, 2, 3), data_seed(2, 2, 3));
        assert_eq!(data_seed(5, 40, 10), data_seed(5, 40, 10));
    }
}
