//! MSER-5 warm-up detection (White 1997; White, Cobb & Spratt 2000): choose
//! how many initial observations of an output series to discard so that the
//! remaining data have the smallest marginal standard error.
//!
//! The series is averaged in non-overlapping batches of `BATCH_SIZE` (5);
//! leftover observations at the end that do not fill a batch are ignored.
//! For each truncation `d` (in batches) in `0..=k/2` of the `k` batch means,
//! the statistic is `Σ_{i≥d} (x̄ᵢ − x̄(d))² / (k − d)²`, where `x̄(d)` is the
//! mean of the batches kept; the smallest `d` attaining the minimum wins
//! (deterministic tie-break). Suffix statistics are accumulated backwards
//! with Welford's update, so the whole search is O(n) and numerically stable.

/// Observations averaged into one batch mean.
pub const BATCH_SIZE: usize = 5;
/// Fewer batch means than this and no truncation point is reported.
pub const MIN_BATCHES: usize = 10;

/// Number of original observations to discard as warm-up, a multiple of
/// `BATCH_SIZE`; `None` if the series has fewer than `MIN_BATCHES` full
/// batches or contains a non-finite value.
pub fn mser5(series: &[f64]) -> Option<usize> {
    let batch_means: Vec<f64> = series
        .chunks_exact(BATCH_SIZE)
        .map(|c| c.iter().sum::<f64>() / BATCH_SIZE as f64)
        .collect();
    let k = batch_means.len();
    if k < MIN_BATCHES || batch_means.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let max_d = k / 2;
    // Walk backwards: after adding batch d, (mean, ss) describe batches d..k.
    let (mut mean, mut ss) = (0.0f64, 0.0f64);
    let mut best = (f64::INFINITY, 0usize);
    for d in (0..k).rev() {
        let kept = (k - d) as f64;
        let delta = batch_means[d] - mean;
        mean += delta / kept;
        ss += delta * (batch_means[d] - mean);
        if d <= max_d {
            let stat = ss / (kept * kept);
            // `<=` while walking down keeps the smallest d among ties.
            if stat <= best.0 {
                best = (stat, d);
            }
        }
    }
    Some(best.1 * BATCH_SIZE)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic uniform noise in [-1, 1) from SplitMix64.
    fn noise(seed: u64, n: usize) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = s;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^= z >> 31;
                (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
            })
            .collect()
    }

    /// Direct O(k²) evaluation of the MSER statistic, for comparison.
    fn brute_force(series: &[f64]) -> usize {
        let b: Vec<f64> = series
            .chunks_exact(5)
            .map(|c| c.iter().sum::<f64>() / 5.0)
            .collect();
        let k = b.len();
        let mut best = (f64::INFINITY, 0);
        for d in 0..=k / 2 {
            let kept = &b[d..];
            let m = kept.iter().sum::<f64>() / kept.len() as f64;
            let ss: f64 = kept.iter().map(|x| (x - m) * (x - m)).sum();
            let stat = ss / (kept.len() as f64).powi(2);
            if stat < best.0 - 1e-12 * stat.abs() {
                best = (stat, d);
            }
        }
        best.1 * 5
    }

    #[test]
    fn one_outlying_batch_is_cut_exactly() {
        // Batch means [100, 0, 0, ...]: dropping one batch leaves zero error.
        let mut series = vec![0.0; 60];
        series[..5].fill(100.0);
        assert_eq!(mser5(&series), Some(5));
    }

    #[test]
    fn transient_is_truncated_near_its_end() {
        // Linear decay from 20 to 0 over the first 200 observations.
        let mut series = noise(1, 2_000);
        for (i, x) in series.iter_mut().enumerate().take(200) {
            *x += 20.0 * (1.0 - i as f64 / 200.0);
        }
        let d = mser5(&series).unwrap();
        assert!((150..=260).contains(&d), "truncated {d}");
        assert_eq!(d, brute_force(&series));
    }

    #[test]
    fn stationary_series_gets_a_small_truncation() {
        for seed in [2, 3, 4] {
            let series: Vec<f64> = noise(seed, 2_000).iter().map(|x| 50.0 + x).collect();
            let d = mser5(&series).unwrap();
            assert!(d <= 200, "seed {seed}: truncated {d} of 2000");
            assert_eq!(d, brute_force(&series));
        }
    }

    #[test]
    fn too_short_or_non_finite_gives_none() {
        let v = noise(5, 54);
        assert_eq!(mser5(&v[..49]), None); // 9 full batches
        assert!(mser5(&v[..50]).is_some()); // 10 batches
        let mut bad = noise(6, 100);
        bad[17] = f64::NAN;
        assert_eq!(mser5(&bad), None);
        assert_eq!(mser5(&[]), None);
    }
}
