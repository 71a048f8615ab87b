//! The queueing-theory estimate beside each simulated point, built on
//! `check`'s station models (`experiment::capacity`: Erlang C for M/M/c,
//! E_n/M/1 by the exact GI/M/1 root behind a round robin, Allen–Cunneen
//! `≈` otherwise, exact MVA for a closed workload), and a note on why the
//! simulation parts from it.
//!
//! The end-to-end mean of an open workload is the sum of the mean network
//! hops (client ↔ balancer, balancer ↔ server, each both ways), the
//! balancers' sojourn, and each server's nginx and app sojourn weighted by
//! its share of the traffic (a synchronous app's hold already includes its
//! database queries; an asynchronous app's queries are added after it).
//! DNS lookups are left out: a client resolves once per TTL.

use crate::dist::Dist;
use crate::experiment::capacity::{self, StationLoad};
use crate::stack::ReplicationResult;
use crate::stack::config::{AppMode, Arrivals, Scenario};
use crate::stats::Estimate;
use std::collections::BTreeMap;

/// The analytic figures of one design.
#[derive(Clone, Debug, PartialEq)]
pub struct Analytic {
    /// The end-to-end mean latency (ms); infinite when a station is at ρ ≥ 1.
    pub mean_ms: f64,
    /// The busiest station, its ρ and the model of its wait (`M/M/5`, `E4/M/1`, `G/G/5≈`, `MVA`).
    pub busiest: String,
    pub rho: f64,
    pub model: String,
}

fn mean_s(d: &Option<Dist>) -> f64 {
    d.as_ref().map_or(0.0, |d| d.mean_ns() / 1e9)
}

fn sojourn(l: &StationLoad) -> f64 {
    if l.rho >= 1.0 {
        f64::INFINITY
    } else {
        l.wait_s + l.mean_hold_s
    }
}

/// The estimate for `sc` at its workload's mean rate.
pub fn estimate(sc: &Scenario) -> Analytic {
    let report = capacity::report(sc);
    // The first of the busiest, in the model's order.
    let busiest = (report.stations.iter())
        .filter(|s| s.lambda_per_s > 0.0)
        .fold(None::<&StationLoad>, |best, s| match best {
            Some(b) if b.rho >= s.rho => Some(b),
            _ => Some(s),
        });
    let (name, rho, model) = busiest.map_or((String::new(), 0.0, String::new()), |s| {
        (s.station.clone(), s.rho, s.model.clone())
    });
    if let (Arrivals::Closed { .. }, Some(c)) = (&sc.workload.arrivals, &report.closed) {
        return Analytic {
            mean_ms: c.response_s * 1e3,
            busiest: name,
            rho,
            model: "MVA".into(),
        };
    }
    let by_name: BTreeMap<&str, &StationLoad> = (report.stations.iter())
        .map(|s| (s.station.as_str(), s))
        .collect();
    let m = &sc.model;
    let net = &m.network;
    let total = report.lambda_per_s.max(1e-300);
    let mut mean = 2.0 * mean_s(&net.client_lb);
    if !m.balancers.is_empty() {
        mean += 2.0 * mean_s(&net.lb_server);
        for b in &m.balancers {
            if let Some(l) = by_name.get(b.name.as_str()) {
                mean += l.lambda_per_s / total * sojourn(l);
            }
        }
    }
    let (reads, writes) = sc.workload.mean_queries();
    for (s, cfg) in m.servers.iter().enumerate() {
        let Some(app) = by_name.get(format!("{}.app", cfg.name).as_str()) else {
            continue;
        };
        if app.lambda_per_s <= 0.0 {
            continue;
        }
        let mut t = sojourn(app);
        if let Some(n) = by_name.get(format!("{}.nginx", cfg.name).as_str()) {
            t += sojourn(n);
        }
        if cfg.app_mode == AppMode::Async {
            for (db, q, read) in [
                (cfg.reads_from, reads, true),
                (cfg.writes_to, writes, false),
            ] {
                let Some(d) = db else { continue };
                let dc = &m.databases[d];
                let Some(l) = by_name.get(dc.name.as_str()) else {
                    continue;
                };
                let service = if read { &dc.read } else { &dc.write };
                let hop = if dc.host == Some(s) {
                    0.0
                } else {
                    2.0 * mean_s(&net.server_db)
                };
                let w = if l.rho >= 1.0 {
                    f64::INFINITY
                } else {
                    l.wait_s
                };
                t += q * (w + service.mean_ns() / 1e9 + hop);
            }
        }
        mean += app.lambda_per_s / total * t;
    }
    Analytic {
        mean_ms: mean * 1e3,
        busiest: name,
        rho,
        model,
    }
}

/// Why the simulated mean may part from the analytic one: the failures
/// the run saw (by reason), then what in the model the station models do
/// not capture — named only when the simulated interval misses the
/// analytic mean.
pub fn why(sc: &Scenario, a: &Analytic, sim_mean: &Estimate, reps: &[ReplicationResult]) -> String {
    let mut notes: Vec<String> = vec![];
    let requests: u64 = reps.iter().map(ReplicationResult::requests).sum();
    let mut reasons: BTreeMap<&str, u64> = BTreeMap::new();
    for f in reps.iter().flat_map(|r| &r.failures) {
        *reasons.entry(f.reason.as_str()).or_default() += f.count;
    }
    let mut reasons: Vec<(&str, u64)> = reasons.into_iter().collect();
    reasons.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
    if let Some((r, n)) = reasons.first()
        && requests > 0
    {
        notes.push(format!("{r} {:.2}%", 100.0 * *n as f64 / requests as f64));
    }
    if a.rho >= 1.0 {
        notes.push(format!(
            "theory: ρ {:.2} ≥ 1 at {} (its bounded queue sheds what it cannot serve)",
            a.rho, a.busiest
        ));
    }
    let h = if sim_mean.half_width_95.is_finite() {
        sim_mean.half_width_95
    } else {
        0.0
    };
    let parts =
        a.mean_ms.is_finite() && sim_mean.mean.is_finite() && (sim_mean.mean - a.mean_ms).abs() > h;
    if parts {
        let m = &sc.model;
        let (reads, writes) = sc.workload.mean_queries();
        if reads + writes > 0.0 && m.servers.iter().any(|s| s.app_mode == AppMode::Sync) {
            notes.push("sync app holds workers through its queries".into());
        }
        let retries = m.balancers.iter().any(|b| b.retries > 0) && !reasons.is_empty();
        if retries || sc.workload.client_retries > 0 {
            notes.push("retries".into());
        }
        if reasons.iter().any(|(r, _)| r.contains("timeout")) {
            notes.push("timeouts".into());
        }
        if a.model.contains('≈') {
            notes.push(format!("{} is an approximation", a.model));
        }
        if notes.is_empty() {
            notes.push("network and service tails beyond the means".into());
        }
    }
    notes.join("; ")
}
