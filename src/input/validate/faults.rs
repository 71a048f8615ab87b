//! Validation of an experiment's `[[faults]]` against a valid model:
//! crashes (host or process), slow-downs, partitions (balancer ↮ server,
//! server ↮ database, replica ↮ its source) and degraded links, each with
//! the targets its kind allows.

use super::super::experiment::*;
use super::Checker;
use crate::engine::SimDuration;
use crate::stack::config::*;

impl Checker<'_> {
    /// Converts the `[[faults]]` of an experiment against a valid model.
    pub fn faults(&mut self, list: &[FaultFile], model: &ModelConfig) -> Vec<Fault> {
        let stations = model.station_names();
        let mut out = vec![];
        for (i, f) in list.iter().enumerate() {
            let p = format!("faults[{i}]");
            if f.duration.is_some_and(|d| d.0.is_zero()) {
                self.err(
                    &format!("{p}.duration"),
                    "must be positive (leave it out for a fault that lasts)",
                );
            }
            let server = model.servers.iter().position(|s| s.name == f.target);
            let lb = model.balancers.iter().position(|b| b.name == f.target);
            let station = stations.iter().position(|s| *s == f.target);
            if f.kind == "partition" || f.kind == "network" {
                if let Some(kind_target) = self.net_fault(&p, f, model, server, lb) {
                    out.push(Fault {
                        at: f.at.0,
                        target: kind_target.1,
                        kind: kind_target.0,
                        duration: f.duration.map(|d| d.0),
                    });
                }
                continue;
            }
            for (set, key) in [
                (f.peer.is_some(), "peer"),
                (f.extra_latency.is_some(), "extra_latency"),
                (f.loss.is_some(), "loss"),
            ] {
                if set {
                    self.err(
                        &format!("{p}.{key}"),
                        format!("`{key}` is for kind = \"partition\" or \"network\""),
                    );
                }
            }
            let kind = match (f.kind.as_str(), f.mode.as_deref(), f.factor) {
                ("crash", mode, None) => match mode {
                    None | Some("host") => Some(FaultKind::CrashHost),
                    Some("process") => Some(FaultKind::CrashProcess),
                    Some(other) => {
                        self.err(&format!("{p}.mode"), format!("unknown crash mode `{other}`; expected `host` (silent: connections time out) or `process` (connections refused)"));
                        None
                    }
                },
                ("slow", None, Some(factor)) if factor.is_finite() && factor > 0.0 => {
                    Some(FaultKind::Slow { factor })
                }
                ("slow", None, Some(factor)) => {
                    self.err(
                        &format!("{p}.factor"),
                        format!("must be a positive number, found {factor}"),
                    );
                    None
                }
                ("slow", None, None) => {
                    self.err(
                        &p,
                        "a slow-down needs `factor` (service times are multiplied by it)",
                    );
                    None
                }
                ("crash", _, Some(_)) => {
                    self.err(&format!("{p}.factor"), "`factor` is for kind = \"slow\"");
                    None
                }
                ("slow", Some(_), _) => {
                    self.err(&format!("{p}.mode"), "`mode` is for kind = \"crash\"");
                    None
                }
                (other, _, _) => {
                    self.err(
                        &format!("{p}.kind"),
                        format!("unknown fault kind `{other}`; expected `crash`, `slow`, `partition` or `network`"),
                    );
                    None
                }
            };
            let db = model.databases.iter().position(|d| d.name == f.target);
            let target = match (kind, server, lb, station) {
                (_, Some(s), _, _) => Some(FaultTarget::Server(s)),
                (_, _, Some(b), _) => Some(FaultTarget::Balancer(b)),
                (Some(FaultKind::CrashProcess), _, _, _) if db.is_some() => {
                    db.map(FaultTarget::Database)
                }
                (Some(FaultKind::CrashHost), _, _, _) if db.is_some() => {
                    self.err(
                        &format!("{p}.mode"),
                        "a database crash is its process (`mode = \"process\"`); to take its host down, crash the server it runs on",
                    );
                    None
                }
                (Some(FaultKind::Slow { .. }), _, _, Some(st)) => Some(FaultTarget::Station(st)),
                (Some(_), _, _, Some(_)) => {
                    self.err(
                        &format!("{p}.target"),
                        format!(
                            "`{}` is a station: a crash takes a server or a balancer",
                            f.target
                        ),
                    );
                    None
                }
                _ => {
                    self.err(
                        &format!("{p}.target"),
                        format!(
                            "`{}` is not a server, balancer or station (stations: {})",
                            f.target,
                            stations.join(", ")
                        ),
                    );
                    None
                }
            };
            if let (Some(kind), Some(target)) = (kind, target) {
                out.push(Fault {
                    at: f.at.0,
                    target,
                    kind,
                    duration: f.duration.map(|d| d.0),
                });
            }
        }
        out
    }

    /// A partition (target ↮ peer) or a degraded link.
    fn net_fault(
        &mut self,
        p: &str,
        f: &FaultFile,
        model: &ModelConfig,
        server: Option<usize>,
        lb: Option<usize>,
    ) -> Option<(FaultKind, FaultTarget)> {
        if f.mode.is_some() || f.factor.is_some() {
            self.err(p, "`mode` and `factor` are for crashes and slow-downs");
            return None;
        }
        if f.kind == "network" {
            let link = match f.target.as_str() {
                "client_lb" => 0,
                "lb_server" => 1,
                "server_db" => 2,
                other => {
                    self.err(&format!("{p}.target"), format!("`{other}` is not a link; expected `client_lb`, `lb_server` or `server_db`"));
                    return None;
                }
            };
            let loss = f.loss.unwrap_or(0.0);
            if !(0.0..1.0).contains(&loss) {
                self.err(
                    &format!("{p}.loss"),
                    format!("must be in [0, 1), found {loss}"),
                );
                return None;
            }
            let extra = f.extra_latency.map_or(SimDuration::ZERO, |d| d.0);
            if extra.is_zero() && loss == 0.0 {
                self.err(p, "a network fault needs `extra_latency` or `loss`");
                return None;
            }
            return Some((FaultKind::Network { extra, loss }, FaultTarget::Link(link)));
        }
        let Some(peer_name) = &f.peer else {
            self.err(
                p,
                "a partition needs `peer`: the component the target can no longer reach",
            );
            return None;
        };
        let peer_server = model.servers.iter().position(|s| s.name == *peer_name);
        let peer_db = model.databases.iter().position(|d| d.name == *peer_name);
        let db = model.databases.iter().position(|d| d.name == f.target);
        if let (Some(d), Some(peer)) = (db, peer_db) {
            return self.db_partition(p, model, d, peer);
        }
        match (lb, server, peer_server, peer_db) {
            (Some(b), _, Some(s), _) => Some((
                FaultKind::Partition {
                    peer: FaultTarget::Server(s),
                },
                FaultTarget::Balancer(b),
            )),
            (_, Some(s), _, Some(d)) => Some((
                FaultKind::Partition {
                    peer: FaultTarget::Database(d),
                },
                FaultTarget::Server(s),
            )),
            _ => {
                self.err(p, format!("a partition is between a balancer and a server, a server and a database, or a replica and its source database; `{}` and `{peer_name}` are not", f.target));
                None
            }
        }
    }

    /// A partition between two databases: it cuts replication, so it must
    /// be between a replica and its source (either way round). Any other
    /// pair has no link between them to cut.
    fn db_partition(
        &mut self,
        p: &str,
        model: &ModelConfig,
        d: usize,
        peer: usize,
    ) -> Option<(FaultKind, FaultTarget)> {
        let dbs = &model.databases;
        let source_of = |i: usize| match dbs[i].role {
            DbRole::Replica { source } => Some(source),
            DbRole::Primary => None,
        };
        if source_of(d) == Some(peer) || source_of(peer) == Some(d) {
            return Some((
                FaultKind::Partition {
                    peer: FaultTarget::Database(peer),
                },
                FaultTarget::Database(d),
            ));
        }
        let (a, b) = (&dbs[d].name, &dbs[peer].name);
        let why = match (source_of(d), source_of(peer)) {
            _ if d == peer => format!("`{a}` cannot be cut off from itself"),
            (Some(x), Some(y)) if x == y => format!(
                "`{a}` and `{b}` are both replicas of `{}`: neither copies the other",
                dbs[x].name
            ),
            _ => format!("neither `{a}` nor `{b}` is the other's source"),
        };
        self.err(
            &format!("{p}.peer"),
            format!("{why}; a partition between two databases cuts a replica from its source (name a replica and its `source`)"),
        );
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{BASE, problems, scenario};
    use crate::stack::config::{FaultKind, FaultTarget};

    fn fault(f: &str) -> String {
        format!("{BASE}[[faults]]\nat = \"1s\"\n{f}")
    }

    #[test]
    fn kinds_take_their_targets() {
        let sc = scenario(&fault("target = \"web1\"\nkind = \"crash\"\n"));
        assert_eq!(sc.faults[0].kind, FaultKind::CrashHost);
        assert_eq!(sc.faults[0].target, FaultTarget::Server(0));
        let sc = scenario(&fault(
            "target = \"web1.app\"\nkind = \"slow\"\nfactor = 3.0\n",
        ));
        assert!(matches!(sc.faults[0].target, FaultTarget::Station(_)));
        let sc = scenario(&fault(
            "target = \"lb_server\"\nkind = \"network\"\nloss = 0.1\n",
        ));
        assert!(matches!(sc.faults[0].kind, FaultKind::Network { .. }));
    }

    #[test]
    fn parameters_belong_to_their_kind() {
        for (f, want) in [
            (
                "target = \"web1\"\nkind = \"crash\"\nfactor = 2.0\n",
                "`factor` is for kind = \"slow\"",
            ),
            (
                "target = \"web1\"\nkind = \"slow\"\n",
                "a slow-down needs `factor`",
            ),
            (
                "target = \"web1\"\nkind = \"melt\"\n",
                "unknown fault kind `melt`",
            ),
            (
                "target = \"web1\"\nkind = \"crash\"\nmode = \"kernel\"\n",
                "unknown crash mode `kernel`",
            ),
            (
                "target = \"web1\"\nkind = \"crash\"\npeer = \"web1\"\n",
                "`peer` is for kind = \"partition\" or \"network\"",
            ),
            (
                "target = \"web1.app\"\nkind = \"crash\"\n",
                "is a station: a crash takes a server or a balancer",
            ),
            (
                "target = \"wan\"\nkind = \"network\"\nloss = 0.1\n",
                "`wan` is not a link",
            ),
            (
                "target = \"client_lb\"\nkind = \"network\"\n",
                "a network fault needs `extra_latency` or `loss`",
            ),
            (
                "target = \"web1\"\nkind = \"partition\"\n",
                "a partition needs `peer`",
            ),
            (
                "target = \"web1\"\nkind = \"crash\"\nduration = \"0s\"\n",
                "must be positive (leave it out",
            ),
        ] {
            let p = problems(&fault(f));
            assert!(p.iter().any(|m| m.contains(want)), "{want}: {p:?}");
        }
    }

    /// A partition between databases is between a replica and its source,
    /// named either way round; any other pair is refused at `peer`.
    #[test]
    fn a_partition_between_databases_cuts_a_replica_from_its_source() {
        let dbs = "[model.databases.db1]\nrole = \"primary\"\nread = \"1ms\"\nwrite = \"2ms\"\n[model.databases.db2]\nrole = \"replica\"\nsource = \"db1\"\nread = \"1ms\"\n[model.databases.db3]\nrole = \"replica\"\nsource = \"db1\"\nread = \"1ms\"\n[model.databases.db4]\nrole = \"primary\"\nread = \"1ms\"\nwrite = \"2ms\"\n";
        let cut = |t: &str, p: &str| {
            format!(
                "{BASE}{dbs}[[faults]]\nat = \"1s\"\ntarget = \"{t}\"\nkind = \"partition\"\npeer = \"{p}\"\n"
            )
        };
        for (t, p, d, peer) in [("db2", "db1", 1, 0), ("db1", "db3", 0, 2)] {
            let sc = scenario(&cut(t, p));
            assert_eq!(sc.faults[0].target, FaultTarget::Database(d));
            assert_eq!(
                sc.faults[0].kind,
                FaultKind::Partition {
                    peer: FaultTarget::Database(peer)
                }
            );
        }
        for (t, p, want) in [
            (
                "db2",
                "db3",
                "faults[0].peer: `db2` and `db3` are both replicas of `db1`: neither copies the other; a partition between two databases cuts a replica from its source",
            ),
            (
                "db1",
                "db4",
                "neither `db1` nor `db4` is the other's source",
            ),
            ("db2", "db2", "`db2` cannot be cut off from itself"),
        ] {
            let p = problems(&cut(t, p));
            assert!(p.iter().any(|m| m.contains(want)), "{want}: {p:?}");
        }
    }
}
