//! The request slab: every request attempt in flight is a small `Copy`
//! record in one `Vec`, reused through a free list, addressed by [`ReqId`].
//!
//! Invariants: a slot's `generation` changes each time it is handed out, so
//! a timer naming (slot, generation) of an earlier occupant is recognised;
//! a freed slot has `Phase::Free`; a *zombie* slot (its request taken over
//! by a crash) is freed only when its pending event arrives.

use super::ids::{LbId, Query, ReqId, ServerId};
use super::metrics::FailReason;
use crate::engine::{EventKey, SimTime};

/// Where a request is in its journey; the next step to take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    Start,
    Connect,
    AtEntry,
    LbDone,
    AtServer,
    AtApp,
    AppCpuDone,
    NextQuery,
    AtDb,
    DbDone,
    RespAtLb,
    RespAtClient,
    /// A connection attempt failed; retry (or give up) now.
    Retry,
    /// Waiting in a balancer's backend queue (every backend at `maxconn`).
    LbQueued,
    /// A failed query or a killed request continues at the app's exit.
    AppDone,
    /// A write's commit waits for a semi-sync acknowledgement, holding its
    /// database connection (and a synchronous app worker).
    Committing,
    /// A read waits until its replica has applied the client's write
    /// (read-your-writes), holding a synchronous app worker.
    ParkedRead,
    /// The slot is free (not a live request).
    Free,
}

impl Phase {
    /// The request is at its server — in nginx or the app, or in a query the
    /// app is making — so the server's fate (or the path to it) is its own.
    pub(super) fn at_server(self) -> bool {
        matches!(
            self,
            Phase::AtApp
                | Phase::AppCpuDone
                | Phase::NextQuery
                | Phase::AtDb
                | Phase::DbDone
                | Phase::AppDone
                | Phase::Committing
                | Phase::ParkedRead
        )
    }

    /// The request is at its database (in service, or its commit waiting).
    pub(super) fn in_db(self) -> bool {
        matches!(self, Phase::DbDone | Phase::Committing)
    }
}

/// Where a failure is counted: stations, then servers, then balancers.
pub(super) type Place = u16;

/// A failure counted at no component (a client timeout, an unfinished request).
pub(super) const NO_PLACE: Place = u16::MAX;

#[derive(Clone, Copy, Debug)]
pub(super) struct Req {
    pub(super) start: SimTime,
    pub(super) client: u32,
    pub(super) phase: Phase,
    /// The DNS address (index into the entries) the client uses.
    pub(super) entry: u16,
    /// The balancer serving the request (`None`: straight to a server).
    pub(super) lb: Option<LbId>,
    /// DNS addresses tried so far (with `try_next_address`).
    pub(super) tries: u8,
    pub(super) server: Option<ServerId>,
    /// The balancer's backend it was dispatched to (its slot is held).
    pub(super) backend: Option<u16>,
    /// The query under way (or last made).
    pub(super) query: Option<Query>,
    pub(super) reads_left: u16,
    pub(super) writes_left: u16,
    pub(super) holds_app: bool,
    pub(super) fail: Option<(FailReason, Place)>,
    /// Connection retries left at the balancer.
    pub(super) retries_left: u8,
    /// A crash took this request over into a new slot; this slot only
    /// waits for its pending event to give back what it holds.
    pub(super) zombie: bool,
    /// The client gave up on this attempt (its timeout): the server side
    /// goes on, but its answer is thrown away.
    pub(super) abandoned: bool,
    /// The request's class (to start a retry afresh).
    pub(super) class: u8,
    /// The client's attempts so far after the first.
    pub(super) attempt: u8,
    /// The client's timeout for this attempt, if one is set.
    pub(super) timer: Option<(SimTime, EventKey)>,
    /// Distinguishes the requests that use this slot in turn, so that a
    /// timer meant for an earlier one is recognised and ignored.
    pub(super) generation: u32,
}

impl Req {
    /// A request at its start: attempt `attempt` of class `class`, with
    /// its queries to make.
    pub(super) fn new(
        start: SimTime,
        client: u32,
        class: u8,
        attempt: u8,
        queries: (u16, u16),
    ) -> Req {
        Req {
            start,
            client,
            phase: Phase::Start,
            entry: 0,
            lb: None,
            tries: 0,
            server: None,
            backend: None,
            query: None,
            reads_left: queries.0,
            writes_left: queries.1,
            holds_app: false,
            fail: None,
            retries_left: 0,
            zombie: false,
            abandoned: false,
            class,
            attempt,
            timer: None,
            generation: 0,
        }
    }

    /// A live request the client still waits for.
    pub(super) fn awaited(&self) -> bool {
        self.phase != Phase::Free && !self.zombie && !self.abandoned
    }
}

#[derive(Default)]
pub(super) struct Slab {
    reqs: Vec<Req>,
    free: Vec<u32>,
    /// The last generation handed to a slot.
    next_gen: u32,
    /// Client requests in flight (a request, not an attempt), and the peak.
    pub(super) in_flight: usize,
    pub(super) peak_in_flight: usize,
}

impl Slab {
    pub(super) fn new() -> Self {
        Slab {
            reqs: Vec::with_capacity(1024),
            ..Default::default()
        }
    }

    /// A slot for `req` with a new generation: a free one, or a new one.
    pub(super) fn alloc(&mut self, mut req: Req) -> ReqId {
        self.next_gen = self.next_gen.wrapping_add(1);
        req.generation = self.next_gen;
        match self.free.pop() {
            Some(id) => {
                self.reqs[id as usize] = req;
                ReqId(id)
            }
            None => {
                self.reqs.push(req);
                ReqId((self.reqs.len() - 1) as u32)
            }
        }
    }

    /// Gives slot `id` back.
    #[inline]
    pub(super) fn free(&mut self, id: ReqId) {
        self.reqs[id.index()].phase = Phase::Free;
        self.free.push(id.0);
    }

    /// Slot `id`, if it was ever used.
    pub(super) fn get(&self, id: ReqId) -> Option<&Req> {
        self.reqs.get(id.index())
    }

    /// Slots ever used (live, zombie or free).
    pub(super) fn len(&self) -> usize {
        self.reqs.len()
    }

    /// Every slot id, for a scan (a crash's victims).
    pub(super) fn ids(&self) -> impl Iterator<Item = ReqId> + use<> {
        (0..self.reqs.len() as u32).map(ReqId)
    }

    /// The slot the next `alloc` will hand out.
    #[cfg(test)]
    pub(super) fn next_slot(&self) -> ReqId {
        ReqId(self.free.last().copied().unwrap_or(self.reqs.len() as u32))
    }
}

impl std::ops::Index<ReqId> for Slab {
    type Output = Req;
    #[inline]
    fn index(&self, id: ReqId) -> &Req {
        &self.reqs[id.index()]
    }
}

impl std::ops::IndexMut<ReqId> for Slab {
    #[inline]
    fn index_mut(&mut self, id: ReqId) -> &mut Req {
        &mut self.reqs[id.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_reused_with_a_new_generation() {
        let mut slab = Slab::new();
        let r = Req::new(SimTime::ZERO, 0, 0, 0, (1, 2));
        let a = slab.alloc(r);
        let b = slab.alloc(r);
        assert_eq!((a, b), (ReqId(0), ReqId(1)));
        let old = slab[a].generation;
        slab.free(a);
        assert_eq!(slab[a].phase, Phase::Free);
        assert_eq!(slab.next_slot(), a);
        assert_eq!(slab.alloc(r), a);
        assert_ne!(slab[a].generation, old);
        assert_eq!(
            (slab.len(), slab[a].reads_left, slab[a].writes_left),
            (2, 1, 2)
        );
        assert!(slab[a].awaited());
    }
}
