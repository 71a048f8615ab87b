//! Offered load per station, from the model and workload alone: the arrival
//! rate each station sees (the entry split by DNS and the balancers'
//! weights, database queries per request), its mean holding time, ρ, and an
//! estimate of its mean wait from the queueing model that fits its arrivals
//! and service, named on each row. `stacksim check` prints it; `stacksim
//! run` uses it to refuse an open workload that no station can keep up with
//! ([`unbounded_overloads`]: ρ ≥ 1 at the mean rate, unbounded queue).
//!
//! The holding time of a synchronous app worker includes the database
//! queries (estimated by their sojourn and the network hops), which is why
//! a slow database saturates the app pool first.
//!
//! Models per station (the arrival letter, then the service letter):
//! - arrivals `M`: Poisson — an entry, or a split treated as Poisson
//!   (random, leastconn, source, weighted round robin);
//! - arrivals `E<n>`: a round robin over n equal-weight backends passes each
//!   one every n-th request of a Poisson stream: Erlang-n interarrivals,
//!   c_a² = 1/n (times the balancer's own departure c² if it has threads);
//! - arrivals `G`: the departures of the station before (nginx → app), with
//!   c² from QNA's linking equation;
//! - service `M` (exponential), `D` (constant) or `G` (other; a synchronous
//!   app's hold with its queries is always `G`).
//!
//! M/M/c is Erlang C, M/G/1 Pollaczek–Khinchine and E<n>/M/1 the exact
//! GI/M/1 root (all exact for their model); anything else is Allen–Cunneen,
//! marked `≈`. Closed workloads are solved by exact MVA ([`closed`]), and
//! each scenario fault's effect on the survivors is estimated in
//! [`faults`]; a varying open rate is also shown at its peak.

pub mod closed;
pub mod faults;
mod models;

pub use closed::ClosedFigures;
pub use faults::{Condition, FaultEffect};

use crate::analytic::{MMc, departure_scv};
use crate::dist::Dist;
use crate::stack::config::{Algorithm, AppMode, Arrivals, Entry, RateProfile, Scenario};
use models::{POISSON, Stream, estimate};

/// One station's load.
#[derive(Clone, Debug, PartialEq)]
pub struct StationLoad {
    pub station: String,
    pub workers: u32,
    pub lambda_per_s: f64,
    /// Mean time a worker is held per job (seconds).
    pub mean_hold_s: f64,
    /// λ·E[hold]/workers.
    pub rho: f64,
    /// The estimated mean wait in queue (s), by `model`; infinite when ρ ≥ 1.
    pub wait_s: f64,
    /// The M/M/c mean wait in queue (s), for comparison.
    pub mmc_wait_s: f64,
    /// The queueing model of `wait_s`: `M/M/c`, `E2/M/1`, `G/G/c≈`…
    pub model: String,
    /// The queue is bounded, so overload fails requests instead of growing.
    pub bounded: bool,
}

/// A varying open workload at its highest rate.
#[derive(Clone, Debug)]
pub struct Peak {
    pub lambda_per_s: f64,
    /// How the peak comes about, e.g. `rate × (1 + 0.5)`.
    pub how: String,
    pub stations: Vec<StationLoad>,
}

/// The loads, and the arrival rate they were computed at.
#[derive(Clone, Debug)]
pub struct LoadReport {
    /// The time-averaged rate (open) or the MVA throughput (closed).
    pub lambda_per_s: f64,
    pub closed: Option<ClosedFigures>,
    /// A sinusoidal or stepped open workload at its peak.
    pub peak: Option<Peak>,
    pub stations: Vec<StationLoad>,
    /// One per scenario fault, at the same rate (closed: re-solved).
    pub faults: Vec<FaultEffect>,
}

fn mean_s(d: &Dist) -> f64 {
    d.mean_ns() / 1e9
}

/// The average arrival rate over the run (open), or the MVA throughput
/// (closed); the flag says closed.
pub fn mean_rate(sc: &Scenario) -> (f64, bool) {
    match &sc.workload.arrivals {
        Arrivals::Open { .. } => {
            // Time-average of the profile over the run, by the midpoint rule.
            let n = 2000u64;
            let d = sc.run.duration.as_nanos();
            let sum: f64 = (0..n)
                .map(|i| {
                    sc.workload
                        .arrivals
                        .rate_at(crate::engine::SimDuration((2 * i + 1) * d / (2 * n)))
                })
                .sum();
            (sum / n as f64, false)
        }
        Arrivals::Closed { .. } => {
            let c = closed::solve(sc, &Condition::normal(&sc.model));
            (c.map_or(0.0, |c| c.throughput_per_s), true)
        }
    }
}

/// Per-station loads at arrival rate `lambda_per_s`, all components up.
pub fn loads(sc: &Scenario, lambda_per_s: f64) -> Vec<StationLoad> {
    loads_in(sc, lambda_per_s, &Condition::normal(&sc.model)).0
}

/// Per-station loads at `lambda_per_s` under `cond`, and the share of
/// requests that find no live entry or backend (they fail).
pub fn loads_in(sc: &Scenario, lambda_per_s: f64, cond: &Condition) -> (Vec<StationLoad>, f64) {
    let m = &sc.model;
    let (reads, writes) = sc.workload.mean_queries();
    let net = |d: &Option<Dist>| d.as_ref().map_or(0.0, mean_s);
    let names = m.station_names();
    let scale = |name: &str| {
        names
            .iter()
            .position(|n| n == name)
            .map_or(1.0, |i| cond.scale[i])
    };
    let mut out = vec![];
    let station =
        |name: &str, workers: u32, lambda: f64, hold: f64, bounded: bool, arr: Stream, scv: f64| {
            let (wait_s, model) = estimate(lambda, hold, workers, arr, scv);
            let mmc = MMc {
                lambda_per_s: lambda,
                mean_service_s: hold.max(1e-15),
                servers: workers,
            };
            StationLoad {
                station: name.to_string(),
                workers,
                lambda_per_s: lambda,
                mean_hold_s: hold,
                rho: lambda * hold / f64::from(workers),
                wait_s,
                mmc_wait_s: if lambda == 0.0 {
                    0.0
                } else {
                    mmc.mean_wait_s()
                },
                model,
                bounded,
            }
        };
    let (entry_rate, mut lb_rate, lost) =
        cond.entry_rates(m, lambda_per_s, sc.workload.try_next_address);
    let mut server_rate = vec![0.0; m.servers.len()];
    // Each server's arrivals: Poisson unless one round robin feeds it alone.
    let mut server_in: Vec<Option<Stream>> = vec![Some(POISSON); m.servers.len()];
    let mut fed = vec![0u32; m.servers.len()];
    for (e, r) in m.entries.iter().zip(&entry_rate) {
        match *e {
            Entry::Balancer(b) => lb_rate[b] += r,
            Entry::Server(s) => {
                server_rate[s] += r;
                fed[s] += 1;
            }
        }
    }
    let mut lost_rate = lost;
    for (b, cfg) in m.balancers.iter().enumerate() {
        let mut out_stream = POISSON;
        if let Some(st) = &cfg.station {
            let hold = mean_s(&st.service) * scale(&cfg.name);
            let l = station(
                &cfg.name,
                st.workers,
                lb_rate[b],
                hold,
                st.queue_limit.is_some(),
                POISSON,
                st.service.scv(),
            );
            out_stream.scv = departure_scv(l.rho, st.workers, 1.0, st.service.scv());
            out_stream.exact_erlang = None;
            out.push(l);
        }
        let live: Vec<_> = cfg
            .backends
            .iter()
            .filter(|x| cond.server_up[x.server])
            .collect();
        let total: f64 = live.iter().map(|x| f64::from(x.weight)).sum();
        if live.is_empty() {
            lost_rate += lb_rate[b];
            continue;
        }
        let equal = live.iter().all(|x| x.weight == live[0].weight);
        let rr = matches!(cfg.algorithm, Algorithm::RoundRobin | Algorithm::StaticRr);
        let n = live.len() as u32;
        for be in &live {
            server_rate[be.server] += lb_rate[b] * f64::from(be.weight) / total;
            fed[be.server] += 1;
            if rr && equal && n > 1 {
                server_in[be.server] = Some(Stream {
                    scv: out_stream.scv / f64::from(n),
                    exact_erlang: out_stream.exact_erlang.map(|_| n),
                    letter_n: n,
                    from_station: false,
                });
            }
        }
    }
    // Databases: read and write rates from the servers that use them.
    let mut db_read = vec![0.0; m.databases.len()];
    let mut db_write = vec![0.0; m.databases.len()];
    for (s, cfg) in m.servers.iter().enumerate() {
        if let Some(d) = cfg.reads_from {
            db_read[d] += server_rate[s] * reads;
        }
        if let Some(d) = cfg.writes_to {
            db_write[d] += server_rate[s] * writes;
        }
    }
    let mut db_sojourn = vec![(0.0, 0.0); m.databases.len()];
    let mut db_loads = vec![];
    for (d, cfg) in m.databases.iter().enumerate() {
        let lambda = db_read[d] + db_write[d];
        let k = scale(&cfg.name);
        let (sr, sw) = (mean_s(&cfg.read) * k, mean_s(&cfg.write) * k);
        let (pr, pw) = if lambda > 0.0 {
            (db_read[d] / lambda, db_write[d] / lambda)
        } else {
            (1.0, 0.0)
        };
        let hold = pr * sr + pw * sw;
        let second = pr * cfg.read.second_moment_ns2() * 1e-18 * k * k
            + pw * cfg.write.second_moment_ns2() * 1e-18 * k * k;
        let scv = if hold > 0.0 {
            second / (hold * hold) - 1.0
        } else {
            1.0
        };
        let l = station(
            &cfg.name,
            cfg.connections,
            lambda,
            hold,
            cfg.queue_limit.is_some(),
            POISSON,
            scv,
        );
        db_sojourn[d] = (l.wait_s + sr, l.wait_s + sw);
        db_loads.push(l);
    }
    for (s, cfg) in m.servers.iter().enumerate() {
        let lambda = server_rate[s];
        let mut arr = if fed[s] == 1 {
            server_in[s].unwrap_or(POISSON)
        } else {
            POISSON
        };
        if let Some(n) = &cfg.nginx {
            let name = format!("{}.nginx", cfg.name);
            let hold = mean_s(&n.service) * scale(&name);
            let l = station(
                &name,
                n.workers,
                lambda,
                hold,
                n.queue_limit.is_some(),
                arr,
                n.service.scv(),
            );
            arr = Stream {
                scv: departure_scv(l.rho, n.workers, arr.scv, n.service.scv()),
                exact_erlang: None,
                letter_n: 1,
                from_station: true,
            };
            out.push(l);
        }
        let name = format!("{}.app", cfg.name);
        let mut hold = mean_s(&cfg.app.service) * scale(&name);
        let mut scv = cfg.app.service.scv();
        if cfg.app_mode == AppMode::Sync && reads + writes > 0.0 {
            let hop = |d: usize| {
                if m.databases[d].host == Some(s) {
                    0.0
                } else {
                    2.0 * (net(&m.network.server_db) + cond.db_hop_extra_s)
                }
            };
            let app = hold;
            let mut var = cfg.app.service.scv() * app * app;
            for (db, q, soj) in [(cfg.reads_from, reads, 0), (cfg.writes_to, writes, 1)] {
                if let Some(d) = db {
                    let t = if soj == 0 {
                        db_sojourn[d].0
                    } else {
                        db_sojourn[d].1
                    };
                    hold += q * (t + hop(d));
                    // Each query's sojourn taken as exponential.
                    var += q * t * t;
                }
            }
            // Always `G`: a hold with queries is no textbook distribution.
            scv = (var / (hold * hold)).max(1e-6);
            if (scv - 1.0).abs() < 1e-9 {
                scv += 1e-6;
            }
        }
        out.push(station(
            &name,
            cfg.app.workers,
            lambda,
            hold,
            cfg.app.queue_limit.is_some(),
            arr,
            scv,
        ));
    }
    out.extend(db_loads);
    let share = if lambda_per_s > 0.0 {
        lost_rate / lambda_per_s
    } else {
        0.0
    };
    (out, share)
}

/// The load report: at the workload's (time-averaged) rate, at its peak
/// when it varies, solved by MVA when closed, and under each fault.
pub fn report(sc: &Scenario) -> LoadReport {
    let normal = Condition::normal(&sc.model);
    let closed = match &sc.workload.arrivals {
        Arrivals::Closed { .. } => closed::solve(sc, &normal),
        Arrivals::Open { .. } => None,
    };
    let lambda = closed
        .as_ref()
        .map_or_else(|| mean_rate(sc).0, |c| c.throughput_per_s);
    let peak = match &sc.workload.arrivals {
        Arrivals::Open {
            profile,
            rate_per_s,
            ..
        } if *profile != RateProfile::Constant => {
            let top = sc.workload.arrivals.peak_rate();
            let how = match profile {
                RateProfile::Sinusoidal { amplitude, .. } => {
                    format!("{rate_per_s} × (1 + {amplitude})")
                }
                _ => "the highest step".to_string(),
            };
            (top > lambda).then(|| Peak {
                lambda_per_s: top,
                how,
                stations: loads(sc, top),
            })
        }
        _ => None,
    };
    LoadReport {
        lambda_per_s: lambda,
        closed,
        peak,
        stations: loads(sc, lambda),
        faults: faults::effects(sc, lambda),
    }
}

/// Stations an open workload overloads (ρ ≥ 1 at its mean rate) with
/// nothing bounding their queue: such a run never reaches a steady state.
pub fn unbounded_overloads(sc: &Scenario) -> Vec<StationLoad> {
    if !matches!(sc.workload.arrivals, Arrivals::Open { .. }) {
        return vec![];
    }
    loads(sc, mean_rate(sc).0)
        .into_iter()
        .filter(|s| s.rho >= 1.0 && !s.bounded)
        .collect()
}

#[cfg(test)]
pub(crate) mod tests;
