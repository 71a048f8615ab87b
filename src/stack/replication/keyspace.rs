//! The keyspace: K keys and how popular each is (which key a write or a
//! read touches).
//!
//! `Popularity::Uniform` draws a key with `random_range`; `Zipf { s }` gives
//! key i (0-based) probability (i+1)^−s / H(K, s). The Zipf sampler keeps
//! a precomputed cumulative table (K `f64`, built once in O(K)) and draws by
//! inversion with a binary search, O(log K) per draw and exact up to `f64`
//! rounding; a naive linear scan is its differential reference in the tests.
//! Memory is O(K) whatever the number of draws. Key 0 is the most popular.
//! The caller passes the random stream (the workload's), so the keyspace
//! holds no generator of its own.

use crate::engine::rng::Rng;
use rand::RngExt;

/// How keys are chosen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Popularity {
    /// Every key equally likely.
    Uniform,
    /// Key i has probability ∝ (i+1)^−s, s ≥ 0 (s = 0 is uniform).
    Zipf { s: f64 },
}

/// Draws keys of a keyspace of `keys` keys with a popularity.
#[derive(Clone, Debug)]
pub struct KeySampler {
    keys: u32,
    /// Zipf only: cdf[i] = P(key ≤ i); the last entry is exactly 1.
    cdf: Vec<f64>,
}

impl KeySampler {
    /// A sampler over `keys` ≥ 1 keys. Errors name the model's words.
    pub fn new(keys: u32, popularity: Popularity) -> Result<KeySampler, String> {
        if keys == 0 {
            return Err("keys must be at least 1".into());
        }
        let cdf = match popularity {
            Popularity::Uniform => Vec::new(),
            Popularity::Zipf { s } => {
                if !(s.is_finite() && s >= 0.0) {
                    return Err(format!("zipf exponent must be a number ≥ 0, not {s}"));
                }
                zipf_cdf(keys, s)
            }
        };
        Ok(KeySampler { keys, cdf })
    }

    /// Number of keys.
    pub fn keys(&self) -> u32 {
        self.keys
    }

    /// One key, in `0..keys`.
    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> u32 {
        if self.cdf.is_empty() {
            rng.random_range(0..self.keys)
        } else {
            self.key_for(rng.random::<f64>())
        }
    }

    /// The key whose cumulative interval holds `u` ∈ [0, 1): the first i
    /// with cdf[i] > u (inversion by binary search).
    #[inline]
    fn key_for(&self, u: f64) -> u32 {
        let i = self.cdf.partition_point(|&c| c <= u);
        // u < 1 = cdf[K−1], so i < K; the `min` guards rounding only.
        (i as u32).min(self.keys - 1)
    }

    /// Probability of key `i` (for tests and analytic checks).
    pub fn probability(&self, i: u32) -> f64 {
        if self.cdf.is_empty() {
            1.0 / f64::from(self.keys)
        } else if i == 0 {
            self.cdf[0]
        } else {
            self.cdf[i as usize] - self.cdf[i as usize - 1]
        }
    }
}

/// Cumulative Zipf probabilities, summed smallest-first for accuracy and
/// normalised so that the last entry is exactly 1.
fn zipf_cdf(keys: u32, s: f64) -> Vec<f64> {
    let weights: Vec<f64> = (1..=keys).map(|i| f64::from(i).powf(-s)).collect();
    let total: f64 = weights.iter().rev().sum();
    let mut cdf = Vec::with_capacity(keys as usize);
    let mut acc = 0.0;
    for w in &weights {
        acc += w;
        cdf.push(acc / total);
    }
    if let Some(last) = cdf.last_mut() {
        *last = 1.0;
    }
    cdf
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::Streams;

    /// The naive reference: scan the weights until their running share
    /// passes u.
    fn naive_key(keys: u32, s: f64, u: f64) -> u32 {
        let total: f64 = (1..=keys).rev().map(|i| f64::from(i).powf(-s)).sum();
        let mut acc = 0.0;
        for i in 1..=keys {
            acc += f64::from(i).powf(-s);
            if acc / total > u {
                return i - 1;
            }
        }
        keys - 1
    }

    #[test]
    fn binary_search_matches_a_linear_scan() {
        // Differential test: the same u gives the same key, for several
        // shapes, including the edges of [0, 1).
        let mut rng = Streams::new(7).stream("keys");
        for &(keys, s) in &[(1u32, 1.0), (2, 0.0), (10, 0.8), (1000, 1.0), (500, 1.6)] {
            let sampler = KeySampler::new(keys, Popularity::Zipf { s }).unwrap();
            let mut us: Vec<f64> = (0..2000).map(|_| rng.random::<f64>()).collect();
            us.extend([
                0.0,
                1.0 - f64::EPSILON,
                sampler.cdf[0],
                sampler.cdf[0] * 0.999_999,
            ]);
            for u in us {
                assert_eq!(
                    sampler.key_for(u),
                    naive_key(keys, s, u),
                    "K={keys} s={s} u={u}"
                );
            }
        }
    }

    #[test]
    fn frequencies_match_probabilities_within_a_binomial_interval() {
        // Theory test: the count of key 0 and of key 9 among n draws lies in
        // the 99.9% normal interval of Binomial(n, p).
        let n = 200_000u32;
        for pop in [Popularity::Uniform, Popularity::Zipf { s: 1.1 }] {
            let sampler = KeySampler::new(100, pop).unwrap();
            let mut rng = Streams::new(11).stream("keys");
            let mut counts = [0u32; 100];
            for _ in 0..n {
                counts[sampler.sample(&mut rng) as usize] += 1;
            }
            for key in [0u32, 9] {
                let p = sampler.probability(key);
                let mean = f64::from(n) * p;
                let half = 3.29 * (mean * (1.0 - p)).sqrt();
                let got = f64::from(counts[key as usize]);
                assert!(
                    (got - mean).abs() <= half,
                    "{pop:?} key {key}: {got} draws, expected {mean:.0} ± {half:.0}"
                );
            }
        }
    }

    #[test]
    fn zipf_probabilities_are_the_closed_form() {
        let sampler = KeySampler::new(3, Popularity::Zipf { s: 1.0 }).unwrap();
        let h = 1.0 + 0.5 + 1.0 / 3.0;
        for (i, want) in [1.0 / h, 0.5 / h, (1.0 / 3.0) / h].into_iter().enumerate() {
            assert!((sampler.probability(i as u32) - want).abs() < 1e-12);
        }
        assert!(KeySampler::new(0, Popularity::Uniform).is_err());
        assert!(KeySampler::new(5, Popularity::Zipf { s: -1.0 }).is_err());
    }
}
