//! Validation of replication: which databases form a replication set (a
//! primary and the replicas whose `source` it is), the set's keyspace,
//! semi-sync, read-your-writes window and failover policy (on the
//! primary), each replica's applier and link (on the replica), and the
//! servers' `read_routing`. Fields that belong to the other role are
//! refused with the reason, so a misplaced setting never goes unnoticed.

use super::super::model::*;
use super::Checker;
use crate::dist::Dist;
use crate::engine::SimDuration;
use crate::stack::config::*;
use crate::stack::repl_config::{Failover, ReplSetConfig};
use crate::stack::replication::{
    Otherwise, Popularity, ReadRouting, RecentWrite, ReplicaConfig, ReplicationConfig,
};

/// The spellings of `read_routing`, in the order messages list them.
const ROUTINGS: [&str; 5] = [
    "local",
    "primary",
    "replicas",
    "read-your-writes",
    "read-your-writes-wait",
];

impl Checker<'_> {
    /// A server's `read_routing`.
    pub(super) fn read_routing(&mut self, path: &str, s: &ServerFile) -> ReadRouting {
        let spelled = s
            .read_routing
            .as_deref()
            .unwrap_or(ServerFile::READ_ROUTING);
        match spelled {
            "local" => ReadRouting::Local,
            "primary" => ReadRouting::PrimaryOnly,
            "replicas" => ReadRouting::ReplicasOnly,
            "read-your-writes" => ReadRouting::ReadYourWrites {
                otherwise: Otherwise::Local,
                recent: RecentWrite::Primary,
            },
            "read-your-writes-wait" => ReadRouting::ReadYourWrites {
                otherwise: Otherwise::Local,
                recent: RecentWrite::WaitForReplica,
            },
            other => {
                self.err(
                    path,
                    format!(
                        "unknown read routing `{other}`; expected one of {}",
                        ROUTINGS.join(", ")
                    ),
                );
                ReadRouting::Local
            }
        }
    }

    /// The replication sets: each primary with at least one replica.
    pub(super) fn replication_sets(
        &mut self,
        prefix: &str,
        m: &ModelFile,
        databases: &[DatabaseConfig],
        network: &NetworkConfig,
    ) -> Vec<ReplSetConfig> {
        let files: Vec<(&String, &DatabaseFile)> = m.databases.iter().collect();
        for (i, d) in databases.iter().enumerate() {
            if let DbRole::Replica { source } = d.role
                && matches!(
                    databases.get(source).map(|s| s.role),
                    Some(DbRole::Replica { .. })
                )
            {
                self.err(
                    &format!("{prefix}.databases.{}.source", files[i].0),
                    "the source must be a primary: chained replication (a replica of a replica) is not modelled",
                );
            }
        }
        let mut sets = vec![];
        for (p, d) in databases.iter().enumerate() {
            let (name, file) = files[p];
            let dp = format!("{prefix}.databases.{name}");
            if let DbRole::Replica { .. } = d.role {
                self.primary_only(&dp, file);
                continue;
            }
            self.replica_only(&dp, file);
            let replicas: Vec<usize> = (0..databases.len())
                .filter(|&r| databases[r].role == DbRole::Replica { source: p })
                .collect();
            if replicas.is_empty() {
                continue;
            }
            let mut members = vec![p];
            let mut configs = vec![];
            for &r in &replicas {
                let (rname, rf) = files[r];
                let rp = format!("{prefix}.databases.{rname}");
                let zero = Dist::constant(0.0).expect("zero is a valid constant");
                let link = match &rf.source_latency {
                    Some(spec) => self.dist(&format!("{rp}.source_latency"), spec),
                    None => Some(network.server_db.clone().unwrap_or(zero)),
                };
                let apply = match &rf.apply {
                    Some(spec) => self.dist(&format!("{rp}.apply"), spec),
                    None => Some(databases[r].write.clone()),
                };
                let workers = rf
                    .parallel_workers
                    .unwrap_or(DatabaseFile::PARALLEL_WORKERS);
                let workers = self.at_most(
                    &format!("{rp}.parallel_workers"),
                    workers,
                    1024,
                    "MySQL's `replica_parallel_workers` maximum",
                );
                let retry = rf
                    .connect_retry
                    .map_or(DatabaseFile::CONNECT_RETRY, |d| d.0);
                let connect_retry = self.timer(
                    &format!("{rp}.connect_retry"),
                    retry,
                    SimDuration::from_secs(1),
                    "whole seconds",
                );
                let timeout = rf.net_timeout.map_or(DatabaseFile::NET_TIMEOUT, |d| d.0);
                let net_timeout = self.timer(
                    &format!("{rp}.net_timeout"),
                    timeout,
                    SimDuration::from_secs(1),
                    "whole seconds",
                );
                if let (Some(network), Some(apply)) = (link, apply) {
                    members.push(r);
                    configs.push(ReplicaConfig {
                        network,
                        apply,
                        workers: workers.max(1),
                        connect_retry,
                        net_timeout,
                    });
                }
            }
            let keys = file.keys.unwrap_or(DatabaseFile::KEYS);
            let keys = self.at_least_one(&format!("{dp}.keys"), keys);
            let keys = self.at_most(
                &format!("{dp}.keys"),
                keys,
                crate::input::limits::MAX_KEYS,
                "each database keeps a version per key",
            );
            let popularity = self.popularity(&dp, file);
            let semi_sync = file.semi_sync.as_ref().map(|s| {
                let t = s.timeout.map_or(SemiSyncFile::TIMEOUT, |d| d.0);
                self.ms_timer(&format!("{dp}.semi_sync.timeout"), t)
            });
            let ryw_window = file
                .read_your_writes_window
                .map_or(DatabaseFile::READ_YOUR_WRITES_WINDOW, |d| d.0);
            let failover = self.failover(&dp, file);
            sets.push(ReplSetConfig {
                members,
                repl: ReplicationConfig {
                    keys,
                    replicas: configs,
                    semi_sync,
                    ryw_window,
                    sample_every: DatabaseFile::LAG_SAMPLE_EVERY,
                },
                popularity,
                failover,
            });
        }
        sets
    }

    fn popularity(&mut self, dp: &str, f: &DatabaseFile) -> Popularity {
        match (
            f.popularity.as_deref().unwrap_or("uniform"),
            f.zipf_exponent,
        ) {
            ("uniform", None) => Popularity::Uniform,
            ("uniform", Some(_)) => {
                self.err(
                    &format!("{dp}.zipf_exponent"),
                    "only `popularity = \"zipf\"` has an exponent",
                );
                Popularity::Uniform
            }
            ("zipf", s) => {
                let s = s.unwrap_or(DatabaseFile::ZIPF_EXPONENT);
                if !(s.is_finite() && (0.0..=10.0).contains(&s)) {
                    self.err(
                        &format!("{dp}.zipf_exponent"),
                        format!("must be a number from 0 to 10, found {s}"),
                    );
                }
                Popularity::Zipf {
                    s: s.clamp(0.0, 10.0),
                }
            }
            (other, _) => {
                self.err(
                    &format!("{dp}.popularity"),
                    format!("unknown popularity `{other}`; expected `uniform` or `zipf`"),
                );
                Popularity::Uniform
            }
        }
    }

    fn failover(&mut self, dp: &str, f: &DatabaseFile) -> Failover {
        let fp = format!("{dp}.failover");
        let file = f.failover.as_ref();
        let decision = file
            .and_then(|x| x.decision)
            .map_or(FailoverFile::DECISION, |d| d.0);
        let decision = self.ms_timer(&format!("{fp}.decision"), decision);
        match file.map_or(FailoverFile::POLICY, |x| x.policy.as_str()) {
            "none" => Failover::None,
            "manual" => Failover::Manual { decision },
            "orchestrator" => Failover::Orchestrator {
                poll: FailoverFile::ORCHESTRATOR_POLL,
                confirm: FailoverFile::ORCHESTRATOR_CONFIRM,
                recovery: FailoverFile::ORCHESTRATOR_RECOVERY,
                block: FailoverFile::ORCHESTRATOR_BLOCK,
                manual: decision,
            },
            "mha" => Failover::Mha {
                ping: FailoverFile::MHA_PING,
                pings: FailoverFile::MHA_PINGS,
                min: FailoverFile::MHA_MIN,
                max: FailoverFile::MHA_MAX,
            },
            other => {
                self.err(
                    &format!("{fp}.policy"),
                    format!(
                        "unknown failover policy `{other}`; expected `none`, `manual`, `orchestrator` or `mha`"
                    ),
                );
                Failover::None
            }
        }
    }

    /// A replica's settings that only a primary takes.
    fn primary_only(&mut self, dp: &str, f: &DatabaseFile) {
        let set = [
            ("keys", f.keys.is_some()),
            ("popularity", f.popularity.is_some()),
            ("zipf_exponent", f.zipf_exponent.is_some()),
            ("semi_sync", f.semi_sync.is_some()),
            ("failover", f.failover.is_some()),
            (
                "read_your_writes_window",
                f.read_your_writes_window.is_some(),
            ),
        ];
        for (field, given) in set {
            if given {
                self.err(
                    &format!("{dp}.{field}"),
                    format!(
                        "`{field}` belongs on the primary: it applies to the whole replication set"
                    ),
                );
            }
        }
    }

    /// A primary's settings that only a replica takes.
    fn replica_only(&mut self, dp: &str, f: &DatabaseFile) {
        let set = [
            ("apply", f.apply.is_some()),
            ("parallel_workers", f.parallel_workers.is_some()),
            ("source_latency", f.source_latency.is_some()),
            ("connect_retry", f.connect_retry.is_some()),
            ("net_timeout", f.net_timeout.is_some()),
        ];
        for (field, given) in set {
            if given {
                self.err(
                    &format!("{dp}.{field}"),
                    format!(
                        "`{field}` belongs on a replica: it describes how it copies its source"
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{BASE, problems, scenario};
    use crate::engine::SimDuration;
    use crate::stack::repl_config::Failover;
    use crate::stack::replication::{Popularity, ReadRouting};

    const DBS: &str = "[model.databases.db1]\nrole = \"primary\"\nread = \"1ms\"\nwrite = \"2ms\"\n[model.databases.db2]\nrole = \"replica\"\nsource = \"db1\"\nread = \"1ms\"\n";

    #[test]
    fn a_primary_with_a_replica_is_a_set_with_mysql_defaults() {
        let sc = scenario(&format!("{BASE}{DBS}"));
        let set = &sc.model.replication[0];
        assert_eq!(set.members, [0, 1]);
        assert_eq!(set.repl.keys, 10_000);
        assert_eq!(set.repl.replicas[0].workers, 4);
        assert_eq!(
            set.repl.replicas[0].connect_retry,
            SimDuration::from_secs(60),
            "MySQL's SOURCE_CONNECT_RETRY"
        );
        assert_eq!(
            set.repl.replicas[0].net_timeout,
            SimDuration::from_secs(60),
            "MySQL's replica_net_timeout"
        );
        assert_eq!(set.repl.semi_sync, None);
        assert_eq!(set.repl.ryw_window, SimDuration::from_secs(2));
        assert_eq!(set.popularity, Popularity::Uniform);
        assert_eq!(set.failover, Failover::None);
        assert_eq!(sc.model.servers[0].read_routing, ReadRouting::Local);
        // Without a replica there is no set.
        let one = "[model.databases.db1]\nrole = \"primary\"\nread = \"1ms\"\nwrite = \"2ms\"\n";
        assert!(
            scenario(&format!("{BASE}{one}"))
                .model
                .replication
                .is_empty()
        );
    }

    #[test]
    fn replication_settings_are_read_and_checked() {
        let primary = "[model.databases.db1]\nrole = \"primary\"\nread = \"1ms\"\nwrite = \"2ms\"\nkeys = 5\npopularity = \"zipf\"\nsemi_sync = { timeout = \"3s\" }\nfailover = { policy = \"mha\" }\n";
        let replica = "[model.databases.db2]\nrole = \"replica\"\nsource = \"db1\"\nread = \"1ms\"\napply = \"4ms\"\nparallel_workers = 1\nsource_latency = \"20ms\"\nconnect_retry = \"10s\"\nnet_timeout = \"5s\"\n";
        let sc = scenario(&format!("{BASE}{primary}{replica}"));
        let set = &sc.model.replication[0];
        assert_eq!(set.repl.keys, 5);
        assert_eq!(set.popularity, Popularity::Zipf { s: 0.99 });
        assert_eq!(set.repl.semi_sync, Some(SimDuration::from_secs(3)));
        assert!(matches!(set.failover, Failover::Mha { .. }));
        let r = &set.repl.replicas[0];
        assert_eq!(r.workers, 1);
        assert_eq!(r.network.mean_ns(), 20e6);
        assert_eq!(r.apply.mean_ns(), 4e6);
        assert_eq!(r.connect_retry, SimDuration::from_secs(10));
        assert_eq!(r.net_timeout, SimDuration::from_secs(5));
        let p = problems(&format!(
            "{BASE}[model.databases.db1]\nrole = \"primary\"\nread = \"1ms\"\nwrite = \"2ms\"\nconnect_retry = \"5s\"\nnet_timeout = \"5s\"\n[model.databases.db2]\nrole = \"replica\"\nsource = \"db1\"\nread = \"1ms\"\nconnect_retry = \"200ms\"\nnet_timeout = \"500ms\"\n"
        ));
        for want in [
            "`connect_retry` belongs on a replica",
            "db2.connect_retry: must be at least 1s (the software counts it in whole seconds), found 200ms",
            "`net_timeout` belongs on a replica",
            "db2.net_timeout: must be at least 1s (the software counts it in whole seconds), found 500ms",
        ] {
            assert!(p.iter().any(|m| m.contains(want)), "{want}: {p:?}");
        }
        let p = problems(&format!(
            "{BASE}{DBS}semi_sync = {{}}\n[model.databases.db1.failover]\npolicy = \"paxos\"\n"
        ));
        for want in [
            "`semi_sync` belongs on the primary",
            "unknown failover policy `paxos`",
        ] {
            assert!(p.iter().any(|m| m.contains(want)), "{want}: {p:?}");
        }
        let p = problems(&format!(
            "{BASE}read_routing = \"nearest\"\n{DBS}popularity = \"zipf\"\n"
        ));
        assert!(
            p.iter()
                .any(|m| m.contains("unknown read routing `nearest`")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|m| m.contains("`popularity` belongs on the primary"))
        );
    }
}
