//! The queueing model of one station and its mean wait: the arrival
//! stream's variability (Poisson, Erlang-n behind a round robin, or the
//! departures of the station before) and the service's pick the formula —
//! Erlang C for M/M/c, Pollaczek–Khinchine for M/G/1, the GI/M/1 root for
//! E<n>/M/1 (exact, `analytic`), Allen–Cunneen for the rest (marked `≈`).
//! The model's name, `arrival/service/servers`, labels the row in `check`.
//!
//! A stream is "exactly Erlang-n" only when a round robin without its own
//! threads splits a Poisson stream over n equal backends; a balancer with
//! threads, or a station before, makes it approximate (its c² from QNA).

use crate::analytic::{MG1, MMc, allen_cunneen_wait_s, ek_m1_mean_wait_s};

/// How requests arrive at a station: c², and whether they are exactly
/// Erlang-n (`Some(n)`, n = 1 for Poisson) or only approximated.
#[derive(Clone, Copy, Debug)]
pub(super) struct Stream {
    pub(super) scv: f64,
    pub(super) exact_erlang: Option<u32>,
    pub(super) letter_n: u32,
    pub(super) from_station: bool,
}

pub(super) const POISSON: Stream = Stream {
    scv: 1.0,
    exact_erlang: Some(1),
    letter_n: 1,
    from_station: false,
};

/// The estimate of one station: its wait and the model's name.
pub(super) fn estimate(
    lambda: f64,
    hold: f64,
    workers: u32,
    arr: Stream,
    service_scv: f64,
) -> (f64, String) {
    let a = if arr.from_station {
        "G".to_string()
    } else if arr.letter_n > 1 {
        format!("E{}", arr.letter_n)
    } else {
        "M".to_string()
    };
    let exp_service = (service_scv - 1.0).abs() < 1e-9;
    let s = if exp_service {
        "M"
    } else if service_scv == 0.0 {
        "D"
    } else {
        "G"
    };
    let c = if workers == 1 { "1" } else { "c" };
    let mmc = MMc {
        lambda_per_s: lambda,
        mean_service_s: hold.max(1e-15),
        servers: workers,
    };
    let (wait, exact) = match arr.exact_erlang {
        _ if lambda == 0.0 => (0.0, true),
        Some(1) if exp_service => (mmc.mean_wait_s(), true),
        Some(1) if workers == 1 => (
            MG1 {
                lambda_per_s: lambda,
                mean_service_s: hold,
                service_scv,
            }
            .mean_wait_s(),
            true,
        ),
        Some(n) if exp_service && workers == 1 => (ek_m1_mean_wait_s(n, lambda, hold), true),
        _ => (
            allen_cunneen_wait_s(lambda, hold.max(1e-15), workers, arr.scv, service_scv),
            false,
        ),
    };
    (wait, format!("{a}/{s}/{c}{}", if exact { "" } else { "≈" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_exact_cases() {
        // Poisson, exponential: Erlang C, exact. M/M/2 at λ = 1.5, E[S] = 1:
        // Wq = 9/7 s.
        let (w, l) = estimate(1.5, 1.0, 2, POISSON, 1.0);
        assert_eq!(l, "M/M/c");
        assert!((w - 9.0 / 7.0).abs() < 1e-12);
        // Poisson, constant service, one worker: P-K, exact (ρ = 0.5: 0.5 s).
        let (w, l) = estimate(0.5, 1.0, 1, POISSON, 0.0);
        assert_eq!(l, "M/D/1");
        assert!((w - 0.5).abs() < 1e-12);
        // Erlang-2, exponential, one worker: GI/M/1, exact: (√5 − 1)/4 s.
        let e2 = Stream {
            scv: 0.5,
            exact_erlang: Some(2),
            letter_n: 2,
            from_station: false,
        };
        let (w, l) = estimate(1.0, 0.5, 1, e2, 1.0);
        assert_eq!(l, "E2/M/1");
        assert!((w - (5f64.sqrt() - 1.0) / 4.0).abs() < 1e-9);
        // Erlang-2 into 2 workers: Allen–Cunneen, 0.75 × Erlang C.
        let (w, l) = estimate(1.5, 1.0, 2, e2, 1.0);
        assert_eq!(l, "E2/M/c≈");
        assert!((w - 0.75 * 9.0 / 7.0).abs() < 1e-12);
    }
}
