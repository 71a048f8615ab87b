//! Streaming log-bucketed (HDR-style) histogram of `u64` values, normally
//! nanoseconds of latency.
//!
//! Layout: values below `SUB_BUCKETS` (256) each get their own bucket and are
//! stored exactly. Above that, every power-of-two range `[2^k, 2^(k+1))` is
//! split into 128 equal-width linear sub-buckets, so a bucket's width is at
//! most 1/128 of its lower bound. Reporting the bucket midpoint therefore has
//! a relative error of at most 1/256 ≈ 0.39% for every value and quantile.
//! Memory is fixed (7424 `u64` counters ≈ 58 KiB) whatever the count.
//!
//! Invariants: `count` equals the sum of all bucket counters; when non-empty,
//! every non-zero counter lies between `bucket_index(min)` and
//! `bucket_index(max)` inclusive (which is what makes `reset` and `merge`
//! touch only the used range); `min`, `max` and the sum are exact.

use std::fmt;

/// log2 of the number of exactly-stored small values.
const SUB_BUCKET_BITS: u32 = 8;
/// Values `< SUB_BUCKETS` are stored exactly, one bucket each.
const SUB_BUCKETS: usize = 1 << SUB_BUCKET_BITS;
/// Linear sub-buckets per power-of-two range above `SUB_BUCKETS`.
const HALF_SUB_BUCKETS: usize = SUB_BUCKETS / 2;
/// Largest shift applied to a value (for `u64::MAX`): 64 - 8 = 56.
const MAX_SHIFT: usize = 64 - SUB_BUCKET_BITS as usize;
/// Total number of buckets: shifts 0..=56, 128 buckets each, plus the first
/// 128 exact values.
const BUCKETS: usize = (MAX_SHIFT + 2) * HALF_SUB_BUCKETS;

/// Bucket of a value: branch-free, one `leading_zeros`, a shift and an add.
#[inline(always)]
fn bucket_index(v: u64) -> usize {
    // Shift so that the value keeps its top 8 significant bits (0 for v < 256).
    let shift = MAX_SHIFT as u32 - (v | (SUB_BUCKETS as u64 - 1)).leading_zeros();
    ((shift as usize) << (SUB_BUCKET_BITS - 1)) + (v >> shift) as usize
}

/// Lowest value in bucket `idx` and log2 of the bucket width.
fn bucket_low_and_width_log2(idx: usize) -> (u64, u32) {
    if idx < SUB_BUCKETS {
        (idx as u64, 0)
    } else {
        let shift = (idx >> (SUB_BUCKET_BITS - 1)) - 1;
        let mantissa = (idx & (HALF_SUB_BUCKETS - 1)) + HALF_SUB_BUCKETS;
        ((mantissa as u64) << shift, shift as u32)
    }
}

/// Representative value reported for bucket `idx` (its midpoint; exact for
/// width-1 buckets). Never overflows: the top bucket's midpoint is < 2^64.
fn bucket_midpoint(idx: usize) -> u64 {
    let (low, width_log2) = bucket_low_and_width_log2(idx);
    low + ((1u64 << width_log2) >> 1)
}

/// Streaming histogram with ≤ 0.4% relative quantile error; see module docs.
#[derive(Clone)]
pub struct Histogram {
    counts: Box<[u64]>,
    count: u64,
    sum: u128,
    min: u64,
    max: u64,
}

impl Histogram {
    /// The memory one histogram holds (its buckets), for estimates before a run.
    pub const BYTES: usize = BUCKETS * std::mem::size_of::<u64>();
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

impl Histogram {
    /// An empty histogram (allocates its fixed bucket array once).
    pub fn new() -> Self {
        Histogram {
            counts: vec![0u64; BUCKETS].into_boxed_slice(),
            count: 0,
            sum: 0,
            min: u64::MAX,
            max: 0,
        }
    }

    /// Record one value. O(1).
    #[inline]
    pub fn record(&mut self, v: u64) {
        self.counts[bucket_index(v)] += 1;
        self.count += 1;
        self.sum += v as u128;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    /// Number of recorded values.
    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Exact smallest recorded value; 0 when empty.
    pub fn min(&self) -> u64 {
        if self.count == 0 { 0 } else { self.min }
    }

    /// Exact largest recorded value; 0 when empty.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// Exact arithmetic mean (from a `u128` sum); 0.0 when empty.
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum as f64 / self.count as f64
        }
    }

    /// The value at rank `ceil(q·count)` (1-based, clamped to `[1, count]`),
    /// reported as its bucket's midpoint clamped to `[min, max]`; the extreme
    /// ranks 1 and `count` report the exact `min` and `max`. `q` is clamped to
    /// `[0, 1]` (NaN counts as 0). Returns 0 when empty. O(buckets in use).
    pub fn quantile(&self, q: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let q = if q.is_nan() { 0.0 } else { q.clamp(0.0, 1.0) };
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        if rank == 1 {
            return self.min;
        }
        if rank == self.count {
            return self.max;
        }
        let mut seen = 0u64;
        for idx in bucket_index(self.min)..=bucket_index(self.max) {
            seen += self.counts[idx];
            if seen >= rank {
                return bucket_midpoint(idx).clamp(self.min, self.max);
            }
        }
        self.max
    }

    /// Add every value recorded in `other`, as if recorded here.
    pub fn merge(&mut self, other: &Histogram) {
        if other.count == 0 {
            return;
        }
        let range = bucket_index(other.min)..=bucket_index(other.max);
        for (mine, theirs) in self.counts[range.clone()]
            .iter_mut()
            .zip(&other.counts[range])
        {
            *mine += *theirs;
        }
        self.count += other.count;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// The non-empty buckets as (index, count), in index order, and the
    /// exact sum: with `count`, `min` and `max`, everything a histogram
    /// holds (what a shard file stores, `report::shard_file`).
    pub fn buckets(&self) -> (Vec<(usize, u64)>, u128) {
        let used: Vec<(usize, u64)> = if self.count == 0 {
            vec![]
        } else {
            (bucket_index(self.min)..=bucket_index(self.max))
                .filter(|&i| self.counts[i] > 0)
                .map(|i| (i, self.counts[i]))
                .collect()
        };
        (used, self.sum)
    }

    /// The histogram [`Histogram::buckets`] describes, or `None` when the
    /// parts cannot come from one (an index out of range or out of order,
    /// `min`/`max` outside the used buckets, a sum outside
    /// `[count·min, count·max]`).
    pub fn from_buckets(used: &[(usize, u64)], sum: u128, min: u64, max: u64) -> Option<Histogram> {
        let mut h = Histogram::new();
        if used.is_empty() {
            return (sum == 0 && min == 0 && max == 0).then_some(h);
        }
        let mut last = None;
        for &(i, c) in used {
            if i >= BUCKETS || c == 0 || last.is_some_and(|l| l >= i) {
                return None;
            }
            last = Some(i);
            h.counts[i] = c;
            h.count = h.count.checked_add(c)?;
        }
        let (first, last) = (used[0].0, used[used.len() - 1].0);
        if min > max || bucket_index(min) != first || bucket_index(max) != last {
            return None;
        }
        let n = u128::from(h.count);
        if sum < n * u128::from(min) || sum > n * u128::from(max) {
            return None;
        }
        (h.sum, h.min, h.max) = (sum, min, max);
        Some(h)
    }

    /// Forget everything; clears only the bucket range in use.
    pub fn reset(&mut self) {
        if self.count > 0 {
            self.counts[bucket_index(self.min)..=bucket_index(self.max)].fill(0);
        }
        self.count = 0;
        self.sum = 0;
        self.min = u64::MAX;
        self.max = 0;
    }
}

impl fmt::Debug for Histogram {
    /// A summary, not the 7424 counters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Histogram")
            .field("count", &self.count)
            .field("min", &self.min())
            .field("max", &self.max())
            .field("mean", &self.mean())
            .field("p50", &self.quantile(0.5))
            .field("p99", &self.quantile(0.99))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_give_back_the_same_histogram() {
        let mut h = Histogram::new();
        for v in [3u64, 300, 300, 70_000, 9_000_000_000] {
            h.record(v);
        }
        let (used, sum) = h.buckets();
        let back = Histogram::from_buckets(&used, sum, h.min(), h.max()).unwrap();
        assert_eq!(back.buckets(), h.buckets());
        assert_eq!(
            (back.count(), back.min(), back.max()),
            (5, 3, 9_000_000_000)
        );
        for q in [0.0, 0.3, 0.5, 0.9, 1.0] {
            assert_eq!(back.quantile(q), h.quantile(q));
        }
        assert!(Histogram::from_buckets(&used, sum, 4, h.max()).is_none());
        assert!(Histogram::from_buckets(&[(BUCKETS, 1)], 0, 0, 0).is_none());
        let empty = Histogram::new();
        let (u, s) = empty.buckets();
        assert!(Histogram::from_buckets(&u, s, 0, 0).unwrap().is_empty());
    }

    /// SplitMix64: a tiny deterministic generator for tests.
    struct SplitMix(u64);
    impl SplitMix {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
    }

    fn rel_err(got: u64, exact: u64) -> f64 {
        if exact == 0 {
            if got == 0 { 0.0 } else { f64::INFINITY }
        } else {
            (got as f64 - exact as f64).abs() / exact as f64
        }
    }

    #[test]
    fn every_value_lands_in_a_bucket_that_contains_it() {
        let mut probes = vec![0u64, 1, 2, 127, 128, 255, 256, 257, u64::MAX, u64::MAX - 1];
        for k in 8..64 {
            let p = 1u64 << k;
            probes.extend([p - 1, p, p + 1, p + p / 3, p | (p - 1)]);
        }
        for v in probes {
            let idx = bucket_index(v);
            assert!(idx < BUCKETS, "v={v} idx={idx}");
            let (low, w) = bucket_low_and_width_log2(idx);
            assert!(low <= v && v - low < (1u64 << w), "v={v} low={low} w={w}");
            assert!(rel_err(bucket_midpoint(idx), v) <= 1.0 / 256.0, "v={v}");
        }
        assert_eq!(bucket_index(u64::MAX), BUCKETS - 1);
        // Small values are exact and contiguous.
        assert_eq!(bucket_index(255), 255);
        assert_eq!(bucket_index(256), 256);
        assert_eq!(bucket_midpoint(bucket_index(200)), 200);
    }

    #[test]
    fn quantiles_match_exact_sorted_samples_within_half_a_percent() {
        let mut rng = SplitMix(42);
        let mut h = Histogram::new();
        let mut xs = Vec::new();
        for _ in 0..200_000 {
            // Log-uniform-ish over all 64 magnitudes.
            let v = rng.next() >> (rng.next() % 64);
            h.record(v);
            xs.push(v);
        }
        xs.sort_unstable();
        let n = xs.len() as u64;
        let mut qs = vec![
            0.0, 1e-5, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1.0,
        ];
        for _ in 0..500 {
            qs.push((rng.next() >> 11) as f64 / (1u64 << 53) as f64);
        }
        for q in qs {
            let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
            let exact = xs[(rank - 1) as usize];
            let got = h.quantile(q);
            assert!(
                rel_err(got, exact) <= 0.005,
                "q={q} got={got} exact={exact}"
            );
        }
        let exact_mean = xs.iter().map(|&v| v as u128).sum::<u128>() as f64 / n as f64;
        assert_eq!(h.mean(), exact_mean);
        assert_eq!(h.min(), xs[0]);
        assert_eq!(h.max(), xs[xs.len() - 1]);
        assert_eq!(h.count(), n);
    }

    #[test]
    fn merge_equals_recording_both() {
        let mut rng = SplitMix(7);
        let (mut a, mut b, mut both) = (Histogram::new(), Histogram::new(), Histogram::new());
        for i in 0..50_000 {
            // Different ranges so the used bucket ranges only partly overlap.
            let v = if i % 2 == 0 {
                rng.next() % 10_000
            } else {
                rng.next() >> 20
            };
            if i % 3 == 0 {
                a.record(v)
            } else {
                b.record(v)
            }
            both.record(v);
        }
        a.merge(&b);
        assert_eq!(a.counts, both.counts);
        assert_eq!(a.count(), both.count());
        assert_eq!(
            (a.min(), a.max(), a.mean()),
            (both.min(), both.max(), both.mean())
        );
        assert_eq!(a.quantile(0.37), both.quantile(0.37));
        let before = a.quantile(0.5);
        a.merge(&Histogram::new());
        assert_eq!(a.quantile(0.5), before);
        assert_eq!(a.count(), 50_000);
    }

    #[test]
    fn reset_clears_everything_it_used() {
        let mut h = Histogram::new();
        for v in [3u64, 999, 1 << 40, 12_345_678] {
            h.record(v);
        }
        h.reset();
        assert!(h.is_empty());
        assert_eq!((h.count(), h.min(), h.max(), h.quantile(0.5)), (0, 0, 0, 0));
        assert_eq!(h.mean(), 0.0);
        assert!(h.counts.iter().all(|&c| c == 0));
        h.record(500);
        assert_eq!((h.min(), h.max(), h.quantile(0.9)), (500, 500, 500));
    }

    #[test]
    fn edge_values_zero_one_and_max() {
        let mut h = Histogram::new();
        h.record(0);
        h.record(1);
        h.record(u64::MAX);
        assert_eq!(h.min(), 0);
        assert_eq!(h.max(), u64::MAX);
        assert_eq!(h.quantile(0.0), 0);
        assert_eq!(h.quantile(0.5), 1); // rank ceil(1.5) = 2
        assert_eq!(h.quantile(1.0), u64::MAX);
        assert_eq!(h.mean(), (u64::MAX as u128 + 1) as f64 / 3.0);
        // Two huge values: the interior rank reports a midpoint within 0.4%.
        let mut big = Histogram::new();
        for v in [u64::MAX - 5, u64::MAX, u64::MAX / 2 + 1] {
            big.record(v);
        }
        assert!(rel_err(big.quantile(0.6), u64::MAX - 5) <= 1.0 / 256.0);
    }

    #[test]
    fn is_clone_send_debug() {
        fn check<T: Clone + Send + fmt::Debug>(_: &T) {}
        let mut h = Histogram::new();
        h.record(10);
        check(&h);
        let s = format!("{h:?}");
        assert!(s.contains("count: 1") && s.contains("p50: 10"), "{s}");
    }
}
