//! A closed workload (N users thinking Z between requests) solved by exact
//! MVA over the model's stations, with the asymptotic bounds beside it.
//!
//! Each station is a centre with demand D = visits × mean service at zero
//! load (visits per request from the offered-load split), `workers` servers
//! (MVA's multi-server centre), and the network hops one delay centre. The
//! total demand includes the database's: an `async` app releases its worker
//! while its queries run, so they are a centre of their own. A `sync` app
//! holds its worker through its queries, which is not product form: its
//! centre's demand includes the queries' service and hops, and its database
//! demand is not counted again — MVA then leaves out database contention
//! from sync apps (negligible while the database's ρ is small).
//!
//! Bounds (Lazowska et al. 1984, ch. 5): X ≤ min(N/(Z + D), 1/max_k(D_k/c_k)).

use super::{Condition, loads_in};
use crate::analytic::{Centre, mva};
use crate::stack::config::{AppMode, Arrivals, Scenario};

/// The closed workload's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct ClosedFigures {
    pub users: u32,
    pub think_s: f64,
    /// Exact MVA throughput X (req/s) and response time R (s).
    pub throughput_per_s: f64,
    pub response_s: f64,
    /// Total demand D per request (s), delays included.
    pub demand_s: f64,
    /// min(N/(Z + D), c/D of the bottleneck).
    pub bound_per_s: f64,
    /// The station with the largest D/c.
    pub bottleneck: String,
}

/// MVA of the scenario's closed workload under `cond`; `None` if open or if
/// no request can be served.
pub fn solve(sc: &Scenario, cond: &Condition) -> Option<ClosedFigures> {
    let Arrivals::Closed { users, think } = &sc.workload.arrivals else {
        return None;
    };
    let m = &sc.model;
    // Visit ratios and zero-load holds from the offered-load split at a
    // vanishing rate (no queueing anywhere).
    let tiny = 1e-9;
    let (at0, lost) = loads_in(sc, tiny, cond);
    if lost >= 1.0 - 1e-12 {
        return None;
    }
    let (reads, writes) = sc.workload.mean_queries();
    let net = |d: &Option<crate::dist::Dist>| d.as_ref().map_or(0.0, |d| d.mean_ns() / 1e9);
    let mut centres = vec![];
    let mut names = vec![];
    let mut delay = 2.0 * net(&m.network.client_lb)
        + if m.balancers.is_empty() {
            0.0
        } else {
            2.0 * net(&m.network.lb_server)
        };
    // The databases' demand from async apps, per database.
    let mut db_demand = vec![0.0; m.databases.len()];
    for (s, cfg) in m.servers.iter().enumerate() {
        if cfg.app_mode == AppMode::Sync {
            continue;
        }
        let app = format!("{}.app", cfg.name);
        let v = at0
            .iter()
            .find(|l| l.station == app)
            .map_or(0.0, |l| l.lambda_per_s / tiny);
        for (db, q, is_read) in [
            (cfg.reads_from, reads, true),
            (cfg.writes_to, writes, false),
        ] {
            if let Some(d) = db {
                let cd = &m.databases[d];
                let k = cond.scale[m.station_names().iter().position(|n| *n == cd.name)?];
                let service = if is_read {
                    cd.read.mean_ns()
                } else {
                    cd.write.mean_ns()
                };
                db_demand[d] += v * q * service / 1e9 * k;
                if cd.host != Some(s) {
                    delay += v * q * 2.0 * (net(&m.network.server_db) + cond.db_hop_extra_s);
                }
            }
        }
    }
    let db_names: Vec<&str> = m.databases.iter().map(|d| d.name.as_str()).collect();
    for l in &at0 {
        let demand = match db_names.iter().position(|n| *n == l.station) {
            Some(d) => db_demand[d],
            None => l.lambda_per_s / tiny * l.mean_hold_s,
        };
        if demand > 0.0 {
            centres.push(Centre::MultiServer {
                demand_s: demand,
                servers: l.workers,
            });
            names.push(l.station.clone());
        }
    }
    if delay > 0.0 {
        centres.push(Centre::Delay { demand_s: delay });
        names.push("network".into());
    }
    let z = think.mean_ns() / 1e9;
    let r = mva(&centres, z, *users);
    let demand_s: f64 = centres.iter().map(Centre::demand_s).sum();
    let (bottleneck, dmax) = centres
        .iter()
        .zip(&names)
        .map(|(c, n)| (n.clone(), c.bottleneck_demand_s()))
        .fold((String::new(), 0.0), |a, b| if b.1 > a.1 { b } else { a });
    let bound_per_s = (f64::from(*users) / (z + demand_s)).min(if dmax > 0.0 {
        1.0 / dmax
    } else {
        f64::INFINITY
    });
    Some(ClosedFigures {
        users: *users,
        think_s: z,
        throughput_per_s: r.throughput_per_s * (1.0 - lost),
        response_s: r.response_s,
        demand_s,
        bound_per_s,
        bottleneck,
    })
}
