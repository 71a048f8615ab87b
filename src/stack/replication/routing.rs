//! Where a read goes: the routing policies, as data, and the record of each
//! client's recent writes that read-your-writes needs.
//!
//! `RecentWrites` keeps, per client, the writes it made within the window
//! (key, sequence number, time), trimmed whenever the client is looked at,
//! so memory is bounded by the clients and their writes per window, not by
//! the run's writes. Lookups go through a `HashMap` by client id, hashed
//! by one multiplication (`ClientHasher`: ids are small integers, and
//! SipHash cost a read several percent of the run); nothing iterates it in
//! a way that decides behaviour.

use crate::engine::{SimDuration, SimTime};
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// Hashes a client id (a `u32`) by a Fibonacci multiplication.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientHasher(u64);

impl Hasher for ClientHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0 ^ u64::from(n)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A database of the replication set, by index: 0 is the initial primary,
/// 1.. the replicas in configuration order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u16);

impl NodeId {
    pub fn idx(self) -> usize {
        usize::from(self.0)
    }
}

/// How reads are routed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadRouting {
    /// Every read on the primary (never stale).
    PrimaryOnly,
    /// Each app reads from the database it is given as local (the seed
    /// design: each server's app reads from its own MySQL).
    Local,
    /// Round robin over the replicas that are up.
    ReplicasOnly,
    /// Reads go as `otherwise` says, except a client's read of a key it
    /// wrote within the window (`ReplicationConfig::ryw_window`), which
    /// goes as `recent` says.
    ReadYourWrites {
        otherwise: Otherwise,
        recent: RecentWrite,
    },
}

/// Read-your-writes: where reads without a recent write of their key go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Otherwise {
    Local,
    ReplicasOnly,
}

/// Read-your-writes: where a read of a recently written key goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecentWrite {
    /// To the primary.
    Primary,
    /// To the replica it would have gone to, once that replica has applied
    /// the client's write (as `WAIT_FOR_EXECUTED_GTID_SET`, or ProxySQL's
    /// and MaxScale's causal reads).
    WaitForReplica,
}

/// Where a read should be served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// On this database, now.
    Node(NodeId),
    /// On this replica once it has applied `seq` (see `Replication::wait_applied`).
    AfterApplied { node: NodeId, seq: u64 },
    /// No database the policy allows is up: the read fails.
    Unavailable,
}

/// Each client's writes within the window.
#[derive(Clone, Debug, Default)]
pub struct RecentWrites {
    window: SimDuration,
    by_client: HashMap<u32, VecDeque<(u32, u64, SimTime)>, BuildHasherDefault<ClientHasher>>,
}

impl RecentWrites {
    pub fn new(window: SimDuration) -> Self {
        RecentWrites {
            window,
            by_client: HashMap::default(),
        }
    }

    pub fn enabled(&self) -> bool {
        !self.window.is_zero()
    }

    fn trim(window: SimDuration, now: SimTime, q: &mut VecDeque<(u32, u64, SimTime)>) {
        while q.front().is_some_and(|&(_, _, at)| now - at > window) {
            q.pop_front();
        }
    }

    /// `client` wrote `key` as version `seq` at `now`.
    pub fn record(&mut self, now: SimTime, client: u32, key: u32, seq: u64) {
        if !self.enabled() {
            return;
        }
        let q = self.by_client.entry(client).or_default();
        Self::trim(self.window, now, q);
        q.push_back((key, seq, now));
    }

    /// The newest version of `key` that `client` wrote within the window.
    pub fn last_write(&mut self, now: SimTime, client: u32, key: u32) -> Option<u64> {
        let q = self.by_client.get_mut(&client)?;
        Self::trim(self.window, now, q);
        q.iter()
            .rev()
            .find(|&&(k, _, _)| k == key)
            .map(|&(_, s, _)| s)
    }

    /// Forgets every write after `seq` (lost in a failover).
    pub fn forget_after(&mut self, seq: u64) {
        for q in self.by_client.values_mut() {
            q.retain(|&(_, s, _)| s <= seq);
        }
    }

    /// Entries held (for memory checks).
    pub fn len(&self) -> usize {
        self.by_client.values().map(VecDeque::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_expire_after_the_window() {
        let mut r = RecentWrites::new(SimDuration::from_secs(1));
        r.record(SimTime(0), 7, 3, 10);
        r.record(SimTime(500_000_000), 7, 3, 12);
        r.record(SimTime(600_000_000), 7, 4, 13);
        assert_eq!(r.last_write(SimTime(900_000_000), 7, 3), Some(12));
        assert_eq!(
            r.last_write(SimTime(900_000_000), 8, 3),
            None,
            "another client"
        );
        assert_eq!(
            r.last_write(SimTime(1_550_000_000), 7, 3),
            None,
            "outside the window"
        );
        assert_eq!(r.len(), 1);
        r.forget_after(12);
        assert!(r.is_empty());
        let mut off = RecentWrites::new(SimDuration::ZERO);
        off.record(SimTime(0), 1, 1, 1);
        assert_eq!(off.last_write(SimTime(0), 1, 1), None);
    }
}
