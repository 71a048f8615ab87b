//! A database: its connections and queries (a station of `connections`
//! workers serving reads and writes), the host it runs on, whether its
//! process is up, and its role.
//!
//! Replication's home: a database knows its role (`Primary`, or `Replica`
//! of a source, as configured) and, when it belongs to a replication set,
//! its node in the set's [`cluster::Cluster`], which copies writes to the
//! replicas (lag, stale reads, lost writes on failover). `replicated.rs`
//! drives the clusters from `World`; nothing else needs to know how a
//! replica catches up.

pub(super) mod cluster;

use super::config::{DatabaseConfig, DbRole};
use super::ids::{DbId, ServerId, StationId};
use super::replication::NodeId;

/// What a query finds when it reaches a database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reach {
    /// Answered by the database's station.
    Open,
    /// Refused at once (its process is down): an error.
    Refused,
    /// Nothing answers (its host is silent, or a partition): the app waits
    /// its `db_timeout`.
    Silent,
}

pub(super) struct Database {
    pub(super) station: StationId,
    /// The server it runs on; `None`: a host of its own.
    pub(super) host: Option<ServerId>,
    /// Its process is up.
    pub(super) up: bool,
    /// The configured role (a replication set's roles change with
    /// failovers: the cluster knows them).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) role: Role,
    /// Its replication set (index into `World::clusters`) and node there.
    pub(super) node: Option<(u16, NodeId)>,
}

/// A database's place in replication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    Primary,
    Replica { source: DbId },
}

impl Database {
    pub(super) fn new(cfg: &DatabaseConfig, station: StationId) -> Self {
        Database {
            station,
            host: cfg.host.map(ServerId::new),
            up: true,
            role: match cfg.role {
                DbRole::Primary => Role::Primary,
                DbRole::Replica { source } => Role::Replica {
                    source: DbId::new(source),
                },
            },
            node: None,
        }
    }

    /// Runs on server `sv`'s host (no network hop from its app).
    #[inline]
    pub(super) fn on_host(&self, sv: ServerId) -> bool {
        self.host == Some(sv)
    }

    /// What a query finds, given its host's state (`(up, silent)`, when it
    /// runs on a server) and whether a partition cuts the asking app off.
    pub(super) fn reach(&self, host: Option<(bool, bool)>, cut_off: bool) -> Reach {
        let host_down = host.is_some_and(|(up, _)| !up);
        if !(host_down || !self.up || cut_off) {
            return Reach::Open;
        }
        if cut_off || host.is_some_and(|(up, silent)| !up && silent) {
            Reach::Silent
        } else {
            Reach::Refused
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(role: DbRole) -> Database {
        let d = crate::dist::Dist::Constant { value_ns: 0.0 };
        let cfg = DatabaseConfig {
            name: "db1".into(),
            host: Some(0),
            role,
            connections: 1,
            queue_limit: None,
            read: d.clone(),
            write: d,
            reliability: None,
        };
        Database::new(&cfg, StationId::new(3))
    }

    #[test]
    fn a_query_meets_an_open_refusing_or_silent_database() {
        let mut d = db(DbRole::Primary);
        assert!(d.on_host(ServerId::new(0)) && !d.on_host(ServerId::new(1)));
        assert_eq!(d.reach(Some((true, false)), false), Reach::Open);
        assert_eq!(d.reach(Some((true, false)), true), Reach::Silent);
        assert_eq!(d.reach(Some((false, true)), false), Reach::Silent);
        assert_eq!(d.reach(Some((false, false)), false), Reach::Refused);
        d.up = false;
        assert_eq!(d.reach(Some((true, false)), false), Reach::Refused);
        assert_eq!(d.reach(None, false), Reach::Refused);
    }

    #[test]
    fn a_replica_knows_its_source() {
        let d = db(DbRole::Replica { source: 0 });
        assert_eq!(
            d.role,
            Role::Replica {
                source: DbId::new(0)
            }
        );
    }
}
