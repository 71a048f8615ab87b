//! MySQL replication as a component the database owner drives with events:
//! versions of keys, the binary log, replicas receiving and applying it,
//! semi-synchronous commits, read routing, stale reads and failover.
//!
//! Not yet wired into `World` (see ARCHITECTURE.md). The owner calls
//! [`Replication::commit`], [`Replication::route`], [`Replication::read`],
//! [`Replication::wait_applied`], [`Replication::fail_primary`],
//! [`Replication::promote`]; each call that needs future events appends them
//! to an [`Effects`] as plain data — (time, [`ReplEvent`]) pairs to put on
//! the owner's event list, commits that completed, parked reads that may
//! proceed — and the owner hands each event back through
//! [`Replication::handle`] when its time comes. The component never reads a
//! clock of its own and draws random numbers only from its own named streams
//! (`replication/<name>/<node>/network`, `…/apply`), so it is deterministic
//! per seed and testable with a tiny event loop.
//!
//! Memory is O(K) per database plus the binlog events not yet applied
//! everywhere; nothing grows with the run's writes. Links from the primary
//! are FIFO (`binlog::Fifo`, one event each for all messages in flight);
//! each applier worker in progress has its own event. Events carry an epoch
//! so that those of a link or applier reset by a failure are ignored.

pub mod applier;
pub mod binlog;
mod failover;
pub mod keyspace;
mod link;
pub mod measures;
mod node;
mod reads;
pub mod routing;
pub mod semisync;
mod status;

pub use keyspace::{KeySampler, Popularity};
pub use measures::{Counts, FailoverReport, LagSummary};
pub use node::Replication;
pub use routing::{NodeId, Otherwise, ReadRouting, RecentWrite, Route};

use crate::dist::Dist;
use crate::engine::{SimDuration, SimTime};

/// MySQL 8.0.27+ default `replica_parallel_workers`.
pub const DEFAULT_WORKERS: u32 = 4;

/// `SOURCE_RETRY_COUNT` (CHANGE REPLICATION SOURCE TO): the I/O thread
/// gives up after this many failed connection attempts in a row. MySQL
/// Reference Manual (CHANGE REPLICATION SOURCE TO): default 86,400 — with
/// the default 60 s `SOURCE_CONNECT_RETRY`, 60 days of attempts.
pub const SOURCE_RETRY_COUNT: u32 = 86_400;

/// One replica: its link from the primary and its applier.
#[derive(Clone, Debug)]
pub struct ReplicaConfig {
    /// One-way network delay primary → replica (and back, for acks).
    pub network: Dist,
    /// Time a worker takes to apply one event.
    pub apply: Dist,
    /// `replica_parallel_workers` (0 or 1: one thread).
    pub workers: u32,
    /// `SOURCE_CONNECT_RETRY`: after its source is lost, the I/O thread
    /// waits this long between connection attempts.
    pub connect_retry: SimDuration,
    /// `replica_net_timeout`: how long the I/O thread waits for data or a
    /// heartbeat before it calls its connection dead (and the connect
    /// timeout of each attempt). The source sends heartbeats every half of
    /// it (`SOURCE_HEARTBEAT_PERIOD`'s default).
    pub net_timeout: SimDuration,
}

/// A replication set: one primary and its replicas.
#[derive(Clone, Debug)]
pub struct ReplicationConfig {
    pub keys: u32,
    pub replicas: Vec<ReplicaConfig>,
    /// Semi-synchronous (AFTER_SYNC) with this `rpl_semi_sync_source_timeout`;
    /// `None` = asynchronous, MySQL's default.
    pub semi_sync: Option<SimDuration>,
    /// Read-your-writes window (0: not tracked).
    pub ryw_window: SimDuration,
    /// Period of the lag samples behind the p99 (0: no samples).
    pub sample_every: SimDuration,
}

/// An event the owner schedules and hands back. Small and `Copy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplEvent {
    /// Binlog events reach replica `node` (its I/O thread).
    Receipt { node: u16, epoch: u32 },
    /// Acknowledgements from replica `node` reach the primary.
    Ack { node: u16, epoch: u32 },
    /// A worker of `node` finished applying `seq`.
    Applied { node: u16, epoch: u32, seq: u64 },
    /// The semi-sync timeout of the oldest waiting commit may be due.
    SemiSyncTimeout { epoch: u32 },
    /// Sample every lag (for the p99).
    Sample,
    /// Replica `node`'s I/O thread tries to connect to its source (after
    /// `SOURCE_CONNECT_RETRY`); `epoch` voids it if the thread's state
    /// changed since it was set.
    Reconnect { node: u16, epoch: u32 },
    /// Replica `node` has heard nothing from its source for
    /// `replica_net_timeout`: it calls the connection dead.
    NetTimeout { node: u16, epoch: u32 },
}

/// How a commit ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitResult {
    /// Returned without waiting (asynchronous, or semi-sync fallen back).
    Async,
    /// Returned after a replica acknowledged receipt.
    Acknowledged,
    /// Returned when the semi-sync timeout expired (fallback).
    TimedOut,
    /// The primary died while it waited: the client gets an error.
    Failed,
}

/// What `commit` says at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitOutcome {
    /// Committed and returned: version `seq`.
    Done { seq: u64 },
    /// Committed, waiting for a semi-sync acknowledgement: the owner
    /// learns the end from `Effects::commits`.
    Waiting { seq: u64 },
    /// No primary: the write fails.
    Rejected,
}

/// A commit that completed after waiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitDone {
    pub token: u64,
    pub seq: u64,
    pub waited: SimDuration,
    pub result: CommitResult,
}

/// What one served read saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadResult {
    pub node: NodeId,
    /// Sequence number of the version returned (0: never written).
    pub version: u64,
    /// Older than the newest version visible on the primary.
    pub stale: bool,
    /// How long the returned version had been superseded (0 if fresh).
    pub staleness: SimDuration,
    /// The client wrote a newer version within the window.
    pub ryw_violation: bool,
}

/// What the owner must do after a call: schedule events, finish commits,
/// resume parked reads. The owner drains it (and may reuse it).
#[derive(Clone, Debug, Default)]
pub struct Effects {
    pub schedule: Vec<(SimTime, ReplEvent)>,
    pub commits: Vec<CommitDone>,
    /// Tokens of reads parked by `wait_applied` that may now be served.
    pub ready_reads: Vec<u64>,
}

impl Effects {
    pub fn clear(&mut self) {
        self.schedule.clear();
        self.commits.clear();
        self.ready_reads.clear();
    }
}
