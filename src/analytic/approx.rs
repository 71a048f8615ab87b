//! Two-moment approximations for queues without a closed form: GI/G/c mean
//! waits by Allen–Cunneen, and the variability of a station's departures by
//! Whitt's QNA linking equation — what `check` uses for a station fed by
//! another station or by a round robin over several workers each.
//!
//! Invariants: times in seconds, rates per second; ρ ≥ 1 gives
//! `f64::INFINITY` waits; λ = 0 gives zero; both reduce to the exact M/M/c
//! figures when c_a² = c_s² = 1.
//!
//! Sources: Allen (1990), *Probability, Statistics and Queueing Theory*,
//! 2nd ed., §6 — Wq(GI/G/c) ≈ Wq(M/M/c)·(c_a² + c_s²)/2 (the Allen–Cunneen
//! approximation; for c = 1 it is Kingman's heavy-traffic form, exact for
//! M/G/1); Whitt (1983), "The Queueing Network Analyzer", Bell System
//! Technical Journal 62(9), eq. (39): the departures' squared coefficient of
//! variation c_d² = 1 + (1 − ρ²)(c_a² − 1) + ρ²(c_s² − 1)/√c.

use super::MMc;

/// Allen–Cunneen mean wait in queue (s) of a GI/G/c station: arrivals of rate
/// `lambda_per_s` with squared coefficient of variation `arrival_scv`,
/// service of mean `mean_service_s` and scv `service_scv`, `servers` ≥ 1.
pub fn allen_cunneen_wait_s(
    lambda_per_s: f64,
    mean_service_s: f64,
    servers: u32,
    arrival_scv: f64,
    service_scv: f64,
) -> f64 {
    let mmc = MMc {
        lambda_per_s,
        mean_service_s,
        servers: servers.max(1),
    }
    .mean_wait_s();
    if !mmc.is_finite() {
        return mmc;
    }
    mmc * (arrival_scv + service_scv) / 2.0
}

/// QNA's squared coefficient of variation of a GI/G/c station's departures
/// (Whitt 1983, eq. 39); ρ is clamped to 1 (a saturated station departs at
/// the pace of its service).
pub fn departure_scv(rho: f64, servers: u32, arrival_scv: f64, service_scv: f64) -> f64 {
    let r2 = rho.clamp(0.0, 1.0).powi(2);
    let c = f64::from(servers.max(1));
    (1.0 + (1.0 - r2) * (arrival_scv - 1.0) + r2 * (service_scv - 1.0) / c.sqrt()).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytic::{MG1, ek_m1_mean_wait_s};

    fn close(actual: f64, expected: f64, rel: f64) {
        assert!(
            (actual - expected).abs() <= rel * expected.abs(),
            "actual {actual} expected {expected}"
        );
    }

    #[test]
    fn reduces_to_mmc_and_pk() {
        // c_a² = c_s² = 1: Erlang C. M/M/2, λ = 1.5, E[S] = 1: a = 1.5,
        // C = 0.642857 (= 9/14), Wq = C/(cμ − λ) = (9/14)/0.5 = 9/7 s.
        close(
            allen_cunneen_wait_s(1.5, 1.0, 2, 1.0, 1.0),
            9.0 / 7.0,
            1e-12,
        );
        // c = 1, c_a² = 1: exactly Pollaczek–Khinchine (M/D/1 at ρ = 0.5).
        let pk = MG1::md1(0.5, 1.0).mean_wait_s();
        close(allen_cunneen_wait_s(0.5, 1.0, 1, 1.0, 0.0), pk, 1e-12);
    }

    #[test]
    fn erlang_arrivals_between_mm1_and_exact() {
        // E2/M/1 at λ = 1, μ = 2: exact Wq = (√5 − 1)/4 = 0.3090 s (GI/M/1);
        // Allen–Cunneen: 0.5·(1/2 + 1)/2 = 0.375 s; M/M/1: 0.5 s.
        let ac = allen_cunneen_wait_s(1.0, 0.5, 1, 0.5, 1.0);
        close(ac, 0.375, 1e-12);
        let exact = ek_m1_mean_wait_s(2, 1.0, 0.5);
        assert!(exact < ac && ac < 0.5, "{exact} {ac}");
    }

    #[test]
    fn edges() {
        assert_eq!(allen_cunneen_wait_s(0.0, 1.0, 3, 0.5, 1.0), 0.0);
        assert_eq!(allen_cunneen_wait_s(3.0, 1.0, 3, 0.5, 1.0), f64::INFINITY);
    }

    #[test]
    fn departures() {
        // Poisson in, exponential service: Poisson out (Burke).
        close(departure_scv(0.7, 3, 1.0, 1.0), 1.0, 1e-12);
        // Idle station passes its arrivals through; a saturated single
        // server departs like its service: 1 + (0.25 − 1) = 0.25.
        close(departure_scv(0.0, 1, 0.5, 0.0), 0.5, 1e-12);
        close(departure_scv(1.0, 1, 0.5, 0.25), 0.25, 1e-12);
        // ρ = 0.5, c = 4, c_a² = 0.5, c_s² = 0: 1 − 0.75·0.5 − 0.25/2 = 0.5.
        close(departure_scv(0.5, 4, 0.5, 0.0), 0.5, 1e-12);
    }
}
