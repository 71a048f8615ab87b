//! Reads: where a read goes under a routing policy, parking a read until a
//! replica has applied a write (read-your-writes), and what a read saw —
//! its version against the newest one visible on the primary (stale or
//! not, and for how long the version returned had been superseded) and
//! against the client's own recent write.

use super::ReadResult;
use super::node::{Replication, Role};
use super::routing::{NodeId, Otherwise, ReadRouting, RecentWrite, Route};
use crate::engine::{SimDuration, SimTime};
use std::cmp::Reverse;

impl Replication {
    /// Where a read of `key` by `client` from an app whose local database
    /// is `local` goes under `policy`.
    pub fn route(
        &mut self,
        now: SimTime,
        policy: ReadRouting,
        client: Option<u32>,
        key: u32,
        local: NodeId,
    ) -> Route {
        let primary = self
            .primary
            .map_or(Route::Unavailable, |p| Route::Node(NodeId(p as u16)));
        match policy {
            ReadRouting::PrimaryOnly => primary,
            ReadRouting::Local => self.local(local),
            ReadRouting::ReplicasOnly => self.next_replica(),
            ReadRouting::ReadYourWrites { otherwise, recent } => {
                let base = match otherwise {
                    Otherwise::Local => self.local(local),
                    Otherwise::ReplicasOnly => self.next_replica(),
                };
                let Some(seq) = client.and_then(|c| self.recent.last_write(now, c, key)) else {
                    return base;
                };
                match (recent, base) {
                    (RecentWrite::Primary, _) => primary,
                    (RecentWrite::WaitForReplica, Route::Node(n))
                        if self.nodes[n.idx()].role == Role::Replica
                            && self.nodes[n.idx()].applier.applied < seq =>
                    {
                        Route::AfterApplied { node: n, seq }
                    }
                    (RecentWrite::WaitForReplica, _) => base,
                }
            }
        }
    }

    pub(super) fn local(&self, local: NodeId) -> Route {
        match self.nodes.get(local.idx()) {
            Some(n) if n.up && n.role != Role::Detached => Route::Node(local),
            _ => Route::Unavailable,
        }
    }

    fn next_replica(&mut self) -> Route {
        let n = self.nodes.len();
        for k in 0..n {
            let i = (self.next_replica + k) % n;
            if self.nodes[i].role == Role::Replica && self.nodes[i].up {
                self.next_replica = i + 1;
                return Route::Node(NodeId(i as u16));
            }
        }
        Route::Unavailable
    }

    /// Parks a read (`token`) until `node` has applied `seq`; true if it
    /// already has (serve it now), else it comes back in
    /// `Effects::ready_reads`.
    pub fn wait_applied(&mut self, node: NodeId, seq: u64, token: u64) -> bool {
        let n = &mut self.nodes[node.idx()];
        if n.role != Role::Replica || n.applier.applied >= seq {
            return true;
        }
        n.parked.push(Reverse((seq, token)));
        false
    }

    /// A read of `key` served by `node` at `now`: the version it returns,
    /// measured against the primary's newest visible version.
    pub fn read(
        &mut self,
        now: SimTime,
        node: NodeId,
        key: u32,
        client: Option<u32>,
    ) -> ReadResult {
        let k = key as usize;
        let newest = self.binlog.version_at(self.latest[k], self.visible);
        let version = match self.nodes[node.idx()].role {
            Role::Primary => newest,
            Role::Replica | Role::Detached => self.nodes[node.idx()].applier.versions[k],
        };
        let stale = version < newest;
        let staleness = if stale {
            now - self
                .binlog
                .event(self.binlog.successor(newest, version))
                .committed_at
        } else {
            SimDuration::ZERO
        };
        let ryw_violation = client
            .and_then(|c| self.recent.last_write(now, c, key))
            .is_some_and(|s| version < s);
        let c = &mut self.counts;
        c.reads += 1;
        if stale {
            c.stale_reads += 1;
            c.staleness.record(staleness.as_nanos());
        }
        c.ryw_violations += u64::from(ryw_violation);
        ReadResult {
            node,
            version,
            stale,
            staleness,
            ryw_violation,
        }
    }
}
