//! Exact Mean Value Analysis of a closed, single-class, product-form queueing
//! network with an optional think (terminal) delay.
//!
//! Each centre is described by its total service demand per interaction,
//! D = visits × mean service time per visit (seconds). Recursion over the
//! population n = 1..N:
//! - arrival theorem: an arriving job sees the network in equilibrium with
//!   n − 1 jobs, so a single-server FCFS centre has R(n) = D·(1 + Q(n−1));
//!   a delay (infinite-server) centre has R(n) = D;
//! - a load-dependent m-server centre has
//!   R(n) = (D/m)·[1 + Q(n−1) + Σ_{j=0}^{m−2} (m − 1 − j)·p(j | n−1)], with
//!   marginals p(j | n) = (D·X(n)/j)·p(j−1 | n−1) for 1 ≤ j < m and
//!   p(0 | n) = p(0 | n−1)·X(n)/X₋(n), where X₋ is the throughput of the
//!   complement network (this centre removed);
//! - X(n) = n / (Z + Σ R_k(n)) and Q_k(n) = X(n)·R_k(n) (Little's law).
//!
//! Invariants: N = X·(R + Z) holds for every n; Q_k ≥ 0; the multi-server
//! centre reduces exactly to `Queue` for m = 1 and to `Delay` for m ≥ N.
//! Only p(j) for j < m is stored: the recursion costs O(N·(K + Σ min(m, N)))
//! plus O(M²·N²) for the convolutions, M = multi-server centres, 1 < m < N.
//!
//! Sources: Reiser & Lavenberg (1980), "Mean-value analysis of closed
//! multichain queuing networks", JACM 27(2); Lazowska, Zahorjan, Graham &
//! Sevcik, *Quantitative System Performance* (1984) ch. 6 (single-class MVA
//! and asymptotic bounds X ≤ min(N/(D + Z), 1/D_max)); Bolch, Greiner, de
//! Meer & Trivedi, *Queueing Networks and Markov Chains* (2nd ed.) §8.2
//! (multi-server MVA). Bolch's textbook p(0 | n) = 1 − (1/m)[D·X(n) +
//! Σ_{j=1}^{m−1}(m − j)p(j | n)] subtracts nearly equal numbers and blows up
//! near saturation (m = 500, N = 2000 gives X = 29 instead of 500), so we
//! use the product form identity p(0 | n) = G₋(n)/G(n) with G(n) =
//! Π_{i≤n} 1/X(i) (Buzen 1973, "Computational algorithms for closed queueing
//! networks with exponential servers", CACM 16(9)), and G₋ from a log-domain
//! convolution of the other centres (see `convolution.rs`); no subtraction
//! anywhere.

/// A service centre of a closed product-form network.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Centre {
    /// Single-server FCFS centre with exponential service (or any
    /// product-form single server, e.g. processor sharing).
    Queue { demand_s: f64 },
    /// Infinite-server (pure delay) centre: no queueing.
    Delay { demand_s: f64 },
    /// `servers` identical exponential servers sharing one FCFS queue;
    /// `demand_s` is the demand on one server (visits × service time).
    MultiServer { demand_s: f64, servers: u32 },
}

impl Centre {
    /// Total service demand per interaction, seconds.
    pub fn demand_s(&self) -> f64 {
        match *self {
            Centre::Queue { demand_s }
            | Centre::Delay { demand_s }
            | Centre::MultiServer { demand_s, .. } => demand_s,
        }
    }

    /// Demand per unit of capacity (D/m); the bottleneck has the largest.
    /// Zero for a delay centre, which never saturates.
    pub fn bottleneck_demand_s(&self) -> f64 {
        match *self {
            Centre::Queue { demand_s } => demand_s,
            Centre::Delay { .. } => 0.0,
            Centre::MultiServer { demand_s, servers } => demand_s / f64::from(servers.max(1)),
        }
    }
}

/// Result of MVA at one population.
#[derive(Clone, Debug, PartialEq)]
pub struct MvaResult {
    /// Number of users (jobs) in the closed network.
    pub users: u32,
    /// System throughput X, interactions per second.
    pub throughput_per_s: f64,
    /// Response time R = Σ residence times, seconds (think time excluded).
    pub response_s: f64,
    /// Residence time per centre (all visits), seconds.
    pub residence_s: Vec<f64>,
    /// Mean number of jobs at each centre (queued plus in service).
    pub queue_len: Vec<f64>,
}

/// Exact MVA at population `users`. See [`mva_curve`].
pub fn mva(centres: &[Centre], think_time_s: f64, users: u32) -> MvaResult {
    let mut last = MvaResult {
        users: 0,
        throughput_per_s: 0.0,
        response_s: 0.0,
        residence_s: vec![0.0; centres.len()],
        queue_len: vec![0.0; centres.len()],
    };
    run(centres, think_time_s, users, |r| last = r.clone());
    last
}

/// Exact MVA for every population 1..=`users`; element i is population i+1.
///
/// Domain: demands ≥ 0, `think_time_s ≥ 0`, `servers ≥ 1` (0 is treated as
/// 1). Population 0 (from [`mva`]) is all zeros. If every demand and the think
/// time are zero the throughput is `INFINITY` with zero residence times.
pub fn mva_curve(centres: &[Centre], think_time_s: f64, users: u32) -> Vec<MvaResult> {
    let mut out = Vec::with_capacity(users as usize);
    run(centres, think_time_s, users, |r| out.push(r.clone()));
    out
}

fn run(centres: &[Centre], think_time_s: f64, users: u32, mut emit: impl FnMut(&MvaResult)) {
    let k = centres.len();
    let mut queue_len = vec![0.0; k];
    // p[c][j] = P(j jobs at centre c | n−1 users), j < servers; only for
    // multi-server centres (empty otherwise).
    let mut marg: Vec<Vec<f64>> = centres
        .iter()
        .map(|c| match *c {
            Centre::MultiServer { demand_s, servers } if servers > 1 && demand_s > 0.0 => {
                let mut p = vec![0.0; servers.min(users.saturating_add(1)) as usize];
                p[0] = 1.0;
                p
            }
            _ => Vec::new(),
        })
        .collect();
    // ln G₋(n), n = 0..=users, for the centres that keep marginals.
    let log_g_minus: Vec<Vec<f64>> = marg
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if p.is_empty() {
                Vec::new()
            } else {
                super::convolution::complement_log_g(centres, i, think_time_s, users)
            }
        })
        .collect();
    // ln G(n) = −Σ_{i≤n} ln X(i).
    let mut log_g = 0.0;
    let mut residence = vec![0.0; k];
    for n in 1..=users {
        for (i, c) in centres.iter().enumerate() {
            residence[i] = match *c {
                Centre::Queue { demand_s } => demand_s * (1.0 + queue_len[i]),
                Centre::Delay { demand_s } => demand_s,
                Centre::MultiServer { demand_s, servers } => {
                    let m = servers.max(1);
                    if m == 1 {
                        demand_s * (1.0 + queue_len[i])
                    } else {
                        let mf = f64::from(m);
                        let extra: f64 = marg[i]
                            .iter()
                            .enumerate()
                            .take((m - 1) as usize)
                            .map(|(j, p)| (mf - 1.0 - j as f64) * p)
                            .sum();
                        demand_s / mf * (1.0 + queue_len[i] + extra)
                    }
                }
            };
        }
        let response_s = residence.iter().fold(0.0, |acc, r| acc + r);
        let cycle_s = think_time_s + response_s;
        let x = if cycle_s > 0.0 {
            f64::from(n) / cycle_s
        } else {
            f64::INFINITY
        };
        log_g -= x.ln();
        for i in 0..k {
            queue_len[i] = if residence[i] > 0.0 {
                x * residence[i]
            } else {
                0.0
            };
        }
        for (i, c) in centres.iter().enumerate() {
            if let Centre::MultiServer { demand_s, servers } = *c {
                let p = &mut marg[i];
                if p.is_empty() {
                    continue;
                }
                let busy = (demand_s * x).min(f64::from(servers));
                // Update high j first so p[j−1] is still the n−1 value.
                for j in (1..p.len()).rev() {
                    p[j] = busy / j as f64 * p[j - 1];
                }
                p[0] = (log_g_minus[i][n as usize] - log_g).exp().clamp(0.0, 1.0);
            }
        }
        emit(&MvaResult {
            users: n,
            throughput_per_s: x,
            response_s,
            residence_s: residence.clone(),
            queue_len: queue_len.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(demand_s: f64, servers: u32) -> Centre {
        Centre::MultiServer { demand_s, servers }
    }

    fn close(actual: f64, expected: f64, rel: f64) {
        assert!(
            (actual - expected).abs() <= rel * expected.abs(),
            "actual {actual} expected {expected}"
        );
    }

    #[test]
    fn hand_computed_two_queues_with_think_time() {
        // D1 = 1 s, D2 = 0.5 s, Z = 2 s (hand-run recursion, exact fractions):
        // n=1: R = 1 + 0.5, X = 1/3.5 = 2/7, Q = (2/7, 1/7).
        // n=2: R1 = 9/7, R2 = 4/7, X = 2/(2 + 13/7) = 14/27, Q = (2/3, 8/27).
        // n=3: R1 = 5/3, R2 = 35/54, R = 125/54, X = 3/(233/54) = 162/233.
        let cs = [
            Centre::Queue { demand_s: 1.0 },
            Centre::Queue { demand_s: 0.5 },
        ];
        let curve = mva_curve(&cs, 2.0, 3);
        close(curve[0].throughput_per_s, 2.0 / 7.0, 1e-12);
        close(curve[1].throughput_per_s, 14.0 / 27.0, 1e-12);
        close(curve[1].queue_len[0], 2.0 / 3.0, 1e-12);
        close(curve[1].queue_len[1], 8.0 / 27.0, 1e-12);
        close(curve[2].throughput_per_s, 162.0 / 233.0, 1e-12);
        close(curve[2].response_s, 125.0 / 54.0, 1e-12);
        close(curve[2].residence_s[1], 35.0 / 54.0, 1e-12);
        assert_eq!(mva(&cs, 2.0, 3), curve[2]);
    }

    #[test]
    fn littles_law_and_asymptotic_bounds() {
        // Lazowska et al. ch. 5/6: X(N) ≤ min(N/(D + Z), 1/D_max), and
        // X → 1/D_max as N grows; N = X(R + Z) exactly at every N.
        let cs = [
            Centre::Queue { demand_s: 0.040 },
            Centre::Queue { demand_s: 0.030 },
            Centre::Delay { demand_s: 0.100 },
            ms(0.200, 4),
        ];
        let z = 1.0;
        let d: f64 = cs.iter().map(Centre::demand_s).sum();
        let dmax = cs
            .iter()
            .map(Centre::bottleneck_demand_s)
            .fold(0.0, f64::max);
        for r in mva_curve(&cs, z, 200) {
            let n = f64::from(r.users);
            close(r.throughput_per_s * (r.response_s + z), n, 1e-12);
            let q_total: f64 = r.queue_len.iter().sum();
            close(q_total + r.throughput_per_s * z, n, 1e-12);
            let bound = (n / (d + z)).min(1.0 / dmax);
            assert!(r.throughput_per_s <= bound * (1.0 + 1e-12));
            assert!(r.queue_len.iter().all(|q| q.is_finite() && *q >= 0.0));
        }
        close(mva(&cs, z, 200).throughput_per_s, 1.0 / dmax, 1e-6);
    }

    #[test]
    fn multiserver_limits() {
        let q = [
            Centre::Queue { demand_s: 0.3 },
            Centre::Delay { demand_s: 0.1 },
        ];
        let m1 = [ms(0.3, 1), Centre::Delay { demand_s: 0.1 }];
        assert_eq!(mva(&q, 0.5, 12), mva(&m1, 0.5, 12));
        // m ≥ N: nobody ever queues, so it behaves as a delay centre.
        let dl = [
            Centre::Delay { demand_s: 0.3 },
            Centre::Queue { demand_s: 0.1 },
        ];
        let m8 = [ms(0.3, 8), Centre::Queue { demand_s: 0.1 }];
        let (a, b) = (mva(&dl, 0.5, 8), mva(&m8, 0.5, 8));
        close(b.throughput_per_s, a.throughput_per_s, 1e-12);
        close(b.residence_s[0], 0.3, 1e-12);
        // Large m and N: no NaN.
        let big = [ms(1.0, 500)];
        let r = mva(&big, 0.5, 2000);
        close(r.throughput_per_s, 500.0, 1e-6);
    }

    #[test]
    fn multiserver_matches_machine_repairman() {
        // Finite-source M/M/m//N (Gross et al. §2.8; Kleinrock vol. 1 §3.9):
        // birth rate (N−j)/Z, death rate min(j,m)/S; X = Σ p(j)·min(j,m)/S.
        let (n_users, m, s, z) = (10u32, 3u32, 1.0, 5.0);
        let mut w = vec![1.0f64];
        for j in 1..=n_users {
            let birth = f64::from(n_users - j + 1) / z;
            let death = f64::from(j.min(m)) / s;
            w.push(w[(j - 1) as usize] * birth / death);
        }
        let total: f64 = w.iter().sum();
        let x_exact: f64 = w
            .iter()
            .enumerate()
            .map(|(j, wj)| wj / total * f64::from((j as u32).min(m)) / s)
            .sum();
        let l_exact: f64 = w
            .iter()
            .enumerate()
            .map(|(j, wj)| wj / total * j as f64)
            .sum();
        let cs = [ms(s, m)];
        let r = mva(&cs, z, n_users);
        close(r.throughput_per_s, x_exact, 1e-10);
        close(r.queue_len[0], l_exact, 1e-10);
    }

    #[test]
    fn multiserver_approaches_open_mmc() {
        // N → ∞ with N/Z = λ fixed: the station sees Poisson(λ) arrivals, so
        // its residence approaches the M/M/2 sojourn 4/3 s at λ=1, S=1
        // (Gross et al. §2.3).
        let n = 20_000u32;
        let cs = [ms(1.0, 2)];
        let r = mva(&cs, f64::from(n), n);
        close(r.residence_s[0], 4.0 / 3.0, 1e-3);
    }

    #[test]
    fn two_multiservers_match_product_form_enumeration() {
        // BCMP/Gordon–Newell: P(n₀..n₃) ∝ Π f_k(n_k) with f(j) = D^j/Π α(i)
        // (think time as a delay). Brute-force enumeration over all states
        // with N = 6 gives X = E[n₀]/Z and Q_k = E[n_k] independently of MVA.
        let cs = [ms(0.3, 2), ms(0.5, 3), Centre::Queue { demand_s: 0.2 }];
        let (z, n) = (1.0, 6usize);
        let f =
            |d: f64, m: usize, j: usize| -> f64 { (1..=j).map(|i| d / i.min(m) as f64).product() };
        let (mut g, mut e0, mut e) = (0.0, 0.0, [0.0; 3]);
        for n1 in 0..=n {
            for n2 in 0..=n - n1 {
                for n3 in 0..=n - n1 - n2 {
                    let n0 = n - n1 - n2 - n3;
                    let w = f(z, usize::MAX, n0) * f(0.3, 2, n1) * f(0.5, 3, n2) * f(0.2, 1, n3);
                    g += w;
                    e0 += w * n0 as f64;
                    for (k, nk) in [n1, n2, n3].into_iter().enumerate() {
                        e[k] += w * nk as f64;
                    }
                }
            }
        }
        let r = mva(&cs, z, n as u32);
        close(r.throughput_per_s, e0 / g / z, 1e-12);
        for (q, ek) in r.queue_len.iter().zip(e) {
            close(*q, ek / g, 1e-12);
        }
    }

    #[test]
    fn saturated_multiservers_stay_consistent() {
        // Heavy load on two pools (bottleneck 2.0/40 = 0.05 s → X ≤ 20/s):
        // the subtraction-based p(0) of Bolch et al. drifts here; ours must
        // respect Little's law and the asymptotic bound, and be near 1/Dmax.
        let cs = [ms(2.0, 40), ms(1.0, 50)];
        let r = mva(&cs, 0.5, 600);
        close(r.throughput_per_s * (r.response_s + 0.5), 600.0, 1e-9);
        assert!(r.throughput_per_s <= 20.0 * (1.0 + 1e-12));
        close(r.throughput_per_s, 20.0, 1e-6);
        assert!(r.queue_len.iter().all(|q| q.is_finite() && *q >= 0.0));
    }

    #[test]
    fn degenerate_inputs() {
        let cs = [Centre::Queue { demand_s: 0.0 }];
        let r = mva(&cs, 0.0, 3);
        assert_eq!(r.throughput_per_s, f64::INFINITY);
        assert_eq!(r.queue_len, vec![0.0]);
        let r0 = mva(&[Centre::Queue { demand_s: 1.0 }], 1.0, 0);
        assert_eq!(r0.throughput_per_s, 0.0);
        assert!(mva_curve(&[], 1.0, 0).is_empty());
        // No centres: pure think time, X = N/Z.
        close(mva(&[], 2.0, 4).throughput_per_s, 2.0, 1e-12);
    }
}
