//! Percentile bootstrap of the share of paragraphs coded.
//!
//! Resampling the n paragraphs of a period with replacement and counting the coded ones gives
//! a Binomial(n, k/n) count: drawing that count directly is the same distribution at O(1) per
//! resample instead of O(n), which keeps 1,000 resamples of a large corpus cheap.

use super::TrendOptions;
use polars::prelude::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::Binomial;
use rayon::prelude::*;

/// The bounds of the interval of `share_paragraphs` for every row of a trend frame (columns
/// `period`, `body`, `lang`, `dimension`, `paragraphs`, `coded_paragraphs`).
pub(crate) fn share_intervals(
    df: &DataFrame,
    opts: &TrendOptions,
) -> PolarsResult<(Vec<f64>, Vec<f64>)> {
    let text = |name: &str| -> PolarsResult<Vec<String>> {
        Ok(df
            .column(name)?
            .str()?
            .iter()
            .map(|v| v.unwrap_or_default().to_string())
            .collect())
    };
    let int = |name: &str| -> PolarsResult<Vec<i64>> {
        Ok(df
            .column(name)?
            .cast(&DataType::Int64)?
            .i64()?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let (period, body, lang, dimension) = (
        text("period")?,
        text("body")?,
        text("lang")?,
        text("dimension")?,
    );
    let (n, k) = (int("paragraphs")?, int("coded_paragraphs")?);
    let bounds: Vec<(f64, f64)> = (0..df.height())
        .into_par_iter()
        .map(|i| {
            let key = [
                period[i].as_str(),
                body[i].as_str(),
                lang[i].as_str(),
                dimension[i].as_str(),
            ];
            share_interval(
                n[i].max(0) as u64,
                k[i].max(0) as u64,
                opts.resamples,
                opts.confidence,
                row_seed(opts.seed, &key),
            )
        })
        .collect();
    Ok(bounds.into_iter().unzip())
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
    let Ok(binomial) = Binomial::new(n, p) else {
        return (p, p);
    };
    if k == 0 || k == n || resamples == 0 {
        return (p, p);
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut draws: Vec<f64> = (0..resamples)
        .map(|_| rng.sample(binomial) as f64 / n as f64)
        .collect();
    draws.sort_unstable_by(f64::total_cmp);
    let alpha = (1.0 - confidence) / 2.0;
    (quantile(&draws, alpha), quantile(&draws, 1.0 - alpha))
}

/// Quantile of sorted values with linear interpolation between order statistics (Hyndman &
/// Fan type 7, numpy's default).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        len => {
            let h = (len - 1) as f64 * q.clamp(0.0, 1.0);
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(len - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// A seed for one row, from the user's seed and the row's key (FNV-1a, stable across
/// platforms and Rust versions), so that a row's interval does not depend on row order.
fn row_seed(seed: u64, key: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for part in key {
        for b in part.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_interpolates_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 4.0);
        // numpy.quantile([1,2,3,4], 0.5) == 2.5; 0.25 -> 1.75
        assert!((quantile(&v, 0.5) - 2.5).abs() < 1e-12);
        assert!((quantile(&v, 0.25) - 1.75).abs() < 1e-12);
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
        let c = share_interval(40, 10, 1000, 0.95, 8);
        assert_ne!(a, c, "another seed draws other resamples");
        let narrow = share_interval(40, 10, 1000, 0.5, 7);
        assert!(narrow.0 > a.0 && narrow.1 < a.1);
    }

    #[test]
    fn row_seeds_differ_by_key() {
        assert_ne!(row_seed(1, &["a", "bc"]), row_seed(1, &["ab", "c"]));
        assert_ne!(row_seed(1, &["a"]), row_seed(2, &["a"]));
    }
}
