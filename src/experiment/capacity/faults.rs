//! What each scenario fault does to the load on the survivors, by
//! recomputing the station table under the fault's [`Condition`]: a crashed
//! server's share moves to the other backends of its balancers, a lost
//! balancer's to its VRRP backup (or to the other DNS addresses when clients
//! try the next one), a slow-down scales the service times of its stations,
//! extra latency on the server↔database link lengthens a synchronous app's
//! hold. Partitions, packet loss and database crashes are named but not
//! estimated (their effect is retries and failures, which only a run shows;
//! a partition between a replica and its source stops replication only).
//!
//! The figures are steady-state ones for the fault held forever: a fault
//! shorter than the queues' relaxation time does less harm, and the
//! detection delay (health checks) is not in them.

use super::{StationLoad, closed, loads_in};
use crate::stack::config::{Entry, FaultKind, FaultTarget, ModelConfig, Scenario};

/// Which components are up, and each station's service-time factor.
#[derive(Clone, Debug)]
pub struct Condition {
    pub server_up: Vec<bool>,
    pub lb_up: Vec<bool>,
    /// Service-time factor per station, in `ModelConfig::station_names` order.
    pub scale: Vec<f64>,
    /// Extra one-way latency on the server↔database link (s).
    pub db_hop_extra_s: f64,
}

impl Condition {
    /// Everything up, at normal speed.
    pub fn normal(m: &ModelConfig) -> Condition {
        Condition {
            server_up: vec![true; m.servers.len()],
            lb_up: vec![true; m.balancers.len()],
            scale: vec![1.0; m.station_names().len()],
            db_hop_extra_s: 0.0,
        }
    }

    /// The rate into each entry point (in `m.entries` order), the rate each
    /// balancer takes over from a dead one (VRRP), and the rate that reaches
    /// none (a dead entry nobody takes over).
    pub(super) fn entry_rates(
        &self,
        m: &ModelConfig,
        lambda: f64,
        next: bool,
    ) -> (Vec<f64>, Vec<f64>, f64) {
        let n = m.entries.len().max(1) as f64;
        let up = |e: &Entry| match *e {
            Entry::Balancer(b) => self.lb_up[b],
            Entry::Server(s) => self.server_up[s],
        };
        let mut rate: Vec<f64> = m
            .entries
            .iter()
            .map(|e| if up(e) { lambda / n } else { 0.0 })
            .collect();
        let mut orphan = 0.0;
        let mut takeover = vec![0.0; m.balancers.len()];
        for e in m.entries.iter().filter(|e| !up(e)) {
            // keepalived moves a dead balancer's address to its backup.
            let backup = match *e {
                Entry::Balancer(b) => m.balancers[b].vrrp.as_ref().map(|v| v.backup),
                Entry::Server(_) => None,
            };
            match backup.filter(|&b| self.lb_up[b]) {
                // The backup answers on the dead one's address: its share
                // reaches the backup whether or not the backup is an entry.
                Some(b) => takeover[b] += lambda / n,
                None => orphan += lambda / n,
            }
        }
        let live = m.entries.iter().filter(|e| up(e)).count();
        if next && live > 0 {
            for (r, e) in rate.iter_mut().zip(&m.entries) {
                if up(e) {
                    *r += orphan / live as f64;
                }
            }
            orphan = 0.0;
        }
        (rate, takeover, orphan)
    }
}

/// One fault's effect: the stations whose load it changes.
#[derive(Clone, Debug)]
pub struct FaultEffect {
    /// `web2 crashes (host: silent)`.
    pub what: String,
    /// `while web2 is down` / `while web2.app is slow`.
    pub during: String,
    /// How long it lasts, in words (`60s`, `for good`).
    pub lasts: String,
    /// (before, during) for every station whose ρ changes.
    pub changed: Vec<(StationLoad, StationLoad)>,
    /// Share of requests that reach no live component.
    pub lost_share: f64,
    /// Why the table says nothing for this fault, when it does not.
    pub not_estimated: Option<&'static str>,
}

/// The effect of each of the scenario's faults, at rate `lambda` (closed
/// workloads are re-solved under each fault).
pub fn effects(sc: &Scenario, lambda: f64) -> Vec<FaultEffect> {
    let m = &sc.model;
    let normal = Condition::normal(m);
    let before = loads_in(sc, lambda, &normal).0;
    let names = m.station_names();
    sc.faults
        .iter()
        .map(|f| {
            let mut c = normal.clone();
            let target = m.target_name(f.target);
            let mut not_estimated = None;
            let during = match (f.kind, f.target) {
                (FaultKind::CrashHost | FaultKind::CrashProcess, FaultTarget::Server(s)) => {
                    c.server_up[s] = false;
                    format!("while {target} is down")
                }
                (FaultKind::CrashHost | FaultKind::CrashProcess, FaultTarget::Balancer(b)) => {
                    c.lb_up[b] = false;
                    format!("while {target} is down")
                }
                (FaultKind::Slow { factor }, t) => {
                    for (i, n) in names.iter().enumerate() {
                        let hit = match t {
                            FaultTarget::Server(_) => n.starts_with(&format!("{target}.")),
                            _ => *n == target,
                        };
                        if hit {
                            c.scale[i] = factor;
                        }
                    }
                    format!("while {target} is slow")
                }
                (FaultKind::Network { extra, .. }, FaultTarget::Link(2)) => {
                    c.db_hop_extra_s = extra.as_secs_f64();
                    format!("while link {target} is degraded")
                }
                (FaultKind::Network { .. }, _) => {
                    not_estimated = Some("it adds latency but no station's load");
                    String::new()
                }
                (
                    FaultKind::Partition {
                        peer: FaultTarget::Database(_),
                    },
                    FaultTarget::Database(_),
                ) => {
                    not_estimated = Some(
                        "it stops replication, not requests: stale reads and lag, run it to see",
                    );
                    String::new()
                }
                _ => {
                    not_estimated = Some("its effect is failures and retries: run it to see");
                    String::new()
                }
            };
            let rate = match &sc.workload.arrivals {
                crate::stack::config::Arrivals::Closed { .. } => {
                    closed::solve(sc, &c).map_or(lambda, |x| x.throughput_per_s)
                }
                _ => lambda,
            };
            let (after, lost_share) = loads_in(sc, rate, &c);
            let changed = before
                .iter()
                .zip(after)
                .filter(|(b, a)| (b.rho - a.rho).abs() > 1e-9 * b.rho.max(1e-12))
                .map(|(b, a)| (b.clone(), a))
                .collect();
            FaultEffect {
                what: m.describe(f),
                during,
                lasts: f.duration.map_or("for good".into(), |d| d.to_string()),
                changed: if not_estimated.is_some() {
                    vec![]
                } else {
                    changed
                },
                lost_share,
                not_estimated,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::capacity::tests::scenario;

    #[test]
    fn a_crashed_backend_moves_its_load_to_the_other() {
        // 2 equal backends behind a round robin, 100 req/s, app 1 worker of
        // exp 13 ms: ρ = 50·0.013 = 0.65 each; with web2 down web1 gets all
        // 100 req/s: ρ = 1.30.
        let sc = scenario(
            "rate = 100",
            "13ms",
            "[[faults]]\nat = \"10s\"\ntarget = \"b\"\nkind = \"crash\"\nduration = \"20s\"\n",
        );
        let e = &effects(&sc, 100.0)[0];
        assert_eq!(e.during, "while b is down");
        let a = e
            .changed
            .iter()
            .find(|(x, _)| x.station == "a.app")
            .unwrap();
        assert!((a.0.rho - 0.65).abs() < 1e-12 && (a.1.rho - 1.30).abs() < 1e-12);
        // Alone behind the balancer, a.app's arrivals are Poisson again.
        assert_eq!(a.1.model, "M/M/1");
        assert_eq!(a.1.wait_s, f64::INFINITY);
        assert_eq!(e.lost_share, 0.0);
    }

    #[test]
    fn a_slow_down_scales_the_station() {
        let sc = scenario(
            "rate = 100",
            "5ms",
            "[[faults]]\nat = \"10s\"\ntarget = \"a.app\"\nkind = \"slow\"\nfactor = 3.0\n",
        );
        let e = &effects(&sc, 100.0)[0];
        assert_eq!(e.changed.len(), 1);
        let (b, a) = &e.changed[0];
        assert!((b.rho - 0.25).abs() < 1e-12 && (a.rho - 0.75).abs() < 1e-12);
        assert_eq!(e.lasts, "for good");
    }
}
