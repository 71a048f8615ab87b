//! Offered load per station, from the model and workload alone: the arrival
//! rate each station sees (the entry split by DNS and the balancers'
//! weights, database queries per request), its mean holding time, ρ, and an
//! M/M/c estimate of its wait. `stacksim check` prints it; `stacksim run`
//! uses it to refuse an open workload that no station can keep up with.
//!
//! The holding time of a synchronous app worker includes the database
//! queries (estimated by their M/M/c sojourn and the network hops), which
//! is why a slow database saturates the app pool first.

use crate::analytic::MMc;
use crate::stack::config::{AppMode, Arrivals, Entry, Scenario};

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
    /// The M/M/c mean wait in queue (s); infinite when ρ ≥ 1.
    pub mmc_wait_s: f64,
    /// The queue is bounded, so overload fails requests instead of growing.
    pub bounded: bool,
}

/// The loads, and the arrival rate they were computed at.
#[derive(Clone, Debug)]
pub struct LoadReport {
    pub lambda_per_s: f64,
    /// For a closed workload the rate is an upper bound (N / (Z + ΣD)).
    pub closed_bound: bool,
    pub stations: Vec<StationLoad>,
}

fn mean_s(d: &crate::dist::Dist) -> f64 {
    d.mean_ns() / 1e9
}

/// The average arrival rate over the run (open), or the closed bound.
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
        Arrivals::Closed { users, think } => {
            let at_zero = loads(sc, 0.0);
            let demand: f64 = response_time_floor(sc, &at_zero);
            (f64::from(*users) / (mean_s(think) + demand), true)
        }
    }
}

/// Sum of the no-queueing times along a request's path (the minimum response time).
fn response_time_floor(sc: &Scenario, l: &[StationLoad]) -> f64 {
    // Average over servers of nginx + app hold (which includes queries),
    // plus the balancer and the network; a floor for the closed bound.
    let m = &sc.model;
    let net = |d: &Option<crate::dist::Dist>| d.as_ref().map_or(0.0, mean_s);
    let servers = m.servers.len().max(1) as f64;
    let per_server: f64 = l
        .iter()
        .filter(|s| s.station.ends_with(".nginx") || s.station.ends_with(".app"))
        .map(|s| s.mean_hold_s)
        .sum::<f64>()
        / servers;
    let lb: f64 = m
        .balancers
        .iter()
        .filter_map(|b| b.station.as_ref())
        .map(|s| mean_s(&s.service))
        .sum();
    per_server
        + lb
        + 2.0 * net(&m.network.client_lb)
        + if m.balancers.is_empty() {
            0.0
        } else {
            2.0 * net(&m.network.lb_server)
        }
}

/// Per-station loads at arrival rate `lambda_per_s`.
pub fn loads(sc: &Scenario, lambda_per_s: f64) -> Vec<StationLoad> {
    let m = &sc.model;
    let (reads, writes) = sc.workload.mean_queries();
    let net = |d: &Option<crate::dist::Dist>| d.as_ref().map_or(0.0, mean_s);
    let mut out = vec![];
    let station = |name: &str, workers: u32, lambda: f64, hold: f64, bounded: bool| {
        let q = MMc {
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
            mmc_wait_s: if lambda == 0.0 { 0.0 } else { q.mean_wait_s() },
            bounded,
        }
    };
    // Arrival rate at each entry, balancer and server.
    let per_entry = lambda_per_s / m.entries.len().max(1) as f64;
    let mut lb_rate = vec![0.0; m.balancers.len()];
    let mut server_rate = vec![0.0; m.servers.len()];
    for e in &m.entries {
        match *e {
            Entry::Balancer(b) => lb_rate[b] += per_entry,
            Entry::Server(s) => server_rate[s] += per_entry,
        }
    }
    for (b, cfg) in m.balancers.iter().enumerate() {
        let total: f64 = cfg.backends.iter().map(|x| f64::from(x.weight)).sum();
        for be in &cfg.backends {
            server_rate[be.server] += lb_rate[b] * f64::from(be.weight) / total;
        }
        if let Some(st) = &cfg.station {
            out.push(station(
                &cfg.name,
                st.workers,
                lb_rate[b],
                mean_s(&st.service),
                st.queue_limit.is_some(),
            ));
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
        let (sr, sw) = (mean_s(&cfg.read), mean_s(&cfg.write));
        let hold = if lambda > 0.0 {
            (db_read[d] * sr + db_write[d] * sw) / lambda
        } else {
            sr
        };
        let l = station(
            &cfg.name,
            cfg.connections,
            lambda,
            hold,
            cfg.queue_limit.is_some(),
        );
        db_sojourn[d] = (l.mmc_wait_s + sr, l.mmc_wait_s + sw);
        db_loads.push(l);
    }
    for (s, cfg) in m.servers.iter().enumerate() {
        let lambda = server_rate[s];
        if let Some(n) = &cfg.nginx {
            out.push(station(
                &format!("{}.nginx", cfg.name),
                n.workers,
                lambda,
                mean_s(&n.service),
                n.queue_limit.is_some(),
            ));
        }
        let mut hold = mean_s(&cfg.app.service);
        if cfg.app_mode == AppMode::Sync {
            let hop = |d: usize| {
                if m.databases[d].host == Some(s) {
                    0.0
                } else {
                    2.0 * net(&m.network.server_db)
                }
            };
            if let Some(d) = cfg.reads_from {
                hold += reads * (db_sojourn[d].0 + hop(d));
            }
            if let Some(d) = cfg.writes_to {
                hold += writes * (db_sojourn[d].1 + hop(d));
            }
        }
        out.push(station(
            &format!("{}.app", cfg.name),
            cfg.app.workers,
            lambda,
            hold,
            cfg.app.queue_limit.is_some(),
        ));
    }
    out.extend(db_loads);
    out
}

/// The load report at the workload's (time-averaged) rate.
pub fn report(sc: &Scenario) -> LoadReport {
    let (lambda, closed_bound) = mean_rate(sc);
    LoadReport {
        lambda_per_s: lambda,
        closed_bound,
        stations: loads(sc, lambda),
    }
}

/// Stations an open workload overloads (ρ ≥ 1) with nothing bounding their
/// queue: such a run never reaches a steady state.
pub fn unbounded_overloads(sc: &Scenario) -> Vec<StationLoad> {
    if !matches!(sc.workload.arrivals, Arrivals::Open { .. }) {
        return vec![];
    }
    report(sc)
        .stations
        .into_iter()
        .filter(|s| s.rho >= 1.0 && !s.bounded)
        .collect()
}
