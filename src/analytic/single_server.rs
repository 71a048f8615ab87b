//! Single-server queues beyond M/M/1: M/G/1 via Pollaczek–Khinchine and
//! GI/M/1 via the root σ of σ = A*(μ(1 − σ)), specialised to Erlang-k
//! interarrivals (what a round-robin splitter of one Poisson stream into k
//! backends feeds each backend).
//!
//! Invariants: times in seconds, rates per second; unstable queues (ρ ≥ 1)
//! report `f64::INFINITY` means; λ = 0 gives zero waiting; NaN inputs
//! propagate as NaN. Everything here is FCFS with an infinite buffer.
//!
//! Sources: the Pollaczek–Khinchine mean Wq = λE(S²)/(2(1 − ρ)) with
//! E(S²) = (1 + c_s²)E(S)² is the P-K mean-value formula of Kleinrock,
//! *Queueing Systems* vol. 1, ch. 5 (also Gross, Shortle, Thompson & Harris,
//! *Fundamentals of Queueing Theory*, 4th ed., §5.1). The GI/M/1 result — an
//! arrival finds the server busy with probability σ, the unique root in
//! (0, 1) of σ = A*(μ − μσ) when ρ < 1, and Wq = σ/(μ(1 − σ)) — is
//! Kleinrock vol. 1 §6.4 and Gross et al. §6.3. The Erlang-k transform
//! A*(s) = (kλ/(kλ + s))^k is the LST of a sum of k Exp(kλ) phases
//! (Kleinrock vol. 1 §4.3).

use super::Queue;

/// An M/G/1 station described by its first two service moments.
///
/// Domain: `lambda_per_s ≥ 0`, `mean_service_s > 0`, `service_scv ≥ 0`
/// (squared coefficient of variation Var(S)/E(S)²: 0 for deterministic,
/// 1 for exponential).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MG1 {
    pub lambda_per_s: f64,
    pub mean_service_s: f64,
    pub service_scv: f64,
}

impl MG1 {
    /// M/D/1: deterministic service (scv = 0).
    pub fn md1(lambda_per_s: f64, mean_service_s: f64) -> Self {
        MG1 {
            lambda_per_s,
            mean_service_s,
            service_scv: 0.0,
        }
    }

    /// M/M/1: exponential service (scv = 1).
    pub fn mm1(lambda_per_s: f64, mean_service_s: f64) -> Self {
        MG1 {
            lambda_per_s,
            mean_service_s,
            service_scv: 1.0,
        }
    }

    /// Server utilisation ρ = λ·E(S).
    pub fn utilisation(&self) -> f64 {
        self.lambda_per_s * self.mean_service_s
    }

    /// True when ρ < 1.
    pub fn is_stable(&self) -> bool {
        self.utilisation() < 1.0
    }

    /// Pollaczek–Khinchine mean wait in queue, seconds:
    /// Wq = λE(S²)/(2(1−ρ)) = ρ·E(S)·(1 + c_s²)/(2(1 − ρ)).
    pub fn mean_wait_s(&self) -> f64 {
        if !self.is_stable() {
            return f64::INFINITY;
        }
        let rho = self.utilisation();
        rho * self.mean_service_s * (1.0 + self.service_scv) / (2.0 * (1.0 - rho))
    }
}

/// Little's law for M/G/1; the rest of [`Queue`] is provided.
impl Queue for MG1 {
    fn arrival_rate_per_s(&self) -> f64 {
        self.lambda_per_s
    }

    fn service_mean_s(&self) -> f64 {
        self.mean_service_s
    }

    fn is_stable(&self) -> bool {
        MG1::is_stable(self)
    }

    fn mean_wait_s(&self) -> f64 {
        MG1::mean_wait_s(self)
    }
}

/// GI/M/1: the root σ in (0, 1) of σ = A*(μ(1 − σ)), where `lst` is the
/// Laplace–Stieltjes transform A*(s) = E(e^{−sA}) of the interarrival time
/// and `mu_per_s` the service rate.
///
/// f(σ) = A*(μ(1−σ)) − σ is convex with f(0) > 0 and f(1) = 0; when ρ < 1 it
/// is negative exactly on (σ*, 1), so bisection on its sign converges to σ*.
/// When ρ ≥ 1 there is no interior root and the result tends to 1.0 (read it
/// as "unstable"). Accuracy is ~1e-15 absolute, so 1 − σ is reliable until ρ
/// is within about 1e-12 of 1. `lst` is only evaluated at s in (0, μ].
pub fn gi_m1_sigma(lst: impl Fn(f64) -> f64, mu_per_s: f64) -> f64 {
    let f = |sigma: f64| lst(mu_per_s * (1.0 - sigma)) - sigma;
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        let v = f(mid);
        if v.is_nan() {
            return f64::NAN;
        }
        if v > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Mean wait in queue of a GI/M/1 station, Wq = σ/(μ(1 − σ)), given σ from
/// [`gi_m1_sigma`]. `INFINITY` when σ ≥ 1.
pub fn gi_m1_mean_wait_s(sigma: f64, mu_per_s: f64) -> f64 {
    if sigma >= 1.0 {
        return f64::INFINITY;
    }
    sigma / (mu_per_s * (1.0 - sigma))
}

/// Mean wait in queue, seconds, of an E_k/M/1 station: Erlang-k
/// interarrivals with mean 1/`lambda_per_s` (so `lambda_per_s` is the rate
/// into *this* station — for a round-robin split of a Poisson stream of rate
/// Λ over k backends, λ = Λ/k) and exponential service of mean
/// `mean_service_s`.
///
/// Domain: `k ≥ 1` (k = 0 is treated as 1), `lambda_per_s ≥ 0`,
/// `mean_service_s > 0`. k = 1 is M/M/1; k → ∞ approaches D/M/1.
pub fn ek_m1_mean_wait_s(k: u32, lambda_per_s: f64, mean_service_s: f64) -> f64 {
    let rho = lambda_per_s * mean_service_s;
    if rho.is_nan() {
        return f64::NAN;
    }
    if rho >= 1.0 {
        return f64::INFINITY;
    }
    if lambda_per_s <= 0.0 {
        return 0.0;
    }
    let k = k.max(1);
    let phase_rate = f64::from(k) * lambda_per_s;
    // (kλ/(kλ+s))^k evaluated as exp(−k·ln(1 + s/(kλ))) to stay accurate
    // for large k.
    let lst = |s: f64| (-f64::from(k) * (s / phase_rate).ln_1p()).exp();
    let mu = 1.0 / mean_service_s;
    gi_m1_mean_wait_s(gi_m1_sigma(lst, mu), mu)
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

    #[test]
    fn pk_mean_for_md1_and_mm1() {
        // ρ = 0.5, E[S] = 1 s. M/D/1: Wq = ρE[S]/(2(1−ρ)) = 0.5 s;
        // M/M/1: Wq = ρE[S]/(1−ρ) = 1 s (P-K mean-value formula).
        let d = MG1::md1(0.5, 1.0);
        close(d.mean_wait_s(), 0.5, 1e-12);
        close(d.mean_sojourn_s(), 1.5, 1e-12);
        close(d.mean_queue_len(), 0.25, 1e-12);
        close(d.mean_in_system(), 0.75, 1e-12);
        let m = MG1::mm1(0.5, 1.0);
        close(m.mean_wait_s(), 1.0, 1e-12);
        close(m.mean_in_system(), 1.0, 1e-12); // ρ/(1−ρ)
        // scv = 4 (e.g. hyperexponential), ρ = 0.8, E[S] = 0.1 s:
        // Wq = 0.8·0.1·5/(2·0.2) = 1.0 s (hand-derived).
        let h = MG1 {
            lambda_per_s: 8.0,
            mean_service_s: 0.1,
            service_scv: 4.0,
        };
        close(h.mean_wait_s(), 1.0, 1e-12);
    }

    #[test]
    fn mg1_edges() {
        assert_eq!(MG1::mm1(0.0, 1.0).mean_wait_s(), 0.0);
        assert_eq!(MG1::mm1(0.0, 1.0).mean_queue_len(), 0.0);
        assert_eq!(MG1::md1(1.0, 1.0).mean_wait_s(), f64::INFINITY);
        assert_eq!(MG1::md1(2.0, 1.0).mean_in_system(), f64::INFINITY);
        let near = MG1::md1(0.999_999, 1.0).mean_wait_s();
        close(near, 0.999_999 / (2.0 * 1e-6), 1e-6);
    }

    #[test]
    fn ek_m1_k1_is_mm1() {
        // E_1/M/1 = M/M/1: σ = ρ, Wq = ρ/(μ − λ). λ=0.7, μ=1 → 0.7/0.3.
        close(ek_m1_mean_wait_s(1, 0.7, 1.0), 0.7 / 0.3, 1e-9);
    }

    #[test]
    fn ek_m1_k2_hand_derived() {
        // λ=1, μ=2: σ = (2/(2 + 2(1−σ)))² = 1/(2−σ)², i.e.
        // (σ−1)(σ² − 3σ + 1) = 0, so σ = (3 − √5)/2 and
        // Wq = σ/(2(1−σ)) = (√5 − 1)/4 = 0.309017 s.
        let sqrt5 = 5f64.sqrt();
        close(ek_m1_mean_wait_s(2, 1.0, 0.5), (sqrt5 - 1.0) / 4.0, 1e-9);
        let lst = |s: f64| (2.0 / (2.0 + s)).powi(2);
        close(gi_m1_sigma(lst, 2.0), (3.0 - sqrt5) / 2.0, 1e-12);
    }

    #[test]
    fn ek_m1_large_k_tends_to_dm1() {
        // D/M/1 at ρ=0.5 (λ=0.5, μ=1): σ = e^{−2(1−σ)} = 0.2031878699799799
        // (hand-run fixed-point iteration from σ=0, Kleinrock vol. 1 §6.4),
        // Wq = σ/(1−σ) = 0.25500097 s.
        let dm1 = gi_m1_sigma(|s: f64| (-2.0 * s).exp(), 1.0);
        close(dm1, 0.203_187_869_979_979_9, 1e-10);
        let w = ek_m1_mean_wait_s(100_000, 0.5, 1.0);
        close(w, 0.255_000_974_915_975_2, 1e-4);
        // Monotone in k: more regular arrivals wait less (M/M/1 gives 1 s).
        let w2 = ek_m1_mean_wait_s(2, 0.5, 1.0);
        let w8 = ek_m1_mean_wait_s(8, 0.5, 1.0);
        assert!(1.0 > w2 && w2 > w8 && w8 > w);
    }

    #[test]
    fn ek_m1_edges() {
        assert_eq!(ek_m1_mean_wait_s(4, 0.0, 1.0), 0.0);
        assert_eq!(ek_m1_mean_wait_s(4, 1.0, 1.0), f64::INFINITY);
        // Near saturation the wait is finite and below the M/M/1 value.
        let w = ek_m1_mean_wait_s(4, 0.999, 1.0);
        assert!(w.is_finite() && w > 0.0 && w < 0.999 / 0.001, "{w}");
        // Unstable GI/M/1 via the generic solver: σ → 1.
        let s = gi_m1_sigma(|s: f64| 1.0 / (1.0 + s / 2.0), 1.0);
        assert!(s > 1.0 - 1e-9);
    }
}
