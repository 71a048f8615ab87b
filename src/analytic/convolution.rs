//! Normalising constants of closed product-form networks in log space,
//! used by [`super::mva`] to obtain the multi-server empty probability
//! p(0 | n) = G₋(n)/G(n) without the catastrophic subtraction of the
//! textbook load-dependent MVA.
//!
//! Invariant: every quantity is a natural log of a sum of non-negative terms,
//! combined by log-sum-exp, so nothing overflows (G(n) spans thousands of
//! orders of magnitude for m = 500, N = 2000) and nothing cancels. An empty
//! sum is −∞.
//!
//! Source: Buzen (1973), "Computational algorithms for closed queueing
//! networks with exponential servers", CACM 16(9) — G(n) as the convolution
//! of per-centre factors f(j) = D^j / Π_{i≤j} α(i); Gordon & Newell (1967)
//! for the product form; Bolch et al., *Queueing Networks and Markov
//! Chains* (2nd ed.) §8.1 for the load-dependent factors.

use super::mva::Centre;

/// ln(e^a + e^b) without overflow; either argument may be −∞.
pub(crate) fn log_add(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    if lo == f64::NEG_INFINITY {
        return hi;
    }
    hi + (lo - hi).exp().ln_1p()
}

/// ln G₋(n) for n = 0..=users: the normalising constant of the network with
/// centre `skip` removed, the think time kept as a delay centre. A centre
/// with demand D contributes factors f(j) = D^j / Π_{i≤j} α(i), α(i) = 1 for
/// a queue, i for a delay, min(i, m) for m servers (Buzen 1973). All delays
/// (and multi-servers with m ≥ users, which never queue) merge into one
/// delay of summed demand, since (Σ Dᵢ)^j/j! is their convolution.
pub(crate) fn complement_log_g(
    centres: &[Centre],
    skip: usize,
    think_time_s: f64,
    users: u32,
) -> Vec<f64> {
    let n_max = users as usize;
    let mut delay_s = think_time_s.max(0.0);
    let mut queues = Vec::new();
    let mut multis = Vec::new();
    for (i, c) in centres.iter().enumerate() {
        if i == skip || c.demand_s() <= 0.0 {
            continue;
        }
        match *c {
            Centre::Queue { demand_s } => queues.push(demand_s),
            Centre::Delay { demand_s } => delay_s += demand_s,
            Centre::MultiServer { demand_s, servers } => {
                if servers <= 1 {
                    queues.push(demand_s);
                } else if servers >= users {
                    delay_s += demand_s;
                } else {
                    multis.push((demand_s, servers));
                }
            }
        }
    }
    let mut lg = vec![f64::NEG_INFINITY; n_max + 1];
    lg[0] = 0.0;
    if delay_s > 0.0 {
        for j in 1..=n_max {
            lg[j] = lg[j - 1] + delay_s.ln() - (j as f64).ln();
        }
    }
    for d in queues {
        for j in 1..=n_max {
            lg[j] = log_add(lg[j], d.ln() + lg[j - 1]);
        }
    }
    for (d, m) in multis {
        let mut lf = vec![0.0; n_max + 1];
        for j in 1..=n_max {
            lf[j] = lf[j - 1] + d.ln() - (j.min(m as usize) as f64).ln();
        }
        let prev = lg.clone();
        for (j, out) in lg.iter_mut().enumerate() {
            let terms = (0..=j).map(|t| lf[t] + prev[j - t]);
            let top = terms.clone().fold(f64::NEG_INFINITY, f64::max);
            if top > f64::NEG_INFINITY {
                *out = top + terms.map(|v| (v - top).exp()).sum::<f64>().ln();
            }
        }
    }
    lg
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
    fn log_add_is_log_of_sum() {
        close(log_add(2f64.ln(), 3f64.ln()), 5f64.ln(), 1e-15);
        assert_eq!(log_add(f64::NEG_INFINITY, 1.5), 1.5);
        assert_eq!(
            log_add(f64::NEG_INFINITY, f64::NEG_INFINITY),
            f64::NEG_INFINITY
        );
        // e^1000 + e^1000 = 2e^1000: no overflow.
        close(log_add(1000.0, 1000.0), 1000.0 + 2f64.ln(), 1e-15);
    }

    #[test]
    fn hand_computed_constants() {
        // Skipping centre 0 leaves a queue D = 2 and think Z = 1:
        // G(n) = Σ_{j=0}^{n} 2^j·1^{n−j}/(n−j)!, so G(1) = 1 + 2 = 3,
        // G(2) = 1/2 + 2 + 4 = 6.5 (Buzen 1973 convolution by hand).
        let cs = [
            Centre::Queue { demand_s: 9.0 },
            Centre::Queue { demand_s: 2.0 },
        ];
        let lg = complement_log_g(&cs, 0, 1.0, 2);
        close(lg[0].exp(), 1.0, 1e-15);
        close(lg[1].exp(), 3.0, 1e-14);
        close(lg[2].exp(), 6.5, 1e-14);
        // A 2-server centre D = 1 alone: f = 1, 1, 1/2, 1/4 (α = 1, 2, 2).
        let cs = [
            Centre::Queue { demand_s: 1.0 },
            Centre::MultiServer {
                demand_s: 1.0,
                servers: 2,
            },
        ];
        let lg = complement_log_g(&cs, 0, 0.0, 3);
        close(lg[2].exp(), 0.5, 1e-14);
        close(lg[3].exp(), 0.25, 1e-14);
        // Nothing left and no think time: G(n ≥ 1) = 0.
        let lg = complement_log_g(&cs[..1], 0, 0.0, 2);
        assert_eq!(lg, vec![0.0, f64::NEG_INFINITY, f64::NEG_INFINITY]);
    }
}
