//! Reliability block diagrams (RBDs) for steady-state availability of
//! independently failing and independently repaired components.
//!
//! A component alternates up (mean `mtbf_h` hours) and down (mean `mttr_h`
//! hours), so its steady-state availability is A = MTBF/(MTBF + MTTR) for any
//! up/down distributions (alternating renewal process). Compositions assume
//! independence: series A = Π Aᵢ; parallel (1-of-n redundancy) A = 1 − Π(1 −
//! Aᵢ); k-of-n A = P(at least k of n blocks up), computed for non-identical
//! blocks by the O(n²) dynamic programme over "number of blocks up so far".
//!
//! Invariants: `availability() + unavailability() = 1` up to rounding, both
//! in [0, 1]; each is computed by its own recursion (products of the small
//! quantity, `ln_1p`/`exp_m1` for the complement) so that six-plus nines
//! keep full relative precision in `unavailability()`. An empty `Series` is
//! always up and an empty `Parallel` is always down; `KOfN` with k = 0 is
//! always up and with k > n always down.
//!
//! Sources: Trivedi, *Probability and Statistics with Reliability, Queuing,
//! and Computer Science Applications* (2nd ed., 2002) — series, parallel and
//! k-out-of-n reliability, and steady-state availability of a two-state
//! repairable component; Barlow & Proschan, *Statistical Theory of
//! Reliability and Life Testing* (1975) ch. 2 (coherent structures, series
//! failure rate Σλᵢ for exponential lifetimes).

/// Minutes in a (Julian) year of 365.25 days.
const MIN_PER_YEAR: f64 = 365.25 * 24.0 * 60.0;

/// A reliability block diagram.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A repairable component. Domain: `mtbf_h > 0`, `mttr_h ≥ 0`.
    Component {
        name: String,
        mtbf_h: f64,
        mttr_h: f64,
    },
    /// Up only if every child is up.
    Series(Vec<Block>),
    /// Up if at least one child is up.
    Parallel(Vec<Block>),
    /// Up if at least `k` of the children are up.
    KOfN { k: u32, blocks: Vec<Block> },
}

impl Block {
    /// Convenience constructor for a component.
    pub fn component(name: &str, mtbf_h: f64, mttr_h: f64) -> Self {
        Block::Component {
            name: name.to_string(),
            mtbf_h,
            mttr_h,
        }
    }

    /// Steady-state availability in [0, 1].
    pub fn availability(&self) -> f64 {
        match self {
            Block::Component { mtbf_h, mttr_h, .. } => {
                if *mttr_h <= 0.0 {
                    1.0
                } else {
                    1.0 / (1.0 + mttr_h / mtbf_h)
                }
            }
            Block::Series(bs) => bs.iter().map(Block::availability).product(),
            Block::Parallel(bs) => complement_of_product(bs.iter().map(Block::unavailability)),
            Block::KOfN { k, blocks } => at_least_k_up(*k, blocks).0,
        }
    }

    /// Steady-state unavailability 1 − A in [0, 1], computed directly for
    /// precision when A is very close to 1.
    pub fn unavailability(&self) -> f64 {
        match self {
            Block::Component { mtbf_h, mttr_h, .. } => {
                if *mttr_h <= 0.0 {
                    0.0
                } else {
                    1.0 / (1.0 + mtbf_h / mttr_h)
                }
            }
            Block::Series(bs) => complement_of_product(bs.iter().map(Block::availability)),
            Block::Parallel(bs) => bs.iter().map(Block::unavailability).product(),
            Block::KOfN { k, blocks } => at_least_k_up(*k, blocks).1,
        }
    }

    /// Number of nines of availability, −log10(1 − A), from the directly
    /// computed unavailability (so 1e-12 unavailability gives 12, not the
    /// rounding noise of 1 − A).
    pub fn nines(&self) -> f64 {
        -self.unavailability().log10()
    }

    /// Expected downtime per 365.25-day year, minutes.
    pub fn downtime_min_per_year(&self) -> f64 {
        self.unavailability() * MIN_PER_YEAR
    }

    /// Rate of failures from the all-up state, per hour: 1/MTBF for a
    /// component and Σ λᵢ for a series of blocks that each have a rate
    /// (exact time-to-first-failure for exponential lifetimes). `None` for
    /// `Parallel` and `KOfN` (redundant structures have no constant failure
    /// rate) and for any series containing one.
    pub fn failure_rate_per_h(&self) -> Option<f64> {
        match self {
            Block::Component { mtbf_h, .. } => Some(1.0 / mtbf_h),
            Block::Series(bs) => bs
                .iter()
                .map(Block::failure_rate_per_h)
                .try_fold(0.0, |acc, r| r.map(|r| acc + r)),
            Block::Parallel(_) | Block::KOfN { .. } => None,
        }
    }

    /// Equivalent MTBF 1/Σλᵢ, hours, where [`Block::failure_rate_per_h`] is
    /// defined (`INFINITY` for an empty series).
    pub fn equivalent_mtbf_h(&self) -> Option<f64> {
        self.failure_rate_per_h().map(|r| 1.0 / r)
    }
}

/// 1 − Π xᵢ for xᵢ in [0, 1], as −expm1(Σ ln xᵢ): precise when the product
/// is close to 1 (i.e. the complement is tiny).
fn complement_of_product(xs: impl Iterator<Item = f64>) -> f64 {
    let log_sum: f64 = xs.map(f64::ln).sum();
    (-log_sum.exp_m1()).clamp(0.0, 1.0)
}

/// (P(at least k up), P(fewer than k up)) for independent blocks, by the
/// dynamic programme dist[j] = P(exactly j of the blocks seen so far up).
fn at_least_k_up(k: u32, blocks: &[Block]) -> (f64, f64) {
    let k = k as usize;
    if k == 0 {
        return (1.0, 0.0);
    }
    if k > blocks.len() {
        return (0.0, 1.0);
    }
    let mut dist = vec![0.0; blocks.len() + 1];
    dist[0] = 1.0;
    for (seen, b) in blocks.iter().enumerate() {
        let (a, u) = (b.availability(), b.unavailability());
        for j in (0..=seen + 1).rev() {
            let up = if j > 0 { dist[j - 1] * a } else { 0.0 };
            dist[j] = dist[j] * u + up;
        }
    }
    let up: f64 = dist[k..].iter().sum();
    let down: f64 = dist[..k].iter().sum();
    (up.clamp(0.0, 1.0), down.clamp(0.0, 1.0))
}

/// Number of nines, −log10(1 − a). Domain: a in [0, 1]; a ≥ 1 gives
/// `INFINITY`. Prefer [`Block::nines`] when very close to 1.
pub fn nines(a: f64) -> f64 {
    if a >= 1.0 {
        return f64::INFINITY;
    }
    -(1.0 - a).log10()
}

/// Expected downtime in minutes per 365.25-day year at availability `a`.
/// Domain: a in [0, 1].
pub fn downtime_min_per_year(a: f64) -> f64 {
    (1.0 - a) * MIN_PER_YEAR
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, rel: f64) {
        assert!(
            (actual - expected).abs() <= rel * expected.abs(),
            "actual {actual} expected {expected}"
        );
    }

    /// A component with availability exactly a (MTBF = a, MTTR = 1 − a).
    fn comp(a: f64) -> Block {
        Block::component("c", a, 1.0 - a)
    }

    #[test]
    fn component_series_parallel_hand_values() {
        // MTBF 999 h, MTTR 1 h: A = 0.999, 3 nines, 525.96 min/year down.
        let c = Block::component("db", 999.0, 1.0);
        close(c.availability(), 0.999, 1e-12);
        close(c.nines(), 3.0, 1e-9);
        close(c.downtime_min_per_year(), 525.96, 1e-9);
        // Two 0.99 blocks: series 0.99² = 0.9801; parallel 1 − 0.01² = 0.9999.
        let s = Block::Series(vec![comp(0.99), comp(0.99)]);
        let p = Block::Parallel(vec![comp(0.99), comp(0.99)]);
        close(s.availability(), 0.9801, 1e-12);
        close(s.unavailability(), 0.0199, 1e-12);
        close(p.availability(), 0.9999, 1e-12);
        close(p.unavailability(), 1e-4, 1e-9);
        // Nested: LB (0.9995) in series with 2 × 0.99 web servers in parallel:
        // 0.9995 · 0.9999 = 0.99940005.
        let sys = Block::Series(vec![comp(0.9995), p]);
        close(sys.availability(), 0.999_400_05, 1e-12);
    }

    #[test]
    fn k_of_n_hand_values() {
        // 2-of-3 identical 0.9: 3·0.9²·0.1 + 0.9³ = 0.243 + 0.729 = 0.972.
        let b = Block::KOfN {
            k: 2,
            blocks: vec![comp(0.9), comp(0.9), comp(0.9)],
        };
        close(b.availability(), 0.972, 1e-12);
        close(b.unavailability(), 0.028, 1e-12);
        // 2-of-3 non-identical 0.9, 0.8, 0.7: 0.9·0.8·0.3 + 0.9·0.2·0.7 +
        // 0.1·0.8·0.7 + 0.9·0.8·0.7 = 0.216 + 0.126 + 0.056 + 0.504 = 0.902.
        let b = Block::KOfN {
            k: 2,
            blocks: vec![comp(0.9), comp(0.8), comp(0.7)],
        };
        close(b.availability(), 0.902, 1e-12);
    }

    #[test]
    fn k_of_n_reduces_to_series_and_parallel() {
        let xs = vec![comp(0.95), comp(0.8), comp(0.99), comp(0.6)];
        let one = Block::KOfN {
            k: 1,
            blocks: xs.clone(),
        };
        let all = Block::KOfN {
            k: 4,
            blocks: xs.clone(),
        };
        let par = Block::Parallel(xs.clone()).availability();
        let ser = Block::Series(xs.clone()).availability();
        close(one.availability(), par, 1e-12);
        close(all.availability(), ser, 1e-12);
        let zero = Block::KOfN {
            k: 0,
            blocks: xs.clone(),
        };
        let too_many = Block::KOfN { k: 5, blocks: xs };
        assert_eq!(zero.availability(), 1.0);
        assert_eq!(too_many.availability(), 0.0);
    }

    #[test]
    fn precision_for_many_nines() {
        // Two components with U = 1e-9 in parallel: U = 1e-18, 18 nines,
        // which 1 − A cannot represent in f64.
        let u = 1e-9;
        let b = Block::Parallel(vec![comp(1.0 - u), comp(1.0 - u)]);
        close(b.unavailability(), 1e-18, 1e-6);
        close(b.nines(), 18.0, 1e-6);
        // Series of 1000 components at U = 1e-7: U ≈ 1 − (1 − 1e-7)^1000
        // = 9.99950e-5 (binomial expansion 1e-4 − 499500e-14 + ...).
        let s = Block::Series((0..1000).map(|_| comp(1.0 - 1e-7)).collect());
        close(s.unavailability(), 1e-4 - 4.995e-9, 1e-6);
    }

    #[test]
    fn helpers_and_rates() {
        // Four nines: 52.596 min/year (the usual "52.6 minutes").
        close(downtime_min_per_year(0.9999), 52.596, 1e-9);
        close(nines(0.99999), 5.0, 1e-9);
        assert_eq!(nines(1.0), f64::INFINITY);
        assert_eq!(nines(0.0), 0.0);
        // Series rates add: 1/1000 + 1/500 = 0.003/h → MTBF 333.33 h.
        let s = Block::Series(vec![
            Block::component("a", 1000.0, 2.0),
            Block::component("b", 500.0, 1.0),
        ]);
        close(s.failure_rate_per_h().unwrap(), 0.003, 1e-12);
        close(s.equivalent_mtbf_h().unwrap(), 1000.0 / 3.0, 1e-12);
        assert_eq!(Block::Parallel(vec![s.clone()]).failure_rate_per_h(), None);
        assert_eq!(
            Block::Series(vec![]).equivalent_mtbf_h(),
            Some(f64::INFINITY)
        );
    }

    #[test]
    fn edges() {
        assert_eq!(Block::component("x", 10.0, 0.0).availability(), 1.0);
        assert_eq!(Block::component("x", 0.0, 1.0).availability(), 0.0);
        assert_eq!(
            Block::component("x", f64::INFINITY, 1.0).availability(),
            1.0
        );
        assert_eq!(Block::Series(vec![]).availability(), 1.0);
        assert_eq!(Block::Parallel(vec![]).availability(), 0.0);
        assert_eq!(Block::Parallel(vec![]).unavailability(), 1.0);
        let dead = Block::Parallel(vec![comp(0.0), comp(0.0)]);
        assert_eq!(dead.availability(), 0.0);
        let down = Block::Series(vec![comp(0.0), comp(0.5)]);
        assert_eq!(down.unavailability(), 1.0);
    }
}
