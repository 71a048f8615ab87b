//! Welford's numerically stable running mean and variance of `f64` samples,
//! with exact min/max and a parallel merge (Chan, Golub & LeVeque).
//!
//! Invariants: `m2` is the sum of squared deviations from the current `mean`
//! over all `count` samples, so it is never negative (up to rounding) and is
//! unaffected by a large common offset in the data. Undefined statistics are
//! NaN: `mean`/`min`/`max` of an empty accumulator, `variance`/`std_dev` with
//! fewer than two samples.

/// Running count, mean, sample variance (n − 1), min and max.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Welford {
    count: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Default for Welford {
    fn default() -> Self {
        Self::new()
    }
}

impl Welford {
    pub fn new() -> Self {
        Welford {
            count: 0,
            mean: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Add one sample.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.count += 1;
        let delta = x - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }

    /// Combine with another accumulator, as if its samples were pushed here.
    pub fn merge(&mut self, other: &Welford) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *other;
            return;
        }
        let (na, nb) = (self.count as f64, other.count as f64);
        let n = na + nb;
        let delta = other.mean - self.mean;
        self.mean += delta * (nb / n);
        self.m2 += other.m2 + delta * delta * (na * nb / n);
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Arithmetic mean; NaN when empty.
    pub fn mean(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.mean }
    }

    /// Unbiased sample variance (divides by n − 1); NaN when n < 2.
    pub fn variance(&self) -> f64 {
        if self.count < 2 {
            f64::NAN
        } else {
            (self.m2 / (self.count - 1) as f64).max(0.0)
        }
    }

    /// Sample standard deviation; NaN when n < 2.
    pub fn std_dev(&self) -> f64 {
        self.variance().sqrt()
    }

    /// Smallest sample; NaN when empty.
    pub fn min(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.min }
    }

    /// Largest sample; NaN when empty.
    pub fn max(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.max }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_pass(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
        (mean, var)
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    fn data(n: usize, offset: f64) -> Vec<f64> {
        // Deterministic, irregular values: a scrambled sawtooth.
        (0..n)
            .map(|i| offset + ((i * 7919) % 1013) as f64 * 0.37 - 50.0)
            .collect()
    }

    #[test]
    fn small_known_values() {
        let mut w = Welford::new();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            w.push(x);
        }
        assert_eq!(w.count(), 8);
        assert_eq!(w.mean(), 5.0);
        // Sum of squared deviations is 32, so sample variance is 32/7.
        assert!(close(w.variance(), 32.0 / 7.0, 1e-15));
        assert!(close(w.std_dev(), (32.0f64 / 7.0).sqrt(), 1e-15));
        assert_eq!((w.min(), w.max()), (2.0, 9.0));
    }

    #[test]
    fn matches_two_pass_even_with_a_huge_offset() {
        for offset in [0.0, 1e9, -3e12] {
            let xs = data(10_000, offset);
            let mut w = Welford::new();
            xs.iter().for_each(|&x| w.push(x));
            let (mean, var) = two_pass(&xs);
            assert!(close(w.mean(), mean, 1e-12), "offset {offset}");
            assert!(
                close(w.variance(), var, 1e-6),
                "offset {offset}: {} vs {var}",
                w.variance()
            );
        }
    }

    #[test]
    fn merge_equals_pushing_everything() {
        let xs = data(5_000, 1e6);
        let mut all = Welford::new();
        xs.iter().for_each(|&x| all.push(x));
        for split in [0, 1, 17, 2_500, 4_999, 5_000] {
            let (mut a, mut b) = (Welford::new(), Welford::new());
            xs[..split].iter().for_each(|&x| a.push(x));
            xs[split..].iter().for_each(|&x| b.push(x));
            a.merge(&b);
            assert_eq!(a.count(), all.count());
            assert!(close(a.mean(), all.mean(), 1e-13), "split {split}");
            assert!(close(a.variance(), all.variance(), 1e-9), "split {split}");
            assert_eq!((a.min(), a.max()), (all.min(), all.max()));
        }
    }

    #[test]
    fn undefined_statistics_are_nan() {
        let mut w = Welford::new();
        assert!(w.mean().is_nan() && w.min().is_nan() && w.variance().is_nan());
        w.push(3.5);
        assert_eq!(w.mean(), 3.5);
        assert!(w.variance().is_nan() && w.std_dev().is_nan());
        w.push(3.5);
        assert_eq!(w.variance(), 0.0);
    }
}
