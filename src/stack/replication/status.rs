//! What a replication set reports: its counts, each replica's lag and
//! `Seconds_Behind_Source` as MySQL shows it, the positions of every
//! database and of the primary's head, semi-sync's state, and the version
//! of a key each database holds — read-only views for the stack, the
//! measures and the tests, and the reset at the end of the warm-up.

use super::measures::{Counts, LagSummary};
use super::node::{Replication, Role};
use super::routing::NodeId;
use crate::engine::{SimDuration, SimTime};

impl Replication {
    /// Reads, stale reads, writes, waits, lost writes since the last reset.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// `Seconds_Behind_Source` and true staleness of a replica, up to `now`.
    pub fn lag(&self, now: SimTime, node: NodeId) -> (LagSummary, LagSummary) {
        let n = &self.nodes[node.idx()];
        (n.sbs.summary(now), n.staleness.summary(now))
    }

    /// Whether `node` is a replica whose mysqld is running (its applier
    /// works, whether or not its source is there to copy from).
    pub fn is_running_replica(&self, node: NodeId) -> bool {
        let n = &self.nodes[node.idx()];
        n.role == Role::Replica && n.up
    }

    /// `Seconds_Behind_Source` as MySQL reports it at `now`: the replica's
    /// clock minus the commit time of the event being applied while its
    /// applier works through received events; once the relay log is all
    /// applied, 0 if the I/O thread is connected to a source, else `None`
    /// (NULL) — as when the primary is down (the I/O thread keeps
    /// retrying, `Replica_IO_Running: Connecting`). `None` too when the
    /// replica itself is not running. Source: MySQL Reference Manual,
    /// SHOW REPLICA STATUS, `Seconds_Behind_Source` (NULL when the SQL
    /// thread is not running, or when it has consumed the relay log and the
    /// I/O thread is not running, since 5.6.9), and the server's
    /// `show_slave_status` (sql/rpl_replica.cc), which prints 0 for a
    /// caught-up replica only in state `MYSQL_SLAVE_RUN_CONNECT`.
    pub fn seconds_behind_source(&self, now: SimTime, node: NodeId) -> Option<SimDuration> {
        self.reports_lag(node.idx())
            .then(|| self.nodes[node.idx()].sbs.value(now))
    }

    /// Whether node `i`'s `Seconds_Behind_Source` is a number (not NULL).
    pub(super) fn reports_lag(&self, i: usize) -> bool {
        let n = &self.nodes[i];
        let relay_left = n.applier.applied < n.applier.received;
        n.role == Role::Replica && n.up && (n.connected || relay_left)
    }

    /// (received, applied) positions of a database.
    pub fn positions(&self, node: NodeId) -> (u64, u64) {
        let a = &self.nodes[node.idx()].applier;
        (a.received, a.applied)
    }

    /// Newest committed and newest visible sequence numbers on the primary.
    pub fn head(&self) -> (u64, u64) {
        (self.binlog.head(), self.visible)
    }

    /// Whether semi-sync is configured and currently on, and its fallbacks.
    pub fn semi_sync(&self) -> Option<(bool, u64)> {
        self.semi.as_ref().map(|s| (s.active, s.fallbacks))
    }

    /// Binlog events held (memory: O(lag), not O(writes)).
    pub fn binlog_retained(&self) -> usize {
        self.binlog.retained()
    }

    /// The version of `key` that `node` holds (its visible state).
    pub fn version_on(&self, node: NodeId, key: u32) -> u64 {
        match self.nodes[node.idx()].role {
            Role::Primary => self
                .binlog
                .version_at(self.latest[key as usize], self.visible),
            _ => self.nodes[node.idx()].applier.versions[key as usize],
        }
    }

    /// Discards the measures gathered so far (end of warm-up).
    pub fn reset_stats(&mut self, now: SimTime) {
        self.counts.reset();
        for n in &mut self.nodes {
            n.sbs.reset(now);
            n.staleness.reset(now);
        }
    }
}
