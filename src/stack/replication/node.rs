//! `Replication`: the databases of one replication set and the owner's
//! entry points (commit, route, read, events, failover).
//!
//! Invariants: `binlog.head()` is the newest write committed on the primary
//! and `visible` ≤ head the newest one its clients can see (they differ only
//! while semi-sync commits wait); `latest[k]` is key k's newest committed
//! version; every replica's positions are ≤ head; the binlog keeps every
//! event after min(every replica's applied position, `visible`), which is
//! all that reads, lags and failovers ever look up.

use super::applier::Applier;
use super::binlog::{Binlog, Fifo};
use super::measures::{Counts, Lag};
use super::routing::{NodeId, RecentWrites};
use super::semisync::{SemiSync, Waiting};
use super::{
    CommitDone, CommitOutcome, CommitResult, Effects, ReplEvent, ReplicaConfig, ReplicationConfig,
};
use crate::dist::Dist;
use crate::engine::rng::{Rng, Streams};
use crate::engine::{SimDuration, SimTime};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    Primary,
    Replica,
    /// A dead primary, out of the set until it rejoins.
    Detached,
}

#[derive(Clone, Debug)]
pub(super) struct Node {
    pub(super) role: Role,
    pub(super) up: bool,
    /// A replica's I/O thread believes it holds a connection to the
    /// source: false from the moment it notices the loss (at once for a
    /// reset, after `replica_net_timeout` for a silence) until an attempt
    /// connects.
    pub(super) connected: bool,
    /// The connection it believes in carries nothing any more (its source
    /// went silent): nothing is sent on it, even by a source that has
    /// restarted meanwhile, until the replica notices and reconnects.
    pub(super) dead_link: bool,
    /// `SOURCE_CONNECT_RETRY`.
    pub(super) connect_retry: SimDuration,
    /// `replica_net_timeout`.
    pub(super) net_timeout: SimDuration,
    /// Voids the I/O thread's pending timers (`NetTimeout`, `Reconnect`)
    /// whenever its state changes.
    pub(super) io_epoch: u32,
    /// Failed connection attempts in a row (`SOURCE_RETRY_COUNT`).
    pub(super) attempts: u32,
    /// When the replica last received binlog data or connected, and when
    /// the source last sent it data (its heartbeats follow from that).
    pub(super) last_heard: SimTime,
    pub(super) last_sent: SimTime,
    pub(super) applier: Applier,
    pub(super) network: Dist,
    pub(super) net_rng: Rng,
    /// Primary → this replica (sequence numbers), and its acks back.
    pub(super) link: Fifo<u64>,
    pub(super) acks: Fifo<u64>,
    pub(super) link_epoch: u32,
    pub(super) apply_epoch: u32,
    /// Reads parked until this replica applies a position: (seq, token).
    pub(super) parked: BinaryHeap<Reverse<(u64, u64)>>,
    /// `Seconds_Behind_Source` and true staleness.
    pub(super) sbs: Lag,
    pub(super) staleness: Lag,
}

/// One replication set. See the module docs of `replication`.
#[derive(Clone, Debug)]
pub struct Replication {
    pub(super) nodes: Vec<Node>,
    pub(super) primary: Option<usize>,
    pub(super) binlog: Binlog,
    pub(super) latest: Vec<u64>,
    pub(super) visible: u64,
    pub(super) semi: Option<SemiSync>,
    pub(super) semi_epoch: u32,
    pub(super) recent: RecentWrites,
    pub(super) next_replica: usize,
    pub(super) died_at: SimTime,
    /// The dead primary went silent (its host died) rather than refusing
    /// connections (its process died).
    pub(super) source_silent: bool,
    /// Pairs of nodes partitioned from each other (one entry per fault).
    pub(super) cuts: Vec<(u16, u16)>,
    pub(super) sample_every: SimDuration,
    pub(super) counts: Counts,
    // Scratch buffers, reused.
    pub(super) due: Vec<u64>,
    pub(super) started: Vec<(u64, SimTime)>,
    pub(super) released: Vec<Waiting>,
}

impl Replication {
    /// A set whose primary is node 0 and whose replicas are nodes 1.. in
    /// `cfg.replicas` order, everything empty at time 0. Node 0 copies
    /// like the first replica if it rejoins as a replica. Random streams
    /// are derived from `streams` under `name`.
    pub fn new(cfg: &ReplicationConfig, streams: &Streams, name: &str) -> Result<Self, String> {
        if cfg.keys == 0 {
            return Err("keys must be at least 1".into());
        }
        let zero = Dist::constant(0.0).expect("zero is a valid constant");
        let mut nodes = Vec::with_capacity(cfg.replicas.len() + 1);
        let node = |role, r: &ReplicaConfig, i: usize| Node {
            role,
            up: true,
            connected: true,
            dead_link: false,
            connect_retry: r.connect_retry,
            net_timeout: r.net_timeout,
            io_epoch: 0,
            attempts: 0,
            last_heard: SimTime::ZERO,
            last_sent: SimTime::ZERO,
            applier: Applier::new(
                cfg.keys,
                r.workers,
                r.apply.clone(),
                streams.stream(&format!("replication/{name}/{i}/apply")),
            ),
            network: r.network.clone(),
            net_rng: streams.stream(&format!("replication/{name}/{i}/network")),
            link: Fifo::default(),
            acks: Fifo::default(),
            link_epoch: 0,
            apply_epoch: 0,
            parked: BinaryHeap::new(),
            sbs: Lag::new(SimTime::ZERO),
            staleness: Lag::new(SimTime::ZERO),
        };
        // The primary copies like the first replica does if it ever
        // rejoins as a replica (after a failover): same link and applier.
        let alone = ReplicaConfig {
            network: zero.clone(),
            apply: zero,
            workers: 1,
            connect_retry: SimDuration::ZERO,
            net_timeout: SimDuration::ZERO,
        };
        nodes.push(node(
            Role::Primary,
            cfg.replicas.first().unwrap_or(&alone),
            0,
        ));
        for (i, r) in cfg.replicas.iter().enumerate() {
            nodes.push(node(Role::Replica, r, i + 1));
        }
        Ok(Replication {
            nodes,
            primary: Some(0),
            binlog: Binlog::new(),
            latest: vec![0; cfg.keys as usize],
            visible: 0,
            semi: cfg.semi_sync.map(SemiSync::new),
            semi_epoch: 0,
            recent: RecentWrites::new(cfg.ryw_window),
            next_replica: 0,
            died_at: SimTime::ZERO,
            source_silent: false,
            cuts: Vec::new(),
            sample_every: cfg.sample_every,
            counts: Counts::default(),
            due: Vec::new(),
            started: Vec::new(),
            released: Vec::new(),
        })
    }

    /// Schedules the first lag sample (call once, at the start).
    pub fn start(&mut self, now: SimTime, fx: &mut Effects) {
        if !self.sample_every.is_zero() {
            fx.schedule
                .push((now + self.sample_every, ReplEvent::Sample));
        }
    }

    /// The current primary, if any.
    pub fn primary(&self) -> Option<NodeId> {
        self.primary.map(|p| NodeId(p as u16))
    }

    pub(super) fn replicas(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.nodes.len()).filter(|&i| self.nodes[i].role == Role::Replica)
    }

    /// A client (`client`, if the owner tracks one) writes `key`; `token`
    /// comes back in `Effects::commits` if the commit has to wait.
    pub fn commit(
        &mut self,
        now: SimTime,
        key: u32,
        client: Option<u32>,
        token: u64,
        fx: &mut Effects,
    ) -> CommitOutcome {
        if self.primary.is_none() {
            self.counts.rejected_writes += 1;
            return CommitOutcome::Rejected;
        }
        let seq = self.binlog.append(key, self.latest[key as usize], now);
        self.latest[key as usize] = seq;
        self.counts.commits += 1;
        if let Some(c) = client {
            self.recent.record(now, c, key, seq);
        }
        let p = self.primary.unwrap_or_default();
        for i in 0..self.nodes.len() {
            let cut = !self.cuts.is_empty() && self.is_cut(p, i);
            let n = &mut self.nodes[i];
            if n.role == Role::Replica && n.up && n.connected && !n.dead_link && !cut {
                n.last_sent = now;
                let at = now + n.network.sample(&mut n.net_rng);
                if let Some(t) = n.link.send(at, seq) {
                    let ev = ReplEvent::Receipt {
                        node: i as u16,
                        epoch: n.link_epoch,
                    };
                    fx.schedule.push((t, ev));
                }
            }
            self.refresh_lags(now, i);
        }
        if let Some(semi) = &mut self.semi {
            let mut timer = None;
            if semi.commit(now, seq, token, &mut timer) {
                if let Some(t) = timer {
                    fx.schedule.push((
                        t,
                        ReplEvent::SemiSyncTimeout {
                            epoch: self.semi_epoch,
                        },
                    ));
                }
                return CommitOutcome::Waiting { seq };
            }
        }
        self.visible = seq;
        self.counts.write_wait.record(0);
        self.trim();
        CommitOutcome::Done { seq }
    }

    /// Handles an event the owner scheduled from an earlier `Effects`.
    pub fn handle(&mut self, now: SimTime, ev: ReplEvent, fx: &mut Effects) {
        match ev {
            ReplEvent::Receipt { node, epoch } => self.on_receipt(now, node as usize, epoch, fx),
            ReplEvent::Ack { node, epoch } => self.on_ack(now, node as usize, epoch, fx),
            ReplEvent::Applied { node, epoch, seq } => {
                self.on_applied(now, node as usize, epoch, seq, fx)
            }
            ReplEvent::SemiSyncTimeout { epoch } => {
                let Some(semi) = self.semi.as_mut().filter(|_| epoch == self.semi_epoch) else {
                    return;
                };
                if let Some(t) = semi.expire(now, &mut self.released) {
                    fx.schedule.push((t, ReplEvent::SemiSyncTimeout { epoch }));
                }
                self.release_commits(now, CommitResult::TimedOut, fx);
            }
            ReplEvent::Reconnect { node, epoch } => {
                self.on_reconnect(now, node as usize, epoch, fx)
            }
            ReplEvent::NetTimeout { node, epoch } => {
                self.on_net_timeout(now, node as usize, epoch, fx)
            }
            ReplEvent::Sample => {
                for i in 0..self.nodes.len() {
                    // A NULL `Seconds_Behind_Source` is no sample.
                    let reports = self.reports_lag(i);
                    let n = &mut self.nodes[i];
                    if n.role == Role::Replica {
                        if reports {
                            n.sbs.sample(now);
                        }
                        n.staleness.sample(now);
                    }
                }
                fx.schedule
                    .push((now + self.sample_every, ReplEvent::Sample));
            }
        }
    }

    fn on_receipt(&mut self, now: SimTime, i: usize, epoch: u32, fx: &mut Effects) {
        let n = &mut self.nodes[i];
        if epoch != n.link_epoch {
            return;
        }
        self.due.clear();
        if let Some(t) = n.link.arrive(now, &mut self.due) {
            fx.schedule.push((
                t,
                ReplEvent::Receipt {
                    node: i as u16,
                    epoch,
                },
            ));
        }
        let Some(&seq) = self.due.last() else { return };
        n.last_heard = now;
        n.applier.receive(seq);
        if self.semi.is_some() {
            let at = now + n.network.sample(&mut n.net_rng);
            if let Some(t) = n.acks.send(at, seq) {
                fx.schedule.push((
                    t,
                    ReplEvent::Ack {
                        node: i as u16,
                        epoch,
                    },
                ));
            }
        }
        self.dispatch(now, i, fx);
        self.refresh_lags(now, i);
    }

    fn on_ack(&mut self, now: SimTime, i: usize, epoch: u32, fx: &mut Effects) {
        let n = &mut self.nodes[i];
        if epoch != n.link_epoch {
            return;
        }
        self.due.clear();
        if let Some(t) = n.acks.arrive(now, &mut self.due) {
            fx.schedule.push((
                t,
                ReplEvent::Ack {
                    node: i as u16,
                    epoch,
                },
            ));
        }
        if let (Some(&seq), Some(semi)) = (self.due.last(), self.semi.as_mut()) {
            semi.ack(seq, self.binlog.head(), &mut self.released);
            self.release_commits(now, CommitResult::Acknowledged, fx);
        }
    }

    pub(super) fn release_commits(&mut self, now: SimTime, result: CommitResult, fx: &mut Effects) {
        for w in self.released.drain(..) {
            let waited = now - w.since;
            if result != CommitResult::Failed {
                self.visible = self.visible.max(w.seq);
                self.counts.write_wait.record(waited.as_nanos());
            }
            self.counts.timed_out_commits += u64::from(result == CommitResult::TimedOut);
            fx.commits.push(CommitDone {
                token: w.token,
                seq: w.seq,
                waited,
                result,
            });
        }
        self.trim();
    }

    fn on_applied(&mut self, now: SimTime, i: usize, epoch: u32, seq: u64, fx: &mut Effects) {
        if epoch != self.nodes[i].apply_epoch {
            return;
        }
        let n = &mut self.nodes[i];
        if n.applier.finish(seq, &self.binlog) > 0 {
            let applied = n.applier.applied;
            while let Some(&Reverse((s, token))) = n.parked.peek() {
                if s > applied {
                    break;
                }
                n.parked.pop();
                fx.ready_reads.push(token);
            }
            self.trim();
        }
        self.dispatch(now, i, fx);
        self.refresh_lags(now, i);
    }

    pub(super) fn dispatch(&mut self, now: SimTime, i: usize, fx: &mut Effects) {
        let n = &mut self.nodes[i];
        self.started.clear();
        n.applier.dispatch(now, &self.binlog, &mut self.started);
        for &(seq, at) in &self.started {
            fx.schedule.push((
                at,
                ReplEvent::Applied {
                    node: i as u16,
                    epoch: n.apply_epoch,
                    seq,
                },
            ));
        }
    }

    /// Drops binlog events no replica and no read can need any more. A
    /// replica that is down keeps its events (binlog retention), so it can
    /// catch up when it returns.
    pub(super) fn trim(&mut self) {
        let upto = self
            .replicas()
            .map(|i| self.nodes[i].applier.applied)
            .min()
            .unwrap_or(u64::MAX);
        self.binlog.trim(upto.min(self.visible));
    }

    pub(super) fn refresh_lags(&mut self, now: SimTime, i: usize) {
        let n = &mut self.nodes[i];
        if n.role != Role::Replica {
            return;
        }
        let a = &n.applier;
        let origin = |behind: bool| behind.then(|| self.binlog.event(a.applied + 1).committed_at);
        let (sbs, stale) = (
            origin(a.applied < a.received),
            origin(a.applied < self.binlog.head()),
        );
        n.sbs.set_origin(now, sbs);
        n.staleness.set_origin(now, stale);
    }
}
