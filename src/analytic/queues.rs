//! Closed forms for Markovian multi-server queues: Erlang B/C, M/M/c means
//! and quantiles, and Jackson tandems of M/M/c stations.
//!
//! Invariants: all times are seconds (`f64`), rates are per second, and
//! every function returns a finite, non-NaN value for inputs inside its
//! documented domain (including λ = 0, c = 500 and ρ → 1). Unstable stations
//! (ρ ≥ 1) report `f64::INFINITY` for means and quantiles and `1.0` for the
//! waiting probability. NaN inputs propagate as NaN.
//!
//! Sources: the Erlang B recursion B(k) = a·B(k−1)/(k + a·B(k−1)) and the
//! conversion C = B/(1 − ρ(1 − B)) are from Gross, Shortle, Thompson & Harris,
//! *Fundamentals of Queueing Theory* (4th ed.) §2.3 and §2.6; the M/M/c means
//! (Wq = C/(cμ − λ), Lq = λWq, Little's law) and the waiting-time tail
//! P(W > t) = C·e^{−(cμ−λ)t} from the same text §2.3 and Kleinrock,
//! *Queueing Systems* vol. 1 §3.4; the sojourn time as the independent sum
//! of that waiting time and an Exp(μ) service (a mixture of an exponential
//! and a hypoexponential) from Gross et al. §2.3; the tandem sum from
//! Jackson (1957), "Networks of waiting lines", Oper. Res. 5(4).

pub use super::Queue;
pub use super::single_server::{MG1, ek_m1_mean_wait_s, gi_m1_mean_wait_s, gi_m1_sigma};

/// Probability that an arrival waits in an M/M/c queue (Erlang C formula).
///
/// `offered_load_erlangs` is a = λ/μ = λ·E(S). Domain: `c ≥ 1`, `a ≥ 0`.
/// Returns 0.0 for a = 0 and 1.0 when a ≥ c (the queue is unstable and every
/// arrival waits), including `c = 0`. Computed through the Erlang B
/// recursion, which involves no factorials or powers and is stable for c in
/// the thousands.
pub fn erlang_c(c: u32, offered_load_erlangs: f64) -> f64 {
    let a = offered_load_erlangs;
    if a.is_nan() {
        return f64::NAN;
    }
    if a >= f64::from(c) {
        return 1.0;
    }
    if a <= 0.0 {
        return 0.0;
    }
    let b = erlang_b(c, a);
    let rho = a / f64::from(c);
    (b / (1.0 - rho * (1.0 - b))).clamp(0.0, 1.0)
}

/// Blocking probability of an M/M/c/c loss system (Erlang B formula).
///
/// Domain: `a ≥ 0`. `c = 0` blocks everything (1.0).
pub fn erlang_b(c: u32, offered_load_erlangs: f64) -> f64 {
    let a = offered_load_erlangs;
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    b
}

/// An M/M/c station: Poisson arrivals, exponential service, `servers`
/// identical servers, FCFS, infinite buffer.
///
/// Domain: `lambda_per_s ≥ 0`, `mean_service_s > 0`, `servers ≥ 1`
/// (`servers = 0` is treated as unstable).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MMc {
    pub lambda_per_s: f64,
    pub mean_service_s: f64,
    pub servers: u32,
}

impl MMc {
    /// Offered load a = λ·E(S) in Erlangs (mean number of busy servers).
    pub fn offered_load_erlangs(&self) -> f64 {
        self.lambda_per_s * self.mean_service_s
    }

    /// Per-server utilisation ρ = λ·E(S)/c; `INFINITY` when `servers = 0`.
    pub fn utilisation(&self) -> f64 {
        if self.servers == 0 {
            return f64::INFINITY;
        }
        self.offered_load_erlangs() / f64::from(self.servers)
    }

    /// Probability that an arrival has to wait (Erlang C); 1.0 if unstable.
    pub fn p_wait(&self) -> f64 {
        erlang_c(self.servers, self.offered_load_erlangs())
    }

    /// Decay rate θ = cμ − λ of the waiting-time tail, per second.
    fn tail_rate_per_s(&self) -> f64 {
        (f64::from(self.servers) - self.offered_load_erlangs()) / self.mean_service_s
    }

    /// q-quantile of the waiting time, seconds: the smallest t with
    /// P(W ≤ t) ≥ q where P(W > t) = C·e^{−(cμ−λ)t}. Zero when q ≤ 1 − C
    /// (the atom at zero covers it). Domain: q in [0, 1); q ≥ 1 → `INFINITY`.
    pub fn wait_quantile_s(&self, q: f64) -> f64 {
        if q.is_nan() {
            return f64::NAN;
        }
        if !self.is_stable() || q >= 1.0 {
            return f64::INFINITY;
        }
        let c = self.p_wait();
        if q <= 1.0 - c {
            return 0.0;
        }
        (c / (1.0 - q)).ln() / self.tail_rate_per_s()
    }

    /// P(T > t) for the sojourn time T = W + S, with W the Erlang-C mixture
    /// (0 w.p. 1−C, Exp(θ) w.p. C) and S ~ Exp(μ) independent.
    fn sojourn_survival(&self, t_s: f64) -> f64 {
        let mu = 1.0 / self.mean_service_s;
        let theta = self.tail_rate_per_s();
        let c = self.p_wait();
        (1.0 - c) * (-mu * t_s).exp() + c * hypoexp_survival(theta, mu, t_s)
    }

    /// q-quantile of the sojourn (response) time, seconds.
    ///
    /// For c = 1 the sojourn time is exactly Exp(μ − λ). For c > 1 the CDF of
    /// W + S is inverted by bisection; the cμ − λ = μ case (where the
    /// textbook convolution divides by zero) is handled by evaluating the
    /// convolution as e^{−at}(1 + a·t·(1 − e^{−(b−a)t})/((b−a)t)), which is
    /// continuous through b = a. Domain: q in [0, 1); q ≥ 1 → `INFINITY`.
    pub fn sojourn_quantile_s(&self, q: f64) -> f64 {
        if q.is_nan() {
            return f64::NAN;
        }
        if !self.is_stable() || q >= 1.0 {
            return f64::INFINITY;
        }
        if q <= 0.0 {
            return 0.0;
        }
        let tail = 1.0 - q;
        if self.servers == 1 {
            return -tail.ln() / self.tail_rate_per_s();
        }
        let mut lo = 0.0;
        let mut hi = self.mean_sojourn_s().max(self.mean_service_s);
        while self.sojourn_survival(hi) > tail {
            lo = hi;
            hi *= 2.0;
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if self.sojourn_survival(mid) > tail {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }

    /// True when ρ < 1, i.e. a steady state exists.
    pub fn is_stable(&self) -> bool {
        self.utilisation() < 1.0
    }

    /// Mean time in queue Wq = C/(cμ − λ), seconds.
    pub fn mean_wait_s(&self) -> f64 {
        if !self.is_stable() {
            return f64::INFINITY;
        }
        self.p_wait() / self.tail_rate_per_s()
    }
}

/// Little's law for M/M/c; the rest of [`Queue`] is provided.
impl Queue for MMc {
    fn arrival_rate_per_s(&self) -> f64 {
        self.lambda_per_s
    }

    fn service_mean_s(&self) -> f64 {
        self.mean_service_s
    }

    fn is_stable(&self) -> bool {
        MMc::is_stable(self)
    }

    fn mean_wait_s(&self) -> f64 {
        MMc::mean_wait_s(self)
    }
}

/// P(X + Y > t) for independent X ~ Exp(r1), Y ~ Exp(r2), r1, r2 > 0.
/// Written around the smaller rate a so that no intermediate overflows and
/// the equal-rate limit e^{−at}(1 + at) is reached without cancellation.
fn hypoexp_survival(r1: f64, r2: f64, t_s: f64) -> f64 {
    let (a, b) = if r1 <= r2 { (r1, r2) } else { (r2, r1) };
    let x = (b - a) * t_s;
    let g = if x > 0.0 { -(-x).exp_m1() / x } else { 1.0 };
    (-a * t_s).exp() * (1.0 + a * t_s * g)
}

/// Mean end-to-end sojourn through a tandem of M/M/1 stations fed by one
/// Poisson stream (Jackson: each station is an independent M/M/1, so the
/// means add). `INFINITY` if any station is unstable; 0 for no stations.
pub fn tandem_mm1_mean_sojourn_s(lambda_per_s: f64, mean_service_s: &[f64]) -> f64 {
    mean_service_s
        .iter()
        .map(|&s| {
            MMc {
                lambda_per_s,
                mean_service_s: s,
                servers: 1,
            }
            .mean_sojourn_s()
        })
        .fold(0.0, |acc, t| acc + t)
}

/// Mean end-to-end sojourn through a Jackson network path of M/M/c
/// stations (each with its own arrival rate, e.g. after splits): the sum of
/// the stations' mean sojourns. `INFINITY` if any station is unstable.
pub fn tandem_mmc_mean_sojourn_s(stations: &[MMc]) -> f64 {
    stations
        .iter()
        .map(MMc::mean_sojourn_s)
        .fold(0.0, |acc, t| acc + t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, rel: f64) {
        assert!(
            (actual - expected).abs() <= rel * expected.abs().max(1e-300),
            "actual {actual} expected {expected}"
        );
    }

    fn mmc(lambda_per_s: f64, mean_service_s: f64, servers: u32) -> MMc {
        MMc {
            lambda_per_s,
            mean_service_s,
            servers,
        }
    }

    #[test]
    fn erlang_c_matches_published_values() {
        // c=2, a=1: (a^2/2!·2/(2−1)) / (1 + 1 + 1) = 1/3 (hand-derived).
        close(erlang_c(2, 1.0), 1.0 / 3.0, 1e-12);
        // c=3, a=1.5: 1.125 / (1 + 1.5 + 1.125 + 1.125) = 9/38 (hand-derived).
        close(erlang_c(3, 1.5), 9.0 / 38.0, 1e-12);
        // c=10, a=8: 0.4092 in standard Erlang C tables (e.g. Gross et al.);
        // Erlang B(10, 8) = 0.12166 in Erlang B tables.
        close(erlang_c(10, 8.0), 0.409_180_150_796_443_5, 1e-9);
        close(erlang_b(10, 8.0), 0.121_661_064_252_951_5, 1e-9);
        // M/M/1: C = ρ.
        close(erlang_c(1, 0.7), 0.7, 1e-12);
    }

    #[test]
    fn erlang_c_edges() {
        assert_eq!(erlang_c(4, 0.0), 0.0);
        assert_eq!(erlang_c(4, 4.0), 1.0);
        assert_eq!(erlang_c(4, 9.0), 1.0);
        assert_eq!(erlang_c(0, 0.0), 1.0);
        // c = 500 near saturation: finite, in (0,1), increasing in load.
        let mut prev = 0.0;
        for a in [400.0, 450.0, 490.0, 499.0, 499.999] {
            let c = erlang_c(500, a);
            assert!(c.is_finite() && c > prev && c < 1.0, "a={a} C={c}");
            prev = c;
        }
    }

    #[test]
    fn mm2_means_match_closed_form() {
        // M/M/2, λ=1, E[S]=1 (ρ=0.5): C=1/3, Wq = C/(2−1) = 1/3,
        // W = 4/3, L = 2ρ/(1−ρ²) = 4/3 (Gross et al. §2.3).
        let q = mmc(1.0, 1.0, 2);
        close(q.utilisation(), 0.5, 1e-12);
        close(q.mean_wait_s(), 1.0 / 3.0, 1e-12);
        close(q.mean_sojourn_s(), 4.0 / 3.0, 1e-12);
        close(q.mean_queue_len(), 1.0 / 3.0, 1e-12);
        close(q.mean_in_system(), 4.0 / 3.0, 1e-12);
    }

    #[test]
    fn mm1_means_and_quantiles() {
        // M/M/1, λ=0.5/s, E[S]=1 s: W = 1/(μ−λ) = 2 s, Wq = ρ/(μ−λ) = 1 s.
        let q = mmc(0.5, 1.0, 1);
        close(q.mean_sojourn_s(), 2.0, 1e-12);
        close(q.mean_wait_s(), 1.0, 1e-12);
        // Sojourn ~ Exp(0.5): 95th percentile = ln(20)/0.5 = 5.9915 s.
        close(q.sojourn_quantile_s(0.95), 20f64.ln() / 0.5, 1e-12);
        // Wait: P(W>t) = 0.5·e^{−0.5t}; q=0.95 → t = 2·ln(0.5/0.05) = 2 ln 10.
        close(q.wait_quantile_s(0.95), 2.0 * 10f64.ln(), 1e-12);
        assert_eq!(q.wait_quantile_s(0.4), 0.0);
    }

    #[test]
    fn mixture_survival_reduces_to_exponential_for_one_server() {
        // For c=1 the mixture (1−ρ)e^{−μt} + ρ·Hypo(μ−λ, μ) must equal
        // e^{−(μ−λ)t}, the textbook M/M/1 sojourn law (Kleinrock §3.2).
        let q = mmc(0.7, 0.5, 1);
        for t in [0.0, 0.1, 1.0, 3.0, 10.0] {
            close(q.sojourn_survival(t), (-(2.0 - 0.7) * t).exp(), 1e-12);
        }
    }

    #[test]
    fn mmc_wait_and_sojourn_quantiles() {
        // M/M/2, λ=1, E[S]=1: C=1/3, θ=1. Wait q=0.9 → ln((1/3)/0.1) = ln(10/3).
        let q = mmc(1.0, 1.0, 2);
        close(q.wait_quantile_s(0.9), (10.0f64 / 3.0).ln(), 1e-12);
        assert_eq!(q.wait_quantile_s(0.5), 0.0);
        // Here θ = cμ − λ = μ = 1, the special case: P(T>t) = (2/3)e^{−t} +
        // (1/3)e^{−t}(1+t) = e^{−t}(1 + t/3). Solving = 0.1 by hand-run
        // bisection gives t = 2.994878290817413.
        close(q.sojourn_quantile_s(0.9), 2.994_878_290_817_413, 1e-9);
        // M/M/3, λ=1.5, E[S]=1: C = 9/38, θ = 1.5, μ = 1; P(T>t) =
        // (1−C)e^{−t} + C(e^{−1.5t}·1 − 1.5e^{−t})/(1 − 1.5) = 0.05 at
        // t = 3.3204489649869533 (independent evaluation of Gross et al.).
        let q = mmc(1.5, 1.0, 3);
        close(q.sojourn_quantile_s(0.95), 3.320_448_964_986_953_3, 1e-9);
        assert_eq!(q.sojourn_quantile_s(0.0), 0.0);
        assert_eq!(q.sojourn_quantile_s(1.0), f64::INFINITY);
    }

    #[test]
    fn idle_and_unstable_edges() {
        // λ = 0: no waiting; sojourn is the Exp(μ) service alone.
        let q = mmc(0.0, 0.2, 4);
        assert_eq!(q.mean_wait_s(), 0.0);
        assert_eq!(q.mean_queue_len(), 0.0);
        close(q.mean_sojourn_s(), 0.2, 1e-15);
        close(q.sojourn_quantile_s(0.5), 0.2 * 2f64.ln(), 1e-9);
        assert_eq!(q.wait_quantile_s(0.99), 0.0);
        // ρ ≥ 1: everything infinite.
        let u = mmc(4.0, 1.0, 4);
        assert!(!u.is_stable());
        assert_eq!(u.mean_wait_s(), f64::INFINITY);
        assert_eq!(u.mean_in_system(), f64::INFINITY);
        assert_eq!(u.sojourn_quantile_s(0.5), f64::INFINITY);
        assert_eq!(mmc(1.0, 1.0, 0).mean_sojourn_s(), f64::INFINITY);
        // c = 500 at ρ = 0.999: finite, positive, no NaN.
        let big = mmc(499.5, 1.0, 500);
        for v in [
            big.mean_wait_s(),
            big.mean_queue_len(),
            big.wait_quantile_s(0.99),
            big.sojourn_quantile_s(0.99),
        ] {
            assert!(v.is_finite() && v > 0.0, "{v}");
        }
    }

    #[test]
    fn tandem_is_sum_of_stations() {
        // λ=1: 1/(2−1) + 1/(4−1) = 4/3 s (Jackson 1957).
        close(
            tandem_mm1_mean_sojourn_s(1.0, &[0.5, 0.25]),
            4.0 / 3.0,
            1e-12,
        );
        assert_eq!(tandem_mm1_mean_sojourn_s(1.0, &[0.5, 1.0]), f64::INFINITY);
        let s = [mmc(1.0, 1.0, 2), mmc(1.0, 0.5, 1)];
        close(tandem_mmc_mean_sojourn_s(&s), 4.0 / 3.0 + 1.0, 1e-12);
    }
}
